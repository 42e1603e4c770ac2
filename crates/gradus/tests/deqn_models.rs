//! DEQN models against their closed forms and the grid reference, with short runs and
//! bounds looser than the must-show runs recorded in docs/deqn.md (those use the CLI).

use gradus::deqn::models::{BrockMirman, Growth};
use gradus::deqn::reference::{solve_egm, GridParams};
use gradus::deqn::{
    accuracy, nodes, residual_graph, residuals, AccuracyConfig, DeqnConfig, Model, Policy,
    ResidualLoss, Sampling, Trainer,
};
use gradus::nn::{Activation, ParamsOnTape};
use gradus::optim::Schedule;
use gradus::{check_gradients, Tape, Tensor};

/// Setting the network's last bias to logit(αβ) and its last weights to zero makes the
/// policy exactly the closed form: then every residual must vanish (checks the equations).
fn exact_policy(model: &dyn Model, s: f64) -> Policy {
    let mut p = Policy::new(model, &[4], Activation::Tanh, 0).unwrap();
    let n = p.net.params().len();
    for v in p.net.params_mut()[n - 2].data_mut() {
        *v = 0.0;
    }
    p.net.params_mut()[n - 1].data_mut()[0] = (s / (1.0 - s)).ln();
    p
}

#[test]
fn closed_forms_solve_the_equations() {
    let bm = BrockMirman::default();
    let s = 0.36 * 0.99;
    let states = Tensor::from_vec(vec![0.1, 0.2, 0.5, 1.0], [4, 1]);
    let r = residuals(&bm, &exact_policy(&bm, s), &states);
    assert!(r.data().iter().all(|v| v.abs() < 1e-13), "{:?}", r.data());
    // A wrong savings rate leaves a residual (the test can fail).
    let r = residuals(&bm, &exact_policy(&bm, 0.3), &states);
    assert!(r.data().iter().all(|v| v.abs() > 1e-3));

    let sbm = Growth::brock_mirman();
    let states = Tensor::from_vec(vec![0.1, 0.2, 0.2, -0.1, 0.3, 0.0], [3, 2]);
    let r = residuals(&sbm, &exact_policy(&sbm, s), &states);
    assert!(r.data().iter().all(|v| v.abs() < 1e-13), "{:?}", r.data());
}

#[test]
fn residual_loss_gradients_match_finite_differences() {
    // The loss differentiates through today's policy and tomorrow's (via K' and the
    // quadrature nodes); check the parameter gradient of the whole program in f64.
    let model = Growth::crra();
    let policy = Policy::new(&model, &[6], Activation::Tanh, 3).unwrap();
    let states = gradus::deqn::box_states(&model, 5, &mut gradus::rng::seeded(1));
    let nd = nodes(&model.expectation(), &states);
    let report = check_gradients(
        |tape: &Tape<f64>, xs| {
            // check_gradients records the inputs first: they are the parameters on the tape.
            let on = ParamsOnTape {
                first: xs[0].index(),
                count: xs.len(),
            };
            let (_, r) = residual_graph(&model, &policy, tape, on, &states, &nd);
            ResidualLoss::default().of(r)
        },
        policy.net.params(),
        1e-6,
    );
    assert!(report.passed, "{report:?}");
}

fn short(sampling: Sampling, episodes: usize, periods: usize) -> DeqnConfig {
    DeqnConfig {
        episodes,
        periods,
        sampling,
        ..Default::default()
    }
}

#[test]
fn deterministic_brock_mirman_learns_the_closed_form() {
    // Must-show (CLI, 2000 episodes): log10 loss <= -8, policy within 1e-4. Here 300.
    let model = BrockMirman::default();
    let mut cfg = short(Sampling::Box, 300, 1);
    cfg.epochs = 4;
    cfg.batch_size = 16;
    cfg.schedule = Schedule::Cosine {
        total: 300,
        min_lr: 1e-6,
    };
    let mut t = Trainer::new(&model, cfg).unwrap();
    t.run(None, |_| {}).unwrap();
    let first = t.history[0].loss;
    let last = t.history.last().unwrap().loss;
    let cfg = AccuracyConfig {
        periods: 100,
        box_points: 200,
        ..Default::default()
    };
    let acc = accuracy(&model, &t.policy, &cfg, None);
    let ms = acc.box_.residuals[0].mean_square;
    let pol = acc.box_.policy.as_ref().unwrap()[0].abs.max;
    eprintln!(
        "BM: first loss {first:.2e}, last {last:.2e}, box mean square {ms:.2e}, policy {pol:.2e}"
    );
    assert!(ms.log10() < -5.0 && pol < 1e-2, "{ms:e} {pol:e}");
}

#[test]
fn stochastic_brock_mirman_saves_alpha_beta() {
    // Must-show (CLI): mean |res| <= 1.6e-4, max <= 3.6e-4, mean savings rate within 1e-3.
    let model = Growth::brock_mirman();
    let mut cfg = short(Sampling::Mixed(0.1), 300, 4);
    cfg.schedule = Schedule::Cosine {
        total: 300,
        min_lr: 1e-5,
    };
    let mut t = Trainer::new(&model, cfg).unwrap();
    t.run(None, |_| {}).unwrap();
    let acc = accuracy(
        &model,
        &t.policy,
        &AccuracyConfig {
            periods: 500,
            box_points: 100,
            ..Default::default()
        },
        None,
    );
    let r = &acc.path.residuals[0].abs;
    let s = acc.path.means[0].1;
    eprintln!(
        "SBM: mean |res| {:.2e} max {:.2e}, mean s {s:.5}",
        r.mean, r.max
    );
    assert!(r.mean < 2e-2 && r.max < 0.5, "{r:?}");
    assert!((s - 0.36 * 0.99).abs() < 5e-3, "{s}");
}

