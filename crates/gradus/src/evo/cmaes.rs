//! CMA-ES, the covariance matrix adaptation evolution strategy (Hansen & Ostermeier 2001;
//! Hansen's tutorial, arXiv:1604.00772), behind an ask/tell interface as in pycma.
//!
//! Each generation samples λ points xₖ = m + σ B D zₖ, zₖ ~ N(0, I), where C = B D² Bᵀ.
//! After the caller ranks them, the mean moves to the weighted average of the best μ, C
//! learns from the evolution path p_c (rank-one update: the direction the mean has been
//! travelling) and from the selected steps themselves (rank-μ update; with active CMA also
//! away from the worst steps), and σ grows or shrinks as the path p_σ is longer or shorter
//! than under random selection (cumulative step-size adaptation, CSA). The
//! eigendecomposition of C is recomputed only every λ / (10 n (c₁ + c_μ)) evaluations,
//! which keeps the cost per evaluation O(n²) without changing the behaviour measurably.
//! The constants are in [`CmaParams`] and [`CmaConstants`].

// The updates are written with explicit indices, as in the papers' formulas: several
// vectors and matrices are read at the same index in each loop.
#![allow(clippy::needless_range_loop)]

use super::eigen::symmetric_eigen;
use super::params::{CmaConstants, CmaParams};
use crate::rng::{seeded, Rng};
use rand::Rng as _;
use rand_distr::StandardNormal;

/// Why a CMA-ES run stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StopReason {
    /// f values of recent generations span less than `tolfun`.
    TolFun,
    /// Every coordinate's standard deviation and p_c fell below `tolx`.
    TolX,
    /// The condition number of C passed `tol_condition`.
    Condition,
    /// The evaluation budget is spent.
    MaxEvals,
    /// A value at or below `f_target` was found.
    FTarget,
}

impl std::fmt::Display for StopReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StopReason::TolFun => "tolfun",
            StopReason::TolX => "tolx",
            StopReason::Condition => "condition",
            StopReason::MaxEvals => "maxevals",
            StopReason::FTarget => "ftarget",
        })
    }
}

/// A misuse of [`CmaEs`] that the caller can cause with data (not a programming slip
/// inside gradus).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CmaError {
    #[error("CMA-ES needs a start point with at least one coordinate")]
    EmptyStart,
    #[error("CMA-ES initial step size must be positive and finite, got {0}")]
    BadSigma(f64),
    #[error("CMA-ES population size must be at least 2, got {0}")]
    BadPopsize(usize),
    #[error("CMA-ES bounds have {got} coordinates (lower or upper) for a {n}-D problem, or a lower bound above its upper bound")]
    BadBounds { n: usize, got: usize },
    #[error("CMA-ES tell got {got} candidates/values, ask gave {expected}")]
    TellCount { expected: usize, got: usize },
}

/// The state of one CMA-ES run.
///
/// ```
/// use gradus::evo::{CmaEs, CmaParams, StopReason};
/// let params = CmaParams { f_target: Some(1e-10), ..CmaParams::default() };
/// let mut es = CmaEs::new(&[2.0; 5], 1.0, params, 7).unwrap();
/// while es.stop().is_empty() {
///     let xs = es.ask();
///     let fs: Vec<f64> = xs.iter().map(|x| x.iter().map(|v| v * v).sum()).collect();
///     es.tell(&xs, &fs).unwrap();
/// }
/// assert_eq!(es.stop(), vec![StopReason::FTarget]);
/// assert!(es.best_f() <= 1e-10 && es.evaluations() < 3000);
/// ```
pub struct CmaEs {
    params: CmaParams,
    k: CmaConstants,
    n: usize,
    mean: Vec<f64>,
    sigma: f64,
    /// Covariance matrix C (row-major).
    c: Vec<f64>,
    /// Eigenvectors of C (columns), and the square roots of its eigenvalues.
    b: Vec<f64>,
    d: Vec<f64>,
    pc: Vec<f64>,
    ps: Vec<f64>,
    /// Evaluation count at the last eigendecomposition.
    eigen_evals: usize,
    /// The unrepaired samples of the last ask, and their steps yₖ = (xₖ − m)/σ.
    asked: Vec<Vec<f64>>,
    steps: Vec<Vec<f64>>,
    generation: usize,
    evaluations: usize,
    best_x: Vec<f64>,
    best_f: f64,
    /// Best f of each generation (for tolfun).
    history: Vec<f64>,
    last_values: Vec<f64>,
    rng: Rng,
}

