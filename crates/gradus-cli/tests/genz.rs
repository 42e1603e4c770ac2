//! `gradus genz` end to end, each test in its own temporary directory.

use std::path::PathBuf;
use std::process::Command;

fn gradus() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gradus"))
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gradus-genz-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const SMALL: [&str; 12] = [
    "genz",
    "--functions",
    "gaussian,continuous",
    "--dims",
    "2",
    "--samples",
    "20,100",
    "--seeds",
    "1",
    "--epochs",
    "5",
    "--quiet",
];

#[test]
fn small_study_writes_table_plots_and_resumes() {
    let dir = temp_dir("run");
    let out = dir.join("study");
    let run = || {
        gradus()
            .args(SMALL)
            .args(["--test-points", "200", "--out", out.to_str().unwrap()])
            .output()
            .unwrap()
    };
    let first = run();
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(
        first.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(stdout.contains("| gaussian | 2 | 100 | 1 |"), "{stdout}");
    assert!(stdout.contains("4 cells trained, 0 taken"), "{stdout}");
    for f in [
        "results.jsonl",
        "summary.md",
        "summary.csv",
        "mean_abs_error.png",
        "max_abs_error.png",
        "config.toml",
    ] {
        assert!(out.join(f).exists(), "{f} missing");
    }
    // Rerun: everything comes from the record.
    let second = run();
    let stdout = String::from_utf8_lossy(&second.stdout);
    assert!(stdout.contains("0 cells trained, 4 taken"), "{stdout}");
    // The written config repeats the run (and so resumes it).
    let third = gradus()
        .args(["genz", "--quiet", "--config"])
        .arg(out.join("config.toml"))
        .args(["--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&third.stdout);
    assert!(
        stdout.contains("0 cells trained, 4 taken"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&third.stderr)
    );
    // --report-only summarises the record without training or touching it.
    let before = std::fs::read(out.join("results.jsonl")).unwrap();
    let report = gradus()
        .args([
            "genz",
            "--quiet",
            "--report-only",
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&report.stdout);
    assert!(stdout.contains("0 cells trained, 4 taken"), "{stdout}");
    assert_eq!(std::fs::read(out.join("results.jsonl")).unwrap(), before);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_input_is_one_clear_error() {
    let dir = temp_dir("errors");
    let cfg = dir.join("bad.toml");
    std::fs::write(&cfg, "[study]\nlearning_rate = 0.1\n").unwrap();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["--functions".into(), "gauss".into()],
            "unknown family \"gauss\"",
        ),
        (vec!["--dims".into(), "2,five".into()], "--dims \"2,five\""),
        (vec!["--samples".into(), "10,,50".into()], "--samples"),
        (vec!["--seeds".into(), "0".into()], "`seeds`"),
        (
            vec!["--config".into(), cfg.to_str().unwrap().into()],
            "line 2",
        ),
        (
            vec![
                "--config".into(),
                dir.join("missing.toml").to_str().unwrap().into(),
            ],
            "cannot read the config file",
        ),
    ];
    for (args, expected) in cases {
        let out = gradus()
            .arg("genz")
            .args(&args)
            .arg("--out")
            .arg(dir.join("o"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
