//! The user-facing operations on tape variables: primitives, composites and operators.
//!
//! ```
//! use gradus::{Tape, Tensor};
//! let tape = Tape::<f64>::new();
//! let x = tape.constant(&Tensor::from_vec(vec![0.5, -1.0, 2.0, 0.0], [2, 2]));
//! let w = tape.var(&Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], [2, 2]));
//! let b = tape.var(&Tensor::from_vec(vec![0.1, 0.2], [2]));
//! let y = (x.matmul(w) + b).tanh();
//! let loss = y.mse(tape.constant(&Tensor::zeros([2, 2])));
//! tape.backward(loss);
//! assert_eq!(w.grad().shape().dims(), &[2, 2]);
//! ```

use super::op::{Act, Binary, Loss, Op, Unary};
use super::tape::Var;
use crate::tensor::broadcast::broadcast_shape;
use crate::tensor::{concat_shape, Float, Shape};

/// SELU constants from Klambauer et al. (2017).
const SELU_ALPHA: f64 = 1.673_263_242_354_377_3;
const SELU_LAMBDA: f64 = 1.050_700_987_355_480_5;

impl<'t, F: Float> Var<'t, F> {
    fn unary(self, u: Unary<F>) -> Self {
        self.tape.record(Op::Unary(u, self.id), self.shape())
    }

    fn binary(self, kind: Binary, other: Self, name: &str) -> Self {
        self.check_tape(other, name);
        let shape = broadcast_shape(name, self.shape(), other.shape());
        self.tape.record(Op::Binary(kind, self.id, other.id), shape)
    }

    fn check_tape(self, other: Self, name: &str) {
        assert!(
            std::ptr::eq(self.tape, other.tape),
            "{name}: operands live on different tapes"
        );
    }

    // ---- elementwise primitives -------------------------------------------------------
    pub fn exp(self) -> Self {
        self.unary(Unary::Exp)
    }
    /// Natural logarithm.
    pub fn ln(self) -> Self {
        self.unary(Unary::Log)
    }
    pub fn sqrt(self) -> Self {
        self.unary(Unary::Sqrt)
    }
    /// Sine (radians).
    pub fn sin(self) -> Self {
        self.unary(Unary::Sin)
    }
    /// Cosine (radians).
    pub fn cos(self) -> Self {
        self.unary(Unary::Cos)
    }
    pub fn abs(self) -> Self {
        self.unary(Unary::Abs)
    }
    /// -1, 0 or 1 elementwise; its derivative is zero.
    pub fn sign(self) -> Self {
        self.unary(Unary::Sign)
    }
    /// The Heaviside step 1[x > 0] (the perceptron's activation); its derivative is zero,
    /// so nothing before it can be trained by gradient descent.
    pub fn step(self) -> Self {
        self.unary(Unary::Step)
    }
    pub fn add_scalar(self, c: F) -> Self {
        self.unary(Unary::AddScalar(c))
    }
    pub fn mul_scalar(self, c: F) -> Self {
        self.unary(Unary::MulScalar(c))
    }
    /// xᵖ elementwise for a constant exponent.
    pub fn pow(self, p: F) -> Self {
        self.unary(Unary::PowScalar(p))
    }
    pub fn square(self) -> Self {
        self.pow(F::of(2.0))
    }
    pub fn recip(self) -> Self {
        self.pow(-F::one())
    }
    /// Limits every element to [lo, hi]; the gradient is zero outside.
    pub fn clamp(self, lo: F, hi: F) -> Self {
        self.unary(Unary::Clamp(lo, hi))
    }
    pub fn maximum(self, other: Self) -> Self {
        self.binary(Binary::Maximum, other, "maximum")
    }
    pub fn minimum(self, other: Self) -> Self {
        self.binary(Binary::Minimum, other, "minimum")
    }

