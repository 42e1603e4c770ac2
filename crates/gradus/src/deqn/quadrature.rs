//! Quadrature against normal densities: Gauss–Hermite in 1-D, tensor products in n-D, and
//! the monomial rules of Judd (1998, §7.5; Judd, Maliar & Maliar 2011) whose node count
//! grows polynomially instead of exponentially with the number of shocks.
//!
//! Every rule here integrates against N(0, diag σ²): nodes are points in shock space,
//! weights sum to one, so `E[f(ε)] ≈ Σ wᵢ f(xᵢ)`.
//!
//! | rule | nodes | exact for polynomials of degree |
//! |---|---|---|
//! | [`Quadrature::gauss_hermite`] (1-D, n nodes) | n | 2n − 1 |
//! | [`Quadrature::tensor`] of Gauss–Hermite rules | Π nᵢ | 2nᵢ − 1 in each variable |
//! | [`Quadrature::monomial_2n`] (Judd's M1) | 2d | 3 |
//! | [`Quadrature::monomial_2n2`] (Judd's M2) | 2d² + 1 | 5 |

/// Nodes and weights of a rule for E[f(ε)], ε ~ N(0, diag σ²).
#[derive(Clone, Debug, PartialEq)]
pub struct Quadrature {
    /// One point per node, each of the rule's dimension.
    pub nodes: Vec<Vec<f64>>,
    pub weights: Vec<f64>,
}

impl Quadrature {
    /// Gauss–Hermite with `n` nodes for N(0, σ²).
    ///
    /// Nodes are the roots of the Hermite polynomial Hₙ, found by Newton's method on the
    /// orthonormal three-term recurrence (Numerical Recipes' `gauher`), which is stable for
    /// n in the hundreds; Golub–Welsch would need a symmetric tridiagonal eigen-solver that
    /// gradus does not otherwise have. The physicists' rule (weight e^{−x²}) is mapped to the
    /// normal density by x ↦ √2 σ x, w ↦ w / √π.
    ///
    /// ```
    /// use gradus::deqn::Quadrature;
    /// let q = Quadrature::gauss_hermite(5, 0.5);
    /// // E[ε⁴] = 3σ⁴ exactly (degree 4 ≤ 2·5 − 1)
    /// let m4: f64 = q.integrate(|e| e[0].powi(4));
    /// assert!((m4 - 3.0 * 0.5f64.powi(4)).abs() < 1e-14);
    /// ```
    pub fn gauss_hermite(n: usize, sigma: f64) -> Self {
        assert!(n >= 1, "gauss_hermite: need at least one node");
        let (x, w) = hermite_physicists(n);
        let sqrt_pi = std::f64::consts::PI.sqrt();
        Quadrature {
            nodes: x
                .iter()
                .map(|&xi| vec![std::f64::consts::SQRT_2 * sigma * xi])
                .collect(),
            weights: w.iter().map(|&wi| wi / sqrt_pi).collect(),
        }
    }

    /// The tensor product of 1-D (or any) rules: every combination of nodes, weights
    /// multiplied. Exact for products of polynomials each within its factor's degree.
    pub fn tensor(rules: &[Quadrature]) -> Self {
        let mut out = Quadrature {
            nodes: vec![Vec::new()],
            weights: vec![1.0],
        };
        for r in rules {
            let mut nodes = Vec::with_capacity(out.nodes.len() * r.nodes.len());
            let mut weights = Vec::with_capacity(nodes.capacity());
            for (a, wa) in out.nodes.iter().zip(&out.weights) {
                for (b, wb) in r.nodes.iter().zip(&r.weights) {
                    let mut p = a.clone();
                    p.extend_from_slice(b);
                    nodes.push(p);
                    weights.push(wa * wb);
                }
            }
            out = Quadrature { nodes, weights };
        }
        out
    }

    /// Gauss–Hermite with `n` nodes in every dimension of N(0, diag σ²).
    pub fn gauss_hermite_nd(n: usize, sigmas: &[f64]) -> Self {
        let rules: Vec<_> = sigmas.iter().map(|&s| Self::gauss_hermite(n, s)).collect();
        Self::tensor(&rules)
    }

    /// Judd's monomial rule M1: 2d nodes ±√d σᵢ eᵢ with weight 1/(2d); exact to degree 3.
    pub fn monomial_2n(sigmas: &[f64]) -> Self {
        let d = sigmas.len();
        assert!(d >= 1, "monomial_2n: need at least one dimension");
        let r = (d as f64).sqrt();
        let mut q = Quadrature {
            nodes: Vec::new(),
            weights: Vec::new(),
        };
        for (i, &s) in sigmas.iter().enumerate() {
            for sign in [1.0, -1.0] {
                let mut p = vec![0.0; d];
                p[i] = sign * r * s;
                q.nodes.push(p);
                q.weights.push(1.0 / (2 * d) as f64);
            }
        }
        q
    }

