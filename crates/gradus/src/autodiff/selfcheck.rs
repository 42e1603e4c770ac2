//! The catalogue of every differentiable primitive, each with the input domain on which
//! it is smooth, and a routine that gradient-checks them all. The test suite runs it over
//! random shapes; `gradus check` runs it on the user's machine.

use rand::Rng;

use super::gradcheck::{check_gradients_with, GradCheckParams, GradCheckReport};
use super::tape::{Tape, Var};
use crate::rng;
use crate::tensor::{Float, Tensor};

/// Where an operand is drawn from: uniform on [lo, hi], at least [`KINK_MARGIN`] away from
/// each kink (a point where the op is not differentiable, which finite differences must
/// not straddle).
#[derive(Clone, Copy, Debug)]
struct Domain {
    lo: f64,
    hi: f64,
    kinks: &'static [f64],
}

const KINK_MARGIN: f64 = 0.15;
const ANY: Domain = Domain {
    lo: -2.0,
    hi: 2.0,
    kinks: &[],
};
const POSITIVE: Domain = Domain {
    lo: 0.3,
    hi: 3.0,
    kinks: &[],
};
const AWAY_FROM_ZERO: Domain = Domain {
    lo: -2.0,
    hi: 2.0,
    kinks: &[0.0],
};
const UNIT: Domain = Domain {
    lo: 0.05,
    hi: 0.95,
    kinks: &[],
};

/// How the operands of a case are shaped, given a random (rows, cols).
#[derive(Clone, Copy, Debug)]
enum Form {
    /// One rows x cols operand.
    Unary(Domain),
    /// Two operands in each broadcasting arrangement (same, row, column, scalar, outer).
    Binary(Domain),
    /// Prediction and target of equal shape; the target's domain.
    Loss(Domain),
    Matmul,
    Concat,
    /// A rows x cols matrix and a bias row (shape [cols], then [1, cols]).
    Bias(Domain),
}

/// Every primitive and composite op, by name, with the form of its operands.
const CASES: &[(&str, Form)] = &[
    ("neg", Form::Unary(ANY)),
    ("exp", Form::Unary(ANY)),
    ("ln", Form::Unary(POSITIVE)),
    ("sqrt", Form::Unary(POSITIVE)),
    ("sin", Form::Unary(ANY)),
    ("cos", Form::Unary(ANY)),
    ("abs", Form::Unary(AWAY_FROM_ZERO)),
    ("pow3", Form::Unary(ANY)),
    ("pow2.5", Form::Unary(POSITIVE)),
    ("square", Form::Unary(ANY)),
    ("recip", Form::Unary(POSITIVE)),
    ("add_scalar", Form::Unary(ANY)),
    ("mul_scalar", Form::Unary(ANY)),
    (
        "clamp",
        Form::Unary(Domain {
            lo: -2.0,
            hi: 2.0,
            kinks: &[-0.5, 0.5],
        }),
    ),
    (
        "sigmoid",
        Form::Unary(Domain {
            lo: -4.0,
            hi: 4.0,
            kinks: &[],
        }),
    ),
    (
        "tanh",
        Form::Unary(Domain {
            lo: -3.0,
            hi: 3.0,
            kinks: &[],
        }),
    ),
    ("relu", Form::Unary(AWAY_FROM_ZERO)),
    ("leaky_relu", Form::Unary(AWAY_FROM_ZERO)),
    ("elu", Form::Unary(AWAY_FROM_ZERO)),
    ("selu", Form::Unary(AWAY_FROM_ZERO)),
    ("silu", Form::Unary(ANY)),
    ("swish", Form::Unary(ANY)),
    (
        "softplus",
        Form::Unary(Domain {
            lo: -4.0,
            hi: 4.0,
            kinks: &[],
        }),
    ),
    ("softmax", Form::Unary(ANY)),
    ("log_softmax", Form::Unary(ANY)),
    ("sum", Form::Unary(ANY)),
    ("mean", Form::Unary(ANY)),
    ("sum_axis", Form::Unary(ANY)),
    ("mean_axis", Form::Unary(ANY)),
    ("max_axis", Form::Unary(ANY)),
    ("transpose", Form::Unary(ANY)),
    ("reshape", Form::Unary(ANY)),
    ("narrow", Form::Unary(ANY)),
    ("add", Form::Binary(ANY)),
    ("sub", Form::Binary(ANY)),
    ("mul", Form::Binary(ANY)),
    (
        "div",
        Form::Binary(Domain {
            lo: 0.4,
            hi: 2.0,
            kinks: &[],
        }),
    ),
    ("maximum", Form::Binary(ANY)),
    ("minimum", Form::Binary(ANY)),
    ("matmul", Form::Matmul),
    (
        "bias_tanh",
        Form::Bias(Domain {
            lo: -1.5,
            hi: 1.5,
            kinks: &[],
        }),
    ),
    (
        "bias_sigmoid",
        Form::Bias(Domain {
            lo: -2.0,
            hi: 2.0,
            kinks: &[],
        }),
    ),
    ("bias_relu", Form::Bias(AWAY_FROM_ZERO)),
    ("concat", Form::Concat),
    ("mse", Form::Loss(ANY)),
    ("mae", Form::Loss(ANY)),
    ("huber", Form::Loss(ANY)),
    ("log_cosh", Form::Loss(ANY)),
    ("bce_with_logits", Form::Loss(UNIT)),
    ("cce_with_logits", Form::Loss(UNIT)),
];

