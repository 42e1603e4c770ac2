//! A real-coded genetic algorithm, as in the course: a population of parameter vectors,
//! selection by tournament or by rank, crossover at a random cut, mutation either
//! multiplicative θ ← θ(1 + η) or additive Gaussian θ ← θ + η, and elitism.
//!
//! Why both mutations: the multiplicative one is scale-free (a weight of 10 and one of 0.01
//! both change by a few per cent, which suits network weights of unknown scale) but can never
//! move a gene away from exactly 0 or change its sign; the Gaussian one can, at a fixed
//! scale. Elitism copies the best individuals unchanged, so the best value never gets worse.

use super::params::Bounds;
use crate::rng::{seeded, Rng};
use rand::Rng as _;
use rand_distr::StandardNormal;

/// How parents are chosen.
#[derive(Clone, Debug, PartialEq)]
pub enum Selection {
    /// The best of `size` individuals drawn uniformly (with replacement). Larger tournaments
    /// select harder.
    Tournament { size: usize },
    /// Linear ranking: the individual of rank r (0 = best) among N is drawn with
    /// probability ∝ N − r. Unlike fitness-proportional selection it does not depend on the
    /// scale of f.
    Rank,
}

/// How a gene is mutated (each gene independently, with probability `mutation_rate`).
#[derive(Clone, Debug, PartialEq)]
pub enum Mutation {
    /// θ ← θ (1 + η), η ~ N(0, scale²).
    Multiplicative { scale: f64 },
    /// θ ← θ + η, η ~ N(0, sigma²).
    Gaussian { sigma: f64 },
}

/// Settings of [`ga_minimize`].
///
/// ```
/// use gradus::evo::{GaParams, Selection};
/// let p = GaParams { selection: Selection::Rank, ..GaParams::default() };
/// assert_eq!((p.population, p.elitism), (60, 2));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct GaParams {
    pub population: usize,
    pub generations: usize,
    pub selection: Selection,
    /// Probability that a pair of parents is crossed (otherwise copied).
    pub crossover_rate: f64,
    pub mutation: Mutation,
    /// Per-gene mutation probability.
    pub mutation_rate: f64,
    /// Best individuals copied unchanged into the next generation.
    pub elitism: usize,
    /// The box the first population is drawn from, uniformly.
    pub init: (f64, f64),
    /// Optional box constraints: offspring are clipped into it.
    pub bounds: Option<Bounds>,
    /// Stop as soon as a value ≤ this is found.
    pub f_target: Option<f64>,
}

impl Default for GaParams {
    fn default() -> Self {
        GaParams {
            population: 60,
            generations: 300,
            selection: Selection::Tournament { size: 3 },
            crossover_rate: 0.9,
            mutation: Mutation::Gaussian { sigma: 0.3 },
            mutation_rate: 0.2,
            elitism: 2,
            init: (-1.0, 1.0),
            bounds: None,
            f_target: None,
        }
    }
}

/// Settings a genetic algorithm cannot run with.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum GaError {
    #[error("GA needs a population of at least 2 and fewer elites than individuals (population {population}, elitism {elitism})")]
    Population { population: usize, elitism: usize },
    #[error("GA tournament size must be at least 1")]
    Tournament,
    #[error("GA needs at least one gene")]
    NoGenes,
    #[error("GA rate `{name}` must lie in [0, 1], got {value}")]
    Rate { name: &'static str, value: f64 },
}

/// What [`ga_minimize`] returns.
#[derive(Clone, Debug, PartialEq)]
pub struct GaResult {
    pub x: Vec<f64>,
    pub f: f64,
    pub generations: usize,
    pub evaluations: usize,
    /// Whether `f_target` was reached.
    pub reached_target: bool,
    /// (evaluations so far, best f so far) after each generation.
    pub progress: Vec<(usize, f64)>,
    /// The best individual after each generation (the path to draw).
    pub path: Vec<Vec<f64>>,
}