    /// Judd's monomial rule M2: 2d² + 1 nodes, exact to degree 5 — the origin with weight
    /// 2/(d+2), ±√(d+2) σᵢ eᵢ with weight (4−d)/(2(d+2)²), and ±√((d+2)/2)(σᵢeᵢ ± σⱼeⱼ),
    /// i < j, with weight 1/(d+2)². For d = 1 it is the 3-node Gauss–Hermite rule. (For
    /// d > 4 some weights are negative, as the rule's authors note.)
    pub fn monomial_2n2(sigmas: &[f64]) -> Self {
        let d = sigmas.len();
        assert!(d >= 1, "monomial_2n2: need at least one dimension");
        let df = d as f64;
        let mut q = Quadrature {
            nodes: vec![vec![0.0; d]],
            weights: vec![2.0 / (df + 2.0)],
        };
        let r = (df + 2.0).sqrt();
        let w1 = (4.0 - df) / (2.0 * (df + 2.0).powi(2));
        for (i, &s) in sigmas.iter().enumerate() {
            for sign in [1.0, -1.0] {
                let mut p = vec![0.0; d];
                p[i] = sign * r * s;
                q.nodes.push(p);
                q.weights.push(w1);
            }
        }
        let r2 = ((df + 2.0) / 2.0).sqrt();
        let w2 = 1.0 / (df + 2.0).powi(2);
        for i in 0..d {
            for j in i + 1..d {
                for (si, sj) in [(1.0, 1.0), (1.0, -1.0), (-1.0, 1.0), (-1.0, -1.0)] {
                    let mut p = vec![0.0; d];
                    p[i] = si * r2 * sigmas[i];
                    p[j] = sj * r2 * sigmas[j];
                    q.nodes.push(p);
                    q.weights.push(w2);
                }
            }
        }
        q
    }

    pub fn len(&self) -> usize {
        self.weights.len()
    }

    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }

    /// Dimension of the shock vector.
    pub fn dim(&self) -> usize {
        self.nodes.first().map_or(0, Vec::len)
    }

    /// Σ wᵢ f(xᵢ).
    pub fn integrate(&self, f: impl Fn(&[f64]) -> f64) -> f64 {
        self.nodes
            .iter()
            .zip(&self.weights)
            .map(|(x, w)| w * f(x))
            .sum()
    }
}

/// Nodes (descending) and weights of the physicists' Gauss–Hermite rule, ∫ e^{−x²} f(x) dx.
fn hermite_physicists(n: usize) -> (Vec<f64>, Vec<f64>) {
    // π^{-1/4}: the orthonormal H̃₀.
    let pim4 = std::f64::consts::PI.powf(-0.25);
    let nf = n as f64;
    let (mut x, mut w) = (vec![0.0; n], vec![0.0; n]);
    let m = n.div_ceil(2);
    let mut z = 0.0;
    for i in 0..m {
        // Initial guesses for the largest roots first (Numerical Recipes, §4.6).
        z = match i {
            0 => (2.0 * nf + 1.0).sqrt() - 1.85575 * (2.0 * nf + 1.0).powf(-0.16667),
            1 => z - 1.14 * nf.powf(0.426) / z,
            2 => 1.86 * z - 0.86 * x[0],
            3 => 1.91 * z - 0.91 * x[1],
            _ => 2.0 * z - x[i - 2],
        };
        let mut pp = 0.0;
        for _ in 0..200 {
            let (mut p1, mut p2) = (pim4, 0.0);
            for j in 1..=n {
                let p3 = p2;
                p2 = p1;
                let jf = j as f64;
                p1 = z * (2.0 / jf).sqrt() * p2 - ((jf - 1.0) / jf).sqrt() * p3;
            }
            pp = (2.0 * nf).sqrt() * p2;
            let z1 = z;
            z = z1 - p1 / pp;
            if (z - z1).abs() <= 1e-15 * z.abs().max(1.0) {
                break;
            }
        }
        x[i] = z;
        x[n - 1 - i] = -z;
        w[i] = 2.0 / (pp * pp);
        w[n - 1 - i] = w[i];
    }
    if n % 2 == 1 {
        // The middle root is exactly zero; Newton leaves it at rounding level.
        x[n / 2] = 0.0;
    }
    (x, w)
}
