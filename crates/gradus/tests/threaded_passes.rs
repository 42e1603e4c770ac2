//! The passes that a one-shard step runs on two threads (the two gradients of a matrix
//! product at once, a dense layer's activation cut by rows, its input and bias gradients at
//! once, a batch gather cut in halves) give the same bits as one thread. The sizes are
//! above the thresholds in `tensor/gemm.rs` and `tensor/gather.rs`: a 256-row batch, a
//! 512-wide hidden layer (131 072 activations ≥ 2¹⁶) and a 512 × 10 output layer (1.3 M
//! multiply-adds, between 2¹⁸ and 2²³).
//!
//! One test function: the thread count is process-wide, so the cases run one after another.

use gradus::nn::{Activation, Loss, Mlp, Mode};
use gradus::tensor::{gather_rows, set_num_threads};
use gradus::{rng, Float, Tape, Tensor};

/// Loss and parameter gradients of one step of a 64-512-512-10 classifier on 256 rows.
fn step<F: Float>(act: Activation) -> (F, Vec<Vec<F>>) {
    let net = Mlp::<F>::ffnn(
        &[64, 512, 512, 10],
        act,
        Activation::Softmax,
        Loss::CategoricalCrossEntropy,
        3,
    )
    .unwrap();
    let mut r = rng::seeded(11);
    let x = Tensor::<F>::uniform([256, 64], -1.0, 1.0, &mut r);
    let mut y = Tensor::<F>::zeros([256, 10]);
    for (i, row) in y.data_mut().chunks_exact_mut(10).enumerate() {
        row[(i * 7) % 10] = F::one();
    }
    // Two passes of the net in one loss (as deqn-step's), so every parameter's gradient is
    // written by one rule and then added to by another.
    let x2 = Tensor::<F>::uniform([256, 64], -1.0, 1.0, &mut r);
    let tape = Tape::new();
    let on = net.record_params(&tape);
    let loss_of = |x: &Tensor<F>| {
        net.objective(
            &tape,
            on,
            tape.constant(x),
            tape.constant(&y),
            &mut Mode::Eval,
        )
    };
    let loss = loss_of(&x) + loss_of(&x2);
    tape.backward(loss);
    let grads = (0..net.params().len())
        .map(|i| tape.grad(on.get(&tape, i)).data().to_vec())
        .collect();
    (loss.item(), grads)
}

fn one_and_two_threads<F: Float + std::fmt::Debug>(act: Activation) {
    set_num_threads(1);
    let (loss1, g1) = step::<F>(act);
    set_num_threads(2);
    let (loss2, g2) = step::<F>(act);
    assert_eq!(
        loss1.as_f64().to_bits(),
        loss2.as_f64().to_bits(),
        "{act:?}: loss"
    );
    for (i, (a, b)) in g1.iter().zip(&g2).enumerate() {
        assert!(
            a.iter().any(|v| *v != F::zero()),
            "{act:?}: gradient {i} is all zero"
        );
        let same = a
            .iter()
            .zip(b)
            .all(|(p, q)| p.as_f64().to_bits() == q.as_f64().to_bits());
        assert!(
            same,
            "{act:?} {}: gradient {i} differs between 1 and 2 threads",
            F::NAME
        );
    }
}

#[test]
fn two_threads_give_the_bits_of_one() {
    for act in [Activation::Relu, Activation::Tanh] {
        one_and_two_threads::<f32>(act);
        one_and_two_threads::<f64>(act);
    }

    // A gather big enough to be cut in two (300 rows of 300 ≥ 2¹⁶ elements), rows in a
    // scrambled order with repeats.
    let (rows, width) = (1000, 300);
    let src: Vec<f32> = (0..rows * width).map(|i| i as f32).collect();
    let idx: Vec<usize> = (0..300).map(|i| (i * 677 + 13) % rows).collect();
    let mut got = vec![f32::NAN; idx.len() * width];
    gather_rows(&mut got, &src, width, &idx);
    for (r, &i) in idx.iter().enumerate() {
        assert_eq!(
            got[r * width..(r + 1) * width],
            src[i * width..(i + 1) * width]
        );
    }
    let err = std::panic::catch_unwind(|| {
        let mut out = vec![0f32; 2 * width];
        gather_rows(&mut out, &src, width, &[3, rows]);
    })
    .expect_err("an index past the end must panic");
    let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        msg.contains("row 1000 is out of range for 1000 rows"),
        "{msg}"
    );
    set_num_threads(0);
}
