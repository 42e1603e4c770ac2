//! Accuracy of a trained policy: Euler-equation (residual) errors along a long simulated
//! path and over the model's box, in absolute and log10 form, and the policy against a
//! closed form or a reference solution where one exists.

use serde::Serialize;

use super::model::Model;
use super::simulate::{residuals, step};
use super::train::box_states;
use super::Policy;
use crate::autodiff::Tape;
use crate::rng;
use crate::tensor::Tensor;

/// Summary of |error| over many points. `log10` holds log10 of each field.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ErrorStats {
    pub mean: f64,
    pub max: f64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub p99_9: f64,
}

impl ErrorStats {
    /// Statistics of the absolute values (percentiles by the nearest-rank rule).
    pub fn of(values: &[f64]) -> Self {
        let mut a: Vec<f64> = values.iter().map(|v| v.abs()).collect();
        a.sort_by(|x, y| x.total_cmp(y));
        let n = a.len().max(1);
        let pct = |p: f64| {
            a.get(((p * n as f64).ceil() as usize).clamp(1, n) - 1)
                .copied()
                .unwrap_or(f64::NAN)
        };
        ErrorStats {
            mean: a.iter().sum::<f64>() / n as f64,
            max: a.last().copied().unwrap_or(f64::NAN),
            p50: pct(0.5),
            p90: pct(0.9),
            p99: pct(0.99),
            p99_9: pct(0.999),
        }
    }

    pub fn log10(&self) -> Self {
        ErrorStats {
            mean: self.mean.log10(),
            max: self.max.log10(),
            p50: self.p50.log10(),
            p90: self.p90.log10(),
            p99: self.p99.log10(),
            p99_9: self.p99_9.log10(),
        }
    }
}

/// The errors of one equation (or one policy output against its reference).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NamedErrors {
    pub name: String,
    pub abs: ErrorStats,
    pub log10: ErrorStats,
    /// Mean of the squared error (the training loss's unit for residuals).
    pub mean_square: f64,
}

impl NamedErrors {
    fn of(name: String, values: &[f64]) -> Self {
        let abs = ErrorStats::of(values);
        NamedErrors {
            name,
            abs,
            log10: abs.log10(),
            mean_square: values.iter().map(|v| v * v).sum::<f64>() / values.len().max(1) as f64,
        }
    }
}

/// Where the accuracy is measured.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AccuracyConfig {
    /// Periods of the simulated path kept for the report (after burn-in).
    pub periods: usize,
    pub burn_in: usize,
    /// Points in the model's box (a grid for one state, uniform draws otherwise).
    pub box_points: usize,
    pub seed: u64,
}

impl Default for AccuracyConfig {
    fn default() -> Self {
        AccuracyConfig {
            periods: 10_000,
            burn_in: 500,
            box_points: 2_000,
            seed: 12_345,
        }
    }
}

/// Errors on one set of states.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Errors {
    /// One entry per equation.
    pub residuals: Vec<NamedErrors>,
    /// Relative error of each policy output against the reference, if there is one.
    pub policy: Option<Vec<NamedErrors>>,
    /// Mean of each policy output and of the model's report quantities.
    pub means: Vec<(String, f64)>,
}

/// The accuracy report of a trained policy.
#[derive(Clone, Debug, PartialEq)]
pub struct Accuracy {
    /// The simulated path (periods × states), its policy and residuals.
    pub path_states: Tensor<f64>,
    pub path_policy: Tensor<f64>,
    pub path_residuals: Tensor<f64>,
    pub path: Errors,
    /// Box states, their policy and residuals.
    pub box_states: Tensor<f64>,
    pub box_policy: Tensor<f64>,
    pub box_: Errors,
}

/// A reference policy at a state (closed form or a grid solution), if known there.
pub type Reference<'a> = &'a dyn Fn(&[f64]) -> Option<Vec<f64>>;

