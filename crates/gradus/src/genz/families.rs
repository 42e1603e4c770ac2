//! The six test-function families of Genz (1984, 1987) on the unit cube [0, 1]^d.
//!
//! | family | f(x) |
//! |---|---|
//! | oscillatory | cos(2π w₁ + Σ cᵢ xᵢ) |
//! | product peak | Π (cᵢ⁻² + (xᵢ − wᵢ)²)⁻¹ |
//! | corner peak | (1 + Σ cᵢ xᵢ)^−(d+1) |
//! | Gaussian | exp(−Σ cᵢ² (xᵢ − wᵢ)²) |
//! | continuous | exp(−Σ cᵢ |xᵢ − wᵢ|) |
//! | discontinuous | 0 if x₁ > w₁ or x₂ > w₂ (only x₁ > w₁ when d = 1), else exp(Σ cᵢ xᵢ) |
//!
//! The c's set the difficulty (larger is harder), the w's shift the feature without changing
//! the difficulty. Genz's random members draw cᵢ, wᵢ ~ U(0, 1) and rescale c so that
//! **Σ cᵢ = b_j**, with b = 1.5, d, 1.85, 7.03, 20.4, 4.3 for the six families in the order of
//! the table (the product peak's b grows with d), and rescale w so that **Σ wᵢ = 1**, as the
//! issue that asked for this module specifies. Note what that implies: w is a location, so in
//! 10 dimensions every wᵢ is near 0.1 and the Gaussian, continuous and product peaks sit near
//! the origin's corner; [`Params::Ranges`] with `w_range = (0, 1)` keeps w uniform in the cube
//! (the convention of most later test suites). Some later papers divide b_j by d or use Σ cᵢ = b_j / d^{…} so that
//! each coordinate's difficulty stays fixed as d grows; we keep Genz's total-difficulty
//! convention, in which the per-coordinate c shrinks like b_j / d, so a 10-dimensional member
//! is smoother along each axis than a 2-dimensional one. That is a choice, documented in
//! docs/genz.md; [`Params::Ranges`] gives any other convention.

use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::rng;

/// One of Genz's six families.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    Oscillatory,
    ProductPeak,
    CornerPeak,
    Gaussian,
    Continuous,
    Discontinuous,
}

impl Family {
    /// The six families in Genz's order.
    pub const ALL: [Family; 6] = [
        Family::Oscillatory,
        Family::ProductPeak,
        Family::CornerPeak,
        Family::Gaussian,
        Family::Continuous,
        Family::Discontinuous,
    ];

    /// Config and file name: "oscillatory", "product_peak", ….
    pub fn name(&self) -> &'static str {
        match self {
            Family::Oscillatory => "oscillatory",
            Family::ProductPeak => "product_peak",
            Family::CornerPeak => "corner_peak",
            Family::Gaussian => "gaussian",
            Family::Continuous => "continuous",
            Family::Discontinuous => "discontinuous",
        }
    }

    /// Parses a name; `-` and `_` are interchangeable and case is ignored.
    pub fn from_name(name: &str) -> Option<Family> {
        let n = name.trim().to_ascii_lowercase().replace('-', "_");
        Family::ALL.into_iter().find(|f| f.name() == n)
    }

    /// Genz's (1987) total difficulty b_j = Σ cᵢ for this family in `dim` dimensions.
    pub fn difficulty(&self, dim: usize) -> f64 {
        match self {
            Family::Oscillatory => 1.5,
            Family::ProductPeak => dim as f64,
            Family::CornerPeak => 1.85,
            Family::Gaussian => 7.03,
            Family::Continuous => 20.4,
            Family::Discontinuous => 4.3,
        }
    }
}

/// The seed of the random member `gradus genz` studies for (family, d) under `param_seed`:
/// one member per (family, d), independent of which other families and dimensions are
/// studied alongside, so a study of `--dims 5` alone sees the same function as `--dims 2,5,10`.
pub fn member_seed(param_seed: u64, family: Family, dim: usize) -> u64 {
    param_seed * 1_000_000 + 1000 * family as u64 + dim as u64
}

/// How a family member's c and w are chosen.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Params {
    /// Exactly these (one entry per dimension each).
    Given { c: Vec<f64>, w: Vec<f64> },
    /// Genz's random member: cᵢ, wᵢ ~ U(0, 1), rescaled to Σ cᵢ = b_j and Σ wᵢ = 1.
    Genz { seed: u64 },
    /// cᵢ ~ U(c_range), wᵢ ~ U(w_range), no rescaling.
    Ranges {
        c_range: (f64, f64),
        w_range: (f64, f64),
        seed: u64,
    },
}

/// A family member: the family, its dimension and its c, w.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Genz {
    pub family: Family,
    pub c: Vec<f64>,
    pub w: Vec<f64>,
}