impl CmaEs {
    /// A run from mean `x0` with step size `sigma0` (about a quarter of the range where the
    /// optimum is expected), seeded.
    pub fn new(x0: &[f64], sigma0: f64, params: CmaParams, seed: u64) -> Result<Self, CmaError> {
        let n = x0.len();
        if n == 0 {
            return Err(CmaError::EmptyStart);
        }
        if !(sigma0 > 0.0 && sigma0.is_finite()) {
            return Err(CmaError::BadSigma(sigma0));
        }
        if let Some(p) = params.popsize {
            if p < 2 {
                return Err(CmaError::BadPopsize(p));
            }
        }
        if let Some(b) = &params.bounds {
            let bad = b.lower.len() != n
                || b.upper.len() != n
                || b.lower
                    .iter()
                    .zip(&b.upper)
                    .any(|(l, u)| l.partial_cmp(u).is_none_or(|o| o.is_gt()));
            if bad {
                return Err(CmaError::BadBounds {
                    n,
                    got: b.lower.len().min(b.upper.len()),
                });
            }
        }
        let k = params.constants(n);
        let mut identity = vec![0.0; n * n];
        for i in 0..n {
            identity[i * n + i] = 1.0;
        }
        Ok(CmaEs {
            k,
            n,
            mean: x0.to_vec(),
            sigma: sigma0,
            c: identity.clone(),
            b: identity,
            d: vec![1.0; n],
            pc: vec![0.0; n],
            ps: vec![0.0; n],
            eigen_evals: 0,
            asked: Vec::new(),
            steps: Vec::new(),
            generation: 0,
            evaluations: 0,
            best_x: x0.to_vec(),
            best_f: f64::INFINITY,
            history: Vec::new(),
            last_values: Vec::new(),
            rng: seeded(seed),
            params,
        })
    }

    /// λ new candidates (inside the bounds, if any), to be evaluated and passed to
    /// [`CmaEs::tell`] in the same order.
    pub fn ask(&mut self) -> Vec<Vec<f64>> {
        self.update_eigen();
        let n = self.n;
        self.asked.clear();
        self.steps.clear();
        let mut z = vec![0.0; n];
        for _ in 0..self.k.lambda {
            z.iter_mut()
                .for_each(|v| *v = self.rng.sample::<f64, _>(StandardNormal));
            // y = B (D ∘ z)
            let y: Vec<f64> = (0..n)
                .map(|i| (0..n).map(|j| self.b[i * n + j] * self.d[j] * z[j]).sum())
                .collect();
            let x: Vec<f64> = self
                .mean
                .iter()
                .zip(&y)
                .map(|(m, y)| m + self.sigma * y)
                .collect();
            self.asked.push(x);
            self.steps.push(y);
        }
        match &self.params.bounds {
            Some(b) => self.asked.iter().map(|x| b.clip(x)).collect(),
            None => self.asked.clone(),
        }
    }

