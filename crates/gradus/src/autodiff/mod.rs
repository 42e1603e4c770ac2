//! Automatic differentiation: a define-by-run tape with reverse mode (backward), forward
//! mode (jvp) and derivatives of derivatives (jvp of jvp, then backward).

pub mod calculus;
mod forward;
mod gradcheck;
mod jvp;
mod op;
mod ops;
pub mod selfcheck;
mod tape;
mod value;
mod vjp;

pub use gradcheck::{check_gradients, check_gradients_with, GradCheckParams, GradCheckReport};
pub use tape::{Tape, Var};
