//! `gradus deqn` end to end, each test in its own temporary directory.

use std::path::PathBuf;
use std::process::Command;

fn gradus() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gradus"))
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gradus-deqn-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn short_run_writes_the_run_folder() {
    let dir = temp_dir("run");
    let out_dir = dir.join("bm");
    let out = gradus()
        .args([
            "deqn",
            "brock-mirman",
            "--episodes",
            "60",
            "--no-progress",
            "--out",
        ])
        .arg(&out_dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for f in [
        "config.toml",
        "metrics.json",
        "checkpoint.safetensors",
        "policy/model.safetensors",
        "loss.png",
        "policy.png",
        "policy_error.png",
        "ergodic.png",
        "errors.png",
        "report.png",
    ] {
        assert!(out_dir.join(f).exists(), "{f} missing");
    }
    let metrics: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("metrics.json")).unwrap())
            .unwrap();
    assert_eq!(metrics["loss_history"].as_array().unwrap().len(), 60);
    assert!(metrics["box"]["policy"][0]["abs"]["max"].as_f64().unwrap() < 0.5);
    // The saved config repeats the run; resuming trains further from the checkpoint.
    let out = gradus()
        .args([
            "deqn",
            "brock-mirman",
            "--episodes",
            "70",
            "--no-progress",
            "--resume",
        ])
        .arg("--config")
        .arg(out_dir.join("config.toml"))
        .arg("--out")
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let metrics: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("metrics.json")).unwrap())
            .unwrap();
    assert_eq!(metrics["loss_history"].as_array().unwrap().len(), 70);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unknown_model_is_a_clear_error() {
    let out = gradus().args(["deqn", "solow"]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown model \"solow\"") && err.contains("brock-mirman"),
        "{err}"
    );
}

#[test]
fn bad_config_names_file_line_and_key() {
    let dir = temp_dir("badcfg");
    let cfg = dir.join("bad.toml");
    std::fs::write(&cfg, "[training]\nepisodes = 10\nlearning_rate = 0.1\n").unwrap();
    let out = gradus()
        .args(["deqn", "brock-mirman", "--config"])
        .arg(&cfg)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("line 3") && err.contains("learning_rate") && err.contains("lr"),
        "{err}"
    );
    std::fs::write(&cfg, "[training]\nsampling = \"grid\"\n").unwrap();
    let out = gradus()
        .args(["deqn", "brock-mirman", "--config"])
        .arg(&cfg)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("sampling \"grid\""),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn olg_runs_report_five_euler_equations() {
    // The analytic variant is compared with its closed form; the general model has no
    // reference (the growth family's grid solver must not be run for it).
    let dir = temp_dir("olg");
    for (model, closed_form) in [("olg-analytic", true), ("olg", false)] {
        let out_dir = dir.join(model);
        let out = gradus()
            .args(["deqn", model, "--episodes", "5", "--no-progress", "--out"])
            .arg(&out_dir)
            .arg("--config")
            .arg(write_accuracy_config(&dir))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{model}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let metrics: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out_dir.join("metrics.json")).unwrap())
                .unwrap();
        let eqs = metrics["path"]["residuals"].as_array().unwrap();
        assert_eq!(eqs.len(), 5, "{model}");
        assert_eq!(eqs[4]["name"], "euler_5");
        assert_eq!(metrics["reference"], serde_json::Value::Null, "{model}");
        assert_eq!(
            metrics["path"]["policy"].is_array(),
            closed_form,
            "{model}: policy vs closed form"
        );
        assert!(out_dir.join("report.png").exists());
    }
}

/// A short accuracy report keeps the test fast.
fn write_accuracy_config(dir: &std::path::Path) -> PathBuf {
    let path = dir.join("short.toml");
    std::fs::write(&path, "[accuracy]\nperiods = 200\nbox_points = 100\n").unwrap();
    path
}
