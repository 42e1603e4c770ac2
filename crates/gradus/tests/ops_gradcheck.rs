//! Every differentiable primitive passes `check_gradients` (finite differences, forward
//! mode, reverse mode, adjoint identity) over random shapes: f64 to 1e-6, f32 to 5e-2.
//! (In f32 the elementwise partials agree to ~1e-5, but a directional finite difference of
//! an f32 function carries ~1e-6 of absolute rounding, which a directional derivative that
//! happens to be small turns into a relative error of a few percent.)
//! Unary ops are also checked one derivative higher (the jvp of the op, differentiated
//! again), which is what physics-informed losses rely on.

use gradus::{check_gradients, rng, Float, Tape, Tensor, Var};
use proptest::prelude::*;
use rand::Rng;

const TOL_F64: f64 = 1e-6;
const TOL_F32: f64 = 5e-2;

/// Uniform draws in [lo, hi] kept at least `margin` away from each point in `kinks`, so
/// that finite differences never straddle a point where the op is not differentiable.
fn draw<F: Float>(shape: &[usize], lo: f64, hi: f64, kinks: &[f64], seed: u64) -> Tensor<F> {
    let mut r = rng::seeded(seed);
    let n: usize = shape.iter().product();
    let data = (0..n)
        .map(|_| loop {
            let v: f64 = r.random_range(lo..hi);
            if kinks.iter().all(|k| (v - k).abs() > 0.15) {
                break F::of(v);
            }
        })
        .collect();
    Tensor::from_vec(data, shape)
}

type Unary = for<'t> fn(Var<'t, f64>) -> Var<'t, f64>;
type Unary32 = for<'t> fn(Var<'t, f32>) -> Var<'t, f32>;

/// (name, f64 version, f32 version, input range, kinks)
fn unary_ops() -> Vec<(&'static str, Unary, Unary32, (f64, f64), Vec<f64>)> {
    fn f64_fn(f: Unary) -> Unary {
        f
    }
    fn f32_fn(f: Unary32) -> Unary32 {
        f
    }
    macro_rules! op {
        ($name:literal, |$x:ident| $body:expr, $range:expr, $kinks:expr) => {
            ($name, f64_fn(|$x| $body), f32_fn(|$x| $body), $range, $kinks)
        };
    }
    vec![
        op!("neg", |x| -x, (-2.0, 2.0), vec![]),
        op!("exp", |x| x.exp(), (-2.0, 2.0), vec![]),
        op!("ln", |x| x.ln(), (0.3, 3.0), vec![]),
        op!("sqrt", |x| x.sqrt(), (0.3, 3.0), vec![]),
        op!("abs", |x| x.abs(), (-2.0, 2.0), vec![0.0]),
        op!("pow3", |x| x.pow(Float::of(3.0)), (-2.0, 2.0), vec![]),
        op!("pow2.5", |x| x.pow(Float::of(2.5)), (0.3, 2.0), vec![]),
        op!("square", |x| x.square(), (-2.0, 2.0), vec![]),
        op!("recip", |x| x.recip(), (0.3, 2.0), vec![]),
        op!("add_scalar", |x| x.add_scalar(Float::of(1.5)), (-2.0, 2.0), vec![]),
        op!("mul_scalar", |x| x.mul_scalar(Float::of(-0.7)), (-2.0, 2.0), vec![]),
        op!("clamp", |x| x.clamp(Float::of(-0.5), Float::of(0.5)), (-2.0, 2.0), vec![-0.5, 0.5]),
        op!("sigmoid", |x| x.sigmoid(), (-4.0, 4.0), vec![]),
        op!("tanh", |x| x.tanh(), (-3.0, 3.0), vec![]),
        op!("relu", |x| x.relu(), (-2.0, 2.0), vec![0.0]),
        op!("leaky_relu", |x| x.leaky_relu(Float::of(0.1)), (-2.0, 2.0), vec![0.0]),
        op!("elu", |x| x.elu(Float::of(0.8)), (-2.0, 2.0), vec![0.0]),
        op!("selu", |x| x.selu(), (-2.0, 2.0), vec![0.0]),
        op!("silu", |x| x.silu(), (-3.0, 3.0), vec![]),
        op!("swish", |x| x.swish(Float::of(1.5)), (-3.0, 3.0), vec![]),
        op!("softplus", |x| x.softplus(), (-4.0, 4.0), vec![]),
        op!("softmax", |x| x.softmax(), (-3.0, 3.0), vec![]),
        op!("log_softmax", |x| x.log_softmax(), (-3.0, 3.0), vec![]),
        op!("sum", |x| x.sum(), (-2.0, 2.0), vec![]),
        op!("mean", |x| x.mean(), (-2.0, 2.0), vec![]),
        op!("sum_axis0", |x| x.sum_axis(0), (-2.0, 2.0), vec![]),
        op!("mean_axis1", |x| x.mean_axis(1), (-2.0, 2.0), vec![]),
        op!("max_axis1", |x| x.max_axis(1), (-2.0, 2.0), vec![]),
        op!("max_axis0", |x| x.max_axis(0), (-2.0, 2.0), vec![]),
        op!("transpose", |x| x.t(), (-2.0, 2.0), vec![]),
        op!("reshape", |x| { let n = x.shape().numel(); x.reshape([n]) }, (-2.0, 2.0), vec![]),
        op!("narrow", |x| { let c = x.shape().dim(1); x.narrow(1, c / 2, c - c / 2) }, (-2.0, 2.0), vec![]),
    ]
}

