//! Quadrature rules integrate polynomials of their stated degree exactly against N(0, σ²).

use gradus::deqn::Quadrature;

/// E[x^k] for x ~ N(0, σ²): 0 for odd k, σ^k (k − 1)!! for even k.
fn normal_moment(k: u32, sigma: f64) -> f64 {
    if k % 2 == 1 {
        return 0.0;
    }
    let mut df = 1.0;
    let mut i = k as i64 - 1;
    while i > 1 {
        df *= i as f64;
        i -= 2;
    }
    sigma.powi(k as i32) * df
}

fn close(a: f64, b: f64, scale: f64) -> bool {
    (a - b).abs() <= 1e-12 * scale.max(1.0)
}

#[test]
fn gauss_hermite_is_exact_to_degree_2n_minus_1() {
    for n in 1..=20 {
        for sigma in [0.04, 0.7, 1.0, 2.5] {
            let q = Quadrature::gauss_hermite(n, sigma);
            assert_eq!(q.len(), n);
            assert!(close(q.weights.iter().sum::<f64>(), 1.0, 1.0), "n={n}");
            for k in 0..(2 * n as u32) {
                let got = q.integrate(|x| x[0].powi(k as i32));
                let want = normal_moment(k, sigma);
                assert!(
                    close(got, want, normal_moment(k + k % 2, sigma)),
                    "n={n} σ={sigma} k={k}: {got} vs {want}"
                );
            }
            // Degree 2n is not integrated exactly (shows the test can fail).
            let k = 2 * n as u32;
            let got = q.integrate(|x| x[0].powi(k as i32));
            assert!((got - normal_moment(k, sigma)).abs() > 1e-8 * normal_moment(k, sigma));
        }
    }
}

#[test]
fn gauss_hermite_has_known_nodes() {
    // 3 nodes: 0, ±√3 σ with weights 2/3, 1/6 (the probabilists' rule).
    let q = Quadrature::gauss_hermite(3, 2.0);
    let mut nodes: Vec<f64> = q.nodes.iter().map(|x| x[0]).collect();
    nodes.sort_by(f64::total_cmp);
    assert!(close(nodes[0], -2.0 * 3f64.sqrt(), 1.0) && nodes[1] == 0.0);
    let w0 = q.weights[q.nodes.iter().position(|x| x[0] == 0.0).unwrap()];
    assert!(close(w0, 2.0 / 3.0, 1.0));
}

#[test]
fn tensor_product_is_exact_for_products_of_monomials() {
    let sig = [0.3, 1.2, 0.8];
    let q = Quadrature::gauss_hermite_nd(4, &sig);
    assert_eq!((q.len(), q.dim()), (64, 3));
    for a in 0..8u32 {
        for b in 0..8u32 {
            for c in 0..8u32 {
                let got = q
                    .integrate(|x| x[0].powi(a as i32) * x[1].powi(b as i32) * x[2].powi(c as i32));
                let want =
                    normal_moment(a, sig[0]) * normal_moment(b, sig[1]) * normal_moment(c, sig[2]);
                assert!(close(got, want, 1e3), "{a} {b} {c}: {got} vs {want}");
            }
        }
    }
}

/// Every monomial of total degree ≤ `deg` in `d` variables, as exponent vectors.
fn monomials(d: usize, deg: u32) -> Vec<Vec<u32>> {
    let mut out = vec![vec![]];
    for _ in 0..d {
        out = out
            .into_iter()
            .flat_map(|m: Vec<u32>| {
                let used: u32 = m.iter().sum();
                (0..=deg - used).map(move |e| {
                    let mut m2 = m.clone();
                    m2.push(e);
                    m2
                })
            })
            .collect();
    }
    out
}

fn check_monomial_rule(q: &Quadrature, sig: &[f64], deg: u32) -> Result<(), String> {
    for m in monomials(sig.len(), deg) {
        let got = q.integrate(|x| x.iter().zip(&m).map(|(v, &e)| v.powi(e as i32)).product());
        let want: f64 = m
            .iter()
            .zip(sig)
            .map(|(&e, &s)| normal_moment(e, s))
            .product();
        if !close(got, want, 10.0) {
            return Err(format!("monomial {m:?}: {got} vs {want}"));
        }
    }
    Ok(())
}

#[test]
fn monomial_rules_are_exact_to_their_degree() {
    for d in 1..=5 {
        let sig: Vec<f64> = (0..d).map(|i| 0.5 + 0.3 * i as f64).collect();
        let m1 = Quadrature::monomial_2n(&sig);
        assert_eq!(m1.len(), 2 * d);
        check_monomial_rule(&m1, &sig, 3).unwrap();
        let m2 = Quadrature::monomial_2n2(&sig);
        assert_eq!(m2.len(), 2 * d * d + 1);
        check_monomial_rule(&m2, &sig, 5).unwrap();
        // One degree more is not exact (for d ≥ 2 where the rules are not Gauss rules).
        if d >= 2 {
            assert!(check_monomial_rule(&m1, &sig, 4).is_err(), "d={d}");
            assert!(check_monomial_rule(&m2, &sig, 6).is_err(), "d={d}");
        }
    }
}
