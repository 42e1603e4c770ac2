//! Direct kernels for the thin matrix products that packed GEMM handles badly: inner
//! dimension k ≤ 2 (the first layer of a network with one or two inputs, and its input
//! gradient: a rank-1 or rank-2 update), and matrix–vector products (m = 1 or n = 1: a
//! scalar-output layer and its weight gradient).
//!
//! gemm packs both operands into micro-panels and nano-gemm runs a register tile per
//! 4×4 block; for these shapes that set-up costs more than the arithmetic (512×1×32:
//! nano-gemm 5.0 µs, gemm 1.8 µs, the loop below well under 1 µs). Each kernel here is
//! one pass over the output with unit-stride inner loops that LLVM vectorises; like
//! `vmath`, they are compiled a second time with AVX2+FMA and chosen at run time, so the
//! default build still runs on any x86-64. Nothing here allocates (operand columns that
//! must be gathered go through a fixed stack buffer), so a warm training step stays off
//! the heap.

use super::float::Float;
use super::gemm::MatArg;

/// Columns of the output handled per pass of the outer-product kernel: the gathered
/// columns of a transposed right operand fit in this stack buffer, and a block of this
/// width of every output row stays in L1 while it is updated.
const BLOCK: usize = 256;

/// Lanes of independent partial sums in a dot product: enough for LLVM to fill two
/// 256-bit FMA pipes with f32 and to hide their latency.
const LANES: usize = 16;

/// Computes `dst (m x n) = op(a) @ op(b)` (or `+=` when `accumulate`) if the product is
/// thin (k ≤ 2, m = 1 or n = 1) and returns true; returns false, touching nothing,
/// otherwise. Dimensions are checked by the caller (`matmul_into`); m, n, k > 0.
pub(super) fn try_thin<F: Float>(
    dst: &mut [F],
    accumulate: bool,
    a: MatArg<'_, F>,
    b: MatArg<'_, F>,
) -> bool {
    let (m, k) = a.logical();
    let n = b.logical().1;
    if k > 2 && m > 1 && n > 1 {
        return false;
    }
    #[cfg(target_arch = "x86_64")]
    if super::vmath::has_avx2() {
        // SAFETY: the CPU supports the enabled features (checked at run time).
        unsafe { thin_avx2(dst, accumulate, a, b, m, n, k) };
        return true;
    }
    thin_body(dst, accumulate, a, b, m, n, k, |x, y, z| x * y + z);
    true
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[allow(clippy::too_many_arguments)]
unsafe fn thin_avx2<F: Float>(
    dst: &mut [F],
    accumulate: bool,
    a: MatArg<'_, F>,
    b: MatArg<'_, F>,
    m: usize,
    n: usize,
    k: usize,
) {
    // With FMA enabled `mul_add` is one instruction; without it, a libm call, hence the
    // plain multiply-add in the portable copy.
    thin_body(dst, accumulate, a, b, m, n, k, F::mul_add)
}

/// Which kernel each thin shape goes to; `fma(x, y, z)` is `x·y + z`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn thin_body<F: Float>(
    dst: &mut [F],
    accumulate: bool,
    a: MatArg<'_, F>,
    b: MatArg<'_, F>,
    m: usize,
    n: usize,
    k: usize,
    fma: impl Fn(F, F, F) -> F + Copy,
) {
    if k <= 2 {
        outer(dst, accumulate, a, b, m, n, k, fma);
    } else if n == 1 {
        // b is a k-vector stored contiguously whether or not it is transposed.
        let v = &b.data[..k];
        if a.transposed {
            // a is stored k x m: dst = Σ_p v[p]·(row p of the stored a).
            axpy_rows(dst, accumulate, a.data, v, fma);
        } else {
            // a is stored m x k: dst[i] = (row i) · v.
            dot_rows(dst, accumulate, a.data, v, fma);
        }
    } else {
        // m == 1: a is a k-vector stored contiguously either way.
        let v = &a.data[..k];
        if b.transposed {
            // b is stored n x k: dst[j] = (row j) · v.
            dot_rows(dst, accumulate, b.data, v, fma);
        } else {
            // b is stored k x n: dst = Σ_p v[p]·(row p of b).
            axpy_rows(dst, accumulate, b.data, v, fma);
        }
    }
}

