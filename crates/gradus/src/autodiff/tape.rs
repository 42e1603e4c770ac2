//! The tape: an arena of nodes recorded as a program runs (define-by-run).
//!
//! Nodes live in a `Vec` and refer to each other by index, so the graph is a topologically
//! ordered array: reverse mode is one backward sweep, forward mode one forward sweep.
//! [`Tape::clear`] forgets the nodes but keeps every node's buffers; when the next step
//! records the same program, node `i` lands in slot `i` again and reuses its value and
//! gradient buffers, so a warm training step does not touch the heap.

use std::cell::{Ref, RefCell};

use super::forward;
use super::op::{NodeId, Op};
use super::value::Value;
use super::vjp;
use crate::tensor::{copy_into, Float, Shape, Tensor};

pub(crate) struct Node<F> {
    pub op: Op<F>,
    pub shape: Shape,
    /// Whether any parameter that asked for a gradient feeds this node.
    pub needs_grad: bool,
    pub value: Value<F>,
    pub grad: Vec<F>,
    /// Whether `grad` holds this backward pass's gradient. A buffer that is not live holds
    /// stale numbers: the first rule that reaches the node overwrites it instead of adding
    /// to zeros, which saves zero-filling every gradient buffer every step (that `memset`
    /// was 31% of a PINN step's instructions). A node no rule reaches has gradient zero.
    pub grad_live: bool,
}

pub(crate) struct Inner<F> {
    pub nodes: Vec<Node<F>>,
    /// Number of live nodes; slots past it keep their buffers for reuse.
    pub len: usize,
    /// Scratch for forward mode: the tangent node of each node, reused between calls.
    pub tangents: Vec<Option<NodeId>>,
}

/// A recording of operations on tensors, differentiable in reverse and forward mode.
///
/// ```
/// use gradus::Tape;
/// let tape = Tape::<f64>::new();
/// let x = tape.var_scalar(1.5);
/// let y = (x * x).exp(); // f(x) = exp(x²)
/// tape.backward(y);
/// let exact = 2.0 * 1.5 * (1.5f64 * 1.5).exp();
/// assert!((x.grad().item() - exact).abs() < 1e-12);
/// ```
pub struct Tape<F: Float> {
    pub(crate) inner: RefCell<Inner<F>>,
}

/// A handle to a node on a tape. Cheap to copy; arithmetic on it records new nodes.
#[derive(Clone, Copy)]
pub struct Var<'t, F: Float> {
    pub(crate) tape: &'t Tape<F>,
    pub(crate) id: NodeId,
}

impl<F: Float> Default for Tape<F> {
    fn default() -> Self {
        Self::new()
    }
}

impl<F: Float> Tape<F> {
    pub fn new() -> Self {
        Tape {
            inner: RefCell::new(Inner {
                nodes: Vec::new(),
                len: 0,
                tangents: Vec::new(),
            }),
        }
    }

    /// Forgets all nodes, keeping their buffers for the next recording.
    pub fn clear(&mut self) {
        self.inner.get_mut().len = 0;
    }

    /// Number of nodes recorded since the last clear.
    pub fn len(&self) -> usize {
        self.inner.borrow().len
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A leaf that gradients are computed for (a parameter, or an input to differentiate by).
    pub fn var(&self, t: &Tensor<F>) -> Var<'_, F> {
        self.leaf(t.data(), t.shape(), true)
    }

