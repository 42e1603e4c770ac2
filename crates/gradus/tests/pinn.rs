//! Physics-informed networks: loss gradients, sampling designs, the reference functions,
//! short solves of every shipped problem against its exact solution, checkpoints.
//! (Full-accuracy runs are CLI runs recorded in docs/pinn.md.)

use gradus::nn::{Activation, ParamsOnTape};
use gradus::pinn::{
    problems, report, sobol, special, train, Batch, Constraint, Domain, Pinn, PinnConfig,
    PinnError, Sampler,
};
use gradus::{check_gradients, rng, Tape};

fn short(hidden: &[usize], points: usize, steps: usize, lbfgs_iters: usize) -> PinnConfig {
    PinnConfig {
        hidden: hidden.to_vec(),
        points,
        steps,
        lbfgs_iters,
        ..PinnConfig::default()
    }
}

/// The loss of every problem, hard and penalty, as a function of the network's parameters:
/// reverse mode (through u', u'' recorded by forward mode) against finite differences.
#[test]
fn every_problem_loss_passes_gradient_check() {
    for name in problems::NAMES {
        for constraint in [Constraint::Hard, Constraint::Penalty { weight: 2.0 }] {
            let problem = problems::by_name::<f64>(name).unwrap();
            let pinn = Pinn::new(problem.as_ref(), constraint, &[5, 4], Activation::Tanh, 3);
            let pts = Sampler::Sobol.sample(&problem.domain(), 12, true, &mut rng::seeded(1));
            let batch = Batch::new(problem.as_ref(), constraint, &pts);
            let report = check_gradients(
                |tape: &Tape<f64>, vars| {
                    let on = ParamsOnTape {
                        first: vars[0].index(),
                        count: vars.len(),
                    };
                    pinn.loss(problem.as_ref(), tape, on, &batch).total
                },
                pinn.net.params(),
                1e-6,
            );
            assert!(report.passed, "{name} {constraint:?}: {report}");
        }
    }
}

/// Trial solutions meet their conditions exactly, whatever the network.
#[test]
fn hard_trial_solutions_satisfy_the_conditions() {
    for name in problems::NAMES {
        let problem = problems::by_name::<f64>(name).unwrap();
        let pinn = Pinn::new(
            problem.as_ref(),
            Constraint::Hard,
            &[6],
            Activation::Tanh,
            7,
        );
        for c in problem.conditions() {
            let u = pinn.values(problem.as_ref(), &c.points);
            for (k, (a, b)) in u.iter().zip(&c.values).enumerate() {
                assert!(
                    (a - b).abs() < 1e-9,
                    "{name} {}: point {k}: {a} vs {b}",
                    c.name
                );
            }
        }
    }
}

/// With the network zeroed the hard solution is g alone: its first and second derivatives
/// on the tape (ops, or jets for sin and the Black–Scholes normal-model price) agree with
/// finite differences of its values.
#[test]
fn trial_solution_derivatives_match_finite_differences() {
    for name in problems::NAMES {
        let problem = problems::by_name::<f64>(name).unwrap();
        let mut pinn = Pinn::new(
            problem.as_ref(),
            Constraint::Hard,
            &[4],
            Activation::Tanh,
            1,
        );
        pinn.net
            .params_mut()
            .iter_mut()
            .for_each(|p| p.data_mut().fill(0.0));
        let domain = problem.domain();
        let d = domain.dim();
        let pts = Sampler::Sobol.sample(&domain, 6, false, &mut rng::seeded(0));
        for (j, (lo, hi)) in domain.bounds().into_iter().enumerate() {
            let h = 1e-4 * (hi - lo);
            let shifted = |k: f64| -> Vec<f64> {
                let mut q = pts.clone();
                q.iter_mut().skip(j).step_by(d).for_each(|v| *v += k * h);
                pinn.values(problem.as_ref(), &q)
            };
            let (up, mid, down) = (shifted(1.0), shifted(0.0), shifted(-1.0));
            let first = pinn.partial(problem.as_ref(), &pts, j);
            let second = pinn.values_with(problem.as_ref(), &pts, |tape, x, u| {
                tape.partial(tape.partial(u, x, j), x, j)
            });
            for i in 0..mid.len() {
                let fd1 = (up[i] - down[i]) / (2.0 * h);
                let fd2 = (up[i] - 2.0 * mid[i] + down[i]) / (h * h);
                let scale = 1.0 + fd1.abs();
                assert!(
                    (first[i] - fd1).abs() < 1e-5 * scale,
                    "{name} ∂/∂x{j} at {i}: {} vs {fd1}",
                    first[i]
                );
                assert!(
                    (second[i] - fd2).abs() < 1e-3 * (1.0 + fd2.abs()),
                    "{name} ∂²/∂x{j}² at {i}: {} vs {fd2}",
                    second[i]
                );
            }
        }
    }
}

