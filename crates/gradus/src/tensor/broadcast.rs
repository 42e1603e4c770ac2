//! Numpy-style broadcasting, as one index walk shared by forward kernels and by the
//! reductions that backward passes need (the gradient of a broadcast is a sum).

use super::shape::{Shape, MAX_RANK};

/// Calls `f(out_index, a_index, b_index)` for every element of `out`, where `a` and `b`
/// broadcast to `out`. Equal shapes and row broadcasts (bias add) take fast paths.
#[inline]
pub(crate) fn for_each_broadcast(
    out: Shape,
    a: Shape,
    b: Shape,
    mut f: impl FnMut(usize, usize, usize),
) {
    let n = out.numel();
    if a == out && b == out {
        for i in 0..n {
            f(i, i, i);
        }
        return;
    }
    if a == out && b.numel() == 1 {
        for i in 0..n {
            f(i, i, 0);
        }
        return;
    }
    if b == out && a.numel() == 1 {
        for i in 0..n {
            f(i, 0, i);
        }
        return;
    }
    // Row broadcast (a bias added to every row) and column broadcast (one value per row),
    // with `a` full-size: the two shapes of a dense layer and its derivatives.
    let (rows, cols) = out.as_matrix();
    if a == out && out.rank() >= 1 {
        if b.numel() == cols && b.dims().last() == Some(&cols) {
            for r in 0..rows {
                for c in 0..cols {
                    f(r * cols + c, r * cols + c, c);
                }
            }
            return;
        }
        if b.numel() == rows && b.dims().last() == Some(&1) && b.rank() == out.rank() {
            for r in 0..rows {
                for c in 0..cols {
                    f(r * cols + c, r * cols + c, r);
                }
            }
            return;
        }
    }
    let rank = out.rank();
    let mut dims = [1usize; MAX_RANK];
    let mut sa = [0usize; MAX_RANK];
    let mut sb = [0usize; MAX_RANK];
    // Right-align into four dimensions; a broadcast dimension gets stride 0.
    let shift = MAX_RANK - rank;
    let (mut stride_a, mut stride_b) = (1usize, 1usize);
    for i in (0..rank).rev() {
        let d = out.dims()[i];
        let da = a.aligned_dim(i, rank);
        let db = b.aligned_dim(i, rank);
        dims[i + shift] = d;
        sa[i + shift] = if da == 1 { 0 } else { stride_a };
        sb[i + shift] = if db == 1 { 0 } else { stride_b };
        stride_a *= da;
        stride_b *= db;
    }
    let mut o = 0;
    for i0 in 0..dims[0] {
        for i1 in 0..dims[1] {
            for i2 in 0..dims[2] {
                let base_a = i0 * sa[0] + i1 * sa[1] + i2 * sa[2];
                let base_b = i0 * sb[0] + i1 * sb[1] + i2 * sb[2];
                for i3 in 0..dims[3] {
                    f(o, base_a + i3 * sa[3], base_b + i3 * sb[3]);
                    o += 1;
                }
            }
        }
    }
}

/// `out[i] = f(a[ia], b[ib])` over the broadcast of `a` and `b` (whose shape `out` has).
#[inline]
pub(crate) fn binary_into<F: Copy>(
    out: &mut [F],
    out_shape: Shape,
    a: &[F],
    a_shape: Shape,
    b: &[F],
    b_shape: Shape,
    f: impl Fn(F, F) -> F,
) {
    if a_shape == out_shape && b_shape == out_shape {
        for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
            *o = f(x, y);
        }
        return;
    }
    // A row vector against a full matrix (a dense layer's bias): row by row, so that the
    // inner loop is a plain zip the compiler vectorises (the index walk below does not).
    let cols = out_shape.as_matrix().1;
    let is_row = |s: Shape| s.numel() == cols && s.dims().last() == Some(&cols);
    if cols > 0 && a_shape == out_shape && is_row(b_shape) {
        for (o, x) in out.chunks_exact_mut(cols).zip(a.chunks_exact(cols)) {
            for ((o, &x), &y) in o.iter_mut().zip(x).zip(b) {
                *o = f(x, y);
            }
        }
        return;
    }
    if cols > 0 && b_shape == out_shape && is_row(a_shape) {
        for (o, y) in out.chunks_exact_mut(cols).zip(b.chunks_exact(cols)) {
            for ((o, &x), &y) in o.iter_mut().zip(a).zip(y) {
                *o = f(x, y);
            }
        }
        return;
    }
    for_each_broadcast(out_shape, a_shape, b_shape, |o, ia, ib| {
        out[o] = f(a[ia], b[ib]);
    });
}

/// The broadcast shape of two operands, panicking with the op name if they do not broadcast.
pub(crate) fn broadcast_shape(op: &str, a: Shape, b: Shape) -> Shape {
    Shape::broadcast(a, b)
        .unwrap_or_else(|| panic!("{op}: shapes {a} and {b} do not broadcast to a common shape"))
}
