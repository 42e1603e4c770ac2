//! Runs one workload the way the peer scripts do (WORKLOADS.md, "Common rules"): warm-up on a
//! throw-away copy of the model and optimiser, then timed repeats from the shared initial
//! parameters with fresh optimiser state, then the float64 final metrics, untimed.
//!
//! Training goes through the library's public path: `Mlp::ffnn` (a `Sequential`), the tape,
//! `Optimizer::update` — the same code a user's training loop runs, so speed-ups of the
//! engine show here and nothing in the benchmark is special-cased.

use std::time::Instant;

use super::data::{self, Data};
use super::metrics;
use super::numpy_rng::{self, Pcg64};
use super::spec::{self, Kind, Opt, Spec, Task};
use crate::nn::{DataParallel, Loss, Mlp, Mode, Sequential};
use crate::optim::{OptState, Optimizer};
use crate::tensor::{gather_rows, Float, Tensor};

/// What one run measured.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Wall-clock seconds of each timed repeat.
    pub repeat_s: Vec<f64>,
    pub steps_per_repeat: usize,
    pub samples_per_repeat: usize,
    pub warmup_s: f64,
    pub final_loss: f64,
    pub test_accuracy: Option<f64>,
    /// Share of the machine's CPU capacity other processes used while timing.
    pub bg_cpu_frac: Option<f64>,
}

impl Outcome {
    pub fn median_repeat_s(&self) -> f64 {
        median(&self.repeat_s)
    }

    pub fn median_step_us(&self) -> f64 {
        self.median_repeat_s() / self.steps_per_repeat as f64 * 1e6
    }

    pub fn samples_per_sec(&self) -> f64 {
        self.samples_per_repeat as f64 / self.median_repeat_s()
    }
}

/// The median as Python's `statistics.median` (mean of the middle two for even counts).
pub fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    let n = s.len();
    if n % 2 == 1 {
        s[n / 2]
    } else {
        0.5 * (s[n / 2 - 1] + s[n / 2])
    }
}

/// Runs `s` with `repeats` timed repeats (the workload's default when `None`).
pub fn run(s: &Spec, repeats: Option<usize>, threads: usize) -> Outcome {
    if s.f64 {
        run_typed::<f64>(s, repeats, threads)
    } else {
        run_typed::<f32>(s, repeats, threads)
    }
}

/// The network, its optimiser and optimiser state.
#[derive(Clone)]
pub(super) struct Model<F: Float> {
    net: Sequential<F>,
    states: Vec<OptState<F>>,
    opt: Optimizer,
}

impl<F: Float> Model<F> {
    pub(super) fn new(s: &Spec, init: &[(Vec<F>, Vec<F>)]) -> Self {
        let loss = match s.task {
            Task::Classify => Loss::CategoricalCrossEntropy,
            _ => Loss::Mse,
        };
        let mut net = Mlp::ffnn(s.layers, s.hidden, s.output, loss, 0)
            .expect("the workload networks are valid");
        for (i, p) in net.params_mut().iter_mut().enumerate() {
            let (w, b) = &init[i / 2];
            p.data_mut().copy_from_slice(if i % 2 == 0 { w } else { b });
        }
        let opt = match s.opt {
            Opt::Adam(lr) => Optimizer::adam(lr),
            Opt::Sgd(lr) => Optimizer::sgd(lr),
        };
        let states = net.params().iter().map(|p| opt.init(p.numel())).collect();
        Model { net, states, opt }
    }

    /// Reads the summed gradients in place from the shards' tapes and steps every parameter.
    fn update(&mut self, par: &DataParallel<F>) {
        let lr = self.opt.lr();
        for (i, (p, st)) in self
            .net
            .params_mut()
            .iter_mut()
            .zip(&mut self.states)
            .enumerate()
        {
            let g = par.grad(i);
            self.opt.update(lr, &g, st, p.data_mut());
        }
    }

    fn params(&self) -> Vec<(Vec<F>, Vec<F>)> {
        self.net
            .params()
            .chunks_exact(2)
            .map(|wb| (wb[0].data().to_vec(), wb[1].data().to_vec()))
            .collect()
    }
}

