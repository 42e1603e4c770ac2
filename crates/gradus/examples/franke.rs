//! Regression: a tanh network learns Franke's function on [0, 1]² from 800 noiseless
//! samples and is scored on 200 others.
//!
//! cargo run --release -p gradus --example franke

use gradus::data::{self, franke_function, StandardScaler};
use gradus::nn::{Activation, Loss, Mlp};
use gradus::optim::{Optimizer, Schedule};
use gradus::train::{fit, Batching, FitConfig};
use gradus::Tensor;

fn main() {
    // data: 1000 uniform points, 80/20 split, inputs standardised with training statistics
    let d = data::franke::<f64>(1000, 7);
    let (mut train, _, mut test) = d.split((0.8, 0.0, 0.2), 3).unwrap();
    let scaler = StandardScaler::fit(&train.x);
    scaler.transform_in_place(&mut train.x);
    scaler.transform_in_place(&mut test.x);

    // model: 2-20-20-1, tanh hidden layers, linear output, mean squared error
    let mut net = Mlp::ffnn(
        &[2, 20, 20, 1],
        Activation::Tanh,
        Activation::Identity,
        Loss::Mse,
        1,
    )
    .unwrap();
    print!("{}", net.summary());

    // fit: Adam on mini-batches of 32, learning rate decayed along a cosine
    let epochs = 200;
    let cfg = FitConfig {
        epochs,
        batching: Batching::Size(32),
        optimizer: Optimizer::adam(1e-2),
        schedule: Schedule::Cosine {
            total: epochs,
            min_lr: 1e-4,
        },
        seed: 1,
        ..Default::default()
    };
    fit(&mut net, &train, None, &cfg, |r| {
        if r.epoch % 25 == 0 {
            println!(
                "epoch {:>3}  lr {:.2e}  train MSE {:.3e}",
                r.epoch, r.lr, r.train_loss
            );
        }
    })
    .unwrap();

    // report
    println!("test MSE {:.3e}", net.evaluate(&test).loss);
    let points = [(0.2, 0.2), (0.5, 0.5), (0.8, 0.3)];
    let x = Tensor::from_vec(points.iter().flat_map(|&(a, b)| [a, b]).collect(), [3, 2]);
    let u = net.predict(&scaler.transform(&x));
    for (&(a, b), &ui) in points.iter().zip(u.data()) {
        let f = franke_function(a, b);
        println!("f({a}, {b}) = {f:.4}, net {ui:.4}");
    }
}
