//! Handwritten digits: the lectures' 64-100-30-10 network on 8 × 8 images, in f32.
//!
//! cargo run --release -p gradus --example digits

use gradus::data;
use gradus::nn::{Activation, Loss, Mlp};
use gradus::optim::Optimizer;
use gradus::train::{fit, Batching, FitConfig};

fn main() {
    // data: pixels 0..=16 scaled to [0, 1], seeded 80/20 split
    let mut d = data::digits::<f32>().unwrap();
    d.x = d.x.scale(1.0 / 16.0);
    let (train, _, test) = d.split((0.8, 0.0, 0.2), 0).unwrap();
    println!("{} training and {} test images", train.len(), test.len());

    // model: FFNN((64, 100, 30, 10), hidden=ReLU, output=softmax, cost=cross-entropy)
    let mut net = Mlp::ffnn(
        &[64, 100, 30, 10],
        Activation::Relu,
        Activation::Softmax,
        Loss::CategoricalCrossEntropy,
        1,
    )
    .unwrap();
    print!("{}", net.summary());

    // fit: as in the lecture (Keras' validation_data), the held-out 20% is scored after
    // every epoch; nothing is chosen from those scores, so it stays a fair test set
    let cfg = FitConfig {
        epochs: 30,
        batching: Batching::Size(32),
        optimizer: Optimizer::adam(1e-3),
        seed: 2,
        progress: true,
        ..Default::default()
    };
    // The table is printed from the history after training rather than from the per-epoch
    // callback: on a terminal the progress bar redraws over lines printed while it is shown.
    let history = fit(&mut net, &train, Some(&test), &cfg, |_| {}).unwrap();
    println!("epoch  train loss  train acc  val loss  val acc");
    for r in &history.epochs {
        println!(
            "{:>5}  {:>10.4}  {:>9.4}  {:>8.4}  {:>7.4}",
            r.epoch,
            r.train_loss,
            r.train_accuracy.unwrap(),
            r.val_loss.unwrap(),
            r.val_accuracy.unwrap()
        );
    }

    // report
    let m = net.evaluate(&test);
    println!("test accuracy {:.4}", m.accuracy.unwrap());
}
