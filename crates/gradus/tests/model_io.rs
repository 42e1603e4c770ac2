//! Saved models come back identical: weights, batch-norm statistics, scaling, predictions.

use gradus::data;
use gradus::io::{load_model, save_model, IoError, Scaling};
use gradus::nn::{Activation, Loss, Sequential};
use gradus::train::{fit, FitConfig};

fn temp(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("gradus-model-io-{name}-{}", std::process::id()))
}

#[test]
fn a_trained_model_round_trips_with_its_scaling() {
    let d = data::breast_cancer::<f64>().unwrap();
    let (mut train, _, mut test) = d.split((0.8, 0.0, 0.2), 0).unwrap();
    let scaler = data::StandardScaler::fit(&train.x);
    let scaling = Scaling::from(&scaler);
    train.x = scaling.apply(&train.x);
    let mut net = Sequential::<f64>::new(30, 3)
        .dense(16)
        .batch_norm()
        .activation(Activation::Elu(0.5))
        .dropout(0.1)
        .dense(2)
        .activation(Activation::Softmax)
        .loss(Loss::CategoricalCrossEntropy);
    fit(
        &mut net,
        &train,
        None,
        &FitConfig {
            epochs: 5,
            ..Default::default()
        },
        |_| {},
    )
    .unwrap();

    let dir = temp("roundtrip");
    save_model(
        &dir,
        &net,
        Some(scaling.clone()),
        vec!["malignant".into(), "benign".into()],
    )
    .unwrap();
    let back = load_model::<f64>(&dir).unwrap();
    assert_eq!(back.model.params(), net.params());
    assert_eq!(back.model.layers(), net.layers());
    assert_eq!(back.scaling, Some(scaling.clone()));
    assert_eq!(back.classes, vec!["malignant", "benign"]);
    // Raw features through the saved scaling give the original model's predictions.
    let raw = test.x.clone();
    test.x = scaling.apply(&test.x);
    assert_eq!(back.predict(&raw), net.predict(&test.x));
}

#[test]
fn loading_reports_what_is_wrong() {
    let net = Sequential::<f32>::new(2, 0).dense(1).loss(Loss::Mse);
    let dir = temp("errors");
    save_model(&dir, &net, None, vec![]).unwrap();
    // Wrong precision.
    let err = load_model::<f64>(&dir).unwrap_err();
    assert!(
        matches!(err, IoError::Format { .. }) && err.to_string().contains("f32"),
        "{err}"
    );
    // A damaged description names the file.
    std::fs::write(dir.join("model.json"), "{ \"format\": 3 }").unwrap();
    let err = load_model::<f32>(&dir).unwrap_err();
    assert!(err.to_string().contains("model.json"), "{err}");
    // No folder at all.
    let err = load_model::<f32>(&temp("missing")).unwrap_err();
    assert!(matches!(err, IoError::File { .. }), "{err}");
}
