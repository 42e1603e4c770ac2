//! Forward mode: tangents pushed through the recorded graph, as new tape nodes.
//!
//! Each rule below writes the directional derivative of one primitive with ordinary tape
//! ops. Because the tangents are themselves on the tape, they can be differentiated again:
//! `jvp` of a `jvp` gives second derivatives with respect to inputs (u'' for physics-informed
//! nets), and a backward pass through them gives exact parameter gradients of losses that
//! contain those derivatives. See docs/ARCHITECTURE.md for why this mechanism was chosen.

use super::op::{Act, Binary, Loss, NodeId, Op, Unary};
use super::tape::{Tape, Var};
use crate::tensor::{Float, Shape};

impl<F: Float> Tape<F> {
    /// J·t: the derivative of `output` in direction `tangent` of `input`, as a new node
    /// (zeros if `output` does not depend on `input`).
    ///
    /// ```
    /// use gradus::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.var(&Tensor::from_vec(vec![0.3, 0.7], [2, 1]));
    /// let u = x.tanh();
    /// let ones = tape.full([2, 1], 1.0);
    /// let du = tape.jvp(u, x, ones);      // 1 - tanh²
    /// let d2u = tape.jvp(du, x, ones);    // -2 tanh (1 - tanh²)
    /// let t = 0.3f64.tanh();
    /// assert!((d2u.value().data()[0] + 2.0 * t * (1.0 - t * t)).abs() < 1e-14);
    /// ```
    pub fn jvp<'t>(
        &'t self,
        output: Var<'t, F>,
        input: Var<'t, F>,
        tangent: Var<'t, F>,
    ) -> Var<'t, F> {
        self.jvp_many(output, &[input], &[tangent])
    }

    /// Forward mode with a tangent for each of several inputs at once.
    pub fn jvp_many<'t>(
        &'t self,
        output: Var<'t, F>,
        inputs: &[Var<'t, F>],
        tangents: &[Var<'t, F>],
    ) -> Var<'t, F> {
        assert_eq!(
            inputs.len(),
            tangents.len(),
            "jvp: {} inputs but {} tangents",
            inputs.len(),
            tangents.len()
        );
        let mut tan = std::mem::take(&mut self.inner.borrow_mut().tangents);
        tan.clear();
        tan.resize(output.id + 1, None);
        let mut first = output.id + 1;
        for (x, t) in inputs.iter().zip(tangents) {
            assert_eq!(
                x.shape(),
                t.shape(),
                "jvp: tangent shape {} differs from input shape {}",
                t.shape(),
                x.shape()
            );
            if x.id <= output.id {
                tan[x.id] = Some(t.id);
                first = first.min(x.id + 1);
            }
        }
        for i in first..=output.id {
            let (op, shape) = {
                let inner = self.inner.borrow();
                (inner.nodes[i].op, inner.nodes[i].shape)
            };
            if tan[i].is_some() {
                continue; // an input itself
            }
            let (ins, n) = op.inputs();
            if ins[..n].iter().all(|&j| tan[j].is_none()) {
                continue;
            }
            tan[i] = rule(output.same(i), op, shape, &tan).map(|v| v.id);
        }
        let result = tan[output.id];
        self.inner.borrow_mut().tangents = tan;
        match result {
            Some(id) => output.same(id),
            None => self.full(output.shape(), F::zero()),
        }
    }

    /// ∂output/∂input[:, column] for a batch whose rows are independent samples (row i of the
    /// output depends only on row i of the input, as in a feed-forward net): one forward
    /// sweep with the unit tangent on that column.
    pub fn partial<'t>(
        &'t self,
        output: Var<'t, F>,
        input: Var<'t, F>,
        column: usize,
    ) -> Var<'t, F> {
        let shape = input.shape();
        let (_, cols) = shape.as_matrix();
        assert!(
            column < cols,
            "partial: column {column} out of range for input shape {shape}"
        );
        let unit = self.basis_columns(shape, column);
        self.jvp(output, input, unit)
    }

    /// A constant of `shape` with ones in column `column` and zeros elsewhere.
    pub fn basis_columns(&self, shape: Shape, column: usize) -> Var<'_, F> {
        let z = self.full(shape, F::zero());
        let (_, cols) = shape.as_matrix();
        let mut inner = self.inner.borrow_mut();
        for row in inner.nodes[z.id].value.chunks_exact_mut(cols) {
            row[column] = F::one();
        }
        z
    }
}

