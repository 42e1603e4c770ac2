//! The study routine on user closures: results recorded and resumed, changed settings
//! refused, torn log lines tolerated, errors shrinking with N, summaries and plots.

use std::path::PathBuf;

use gradus::genz::{
    markdown_table, plot_errors, run_study, summarize, Metric, StudyConfig, StudyError, Target,
};

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gradus-genz-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn small() -> StudyConfig {
    StudyConfig {
        samples: vec![20, 200],
        seeds: 2,
        test_points: 300,
        hidden: vec![16, 16],
        epochs: 100,
        min_steps: 1500,
        ..StudyConfig::default()
    }
}

fn smooth(x: &[f64]) -> f64 {
    (x[0] + 2.0 * x[1]).sin()
}

#[test]
fn study_resumes_from_its_log_and_refuses_changed_settings() {
    let dir = temp_dir("resume");
    let log = dir.join("results.jsonl");
    let targets = [Target {
        name: "sin".into(),
        dim: 2,
        describe: "sin(x0 + 2 x1)".into(),
        f: &smooth,
    }];
    let first = run_study(&targets, &small(), Some(&log), |_| {}).unwrap();
    assert_eq!(first.len(), 4);
    assert_eq!(std::fs::read_to_string(&log).unwrap().lines().count(), 4);

    // A rerun trains nothing and returns the same records.
    let trained = std::sync::atomic::AtomicUsize::new(0);
    let again = run_study(&targets, &small(), Some(&log), |_| {
        trained.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    })
    .unwrap();
    assert_eq!(trained.into_inner(), 0);
    assert_eq!(again, first);

    // A torn last line (a crash mid-write) is dropped and its cell runs again; the first
    // three records are kept.
    let text = std::fs::read_to_string(&log).unwrap();
    let cut = text.trim_end().rfind('\n').unwrap() + 20;
    std::fs::write(&log, &text[..cut]).unwrap();
    let trained = std::sync::atomic::AtomicUsize::new(0);
    let resumed = run_study(&targets, &small(), Some(&log), |_| {
        trained.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    })
    .unwrap();
    assert_eq!(trained.into_inner(), 1);
    assert_eq!(resumed.len(), 4);
    let lines: Vec<String> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    assert_eq!(lines.len(), 4);
    assert!(lines.iter().all(|l| l.starts_with('{') && l.ends_with('}')));

    // More seeds reuse the finished cells; another learning rate is refused.
    let more = StudyConfig {
        seeds: 3,
        ..small()
    };
    let trained = std::sync::atomic::AtomicUsize::new(0);
    let grown = run_study(&targets, &more, Some(&log), |_| {
        trained.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    })
    .unwrap();
    assert_eq!((grown.len(), trained.into_inner()), (6, 2));
    let changed = StudyConfig {
        lr: 3e-3,
        ..small()
    };
    let err = run_study(&targets, &changed, Some(&log), |_| {}).unwrap_err();
    assert!(matches!(err, StudyError::Log(_)), "{err}");
    assert!(err.to_string().contains("other settings"), "{err}");

    // A corrupt line in the middle is reported with its number.
    std::fs::write(&log, "{\"not\": 1}\n".to_string() + &text).unwrap();
    let err = run_study(&targets, &small(), Some(&log), |_| {}).unwrap_err();
    assert!(err.to_string().contains("line 1"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn errors_shrink_with_n_and_the_summary_and_plots_are_written() {
    let dir = temp_dir("summary");
    let peak = |x: &[f64]| (-4.0 * ((x[0] - 0.4).powi(2) + (x[1] - 0.6).powi(2))).exp();
    let cube = |x: &[f64]| x.iter().map(|v| v * v).sum::<f64>();
    let targets = [
        Target {
            name: "peak".into(),
            dim: 2,
            describe: String::new(),
            f: &peak,
        },
        Target {
            name: "cube".into(),
            dim: 3,
            describe: String::new(),
            f: &cube,
        },
    ];
    let results = run_study(&targets, &small(), None, |_| {}).unwrap();
    let rows = summarize(&results);
    assert_eq!(rows.len(), 4);
    for pair in rows.chunks(2) {
        let (few, many) = (&pair[0], &pair[1]);
        assert_eq!((few.n, many.n), (20, 200));
        assert_eq!(few.seeds, 2);
        assert!(
            many.net_mean_abs.mean < few.net_mean_abs.mean,
            "{}: {} at N=200 vs {} at N=20",
            few.function,
            many.net_mean_abs.mean,
            few.net_mean_abs.mean
        );
        // x₁² + x₂² + x₃² has total degree 2: the baseline fits it to rounding at N = 200.
        if few.function == "cube" {
            assert!(many.poly_mean_abs.unwrap().mean < 1e-10);
        }
        let s = many.net_mean_abs;
        assert!(s.min <= s.mean && s.mean <= s.max && s.std >= 0.0);
    }
    let table = markdown_table(&rows);
    assert_eq!(table.lines().count(), 2 + rows.len());
    let png = dir.join("errors.png");
    plot_errors(&rows, Metric::MeanAbs, &png, 2).unwrap();
    assert!(std::fs::metadata(&png).unwrap().len() > 1000);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_settings_name_their_key() {
    let f = smooth;
    let targets = [Target {
        name: "sin".into(),
        dim: 2,
        describe: String::new(),
        f: &f,
    }];
    for (config, key) in [
        (
            StudyConfig {
                samples: vec![0, 10],
                ..small()
            },
            "samples",
        ),
        (
            StudyConfig {
                activation: "sofmax".into(),
                ..small()
            },
            "activation",
        ),
        (
            StudyConfig {
                optimizer: "adamm".into(),
                ..small()
            },
            "optimizer",
        ),
        (
            StudyConfig {
                loss: "cross_entropy".into(),
                ..small()
            },
            "loss",
        ),
        (
            StudyConfig {
                bias_init: "he".into(),
                ..small()
            },
            "bias_init",
        ),
        (
            StudyConfig {
                lr: -1.0,
                ..small()
            },
            "lr",
        ),
    ] {
        let err = run_study(&targets, &config, None, |_| {}).unwrap_err();
        assert!(
            err.to_string().contains(&format!("`{key}`")),
            "{key}: {err}"
        );
    }
}
