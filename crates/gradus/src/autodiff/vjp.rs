//! Reverse-mode rules: for each primitive, add gᵀ·(∂out/∂input) into each input's gradient.
//!
//! Gradients accumulate (`+=`), so a node used twice (x * x) or by several consumers gets
//! the sum of its contributions. These rules are native kernels and are not recorded; a
//! derivative that must itself be differentiated is built with forward mode (`jvp.rs`).

use super::forward::{act_slope, act_slope_dy, mat_arg, per_act, sigmoid};
use super::op::{Act, Binary, Loss, NodeId, Op, Unary};
use super::tape::Node;
use crate::tensor::broadcast::for_each_broadcast;
use crate::tensor::gemm::{matmul_into, MatArg};
use crate::tensor::layout::narrow_backward;
use crate::tensor::reduce::{argmax_axis, exp_rows};
use crate::tensor::{copy_into, Float, Shape};

/// Runs `f(lower, grad_of_target, first)` with the target's gradient buffer moved out of
/// the arena, so that `f` may read any node (including the target's own value) while
/// writing. Moving a `Vec` out and back does not allocate.
///
/// `first` says that no rule has written the target's gradient in this backward pass: the
/// buffer then holds stale numbers of the right length and `f` must overwrite every
/// element (`=` where later contributions use `+=`). That is what lets the tape skip
/// zero-filling gradient buffers.
fn with_grad<F: Float>(
    lower: &mut [Node<F>],
    target: NodeId,
    f: impl FnOnce(&[Node<F>], &mut [F], bool),
) {
    let node = &mut lower[target];
    if !node.needs_grad {
        return;
    }
    let first = !node.grad_live;
    let mut g = std::mem::take(&mut node.grad);
    if first {
        // Sized within its capacity after the first step; the contents are overwritten.
        g.resize(node.value.len(), F::zero());
    }
    f(lower, &mut g, first);
    let node = &mut lower[target];
    node.grad = g;
    node.grad_live = true;
}

/// A rule that writes one input's gradient (`with_grad`'s `f`), callable from a pool thread.
type GradRule<'r, F> = &'r (dyn Fn(&[Node<F>], &mut [F], bool) + Sync);

