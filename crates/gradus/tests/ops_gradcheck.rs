//! Every differentiable op passes `check_gradients` (finite differences, forward mode,
//! reverse mode, adjoint identity) over random shapes: f64 to 1e-6, f32 to 5e-2. Unary ops
//! are also checked one derivative higher. The catalogue lives in `autodiff::selfcheck`,
//! which `gradus check` runs too.
//!
//! (In f32 the elementwise partials agree to ~1e-5, but a directional finite difference of
//! an f32 function carries ~1e-6 of absolute rounding, which a directional derivative that
//! happens to be small turns into a relative error of a few percent.)

use gradus::autodiff::selfcheck::{check_all_ops, op_names};
use gradus::{check_gradients, Tape, Tensor};
use proptest::prelude::*;

const TOL_F64: f64 = 1e-6;
const TOL_F32: f64 = 5e-2;

fn assert_all_pass<F: gradus::Float>(rows: usize, cols: usize, seed: u64, tol: f64) {
    let checks = check_all_ops::<F>(rows, cols, seed, tol);
    assert!(checks.len() > 60, "too few checks ran: {}", checks.len());
    for c in &checks {
        assert!(
            c.report.passed,
            "{} on {} ({}): {}",
            c.op,
            c.shapes,
            F::NAME,
            c.report
        );
    }
}

proptest! {
    // A fixed seed: CI runs the same cases every time (raise `cases` locally to explore).
    #![proptest_config(ProptestConfig {
        cases: 12,
        rng_seed: proptest::test_runner::RngSeed::Fixed(2026),
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_op_passes_gradient_checks_in_f64(rows in 1usize..5, cols in 2usize..6, seed in 0u64..10_000) {
        assert_all_pass::<f64>(rows, cols, seed, TOL_F64);
    }

    #[test]
    fn every_op_passes_gradient_checks_in_f32(rows in 1usize..5, cols in 2usize..6, seed in 0u64..10_000) {
        assert_all_pass::<f32>(rows, cols, seed, TOL_F32);
    }
}

#[test]
fn the_catalogue_covers_the_engine_ops() {
    let names = op_names();
    for op in [
        "matmul",
        "add",
        "sub",
        "mul",
        "div",
        "neg",
        "sum",
        "mean",
        "exp",
        "ln",
        "pow3",
        "sqrt",
        "abs",
        "maximum",
        "minimum",
        "clamp",
        "sigmoid",
        "tanh",
        "relu",
        "leaky_relu",
        "elu",
        "selu",
        "swish",
        "silu",
        "softplus",
        "softmax",
        "log_softmax",
        "mse",
        "mae",
        "huber",
        "log_cosh",
        "bce_with_logits",
        "cce_with_logits",
        "max_axis",
        "concat",
        "narrow",
    ] {
        assert!(names.contains(&op), "{op} is not gradient-checked");
    }
}

#[test]
fn a_wrong_derivative_is_caught_and_located() {
    // sign(x - 1.2) jumps at 1.2 but has derivative zero everywhere, so both AD modes say
    // the slope of x² + 0.01·sign(x - 1.2) is 2x while finite differences across the jump
    // (element 0 sits 1e-8 from it) see a huge slope: the check must fail, on element 0.
    let near = Tensor::<f64>::from_vec(vec![1.2 + 1e-8, 0.7, 1.9], [3]);
    let r = check_gradients(
        |tape: &Tape<f64>, v| {
            v[0].square()
                + (v[0] - tape.full(v[0].shape(), 1.2))
                    .sign()
                    .mul_scalar(1e-2)
        },
        &[near],
        TOL_F64,
    );
    assert!(
        !r.passed,
        "a jump inside the finite-difference step must be reported"
    );
    assert_eq!(r.worst_element.map(|w| w.0), Some(0), "{r}");
}

#[test]
fn a_product_over_an_empty_batch_has_zero_gradients() {
    // A batch of no rows is legal (the last mini-batch of a split can be empty); backward
    // must give zero gradients, not divide by the missing rows.
    let tape = Tape::<f64>::new();
    let a = tape.var(&Tensor::zeros([0, 3]));
    let w = tape.var(&Tensor::from_vec(vec![1.0; 12], [3, 4]));
    let loss = a.matmul(w).sum();
    tape.backward(loss);
    assert_eq!(tape.grad(w).data(), &[0.0; 12]);
    assert!(tape.grad(a).data().is_empty());
}

