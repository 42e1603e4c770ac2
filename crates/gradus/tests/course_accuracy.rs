//! The course's numbers as tests: what the lectures' networks reach on the lectures' data,
//! with fixed seeds. Each bound is the course's claim; settings were tuned so that every
//! test runs in a few seconds in the test profile, never by loosening a bound.

use gradus::data::{self, Dataset, StandardScaler};
use gradus::nn::{Activation, Loss, Mlp};
use gradus::optim::{Optimizer, Schedule};
use gradus::train::{fit, Batching, FitConfig};

/// Breast cancer with one 0/1 target column, split 70/20/10 and standardised with the
/// statistics of the training part only.
fn breast_cancer() -> (Dataset<f64>, Dataset<f64>, Dataset<f64>) {
    let mut d = data::breast_cancer::<f64>().unwrap();
    d.y = d.label_column().unwrap();
    let (mut train, mut val, mut test) = d.split((0.7, 0.2, 0.1), 42).unwrap();
    let scaler = StandardScaler::fit(&train.x);
    for part in [&mut train, &mut val, &mut test] {
        scaler.transform_in_place(&mut part.x);
    }
    (train, val, test)
}

fn binary_net(sizes: &[usize], hidden: Activation, seed: u64) -> Mlp<f64> {
    Mlp::ffnn(
        sizes,
        hidden,
        Activation::Sigmoid,
        Loss::BinaryCrossEntropy,
        seed,
    )
    .unwrap()
}

#[test]
fn breast_cancer_two_hidden_layers_reach_96_percent() {
    let (train, val, _) = breast_cancer();
    let mut net = binary_net(&[30, 16, 8, 1], Activation::Relu, 1);
    let cfg = FitConfig {
        epochs: 50,
        batching: Batching::Size(32),
        optimizer: Optimizer::adam(1e-3),
        seed: 2,
        ..Default::default()
    };
    fit(&mut net, &train, Some(&val), &cfg, |_| {}).unwrap();
    let acc = net.evaluate(&val).accuracy.unwrap();
    println!("breast cancer 30-16-8-1: validation accuracy {acc:.4}");
    assert!(acc >= 0.96, "validation accuracy {acc:.4} < 0.96");
}

#[test]
fn breast_cancer_logistic_regression_reaches_95_percent() {
    let (train, val, _) = breast_cancer();
    // No hidden layer: the hidden activation is never applied.
    let mut net = binary_net(&[30, 1], Activation::Identity, 1);
    let cfg = FitConfig {
        epochs: 50,
        batching: Batching::Size(32),
        optimizer: Optimizer::adam(1e-2),
        seed: 2,
        ..Default::default()
    };
    fit(&mut net, &train, Some(&val), &cfg, |_| {}).unwrap();
    let acc = net.evaluate(&val).accuracy.unwrap();
    println!("breast cancer logistic regression: validation accuracy {acc:.4}");
    assert!(acc >= 0.95, "validation accuracy {acc:.4} < 0.95");
}

#[test]
fn franke_without_noise_is_fitted_to_1e_3() {
    let d = data::franke::<f64>(1000, 7);
    let (mut train, _, mut test) = d.split((0.8, 0.0, 0.2), 3).unwrap();
    let scaler = StandardScaler::fit(&train.x);
    scaler.transform_in_place(&mut train.x);
    scaler.transform_in_place(&mut test.x);
    let mut net = Mlp::ffnn(
        &[2, 20, 20, 1],
        Activation::Tanh,
        Activation::Identity,
        Loss::Mse,
        1,
    )
    .unwrap();
    // Mini-batches reach the bound with far fewer passes over the data than full-batch
    // gradient descent (2000 full-batch Adam epochs of a wider net stop near 2e-3); the
    // cosine decay removes the noise of the last mini-batch steps.
    let cfg = FitConfig {
        epochs: 200,
        batching: Batching::Size(32),
        optimizer: Optimizer::adam(1e-2),
        schedule: Schedule::Cosine {
            total: 200,
            min_lr: 1e-4,
        },
        seed: 1,
        ..Default::default()
    };
    fit(&mut net, &train, None, &cfg, |_| {}).unwrap();
    let mse = net.evaluate(&test).loss;
    println!("franke 2-20-20-1 tanh: test MSE {mse:.3e}");
    assert!(mse <= 1e-3, "test MSE {mse:.3e} > 1e-3");
}

/// Trains on all four rows of a gate, full batch, and returns the training accuracy.
fn gate_accuracy(mut gate: Dataset<f64>, sizes: &[usize], seed: u64) -> f64 {
    gate.y = gate.label_column().unwrap();
    let mut net = binary_net(sizes, Activation::Tanh, seed);
    let cfg = FitConfig {
        epochs: 500,
        batching: Batching::Full,
        optimizer: Optimizer::adam(0.05),
        ..Default::default()
    };
    fit(&mut net, &gate, None, &cfg, |_| {}).unwrap();
    net.evaluate(&gate).accuracy.unwrap()
}

#[test]
fn logistic_regression_learns_or_and_and() {
    assert_eq!(gate_accuracy(data::or(), &[2, 1], 0), 1.0, "OR");
    assert_eq!(gate_accuracy(data::and(), &[2, 1], 0), 1.0, "AND");
}

#[test]
fn xor_needs_a_hidden_layer() {
    let linear = gate_accuracy(data::xor(), &[2, 1], 0);
    let mlp = gate_accuracy(data::xor(), &[2, 4, 1], 0);
    println!("XOR: logistic regression {linear}, 2-4-1 tanh net {mlp}");
    assert!(linear <= 0.75, "logistic regression on XOR: {linear}");
    assert_eq!(mlp, 1.0, "2-4-1 on XOR");
}