/// Exact solutions satisfy their own equations: u'' + c·u = f checked by finite differences.
#[test]
fn exact_solutions_solve_their_equations() {
    let h = 1e-4;
    let d2 = |f: &dyn Fn(f64) -> f64, x: f64| (f(x + h) - 2.0 * f(x) + f(x - h)) / (h * h);
    for (p, c) in [
        (problems::LinearBvp::ode1(), 0.0),
        (problems::LinearBvp::ode2(), 0.0),
        (problems::LinearBvp::ode3(), 1.0),
    ] {
        assert!((p.solution(0.0) - p.a).abs() < 1e-14 && (p.solution(1.0) - p.b).abs() < 1e-14);
        for x in [0.2, 0.5, 0.9] {
            let r = d2(&|x| p.solution(x), x) + c * p.solution(x) - (p.p0 + p.p1 * x);
            assert!(r.abs() < 1e-5, "{}: residual {r} at {x}", p.name);
        }
    }
    let heat = problems::Heat1d::default();
    let (t, x) = (0.3, 0.4);
    let u_t = (heat.solution(t + h, x) - heat.solution(t - h, x)) / (2.0 * h);
    let u_xx = d2(&|x| heat.solution(t, x), x);
    assert!((u_t - heat.kappa * u_xx).abs() < 1e-5);
    // Black–Scholes: the closed form satisfies the PDE, and put–call parity style limits.
    let bs = problems::BlackScholesCall::default();
    let (t, s) = (0.4, 55.0);
    let v_t = (bs.price(t + h, s) - bs.price(t - h, s)) / (2.0 * h);
    let hs = 1e-3;
    let v_s = (bs.price(t, s + hs) - bs.price(t, s - hs)) / (2.0 * hs);
    let v_ss = (bs.price(t, s + hs) - 2.0 * bs.price(t, s) + bs.price(t, s - hs)) / (hs * hs);
    let pde = v_t + 0.5 * 0.04 * s * s * v_ss + 0.05 * s * v_s - 0.05 * bs.price(t, s);
    assert!(pde.abs() < 1e-4, "Black–Scholes residual {pde}");
    assert!((v_s - bs.delta(t, s)).abs() < 1e-6);
    // S = K = 50, r = 5%, σ = 20%, T = 1: d₁ = 0.35, d₂ = 0.15,
    // C = 50 Φ(0.35) − 50 e^(−0.05) Φ(0.15) = 5.225291786092775 (Python's math.erfc).
    assert!(
        (bs.price(0.0, 50.0) - 5.225_291_786_092_775).abs() < 1e-12,
        "{}",
        bs.price(0.0, 50.0)
    );
}

#[test]
fn erf_and_normal_cdf_match_reference_values() {
    // Reference values from Python's math.erf (C libm, correctly rounded to ~1 ulp).
    for (x, e) in [
        (0.5, 0.520_499_877_813_046_5),
        (1.0, 0.842_700_792_949_714_9),
        (2.5, 0.999_593_047_982_555),
        (-1.5, -0.966_105_146_475_310_8),
    ] {
        assert!(
            (special::erf(x) - e).abs() < 1e-14,
            "erf({x}) = {}",
            special::erf(x)
        );
    }
    assert!((special::erfc(3.0) / 2.209_049_699_858_543_8e-5 - 1.0).abs() < 1e-12);
    assert!((special::erfc(5.0) / 1.537_459_794_428_035_1e-12 - 1.0).abs() < 1e-12);
    assert!((special::normal_cdf(1.96) - 0.975_002_104_851_779_5).abs() < 1e-14);
}

