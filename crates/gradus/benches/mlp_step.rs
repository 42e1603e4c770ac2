//! One training step (forward, backward, Adam update) of the networks the peer benchmarks
//! time (../shared/bench/peers/WORKLOADS.md), on a fixed batch:
//! - `digits-mlp`: 64-100-30-10 ReLU, softmax cross-entropy, batch 32;
//! - `pinn-step`: 1-32-32-1 tanh, loss mean((u'' - f)²) + u(-1)² + u(1)² on 512 points,
//!   u'' by forward-over-forward sweeps on the tape, then one backward pass.
//!
//! Run: cargo bench -p gradus --bench mlp_step

use criterion::{criterion_group, criterion_main, Criterion};
use gradus::optim::{OptState, Optimizer};
use gradus::{rng, Float, Tape, Tensor, Var};

struct Net<F: Float, const P: usize> {
    params: [Tensor<F>; P],
    states: [OptState<F>; P],
    opt: Optimizer,
}

impl<F: Float, const P: usize> Net<F, P> {
    fn new(sizes: &[usize]) -> Self {
        let mut r = rng::seeded(42);
        let params: [Tensor<F>; P] = std::array::from_fn(|i| {
            let (fan_in, fan_out) = (sizes[i / 2], sizes[i / 2 + 1]);
            let bound = (6.0 / (fan_in + fan_out) as f64).sqrt();
            if i % 2 == 0 {
                Tensor::uniform([fan_in, fan_out], -bound, bound, &mut r)
            } else {
                Tensor::zeros([fan_out])
            }
        });
        let opt = Optimizer::adam(1e-3);
        let states = std::array::from_fn(|i| opt.init(params[i].numel()));
        Net {
            params,
            states,
            opt,
        }
    }

    fn update(&mut self, tape: &Tape<F>, p: &[Var<'_, F>; P]) {
        for (i, var) in p.iter().enumerate() {
            let g = tape.grad_ref(*var);
            self.opt.update(
                self.opt.lr(),
                &g,
                &mut self.states[i],
                self.params[i].data_mut(),
            );
        }
    }
}

fn forward<'t, F: Float, const P: usize>(
    x: Var<'t, F>,
    p: &[Var<'t, F>; P],
    act: fn(Var<'t, F>) -> Var<'t, F>,
) -> Var<'t, F> {
    let mut h = x;
    for l in 0..P / 2 {
        h = h.matmul(p[2 * l]) + p[2 * l + 1];
        if l + 1 < P / 2 {
            h = act(h);
        }
    }
    h
}

fn digits_step<F: Float>(net: &mut Net<F, 6>, tape: &mut Tape<F>, x: &Tensor<F>, y: &Tensor<F>) {
    tape.clear();
    let p: [_; 6] = std::array::from_fn(|i| tape.var(&net.params[i]));
    let logits = forward(tape.constant(x), &p, |h| h.relu());
    let loss = logits.cce_with_logits(tape.constant(y));
    tape.backward(loss);
    net.update(tape, &p);
}

fn pinn_step<F: Float>(
    net: &mut Net<F, 6>,
    tape: &mut Tape<F>,
    x: &Tensor<F>,
    f: &Tensor<F>,
    xb: &Tensor<F>,
) {
    tape.clear();
    let p: [_; 6] = std::array::from_fn(|i| tape.var(&net.params[i]));
    let xv = tape.constant(x);
    let u = forward(xv, &p, |h| h.tanh());
    let d2u = tape.partial(tape.partial(u, xv, 0), xv, 0);
    let boundary = forward(tape.constant(xb), &p, |h| h.tanh()).square().sum();
    let loss = d2u.mse(tape.constant(f)) + boundary;
    tape.backward(loss);
    net.update(tape, &p);
}

/// The same network and points with a loss on u alone: the baseline that shows what the
/// two derivative levels cost.
fn plain_step<F: Float>(
    net: &mut Net<F, 6>,
    tape: &mut Tape<F>,
    x: &Tensor<F>,
    f: &Tensor<F>,
    xb: &Tensor<F>,
) {
    tape.clear();
    let p: [_; 6] = std::array::from_fn(|i| tape.var(&net.params[i]));
    let u = forward(tape.constant(x), &p, |h| h.tanh());
    let boundary = forward(tape.constant(xb), &p, |h| h.tanh()).square().sum();
    let loss = u.mse(tape.constant(f)) + boundary;
    tape.backward(loss);
    net.update(tape, &p);
}

fn bench_digits<F: Float>(c: &mut Criterion) {
    let mut r = rng::seeded(1);
    let x = Tensor::<F>::uniform([32, 64], 0.0, 1.0, &mut r);
    let labels: Vec<usize> = (0..32).map(|i| (i * 7) % 10).collect();
    let y = Tensor::one_hot(&labels, 10);
    let mut net = Net::<F, 6>::new(&[64, 100, 30, 10]);
    let mut tape = Tape::new();
    c.bench_function(&format!("digits-mlp step (batch 32, {})", F::NAME), |b| {
        b.iter(|| digits_step(&mut net, &mut tape, &x, &y))
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
    let mut net = Net::<F, 6>::new(&[1, 32, 32, 1]);
    let mut tape = Tape::new();
    c.bench_function(&format!("pinn-step (512 points, {})", F::NAME), |b| {
        b.iter(|| pinn_step(&mut net, &mut tape, &x, &f, &xb))
    });
    c.bench_function(
        &format!("pinn-net without derivatives (512 points, {})", F::NAME),
        |b| b.iter(|| plain_step(&mut net, &mut tape, &x, &f, &xb)),
    );
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