    /// Updates the distribution from f at the candidates of the last [`CmaEs::ask`].
    ///
    /// With bounds, a candidate x that was clipped to x̃ is ranked by
    /// f(x̃) + γ‖x − x̃‖², with γ the generation's interquartile f range divided by
    /// σ² · mean(diag C): a distance of one typical step costs about as much as the spread
    /// of f, so the mean is pushed back inside without ignoring f. Non-finite values rank
    /// last. A candidate different from what was asked (injected by the caller) is used as
    /// given.
    pub fn tell(&mut self, candidates: &[Vec<f64>], values: &[f64]) -> Result<(), CmaError> {
        let (n, lambda) = (self.n, self.k.lambda);
        if candidates.len() != lambda || values.len() != lambda || self.asked.len() != lambda {
            return Err(CmaError::TellCount {
                expected: lambda,
                got: candidates.len().min(values.len()),
            });
        }
        self.evaluations += lambda;
        for (x, &f) in candidates.iter().zip(values) {
            if f < self.best_f {
                self.best_f = f;
                self.best_x = x.clone();
            }
        }
        // Raw points and steps: the asked sample when the caller evaluated its repair,
        // otherwise the caller's own point.
        for k in 0..lambda {
            let repaired = match &self.params.bounds {
                Some(b) => b.clip(&self.asked[k]),
                None => self.asked[k].clone(),
            };
            if candidates[k] != repaired {
                self.asked[k] = candidates[k].clone();
                self.steps[k] = (0..n)
                    .map(|i| (candidates[k][i] - self.mean[i]) / self.sigma)
                    .collect();
            }
        }
        let mut fitness: Vec<f64> = values
            .iter()
            .map(|&f| if f.is_nan() { f64::INFINITY } else { f })
            .collect();
        if let Some(b) = &self.params.bounds {
            let mut sorted = fitness.clone();
            sorted.sort_by(f64::total_cmp);
            let iqr = sorted[3 * lambda / 4] - sorted[lambda / 4];
            let mean_var = (0..n).map(|i| self.c[i * n + i]).sum::<f64>() / n as f64;
            let gamma = iqr.max(1e-300) / (self.sigma * self.sigma * mean_var).max(1e-300);
            for (fit, x) in fitness.iter_mut().zip(&self.asked) {
                let dist2: f64 = x.iter().zip(b.clip(x)).map(|(a, c)| (a - c).powi(2)).sum();
                *fit += gamma * dist2;
            }
        }
        let mut order: Vec<usize> = (0..lambda).collect();
        order.sort_by(|&i, &j| fitness[i].total_cmp(&fitness[j]));
        self.last_values = values.to_vec();
        let gen_best = values
            .iter()
            .copied()
            .filter(|v| !v.is_nan())
            .fold(f64::INFINITY, f64::min);
        self.history.push(gen_best);
        self.update(&order);
        Ok(())
    }

