//! Optimisers. State is kept apart from the parameters: `init(param) → state`, then
//! `update(grad, &mut state, param)` each step, allocation-free once the state exists.

mod adam;
mod sgd;

pub use adam::{Adam, AdamState};
pub use sgd::Sgd;

use crate::tensor::Float;

/// A first-order update rule applied to one parameter tensor at a time.
pub trait Optimizer<F: Float> {
    type State;
    /// Fresh state for a parameter with `len` elements.
    fn init(&self, len: usize) -> Self::State;
    /// One step: moves `param` using `grad`.
    fn update(&self, grad: &[F], state: &mut Self::State, param: &mut [F]);
}
