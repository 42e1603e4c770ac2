//! Adam (Kingma & Ba, 2015) in the bias-corrected form of PyTorch and optax, and AdamW
//! (Loshchilov & Hutter, 2019):
//!
//! - m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²;
//! - m̂ = m / (1 − β₁ᵗ),       v̂ = v / (1 − β₂ᵗ);
//! - p ← p − η m̂ / (√v̂ + ε);
//! - AdamW first decays p ← p − η λ p (decoupled weight decay).
//!
//! Why: m is momentum on the gradient, v RMSprop's per-coordinate scale; both averages start
//! at zero, and dividing by 1 − βᵗ removes that bias so the first steps have size ≈ η instead
//! of being tiny. ε sits outside the square root (PyTorch, optax; the paper's Algorithm 1),
//! which matters only when v̂ ~ ε².
//!
//! Weight decay as an L2 term in the loss (λ p added to g) would pass through the division
//! by √v̂ and shrink each weight by a different amount; AdamW applies the same relative decay
//! η λ to every weight, independent of the gradient statistics (PyTorch's AdamW: p is
//! multiplied by 1 − η λ before the Adam step, fused here into the same loop).

use crate::tensor::Float;

/// Adam's hyper-parameters for one step (`weight_decay` = 0 gives Adam).
pub(super) struct Hyper {
    pub lr: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
    pub weight_decay: f64,
}

/// One Adam(W) step; `t` is the step number, counting from 1.
#[inline(always)]
pub(super) fn step<F: Float>(
    h: Hyper,
    t: u64,
    grad: &[F],
    m: &mut [F],
    v: &mut [F],
    param: &mut [F],
) {
    let (b1, b2) = (F::of(h.beta1), F::of(h.beta2));
    let (c1, c2) = (F::one() - b1, F::one() - b2);
    // Bias corrections in f64; powi saturates t (βᵗ has long underflowed to 0 by then).
    let t = t.min(i32::MAX as u64) as i32;
    let bias1 = 1.0 - h.beta1.powi(t);
    let bias2 = 1.0 - h.beta2.powi(t);
    // η m̂ / (√v̂ + ε) = (η / bias1) m / (√v / √bias2 + ε): two scalars, no per-element division
    // by the corrections.
    let step = F::of(h.lr / bias1);
    let inv_sqrt_bias2 = F::of(1.0 / bias2.sqrt());
    let eps = F::of(h.eps);
    let decay = F::of(1.0 - h.lr * h.weight_decay);
    let n = param.len();
    // Equal-length slices and an index loop let the compiler drop bounds checks and
    // vectorise (the zipped-iterator form ran at half the speed).
    let (m, v, g) = (&mut m[..n], &mut v[..n], &grad[..n]);
    for i in 0..n {
        m[i] = b1 * m[i] + c1 * g[i];
        v[i] = b2 * v[i] + c2 * g[i] * g[i];
        param[i] = decay * param[i] - step * m[i] / (v[i].sqrt() * inv_sqrt_bias2 + eps);
    }
}
