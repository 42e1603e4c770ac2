//! Genz families against their formulas, the random normalisation, parameter errors, and the
//! polynomial baseline's solver against exact answers.

use gradus::genz::{
    basis_size, choose_degree, lstsq_qr, total_degree_indices, Family, Genz, GenzError, Params,
    PolyConfig, Polynomial,
};
use rand::Rng;

fn given(family: Family) -> Genz {
    let p = Params::Given {
        c: vec![1.1526, 2.5598],
        w: vec![0.4630, 0.6341],
    };
    Genz::new(family, 2, &p).unwrap()
}

#[test]
fn families_match_their_formulas_at_a_point() {
    let (c1, c2, w1, w2) = (1.1526f64, 2.5598f64, 0.4630f64, 0.6341f64);
    let (x1, x2) = (0.3f64, 0.8f64);
    let pi = std::f64::consts::PI;
    let expected = [
        (
            Family::Oscillatory,
            (2.0 * pi * w1 + c1 * x1 + c2 * x2).cos(),
        ),
        (
            Family::ProductPeak,
            1.0 / ((1.0 / (c1 * c1) + (x1 - w1).powi(2)) * (1.0 / (c2 * c2) + (x2 - w2).powi(2))),
        ),
        (Family::CornerPeak, (1.0 + c1 * x1 + c2 * x2).powi(-3)),
        (
            Family::Gaussian,
            (-(c1 * c1 * (x1 - w1).powi(2) + c2 * c2 * (x2 - w2).powi(2))).exp(),
        ),
        (
            Family::Continuous,
            (-(c1 * (x1 - w1).abs() + c2 * (x2 - w2).abs())).exp(),
        ),
        // x₂ = 0.8 > w₂: outside the box [0, w₁] × [0, w₂].
        (Family::Discontinuous, 0.0),
    ];
    for (family, value) in expected {
        let got = given(family).eval(&[x1, x2]);
        assert!((got - value).abs() < 1e-14, "{family:?}: {got} vs {value}");
    }
    // Inside the box the discontinuous function is exp(c·x).
    let inside = given(Family::Discontinuous).eval(&[0.2, 0.5]);
    assert!((inside - (c1 * 0.2 + c2 * 0.5f64).exp()).abs() < 1e-14);
    // The peaks sit at w: the Gaussian and continuous functions are 1 there.
    assert_eq!(given(Family::Gaussian).eval(&[w1, w2]), 1.0);
    assert_eq!(given(Family::Continuous).eval(&[w1, w2]), 1.0);
    // Corner peak in d dimensions has exponent −(d + 1): at 0 it is 1, at x it falls fast.
    let cp = Genz::new(
        Family::CornerPeak,
        3,
        &Params::Given {
            c: vec![1.0; 3],
            w: vec![0.5; 3],
        },
    )
    .unwrap();
    assert!((cp.eval(&[1.0, 0.0, 0.0]) - 2f64.powi(-4)).abs() < 1e-15);
}