    /// A leaf without gradient (data, targets).
    pub fn constant(&self, t: &Tensor<F>) -> Var<'_, F> {
        self.leaf(t.data(), t.shape(), false)
    }

    pub fn var_scalar(&self, x: F) -> Var<'_, F> {
        self.leaf(&[x], Shape::scalar(), true)
    }

    pub fn constant_scalar(&self, x: F) -> Var<'_, F> {
        self.leaf(&[x], Shape::scalar(), false)
    }

    /// A leaf from a slice, without going through a `Tensor`.
    pub fn leaf(&self, data: &[F], shape: impl Into<Shape>, requires_grad: bool) -> Var<'_, F> {
        let shape = shape.into();
        assert_eq!(
            data.len(),
            shape.numel(),
            "leaf: {} values cannot have shape {shape}",
            data.len()
        );
        let id = self
            .inner
            .borrow_mut()
            .push(Op::Leaf, shape, requires_grad, |v, _| copy_into(v, data));
        Var { tape: self, id }
    }

    /// A parameter leaf (with gradient) that reads `data` in place instead of copying it.
    ///
    /// # Safety
    /// `data` stays alive and unmodified until [`Tape::forget_views`] runs (or the tape is
    /// cleared and the node's slot recorded again), and nothing reads the node's value after
    /// that.
    pub(crate) unsafe fn param_view(&self, data: &[F], shape: Shape) -> Var<'_, F> {
        assert_eq!(
            data.len(),
            shape.numel(),
            "param_view: {} values cannot have shape {shape}",
            data.len()
        );
        let id = self
            .inner
            .borrow_mut()
            .push_node(Op::Leaf, shape, true, |v, _| {
                // SAFETY: this function's contract.
                unsafe { v.set_view(data) }
            });
        Var { tape: self, id }
    }

    /// Forgets every view [`Tape::param_view`] recorded: their memory may change from now
    /// on, and reading their values panics. Gradients stay readable.
    pub(crate) fn forget_views(&mut self) {
        let inner = self.inner.get_mut();
        for node in &mut inner.nodes[..inner.len] {
            node.value.forget_view();
        }
    }

    /// A constant filled with one value.
    pub fn full(&self, shape: impl Into<Shape>, value: F) -> Var<'_, F> {
        let id = self
            .inner
            .borrow_mut()
            .push(Op::Leaf, shape.into(), false, |v, _| v.fill(value));
        Var { tape: self, id }
    }

    /// The handle of node `index` (nodes are numbered in recording order from 0 since the
    /// last clear). Lets a training loop find its parameters again without keeping a
    /// `Vec` of handles, which would allocate every step.
    pub fn var_at(&self, index: usize) -> Var<'_, F> {
        let len = self.len();
        assert!(
            index < len,
            "var_at: node {index} does not exist (the tape has {len} nodes)"
        );
        Var {
            tape: self,
            id: index,
        }
    }

    /// A constant whose values `fill` writes into the node's (reused) buffer: masks and
    /// running statistics enter the tape this way without a temporary allocation.
    pub fn constant_with(
        &self,
        shape: impl Into<Shape>,
        fill: impl FnOnce(&mut [F]),
    ) -> Var<'_, F> {
        let id = self
            .inner
            .borrow_mut()
            .push(Op::Leaf, shape.into(), false, |v, _| fill(v));
        Var { tape: self, id }
    }

    /// Rows `rows` of a matrix (or of any tensor, split along its first axis) as a constant:
    /// how a data-parallel shard takes its part of a batch.
    pub fn constant_rows(&self, t: &Tensor<F>, rows: std::ops::Range<usize>) -> Var<'_, F> {
        let shape = t.shape();
        let per_row = shape.numel() / shape.dim(0).max(1);
        let src = &t.data()[rows.start * per_row..rows.end * per_row];
        self.constant_with(shape.with_dim(0, rows.len()), |buf| copy_into(buf, src))
    }

    /// Records `op` with output shape `shape` and computes its value.
    pub(crate) fn record(&self, op: Op<F>, shape: Shape) -> Var<'_, F> {
        let mut inner = self.inner.borrow_mut();
        let (ins, n) = op.inputs();
        let needs_grad =
            op.is_differentiable() && ins[..n].iter().any(|&i| inner.nodes[i].needs_grad);
        let id = inner.push(op, shape, needs_grad, |out, lower| {
            forward::compute(&op, out, shape, lower)
        });
        Var { tape: self, id }
    }

    /// Reverse mode from a scalar: afterwards every node that needs a gradient holds
    /// d out / d node, read with [`Var::grad`].
    pub fn backward(&self, out: Var<'_, F>) {
        let n = out.shape().numel();
        assert_eq!(
            n,
            1,
            "backward: output has shape {} — reduce it to a scalar, or use backward_with",
            out.shape()
        );
        self.backward_with(out, &[F::one()]);
    }

    /// Reverse mode from any output with cotangent `seed` (the vector in vᵀJ).
    pub fn backward_with(&self, out: Var<'_, F>, seed: &[F]) {
        let mut inner = self.inner.borrow_mut();
        let inner = &mut *inner;
        let last = out.id;
        assert_eq!(
            seed.len(),
            inner.nodes[last].shape.numel(),
            "backward_with: seed length differs from the output's size"
        );
        for node in &mut inner.nodes[..=last] {
            node.grad_live = false;
        }
        let out_node = &mut inner.nodes[last];
        out_node.grad.clear();
        out_node.grad.extend_from_slice(seed);
        out_node.grad_live = true;
        for i in (0..=last).rev() {
            let (lower, rest) = inner.nodes.split_at_mut(i);
            let node = &rest[0];
            // A node no rule reached has gradient zero and passes nothing on.
            if node.grad_live {
                vjp::apply(node, lower);
            }
        }
    }

    /// The recorded value of a node.
    pub fn value(&self, v: Var<'_, F>) -> Tensor<F> {
        let inner = self.inner.borrow();
        let node = &inner.nodes[v.id];
        Tensor::from_slice(&node.value, node.shape)
    }

    /// Borrow of a node's value without copying it.
    pub fn value_ref(&self, v: Var<'_, F>) -> Ref<'_, [F]> {
        Ref::map(self.inner.borrow(), |i| i.nodes[v.id].value.as_slice())
    }

    /// The gradient from the last backward pass (zeros for nodes that needed none).
    pub fn grad(&self, v: Var<'_, F>) -> Tensor<F> {
        let inner = self.inner.borrow();
        let node = &inner.nodes[v.id];
        if node.needs_grad && node.grad_live && node.grad.len() == node.value.len() {
            Tensor::from_slice(&node.grad, node.shape)
        } else {
            Tensor::zeros(node.shape)
        }
    }

    /// Borrow of a gradient without copying it (for optimisers in a training loop).
    /// Panics if the node was not created with `requires_grad`.
    pub fn grad_ref(&self, v: Var<'_, F>) -> Ref<'_, [F]> {
        {
            // A parameter the output does not depend on: its buffer is stale, make it zeros.
            let mut inner = self.inner.borrow_mut();
            let node = &mut inner.nodes[v.id];
            if node.needs_grad && !node.grad_live {
                node.grad.clear();
                node.grad.resize(node.value.len(), F::zero());
                node.grad_live = true;
            }
        }
        Ref::map(self.inner.borrow(), |i| {
            let node = &i.nodes[v.id];
            assert!(
                node.needs_grad,
                "grad_ref: this node does not require a gradient (create it with Tape::var)"
            );
            node.grad.as_slice()
        })
    }

    /// Adds `other` to the gradient of `v` (a parameter), as if the last backward pass had
    /// also reached it with `other`: how shards of a data-parallel step are summed.
    pub(crate) fn add_to_grad(&self, v: Var<'_, F>, other: &[F]) {
        let mut inner = self.inner.borrow_mut();
        let node = &mut inner.nodes[v.id];
        assert!(
            node.needs_grad,
            "add_to_grad: the node does not require a gradient"
        );
        assert_eq!(
            other.len(),
            node.value.len(),
            "add_to_grad: gradient of {} elements added to a node of {}",
            other.len(),
            node.value.len()
        );
        if node.grad_live {
            for (g, &o) in node.grad.iter_mut().zip(other) {
                *g += o;
            }
        } else {
            node.grad.clear();
            node.grad.extend_from_slice(other);
            node.grad_live = true;
        }
    }

    pub(crate) fn shape_of(&self, id: NodeId) -> Shape {
        self.inner.borrow().nodes[id].shape
    }
}

impl<F: Float> Inner<F> {
    /// Takes slot `len` (reusing its buffers), sizes its value buffer and fills it.
    fn push(
        &mut self,
        op: Op<F>,
        shape: Shape,
        needs_grad: bool,
        fill: impl FnOnce(&mut [F], &[Node<F>]),
    ) -> NodeId {
        self.push_node(op, shape, needs_grad, |value, lower| {
            // Grown only the first time a slot sees a larger tensor; resize within capacity
            // is free.
            value.resize(shape.numel(), F::zero());
            fill(&mut value[..], lower)
        })
    }

    /// Takes slot `len` (reusing its buffers) and lets `init` set its value.
    fn push_node(
        &mut self,
        op: Op<F>,
        shape: Shape,
        needs_grad: bool,
        init: impl FnOnce(&mut Value<F>, &[Node<F>]),
    ) -> NodeId {
        let id = self.len;
        if id == self.nodes.len() {
            self.nodes.push(Node {
                op,
                shape,
                needs_grad,
                value: Value::new(),
                grad: Vec::new(),
                grad_live: false,
            });
        }
        let (lower, rest) = self.nodes.split_at_mut(id);
        let node = &mut rest[0];
        node.op = op;
        node.shape = shape;
        node.needs_grad = needs_grad;
        node.grad_live = false;
        init(&mut node.value, lower);
        self.len += 1;
        id
    }
}

impl<'t, F: Float> Var<'t, F> {
    pub fn shape(&self) -> Shape {
        self.tape.shape_of(self.id)
    }

    /// The value as a new tensor.
    pub fn value(&self) -> Tensor<F> {
        self.tape.value(*self)
    }

    /// The value of a one-element node.
    pub fn item(&self) -> F {
        let v = self.tape.value_ref(*self);
        assert_eq!(
            v.len(),
            1,
            "item: node of shape {} has more than one element",
            self.shape()
        );
        v[0]
    }

    /// The gradient from the last backward pass.
    pub fn grad(&self) -> Tensor<F> {
        self.tape.grad(*self)
    }

    /// The tape this node lives on.
    pub fn tape(&self) -> &'t Tape<F> {
        self.tape
    }

    /// The node's index on its tape (see [`Tape::var_at`]).
    pub fn index(&self) -> usize {
        self.id
    }

    pub(crate) fn same(&self, id: NodeId) -> Var<'t, F> {
        Var {
            tape: self.tape,
            id,
        }
    }
}

impl<F: Float> std::fmt::Debug for Var<'_, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Var#{}{}", self.id, self.shape())
    }
}
