//! RMSprop (Hinton, Coursera lecture 6e, 2012): r ← ρ r + (1 − ρ) g², p ← p − η g / (√r + ε).
//!
//! Why: AdaGrad's per-coordinate scaling, but with an exponentially forgetting average of g²
//! (memory about 1/(1 − ρ) steps) instead of a sum, so the step follows the current scale of
//! the gradients rather than decaying forever — suited to the non-stationary losses of deep
//! networks. No bias correction: r starts at zero, so the first steps are larger (by up to
//! 1/√(1 − ρ)); Adam adds the correction. ε is outside the root, as in PyTorch and Keras.
//! Defaults ρ = 0.9 (Hinton, Keras; PyTorch uses 0.99) and ε = 1e-8.

use crate::tensor::Float;

/// One RMSprop step; `r` is the running average of g².
#[inline(always)]
pub(super) fn step<F: Float>(
    lr: f64,
    rho: f64,
    eps: f64,
    grad: &[F],
    r: &mut [F],
    param: &mut [F],
) {
    let (lr, eps) = (F::of(lr), F::of(eps));
    let (rho, c) = (F::of(rho), F::of(1.0 - rho));
    let n = param.len();
    // Equal-length slices and an index loop: no bounds checks, vectorised (see adam.rs).
    let (r, g) = (&mut r[..n], &grad[..n]);
    for i in 0..n {
        r[i] = rho * r[i] + c * g[i] * g[i];
        param[i] -= lr * g[i] / (r[i].sqrt() + eps);
    }
}
