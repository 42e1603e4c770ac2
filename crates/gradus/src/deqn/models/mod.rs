//! The models gradus ships: each one file implementing [`Model`](crate::deqn::Model).

mod brock_mirman;
mod growth;
mod olg;

pub use brock_mirman::BrockMirman;
pub use growth::Growth;
pub use olg::{Olg, OlgSteadyState};
