//! The methods of the lab, by name, with default settings scaled to the function.

use super::LabError;
use crate::optim::Optimizer;
use crate::testfn::TestFunction;

/// A method and its settings.
#[derive(Clone, Debug, PartialEq)]
pub enum Method {
    /// Gradient descent with a fixed step: x ← x − η ∇f.
    Gd { step: f64 },
    /// Gradient descent with the decaying step ηₜ = η₀ / (1 + d·t), t = 0, 1, ...
    GdDecay { eta0: f64, decay: f64 },
    /// Gradient descent with a backtracking (Armijo) line search along −∇f.
    GdLineSearch,
    /// One of the network optimisers (momentum, Nesterov, AdaGrad, RMSprop, Adam, ...)
    /// applied to the function's gradient, at its own learning rate.
    Rule(Optimizer),
    /// Newton's method: the full Newton step, damped only when it fails to decrease f.
    Newton,
    /// Damped Newton (Levenberg–Marquardt style damping from the start).
    DampedNewton,
    /// L-BFGS with an Armijo line search.
    Lbfgs,
    /// CMA-ES from the start point with initial step size `sigma0`.
    CmaEs { sigma0: f64 },
    /// The genetic algorithm with Gaussian mutation of scale `sigma`, first population drawn
    /// around the start point.
    Ga { sigma: f64 },
}

impl Method {
    /// Every name [`Method::from_name`] knows.
    pub const NAMES: [&'static str; 13] = [
        "gd",
        "gd-decay",
        "gd-linesearch",
        "momentum",
        "nesterov",
        "adagrad",
        "rmsprop",
        "adam",
        "newton",
        "damped-newton",
        "lbfgs",
        "cmaes",
        "ga",
    ];

    /// The named method with settings for `f` started at `x0`. `lr` overrides the learning
    /// rate (step size, or σ₀ for CMA-ES and the GA). Defaults, chosen so every method
    /// converges on the built-in functions without tuning:
    /// - GD, momentum, Nesterov: η = 1 / (2 L) with L the largest ‖H‖∞ (a bound on the
    ///   Hessian's largest eigenvalue) at the start and at the known minima (the classic
    ///   stability limit is η < 2/L);
    ///   GD with decay: η₀ likewise and d = 10⁻³;
    /// - AdaGrad, RMSprop, Adam (steps of roughly η per coordinate): η = w/100 (RMSprop,
    ///   Adam) and w/10 (AdaGrad, whose steps shrink), w the width of the function's box;
    /// - CMA-ES: σ₀ = w/8; GA: σ = w/20.
    pub fn from_name(
        name: &str,
        f: &TestFunction,
        x0: &[f64],
        lr: Option<f64>,
    ) -> Result<Self, LabError> {
        let key = name.trim().to_ascii_lowercase().replace('_', "-");
        let width = f.domain().1 - f.domain().0;
        // The step must be stable where the run ends, not only where it starts: bound the
        // curvature at the start and at every known minimum.
        let curvature = || {
            let n = f.dim();
            let norm_at = |x: &[f64]| {
                let h = f.hessian(x);
                (0..n)
                    .map(|i| (0..n).map(|j| h[i * n + j].abs()).sum::<f64>())
                    .fold(0.0, f64::max)
            };
            let norm = std::iter::once(x0)
                .chain(f.minima().iter().map(|m| m.as_slice()))
                .map(norm_at)
                .fold(0.0, f64::max);
            if norm.is_finite() && norm > 0.0 {
                0.5 / norm
            } else {
                1e-3
            }
        };
        Ok(match key.as_str() {
            "gd" => Method::Gd {
                step: lr.unwrap_or_else(curvature),
            },
            "gd-decay" => Method::GdDecay {
                eta0: lr.unwrap_or_else(curvature),
                decay: 1e-3,
            },
            "gd-linesearch" | "line-search" | "linesearch" => Method::GdLineSearch,
            "momentum" => Method::Rule(Optimizer::momentum(lr.unwrap_or_else(curvature), 0.9)),
            "nesterov" => Method::Rule(Optimizer::nesterov(lr.unwrap_or_else(curvature), 0.9)),
            "adagrad" => Method::Rule(Optimizer::adagrad(lr.unwrap_or(width / 10.0))),
            "rmsprop" => Method::Rule(Optimizer::rmsprop(lr.unwrap_or(width / 100.0))),
            "adam" => Method::Rule(Optimizer::adam(lr.unwrap_or(width / 100.0))),
            "newton" => Method::Newton,
            "damped-newton" => Method::DampedNewton,
            "lbfgs" | "l-bfgs" => Method::Lbfgs,
            "cmaes" | "cma-es" => Method::CmaEs {
                sigma0: lr.unwrap_or(width / 8.0),
            },
            "ga" => Method::Ga {
                sigma: lr.unwrap_or(width / 20.0),
            },
            _ => return Err(LabError::UnknownMethod { name: key }),
        })
    }

    /// A short name for legends and tables.
    pub fn name(&self) -> String {
        match self {
            Method::Gd { .. } => "gd".into(),
            Method::GdDecay { .. } => "gd-decay".into(),
            Method::GdLineSearch => "gd-linesearch".into(),
            Method::Rule(o) => o.name().into(),
            Method::Newton => "newton".into(),
            Method::DampedNewton => "damped-newton".into(),
            Method::Lbfgs => "lbfgs".into(),
            Method::CmaEs { .. } => "cmaes".into(),
            Method::Ga { .. } => "ga".into(),
        }
    }

    pub(super) fn validate(&self) -> Result<(), LabError> {
        let positive = |what: &str, v: f64| {
            if v > 0.0 && v.is_finite() {
                Ok(())
            } else {
                Err(LabError::Setting {
                    method: self.name(),
                    reason: format!("{what} must be positive and finite, got {v}"),
                })
            }
        };
        match *self {
            Method::Gd { step } => positive("step", step),
            Method::GdDecay { eta0, decay } => {
                positive("eta0", eta0)?;
                if decay >= 0.0 && decay.is_finite() {
                    Ok(())
                } else {
                    positive("decay", decay)
                }
            }
            Method::Rule(ref o) => positive("learning rate", o.lr()),
            Method::CmaEs { sigma0 } => positive("sigma0", sigma0),
            Method::Ga { sigma } => positive("sigma", sigma),
            Method::GdLineSearch | Method::Newton | Method::DampedNewton | Method::Lbfgs => Ok(()),
        }
    }
}