/// Simulates `periods` periods from the model's start (after `burn_in`) with the policy.
pub fn simulate_path(
    model: &dyn Model,
    policy: &Policy,
    periods: usize,
    burn_in: usize,
    seed: u64,
) -> Tensor<f64> {
    let mut r = rng::seeded(seed);
    let start = model.start();
    let d = start.len();
    let mut s = Tensor::from_vec(start, [1, d]);
    let mut tape = Tape::new();
    let mut out = Vec::with_capacity(periods * d);
    for t in 0..burn_in + periods {
        if t >= burn_in {
            out.extend_from_slice(s.data());
        }
        s = step(model, policy, &mut tape, &s, &mut r).1;
    }
    Tensor::from_vec(out, [periods, d])
}

/// The report: a path of `cfg.periods` and `cfg.box_points` box states. `reference`
/// defaults to the model's closed form.
pub fn accuracy(
    model: &dyn Model,
    policy: &Policy,
    cfg: &AccuracyConfig,
    reference: Option<Reference<'_>>,
) -> Accuracy {
    let closed = |s: &[f64]| model.closed_form(s);
    let reference: Reference<'_> = reference.unwrap_or(&closed);
    let path_states = simulate_path(model, policy, cfg.periods, cfg.burn_in, cfg.seed);
    let box_states = box_grid(model, cfg.box_points, cfg.seed);
    let (path_policy, path_residuals, path) = errors_at(model, policy, &path_states, reference);
    let (box_policy, _, box_) = errors_at(model, policy, &box_states, reference);
    Accuracy {
        path_states,
        path_policy,
        path_residuals,
        path,
        box_states,
        box_policy,
        box_,
    }
}

fn box_grid(model: &dyn Model, n: usize, seed: u64) -> Tensor<f64> {
    let b = model.bounds();
    if b.len() == 1 {
        let (lo, hi) = b[0];
        let v: Vec<f64> = (0..n)
            .map(|i| lo + (hi - lo) * i as f64 / (n.max(2) - 1) as f64)
            .collect();
        return Tensor::from_vec(v, [n, 1]);
    }
    box_states(model, n, &mut rng::seeded(seed ^ 0xB0B))
}

/// Policy, residuals and error summaries at the given states.
pub fn errors_at(
    model: &dyn Model,
    policy: &Policy,
    states: &Tensor<f64>,
    reference: Reference<'_>,
) -> (Tensor<f64>, Tensor<f64>, Errors) {
    let p = policy.predict(model, states);
    let r = residuals(model, policy, states);
    let (n, d) = states.shape().as_matrix();
    let np = p.shape().as_matrix().1;
    let eqs = model.equations();
    let residual_errors = eqs
        .iter()
        .enumerate()
        .map(|(j, name)| {
            let col: Vec<f64> = (0..n).map(|i| r.at(i, j)).collect();
            NamedErrors::of(name.clone(), &col)
        })
        .collect();
    let names = model.policies();
    let mut rel: Vec<Vec<f64>> = vec![Vec::with_capacity(n); np];
    let mut known = true;
    let mut sums: Vec<(String, f64)> = names.iter().map(|(n, _)| (n.clone(), 0.0)).collect();
    for i in 0..n {
        let s = &states.data()[i * d..(i + 1) * d];
        let pi = &p.data()[i * np..(i + 1) * np];
        for (j, v) in pi.iter().enumerate() {
            sums[j].1 += v;
        }
        let extra = model.report(s, pi);
        if i == 0 {
            sums.extend(extra.iter().map(|(n, _)| (n.clone(), 0.0)));
        }
        for (k, (_, v)) in extra.iter().enumerate() {
            sums[np + k].1 += v;
        }
        match reference(s) {
            Some(exact) if known => {
                for j in 0..np {
                    rel[j].push((pi[j] - exact[j]) / exact[j]);
                }
            }
            _ => known = false,
        }
    }
    let means = sums
        .into_iter()
        .map(|(k, v)| (k, v / n.max(1) as f64))
        .collect();
    let policy_errors = known.then(|| {
        names
            .iter()
            .zip(&rel)
            .map(|((name, _), e)| NamedErrors::of(name.clone(), e))
            .collect()
    });
    (
        p,
        r,
        Errors {
            residuals: residual_errors,
            policy: policy_errors,
            means,
        },
    )
}
