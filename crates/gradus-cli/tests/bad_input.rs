//! Every kind of bad input a user can give the command, one test each, each in a fresh
//! temporary directory: the message names the file and the line/column or key and says
//! what to do, the exit code is 1 (not Rust's panic code 101), and there is no panic or
//! backtrace.

use std::path::{Path, PathBuf};
use std::process::Command;

use gradus::io::save_model;
use gradus::nn::{Activation, Loss, Mlp};

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gradus-bad-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `gradus args` and checks that it fails the way a person should see it fail: exit
/// code 1, one paragraph on stderr containing every needle, no panic, no backtrace.
fn fails_with(args: &[&str], needles: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_gradus"))
        .args(args)
        .env("RUST_BACKTRACE", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("backtrace"),
        "{args:?} panicked: {stderr}"
    );
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "one paragraph expected: {stderr}"
    );
    for needle in needles {
        assert!(
            stderr.contains(needle),
            "{args:?}: no {needle:?} in {stderr}"
        );
    }
    stderr
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

fn train_on(csv: &str) -> Vec<&str> {
    vec!["train", "--data", csv, "--epochs", "1", "--no-progress"]
}

#[test]
fn a_ragged_csv_row() {
    let dir = temp_dir("ragged");
    let csv = write(&dir, "ragged.csv", "a,b,label\n0,0,0\n1,1\n0,1,1\n");
    fails_with(
        &train_on(&csv),
        &["ragged.csv", "line 3", "column 3", "same number"],
    );
}

#[test]
fn a_non_numeric_cell() {
    let dir = temp_dir("text");
    let csv = write(&dir, "text.csv", "a,b,label\n0,0,0\n1,one,1\n");
    fails_with(
        &train_on(&csv),
        &[
            "text.csv",
            "line 3",
            "column 2",
            "'one' is not a number",
            "write",
        ],
    );
}

#[test]
fn an_empty_file() {
    let dir = temp_dir("empty");
    let csv = write(&dir, "empty.csv", "");
    fails_with(&train_on(&csv), &["empty.csv", "line 1", "empty", "write"]);
    let csv = write(&dir, "header.csv", "a,b,label\n");
    fails_with(
        &train_on(&csv),
        &["header.csv", "line 2", "no data rows", "write"],
    );
}

#[test]
fn a_missing_target_column() {
    let dir = temp_dir("target");
    let csv = write(&dir, "three.csv", "a,b,label\n0,0,0\n1,1,1\n");
    let mut args = train_on(&csv);
    args.extend(["--target", "7"]);
    fails_with(
        &args,
        &["three.csv", "no target column 7", "--target", "from 0 to 2"],
    );
    let one = write(&dir, "one.csv", "label\n0\n1\n");
    fails_with(&train_on(&one), &["one.csv", "only 1 column", "delimiter"]);
}

#[test]
fn nan_or_infinite_values() {
    let dir = temp_dir("nan");
    for (name, value) in [("nan.csv", "NaN"), ("inf.csv", "inf"), ("neg.csv", "-inf")] {
        let csv = write(&dir, name, &format!("a,b,label\n0,0,0\n1,{value},1\n"));
        fails_with(
            &train_on(&csv),
            &[
                name,
                "line 3",
                "column 2",
                "not a finite number",
                "remove the row",
            ],
        );
    }
}

#[test]
fn an_unknown_config_key() {
    let dir = temp_dir("key");
    let config = write(
        &dir,
        "typo.toml",
        "[training]\nepochs = 2\nlearning_rate = 0.1\n",
    );
    fails_with(
        &["train", "--config", &config],
        &["typo.toml", "line 3", "`learning_rate`", "[training]", "lr"],
    );
    let config = write(&dir, "section.toml", "[optimiser]\nlr = 0.1\n");
    fails_with(
        &["train", "--config", &config],
        &[
            "section.toml",
            "line 1",
            "`optimiser`",
            "valid sections",
            "training",
        ],
    );
}

#[test]
fn a_config_value_of_the_wrong_type() {
    let dir = temp_dir("type");
    let config = write(
        &dir,
        "type.toml",
        "[model]\nlayers = [16]\n\n[training]\nepochs = \"ten\"\n",
    );
    fails_with(
        &["train", "--config", &config],
        &[
            "type.toml",
            "line 5",
            "[training] epochs",
            "invalid type",
            "change the value",
        ],
    );
    let config = write(&dir, "list.toml", "[model]\nlayers = 16\n");
    fails_with(
        &["train", "--config", &config],
        &["list.toml", "line 2", "[model] layers", "change the value"],
    );
}

/// A saved 3-input, 2-class model and a matching CSV (3 features + label) in `dir`.
fn saved_model(dir: &Path) -> (String, String) {
    let net = Mlp::<f32>::ffnn(
        &[3, 4, 2],
        Activation::Tanh,
        Activation::Softmax,
        Loss::CategoricalCrossEntropy,
        1,
    )
    .unwrap();
    let model = dir.join("model");
    save_model(&model, &net, None, vec![]).unwrap();
    let csv = write(dir, "rows.csv", "a,b,c,label\n0,0,0,0\n1,1,1,1\n");
    (model.to_str().unwrap().to_string(), csv)
}

