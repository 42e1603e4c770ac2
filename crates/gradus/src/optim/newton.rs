//! Damped Newton's method (Levenberg–Marquardt style) for small, smooth, full-batch problems.
//!
//! Each iteration solves (H + μ I) d = −g and moves to x + d if f decreases there. The
//! damping μ = λ·s, with s = max(1, maxᵢ |Hᵢᵢ|) so that λ is relative to the Hessian's scale,
//! interpolates between Newton's step (λ → 0: quadratic convergence near a minimum) and a
//! short gradient step d ≈ −g/μ (λ large: always a descent direction, and short enough to
//! decrease f). λ is multiplied by `lambda_up` when the step is rejected or H + μI is not
//! positive definite (Cholesky fails: H is indefinite, as on Rosenbrock far from its valley),
//! and by `lambda_down` after each accepted step, reaching exactly 0 (pure Newton) below
//! 1e-12 and restarting from 1e-8 when it must grow again. The linear solve is a dense Cholesky factorisation, O(n³): this is for the tens of
//! parameters of a course's comparison or a small calibration, not for networks.

use super::minimize::{norm, MinimizeResult, CONVERGED, MAX_ITER};

/// Settings of [`newton`].
///
/// ```
/// use gradus::optim::NewtonParams;
/// let p = NewtonParams { grad_tol: 1e-12, ..NewtonParams::default() };
/// assert_eq!((p.max_iter, p.lambda0), (100, 1e-3));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct NewtonParams {
    /// Maximum accepted steps.
    pub max_iter: usize,
    /// Stop when ‖g‖₂ ≤ `grad_tol` (absolute).
    pub grad_tol: f64,
    /// Initial relative damping λ.
    pub lambda0: f64,
    /// Factor on λ after a rejected step.
    pub lambda_up: f64,
    /// Factor on λ after an accepted step.
    pub lambda_down: f64,
    /// Give up when λ exceeds this (the step ≈ −g/(λ s) no longer decreases f: usually the
    /// limit of floating-point precision).
    pub lambda_max: f64,
}

impl Default for NewtonParams {
    fn default() -> Self {
        NewtonParams {
            max_iter: 100,
            grad_tol: 1e-10,
            lambda0: 1e-3,
            lambda_up: 10.0,
            lambda_down: 0.1,
            lambda_max: 1e10,
        }
    }
}

