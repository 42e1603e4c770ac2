//! # gradus
//!
//! Deep learning from first principles, as real software for scientists: tensors over
//! `f32`/`f64`, a tape-based automatic differentiation engine with reverse mode, forward
//! mode and derivatives with respect to inputs, and the optimisers that train on it.
//!
//! ```
//! use gradus::{Tape, Tensor};
//! // d/dx sqrt(x² + exp(x²)) at x = 0.5, by reverse mode
//! let tape = Tape::<f64>::new();
//! let x = tape.var_scalar(0.5);
//! let x2 = x.square();
//! let f = (x2 + x2.exp()).sqrt();
//! tape.backward(f);
//! let (xv, e) = (0.5f64, 0.25f64.exp());
//! let exact = (xv + xv * e) / (0.25 + e).sqrt();
//! assert!((x.grad().item() - exact).abs() < 1e-14);
//! ```

pub mod autodiff;
pub mod bench;
pub mod data;
pub mod deqn;
pub mod evo;
pub mod genz;
pub mod io;
pub mod nn;
pub mod optim;
pub mod optlab;
pub mod pinn;
pub mod plot;
pub mod pool;
pub mod report;
pub mod rng;
pub mod tensor;
pub mod testfn;
pub mod train;

pub use autodiff::{
    calculus, check_gradients, check_gradients_with, GradCheckParams, GradCheckReport, Tape, Var,
};
pub use tensor::{Float, Shape, Tensor};

/// The README's examples run as doctests, so the README stays true.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
