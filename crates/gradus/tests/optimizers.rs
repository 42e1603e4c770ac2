//! The optimiser family as a table (optax's alias tests): every first-order rule converges on
//! an ill-conditioned quadratic and on Rosenbrock; Newton and L-BFGS do the same to tighter
//! tolerances; Adam and momentum match hand computations; schedules and clipping give their
//! formulas' values; updates and clipping do not allocate.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

use gradus::optim::{
    global_norm, lbfgs, newton, Clip, LbfgsParams, NewtonParams, Optimizer, Schedule,
};
use gradus::{calculus, Float, Tensor, Var};

// ---------------------------------------------------------------------------------------
// Test problems, with hand gradients and Hessians (checked against gradus' calculus below).

/// f(x) = ½ xᵀ A x, A = diag(1, 10): minimum 0 at the origin, condition number 10.
fn quadratic(x: &[f64]) -> (f64, Vec<f64>, Vec<f64>) {
    let f = 0.5 * (x[0] * x[0] + 10.0 * x[1] * x[1]);
    (f, vec![x[0], 10.0 * x[1]], vec![1.0, 0.0, 0.0, 10.0])
}

/// f(x, y) = (1 − x)² + 100 (y − x²)²: minimum 0 at (1, 1) at the end of a curved valley.
/// ∇f = (−2(1 − x) − 400 x (y − x²), 200 (y − x²));
/// H = [[2 − 400 (y − 3x²), −400 x], [−400 x, 200]].
fn rosenbrock(v: &[f64]) -> (f64, Vec<f64>, Vec<f64>) {
    let (x, y) = (v[0], v[1]);
    let f = (1.0 - x).powi(2) + 100.0 * (y - x * x).powi(2);
    let g = vec![
        -2.0 * (1.0 - x) - 400.0 * x * (y - x * x),
        200.0 * (y - x * x),
    ];
    let h = vec![
        2.0 - 400.0 * (y - 3.0 * x * x),
        -400.0 * x,
        -400.0 * x,
        200.0,
    ];
    (f, g, h)
}

fn rosenbrock_var<'t>(v: Var<'t, f64>) -> Var<'t, f64> {
    let (x, y) = (v.narrow(0, 0, 1), v.narrow(0, 1, 1));
    ((-x).add_scalar(1.0).square() + (y - x.square()).square().mul_scalar(100.0)).sum()
}

fn quadratic_var<'t>(v: Var<'t, f64>) -> Var<'t, f64> {
    let (x, y) = (v.narrow(0, 0, 1), v.narrow(0, 1, 1));
    (x.square() + y.square().mul_scalar(10.0))
        .mul_scalar(0.5)
        .sum()
}

/// Value, gradient and row-major Hessian.
type Objective = fn(&[f64]) -> (f64, Vec<f64>, Vec<f64>);

struct Problem {
    name: &'static str,
    f: Objective,
    minimum: [f64; 2],
    /// Required final distance to the minimum for the first-order rules.
    tol: f64,
}

const START: [f64; 2] = [-1.5, 2.0];
const QUADRATIC: Problem = Problem {
    name: "quadratic",
    f: quadratic,
    minimum: [0.0, 0.0],
    tol: 1e-3,
};
const ROSENBROCK: Problem = Problem {
    name: "rosenbrock",
    f: rosenbrock,
    minimum: [1.0, 1.0],
    tol: 1e-2,
};

fn distance(x: &[f64], y: &[f64; 2]) -> f64 {
    ((x[0] - y[0]).powi(2) + (x[1] - y[1]).powi(2)).sqrt()
}

