//! Gradient-free optimisation: a genetic algorithm, CMA-ES (with IPOP restarts) and
//! neuro-evolution, which trains a network's weights with either.
//!
//! | file | what |
//! |---|---|
//! | `params.rs` | [`CmaParams`] (settings, stop tolerances, bounds) and [`CmaConstants`] (strategy constants with their formulas) |
//! | `cmaes.rs` | [`CmaEs`] ask/tell, [`StopReason`], [`cmaes_minimize`] |
//! | `ipop.rs` | [`ipop`] restarts with growing population |
//! | `eigen.rs` | [`symmetric_eigen`] (Jacobi) for C = B D² Bᵀ |
//! | `ga.rs` | [`ga_minimize`]: selection, random-cut crossover, mutation, elitism |
//! | `neuro.rs` | [`train_ga`], [`train_cmaes`] on a network's flat parameter vector |

mod cmaes;
mod eigen;
mod ga;
mod ipop;
mod neuro;
mod params;

pub use cmaes::{minimize as cmaes_minimize, CmaError, CmaEs, CmaResult, StopReason};
pub use eigen::symmetric_eigen;
pub use ga::{ga_minimize, GaError, GaParams, GaResult, Mutation, Selection};
pub use ipop::{ipop, IpopParams, IpopResult, RunSummary, Start};
pub use neuro::{flat_params, set_flat_params, train_cmaes, train_ga, NeuroReport};
pub use params::{Bounds, CmaConstants, CmaParams};
