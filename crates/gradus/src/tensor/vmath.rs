//! Vectorisable eˣ, tanh and the logistic function over slices.
//!
//! Why: the standard library's scalar `tanh`/`exp` are calls into libm, one element at a
//! time; in a small-MLP training step they cost more than the matrix products (`tanh` alone
//! was ~65% of a hand-written step). These kernels are branch-free polynomial evaluations
//! that LLVM turns into SIMD loops, and on x86-64 they are compiled a second time with
//! AVX2+FMA enabled and picked at run time, so the default build stays portable.
//!
//! Accuracy (tests/vmath.rs checks it against `std` over wide ranges, extremes, ±∞, NaN):
//! - exp: Cody-Waite reduction x = n ln2 + r, |r| ≤ ln2/2, then Cephes' degree-6 polynomial
//!   (f32) or (3,4) Padé form (f64); ≤ 2 ulp for normal results. Results below the smallest
//!   normal number come out as the nearest subnormal of p·2ⁿ (a few ulp of the subnormal).
//! - tanh(x) = sign(x)·e/(e + 2) with e = expm1(2|x|) and the same reduction. f32: expm1 by
//!   a Taylor polynomial of degree 8, no cancellation for any x, ≤ 3 ulp. f64: exp's Padé
//!   form with both divisions folded into one (see `tanh_v`), 1.4–1.7× faster than a degree-13
//!   polynomial; ≤ 3 ulp on the test grid, ≤ 4 ulp on a dense scan of 0.1 < |x| < 0.7
//!   (about 1 point in 10⁴ reaches 4: for 0.17 < |x| < 0.55 the numerator loses a bit).
//! - σ(x) = 1/(1 + e^{-|x|}) for x ≥ 0 and e^{-|x|}/(1 + e^{-|x|}) otherwise; ≤ 3 ulp.
//!
//! The AVX2 compilation evaluates the reductions and polynomials with fused multiply-adds
//! (f64 tanh 3.04 → 1.93 ns per element, f32 1.17 → 0.79), the portable one with a separate
//! multiply and add (`mul_add` would be a libm call there). So the last bits differ between
//! CPUs with and without FMA, as they already do in the matrix products (gemm's kernels are
//! chosen the same way); on one machine a seed gives the same numbers. tests/vmath.rs holds
//! both compilations to the bounds above.

/// Kernels for one float type; implemented for `f32` and `f64` below.
/// `FUSED` selects fused multiply-adds for the polynomial steps (the AVX2+FMA compilation)
/// or a separate multiply and add (the portable one, where `mul_add` would be a libm call).
pub trait VMath: Sized + Copy {
    fn exp_v<const FUSED: bool>(x: Self) -> Self;
    fn tanh_v<const FUSED: bool>(x: Self) -> Self;
    fn sigmoid_v<const FUSED: bool>(x: Self) -> Self;
}

/// a·b + c, fused into one rounding when `FUSED`.
macro_rules! ma {
    ($fused:ident, $a:expr, $b:expr, $c:expr) => {
        if $fused {
            ($a).mul_add($b, $c)
        } else {
            $a * $b + $c
        }
    };
}

macro_rules! select {
    ($c:expr, $a:expr, $b:expr) => {
        if $c {
            $a
        } else {
            $b
        }
    };
}

impl VMath for f32 {
    #[inline(always)]
    fn exp_v<const F: bool>(x: f32) -> f32 {
        const HI: f32 = 88.722_84; // above: +inf (ln of f32::MAX ≈ 88.7228391)
        const LO: f32 = -103.972_08; // below: 0 (exp rounds to zero)
        let xc = x.clamp(LO, HI);
        let (n, ni) = round_f32(xc * std::f32::consts::LOG2_E);
        let r = ma!(F, n, 2.121_944_4e-4, ma!(F, n, -0.693_359_4, xc));
        let mut p: f32 = 1.987_569_1e-4;
        for c in [
            1.398_2e-3,
            8.333_452e-3,
            4.166_579_6e-2,
            1.666_666_5e-1,
            0.5,
        ] {
            p = ma!(F, p, r, c);
        }
        let e = ma!(F, p, r * r, r) + 1.0;
        let y = e * pow2_f32(ni >> 1) * pow2_f32(ni - (ni >> 1));
        let y = select!(x > HI, f32::INFINITY, y);
        let y = select!(x < LO, 0.0, y);
        select!(x.is_nan(), x, y)
    }

