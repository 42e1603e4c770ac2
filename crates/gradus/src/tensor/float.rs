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
{
    /// "f32" or "f64", for messages and file metadata.
    const NAME: &'static str;

    /// Converts a literal or an `f64` computation into this type (rounding for `f32`).
    fn of(x: f64) -> Self;

    /// Widens to `f64` (exact for both types).
    fn as_f64(self) -> f64;
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
}
