//! Gathering rows of a data set into a batch buffer, on both threads when the batch is
//! large.
//!
//! Why: a mini-batch of wide-mlp (256 MNIST-sized rows picked at random from a 188 MB
//! training set) misses every cache level, row after row: ~150 µs on the calling thread
//! while the pool worker waits for the step's first product. Two threads with a half each
//! overlap their misses; in-process A/B over 400 alternating steps, the step was ~1%
//! faster (docs/PERFORMANCE.md). A copy is a copy: the result does not depend on the split.

use super::gemm::pair_pays_elementwise;
use crate::pool::run_both;

/// `dst` row r = `src` row `indices[r]`, rows of `row` elements.
///
/// # Panics
/// If `dst` does not hold `indices.len()` rows, or an index is out of range (naming it).
pub fn gather_rows<F: Copy + Send + Sync>(dst: &mut [F], src: &[F], row: usize, indices: &[usize]) {
    assert_eq!(
        dst.len(),
        indices.len() * row,
        "gather_rows: the output holds {} elements, {} rows of {row} need {}",
        dst.len(),
        indices.len(),
        indices.len() * row
    );
    if row == 0 {
        return;
    }
    let n_rows = src.len() / row;
    if let Some(&i) = indices.iter().find(|&&i| i >= n_rows) {
        panic!("gather_rows: row {i} is out of range for {n_rows} rows");
    }
    let copy = |dst: &mut [F], indices: &[usize]| {
        for (d, &i) in dst.chunks_exact_mut(row).zip(indices) {
            // The 4K-aliasing-safe copy: a batch row can land just above its source row
            // modulo a page (`copy.rs`).
            super::copy_into(d, &src[i * row..(i + 1) * row]);
        }
    };
    // Two threads from the same size as other element-wise passes: below it, the fork and
    // join (~1 µs) cost more than the second thread saves.
    if !pair_pays_elementwise(dst.len()) {
        copy(dst, indices);
        return;
    }
    let half = indices.len() / 2;
    let (lo, hi) = dst.split_at_mut(half * row);
    run_both([(lo, &indices[..half]), (hi, &indices[half..])], &|(
        d,
        idx,
    )| {
        copy(d, idx)
    });
}