/// Max-reductions need a unique maximum per slice, or the finite difference sees a kink.
fn distinct_enough(t: &Tensor<f64>) -> bool {
    let mut v: Vec<f64> = t.data().to_vec();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v.windows(2).all(|w| w[1] - w[0] > 0.05)
}

fn check_unary(rows: usize, cols: usize, seed: u64) {
    for (name, f64_op, f32_op, (lo, hi), kinks) in unary_ops() {
        let x: Tensor<f64> = draw(&[rows, cols], lo, hi, &kinks, seed);
        if name.starts_with("max") && !distinct_enough(&x) {
            continue;
        }
        let r = check_gradients(|_, v| f64_op(v[0]), &[x.clone()], TOL_F64);
        assert!(r.passed, "{name} on {rows}x{cols} (f64): {r}");
        let r = check_gradients(|_, v| f32_op(v[0]), &[x.cast::<f32>()], TOL_F32);
        assert!(r.passed, "{name} on {rows}x{cols} (f32): {r}");
        // One derivative higher: x ↦ J(x)·t for a fixed random t, differentiated by every
        // mode again. (A random t, not ones: softmax is flat along ones.)
        let dir: Tensor<f64> = draw(&[rows, cols], -1.0, 1.0, &[], seed + 99);
        let r = check_gradients(
            |tape: &Tape<f64>, v| tape.jvp(f64_op(v[0]), v[0], tape.constant(&dir)),
            &[x],
            TOL_F64,
        );
        assert!(r.passed, "derivative of {name} on {rows}x{cols} (f64): {r}");
    }
}

type Binary = for<'t> fn(Var<'t, f64>, Var<'t, f64>) -> Var<'t, f64>;

fn binary_ops() -> Vec<(&'static str, Binary)> {
    vec![
        ("add", |a, b| a + b),
        ("sub", |a, b| a - b),
        ("mul", |a, b| a * b),
        ("div", |a, b| a / b),
        ("maximum", |a, b| a.maximum(b)),
        ("minimum", |a, b| a.minimum(b)),
    ]
}

