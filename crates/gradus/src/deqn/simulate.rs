//! Moving a model forward with a policy, and its residuals as a tape program: the pieces
//! that training and the accuracy report share.

use rand::seq::SliceRandom;
use rand::Rng as _;
use rand_distr::StandardNormal;

use super::model::{Expectation, Model, Next};
use super::Policy;
use crate::autodiff::{Tape, Var};
use crate::nn::ParamsOnTape;
use crate::rng::Rng;
use crate::tensor::Tensor;

/// Width of the shock matrix given to `next_state` (a deterministic model gets one column
/// of zeros, so every model sees the same call).
pub fn shock_width(e: &Expectation) -> usize {
    e.shock_dim().max(1)
}

/// Standard deviations of a Gaussian rule's shocks, from its second moments (exact for
/// every rule in `quadrature.rs`, which all integrate degree 2).
fn gaussian_sigmas(e: &Expectation) -> Vec<f64> {
    match e {
        Expectation::Gaussian(q) => (0..q.dim())
            .map(|i| q.integrate(|x| x[i] * x[i]).sqrt())
            .collect(),
        _ => Vec::new(),
    }
}

/// Tomorrow's realised shocks for each row of `states`.
pub fn draw_shocks(e: &Expectation, states: &Tensor<f64>, rng: &mut Rng) -> Tensor<f64> {
    let rows = states.shape().as_matrix().0;
    let k = shock_width(e);
    let mut out = vec![0.0; rows * k];
    match e {
        Expectation::Deterministic => {}
        Expectation::Gaussian(_) => {
            let sig = gaussian_sigmas(e);
            for r in 0..rows {
                for (j, s) in sig.iter().enumerate() {
                    let z: f64 = rng.sample(StandardNormal);
                    out[r * k + j] = s * z;
                }
            }
        }
        Expectation::Markov { transition, column } => {
            for r in 0..rows {
                let row = &transition[markov_index(states.at(r, *column), transition.len())];
                let u: f64 = rng.random();
                let mut acc = 0.0;
                let mut pick = row.len() - 1;
                for (j, p) in row.iter().enumerate() {
                    acc += p;
                    if u < acc {
                        pick = j;
                        break;
                    }
                }
                out[r] = pick as f64;
            }
        }
    }
    Tensor::from_vec(out, [rows, k])
}

fn markov_index(v: f64, n: usize) -> usize {
    (v.round().max(0.0) as usize).min(n - 1)
}

/// The integration nodes for a batch: each node's shock matrix and per-row weights.
pub fn nodes(e: &Expectation, states: &Tensor<f64>) -> Vec<(Tensor<f64>, Tensor<f64>)> {
    let rows = states.shape().as_matrix().0;
    let k = shock_width(e);
    match e {
        Expectation::Deterministic => {
            vec![(Tensor::zeros([rows, k]), Tensor::ones([rows, 1]))]
        }
        Expectation::Gaussian(q) => q
            .nodes
            .iter()
            .zip(&q.weights)
            .map(|(x, &w)| {
                let shocks: Vec<f64> = (0..rows).flat_map(|_| x.iter().copied()).collect();
                (
                    Tensor::from_vec(shocks, [rows, k]),
                    Tensor::full([rows, 1], w),
                )
            })
            .collect(),
        Expectation::Markov { transition, column } => (0..transition.len())
            .map(|j| {
                let w: Vec<f64> = (0..rows)
                    .map(|r| transition[markov_index(states.at(r, *column), transition.len())][j])
                    .collect();
                (
                    Tensor::full([rows, 1], j as f64),
                    Tensor::from_vec(w, [rows, 1]),
                )
            })
            .collect(),
    }
}

/// Records today's policy, tomorrow's states at every node, the policy there (one batched
/// network call for all nodes) and the model's residuals. Returns (policy, residuals).
pub fn residual_graph<'t>(
    model: &dyn Model,
    policy: &Policy,
    tape: &'t Tape<f64>,
    on: ParamsOnTape,
    states: &Tensor<f64>,
    nodes: &[(Tensor<f64>, Tensor<f64>)],
) -> (Var<'t, f64>, Var<'t, f64>) {
    let rows = states.shape().as_matrix().0;
    let s = tape.constant(states);
    let p = policy.eval(model, tape, on, s);
    let mut all: Option<Var<'t, f64>> = None;
    for (shocks, _) in nodes {
        let n = model.next_state(s, p, tape.constant(shocks));
        all = Some(match all {
            Some(a) => a.concat(n, 0),
            None => n,
        });
    }
    let all = all.expect("at least one integration node");
    let p_all = policy.eval(model, tape, on, all);
    let next: Vec<Next<'t>> = nodes
        .iter()
        .enumerate()
        .map(|(q, (_, w))| Next {
            state: all.narrow(0, q * rows, rows),
            policy: p_all.narrow(0, q * rows, rows),
            weight: tape.constant(w),
        })
        .collect();
    (p, model.residuals(s, p, &next))
}

/// Residuals (rows × equations) at a batch of states, computed in chunks.
pub fn residuals(model: &dyn Model, policy: &Policy, states: &Tensor<f64>) -> Tensor<f64> {
    let rows = states.shape().as_matrix().0;
    let e = model.expectation();
    let mut parts = Vec::new();
    let chunk = 1000;
    let mut tape = Tape::new();
    for start in (0..rows).step_by(chunk) {
        let end = (start + chunk).min(rows);
        let part = states.slice_rows(start, end);
        tape.clear();
        let on = policy.net.record_params(&tape);
        let (_, r) = residual_graph(model, policy, &tape, on, &part, &nodes(&e, &part));
        parts.push(r.value());
    }
    let refs: Vec<&Tensor<f64>> = parts.iter().collect();
    Tensor::concat(&refs, 0)
}

/// One period for every row: today's policy and tomorrow's state under drawn shocks.
pub fn step(
    model: &dyn Model,
    policy: &Policy,
    tape: &mut Tape<f64>,
    states: &Tensor<f64>,
    rng: &mut Rng,
) -> (Tensor<f64>, Tensor<f64>) {
    let shocks = draw_shocks(&model.expectation(), states, rng);
    tape.clear();
    let on = policy.net.record_params(tape);
    let s = tape.constant(states);
    let p = policy.eval(model, tape, on, s);
    let n = model.next_state(s, p, tape.constant(&shocks));
    (p.value(), n.value())
}

/// `n` states drawn uniformly from the model's box, as a Latin hypercube.
pub fn draw_box(bounds: &[(f64, f64)], n: usize, rng: &mut Rng) -> Tensor<f64> {
    let d = bounds.len();
    let mut v = vec![0.0; n * d];
    // Latin hypercube: each coordinate takes one draw in each of n equal strata, the strata
    // shuffled independently per coordinate. Every draw is still uniform on the box, but a
    // batch covers each coordinate's range without gaps or clumps, so an episode's gradient
    // sees every part of the box (less noise than n independent draws).
    let mut strata: Vec<usize> = (0..n).collect();
    for (j, &(lo, hi)) in bounds.iter().enumerate() {
        strata.shuffle(rng);
        for (i, &s) in strata.iter().enumerate() {
            let u: f64 = rng.random();
            v[i * d + j] = lo + (hi - lo) * (s as f64 + u) / n as f64;
        }
    }
    Tensor::from_vec(v, [n, d])
}
