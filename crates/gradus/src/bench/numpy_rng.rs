//! numpy's random streams, bit for bit, so `gradus bench` draws exactly the data, initial
//! weights and mini-batch orders that the peer scripts (PyTorch, JAX, scikit-learn) draw with
//! `numpy.random.default_rng(seed)` and scikit-learn's `train_test_split(random_state=0)`.
//!
//! Why reimplement instead of loading exported `.npy` files: the benchmark then needs no
//! Python and no 188 MB data file, and the tests pin the streams to values numpy printed.
//!
//! - [`Pcg64`]: `default_rng(seed)` = `SeedSequence(seed)` → PCG64 (XSL-RR 128/64), with
//!   numpy's buffered 32-bit draws (the upper half of a 64-bit draw is kept for the next call);
//! - [`Mt19937`]: the legacy `RandomState(seed)` (scikit-learn's `check_random_state`);
//! - the distributions used by the workloads: `random`/`uniform`, `standard_normal` (float64
//!   and float32 ziggurats), `integers` (Lemire's bounded method), `permutation`.

use super::ziggurat::{
    FI_DOUBLE, FI_FLOAT, KI_DOUBLE, KI_FLOAT, WI_DOUBLE, WI_FLOAT, ZIGGURAT_NOR_INV_R,
    ZIGGURAT_NOR_INV_R_F, ZIGGURAT_NOR_R, ZIGGURAT_NOR_R_F,
};

/// A bit generator as numpy's `bitgen_t` sees it.
pub trait BitGen {
    fn next_u64(&mut self) -> u64;
    fn next_u32(&mut self) -> u32;

    /// `next_double`: 53 random bits in [0, 1).
    fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / 9007199254740992.0)
    }

    /// `next_float`: 24 random bits in [0, 1).
    fn next_f32(&mut self) -> f32 {
        (self.next_u32() >> 8) as f32 * (1.0 / 16777216.0)
    }
}

// ---------------------------------------------------------------------------------------
// SeedSequence (numpy.random.bit_generator), pool size 4, for a single integer seed < 2^32
// ---------------------------------------------------------------------------------------

const INIT_A: u32 = 0x43b0_d7e5;
const MULT_A: u32 = 0x931e_8875;
const INIT_B: u32 = 0x8b51_f9dd;
const MULT_B: u32 = 0x58f3_8ded;
const MIX_MULT_L: u32 = 0xca01_f9dd;
const MIX_MULT_R: u32 = 0x4973_f715;
const XSHIFT: u32 = 16;
const POOL_SIZE: usize = 4;

fn hashmix(value: u32, hash_const: &mut u32) -> u32 {
    let mut v = value ^ *hash_const;
    *hash_const = hash_const.wrapping_mul(MULT_A);
    v = v.wrapping_mul(*hash_const);
    v ^ (v >> XSHIFT)
}

fn mix(x: u32, y: u32) -> u32 {
    let r = MIX_MULT_L
        .wrapping_mul(x)
        .wrapping_sub(MIX_MULT_R.wrapping_mul(y));
    r ^ (r >> XSHIFT)
}