fn check_binary(rows: usize, cols: usize, seed: u64) {
    // Same shape, row broadcast (bias), column broadcast, scalar, and both sides broadcast.
    let shapes: [(&[usize], &[usize]); 5] = [
        (&[rows, cols], &[rows, cols]),
        (&[rows, cols], &[cols]),
        (&[rows, cols], &[rows, 1]),
        (&[], &[rows, cols]),
        (&[rows, 1], &[1, cols]),
    ];
    for (name, op) in binary_ops() {
        for (sa, sb) in shapes {
            let a: Tensor<f64> = draw(sa, -2.0, 2.0, &[], seed);
            // Divisors stay away from zero; max/min operands stay apart (b is in [2.2, 3]).
            let b: Tensor<f64> = match name {
                "div" => draw(sb, 0.4, 2.0, &[], seed + 1),
                "maximum" | "minimum" if seed % 2 == 0 => draw(sb, 2.2, 3.0, &[], seed + 1),
                _ => draw(sb, -2.0, 2.0, &[], seed + 1),
            };
            if name.ends_with("imum") && seed % 2 == 1 {
                // Interleaved operands (both sides win somewhere); skip near-ties.
                let gap = a.zip_map(&b, "gap", |p, q| (p - q).abs());
                if gap.data().iter().any(|&g| g < 0.15) {
                    continue;
                }
            }
            let r = check_gradients(|_, v| op(v[0], v[1]), &[a.clone(), b.clone()], TOL_F64);
            assert!(r.passed, "{name} on {sa:?} and {sb:?}: {r}");
            let r = check_gradients(
                |_, v: &[Var<'_, f32>]| match name {
                    "add" => v[0] + v[1],
                    "sub" => v[0] - v[1],
                    "mul" => v[0] * v[1],
                    "div" => v[0] / v[1],
                    "maximum" => v[0].maximum(v[1]),
                    _ => v[0].minimum(v[1]),
                },
                &[a.cast::<f32>(), b.cast::<f32>()],
                TOL_F32,
            );
            assert!(r.passed, "{name} on {sa:?} and {sb:?} (f32): {r}");
        }
    }
}

fn check_matmul_concat(m: usize, k: usize, n: usize, seed: u64) {
    for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
        let sa = if ta { [k, m] } else { [m, k] };
        let sb = if tb { [n, k] } else { [k, n] };
        let a: Tensor<f64> = draw(&sa, -1.0, 1.0, &[], seed);
        let b: Tensor<f64> = draw(&sb, -1.0, 1.0, &[], seed + 1);
        let r = check_gradients(|_, v| v[0].matmul_t(v[1], ta, tb), &[a.clone(), b.clone()], TOL_F64);
        assert!(r.passed, "matmul (transposed {ta}, {tb}) of {sa:?} and {sb:?}: {r}");
        let r = check_gradients(|_, v| v[0].matmul_t(v[1], ta, tb), &[a.cast::<f32>(), b.cast::<f32>()], TOL_F32);
        assert!(r.passed, "matmul f32 (transposed {ta}, {tb}): {r}");
    }
    // The same matrix on both sides: gradients from both uses must add up.
    let a: Tensor<f64> = draw(&[m, k], -1.0, 1.0, &[], seed);
    let r = check_gradients(|_, v| v[0].matmul_t(v[0], false, true), &[a], TOL_F64);
    assert!(r.passed, "a @ aᵀ: {r}");
    for axis in 0..2 {
        let a: Tensor<f64> = draw(&[m, k], -1.0, 1.0, &[], seed);
        let b: Tensor<f64> = if axis == 0 { draw(&[n, k], -1.0, 1.0, &[], seed + 2) } else { draw(&[m, n], -1.0, 1.0, &[], seed + 2) };
        let r = check_gradients(|_, v| v[0].concat(v[1], axis).tanh(), &[a, b], TOL_F64);
        assert!(r.passed, "concat along {axis}: {r}");
    }
}