#[test]
fn random_members_are_normalised_as_genz_1987() {
    let b = [1.5, 0.0, 1.85, 7.03, 20.4, 4.3];
    for (family, bj) in Family::ALL.into_iter().zip(b) {
        for dim in [1, 2, 5, 10] {
            let g = Genz::new(family, dim, &Params::Genz { seed: 7 }).unwrap();
            let bj = if family == Family::ProductPeak {
                dim as f64
            } else {
                bj
            };
            assert!(
                (g.c.iter().sum::<f64>() - bj).abs() < 1e-12,
                "{family:?} d={dim}"
            );
            assert!((g.w.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            assert!(g.c.iter().chain(&g.w).all(|v| *v > 0.0));
            // Seeded: the same seed gives the same member, another seed another one (in one
            // dimension the normalisation leaves nothing random: c = b_j, w = 1).
            assert_eq!(
                g,
                Genz::new(family, dim, &Params::Genz { seed: 7 }).unwrap()
            );
            let other = Genz::new(family, dim, &Params::Genz { seed: 8 }).unwrap();
            if dim > 1 {
                assert_ne!(g, other);
            }
        }
    }
    let r = Genz::new(
        Family::Gaussian,
        4,
        &Params::Ranges {
            c_range: (2.0, 3.0),
            w_range: (0.25, 0.75),
            seed: 1,
        },
    )
    .unwrap();
    assert!(r.c.iter().all(|c| (2.0..=3.0).contains(c)));
    assert!(r.w.iter().all(|w| (0.25..=0.75).contains(w)));
}

#[test]
fn bad_parameters_are_errors_not_panics() {
    let e = Genz::new(
        Family::Gaussian,
        3,
        &Params::Given {
            c: vec![1.0; 2],
            w: vec![0.5; 3],
        },
    );
    assert!(matches!(e, Err(GenzError::Length { dim: 3, c: 2, .. })));
    assert!(Genz::new(Family::Gaussian, 0, &Params::Genz { seed: 0 }).is_err());
    let zero_c = Params::Given {
        c: vec![0.0],
        w: vec![0.5],
    };
    assert!(Genz::new(Family::ProductPeak, 1, &zero_c).is_err());
    let bad_range = Params::Ranges {
        c_range: (2.0, 1.0),
        w_range: (0.0, 1.0),
        seed: 0,
    };
    assert!(Genz::new(Family::Oscillatory, 2, &bad_range).is_err());
    assert_eq!(Family::from_name("Product-Peak"), Some(Family::ProductPeak));
    assert_eq!(Family::from_name("gauss"), None);
}

#[test]
fn total_degree_basis_has_binomial_size() {
    for dim in 1..=5 {
        for p in 0..=6 {
            let idx = total_degree_indices(dim, p);
            assert_eq!(idx.len(), basis_size(dim, p), "d={dim} p={p}");
            assert!(idx.iter().all(|a| a.iter().sum::<usize>() <= p));
        }
    }
    // C(12, 2) = 66, C(15, 5) = 3003, C(13, 3) = 286.
    assert_eq!(basis_size(2, 10), 66);
    assert_eq!(basis_size(5, 10), 3003);
    assert_eq!(basis_size(10, 3), 286);
    let cfg = PolyConfig::default();
    assert_eq!(choose_degree(2, 10, &cfg), 1); // 3 terms ≤ 5 < 6
    assert_eq!(choose_degree(10, 5000, &cfg), 3); // 286 ≤ 300 < 1001
    assert_eq!(choose_degree(2, 5000, &cfg), cfg.max_degree);
}

#[test]
fn qr_least_squares_matches_the_normal_equations() {
    // A random 40 × 4 problem: the residual of the QR solution is orthogonal to A's columns
    // (Aᵀ(Ax − b) = 0 is the normal equations).
    let mut r = gradus::rng::seeded(3);
    let (rows, cols) = (40, 4);
    let a: Vec<f64> = (0..rows * cols).map(|_| r.random::<f64>() - 0.5).collect();
    let b: Vec<f64> = (0..rows).map(|_| r.random::<f64>()).collect();
    let x = lstsq_qr(&mut a.clone(), rows, cols, &mut b.clone());
    let resid: Vec<f64> = (0..rows)
        .map(|i| (0..cols).map(|j| a[j * rows + i] * x[j]).sum::<f64>() - b[i])
        .collect();
    for j in 0..cols {
        let g: f64 = (0..rows).map(|i| a[j * rows + i] * resid[i]).sum();
        assert!(g.abs() < 1e-12, "column {j}: Aᵀr = {g}");
    }
}

#[test]
fn polynomial_fit_reproduces_a_polynomial_in_its_space() {
    // f has total degree 3 in 3 variables; 200 samples give degree ≥ 3, so the fit is exact.
    let f = |x: &[f64]| 1.0 + x[0] * x[1] * x[2] - 2.0 * x[1].powi(3) + 0.5 * x[2];
    let mut r = gradus::rng::seeded(11);
    let x: Vec<f64> = (0..200 * 3).map(|_| r.random::<f64>()).collect();
    let y: Vec<f64> = x.chunks(3).map(f).collect();
    let p = Polynomial::fit(&x, &y, 3, &PolyConfig::default());
    assert!(p.degree >= 3);
    for q in [[0.1, 0.2, 0.3], [0.9, 0.5, 0.05], [1.0, 1.0, 1.0]] {
        assert!((p.eval(&q) - f(&q)).abs() < 1e-8, "at {q:?}");
    }
}