    // ---- activations ------------------------------------------------------------------
    pub fn sigmoid(self) -> Self {
        self.unary(Unary::Sigmoid)
    }
    pub fn tanh(self) -> Self {
        self.unary(Unary::Tanh)
    }
    pub fn relu(self) -> Self {
        self.unary(Unary::Relu)
    }
    /// x for x > 0, αx otherwise.
    pub fn leaky_relu(self, alpha: F) -> Self {
        self.unary(Unary::LeakyRelu(alpha))
    }
    /// x for x > 0, α(eˣ - 1) otherwise.
    pub fn elu(self, alpha: F) -> Self {
        self.unary(Unary::Elu(alpha))
    }
    /// λ·ELU_α(x) with the self-normalising constants.
    pub fn selu(self) -> Self {
        self.elu(F::of(SELU_ALPHA)).mul_scalar(F::of(SELU_LAMBDA))
    }
    /// x·σ(βx); `swish(1)` is SiLU.
    pub fn swish(self, beta: F) -> Self {
        self * self.mul_scalar(beta).sigmoid()
    }
    pub fn silu(self) -> Self {
        self * self.sigmoid()
    }
    /// log(1 + eˣ), computed without overflow.
    pub fn softplus(self) -> Self {
        self.unary(Unary::Softplus)
    }
    /// Softmax over the last axis (stable: the row maximum is subtracted first).
    pub fn softmax(self) -> Self {
        self.tape.record(Op::Softmax(self.id), self.shape())
    }
    /// Log-softmax over the last axis (stable).
    pub fn log_softmax(self) -> Self {
        self.tape.record(Op::LogSoftmax(self.id), self.shape())
    }

    /// tanh(self + bias) for a bias row vector (shape `[n]` or `[1, n]`, n = the last
    /// dimension of `self`) added to every row: a dense layer's bias and activation fused
    /// into one pass over memory forward and one backward.
    pub fn bias_tanh(self, bias: Self) -> Self {
        self.bias_act(Act::Tanh, bias, "bias_tanh")
    }
    /// σ(self + bias), fused as [`bias_tanh`](Self::bias_tanh).
    pub fn bias_sigmoid(self, bias: Self) -> Self {
        self.bias_act(Act::Sigmoid, bias, "bias_sigmoid")
    }
    /// relu(self + bias), fused as [`bias_tanh`](Self::bias_tanh).
    pub fn bias_relu(self, bias: Self) -> Self {
        self.bias_act(Act::Relu, bias, "bias_relu")
    }
    fn bias_act(self, act: Act, bias: Self, name: &str) -> Self {
        self.check_tape(bias, name);
        let (s, sb) = (self.shape(), bias.shape());
        let cols = s.as_matrix().1;
        assert!(
            s.rank() >= 1
                && sb.numel() == cols
                && sb.dims().last() == Some(&cols)
                && sb.rank() <= s.rank(),
            "{name}: the bias must be a row of the input's last dimension, got {s} and {sb}"
        );
        self.tape.record(Op::BiasAct(act, self.id, bias.id), s)
    }
    /// `tangent · act'(x)` from the output `self = act(x)` (one node; see `Op::ActTangent`).
    pub(crate) fn act_tangent(self, act: Act, tangent: Self) -> Self {
        assert_eq!(self.shape(), tangent.shape(), "act_tangent: shapes differ");
        self.tape
            .record(Op::ActTangent(act, self.id, tangent.id), self.shape())
    }

