//! Out-of-place transpose of a row-major matrix, vectorised.
//!
//! Why: nano-gemm runs in place only when its left operand and output are column-major;
//! for dst = A·Bᵀ (every backward product g·Wᵀ of a small network) it otherwise copies
//! blocks through scratch one element at a time, 10% of tiny-mlp's step. Transposing B
//! once with 8×8 (f32) or 4×4 (f64) AVX2 register transposes costs a fraction of that and
//! lets the product run in place.

/// `dst (cols × rows) = srcᵀ` for a row-major `src` of `rows × cols`. Elements are moved,
/// never computed, so any 4- or 8-byte `Copy` type takes the vector path.
///
/// # Panics
/// If a slice is not `rows · cols` long.
pub(crate) fn transpose_into<T: Copy>(dst: &mut [T], src: &[T], rows: usize, cols: usize) {
    assert_eq!(
        src.len(),
        rows * cols,
        "transpose: source is not {rows}x{cols}"
    );
    assert_eq!(
        dst.len(),
        rows * cols,
        "transpose: destination is not {cols}x{rows}"
    );
    #[cfg(target_arch = "x86_64")]
    if super::vmath::has_avx2() {
        let size = std::mem::size_of::<T>();
        if size == 4 || size == 8 {
            // SAFETY: AVX2 is present (checked at run time); T is plain data of the size
            // the kernel moves, and both slices hold rows·cols elements.
            unsafe {
                if size == 4 {
                    avx2::blocks_f32(dst.as_mut_ptr().cast(), src.as_ptr().cast(), rows, cols)
                } else {
                    avx2::blocks_f64(dst.as_mut_ptr().cast(), src.as_ptr().cast(), rows, cols)
                }
            }
            let tile = if size == 4 { 8 } else { 4 };
            edges(dst, src, rows, cols, rows / tile * tile, cols / tile * tile);
            return;
        }
    }
    edges(dst, src, rows, cols, 0, 0);
}

/// The scalar transpose of every element outside the leading `full_rows × full_cols`
/// block (all of it when both are 0).
fn edges<T: Copy>(
    dst: &mut [T],
    src: &[T],
    rows: usize,
    cols: usize,
    full_rows: usize,
    full_cols: usize,
) {
    for i in 0..rows {
        let from = if i < full_rows { full_cols } else { 0 };
        for j in from..cols {
            dst[j * rows + i] = src[i * cols + j];
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;

    /// The whole 8×8 tiles of a row-major f32 matrix (unpack, shuffle, lane swap).
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn blocks_f32(dst: *mut f32, src: *const f32, rows: usize, cols: usize) {
        for i in (0..rows / 8 * 8).step_by(8) {
            for j in (0..cols / 8 * 8).step_by(8) {
                let r = |k: usize| _mm256_loadu_ps(src.add((i + k) * cols + j));
                let (r0, r1, r2, r3) = (r(0), r(1), r(2), r(3));
                let (r4, r5, r6, r7) = (r(4), r(5), r(6), r(7));
                let (t0, t1) = (_mm256_unpacklo_ps(r0, r1), _mm256_unpackhi_ps(r0, r1));
                let (t2, t3) = (_mm256_unpacklo_ps(r2, r3), _mm256_unpackhi_ps(r2, r3));
                let (t4, t5) = (_mm256_unpacklo_ps(r4, r5), _mm256_unpackhi_ps(r4, r5));
                let (t6, t7) = (_mm256_unpacklo_ps(r6, r7), _mm256_unpackhi_ps(r6, r7));
                let s0 = _mm256_shuffle_ps::<0x44>(t0, t2);
                let s1 = _mm256_shuffle_ps::<0xEE>(t0, t2);
                let s2 = _mm256_shuffle_ps::<0x44>(t1, t3);
                let s3 = _mm256_shuffle_ps::<0xEE>(t1, t3);
                let s4 = _mm256_shuffle_ps::<0x44>(t4, t6);
                let s5 = _mm256_shuffle_ps::<0xEE>(t4, t6);
                let s6 = _mm256_shuffle_ps::<0x44>(t5, t7);
                let s7 = _mm256_shuffle_ps::<0xEE>(t5, t7);
                let w = |k: usize, v: __m256| _mm256_storeu_ps(dst.add((j + k) * rows + i), v);
                w(0, _mm256_permute2f128_ps::<0x20>(s0, s4));
                w(1, _mm256_permute2f128_ps::<0x20>(s1, s5));
                w(2, _mm256_permute2f128_ps::<0x20>(s2, s6));
                w(3, _mm256_permute2f128_ps::<0x20>(s3, s7));
                w(4, _mm256_permute2f128_ps::<0x31>(s0, s4));
                w(5, _mm256_permute2f128_ps::<0x31>(s1, s5));
                w(6, _mm256_permute2f128_ps::<0x31>(s2, s6));
                w(7, _mm256_permute2f128_ps::<0x31>(s3, s7));
            }
        }
    }

    /// The whole 4×4 tiles of a row-major f64 matrix.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn blocks_f64(dst: *mut f64, src: *const f64, rows: usize, cols: usize) {
        for i in (0..rows / 4 * 4).step_by(4) {
            for j in (0..cols / 4 * 4).step_by(4) {
                let r = |k: usize| _mm256_loadu_pd(src.add((i + k) * cols + j));
                let (r0, r1, r2, r3) = (r(0), r(1), r(2), r(3));
                let (t0, t1) = (_mm256_unpacklo_pd(r0, r1), _mm256_unpackhi_pd(r0, r1));
                let (t2, t3) = (_mm256_unpacklo_pd(r2, r3), _mm256_unpackhi_pd(r2, r3));
                let w = |k: usize, v: __m256d| _mm256_storeu_pd(dst.add((j + k) * rows + i), v);
                w(0, _mm256_permute2f128_pd::<0x20>(t0, t2));
                w(1, _mm256_permute2f128_pd::<0x20>(t1, t3));
                w(2, _mm256_permute2f128_pd::<0x31>(t0, t2));
                w(3, _mm256_permute2f128_pd::<0x31>(t1, t3));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::transpose_into;

    #[test]
    fn every_shape_around_the_tile_sizes() {
        for rows in [1, 3, 4, 5, 8, 9, 16, 17, 30] {
            for cols in [1, 2, 4, 7, 8, 12, 16, 33] {
                let src32: Vec<f32> = (0..rows * cols).map(|v| v as f32).collect();
                let src64: Vec<f64> = (0..rows * cols).map(|v| v as f64 + 0.5).collect();
                let (mut d32, mut d64) = (vec![0f32; rows * cols], vec![0f64; rows * cols]);
                transpose_into(&mut d32, &src32, rows, cols);
                transpose_into(&mut d64, &src64, rows, cols);
                for i in 0..rows {
                    for j in 0..cols {
                        assert_eq!(d32[j * rows + i], src32[i * cols + j], "{rows}x{cols}");
                        assert_eq!(d64[j * rows + i], src64[i * cols + j], "{rows}x{cols}");
                    }
                }
            }
        }
    }
}
