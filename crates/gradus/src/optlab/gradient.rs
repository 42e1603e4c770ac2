//! First-order methods on a test function: gradient descent with a fixed, decaying or
//! line-searched step, and the network optimisers through [`Optimizer::update`].

use super::{LabParams, Method, Trace};
use crate::optim::Optimizer;
use crate::testfn::TestFunction;

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|a| a * a).sum::<f64>().sqrt()
}

/// Armijo's sufficient-decrease constant for the line search.
const C1: f64 = 1e-4;
/// Iterates beyond this norm count as divergence (the step was too large).
const DIVERGED: f64 = 1e100;

pub(super) fn run(f: &TestFunction, method: &Method, x0: &[f64], p: &LabParams) -> Trace {
    let mut x = x0.to_vec();
    let (mut fx, mut g) = f.value_grad(&x);
    let mut evaluations = 1;
    let mut trace = Trace {
        method: method.name(),
        points: vec![x.clone()],
        values: vec![fx],
        evals: vec![1],
        x: x.clone(),
        f: fx,
        iterations: 0,
        evaluations: 0,
        stop: String::new(),
    };
    // The network optimisers keep their state apart from x (optax style); plain GD is the
    // Sgd rule with a step that this loop chooses.
    let rule = match method {
        Method::Rule(o) => o.clone(),
        _ => Optimizer::sgd(0.0),
    };
    let mut state = rule.init::<f64>(x.len());
    let mut alpha: f64 = 1.0;
    let mut previous = x.clone();
    let stop = loop {
        if !fx.is_finite() || norm(&x) > DIVERGED {
            break "diverged (f or x not finite): the step is too large".to_string();
        }
        if norm(&g) <= p.grad_tol {
            break "gradient norm below tolerance".to_string();
        }
        if trace.iterations >= p.max_iter {
            break "maximum number of iterations reached".to_string();
        }
        previous.copy_from_slice(&x);
        let t = trace.iterations as f64;
        match *method {
            Method::Gd { step } => rule.update(step, &g, &mut state, &mut x),
            Method::GdDecay { eta0, decay } => {
                rule.update(eta0 / (1.0 + decay * t), &g, &mut state, &mut x)
            }
            Method::GdLineSearch => {
                // Backtracking from twice the last accepted step, halving until Armijo's
                // condition f(x − αg) ≤ f(x) − c₁ α ‖g‖² holds.
                let g2 = g.iter().map(|v| v * v).sum::<f64>();
                alpha = (2.0 * alpha).min(1e10);
                let mut accepted = false;
                for _ in 0..60 {
                    let trial: Vec<f64> = x.iter().zip(&g).map(|(a, b)| a - alpha * b).collect();
                    let ft = f.value(&trial);
                    evaluations += 1;
                    if ft <= fx - C1 * alpha * g2 {
                        x = trial;
                        accepted = true;
                        break;
                    }
                    alpha *= 0.5;
                }
                if !accepted {
                    break "line search could not decrease f".to_string();
                }
            }
            Method::Rule(ref o) => o.update(o.lr(), &g, &mut state, &mut x),
            _ => unreachable!("gradient::run called with {}", method.name()),
        }
        (fx, g) = f.value_grad(&x);
        evaluations += 1;
        trace.iterations += 1;
        trace.points.push(x.clone());
        trace.values.push(fx);
        trace.evals.push(evaluations);
        let step: f64 = x
            .iter()
            .zip(&previous)
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f64>()
            .sqrt();
        if step < p.step_tol {
            break "step shorter than tolerance".to_string();
        }
    };
    trace.x = x;
    trace.f = fx;
    trace.evaluations = evaluations;
    trace.stop = stop;
    trace
}