    // ---- reductions -------------------------------------------------------------------
    /// Sum of all elements (a scalar).
    pub fn sum(self) -> Self {
        self.tape.record(Op::SumAll(self.id), Shape::scalar())
    }
    pub fn mean(self) -> Self {
        let n = self.shape().numel();
        self.sum().mul_scalar(F::of(1.0 / n as f64))
    }
    /// Sum along `axis`, kept with extent 1 so that the result broadcasts back.
    pub fn sum_axis(self, axis: usize) -> Self {
        let shape = self.shape().with_dim(axis, 1);
        self.tape.record(Op::SumAxis(self.id, axis), shape)
    }
    pub fn mean_axis(self, axis: usize) -> Self {
        let n = self.shape().dim(axis);
        self.sum_axis(axis).mul_scalar(F::of(1.0 / n as f64))
    }
    /// Maximum along `axis` (kept with extent 1); the gradient flows to the first maximum.
    pub fn max_axis(self, axis: usize) -> Self {
        let shape = self.shape().with_dim(axis, 1);
        self.tape.record(Op::MaxAxis(self.id, axis), shape)
    }
    /// 1 at the first maximum along `axis`, 0 elsewhere (not differentiable).
    pub fn argmax_mask(self, axis: usize) -> Self {
        self.tape
            .record(Op::ArgMaxMask(self.id, axis), self.shape())
    }

    // ---- linear algebra and layout -----------------------------------------------------
    /// Matrix product `self @ other`.
    pub fn matmul(self, other: Self) -> Self {
        self.matmul_t(other, false, false)
    }
    /// `op(self) @ op(other)`, with op = transpose where asked (no copy is made).
    pub fn matmul_t(self, other: Self, transpose_self: bool, transpose_other: bool) -> Self {
        self.check_tape(other, "matmul");
        let (sa, sb) = (self.shape(), other.shape());
        assert!(
            sa.rank() == 2 && sb.rank() == 2,
            "matmul: operands must be matrices, got {sa} and {sb}"
        );
        let (m, k) = if transpose_self {
            (sa.dim(1), sa.dim(0))
        } else {
            (sa.dim(0), sa.dim(1))
        };
        let (k2, n) = if transpose_other {
            (sb.dim(1), sb.dim(0))
        } else {
            (sb.dim(0), sb.dim(1))
        };
        assert_eq!(
            k,
            k2,
            "matmul: shapes {sa}{} and {sb}{} have different inner dimensions",
            if transpose_self { "ᵀ" } else { "" },
            if transpose_other { "ᵀ" } else { "" }
        );
        let op = Op::MatMul {
            a: self.id,
            b: other.id,
            ta: transpose_self,
            tb: transpose_other,
        };
        self.tape.record(op, Shape::new(&[m, n]))
    }
    /// Matrix transpose.
    pub fn t(self) -> Self {
        let s = self.shape();
        assert_eq!(s.rank(), 2, "t: operand must be a matrix, got {s}");
        self.tape
            .record(Op::Transpose(self.id), Shape::new(&[s.dim(1), s.dim(0)]))
    }
    pub fn reshape(self, shape: impl Into<Shape>) -> Self {
        let shape = shape.into();
        assert_eq!(
            self.shape().numel(),
            shape.numel(),
            "reshape: {} cannot become {shape}",
            self.shape()
        );
        self.tape.record(Op::Reshape(self.id), shape)
    }
    /// Elements `start..start+len` along `axis` (e.g. one column of a network's output).
    pub fn narrow(self, axis: usize, start: usize, len: usize) -> Self {
        let s = self.shape();
        assert!(
            start + len <= s.dim(axis),
            "narrow: {start}..{} is out of range for axis {axis} of shape {s}",
            start + len
        );
        self.tape.record(
            Op::Narrow {
                x: self.id,
                axis,
                start,
            },
            s.with_dim(axis, len),
        )
    }
    /// Joins `self` and `other` along `axis`.
    pub fn concat(self, other: Self, axis: usize) -> Self {
        self.check_tape(other, "concat");
        let shape = concat_shape(self.shape(), other.shape(), axis);
        self.tape.record(
            Op::Concat {
                a: self.id,
                b: other.id,
                axis,
            },
            shape,
        )
    }