#[test]
fn hand_derivatives_match_gradus_calculus() {
    for (p, var) in [
        (
            &QUADRATIC,
            quadratic_var as for<'t> fn(Var<'t, f64>) -> Var<'t, f64>,
        ),
        (&ROSENBROCK, rosenbrock_var),
    ] {
        for x in [[-1.5, 2.0], [0.3, -0.7], [1.0, 1.0]] {
            let (f, g, h) = (p.f)(&x);
            let xt = Tensor::from_vec(x.to_vec(), [2]);
            let (fa, ga) = calculus::grad(var, &xt);
            let ha = calculus::hessian(var, &xt);
            assert!((f - fa).abs() < 1e-12, "{}: f at {x:?}", p.name);
            for (a, b) in g.iter().zip(ga.data()).chain(h.iter().zip(ha.data())) {
                assert!((a - b).abs() < 1e-9, "{}: derivative at {x:?}", p.name);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// First-order rules: the table.

const BUDGET: usize = 20_000;

/// Each rule with the learning rate tuned per problem (steps to reach and stay within the
/// tolerance, measured when the table was made, in brackets). Neighbouring rates (×½, ×2)
/// converge too, except where a rate sits near a stability limit (noted).
fn table() -> Vec<(&'static str, Optimizer, Optimizer)> {
    let adagrad_momentum = |lr| Optimizer::AdaGrad {
        lr,
        eps: 1e-10,
        momentum: 0.9,
    };
    vec![
        // GD: η = 1/L on the quadratic [70]; Rosenbrock's start has curvature 1902, and
        // 2/1902 ≈ 1.05e-3 bounds the rate there [7.7k].
        ("gd", Optimizer::sgd(0.1), Optimizer::sgd(1.5e-3)),
        (
            "momentum",
            Optimizer::momentum(1e-2, 0.9), // [149]
            Optimizer::momentum(1e-3, 0.9), // [1.1k]
        ),
        (
            "nesterov",
            Optimizer::nesterov(1e-2, 0.9), // [125]
            Optimizer::nesterov(7e-4, 0.9), // [1.7k]; 1.5e-3 diverges
        ),
        // AdaGrad's rate decays like 1/√t, so it needs a large base rate.
        ("adagrad", Optimizer::adagrad(0.5), Optimizer::adagrad(0.5)), // [45], [9.5k]
        (
            "adagrad+momentum",
            adagrad_momentum(0.1),
            adagrad_momentum(0.1),
        ), // [141], [2.7k]
        // RMSprop and Adam end in a cycle of amplitude ~η around the minimum of a deterministic
        // problem, so η must be below the tolerance on the quadratic.
        (
            "rmsprop",
            Optimizer::rmsprop(7e-4),
            Optimizer::rmsprop(1e-3),
        ), // [3.0k], [6.6k]
        ("adam", Optimizer::adam(1e-3), Optimizer::adam(1e-2)), // [4.8k], [3.0k]
        (
            "adamw",
            Optimizer::adamw(1e-3, 1e-2), // [4.8k]
            Optimizer::adamw(5e-3, 1e-2), // [6.4k]
        ),
    ]
}

/// Runs `BUDGET` steps from `START`; returns the final point and the step after which the
/// iterates stayed within the problem's tolerance (None if they did not end there).
fn descend(opt: &Optimizer, p: &Problem) -> ([f64; 2], Option<usize>) {
    let mut x = START;
    let mut state = opt.init::<f64>(2);
    let mut settled = None;
    for step in 1..=BUDGET {
        let (_, g, _) = (p.f)(&x);
        opt.update(opt.lr(), &g, &mut state, &mut x);
        let inside = distance(&x, &p.minimum) <= p.tol;
        settled = match (inside, settled) {
            (true, None) => Some(step),
            (true, s) => s,
            (false, _) => None,
        };
    }
    (x, settled)
}

#[test]
fn every_first_order_rule_converges_on_quadratic_and_rosenbrock() {
    let mut failures = Vec::new();
    for (name, on_quadratic, on_rosenbrock) in table() {
        for (opt, p) in [(on_quadratic, &QUADRATIC), (on_rosenbrock, &ROSENBROCK)] {
            let (x, settled) = descend(&opt, p);
            let d = distance(&x, &p.minimum);
            eprintln!(
                "{name:>16} on {:<10} lr {:<7} distance {d:.1e}, within {} from step {settled:?}",
                p.name,
                opt.lr(),
                p.tol
            );
            if d.is_nan() || d > p.tol {
                failures.push(format!("{name} on {}: distance {d:e} > {}", p.name, p.tol));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// f32 and f64 follow the same path for every rule (the rules compute their scalars in f64
/// and convert once).
#[test]
fn f32_follows_f64() {
    for (name, opt, _) in table() {
        let mut x64 = START;
        let mut x32 = START.map(|v| v as f32);
        let (mut s64, mut s32) = (opt.init::<f64>(2), opt.init::<f32>(2));
        for _ in 0..20 {
            let (_, g, _) = quadratic(&x64);
            opt.update(opt.lr(), &g, &mut s64, &mut x64);
            let g32: Vec<f32> = quadratic(&x32.map(|v| v as f64))
                .1
                .iter()
                .map(|&v| v as f32)
                .collect();
            opt.update(opt.lr(), &g32, &mut s32, &mut x32);
        }
        for (a, b) in x64.iter().zip(x32) {
            assert!((a - b.as_f64()).abs() < 1e-5, "{name}: f64 {a} vs f32 {b}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// Hand computations.

/// Adam's first three steps from p₀ = 1 with gradients 0.5, −1, 2 (fed directly), η = 0.1,
/// β₁ = 0.9, β₂ = 0.999, ε = 1e-8, by Kingma & Ba's formulas:
///   m_t = β₁ m + (1 − β₁) g,   v_t = β₂ v + (1 − β₂) g²,
///   m̂ = m_t / (1 − β₁ᵗ),       v̂ = v_t / (1 − β₂ᵗ),   p ← p − η m̂ / (√v̂ + ε).
/// t = 1: m = 0.05,    v = 0.00025,    m̂ = 0.5,          v̂ = 0.25,        Δ = 0.1·0.5/0.50000001
///        p₁ = 0.900000002
/// t = 2: m = −0.055,  v = 0.00124975, m̂ = −0.055/0.19,  v̂ = 0.00124975/0.001999 = 0.625187594,
///        Δ = 0.1·(−0.289473684)/(0.790688051 + 1e-8) = −0.036610352, p₂ = 0.936610354
/// t = 3: m = 0.1505,  v = 0.0052485,  m̂ = 0.1505/0.271 = 0.555350554,
///        v̂ = 0.0052485/0.002997001 = 1.751250750,
///        Δ = 0.1·0.555350554/(1.323348310 + 1e-8) = 0.041965562, p₃ = 0.894644793
#[test]
fn adam_first_three_steps_match_kingma_ba_by_hand() {
    let opt = Optimizer::adam(0.1);
    let mut p = [1.0f64];
    let mut state = opt.init(1);
    let by_hand = [0.900000002, 0.936610354, 0.894644793];
    let (mut m, mut v, mut q) = (0.0f64, 0.0f64, 1.0f64);
    for (t, (&g, &expected)) in [0.5, -1.0, 2.0].iter().zip(&by_hand).enumerate() {
        opt.update(opt.lr(), &[g], &mut state, &mut p);
        assert!(
            (p[0] - expected).abs() < 1e-9,
            "step {}: {} vs {expected}",
            t + 1,
            p[0]
        );
        // The same formula in full precision.
        let t = t as i32 + 1;
        m = 0.9 * m + 0.1 * g;
        v = 0.999 * v + 0.001 * g * g;
        let (m_hat, v_hat) = (m / (1.0 - 0.9f64.powi(t)), v / (1.0 - 0.999f64.powi(t)));
        q -= 0.1 * m_hat / (v_hat.sqrt() + 1e-8);
        assert!((p[0] - q).abs() < 1e-15, "step {t}: {} vs {q}", p[0]);
    }
    assert_eq!(state.t, 3);
}

/// With a constant gradient g = 1, η = 0.1, μ = 0.9 (PyTorch's convention):
/// heavy ball  v₁ = 1, p₁ = p₀ − 0.1;          v₂ = 1.9, p₂ = p₁ − 0.19;
/// Nesterov    v₁ = 1, p₁ = p₀ − 0.1·(1 + 0.9); v₂ = 1.9, p₂ = p₁ − 0.1·(1 + 1.71).
#[test]
fn momentum_and_nesterov_follow_the_pytorch_convention() {
    for (opt, steps) in [
        (Optimizer::momentum(0.1, 0.9), [0.1, 0.19]),
        (Optimizer::nesterov(0.1, 0.9), [0.19, 0.271]),
    ] {
        let (mut p, mut state) = ([0.0f64], opt.init(1));
        let mut expected = 0.0;
        for step in steps {
            opt.update(opt.lr(), &[1.0], &mut state, &mut p);
            expected -= step;
            assert!(
                (p[0] - expected).abs() < 1e-15,
                "{}: {} vs {expected}",
                opt.name(),
                p[0]
            );
        }
    }
}

/// With a zero gradient Adam does not move, and AdamW multiplies p by (1 − η λ) each step.
#[test]
fn adamw_decay_is_decoupled() {
    let (adam, adamw) = (Optimizer::adam(0.1), Optimizer::adamw(0.1, 0.5));
    let (mut p, mut q) = ([2.0f64], [2.0f64]);
    let (mut sa, mut sw) = (adam.init(1), adamw.init(1));
    for _ in 0..3 {
        adam.update(adam.lr(), &[0.0], &mut sa, &mut p);
        adamw.update(adamw.lr(), &[0.0], &mut sw, &mut q);
    }
    assert_eq!(p[0], 2.0);
    assert!((q[0] - 2.0 * 0.95f64.powi(3)).abs() < 1e-15);
}

/// The `lr` passed to `update` is the one used, not the stored one.
#[test]
fn update_uses_the_scheduled_rate() {
    let opt = Optimizer::sgd(1.0);
    let (mut p, mut state) = ([1.0f64], opt.init(1));
    opt.update(0.25, &[2.0], &mut state, &mut p);
    assert_eq!(p[0], 0.5);
}

#[test]
fn names_round_trip() {
    for name in Optimizer::NAMES {
        let opt = Optimizer::from_name(name, 0.01).expect(name);
        assert_eq!(opt.name(), name);
        assert_eq!(opt.lr(), 0.01);
    }
    assert_eq!(Optimizer::from_name("GD", 0.1), Some(Optimizer::sgd(0.1)));
    assert_eq!(Optimizer::from_name("lion", 0.1), None);
}

/// A tensor of `PARALLEL_MIN` elements or more is updated in one block per thread; every
/// rule must give the same bits as updating it piece by piece below the split size.
#[test]
fn a_split_update_equals_the_same_update_in_small_pieces() {
    use gradus::optim::PARALLEL_MIN;
    let n = 3 * PARALLEL_MIN + 77;
    let piece = 1000;
    let wave = |i: usize, f: f64| ((i as f64 * f).sin() * 0.7) as f32;
    for (name, opt, _) in table() {
        let mut whole: Vec<f32> = (0..n).map(|i| wave(i, 0.37)).collect();
        let mut pieces = whole.clone();
        let mut state = opt.init::<f32>(n);
        let mut states: Vec<_> = pieces.chunks(piece).map(|p| opt.init(p.len())).collect();
        for step in 0..3 {
            let g: Vec<f32> = (0..n).map(|i| wave(i, 0.11 + step as f64)).collect();
            opt.update(0.01, &g, &mut state, &mut whole);
            for ((p, g), st) in pieces
                .chunks_mut(piece)
                .zip(g.chunks(piece))
                .zip(&mut states)
            {
                opt.update(0.01, g, st, p);
            }
        }
        let same = whole
            .iter()
            .zip(&pieces)
            .all(|(a, b)| a.to_bits() == b.to_bits());
        assert!(
            same,
            "{name}: the split update differs from the piecewise one"
        );
    }
}

#[test]
#[should_panic(expected = "state buffer has 3 elements, parameter 2")]
fn a_state_of_the_wrong_size_panics() {
    let opt = Optimizer::adam(0.1);
    let mut state = opt.init::<f64>(3);
    opt.update(0.1, &[1.0, 1.0], &mut state, &mut [0.0, 0.0]);
}

// ---------------------------------------------------------------------------------------
// Second-order methods.

#[test]
fn newton_converges_fast_on_both_problems() {
    for p in [&QUADRATIC, &ROSENBROCK] {
        let r = newton(p.f, &START, &NewtonParams::default());
        let d = distance(&r.x, &p.minimum);
        eprintln!(
            "newton on {}: {} iterations, {} evaluations, distance {d:.1e} ({})",
            p.name, r.iterations, r.evaluations, r.reason
        );
        assert!(r.converged, "{}: {}", p.name, r.reason);
        assert!(d <= 1e-8, "{}: distance {d:e}", p.name);
        assert!(
            r.iterations < 100,
            "{}: {} iterations",
            p.name,
            r.iterations
        );
        assert_eq!(r.f, (p.f)(&r.x).0);
    }
}

#[test]
fn lbfgs_converges_on_both_problems() {
    for p in [&QUADRATIC, &ROSENBROCK] {
        let value_and_grad = |x: &[f64]| {
            let (f, g, _) = (p.f)(x);
            (f, g)
        };
        let r = lbfgs(value_and_grad, &START, &LbfgsParams::default());
        let d = distance(&r.x, &p.minimum);
        eprintln!(
            "l-bfgs on {}: {} iterations, {} evaluations, distance {d:.1e} ({})",
            p.name, r.iterations, r.evaluations, r.reason
        );
        assert!(r.converged, "{}: {}", p.name, r.reason);
        assert!(d <= 1e-6, "{}: distance {d:e}", p.name);
        assert!(
            r.iterations < 200,
            "{}: {} iterations",
            p.name,
            r.iterations
        );
    }
}

#[test]
fn second_order_methods_report_why_they_stopped() {
    let few = NewtonParams {
        max_iter: 2,
        ..NewtonParams::default()
    };
    let r = newton(rosenbrock, &START, &few);
    assert!(!r.converged && r.iterations == 2, "{r:?}");
    let nan = |_: &[f64]| (f64::NAN, vec![0.0, 0.0]);
    let r = lbfgs(nan, &START, &LbfgsParams::default());
    assert!(!r.converged && r.evaluations == 1 && r.x == START, "{r:?}");
}

// ---------------------------------------------------------------------------------------
// Schedules and clipping.

#[test]
fn schedules_give_their_formulas() {
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-15 * b.abs().max(1.0);
    let base = 0.1;
    let cases = [
        (Schedule::Constant, 1000, base),
        (
            Schedule::Step {
                every: 10,
                factor: 0.5,
            },
            9,
            base,
        ),
        (
            Schedule::Step {
                every: 10,
                factor: 0.5,
            },
            10,
            base * 0.5,
        ),
        (
            Schedule::Step {
                every: 10,
                factor: 0.5,
            },
            25,
            base * 0.25,
        ),
        (Schedule::Exponential { gamma: 0.9 }, 3, base * 0.729),
        (Schedule::InverseTime { decay: 0.5 }, 4, base / 3.0), // η₀/(1 + 0.5·4)
        (
            Schedule::Cosine {
                total: 100,
                min_lr: 0.01,
            },
            0,
            base,
        ),
        // ½(1 + cos(π/4)) of the way down from 0.1 to 0.01
        (
            Schedule::Cosine {
                total: 100,
                min_lr: 0.01,
            },
            25,
            0.01 + 0.5 * 0.09 * (1.0 + std::f64::consts::FRAC_1_SQRT_2),
        ),
        (
            Schedule::Cosine {
                total: 100,
                min_lr: 0.01,
            },
            50,
            0.055,
        ),
        (
            Schedule::Cosine {
                total: 100,
                min_lr: 0.01,
            },
            100,
            0.01,
        ),
        (
            Schedule::Cosine {
                total: 100,
                min_lr: 0.01,
            },
            500,
            0.01,
        ),
    ];
    for (schedule, t, expected) in cases {
        let lr = schedule.lr(base, t);
        assert!(
            close(lr, expected),
            "{schedule:?} at {t}: {lr} vs {expected}"
        );
    }
    for schedule in [
        Schedule::Step {
            every: 7,
            factor: 0.3,
        },
        Schedule::Exponential { gamma: 0.99 },
        Schedule::InverseTime { decay: 0.1 },
        Schedule::Cosine {
            total: 10,
            min_lr: 0.0,
        },
    ] {
        assert_eq!(
            schedule.lr(base, 0),
            base,
            "{schedule:?} starts at the base rate"
        );
    }
}

#[test]
fn clipping_by_global_norm_rescales_to_the_norm_exactly() {
    let mut w: Vec<f64> = (0..37).map(|i| (i as f64 * 0.7).sin() * 3.0).collect();
    let mut b: Vec<f64> = (0..5).map(|i| i as f64 - 2.5).collect();
    let (w0, b0) = (w.clone(), b.clone());
    let before = global_norm(&[&w[..], &b[..]]);
    assert!(before > 2.0);
    let mut grads = [&mut w[..], &mut b[..]];
    Clip::GlobalNorm(2.0).apply(&mut grads);
    let after = global_norm(&grads);
    assert!((after - 2.0).abs() < 1e-14, "norm after clipping {after}");
    // Same direction: every component scaled by the same 2/‖g‖.
    for (new, old) in w.iter().chain(&b).zip(w0.iter().chain(&b0)) {
        assert!((new - old * 2.0 / before).abs() < 1e-15);
    }
    // Below the threshold nothing changes.
    let mut small = [0.3f32, -0.4];
    Clip::GlobalNorm(1.0).apply(&mut [&mut small[..]]);
    assert_eq!(small, [0.3, -0.4]);
    // f32 rescales to the norm too.
    let mut g32 = [30.0f32, -40.0, 0.0];
    Clip::GlobalNorm(1.0).apply(&mut [&mut g32[..]]);
    assert!((global_norm(&[&g32[..]]) - 1.0).abs() < 1e-6);
}

#[test]
fn clipping_by_value_clamps_and_keeps_nan() {
    let mut g = [-3.0f64, -0.5, 0.0, 0.5, 3.0, f64::NAN];
    Clip::Value(1.0).apply(&mut [&mut g[..]]);
    assert_eq!(&g[..5], &[-1.0, -0.5, 0.0, 0.5, 1.0]);
    assert!(g[5].is_nan());
    let mut inf = [f64::INFINITY, 1.0];
    Clip::GlobalNorm(1.0).apply(&mut [&mut inf[..]]);
    assert_eq!(inf[1], 1.0, "a non-finite norm leaves the gradients alone");
}

// ---------------------------------------------------------------------------------------
// No allocation: counted by a global allocator on this thread only.

struct Counting;
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.with(|c| c.get()) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations(f: impl FnOnce()) -> usize {
    ALLOCATIONS.store(0, Ordering::Relaxed);
    COUNTING.with(|c| c.set(true));
    f();
    COUNTING.with(|c| c.set(false));
    ALLOCATIONS.load(Ordering::Relaxed)
}

#[test]
fn updates_and_clipping_do_not_allocate() {
    let grad: Vec<f32> = (0..1000).map(|i| (i as f32 * 0.01).cos()).collect();
    for (_, opt, _) in table() {
        let mut param = vec![0.5f32; 1000];
        let mut state = opt.init(param.len());
        let schedule = Schedule::Cosine {
            total: 10,
            min_lr: 0.0,
        };
        let n = allocations(|| {
            for step in 0..10 {
                opt.update(schedule.lr(opt.lr(), step), &grad, &mut state, &mut param);
            }
        });
        assert_eq!(n, 0, "{} allocated {n} times", opt.name());
    }
    let (mut a, mut b) = (grad.clone(), grad.clone());
    let n = allocations(|| {
        let mut grads = [&mut a[..], &mut b[..]];
        Clip::GlobalNorm(1.0).apply(&mut grads);
        Clip::Value(0.01).apply(&mut grads);
    });
    assert_eq!(n, 0, "clipping allocated {n} times");
}
