//! A grid reference solver for the stochastic growth model, independent of any network:
//! the endogenous grid method (Carroll, 2006) on a grid of capital × log TFP, Gauss–Hermite
//! expectations over the AR(1) innovation, linear interpolation of log consumption in
//! (log K, log z).
//!
//! Why log–log: consumption is close to a power function of capital and TFP (exactly
//! c = (1 − αβ) z K^α for δ = 1 and log utility), so log c is nearly linear in (log K,
//! log z). Interpolating it there is far more accurate between grid points than linear
//! interpolation of c in levels, and — what matters at the grid's edges, where tomorrow's
//! z and K' leave the grid — its linear extrapolation stays accurate too (exact for δ = 1).
//!
//! Why EGM and not time iteration: with tomorrow's capital K' on the grid, the Euler
//! equation gives today's consumption in closed form (no root-finding per point), and
//! tomorrow's consumption at (K', z') needs interpolation only in z because K' is a grid
//! point. Today's capital then solves z K^α + (1 − δ) K = c + K' by a few Newton steps,
//! and consumption is interpolated back onto the fixed grid.

use serde::Serialize;

use super::{DeqnError, Quadrature};

/// The economics of the growth model.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct GrowthParams {
    pub alpha: f64,
    pub beta: f64,
    pub delta: f64,
    /// CRRA coefficient (1 = log utility).
    pub gamma: f64,
    pub rho: f64,
    pub sigma: f64,
}

impl GrowthParams {
    /// Deterministic steady-state capital: α K^(α−1) = 1/β − 1 + δ.
    pub fn steady_state(&self) -> f64 {
        (self.alpha / (1.0 / self.beta - 1.0 + self.delta)).powf(1.0 / (1.0 - self.alpha))
    }

    /// Wealth z K^α + (1 − δ) K.
    pub fn wealth(&self, k: f64, log_z: f64) -> f64 {
        log_z.exp() * k.powf(self.alpha) + (1.0 - self.delta) * k
    }

    /// Gross return on capital α z K^(α−1) + 1 − δ.
    pub fn gross_return(&self, k: f64, log_z: f64) -> f64 {
        self.alpha * log_z.exp() * k.powf(self.alpha - 1.0) + 1.0 - self.delta
    }
}

/// Grid sizes and tolerances.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct GridParams {
    /// Capital points, evenly spaced in log K on `k_range` (multiples of the steady state).
    pub nk: usize,
    pub k_range: (f64, f64),
    /// log z points, evenly spaced on ± `z_sd` unconditional standard deviations.
    pub nz: usize,
    pub z_sd: f64,
    /// Gauss–Hermite nodes for the innovation.
    pub nodes: usize,
    /// Stop when consumption changes by less than this (relative, sup norm).
    pub tol: f64,
    pub max_iter: usize,
}

impl Default for GridParams {
    fn default() -> Self {
        GridParams {
            nk: 1000,
            k_range: (0.5, 1.8),
            nz: 41,
            z_sd: 4.0,
            nodes: 10,
            tol: 1e-13,
            max_iter: 20_000,
        }
    }
}

/// Consumption on the grid, `c[j * nk + i]` at (k[i], log_z[j]).
#[derive(Clone, Debug, PartialEq)]
pub struct GridSolution {
    pub params: GrowthParams,
    pub k: Vec<f64>,
    pub log_z: Vec<f64>,
    pub c: Vec<f64>,
    pub iterations: usize,
    /// ln k and ln c, the coordinates the interpolation works in.
    log_k: Vec<f64>,
    log_c: Vec<f64>,
    quad: Quadrature,
}

/// Index of the interval of an increasing grid containing x, and the weight of its right
/// end (outside the grid: the end interval, extrapolating linearly).
fn locate(grid: &[f64], x: f64) -> (usize, f64) {
    let n = grid.len();
    let i = grid.partition_point(|&g| g <= x).clamp(1, n - 1) - 1;
    (i, (x - grid[i]) / (grid[i + 1] - grid[i]))
}

