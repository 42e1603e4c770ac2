//! `gradus train --checkpoint-every N` and `--resume DIR`: a run killed with SIGKILL
//! continues from its last checkpoint and ends exactly where the uninterrupted run ends.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use gradus::io::load_model;

fn gradus() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gradus"))
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gradus-ckpt-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A small digits network with dropout (so the dropout stream must be restored too) and
/// enough epochs that the first checkpoint comes long before the end.
fn settings(runs: &Path, name: &str) -> Vec<String> {
    [
        "train",
        "--layers",
        "16",
        "--dropout",
        "0.1",
        "--epochs",
        "150",
        "--split",
        "0.7,0.1,0.2",
        "--seed",
        "5",
        "--checkpoint-every",
        "5",
        "--no-progress",
        "--name",
        name,
        "--runs",
        runs.to_str().unwrap(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn a_run_killed_with_sigkill_resumes_and_ends_as_the_uninterrupted_run() {
    let dir = temp_dir("kill");
    let runs = dir.join("runs");
    let killed = runs.join("killed");
    common::kill_at_first_checkpoint(gradus().args(settings(&runs, "killed")), &killed);
    assert!(
        !killed.join("metrics.json").exists() && !killed.join("model").exists(),
        "the killed run must not have finished"
    );

    let out = gradus()
        .args([
            "train",
            "--no-progress",
            "--resume",
            killed.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("resuming after epoch "), "{stdout}");
    assert!(stdout.contains("epoch 150: "), "{stdout}");

    let out = gradus().args(settings(&runs, "whole")).output().unwrap();
    assert!(out.status.success());
    let whole = runs.join("whole");
    // Bit for bit: every weight, and every epoch's losses and accuracies.
    let a = load_model::<f32>(&killed.join("model")).unwrap();
    let b = load_model::<f32>(&whole.join("model")).unwrap();
    assert_eq!(a.model.params(), b.model.params());
    let (ma, mb) = (
        json(&killed.join("metrics.json")),
        json(&whole.join("metrics.json")),
    );
    assert_eq!(ma["history"].as_array().unwrap().len(), 150);
    assert_eq!(ma["history"], mb["history"]);
    assert_eq!(ma["test"], mb["test"]);
}

#[test]
fn resume_refuses_other_settings_and_folders_without_a_checkpoint() {
    let dir = temp_dir("refuse");
    let out = gradus()
        .args(["train", "--resume", dir.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains("no checkpoint.safetensors") && stderr.contains("--checkpoint-every"),
        "{stderr}"
    );
    let out = gradus()
        .args(["train", "--resume", dir.to_str().unwrap(), "--lr", "0.1"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("drop the other training flags"), "{stderr}");
}