#[test]
fn sobol_points_are_the_published_sequence() {
    // The first points of the 2-D Sobol sequence (Joe & Kuo direction numbers).
    let expect = [
        (0.0, 0.0),
        (0.5, 0.5),
        (0.75, 0.25),
        (0.25, 0.75),
        (0.375, 0.375),
        (0.875, 0.875),
        (0.625, 0.125),
        (0.125, 0.625),
    ];
    let pts = sobol(2, 8, &[0, 0]);
    for (k, &(x, y)) in expect.iter().enumerate() {
        assert_eq!((pts[2 * k], pts[2 * k + 1]), (x, y), "point {k}");
    }
    // Third dimension (s = 2, a = 1, m = 1, 3), worked by hand and as scipy's
    // `qmc.Sobol(3, scramble=False)` prints it.
    let p3 = sobol(3, 8, &[0, 0, 0]);
    let third: Vec<f64> = p3.chunks(3).map(|p| p[2]).collect();
    assert_eq!(
        third,
        vec![0.0, 0.5, 0.25, 0.75, 0.625, 0.125, 0.875, 0.375]
    );
}

#[test]
fn samplers_cover_the_domain_and_are_seeded() {
    let domain = Domain::TimeSpace {
        t: (0.0, 2.0),
        x: (-1.0, 3.0),
    };
    for sampler in [
        Sampler::Grid,
        Sampler::Uniform,
        Sampler::LatinHypercube,
        Sampler::Sobol,
    ] {
        for randomise in [false, true] {
            let a = sampler.sample(&domain, 64, randomise, &mut rng::seeded(5));
            let b = sampler.sample(&domain, 64, randomise, &mut rng::seeded(5));
            assert_eq!(a, b, "{sampler:?} is not reproducible");
            assert_eq!(a.len(), 128, "{sampler:?}");
            for p in a.chunks(2) {
                assert!(
                    (0.0..=2.0).contains(&p[0]) && (-1.0..=3.0).contains(&p[1]),
                    "{p:?}"
                );
            }
        }
    }
    // A Latin hypercube puts exactly one point in each of the n strata of every axis.
    let n = 50;
    let pts = Sampler::LatinHypercube.sample(
        &Domain::Rectangle {
            x: (0.0, 1.0),
            y: (0.0, 1.0),
        },
        n,
        false,
        &mut rng::seeded(2),
    );
    for axis in 0..2 {
        let mut strata: Vec<usize> = pts
            .chunks(2)
            .map(|p| (p[axis] * n as f64) as usize)
            .collect();
        strata.sort();
        assert_eq!(strata, (0..n).collect::<Vec<_>>(), "axis {axis}");
    }
    // Different seeds give different random designs.
    let u1 = Sampler::Uniform.sample(&domain, 8, false, &mut rng::seeded(1));
    let u2 = Sampler::Uniform.sample(&domain, 8, false, &mut rng::seeded(2));
    assert_ne!(u1, u2);
}

fn rel_l2(name: &str, config: &PinnConfig) -> f64 {
    let problem = problems::by_name::<f64>(name).unwrap();
    let trained = train(problem.as_ref(), config, None, false).unwrap();
    let grid = if problem.domain().dim() == 1 { 501 } else { 41 };
    report::evaluate(problem.as_ref(), &trained.pinn, grid)
        .relative_l2
        .unwrap()
}

#[test]
fn one_dimensional_problems_short_runs() {
    // Hard constraints reach far below the must-show 2e-6 even in short runs.
    for name in ["ode1", "ode2", "ode3"] {
        let e = rel_l2(name, &short(&[10], 48, 100, 400));
        assert!(e < 1e-6, "{name} hard: relative L2 {e:.3e}");
    }
    let penalty = PinnConfig {
        constraint: Constraint::Penalty { weight: 1.0 },
        ..short(&[10], 48, 100, 400)
    };
    for name in ["ode2", "ode3"] {
        let e = rel_l2(name, &penalty);
        assert!(e < 1e-4, "{name} penalty: relative L2 {e:.3e}");
    }
}

