//! `gradus search` end to end, each test in its own temporary directory. The trials are tiny
//! (a 16-unit hidden layer, 2 epochs on the bundled digits) so the searches take seconds.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::SystemTime;

fn gradus() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gradus"))
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gradus-search-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The lectures' η × λ grid on a small, quick network.
const GRID: [&str; 12] = [
    "--set",
    "model.layers=[16]",
    "--set",
    "training.epochs=2",
    "--set",
    "training.batch_size=64",
    "--grid",
    "training.lr=0.001,0.01,0.1",
    "--grid",
    "model.l2=0,0.001,0.1",
    "--set",
    "training.seed=3",
];

fn search(dir: &Path, extra: &[&str]) -> Output {
    gradus()
        .arg("search")
        .args(GRID)
        .arg("--out")
        .arg(dir)
        .args(extra)
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn ok(out: Output) -> String {
    assert!(out.status.success(), "{}", text(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The finished trials' record files and when each was written.
fn records(dir: &Path) -> BTreeMap<String, SystemTime> {
    std::fs::read_dir(dir.join("trials"))
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with("trial-") && name.ends_with(".json")
        })
        .map(|e| {
            let time = e.metadata().unwrap().modified().unwrap();
            (e.file_name().to_string_lossy().into_owned(), time)
        })
        .collect()
}

/// Trial indices named in the "trial i/9 (...)" lines a search prints as trials finish.
fn trained(stdout: &str) -> Vec<usize> {
    let mut v: Vec<usize> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("trial ")?.split('/').next()?.parse().ok())
        .collect();
    v.sort();
    v
}

fn csv(dir: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(dir.join("results.csv"))
        .unwrap()
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

#[test]
fn grid_writes_heatmap_ranked_table_and_a_best_config_that_trains() {
    let dir = temp_dir("grid");
    let stdout = ok(search(&dir, &[]));
    assert_eq!(trained(&stdout), (0..9).collect::<Vec<_>>(), "{stdout}");

    let png = std::fs::read(dir.join("heatmap.png")).unwrap();
    assert_eq!(&png[1..4], b"PNG");
    assert!(png.len() > 5000, "heatmap of {} bytes", png.len());

    let rows = csv(&dir);
    let header = &rows[0];
    assert_eq!(
        header[..5],
        ["rank", "trial", "training.lr", "model.l2", "val_accuracy"]
    );
    assert_eq!(rows.len(), 10, "{rows:?}");
    let acc: Vec<f64> = rows[1..].iter().map(|r| r[4].parse().unwrap()).collect();
    assert!(
        acc.windows(2).all(|w| w[0] >= w[1]),
        "not ranked by validation accuracy: {acc:?}"
    );
    // Every (η, λ) pair appears once, and the settings matter.
    let mut pairs: Vec<(String, String)> = rows[1..]
        .iter()
        .map(|r| (r[2].clone(), r[3].clone()))
        .collect();
    pairs.sort();
    pairs.dedup();
    assert_eq!(pairs.len(), 9);
    assert!(
        acc[0] - acc[8] > 0.05,
        "the grid made no difference: {acc:?}"
    );
    let md = std::fs::read_to_string(dir.join("results.md")).unwrap();
    assert_eq!(md.lines().count(), 11);

    // The best config trains with `gradus train` to the validation score the search recorded.
    let best = dir.join("best.toml");
    let runs = dir.join("check-runs");
    ok(gradus()
        .args(["train", "--no-progress", "--name", "best", "--config"])
        .arg(&best)
        .arg("--runs")
        .arg(&runs)
        .output()
        .unwrap());
    let metrics: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(runs.join("best/metrics.json")).unwrap())
            .unwrap();
    let last = metrics["history"].as_array().unwrap().last().unwrap();
    assert_eq!(last["val_accuracy"].as_f64().unwrap(), acc[0]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_limited_run_resumes_with_only_the_missing_trials() {
    let dir = temp_dir("limit");
    let first = ok(search(&dir, &["--limit", "4", "--jobs", "1"]));
    assert_eq!(trained(&first), [0, 1, 2, 3], "{first}");
    assert!(first.contains("5 trials have no result yet"), "{first}");
    let before = records(&dir);
    assert_eq!(before.len(), 4);
    let second = ok(search(&dir, &[]));
    assert!(
        second.contains("4 already finished, training 5 now"),
        "{second}"
    );
    assert_eq!(trained(&second), [4, 5, 6, 7, 8], "{second}");
    let after = records(&dir);
    assert_eq!(after.len(), 9);
    for (name, time) in &before {
        assert_eq!(after[name], *time, "{name} was written again");
    }
    let third = ok(search(&dir, &[]));
    assert!(trained(&third).is_empty(), "{third}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[cfg(unix)]
#[test]
fn a_search_killed_midway_trains_only_the_missing_trials_when_rerun() {
    use std::os::unix::process::CommandExt;
    let dir = temp_dir("kill");
    // Its own process group, so that the kill takes the running `gradus train` child too,
    // as Ctrl-C in a terminal or `scancel` on a cluster would.
    let mut child = gradus()
        .arg("search")
        .args(GRID)
        .arg("--out")
        .arg(&dir)
        .args(["--jobs", "1", "--set", "training.epochs=4"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .unwrap();
    let mut polls = 0;
    while !dir.join("trials").exists() || records(&dir).len() < 2 {
        assert!(child.try_wait().unwrap().is_none(), "search ended early");
        polls += 1;
        assert!(polls < 60_000, "no trial finished");
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    let killed = Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", child.id())])
        .status()
        .unwrap();
    assert!(killed.success());
    child.wait().unwrap();
    let before = records(&dir);
    assert!(
        (2..9).contains(&before.len()),
        "{} trials done",
        before.len()
    );

    let rerun = ok(search(&dir, &["--set", "training.epochs=4"]));
    let missing: Vec<usize> = (0..9)
        .filter(|i| !before.contains_key(&format!("trial-{i:04}.json")))
        .collect();
    assert_eq!(trained(&rerun), missing, "{rerun}");
    let after = records(&dir);
    assert_eq!(after.len(), 9);
    for (name, time) in &before {
        assert_eq!(after[name], *time, "{name} was written again");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn trials_run_one_by_one_then_merged_give_the_same_results_as_one_run() {
    let whole = temp_dir("whole");
    ok(search(&whole, &[]));
    let split = temp_dir("split");
    for i in 0..9 {
        let stdout = ok(search(&split, &["--trial", &i.to_string()]));
        assert_eq!(trained(&stdout), [i], "{stdout}");
    }
    let again = ok(search(&split, &["--trial", "4"]));
    assert!(again.contains("already finished"), "{again}");
    let merged = ok(gradus()
        .args(["search", "merge"])
        .arg(&split)
        .output()
        .unwrap());
    assert!(merged.contains("9 of 9 trials"), "{merged}");
    for file in ["results.csv", "results.md", "heatmap.png"] {
        assert!(
            std::fs::read(whole.join(file)).unwrap() == std::fs::read(split.join(file)).unwrap(),
            "{file} differs"
        );
    }
    let config = |dir: &Path| {
        let text = std::fs::read_to_string(dir.join("best.toml")).unwrap();
        text.lines()
            .filter(|l| !l.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(config(&whole), config(&split));

    let out = search(&split, &["--trial", "9"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("numbered 0 to 8"), "{}", text(&out));
    std::fs::remove_dir_all(&whole).unwrap();
    std::fs::remove_dir_all(&split).unwrap();
}

#[test]
fn random_search_from_a_config_file_section() {
    let dir = temp_dir("random");
    let config = dir.join("search.toml");
    std::fs::write(
        &config,
        "[model]\nlayers = [16]\n\n[training]\nepochs = 2\nbatch_size = 64\n\n\
         [search]\nrandom = 4\nseed = 11\n\n[search.grid]\nmodel.hidden = [\"relu\", \"tanh\"]\n\n\
         [search.sample]\ntraining.lr = \"log:1e-3..1e-1\"\n",
    )
    .unwrap();
    let out_dir = dir.join("out");
    let stdout = ok(gradus()
        .args(["search", "--config"])
        .arg(&config)
        .arg("--out")
        .arg(&out_dir)
        .output()
        .unwrap());
    assert_eq!(trained(&stdout), [0, 1, 2, 3], "{stdout}");
    let rows = csv(&out_dir);
    assert_eq!(rows[0][2..4], ["model.hidden", "training.lr"]);
    for row in &rows[1..] {
        assert!(["relu", "tanh"].contains(&row[2].as_str()), "{row:?}");
        let lr: f64 = row[3].parse().unwrap();
        assert!((1e-3..1e-1).contains(&lr), "{row:?}");
    }
    // Random searches have no grid, so no heatmap.
    assert!(!out_dir.join("heatmap.png").exists());
    assert!(out_dir.join("best.toml").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_keys_and_values_are_named_before_anything_trains() {
    let dir = temp_dir("errors");
    let cases: [(&[&str], &str); 5] = [
        (
            &["--grid", "training.learning_rate=0.1,0.2"],
            "[training] learning_rate",
        ),
        (&["--grid", "model.hidden=relu,cosh"], "\"cosh\""),
        (
            &[
                "--grid",
                "training.lr=0.1",
                "--set",
                "data.split=[0.8,0,0.2]",
            ],
            "no validation rows",
        ),
        (
            &["--sample", "training.lr=log:0..1", "--random", "3"],
            "above zero",
        ),
        (&["--grid", "lr"], "KEY=VALUES"),
    ];
    for (args, expected) in cases {
        let out = gradus()
            .arg("search")
            .args(args)
            .arg("--out")
            .arg(dir.join("s"))
            .output()
            .unwrap();
        let all = text(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {all}");
        assert!(all.contains(expected), "{args:?}: {all}");
        assert!(!all.contains("panicked"), "{all}");
        assert!(!dir.join("s/trials/trial-0000.json").exists());
    }
    let out = gradus()
        .args(["search", "merge"])
        .arg(dir.join("nothing"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("search folder"), "{}", text(&out));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_new_train_keys_are_searchable() {
    let dir = temp_dir("keys");
    let out = gradus()
        .args([
            "search",
            "--set",
            "model.layers=[16]",
            "--set",
            "training.epochs=2",
        ])
        .args(["--set", "training.batch_size=64"])
        .args(["--grid", "model.loss=categorical_cross_entropy,mse"])
        .args(["--grid", "training.schedule=constant,cosine"])
        .arg("--out")
        .arg(&dir)
        .output()
        .unwrap();
    let stdout = ok(out);
    assert_eq!(trained(&stdout), [0, 1, 2, 3], "{stdout}");
    let rows = csv(&dir);
    assert_eq!(rows[0][2..4], ["model.loss", "training.schedule"]);
    let mut seen: Vec<(String, String)> = rows[1..]
        .iter()
        .map(|r| (r[2].clone(), r[3].clone()))
        .collect();
    seen.sort();
    assert_eq!(seen.len(), 4);
    assert!(seen.contains(&("mse".into(), "cosine".into())), "{seen:?}");
    // A bad value of a new key fails the search before any trial trains.
    let out = gradus()
        .args(["search", "--grid", "model.loss=mse,foo", "--out"])
        .arg(dir.join("bad"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("\"foo\" is not a loss"),
        "{}",
        text(&out)
    );
    assert!(!dir.join("bad/trials/trial-0000.json").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}
