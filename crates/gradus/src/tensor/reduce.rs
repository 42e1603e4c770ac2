//! Reductions along one axis, as slice kernels shared by `Tensor` and the tape.
//! Every reduction keeps the reduced axis with extent 1, so results broadcast back.

use super::float::Float;
use super::shape::Shape;

/// `out[o, 0, i] = sum_j src[o, j, i]` (the reduced axis kept with extent 1).
pub(crate) fn sum_axis_into<F: Float>(out: &mut [F], src: &[F], shape: Shape, axis: usize) {
    let (outer, n, inner) = shape.around(axis);
    out.fill(F::zero());
    for o in 0..outer {
        let dst = &mut out[o * inner..(o + 1) * inner];
        for j in 0..n {
            let row = &src[(o * n + j) * inner..(o * n + j + 1) * inner];
            for (d, &s) in dst.iter_mut().zip(row) {
                *d += s;
            }
        }
    }
}

/// `out[o, 0, i] = max_j src[o, j, i]`.
pub(crate) fn max_axis_into<F: Float>(out: &mut [F], src: &[F], shape: Shape, axis: usize) {
    let (outer, n, inner) = shape.around(axis);
    for o in 0..outer {
        for i in 0..inner {
            let mut m = F::neg_infinity();
            for j in 0..n {
                let v = src[(o * n + j) * inner + i];
                if v > m || v.is_nan() {
                    m = v;
                }
            }
            out[o * inner + i] = m;
        }
    }
}

/// The index along `axis` of the first maximum, for each (outer, inner) position.
pub(crate) fn argmax_axis<F: Float>(
    src: &[F],
    shape: Shape,
    axis: usize,
    o: usize,
    i: usize,
) -> usize {
    let (_, n, inner) = shape.around(axis);
    let mut best = 0;
    let mut m = F::neg_infinity();
    for j in 0..n {
        let v = src[(o * n + j) * inner + i];
        if v > m {
            m = v;
            best = j;
        }
    }
    best
}

/// `out = 1` at the first maximum along `axis`, 0 elsewhere (same shape as `src`).
pub(crate) fn argmax_mask_into<F: Float>(out: &mut [F], src: &[F], shape: Shape, axis: usize) {
    let (outer, n, inner) = shape.around(axis);
    out.fill(F::zero());
    for o in 0..outer {
        for i in 0..inner {
            let j = argmax_axis(src, shape, axis, o, i);
            out[(o * n + j) * inner + i] = F::one();
        }
    }
}

/// The exponentials of every row of `z` (rows of `cols` elements), each shifted by its
/// row's maximum m, computed in one vectorised pass: calls `f(i, e, m, sum)` for row i with
/// e = exp(z_i − m) and sum = Σ e. Then softmax = e / sum and log Σ exp(z_i) = m + ln(sum),
/// both without overflow.
///
/// Why: libm's exp, one element at a time (and the gradient exponentiated every logit twice),
/// made the cross-entropy of wide-mlp's 256 × 10 logits take 17–21 µs forward and 33–40 µs
/// backward; with one vectorised exp per logit they take 11 and 12 µs (one thread, warm).
/// A row whose maximum is −∞ (all −∞) is shifted by 0 instead, so its sum is 0 and its
/// log-sum-exp −∞, as the unshifted formula gives.
pub(crate) fn exp_rows<F: Float>(z: &[F], cols: usize, mut f: impl FnMut(usize, &[F], F, F)) {
    if cols == 0 {
        return;
    }
    // Whole rows in blocks of about EXP_BLOCK elements: the scratch stays small (a softmax
    // over a large data set does not keep a copy of it alive per thread) and in L1/L2.
    let block_rows = (EXP_BLOCK / cols).max(1);
    let rows = z.len() / cols;
    let len = block_rows.min(rows) * cols;
    super::scratch::with_scratch::<F, _>(2 * len + block_rows, |buf| {
        let (e, rest) = buf.split_at_mut(len);
        let (shifted, maxima) = rest.split_at_mut(len);
        for (b, zb) in z[..rows * cols].chunks(block_rows * cols).enumerate() {
            let (e, shifted) = (&mut e[..zb.len()], &mut shifted[..zb.len()]);
            for ((s, zr), m) in shifted
                .chunks_exact_mut(cols)
                .zip(zb.chunks_exact(cols))
                .zip(maxima.iter_mut())
            {
                let top = zr
                    .iter()
                    .fold(F::neg_infinity(), |m, &v| if v > m { v } else { m });
                *m = if top == F::neg_infinity() {
                    F::zero()
                } else {
                    top
                };
                for (d, &v) in s.iter_mut().zip(zr) {
                    *d = v - *m;
                }
            }
            super::vmath::exp_into(e, shifted);
            for (i, (er, &m)) in e.chunks_exact(cols).zip(maxima.iter()).enumerate() {
                f(b * block_rows + i, er, m, er.iter().copied().sum());
            }
        }
    })
}

/// Elements per block of [`exp_rows`] (16 KiB of f32): enough for the vectorised exp to run
/// at full speed, small enough to stay in L1/L2 with its shifted copy.
const EXP_BLOCK: usize = 4096;

/// Numerically stable softmax over the last axis.
pub(crate) fn softmax_rows_into<F: Float>(out: &mut [F], src: &[F], shape: Shape) {
    let (_, cols) = shape.as_matrix();
    exp_rows(src, cols, |i, e, _, sum| {
        let inv = sum.recip();
        for (d, &v) in out[i * cols..(i + 1) * cols].iter_mut().zip(e) {
            *d = v * inv;
        }
    });
}

/// Numerically stable log-softmax over the last axis.
pub(crate) fn log_softmax_rows_into<F: Float>(out: &mut [F], src: &[F], shape: Shape) {
    let (_, cols) = shape.as_matrix();
    exp_rows(src, cols, |i, _, m, sum| {
        let lse = m + sum.ln();
        let range = i * cols..(i + 1) * cols;
        for (d, &v) in out[range.clone()].iter_mut().zip(&src[range]) {
            *d = v - lse;
        }
    });
}
