//! Optimisers: the first-order family of a deep-learning course as one enum, learning-rate
//! schedules, gradient clipping, and two second-order methods for small full-batch problems.
//!
//! State is kept apart from the parameters (optax's `init`/`update`): `init(len) → state`
//! once per parameter tensor, then `update(lr, grad, &mut state, param)` each step, which
//! never allocates. The rule is a value, not a type, so a config file or a command-line
//! flag can pick it at run time ([`Optimizer::from_name`]) and a training loop needs no
//! generic parameter or trait object for it.
//!
//! | rule | file | update (g = gradient, η = learning rate) |
//! |---|---|---|
//! | [`Optimizer::Sgd`] | `sgd.rs` | p ← p − η g |
//! | [`Optimizer::Momentum`] | `momentum.rs` | v ← μ v + g; p ← p − η v (Nesterov: p ← p − η (g + μ v)) |
//! | [`Optimizer::AdaGrad`] | `adagrad.rs` | r ← r + g²; v ← μ v + g / (√r + ε); p ← p − η v |
//! | [`Optimizer::RmsProp`] | `rmsprop.rs` | r ← ρ r + (1 − ρ) g²; p ← p − η g / (√r + ε) |
//! | [`Optimizer::Adam`], [`Optimizer::AdamW`] | `adam.rs` | p ← p − η m̂ / (√v̂ + ε) (AdamW also p ← p − η λ p) |
//!
//! `update.rs` holds [`OptState`] and the dispatch from the enum to these files.
//!
//! Second-order methods on flat `f64` vectors: [`newton`] (damped, Levenberg–Marquardt style)
//! and [`lbfgs`], both returning a [`MinimizeResult`].

mod adagrad;
mod adam;
mod clip;
mod lbfgs;
mod minimize;
mod momentum;
mod newton;
mod rmsprop;
mod schedule;
mod sgd;
mod update;

pub use clip::{global_norm, Clip};
pub use lbfgs::{lbfgs, LbfgsParams};
pub use minimize::MinimizeResult;
pub use newton::{newton, NewtonParams};
pub use schedule::Schedule;
pub use update::{OptState, PARALLEL_MIN};

/// A first-order update rule with its hyper-parameters.
///
/// The learning rate stored here is the base rate; [`Optimizer::update`] takes the rate to
/// use for the step, so a [`Schedule`] can vary it. Each variant's formula, and why it
/// exists, is documented on the variant.
///
/// ```
/// use gradus::optim::Optimizer;
/// // Minimise f(p) = p₀² + 10 p₁² with Adam.
/// let opt = Optimizer::adam(0.1);
/// let mut p = [1.0f64, -1.0];
/// let mut state = opt.init(p.len());
/// for _ in 0..500 {
///     let g = [2.0 * p[0], 20.0 * p[1]];
///     opt.update(opt.lr(), &g, &mut state, &mut p);
/// }
/// assert!(p[0].abs() < 1e-2 && p[1].abs() < 1e-2);
/// assert_eq!(Optimizer::from_name(opt.name(), 0.1), Some(opt));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Optimizer {
    /// Stochastic gradient descent, p ← p − η g: the baseline every other rule improves on.
    /// Called gradient descent (GD) when each gradient is of the full-batch loss.
    Sgd { lr: f64 },
    /// Heavy-ball momentum, in PyTorch's convention: v ← μ v + g, p ← p − η v.
    ///
    /// The velocity accumulates gradients (it is not pre-multiplied by η, as in the
    /// textbook form v ← μ v − η g, p ← p + v); both give the same iterates for a constant η,
    /// but this one keeps the velocity meaningful when a schedule changes η. Momentum
    /// averages out oscillations across a ravine and speeds travel along it (the effective
    /// step on a constant slope is η / (1 − μ)).
    ///
    /// With `nesterov`, p ← p − η (g + μ v) (PyTorch's form of Nesterov's look-ahead: the
    /// step uses the velocity one step further on), which damps the overshoot of the
    /// heavy ball.
    Momentum {
        lr: f64,
        momentum: f64,
        nesterov: bool,
    },
    /// AdaGrad (Duchi, Hazan & Singer, 2011): r ← r + g², p ← p − η g / (√r + ε).
    ///
    /// Each coordinate's step shrinks with its accumulated squared gradient, so rarely-seen
    /// directions keep large steps; the accumulation never forgets, so the effective rate
    /// decays like 1/√t (good for convex problems, often too fast for deep networks —
    /// which is why RMSprop exists). With `momentum` μ > 0 the scaled gradient feeds a
    /// velocity as in [`Optimizer::Momentum`]: v ← μ v + g / (√r + ε), p ← p − η v;
    /// μ = 0 is plain AdaGrad.
    AdaGrad { lr: f64, eps: f64, momentum: f64 },
    /// RMSprop (Hinton, 2012): r ← ρ r + (1 − ρ) g², p ← p − η g / (√r + ε).
    ///
    /// AdaGrad with a forgetting average of g², so the per-coordinate scale follows the
    /// recent gradients instead of decaying forever.
    RmsProp { lr: f64, rho: f64, eps: f64 },
    /// Adam (Kingma & Ba, 2015): m ← β₁ m + (1 − β₁) g, v ← β₂ v + (1 − β₂) g²,
    /// m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ), p ← p − η m̂ / (√v̂ + ε).
    ///
    /// Momentum on the gradient and RMSprop's scaling together; the bias corrections undo
    /// the zero start of both averages. ε is added outside the square root, as in PyTorch and
    /// optax (the paper's Algorithm 1).
    Adam {
        lr: f64,
        beta1: f64,
        beta2: f64,
        eps: f64,
    },
    /// AdamW (Loshchilov & Hutter, 2019): Adam plus decoupled weight decay p ← p − η λ p.
    ///
    /// An L2 penalty added to the loss would pass through Adam's per-coordinate scaling and
    /// decay each weight by a different amount; decoupling applies the same relative decay
    /// to every weight, as intended.
    AdamW {
        lr: f64,
        beta1: f64,
        beta2: f64,
        eps: f64,
        weight_decay: f64,
    },
}