/// Applies the named op (`variant` selects a transpose combination or an axis).
fn apply<'t, F: Float>(name: &str, variant: usize, v: &[Var<'t, F>]) -> Var<'t, F> {
    let c = F::of;
    let x = v[0];
    match name {
        "neg" => -x,
        "exp" => x.exp(),
        "ln" => x.ln(),
        "sqrt" => x.sqrt(),
        "sin" => x.sin(),
        "cos" => x.cos(),
        "abs" => x.abs(),
        "pow3" => x.pow(c(3.0)),
        "pow2.5" => x.pow(c(2.5)),
        "square" => x.square(),
        "recip" => x.recip(),
        "add_scalar" => x.add_scalar(c(1.5)),
        "mul_scalar" => x.mul_scalar(c(-0.7)),
        "clamp" => x.clamp(c(-0.5), c(0.5)),
        "sigmoid" => x.sigmoid(),
        "tanh" => x.tanh(),
        "relu" => x.relu(),
        "leaky_relu" => x.leaky_relu(c(0.1)),
        "elu" => x.elu(c(0.8)),
        "selu" => x.selu(),
        "silu" => x.silu(),
        "swish" => x.swish(c(1.5)),
        "softplus" => x.softplus(),
        "softmax" => x.softmax(),
        "log_softmax" => x.log_softmax(),
        "sum" => x.sum(),
        "mean" => x.mean(),
        "sum_axis" => x.sum_axis(variant % 2),
        "mean_axis" => x.mean_axis(variant % 2),
        "max_axis" => x.max_axis(variant % 2),
        "transpose" => x.t(),
        "reshape" => x.reshape([x.shape().numel()]),
        "narrow" => {
            let cols = x.shape().dim(1);
            x.narrow(1, cols / 2, cols - cols / 2)
        }
        "add" => x + v[1],
        "sub" => x - v[1],
        "mul" => x * v[1],
        "div" => x / v[1],
        "maximum" => x.maximum(v[1]),
        "minimum" => x.minimum(v[1]),
        "matmul" => x.matmul_t(v[1], variant & 1 == 1, variant & 2 == 2),
        "concat" => x.concat(v[1], variant % 2).tanh(),
        "bias_tanh" => x.bias_tanh(v[1]),
        "bias_sigmoid" => x.bias_sigmoid(v[1]),
        "bias_relu" => x.bias_relu(v[1]),
        "mse" => x.mse(v[1]),
        "mae" => x.mae(v[1]),
        "huber" => x.huber(v[1], c(0.5)),
        "log_cosh" => x.log_cosh(v[1]),
        "bce_with_logits" => x.bce_with_logits(v[1]),
        "cce_with_logits" => x.cce_with_logits(v[1]),
        other => panic!("selfcheck: no op named {other}"),
    }
}

/// The outcome of checking one op on one arrangement of operands.
#[derive(Clone, Debug)]
pub struct OpCheck {
    /// The op, with the derivative order checked: "tanh" or "d/dx tanh".
    pub op: String,
    /// The operand shapes, e.g. "[3, 4] and [4]".
    pub shapes: String,
    pub report: GradCheckReport,
}

fn draw<F: Float>(shape: &[usize], d: Domain, r: &mut rng::Rng) -> Tensor<F> {
    let n: usize = shape.iter().product();
    let data = (0..n)
        .map(|_| loop {
            let v: f64 = r.random_range(d.lo..d.hi);
            if d.kinks.iter().all(|k| (v - k).abs() > KINK_MARGIN) {
                break F::of(v);
            }
        })
        .collect();
    Tensor::from_vec(data, shape)
}

