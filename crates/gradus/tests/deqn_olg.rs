//! The six-cohort OLG model: its Markov-chain expectations, its equations against the
//! closed form of the analytic variant and against an independent scalar implementation,
//! its accounting, and a short DEQN run against the closed form. The must-show runs (CLI
//! defaults) are recorded in docs/deqn.md.

use gradus::deqn::models::Olg;
use gradus::deqn::{
    accuracy, box_states, expect, nodes, residual_graph, residuals, simulate_path, AccuracyConfig,
    DeqnConfig, Model, Next, Policy, ResidualLoss, Sampling, Trainer,
};
use gradus::nn::{Activation, ParamsOnTape};
use gradus::optim::Schedule;
use gradus::{check_gradients, Tape, Tensor};

/// A network whose outputs are the constants `rates` at every state: zero output weights,
/// output biases logit(rate).
fn constant_policy(model: &dyn Model, rates: &[f64]) -> Policy {
    let mut p = Policy::new(model, &[4], Activation::Tanh, 0).unwrap();
    let n = p.net.params().len();
    for v in p.net.params_mut()[n - 2].data_mut() {
        *v = 0.0;
    }
    for (b, s) in p.net.params_mut()[n - 1].data_mut().iter_mut().zip(rates) {
        *b = (s / (1.0 - s)).ln();
    }
    p
}

/// The general model with a chain that is not symmetric (the shipped one is), so reading a
/// transition matrix by column instead of by row cannot pass unnoticed.
fn asymmetric() -> Olg {
    let mut m = Olg::krueger_kubler();
    m.transition = vec![
        vec![0.5, 0.2, 0.2, 0.1],
        vec![0.1, 0.6, 0.1, 0.2],
        vec![0.3, 0.1, 0.4, 0.2],
        vec![0.05, 0.15, 0.3, 0.5],
    ];
    m
}

fn rows(t: &Tensor<f64>) -> Vec<Vec<f64>> {
    let (n, d) = t.shape().as_matrix();
    (0..n)
        .map(|i| t.data()[i * d..(i + 1) * d].to_vec())
        .collect()
}

#[test]
fn markov_expectation_weights_rows_by_the_current_state() {
    let model = asymmetric();
    let p = &model.transition;
    for row in p {
        assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-15);
    }
    // One state per shock index (in a shuffled order): node j must carry shock j and, in
    // row r, the weight P[i_r][j] of that row's own current index.
    let idx = [2usize, 0, 3, 1, 3];
    let ss = model.start();
    let m = ss.len() - 1;
    let mut data = Vec::new();
    for &i in &idx {
        data.extend_from_slice(&ss[..m]);
        data.push(i as f64);
    }
    let states = Tensor::from_vec(data, [idx.len(), m + 1]);
    let e = model.expectation();
    assert_eq!(e.nodes(), 4);
    let nd = nodes(&e, &states);
    assert_eq!(nd.len(), 4);
    for (j, (shock, w)) in nd.iter().enumerate() {
        for (r, &i) in idx.iter().enumerate() {
            assert_eq!(shock.at(r, 0), j as f64);
            assert_eq!(w.at(r, 0), p[i][j], "node {j}, row {r}");
        }
    }
    // Through `expect`: E[j² | i] = Σ_j P[i][j] j².
    let tape = Tape::new();
    let next: Vec<Next<'_>> = nd
        .iter()
        .map(|(shock, w)| Next {
            state: tape.constant(shock),
            policy: tape.constant(shock),
            weight: tape.constant(w),
        })
        .collect();
    let e2 = expect(&next, |n| n.state.square()).value();
    for (r, &i) in idx.iter().enumerate() {
        let exact: f64 = (0..4).map(|j| p[i][j] * (j * j) as f64).sum();
        assert!((e2.at(r, 0) - exact).abs() < 1e-14, "row {r}");
    }
}

#[test]
fn simulated_shocks_follow_the_chain() {
    // 20,000 periods: transition frequencies within 0.03 of P (5 standard errors or more)
    // and occupation within 0.02 of the stationary distribution.
    let model = asymmetric();
    let policy = constant_policy(&model, &model.steady_state().unwrap().savings_rates);
    let path = simulate_path(&model, &policy, 20_000, 0, 7);
    let m = model.start().len() - 1;
    let shocks: Vec<usize> = rows(&path).iter().map(|s| s[m] as usize).collect();
    let mut counts = [[0usize; 4]; 4];
    for w in shocks.windows(2) {
        counts[w[0]][w[1]] += 1;
    }
    let pi = model.stationary();
    for i in 0..4 {
        let total: usize = counts[i].iter().sum();
        let share = total as f64 / (shocks.len() - 1) as f64;
        assert!(
            (share - pi[i]).abs() < 0.02,
            "state {i}: {share} vs {}",
            pi[i]
        );
        for (j, (&c, &pij)) in counts[i].iter().zip(&model.transition[i]).enumerate() {
            let f = c as f64 / total as f64;
            assert!(
                (f - pij).abs() < 0.03,
                "P[{i}][{j}] = {pij} but simulated {f}"
            );
        }
    }
}

