//! Micro-benchmarks of the kernels a training step of the peer workloads
//! (../shared/bench/peers/WORKLOADS.md) is made of, one criterion group per kind:
//! - `gemm`: the matrix products of digits-mlp, tiny-mlp, deqn-step, pinn-step and wide-mlp,
//!   forward (h W) and the two backward products (g Wᵀ, hᵀ g), f32;
//! - `dense`: one dense layer with its activation on the tape, h W + b then tanh / ReLU /
//!   σ, forward alone and forward + backward (the bias add and the activation run as one
//!   pass over memory each way);
//! - `adam`: the optimiser update over each network's parameter count;
//! - `input-derivatives`: the pinn net's u' and u'' by forward sweeps on the tape, alone and
//!   with the backward pass through them.
//!
//! Run: cargo bench -p gradus --bench kernels (a filter selects a group: `-- gemm`).
//! Timings are for reading, never asserted; CI only builds this file.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};
use gradus::nn::{Activation, Loss, Mlp, Mode};
use gradus::optim::Optimizer;
use gradus::{Tape, Tensor};

/// (m, k, n) of the forward products h (m x k) @ W (k x n) of each workload's layers.
const GEMM_SHAPES: &[(&str, usize, usize, usize)] = &[
    ("digits l1", 32, 64, 100),
    ("digits l2", 32, 100, 30),
    ("digits l3", 32, 30, 10),
    ("tiny l1", 16, 2, 64),
    ("tiny l2", 16, 64, 64),
    ("deqn l1", 256, 2, 64),
    ("deqn l2", 256, 64, 64),
    ("pinn l1", 512, 1, 32),
    ("pinn l2", 512, 32, 32),
    ("wide l1", 256, 784, 512),
    ("wide l2", 256, 512, 512),
];

fn uniform(shape: [usize; 2], seed: u64) -> Tensor<f32> {
    let mut r = gradus::rng::seeded(seed);
    Tensor::uniform(shape, -1.0, 1.0, &mut r)
}

fn bench_gemm(c: &mut Criterion) {
    let mut group = c.benchmark_group("gemm");
    for &(name, m, k, n) in GEMM_SHAPES {
        let h = uniform([m, k], 1);
        let w = uniform([k, n], 2);
        let g = uniform([m, n], 3);
        group.bench_function(
            BenchmarkId::new("h W", format!("{name} {m}x{k}x{n}")),
            |b| b.iter(|| black_box(h.matmul(&w))),
        );
        group.bench_function(
            BenchmarkId::new("g Wᵀ", format!("{name} {m}x{n}x{k}")),
            |b| b.iter(|| black_box(g.matmul_t(&w, false, true))),
        );
        group.bench_function(
            BenchmarkId::new("hᵀ g", format!("{name} {k}x{m}x{n}")),
            |b| b.iter(|| black_box(h.matmul_t(&g, true, false))),
        );
    }
    group.finish();
}

/// One dense layer with activation on a reused tape: forward, or forward + backward of
/// the sum of its outputs (which reaches W, b and h).
fn dense_step(
    tape: &mut Tape<f32>,
    h: &Tensor<f32>,
    w: &Tensor<f32>,
    bias: &Tensor<f32>,
    act: Activation,
    backward: bool,
) -> f32 {
    tape.clear();
    let (hv, wv, bv) = (tape.var(h), tape.var(w), tape.var(bias));
    let y = act.apply(hv.matmul(wv) + bv);
    if backward {
        let s = y.sum();
        tape.backward(s);
        s.item()
    } else {
        tape.value_ref(y)[0]
    }
}

