//! Physics-informed neural networks: a network u(x) trained so that a differential
//! equation's residual vanishes at collocation points, its loss containing u's own
//! derivatives with respect to the inputs (forward mode on the tape) and trained with exact
//! parameter gradients.
//!
//! | file | what lives there |
//! |---|---|
//! | `domain.rs` | [`Domain`]: interval, rectangle, time × space |
//! | `sampling.rs` | [`Sampler`]: grid, uniform, Latin hypercube, Sobol collocation points |
//! | `problem.rs` | the [`Problem`] trait (residual, hard trial solution, penalty conditions, exact solution) |
//! | `jet.rs` | [`jet::known`]: a known function (sin, …) with its derivatives inside a trial solution |
//! | `problems/` | the shipped problems and [`problems::by_name`] |
//! | `network.rs` | [`Pinn`]: input scaling, network, trial solution, the loss |
//! | `solver.rs` | [`train`]: Adam then L-BFGS, progress bar, checkpoints and resume |
//! | `checkpoint.rs` | the checkpoint file (safetensors, written atomically) |
//! | `report.rs` | errors against the exact solution, residual statistics, plots |
//!
//! ```
//! use gradus::pinn::{problems, train, Constraint, PinnConfig};
//! // u'' = −1 on [0, 1], u(0) = u(1) = 0, solved with the conditions built in.
//! let problem = problems::by_name::<f64>("ode1").unwrap();
//! let config = PinnConfig { hidden: vec![8], points: 32, steps: 0, lbfgs_iters: 200, ..Default::default() };
//! let trained = train(problem.as_ref(), &config, None, false).unwrap();
//! let report = gradus::pinn::report::evaluate(problem.as_ref(), &trained.pinn, 201);
//! assert!(report.relative_l2.unwrap() < 1e-4, "{:?}", report.relative_l2);
//! ```

mod checkpoint;
mod domain;
pub mod jet;
mod network;
mod problem;
pub mod problems;
pub mod report;
mod sampling;
mod solver;
pub mod special;

use std::path::PathBuf;

pub use checkpoint::CHECKPOINT_FILE;
pub use domain::Domain;
pub use network::{Batch, LossParts, Pinn, Solved};
pub use problem::{Condition, Constraint, Problem, Surrogate};
pub use sampling::{sobol, Sampler};
pub use solver::{train, LossRecord, Phase, PinnConfig, Trained};

/// What can go wrong in a PINN run that the user can fix.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PinnError {
    #[error("unknown problem {name:?}; the problems are {}", problems::NAMES.join(", "))]
    UnknownProblem { name: String },
    #[error("setting {key}: {reason}")]
    InvalidConfig { key: String, reason: String },
    #[error("checkpoint {}: {reason}", path.display())]
    Checkpoint { path: PathBuf, reason: String },
    #[error("the loss became non-finite in the {phase} phase at step {step}; lower the learning rate or check the problem's scaling")]
    NonFinite { phase: &'static str, step: usize },
    #[error("{}: {reason}", path.display())]
    Output { path: PathBuf, reason: String },
}
