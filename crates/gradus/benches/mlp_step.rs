//! One training step (forward, backward, Adam update) of the networks the peer benchmarks
//! time (../shared/bench/peers/WORKLOADS.md), on a fixed batch, through the library's own
//! `Sequential` model and `Optimizer`:
//! - `digits-mlp`: 64-100-30-10 ReLU, softmax cross-entropy, batch 32;
//! - `pinn-step`: 1-32-32-1 tanh, loss mean((u'' - f)²) + u(-1)² + u(1)² on 512 points,
//!   u'' by forward-over-forward sweeps on the tape, then one backward pass;
//! - the same net with a loss on u alone, the baseline that shows what u'' costs.
//!
//! Run: cargo bench -p gradus --bench mlp_step

use criterion::{criterion_group, criterion_main, Criterion};
use gradus::nn::{Activation, Loss, Mlp, Mode, ParamsOnTape};
use gradus::optim::{OptState, Optimizer};
use gradus::{Float, Tape, Tensor};

struct Trainer<F: Float> {
    net: Mlp<F>,
    states: Vec<OptState<F>>,
    opt: Optimizer,
}

impl<F: Float> Trainer<F> {
    fn new(sizes: &[usize], hidden: Activation, output: Activation, loss: Loss) -> Self {
        let mut net = Mlp::ffnn(sizes, hidden, output, loss, 42).unwrap();
        // Glorot-uniform weights and zero biases, as the peer workloads start.
        let mut r = gradus::rng::seeded(42);
        for (i, p) in net.params_mut().iter_mut().enumerate() {
            if i % 2 == 0 {
                let (fi, fo) = (p.shape().dim(0), p.shape().dim(1));
                *p = gradus::nn::Init::GlorotUniform.sample(fi, fo, &mut r);
            }
        }
        let opt = Optimizer::adam(1e-3);
        let states = net.params().iter().map(|p| opt.init(p.numel())).collect();
        Trainer { net, states, opt }
    }

    fn update(&mut self, tape: &Tape<F>, on: ParamsOnTape) {
        for (i, (p, s)) in self
            .net
            .params_mut()
            .iter_mut()
            .zip(&mut self.states)
            .enumerate()
        {
            let g = tape.grad_ref(on.get(tape, i));
            self.opt.update(self.opt.lr(), &g, s, p.data_mut());
        }
    }
}

fn digits_step<F: Float>(t: &mut Trainer<F>, tape: &mut Tape<F>, x: &Tensor<F>, y: &Tensor<F>) {
    tape.clear();
    let on = t.net.record_params(tape);
    let loss = t.net.objective(
        tape,
        on,
        tape.constant(x),
        tape.constant(y),
        &mut Mode::Eval,
    );
    tape.backward(loss);
    t.update(tape, on);
}

fn pinn_step<F: Float>(
    t: &mut Trainer<F>,
    tape: &mut Tape<F>,
    x: &Tensor<F>,
    f: &Tensor<F>,
    xb: &Tensor<F>,
    with_u2: bool,
) {
    tape.clear();
    let on = t.net.record_params(tape);
    let xv = tape.constant(x);
    let u = t.net.forward(tape, on, xv, &mut Mode::Eval);
    let boundary = t
        .net
        .forward(tape, on, tape.constant(xb), &mut Mode::Eval)
        .square()
        .sum();
    let residual = if with_u2 {
        tape.partial(tape.partial(u, xv, 0), xv, 0)
    } else {
        u
    };
    let loss = residual.mse(tape.constant(f)) + boundary;
    tape.backward(loss);
    t.update(tape, on);
}

fn bench_digits<F: Float>(c: &mut Criterion) {
    let mut r = gradus::rng::seeded(1);
    let x = Tensor::<F>::uniform([32, 64], 0.0, 1.0, &mut r);
    let labels: Vec<usize> = (0..32).map(|i| (i * 7) % 10).collect();
    let y = Tensor::one_hot(&labels, 10);
    let mut t = Trainer::<F>::new(
        &[64, 100, 30, 10],
        Activation::Relu,
        Activation::Softmax,
        Loss::CategoricalCrossEntropy,
    );
    let mut tape = Tape::new();
    c.bench_function(&format!("digits-mlp step (batch 32, {})", F::NAME), |b| {
        b.iter(|| digits_step(&mut t, &mut tape, &x, &y))
    });
}

fn bench_pinn<F: Float>(c: &mut Criterion) {
    let n = 512;
    let xs: Vec<f64> = (0..n)
        .map(|i| -1.0 + 2.0 * i as f64 / (n - 1) as f64)
        .collect();
    let pi = std::f64::consts::PI;
    let x = Tensor::<F>::from_vec(xs.iter().map(|&v| F::of(v)).collect(), [n, 1]);
    let f = Tensor::<F>::from_vec(
        xs.iter()
            .map(|&v| F::of(-pi * pi * (pi * v).sin()))
            .collect(),
        [n, 1],
    );
    let xb = Tensor::<F>::from_vec(vec![F::of(-1.0), F::of(1.0)], [2, 1]);
    for (name, with_u2) in [("pinn-step", true), ("pinn-net without derivatives", false)] {
        let mut t = Trainer::<F>::new(
            &[1, 32, 32, 1],
            Activation::Tanh,
            Activation::Identity,
            Loss::Mse,
        );
        let mut tape = Tape::new();
        c.bench_function(&format!("{name} (512 points, {})", F::NAME), |b| {
            b.iter(|| pinn_step(&mut t, &mut tape, &x, &f, &xb, with_u2))
        });
    }
}

fn benches(c: &mut Criterion) {
    gradus::tensor::set_num_threads(2);
    bench_digits::<f32>(c);
    bench_digits::<f64>(c);
    bench_pinn::<f32>(c);
    bench_pinn::<f64>(c);
}

criterion_group!(mlp, benches);
criterion_main!(mlp);