/// Inputs of the step workloads that do not depend on the parameters, made once.
struct Fixed<F: Float> {
    /// deqn: [k z] (n × 2), y = e^z k^α, z', e^{z'}; pinn: x, f, boundary points.
    a: Tensor<F>,
    b: Tensor<F>,
    c: Tensor<F>,
    d: Tensor<F>,
}

fn column<F: Float>(v: &[F]) -> Tensor<F> {
    Tensor::from_slice(v, [v.len(), 1])
}

fn fixed<F: Float>(data: &Data<F>) -> Option<Fixed<F>> {
    match data {
        Data::Deqn { k, z, eps } => {
            let n = k.len();
            let kz: Vec<F> = k.iter().zip(z).flat_map(|(&a, &b)| [a, b]).collect();
            // Computed in the workload dtype, as the peers compute them inside their step.
            let alpha = F::of(spec::ALPHA);
            let y: Vec<F> = (0..n).map(|i| z[i].exp() * k[i].powf(alpha)).collect();
            let zp: Vec<F> = (0..n)
                .map(|i| F::of(spec::RHO) * z[i] + F::of(spec::SIGMA) * eps[i])
                .collect();
            let ezp: Vec<F> = zp.iter().map(|v| v.exp()).collect();
            Some(Fixed {
                a: Tensor::from_vec(kz, [n, 2]),
                b: column(&y),
                c: column(&zp),
                d: column(&ezp),
            })
        }
        Data::Pinn { x, f, xb } => Some(Fixed {
            a: column(x),
            b: column(f),
            c: column(xb),
            d: Tensor::zeros([1]),
        }),
        _ => None,
    }
}

/// One optimiser step on the rows `idx` of an epoch workload's training set.
pub(super) fn batch_step<F: Float>(
    m: &mut Model<F>,
    par: &mut DataParallel<F>,
    data: &Data<F>,
    idx: &[usize],
) {
    let b = idx.len();
    let net = &m.net;
    par.step(net, b, |tape, on, rows| {
        let idx = &idx[rows.clone()];
        let n = idx.len();
        let (xv, yv) = match data {
            Data::Classify {
                x,
                labels,
                features,
                ..
            } => {
                let d = *features;
                let c = net.outputs();
                let xv = tape.constant_with([n, d], |buf| gather_rows(buf, x, d, idx));
                let yv = tape.constant_with([n, c], |buf| {
                    buf.fill(F::zero());
                    for (row, &i) in buf.chunks_exact_mut(c).zip(idx) {
                        row[labels[i]] = F::one();
                    }
                });
                (xv, yv)
            }
            Data::Regress { x, y } => {
                let xv = tape.constant_with([n, 2], |buf| {
                    for (row, &i) in buf.chunks_exact_mut(2).zip(idx) {
                        row.copy_from_slice(&x[2 * i..2 * i + 2]);
                    }
                });
                let yv = tape.constant_with([n, 1], |buf| {
                    for (v, &i) in buf.iter_mut().zip(idx) {
                        *v = y[i];
                    }
                });
                (xv, yv)
            }
            _ => unreachable!("only epoch workloads have mini-batches"),
        };
        DataParallel::shared(net.objective(tape, on, xv, yv, &mut Mode::Eval), &rows, b)
    });
    m.update(par);
}

