//! Test functions for optimisers: the classic landscapes of a course and of the CMA-ES
//! literature, with their known minima, and user closures on the same footing.
//!
//! Each function is written once with engine ops, so its gradient and Hessian come from
//! the autodiff engine ([`calculus::grad`], [`calculus::hessian`]) rather than from hand
//! derivations that could drift from the formula; a plain-`f64` twin gives values cheaply
//! for gradient-free methods (CMA-ES evaluates a 10-D Rastrigin function ~10⁵ times).
//!
//! ```
//! use gradus::testfn::TestFunction;
//! let f = TestFunction::by_name("rosenbrock", 2).unwrap();
//! let (v, g) = f.value_grad(&[1.0, 1.0]);
//! assert_eq!((v, g), (0.0, vec![0.0, 0.0]));
//! let h = f.hessian(&[1.0, 1.0]);
//! assert_eq!(h, vec![802.0, -400.0, -400.0, 200.0]);
//! assert!(TestFunction::by_name("rosenbrok", 2).is_err());
//! ```

mod functions;

use crate::{calculus, Tensor, Var};
use functions as fx;
use std::sync::Arc;

/// A function written with engine ops, usable for any tape lifetime.
pub type Expr = dyn for<'t> Fn(Var<'t, f64>) -> Var<'t, f64> + Send + Sync;

/// Why a test function could not be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum TestFnError {
    #[error("unknown test function `{name}`; known: {}", TestFunction::NAMES.join(", "))]
    UnknownName { name: String },
    #[error("test function `{name}` is defined in {expected} dimension(s), not {got}")]
    Dimension {
        name: String,
        expected: String,
        got: usize,
    },
}

/// A scalar function of n variables with its value, gradient and Hessian, and what is
/// known about its minima.
#[derive(Clone)]
pub struct TestFunction {
    name: String,
    dim: usize,
    expr: Arc<Expr>,
    value: Option<fn(&[f64]) -> f64>,
    minima: Vec<Vec<f64>>,
    f_min: Option<f64>,
    domain: (f64, f64),
    start: Vec<f64>,
}

impl std::fmt::Debug for TestFunction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestFunction")
            .field("name", &self.name)
            .field("dim", &self.dim)
            .field("minima", &self.minima)
            .field("f_min", &self.f_min)
            .finish()
    }
}

/// Himmelblau's four minima (value 0); the last three are roots of a quartic, given to 10⁻¹².
pub const HIMMELBLAU_MINIMA: [[f64; 2]; 4] = [
    [3.0, 2.0],
    [-2.805118086952745, 3.131312518250573],
    [-3.779310253377747, -3.28318599128617],
    [3.584428340330492, -1.848126526964404],
];

/// Styblinski–Tang's minimiser in each coordinate: the negative root of 4x³ − 32x + 5 = 0.
pub const STYBLINSKI_TANG_X: f64 = -2.903534027771178;

impl TestFunction {
    /// Every name [`TestFunction::by_name`] knows.
    pub const NAMES: [&'static str; 11] = [
        "sphere",
        "ellipsoid",
        "rosenbrock",
        "beale",
        "himmelblau",
        "booth",
        "goldstein-price",
        "rastrigin",
        "ackley",
        "styblinski-tang",
        "cubic",
    ];