#[test]
fn a_truncated_model_file() {
    let dir = temp_dir("truncated");
    let (model, csv) = saved_model(&dir);
    // The model works before it is damaged, so the failure below is the damage's.
    let ok = Command::new(env!("CARGO_BIN_EXE_gradus"))
        .args(["evaluate", "--model", &model, "--data", &csv])
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );

    let weights = Path::new(&model).join("model.safetensors");
    let bytes = std::fs::read(&weights).unwrap();
    std::fs::write(&weights, &bytes[..bytes.len() / 2]).unwrap();
    fails_with(
        &["evaluate", "--model", &model, "--data", &csv],
        &["model.safetensors", "truncated or damaged", "retrain"],
    );
    let spec = Path::new(&model).join("model.json");
    let text = std::fs::read_to_string(&spec).unwrap();
    std::fs::write(&spec, &text[..text.len() / 2]).unwrap();
    fails_with(
        &[
            "predict",
            "--model",
            &model,
            "--data",
            &csv,
            "--out",
            "/dev/null",
        ],
        &["model.json", "not valid JSON", "truncated"],
    );
}

#[test]
fn a_foreign_model_file() {
    let dir = temp_dir("foreign");
    let (model, csv) = saved_model(&dir);
    // Weights written by another program: a valid safetensors file with other names.
    let header = r#"{"bert.embeddings.weight":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#;
    let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
    bytes.extend_from_slice(header.as_bytes());
    bytes.extend_from_slice(&[0u8; 8]);
    std::fs::write(Path::new(&model).join("model.safetensors"), bytes).unwrap();
    fails_with(
        &["evaluate", "--model", &model, "--data", &csv],
        &[
            "model.safetensors",
            "no tensor named layers.0.weight",
            "keep both files",
        ],
    );
    // A description from another program.
    std::fs::write(
        Path::new(&model).join("model.json"),
        r#"{"model_type": "bert", "hidden_size": 768}"#,
    )
    .unwrap();
    fails_with(
        &["evaluate", "--model", &model, "--data", &csv],
        &["model.json", "not a gradus model", "runs/NAME/model"],
    );
}

#[test]
fn data_whose_width_does_not_match_the_model() {
    let dir = temp_dir("width");
    let (model, _) = saved_model(&dir);
    let wide = write(
        &dir,
        "wide.csv",
        "a,b,c,d,e,label\n0,0,0,0,0,0\n1,1,1,1,1,1\n",
    );
    fails_with(
        &["evaluate", "--model", &model, "--data", &wide],
        &["wide.csv", "5 feature", "takes 3 inputs", "--target"],
    );
    let out = dir.join("preds.csv");
    fails_with(
        &[
            "predict",
            "--model",
            &model,
            "--data",
            &wide,
            "--out",
            out.to_str().unwrap(),
        ],
        &[
            "wide.csv",
            "6 feature columns",
            "takes 3 inputs",
            "--target",
        ],
    );
    assert!(!out.exists(), "no predictions file after an error");
}

#[test]
fn a_wrong_value_for_a_config_key() {
    let dir = temp_dir("value");
    let cases: [(&str, &str, &[&str]); 5] = [
        (
            "loss.toml",
            "[data]\nsplit = [0.7, 0.1, 0.2]\n\n[model]\nloss = \"foo\"\n",
            &[
                "loss.toml",
                "line 5",
                "[model] loss",
                "\"foo\"",
                "mse, mae, huber",
            ],
        ),
        (
            "gamma.toml",
            "[training]\nepochs = 2\ngamma = 0.5\n",
            &[
                "gamma.toml",
                "line 3",
                "[training] gamma",
                "set schedule",
                "cosine",
            ],
        ),
        (
            "patience.toml",
            "[data]\nsplit = [0.7, 0.1, 0.2]\n\n[training]\npatience = 0\n",
            &["patience.toml", "line 5", "[training] patience", "≥ 1"],
        ),
        (
            "task.toml",
            "[data]\ntask = \"regression\"\n\n[model]\nloss = \"categorical_cross_entropy\"\n",
            &[
                "task.toml",
                "[model] loss",
                "regression",
                "mse, mae, huber or log_cosh",
            ],
        ),
        (
            "beta.toml",
            "[training]\noptimizer = \"sgd\"\nbeta_1 = 0.9\n",
            &[
                "beta.toml",
                "line 3",
                "beta_1",
                "does not apply",
                "momentum, nesterov",
            ],
        ),
    ];
    for (name, text, needles) in cases {
        let config = write(&dir, name, text);
        fails_with(&["train", "--config", &config], needles);
    }
    // The same mistake as a flag names the flag, not the file.
    fails_with(
        &["train", "--schedule", "cosine", "--gamma", "0.5"],
        &[
            "--gamma",
            "does not apply to schedule \"cosine\"",
            "decay_epochs, min_lr",
        ],
    );
}

#[test]
fn a_column_the_header_does_not_name() {
    let dir = temp_dir("column");
    let csv = write(&dir, "named.csv", "age,income,label\n1,2,0\n3,4,1\n");
    let mut args = train_on(&csv);
    args.extend(["--features", "age,salary"]);
    fails_with(
        &args,
        &[
            "named.csv",
            "\"salary\"",
            "--features",
            "age, income, label",
        ],
    );
    let mut args = train_on(&csv);
    args.extend(["--features", "age,label"]);
    fails_with(&args, &["named.csv", "both a target and a feature"]);
}

#[test]
fn a_file_with_another_delimiter() {
    let dir = temp_dir("delimiter");
    let csv = write(&dir, "semi.csv", "a;b;label\n0;1;0\n1;0;1\n");
    fails_with(
        &train_on(&csv),
        &["semi.csv", "line 2", "\";\"", "--delimiter"],
    );
}
