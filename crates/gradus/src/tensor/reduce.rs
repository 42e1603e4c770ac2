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

/// Numerically stable softmax over the last axis.
pub(crate) fn softmax_rows_into<F: Float>(out: &mut [F], src: &[F], shape: Shape) {
    let (_, cols) = shape.as_matrix();
    for (o, s) in out.chunks_exact_mut(cols).zip(src.chunks_exact(cols)) {
        let m = s.iter().fold(F::neg_infinity(), |m, &v| m.max(v));
        let mut total = F::zero();
        for (d, &v) in o.iter_mut().zip(s) {
            *d = (v - m).exp();
            total += *d;
        }
        let inv = total.recip();
        for d in o.iter_mut() {
            *d *= inv;
        }
    }
}

/// log(sum(exp(row))) computed stably.
#[inline]
pub(crate) fn log_sum_exp<F: Float>(row: &[F]) -> F {
    let m = row.iter().fold(F::neg_infinity(), |m, &v| m.max(v));
    if m == F::neg_infinity() {
        return m;
    }
    let s: F = row.iter().map(|&v| (v - m).exp()).sum();
    m + s.ln()
}

/// Numerically stable log-softmax over the last axis.
pub(crate) fn log_softmax_rows_into<F: Float>(out: &mut [F], src: &[F], shape: Shape) {
    let (_, cols) = shape.as_matrix();
    for (o, s) in out.chunks_exact_mut(cols).zip(src.chunks_exact(cols)) {
        let lse = log_sum_exp(s);
        for (d, &v) in o.iter_mut().zip(s) {
            *d = v - lse;
        }
    }
}
