//! Every constant of CMA-ES in one place: the user's settings ([`CmaParams`]) and the
//! strategy constants derived from them ([`CmaConstants`]), each with its formula.

/// Box constraints lower ≤ x ≤ upper (per coordinate; ±∞ allowed).
#[derive(Clone, Debug, PartialEq)]
pub struct Bounds {
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
}

impl Bounds {
    /// The same interval for each of `n` coordinates.
    pub fn uniform(n: usize, lower: f64, upper: f64) -> Self {
        Bounds {
            lower: vec![lower; n],
            upper: vec![upper; n],
        }
    }

    /// The nearest point of the box.
    pub fn clip(&self, x: &[f64]) -> Vec<f64> {
        x.iter()
            .zip(self.lower.iter().zip(&self.upper))
            .map(|(&v, (&lo, &hi))| v.clamp(lo, hi))
            .collect()
    }
}

/// Settings of [`CmaEs`](super::CmaEs): population, bounds and stopping tolerances.
/// Defaults follow pycma (version 3/4), so evaluation counts are comparable with it.
///
/// ```
/// use gradus::evo::CmaParams;
/// let p = CmaParams { f_target: Some(1e-8), ..CmaParams::default() };
/// assert_eq!(p.constants(10).lambda, 10); // 4 + ⌊3 ln 10⌋
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct CmaParams {
    /// Population size λ; `None` gives 4 + ⌊3 ln n⌋ (Hansen's default, good for unimodal
    /// functions; multimodal ones want more, which is what IPOP restarts provide).
    pub popsize: Option<usize>,
    /// Active covariance update: the worst half of each generation gets negative recombination
    /// weights, shrinking variance in directions that were bad (Jastrebski & Arnold, 2006).
    /// pycma's default; roughly halves the evaluations on ill-conditioned functions.
    pub active: bool,
    /// Stop ("tolfun") when all f values of the current generation and the best values of the
    /// last 10 + ⌈30 n / λ⌉ generations lie within this range.
    pub tolfun: f64,
    /// Stop ("tolx") when σ·√Cᵢᵢ and σ·|p_cᵢ| are below this in every coordinate.
    pub tolx: f64,
    /// Stop ("condition") when the condition number of C exceeds this: beyond ~10¹⁴ the
    /// eigendecomposition in double precision no longer resolves the small axes.
    pub tol_condition: f64,
    /// Stop ("maxevals") after this many function evaluations.
    pub max_evals: usize,
    /// Stop ("ftarget") as soon as a value ≤ this is seen.
    pub f_target: Option<f64>,
    /// Box constraints, or `None` for an unconstrained search. Candidates are clipped into
    /// the box before evaluation and penalised by their squared distance to it (see
    /// [`CmaEs::tell`](super::CmaEs::tell)).
    pub bounds: Option<Bounds>,
}

impl Default for CmaParams {
    fn default() -> Self {
        CmaParams {
            popsize: None,
            active: true,
            tolfun: 1e-11,
            tolx: 1e-11,
            tol_condition: 1e14,
            max_evals: 1_000_000,
            f_target: None,
            bounds: None,
        }
    }
}

impl CmaParams {
    /// The strategy constants for dimension `n`.
    pub fn constants(&self, n: usize) -> CmaConstants {
        CmaConstants::new(n, self.popsize, self.active)
    }
}

