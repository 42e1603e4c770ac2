//! Known functions inside a trial solution or residual, without an op for them.
//!
//! A hard initial condition u(x, 0) = sin(πx) needs sin(πx) as a function of the input
//! variable, with its derivatives, but the engine has no sine. A PDE residual of second
//! order only ever sees a term's value, gradient and Hessian at the collocation points, so
//! [`known`] records the second-order Taylor polynomial around each point,
//! g(x) = g₀ + ∇g₀·δ + ½ δᵀH₀δ with δ = x − x₀ and x₀ = x's current value (so δ = 0):
//! value, first and second derivatives with respect to x are exactly those of g, and
//! parameter gradients are untouched because g does not depend on parameters. Third and
//! higher derivatives come out as zero, so this is for residuals of order at most two.

use crate::autodiff::Var;
use crate::tensor::{Float, Tensor};

/// Value, gradient (dim numbers) and Hessian (dim × dim, row-major) of a known function at
/// a point.
pub type Jet = (f64, Vec<f64>, Vec<f64>);

/// `g(x)` as an `[n, 1]` node whose value and first two derivatives with respect to the
/// `[n, dim]` input `x` are those returned by `g` at each row.
///
/// ```
/// use gradus::pinn::jet::known;
/// use gradus::{Tape, Tensor};
/// let tape = Tape::<f64>::new();
/// let x = tape.constant(&Tensor::from_vec(vec![0.1, 0.4], [2, 1]));
/// let pi = std::f64::consts::PI;
/// let s = known(x, |p| {
///     let a = pi * p[0];
///     (a.sin(), vec![pi * a.cos()], vec![-pi * pi * a.sin()])
/// });
/// let s_xx = tape.partial(tape.partial(s, x, 0), x, 0);
/// assert!((s_xx.value().data()[1] + pi * pi * (0.4 * pi).sin()).abs() < 1e-12);
/// ```
pub fn known<'t, F: Float>(x: Var<'t, F>, g: impl Fn(&[f64]) -> Jet) -> Var<'t, F> {
    let tape = x.tape();
    let shape = x.shape();
    let (n, d) = shape.as_matrix();
    let x0 = x.value();
    let (mut c0, mut c1, mut c2) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n * d),
        Vec::with_capacity(n * d * d),
    );
    let mut p = vec![0.0; d];
    for row in x0.data().chunks_exact(d) {
        for (pj, v) in p.iter_mut().zip(row) {
            *pj = v.as_f64();
        }
        let (v, grad, hess) = g(&p);
        assert!(
            grad.len() == d && hess.len() == d * d,
            "known: for {d} inputs the jet needs {d} gradient and {} Hessian entries, got {} and {}",
            d * d,
            grad.len(),
            hess.len()
        );
        c0.push(F::of(v));
        c1.extend(grad.iter().map(|&v| F::of(v)));
        c2.extend(hess.iter().map(|&v| F::of(0.5 * v)));
    }
    let delta = x - tape.constant(&x0);
    let c0 = tape.constant(&Tensor::from_vec(c0, [n, 1]));
    let c1 = tape.constant(&Tensor::from_vec(c1, [n, d]));
    let c2 = tape.constant(&Tensor::from_vec(c2, [n, d * d]));
    let mut g = c0 + (delta * c1).sum_axis(1);
    for k in 0..d {
        // (½ H δ)_k, then δ_k times it.
        let half_h_delta = (c2.narrow(1, k * d, d) * delta).sum_axis(1);
        g = g + delta.narrow(1, k, 1) * half_h_delta;
    }
    g
}