    fn update(&mut self, order: &[usize]) {
        let n = self.n;
        let k = &self.k;
        let w = &k.weights;
        // Weighted mean step y_w over the μ best (positive weights).
        let mut yw = vec![0.0; n];
        for (r, &idx) in order.iter().take(k.mu).enumerate() {
            for i in 0..n {
                yw[i] += w[r] * self.steps[idx][i];
            }
        }
        for i in 0..n {
            self.mean[i] += self.sigma * yw[i];
        }
        // p_σ ← (1 − c_σ) p_σ + √(c_σ (2 − c_σ) μ_eff) C^{-1/2} y_w
        let inv_sqrt_yw = self.inv_sqrt_c_times(&yw);
        let cs_fac = (k.cs * (2.0 - k.cs) * k.mueff).sqrt();
        for i in 0..n {
            self.ps[i] = (1.0 - k.cs) * self.ps[i] + cs_fac * inv_sqrt_yw[i];
        }
        let ps_norm = self.ps.iter().map(|v| v * v).sum::<f64>().sqrt();
        // h_σ stalls the p_c update while p_σ is long (σ just grew too small to follow a
        // fast-moving mean), which would otherwise blow up C along that direction.
        let t = (self.generation + 1) as f64;
        let hsig = ps_norm / (1.0 - (1.0 - k.cs).powf(2.0 * t)).sqrt() / k.chi_n
            < 1.4 + 2.0 / (n as f64 + 1.0);
        let hs = if hsig { 1.0 } else { 0.0 };
        let cc_fac = hs * (k.cc * (2.0 - k.cc) * k.mueff).sqrt();
        for i in 0..n {
            self.pc[i] = (1.0 - k.cc) * self.pc[i] + cc_fac * yw[i];
        }
        // C ← (1 + c₁δ − c₁ − c_μ Σw) C + c₁ p_c p_cᵀ + c_μ Σ w°ᵢ yᵢ yᵢᵀ, where the
        // negative weights are rescaled by n / ‖C^{-1/2} yᵢ‖² so that long bad steps
        // cannot remove more variance than a typical one.
        let delta = (1.0 - hs) * k.cc * (2.0 - k.cc);
        let wsum: f64 = w.iter().sum();
        let decay = 1.0 + k.c1 * delta - k.c1 - k.cmu * wsum;
        let mut wo: Vec<(f64, usize)> = Vec::with_capacity(order.len());
        for (r, &idx) in order.iter().enumerate() {
            let wr = w[r];
            if wr == 0.0 {
                continue;
            }
            let coef = if wr > 0.0 {
                wr
            } else {
                let z = self.inv_sqrt_c_times(&self.steps[idx]);
                let z2 = z.iter().map(|v| v * v).sum::<f64>().max(1e-300);
                wr * n as f64 / z2
            };
            wo.push((coef, idx));
        }
        for i in 0..n {
            for j in 0..=i {
                let mut rank_mu = 0.0;
                for &(coef, idx) in &wo {
                    rank_mu += coef * self.steps[idx][i] * self.steps[idx][j];
                }
                let v =
                    decay * self.c[i * n + j] + k.c1 * self.pc[i] * self.pc[j] + k.cmu * rank_mu;
                self.c[i * n + j] = v;
                self.c[j * n + i] = v;
            }
        }
        // CSA; the exponent is capped at 1 (as in pycma) so that one lucky generation
        // cannot multiply σ by more than e.
        let exponent = ((k.cs / k.damps) * (ps_norm / k.chi_n - 1.0)).min(1.0);
        self.sigma *= exponent.exp();
        self.generation += 1;
    }

    /// C^{-1/2} v = B D⁻¹ Bᵀ v with the current (possibly lazily stale) decomposition.
    fn inv_sqrt_c_times(&self, v: &[f64]) -> Vec<f64> {
        let n = self.n;
        let bt_v: Vec<f64> = (0..n)
            .map(|j| (0..n).map(|i| self.b[i * n + j] * v[i]).sum::<f64>() / self.d[j])
            .collect();
        (0..n)
            .map(|i| (0..n).map(|j| self.b[i * n + j] * bt_v[j]).sum())
            .collect()
    }

    fn update_eigen(&mut self) {
        let k = &self.k;
        let gap = k.lambda as f64 / ((k.c1 + k.cmu) * self.n as f64 * 10.0);
        if self.generation == 0 || (self.evaluations - self.eigen_evals) as f64 <= gap {
            return;
        }
        self.eigen_evals = self.evaluations;
        let (values, vectors) = symmetric_eigen(&self.c, self.n);
        let top = values.iter().copied().fold(0.0, f64::max).max(1e-300);
        // Rounding can make a tiny eigenvalue negative; keep C positive definite.
        self.d = values.iter().map(|&v| v.max(top * 1e-20).sqrt()).collect();
        self.b = vectors;
    }

