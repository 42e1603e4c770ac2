//! The untimed final metrics, computed in float64 from the trained parameters exactly as
//! `common.final_metrics` does for every peer (so all rows of the table use one formula):
//! full-training-set loss (epoch workloads), the workload loss on its fixed batch (step
//! workloads), test accuracy on digits.

use super::data::Data;
use super::spec::{Spec, Task, ALPHA, BETA, RHO, SIGMA};
use crate::nn::Activation;
use crate::tensor::{matmul_into, Float, MatArg};

/// Parameters as float64 (W row-major fan_in × fan_out, b) pairs.
pub type Params64 = Vec<(Vec<f64>, Vec<f64>)>;

/// Casts trained parameters to float64, layer by layer.
pub fn to_f64<F: Float>(params: &[(Vec<F>, Vec<F>)]) -> Params64 {
    params
        .iter()
        .map(|(w, b)| {
            (
                w.iter().map(|v| v.as_f64()).collect(),
                b.iter().map(|v| v.as_f64()).collect(),
            )
        })
        .collect()
}

/// `common.np_forward`: rows of `x` (n × d) through the net; hidden `act` after every layer
/// but the last, then an optional sigmoid.
pub fn forward(p: &Params64, x: &[f64], n: usize, relu: bool, sigmoid_out: bool) -> Vec<f64> {
    let mut h = x.to_vec();
    for (l, (w, b)) in p.iter().enumerate() {
        let (fi, fo) = (w.len() / b.len(), b.len());
        // z = b + h·W: the bias in every row, then the product accumulated onto it (the
        // library's GEMM in float64; a scalar loop took ~15 s of wide-mlp's 60 000 rows).
        let mut z: Vec<f64> = b.iter().copied().cycle().take(n * fo).collect();
        let arg = |data, rows, cols| MatArg {
            data,
            rows,
            cols,
            transposed: false,
        };
        matmul_into(&mut z, true, arg(&h, n, fi), arg(w, fi, fo));
        if l + 1 < p.len() {
            for v in &mut z {
                *v = if relu { v.max(0.0) } else { v.tanh() };
            }
        }
        h = z;
    }
    if sigmoid_out {
        for v in &mut h {
            *v = 1.0 / (1.0 + (-*v).exp());
        }
    }
    h
}

/// (final_loss, test accuracy if the workload has a test set).
pub fn final_metrics<F: Float>(s: &Spec, data: &Data<F>, p: &Params64) -> (f64, Option<f64>) {
    let up = |v: &[F]| -> Vec<f64> { v.iter().map(|x| x.as_f64()).collect() };
    let relu = s.hidden == Activation::Relu;
    match (s.task, data) {
        (
            Task::Classify,
            Data::Classify {
                x,
                labels,
                x_test,
                labels_test,
                features,
            },
        ) => {
            let c = p.last().map_or(0, |l| l.1.len());
            let mut total = 0.0;
            for_blocks(x, *features, |first, rows| {
                let logits = forward(p, &up(rows), rows.len() / features, relu, false);
                for (row, &y) in logits.chunks_exact(c).zip(&labels[first..]) {
                    let m = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    let lse = m + row.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
                    total += lse - row[y];
                }
            });
            let loss = total / labels.len() as f64;
            let acc = (!labels_test.is_empty()).then(|| {
                let mut hits = 0;
                for_blocks(x_test, *features, |first, rows| {
                    let out = forward(p, &up(rows), rows.len() / features, relu, false);
                    hits += out
                        .chunks_exact(c)
                        .zip(&labels_test[first..])
                        .filter(|(row, &y)| argmax(row) == y)
                        .count();
                });
                hits as f64 / labels_test.len() as f64
            });
            (loss, acc)
        }
        (Task::Regress, Data::Regress { x, y }) => {
            let mut total = 0.0;
            for_blocks(x, 2, |first, rows| {
                let pred = forward(p, &up(rows), rows.len() / 2, relu, false);
                for (a, b) in pred.iter().zip(&y[first..]) {
                    total += (a - b.as_f64()).powi(2);
                }
            });
            (total / y.len() as f64, None)
        }
        (Task::Deqn, Data::Deqn { k, z, eps }) => (deqn_loss(p, &up(k), &up(z), &up(eps)), None),
        (Task::Pinn, Data::Pinn { x, f, xb }) => (pinn_loss(p, &up(x), &up(f), &up(xb)), None),
        _ => unreachable!("workload task and data always match"),
    }
}

