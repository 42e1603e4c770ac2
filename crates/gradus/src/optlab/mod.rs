//! The optimisation lab: every method of the course run on a [`TestFunction`] with its path
//! recorded, for plots of how optimisers move and for side-by-side comparisons.
//!
//! Nothing here re-implements an update rule: momentum, Nesterov, AdaGrad, RMSprop and Adam
//! are [`crate::optim::Optimizer`] steps, Newton and L-BFGS are [`crate::optim::newton`] and
//! [`crate::optim::lbfgs`] (their paths are read off the objective calls: a step is accepted
//! exactly when f decreases, so the iterates are the evaluations that set a new best), and
//! CMA-ES and the GA are [`crate::evo`]. What this module adds is plain gradient descent with
//! its three step rules — the course's starting point — and uniform bookkeeping ([`Trace`]).
//!
//! ```
//! use gradus::optlab::{run, LabParams, Method};
//! use gradus::testfn::TestFunction;
//! // The course's example: GD on x³ − 2x² + 2 from x = 2, step 0.1.
//! let f = TestFunction::by_name("cubic", 1).unwrap();
//! let params = LabParams { step_tol: 1e-4, ..LabParams::default() };
//! let t = run(&f, &Method::Gd { step: 0.1 }, &[2.0], &params).unwrap();
//! assert_eq!(t.iterations, 16);
//! assert!((t.x[0] - 1.33343).abs() < 5e-6);
//! ```

mod gradient;
mod method;
mod plots;
mod search;

pub use method::Method;
pub use plots::{save_convergence_plot, save_path_plot};

use crate::testfn::TestFunction;

/// Stopping rules shared by all methods (each method uses those that apply to it).
#[derive(Clone, Debug, PartialEq)]
pub struct LabParams {
    /// Maximum iterations (generations for CMA-ES and the GA).
    pub max_iter: usize,
    /// First-order methods stop after a step shorter than this (‖Δx‖₂).
    pub step_tol: f64,
    /// Gradient methods stop when ‖∇f‖₂ ≤ this.
    pub grad_tol: f64,
    /// Evaluation budget of CMA-ES and the GA.
    pub max_evals: usize,
    /// Seed for the stochastic methods.
    pub seed: u64,
}

impl Default for LabParams {
    fn default() -> Self {
        LabParams {
            max_iter: 10_000,
            step_tol: 1e-12,
            grad_tol: 1e-8,
            max_evals: 100_000,
            seed: 0,
        }
    }
}

/// Why a lab run could not start.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum LabError {
    #[error("unknown method `{name}`; known: {}", Method::NAMES.join(", "))]
    UnknownMethod { name: String },
    #[error("start point has {got} coordinates but `{function}` has {expected}")]
    StartDimension {
        function: String,
        expected: usize,
        got: usize,
    },
    #[error("{method}: {reason}")]
    Setting { method: String, reason: String },
}

/// The record of one run: the iterates and what they cost.
#[derive(Clone, Debug, PartialEq)]
pub struct Trace {
    /// The method's name.
    pub method: String,
    /// The iterates, starting with the start point (CMA-ES: the distribution mean per
    /// generation; GA: the best individual per generation).
    pub points: Vec<Vec<f64>>,
    /// f at each point (CMA-ES and GA: the best value found by then, which is what their
    /// convergence is judged by).
    pub values: Vec<f64>,
    /// Objective evaluations used when each point was reached (a gradient or Hessian
    /// evaluation counts as one, as does each line-search trial).
    pub evals: Vec<usize>,
    /// The final (best) point and its value.
    pub x: Vec<f64>,
    pub f: f64,
    /// Accepted steps (generations for CMA-ES and the GA).
    pub iterations: usize,
    pub evaluations: usize,
    /// Why the run stopped.
    pub stop: String,
}

/// Runs `method` on `f` from `x0`.
pub fn run(
    f: &TestFunction,
    method: &Method,
    x0: &[f64],
    params: &LabParams,
) -> Result<Trace, LabError> {
    if x0.len() != f.dim() {
        return Err(LabError::StartDimension {
            function: f.name().to_string(),
            expected: f.dim(),
            got: x0.len(),
        });
    }
    method.validate()?;
    Ok(match method {
        Method::Gd { .. } | Method::GdDecay { .. } | Method::GdLineSearch | Method::Rule(_) => {
            gradient::run(f, method, x0, params)
        }
        Method::Newton | Method::DampedNewton | Method::Lbfgs => {
            search::second_order(f, method, x0, params)
        }
        Method::CmaEs { sigma0 } => search::cmaes(f, *sigma0, x0, params)?,
        Method::Ga { sigma } => search::ga(f, *sigma, x0, params)?,
    })
}
