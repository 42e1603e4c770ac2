//! Gradient clipping, applied to all of a model's gradients between `backward` and the
//! optimiser's update.
//!
//! - By value: each component is clamped to [−c, c]. Cheap, but changes the gradient's
//!   direction.
//! - By global norm (Pascanu, Mikolov & Bengio, 2013; PyTorch's `clip_grad_norm_`, optax's
//!   `clip_by_global_norm`): with ‖g‖ = √(Σ over all tensors of Σ gᵢ²), if ‖g‖ > c every
//!   tensor is scaled by c / ‖g‖. The direction is kept and only the length is capped, which
//!   tames the rare huge gradients of recurrent networks and stiff physics losses without
//!   touching ordinary steps. One norm over all tensors (not per tensor) keeps the relative
//!   sizes of the layers' updates.

use crate::tensor::Float;

/// How to clip gradients before an update; [`Clip::apply`] does it in place, without
/// allocating.
///
/// ```
/// use gradus::optim::{global_norm, Clip};
/// let (mut w, mut b) = ([6.0f64, 0.0], [8.0f64]); // global norm 10
/// let mut grads = [&mut w[..], &mut b[..]];
/// Clip::GlobalNorm(5.0).apply(&mut grads); // scales everything by 5/10
/// assert_eq!(global_norm(&grads), 5.0);
/// assert_eq!((w, b), ([3.0, 0.0], [4.0]));
///
/// let mut g = [-2.0f32, 0.5, 7.0];
/// Clip::Value(1.0).apply(&mut [&mut g[..]]);
/// assert_eq!(g, [-1.0, 0.5, 1.0]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Clip {
    /// Leave the gradients as they are.
    #[default]
    None,
    /// Clamp every component to [−c, c].
    Value(f64),
    /// Rescale all tensors together so that their global norm is at most c.
    GlobalNorm(f64),
}

impl Clip {
    /// Clips `grads` (one slice, `Vec` or buffer per parameter tensor) in place.
    ///
    /// NaN components stay NaN, and a non-finite global norm leaves the gradients unchanged:
    /// clipping must not hide a diverged loss by turning it into a finite (or zero) step.
    pub fn apply<F: Float, G: AsMut<[F]> + AsRef<[F]>>(&self, grads: &mut [G]) {
        match *self {
            Clip::None => {}
            Clip::Value(c) => {
                let (lo, hi) = (F::of(-c), F::of(c));
                for g in grads.iter_mut() {
                    // Comparisons rather than max/min, which would replace NaN by a bound.
                    for x in g.as_mut().iter_mut() {
                        *x = if *x > hi {
                            hi
                        } else if *x < lo {
                            lo
                        } else {
                            *x
                        };
                    }
                }
            }
            Clip::GlobalNorm(c) => {
                let norm = global_norm(grads);
                if norm > c && norm.is_finite() {
                    let scale = F::of(c / norm);
                    for g in grads.iter_mut() {
                        for x in g.as_mut().iter_mut() {
                            *x *= scale;
                        }
                    }
                }
            }
        }
    }
}

/// The global norm √(Σ over tensors of Σ gᵢ²), accumulated in `f64` (also for `f32`
/// gradients, so a large model's sum does not lose digits).
///
/// ```
/// let (a, b) = ([3.0f32], [0.0f32, 4.0]);
/// assert_eq!(gradus::optim::global_norm(&[&a[..], &b[..]]), 5.0);
/// ```
pub fn global_norm<F: Float, G: AsRef<[F]>>(grads: &[G]) -> f64 {
    grads
        .iter()
        .map(|g| sum_squares(g.as_ref()))
        .sum::<f64>()
        .sqrt()
}

/// Σ xᵢ² in eight independent lanes, so the loop vectorises without reassociating a single
/// serial sum (which the compiler may not do for floats).
fn sum_squares<F: Float>(x: &[F]) -> f64 {
    let mut lanes = [0.0f64; 8];
    let chunks = x.chunks_exact(8);
    let tail = chunks.remainder();
    for c in chunks {
        for k in 0..8 {
            let v = c[k].as_f64();
            lanes[k] += v * v;
        }
    }
    let tail: f64 = tail.iter().map(|v| v.as_f64() * v.as_f64()).sum();
    lanes.iter().sum::<f64>() + tail
}