    // ---- fused losses (prediction.loss(target)) -----------------------------------------
    fn loss(self, kind: Loss<F>, target: Self, name: &str) -> Self {
        self.check_tape(target, name);
        assert_eq!(
            self.shape(),
            target.shape(),
            "{name}: prediction {} and target {} must have the same shape",
            self.shape(),
            target.shape()
        );
        self.tape
            .record(Op::Loss(kind, self.id, target.id), Shape::scalar())
    }
    /// Mean squared error.
    pub fn mse(self, target: Self) -> Self {
        self.loss(Loss::Mse, target, "mse")
    }
    /// Mean absolute error.
    pub fn mae(self, target: Self) -> Self {
        self.loss(Loss::Mae, target, "mae")
    }
    /// Mean Huber loss: quadratic within `delta`, linear beyond.
    pub fn huber(self, target: Self, delta: F) -> Self {
        self.loss(Loss::Huber(delta), target, "huber")
    }
    /// Mean log(cosh(prediction - target)).
    pub fn log_cosh(self, target: Self) -> Self {
        self.loss(Loss::LogCosh, target, "log_cosh")
    }
    /// Binary cross-entropy of targets in [0, 1] given logits (stable).
    pub fn bce_with_logits(self, target: Self) -> Self {
        self.loss(Loss::BceLogits, target, "bce_with_logits")
    }
    /// Categorical cross-entropy of one-hot (or probability) rows given logits (stable),
    /// averaged over rows.
    pub fn cce_with_logits(self, target: Self) -> Self {
        self.loss(Loss::CceLogits, target, "cce_with_logits")
    }
}

macro_rules! var_binary_op {
    ($trait:ident, $method:ident, $kind:expr, $name:literal, $scalar:expr) => {
        impl<'t, F: Float> std::ops::$trait for Var<'t, F> {
            type Output = Var<'t, F>;
            fn $method(self, rhs: Var<'t, F>) -> Var<'t, F> {
                self.binary($kind, rhs, $name)
            }
        }
        impl<'t, F: Float> std::ops::$trait<F> for Var<'t, F> {
            type Output = Var<'t, F>;
            fn $method(self, rhs: F) -> Var<'t, F> {
                #[allow(clippy::redundant_closure_call)]
                ($scalar)(self, rhs)
            }
        }
    };
}
var_binary_op!(Add, add, Binary::Add, "add", |v: Var<'t, F>, c| v
    .add_scalar(c));
var_binary_op!(Sub, sub, Binary::Sub, "sub", |v: Var<'t, F>, c: F| v
    .add_scalar(-c));
var_binary_op!(Mul, mul, Binary::Mul, "mul", |v: Var<'t, F>, c| v
    .mul_scalar(c));
var_binary_op!(Div, div, Binary::Div, "div", |v: Var<'t, F>, c: F| v
    .mul_scalar(c.recip()));

impl<'t, F: Float> std::ops::Neg for Var<'t, F> {
    type Output = Var<'t, F>;
    fn neg(self) -> Var<'t, F> {
        self.unary(Unary::Neg)
    }
}

macro_rules! scalar_lhs_ops {
    ($t:ty) => {
        impl<'t> std::ops::Add<Var<'t, $t>> for $t {
            type Output = Var<'t, $t>;
            fn add(self, v: Var<'t, $t>) -> Var<'t, $t> {
                v.add_scalar(self)
            }
        }
        impl<'t> std::ops::Sub<Var<'t, $t>> for $t {
            type Output = Var<'t, $t>;
            fn sub(self, v: Var<'t, $t>) -> Var<'t, $t> {
                (-v).add_scalar(self)
            }
        }
        impl<'t> std::ops::Mul<Var<'t, $t>> for $t {
            type Output = Var<'t, $t>;
            fn mul(self, v: Var<'t, $t>) -> Var<'t, $t> {
                v.mul_scalar(self)
            }
        }
        impl<'t> std::ops::Div<Var<'t, $t>> for $t {
            type Output = Var<'t, $t>;
            fn div(self, v: Var<'t, $t>) -> Var<'t, $t> {
                v.recip().mul_scalar(self)
            }
        }
    };
}
scalar_lhs_ops!(f32);
scalar_lhs_ops!(f64);
