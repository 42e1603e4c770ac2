//! Seeded random numbers. Every random choice in gradus takes one of these generators,
//! created from an explicit seed, so the same seed gives the same result on any machine.

use rand::SeedableRng;

/// The generator gradus uses: ChaCha8, portable and stable across `rand` releases
/// (unlike `StdRng`, whose algorithm may change).
pub type Rng = rand_chacha::ChaCha8Rng;

/// A generator from a seed.
pub fn seeded(seed: u64) -> Rng {
    Rng::seed_from_u64(seed)
}
