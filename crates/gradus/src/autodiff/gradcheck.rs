//! Gradient checking that users can call on their own functions.
//!
//! For each input, along random directions t and a random output cotangent c, three numbers
//! must agree: ⟨c, J t⟩ by central finite differences (Richardson-extrapolated), by forward
//! mode, and ⟨Jᵀ c, t⟩ by reverse mode (the adjoint identity). The cost does not grow with
//! tensor size. When an input fails, its elements are probed one by one to say where.

use std::fmt;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::tape::{Tape, Var};
use crate::tensor::{Float, Tensor};

/// Options for [`check_gradients_with`].
#[derive(Clone, Debug)]
pub struct GradCheckParams {
    /// Largest acceptable relative error.
    pub tolerance: f64,
    /// Random directions tried per input.
    pub directions: usize,
    /// Seed of the random directions and cotangent.
    pub seed: u64,
}

impl Default for GradCheckParams {
    fn default() -> Self {
        GradCheckParams {
            tolerance: 1e-6,
            directions: 2,
            seed: 0,
        }
    }
}

/// What a gradient check found. `passed` is false if any comparison exceeded the tolerance.
#[derive(Clone, Debug)]
pub struct GradCheckReport {
    pub passed: bool,
    pub tolerance: f64,
    /// The largest relative error over all comparisons.
    pub max_rel_error: f64,
    /// Which input the largest error was found on.
    pub worst_input: usize,
    /// Which comparison: "reverse vs finite differences", "forward vs finite differences"
    /// or "forward vs reverse (adjoint identity)".
    pub worst_check: &'static str,
    /// For a failing input: the element whose partial derivative is furthest off, with the
    /// reverse-mode and finite-difference values.
    pub worst_element: Option<(usize, f64, f64)>,
}

impl fmt::Display for GradCheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "gradient check {}: max relative error {:.3e} (tolerance {:.1e}) on input {}, {}",
            if self.passed { "passed" } else { "FAILED" },
            self.max_rel_error,
            self.tolerance,
            self.worst_input,
            self.worst_check
        )?;
        if let Some((i, rev, fd)) = self.worst_element {
            write!(
                f,
                "; worst element {i}: reverse {rev:.6e} vs finite difference {fd:.6e}"
            )?;
        }
        Ok(())
    }
}

