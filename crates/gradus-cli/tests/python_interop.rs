//! Python reads what gradus writes: `safetensors` + numpy reproduce a saved model's
//! predictions, and TensorBoard's own event reader finds the logged scalars.
//!
//! The Python interpreter is `$GRADUS_PYTHON` (what `.ci/run` sets up: a virtual environment
//! with `tests/python/requirements.txt`), else `python3`. A missing package fails the test
//! with the command that installs it: these are must-show tests, not optional ones.

use std::path::{Path, PathBuf};
use std::process::Command;

use gradus::data::Table;

fn python() -> String {
    std::env::var("GRADUS_PYTHON").unwrap_or_else(|_| "python3".into())
}

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/python")
        .join(name)
}

/// Runs a script from tests/python, failing with an installation hint when its imports
/// are missing; returns stdout.
fn run_python(modules: &str, args: &[&str]) -> String {
    let py = python();
    let probe = Command::new(&py)
        .args(["-c", &format!("import {modules}")])
        .output();
    let requirements = script("requirements.txt");
    match probe {
        Ok(o) if o.status.success() => {}
        other => panic!(
            "the Python interop tests need {modules} in {py}: run `python3 -m venv target/ci-venv && \
             target/ci-venv/bin/pip install -r {}` and set GRADUS_PYTHON=target/ci-venv/bin/python \
             (.ci/run does this); probe: {:?}",
            requirements.display(),
            other.map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
        ),
    }
    let out = Command::new(&py).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{py} {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn gradus_ok(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_gradus"))
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "gradus {args:?}: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gradus-python-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Three features, three classes by the sign pattern of two linear functions.
fn write_data(dir: &Path) -> (PathBuf, PathBuf) {
    let point = |i: usize| {
        let t = i as f64;
        [
            (t * 0.71).sin() * 3.0,
            (t * 0.29).cos() * 2.0 + 1.0,
            (t * 0.13).sin(),
        ]
    };
    let class = |x: [f64; 3]| usize::from(x[0] + x[1] > 1.0) + usize::from(x[0] - 2.0 * x[2] > 0.5);
    let mut train = String::from("a,b,c,class\n");
    for i in 0..240 {
        let x = point(i);
        train += &format!("{},{},{},{}\n", x[0], x[1], x[2], class(x));
    }
    let mut new = String::from("a,b,c\n");
    for i in 500..560 {
        let x = point(i);
        new += &format!("{},{},{}\n", x[0], x[1], x[2]);
    }
    let (t, n) = (dir.join("train.csv"), dir.join("new.csv"));
    std::fs::write(&t, train).unwrap();
    std::fs::write(&n, new).unwrap();
    (t, n)
}

#[test]
fn numpy_and_safetensors_reproduce_a_saved_f64_models_predictions() {
    let dir = temp_dir("numpy");
    let (train, new) = write_data(&dir);
    let runs = dir.join("runs");
    gradus_ok(&[
        "train",
        "--data",
        train.to_str().unwrap(),
        "--layers",
        "12,8",
        "--hidden",
        "tanh",
        "--lr",
        "0.01",
        "--epochs",
        "20",
        "--scale",
        "standard",
        "--dtype",
        "f64",
        "--no-progress",
        "--runs",
        runs.to_str().unwrap(),
        "--name",
        "np",
    ]);
    let model = runs.join("np/model");
    let ours = dir.join("gradus.csv");
    gradus_ok(&[
        "predict",
        "--model",
        model.to_str().unwrap(),
        "--data",
        new.to_str().unwrap(),
        "--out",
        ours.to_str().unwrap(),
    ]);
    let theirs = dir.join("numpy.csv");
    run_python(
        "numpy, safetensors",
        &[
            script("predict_numpy.py").to_str().unwrap(),
            model.to_str().unwrap(),
            new.to_str().unwrap(),
            theirs.to_str().unwrap(),
        ],
    );
    // gradus writes "class,p0,p1,p2"; numpy's file holds the probabilities alone.
    let ours = Table::read(&ours, 1).unwrap();
    let theirs = Table::read(&theirs, 0).unwrap();
    assert_eq!((ours.n_rows, ours.n_cols), (60, 4));
    assert_eq!((theirs.n_rows, theirs.n_cols), (60, 3));
    let mut max_diff = 0.0f64;
    for (a, b) in ours.values.chunks(4).zip(theirs.values.chunks(3)) {
        for (p, q) in a[1..].iter().zip(b) {
            max_diff = max_diff.max((p - q).abs());
        }
    }
    assert!(
        max_diff <= 1e-6,
        "numpy differs from gradus by {max_diff:e}"
    );
    // Not a vacuous agreement: the probabilities are not all alike.
    let spread = ours
        .values
        .chunks(4)
        .map(|r| r[1])
        .fold((1.0f64, 0.0f64), |(lo, hi), p| (lo.min(p), hi.max(p)));
    assert!(spread.1 - spread.0 > 0.2, "{spread:?}");
}

#[test]
fn tensorboards_reader_finds_the_logged_scalars() {
    let dir = temp_dir("tensorboard");
    let runs = dir.join("runs");
    gradus_ok(&[
        "train",
        "--layers",
        "16",
        "--epochs",
        "3",
        "--split",
        "0.7,0.1,0.2",
        "--no-progress",
        "--runs",
        runs.to_str().unwrap(),
        "--name",
        "tb",
    ]);
    let run = runs.join("tb");
    let json = run_python(
        "tensorboard",
        &[
            script("read_events.py").to_str().unwrap(),
            run.to_str().unwrap(),
        ],
    );
    let scalars: serde_json::Value = serde_json::from_str(&json).unwrap();
    let metrics: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("metrics.json")).unwrap()).unwrap();
    let history = metrics["history"].as_array().unwrap();
    assert_eq!(history.len(), 3);
    for (tag, key) in [
        ("loss/train", "train_loss"),
        ("loss/validation", "val_loss"),
        ("accuracy/train", "train_accuracy"),
        ("accuracy/validation", "val_accuracy"),
        ("learning_rate", "lr"),
    ] {
        let logged = scalars[tag]
            .as_array()
            .unwrap_or_else(|| panic!("TensorBoard found no {tag}: {json}"));
        assert_eq!(logged.len(), 3, "{tag}: {logged:?}");
        for (event, record) in logged.iter().zip(history) {
            let (step, value) = (event[0].as_u64().unwrap(), event[1].as_f64().unwrap());
            let expected = record[key].as_f64().unwrap();
            assert_eq!(step, record["epoch"].as_u64().unwrap(), "{tag}");
            // Event files hold f32.
            assert!(
                (value - expected).abs() <= 1e-6 * expected.abs().max(1.0),
                "{tag} at step {step}: {value} logged, {expected} in metrics.json"
            );
        }
    }
}
