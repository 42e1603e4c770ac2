//! L-BFGS (Liu & Nocedal, 1989): a quasi-Newton method that builds an approximation of the
//! inverse Hessian from the last `memory` steps s = x⁺ − x and gradient changes y = g⁺ − g.
//!
//! The direction d = −H g comes from the two-loop recursion (Nocedal & Wright, Algorithm 7.4)
//! with the initial scaling H₀ = (sᵀy / yᵀy) I, in O(memory · n) time and memory, so unlike
//! Newton it needs no Hessian and scales to many variables; on smooth problems it converges
//! superlinearly. The step length comes from a backtracking line search on the Armijo
//! condition f(x + α d) ≤ f(x) + c₁ α gᵀd, starting from α = 1 (which the scaling makes
//! usually acceptable) and shrinking by safeguarded quadratic interpolation. Armijo alone
//! does not guarantee the curvature condition sᵀy > 0 that keeps H positive definite, so a
//! pair with sᵀy ≤ 10⁻¹⁰ ‖s‖ ‖y‖ is skipped; if the line search still fails, the memory is
//! cleared and steepest descent tried once more before giving up.

use std::collections::VecDeque;

use super::minimize::{dot, norm, MinimizeResult, CONVERGED, MAX_ITER};

/// Settings of [`lbfgs`].
///
/// ```
/// use gradus::optim::LbfgsParams;
/// let p = LbfgsParams { memory: 5, ..LbfgsParams::default() };
/// assert_eq!((p.max_iter, p.grad_tol, p.c1), (1000, 1e-8, 1e-4));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct LbfgsParams {
    /// Number of (s, y) pairs kept.
    pub memory: usize,
    /// Maximum accepted steps.
    pub max_iter: usize,
    /// Stop when ‖g‖₂ ≤ `grad_tol` (absolute).
    pub grad_tol: f64,
    /// Armijo's sufficient-decrease constant c₁.
    pub c1: f64,
    /// Maximum trial points per line search.
    pub max_line_search: usize,
}

impl Default for LbfgsParams {
    fn default() -> Self {
        LbfgsParams {
            memory: 10,
            max_iter: 1000,
            grad_tol: 1e-8,
            c1: 1e-4,
            max_line_search: 40,
        }
    }
}

/// One remembered step: s, y and ρ = 1 / sᵀy.
struct Pair {
    s: Vec<f64>,
    y: Vec<f64>,
    rho: f64,
}

