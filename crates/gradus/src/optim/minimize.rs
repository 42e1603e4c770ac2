//! What the second-order minimisers return, and the small vector helpers they share.

/// The outcome of [`newton`](super::newton) or [`lbfgs`](super::lbfgs).
///
/// `converged` is true only when the gradient-norm test passed; otherwise `reason` says why
/// the method stopped (iteration limit, a line search or damping that could no longer
/// decrease f — usually the limit of floating-point precision — or a non-finite value), and
/// `x` is the best point found.
///
/// ```
/// use gradus::optim::{lbfgs, LbfgsParams};
/// // f(x) = (x₀ − 3)² + x₁²
/// let r = lbfgs(
///     |x| ((x[0] - 3.0).powi(2) + x[1] * x[1], vec![2.0 * (x[0] - 3.0), 2.0 * x[1]]),
///     &[0.0, 1.0],
///     &LbfgsParams::default(),
/// );
/// assert!(r.converged, "{}", r.reason);
/// assert!((r.x[0] - 3.0).abs() < 1e-8 && r.x[1].abs() < 1e-8);
/// assert!(r.f < 1e-15 && r.evaluations >= r.iterations);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct MinimizeResult {
    /// The final (best) point.
    pub x: Vec<f64>,
    /// f(x).
    pub f: f64,
    /// Accepted steps.
    pub iterations: usize,
    /// Calls of the objective.
    pub evaluations: usize,
    /// Whether the gradient norm fell below the tolerance.
    pub converged: bool,
    /// Why the method stopped.
    pub reason: &'static str,
}

pub(super) const CONVERGED: &str = "gradient norm below tolerance";
pub(super) const MAX_ITER: &str = "maximum number of iterations reached";
pub(super) const NON_FINITE_START: &str = "objective or gradient not finite at the starting point";

pub(super) fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

pub(super) fn norm(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

impl MinimizeResult {
    /// The result when the objective is not finite where the search starts: nothing moved.
    pub(super) fn non_finite_start(x: Vec<f64>, f: f64) -> Self {
        MinimizeResult {
            x,
            f,
            iterations: 0,
            evaluations: 1,
            converged: false,
            reason: NON_FINITE_START,
        }
    }
}
