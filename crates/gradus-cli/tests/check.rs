//! `gradus check` end to end: it runs, reports every op, and exits 0 when all pass.

use std::process::Command;

fn gradus() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gradus"))
}

#[test]
fn check_reports_every_op_and_succeeds() {
    let out = gradus()
        .args(["check", "--dtype", "f64", "--seed", "3"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "gradus check failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for op in ["matmul", "cce_with_logits", "d/dx tanh", "softmax"] {
        assert!(stdout.contains(op), "no line for {op}:\n{stdout}");
    }
    let summary = stdout.lines().last().unwrap();
    assert!(
        summary.starts_with("gradient checks: ") && summary.ends_with(", 0 failed"),
        "{summary}"
    );
}

#[test]
fn a_bad_flag_is_a_clear_error() {
    let out = gradus().args(["check", "--dtype", "f16"]).output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("f16") && stderr.contains("possible values"),
        "{stderr}"
    );
}
