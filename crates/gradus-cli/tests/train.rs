//! `gradus train` end to end, each test in its own temporary directory.

use std::path::PathBuf;
use std::process::Command;

fn gradus() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gradus"))
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gradus-train-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn default_run_trains_digits_and_reports_test_accuracy() {
    let out = gradus().args(["train", "--no-progress"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = stdout
        .lines()
        .find(|l| l.starts_with("test accuracy: "))
        .expect("no test accuracy line");
    let acc: f64 = line["test accuracy: ".len()..]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(acc >= 0.97, "digits test accuracy {acc}");
}

#[test]
fn trains_on_a_csv_file() {
    let dir = temp_dir("csv");
    let path = dir.join("xor.csv");
    let mut csv = String::from("x1,x2,label\n");
    for (a, b) in [
        (0.0, 0.0),
        (0.0, 1.0),
        (1.0, 0.0),
        (1.0, 1.0),
        (0.1, 0.9),
        (0.9, 0.1),
        (0.95, 0.9),
        (0.05, 0.1),
    ] {
        csv += &format!("{a},{b},{}\n", ((a > 0.5) != (b > 0.5)) as u8);
    }
    std::fs::write(&path, csv).unwrap();
    let out = gradus()
        .args([
            "train",
            "--data",
            path.to_str().unwrap(),
            "--layers",
            "8",
            "--hidden",
            "tanh",
            "--lr",
            "0.05",
        ])
        .args([
            "--epochs",
            "300",
            "--batch-size",
            "8",
            "--split",
            "1,0,0",
            "--no-progress",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("train accuracy 1.0000"), "{stdout}");
}

#[test]
fn a_malformed_csv_names_the_file_line_and_column() {
    let dir = temp_dir("bad");
    let path = dir.join("bad.csv");
    std::fs::write(&path, "a,b,label\n0,0,0\n0,x,1\n").unwrap();
    let out = gradus()
        .args(["train", "--data", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("bad.csv") && stderr.contains("line 3") && stderr.contains("column 2"),
        "{stderr}"
    );
    assert_eq!(
        stderr.lines().count(),
        1,
        "one plain paragraph expected: {stderr}"
    );
}

#[test]
fn bad_flags_name_the_flag() {
    for (flag, value, needle) in [
        ("--layers", "10,x", "--layers"),
        ("--optimizer", "adamm", "adamw"),
        ("--split", "0.5,0.5", "three fractions"),
    ] {
        let out = gradus().args(["train", flag, value]).output().unwrap();
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(needle), "{flag} {value}: {stderr}");
    }
}

/// Runs `gradus train` with `args`, asserts success and returns stdout.
fn train_ok(args: &[&str]) -> String {
    let out = gradus().arg("train").args(args).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn test_accuracy_line(stdout: &str) -> &str {
    stdout
        .lines()
        .find(|l| l.starts_with("test accuracy: "))
        .expect("no test accuracy line")
}

fn read_json(path: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

const SMALL_DIGITS: &str = r#"
[data]
source = "digits"
split = [0.7, 0.1, 0.2]

[model]
layers = [16]
hidden = "tanh"

[training]
optimizer = "sgd"
lr = 0.05
epochs = 2
batch_size = 16
seed = 3
"#;

#[test]
fn a_config_file_trains_and_its_values_reach_config_json() {
    let dir = temp_dir("config");
    let config = dir.join("small.toml");
    std::fs::write(&config, SMALL_DIGITS).unwrap();
    let runs = dir.join("runs");
    let stdout = train_ok(&[
        "--config",
        config.to_str().unwrap(),
        "--runs",
        runs.to_str().unwrap(),
        "--name",
        "small",
        "--no-progress",
    ]);
    assert!(stdout.contains("epoch 2: "), "{stdout}");
    test_accuracy_line(&stdout);
    let json = read_json(&runs.join("small/config.json"));
    assert_eq!(json["layers"], serde_json::json!([16]));
    assert_eq!(json["hidden"], "tanh");
    assert_eq!(json["optimizer"], "sgd");
    assert_eq!(json["lr"], 0.05);
    assert_eq!(json["batch_size"], 16);
    assert_eq!(json["seed"], 3);
    assert_eq!(json["split"], serde_json::json!([0.7, 0.1, 0.2]));
    // Keys the file leaves out take the built-in defaults.
    assert_eq!(json["scale"], "minmax");
    assert_eq!(json["dtype"], "f32");
}

#[test]
fn a_flag_overrides_the_config_file() {
    let dir = temp_dir("override");
    let config = dir.join("small.toml");
    std::fs::write(&config, SMALL_DIGITS.replace("epochs = 2", "epochs = 50")).unwrap();
    let runs = dir.join("runs");
    let stdout = train_ok(&[
        "--config",
        config.to_str().unwrap(),
        "--epochs",
        "1",
        "--lr",
        "0.1",
        "--runs",
        runs.to_str().unwrap(),
        "--name",
        "o",
        "--no-progress",
    ]);
    assert!(stdout.contains("epoch 1: "), "{stdout}");
    let json = read_json(&runs.join("o/config.json"));
    assert_eq!(json["epochs"], 1);
    assert_eq!(json["lr"], 0.1);
    assert_eq!(json["layers"], serde_json::json!([16]), "file value kept");
}

#[test]
fn an_unknown_config_key_names_the_key_the_file_and_the_line() {
    let dir = temp_dir("typo");
    let config = dir.join("typo.toml");
    std::fs::write(
        &config,
        SMALL_DIGITS.replace("lr = 0.05", "learning_rate = 0.05"),
    )
    .unwrap();
    let out = gradus()
        .args(["train", "--config", config.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("typo.toml")
            && stderr.contains("line 12")
            && stderr.contains("`learning_rate`")
            && stderr.contains("[training]")
            && stderr.contains("lr"),
        "{stderr}"
    );
    assert_eq!(
        stderr.lines().count(),
        1,
        "one plain paragraph expected: {stderr}"
    );
}

#[test]
fn the_written_config_toml_repeats_the_run() {
    let dir = temp_dir("repeat");
    let runs = dir.join("runs");
    let runs = runs.to_str().unwrap();
    let first = train_ok(&[
        "--layers",
        "12",
        "--epochs",
        "2",
        "--seed",
        "7",
        "--runs",
        runs,
        "--name",
        "first",
        "--no-progress",
    ]);
    let written = dir.join("runs/first/config.toml");
    let again = train_ok(&[
        "--config",
        written.to_str().unwrap(),
        "--runs",
        runs,
        "--name",
        "again",
        "--no-progress",
    ]);
    assert_eq!(test_accuracy_line(&first), test_accuracy_line(&again));
    assert_eq!(
        read_json(&dir.join("runs/first/config.json")),
        read_json(&dir.join("runs/again/config.json"))
    );
}
