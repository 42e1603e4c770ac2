//! Derivatives of a network with respect to its inputs, and exact parameter gradients of
//! losses that contain them (what physics-informed nets and equilibrium conditions need).

mod common;

use gradus::{check_gradients, rng, Tape, Tensor, Var};

const H: f64 = 1e-4;

/// u(x) for a batch of points x (n x d), with parameters given as tape variables.
fn u<'t>(x: Var<'t, f64>, p: &[Var<'t, f64>]) -> Var<'t, f64> {
    common::mlp(x, p, common::tanh)
}

fn eval(x: &Tensor<f64>, params: &[Tensor<f64>]) -> Tensor<f64> {
    let tape = Tape::new();
    let p: Vec<_> = params.iter().map(|t| tape.constant(t)).collect();
    u(tape.constant(x), &p).value()
}

#[test]
fn first_and_second_input_derivatives_match_finite_differences_1d() {
    let params = common::mlp_params::<f64>(&[1, 32, 32, 1], &mut rng::seeded(1));
    let xs = Tensor::from_vec(vec![-0.9, -0.3, 0.0, 0.45, 0.8], [5, 1]);
    let tape = Tape::new();
    let p = common::vars(&tape, &params);
    let x = tape.constant(&xs);
    let uu = u(x, &p);
    let du = tape.partial(uu, x, 0);
    let d2u = tape.partial(du, x, 0);

    let plus = eval(&xs.map(|v| v + H), &params);
    let minus = eval(&xs.map(|v| v - H), &params);
    let centre = eval(&xs, &params);
    for i in 0..5 {
        let fd1 = (plus.data()[i] - minus.data()[i]) / (2.0 * H);
        let fd2 = (plus.data()[i] - 2.0 * centre.data()[i] + minus.data()[i]) / (H * H);
        let (a1, a2) = (du.value().data()[i], d2u.value().data()[i]);
        assert!(
            (a1 - fd1).abs() <= 1e-7 * (1.0 + fd1.abs()),
            "du/dx at row {i}: {a1} vs {fd1}"
        );
        assert!(
            (a2 - fd2).abs() <= 1e-4 * (1.0 + fd2.abs()),
            "d2u/dx2 at row {i}: {a2} vs {fd2}"
        );
    }
}

/// mean((u'' + 1)²) over collocation points: the residual of u'' = -1.
fn poisson_1d_loss<'t>(tape: &'t Tape<f64>, v: &[Var<'t, f64>], xs: &Tensor<f64>) -> Var<'t, f64> {
    let x = tape.constant(xs);
    let uu = u(x, v);
    let d2u = tape.partial(tape.partial(uu, x, 0), x, 0);
    d2u.add_scalar(1.0).square().mean()
}

#[test]
fn parameter_gradient_of_a_second_derivative_loss_is_exact_1d() {
    let params = common::mlp_params::<f64>(&[1, 32, 32, 1], &mut rng::seeded(2));
    let xs = Tensor::from_vec(
        (0..16).map(|i| -1.0 + 2.0 * i as f64 / 15.0).collect(),
        [16, 1],
    );
    let report = check_gradients(|tape, v| poisson_1d_loss(tape, v, &xs), &params, 1e-6);
    assert!(report.passed, "{report}");
    assert!(report.max_rel_error < 1e-6);
}

/// mean((∂²u/∂x₁² + ∂²u/∂x₂²)²): the Laplacian of a 2-input net.
fn laplace_loss<'t>(tape: &'t Tape<f64>, v: &[Var<'t, f64>], xs: &Tensor<f64>) -> Var<'t, f64> {
    let x = tape.constant(xs);
    let uu = u(x, v);
    let uxx = tape.partial(tape.partial(uu, x, 0), x, 0);
    let uyy = tape.partial(tape.partial(uu, x, 1), x, 1);
    (uxx + uyy).square().mean()
}

#[test]
fn laplacian_of_a_two_input_net_and_its_parameter_gradient() {
    let params = common::mlp_params::<f64>(&[2, 32, 32, 1], &mut rng::seeded(3));
    let xs = Tensor::<f64>::uniform([12, 2], 0.0, 1.0, &mut rng::seeded(4));
    // Values against finite differences, including the mixed partial.
    let tape = Tape::new();
    let p = common::vars(&tape, &params);
    let x = tape.constant(&xs);
    let uu = u(x, &p);
    let ux = tape.partial(uu, x, 0);
    let uxx = tape.partial(ux, x, 0);
    let uxy = tape.partial(ux, x, 1);
    let uyy = tape.partial(tape.partial(uu, x, 1), x, 1);
    let shift = |dx: f64, dy: f64| {
        let mut s = xs.clone();
        for row in s.data_mut().chunks_exact_mut(2) {
            row[0] += dx;
            row[1] += dy;
        }
        eval(&s, &params)
    };
    let c = eval(&xs, &params);
    let (xp, xm, yp, ym) = (shift(H, 0.0), shift(-H, 0.0), shift(0.0, H), shift(0.0, -H));
    let (pp, pm, mp, mm) = (shift(H, H), shift(H, -H), shift(-H, H), shift(-H, -H));
    for i in 0..12 {
        let fxx = (xp.data()[i] - 2.0 * c.data()[i] + xm.data()[i]) / (H * H);
        let fyy = (yp.data()[i] - 2.0 * c.data()[i] + ym.data()[i]) / (H * H);
        let fxy = (pp.data()[i] - pm.data()[i] - mp.data()[i] + mm.data()[i]) / (4.0 * H * H);
        for (name, a, f) in [("uxx", uxx, fxx), ("uyy", uyy, fyy), ("uxy", uxy, fxy)] {
            let a = a.value().data()[i];
            assert!(
                (a - f).abs() <= 1e-4 * (1.0 + f.abs()),
                "{name} at row {i}: {a} vs {f}"
            );
        }
    }
    let report = check_gradients(|tape, v| laplace_loss(tape, v, &xs), &params, 1e-6);
    assert!(report.passed, "{report}");
}