#[test]
fn softmax_and_cross_entropy_match_their_closed_forms_at_extreme_logits() {
    // Logits of ±100 overflow an unshifted exp in f32; a −∞ logit is a masked class. The
    // kernels shift each row by its maximum before one vectorised exp over all rows.
    let z = [
        100.0f32,
        0.0,
        -100.0,
        0.0,
        f32::NEG_INFINITY,
        0.0,
        3.0,
        1.0,
        2.0,
    ];
    let y = [0.0f32, 1.0, 0.0, 1.0, 0.0, 0.0, 0.2, 0.3, 0.5];
    let tape = Tape::<f32>::new();
    let zv = tape.var(&Tensor::from_vec(z.to_vec(), [3, 3]));
    let yv = tape.constant(&Tensor::from_vec(y.to_vec(), [3, 3]));
    let (sm, lsm) = (zv.softmax().value(), zv.log_softmax().value());
    let loss = zv.cce_with_logits(yv);
    tape.backward(loss);
    // The same quantities in f64, row by row, from their definitions.
    let mut want_loss = 0.0;
    for r in 0..3 {
        let row: Vec<f64> = z[3 * r..3 * r + 3].iter().map(|&v| v as f64).collect();
        let m = row.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let lse = m + row.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
        let y_sum: f64 = y[3 * r..3 * r + 3].iter().map(|&v| v as f64).sum();
        for (j, &zj) in row.iter().enumerate() {
            let (i, p) = (3 * r + j, (zj - lse).exp());
            assert!(
                (sm.data()[i] as f64 - p).abs() <= 1e-6 * p.max(1e-30),
                "softmax[{i}]"
            );
            let l = zj - lse;
            let got = lsm.data()[i] as f64;
            assert!(
                got == l || (got - l).abs() <= 1e-6 * l.abs().max(1.0),
                "log_softmax[{i}]"
            );
            let g = (p * y_sum - y[i] as f64) / 3.0;
            let got = tape.grad(zv).data()[i] as f64;
            assert!((got - g).abs() <= 1e-6, "gradient[{i}]: {got} against {g}");
            if y[i] != 0.0 {
                want_loss += y[i] as f64 * (lse - zj) / 3.0;
            }
        }
    }
    let got = loss.item() as f64;
    assert!(
        (got - want_loss).abs() <= 1e-5 * want_loss,
        "loss {got} against {want_loss}"
    );
    assert!(sm.data()[4] == 0.0 && lsm.data()[4] == f32::NEG_INFINITY);
}

#[test]
fn a_fully_masked_row_without_targets_adds_nothing_to_the_cross_entropy_or_its_gradient() {
    // A padding row: every logit −∞, every target 0. Its loss term is 0·∞ per class, taken
    // as 0; its gradient must be 0 too, not 0/0 from the softmax of an empty row.
    let inf = f64::INFINITY;
    let tape = Tape::<f64>::new();
    let z = tape.var(&Tensor::from_vec(
        vec![0.0, 1.0, 2.0, -inf, -inf, -inf],
        [2, 3],
    ));
    let y = tape.constant(&Tensor::from_vec(
        vec![0.0, 0.0, 1.0, 0.0, 0.0, 0.0],
        [2, 3],
    ));
    let loss = z.cce_with_logits(y);
    tape.backward(loss);
    let total: f64 = [0.0f64, 1.0, 2.0].iter().map(|v| v.exp()).sum();
    assert!(
        (loss.item() - (total.ln() - 2.0) / 2.0).abs() < 1e-12,
        "{}",
        loss.item()
    );
    let g = tape.grad(z);
    for (j, v) in [0.0f64, 1.0, 2.0].iter().enumerate() {
        let want = (v.exp() / total - if j == 2 { 1.0 } else { 0.0 }) / 2.0;
        assert!(
            (g.data()[j] - want).abs() < 1e-12,
            "gradient[{j}] = {}",
            g.data()[j]
        );
    }
    assert_eq!(&g.data()[3..], &[0.0; 3], "the masked row's gradient");
}

#[test]
fn softmax_and_cross_entropy_agree_with_their_definitions_over_many_rows_and_wide_rows() {
    // The exponentials are taken in blocks of whole rows (about 4096 elements): 700 × 10
    // spans two blocks, 3 × 5000 puts each row in a block of its own.
    for (rows, cols) in [(700usize, 10usize), (3, 5000)] {
        let n = rows * cols;
        let z: Vec<f64> = (0..n)
            .map(|i| ((i * 7919 % 1013) as f64 - 500.0) / 50.0)
            .collect();
        let y: Vec<f64> = (0..n).map(|i| ((i * 31 % 7) as f64) / 7.0).collect();
        let tape = Tape::<f64>::new();
        let zv = tape.var(&Tensor::from_vec(z.clone(), [rows, cols]));
        let yv = tape.constant(&Tensor::from_vec(y.clone(), [rows, cols]));
        let sm = zv.softmax().value();
        let loss = zv.cce_with_logits(yv);
        tape.backward(loss);
        let g = tape.grad(zv);
        let mut want_loss = 0.0;
        for r in 0..rows {
            let (zr, yr) = (&z[r * cols..(r + 1) * cols], &y[r * cols..(r + 1) * cols]);
            let m = zr.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let lse = m + zr.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
            let y_sum: f64 = yr.iter().sum();
            for j in 0..cols {
                let (i, p) = (r * cols + j, (zr[j] - lse).exp());
                assert!(
                    (sm.data()[i] - p).abs() <= 1e-12,
                    "{rows}x{cols} softmax[{i}]"
                );
                let want = (p * y_sum - yr[j]) / rows as f64;
                assert!(
                    (g.data()[i] - want).abs() <= 1e-12,
                    "{rows}x{cols} gradient[{i}]"
                );
                want_loss += yr[j] * (lse - zr[j]) / rows as f64;
            }
        }
        let got = loss.item();
        assert!(
            (got - want_loss).abs() <= 1e-10 * want_loss.abs(),
            "{rows}x{cols} loss {got}"
        );
    }
}