/// One optimiser step of a step workload (deqn or pinn) on its fixed batch, in row shards.
fn fixed_step<F: Float>(m: &mut Model<F>, par: &mut DataParallel<F>, task: Task, fx: &Fixed<F>) {
    let net = &m.net;
    let rows = fx.a.shape().dim(0);
    par.step(net, rows, |tape, on, r| {
        match task {
            Task::Deqn => {
                let one = F::one();
                let sr = net.forward(
                    tape,
                    on,
                    tape.constant_rows(&fx.a, r.clone()),
                    &mut Mode::Eval,
                );
                let y = tape.constant_rows(&fx.b, r.clone());
                let c = (-sr + one) * y;
                let kp = sr * y;
                let zp = tape.constant_rows(&fx.c, r.clone());
                let yp = kp.pow(F::of(spec::ALPHA)) * tape.constant_rows(&fx.d, r.clone());
                let srp = net.forward(tape, on, kp.concat(zp, 1), &mut Mode::Eval);
                let cp = (-srp + one) * yp;
                let res = (c / cp) * (yp / kp) * F::of(spec::BETA * spec::ALPHA) - one;
                DataParallel::shared(res.square().mean(), &r, rows)
            }
            Task::Pinn => {
                let x = tape.constant_rows(&fx.a, r.clone());
                let u = net.forward(tape, on, x, &mut Mode::Eval);
                let u2 = tape.partial(tape.partial(u, x, 0), x, 0);
                let interior =
                    DataParallel::shared(u2.mse(tape.constant_rows(&fx.b, r.clone())), &r, rows);
                if r.start == 0 {
                    // The boundary term belongs to no collocation row: the first shard adds it.
                    let boundary = net
                        .forward(tape, on, tape.constant(&fx.c), &mut Mode::Eval)
                        .square()
                        .sum();
                    interior + boundary
                } else {
                    interior
                }
            }
            _ => unreachable!("only deqn and pinn are step workloads"),
        }
    });
    m.update(par);
}

fn run_typed<F: Float>(s: &Spec, repeats: Option<usize>, threads: usize) -> Outcome {
    let data = data::load::<F>(s);
    let init = data::init_params::<F>(s.layers);
    let fx = fixed(&data);
    let n = data.n_train();
    let repeats = repeats.unwrap_or(s.repeats()).max(1);
    let mut par = DataParallel::new(threads);

    // Warm-up on a copy; the timed run starts from `init` with fresh optimiser state.
    let t0 = Instant::now();
    {
        let mut warm = Model::new(s, &init);
        match (&fx, s.kind) {
            (Some(fx), _) => {
                for _ in 0..s.warmup_steps {
                    fixed_step(&mut warm, &mut par, s.task, fx);
                }
            }
            (None, _) => {
                for idx in data::warmup_index_sets(n, s.batch, s.warmup_steps) {
                    batch_step(&mut warm, &mut par, &data, &idx);
                }
            }
        }
    }
    let warmup_s = t0.elapsed().as_secs_f64();

    let mut model = Model::new(s, &init);
    let mut shuffle = Pcg64::default_rng(spec::SEED_SHUFFLE);
    let mut perm: Vec<usize> = Vec::with_capacity(n);
    let (steps_per_repeat, samples_per_repeat) = match s.kind {
        Kind::Epoch { .. } => (n.div_ceil(s.batch), n),
        Kind::Steps {
            steps_per_repeat, ..
        } => (steps_per_repeat, steps_per_repeat * s.batch),
    };
    let mut repeat_s = Vec::with_capacity(repeats);
    let load = super::load::CpuLoad::start();
    for _ in 0..repeats {
        let t = Instant::now();
        match &fx {
            Some(fx) => {
                for _ in 0..steps_per_repeat {
                    fixed_step(&mut model, &mut par, s.task, fx);
                }
            }
            None => {
                // rng.permutation(n): a fresh arange shuffled by the persistent stream.
                perm.clear();
                perm.extend(0..n);
                numpy_rng::permute_in_place(&mut shuffle, &mut perm);
                for idx in perm.chunks(s.batch) {
                    batch_step(&mut model, &mut par, &data, idx);
                }
            }
        }
        repeat_s.push(t.elapsed().as_secs_f64());
    }
    let bg_cpu_frac = load.background_fraction();

    let p = metrics::to_f64(&model.params());
    let (final_loss, test_accuracy) = metrics::final_metrics(s, &data, &p);
    Outcome {
        repeat_s,
        steps_per_repeat,
        samples_per_repeat,
        warmup_s,
        final_loss,
        test_accuracy,
        bg_cpu_frac,
    }
}