/// Checks the derivatives of `f` at `inputs` with tolerance `tolerance` (see the module doc).
///
/// ```
/// use gradus::{check_gradients, Tensor};
/// let x = Tensor::<f64>::from_vec(vec![0.3, -1.2, 2.0], [3]);
/// let report = check_gradients(|_, v| (v[0] * v[0]).exp().sum(), &[x], 1e-6);
/// assert!(report.passed, "{report}");
/// ```
pub fn check_gradients<F: Float>(
    f: impl for<'t> Fn(&'t Tape<F>, &[Var<'t, F>]) -> Var<'t, F>,
    inputs: &[Tensor<F>],
    tolerance: f64,
) -> GradCheckReport {
    check_gradients_with(
        f,
        inputs,
        &GradCheckParams {
            tolerance,
            ..Default::default()
        },
    )
}

pub fn check_gradients_with<F: Float>(
    f: impl for<'t> Fn(&'t Tape<F>, &[Var<'t, F>]) -> Var<'t, F>,
    inputs: &[Tensor<F>],
    params: &GradCheckParams,
) -> GradCheckReport {
    let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
    let out_shape = {
        let tape = Tape::new();
        let vars: Vec<_> = inputs.iter().map(|x| tape.var(x)).collect();
        f(&tape, &vars).shape()
    };
    let cot = Tensor::<F>::randn(out_shape, 0.0, 1.0, &mut rng);
    // Differences of ⟨c, f⟩ carry rounding of order ε·S/h with S = Σ|cᵢ fᵢ|, so a
    // derivative below ε^(1/3)·S (one that is exactly zero, say) cannot be resolved
    // relatively: below that floor the error is measured against ε^(1/3)·S instead.
    let floor = {
        let tape = Tape::new();
        let vars: Vec<_> = inputs.iter().map(|x| tape.constant(x)).collect();
        let y = f(&tape, &vars);
        let scale: f64 = tape
            .value_ref(y)
            .iter()
            .zip(cot.data())
            .map(|(a, b)| (a.as_f64() * b.as_f64()).abs())
            .sum();
        F::epsilon().as_f64().cbrt() * scale.max(1e-300)
    };
    let rel_err = |a: f64, b: f64| (a - b).abs() / a.abs().max(b.abs()).max(floor);
    let mut report = GradCheckReport {
        passed: true,
        tolerance: params.tolerance,
        max_rel_error: 0.0,
        worst_input: 0,
        worst_check: "none",
        worst_element: None,
    };
    for k in 0..inputs.len() {
        let mut failed = false;
        for _ in 0..params.directions {
            let dir = unit_direction(inputs[k].shape(), &mut rng);
            let fd = finite_difference(&f, inputs, k, &dir, &cot);
            let (fwd, rev) = both_modes(&f, inputs, k, &dir, &cot);
            for (err, check) in [
                (rel_err(rev, fd), "reverse vs finite differences"),
                (rel_err(fwd, fd), "forward vs finite differences"),
                (rel_err(fwd, rev), "forward vs reverse (adjoint identity)"),
            ] {
                // NaN counts as a failure.
                if err.is_nan() || err > params.tolerance {
                    failed = true;
                }
                if err.is_nan() || err > report.max_rel_error {
                    report.max_rel_error = err;
                    report.worst_input = k;
                    report.worst_check = check;
                }
            }
        }
        if failed {
            report.passed = false;
            if report.worst_input == k {
                report.worst_element = worst_element(&f, inputs, k, &cot, &rel_err);
            }
        }
    }
    report
}

fn unit_direction<F: Float>(shape: crate::Shape, rng: &mut ChaCha8Rng) -> Tensor<F> {
    let d = Tensor::<F>::randn(shape, 0.0, 1.0, rng);
    let norm = d
        .data()
        .iter()
        .map(|v| v.as_f64().powi(2))
        .sum::<f64>()
        .sqrt()
        .max(1e-300);
    d.map(|v| F::of(v.as_f64() / norm))
}

/// ⟨c, f(inputs)⟩ with input k moved by `step` along `dir`, accumulated in f64.
fn projected<F: Float>(
    f: &impl for<'t> Fn(&'t Tape<F>, &[Var<'t, F>]) -> Var<'t, F>,
    inputs: &[Tensor<F>],
    k: usize,
    dir: &Tensor<F>,
    step: f64,
    cot: &Tensor<F>,
) -> f64 {
    let tape = Tape::new();
    let vars: Vec<_> = inputs
        .iter()
        .enumerate()
        .map(|(i, x)| {
            if i == k {
                let moved = x.zip_map(dir, "gradcheck", |a, d| {
                    F::of(a.as_f64() + step * d.as_f64())
                });
                tape.constant(&moved)
            } else {
                tape.constant(x)
            }
        })
        .collect();
    let y = f(&tape, &vars);
    let v = tape.value_ref(y);
    v.iter()
        .zip(cot.data())
        .map(|(a, b)| a.as_f64() * b.as_f64())
        .sum()
}

/// Ridders' method (Numerical Recipes' `dfridr`): central differences at shrinking steps,
/// extrapolated to zero step in a Neville tableau; the entry whose neighbours agree best
/// wins. (Without Numerical Recipes' early exit: on strongly curved functions the first
/// large steps can look converged by chance.) A single step size cannot serve every function: curved losses such as a
/// PDE residual need small steps, while rounding needs large ones.
fn finite_difference<F: Float>(
    f: &impl for<'t> Fn(&'t Tape<F>, &[Var<'t, F>]) -> Var<'t, F>,
    inputs: &[Tensor<F>],
    k: usize,
    dir: &Tensor<F>,
    cot: &Tensor<F>,
) -> f64 {
    const SHRINK: f64 = 1.4;
    const TABLE: usize = 14;
    let central = |h: f64| {
        (projected(f, inputs, k, dir, h, cot) - projected(f, inputs, k, dir, -h, cot)) / (2.0 * h)
    };
    let mut h = F::epsilon().as_f64().powf(0.2) * 10.0;
    let mut a = [[0.0f64; TABLE]; TABLE];
    a[0][0] = central(h);
    let (mut best, mut err) = (a[0][0], f64::INFINITY);
    for i in 1..TABLE {
        h /= SHRINK;
        a[0][i] = central(h);
        let mut fac = SHRINK * SHRINK;
        for j in 1..=i {
            a[j][i] = (a[j - 1][i] * fac - a[j - 1][i - 1]) / (fac - 1.0);
            fac *= SHRINK * SHRINK;
            let e = (a[j][i] - a[j - 1][i])
                .abs()
                .max((a[j][i] - a[j - 1][i - 1]).abs());
            if e <= err {
                err = e;
                best = a[j][i];
            }
        }
    }
    best
}

/// (⟨c, J t⟩ by forward mode, ⟨Jᵀ c, t⟩ by reverse mode).
fn both_modes<F: Float>(
    f: &impl for<'t> Fn(&'t Tape<F>, &[Var<'t, F>]) -> Var<'t, F>,
    inputs: &[Tensor<F>],
    k: usize,
    dir: &Tensor<F>,
    cot: &Tensor<F>,
) -> (f64, f64) {
    let tape = Tape::new();
    let vars: Vec<_> = inputs.iter().map(|x| tape.var(x)).collect();
    let y = f(&tape, &vars);
    let jt = tape.jvp(y, vars[k], tape.constant(dir));
    let fwd: f64 = tape
        .value_ref(jt)
        .iter()
        .zip(cot.data())
        .map(|(a, b)| a.as_f64() * b.as_f64())
        .sum();
    tape.backward_with(y, cot.data());
    let rev: f64 = tape
        .grad_ref(vars[k])
        .iter()
        .zip(dir.data())
        .map(|(a, b)| a.as_f64() * b.as_f64())
        .sum();
    (fwd, rev)
}

/// Probes the elements of input k one at a time (up to 4096 of them) and returns the one
/// whose reverse-mode partial differs most from its finite difference.
fn worst_element<F: Float>(
    f: &impl for<'t> Fn(&'t Tape<F>, &[Var<'t, F>]) -> Var<'t, F>,
    inputs: &[Tensor<F>],
    k: usize,
    cot: &Tensor<F>,
    rel_err: &dyn Fn(f64, f64) -> f64,
) -> Option<(usize, f64, f64)> {
    let tape = Tape::new();
    let vars: Vec<_> = inputs.iter().map(|x| tape.var(x)).collect();
    let y = f(&tape, &vars);
    tape.backward_with(y, cot.data());
    let rev = vars[k].grad();
    let mut worst: Option<(usize, f64, f64)> = None;
    let mut worst_err = -1.0;
    for i in 0..inputs[k].numel().min(4096) {
        let mut e = Tensor::zeros(inputs[k].shape());
        e.data_mut()[i] = F::one();
        let fd = finite_difference(f, inputs, k, &e, cot);
        let r = rev.data()[i].as_f64();
        let err = rel_err(r, fd);
        if err > worst_err || err.is_nan() {
            worst_err = err;
            worst = Some((i, r, fd));
        }
    }
    worst
}