/// The tangent of node `y` (whose op is `op`), from the tangents of its inputs.
fn rule<'t, F: Float>(
    y: Var<'t, F>,
    op: Op<F>,
    shape: Shape,
    tan: &[Option<NodeId>],
) -> Option<Var<'t, F>> {
    let tape = y.tape;
    let v = |id: NodeId| y.same(id);
    let t = |id: NodeId| tan[id].map(|k| y.same(k));
    let one = F::one();
    // A lone tangent from one side of a broadcast must still have the output's shape.
    let fit = |w: Var<'t, F>| {
        if w.shape() == shape {
            w
        } else {
            w + tape.full(shape, F::zero())
        }
    };
    let last = shape.rank().saturating_sub(1);
    Some(match op {
        Op::Leaf | Op::ArgMaxMask(..) => return None,
        Op::Unary(u, x) => {
            let (x, tx) = (v(x), t(x)?);
            match u {
                Unary::Neg => -tx,
                Unary::Exp => y * tx,
                Unary::Log => tx / x,
                Unary::Sqrt => (tx / y).mul_scalar(F::of(0.5)),
                Unary::Sin => x.cos() * tx,
                Unary::Cos => -(x.sin() * tx),
                Unary::Abs => x.sign() * tx,
                Unary::Sign | Unary::Step => return None,
                Unary::AddScalar(_) => tx,
                Unary::MulScalar(c) => tx.mul_scalar(c),
                Unary::PowScalar(p) if p == F::of(2.0) => (x * tx).mul_scalar(p),
                Unary::PowScalar(p) if p == one => tx,
                Unary::PowScalar(p) => x.pow(p - one).mul_scalar(p) * tx,
                Unary::Clamp(lo, hi) => tx * x.add_scalar(-lo).step() * (-x).add_scalar(hi).step(),
                Unary::Sigmoid => y.act_tangent(Act::Sigmoid, tx),
                Unary::Tanh => y.act_tangent(Act::Tanh, tx),
                Unary::Relu => y.act_tangent(Act::Relu, tx),
                Unary::LeakyRelu(a) => tx * x.step().mul_scalar(one - a).add_scalar(a),
                // ELU' = s + (1 - s)(y + α) with s = 1[x > 0]: exactly 1 for x > 0 (no
                // cancellation), and differentiable again as (1 - s)·y'.
                Unary::Elu(a) => {
                    let s = x.step();
                    tx * (s + (-s).add_scalar(one) * y.add_scalar(a))
                }
                Unary::Softplus => tx * x.sigmoid(),
            }
        }
        Op::Binary(kind, a, b) => {
            let (av, bv, ta, tb) = (v(a), v(b), t(a), t(b));
            match kind {
                Binary::Add => fit(sum_opt(ta, tb)?),
                Binary::Sub => fit(sum_opt(ta, tb.map(|w| -w))?),
                Binary::Mul => sum_opt(ta.map(|w| w * bv), tb.map(|w| av * w))?,
                Binary::Div => sum_opt(ta.map(|w| w / bv), tb.map(|w| -(y * w) / bv))?,
                Binary::Maximum | Binary::Minimum => {
                    // mask_b = 1 where the right operand is selected (ties go left).
                    let mask_b = if kind == Binary::Maximum {
                        (bv - av).step()
                    } else {
                        (av - bv).step()
                    };
                    let mask_a = (-mask_b).add_scalar(one);
                    sum_opt(ta.map(|w| w * mask_a), tb.map(|w| w * mask_b))?
                }
            }
        }
        Op::MatMul {
            a,
            b,
            ta: ta_,
            tb: tb_,
        } => sum_opt(
            t(a).map(|w| w.matmul_t(v(b), ta_, tb_)),
            t(b).map(|w| v(a).matmul_t(w, ta_, tb_)),
        )?,
        Op::SumAll(x) => t(x)?.sum(),
        Op::SumAxis(x, axis) => t(x)?.sum_axis(axis),
        Op::MaxAxis(x, axis) => (t(x)? * v(x).argmax_mask(axis)).sum_axis(axis),
        Op::Softmax(x) => {
            let tx = t(x)?;
            y * (tx - (y * tx).sum_axis(last))
        }
        Op::LogSoftmax(x) => {
            let tx = t(x)?;
            tx - (y.exp() * tx).sum_axis(last)
        }
        Op::Reshape(x) => t(x)?.reshape(shape),
        Op::Transpose(x) => t(x)?.t(),
        Op::Narrow { x, axis, start } => t(x)?.narrow(axis, start, shape.dim(axis)),
        Op::Concat { a, b, axis } => {
            let za = t(a).unwrap_or_else(|| tape.full(v(a).shape(), F::zero()));
            let zb = t(b).unwrap_or_else(|| tape.full(v(b).shape(), F::zero()));
            za.concat(zb, axis)
        }
        Op::Loss(kind, p, q) => loss_rule(kind, v(p), v(q), t(p), t(q))?,
        Op::BiasAct(act, x, b) => y.act_tangent(act, fit(sum_opt(t(x), t(b))?)),
        Op::ActTangent(act, yy, tt) => {
            let (yv, tv) = (v(yy), v(tt));
            // d(t·s(y)) = dt·s(y) + t·s'(y)·dy, s = act' as a function of the output.
            let curvature = |w: Var<'t, F>| match act {
                Act::Tanh => Some((tv * w * yv).mul_scalar(F::of(-2.0))),
                Act::Sigmoid => Some(tv * w * yv.mul_scalar(F::of(-2.0)).add_scalar(one)),
                Act::Relu => None,
            };
            sum_opt(
                t(tt).map(|w| yv.act_tangent(act, w)),
                t(yy).and_then(curvature),
            )?
        }
    })
}

