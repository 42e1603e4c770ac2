//! Copying between buffers without the 4K-aliasing stall.
//!
//! Why: on the Zen 3 machines we measure on, a forward copy whose destination lies just
//! above its source modulo 4096 bytes (d − s ≡ 16..64) runs ~16x slower: each load looks
//! like it may depend on a store still in flight to the same page offset. Buffers that
//! are allocated one after another from the heap land at exactly such offsets, and copying
//! the parameters onto the tape was 18% of tiny-mlp's step for that reason (16 KiB copied
//! in 6.8 µs instead of 0.42 µs). Copying such pairs block by block from the end removes
//! the false dependency (0.33 µs); other pairs go to `copy_from_slice` (memcpy).

/// Bytes within which a destination just above its source (modulo a page) is copied
/// backwards: a store buffer's reach.
const ALIAS_WINDOW: usize = 2048;

/// Elements per forward-copied block of a backwards copy.
const BLOCK: usize = 64;

/// `dst.copy_from_slice(src)`, avoiding the 4K-aliasing stall.
///
/// # Panics
/// If the lengths differ.
#[inline]
pub fn copy_into<T: Copy>(dst: &mut [T], src: &[T]) {
    assert_eq!(dst.len(), src.len(), "copy_into: lengths differ");
    let delta = (dst.as_ptr() as usize).wrapping_sub(src.as_ptr() as usize) & 4095;
    let bytes = std::mem::size_of_val(src);
    if bytes < 4096 || delta == 0 || delta >= ALIAS_WINDOW {
        dst.copy_from_slice(src);
        return;
    }
    let mut end = dst.len();
    while end > 0 {
        let start = end.saturating_sub(BLOCK);
        dst[start..end].copy_from_slice(&src[start..end]);
        end = start;
    }
}

/// A stack scratch buffer without the zero-fill: `[F::zero(); 512]` costs a 2–4 KiB
/// `memset` per call, which was 6% of tiny-mlp-f64's step for buffers the next loop
/// overwrites anyway.
pub(crate) type Scratch<F, const N: usize> = [std::mem::MaybeUninit<F>; N];

/// A fresh [`Scratch`] (uninitialised).
#[inline(always)]
pub(crate) fn scratch<F: Copy, const N: usize>() -> Scratch<F, N> {
    [std::mem::MaybeUninit::uninit(); N]
}

/// The first elements of a scratch buffer as values.
///
/// # Safety
/// Every element of `s` must have been written.
#[inline(always)]
pub(crate) unsafe fn written<F>(s: &[std::mem::MaybeUninit<F>]) -> &[F] {
    // SAFETY: MaybeUninit<F> has F's layout; the caller guarantees initialisation.
    unsafe { &*(s as *const [std::mem::MaybeUninit<F>] as *const [F]) }
}