impl Optimizer {
    /// Every name [`Optimizer::name`] returns, in the order of the variants.
    pub const NAMES: [&'static str; 7] = [
        "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw",
    ];

    /// Plain SGD (GD on full batches).
    pub fn sgd(lr: f64) -> Self {
        Optimizer::Sgd { lr }
    }

    /// Heavy-ball momentum μ (0.9 is the usual choice).
    pub fn momentum(lr: f64, momentum: f64) -> Self {
        Optimizer::Momentum {
            lr,
            momentum,
            nesterov: false,
        }
    }

    /// Nesterov momentum μ.
    pub fn nesterov(lr: f64, momentum: f64) -> Self {
        Optimizer::Momentum {
            lr,
            momentum,
            nesterov: true,
        }
    }

    /// Plain AdaGrad, ε = 1e-10 (PyTorch's default).
    pub fn adagrad(lr: f64) -> Self {
        Optimizer::AdaGrad {
            lr,
            eps: 1e-10,
            momentum: 0.0,
        }
    }

    /// RMSprop with ρ = 0.9 (Hinton's and Keras' value) and ε = 1e-8.
    pub fn rmsprop(lr: f64) -> Self {
        Optimizer::RmsProp {
            lr,
            rho: 0.9,
            eps: 1e-8,
        }
    }

    /// Adam with β₁ = 0.9, β₂ = 0.999, ε = 1e-8.
    pub fn adam(lr: f64) -> Self {
        Optimizer::Adam {
            lr,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
        }
    }

    /// AdamW with Adam's defaults and weight decay λ (PyTorch's default is 1e-2).
    pub fn adamw(lr: f64, weight_decay: f64) -> Self {
        Optimizer::AdamW {
            lr,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay,
        }
    }

    /// The rule named `name` (one of [`Optimizer::NAMES`], case-insensitive) with its default
    /// hyper-parameters: momentum and Nesterov μ = 0.9, AdamW λ = 1e-2. `None` for an
    /// unknown name.
    pub fn from_name(name: &str, lr: f64) -> Option<Self> {
        Some(match name.to_ascii_lowercase().as_str() {
            "sgd" | "gd" => Self::sgd(lr),
            "momentum" => Self::momentum(lr, 0.9),
            "nesterov" => Self::nesterov(lr, 0.9),
            "adagrad" => Self::adagrad(lr),
            "rmsprop" => Self::rmsprop(lr),
            "adam" => Self::adam(lr),
            "adamw" => Self::adamw(lr, 1e-2),
            _ => return None,
        })
    }

    /// The base learning rate.
    pub fn lr(&self) -> f64 {
        match *self {
            Optimizer::Sgd { lr }
            | Optimizer::Momentum { lr, .. }
            | Optimizer::AdaGrad { lr, .. }
            | Optimizer::RmsProp { lr, .. }
            | Optimizer::Adam { lr, .. }
            | Optimizer::AdamW { lr, .. } => lr,
        }
    }

    /// A short lower-case name for logs and files ("nesterov" for Nesterov momentum).
    pub fn name(&self) -> &'static str {
        match self {
            Optimizer::Sgd { .. } => "sgd",
            Optimizer::Momentum {
                nesterov: false, ..
            } => "momentum",
            Optimizer::Momentum { nesterov: true, .. } => "nesterov",
            Optimizer::AdaGrad { .. } => "adagrad",
            Optimizer::RmsProp { .. } => "rmsprop",
            Optimizer::Adam { .. } => "adam",
            Optimizer::AdamW { .. } => "adamw",
        }
    }
}