/// Minimises `f` from `x0` by L-BFGS. `f(x)` returns the value and the gradient.
///
/// ```
/// use gradus::optim::{lbfgs, LbfgsParams};
/// // Rosenbrock f = (1 − x)² + 100 (y − x²)²
/// let rosenbrock = |v: &[f64]| {
///     let (x, y) = (v[0], v[1]);
///     let f = (1.0 - x).powi(2) + 100.0 * (y - x * x).powi(2);
///     (f, vec![-2.0 * (1.0 - x) - 400.0 * x * (y - x * x), 200.0 * (y - x * x)])
/// };
/// let r = lbfgs(rosenbrock, &[-1.5, 2.0], &LbfgsParams::default());
/// assert!(r.converged, "{}", r.reason);
/// assert!((r.x[0] - 1.0).abs() < 1e-6 && (r.x[1] - 1.0).abs() < 1e-6);
/// ```
///
/// # Panics
/// If `f` returns a gradient of the wrong size.
pub fn lbfgs(
    mut f: impl FnMut(&[f64]) -> (f64, Vec<f64>),
    x0: &[f64],
    params: &LbfgsParams,
) -> MinimizeResult {
    let n = x0.len();
    let mut evaluations = 0;
    let mut eval = |x: &[f64]| {
        evaluations += 1;
        let (fx, g) = f(x);
        assert_eq!(
            g.len(),
            n,
            "lbfgs: for {n} variables the objective returned a gradient of {} elements",
            g.len()
        );
        let finite = fx.is_finite() && g.iter().all(|v| v.is_finite());
        (fx, g, finite)
    };
    let mut x = x0.to_vec();
    let (mut fx, mut g, finite) = eval(&x);
    let mut iterations = 0;
    if !finite {
        return MinimizeResult::non_finite_start(x, fx);
    }
    let memory = params.memory.max(1);
    let mut pairs: VecDeque<Pair> = VecDeque::with_capacity(memory);
    let mut alpha = vec![0.0; memory];
    let (mut d, mut trial) = (vec![0.0; n], vec![0.0; n]);
    let (converged, reason) = loop {
        let gnorm = norm(&g);
        if gnorm <= params.grad_tol {
            break (true, CONVERGED);
        }
        if iterations >= params.max_iter {
            break (false, MAX_ITER);
        }
        // Try the quasi-Newton direction; if its line search fails, forget the memory and
        // try steepest descent before giving up.
        let mut step = None;
        while step.is_none() {
            direction(&pairs, &g, &mut alpha, &mut d);
            let mut gd = dot(&g, &d);
            // Not a descent direction (or NaN): fall back to steepest descent.
            if gd.is_nan() || gd >= 0.0 {
                pairs.clear();
                direction(&pairs, &g, &mut alpha, &mut d);
                gd = -gnorm * gnorm;
            }
            // Without curvature information the first step has unit length.
            let a0 = if pairs.is_empty() {
                (1.0 / gnorm).min(1.0)
            } else {
                1.0
            };
            step = line_search(&mut eval, &x, fx, gd, &d, a0, params, &mut trial);
            if step.is_none() {
                if pairs.is_empty() {
                    break;
                }
                pairs.clear();
            }
        }
        let Some((ft, gt)) = step else {
            break (false, "line search could not decrease f");
        };
        // New pair s = x⁺ − x, y = g⁺ − g, reusing the oldest pair's buffers when full.
        let mut pair = if pairs.len() == memory {
            pairs.pop_front().expect("memory is at least 1")
        } else {
            Pair {
                s: vec![0.0; n],
                y: vec![0.0; n],
                rho: 0.0,
            }
        };
        for i in 0..n {
            pair.s[i] = trial[i] - x[i];
            pair.y[i] = gt[i] - g[i];
        }
        let sy = dot(&pair.s, &pair.y);
        if sy > 1e-10 * norm(&pair.s) * norm(&pair.y) {
            pair.rho = 1.0 / sy;
            pairs.push_back(pair);
        }
        std::mem::swap(&mut x, &mut trial);
        (fx, g) = (ft, gt);
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

/// d = −H g by the two-loop recursion over `pairs` (oldest first).
fn direction(pairs: &VecDeque<Pair>, g: &[f64], alpha: &mut [f64], d: &mut [f64]) {
    d.copy_from_slice(g);
    for (k, p) in pairs.iter().enumerate().rev() {
        alpha[k] = p.rho * dot(&p.s, d);
        for (di, yi) in d.iter_mut().zip(&p.y) {
            *di -= alpha[k] * yi;
        }
    }
    if let Some(newest) = pairs.back() {
        let gamma = dot(&newest.s, &newest.y) / dot(&newest.y, &newest.y);
        d.iter_mut().for_each(|di| *di *= gamma);
    }
    for (k, p) in pairs.iter().enumerate() {
        let beta = p.rho * dot(&p.y, d);
        for (di, si) in d.iter_mut().zip(&p.s) {
            *di += (alpha[k] - beta) * si;
        }
    }
    d.iter_mut().for_each(|di| *di = -*di);
}

/// Backtracking from α = `a0` until Armijo's condition holds; on success `trial` holds the
/// accepted point and the value and gradient there are returned.
#[allow(clippy::too_many_arguments)]
fn line_search(
    eval: &mut impl FnMut(&[f64]) -> (f64, Vec<f64>, bool),
    x: &[f64],
    fx: f64,
    gd: f64,
    d: &[f64],
    a0: f64,
    params: &LbfgsParams,
    trial: &mut [f64],
) -> Option<(f64, Vec<f64>)> {
    let mut a = a0;
    for _ in 0..params.max_line_search {
        for i in 0..x.len() {
            trial[i] = x[i] + a * d[i];
        }
        let (ft, gt, finite) = eval(trial);
        if finite && ft <= fx + params.c1 * a * gd {
            return Some((ft, gt));
        }
        // Minimiser of the quadratic through φ(0) = fx, φ'(0) = gd, φ(a) = ft, kept within
        // [0.1 a, 0.5 a] so the search neither stalls nor collapses (halving if ft is not finite).
        let next = -gd * a * a / (2.0 * (ft - fx - gd * a));
        a = if finite && next.is_finite() {
            next.clamp(0.1 * a, 0.5 * a)
        } else {
            0.5 * a
        };
    }
    None
}