/// A problem with a family member's parameters, caught before any training.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum GenzError {
    #[error("{family}: c has {c} entries and w has {w}, but the dimension is {dim}; give one of each per dimension")]
    Length {
        family: &'static str,
        dim: usize,
        c: usize,
        w: usize,
    },
    #[error("{family}: the dimension must be at least 1")]
    ZeroDim { family: &'static str },
    #[error("{family}: {what}")]
    Value { family: &'static str, what: String },
}

impl Genz {
    /// The member of `family` in `dim` dimensions that `params` describes.
    pub fn new(family: Family, dim: usize, params: &Params) -> Result<Genz, GenzError> {
        let name = family.name();
        if dim == 0 {
            return Err(GenzError::ZeroDim { family: name });
        }
        let (c, w) = match params {
            Params::Given { c, w } => (c.clone(), w.clone()),
            Params::Genz { seed } => {
                let mut r = rng::seeded(*seed);
                let mut c: Vec<f64> = (0..dim).map(|_| r.random::<f64>()).collect();
                let mut w: Vec<f64> = (0..dim).map(|_| r.random::<f64>()).collect();
                let scale = family.difficulty(dim) / c.iter().sum::<f64>();
                c.iter_mut().for_each(|ci| *ci *= scale);
                let w_sum = w.iter().sum::<f64>();
                w.iter_mut().for_each(|wi| *wi /= w_sum);
                (c, w)
            }
            Params::Ranges {
                c_range,
                w_range,
                seed,
            } => {
                for (what, (lo, hi)) in [("c_range", c_range), ("w_range", w_range)] {
                    if !(lo.is_finite() && hi.is_finite() && lo <= hi) {
                        return Err(GenzError::Value {
                            family: name,
                            what: format!("{what} ({lo}, {hi}) must be finite with low ≤ high"),
                        });
                    }
                }
                let mut r = rng::seeded(*seed);
                let mut draw = |(lo, hi): (f64, f64)| lo + (hi - lo) * r.random::<f64>();
                let c: Vec<f64> = (0..dim).map(|_| draw(*c_range)).collect();
                let w: Vec<f64> = (0..dim).map(|_| draw(*w_range)).collect();
                (c, w)
            }
        };
        if c.len() != dim || w.len() != dim {
            return Err(GenzError::Length {
                family: name,
                dim,
                c: c.len(),
                w: w.len(),
            });
        }
        if let Some(v) = c.iter().chain(&w).find(|v| !v.is_finite()) {
            return Err(GenzError::Value {
                family: name,
                what: format!("parameter {v} is not finite"),
            });
        }
        // The product peak divides by c²: a zero c is a division by zero, not a flat factor.
        if family == Family::ProductPeak && c.contains(&0.0) {
            return Err(GenzError::Value {
                family: name,
                what: "every c must be non-zero (the peak's width is 1/c)".into(),
            });
        }
        Ok(Genz { family, c, w })
    }

    pub fn dim(&self) -> usize {
        self.c.len()
    }

    /// f(x) for one point of the cube (`x.len()` must be the dimension).
    pub fn eval(&self, x: &[f64]) -> f64 {
        assert_eq!(
            x.len(),
            self.dim(),
            "Genz::eval: point has the wrong length"
        );
        let (c, w) = (&self.c, &self.w);
        let dot = || c.iter().zip(x).map(|(ci, xi)| ci * xi).sum::<f64>();
        match self.family {
            Family::Oscillatory => (2.0 * std::f64::consts::PI * w[0] + dot()).cos(),
            Family::ProductPeak => c
                .iter()
                .zip(w)
                .zip(x)
                .map(|((ci, wi), xi)| 1.0 / (ci.powi(-2) + (xi - wi).powi(2)))
                .product(),
            Family::CornerPeak => (1.0 + dot()).powi(-(self.dim() as i32 + 1)),
            Family::Gaussian => (-c
                .iter()
                .zip(w)
                .zip(x)
                .map(|((ci, wi), xi)| (ci * (xi - wi)).powi(2))
                .sum::<f64>())
            .exp(),
            Family::Continuous => (-c
                .iter()
                .zip(w)
                .zip(x)
                .map(|((ci, wi), xi)| ci * (xi - wi).abs())
                .sum::<f64>())
            .exp(),
            Family::Discontinuous => {
                if x[0] > w[0] || (x.len() > 1 && x[1] > w[1]) {
                    0.0
                } else {
                    dot().exp()
                }
            }
        }
    }

    /// "c=[1.1526, 2.5598] w=[0.4630, 0.6341]": the parameters, for tables and record keys.
    pub fn describe(&self) -> String {
        let fmt = |v: &[f64]| {
            v.iter()
                .map(|x| format!("{x:.4}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        format!("c=[{}] w=[{}]", fmt(&self.c), fmt(&self.w))
    }
}