/// Calls `f(first_row, rows)` on blocks of at most 1024 rows of the row-major `x`, so the
/// float64 copies stay small (wide-mlp's training set is 188 MB in float32).
fn for_blocks<F: Float>(x: &[F], cols: usize, mut f: impl FnMut(usize, &[F])) {
    const ROWS: usize = 1024;
    for (b, rows) in x.chunks(ROWS * cols).enumerate() {
        f(b * ROWS, rows);
    }
}

/// numpy's argmax: the first maximum.
fn argmax(row: &[f64]) -> usize {
    let mut best = 0;
    for (i, &v) in row.iter().enumerate() {
        if v > row[best] {
            best = i;
        }
    }
    best
}

/// `common.np_deqn_loss`.
pub fn deqn_loss(p: &Params64, k: &[f64], z: &[f64], eps: &[f64]) -> f64 {
    let n = k.len();
    let stack = |a: &[f64], b: &[f64]| -> Vec<f64> {
        a.iter().zip(b).flat_map(|(&u, &v)| [u, v]).collect()
    };
    let sr = forward(p, &stack(k, z), n, false, true);
    let y: Vec<f64> = (0..n).map(|i| z[i].exp() * k[i].powf(ALPHA)).collect();
    let kp: Vec<f64> = (0..n).map(|i| sr[i] * y[i]).collect();
    let zp: Vec<f64> = (0..n).map(|i| RHO * z[i] + SIGMA * eps[i]).collect();
    let yp: Vec<f64> = (0..n).map(|i| zp[i].exp() * kp[i].powf(ALPHA)).collect();
    let srp = forward(p, &stack(&kp, &zp), n, false, true);
    let mut total = 0.0;
    for i in 0..n {
        let c = (1.0 - sr[i]) * y[i];
        let cp = (1.0 - srp[i]) * yp[i];
        let r = BETA * ALPHA * (c / cp) * (yp[i] / kp[i]) - 1.0;
        total += r * r;
    }
    total / n as f64
}

/// `common.np_pinn_loss`: u'' by propagating (h, h', h'') through the tanh layers.
pub fn pinn_loss(p: &Params64, x: &[f64], f: &[f64], xb: &[f64]) -> f64 {
    let n = x.len();
    let mut h = x.to_vec();
    let mut h1 = vec![1.0; n];
    let mut h2 = vec![0.0; n];
    for (l, (w, b)) in p.iter().enumerate() {
        let (fi, fo) = (w.len() / b.len(), b.len());
        let mut z = vec![0.0; n * fo];
        let mut z1 = vec![0.0; n * fo];
        let mut z2 = vec![0.0; n * fo];
        for r in 0..n {
            for j in 0..fo {
                let (mut a, mut a1, mut a2) = (b[j], 0.0, 0.0);
                for k in 0..fi {
                    let wk = w[k * fo + j];
                    a += h[r * fi + k] * wk;
                    a1 += h1[r * fi + k] * wk;
                    a2 += h2[r * fi + k] * wk;
                }
                z[r * fo + j] = a;
                z1[r * fo + j] = a1;
                z2[r * fo + j] = a2;
            }
        }
        if l + 1 < p.len() {
            for i in 0..n * fo {
                let t = z[i].tanh();
                let s = 1.0 - t * t;
                let (d1, d2) = (z1[i], z2[i]);
                z[i] = t;
                z1[i] = s * d1;
                z2[i] = s * d2 - 2.0 * t * s * d1 * d1;
            }
        }
        (h, h1, h2) = (z, z1, z2);
    }
    let mse = h2.iter().zip(f).map(|(a, b)| (a - b).powi(2)).sum::<f64>() / n as f64;
    let ub = forward(p, xb, xb.len(), false, false);
    mse + ub.iter().map(|u| u * u).sum::<f64>()
}