#[test]
fn closed_form_savings_rates_zero_the_residuals() {
    let model = Olg::analytic();
    let s = model.analytic_savings_rates();
    // s_a = 1 − (1 − β)/(1 − β^n) with n = 7 − a: age 5 saves β/(1 + β).
    let b = model.beta;
    assert!((s[4] - b / (1.0 + b)).abs() < 1e-15);
    assert!((s[0] - (b - b.powi(6)) / (1.0 - b.powi(6))).abs() < 1e-15);
    assert_eq!(model.closed_form(&model.start()), Some(s.clone()));
    // The deterministic steady-state solver (life-cycle budget, no Euler equation) finds
    // the same rates: two derivations agree.
    let ss = model.steady_state().unwrap();
    for (a, b) in ss.savings_rates.iter().zip(&s) {
        assert!((a - b).abs() < 1e-12, "{a} vs {b}");
    }
    let states = box_states(&model, 200, &mut gradus::rng::seeded(3));
    let r = residuals(&model, &constant_policy(&model, &s), &states);
    let worst = r.data().iter().fold(0.0f64, |m, v| m.max(v.abs()));
    assert!(worst < 1e-13, "closed form leaves residual {worst:e}");
    // A slightly wrong rate for one age leaves residuals at that age and the one before.
    let mut wrong = s.clone();
    wrong[2] *= 1.01;
    let r = residuals(&model, &constant_policy(&model, &wrong), &states);
    let (n, k) = r.shape().as_matrix();
    for j in [1, 2] {
        assert!((0..n).all(|i| r.at(i, j).abs() > 1e-4), "equation {j}");
    }
    assert_eq!(k, 5);
}

/// The Euler residuals at one state written out in plain f64, independently of the
/// model's tape code: prices, cash on hand, the sum over the four shock states.
fn euler_by_hand(model: &Olg, policy: &Policy, state: &[f64]) -> Vec<f64> {
    let ages = model.labor.len();
    let m = ages - 1;
    let act = |s: &[f64]| -> Vec<f64> {
        let t = Tensor::from_vec(s.to_vec(), [1, s.len()]);
        policy.predict(model, &t).data().to_vec()
    };
    let l_total: f64 = model.labor.iter().sum();
    let price = |k: &[f64], i: usize| {
        let big_k: f64 = k.iter().sum();
        let a = model.alpha;
        let r = a * model.tfp[i] * (l_total / big_k).powf(1.0 - a) + 1.0 - model.delta[i];
        let w = (1.0 - a) * model.tfp[i] * (big_k / l_total).powf(a);
        (r, w)
    };
    let cash = |k: &[f64], i: usize| -> Vec<f64> {
        let (r, w) = price(k, i);
        (0..ages)
            .map(|a| if a == 0 { 0.0 } else { r * k[a - 1] } + w * model.labor[a])
            .collect()
    };
    let i = state[m] as usize;
    let x = cash(&state[..m], i);
    let s = act(state);
    let k1: Vec<f64> = (0..m).map(|a| s[a] * x[a]).collect();
    let mut e = vec![0.0; m];
    for j in 0..4 {
        let mut next = k1.clone();
        next.push(j as f64);
        let s1 = act(&next);
        let x1 = cash(&k1, j);
        let (r1, _) = price(&k1, j);
        for a in 0..m {
            let saved = if a + 1 < m { s1[a + 1] } else { 0.0 };
            let c1 = (1.0 - saved) * x1[a + 1];
            e[a] += model.transition[i][j] * r1 * c1.powf(-model.gamma);
        }
    }
    (0..m)
        .map(|a| (model.beta * e[a]).powf(-1.0 / model.gamma) / ((1.0 - s[a]) * x[a]) - 1.0)
        .collect()
}

#[test]
fn residuals_match_an_independent_scalar_implementation() {
    // A random (untrained) network: state-dependent policies, so every node matters.
    let model = asymmetric();
    let policy = Policy::new(&model, &[8, 8], Activation::Tanh, 5).unwrap();
    let states = box_states(&model, 12, &mut gradus::rng::seeded(9));
    let r = residuals(&model, &policy, &states);
    let mut seen = [false; 4];
    for (row, state) in rows(&states).iter().enumerate() {
        seen[state[5] as usize] = true;
        let by_hand = euler_by_hand(&model, &policy, state);
        for (a, v) in by_hand.iter().enumerate() {
            let tape = r.at(row, a);
            assert!(
                (tape - v).abs() < 1e-11 * (1.0 + v.abs()),
                "row {row} age {}: tape {tape} vs by hand {v}",
                a + 1
            );
        }
    }
    assert!(
        seen.iter().all(|&s| s),
        "the states should cover every shock"
    );
}