    /// The stop criteria that hold now (empty while the run should go on).
    pub fn stop(&self) -> Vec<StopReason> {
        let p = &self.params;
        let n = self.n;
        let mut out = Vec::new();
        if let Some(target) = p.f_target {
            if self.best_f <= target {
                out.push(StopReason::FTarget);
            }
        }
        if self.evaluations >= p.max_evals {
            out.push(StopReason::MaxEvals);
        }
        if self.generation == 0 {
            return out;
        }
        let window = 10 + (30.0 * n as f64 / self.k.lambda as f64).ceil() as usize;
        if self.history.len() >= window {
            let recent = self.history[self.history.len() - window..]
                .iter()
                .chain(&self.last_values);
            let (lo, hi) = recent.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
            if hi - lo < p.tolfun {
                out.push(StopReason::TolFun);
            }
        }
        let small = (0..n).all(|i| {
            self.sigma * self.c[i * n + i].sqrt() < p.tolx && self.sigma * self.pc[i].abs() < p.tolx
        });
        if small {
            out.push(StopReason::TolX);
        }
        let (dmin, dmax) = self.d.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
        if (dmax / dmin).powi(2) > p.tol_condition {
            out.push(StopReason::Condition);
        }
        out
    }

    /// The distribution mean (the current estimate of the optimum).
    pub fn mean(&self) -> &[f64] {
        &self.mean
    }
    /// The step size σ.
    pub fn sigma(&self) -> f64 {
        self.sigma
    }
    /// The best point told so far and its value.
    pub fn best_x(&self) -> &[f64] {
        &self.best_x
    }
    pub fn best_f(&self) -> f64 {
        self.best_f
    }
    /// Function evaluations told so far.
    pub fn evaluations(&self) -> usize {
        self.evaluations
    }
    /// Completed generations.
    pub fn generation(&self) -> usize {
        self.generation
    }
    /// The strategy constants in use.
    pub fn constants(&self) -> &CmaConstants {
        &self.k
    }
    /// The condition number of C (at the last eigendecomposition).
    pub fn condition(&self) -> f64 {
        let (lo, hi) = self.d.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
        (hi / lo).powi(2)
    }
}

/// What [`minimize`] returns.
#[derive(Clone, Debug, PartialEq)]
pub struct CmaResult {
    pub x: Vec<f64>,
    pub f: f64,
    pub evaluations: usize,
    pub generations: usize,
    /// The criteria that fired (one or more).
    pub stop: Vec<StopReason>,
    /// The mean after each generation, starting with x0 (the path to draw).
    pub means: Vec<Vec<f64>>,
    /// (evaluations so far, best f so far) after each generation.
    pub progress: Vec<(usize, f64)>,
}

/// Minimises `f` from `x0` with step size `sigma0` by the ask/tell loop until a stop
/// criterion fires.
///
/// ```
/// use gradus::evo::{cmaes_minimize, CmaParams, StopReason};
/// let rosen = |x: &[f64]| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
/// let r = cmaes_minimize(rosen, &[-1.5, 2.0], 0.5, CmaParams::default(), 3).unwrap();
/// assert!(r.f < 1e-12 && (r.x[0] - 1.0).abs() < 1e-5, "{r:?}");
/// assert!(r.stop.contains(&StopReason::TolFun) || r.stop.contains(&StopReason::TolX));
/// ```
pub fn minimize(
    mut f: impl FnMut(&[f64]) -> f64,
    x0: &[f64],
    sigma0: f64,
    params: CmaParams,
    seed: u64,
) -> Result<CmaResult, CmaError> {
    let mut es = CmaEs::new(x0, sigma0, params, seed)?;
    let mut means = vec![x0.to_vec()];
    let mut progress = Vec::new();
    loop {
        let stop = es.stop();
        if !stop.is_empty() {
            return Ok(CmaResult {
                x: es.best_x().to_vec(),
                f: es.best_f(),
                evaluations: es.evaluations(),
                generations: es.generation(),
                stop,
                means,
                progress,
            });
        }
        let xs = es.ask();
        let fs: Vec<f64> = xs.iter().map(|x| f(x)).collect();
        es.tell(&xs, &fs)?;
        means.push(es.mean().to_vec());
        progress.push((es.evaluations(), es.best_f()));
    }
}
