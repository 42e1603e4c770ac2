//! IPOP-CMA-ES (Auger & Hansen, 2005): restart CMA-ES with a doubled population each time
//! a run stops without reaching the target.
//!
//! A larger population smooths a multimodal landscape's local structure (the recombined mean
//! averages over many local basins), so on functions like Rastrigin, whose global structure
//! is a bowl, a large enough λ sees the bowl and finds the global minimum. Doubling finds
//! that λ within a few restarts without knowing it in advance.

use super::cmaes::{CmaError, CmaEs, StopReason};
use super::params::CmaParams;
use crate::rng::seeded;
use rand::Rng as _;

/// Settings of [`ipop`].
#[derive(Clone, Debug, PartialEq)]
pub struct IpopParams {
    /// Maximum number of restarts after the first run.
    pub restarts: usize,
    /// Factor on λ at each restart (2 in the paper).
    pub increase: f64,
    /// Total evaluation budget over all runs.
    pub max_evals: usize,
}

impl Default for IpopParams {
    fn default() -> Self {
        IpopParams {
            restarts: 9,
            increase: 2.0,
            max_evals: 2_000_000,
        }
    }
}

/// Where each run starts.
#[derive(Clone, Debug, PartialEq)]
pub enum Start {
    /// Every run from this point.
    Point(Vec<f64>),
    /// Each run from a uniformly random point of the box (the usual choice for restarts).
    Uniform { lower: Vec<f64>, upper: Vec<f64> },
}

/// One run of the restart sequence.
#[derive(Clone, Debug, PartialEq)]
pub struct RunSummary {
    pub popsize: usize,
    pub evaluations: usize,
    pub best_f: f64,
    pub stop: Vec<StopReason>,
}

/// What [`ipop`] returns.
#[derive(Clone, Debug, PartialEq)]
pub struct IpopResult {
    pub x: Vec<f64>,
    pub f: f64,
    /// Evaluations over all runs.
    pub evaluations: usize,
    pub runs: Vec<RunSummary>,
}

/// Minimises `f` by CMA-ES with IPOP restarts. `params.f_target` ends the sequence when
/// reached; `params.popsize` (or the default λ) is the first run's population.
///
/// ```
/// use gradus::evo::{ipop, CmaParams, IpopParams, Start};
/// // 2-D Rastrigin: many local minima, global minimum 0 at the origin.
/// let rastrigin = |x: &[f64]| {
///     20.0 + x.iter().map(|v| v * v - 10.0 * (2.0 * std::f64::consts::PI * v).cos()).sum::<f64>()
/// };
/// let params = CmaParams { f_target: Some(1e-8), ..CmaParams::default() };
/// let start = Start::Uniform { lower: vec![-5.12; 2], upper: vec![5.12; 2] };
/// let r = ipop(rastrigin, start, 2.0, params, &IpopParams::default(), 1).unwrap();
/// assert!(r.f < 1e-8, "{r:?}");
/// ```
pub fn ipop(
    mut f: impl FnMut(&[f64]) -> f64,
    start: Start,
    sigma0: f64,
    params: CmaParams,
    ipop: &IpopParams,
    seed: u64,
) -> Result<IpopResult, CmaError> {
    let mut rng = seeded(seed);
    let n = match &start {
        Start::Point(x) => x.len(),
        Start::Uniform { lower, .. } => lower.len(),
    };
    let mut popsize = params
        .popsize
        .unwrap_or_else(|| params.constants(n.max(1)).lambda);
    let mut result = IpopResult {
        x: Vec::new(),
        f: f64::INFINITY,
        evaluations: 0,
        runs: Vec::new(),
    };
    for run in 0..=ipop.restarts {
        let x0: Vec<f64> = match &start {
            Start::Point(x) => x.clone(),
            Start::Uniform { lower, upper } => lower
                .iter()
                .zip(upper)
                .map(|(&lo, &hi)| lo + (hi - lo) * rng.random::<f64>())
                .collect(),
        };
        let budget = ipop.max_evals.saturating_sub(result.evaluations);
        if budget == 0 {
            break;
        }
        let run_params = CmaParams {
            popsize: Some(popsize),
            max_evals: params.max_evals.min(budget),
            ..params.clone()
        };
        let run_seed = seed.wrapping_mul(1_000_003).wrapping_add(run as u64);
        let mut es = CmaEs::new(&x0, sigma0, run_params, run_seed)?;
        let stop = loop {
            let stop = es.stop();
            if !stop.is_empty() {
                break stop;
            }
            let xs = es.ask();
            let fs: Vec<f64> = xs.iter().map(|x| f(x)).collect();
            es.tell(&xs, &fs)?;
        };
        result.evaluations += es.evaluations();
        if es.best_f() < result.f {
            result.f = es.best_f();
            result.x = es.best_x().to_vec();
        }
        result.runs.push(RunSummary {
            popsize,
            evaluations: es.evaluations(),
            best_f: es.best_f(),
            stop: stop.clone(),
        });
        if stop.contains(&StopReason::FTarget) {
            break;
        }
        popsize = ((popsize as f64) * ipop.increase).round() as usize;
    }
    Ok(result)
}
