//! Learning-rate schedules: η_t as a function of a counter t and the base rate η₀.
//!
//! Whether t counts epochs or optimiser steps is the caller's choice (Keras' schedules count
//! steps, PyTorch's `lr_scheduler`s are usually stepped once per epoch); the formulas are the
//! same, only the constants (`every`, `gamma`, `decay`, `total`) must be in the same unit.
//! t starts at 0, where every schedule gives η₀.

/// A learning-rate schedule; [`Schedule::lr`] gives the rate for step (or epoch) t.
///
/// | variant | η_t |
/// |---|---|
/// | `Constant` | η₀ |
/// | `Step { every, factor }` | η₀ · factor^⌊t / every⌋ |
/// | `Exponential { gamma }` | η₀ · γᵗ |
/// | `InverseTime { decay }` | η₀ / (1 + d·t) |
/// | `Cosine { total, min_lr }` | η_min + ½ (η₀ − η_min)(1 + cos(π · min(t, T) / T)) |
///
/// ```
/// use gradus::optim::{Optimizer, Schedule};
/// let opt = Optimizer::sgd(0.1);
/// let schedule = Schedule::Step { every: 50, factor: 0.5 };
/// assert_eq!(schedule.lr(opt.lr(), 0), 0.1);
/// assert_eq!(schedule.lr(opt.lr(), 120), 0.025);
/// // In a training loop: opt.update(schedule.lr(opt.lr(), step), &g, &mut state, &mut p);
/// let mut p = [1.0f64];
/// let mut state = opt.init(1);
/// for step in 0..100 {
///     let g = [2.0 * p[0]];
///     opt.update(schedule.lr(opt.lr(), step), &g, &mut state, &mut p);
/// }
/// assert!(p[0].abs() < 1e-3);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Schedule {
    /// η₀ at every step.
    #[default]
    Constant,
    /// Piecewise constant: multiply by `factor` every `every` steps (PyTorch's `StepLR`).
    /// `every = 0` never decays.
    Step { every: usize, factor: f64 },
    /// η₀ γᵗ: a smooth version of `Step` (PyTorch's `ExponentialLR`).
    Exponential { gamma: f64 },
    /// η₀ / (1 + d t): the 1/t decay that stochastic-approximation theory asks of SGD
    /// (Robbins–Monro: Σ η_t = ∞, Σ η_t² < ∞); Keras' `InverseTimeDecay` with one decay step.
    InverseTime { decay: f64 },
    /// Half a cosine from η₀ down to `min_lr` over `total` steps, then `min_lr` (Loshchilov &
    /// Hutter's SGDR without restarts; PyTorch's `CosineAnnealingLR`). Decays slowly at first
    /// and last, fastest in the middle. `total = 0` gives `min_lr`.
    Cosine { total: usize, min_lr: f64 },
}

impl Schedule {
    /// The learning rate at step (or epoch) `step`, for base rate `base`.
    pub fn lr(&self, base: f64, step: usize) -> f64 {
        let t = step as f64;
        match *self {
            Schedule::Constant => base,
            Schedule::Step { every, factor } => match step.checked_div(every) {
                Some(k) => base * factor.powf(k as f64),
                None => base,
            },
            Schedule::Exponential { gamma } => base * gamma.powf(t),
            Schedule::InverseTime { decay } => base / (1.0 + decay * t),
            Schedule::Cosine { total, min_lr } => {
                if total == 0 {
                    return min_lr;
                }
                let progress = step.min(total) as f64 / total as f64;
                min_lr + 0.5 * (base - min_lr) * (1.0 + (std::f64::consts::PI * progress).cos())
            }
        }
    }
}
