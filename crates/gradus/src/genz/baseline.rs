//! The comparison baseline: polynomial least squares on a total-degree basis.
//!
//! Basis: products of Legendre polynomials Pₖ(2xᵢ − 1), scaled by √(2k + 1) so that they are
//! orthonormal under the uniform measure on [0, 1]^d, with multi-indices of total degree ≤ p.
//! Why Legendre and not monomials: on uniform samples the Legendre columns are nearly
//! orthogonal, so the least-squares matrix stays well conditioned at degree 10 and more,
//! where the monomial (Vandermonde) matrix has a condition number beyond 1e12.
//!
//! Solver: Householder QR of the design matrix, with ridge λ applied exactly by appending
//! the rows √λ·I (minimising ‖Ax − y‖² + λ‖x‖²). QR rather than normal equations: forming AᵀA
//! squares the condition number, and QR costs only twice as much on these sizes.
//!
//! The degree is chosen from the sample size before looking at the data: the largest p with
//! at most N / `oversampling` basis terms (and at most `max_terms`, `max_degree`), so a
//! rerun with the same N picks the same model.

use serde::{Deserialize, Serialize};

/// How the baseline picks its degree and regularises.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PolyConfig {
    /// Highest total degree tried.
    pub max_degree: usize,
    /// Samples per basis term at least (2 = half as many terms as samples).
    pub oversampling: f64,
    /// Basis size cap: QR costs 2·N·terms² operations.
    pub max_terms: usize,
    /// Ridge λ added to the least-squares problem (a guard for rank-deficient samples).
    pub ridge: f64,
}

impl Default for PolyConfig {
    fn default() -> Self {
        PolyConfig {
            max_degree: 12,
            oversampling: 2.0,
            max_terms: 300,
            ridge: 1e-10,
        }
    }
}

/// Multi-indices α ∈ ℕ^d with |α| ≤ p, ordered by total degree.
pub fn total_degree_indices(dim: usize, degree: usize) -> Vec<Vec<usize>> {
    fn rec(dim: usize, left: usize, prefix: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if prefix.len() == dim {
            out.push(prefix.clone());
            return;
        }
        for k in 0..=left {
            prefix.push(k);
            rec(dim, left - k, prefix, out);
            prefix.pop();
        }
    }
    let mut out = Vec::new();
    rec(dim, degree, &mut Vec::with_capacity(dim), &mut out);
    out.sort_by_key(|a| a.iter().sum::<usize>());
    out
}

/// Number of multi-indices of total degree ≤ p in d variables: C(d + p, p).
pub fn basis_size(dim: usize, degree: usize) -> usize {
    // Computed incrementally so that it never overflows for the sizes we allow.
    (1..=degree).fold(1usize, |acc, k| acc * (dim + k) / k)
}

/// The degree [`PolyConfig`] picks for `n` samples in `dim` dimensions.
pub fn choose_degree(dim: usize, n: usize, config: &PolyConfig) -> usize {
    let cap = ((n as f64 / config.oversampling.max(1.0)).floor() as usize).min(config.max_terms);
    (0..=config.max_degree)
        .take_while(|&p| basis_size(dim, p) <= cap.max(1))
        .last()
        .unwrap_or(0)
}

/// A fitted polynomial: its multi-indices and coefficients.
#[derive(Clone, Debug, PartialEq)]
pub struct Polynomial {
    pub degree: usize,
    pub indices: Vec<Vec<usize>>,
    pub coefficients: Vec<f64>,
}

/// Orthonormal Legendre values L₀..L_p at x ∈ [0, 1] (Bonnet's recurrence on t = 2x − 1).
fn legendre_row(x: f64, p: usize, out: &mut [f64]) {
    let t = 2.0 * x - 1.0;
    let mut prev = 1.0;
    let mut cur = t;
    out[0] = 1.0;
    if p >= 1 {
        out[1] = t * 3f64.sqrt();
    }
    for k in 1..p {
        let kf = k as f64;
        let next = ((2.0 * kf + 1.0) * t * cur - kf * prev) / (kf + 1.0);
        prev = cur;
        cur = next;
        out[k + 1] = cur * (2.0 * kf + 3.0).sqrt();
    }
}

