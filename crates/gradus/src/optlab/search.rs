//! The lab's wrappers around the second-order methods of [`crate::optim`] and the
//! gradient-free methods of [`crate::evo`]: they run the library's method and record a path.

use super::{LabError, LabParams, Method, Trace};
use crate::evo::{ga_minimize, CmaEs, CmaParams, GaParams, Mutation};
use crate::optim::{lbfgs, newton, LbfgsParams, MinimizeResult, NewtonParams};
use crate::testfn::TestFunction;

/// Records every evaluation; the iterates are those that set a new best value (Newton
/// accepts a step exactly when f decreases, L-BFGS when Armijo's condition, stricter, holds).
struct Recorder {
    points: Vec<Vec<f64>>,
    values: Vec<f64>,
    evals: Vec<usize>,
    count: usize,
}

impl Recorder {
    fn new() -> Self {
        Recorder {
            points: Vec::new(),
            values: Vec::new(),
            evals: Vec::new(),
            count: 0,
        }
    }

    fn see(&mut self, x: &[f64], fx: f64) {
        self.count += 1;
        let best = self.values.last().copied().unwrap_or(f64::INFINITY);
        if fx < best || self.points.is_empty() {
            self.points.push(x.to_vec());
            self.values.push(fx);
            self.evals.push(self.count);
        }
    }

    fn finish(self, method: &Method, r: MinimizeResult) -> Trace {
        Trace {
            method: method.name(),
            points: self.points,
            values: self.values,
            evals: self.evals,
            x: r.x,
            f: r.f,
            iterations: r.iterations,
            evaluations: r.evaluations,
            stop: r.reason.to_string(),
        }
    }
}

pub(super) fn second_order(f: &TestFunction, method: &Method, x0: &[f64], p: &LabParams) -> Trace {
    let mut rec = Recorder::new();
    let r = match method {
        Method::Newton | Method::DampedNewton => {
            let lambda0 = if *method == Method::Newton {
                0.0
            } else {
                NewtonParams::default().lambda0
            };
            let params = NewtonParams {
                max_iter: p.max_iter,
                grad_tol: p.grad_tol,
                lambda0,
                ..NewtonParams::default()
            };
            newton(
                |x| {
                    let out = f.value_grad_hessian(x);
                    rec.see(x, out.0);
                    out
                },
                x0,
                &params,
            )
        }
        _ => {
            let params = LbfgsParams {
                max_iter: p.max_iter,
                grad_tol: p.grad_tol,
                ..LbfgsParams::default()
            };
            lbfgs(
                |x| {
                    let out = f.value_grad(x);
                    rec.see(x, out.0);
                    out
                },
                x0,
                &params,
            )
        }
    };
    rec.finish(method, r)
}

fn setting(method: &str, e: impl std::fmt::Display) -> LabError {
    LabError::Setting {
        method: method.into(),
        reason: e.to_string(),
    }
}

/// CMA-ES by ask/tell, recording the mean of each generation; stops by its own criteria,
/// at f − f* < 10⁻¹² when f* is known, or at the budget.
pub(super) fn cmaes(
    f: &TestFunction,
    sigma0: f64,
    x0: &[f64],
    p: &LabParams,
) -> Result<Trace, LabError> {
    let params = CmaParams {
        max_evals: p.max_evals,
        f_target: f.f_min().map(|m| m + 1e-12),
        ..CmaParams::default()
    };
    let mut es = CmaEs::new(x0, sigma0, params, p.seed).map_err(|e| setting("cmaes", e))?;
    let mut trace = Trace {
        method: "cmaes".into(),
        points: vec![x0.to_vec()],
        values: vec![f.value(x0)],
        evals: vec![1],
        x: x0.to_vec(),
        f: f64::INFINITY,
        iterations: 0,
        evaluations: 0,
        stop: String::new(),
    };
    let stop = loop {
        let stop = es.stop();
        if !stop.is_empty() || es.generation() >= p.max_iter {
            break stop;
        }
        let xs = es.ask();
        let fs: Vec<f64> = xs.iter().map(|x| f.value(x)).collect();
        es.tell(&xs, &fs).map_err(|e| setting("cmaes", e))?;
        trace.points.push(es.mean().to_vec());
        trace.values.push(es.best_f().min(trace.values[0]));
        trace.evals.push(es.evaluations());
    };
    trace.x = es.best_x().to_vec();
    trace.f = es.best_f();
    trace.iterations = es.generation();
    trace.evaluations = es.evaluations();
    trace.stop = if stop.is_empty() {
        "maximum number of iterations reached".into()
    } else {
        stop.iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    Ok(trace)
}

/// The GA, its first population drawn uniformly within ±5σ of the start (so that the run
/// starts where the others do), recording the best individual of each generation.
pub(super) fn ga(
    f: &TestFunction,
    sigma: f64,
    x0: &[f64],
    p: &LabParams,
) -> Result<Trace, LabError> {
    let params = GaParams {
        generations: p.max_iter.min(p.max_evals / 60),
        mutation: Mutation::Gaussian { sigma },
        init: (-5.0 * sigma, 5.0 * sigma),
        f_target: f.f_min().map(|m| m + 1e-12),
        ..GaParams::default()
    };
    let r = ga_minimize(
        |d| {
            let x: Vec<f64> = x0.iter().zip(d).map(|(a, b)| a + b).collect();
            f.value(&x)
        },
        x0.len(),
        &params,
        p.seed,
    )
    .map_err(|e| setting("ga", e))?;
    let shift = |d: &[f64]| -> Vec<f64> { x0.iter().zip(d).map(|(a, b)| a + b).collect() };
    // The path starts at x0, like every other method's, then follows the best individual.
    let f0 = f.value(x0);
    Ok(Trace {
        method: "ga".into(),
        points: std::iter::once(x0.to_vec())
            .chain(r.path.iter().map(|d| shift(d)))
            .collect(),
        values: std::iter::once(f0)
            .chain(r.progress.iter().map(|&(_, v)| v.min(f0)))
            .collect(),
        evals: std::iter::once(1)
            .chain(r.progress.iter().map(|&(e, _)| e))
            .collect(),
        x: shift(&r.x),
        f: r.f,
        iterations: r.generations,
        evaluations: r.evaluations,
        stop: if r.reached_target {
            "reached f*".into()
        } else {
            "maximum number of generations reached".into()
        },
    })
}
