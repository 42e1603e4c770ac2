//! Forward kernels: the value of each primitive, written into the node's reused buffer.

use super::op::{Act, Binary, Loss, Op, Unary};
use super::tape::Node;
use crate::tensor::broadcast::binary_into;
use crate::tensor::gemm::{matmul_into, MatArg};
use crate::tensor::layout::{concat2_into, narrow_into, transpose_into};
use crate::tensor::reduce::{
    argmax_mask_into, exp_rows, log_softmax_rows_into, max_axis_into, softmax_rows_into,
    sum_axis_into,
};
use crate::tensor::{copy_into, vmath, Float, Shape};

/// Numerically stable logistic function.
#[inline(always)]
pub(crate) fn sigmoid<F: Float>(x: F) -> F {
    if x >= F::zero() {
        (F::one() + (-x).exp()).recip()
    } else {
        let e = x.exp();
        e / (F::one() + e)
    }
}

/// log(1 + eˣ) without overflow.
#[inline(always)]
pub(crate) fn softplus<F: Float>(x: F) -> F {
    x.max(F::zero()) + (-x.abs()).exp().ln_1p()
}

/// log(cosh(r)) without overflow.
#[inline(always)]
fn log_cosh<F: Float>(r: F) -> F {
    let a = r.abs();
    a + (F::of(-2.0) * a).exp().ln_1p() - F::of(std::f64::consts::LN_2)
}

#[inline(always)]
fn map<F: Float>(out: &mut [F], x: &[F], f: impl Fn(F) -> F) {
    for (o, &v) in out.iter_mut().zip(x) {
        *o = f(v);
    }
}

pub(crate) fn mat_arg<F: Float>(node: &Node<F>, transposed: bool) -> MatArg<'_, F> {
    MatArg {
        data: &node.value,
        rows: node.shape.dim(0),
        cols: node.shape.dim(1),
        transposed,
    }
}