/// Basis values of one point into `row` (`values` is scratch of size dim × (p + 1)).
fn basis_row(x: &[f64], indices: &[Vec<usize>], p: usize, values: &mut [f64], row: &mut [f64]) {
    for (i, &xi) in x.iter().enumerate() {
        legendre_row(xi, p, &mut values[i * (p + 1)..(i + 1) * (p + 1)]);
    }
    for (r, alpha) in row.iter_mut().zip(indices) {
        *r = alpha
            .iter()
            .enumerate()
            .map(|(i, &k)| values[i * (p + 1) + k])
            .product();
    }
}

impl Polynomial {
    /// Least-squares fit to the rows of `x` (n × dim, row-major) and targets `y`.
    pub fn fit(x: &[f64], y: &[f64], dim: usize, config: &PolyConfig) -> Polynomial {
        let n = y.len();
        assert_eq!(x.len(), n * dim, "Polynomial::fit: x must be n × dim");
        let degree = choose_degree(dim, n, config);
        let indices = total_degree_indices(dim, degree);
        let m = indices.len();
        // Column-major design matrix with the ridge rows √λ·I below the data rows.
        let rows = n + m;
        let mut a = vec![0.0; rows * m];
        let mut values = vec![0.0; dim * (degree + 1)];
        let mut row = vec![0.0; m];
        for i in 0..n {
            basis_row(
                &x[i * dim..(i + 1) * dim],
                &indices,
                degree,
                &mut values,
                &mut row,
            );
            for (j, v) in row.iter().enumerate() {
                a[j * rows + i] = *v;
            }
        }
        let s = config.ridge.max(0.0).sqrt();
        for j in 0..m {
            a[j * rows + n + j] = s;
        }
        let mut b = y.to_vec();
        b.resize(rows, 0.0);
        let coefficients = lstsq_qr(&mut a, rows, m, &mut b);
        Polynomial {
            degree,
            indices,
            coefficients,
        }
    }

    /// The polynomial at one point.
    pub fn eval(&self, x: &[f64]) -> f64 {
        let mut values = vec![0.0; x.len() * (self.degree + 1)];
        let mut row = vec![0.0; self.indices.len()];
        basis_row(x, &self.indices, self.degree, &mut values, &mut row);
        row.iter().zip(&self.coefficients).map(|(a, c)| a * c).sum()
    }
}

/// Minimises ‖A x − b‖ for a column-major `rows` × `cols` matrix by Householder QR; `a` and
/// `b` are overwritten. A zero column (exactly rank-deficient, only possible with λ = 0) gets
/// coefficient 0.
pub fn lstsq_qr(a: &mut [f64], rows: usize, cols: usize, b: &mut [f64]) -> Vec<f64> {
    assert!(
        rows >= cols,
        "lstsq_qr: needs at least as many rows as columns"
    );
    assert_eq!(a.len(), rows * cols);
    assert_eq!(b.len(), rows);
    let mut diag = vec![0.0; cols];
    for k in 0..cols {
        // Householder vector v for column k below the diagonal, stored in place.
        let (head, tail) = a.split_at_mut((k + 1) * rows);
        let col = &mut head[k * rows..];
        let norm = col[k..].iter().map(|v| v * v).sum::<f64>().sqrt();
        if norm == 0.0 {
            diag[k] = 0.0;
            continue;
        }
        let alpha = if col[k] > 0.0 { -norm } else { norm };
        col[k] -= alpha;
        let vnorm2 = col[k..].iter().map(|v| v * v).sum::<f64>();
        diag[k] = alpha;
        let v = &col[k..];
        for j in 0..cols - k - 1 {
            let cj = &mut tail[j * rows + k..(j + 1) * rows];
            let dot: f64 = v.iter().zip(cj.iter()).map(|(a, b)| a * b).sum();
            let f = 2.0 * dot / vnorm2;
            cj.iter_mut().zip(v).for_each(|(c, vi)| *c -= f * vi);
        }
        let dot: f64 = v.iter().zip(&b[k..]).map(|(a, b)| a * b).sum();
        let f = 2.0 * dot / vnorm2;
        b[k..].iter_mut().zip(v).for_each(|(c, vi)| *c -= f * vi);
    }
    // Back substitution with R: diagonal in `diag`, above it in a's upper triangle.
    let mut x = vec![0.0; cols];
    for k in (0..cols).rev() {
        if diag[k] == 0.0 {
            continue;
        }
        let s: f64 = (k + 1..cols).map(|j| a[j * rows + k] * x[j]).sum();
        x[k] = (b[k] - s) / diag[k];
    }
    x
}
