//! Kernels that move elements without arithmetic: narrowing, concatenation, transposition.

use super::shape::Shape;

/// Copies `src[.., start..start+len, ..]` (along `axis`) into `out`.
pub(crate) fn narrow_into<F: Copy>(
    out: &mut [F],
    src: &[F],
    shape: Shape,
    axis: usize,
    start: usize,
    len: usize,
) {
    let (outer, n, inner) = shape.around(axis);
    for o in 0..outer {
        let from = (o * n + start) * inner;
        out[o * len * inner..(o + 1) * len * inner].copy_from_slice(&src[from..from + len * inner]);
    }
}

/// Adds `grad` (shaped like the narrowed slice) back into `dst[.., start..start+len, ..]`.
pub(crate) fn narrow_backward<F: Copy + std::ops::AddAssign>(
    dst: &mut [F],
    grad: &[F],
    shape: Shape,
    axis: usize,
    start: usize,
    len: usize,
) {
    let (outer, n, inner) = shape.around(axis);
    for o in 0..outer {
        let to = (o * n + start) * inner;
        let g = &grad[o * len * inner..(o + 1) * len * inner];
        for (d, &v) in dst[to..to + len * inner].iter_mut().zip(g) {
            *d += v;
        }
    }
}

/// Writes the concatenation of `a` and `b` along `axis` into `out`.
pub(crate) fn concat2_into<F: Copy>(
    out: &mut [F],
    a: &[F],
    sa: Shape,
    b: &[F],
    sb: Shape,
    axis: usize,
) {
    let (outer, na, inner) = sa.around(axis);
    let (_, nb, _) = sb.around(axis);
    let (la, lb) = (na * inner, nb * inner);
    for o in 0..outer {
        let row = &mut out[o * (la + lb)..(o + 1) * (la + lb)];
        row[..la].copy_from_slice(&a[o * la..(o + 1) * la]);
        row[la..].copy_from_slice(&b[o * lb..(o + 1) * lb]);
    }
}

/// Transposes a `rows x cols` matrix into `out` (`cols x rows`).
pub(crate) fn transpose_into<F: Copy>(out: &mut [F], src: &[F], rows: usize, cols: usize) {
    for r in 0..rows {
        for c in 0..cols {
            out[c * rows + r] = src[r * cols + c];
        }
    }
}