fn check_losses(rows: usize, cols: usize, seed: u64) {
    let p: Tensor<f64> = draw(&[rows, cols], -2.0, 2.0, &[], seed);
    let t_real: Tensor<f64> = draw(&[rows, cols], -2.0, 2.0, &[], seed + 1);
    // Residuals away from 0 (MAE's kink) and from ±δ (Huber's switch).
    let mut t_safe = t_real.clone();
    for (tv, &pv) in t_safe.data_mut().iter_mut().zip(p.data()) {
        while [0.0, 0.5, -0.5].iter().any(|k: &f64| (pv - *tv - k).abs() < 0.15) {
            *tv -= 0.3;
        }
    }
    let t01: Tensor<f64> = draw(&[rows, cols], 0.05, 0.95, &[], seed + 2);
    let probs = {
        let mut t = t01.clone();
        for row in t.data_mut().chunks_exact_mut(cols) {
            let s: f64 = row.iter().sum();
            row.iter_mut().for_each(|v| *v /= s);
        }
        t
    };
    let cases: [(&str, Binary, &Tensor<f64>); 6] = [
        ("mse", |a, b| a.mse(b), &t_real),
        ("mae", |a, b| a.mae(b), &t_safe),
        ("huber", |a, b| a.huber(b, 0.5), &t_safe),
        ("log_cosh", |a, b| a.log_cosh(b), &t_real),
        ("bce_with_logits", |a, b| a.bce_with_logits(b), &t01),
        ("cce_with_logits", |a, b| a.cce_with_logits(b), &probs),
    ];
    for (name, loss, target) in cases {
        let r = check_gradients(|_, v| loss(v[0], v[1]), &[p.clone(), target.clone()], TOL_F64);
        assert!(r.passed, "{name} on {rows}x{cols}: {r}");
        let r = check_gradients(
            |_, v: &[Var<'_, f32>]| match name {
                "mse" => v[0].mse(v[1]),
                "mae" => v[0].mae(v[1]),
                "huber" => v[0].huber(v[1], 0.5),
                "log_cosh" => v[0].log_cosh(v[1]),
                "bce_with_logits" => v[0].bce_with_logits(v[1]),
                _ => v[0].cce_with_logits(v[1]),
            },
            &[p.cast::<f32>(), target.cast::<f32>()],
            TOL_F32,
        );
        assert!(r.passed, "{name} on {rows}x{cols} (f32): {r}");
    }
}

proptest! {
    // A fixed seed: CI runs the same cases every time (raise `cases` locally to explore).
    #![proptest_config(ProptestConfig {
        cases: 12,
        rng_seed: proptest::test_runner::RngSeed::Fixed(2026),
        ..ProptestConfig::default()
    })]

    #[test]
    fn unary_ops_pass_gradient_checks(rows in 1usize..5, cols in 1usize..6, seed in 0u64..1000) {
        check_unary(rows, cols, seed);
    }

    #[test]
    fn binary_ops_pass_gradient_checks(rows in 1usize..5, cols in 1usize..6, seed in 0u64..1000) {
        check_binary(rows, cols, seed);
    }

    #[test]
    fn matmul_and_concat_pass_gradient_checks(m in 1usize..6, k in 1usize..6, n in 1usize..6, seed in 0u64..1000) {
        check_matmul_concat(m, k, n, seed);
    }

    #[test]
    fn losses_pass_gradient_checks(rows in 1usize..5, cols in 2usize..6, seed in 0u64..1000) {
        check_losses(rows, cols, seed);
    }
}

#[test]
fn a_wrong_derivative_is_caught_and_located() {
    // sign(x - 1.2) jumps at 1.2 but has derivative zero everywhere, so both AD modes say
    // the slope of x² + 0.01·sign(x - 1.2) is 2x while finite differences across the jump
    // (element 0 sits 1e-8 from it) see a huge slope: the check must fail, on element 0.
    let near = Tensor::<f64>::from_vec(vec![1.2 + 1e-8, 0.7, 1.9], [3]);
    let r = check_gradients(
        |tape: &Tape<f64>, v| v[0].square() + (v[0] - tape.full(v[0].shape(), 1.2)).sign().mul_scalar(1e-2),
        &[near],
        TOL_F64,
    );
    assert!(!r.passed, "a jump inside the finite-difference step must be reported");
    assert_eq!(r.worst_element.map(|w| w.0), Some(0), "{r}");
}