    #[inline(always)]
    fn tanh_v<const F: bool>(x: f32) -> f32 {
        // 2|x| ≤ 40: tanh(9) already rounds to 1 in f32.
        let y = (2.0 * x.abs()).min(40.0);
        let e = expm1_f32::<F>(y);
        let t = (e / (e + 2.0)).copysign(x);
        select!(x.is_nan(), x, t)
    }

    #[inline(always)]
    fn sigmoid_v<const F: bool>(x: f32) -> f32 {
        let e = Self::exp_v::<F>(-x.abs());
        let s = 1.0 / (1.0 + e);
        select!(x >= 0.0, s, select!(x.is_nan(), x, e * s))
    }
}

impl VMath for f64 {
    #[inline(always)]
    fn exp_v<const F: bool>(x: f64) -> f64 {
        const HI: f64 = 709.782_712_893_384; // ln(f64::MAX)
        const LO: f64 = -745.133_219_101_941_2; // below: 0
        let xc = x.clamp(LO, HI);
        let (n, ni) = round_f64(xc * std::f64::consts::LOG2_E);
        let (px, q) = pade_f64::<F>(reduce_f64::<F>(xc, n));
        let e = 1.0 + 2.0 * (px / (q - px));
        let y = e * pow2_f64(ni >> 1) * pow2_f64(ni - (ni >> 1));
        let y = select!(x > HI, f64::INFINITY, y);
        let y = select!(x < LO, 0.0, y);
        select!(x.is_nan(), x, y)
    }

    #[inline(always)]
    fn tanh_v<const F: bool>(x: f64) -> f64 {
        // 2|x| ≤ 80: tanh(19.1) already rounds to 1 in f64.
        let y = (2.0 * x.abs()).min(80.0);
        let (n, ni) = round_f64(y * std::f64::consts::LOG2_E);
        // eʳ − 1 = 2p/d with d = q − p (exp's Padé form, no cancellation), so with s = 2ⁿ
        // E = eʸ − 1 = (2s·p + (s − 1)·d)/d and tanh = E/(E + 2) = N/(N + 2d): one
        // division and a (3,4) rational form instead of a degree-13 polynomial.
        let (px, q) = pade_f64::<F>(reduce_f64::<F>(y, n));
        let d = q - px;
        let s = pow2_f64(ni);
        let num = ma!(F, s, 2.0 * px, (s - 1.0) * d);
        let t = (num / ma!(F, 2.0_f64, d, num)).copysign(x);
        select!(x.is_nan(), x, t)
    }

    #[inline(always)]
    fn sigmoid_v<const F: bool>(x: f64) -> f64 {
        let e = Self::exp_v::<F>(-x.abs());
        let s = 1.0 / (1.0 + e);
        select!(x >= 0.0, s, select!(x.is_nan(), x, e * s))
    }
}

/// Round to nearest by the 1.5·2²³ trick (SSE2 has no vector round): (n as float, n).
#[inline(always)]
fn round_f32(v: f32) -> (f32, i32) {
    const MAGIC: f32 = 12_582_912.0;
    let t = v + MAGIC;
    (t - MAGIC, t.to_bits() as i32 - MAGIC.to_bits() as i32)
}

#[inline(always)]
fn round_f64(v: f64) -> (f64, i64) {
    const MAGIC: f64 = 6_755_399_441_055_744.0;
    let t = v + MAGIC;
    (t - MAGIC, t.to_bits() as i64 - MAGIC.to_bits() as i64)
}

/// 2ⁿ for -126 ≤ n ≤ 127 from the exponent bits.
#[inline(always)]
fn pow2_f32(n: i32) -> f32 {
    f32::from_bits(((n + 127) as u32) << 23)
}

#[inline(always)]
fn pow2_f64(n: i64) -> f64 {
    f64::from_bits(((n + 1023) as u64) << 52)
}