fn bench_dense(c: &mut Criterion) {
    let mut group = c.benchmark_group("dense");
    let layers = [
        ("pinn 512x32x32 tanh", 512, 32, 32, Activation::Tanh),
        ("deqn 256x64x64 tanh", 256, 64, 64, Activation::Tanh),
        ("deqn 256x64x1 sigmoid", 256, 64, 1, Activation::Sigmoid),
        ("digits 32x64x100 relu", 32, 64, 100, Activation::Relu),
        ("tiny 16x64x64 tanh", 16, 64, 64, Activation::Tanh),
    ];
    for (name, m, k, n, act) in layers {
        let h = uniform([m, k], 4);
        let w = uniform([k, n], 5);
        let bias = Tensor::from_vec(uniform([1, n], 6).data().to_vec(), [n]);
        let mut tape = Tape::new();
        for backward in [false, true] {
            let what = if backward {
                "forward+backward"
            } else {
                "forward"
            };
            group.bench_function(BenchmarkId::new(what, name), |b| {
                b.iter(|| dense_step(&mut tape, &h, &w, &bias, act, backward))
            });
        }
    }
    group.finish();
}

fn bench_adam(c: &mut Criterion) {
    let mut group = c.benchmark_group("adam");
    // Parameter counts of digits-mlp, tiny-mlp, pinn-step and wide-mlp.
    for (name, n) in [
        ("digits", 64 * 100 + 100 + 100 * 30 + 30 + 30 * 10 + 10),
        ("tiny", 2 * 64 + 64 + 64 * 64 + 64 + 64 + 1),
        ("pinn", 32 + 32 + 32 * 32 + 32 + 32 + 1),
        ("wide", 784 * 512 + 512 + 512 * 512 + 512 + 512 * 10 + 10),
    ] {
        let opt = Optimizer::adam(1e-3);
        let grad = uniform([1, n], 7);
        for (label, f64s) in [("f32", false), ("f64", true)] {
            let id = BenchmarkId::new(label, format!("{name} ({n} parameters)"));
            if f64s {
                let g: Vec<f64> = grad.data().iter().map(|&v| v as f64).collect();
                let mut p = vec![0.5f64; n];
                let mut st = opt.init::<f64>(n);
                group.bench_function(id, |b| {
                    b.iter(|| opt.update(opt.lr(), black_box(&g), &mut st, &mut p))
                });
            } else {
                let mut p = vec![0.5f32; n];
                let mut st = opt.init::<f32>(n);
                group.bench_function(id, |b| {
                    b.iter(|| opt.update(opt.lr(), black_box(grad.data()), &mut st, &mut p))
                });
            }
        }
    }
    group.finish();
}

/// The pinn-step net (1-32-32-1 tanh) on 512 points: u, then u' and u'' by forward sweeps,
/// optionally followed by the backward pass of mean(u''²) to the parameters.
fn bench_input_derivatives(c: &mut Criterion) {
    let mut group = c.benchmark_group("input-derivatives");
    let n = 512;
    let xs: Vec<f32> = (0..n)
        .map(|i| -1.0 + 2.0 * i as f32 / (n - 1) as f32)
        .collect();
    let x = Tensor::from_vec(xs, [n, 1]);
    let net = Mlp::<f32>::ffnn(
        &[1, 32, 32, 1],
        Activation::Tanh,
        Activation::Identity,
        Loss::Mse,
        42,
    )
    .unwrap();
    let mut tape = Tape::new();
    for (what, order, backward) in [
        ("u", 0, false),
        ("u'", 1, false),
        ("u''", 2, false),
        ("u'' + backward", 2, true),
    ] {
        group.bench_function(what, |b| {
            b.iter(|| {
                tape.clear();
                let on = net.record_params(&tape);
                let xv = tape.constant(&x);
                let mut d = net.forward(&tape, on, xv, &mut Mode::Eval);
                for _ in 0..order {
                    d = tape.partial(d, xv, 0);
                }
                if backward {
                    let loss = d.square().mean();
                    tape.backward(loss);
                    loss.item()
                } else {
                    tape.value_ref(d)[0]
                }
            })
        });
    }
    group.finish();
}

criterion_group!(
    kernels,
    bench_gemm,
    bench_dense,
    bench_adam,
    bench_input_derivatives
);
criterion_main!(kernels);
