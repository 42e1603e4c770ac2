//! How a matrix product big enough for threads is cut between them, along the longer side
//! of its output, in multiples of 16 rows or columns (gemm's register tile).
//!
//! With two threads the cut follows their measured speed. Why: on the shared virtual
//! machines we measure on, one vCPU is often slower than the other for seconds at a time
//! (a busy neighbour on its physical core). With even halves of wide-mlp's products the
//! faster thread then waits for the other: in one run the calling thread's half of the
//! 256 × 784 × 512 product took 1 594 µs against the worker's 1 287 µs, in the next run
//! of the same binary the worker's half was the slow one. After every split product the
//! calling thread's share moves a quarter of the way towards the share that would have
//! made both halves finish together.
//!
//! The cut does not change the numbers: gemm's inner blocking depends on k only, so every
//! element of the output is the same sum in the same order whichever block computes it
//! (tests/gemm.rs checks this bit for bit).

use std::ops::Range;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

/// Units of the calling thread's share of a two-way cut.
const ONE: u32 = 1 << 16;

/// The calling thread's share of the next two-way cut, in `1 / ONE`.
static CALLER_SHARE: AtomicU32 = AtomicU32::new(ONE / 2);

/// The learnt share stays in [1/5, 4/5]: a thread that was descheduled during one product
/// must not be starved of work for the next ones.
const MIN_SHARE: u32 = ONE / 5;
const MAX_SHARE: u32 = ONE - MIN_SHARE;

/// Rows or columns per register tile: blocks start at multiples of it.
const TILE: usize = 16;

/// The blocks of one split product.
pub(super) enum Cut {
    /// Two threads: block 0 (the calling thread) is `0..first`, block 1 `first..len`.
    Two {
        first: usize,
        len: usize,
        /// Nanoseconds each block took, for [`Cut::learn`].
        took: [AtomicU64; 2],
    },
    /// Any other thread count: equal blocks of `chunk`.
    Even { chunk: usize, len: usize },
}

impl Cut {
    /// The cut of `len` rows or columns for `threads` threads.
    pub(super) fn new(len: usize, threads: usize) -> Cut {
        if threads == 2 && len >= 2 * TILE {
            let share = CALLER_SHARE.load(Ordering::Relaxed) as usize;
            // The nearest tile boundary. Rounding up gave the calling thread up to a tile too
            // many on every cut: wide-mlp's 256 × 512 outputs came out at 240 columns for the
            // caller where the learnt share asked for ~232, its block 3–8% slower than the
            // worker's on all five products (~1% of the step, in-process A/B).
            let first = (len * share / ONE as usize + TILE / 2) / TILE * TILE;
            return Cut::Two {
                first: first.clamp(TILE, len - TILE),
                len,
                took: [AtomicU64::new(0), AtomicU64::new(0)],
            };
        }
        Cut::Even {
            chunk: len.div_ceil(threads.max(1)).next_multiple_of(TILE),
            len,
        }
    }

    pub(super) fn blocks(&self) -> usize {
        match self {
            Cut::Two { .. } => 2,
            Cut::Even { chunk, len } => len.div_ceil(*chunk),
        }
    }

    /// Runs `f` on the rows or columns of block `t` and, for a two-way cut, times it.
    pub(super) fn run(&self, t: usize, f: impl FnOnce(Range<usize>)) {
        match self {
            Cut::Two { first, len, took } => {
                let start = std::time::Instant::now();
                f(if t == 0 { 0..*first } else { *first..*len });
                took[t].store(start.elapsed().as_nanos() as u64, Ordering::Relaxed);
            }
            Cut::Even { chunk, len } => f((t * chunk).min(*len)..((t + 1) * chunk).min(*len)),
        }
    }

    /// Moves the calling thread's share a quarter of the way towards the share that would
    /// have made both blocks of this cut take equally long.
    pub(super) fn learn(&self) {
        let Cut::Two { first, len, took } = self else {
            return;
        };
        let (t0, t1) = (
            took[0].load(Ordering::Relaxed),
            took[1].load(Ordering::Relaxed),
        );
        if t0 == 0 || t1 == 0 {
            return;
        }
        // Rows (or columns) per nanosecond of each thread.
        let v0 = *first as f64 / t0 as f64;
        let v1 = (len - first) as f64 / t1 as f64;
        let balanced = v0 / (v0 + v1) * ONE as f64;
        let now = CALLER_SHARE.load(Ordering::Relaxed) as f64;
        let next = (now + (balanced - now) / 4.0).round() as u32;
        CALLER_SHARE.store(next.clamp(MIN_SHARE, MAX_SHARE), Ordering::Relaxed);
    }
}

/// Sets the calling thread's share of the next two-way cut (0 < share < 1; it is then
/// learnt again from the products' timings). For tests that check that the cut does not
/// change the numbers.
#[doc(hidden)]
pub fn set_caller_share(share: f64) {
    let units = (share.clamp(0.0, 1.0) * ONE as f64).round() as u32;
    CALLER_SHARE.store(units.clamp(1, ONE - 1), Ordering::Relaxed);
}
