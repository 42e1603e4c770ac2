//! Heavy-ball and Nesterov momentum, in PyTorch's convention (`torch.optim.SGD` with
//! `dampening = 0`):
//!
//! - heavy ball: v ← μ v + g, p ← p − η v;
//! - Nesterov:   v ← μ v + g, p ← p − η (g + μ v).
//!
//! The textbook form (Polyak; Sutskever et al., 2013) keeps the velocity in parameter units,
//! v ← μ v − η g, p ← p + v. For a constant η the two give identical iterates (the textbook
//! v is −η times ours); they differ only when η changes, where PyTorch's form applies the new
//! rate to the whole accumulated velocity at once. We follow PyTorch so that learning rates
//! and schedules carry over from it unchanged.
//!
//! Why momentum: on a ravine (curvatures L ≫ ℓ) gradient descent must take η < 2/L and then
//! crawls along the flat direction; the velocity averages out the oscillation across the
//! ravine and accumulates along it, with effective step η/(1 − μ) on a constant slope.
//! Nesterov's form evaluates the step with the velocity one step ahead, which reduces the
//! overshoot of the heavy ball.

use crate::tensor::Float;

/// One momentum step; `v` is the velocity buffer (zero at the start).
#[inline(always)]
pub(super) fn step<F: Float>(
    lr: f64,
    momentum: f64,
    nesterov: bool,
    grad: &[F],
    v: &mut [F],
    param: &mut [F],
) {
    let (lr, mu) = (F::of(lr), F::of(momentum));
    let n = param.len();
    // Equal-length slices and an index loop: no bounds checks, vectorised (see adam.rs).
    // The branch is outside the loops so each loop body stays straight-line.
    let (v, g) = (&mut v[..n], &grad[..n]);
    if nesterov {
        for i in 0..n {
            v[i] = mu * v[i] + g[i];
            param[i] -= lr * (g[i] + mu * v[i]);
        }
    } else {
        for i in 0..n {
            v[i] = mu * v[i] + g[i];
            param[i] -= lr * v[i];
        }
    }
}