    /// The named function in `dim` dimensions (case-insensitive; `_` and `-` alike).
    /// Sphere, ellipsoid, Rosenbrock (dim ≥ 2), Rastrigin, Ackley and Styblinski–Tang take
    /// any dimension; Beale, Himmelblau, Booth and Goldstein–Price are 2-D; `cubic`, the
    /// course's x³ − 2x² + 2, is 1-D.
    pub fn by_name(name: &str, dim: usize) -> Result<Self, TestFnError> {
        let key = name.trim().to_ascii_lowercase().replace('_', "-");
        let fixed = |expected: usize| {
            if dim == expected {
                Ok(())
            } else {
                Err(TestFnError::Dimension {
                    name: key.clone(),
                    expected: expected.to_string(),
                    got: dim,
                })
            }
        };
        if dim == 0 {
            return Err(TestFnError::Dimension {
                name: key,
                expected: "at least 1".into(),
                got: 0,
            });
        }
        let ones = |v: f64| vec![v; dim];
        let f = match key.as_str() {
            "sphere" => Self::known("sphere", dim, fx::sphere, fx::sphere_f)
                .minimum(ones(0.0), 0.0)
                .region((-5.0, 5.0), ones(3.0)),
            "ellipsoid" => Self::known("ellipsoid", dim, fx::ellipsoid, fx::ellipsoid_f)
                .minimum(ones(0.0), 0.0)
                .region((-5.0, 5.0), ones(3.0)),
            "rosenbrock" => {
                if dim < 2 {
                    return Err(TestFnError::Dimension {
                        name: key.clone(),
                        expected: "at least 2".into(),
                        got: dim,
                    });
                }
                let mut start = ones(2.0);
                start[0] = -1.5;
                Self::known("rosenbrock", dim, fx::rosenbrock, fx::rosenbrock_f)
                    .minimum(ones(1.0), 0.0)
                    .region((-2.0, 2.5), start)
            }
            "rastrigin" => Self::known("rastrigin", dim, fx::rastrigin, fx::rastrigin_f)
                .minimum(ones(0.0), 0.0)
                .region((-5.12, 5.12), ones(3.0)),
            "ackley" => Self::known("ackley", dim, fx::ackley, fx::ackley_f)
                .minimum(ones(0.0), 0.0)
                .region((-5.0, 5.0), ones(3.0)),
            "styblinski-tang" => Self::known(
                "styblinski-tang",
                dim,
                fx::styblinski_tang,
                fx::styblinski_tang_f,
            )
            .minimum(
                ones(STYBLINSKI_TANG_X),
                fx::styblinski_tang_f(&ones(STYBLINSKI_TANG_X)),
            )
            .region((-5.0, 5.0), ones(0.5)),
            "beale" => {
                fixed(2)?;
                Self::known("beale", 2, fx::beale, fx::beale_f)
                    .minimum(vec![3.0, 0.5], 0.0)
                    .region((-4.5, 4.5), vec![1.0, 1.5])
            }
            "himmelblau" => {
                fixed(2)?;
                let mut f = Self::known("himmelblau", 2, fx::himmelblau, fx::himmelblau_f)
                    .region((-5.0, 5.0), vec![0.0, 0.0]);
                f.minima = HIMMELBLAU_MINIMA.iter().map(|m| m.to_vec()).collect();
                f.f_min = Some(0.0);
                f
            }
            "booth" => {
                fixed(2)?;
                Self::known("booth", 2, fx::booth, fx::booth_f)
                    .minimum(vec![1.0, 3.0], 0.0)
                    .region((-10.0, 10.0), vec![-5.0, -5.0])
            }
            "goldstein-price" => {
                fixed(2)?;
                Self::known(
                    "goldstein-price",
                    2,
                    fx::goldstein_price,
                    fx::goldstein_price_f,
                )
                .minimum(vec![0.0, -1.0], 3.0)
                .region((-2.0, 2.0), vec![-0.5, 0.5])
            }
            "cubic" => {
                fixed(1)?;
                // Only a local minimum: f → −∞ as x → −∞.
                Self::known("cubic", 1, fx::cubic, fx::cubic_f)
                    .minimum(vec![4.0 / 3.0], 2.0 - 32.0 / 27.0)
                    .region((-0.5, 2.5), vec![2.0])
            }
            _ => return Err(TestFnError::UnknownName { name: key.clone() }),
        };
        Ok(f)
    }

