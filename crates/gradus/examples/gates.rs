//! The logic gates: linear regression, logistic regression and a small network on AND, OR
//! and XOR. AND and OR are linearly separable, XOR is not: only the net with a hidden layer
//! gets all four rows right.
//!
//! cargo run --release -p gradus --example gates

use gradus::data::{self, Dataset};
use gradus::nn::{Activation, Loss, Mlp};
use gradus::optim::Optimizer;
use gradus::train::{fit, Batching, FitConfig};

/// Share of the rows whose output, cut at ½, is the row's label. The same rule for all
/// three models, so that linear regression (whose MSE output is no probability) is judged
/// like the classifiers.
fn accuracy(net: &Mlp<f64>, gate: &Dataset<f64>) -> f64 {
    let out = net.predict(&gate.x);
    let labels = gate.labels.as_ref().unwrap();
    let hits = out
        .data()
        .iter()
        .zip(labels)
        .filter(|(&p, &l)| usize::from(p > 0.5) == l)
        .count();
    hits as f64 / labels.len() as f64
}

fn main() {
    // Four rows: train on all of them, full batch (gradient descent proper).
    let cfg = FitConfig {
        epochs: 500,
        batching: Batching::Full,
        optimizer: Optimizer::adam(0.05),
        ..Default::default()
    };
    let models: [(&str, &[usize], Activation, Loss); 3] = [
        (
            "linear regression (MSE)",
            &[2, 1],
            Activation::Identity,
            Loss::Mse,
        ),
        (
            "logistic regression",
            &[2, 1],
            Activation::Sigmoid,
            Loss::BinaryCrossEntropy,
        ),
        (
            "MLP 2-4-1 tanh",
            &[2, 4, 1],
            Activation::Sigmoid,
            Loss::BinaryCrossEntropy,
        ),
    ];

    println!("{:<26} {:>6} {:>6} {:>6}", "model", "AND", "OR", "XOR");
    for (name, sizes, output, loss) in models {
        let mut row = format!("{name:<26}");
        for mut gate in [data::and::<f64>(), data::or(), data::xor()] {
            gate.y = gate.label_column().unwrap(); // one 0/1 column for one output
            let mut net = Mlp::ffnn(sizes, Activation::Tanh, output, loss, 0).unwrap();
            fit(&mut net, &gate, None, &cfg, |_| {}).unwrap();
            row += &format!(" {:>6.2}", accuracy(&net, &gate));
        }
        println!("{row}");
    }
}
