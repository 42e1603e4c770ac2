//! Stochastic gradient descent: p ← p − η g.
//!
//! The rule every other one refines. With full-batch gradients it is plain gradient descent,
//! which converges on a smooth convex loss for η < 2 / L (L the largest curvature) at a rate
//! set by the condition number — the slowness on ill-conditioned problems that momentum and
//! the adaptive rules address.

use crate::tensor::Float;

/// p ← p − η g.
#[inline(always)]
pub(super) fn step<F: Float>(lr: f64, grad: &[F], param: &mut [F]) {
    let lr = F::of(lr);
    let n = param.len();
    // Equal-length slices and an index loop: no bounds checks, vectorised (see adam.rs).
    let g = &grad[..n];
    for i in 0..n {
        param[i] -= lr * g[i];
    }
}