    fn known(
        name: &str,
        dim: usize,
        expr: for<'t> fn(Var<'t, f64>) -> Var<'t, f64>,
        value: fn(&[f64]) -> f64,
    ) -> Self {
        TestFunction {
            name: name.into(),
            dim,
            expr: Arc::new(expr),
            value: Some(value),
            minima: Vec::new(),
            f_min: None,
            domain: (-5.0, 5.0),
            start: vec![1.0; dim],
        }
    }

    /// A user function of `dim` variables written with engine ops, so that gradient-based
    /// methods get exact gradients and Hessians. The closure must take a `Var` of shape
    /// `[dim]` and return a one-element `Var`.
    ///
    /// ```
    /// use gradus::testfn::TestFunction;
    /// // A shifted quadratic bowl with a cross term.
    /// let f = TestFunction::custom("bowl", 2, |x| {
    ///     let (a, b) = (x.narrow(0, 0, 1), x.narrow(0, 1, 1));
    ///     (a.add_scalar(-1.0).square() + (a * b) + b.square().mul_scalar(2.0)).sum()
    /// });
    /// assert_eq!(f.value(&[1.0, 0.0]), 0.0);
    /// assert_eq!(f.hessian(&[0.3, 0.7]), vec![2.0, 1.0, 1.0, 4.0]);
    /// ```
    pub fn custom(
        name: impl Into<String>,
        dim: usize,
        f: impl for<'t> Fn(Var<'t, f64>) -> Var<'t, f64> + Send + Sync + 'static,
    ) -> Self {
        TestFunction {
            name: name.into(),
            dim,
            expr: Arc::new(f),
            value: None,
            minima: Vec::new(),
            f_min: None,
            domain: (-5.0, 5.0),
            start: vec![1.0; dim],
        }
    }

    /// Records a known minimiser and the minimum value (for f − f* plots and tests).
    pub fn minimum(mut self, at: Vec<f64>, value: f64) -> Self {
        self.minima.push(at);
        self.f_min = Some(value);
        self
    }

    /// Sets the per-coordinate plotting/search box and the default start.
    pub fn region(mut self, domain: (f64, f64), start: Vec<f64>) -> Self {
        self.domain = domain;
        self.start = start;
        self
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Known minimisers (all four for Himmelblau; empty if unknown).
    pub fn minima(&self) -> &[Vec<f64>] {
        &self.minima
    }

    /// The minimum value, if known.
    pub fn f_min(&self) -> Option<f64> {
        self.f_min
    }

    /// The usual box [lo, hi] for each coordinate: where to plot and where to search.
    pub fn domain(&self) -> (f64, f64) {
        self.domain
    }

    /// The default starting point.
    pub fn start(&self) -> &[f64] {
        &self.start
    }

    fn check(&self, x: &[f64]) {
        assert_eq!(
            x.len(),
            self.dim,
            "{}: point has {} coordinates, function has {}",
            self.name,
            x.len(),
            self.dim
        );
    }

    /// f(x). Uses the plain-`f64` formula when there is one, else the engine.
    ///
    /// # Panics
    /// If `x.len()` is not the dimension.
    pub fn value(&self, x: &[f64]) -> f64 {
        self.check(x);
        match self.value {
            Some(v) => v(x),
            None => self.value_by_engine(x),
        }
    }

    /// f(x) evaluated on a tape (what the gradient methods see).
    pub fn value_by_engine(&self, x: &[f64]) -> f64 {
        self.check(x);
        let tape = crate::Tape::new();
        let y = (self.expr)(tape.constant(&Tensor::from_vec(x.to_vec(), [self.dim])));
        y.item()
    }

    /// f(x) and ∇f(x) by reverse mode.
    pub fn value_grad(&self, x: &[f64]) -> (f64, Vec<f64>) {
        self.check(x);
        let (v, g) = calculus::grad(
            |v| (self.expr)(v),
            &Tensor::from_vec(x.to_vec(), [self.dim]),
        );
        (v, g.data().to_vec())
    }

    /// The Hessian (row-major n×n) by reverse-over-forward mode.
    pub fn hessian(&self, x: &[f64]) -> Vec<f64> {
        self.check(x);
        calculus::hessian(
            |v| (self.expr)(v),
            &Tensor::from_vec(x.to_vec(), [self.dim]),
        )
        .data()
        .to_vec()
    }

    /// f, ∇f and the Hessian at x (the triple [`crate::optim::newton`] wants).
    pub fn value_grad_hessian(&self, x: &[f64]) -> (f64, Vec<f64>, Vec<f64>) {
        let (v, g) = self.value_grad(x);
        (v, g, self.hessian(x))
    }
}
