//! `gradus evaluate` and `gradus predict` on a model that `gradus train` saved.

use std::process::Command;

fn gradus() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gradus"))
}

#[test]
fn a_trained_run_can_be_evaluated_and_used_for_prediction() {
    let runs = std::env::temp_dir().join(format!("gradus-evaluate-{}", std::process::id()));
    let out = gradus()
        .args([
            "train",
            "--data",
            "breast-cancer",
            "--layers",
            "16",
            "--scale",
            "standard",
            "--epochs",
            "10",
        ])
        .args([
            "--split",
            "0.8,0,0.2",
            "--no-progress",
            "--name",
            "bc",
            "--runs",
            runs.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for file in [
        "config.json",
        "metrics.json",
        "model/model.json",
        "model/model.safetensors",
    ] {
        assert!(
            runs.join("bc").join(file).exists(),
            "run folder lacks {file}"
        );
    }
    let confusion = std::fs::read_to_string(runs.join("bc/confusion_matrix.csv")).unwrap();
    let counts: usize = confusion
        .lines()
        .skip(1)
        .flat_map(|l| l.split(',').skip(1))
        .map(|v| v.parse::<usize>().unwrap())
        .sum();
    assert_eq!(
        counts, 114,
        "the confusion matrix counts every test row once:\n{confusion}"
    );
    let metrics = std::fs::read_to_string(runs.join("bc/metrics.json")).unwrap();
    assert!(
        metrics.contains("\"history\"") && metrics.contains("\"test\""),
        "{metrics}"
    );

    let model = runs.join("bc/model");
    let out = gradus()
        .args([
            "evaluate",
            "--model",
            model.to_str().unwrap(),
            "--data",
            "breast-cancer",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let acc: f64 = stdout
        .lines()
        .find_map(|l| l.strip_prefix("accuracy: "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(acc > 0.9, "{stdout}");

    let preds = runs.join("preds.csv");
    let out = gradus()
        .args([
            "predict",
            "--model",
            model.to_str().unwrap(),
            "--data",
            "breast-cancer",
            "--out",
            preds.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = std::fs::read_to_string(&preds).unwrap();
    assert_eq!(csv.lines().count(), 570);
    assert!(csv.starts_with("class,p0,p1\n"));
}

#[test]
fn a_missing_model_folder_is_explained() {
    let out = gradus()
        .args([
            "evaluate",
            "--model",
            "/nonexistent/model",
            "--data",
            "digits",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("/nonexistent/model") && stderr.contains("model folder"),
        "{stderr}"
    );
}

/// Evaluation data need not contain every class: a 10-class model evaluated on digits rows
/// labelled 0–8 only must work (the class count comes from the model, not the file).
#[test]
fn evaluation_data_lacking_the_top_class_fits_the_model() {
    let dir = std::env::temp_dir().join(format!("gradus-evaluate-classes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = gradus()
        .args(["train", "--epochs", "2", "--no-progress", "--name", "d"])
        .args(["--runs", dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let digits = include_str!("../../../data/digits.csv");
    let rows: String = digits
        .lines()
        .filter(|l| !l.ends_with(",9") && !l.trim().is_empty())
        .take(200)
        .map(|l| format!("{l}\n"))
        .collect();
    let csv = dir.join("no_nines.csv");
    std::fs::write(&csv, rows).unwrap();
    let out = gradus()
        .args(["evaluate", "--model"])
        .arg(dir.join("d/model"))
        .arg("--data")
        .arg(&csv)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("accuracy"));
    std::fs::remove_dir_all(&dir).ok();
}
