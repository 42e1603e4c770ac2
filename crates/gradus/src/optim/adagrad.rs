//! AdaGrad (Duchi, Hazan & Singer, 2011), optionally with momentum:
//!
//! - r ← r + g²  (per coordinate, never forgotten);
//! - plain (μ = 0):    p ← p − η g / (√r + ε);
//! - with momentum μ:  v ← μ v + g / (√r + ε), p ← p − η v.
//!
//! Why: each coordinate gets its own step η / √(Σ g²), so directions with small or rare
//! gradients (sparse features, flat directions of an ill-conditioned loss) keep large steps
//! while steep ones are tamed, without tuning a rate per coordinate. Because r only grows,
//! the effective rate decays like 1/√t: right for convex online problems, often too fast
//! for deep networks (RMSprop replaces the sum by a forgetting average). The momentum form
//! feeds the rescaled gradient into a velocity exactly as heavy-ball momentum feeds the raw
//! one (PyTorch's convention, see momentum.rs), so it recovers speed along directions whose
//! accumulated r has made the step small. ε = 1e-10 (PyTorch) only guards r = 0.

use crate::tensor::Float;

/// One AdaGrad step; `r` is the sum of squared gradients, `velocity` the momentum buffer
/// (present when μ ≠ 0).
#[inline(always)]
pub(super) fn step<F: Float>(
    lr: f64,
    eps: f64,
    momentum: f64,
    grad: &[F],
    r: &mut [F],
    velocity: Option<&mut [F]>,
    param: &mut [F],
) {
    let (lr, eps, mu) = (F::of(lr), F::of(eps), F::of(momentum));
    let n = param.len();
    // Equal-length slices and an index loop: no bounds checks, vectorised (see adam.rs).
    let (r, g) = (&mut r[..n], &grad[..n]);
    match velocity {
        None => {
            for i in 0..n {
                r[i] += g[i] * g[i];
                param[i] -= lr * g[i] / (r[i].sqrt() + eps);
            }
        }
        Some(v) => {
            let v = &mut v[..n];
            for i in 0..n {
                r[i] += g[i] * g[i];
                v[i] = mu * v[i] + g[i] / (r[i].sqrt() + eps);
                param[i] -= lr * v[i];
            }
        }
    }
}
