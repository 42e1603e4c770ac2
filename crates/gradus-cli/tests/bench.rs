//! `gradus bench` end to end: one JSON line per workload in the peers' schema, and a
//! one-paragraph error for an unknown workload.

use std::process::Command;

fn gradus() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gradus"))
}

#[test]
fn json_lines_carry_the_peer_schema() {
    let out = gradus()
        .args([
            "bench",
            "digits-mlp",
            "pinn-step",
            "--repeats",
            "1",
            "--json",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    for (r, name) in lines.iter().zip(["digits-mlp", "pinn-step"]) {
        assert_eq!(r["workload"], name);
        assert_eq!(r["framework"], "gradus");
        assert_eq!(r["dtype"], "float32");
        assert_eq!(r["threads"], 2);
        assert!(r["median_step_us"].as_f64().unwrap() > 0.0);
        assert!(r["samples_per_sec"].as_f64().unwrap() > 0.0);
        assert!(r["final_loss"].as_f64().unwrap().is_finite());
    }
    // One epoch of digits: the loss has come down from ln 10 and the accuracy is well above
    // chance (torch gives 1.596 and 0.65 after the same epoch).
    assert!(lines[0]["final_loss"].as_f64().unwrap() < 2.0);
    assert!(lines[0]["test_accuracy"].as_f64().unwrap() > 0.5);
    assert_eq!(lines[1]["steps_per_repeat"], 200);
}

#[test]
fn unknown_workload_is_a_clear_error() {
    let out = gradus().args(["bench", "resnet"]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown workload 'resnet'") && err.contains("deqn-step"),
        "{err}"
    );
}