/// `with_grad` for two different targets at once, each rule on its own thread of the pool
/// (single-threaded inside): the two gradients of a matrix product (independent products of
/// equal work), and a dense layer's input and bias gradients.
fn with_two_grads<F: Float>(
    lower: &mut [Node<F>],
    targets: [NodeId; 2],
    rules: [GradRule<'_, F>; 2],
) {
    let mut bufs = [Vec::new(), Vec::new()];
    let mut first = [false; 2];
    for s in 0..2 {
        let node = &mut lower[targets[s]];
        first[s] = !node.grad_live;
        bufs[s] = std::mem::take(&mut node.grad);
        if first[s] {
            bufs[s].resize(node.value.len(), F::zero());
        }
    }
    {
        let l: &[Node<F>] = lower;
        let [b0, b1] = &mut bufs;
        crate::pool::run_both(
            [(b0, rules[0], first[0]), (b1, rules[1], first[1])],
            &|(buf, rule, first)| crate::tensor::gemm::single_threaded(|| rule(l, buf, first)),
        );
    }
    for s in 0..2 {
        let node = &mut lower[targets[s]];
        node.grad = std::mem::take(&mut bufs[s]);
        node.grad_live = true;
    }
}

/// `with_grad` for rules that only know how to add: zeros first on the first contribution.
fn with_grad_acc<F: Float>(
    lower: &mut [Node<F>],
    target: NodeId,
    f: impl FnOnce(&[Node<F>], &mut [F]),
) {
    with_grad(lower, target, |l, g, first| {
        if first {
            g.fill(F::zero());
        }
        f(l, g)
    })
}

/// `gx (=|+=) g · d(x, y)` elementwise: assigns on the first contribution, adds after.
#[inline(always)]
fn acc<F: Float>(first: bool, gx: &mut [F], x: &[F], y: &[F], g: &[F], d: impl Fn(F, F) -> F) {
    if first {
        for (((gi, &xi), &yi), &go) in gx.iter_mut().zip(x).zip(y).zip(g) {
            *gi = go * d(xi, yi);
        }
    } else {
        for (((gi, &xi), &yi), &go) in gx.iter_mut().zip(x).zip(y).zip(g) {
            *gi += go * d(xi, yi);
        }
    }
}

/// `gx (=|+=) g`.
#[inline(always)]
fn pass<F: Float>(first: bool, gx: &mut [F], g: &[F]) {
    if first {
        copy_into(gx, g);
    } else {
        gx.iter_mut().zip(g).for_each(|(d, &s)| *d += s);
    }
}

/// Runs the node's backward rule. The element loops are compiled twice, for baseline
/// x86-64 (SSE2, 4 f32 lanes) and with AVX2 (8 lanes), and the AVX2 copy is picked at run
/// time (tensor::vmath explains why this gives the same numbers on both).
pub(crate) fn apply<F: Float>(node: &Node<F>, lower: &mut [Node<F>]) {
    #[cfg(target_arch = "x86_64")]
    if crate::tensor::vmath::has_avx2() {
        // SAFETY: the CPU supports the enabled features (checked at run time).
        return unsafe { apply_avx2(node, lower) };
    }
    apply_body(node, lower)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn apply_avx2<F: Float>(node: &Node<F>, lower: &mut [Node<F>]) {
    apply_body(node, lower)
}

#[inline(always)]
fn apply_body<F: Float>(node: &Node<F>, lower: &mut [Node<F>]) {
    let g = node.grad.as_slice();
    let y = node.value.as_slice();
    match node.op {
        Op::Leaf => {}
        Op::Unary(u, x) => with_grad(lower, x, |l, gx, first| {
            unary(u, first, gx, &l[x].value, y, g)
        }),
        Op::Binary(kind, a, b) => {
            binary_side(kind, 0, node.shape, lower, a, b, y, g);
            binary_side(kind, 1, node.shape, lower, a, b, y, g);
        }
        Op::MatMul { a, b, ta, tb } => {
            let (m, n) = (node.shape.dim(0), node.shape.dim(1));
            let gm = |transposed| MatArg {
                data: g,
                rows: m,
                cols: n,
                transposed,
            };
            let grad_a = |l: &[Node<F>], ga: &mut [F], first: bool| {
                if ta {
                    matmul_into(ga, !first, mat_arg(&l[b], tb), gm(true));
                } else {
                    matmul_into(ga, !first, gm(false), mat_arg(&l[b], !tb));
                }
            };
            let grad_b = |l: &[Node<F>], gb: &mut [F], first: bool| {
                if tb {
                    matmul_into(gb, !first, gm(true), mat_arg(&l[a], ta));
                } else {
                    matmul_into(gb, !first, mat_arg(&l[a], !ta), gm(false));
                }
            };
            // Inner dimension (an empty product has none to share out).
            let k = lower[a].value.len().checked_div(m).unwrap_or(0);
            if a != b
                && lower[a].needs_grad
                && lower[b].needs_grad
                && crate::tensor::gemm::pair_pays(m * n * k)
            {
                with_two_grads(lower, [a, b], [&grad_a, &grad_b]);
            } else {
                with_grad(lower, a, grad_a);
                with_grad(lower, b, grad_b);
            }
        }
        Op::SumAll(x) => with_grad(lower, x, |_, gx, first| {
            if first {
                gx.fill(g[0]);
            } else {
                gx.iter_mut().for_each(|v| *v += g[0]);
            }
        }),
        Op::SumAxis(x, axis) => with_grad_acc(lower, x, |l, gx| {
            let (outer, n, inner) = l[x].shape.around(axis);
            for o in 0..outer {
                let go = &g[o * inner..(o + 1) * inner];
                for j in 0..n {
                    let row = &mut gx[(o * n + j) * inner..(o * n + j + 1) * inner];
                    row.iter_mut().zip(go).for_each(|(d, &s)| *d += s);
                }
            }
        }),
        Op::MaxAxis(x, axis) => with_grad_acc(lower, x, |l, gx| {
            let s = l[x].shape;
            let (outer, n, inner) = s.around(axis);
            for o in 0..outer {
                for i in 0..inner {
                    let j = argmax_axis(&l[x].value, s, axis, o, i);
                    gx[(o * n + j) * inner + i] += g[o * inner + i];
                }
            }
        }),
        Op::ArgMaxMask(..) => {}
        Op::Softmax(x) => with_grad_acc(lower, x, |_, gx| {
            let cols = node.shape.as_matrix().1;
            for ((gr, yr), gor) in gx
                .chunks_exact_mut(cols)
                .zip(y.chunks_exact(cols))
                .zip(g.chunks_exact(cols))
            {
                let dot: F = yr.iter().zip(gor).map(|(&a, &b)| a * b).sum();
                for ((d, &yi), &gi) in gr.iter_mut().zip(yr).zip(gor) {
                    *d += yi * (gi - dot);
                }
            }
        }),
        Op::LogSoftmax(x) => with_grad_acc(lower, x, |_, gx| {
            let cols = node.shape.as_matrix().1;
            for ((gr, yr), gor) in gx
                .chunks_exact_mut(cols)
                .zip(y.chunks_exact(cols))
                .zip(g.chunks_exact(cols))
            {
                let total: F = gor.iter().copied().sum();
                for ((d, &yi), &gi) in gr.iter_mut().zip(yr).zip(gor) {
                    *d += gi - yi.exp() * total;
                }
            }
        }),
        Op::Reshape(x) => with_grad(lower, x, |_, gx, first| pass(first, gx, g)),
        Op::Transpose(x) => with_grad_acc(lower, x, |l, gx| {
            let (r, c) = (l[x].shape.dim(0), l[x].shape.dim(1));
            for i in 0..r {
                for j in 0..c {
                    gx[i * c + j] += g[j * r + i];
                }
            }
        }),
        Op::Narrow { x, axis, start } => with_grad_acc(lower, x, |l, gx| {
            narrow_backward(gx, g, l[x].shape, axis, start, node.shape.dim(axis))
        }),
        Op::Concat { a, b, axis } => {
            let la = lower[a].shape.dim(axis);
            let lb = lower[b].shape.dim(axis);
            let s = node.shape;
            with_grad_acc(lower, a, |_, ga| concat_part(ga, g, s, axis, 0, la));
            with_grad_acc(lower, b, |_, gb| concat_part(gb, g, s, axis, la, lb));
        }
        Op::BiasAct(act, x, b) => {
            // dz = g · act'(y) goes to x as is and to the bias summed over rows; recomputing
            // act'(y) in the second pass is cheaper than a buffer for dz.
            let grad_x = |_: &[Node<F>], gx: &mut [F], first: bool| per_act!(act, s => acc(first, gx, y, y, g, |y, _| s(y)));
            let grad_b = |_: &[Node<F>], gb: &mut [F], first: bool| {
                let cols = gb.len();
                if first {
                    gb.fill(F::zero());
                }
                per_act!(act, s => {
                    for (yr, gr) in y.chunks_exact(cols).zip(g.chunks_exact(cols)) {
                        for ((d, &y), &go) in gb.iter_mut().zip(yr).zip(gr) {
                            *d += go * s(y);
                        }
                    }
                })
            };
            if x != b
                && lower[x].needs_grad
                && lower[b].needs_grad
                && crate::tensor::gemm::pair_pays_elementwise(y.len())
            {
                with_two_grads(lower, [x, b], [&grad_x, &grad_b]);
            } else {
                with_grad(lower, x, grad_x);
                with_grad(lower, b, grad_b);
            }
        }
        Op::ActTangent(act, yy, t) => {
            with_grad(
                lower,
                t,
                |l, gt, first| per_act!(act, s => acc(first, gt, &l[yy].value, y, g, |y, _| s(y))),
            );
            with_grad(lower, yy, |l, gy, first| {
                if act == Act::Relu {
                    if first {
                        gy.fill(F::zero());
                    }
                    return;
                }
                if act == Act::Tanh {
                    acc(first, gy, &l[yy].value, &l[t].value, g, |y, t| {
                        t * act_slope_dy(Act::Tanh, y)
                    })
                } else {
                    acc(first, gy, &l[yy].value, &l[t].value, g, |y, t| {
                        t * act_slope_dy(Act::Sigmoid, y)
                    })
                }
            });
        }
        Op::Loss(kind, p, t) => {
            with_grad_acc(lower, p, |l, gp| loss_side(kind, 0, &l[p], &l[t], g[0], gp));
            with_grad_acc(lower, t, |l, gt| loss_side(kind, 1, &l[p], &l[t], g[0], gt));
        }
    }
}

/// The part of a concatenation's gradient that belongs to one operand.
fn concat_part<F: Float>(
    dst: &mut [F],
    g: &[F],
    joined: Shape,
    axis: usize,
    start: usize,
    len: usize,
) {
    let (outer, n, inner) = joined.around(axis);
    for o in 0..outer {
        let from = (o * n + start) * inner;
        let d = &mut dst[o * len * inner..(o + 1) * len * inner];
        d.iter_mut()
            .zip(&g[from..from + len * inner])
            .for_each(|(a, &b)| *a += b);
    }
}

fn unary<F: Float>(u: Unary<F>, first: bool, gx: &mut [F], x: &[F], y: &[F], g: &[F]) {
    let (zero, one) = (F::zero(), F::one());
    macro_rules! acc {
        ($gx:expr, $x:expr, $y:expr, $g:expr, $d:expr $(,)?) => {
            acc(first, $gx, $x, $y, $g, $d)
        };
    }
    match u {
        Unary::Neg => acc!(gx, x, y, g, |_, _| -one),
        Unary::Exp => acc!(gx, x, y, g, |_, y| y),
        Unary::Log => acc!(gx, x, y, g, |x, _| x.recip()),
        Unary::Sqrt => acc!(gx, x, y, g, |_, y| F::of(0.5) / y),
        Unary::Sin => acc!(gx, x, y, g, |x, _| x.cos()),
        Unary::Cos => acc!(gx, x, y, g, |x, _| -x.sin()),
        Unary::Abs => acc!(gx, x, y, g, |x, _| {
            if x > zero {
                one
            } else if x < zero {
                -one
            } else {
                zero
            }
        }),
        Unary::Sign | Unary::Step => {
            if first {
                gx.fill(zero);
            }
        }
        Unary::AddScalar(_) => pass(first, gx, g),
        Unary::MulScalar(c) => acc!(gx, x, y, g, |_, _| c),
        Unary::PowScalar(p) if p == F::of(2.0) => acc!(gx, x, y, g, |x, _| x + x),
        Unary::PowScalar(p) if p == one => acc!(gx, x, y, g, |_, _| one),
        Unary::PowScalar(p) => acc!(gx, x, y, g, |x, _| p * x.powf(p - one)),
        Unary::Clamp(lo, hi) => acc!(gx, x, y, g, |x, _| if x >= lo && x <= hi {
            one
        } else {
            zero
        },),
        Unary::Sigmoid => acc!(gx, x, y, g, |_, y| y * (one - y)),
        Unary::Tanh => acc!(gx, x, y, g, |_, y| one - y * y),
        Unary::Relu => acc!(gx, x, y, g, |x, _| if x > zero { one } else { zero }),
        Unary::LeakyRelu(a) => acc!(gx, x, y, g, |x, _| if x > zero { one } else { a }),
        Unary::Elu(a) => acc!(gx, x, y, g, |x, y| if x > zero { one } else { y + a }),
        Unary::Softplus => acc!(gx, x, y, g, |x, _| sigmoid(x)),
    }
}

/// Gradient of a broadcasting binary op for operand `side` (0 = left, 1 = right); the sum
/// over broadcast dimensions falls out of accumulating through the index walk.
#[allow(clippy::too_many_arguments)]
fn binary_side<F: Float>(
    kind: Binary,
    side: usize,
    out: Shape,
    lower: &mut [Node<F>],
    a: NodeId,
    b: NodeId,
    y: &[F],
    g: &[F],
) {
    let target = if side == 0 { a } else { b };
    with_grad(lower, target, |l, gt, first| {
        let (sa, sb) = (l[a].shape, l[b].shape);
        let (av, bv) = (l[a].value.as_slice(), l[b].value.as_slice());
        let plus = matches!((kind, side), (Binary::Add, _) | (Binary::Sub, 0));
        let minus = matches!((kind, side), (Binary::Sub, 1));
        if l[target].shape == out && (plus || minus) {
            if plus {
                return pass(first, gt, g);
            }
            return acc(first, gt, g, g, g, |_, _| -F::one());
        }
        if sa == out && sb == out {
            // Equal shapes: straight zips that vectorise (the tangent products of a PINN).
            let other = if side == 0 { bv } else { av };
            return match (kind, side) {
                (Binary::Mul, _) => acc(first, gt, other, y, g, |q, _| q),
                (Binary::Div, 0) => acc(first, gt, bv, y, g, |q, _| q.recip()),
                (Binary::Div, _) => acc(first, gt, bv, y, g, |q, r| -r / q),
                (Binary::Maximum, 0) => acc(first, gt, av, bv, g, |p, q| indicator(p >= q)),
                (Binary::Maximum, _) => acc(first, gt, av, bv, g, |p, q| indicator(p < q)),
                (Binary::Minimum, 0) => acc(first, gt, av, bv, g, |p, q| indicator(p <= q)),
                (Binary::Minimum, _) => acc(first, gt, av, bv, g, |p, q| indicator(p > q)),
                (Binary::Add, _) | (Binary::Sub, _) => unreachable!("handled above"),
            };
        }
        let ts = l[target].shape;
        let cols = out.as_matrix().1;
        let full = if side == 0 { sb } else { sa };
        if (plus || minus) && full == out && ts.numel() == cols && ts.dims().last() == Some(&cols) {
            // A bias: its gradient is the column sums of g (negated for a subtrahend).
            let sign = if plus { F::one() } else { -F::one() };
            return column_sums(first, gt, g, sign);
        }
        if first {
            gt.fill(F::zero());
        }
        // A macro, not a closure taking `fn` pointers: each rule must be inlined into the
        // element loop (an indirect call per element cost 30% of a PINN step).
        macro_rules! w {
            ($d:expr) => {
                walk(out, sa, sb, side, av, bv, y, g, gt, $d)
            };
        }
        match (kind, side) {
            (Binary::Add, _) | (Binary::Sub, 0) => w!(|_, _, _| F::one()),
            (Binary::Sub, _) => w!(|_, _, _| -F::one()),
            (Binary::Mul, 0) => w!(|_, q, _| q),
            (Binary::Mul, _) => w!(|p, _, _| p),
            (Binary::Div, 0) => w!(|_, q: F, _| q.recip()),
            (Binary::Div, _) => w!(|_, q, r: F| -r / q),
            (Binary::Maximum, 0) => w!(|p, q, _| indicator(p >= q)),
            (Binary::Maximum, _) => w!(|p, q, _| indicator(p < q)),
            (Binary::Minimum, 0) => w!(|p, q, _| indicator(p <= q)),
            (Binary::Minimum, _) => w!(|p, q, _| indicator(p > q)),
        }
    });
}

/// `gb (=|+=) sign · Σ_rows g` for g of `gb.len()` columns: the gradient of a bias added
/// to every row, one pass over g without the broadcast index walk.
fn column_sums<F: Float>(first: bool, gb: &mut [F], g: &[F], sign: F) {
    let cols = gb.len();
    if first {
        gb.fill(F::zero());
    }
    if sign == F::one() {
        for row in g.chunks_exact(cols) {
            gb.iter_mut().zip(row).for_each(|(d, &s)| *d += s);
        }
    } else {
        for row in g.chunks_exact(cols) {
            gb.iter_mut().zip(row).for_each(|(d, &s)| *d -= s);
        }
    }
}

#[inline(always)]
fn indicator<F: Float>(b: bool) -> F {
    if b {
        F::one()
    } else {
        F::zero()
    }
}

/// Accumulates g · d(a, b, out) into one operand's gradient over the broadcast walk.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn walk<F: Float>(
    out: Shape,
    sa: Shape,
    sb: Shape,
    side: usize,
    av: &[F],
    bv: &[F],
    y: &[F],
    g: &[F],
    gt: &mut [F],
    d: impl Fn(F, F, F) -> F,
) {
    for_each_broadcast(out, sa, sb, |o, ia, ib| {
        let i = if side == 0 { ia } else { ib };
        gt[i] += g[o] * d(av[ia], bv[ib], y[o]);
    })
}

/// Gradient of a fused loss for the prediction (side 0) or the target (side 1).
fn loss_side<F: Float>(kind: Loss<F>, side: usize, p: &Node<F>, t: &Node<F>, g0: F, gx: &mut [F]) {
    let (pv, tv) = (p.value.as_slice(), t.value.as_slice());
    let n = F::of(pv.len() as f64);
    let sign = if side == 0 { F::one() } else { -F::one() };
    let elementwise = |d: &dyn Fn(F, F) -> F, gx: &mut [F]| {
        let s = g0 / n;
        for ((gi, &a), &b) in gx.iter_mut().zip(pv).zip(tv) {
            *gi += s * d(a, b);
        }
    };
    match kind {
        Loss::Mse => elementwise(&|a, b| sign * F::of(2.0) * (a - b), gx),
        Loss::Mae => elementwise(
            &|a, b| sign * (indicator::<F>(a > b) - indicator::<F>(a < b)),
            gx,
        ),
        Loss::Huber(d) => elementwise(&|a, b| sign * (a - b).max(-d).min(d), gx),
        Loss::LogCosh => elementwise(&|a, b| sign * (a - b).tanh(), gx),
        Loss::BceLogits if side == 0 => elementwise(&|z, t| sigmoid(z) - t, gx),
        Loss::BceLogits => elementwise(&|z, _| -z, gx),
        Loss::CceLogits => {
            let (rows, cols) = p.shape.as_matrix();
            let s = g0 / F::of(rows as f64);
            exp_rows(pv, cols, |i, e, m, sum| {
                let range = i * cols..(i + 1) * cols;
                let (gr, yr) = (&mut gx[range.clone()], &tv[range.clone()]);
                let z = &pv[range];
                if side == 0 {
                    // softmax_j · Σ y − y_j, softmax_j = e_j / sum. A row without
                    // targets (Σ y = 0) has gradient −y = 0 even when all its logits are
                    // −∞ (sum = 0), as its loss term is 0 (forward.rs).
                    let total = yr.iter().copied().sum::<F>();
                    let scale = if total == F::zero() {
                        F::zero()
                    } else {
                        total / sum
                    };
                    for ((d, &ej), &yj) in gr.iter_mut().zip(e).zip(yr) {
                        *d += s * (ej * scale - yj);
                    }
                } else {
                    let lse = m + sum.ln();
                    for (d, &zj) in gr.iter_mut().zip(z) {
                        *d += s * (lse - zj);
                    }
                }
            });
        }
    }
}
