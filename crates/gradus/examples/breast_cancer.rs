//! Binary classification: malignant or benign tumour from 30 cell-nucleus measurements
//! (the Wisconsin diagnostic data), with a network of two hidden layers.
//!
//! cargo run --release -p gradus --example breast_cancer

use gradus::data::{self, StandardScaler};
use gradus::nn::{Activation, Loss, Mlp};
use gradus::optim::Optimizer;
use gradus::train::{fit, Batching, FitConfig};

fn main() {
    // data: one 0/1 column (1 = benign), 70/20/10 split, features standardised with the
    // training part's statistics only (fitting on all rows would leak the held-out parts)
    let mut d = data::breast_cancer::<f64>().unwrap();
    d.y = d.label_column().unwrap();
    let (mut train, mut val, mut test) = d.split((0.7, 0.2, 0.1), 42).unwrap();
    let scaler = StandardScaler::fit(&train.x);
    for part in [&mut train, &mut val, &mut test] {
        scaler.transform_in_place(&mut part.x);
    }
    println!(
        "train {}, validation {}, test {} rows",
        train.len(),
        val.len(),
        test.len()
    );

    // model: 30-16-8-1, ReLU hidden layers, one sigmoid output, binary cross-entropy
    let mut net = Mlp::ffnn(
        &[30, 16, 8, 1],
        Activation::Relu,
        Activation::Sigmoid,
        Loss::BinaryCrossEntropy,
        1,
    )
    .unwrap();
    print!("{}", net.summary());

    // fit
    let cfg = FitConfig {
        epochs: 50,
        batching: Batching::Size(32),
        optimizer: Optimizer::adam(1e-3),
        seed: 2,
        ..Default::default()
    };
    let history = fit(&mut net, &train, Some(&val), &cfg, |_| {}).unwrap();

    // report
    let last = history.last().unwrap();
    println!(
        "after {} epochs: train loss {:.4}, validation loss {:.4}",
        last.epoch,
        last.train_loss,
        last.val_loss.unwrap()
    );
    let (v, t) = (net.evaluate(&val), net.evaluate(&test));
    println!("validation accuracy {:.4}", v.accuracy.unwrap());
    println!("test accuracy       {:.4}", t.accuracy.unwrap());
}
