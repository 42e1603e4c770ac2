//! Data-parallel steps (`nn::DataParallel`) give the gradient of the whole batch: the same
//! numbers as one tape over all rows, up to the order of floating-point sums, for any shard
//! count; and the fork-join pool under them survives a panicking shard.

use gradus::nn::{Activation, DataParallel, Loss, Mlp, Mode, Sequential};
use gradus::pool::Pool;
use gradus::{rng, Tape, Tensor, Var};

/// Net and inputs of a deqn-like loss: two passes of the net, the second on an input made
/// from the first pass's output, then a mean over rows.
fn setup(rows: usize) -> (Sequential<f64>, Tensor<f64>) {
    let net = Mlp::<f64>::ffnn(
        &[2, 16, 16, 1],
        Activation::Tanh,
        Activation::Sigmoid,
        Loss::Mse,
        4,
    )
    .unwrap();
    let mut r = rng::seeded(9);
    (net, Tensor::uniform([rows, 2], 0.1, 1.0, &mut r))
}

fn loss_on<'t>(
    net: &Sequential<f64>,
    tape: &'t Tape<f64>,
    on: gradus::nn::ParamsOnTape,
    x: Var<'t, f64>,
) -> Var<'t, f64> {
    let s = net.forward(tape, on, x, &mut Mode::Eval);
    let x2 = (s * 0.5).concat(s.square(), 1);
    let s2 = net.forward(tape, on, x2, &mut Mode::Eval);
    ((s / s2).ln() - s).square().mean()
}

fn gradients(shards: usize, rows: usize) -> (f64, Vec<Vec<f64>>) {
    let (net, x) = setup(rows);
    let mut par = DataParallel::new(shards);
    let loss = par.step(&net, rows, |tape, on, r| {
        let xs = tape.constant_with([r.len(), 2], |b| {
            b.copy_from_slice(&x.data()[2 * r.start..2 * r.end])
        });
        loss_on(&net, tape, on, xs) * DataParallel::<f64>::share(&r, rows)
    });
    let grads = (0..net.params().len())
        .map(|i| par.grad(i).to_vec())
        .collect();
    (loss, grads)
}

#[test]
fn shards_give_the_gradient_of_the_whole_batch() {
    let rows = 200;
    // Reference: one plain tape over every row.
    let (net, x) = setup(rows);
    let mut tape = Tape::new();
    tape.clear();
    let on = net.record_params(&tape);
    let loss = loss_on(&net, &tape, on, tape.constant(&x));
    tape.backward(loss);
    let want: Vec<Vec<f64>> = (0..net.params().len())
        .map(|i| tape.grad(on.get(&tape, i)).data().to_vec())
        .collect();
    let want_loss = loss.item();
    for shards in [1, 2, 3, 6] {
        let (l, got) = gradients(shards, rows);
        assert!(
            (l - want_loss).abs() <= 1e-14 * want_loss.abs(),
            "{shards} shards: loss {l} vs {want_loss}"
        );
        for (g, w) in got.iter().zip(&want) {
            for (a, b) in g.iter().zip(w) {
                assert!(
                    (a - b).abs() <= 1e-12 * (1.0 + b.abs()),
                    "{shards} shards: {a} vs {b}"
                );
            }
        }
    }
    // The same shard count gives the same bits.
    assert_eq!(gradients(3, rows), gradients(3, rows));
}

#[test]
fn a_reused_step_reads_the_parameters_as_they_are_now() {
    // The tapes read the parameters in place (no copy per step): after the parameters
    // change between two steps of one DataParallel, the second step's gradient is the
    // gradient at the new parameters, for one shard and for several.
    let rows = 96;
    let (mut net, x) = setup(rows);
    for shards in [1, 3] {
        let mut par = DataParallel::new(shards);
        let step = |par: &mut DataParallel<f64>, net: &Sequential<f64>| {
            par.step(net, rows, |tape, on, r| {
                let xs = tape.constant_with([r.len(), 2], |b| {
                    b.copy_from_slice(&x.data()[2 * r.start..2 * r.end])
                });
                loss_on(net, tape, on, xs) * DataParallel::<f64>::share(&r, rows)
            });
            (0..net.params().len())
                .map(|i| par.grad(i).to_vec())
                .collect::<Vec<_>>()
        };
        let before = step(&mut par, &net);
        for p in net.params_mut() {
            p.data_mut().iter_mut().for_each(|v| *v *= 0.5);
        }
        let after = step(&mut par, &net);
        let tape = Tape::new();
        let on = net.record_params(&tape);
        tape.backward(loss_on(&net, &tape, on, tape.constant(&x)));
        for (i, (g, g0)) in after.iter().zip(&before).enumerate() {
            let want = tape.grad(on.get(&tape, i));
            assert_ne!(
                g, g0,
                "{shards} shards: parameter {i}'s gradient did not change"
            );
            for (a, b) in g.iter().zip(want.data()) {
                assert!(
                    (a - b).abs() <= 1e-12 * (1.0 + b.abs()),
                    "{shards} shards: {a} vs {b}"
                );
            }
        }
    }
}

#[test]
fn short_batches_and_batch_norm_run_as_one_shard() {
    let (net, _) = setup(10);
    let par = DataParallel::<f64>::new(4);
    assert_eq!(
        par.shards_for(&net, 40),
        1,
        "40 rows: shards of 32 rows at least"
    );
    assert_eq!(par.shards_for(&net, 128), 4);
    let bn = Sequential::<f64>::new(2, 0)
        .dense(8)
        .batch_norm()
        .activation(Activation::Relu)
        .dense(1)
        .loss(Loss::Mse);
    assert_eq!(
        par.shards_for(&bn, 1024),
        1,
        "batch norm needs the whole batch"
    );
}

#[test]
fn a_panicking_shard_reaches_the_caller_and_the_pool_keeps_working() {
    let pool = Pool::global();
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        pool.run(4, &|i| {
            if i == 3 {
                panic!("shard 3 fails");
            }
        })
    }));
    assert!(caught.is_err());
    let sum = std::sync::atomic::AtomicUsize::new(0);
    pool.run(5, &|i| {
        sum.fetch_add(i + 1, std::sync::atomic::Ordering::Relaxed);
    });
    assert_eq!(sum.into_inner(), 15);
}
