//! The closed set of primitive operations a tape records.
//!
//! Every function gradus can differentiate is a composition of these. Each primitive has
//! exactly three rules: its forward kernel (`forward.rs`), its reverse-mode rule (`vjp.rs`,
//! native kernels) and its forward-mode rule (`jvp.rs`, written with tape ops so that it can
//! itself be differentiated). Composite functions (SELU, SiLU, mean, ...) live in `ops.rs`.

/// Index of a node on its tape.
pub(crate) type NodeId = usize;

/// Elementwise functions of one tensor.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Unary<F> {
    Neg,
    Exp,
    Log,
    Sqrt,
    Sin,
    Cos,
    Abs,
    /// -1, 0 or 1; derivative zero (used by the rules of `abs`, `mae`).
    Sign,
    /// Heaviside step 1[x > 0]; derivative zero (used by the rules of `relu`, `clamp`).
    Step,
    AddScalar(F),
    MulScalar(F),
    PowScalar(F),
    Clamp(F, F),
    Sigmoid,
    Tanh,
    Relu,
    LeakyRelu(F),
    Elu(F),
    Softplus,
}

impl<F> Unary<F> {
    /// Ops whose derivative is zero almost everywhere: they stop gradients.
    pub(crate) fn is_piecewise_constant(&self) -> bool {
        matches!(self, Unary::Sign | Unary::Step)
    }
}

/// Elementwise functions of two tensors, with numpy broadcasting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Binary {
    Add,
    Sub,
    Mul,
    Div,
    Maximum,
    Minimum,
}

/// Activations whose derivative is a function of their output y, so that a fused kernel
/// needs no copy of the pre-activation: tanh' = 1 - y², σ' = y(1 - y), relu' = 1[y > 0].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Act {
    Tanh,
    Sigmoid,
    Relu,
}

/// Fused losses: each reduces (prediction, target) of equal shapes to a scalar mean.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Loss<F> {
    /// mean((p - t)²)
    Mse,
    /// mean(|p - t|)
    Mae,
    /// mean of ½r² for |r| ≤ δ, δ(|r| - ½δ) beyond, r = p - t
    Huber(F),
    /// mean(log cosh(p - t))
    LogCosh,
    /// mean over elements of -[t log σ(z) + (1-t) log(1-σ(z))], from logits z
    BceLogits,
    /// mean over rows of -Σ_j t_j log softmax(z)_j, from logits z (last axis = classes)
    CceLogits,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Op<F> {
    /// A parameter, an input or a constant: its value was copied in, not computed.
    Leaf,
    Unary(Unary<F>, NodeId),
    Binary(Binary, NodeId, NodeId),
    /// op(a) @ op(b) for matrices, op = transpose when the flag is set.
    MatMul {
        a: NodeId,
        b: NodeId,
        ta: bool,
        tb: bool,
    },
    SumAll(NodeId),
    /// Sum along an axis, kept with extent 1.
    SumAxis(NodeId, usize),
    /// Maximum along an axis, kept with extent 1; the gradient goes to the first maximum.
    MaxAxis(NodeId, usize),
    /// 1 at the first maximum along the axis, 0 elsewhere; derivative zero.
    ArgMaxMask(NodeId, usize),
    /// Softmax over the last axis.
    Softmax(NodeId),
    /// Log-softmax over the last axis.
    LogSoftmax(NodeId),
    /// Same elements, new shape (stored on the node).
    Reshape(NodeId),
    /// Matrix transpose.
    Transpose(NodeId),
    /// Elements start..start+len along axis (len is the node's extent on that axis).
    Narrow {
        x: NodeId,
        axis: usize,
        start: usize,
    },
    Concat {
        a: NodeId,
        b: NodeId,
        axis: usize,
    },
    Loss(Loss<F>, NodeId, NodeId),
    /// act(x + b), b a row vector added to every row of x: a dense layer's bias and
    /// activation in one pass over memory each way.
    BiasAct(Act, NodeId, NodeId),
    /// t · act'(x) written through the activation's output y = act(x): the tangent of an
    /// activation in one node (forward mode otherwise builds 1 - y², then the product).
    /// Inputs (y, t) of equal shapes.
    ActTangent(Act, NodeId, NodeId),
}

impl<F: Copy> Op<F> {
    /// The op's inputs, for walking the graph (at most two).
    pub(crate) fn inputs(&self) -> ([NodeId; 2], usize) {
        match *self {
            Op::Leaf => ([0, 0], 0),
            Op::Unary(_, x)
            | Op::SumAll(x)
            | Op::SumAxis(x, _)
            | Op::MaxAxis(x, _)
            | Op::ArgMaxMask(x, _)
            | Op::Softmax(x)
            | Op::LogSoftmax(x)
            | Op::Reshape(x)
            | Op::Transpose(x)
            | Op::Narrow { x, .. } => ([x, 0], 1),
            Op::Binary(_, a, b)
            | Op::MatMul { a, b, .. }
            | Op::Concat { a, b, .. }
            | Op::Loss(_, a, b)
            | Op::BiasAct(_, a, b)
            | Op::ActTangent(_, a, b) => ([a, b], 2),
        }
    }

    /// Whether the op passes gradients at all (piecewise-constant ops do not).
    pub(crate) fn is_differentiable(&self) -> bool {
        match self {
            Op::Unary(u, _) => !u.is_piecewise_constant(),
            Op::ArgMaxMask(..) => false,
            _ => true,
        }
    }
}