/// Rank-1 or rank-2 update: `dst[i, j] (+)= Σ_{p<k} a[i, p]·b[p, j]` for k ∈ {1, 2}.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn outer<F: Float>(
    dst: &mut [F],
    accumulate: bool,
    a: MatArg<'_, F>,
    b: MatArg<'_, F>,
    m: usize,
    n: usize,
    k: usize,
    fma: impl Fn(F, F, F) -> F + Copy,
) {
    let a_at = |i: usize, p: usize| {
        if a.transposed {
            a.data[p * m + i]
        } else {
            a.data[i * k + p]
        }
    };
    // Rows of op(b) are contiguous unless b is transposed with k = 2 (then its two rows
    // interleave); those are gathered block by block into the stack.
    let mut gathered = [[F::zero(); BLOCK]; 2];
    let mut j0 = 0;
    while j0 < n {
        let w = BLOCK.min(n - j0);
        let (b0, b1): (&[F], &[F]) = if !b.transposed || k == 1 {
            let row = |p: usize| &b.data[p * n + j0..p * n + j0 + w];
            (row(0), if k == 2 { row(1) } else { &[] })
        } else {
            let src = &b.data[2 * j0..2 * (j0 + w)];
            let [g0, g1] = &mut gathered;
            for ((pair, x0), x1) in src.chunks_exact(2).zip(g0.iter_mut()).zip(g1.iter_mut()) {
                *x0 = pair[0];
                *x1 = pair[1];
            }
            (&gathered[0][..w], &gathered[1][..w])
        };
        for i in 0..m {
            let d = &mut dst[i * n + j0..i * n + j0 + w];
            let c0 = a_at(i, 0);
            match (k, accumulate) {
                (1, false) => d.iter_mut().zip(b0).for_each(|(d, &x)| *d = c0 * x),
                (1, true) => d.iter_mut().zip(b0).for_each(|(d, &x)| *d = fma(c0, x, *d)),
                (_, false) => {
                    let c1 = a_at(i, 1);
                    d.iter_mut()
                        .zip(b0.iter().zip(b1))
                        .for_each(|(d, (&x, &y))| *d = fma(c1, y, c0 * x));
                }
                (_, true) => {
                    let c1 = a_at(i, 1);
                    d.iter_mut()
                        .zip(b0.iter().zip(b1))
                        .for_each(|(d, (&x, &y))| *d = fma(c1, y, fma(c0, x, *d)));
                }
            }
        }
        j0 += w;
    }
}

/// `dst[r] (+)= rows[r]·v` where `rows` holds `dst.len()` contiguous rows of length
/// `v.len()`.
#[inline(always)]
fn dot_rows<F: Float>(
    dst: &mut [F],
    accumulate: bool,
    rows: &[F],
    v: &[F],
    fma: impl Fn(F, F, F) -> F + Copy,
) {
    let k = v.len();
    for (r, d) in dst.iter_mut().enumerate() {
        let s = dot(&rows[r * k..(r + 1) * k], v, fma);
        *d = if accumulate { *d + s } else { s };
    }
}

/// Dot product with `LANES` independent partial sums, so the loop vectorises (a single
/// running sum is a serial dependency LLVM may not reorder).
#[inline(always)]
fn dot<F: Float>(x: &[F], y: &[F], fma: impl Fn(F, F, F) -> F + Copy) -> F {
    let mut acc = [F::zero(); LANES];
    let (xc, yc) = (x.chunks_exact(LANES), y.chunks_exact(LANES));
    let (xr, yr) = (xc.remainder(), yc.remainder());
    for (xs, ys) in xc.zip(yc) {
        for l in 0..LANES {
            acc[l] = fma(xs[l], ys[l], acc[l]);
        }
    }
    let mut tail = F::zero();
    for (&p, &q) in xr.iter().zip(yr) {
        tail = fma(p, q, tail);
    }
    // Pairwise reduction of the lanes.
    let mut width = LANES / 2;
    while width > 0 {
        for l in 0..width {
            acc[l] = acc[l] + acc[l + width];
        }
        width /= 2;
    }
    acc[0] + tail
}

/// `dst (+)= Σ_p v[p]·rows[p]` where `rows` holds `v.len()` contiguous rows of length
/// `dst.len()`. Blocked over the output so each block stays in L1 across all k rows.
#[inline(always)]
fn axpy_rows<F: Float>(
    dst: &mut [F],
    accumulate: bool,
    rows: &[F],
    v: &[F],
    fma: impl Fn(F, F, F) -> F + Copy,
) {
    let len = dst.len();
    let mut j0 = 0;
    while j0 < len {
        let w = BLOCK.min(len - j0);
        let d = &mut dst[j0..j0 + w];
        for (p, &c) in v.iter().enumerate() {
            let row = &rows[p * len + j0..p * len + j0 + w];
            if p == 0 && !accumulate {
                d.iter_mut().zip(row).for_each(|(d, &x)| *d = c * x);
            } else {
                d.iter_mut().zip(row).for_each(|(d, &x)| *d = fma(c, x, *d));
            }
        }
        j0 += w;
    }
}
