//! Dropout and batch normalisation: gradients, train/eval behaviour, and training.

use gradus::data;
use gradus::nn::{Activation, Loss, Mlp, MlpConfig, Mode, ParamsOnTape, Sequential};
use gradus::optim::Optimizer;
use gradus::train::{fit, FitConfig};
use gradus::{check_gradients, rng, Tensor};

#[test]
fn batch_norm_training_pass_has_exact_gradients() {
    let net = Sequential::<f64>::new(3, 4)
        .dense(5)
        .batch_norm()
        .activation(Activation::Tanh)
        .dense(2)
        .loss(Loss::Mse);
    let x = Tensor::<f64>::uniform([6, 3], -1.0, 1.0, &mut rng::seeded(1));
    let y = Tensor::<f64>::uniform([6, 2], -1.0, 1.0, &mut rng::seeded(2));
    let report = check_gradients(
        |tape, v| {
            let on = ParamsOnTape {
                first: v[0].index(),
                count: v.len(),
            };
            let mut r = rng::seeded(0);
            net.objective(
                tape,
                on,
                tape.constant(&x),
                tape.constant(&y),
                &mut Mode::Train(&mut r),
            )
        },
        net.params(),
        1e-6,
    );
    assert!(report.passed, "{report}");
}

#[test]
fn dropout_zeroes_about_its_rate_in_training_and_nothing_in_evaluation() {
    let net = Sequential::<f64>::new(1, 0)
        .dense_with(
            1000,
            gradus::nn::Init::Constant(1.0),
            gradus::nn::Init::Zeros,
        )
        .dropout(0.3);
    let x = Tensor::ones([1, 1]);
    let tape = gradus::Tape::new();
    let on = net.record_params(&tape);
    let mut r = rng::seeded(5);
    let train = net
        .forward(&tape, on, tape.constant(&x), &mut Mode::Train(&mut r))
        .value();
    let zeros = train.data().iter().filter(|&&v| v == 0.0).count();
    assert!(
        (250..350).contains(&zeros),
        "{zeros} of 1000 dropped at rate 0.3"
    );
    // Survivors are scaled by 1/(1 - rate), so the expected activation is unchanged.
    assert!(train
        .data()
        .iter()
        .all(|&v| v == 0.0 || (v - 1.0 / 0.7).abs() < 1e-12));
    let eval = net.predict(&x);
    assert!(eval.data().iter().all(|&v| v == 1.0));
}

#[test]
fn networks_with_dropout_and_batch_norm_learn_digits() {
    let mut d = data::digits::<f32>().unwrap();
    d.x = d.x.scale(1.0 / 16.0);
    let (train, _, test) = d.split((0.8, 0.0, 0.2), 0).unwrap();
    for (dropout, batch_norm) in [(0.2, false), (0.0, true)] {
        let mut cfg = MlpConfig::new(
            &[64, 100, 30, 10],
            Activation::Relu,
            Activation::Softmax,
            Loss::CategoricalCrossEntropy,
            1,
        );
        cfg.dropout = dropout;
        cfg.batch_norm = batch_norm;
        let mut net: Mlp<f32> = cfg.build().unwrap();
        let fc = FitConfig {
            epochs: 20,
            optimizer: Optimizer::adam(2e-3),
            seed: 3,
            ..Default::default()
        };
        fit(&mut net, &train, None, &fc, |_| {}).unwrap();
        let acc = net.evaluate(&test).accuracy.unwrap();
        assert!(
            acc >= 0.95,
            "dropout {dropout}, batch norm {batch_norm}: test accuracy {acc:.3}"
        );
    }
}

#[test]
fn invalid_stacks_are_reported() {
    let bad_rate = Sequential::<f64>::new(2, 0).dense(3).dropout(1.5).dense(1);
    assert!(bad_rate
        .validate()
        .unwrap_err()
        .to_string()
        .contains("dropout rate"));
    let softmax_one = MlpConfig::new(
        &[2, 1],
        Activation::Relu,
        Activation::Softmax,
        Loss::CategoricalCrossEntropy,
        0,
    );
    assert!(softmax_one.build::<f64>().is_err());
}