/// Minimises `f` over vectors of `n` genes.
///
/// ```
/// use gradus::evo::{ga_minimize, GaParams};
/// let sphere = |x: &[f64]| x.iter().map(|v| v * v).sum::<f64>();
/// let r = ga_minimize(sphere, 3, &GaParams::default(), 1).unwrap();
/// assert!(r.f < 1e-3, "{}", r.f);
/// ```
pub fn ga_minimize(
    mut f: impl FnMut(&[f64]) -> f64,
    n: usize,
    params: &GaParams,
    seed: u64,
) -> Result<GaResult, GaError> {
    let p = params;
    if n == 0 {
        return Err(GaError::NoGenes);
    }
    if p.population < 2 || p.elitism >= p.population {
        return Err(GaError::Population {
            population: p.population,
            elitism: p.elitism,
        });
    }
    if matches!(p.selection, Selection::Tournament { size: 0 }) {
        return Err(GaError::Tournament);
    }
    for (name, value) in [
        ("crossover_rate", p.crossover_rate),
        ("mutation_rate", p.mutation_rate),
    ] {
        if !(0.0..=1.0).contains(&value) {
            return Err(GaError::Rate { name, value });
        }
    }
    let mut rng = seeded(seed);
    let (lo, hi) = p.init;
    let mut pop: Vec<Vec<f64>> = (0..p.population)
        .map(|_| {
            (0..n)
                .map(|_| lo + (hi - lo) * rng.random::<f64>())
                .collect()
        })
        .collect();
    let mut fit: Vec<f64> = pop.iter().map(|x| clean(f(x))).collect();
    let mut evaluations = p.population;
    let (mut progress, mut path) = (Vec::new(), Vec::new());
    let mut generation = 0;
    loop {
        // Rank the population: order[0] is the best.
        let mut order: Vec<usize> = (0..pop.len()).collect();
        order.sort_by(|&i, &j| fit[i].total_cmp(&fit[j]));
        let best = order[0];
        progress.push((evaluations, fit[best]));
        path.push(pop[best].clone());
        let reached = p.f_target.is_some_and(|t| fit[best] <= t);
        if reached || generation >= p.generations {
            return Ok(GaResult {
                x: pop[best].clone(),
                f: fit[best],
                generations: generation,
                evaluations,
                reached_target: reached,
                progress,
                path,
            });
        }
        let mut next: Vec<Vec<f64>> = order[..p.elitism].iter().map(|&i| pop[i].clone()).collect();
        let mut next_fit: Vec<f64> = order[..p.elitism].iter().map(|&i| fit[i]).collect();
        while next.len() < p.population {
            let a = &pop[select(&p.selection, &order, &mut rng)];
            let b = &pop[select(&p.selection, &order, &mut rng)];
            let (mut c1, mut c2) = if n > 1 && rng.random::<f64>() < p.crossover_rate {
                // Cut between genes cut − 1 and cut, so both children mix both parents.
                let cut = rng.random_range(1..n);
                let c1 = a[..cut].iter().chain(&b[cut..]).copied().collect();
                let c2 = b[..cut].iter().chain(&a[cut..]).copied().collect();
                (c1, c2)
            } else {
                (a.clone(), b.clone())
            };
            for child in [&mut c1, &mut c2] {
                mutate(child, p, &mut rng);
                if let Some(bounds) = &p.bounds {
                    *child = bounds.clip(child);
                }
            }
            for child in [c1, c2] {
                if next.len() < p.population {
                    next_fit.push(clean(f(&child)));
                    evaluations += 1;
                    next.push(child);
                }
            }
        }
        pop = next;
        fit = next_fit;
        generation += 1;
    }
}

/// NaN ranks last.
fn clean(v: f64) -> f64 {
    if v.is_nan() {
        f64::INFINITY
    } else {
        v
    }
}

/// An index into the population, given `order` (indices sorted best first).
fn select(selection: &Selection, order: &[usize], rng: &mut Rng) -> usize {
    let n = order.len();
    match *selection {
        Selection::Tournament { size } => {
            // The best rank among `size` draws wins.
            let best_rank = (0..size).map(|_| rng.random_range(0..n)).min().unwrap_or(0);
            order[best_rank]
        }
        Selection::Rank => {
            // Weights N, N − 1, ..., 1; total N (N + 1) / 2.
            let total = n * (n + 1) / 2;
            let mut ticket = rng.random_range(0..total);
            for (r, &idx) in order.iter().enumerate() {
                let w = n - r;
                if ticket < w {
                    return idx;
                }
                ticket -= w;
            }
            order[n - 1]
        }
    }
}

fn mutate(x: &mut [f64], p: &GaParams, rng: &mut Rng) {
    for gene in x.iter_mut() {
        if rng.random::<f64>() >= p.mutation_rate {
            continue;
        }
        let eta: f64 = rng.sample(StandardNormal);
        match p.mutation {
            Mutation::Multiplicative { scale } => *gene *= 1.0 + scale * eta,
            Mutation::Gaussian { sigma } => *gene += sigma * eta,
        }
    }
}