/// `SeedSequence(seed).generate_state(n_words, uint32)` for a seed below 2^64.
fn seed_sequence_state(seed: u64, n_words: usize) -> Vec<u32> {
    // The entropy integer as little-endian 32-bit words (at least one word).
    let entropy: Vec<u32> = if seed >> 32 == 0 {
        vec![seed as u32]
    } else {
        vec![seed as u32, (seed >> 32) as u32]
    };
    let mut pool = [0u32; POOL_SIZE];
    let mut hc = INIT_A;
    for (i, p) in pool.iter_mut().enumerate() {
        *p = hashmix(entropy.get(i).copied().unwrap_or(0), &mut hc);
    }
    for i_src in 0..POOL_SIZE {
        for i_dst in 0..POOL_SIZE {
            if i_src != i_dst {
                let h = hashmix(pool[i_src], &mut hc);
                pool[i_dst] = mix(pool[i_dst], h);
            }
        }
    }
    // entropy longer than the pool does not occur for seeds < 2^64.
    let mut hb = INIT_B;
    (0..n_words)
        .map(|i| {
            let mut v = pool[i % POOL_SIZE] ^ hb;
            hb = hb.wrapping_mul(MULT_B);
            v = v.wrapping_mul(hb);
            v ^ (v >> XSHIFT)
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// PCG64
// ---------------------------------------------------------------------------------------

const PCG_MULT: u128 = 0x2360_ed05_1fc6_5da4_4385_df64_9fcc_f645;

/// numpy's `PCG64` bit generator (the one `default_rng` uses).
#[derive(Clone, Debug)]
pub struct Pcg64 {
    state: u128,
    inc: u128,
    /// numpy hands out 32-bit draws in halves of one 64-bit draw: low half first.
    pending_u32: Option<u32>,
}

impl Pcg64 {
    /// `numpy.random.default_rng(seed)`'s bit generator.
    pub fn default_rng(seed: u64) -> Self {
        let w = seed_sequence_state(seed, 8);
        let word = |k: usize| (w[2 * k] as u64) | ((w[2 * k + 1] as u64) << 32);
        let s = ((word(0) as u128) << 64) | word(1) as u128;
        let i = ((word(2) as u128) << 64) | word(3) as u128;
        let mut g = Pcg64 {
            state: 0,
            inc: (i << 1) | 1,
            pending_u32: None,
        };
        g.step();
        g.state = g.state.wrapping_add(s);
        g.step();
        g
    }

    fn step(&mut self) {
        self.state = self.state.wrapping_mul(PCG_MULT).wrapping_add(self.inc);
    }
}

impl BitGen for Pcg64 {
    fn next_u64(&mut self) -> u64 {
        self.step();
        let s = self.state;
        let rot = (s >> 122) as u32;
        (((s >> 64) as u64) ^ (s as u64)).rotate_right(rot)
    }

    fn next_u32(&mut self) -> u32 {
        if let Some(v) = self.pending_u32.take() {
            return v;
        }
        let v = self.next_u64();
        self.pending_u32 = Some((v >> 32) as u32);
        v as u32
    }
}

// ---------------------------------------------------------------------------------------
// MT19937 (legacy RandomState)
// ---------------------------------------------------------------------------------------

const MT_N: usize = 624;
const MT_M: usize = 397;

/// numpy's legacy `RandomState(seed)` generator (Mersenne Twister).
#[derive(Clone)]
pub struct Mt19937 {
    key: [u32; MT_N],
    pos: usize,
}

impl Mt19937 {
    /// `numpy.random.RandomState(seed)` for an integer seed below 2^32.
    pub fn new(seed: u32) -> Self {
        let mut key = [0u32; MT_N];
        let mut s = seed;
        for (pos, k) in key.iter_mut().enumerate() {
            *k = s;
            s = 1_812_433_253u32
                .wrapping_mul(s ^ (s >> 30))
                .wrapping_add(pos as u32 + 1);
        }
        Mt19937 { key, pos: MT_N }
    }

    fn generate(&mut self) {
        const UPPER: u32 = 0x8000_0000;
        const LOWER: u32 = 0x7fff_ffff;
        const MATRIX_A: u32 = 0x9908_b0df;
        let k = &mut self.key;
        for i in 0..MT_N {
            let y = (k[i] & UPPER) | (k[(i + 1) % MT_N] & LOWER);
            let mag = if y & 1 == 1 { MATRIX_A } else { 0 };
            k[i] = k[(i + MT_M) % MT_N] ^ (y >> 1) ^ mag;
        }
        self.pos = 0;
    }
}

impl BitGen for Mt19937 {
    fn next_u32(&mut self) -> u32 {
        if self.pos == MT_N {
            self.generate();
        }
        let mut y = self.key[self.pos];
        self.pos += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    fn next_u64(&mut self) -> u64 {
        ((self.next_u32() as u64) << 32) | self.next_u32() as u64
    }

    fn next_f64(&mut self) -> f64 {
        // legacy random_sample: 27 + 26 bits
        let a = (self.next_u32() >> 5) as f64;
        let b = (self.next_u32() >> 6) as f64;
        (a * 67108864.0 + b) / 9007199254740992.0
    }
}

// ---------------------------------------------------------------------------------------
// Distributions
// ---------------------------------------------------------------------------------------

/// `rng.uniform(low, high, size=n)` in float64.
pub fn uniform(g: &mut impl BitGen, low: f64, high: f64, n: usize) -> Vec<f64> {
    let range = high - low;
    (0..n).map(|_| low + range * g.next_f64()).collect()
}

/// One `standard_normal()` draw in float64 (numpy's 256-layer ziggurat).
pub fn standard_normal_f64(g: &mut impl BitGen) -> f64 {
    loop {
        let mut r = g.next_u64();
        let idx = (r & 0xff) as usize;
        r >>= 8;
        let sign = r & 1;
        let rabs = (r >> 1) & 0x000f_ffff_ffff_ffff;
        let mut x = rabs as f64 * WI_DOUBLE[idx];
        if sign == 1 {
            x = -x;
        }
        if rabs < KI_DOUBLE[idx] {
            return x;
        }
        if idx == 0 {
            loop {
                let xx = -ZIGGURAT_NOR_INV_R * (-g.next_f64()).ln_1p();
                let yy = -(-g.next_f64()).ln_1p();
                if yy + yy > xx * xx {
                    return if (rabs >> 8) & 1 == 1 {
                        -(ZIGGURAT_NOR_R + xx)
                    } else {
                        ZIGGURAT_NOR_R + xx
                    };
                }
            }
        } else if (FI_DOUBLE[idx - 1] - FI_DOUBLE[idx]) * g.next_f64() + FI_DOUBLE[idx]
            < (-0.5 * x * x).exp()
        {
            return x;
        }
    }
}

/// One `standard_normal(dtype=float32)` draw (numpy's float32 ziggurat on 32-bit draws).
pub fn standard_normal_f32(g: &mut impl BitGen) -> f32 {
    loop {
        let r = g.next_u32();
        let idx = (r & 0xff) as usize;
        let sign = (r >> 8) & 1;
        let rabs = (r >> 9) & 0x007f_ffff;
        let mut x = rabs as f32 * WI_FLOAT[idx];
        if sign == 1 {
            x = -x;
        }
        if rabs < KI_FLOAT[idx] {
            return x;
        }
        if idx == 0 {
            loop {
                let xx = -ZIGGURAT_NOR_INV_R_F * (-g.next_f32()).ln_1p();
                let yy = -(-g.next_f32()).ln_1p();
                if yy + yy > xx * xx {
                    return if (rabs >> 8) & 1 == 1 {
                        -(ZIGGURAT_NOR_R_F + xx)
                    } else {
                        ZIGGURAT_NOR_R_F + xx
                    };
                }
            }
        } else if (FI_FLOAT[idx - 1] - FI_FLOAT[idx]) * g.next_f32() + FI_FLOAT[idx]
            < (-0.5 * x * x).exp()
        {
            return x;
        }
    }
}

/// `rng.integers(0, high, size=n)` (int64 output, `high` ≤ 2^32): Lemire's multiply-shift
/// with rejection on 32-bit draws, as numpy's `random_bounded_uint64_fill`.
pub fn integers(g: &mut impl BitGen, high: u64, n: usize) -> Vec<u64> {
    assert!(
        (1..=1 << 32).contains(&high),
        "integers: high {high} out of range"
    );
    let rng = (high - 1) as u32;
    if rng == 0 {
        return vec![0; n];
    }
    let excl = rng as u64 + 1;
    (0..n)
        .map(|_| {
            let mut m = g.next_u32() as u64 * excl;
            let mut left = m as u32;
            if (left as u64) < excl {
                let threshold = (u32::MAX - rng) % (excl as u32);
                while left < threshold {
                    m = g.next_u32() as u64 * excl;
                    left = m as u32;
                }
            }
            m >> 32
        })
        .collect()
}

/// `random_interval(max)`: uniform on 0..=max by masked rejection.
fn random_interval(g: &mut impl BitGen, max: u64) -> u64 {
    if max == 0 {
        return 0;
    }
    let mut mask = max;
    for s in [1, 2, 4, 8, 16, 32] {
        mask |= mask >> s;
    }
    if max <= u32::MAX as u64 {
        loop {
            let v = (g.next_u32() as u64) & mask;
            if v <= max {
                return v;
            }
        }
    }
    loop {
        let v = g.next_u64() & mask;
        if v <= max {
            return v;
        }
    }
}

/// `rng.permutation(n)`: Fisher-Yates from the back, as numpy's `shuffle` (both the
/// Generator and the legacy RandomState use this loop).
pub fn permutation(g: &mut impl BitGen, n: usize) -> Vec<usize> {
    let mut p: Vec<usize> = (0..n).collect();
    permute_in_place(g, &mut p);
    p
}

/// Shuffles `p` in place exactly as `rng.shuffle(p)`.
pub fn permute_in_place(g: &mut impl BitGen, p: &mut [usize]) {
    for i in (1..p.len()).rev() {
        let j = random_interval(g, i as u64) as usize;
        p.swap(i, j);
    }
}