fn linspace(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| lo + (hi - lo) * i as f64 / (n - 1) as f64)
        .collect()
}

impl GridSolution {
    fn nk(&self) -> usize {
        self.k.len()
    }

    /// Consumption at any (K, log z): log c bilinear in (log K, log z), extrapolated
    /// linearly (in logs) outside the grid.
    pub fn consumption(&self, k: f64, log_z: f64) -> f64 {
        let (i, a) = locate(&self.log_k, k.ln());
        let (j, b) = locate(&self.log_z, log_z);
        let nk = self.nk();
        let at = |ii: usize, jj: usize| self.log_c[jj * nk + ii];
        ((1.0 - b) * ((1.0 - a) * at(i, j) + a * at(i + 1, j))
            + b * ((1.0 - a) * at(i, j + 1) + a * at(i + 1, j + 1)))
        .exp()
    }

    /// Capital tomorrow K' = W − c.
    pub fn k_next(&self, k: f64, log_z: f64) -> f64 {
        self.params.wealth(k, log_z) - self.consumption(k, log_z)
    }

    /// Savings rate K'/W (the DEQN's policy output).
    pub fn savings_rate(&self, k: f64, log_z: f64) -> f64 {
        self.k_next(k, log_z) / self.params.wealth(k, log_z)
    }

    /// Relative Euler error c̃/c − 1 at one state, tomorrow by interpolation.
    pub fn euler_error(&self, k: f64, log_z: f64) -> f64 {
        let p = &self.params;
        let c = self.consumption(k, log_z);
        let k1 = p.wealth(k, log_z) - c;
        let e = self.quad.integrate(|x| {
            let z1 = p.rho * log_z + x[0];
            self.consumption(k1, z1).powf(-p.gamma) * p.gross_return(k1, z1)
        });
        (p.beta * e).powf(-1.0 / p.gamma) / c - 1.0
    }

    /// Euler errors at every grid point.
    pub fn errors_on_grid(&self) -> Vec<f64> {
        let mut out = Vec::with_capacity(self.c.len());
        for &z in &self.log_z {
            for &k in &self.k {
                out.push(self.euler_error(k, z));
            }
        }
        out
    }

    /// Euler errors at the grid points with K in `k` and log z in `z` (e.g. the range a
    /// simulation visits: the grid's edges extrapolate tomorrow's z and K and are less
    /// accurate, but the ergodic set stays away from them).
    pub fn errors_on_grid_within(&self, k: (f64, f64), z: (f64, f64)) -> Vec<f64> {
        let mut out = Vec::new();
        for &zz in self.log_z.iter().filter(|&&v| v >= z.0 && v <= z.1) {
            for &kk in self.k.iter().filter(|&&v| v >= k.0 && v <= k.1) {
                out.push(self.euler_error(kk, zz));
            }
        }
        out
    }

    /// Euler errors at the midpoints between grid points (both directions): the error of
    /// the interpolated solution where the grid does not pin it.
    pub fn errors_between(&self) -> Vec<f64> {
        let mut out = Vec::new();
        for zw in self.log_z.windows(2) {
            for kw in self.k.windows(2) {
                out.push(self.euler_error(0.5 * (kw[0] + kw[1]), 0.5 * (zw[0] + zw[1])));
            }
        }
        out
    }
}

