//! The problems shipped with gradus, by name.

mod black_scholes;
mod bvp;
mod heat;
mod poisson;

pub use black_scholes::BlackScholesCall;
pub use bvp::LinearBvp;
pub use heat::Heat1d;
pub use poisson::Poisson2d;

use super::problem::Problem;
use super::solver::PinnConfig;
use super::PinnError;
use crate::tensor::Float;

/// Command-line names of the shipped problems.
pub const NAMES: [&str; 6] = ["ode1", "ode2", "ode3", "poisson", "black-scholes", "heat"];

/// The problem called `name` (see [`NAMES`]).
pub fn by_name<F: Float>(name: &str) -> Result<Box<dyn Problem<F>>, PinnError> {
    Ok(match name {
        "ode1" => Box::new(LinearBvp::ode1()),
        "ode2" => Box::new(LinearBvp::ode2()),
        "ode3" => Box::new(LinearBvp::ode3()),
        "poisson" => Box::new(Poisson2d::default()),
        "black-scholes" => Box::new(BlackScholesCall::default()),
        "heat" => Box::new(Heat1d::default()),
        _ => return Err(PinnError::UnknownProblem { name: name.into() }),
    })
}

/// Settings that work well for each shipped problem (the accuracy table in docs/pinn.md
/// was measured with them); everything else is [`PinnConfig::default`].
pub fn recommended(name: &str) -> PinnConfig {
    let base = PinnConfig::default();
    match name {
        "ode1" | "ode2" | "ode3" => PinnConfig {
            hidden: vec![16, 16],
            points: 128,
            steps: 1000,
            lbfgs_iters: 3000,
            ..base
        },
        "poisson" => PinnConfig {
            hidden: vec![20, 20],
            points: 400,
            steps: 1000,
            lbfgs_iters: 4000,
            ..base
        },
        "heat" => PinnConfig {
            hidden: vec![20, 20],
            points: 1024,
            steps: 1000,
            lbfgs_iters: 3000,
            ..base
        },
        "black-scholes" => PinnConfig {
            hidden: vec![32, 32],
            points: 1024,
            steps: 1000,
            lbfgs_iters: 3000,
            ..base
        },
        _ => base,
    }
}
