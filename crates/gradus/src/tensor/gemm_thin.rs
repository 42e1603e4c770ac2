//! Direct kernels for the thin matrix products that packed GEMM handles badly: inner
//! dimension k ≤ 2 (the first layer of a network with one or two inputs, and its input
//! gradient: a rank-1 or rank-2 update), and matrix–vector products in axpy form (m = 1 or
//! n = 1 with the long operand's rows contiguous: the weight gradient of a scalar-output
//! layer or of a one-input layer). Dot-form matrix–vector products go to gemm's gemv.
//!
//! gemm packs operands into micro-panels and nano-gemm runs a register tile per small
//! block; for these shapes that set-up costs more than the arithmetic. Measured (f32, one
//! thread, docs/PERFORMANCE.md "GEMM"): 256×2×64 in 2.0–2.4 µs against gemm's 2.4–3.7 and
//! nano-gemm's 6.6–8.8; 1×512×32 in 0.7–0.9 µs against 2.3–2.6 and 1.4–1.6. Each kernel is
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

/// Output columns an axpy kernel keeps in registers across the whole inner dimension:
/// 4 (f32) or 8 (f64) 256-bit registers, enough independent FMA chains to hide latency.
const REG: usize = 32;

/// Whether `op(a) @ op(b)` is a matrix–vector product whose natural loop is a dot product
/// over a contiguous row (n = 1 with `a` not transposed, m = 1 with `b` transposed). gemm's
/// gemv kernels beat both a lane-split dot loop and nano-gemm there, so the dispatcher
/// sends these to gemm.
pub(super) fn is_dot_form<F>(a: &MatArg<'_, F>, b: &MatArg<'_, F>) -> bool {
    let (m, k) = a.logical();
    let n = b.logical().1;
    k > 2 && ((n == 1 && !a.transposed) || (m == 1 && b.transposed))
}

/// Computes `dst (m x n) = op(a) @ op(b)` (or `+=` when `accumulate`) if the product is
/// one this file handles (k ≤ 2, or m = 1 / n = 1 in axpy form) and returns true; returns
/// false, touching nothing, otherwise. Dimensions are checked by the caller
/// (`matmul_into`); m, n, k > 0.
pub(super) fn try_thin<F: Float>(
    dst: &mut [F],
    accumulate: bool,
    a: MatArg<'_, F>,
    b: MatArg<'_, F>,
) -> bool {
    let (m, k) = a.logical();
    let n = b.logical().1;
    if (k > 2 && m > 1 && n > 1) || is_dot_form(&a, &b) {
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
        // a is transposed (stored k x m; the other case is a dot form, see
        // `is_dot_form`), b a k-vector stored contiguously either way:
        // dst = Σ_p b[p]·(row p of the stored a).
        axpy_rows(dst, accumulate, a.data, &b.data[..k], fma);
    } else {
        // m == 1, b not transposed (stored k x n), a a contiguous k-vector:
        // dst = Σ_p a[p]·(row p of b).
        axpy_rows(dst, accumulate, b.data, &a.data[..k], fma);
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
    let mut gathered = [super::scratch::<F, BLOCK>(), super::scratch::<F, BLOCK>()];
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
                x0.write(pair[0]);
                x1.write(pair[1]);
            }
            // SAFETY: src holds 2w values, so the first w of each row were written.
            unsafe {
                (
                    super::written(&gathered[0][..w]),
                    super::written(&gathered[1][..w]),
                )
            }
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

/// `dst (+)= Σ_p v[p]·rows[p]` where `rows` holds `v.len()` contiguous rows of length
/// `dst.len()`. Each block of `REG` output columns is held in registers across all k rows
/// (one load and one FMA per element of `rows`); the remainder goes through L1.
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
    while j0 + REG <= len {
        let d: &mut [F; REG] = (&mut dst[j0..j0 + REG]).try_into().unwrap();
        let mut acc = if accumulate { *d } else { [F::zero(); REG] };
        for (p, &c) in v.iter().enumerate() {
            let row: &[F; REG] = rows[p * len + j0..p * len + j0 + REG].try_into().unwrap();
            for l in 0..REG {
                acc[l] = fma(c, row[l], acc[l]);
            }
        }
        *d = acc;
        j0 += REG;
    }
    if j0 < len {
        let d = &mut dst[j0..];
        for (p, &c) in v.iter().enumerate() {
            let row = &rows[p * len + j0..(p + 1) * len];
            if p == 0 && !accumulate {
                d.iter_mut().zip(row).for_each(|(d, &x)| *d = c * x);
            } else {
                d.iter_mut().zip(row).for_each(|(d, &x)| *d = fma(c, x, *d));
            }
        }
    }
}
