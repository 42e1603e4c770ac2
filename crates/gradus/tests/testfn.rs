//! Test functions: the engine form agrees with the plain formula, gradients and Hessians
//! agree with finite differences and closed forms, and the known minima are minima.

use gradus::testfn::{TestFnError, TestFunction, HIMMELBLAU_MINIMA, STYBLINSKI_TANG_X};
use rand::Rng;

fn all(dim: usize) -> Vec<TestFunction> {
    TestFunction::NAMES
        .iter()
        .filter_map(|n| TestFunction::by_name(n, dim).ok())
        .collect()
}

/// Random points inside each function's box.
fn points(f: &TestFunction, count: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = gradus::rng::seeded(seed);
    let (lo, hi) = f.domain();
    (0..count)
        .map(|_| (0..f.dim()).map(|_| rng.random_range(lo..hi)).collect())
        .collect()
}

#[test]
fn every_name_builds_in_some_dimension() {
    for name in TestFunction::NAMES {
        let ok = [1, 2, 10]
            .iter()
            .any(|&d| TestFunction::by_name(name, d).is_ok());
        assert!(ok, "{name}");
    }
    assert_eq!(all(2).len(), 10); // all but the 1-D cubic
    assert_eq!(all(10).len(), 6); // the n-dimensional ones
}

#[test]
fn engine_and_plain_formulas_agree() {
    for dim in [1, 2, 10] {
        for f in all(dim) {
            for x in points(&f, 20, 1) {
                let (a, b) = (f.value(&x), f.value_by_engine(&x));
                assert!(
                    (a - b).abs() <= 1e-12 * a.abs().max(1.0),
                    "{} at {x:?}: {a} vs {b}",
                    f.name()
                );
            }
        }
    }
}