#[test]
fn goods_market_clears_and_the_steady_state_is_a_rest_point() {
    // Consumption plus new capital equals output plus undepreciated capital (Euler's
    // theorem on the Cobb–Douglas firm), at box states with a random policy.
    let model = Olg::krueger_kubler();
    let policy = Policy::new(&model, &[8], Activation::Tanh, 1).unwrap();
    let states = box_states(&model, 20, &mut gradus::rng::seeded(4));
    let p = policy.predict(&model, &states);
    let l: f64 = model.labor.iter().sum();
    let np = p.shape().as_matrix().1;
    for (i, s) in rows(&states).iter().enumerate() {
        let pi = &p.data()[i * np..(i + 1) * np];
        let rep: std::collections::HashMap<String, f64> = model.report(s, pi).into_iter().collect();
        let j = s[5] as usize;
        let k: f64 = s[..5].iter().sum();
        let y = model.tfp[j] * k.powf(model.alpha) * l.powf(1.0 - model.alpha);
        let lhs = rep["consumption"] + rep["K_next"];
        let rhs = y + (1.0 - model.delta[j]) * k;
        assert!((lhs - rhs).abs() < 1e-12 * rhs, "{lhs} vs {rhs}");
    }
    // Without shocks (every state the same z and δ) the deterministic steady state, with
    // its savings rates, must reproduce itself and zero every Euler equation.
    let mut det = Olg::krueger_kubler();
    det.tfp = vec![1.0; 4];
    det.delta = vec![0.7; 4];
    let ss = det.steady_state().unwrap();
    let policy = constant_policy(&det, &ss.savings_rates);
    let mut s = ss.holdings.clone();
    s.push(2.0);
    let st = Tensor::from_vec(s.clone(), [1, 6]);
    let r = residuals(&det, &policy, &st);
    assert!(r.data().iter().all(|v| v.abs() < 1e-10), "{:?}", r.data());
    let path = simulate_path(&det, &policy, 3, 0, 1);
    for v in rows(&path) {
        for (k, k_ss) in v.iter().zip(&ss.holdings) {
            assert!((k / k_ss - 1.0).abs() < 1e-10);
        }
    }
    // The savings rates are interior: no borrowing limit binds in the steady state.
    let sk = Olg::krueger_kubler().steady_state().unwrap();
    assert!(
        sk.savings_rates.iter().all(|&s| s > 0.05 && s < 0.95),
        "{sk:?}"
    );
}

#[test]
fn residual_loss_gradients_match_finite_differences() {
    let model = Olg::krueger_kubler();
    let policy = Policy::new(&model, &[5], Activation::Tanh, 3).unwrap();
    let states = box_states(&model, 4, &mut gradus::rng::seeded(2));
    let nd = nodes(&model.expectation(), &states);
    let report = check_gradients(
        |tape: &Tape<f64>, xs| {
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

#[test]
fn short_training_approaches_the_closed_form() {
    // Must-show (CLI, 2,000 episodes) in docs/deqn.md; here 150 episodes, loose bounds.
    let model = Olg::analytic();
    let episodes = 150;
    let cfg = DeqnConfig {
        episodes,
        periods: 4,
        sampling: Sampling::Mixed(0.05),
        epochs: 2,
        schedule: Schedule::Cosine {
            total: episodes,
            min_lr: 1e-5,
        },
        ..Default::default()
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
    let worst_policy = acc
        .path
        .policy
        .as_ref()
        .unwrap()
        .iter()
        .fold(0.0f64, |m, e| m.max(e.abs.max));
    let worst_mean_res = acc
        .path
        .residuals
        .iter()
        .fold(0.0f64, |m, e| m.max(e.abs.mean));
    eprintln!(
        "OLG analytic: first loss {:.2e}, last {:.2e}, path policy max rel err {worst_policy:.2e}, \
         worst mean |res| {worst_mean_res:.2e}",
        t.history[0].loss,
        t.history.last().unwrap().loss
    );
    // The start (every rate 0.5) is 20–25% off for ages 1 and 5.
    assert!(worst_policy < 2e-2, "{worst_policy:e}");
    assert!(worst_mean_res < 1e-2, "{worst_mean_res:e}");
}