#[test]
fn poisson_short_run() {
    let e = rel_l2("poisson", &short(&[12, 12], 144, 100, 300));
    assert!(e < 1e-3, "poisson hard: relative L2 {e:.3e}");
}

#[test]
fn heat_short_run() {
    let e = rel_l2("heat", &short(&[12, 12], 144, 100, 300));
    assert!(e < 1e-2, "heat hard: relative L2 {e:.3e}");
}

#[test]
fn black_scholes_short_run() {
    let problem = problems::by_name::<f64>("black-scholes").unwrap();
    let trained = train(
        problem.as_ref(),
        &short(&[12, 12], 256, 200, 300),
        None,
        false,
    )
    .unwrap();
    let r = report::evaluate(problem.as_ref(), &trained.pinn, 41);
    let price = r.extra[0].1;
    let delta = r.extra[1].1;
    // Untrained, the price error is several dollars; a short run gets within a quarter.
    assert!(
        price < 0.25 && delta < 0.05,
        "price {price:.3e}, delta {delta:.3e}"
    );
}

/// A run stopped after some steps and resumed ends exactly where an uninterrupted run does:
/// parameters, optimiser moments, resampled points and L-BFGS chunks all line up.
#[test]
fn resumed_run_matches_uninterrupted_run() {
    let problem = problems::by_name::<f64>("ode3").unwrap();
    let base = PinnConfig {
        resample: true,
        sampler: Sampler::LatinHypercube,
        checkpoint_every: 10,
        ..short(&[6], 24, 30, 25)
    };
    let dir = std::env::temp_dir().join(format!("gradus-pinn-resume-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let whole = train(problem.as_ref(), &base, None, false).unwrap();

    let first = PinnConfig {
        steps: 20,
        lbfgs_iters: 0,
        ..base.clone()
    };
    train(problem.as_ref(), &first, Some(&dir), false).unwrap();
    let resumed = train(problem.as_ref(), &base, Some(&dir), true).unwrap();
    assert_eq!(resumed.resumed_at, Some((20, 0)));
    assert_eq!(resumed.pinn.flat_params(), whole.pinn.flat_params());
    assert_eq!(resumed.history.len(), whole.history.len());

    // A checkpoint from other settings is refused with the reason.
    let other = PinnConfig {
        hidden: vec![7],
        ..base
    };
    match train(problem.as_ref(), &other, Some(&dir), true) {
        Err(PinnError::Checkpoint { reason, .. }) => assert!(reason.contains("hidden"), "{reason}"),
        r => panic!(
            "expected a checkpoint error, got {:?}",
            r.map(|t| t.steps_done)
        ),
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_settings_are_errors_naming_the_key() {
    let problem = problems::by_name::<f64>("ode1").unwrap();
    for (config, key) in [
        (
            PinnConfig {
                activation: Activation::Relu,
                ..PinnConfig::default()
            },
            "activation",
        ),
        (
            PinnConfig {
                hidden: vec![],
                ..PinnConfig::default()
            },
            "hidden",
        ),
        (
            PinnConfig {
                constraint: Constraint::Penalty { weight: -1.0 },
                ..PinnConfig::default()
            },
            "penalty_weight",
        ),
        (
            PinnConfig {
                steps: 0,
                lbfgs_iters: 0,
                ..PinnConfig::default()
            },
            "steps",
        ),
    ] {
        match train(problem.as_ref(), &config, None, false) {
            Err(PinnError::InvalidConfig { key: k, .. }) => assert_eq!(k, key),
            r => panic!(
                "{key}: expected an error, got {:?}",
                r.map(|t| t.final_loss)
            ),
        }
    }
    assert!(matches!(
        problems::by_name::<f64>("wave"),
        Err(PinnError::UnknownProblem { .. })
    ));
}

#[test]
fn trains_in_f32_too() {
    let problem = problems::by_name::<f32>("ode1").unwrap();
    let trained = train(problem.as_ref(), &short(&[8], 32, 300, 100), None, false).unwrap();
    let e = report::evaluate(problem.as_ref(), &trained.pinn, 201)
        .relative_l2
        .unwrap();
    assert!(e < 1e-3, "f32 ode1: relative L2 {e:.3e}");
}
