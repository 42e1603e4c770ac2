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