/// eʸ − 1 for 0 ≤ y ≤ 40 (the range tanh needs).
#[inline(always)]
fn expm1_f32<const F: bool>(y: f32) -> f32 {
    let (n, ni) = round_f32(y * std::f32::consts::LOG2_E);
    let r = ma!(F, n, 2.121_944_4e-4, ma!(F, n, -0.693_359_4, y));
    // Taylor series of expm1(r) to r⁸: truncation < 1e-9 relative for |r| ≤ ln2/2.
    let mut p: f32 = 1.0 / 40320.0;
    for c in [
        1.0 / 5040.0,
        1.0 / 720.0,
        1.0 / 120.0,
        1.0 / 24.0,
        1.0 / 6.0,
        0.5,
    ] {
        p = ma!(F, p, r, c);
    }
    let q = ma!(F, r * r, p, r);
    let s = pow2_f32(ni);
    ma!(F, s, q, s - 1.0)
}

/// r = x − n·ln 2 in two parts (Cody–Waite: n·C1 is exact).
#[inline(always)]
fn reduce_f64<const F: bool>(x: f64, n: f64) -> f64 {
    ma!(
        F,
        n,
        -1.428_606_820_309_417_3e-6,
        ma!(F, n, -6.931_457_519_531_25e-1, x)
    )
}

/// Cephes' (3,4) Padé form of eʳ for |r| ≤ ln2/2: eʳ = 1 + 2p/(q − p); returns (p, q).
#[inline(always)]
fn pade_f64<const F: bool>(r: f64) -> (f64, f64) {
    let rr = r * r;
    let px = r * ma!(
        F,
        ma!(
            F,
            1.261_771_930_748_105_9e-4_f64,
            rr,
            3.029_944_077_074_419_6e-2
        ),
        rr,
        1.0
    );
    let q = ma!(
        F,
        3.001_985_051_386_644_5e-6_f64,
        rr,
        2.524_483_403_496_841e-3
    );
    (
        px,
        ma!(F, ma!(F, q, rr, 2.272_655_482_081_550_3e-1), rr, 2.0),
    )
}

/// `out[i] = f(x[i])` over equal-length slices, written so that LLVM vectorises it.
#[inline(always)]
fn map_into<T: Copy>(out: &mut [T], x: &[T], f: impl Fn(T) -> T) {
    // Blocks of 32 elements: LLVM unrolls the fixed-length inner loop into four independent
    // vectors, so the long dependency chain of one polynomial evaluation overlaps with the
    // next ones (one vector per iteration left the loop latency-bound at ~4 cycles/element).
    const BLOCK: usize = 32;
    let n = out.len().min(x.len());
    let (out, x) = (&mut out[..n], &x[..n]);
    let mut oc = out.chunks_exact_mut(BLOCK);
    let mut xc = x.chunks_exact(BLOCK);
    for (o, xs) in (&mut oc).zip(&mut xc) {
        let o: &mut [T; BLOCK] = o.try_into().expect("exact chunk");
        let xs: &[T; BLOCK] = xs.try_into().expect("exact chunk");
        for j in 0..BLOCK {
            o[j] = f(xs[j]);
        }
    }
    for (o, &v) in oc.into_remainder().iter_mut().zip(xc.remainder()) {
        *o = f(v);
    }
}

macro_rules! dispatch {
    ($name:ident, $portable:ident, $avx:ident, $method:ident) => {
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2,fma")]
        unsafe fn $avx<T: VMath>(out: &mut [T], x: &[T]) {
            map_into(out, x, T::$method::<true>)
        }

        /// The portable compilation of the kernel (no FMA), which CPUs without AVX2 and
        /// FMA run; public so that tests check it on every machine.
        #[doc(hidden)]
        pub fn $portable<T: VMath>(out: &mut [T], x: &[T]) {
            assert_eq!(out.len(), x.len(), "vmath: output and input lengths differ");
            map_into(out, x, T::$method::<false>)
        }

        /// Elementwise over `x` into `out` (equal lengths), vectorised.
        pub fn $name<T: VMath>(out: &mut [T], x: &[T]) {
            assert_eq!(out.len(), x.len(), "vmath: output and input lengths differ");
            #[cfg(target_arch = "x86_64")]
            if has_avx2() {
                // SAFETY: the CPU supports the enabled features (checked at run time).
                return unsafe { $avx(out, x) };
            }
            $portable(out, x)
        }
    };
}

dispatch!(exp_into, exp_portable, exp_avx2, exp_v);
dispatch!(tanh_into, tanh_portable, tanh_avx2, tanh_v);
dispatch!(sigmoid_into, sigmoid_portable, sigmoid_avx2, sigmoid_v);

/// Whether this CPU has AVX2 and FMA (cached by the standard library's detection).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub(crate) fn has_avx2() -> bool {
    std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
}
