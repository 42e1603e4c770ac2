//! Deep Equilibrium Nets (Azinovic, Gaegauf & Scheidegger, 2022): a network is the policy
//! function of a dynamic economic model, trained on the model's equilibrium conditions
//! (Euler equations, expectations by quadrature) at states visited by simulating the model
//! with the current policy.
//!
//! | file | what lives there |
//! |---|---|
//! | `model.rs` | the [`Model`] trait a new model implements, output [`Transform`]s, [`Expectation`] |
//! | `quadrature.rs` | Gauss–Hermite (1-D, tensor products) and monomial rules |
//! | `policy.rs` | [`Policy`]: network + output transforms |
//! | `loss.rs` | [`ResidualLoss`]: weighted mse / Huber / log-cosh of the residuals |
//! | `simulate.rs` | stepping the model, the residual tape program |
//! | `train.rs`, `checkpoint.rs` | the episode loop ([`Trainer`]), checkpoint and resume |
//! | `accuracy.rs` | Euler-error statistics, policy vs closed form / reference |
//! | `reference.rs` | grid reference solver (endogenous grid method) for growth models |
//! | `models/` | Brock–Mirman, the stochastic growth family, OLG |
//!
//! ```
//! use gradus::deqn::{models::BrockMirman, DeqnConfig, Sampling, Trainer};
//! let model = BrockMirman::default();
//! let config = DeqnConfig { episodes: 50, sampling: Sampling::Box, ..Default::default() };
//! let mut run = Trainer::new(&model, config).unwrap();
//! run.run(None, |_| {}).unwrap();
//! assert!(run.history.last().unwrap().loss < run.history[0].loss);
//! ```

mod accuracy;
mod checkpoint;
mod error;
mod loss;
mod model;
pub mod models;
mod policy;
mod quadrature;
pub mod reference;
mod simulate;
mod train;

pub use accuracy::{
    accuracy, errors_at, simulate_path, Accuracy, AccuracyConfig, ErrorStats, Errors, NamedErrors,
    Reference,
};
pub use error::DeqnError;
pub use loss::ResidualLoss;
pub use model::{col, columns, expect, Expectation, Model, Next, Transform};
pub use policy::Policy;
pub use quadrature::Quadrature;
pub use simulate::{nodes, residual_graph, residuals};
pub use train::{box_states, DeqnConfig, EpisodeRecord, Sampling, Trainer};
