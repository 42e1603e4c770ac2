//! `gradus pinn` end to end, each test in its own temporary directory.

use std::path::PathBuf;
use std::process::Command;

fn gradus() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gradus"))
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gradus-pinn-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn metrics(dir: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("metrics.json")).unwrap()).unwrap()
}

#[test]
fn solves_a_problem_and_writes_a_run_folder() {
    let dir = temp_dir("run");
    let out = dir.join("ode3");
    let o = gradus()
        .args([
            "pinn",
            "ode3",
            "--steps",
            "50",
            "--lbfgs-iters",
            "300",
            "--hidden",
            "10",
            "--points",
            "48",
            "--no-progress",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    for f in [
        "config.toml",
        "metrics.json",
        "history.csv",
        "solution.png",
        "error.png",
        "loss.png",
        "checkpoint.safetensors",
    ] {
        assert!(out.join(f).exists(), "{f} missing");
    }
    let m = metrics(&out);
    let l2 = m["report"]["relative_l2"].as_f64().unwrap();
    assert!(l2 < 1e-6, "relative L2 {l2}");
    assert!(stdout.contains("relative L2 error: "), "{stdout}");
    assert_eq!(m["bc"], "hard");
    // The written config repeats the run.
    let again = dir.join("again");
    let o = gradus()
        .args(["pinn", "--no-progress", "--config"])
        .arg(out.join("config.toml"))
        .arg("--out")
        .arg(&again)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(metrics(&again)["report"], m["report"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn penalty_form_and_resume() {
    let dir = temp_dir("resume");
    let args = [
        "pinn",
        "ode2",
        "--bc",
        "penalty",
        "--hidden",
        "8",
        "--points",
        "32",
        "--steps",
        "40",
        "--checkpoint-every",
        "20",
        "--no-progress",
        "--out",
    ];
    let o = gradus()
        .args(args)
        .arg(&dir)
        .args(["--lbfgs-iters", "20"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = gradus()
        .args(args)
        .arg(&dir)
        .args(["--lbfgs-iters", "200", "--resume"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let m = metrics(&dir);
    assert_eq!(m["resumed_at"], serde_json::json!([40, 20]));
    assert_eq!(m["bc"], "penalty");
    let l2 = m["report"]["relative_l2"].as_f64().unwrap();
    assert!(l2 < 1e-3, "relative L2 {l2}");
    // Resuming with other collocation settings is refused, naming the checkpoint.
    let o = gradus()
        .args(args)
        .arg(&dir)
        .args(["--sampler", "lhs", "--resume"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("checkpoint") && err.contains("sampler=lhs"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_input_is_one_clear_error() {
    let dir = temp_dir("bad");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["pinn".into(), "wave".into()],
            "unknown problem \"wave\"",
        ),
        (vec!["pinn".into()], "no problem given"),
        (
            vec!["pinn".into(), "ode1".into(), "--bc".into(), "soft".into()],
            "--bc",
        ),
        (
            vec![
                "pinn".into(),
                "ode1".into(),
                "--activation".into(),
                "relu".into(),
            ],
            "activation",
        ),
        (
            vec![
                "pinn".into(),
                "ode1".into(),
                "--sampler".into(),
                "halton".into(),
            ],
            "--sampler",
        ),
        (
            vec![
                "pinn".into(),
                "ode1".into(),
                "--hidden".into(),
                "8,x".into(),
            ],
            "--hidden",
        ),
    ];
    for (args, needle) in cases {
        let o = gradus()
            .args(&args)
            .arg("--out")
            .arg(dir.join("x"))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            !o.status.success() && err.contains(needle),
            "{args:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
    let config = dir.join("bad.toml");
    std::fs::write(&config, "steps = 10\nlearning_rate = 0.1\n").unwrap();
    let o = gradus()
        .args(["pinn", "ode1", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "{err}");
    assert!(
        err.contains("bad.toml, line 2") && err.contains("learning_rate") && err.contains("'lr'"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
