//! `gradus predict` against the library: a CSV round trip.

use std::process::Command;

use gradus::data::Table;
use gradus::io::load_model;

fn gradus() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gradus"))
}

/// y = sin(2 x1) + x2² − x1 x3 on a seeded grid of points.
fn rows(n: usize, offset: f64) -> Vec<[f64; 4]> {
    (0..n)
        .map(|i| {
            let t = i as f64 + offset;
            let (x1, x2, x3) = ((t * 0.37).sin(), (t * 0.11).cos(), (t * 0.05).sin() * 2.0);
            [x1, x2, x3, (2.0 * x1).sin() + x2 * x2 - x1 * x3]
        })
        .collect()
}

#[test]
fn csv_round_trip_predictions_equal_the_librarys() {
    let dir = std::env::temp_dir().join(format!("gradus-predict-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut train_csv = String::from("x1,x2,x3,y\n");
    for r in rows(200, 0.0) {
        train_csv += &format!("{},{},{},{}\n", r[0], r[1], r[2], r[3]);
    }
    let train_path = dir.join("train.csv");
    std::fs::write(&train_path, train_csv).unwrap();
    // New rows, features only: what a user predicts on.
    let mut new_csv = String::from("x1,x2,x3\n");
    for r in rows(37, 1000.5) {
        new_csv += &format!("{},{},{}\n", r[0], r[1], r[2]);
    }
    let new_path = dir.join("new.csv");
    std::fs::write(&new_path, new_csv).unwrap();

    let runs = dir.join("runs");
    let out = gradus()
        .args(["train", "--data", train_path.to_str().unwrap()])
        .args(["--task", "regression", "--layers", "16", "--hidden", "tanh"])
        .args(["--lr", "0.01", "--epochs", "60", "--batch-size", "8"])
        .args(["--split", "0.8,0.1,0.1"])
        .args(["--scale", "standard", "--dtype", "f64", "--no-progress"])
        .args(["--runs", runs.to_str().unwrap(), "--name", "reg"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The run learned something: test MSE well below the target's variance.
    let ys: Vec<f64> = rows(200, 0.0).iter().map(|r| r[3]).collect();
    let mean = ys.iter().sum::<f64>() / ys.len() as f64;
    let variance = ys.iter().map(|y| (y - mean).powi(2)).sum::<f64>() / ys.len() as f64;
    let mse: f64 = stdout
        .lines()
        .find_map(|l| l.strip_prefix("test loss (mse): "))
        .expect("no test loss line")
        .parse()
        .unwrap();
    assert!(mse < 0.2 * variance, "variance {variance}: {stdout}");
    let run = runs.join("reg");
    assert!(run.join("predicted_vs_true.png").exists());
    assert!(run.join("learning_curve.png").exists());

    let preds = dir.join("preds.csv");
    let model = run.join("model");
    let out = gradus()
        .args(["predict", "--model", model.to_str().unwrap()])
        .args(["--data", new_path.to_str().unwrap()])
        .args(["--out", preds.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written = Table::read(&preds, 1).unwrap();
    assert_eq!((written.n_rows, written.n_cols), (37, 1));

    let saved = load_model::<f64>(&model).unwrap();
    let x = Table::read(&new_path, 1).unwrap().columns::<f64>(0..3);
    let expected = saved.predict(&x);
    // Shortest round-trip formatting: the CSV holds the library's numbers exactly.
    assert_eq!(written.values, expected.data());
}