fn sum_opt<'t, F: Float>(a: Option<Var<'t, F>>, b: Option<Var<'t, F>>) -> Option<Var<'t, F>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a + b),
        (a, b) => a.or(b),
    }
}

/// Directional derivatives of the fused losses, as compositions of primitives.
fn loss_rule<'t, F: Float>(
    kind: Loss<F>,
    p: Var<'t, F>,
    q: Var<'t, F>,
    tp: Option<Var<'t, F>>,
    tq: Option<Var<'t, F>>,
) -> Option<Var<'t, F>> {
    let dr = || sum_opt(tp, tq.map(|w| -w));
    Some(match kind {
        Loss::Mse => ((p - q) * dr()?).mean().mul_scalar(F::of(2.0)),
        Loss::Mae => ((p - q).sign() * dr()?).mean(),
        Loss::Huber(d) => ((p - q).clamp(-d, d) * dr()?).mean(),
        Loss::LogCosh => ((p - q).tanh() * dr()?).mean(),
        Loss::BceLogits => sum_opt(tp.map(|w| (p.sigmoid() - q) * w), tq.map(|w| -(p * w)))?.mean(),
        Loss::CceLogits => {
            let rows = p.shape().as_matrix().0;
            let last = p.shape().rank() - 1;
            let ls = p.log_softmax();
            let dz = tp.map(|w| ((ls.exp() * q.sum_axis(last) - q) * w).sum());
            let dy = tq.map(|w| -(ls * w).sum());
            sum_opt(dz, dy)?.mul_scalar(F::of(1.0 / rows as f64))
        }
    })
}