/// Computes a node's value. Compiled twice like `vjp::apply` (baseline and AVX2, picked
/// at run time).
pub(crate) fn compute<F: Float>(op: &Op<F>, out: &mut [F], shape: Shape, nodes: &[Node<F>]) {
    #[cfg(target_arch = "x86_64")]
    if crate::tensor::vmath::has_avx2() {
        // SAFETY: the CPU supports the enabled features (checked at run time).
        return unsafe { compute_avx2(op, out, shape, nodes) };
    }
    compute_body(op, out, shape, nodes)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn compute_avx2<F: Float>(op: &Op<F>, out: &mut [F], shape: Shape, nodes: &[Node<F>]) {
    compute_body(op, out, shape, nodes)
}

#[inline(always)]
fn compute_body<F: Float>(op: &Op<F>, out: &mut [F], shape: Shape, nodes: &[Node<F>]) {
    match *op {
        Op::Leaf => unreachable!("leaves are filled by Tape::leaf"),
        Op::Unary(u, x) => unary(u, out, &nodes[x].value),
        Op::Binary(b, x, y) => {
            let (a, c) = (&nodes[x], &nodes[y]);
            let (av, sa, cv, sc) = (&a.value, a.shape, &c.value, c.shape);
            match b {
                Binary::Add => binary_into(out, shape, av, sa, cv, sc, |p, q| p + q),
                Binary::Sub => binary_into(out, shape, av, sa, cv, sc, |p, q| p - q),
                Binary::Mul => binary_into(out, shape, av, sa, cv, sc, |p, q| p * q),
                Binary::Div => binary_into(out, shape, av, sa, cv, sc, |p, q| p / q),
                Binary::Maximum => {
                    binary_into(
                        out,
                        shape,
                        av,
                        sa,
                        cv,
                        sc,
                        |p, q| if p >= q { p } else { q },
                    )
                }
                Binary::Minimum => {
                    binary_into(
                        out,
                        shape,
                        av,
                        sa,
                        cv,
                        sc,
                        |p, q| if p <= q { p } else { q },
                    )
                }
            }
        }
        Op::MatMul { a, b, ta, tb } => {
            matmul_into(out, false, mat_arg(&nodes[a], ta), mat_arg(&nodes[b], tb))
        }
        Op::SumAll(x) => out[0] = nodes[x].value.iter().copied().sum(),
        Op::SumAxis(x, axis) => sum_axis_into(out, &nodes[x].value, nodes[x].shape, axis),
        Op::MaxAxis(x, axis) => max_axis_into(out, &nodes[x].value, nodes[x].shape, axis),
        Op::ArgMaxMask(x, axis) => argmax_mask_into(out, &nodes[x].value, nodes[x].shape, axis),
        Op::Softmax(x) => softmax_rows_into(out, &nodes[x].value, nodes[x].shape),
        Op::LogSoftmax(x) => log_softmax_rows_into(out, &nodes[x].value, nodes[x].shape),
        Op::Reshape(x) => copy_into(out, &nodes[x].value),
        Op::Transpose(x) => {
            let s = nodes[x].shape;
            transpose_into(out, &nodes[x].value, s.dim(0), s.dim(1))
        }
        Op::Narrow { x, axis, start } => narrow_into(
            out,
            &nodes[x].value,
            nodes[x].shape,
            axis,
            start,
            shape.dim(axis),
        ),
        Op::Concat { a, b, axis } => {
            let (na, nb) = (&nodes[a], &nodes[b]);
            concat2_into(out, &na.value, na.shape, &nb.value, nb.shape, axis)
        }
        Op::Loss(kind, p, t) => out[0] = loss(kind, &nodes[p], &nodes[t]),
        Op::BiasAct(act, x, b) => bias_act_rows(act, out, &nodes[x].value, &nodes[b].value),
        Op::ActTangent(act, y, t) => act_tangent(act, out, &nodes[y].value, &nodes[t].value),
    }
}

/// act'(x) written through y = act(x).
#[inline(always)]
pub(crate) fn act_slope<F: Float>(act: Act, y: F) -> F {
    match act {
        Act::Tanh => F::one() - y * y,
        Act::Sigmoid => y * (F::one() - y),
        Act::Relu => {
            if y > F::zero() {
                F::one()
            } else {
                F::zero()
            }
        }
    }
}

/// d act'(x) / dy through y = act(x) (the curvature term of a tangent's own derivative).
#[inline(always)]
pub(crate) fn act_slope_dy<F: Float>(act: Act, y: F) -> F {
    match act {
        Act::Tanh => F::of(-2.0) * y,
        Act::Sigmoid => F::one() - F::of(2.0) * y,
        Act::Relu => F::zero(),
    }
}

/// Runs `$body` with `$s` bound to `|y| act_slope(A, y)` for the constant activation `A`
/// that `$act` holds: one monomorphic copy per activation, so that element loops see no
/// `match` and vectorise.
macro_rules! per_act {
    ($act:expr, $s:ident => $body:expr) => {
        match $act {
            Act::Tanh => {
                let $s = |y| act_slope(Act::Tanh, y);
                $body
            }
            Act::Sigmoid => {
                let $s = |y| act_slope(Act::Sigmoid, y);
                $body
            }
            Act::Relu => {
                let $s = |y| act_slope(Act::Relu, y);
                $body
            }
        }
    };
}
pub(crate) use per_act;

fn act_tangent<F: Float>(act: Act, out: &mut [F], y: &[F], t: &[F]) {
    per_act!(act, s => {
        for ((o, &y), &t) in out.iter_mut().zip(y).zip(t) {
            *o = t * s(y);
        }
    })
}

/// Elements per vectorised activation call: x + b for as many whole rows as fit goes into a
/// stack buffer that stays in L1, so the bias add and the activation make one pass over
/// memory, and the call overhead of the activation kernel is paid per block, not per row.
const BLOCK: usize = 512;

/// [`bias_act`], the rows cut in two halves for two threads when there are many: a dense
/// layer's activation is the one element-wise pass of a forward step that the products'
/// worker would otherwise wait for (wide-mlp: 256 × 512). Element-wise, so the numbers do
/// not depend on the cut.
fn bias_act_rows<F: Float>(act: Act, out: &mut [F], x: &[F], b: &[F]) {
    let cols = b.len();
    if cols == 0 || !crate::tensor::gemm::pair_pays_elementwise(out.len()) {
        return bias_act(act, out, x, b);
    }
    let half = out.len() / cols / 2 * cols;
    let (o0, o1) = out.split_at_mut(half);
    crate::pool::run_both([(o0, &x[..half]), (o1, &x[half..])], &|(o, xs)| {
        bias_act(act, o, xs, b)
    });
}

/// out = act(x + b) with the row vector b added to every row of x.
fn bias_act<F: Float>(act: Act, out: &mut [F], x: &[F], b: &[F]) {
    let cols = b.len();
    if cols == 0 {
        return;
    }
    let zero = F::zero();
    if act == Act::Relu {
        for (orow, xrow) in out.chunks_exact_mut(cols).zip(x.chunks_exact(cols)) {
            for ((o, &v), &c) in orow.iter_mut().zip(xrow).zip(b) {
                let z = v + c;
                *o = if z > zero { z } else { zero };
            }
        }
        return;
    }
    let kernel = |o: &mut [F], z: &[F]| {
        if act == Act::Tanh {
            vmath::tanh_into(o, z)
        } else {
            vmath::sigmoid_into(o, z)
        }
    };
    let mut tmp = crate::tensor::scratch::<F, BLOCK>();
    if cols <= BLOCK {
        let rows = BLOCK / cols;
        for (ob, xb) in out.chunks_mut(rows * cols).zip(x.chunks(rows * cols)) {
            let t = &mut tmp[..ob.len()];
            for (tr, xr) in t.chunks_exact_mut(cols).zip(xb.chunks_exact(cols)) {
                for ((t, &v), &c) in tr.iter_mut().zip(xr).zip(b) {
                    t.write(v + c);
                }
            }
            // SAFETY: ob.len() is whole rows of `cols`, every one written above.
            kernel(ob, unsafe { crate::tensor::written(t) });
        }
        return;
    }
    for (orow, xrow) in out.chunks_exact_mut(cols).zip(x.chunks_exact(cols)) {
        for ((oc, xc), bc) in orow
            .chunks_mut(BLOCK)
            .zip(xrow.chunks(BLOCK))
            .zip(b.chunks(BLOCK))
        {
            let t = &mut tmp[..oc.len()];
            for ((t, &v), &c) in t.iter_mut().zip(xc).zip(bc) {
                t.write(v + c);
            }
            // SAFETY: xc, bc and t have the same length; every element was written.
            kernel(oc, unsafe { crate::tensor::written(t) });
        }
    }
}

fn unary<F: Float>(u: Unary<F>, out: &mut [F], x: &[F]) {
    let zero = F::zero();
    match u {
        Unary::Neg => map(out, x, |v| -v),
        Unary::Exp => vmath::exp_into(out, x),
        Unary::Log => map(out, x, |v| v.ln()),
        Unary::Sqrt => map(out, x, |v| v.sqrt()),
        Unary::Sin => map(out, x, |v| v.sin()),
        Unary::Cos => map(out, x, |v| v.cos()),
        Unary::Abs => map(out, x, |v| v.abs()),
        Unary::Sign => map(out, x, |v| {
            if v > zero {
                F::one()
            } else if v < zero {
                -F::one()
            } else {
                zero
            }
        }),
        Unary::Step => map(out, x, |v| if v > zero { F::one() } else { zero }),
        Unary::AddScalar(c) => map(out, x, |v| v + c),
        Unary::MulScalar(c) => map(out, x, |v| v * c),
        Unary::PowScalar(p) if p == F::of(2.0) => map(out, x, |v| v * v),
        Unary::PowScalar(p) if p == F::one() => out.copy_from_slice(x),
        Unary::PowScalar(p) if p == -F::one() => map(out, x, |v| v.recip()),
        Unary::PowScalar(p) if p == F::of(3.0) => map(out, x, |v| v * v * v),
        Unary::PowScalar(p) => map(out, x, |v| v.powf(p)),
        Unary::Clamp(lo, hi) => map(out, x, |v| v.max(lo).min(hi)),
        Unary::Sigmoid => vmath::sigmoid_into(out, x),
        Unary::Tanh => vmath::tanh_into(out, x),
        Unary::Relu => map(out, x, |v| if v > zero { v } else { zero }),
        Unary::LeakyRelu(a) => map(out, x, |v| if v > zero { v } else { a * v }),
        Unary::Elu(a) => map(out, x, |v| if v > zero { v } else { a * v.exp_m1() }),
        Unary::Softplus => map(out, x, softplus),
    }
}

fn loss<F: Float>(kind: Loss<F>, p: &Node<F>, t: &Node<F>) -> F {
    let (pv, tv) = (p.value.as_slice(), t.value.as_slice());
    let n = F::of(pv.len() as f64);
    let pairs = pv.iter().zip(tv.iter()).map(|(&a, &b)| (a, b));
    match kind {
        Loss::Mse => pairs.map(|(a, b)| (a - b) * (a - b)).sum::<F>() / n,
        Loss::Mae => pairs.map(|(a, b)| (a - b).abs()).sum::<F>() / n,
        Loss::Huber(d) => {
            let half = F::of(0.5);
            pairs
                .map(|(a, b)| {
                    let r = (a - b).abs();
                    if r <= d {
                        half * r * r
                    } else {
                        d * (r - half * d)
                    }
                })
                .sum::<F>()
                / n
        }
        Loss::LogCosh => pairs.map(|(a, b)| log_cosh(a - b)).sum::<F>() / n,
        Loss::BceLogits => pairs.map(|(z, y)| softplus(z) - z * y).sum::<F>() / n,
        Loss::CceLogits => {
            let (rows, cols) = p.shape.as_matrix();
            let mut total = F::zero();
            exp_rows(pv, cols, |i, _, m, sum| {
                let lse = m + sum.ln();
                let range = i * cols..(i + 1) * cols;
                // A class with target 0 adds nothing, also when its logit is −∞ (a masked
                // class: 0·∞ is taken as its limit 0, not NaN). A row's sum first: `total`
                // lives in memory across calls of this closure.
                let row: F = (pv[range.clone()].iter().zip(&tv[range]))
                    .map(|(&zj, &yj)| {
                        if yj == F::zero() {
                            F::zero()
                        } else {
                            yj * (lse - zj)
                        }
                    })
                    .sum();
                total += row;
            });
            total / F::of(rows as f64)
        }
    }
}
