//! Eigendecomposition of a symmetric matrix by the cyclic Jacobi method.
//!
//! CMA-ES needs C = B D² Bᵀ for its covariance matrix, of the dimension of the search space
//! (tens, occasionally hundreds). Jacobi rotations are short, need no external LAPACK, and
//! are accurate to working precision even for small eigenvalues — which matters, because the
//! smallest eigenvalues of C set the step along the narrowest valley. At O(n³) per sweep and
//! ~6–10 sweeps it is slower than Householder + QR for large n, but CMA-ES decomposes only
//! every ~n/10 generations.

/// Eigenvalues and eigenvectors of the symmetric n×n row-major matrix `a` (only symmetry
/// is assumed; the upper triangle is used). Returns (values, vectors) with `vectors` row-major
/// and eigenvector k in column k; values are in ascending order.
///
/// ```
/// use gradus::evo::symmetric_eigen;
/// let (d, b) = symmetric_eigen(&[2.0, 1.0, 1.0, 2.0], 2);
/// assert!((d[0] - 1.0).abs() < 1e-14 && (d[1] - 3.0).abs() < 1e-14);
/// // column 1 ∝ (1, 1)/√2
/// assert!((b[1].abs() - 0.5f64.sqrt()).abs() < 1e-14 && (b[1] - b[3]).abs() < 1e-14);
/// ```
///
/// # Panics
/// If `a.len() != n * n`.
pub fn symmetric_eigen(a: &[f64], n: usize) -> (Vec<f64>, Vec<f64>) {
    assert_eq!(
        a.len(),
        n * n,
        "symmetric_eigen: {} elements for n = {n}",
        a.len()
    );
    let mut m = a.to_vec();
    // Symmetrise from the upper triangle so that rounding asymmetry cannot bias the result.
    for i in 0..n {
        for j in 0..i {
            m[i * n + j] = m[j * n + i];
        }
    }
    let mut v = vec![0.0; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    let scale: f64 = m.iter().map(|x| x * x).sum::<f64>().sqrt();
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| m[i * n + j] * m[i * n + j])
            .sum::<f64>()
            .sqrt();
        if off <= 1e-15 * scale || off == 0.0 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = m[p * n + q];
                if apq == 0.0 {
                    continue;
                }
                let (app, aqq) = (m[p * n + p], m[q * n + q]);
                // Rotation angle that zeroes a_pq (Golub & Van Loan, Algorithm 8.5.1),
                // with t the smaller root for stability (signum(0) = 1: a 45° turn).
                let theta = (aqq - app) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (mkp, mkq) = (m[k * n + p], m[k * n + q]);
                    m[k * n + p] = c * mkp - s * mkq;
                    m[k * n + q] = s * mkp + c * mkq;
                }
                for k in 0..n {
                    let (mpk, mqk) = (m[p * n + k], m[q * n + k]);
                    m[p * n + k] = c * mpk - s * mqk;
                    m[q * n + k] = s * mpk + c * mqk;
                }
                for k in 0..n {
                    let (vkp, vkq) = (v[k * n + p], v[k * n + q]);
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| m[i * n + i].total_cmp(&m[j * n + j]));
    let values = order.iter().map(|&i| m[i * n + i]).collect();
    let mut vectors = vec![0.0; n * n];
    for (k, &i) in order.iter().enumerate() {
        for r in 0..n {
            vectors[r * n + k] = v[r * n + i];
        }
    }
    (values, vectors)
}
