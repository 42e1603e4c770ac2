//! Portable random draws for data handling: uniform indices, shuffles, permutations and
//! uniform reals, all from gradus' seeded ChaCha8 generator.
//!
//! Why not `rand::seq::SliceRandom::shuffle` or `Rng::random_range`: `rand` reserves the
//! right to change the values its distributions and sequence helpers produce between
//! releases (and has done so), while ChaCha8's raw 64-bit stream is fixed by
//! `rand_chacha`. Building on `next_u64` alone keeps a split, a batch order or a sampled
//! data set identical for a given seed across `rand` releases, platforms and pointer
//! widths — a published result can be re-run years later.

use rand::RngCore;

use crate::rng::Rng;

/// A uniform integer in `0..bound`, unbiased (Lemire's multiply-and-reject method: one
/// 64-bit draw, a second only with probability below `bound / 2⁶⁴`).
///
/// Panics if `bound` is 0.
///
/// ```
/// let mut rng = gradus::rng::seeded(1);
/// let k = gradus::data::draw::below(&mut rng, 6);
/// assert!(k < 6);
/// ```
pub fn below(rng: &mut Rng, bound: u64) -> u64 {
    assert!(bound > 0, "draw::below: the bound must be at least 1");
    // Products whose low half falls below 2⁶⁴ mod bound would over-represent some
    // results; rejecting them leaves exactly ⌊2⁶⁴ / bound⌋ draws per result.
    let threshold = bound.wrapping_neg() % bound;
    loop {
        let m = u128::from(rng.next_u64()) * u128::from(bound);
        if (m as u64) >= threshold {
            return (m >> 64) as u64;
        }
    }
}

/// A uniform real in `[0, 1)` with 53 random bits (every representable multiple of 2⁻⁵³).
///
/// ```
/// let mut rng = gradus::rng::seeded(1);
/// let u = gradus::data::draw::uniform01(&mut rng);
/// assert!((0.0..1.0).contains(&u));
/// ```
pub fn uniform01(rng: &mut Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Shuffles `items` in place by Fisher–Yates: every order is equally likely.
///
/// ```
/// let mut v = vec![1, 2, 3, 4, 5];
/// gradus::data::draw::shuffle(&mut v, &mut gradus::rng::seeded(7));
/// v.sort();
/// assert_eq!(v, [1, 2, 3, 4, 5]);
/// ```
pub fn shuffle<T>(items: &mut [T], rng: &mut Rng) {
    for i in (1..items.len()).rev() {
        let j = below(rng, i as u64 + 1) as usize;
        items.swap(i, j);
    }
}

/// A uniformly random permutation of `0..n`.
///
/// ```
/// let p = gradus::data::draw::permutation(4, &mut gradus::rng::seeded(3));
/// let mut sorted = p.clone();
/// sorted.sort();
/// assert_eq!(sorted, [0, 1, 2, 3]);
/// ```
pub fn permutation(n: usize, rng: &mut Rng) -> Vec<usize> {
    let mut p: Vec<usize> = (0..n).collect();
    shuffle(&mut p, rng);
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn below_is_roughly_uniform() {
        let mut rng = crate::rng::seeded(0);
        let mut counts = [0usize; 3];
        for _ in 0..30_000 {
            counts[below(&mut rng, 3) as usize] += 1;
        }
        // Each count is Binomial(30000, 1/3): sd ≈ 82, so ±500 is over 6 sd.
        assert!(
            counts.iter().all(|&c| c.abs_diff(10_000) < 500),
            "{counts:?}"
        );
    }
}