/// The strategy constants of CMA-ES for dimension n and population λ, from Hansen's tutorial
/// (arXiv:1604.00772, 2016, Table 1), as in pycma. They are derived, not tuned per problem;
/// they are public so a study can vary one.
#[derive(Clone, Debug, PartialEq)]
pub struct CmaConstants {
    /// Population size λ.
    pub lambda: usize,
    /// Parents μ = ⌊λ/2⌋.
    pub mu: usize,
    /// Recombination weights, best first: wᵢ ∝ ln((λ+1)/2) − ln i, the first μ positive
    /// and summing to 1; the rest negative (active CMA) or zero.
    pub weights: Vec<f64>,
    /// Variance-effective selection mass μ_eff = (Σ wᵢ)² / Σ wᵢ² over the positive weights.
    pub mueff: f64,
    /// Learning rate of the evolution path p_c: (4 + μ_eff/n) / (n + 4 + 2μ_eff/n).
    pub cc: f64,
    /// Learning rate of the step-size path p_σ: (μ_eff + 2) / (n + μ_eff + 3) (pycma's; the
    /// tutorial has + 5 in the denominator).
    pub cs: f64,
    /// Rank-one learning rate: 2 / ((n + 1.3)² + μ_eff).
    pub c1: f64,
    /// Rank-μ learning rate: min(1 − c₁, 2 (¼ + μ_eff − 2 + 1/μ_eff) / ((n + 2)² + μ_eff)).
    /// The ¼ offset is pycma's (since version 3; the tutorial has 0): a slightly faster
    /// rank-μ update for small populations, kept so evaluation counts compare like for like.
    pub cmu: f64,
    /// Step-size damping: 1 + 2 max(0, √((μ_eff − 1)/(n + 1)) − 1) + c_σ.
    pub damps: f64,
    /// E‖N(0, I)‖ ≈ √n (1 − 1/(4n) + 1/(21n²)).
    pub chi_n: f64,
}

impl CmaConstants {
    /// The constants for dimension `n`, population `popsize` (default 4 + ⌊3 ln n⌋) and
    /// with or without negative (active) weights.
    pub fn new(n: usize, popsize: Option<usize>, active: bool) -> Self {
        let nf = n as f64;
        let lambda = popsize
            .unwrap_or(4 + (3.0 * nf.ln()).floor() as usize)
            .max(2);
        let mu = lambda / 2;
        let raw: Vec<f64> = (1..=lambda)
            .map(|i| ((lambda as f64 + 1.0) / 2.0).ln() - (i as f64).ln())
            .collect();
        let pos_sum: f64 = raw[..mu].iter().sum();
        let mueff = pos_sum.powi(2) / raw[..mu].iter().map(|w| w * w).sum::<f64>();
        let c1 = 2.0 / ((nf + 1.3).powi(2) + mueff);
        let cmu =
            (1.0 - c1).min(2.0 * (0.25 + mueff - 2.0 + 1.0 / mueff) / ((nf + 2.0).powi(2) + mueff));
        let mut weights: Vec<f64> = raw.iter().map(|w| w / pos_sum).collect();
        let negative = &raw[mu..];
        if active && !negative.is_empty() && negative.iter().any(|&w| w < 0.0) {
            // Scale the negative weights so that they cannot make C lose positive
            // definiteness and so that their total is comparable to the positive one
            // (tutorial eq. 50–53).
            let neg_abs: f64 = negative.iter().map(|w| w.abs()).sum();
            let mueff_neg = neg_abs.powi(2) / negative.iter().map(|w| w * w).sum::<f64>();
            let alpha_mu = 1.0 + c1 / cmu;
            let alpha_mueff = 1.0 + 2.0 * mueff_neg / (mueff + 2.0);
            let alpha_posdef = (1.0 - c1 - cmu) / (nf * cmu);
            let scale = alpha_mu.min(alpha_mueff).min(alpha_posdef) / neg_abs;
            for (w, r) in weights[mu..].iter_mut().zip(negative) {
                *w = scale * r;
            }
        } else {
            weights[mu..].iter_mut().for_each(|w| *w = 0.0);
        }
        CmaConstants {
            lambda,
            mu,
            weights,
            mueff,
            cc: (4.0 + mueff / nf) / (nf + 4.0 + 2.0 * mueff / nf),
            cs: (mueff + 2.0) / (nf + mueff + 3.0),
            c1,
            cmu,
            damps: 1.0
                + 2.0 * (((mueff - 1.0) / (nf + 1.0)).sqrt() - 1.0).max(0.0)
                + (mueff + 2.0) / (nf + mueff + 3.0),
            chi_n: nf.sqrt() * (1.0 - 1.0 / (4.0 * nf) + 1.0 / (21.0 * nf * nf)),
        }
    }
}
