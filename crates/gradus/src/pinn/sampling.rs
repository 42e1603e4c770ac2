//! Collocation points: where the residual is evaluated.
//!
//! Four designs, all seeded: a grid, uniform random points, a Latin hypercube (each axis cut
//! into n strata with one point per stratum, so projections onto every axis are even) and a
//! Sobol sequence (low discrepancy in the whole cube). Sobol is our own small
//! implementation (Bratley & Fox's Gray-code construction with the direction numbers of Joe
//! & Kuo, 2008) because PINN domains have at most a handful of dimensions and the crates
//! offering it are either unmaintained or pull in large tables.

use rand::seq::SliceRandom;
use rand::Rng as _;

use super::domain::Domain;
use crate::rng::Rng;

/// How collocation points are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sampler {
    /// Cell-centred grid with ⌈n^(1/dim)⌉ points per axis (so possibly more than n points);
    /// when resampled, each point is jittered uniformly within its cell.
    Grid,
    Uniform,
    LatinHypercube,
    /// Sobol points; when resampled, a fresh random digital shift each time.
    Sobol,
}

impl Sampler {
    pub const NAMES: [&'static str; 4] = ["grid", "uniform", "lhs", "sobol"];

    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name.to_ascii_lowercase().as_str() {
            "grid" => Sampler::Grid,
            "uniform" | "random" => Sampler::Uniform,
            "lhs" | "latin-hypercube" => Sampler::LatinHypercube,
            "sobol" => Sampler::Sobol,
            _ => return None,
        })
    }

    pub fn name(&self) -> &'static str {
        match self {
            Sampler::Grid => "grid",
            Sampler::Uniform => "uniform",
            Sampler::LatinHypercube => "lhs",
            Sampler::Sobol => "sobol",
        }
    }

    /// About `n` points of `domain`, flattened row-major (`dim` numbers per point).
    /// `randomise` asks the deterministic designs (grid, Sobol) for a random variant, used
    /// when points are resampled every epoch; uniform and Latin hypercube always use `rng`.
    pub fn sample(&self, domain: &Domain, n: usize, randomise: bool, rng: &mut Rng) -> Vec<f64> {
        let d = domain.dim();
        let n = n.max(1);
        let unit: Vec<f64> = match self {
            Sampler::Grid => grid_unit(d, n, randomise.then_some(rng)),
            Sampler::Uniform => (0..n * d).map(|_| rng.random::<f64>()).collect(),
            Sampler::LatinHypercube => latin_hypercube(d, n, rng),
            Sampler::Sobol => {
                let shift: Vec<u32> = (0..d)
                    .map(|_| if randomise { rng.random() } else { 0 })
                    .collect();
                // Skip the first point (the origin) of the unshifted sequence: it sits on
                // the boundary.
                let mut pts = sobol(d, n + 1, &shift);
                pts.drain(..d);
                pts
            }
        };
        let mut out = Vec::with_capacity(unit.len());
        for p in unit.chunks_exact(d) {
            domain.from_unit(p, &mut out);
        }
        out
    }
}

fn grid_unit(d: usize, n: usize, mut jitter: Option<&mut Rng>) -> Vec<f64> {
    let m = (n as f64).powf(1.0 / d as f64).ceil() as usize;
    let total = m.pow(d as u32);
    let mut out = Vec::with_capacity(total * d);
    for k in 0..total {
        let mut rest = k;
        let mut idx = vec![0; d];
        for slot in idx.iter_mut().rev() {
            *slot = rest % m;
            rest /= m;
        }
        for i in idx {
            let offset = match jitter.as_deref_mut() {
                Some(r) => r.random::<f64>(),
                None => 0.5,
            };
            out.push((i as f64 + offset) / m as f64);
        }
    }
    out
}

/// One point per stratum [k/n, (k+1)/n) on every axis, the strata matched at random.
pub(crate) fn latin_hypercube(d: usize, n: usize, rng: &mut Rng) -> Vec<f64> {
    let mut out = vec![0.0; n * d];
    let mut perm: Vec<usize> = (0..n).collect();
    for j in 0..d {
        perm.shuffle(rng);
        for (i, &k) in perm.iter().enumerate() {
            out[i * d + j] = (k as f64 + rng.random::<f64>()) / n as f64;
        }
    }
    out
}

/// Degree s, coefficients a and initial direction numbers m of the primitive polynomials of
/// dimensions 2–6 (Joe & Kuo, new-joe-kuo-6.21201); dimension 1 is van der Corput's.
const JOE_KUO: [(u32, u32, &[u32]); 5] = [
    (1, 0, &[1]),
    (2, 1, &[1, 3]),
    (3, 1, &[1, 3, 1]),
    (3, 2, &[1, 1, 1]),
    (4, 1, &[1, 1, 1, 1]),
];

/// The first `n` points of the `d`-dimensional Sobol sequence (starting at the origin),
/// each coordinate's 32 bits XOR-ed with `shift[j]` (zero for the plain sequence).
///
/// # Panics
/// For more than 6 dimensions.
pub fn sobol(d: usize, n: usize, shift: &[u32]) -> Vec<f64> {
    assert!(
        d <= 1 + JOE_KUO.len(),
        "sobol: at most {} dimensions",
        1 + JOE_KUO.len()
    );
    const BITS: usize = 32;
    let directions: Vec<[u32; BITS]> = (0..d)
        .map(|j| {
            let mut v = [0u32; BITS];
            if j == 0 {
                for (k, vk) in v.iter_mut().enumerate() {
                    *vk = 1 << (BITS - 1 - k);
                }
                return v;
            }
            let (s, a, m0) = JOE_KUO[j - 1];
            let s = s as usize;
            let mut m = [0u32; BITS];
            m[..s].copy_from_slice(m0);
            for k in s..BITS {
                let mut mk = m[k - s] ^ (m[k - s] << s);
                for i in 1..s {
                    if (a >> (s - 1 - i)) & 1 == 1 {
                        mk ^= m[k - i] << i;
                    }
                }
                m[k] = mk;
            }
            for k in 0..BITS {
                v[k] = m[k] << (BITS - 1 - k);
            }
            v
        })
        .collect();
    let mut x = vec![0u32; d];
    let mut out = Vec::with_capacity(n * d);
    let scale = 1.0 / (1u64 << BITS) as f64;
    for i in 0..n {
        if i > 0 {
            // Gray code: flip the direction number of the lowest zero bit of i − 1.
            let c = (!(i - 1)).trailing_zeros() as usize;
            for (xj, v) in x.iter_mut().zip(&directions) {
                *xj ^= v[c.min(BITS - 1)];
            }
        }
        for (j, xj) in x.iter().enumerate() {
            out.push((xj ^ shift.get(j).copied().unwrap_or(0)) as f64 * scale);
        }
    }
    out
}
