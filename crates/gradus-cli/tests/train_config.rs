//! The `gradus train` settings beyond the basics, end to end: each key changes what is
//! trained (or what is read), shows in the run folder, and survives `--config` and `--resume`.
//! Networks are small and runs short, so the file takes seconds.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use gradus::io::load_model;

fn gradus() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gradus"))
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gradus-keys-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `gradus train ARGS --runs DIR/runs --name NAME --no-progress`, asserts success and
/// returns the run folder.
fn train(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let runs = dir.join("runs");
    let out = gradus()
        .arg("train")
        .args(args)
        .args(["--no-progress", "--name", name, "--runs"])
        .arg(&runs)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    runs.join(name)
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn config_toml(run: &Path) -> toml::Table {
    toml::from_str(&std::fs::read_to_string(run.join("config.toml")).unwrap()).unwrap()
}

/// The weights of the first dense layer of a saved f32 model.
fn first_weights(run: &Path) -> Vec<f32> {
    let saved = load_model::<f32>(&run.join("model")).unwrap();
    saved.model.params()[0].data().to_vec()
}

/// A small digits network with a validation part.
const SMALL: [&str; 8] = [
    "--layers",
    "16",
    "--split",
    "0.7,0.15,0.15",
    "--batch-size",
    "64",
    "--seed",
    "2",
];

#[test]
fn early_stopping_stops_before_the_last_epoch_and_metrics_json_says_so() {
    let dir = temp_dir("early");
    // A large learning rate overfits 1257 rows fast, so the validation loss turns up early.
    let mut args = SMALL.to_vec();
    args.extend(["--lr", "0.05", "--epochs", "200", "--patience", "3"]);
    let run = train(&dir, "es", &args);
    let m = json(&run.join("metrics.json"));
    let epochs = m["history"].as_array().unwrap().len();
    assert_eq!(m["stopped_early"], true);
    assert!(epochs < 200, "ran all {epochs} epochs");
    let best = m["best_epoch"].as_u64().unwrap() as usize;
    assert_eq!(best + 3, epochs, "stops `patience` epochs after the best");
    // restore_best_weights (the default): the saved model is the best epoch's, so its
    // validation loss is the best epoch's.
    let val: Vec<f64> = m["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["val_loss"].as_f64().unwrap())
        .collect();
    let min = val.iter().cloned().fold(f64::INFINITY, f64::min);
    assert_eq!(val[best - 1], min);
    let t = config_toml(&run);
    assert_eq!(t["training"]["patience"].as_integer(), Some(3));
    assert_eq!(t["training"]["restore_best_weights"].as_bool(), Some(true));
    // Without patience every epoch runs.
    let mut args = SMALL.to_vec();
    args.extend(["--lr", "0.05", "--epochs", "12"]);
    let all = json(&train(&dir, "all", &args).join("metrics.json"));
    assert_eq!(all["history"].as_array().unwrap().len(), 12);
    assert_eq!(all["stopped_early"], false);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn l1_drives_more_weights_to_zero_than_none() {
    let dir = temp_dir("l1");
    let near_zero = |w: &[f32]| w.iter().filter(|v| v.abs() < 1e-3).count();
    let mut args = SMALL.to_vec();
    args.extend(["--lr", "0.01", "--epochs", "10"]);
    let plain = first_weights(&train(&dir, "plain", &args));
    args.extend(["--l1", "0.001"]);
    let run = train(&dir, "l1", &args);
    let sparse = first_weights(&run);
    let (a, b) = (near_zero(&plain), near_zero(&sparse));
    assert!(
        b >= 10 * a.max(5) && b > 100,
        "|w| < 1e-3: {a} of {} without L1, {b} with",
        plain.len()
    );
    assert_eq!(config_toml(&run)["model"]["l1"].as_float(), Some(0.001));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_step_schedule_shows_in_the_learning_rate_history_and_clipping_holds_the_weights() {
    let dir = temp_dir("schedule");
    let mut args = SMALL.to_vec();
    args.extend(["--optimizer", "sgd", "--lr", "0.2", "--epochs", "5"]);
    args.extend(["--schedule", "step", "--step-size", "2", "--gamma", "0.5"]);
    let run = train(&dir, "step", &args);
    let m = json(&run.join("metrics.json"));
    let lr: Vec<f64> = m["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["lr"].as_f64().unwrap())
        .collect();
    assert_eq!(lr, [0.2, 0.2, 0.1, 0.1, 0.05]);
    let t = config_toml(&run);
    assert_eq!(t["training"]["schedule"].as_str(), Some("step"));
    assert_eq!(t["training"]["step_size"].as_integer(), Some(2));
    // Cosine from 0.2 to 0.02 over 4 epochs, then flat.
    let mut args = SMALL.to_vec();
    args.extend(["--optimizer", "sgd", "--lr", "0.2", "--epochs", "6"]);
    args.extend([
        "--schedule",
        "cosine",
        "--decay-epochs",
        "4",
        "--min-lr",
        "0.02",
    ]);
    let m = json(&train(&dir, "cosine", &args).join("metrics.json"));
    let lr: Vec<f64> = m["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["lr"].as_f64().unwrap())
        .collect();
    let expected: Vec<f64> = (0..6)
        .map(|e: usize| {
            let p = e.min(4) as f64 / 4.0;
            0.02 + 0.5 * (0.2 - 0.02) * (1.0 + (std::f64::consts::PI * p).cos())
        })
        .collect();
    for (a, b) in lr.iter().zip(&expected) {
        assert!((a - b).abs() < 1e-12, "{lr:?} vs {expected:?}");
    }

    // Clipping every gradient component to 1e-6 with SGD at η = 0.2 moves no weight by more
    // than 0.2·1e-6 per step (about 60 steps here): the network stays at chance, while the same
    // run unclipped learns.
    let mut base = SMALL.to_vec();
    base.extend(["--optimizer", "sgd", "--lr", "0.2", "--epochs", "3"]);
    let free = json(&train(&dir, "free", &base).join("metrics.json"));
    let mut clipped = base.clone();
    clipped.extend(["--clip-value", "1e-6"]);
    let held = json(&train(&dir, "held", &clipped).join("metrics.json"));
    let last = |m: &serde_json::Value| {
        m["history"].as_array().unwrap().last().unwrap()["train_accuracy"]
            .as_f64()
            .unwrap()
    };
    assert!(
        last(&free) > 0.6 && last(&held) < 0.3,
        "accuracy {} free, {} clipped",
        last(&free),
        last(&held)
    );
    // A global-norm clip keeps the run learning (it only caps the step length).
    let mut norm = base.clone();
    norm.extend(["--clip-norm", "1.0"]);
    let run = train(&dir, "norm", &norm);
    assert!(last(&json(&run.join("metrics.json"))) > 0.5);
    assert_eq!(
        config_toml(&run)["training"]["clip_norm"].as_float(),
        Some(1.0)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_initialiser_sets_the_first_weights_and_is_recorded() {
    let dir = temp_dir("init");
    // A learning rate of 1e-9 leaves the weights where the initialiser put them.
    let mut args = SMALL.to_vec();
    args.extend(["--optimizer", "sgd", "--lr", "1e-9", "--epochs", "1"]);
    let mut uniform = args.clone();
    uniform.extend(["--init", "uniform"]);
    let run = train(&dir, "uniform", &uniform);
    let w = first_weights(&run);
    let max = w.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    assert!(max <= 0.0501 && max > 0.045, "U(±0.05): max |w| = {max}");
    assert_eq!(config_toml(&run)["model"]["init"].as_str(), Some("uniform"));
    // The default for ReLU is He-uniform: U(±√(6/64)) = U(±0.306) on digits' 64 inputs.
    let run = train(&dir, "auto", &args);
    let w = first_weights(&run);
    let max = w.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    assert!(max > 0.25 && max <= 0.3062, "He-uniform: max |w| = {max}");
    assert_eq!(
        config_toml(&run)["model"]["init"].as_str(),
        Some("he_uniform")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn batch_norm_is_saved_and_the_loaded_model_scores_the_test_rows_as_trained() {
    let dir = temp_dir("bn");
    let args = [
        "--layers",
        "16",
        "--batch-norm",
        "--epochs",
        "3",
        "--split",
        "0.8,0,0.2",
        "--seed",
        "4",
    ];
    let run = train(&dir, "bn", &args);
    let spec = json(&run.join("model/model.json"));
    let kinds: Vec<&str> = spec["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["dense", "batch_norm", "activation", "dense", "activation"]
    );
    assert_eq!(
        config_toml(&run)["model"]["batch_norm"].as_bool(),
        Some(true)
    );
    // The test rows as `gradus train` drew them; the loaded model must score them exactly as
    // the trained one did (running statistics saved, evaluation mode restored).
    let (_, _, mut test) = gradus::data::digits::<f32>()
        .unwrap()
        .split((0.8, 0.0, 0.2), 4)
        .unwrap();
    let saved = load_model::<f32>(&run.join("model")).unwrap();
    test.x = saved.scaling.as_ref().unwrap().apply(&test.x);
    let m = saved.model.evaluate(&test);
    let recorded = json(&run.join("metrics.json"));
    assert_eq!(recorded["test"]["loss"].as_f64().unwrap(), m.loss);
    assert_eq!(recorded["test"]["accuracy"].as_f64(), m.accuracy);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Semicolon-separated rows: id; x1; noise; x2; y1 = 3·x1 − 2·x2; y2 = x1 + x2.
fn semicolon_csv(dir: &Path) -> String {
    let mut text = String::from("id;x1;noise;x2;y1;y2\n");
    let mut rng = gradus::rng::seeded(9);
    for i in 0..120 {
        use rand::Rng;
        let (a, n, b): (f64, f64, f64) = (rng.random(), rng.random(), rng.random());
        text += &format!("{i};{a};{n};{b};{};{}\n", 3.0 * a - 2.0 * b, a + b);
    }
    let path = dir.join("rows.csv");
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn feature_and_target_columns_by_name_on_a_semicolon_file() {
    let dir = temp_dir("columns");
    let csv = semicolon_csv(&dir);
    // Linear regression (no hidden layer) of two targets on two named features.
    let by_name = [
        "--data",
        &csv,
        "--delimiter",
        ";",
        "--task",
        "regression",
        "--features",
        "x1,x2",
        "--target",
        "y1,y2",
        "--layers",
        "",
        "--optimizer",
        "adam",
        "--lr",
        "0.05",
        "--epochs",
        "150",
        "--batch-size",
        "16",
        "--scale",
        "none",
    ];
    let run = train(&dir, "names", &by_name);
    let spec = json(&run.join("model/model.json"));
    assert_eq!(spec["inputs"], 2, "id and noise are not features");
    let m = json(&run.join("metrics.json"));
    let loss = m["test"]["loss"].as_f64().unwrap();
    assert!(loss < 1e-3, "a linear target is fitted: test mse {loss}");
    let t = config_toml(&run);
    assert_eq!(t["data"]["delimiter"].as_str(), Some(";"));
    assert_eq!(
        t["data"]["features"].as_array().unwrap(),
        &[toml::Value::from("x1"), toml::Value::from("x2")]
    );
    // The same columns by index train the same network, and the written config repeats it.
    let mut by_index = by_name.to_vec();
    by_index[7] = "1,3";
    by_index[9] = "4,5";
    let m2 = json(&train(&dir, "indices", &by_index).join("metrics.json"));
    assert_eq!(m["history"], m2["history"]);
    let again = train(
        &dir,
        "again",
        &["--config", run.join("config.toml").to_str().unwrap()],
    );
    assert_eq!(m["history"], json(&again.join("metrics.json"))["history"]);

    // predict and evaluate read the file as the run did (its config.toml): no flags needed,
    // and the explicit flags give the same predictions.
    let predict = |out: &str, flags: &[&str]| -> String {
        let path = dir.join(out);
        let status = gradus()
            .args(["predict", "--model", run.join("model").to_str().unwrap()])
            .args(["--data", &csv])
            .args(flags)
            .arg("--out")
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            status.status.success(),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
        std::fs::read_to_string(&path).unwrap()
    };
    let text = predict("preds.csv", &[]);
    assert_eq!(text.lines().next(), Some("prediction_0,prediction_1"));
    assert_eq!(text.lines().count(), 121);
    assert_eq!(
        text,
        predict("flags.csv", &["--delimiter", ";", "--features", "x1,x2"])
    );
    let out = gradus()
        .args(["evaluate", "--model", run.join("model").to_str().unwrap()])
        .args(["--data", &csv])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("rows: 120"), "{stdout}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn loss_and_output_choices_reach_the_saved_model() {
    let dir = temp_dir("loss");
    let csv = semicolon_csv(&dir);
    let args = [
        "--data",
        &csv,
        "--delimiter",
        ";",
        "--task",
        "regression",
        "--features",
        "x1,x2",
        "--target",
        "y2",
        "--layers",
        "4",
        "--epochs",
        "2",
        "--loss",
        "huber",
        "--huber-delta",
        "0.5",
        "--output",
        "softplus",
    ];
    let run = train(&dir, "huber", &args);
    let spec = json(&run.join("model/model.json"));
    assert_eq!(spec["loss"]["name"], "huber");
    assert_eq!(spec["loss"]["delta"], 0.5);
    let last = spec["layers"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["name"], "softplus");
    let t = config_toml(&run);
    assert_eq!(t["model"]["loss"].as_str(), Some("huber"));
    assert_eq!(t["model"]["huber_delta"].as_float(), Some(0.5));
    // Classification with one sigmoid per class and binary cross-entropy.
    let mut small = SMALL.to_vec();
    small.extend([
        "--epochs",
        "3",
        "--lr",
        "0.02",
        "--loss",
        "binary_cross_entropy",
    ]);
    let run = train(&dir, "bce", &small);
    let spec = json(&run.join("model/model.json"));
    assert_eq!(spec["loss"]["name"], "binary_cross_entropy");
    let t = config_toml(&run);
    assert_eq!(t["model"]["output"].as_str(), Some("sigmoid"));
    assert!(
        json(&run.join("metrics.json"))["test"]["accuracy"]
            .as_f64()
            .unwrap()
            > 0.5
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn optimiser_settings_are_applied_and_written_back() {
    let dir = temp_dir("optim");
    let mut args = SMALL.to_vec();
    args.extend([
        "--epochs",
        "2",
        "--optimizer",
        "sgd",
        "--momentum",
        "0.8",
        "--nesterov",
    ]);
    let run = train(&dir, "nesterov", &args);
    let t = config_toml(&run);
    assert_eq!(t["training"]["optimizer"].as_str(), Some("nesterov"));
    assert_eq!(t["training"]["momentum"].as_float(), Some(0.8));
    let mut plain = SMALL.to_vec();
    plain.extend([
        "--epochs",
        "2",
        "--optimizer",
        "nesterov",
        "--momentum",
        "0.8",
    ]);
    let same = train(&dir, "same", &plain);
    assert_eq!(
        json(&run.join("metrics.json"))["history"],
        json(&same.join("metrics.json"))["history"],
        "Keras' SGD(momentum, nesterov=True) is Nesterov momentum"
    );
    // Adam's β₁ changes the run.
    let mut a = SMALL.to_vec();
    a.extend(["--epochs", "2", "--beta-1", "0.5", "--epsilon", "1e-7"]);
    let run = train(&dir, "beta", &a);
    let t = config_toml(&run);
    assert_eq!(t["training"]["beta_1"].as_float(), Some(0.5));
    assert_eq!(t["training"]["epsilon"].as_float(), Some(1e-7));
    let mut d = SMALL.to_vec();
    d.extend(["--epochs", "2"]);
    let default = train(&dir, "default", &d);
    assert_ne!(
        json(&run.join("metrics.json"))["history"],
        json(&default.join("metrics.json"))["history"]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_killed_run_with_schedule_clipping_and_early_stopping_resumes_bit_for_bit() {
    let dir = temp_dir("resume");
    let runs = dir.join("runs");
    let args = |name: &str| -> Vec<String> {
        [
            "train",
            "--layers",
            "8",
            "--split",
            "0.7,0.15,0.15",
            "--batch-size",
            "64",
            "--optimizer",
            "momentum",
            "--lr",
            "0.05",
            "--schedule",
            "exponential",
            "--gamma",
            "0.99",
            "--clip-norm",
            "0.5",
            "--patience",
            "1000",
            "--l1",
            "1e-5",
            "--epochs",
            "200",
            "--seed",
            "6",
            "--checkpoint-every",
            "4",
            "--no-progress",
            "--name",
            name,
            "--runs",
            runs.to_str().unwrap(),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let killed = runs.join("killed");
    common::kill_at_first_checkpoint(gradus().args(args("killed")), &killed);
    let out = gradus()
        .args(["train", "--no-progress", "--resume"])
        .arg(&killed)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("resuming after epoch "), "{stdout}");
    let out = gradus().args(args("whole")).output().unwrap();
    assert!(out.status.success());
    let (a, b) = (
        json(&killed.join("metrics.json")),
        json(&runs.join("whole/metrics.json")),
    );
    assert_eq!(a["history"].as_array().unwrap().len(), 200);
    assert_eq!(a["history"], b["history"]);
    let lr = a["history"][199]["lr"].as_f64().unwrap();
    assert!((lr - 0.05 * 0.99f64.powi(199)).abs() < 1e-15, "lr {lr}");
    let (ma, mb) = (
        load_model::<f32>(&killed.join("model")).unwrap(),
        load_model::<f32>(&runs.join("whole/model")).unwrap(),
    );
    assert_eq!(ma.model.params(), mb.model.params());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The per-epoch values of `key` in a run's metrics.json.
fn column(run: &Path, key: &str) -> Vec<f64> {
    json(&run.join("metrics.json"))["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[key].as_f64().unwrap())
        .collect()
}

#[test]
fn early_stopping_settings_inverse_time_decay_and_the_other_optimisers_settings_apply() {
    let dir = temp_dir("rest");
    let mut args = SMALL.to_vec();
    args.extend(["--lr", "0.05", "--epochs", "40", "--patience", "2"]);
    // A min_delta larger than any improvement: no epoch after the first counts as better.
    let mut strict = args.clone();
    strict.extend(["--min-delta", "10"]);
    let m = json(&train(&dir, "strict", &strict).join("metrics.json"));
    assert_eq!(m["best_epoch"], 1);
    assert_eq!(m["history"].as_array().unwrap().len(), 3);
    // Without restoring, the saved model is the last epoch's: it scores the validation rows
    // with the last recorded loss, not the best one.
    let mut keep = args.clone();
    keep.extend(["--restore-best-weights", "false"]);
    let run = train(&dir, "keep", &keep);
    let val = column(&run, "val_loss");
    let (_, val_rows, _) = gradus::data::digits::<f32>()
        .unwrap()
        .split((0.7, 0.15, 0.15), 2)
        .unwrap();
    let saved = load_model::<f32>(&run.join("model")).unwrap();
    let mut rows = val_rows;
    rows.x = saved.scaling.as_ref().unwrap().apply(&rows.x);
    let last = saved.model.evaluate(&rows).loss;
    let best = val.iter().cloned().fold(f64::INFINITY, f64::min);
    assert_eq!(last, *val.last().unwrap());
    assert!(last > best, "the last epoch was the best: {val:?}");

    // η / (1 + d·epoch).
    let mut inv = SMALL.to_vec();
    inv.extend(["--epochs", "4", "--lr", "0.1", "--schedule", "inverse_time"]);
    inv.extend(["--decay-rate", "0.5"]);
    let lr = column(&train(&dir, "inv", &inv), "lr");
    assert_eq!(lr, [0.1, 0.1 / 1.5, 0.1 / 2.0, 0.1 / 2.5]);

    // RMSprop's ρ and AdamW's weight decay reach the optimiser: each changes the run.
    let mut base = SMALL.to_vec();
    base.extend(["--epochs", "2", "--lr", "0.01"]);
    let with = |name: &str, extra: &[&str]| {
        let mut a = base.clone();
        a.extend(extra);
        column(&train(&dir, name, &a), "train_loss")
    };
    let rms = with("rms", &["--optimizer", "rmsprop"]);
    let rho = with("rho", &["--optimizer", "rmsprop", "--rho", "0.5"]);
    assert_ne!(rms, rho);
    let adamw = with("adamw", &["--optimizer", "adamw", "--weight-decay", "0"]);
    let adam = with("adam", &["--optimizer", "adam"]);
    assert_eq!(adamw, adam, "AdamW without decay is Adam");
    let decayed = with(
        "decayed",
        &["--optimizer", "adamw", "--weight-decay", "0.5"],
    );
    assert_ne!(decayed, adam);
    std::fs::remove_dir_all(&dir).unwrap();
}
