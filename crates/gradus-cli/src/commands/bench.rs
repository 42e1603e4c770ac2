//! `gradus bench`: the peer benchmark workloads (../shared/bench/peers/WORKLOADS.md) with
//! one JSON line per workload in the peers' schema, so `run_all.sh --extra` puts gradus in
//! the same table as PyTorch, JAX and scikit-learn; `--sweep` measures step time against
//! batch size and width and draws the plot for docs/PERFORMANCE.md.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use gradus::bench::{self, sweep, WORKLOADS};

#[derive(clap::Args)]
pub struct Args {
    /// Workloads to run (default: all seven): digits-mlp, wide-mlp, tiny-mlp-smallbatch,
    /// tiny-mlp-smallbatch-f64, deqn-step, pinn-step, pinn-step-f64.
    workloads: Vec<String>,
    /// Threads for large matrix products (the peers use 2).
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// Timed repeats (epochs or 200-step blocks); default: the workload's own, or 2 when
    /// BENCH_QUICK=1 (run_all.sh --quick).
    #[arg(long)]
    repeats: Option<usize>,
    /// One JSON line per workload (the peers' schema) instead of a readable summary.
    #[arg(long)]
    json: bool,
    /// Measure step time against batch size and width instead, and plot it.
    #[arg(long)]
    sweep: bool,
    /// Where `--sweep` writes its plot (PNG) and its points (JSONL beside it).
    #[arg(long, default_value = "bench-sweep.png")]
    plot: PathBuf,
    /// Seconds of timing per sweep point.
    #[arg(long, default_value_t = 0.5)]
    budget: f64,
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    if args.threads == 0 {
        bail!("--threads must be at least 1 (the peers' table uses 2)");
    }
    gradus::tensor::set_num_threads(args.threads);
    if args.sweep {
        return run_sweep(args);
    }
    let mut specs = Vec::new();
    for name in &args.workloads {
        match bench::find(name) {
            Some(s) => specs.push(s),
            None => bail!(
                "unknown workload '{name}'; the workloads are: {}",
                WORKLOADS.map(|s| s.name).join(", ")
            ),
        }
    }
    if specs.is_empty() {
        specs = WORKLOADS.iter().collect();
    }
    let quick = std::env::var("BENCH_QUICK").is_ok_and(|v| v == "1");
    let repeats = match (args.repeats, quick) {
        (Some(0), _) => bail!("--repeats must be at least 1"),
        (Some(r), _) => Some(r),
        (None, true) => Some(2),
        (None, false) => None,
    };
    let out = &mut std::io::stdout().lock();
    for s in specs {
        let o = bench::run(s, repeats, args.threads);
        let rec = bench::record(s, args.threads, &o);
        if args.json {
            writeln!(out, "{rec}")?;
        } else {
            let acc = o
                .test_accuracy
                .map(|a| format!(", test accuracy {a:.4}"))
                .unwrap_or_default();
            writeln!(
                out,
                "{:<24} {:>10.1} µs/step  {:>10.0} samples/s  final loss {:.4e}{acc}",
                s.name,
                o.median_step_us(),
                o.samples_per_sec(),
                o.final_loss
            )?;
        }
        out.flush()?;
    }
    Ok(ExitCode::SUCCESS)
}

fn run_sweep(args: &Args) -> anyhow::Result<ExitCode> {
    if !(args.budget > 0.0 && args.budget.is_finite()) {
        bail!("--budget must be a positive number of seconds");
    }
    let out = &mut std::io::stdout().lock();
    let mut lines = String::new();
    let points = sweep::sweep(args.budget, |p| {
        let line = serde_json::json!({
            "framework": "gradus", "sweep": true, "width": p.width, "batch": p.batch,
            "dtype": p.dtype, "threads": args.threads, "median_step_us": p.median_step_us,
        })
        .to_string();
        let _ = writeln!(out, "{line}");
        lines.push_str(&line);
        lines.push('\n');
    });
    let jsonl = args.plot.with_extension("jsonl");
    gradus::io::write_atomic(&jsonl, lines.as_bytes())
        .with_context(|| format!("writing the sweep points to {}", jsonl.display()))?;
    sweep::plot(&points, &args.plot)
        .with_context(|| format!("drawing the sweep plot {}", args.plot.display()))?;
    writeln!(
        out,
        "plot: {}  points: {}",
        args.plot.display(),
        jsonl.display()
    )?;
    Ok(ExitCode::SUCCESS)
}
