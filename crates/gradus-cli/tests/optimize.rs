//! `gradus optimize` end to end, each test in its own temporary directory.

use std::path::PathBuf;
use std::process::{Command, Output};

fn gradus(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gradus"))
        .args(args)
        .output()
        .unwrap()
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("gradus-optimize-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn rosenbrock_table_and_plots() {
    let dir = temp_dir("rosen");
    let plot = dir.join("paths.png");
    let out = gradus(&[
        "optimize",
        "--function",
        "rosenbrock",
        "--method",
        "gd,adam,newton,cmaes",
        "--plot",
        plot.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for m in ["gd ", "adam ", "newton ", "cmaes "] {
        let line = stdout
            .lines()
            .find(|l| l.starts_with(m))
            .unwrap_or_else(|| panic!("{m}:\n{stdout}"));
        println!("{line}");
    }
    // Newton converges to (1, 1).
    let newton = stdout.lines().find(|l| l.starts_with("newton ")).unwrap();
    assert!(newton.contains("(1.000000, 1.000000)"), "{newton}");
    assert!(stdout.contains("f - f*") && stdout.contains("evals") && stdout.contains("time (ms)"));
    for file in [plot.clone(), dir.join("paths_convergence.png")] {
        let bytes = std::fs::read(&file).unwrap();
        assert!(
            bytes.starts_with(b"\x89PNG") && bytes.len() > 10_000,
            "{}",
            file.display()
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn course_cubic_from_the_command_line() {
    let out = gradus(&[
        "optimize",
        "--function",
        "cubic",
        "--method",
        "gd",
        "--lr",
        "0.1",
        "--start",
        "2",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    let gd = stdout.lines().find(|l| l.starts_with("gd ")).unwrap();
    assert!(gd.contains("(1.333333)"), "{gd}");
}

#[test]
fn bad_input_is_a_clear_error() {
    let cases: [(&[&str], &[&str]); 5] = [
        (
            &["--function", "rosenbrok"],
            &["unknown test function", "rosenbrock"],
        ),
        (
            &["--function", "booth", "--method", "adam,newtn"],
            &["unknown method", "newtn", "lbfgs"],
        ),
        (
            &["--function", "booth", "--start", "1,x"],
            &["--start", "`x`", "e.g."],
        ),
        (
            &["--function", "booth", "--start", "1,2,3"],
            &["3 coordinate", "2-dimensional"],
        ),
        (
            &["--function", "himmelblau", "--dim", "3"],
            &["--function", "2 dimension"],
        ),
    ];
    for (args, words) in cases {
        let mut all = vec!["optimize"];
        all.extend_from_slice(args);
        let out = gradus(&all);
        assert!(!out.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        for w in words {
            assert!(stderr.contains(w), "{args:?}: no `{w}` in {stderr}");
        }
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}
