//! The one numeric trait: gradus computes in `f32` or `f64`, nothing else.

use std::fmt::{Debug, Display};
use std::iter::Sum;
use std::ops::{AddAssign, DivAssign, MulAssign, SubAssign};

/// A floating-point element type: implemented for `f32` and `f64` only.
///
/// Everything generic in gradus is generic over this one trait (no macro-generated dtype
/// dispatch). It extends `num_traits::Float` with the few conversions we use everywhere.
pub trait Float:
    num_traits::Float
    + Default
    + Debug
    + Display
    + Send
    + Sync
    + 'static
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
    + Sum
    + super::vmath::VMath
{
    /// "f32" or "f64", for messages and file metadata.
    const NAME: &'static str;

    /// Converts a literal or an `f64` computation into this type (rounding for `f32`).
    fn of(x: f64) -> Self;

    /// Widens to `f64` (exact for both types).
    fn as_f64(self) -> f64;

    /// `dst = alpha·dst + beta·lhs·rhs` by nano-gemm's unpacked kernels (strides in
    /// elements). Typed per float because nano-gemm exposes one entry point per type.
    ///
    /// # Safety
    /// Every index reached through the dimensions and strides must lie inside the buffers.
    #[allow(clippy::too_many_arguments)]
    unsafe fn small_gemm(
        m: usize,
        n: usize,
        k: usize,
        dst: *mut Self,
        dst_strides: (isize, isize),
        lhs: *const Self,
        lhs_strides: (isize, isize),
        rhs: *const Self,
        rhs_strides: (isize, isize),
        alpha: Self,
        beta: Self,
    );
}

macro_rules! small_gemm_impl {
    ($execute:path) => {
        unsafe fn small_gemm(
            m: usize,
            n: usize,
            k: usize,
            dst: *mut Self,
            (dst_rs, dst_cs): (isize, isize),
            lhs: *const Self,
            (lhs_rs, lhs_cs): (isize, isize),
            rhs: *const Self,
            (rhs_rs, rhs_cs): (isize, isize),
            alpha: Self,
            beta: Self,
        ) {
            $execute(
                m, n, k, dst, dst_rs, dst_cs, lhs, lhs_rs, lhs_cs, rhs, rhs_rs, rhs_cs, alpha,
                beta, false, false,
            )
        }
    };
}

impl Float for f32 {
    const NAME: &'static str = "f32";
    #[inline(always)]
    fn of(x: f64) -> Self {
        x as f32
    }
    #[inline(always)]
    fn as_f64(self) -> f64 {
        self as f64
    }
    small_gemm_impl!(nano_gemm::planless::execute_f32);
}

impl Float for f64 {
    const NAME: &'static str = "f64";
    #[inline(always)]
    fn of(x: f64) -> Self {
        x
    }
    #[inline(always)]
    fn as_f64(self) -> f64 {
        self
    }
    small_gemm_impl!(nano_gemm::planless::execute_f64);
}