/// Solves the growth model by EGM. Errors if the grid is degenerate or the iteration does
/// not converge.
pub fn solve_egm(p: &GrowthParams, g: &GridParams) -> Result<GridSolution, DeqnError> {
    let bad = |reason: String| Err(DeqnError::InvalidConfig { reason });
    if g.nk < 2 || g.nz < 2 || g.nodes < 1 || !(g.k_range.0 > 0.0 && g.k_range.1 > g.k_range.0) {
        return bad(format!(
            "grid {g:?}: need nk, nz ≥ 2, nodes ≥ 1 and 0 < k_lo < k_hi"
        ));
    }
    let kss = p.steady_state();
    let log_k = linspace((g.k_range.0 * kss).ln(), (g.k_range.1 * kss).ln(), g.nk);
    let k: Vec<f64> = log_k.iter().map(|v| v.exp()).collect();
    let zmax = g.z_sd * p.sigma / (1.0 - p.rho * p.rho).sqrt();
    let log_z = linspace(-zmax, zmax, g.nz);
    let quad = Quadrature::gauss_hermite(g.nodes, p.sigma);
    let (nk, nz, nq) = (g.nk, g.nz, quad.len());
    // Tomorrow's z for every (today's z, node): interval and weight, fixed across iterations.
    let z_next: Vec<(usize, f64, f64)> = (0..nz * nq)
        .map(|jq| {
            let z1 = p.rho * log_z[jq / nq] + quad.nodes[jq % nq][0];
            let (j1, b) = locate(&log_z, z1);
            (j1, b, z1)
        })
        .collect();
    // Start: consume 70% of output (keeps K' > 0 for any δ). The iteration works on ln c.
    let mut c: Vec<f64> = (0..nz * nk)
        .map(|idx| (0.7 * log_z[idx / nk].exp() * k[idx % nk].powf(p.alpha)).ln())
        .collect();
    let mut log_k_endo = vec![0.0; nk];
    let mut log_c_endo = vec![0.0; nk];
    let mut c_new = vec![0.0; nz * nk];
    let mut guess = k.clone();
    for it in 1..=g.max_iter {
        for j in 0..nz {
            for (i, &k1) in k.iter().enumerate() {
                let mut e = 0.0;
                for q in 0..nq {
                    let (j1, b, z1) = z_next[j * nq + q];
                    // K' is a grid point: only z' is interpolated (ln c linear in log z).
                    let log_c1 = (1.0 - b) * c[j1 * nk + i] + b * c[(j1 + 1) * nk + i];
                    e += quad.weights[q] * (-p.gamma * log_c1).exp() * p.gross_return(k1, z1);
                }
                let ce = (p.beta * e).powf(-1.0 / p.gamma);
                if !(ce > 0.0 && ce.is_finite()) {
                    return bad(format!(
                        "EGM iteration {it}: consumption became {ce} at K' = {k1}; widen the capital grid"
                    ));
                }
                log_c_endo[i] = ce.ln();
                // Today's K: z K^α + (1 − δ) K = ce + K' (increasing in K: Newton converges).
                let w = ce + k1;
                let zz = log_z[j].exp();
                let mut x = guess[i].max(1e-12);
                for _ in 0..50 {
                    let f = zz * x.powf(p.alpha) + (1.0 - p.delta) * x - w;
                    let df = p.alpha * zz * x.powf(p.alpha - 1.0) + (1.0 - p.delta);
                    let step = f / df;
                    x = (x - step).max(0.5 * x);
                    if step.abs() <= 1e-15 * x {
                        break;
                    }
                }
                log_k_endo[i] = x.ln();
                guess[i] = x;
            }
            // ln c back on the fixed grid, linear in ln K (K_endo is increasing in K').
            for (i, &lk) in log_k.iter().enumerate() {
                let (a, t) = locate(&log_k_endo, lk);
                c_new[j * nk + i] = (1.0 - t) * log_c_endo[a] + t * log_c_endo[a + 1];
            }
        }
        // A change of ln c is the relative change of c.
        let diff = c
            .iter()
            .zip(&c_new)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        std::mem::swap(&mut c, &mut c_new);
        if !diff.is_finite() {
            return bad(format!("EGM diverged at iteration {it}"));
        }
        if diff < g.tol {
            return Ok(GridSolution {
                params: *p,
                k,
                log_z,
                c: c.iter().map(|v| v.exp()).collect(),
                iterations: it,
                log_k,
                log_c: c,
                quad,
            });
        }
    }
    bad(format!(
        "EGM did not converge to {} in {} iterations",
        g.tol, g.max_iter
    ))
}
