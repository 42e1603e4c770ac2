//! Calculus on functions written with gradus ops: gradients, Jacobians (both modes),
//! Hessians and Hessian-vector products.
//!
//! ```
//! use gradus::{calculus, Tensor};
//! // Rosenbrock: f(x, y) = (1 - x)² + 100 (y - x²)²
//! // (Closures work too when written inline in the call; a named closure loses the
//! // "for any tape lifetime" signature, so a named function is the portable form.)
//! fn rosen<'t>(x: gradus::Var<'t, f64>) -> gradus::Var<'t, f64> {
//!     let (a, b) = (x.narrow(0, 0, 1), x.narrow(0, 1, 1));
//!     ((-a).add_scalar(1.0).square() + (b - a.square()).square().mul_scalar(100.0)).sum()
//! }
//! let h = calculus::hessian(rosen, &Tensor::from_vec(vec![1.0, 1.0], [2]));
//! assert_eq!(h.data(), &[802.0, -400.0, -400.0, 200.0]);
//! ```

use super::tape::{Tape, Var};
use crate::tensor::{Float, Tensor};

/// The value and gradient of a scalar function at `x` (reverse mode).
pub fn grad<F: Float>(
    f: impl for<'t> Fn(Var<'t, F>) -> Var<'t, F>,
    x: &Tensor<F>,
) -> (F, Tensor<F>) {
    let tape = Tape::new();
    let xv = tape.var(x);
    let y = f(xv);
    tape.backward(y);
    (y.item(), xv.grad())
}

/// The Jacobian (outputs × inputs, both flattened) by reverse mode: one backward pass per
/// output element. Cheaper when there are fewer outputs than inputs.
pub fn jacobian_reverse<F: Float>(
    f: impl for<'t> Fn(Var<'t, F>) -> Var<'t, F>,
    x: &Tensor<F>,
) -> Tensor<F> {
    let tape = Tape::new();
    let xv = tape.var(x);
    let y = f(xv);
    let (m, n) = (y.shape().numel(), x.numel());
    let mut jac = Tensor::zeros([m, n]);
    let mut seed = vec![F::zero(); m];
    for i in 0..m {
        seed.fill(F::zero());
        seed[i] = F::one();
        tape.backward_with(y, &seed);
        jac.data_mut()[i * n..(i + 1) * n].copy_from_slice(&tape.grad_ref(xv));
    }
    jac
}

/// The Jacobian by forward mode: one tangent sweep per input element. Cheaper when there
/// are fewer inputs than outputs.
pub fn jacobian_forward<F: Float>(
    f: impl for<'t> Fn(Var<'t, F>) -> Var<'t, F>,
    x: &Tensor<F>,
) -> Tensor<F> {
    let tape = Tape::new();
    let xv = tape.constant(x);
    let y = f(xv);
    let (m, n) = (y.shape().numel(), x.numel());
    let mut jac = Tensor::zeros([m, n]);
    let mut unit = Tensor::zeros(x.shape());
    for j in 0..n {
        unit.data_mut().fill(F::zero());
        unit.data_mut()[j] = F::one();
        let col = tape.jvp(y, xv, tape.constant(&unit));
        for (i, &v) in tape.value_ref(col).iter().enumerate() {
            jac.data_mut()[i * n + j] = v;
        }
    }
    jac
}

/// The Hessian of a scalar function, by reverse-over-forward: for each input direction eᵢ a
/// forward sweep gives ∂f/∂xᵢ as a node, and one backward pass through it gives row i.
pub fn hessian<F: Float>(f: impl for<'t> Fn(Var<'t, F>) -> Var<'t, F>, x: &Tensor<F>) -> Tensor<F> {
    let tape = Tape::new();
    let xv = tape.var(x);
    let y = f(xv);
    assert_eq!(
        y.shape().numel(),
        1,
        "hessian: the function must return a scalar, got shape {}",
        y.shape()
    );
    let n = x.numel();
    let mut h = Tensor::zeros([n, n]);
    let mut unit = Tensor::zeros(x.shape());
    for i in 0..n {
        unit.data_mut().fill(F::zero());
        unit.data_mut()[i] = F::one();
        let di = tape.jvp(y, xv, tape.constant(&unit));
        tape.backward(di);
        h.data_mut()[i * n..(i + 1) * n].copy_from_slice(&tape.grad_ref(xv));
    }
    h
}

/// The Hessian-vector product H·v of a scalar function, without forming H: one forward
/// sweep along v, then one backward pass.
pub fn hvp<F: Float>(
    f: impl for<'t> Fn(Var<'t, F>) -> Var<'t, F>,
    x: &Tensor<F>,
    v: &Tensor<F>,
) -> Tensor<F> {
    assert_eq!(
        x.shape(),
        v.shape(),
        "hvp: vector shape {} differs from point shape {}",
        v.shape(),
        x.shape()
    );
    let tape = Tape::new();
    let xv = tape.var(x);
    let y = f(xv);
    let dv = tape.jvp(y, xv, tape.constant(v));
    tape.backward(dv);
    xv.grad()
}