/// Operand sets for one case at (rows, cols): (variant, operands). Draws that would put a
/// kink inside the finite-difference step (ties in max, residuals at a loss's switch
/// points) are skipped.
fn operand_sets<F: Float>(
    name: &str,
    form: Form,
    rows: usize,
    cols: usize,
    r: &mut rng::Rng,
) -> Vec<(usize, Vec<Tensor<F>>)> {
    let mut sets = Vec::new();
    match form {
        Form::Unary(d) => {
            for axis in 0..2 {
                let x: Tensor<F> = draw(&[rows, cols], d, r);
                let needs_unique_max = name == "max_axis" && !distinct(&x, KINK_MARGIN / 3.0);
                if !needs_unique_max {
                    sets.push((axis, vec![x]));
                }
                if !name.ends_with("_axis") {
                    break;
                }
            }
        }
        Form::Binary(d) => {
            let shapes: [(&[usize], &[usize]); 5] = [
                (&[rows, cols], &[rows, cols]),
                (&[rows, cols], &[cols]),
                (&[rows, cols], &[rows, 1]),
                (&[], &[rows, cols]),
                (&[rows, 1], &[1, cols]),
            ];
            for (sa, sb) in shapes {
                let a: Tensor<F> = draw(sa, ANY, r);
                let b: Tensor<F> = draw(sb, d, r);
                let gap = a.zip_map(&b, "gap", |p, q| (p - q).abs());
                if name.ends_with("imum") && gap.data().iter().any(|g| g.as_f64() < KINK_MARGIN) {
                    continue;
                }
                sets.push((0, vec![a, b]));
            }
        }
        Form::Loss(d) => {
            let p: Tensor<F> = draw(&[rows, cols], ANY, r);
            let mut t: Tensor<F> = draw(&[rows, cols], d, r);
            if name == "cce_with_logits" {
                for row in t.data_mut().chunks_exact_mut(cols) {
                    let s: F = row.iter().copied().sum();
                    row.iter_mut().for_each(|v| *v /= s);
                }
            }
            // MAE is kinked at residual 0, Huber also at ±δ = ±0.5.
            let kinked = |res: f64| {
                [0.0, 0.5, -0.5]
                    .iter()
                    .any(|k| (res - k).abs() < KINK_MARGIN)
            };
            let bad = (name == "mae" || name == "huber")
                && p.data()
                    .iter()
                    .zip(t.data())
                    .any(|(a, b)| kinked((*a - *b).as_f64()));
            if !bad {
                sets.push((0, vec![p, t]));
            }
        }
        Form::Matmul => {
            let (m, k, n) = (rows, cols, (rows + cols) / 2 + 1);
            for variant in 0..4 {
                let sa: [usize; 2] = if variant & 1 == 1 { [k, m] } else { [m, k] };
                let sb: [usize; 2] = if variant & 2 == 2 { [n, k] } else { [k, n] };
                sets.push((variant, vec![draw(&sa, ANY, r), draw(&sb, ANY, r)]));
            }
        }
        Form::Bias(d) => {
            for bias in [vec![cols], vec![1, cols]] {
                // Each bias element is drawn small, so x + b stays in the domain's reach;
                // relu needs x + b itself away from its kink.
                let x: Tensor<F> = draw(&[rows, cols], d, r);
                let b: Tensor<F> = draw(&bias, d, r).map(|v| v * F::of(0.25));
                let kinked = x.data().chunks_exact(cols).any(|row| {
                    row.iter()
                        .zip(b.data())
                        .any(|(p, q)| (*p + *q).as_f64().abs() < KINK_MARGIN)
                });
                if !(name == "bias_relu" && kinked) {
                    sets.push((0, vec![x, b]));
                }
            }
        }
        Form::Concat => {
            sets.push((
                0,
                vec![draw(&[rows, cols], ANY, r), draw(&[cols, cols], ANY, r)],
            ));
            sets.push((
                1,
                vec![draw(&[rows, cols], ANY, r), draw(&[rows, 2], ANY, r)],
            ));
        }
    }
    sets
}

fn distinct<F: Float>(t: &Tensor<F>, gap: f64) -> bool {
    let mut v: Vec<f64> = t.data().iter().map(|x| x.as_f64()).collect();
    v.sort_by(|a, b| a.total_cmp(b));
    v.windows(2).all(|w| w[1] - w[0] > gap)
}

fn shapes_text<F: Float>(ts: &[Tensor<F>]) -> String {
    ts.iter()
        .map(|t| t.shape().to_string())
        .collect::<Vec<_>>()
        .join(" and ")
}

/// Gradient-checks every op on operands of about `rows` x `cols` drawn from `seed`, and
/// every unary op one derivative higher (its forward-mode derivative along a random
/// direction, differentiated again: what losses containing u' and u'' rely on).
pub fn check_all_ops<F: Float>(
    rows: usize,
    cols: usize,
    seed: u64,
    tolerance: f64,
) -> Vec<OpCheck> {
    let mut r = rng::seeded(seed);
    let params = GradCheckParams {
        tolerance,
        directions: 2,
        seed,
    };
    let mut out = Vec::new();
    for &(name, form) in CASES {
        for (variant, inputs) in operand_sets::<F>(name, form, rows, cols, &mut r) {
            let report = check_gradients_with(|_, v| apply(name, variant, v), &inputs, &params);
            out.push(OpCheck {
                op: name.to_string(),
                shapes: shapes_text(&inputs),
                report,
            });
            if let Form::Unary(_) | Form::Bias(_) = form {
                let dir: Tensor<F> = draw(inputs[0].shape().dims(), ANY, &mut r);
                let report = check_gradients_with(
                    |tape: &Tape<F>, v| {
                        tape.jvp(apply(name, variant, v), v[0], tape.constant(&dir))
                    },
                    &inputs,
                    &params,
                );
                out.push(OpCheck {
                    op: format!("d/dx {name}"),
                    shapes: shapes_text(&inputs),
                    report,
                });
            }
        }
    }
    out
}

/// The names of all checked ops, in catalogue order.
pub fn op_names() -> Vec<&'static str> {
    CASES.iter().map(|c| c.0).collect()
}
