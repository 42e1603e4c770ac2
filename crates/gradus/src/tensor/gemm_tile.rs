//! A register-tiled AVX2 kernel for the small products of small networks: C (m × n) (+)= A·B
//! with B row-major and n a multiple of two vectors (16 f32 / 8 f64 columns).
//!
//! Why: tiny-mlp's step is three 16 × 64 × 64 products (forward, weight gradient, input
//! gradient) plus overhead. nano-gemm runs them with a 4 × 16 register tile: 8 accumulators,
//! fewer than the 10 independent FMA chains two FMA pipes of latency 5 need. This kernel
//! keeps a 6 × 16 tile (12 accumulators), streams B's 16-column strip once per 6 rows, and
//! broadcasts A's elements straight from memory, so it reads A with any strides (the weight
//! gradient's Aᵀ needs no copy). Chosen by measurement (docs/PERFORMANCE.md, "GEMM").

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::*;

use super::Float;

/// Rows of C per register tile.
const ROWS: usize = 6;

/// Whether [`product`] takes a product with `n` columns of this element type.
pub(super) fn fits<F: Float>(n: usize) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        let width = 64 / std::mem::size_of::<F>(); // two 256-bit vectors
        super::vmath::has_avx2() && n % width == 0 && (F::NAME == "f32" || F::NAME == "f64")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = n;
        false
    }
}

/// `dst (m × n, row-major) (+)= A·B`, A's element (i, p) at `a[i·a_rs + p·a_cs]`, B row-major
/// k × n.
///
/// # Safety
/// [`fits`] holds for `n`; every index reached lies inside the buffers; dst does not overlap
/// the operands.
#[allow(clippy::too_many_arguments)]
pub(super) unsafe fn product<F: Float>(
    (m, n, k): (usize, usize, usize),
    dst: *mut F,
    accumulate: bool,
    (a, a_rs, a_cs): (*const F, isize, isize),
    b: *const F,
) {
    #[cfg(target_arch = "x86_64")]
    unsafe {
        let shape = Shape {
            n,
            k,
            a_rs,
            a_cs,
            accumulate,
        };
        if F::NAME == "f32" {
            rows_f32(m, &shape, dst.cast(), a.cast(), b.cast())
        } else {
            rows_f64(m, &shape, dst.cast(), a.cast(), b.cast())
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (m, n, k, dst, accumulate, a, a_rs, a_cs, b);
}

/// What every tile of one product shares.
struct Shape {
    n: usize,
    k: usize,
    a_rs: isize,
    a_cs: isize,
    accumulate: bool,
}

/// One kernel per element type: the column strips, the row tiles (6, then the rest).
macro_rules! kernel {
    ($rows:ident, $tile:ident, $t:ty, $v:ty, $lanes:expr, $zero:ident, $load:ident,
     $store:ident, $bcast:ident, $fma:ident) => {
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2,fma")]
        unsafe fn $rows(m: usize, s: &Shape, dst: *mut $t, a: *const $t, b: *const $t) {
            for j in (0..s.n).step_by(2 * $lanes) {
                let (b, dst) = (b.add(j), dst.add(j));
                let mut i = 0;
                while i + ROWS <= m {
                    $tile::<ROWS>(s, dst.add(i * s.n), a.offset(i as isize * s.a_rs), b);
                    i += ROWS;
                }
                let (d, a) = (dst.add(i * s.n), a.offset(i as isize * s.a_rs));
                match m - i {
                    1 => $tile::<1>(s, d, a, b),
                    2 => $tile::<2>(s, d, a, b),
                    3 => $tile::<3>(s, d, a, b),
                    4 => $tile::<4>(s, d, a, b),
                    5 => $tile::<5>(s, d, a, b),
                    _ => {}
                }
            }
        }

        /// R rows × two vectors of C, accumulated over the whole inner dimension.
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2,fma")]
        #[inline]
        unsafe fn $tile<const R: usize>(s: &Shape, dst: *mut $t, a: *const $t, b: *const $t) {
            let mut acc = [[$zero(); 2]; R];
            if s.accumulate {
                for (r, row) in acc.iter_mut().enumerate() {
                    *row = [$load(dst.add(r * s.n)), $load(dst.add(r * s.n + $lanes))];
                }
            }
            for p in 0..s.k {
                let bp = b.add(p * s.n);
                let (b0, b1) = ($load(bp), $load(bp.add($lanes)));
                let ap = a.offset(p as isize * s.a_cs);
                for (r, row) in acc.iter_mut().enumerate() {
                    let x: $v = $bcast(&*ap.offset(r as isize * s.a_rs));
                    row[0] = $fma(x, b0, row[0]);
                    row[1] = $fma(x, b1, row[1]);
                }
            }
            for (r, row) in acc.iter().enumerate() {
                $store(dst.add(r * s.n), row[0]);
                $store(dst.add(r * s.n + $lanes), row[1]);
            }
        }
    };
}

kernel!(
    rows_f32,
    tile_f32,
    f32,
    __m256,
    8,
    _mm256_setzero_ps,
    _mm256_loadu_ps,
    _mm256_storeu_ps,
    _mm256_broadcast_ss,
    _mm256_fmadd_ps
);
kernel!(
    rows_f64,
    tile_f64,
    f64,
    __m256d,
    4,
    _mm256_setzero_pd,
    _mm256_loadu_pd,
    _mm256_storeu_pd,
    _mm256_broadcast_sd,
    _mm256_fmadd_pd
);
