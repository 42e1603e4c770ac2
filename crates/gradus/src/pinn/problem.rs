//! The interface a differential equation implements to be solved by a network.
//!
//! A problem gives its domain, its residual written with gradus ops from u and u's
//! derivatives with respect to the inputs (`tape.partial`), and its boundary/initial
//! conditions twice: as a trial solution u = g(x) + d(x)·N(x) that satisfies them exactly
//! (hard), and as point sets with target values for penalty terms. The solver picks one
//! form by [`Constraint`]; docs/pinn.md walks through writing a new problem.

use super::domain::Domain;
use crate::autodiff::Var;
use crate::tensor::Float;

/// How boundary and initial conditions enter training.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Constraint {
    /// u = g + d·N: the conditions hold exactly for any network N.
    Hard,
    /// u = N, and `weight` × mean squared violation of each condition is added to the loss.
    Penalty { weight: f64 },
}

impl Constraint {
    pub fn name(&self) -> &'static str {
        match self {
            Constraint::Hard => "hard",
            Constraint::Penalty { .. } => "penalty",
        }
    }
}

/// A condition u(p) = v on a set of points (boundary or initial), for the penalty form.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    /// What it is ("u(0) = 1", "initial", ...), shown in reports.
    pub name: String,
    /// Points, flattened row-major (`dim` numbers each).
    pub points: Vec<f64>,
    /// Target values, one per point.
    pub values: Vec<f64>,
}

/// A trained solution as seen by reports and problem-specific metrics: values and partial
/// derivatives at points (flattened row-major), in `f64` whatever the training dtype.
pub trait Surrogate {
    fn values(&self, points: &[f64]) -> Vec<f64>;
    /// ∂u/∂(input column `column`) at the points.
    fn partial(&self, points: &[f64], column: usize) -> Vec<f64>;
}

/// A differential equation for a physics-informed network. Implemented for every [`Float`]
/// so that one problem trains in `f64` or `f32`.
pub trait Problem<F: Float> {
    /// Short name used on the command line.
    fn name(&self) -> &'static str;
    /// The equation and its conditions, in words (reports, `--help`).
    fn description(&self) -> String;
    fn domain(&self) -> Domain;
    /// The residual at the collocation points `x` (`[n, dim]`) of the solution `u`
    /// (`[n, 1]`, recorded as a function of `x`, so `tape.partial(u, x, j)` is ∂u/∂x_j).
    /// Scale it so that it is of order one where u is of order one.
    fn residual<'t>(&self, x: Var<'t, F>, u: Var<'t, F>) -> Var<'t, F>;
    /// The hard form g(x) + d(x)·n with g satisfying the conditions and d vanishing where
    /// they are imposed.
    fn trial<'t>(&self, x: Var<'t, F>, n: Var<'t, F>) -> Var<'t, F>;
    /// The conditions as point sets, for the penalty form.
    fn conditions(&self) -> Vec<Condition>;
    /// The exact solution at a point, when known.
    fn exact(&self, _point: &[f64]) -> Option<f64> {
        None
    }
    /// Typical size of N (the network's raw output is multiplied by it), so that the
    /// network itself works with numbers of order one.
    fn output_scale(&self) -> f64 {
        1.0
    }
    /// Further accuracy measures particular to the problem (name, value), such as the
    /// Black–Scholes price and delta errors.
    fn extra_metrics(&self, _solution: &dyn Surrogate) -> Vec<(String, f64)> {
        Vec::new()
    }
}