/// Minimises `f` from `x0` by damped Newton steps. `f(x)` returns the value, the gradient
/// and the Hessian (row-major n×n; it is symmetrised before use).
///
/// ```
/// use gradus::optim::{newton, NewtonParams};
/// // Rosenbrock f = (1 − x)² + 100 (y − x²)² with its exact gradient and Hessian.
/// let rosenbrock = |v: &[f64]| {
///     let (x, y) = (v[0], v[1]);
///     let f = (1.0 - x).powi(2) + 100.0 * (y - x * x).powi(2);
///     let g = vec![-2.0 * (1.0 - x) - 400.0 * x * (y - x * x), 200.0 * (y - x * x)];
///     let h = vec![2.0 - 400.0 * (y - 3.0 * x * x), -400.0 * x, -400.0 * x, 200.0];
///     (f, g, h)
/// };
/// let r = newton(rosenbrock, &[-1.5, 2.0], &NewtonParams::default());
/// assert!(r.converged, "{}", r.reason);
/// assert!((r.x[0] - 1.0).abs() < 1e-8 && (r.x[1] - 1.0).abs() < 1e-8);
/// ```
///
/// # Panics
/// If `f` returns a gradient or Hessian of the wrong size.
pub fn newton(
    mut f: impl FnMut(&[f64]) -> (f64, Vec<f64>, Vec<f64>),
    x0: &[f64],
    params: &NewtonParams,
) -> MinimizeResult {
    let n = x0.len();
    let mut evaluations = 0;
    let mut eval = |x: &[f64]| {
        evaluations += 1;
        let (fx, g, h) = f(x);
        assert!(
            g.len() == n && h.len() == n * n,
            "newton: for {n} variables the objective returned a gradient of {} and a Hessian \
             of {} elements (expected {n} and {})",
            g.len(),
            h.len(),
            n * n
        );
        let finite = fx.is_finite() && g.iter().chain(&h).all(|v| v.is_finite());
        (fx, g, h, finite)
    };
    let mut x = x0.to_vec();
    let (mut fx, mut g, mut h, finite) = eval(&x);
    let mut iterations = 0;
    if !finite {
        return MinimizeResult::non_finite_start(x, fx);
    }
    let mut lambda = params.lambda0;
    let (mut a, mut d, mut trial) = (vec![0.0; n * n], vec![0.0; n], vec![0.0; n]);
    let (converged, reason) = loop {
        if norm(&g) <= params.grad_tol {
            break (true, CONVERGED);
        }
        if iterations >= params.max_iter {
            break (false, MAX_ITER);
        }
        let scale = (0..n).map(|i| h[i * n + i].abs()).fold(1.0, f64::max);
        let accepted = loop {
            for i in 0..n {
                for j in 0..n {
                    a[i * n + j] = 0.5 * (h[i * n + j] + h[j * n + i]);
                }
                a[i * n + i] += lambda * scale;
                d[i] = -g[i];
            }
            if cholesky_solve(&mut a, n, &mut d) {
                for i in 0..n {
                    trial[i] = x[i] + d[i];
                }
                let (ft, gt, ht, finite) = eval(&trial);
                if finite && ft < fx {
                    (fx, g, h) = (ft, gt, ht);
                    std::mem::swap(&mut x, &mut trial);
                    lambda *= params.lambda_down;
                    if lambda < 1e-12 {
                        lambda = 0.0;
                    }
                    break true;
                }
            }
            lambda = (lambda * params.lambda_up).max(1e-8);
            if lambda > params.lambda_max {
                break false;
            }
        };
        if !accepted {
            break (false, "damping reached lambda_max without decreasing f");
        }
        iterations += 1;
    };
    MinimizeResult {
        x,
        f: fx,
        iterations,
        evaluations,
        converged,
        reason,
    }
}

/// Solves A x = b in place for symmetric positive definite A (row-major n×n, overwritten by
/// its Cholesky factor L in the lower triangle; b is overwritten by x). Returns false if A is
/// not numerically positive definite.
fn cholesky_solve(a: &mut [f64], n: usize, b: &mut [f64]) -> bool {
    for j in 0..n {
        let mut diag = a[j * n + j];
        for k in 0..j {
            diag -= a[j * n + k] * a[j * n + k];
        }
        if !(diag > 0.0 && diag.is_finite()) {
            return false;
        }
        let ljj = diag.sqrt();
        a[j * n + j] = ljj;
        for i in j + 1..n {
            let mut s = a[i * n + j];
            for k in 0..j {
                s -= a[i * n + k] * a[j * n + k];
            }
            a[i * n + j] = s / ljj;
        }
    }
    // L y = b, then Lᵀ x = y.
    for i in 0..n {
        let mut s = b[i];
        for k in 0..i {
            s -= a[i * n + k] * b[k];
        }
        b[i] = s / a[i * n + i];
    }
    for i in (0..n).rev() {
        let mut s = b[i];
        for k in i + 1..n {
            s -= a[k * n + i] * b[k];
        }
        b[i] = s / a[i * n + i];
    }
    true
}

#[cfg(test)]
mod tests {
    use super::cholesky_solve;

    #[test]
    fn cholesky_solves_and_rejects_indefinite() {
        // A = [[4, 2], [2, 3]], b = A·[1, −2] = [0, −4].
        let mut a = [4.0, 2.0, 2.0, 3.0];
        let mut b = [0.0, -4.0];
        assert!(cholesky_solve(&mut a, 2, &mut b));
        assert!((b[0] - 1.0).abs() < 1e-15 && (b[1] + 2.0).abs() < 1e-15);
        let mut a = [1.0, 2.0, 2.0, 1.0]; // eigenvalues 3 and −1
        assert!(!cholesky_solve(&mut a, 2, &mut [1.0, 1.0]));
    }
}