#[test]
fn grid_reference_matches_the_closed_form_and_its_own_equations() {
    // δ = 1, log utility: EGM must find c = (1 − αβ) z K^α. ln c is then linear in
    // (ln K, log z), which the log–log interpolation reproduces exactly, so the savings
    // rate is αβ to rounding everywhere: at every grid point including the edges (where
    // tomorrow's z and K' leave the grid), between grid points and outside the grid.
    let p = Growth::brock_mirman().params;
    let g = GridParams {
        nk: 200,
        nz: 15,
        nodes: 7,
        ..Default::default()
    };
    let sol = solve_egm(&p, &g).unwrap();
    let ab = 0.36 * 0.99;
    let (k0, k1) = (sol.k[0], sol.k[sol.k.len() - 1]);
    let (z0, z1) = (sol.log_z[0], sol.log_z[sol.log_z.len() - 1]);
    let mut states: Vec<(f64, f64)> = Vec::new();
    for &z in &sol.log_z {
        for &k in &sol.k {
            states.push((k, z));
        }
    }
    states.extend([
        (0.5 * k0, 1.5 * z0),
        (2.0 * k1, 1.5 * z1),
        (0.1, 0.0),
        (0.3, -0.2),
    ]);
    states.push((
        0.5 * (sol.k[3] + sol.k[4]),
        0.5 * (sol.log_z[5] + sol.log_z[6]),
    ));
    for &(k, z) in &states {
        let s = sol.savings_rate(k, z);
        assert!((s / ab - 1.0).abs() < 1e-10, "s({k}, {z}) = {s}");
    }
    let worst = sol
        .errors_on_grid()
        .iter()
        .fold(0.0f64, |m, e| m.max(e.abs()));
    assert!(worst < 1e-10, "δ = 1 Euler error on the grid {worst:e}");

    // δ = 0.1, CRRA 2: Euler errors at its own grid points, edges included (the CLI's
    // 1,000 × 41 grid measures 4.1e-6; this coarse one is looser but still far below the
    // 3e-5 that linear interpolation in levels left at the edges of the fine grid).
    let crra = Growth::crra().params;
    let sol = solve_egm(&crra, &g).unwrap();
    let on = sol.errors_on_grid();
    let max = on.iter().fold(0.0f64, |m, e| m.max(e.abs()));
    eprintln!(
        "EGM CRRA 200x15: {} iterations, max Euler error on grid {max:.2e}",
        sol.iterations
    );
    assert!(max < 1e-5, "{max:e}");
}

#[test]
fn checkpoint_resume_continues_exactly() {
    let model = Growth::brock_mirman();
    let dir = std::env::temp_dir().join(format!("gradus-deqn-ckpt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("ckpt.safetensors");
    let cfg = |episodes| DeqnConfig {
        episodes,
        periods: 2,
        paths: 16,
        batch_size: 16,
        hidden: vec![8, 8],
        ..Default::default()
    };
    let mut straight = Trainer::new(&model, cfg(6)).unwrap();
    straight.run(None, |_| {}).unwrap();
    let mut first = Trainer::new(&model, cfg(3)).unwrap();
    first.run(Some(&path), |_| {}).unwrap();
    let mut resumed = Trainer::resume(&model, cfg(6), &path).unwrap();
    assert_eq!(resumed.episode(), 3);
    resumed.run(None, |_| {}).unwrap();
    assert_eq!(resumed.policy.net.params(), straight.policy.net.params());
    assert_eq!(resumed.history, straight.history);
    // A checkpoint of another model is refused with a reason.
    let other = BrockMirman::default();
    let err = Trainer::resume(&other, cfg(6), &path).err().unwrap();
    assert!(err.to_string().contains("written for model"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn growth_with_depreciation_matches_the_grid_reference() {
    // Must-show (CLI, 2000 episodes): within 1e-3 of the grid policy on the ergodic set.
    // Here 150 episodes and a coarse grid: within 1e-2.
    let model = Growth::brock_mirman_delta();
    let mut cfg = short(Sampling::Mixed(0.1), 150, 4);
    cfg.schedule = Schedule::Cosine {
        total: 150,
        min_lr: 1e-5,
    };
    let mut t = Trainer::new(&model, cfg).unwrap();
    t.run(None, |_| {}).unwrap();
    let grid = GridParams {
        nk: 200,
        nz: 15,
        nodes: 7,
        ..Default::default()
    };
    let sol = solve_egm(&model.params, &grid).unwrap();
    let reference = |s: &[f64]| Some(vec![sol.savings_rate(s[0], s[1])]);
    let acc = accuracy(
        &model,
        &t.policy,
        &AccuracyConfig {
            periods: 500,
            box_points: 100,
            ..Default::default()
        },
        Some(&reference),
    );
    let e = &acc.path.policy.as_ref().unwrap()[0].abs;
    eprintln!(
        "delta 0.1: policy vs grid mean {:.2e} max {:.2e}",
        e.mean, e.max
    );
    assert!(e.max < 1e-2, "{e:?}");
}