#[test]
fn gradients_and_hessians_match_finite_differences() {
    for dim in [1, 2, 5] {
        for f in all(dim) {
            for x in points(&f, 5, 2) {
                let (_, g) = f.value_grad(&x);
                let h = f.hessian(&x);
                let n = x.len();
                for i in 0..n {
                    let eps = 1e-5 * x[i].abs().max(1.0);
                    let (mut up, mut down) = (x.clone(), x.clone());
                    up[i] += eps;
                    down[i] -= eps;
                    let fd = (f.value(&up) - f.value(&down)) / (2.0 * eps);
                    let scale = g[i].abs().max(f.value(&x).abs()).max(1.0);
                    assert!(
                        (fd - g[i]).abs() <= 1e-6 * scale,
                        "{} ∂{i} at {x:?}: fd {fd} vs {}",
                        f.name(),
                        g[i]
                    );
                    // Row i of H by central differences of the (exact) gradient.
                    let (gu, gd) = (f.value_grad(&up).1, f.value_grad(&down).1);
                    for j in 0..n {
                        let fd = (gu[j] - gd[j]) / (2.0 * eps);
                        let scale = h[i * n + j].abs().max(1.0);
                        assert!(
                            (fd - h[i * n + j]).abs() <= 1e-5 * scale,
                            "{} H[{i},{j}] at {x:?}: fd {fd} vs {}",
                            f.name(),
                            h[i * n + j]
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn closed_forms() {
    // Rastrigin: ∂f/∂xᵢ = 2xᵢ + 20π sin(2πxᵢ), Hᵢᵢ = 2 + 40π² cos(2πxᵢ).
    let pi = std::f64::consts::PI;
    let f = TestFunction::by_name("rastrigin", 3).unwrap();
    let x = [0.3, -1.7, 2.2];
    let (_, g) = f.value_grad(&x);
    let h = f.hessian(&x);
    for i in 0..3 {
        let gi = 2.0 * x[i] + 20.0 * pi * (2.0 * pi * x[i]).sin();
        let hi = 2.0 + 40.0 * pi * pi * (2.0 * pi * x[i]).cos();
        assert!((g[i] - gi).abs() < 1e-12 * gi.abs().max(1.0), "{i}");
        assert!((h[i * 3 + i] - hi).abs() < 1e-11 * hi.abs().max(1.0), "{i}");
    }
    // Ellipsoid: H = diag(2·10^(6i/(n−1))), condition 1e6.
    let f = TestFunction::by_name("ellipsoid", 4).unwrap();
    let h = f.hessian(&[0.1, 0.2, 0.3, 0.4]);
    assert_eq!((h[0], h[15]), (2.0, 2e6));
    assert!((h[5] - 200.0).abs() < 1e-9 && h[1] == 0.0);
    // Cubic: f' = 3x² − 4x, f'' = 6x − 4.
    let f = TestFunction::by_name("cubic", 1).unwrap();
    assert_eq!(f.value_grad(&[2.0]), (2.0, vec![4.0]));
    assert_eq!(f.hessian(&[2.0]), vec![8.0]);
}

#[test]
fn known_minima_are_stationary_with_the_stated_value() {
    for dim in [1, 2, 10] {
        for f in all(dim) {
            let fmin = f.f_min().unwrap();
            assert!(!f.minima().is_empty(), "{}", f.name());
            for m in f.minima() {
                let v = f.value(m);
                assert!(
                    (v - fmin).abs() < 1e-9 * fmin.abs().max(1.0),
                    "{}: {v}",
                    f.name()
                );
                if f.name() == "ackley" {
                    continue; // a cone: no gradient at the tip
                }
                let (_, g) = f.value_grad(m);
                let gn = g.iter().map(|v| v * v).sum::<f64>().sqrt();
                assert!(gn < 1e-9, "{} gradient {gn} at {m:?}", f.name());
                // And a minimum, not a saddle: f grows in random directions nearby.
                for p in points(&f, 10, 3) {
                    let near: Vec<f64> = m.iter().zip(&p).map(|(a, b)| a + 1e-3 * b).collect();
                    assert!(f.value(&near) > v, "{} not a minimum at {m:?}", f.name());
                }
            }
        }
    }
    assert_eq!(HIMMELBLAU_MINIMA.len(), 4);
    // Styblinski–Tang's minimiser solves 4x³ − 32x + 5 = 0.
    let x = STYBLINSKI_TANG_X;
    assert!((4.0 * x.powi(3) - 32.0 * x + 5.0).abs() < 1e-12);
}

#[test]
fn bad_names_and_dimensions_are_errors() {
    assert!(matches!(
        TestFunction::by_name("rosenbrok", 2),
        Err(TestFnError::UnknownName { .. })
    ));
    let e = TestFunction::by_name("himmelblau", 3).unwrap_err();
    assert!(e.to_string().contains("2 dimension"), "{e}");
    assert!(TestFunction::by_name("rosenbrock", 1).is_err());
    assert!(TestFunction::by_name("sphere", 0).is_err());
    // Case and separators do not matter.
    assert_eq!(
        TestFunction::by_name("Goldstein_Price", 2).unwrap().name(),
        "goldstein-price"
    );
}

#[test]
fn user_closures_get_engine_derivatives() {
    // f(x, y) = exp(x) sin(y): ∇f = (eˣ sin y, eˣ cos y), H = [[eˣ sin y, eˣ cos y], [eˣ cos y, −eˣ sin y]].
    let f = TestFunction::custom("wave", 2, |v| {
        (v.narrow(0, 0, 1).exp() * v.narrow(0, 1, 1).sin()).sum()
    });
    let (x, y) = (0.4f64, 1.1f64);
    let (val, g) = f.value_grad(&[x, y]);
    let (s, c, e) = (y.sin(), y.cos(), x.exp());
    assert!((val - e * s).abs() < 1e-15);
    assert!((g[0] - e * s).abs() < 1e-15 && (g[1] - e * c).abs() < 1e-15);
    let h = f.hessian(&[x, y]);
    let want = [e * s, e * c, e * c, -e * s];
    for (a, b) in h.iter().zip(want) {
        assert!((a - b).abs() < 1e-14, "{h:?}");
    }
    assert_eq!(f.value(&[x, y]), val);
    assert!(f.f_min().is_none() && f.minima().is_empty());
}
