//! User-facing calculus against closed forms: the lecture's worked examples, Rosenbrock's
//! Hessian, and forward- against reverse-mode Jacobians.

mod common;

use gradus::{calculus, Float, Tape, Tensor, Var};

/// f(x) = exp(x²);  f'(x) = 2x exp(x²).
fn exp_sq<'t, F: Float>(x: Var<'t, F>) -> Var<'t, F> {
    x.square().exp()
}

/// f(x) = sqrt(x² + exp(x²));  f'(x) = (x + x exp(x²)) / sqrt(x² + exp(x²)).
fn sqrt_example<'t, F: Float>(x: Var<'t, F>) -> Var<'t, F> {
    let x2 = x.square();
    (x2 + x2.exp()).sqrt()
}

fn both_modes(f: for<'t> fn(Var<'t, f64>) -> Var<'t, f64>, x: f64) -> (f64, f64) {
    let tape = Tape::new();
    let xv = tape.var_scalar(x);
    let y = f(xv);
    let forward = tape.jvp(y, xv, tape.constant_scalar(1.0)).item();
    tape.backward(y);
    (forward, xv.grad().item())
}

#[test]
fn lecture_examples_match_closed_forms_in_both_modes() {
    for &x in &[-1.3f64, -0.2, 0.0, 0.5, 1.7] {
        let e: f64 = (x * x).exp();
        let (fwd, rev) = both_modes(exp_sq, x);
        let exact = 2.0 * x * e;
        assert!(
            (fwd - exact).abs() <= 1e-12 * exact.abs().max(1.0),
            "exp(x²) forward at {x}: {fwd} vs {exact}"
        );
        assert!(
            (rev - exact).abs() <= 1e-12 * exact.abs().max(1.0),
            "exp(x²) reverse at {x}: {rev} vs {exact}"
        );

        let (fwd, rev) = both_modes(sqrt_example, x);
        let exact = (x + x * e) / (x * x + e).sqrt();
        assert!(
            (fwd - exact).abs() <= 1e-12,
            "sqrt example forward at {x}: {fwd} vs {exact}"
        );
        assert!(
            (rev - exact).abs() <= 1e-12,
            "sqrt example reverse at {x}: {rev} vs {exact}"
        );
    }
}

#[test]
fn lecture_examples_in_f32() {
    let tape = Tape::<f32>::new();
    let x = tape.var_scalar(0.8);
    let y = sqrt_example(x);
    let fwd = tape.jvp(y, x, tape.constant_scalar(1.0)).item();
    tape.backward(y);
    let (xv, e) = (0.8f64, 0.64f64.exp());
    let exact = (xv + xv * e) / (0.64 + e).sqrt();
    assert!((fwd as f64 - exact).abs() < 1e-5);
    assert!((x.grad().item() as f64 - exact).abs() < 1e-5);
}

fn rosenbrock<'t>(x: Var<'t, f64>) -> Var<'t, f64> {
    let (a, b) = (x.narrow(0, 0, 1), x.narrow(0, 1, 1));
    ((-a).add_scalar(1.0).square() + (b - a.square()).square().mul_scalar(100.0)).sum()
}

#[test]
fn rosenbrock_hessian_matches_closed_form() {
    // H = [[2 - 400(y - 3x²)... ]]: ∂²/∂x² = 2 - 400y + 1200x², ∂²/∂x∂y = -400x, ∂²/∂y² = 200.
    for &(x, y) in &[(1.0, 1.0), (-1.2, 1.0), (0.3, -0.7), (2.0, 3.5)] {
        let h = calculus::hessian(rosenbrock, &Tensor::from_vec(vec![x, y], [2]));
        let exact = [
            2.0 - 400.0 * y + 1200.0 * x * x,
            -400.0 * x,
            -400.0 * x,
            200.0,
        ];
        for (got, want) in h.data().iter().zip(exact) {
            assert!(
                (got - want).abs() <= 1e-10 * want.abs().max(1.0),
                "Hessian at ({x}, {y}): {:?} vs {exact:?}",
                h.data()
            );
        }
        // H·v without forming H.
        let v = Tensor::from_vec(vec![0.3, -2.0], [2]);
        let hv = calculus::hvp(rosenbrock, &Tensor::from_vec(vec![x, y], [2]), &v);
        let want = [
            exact[0] * 0.3 - exact[1] * 2.0,
            exact[2] * 0.3 - exact[3] * 2.0,
        ];
        assert!((hv.data()[0] - want[0]).abs() < 1e-9 && (hv.data()[1] - want[1]).abs() < 1e-9);
        // The gradient: (-2(1-x) - 400x(y-x²), 200(y-x²)).
        let (f, g) = calculus::grad(rosenbrock, &Tensor::from_vec(vec![x, y], [2]));
        assert!((f - ((1.0 - x) * (1.0 - x) + 100.0 * (y - x * x) * (y - x * x))).abs() < 1e-12);
        assert!((g.data()[0] - (-2.0 * (1.0 - x) - 400.0 * x * (y - x * x))).abs() < 1e-10);
        assert!((g.data()[1] - 200.0 * (y - x * x)).abs() < 1e-10);
    }
}

fn three_layer_net<'t>(x: Var<'t, f64>) -> Var<'t, f64> {
    let mut rng = gradus::rng::seeded(7);
    let params = common::mlp_params::<f64>(&[4, 8, 8, 3], &mut rng);
    let p: Vec<_> = params.iter().map(|t| x.tape().constant(t)).collect();
    common::mlp(x.reshape([1, 4]), &p, common::tanh).reshape([3])
}

#[test]
fn forward_and_reverse_jacobians_agree() {
    let x = Tensor::from_vec(vec![0.4, -1.1, 0.7, 2.0], [4]);
    let jf = calculus::jacobian_forward(three_layer_net, &x);
    let jr = calculus::jacobian_reverse(three_layer_net, &x);
    assert_eq!(jf.shape().dims(), &[3, 4]);
    let err = jf.max_abs_diff(&jr);
    assert!(
        err <= 1e-10,
        "forward and reverse Jacobians differ by {err:e}"
    );
    assert!(
        jf.data().iter().any(|v| v.abs() > 1e-3),
        "Jacobian is trivially zero"
    );
}
