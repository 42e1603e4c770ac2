//! `gradus optimize`: runs optimisation methods on a test function and compares them — a
//! table (final point, f, iterations, evaluations, time), and with `--plot` a contour map
//! with each method's path (2-D functions) and convergence curves.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context};
use gradus::optlab::{run as run_method, save_convergence_plot, save_path_plot, LabParams, Method};
use gradus::testfn::TestFunction;

#[derive(clap::Args)]
pub struct Args {
    /// Test function: sphere, ellipsoid, rosenbrock, beale, himmelblau, booth,
    /// goldstein-price, rastrigin, ackley, styblinski-tang, cubic (x³ − 2x² + 2).
    #[arg(long)]
    function: String,
    /// Comma-separated methods: gd, gd-decay, gd-linesearch, momentum, nesterov, adagrad,
    /// rmsprop, adam, newton, damped-newton, lbfgs, cmaes, ga.
    #[arg(long, default_value = "gd,adam,newton,cmaes")]
    method: String,
    /// Dimension (default 2; 1 for cubic). Beale, Himmelblau, Booth and Goldstein–Price are 2-D.
    #[arg(long)]
    dim: Option<usize>,
    /// Start point, comma-separated (default: the function's usual start).
    #[arg(long, allow_hyphen_values = true)]
    start: Option<String>,
    /// Learning rate / step size for every method that has one (σ0 for CMA-ES and the GA);
    /// default: scaled to the function (see docs/optimisation.md).
    #[arg(long)]
    lr: Option<f64>,
    /// Maximum iterations (generations for CMA-ES and the GA).
    #[arg(long, default_value_t = 10_000)]
    max_iter: usize,
    /// Seed of CMA-ES and the GA.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Write the contour map with paths to this PNG (2-D functions), and the convergence
    /// curves to the same name with `_convergence` before the extension.
    #[arg(long)]
    plot: Option<PathBuf>,
}

/// Validated settings.
struct Settings {
    function: TestFunction,
    methods: Vec<Method>,
    start: Vec<f64>,
    params: LabParams,
}

fn settings(args: &Args) -> anyhow::Result<Settings> {
    let name = args.function.trim().to_ascii_lowercase();
    let dim = args.dim.unwrap_or(if name == "cubic" { 1 } else { 2 });
    let function = TestFunction::by_name(&name, dim).with_context(|| {
        format!(
            "--function {}: choose another function or --dim",
            args.function
        )
    })?;
    let start = match &args.start {
        None => function.start().to_vec(),
        Some(s) => parse_start(s, &function)?,
    };
    if let Some(lr) = args.lr {
        if !(lr > 0.0 && lr.is_finite()) {
            bail!("--lr {lr}: the learning rate must be a positive number, e.g. --lr 0.01");
        }
    }
    let mut methods = Vec::new();
    for m in args
        .method
        .split(',')
        .map(str::trim)
        .filter(|m| !m.is_empty())
    {
        methods.push(
            Method::from_name(m, &function, &start, args.lr)
                .with_context(|| format!("--method {}", args.method))?,
        );
    }
    if methods.is_empty() {
        bail!("--method is empty: give comma-separated names, e.g. --method adam,newton,cmaes");
    }
    if args.max_iter == 0 {
        bail!("--max-iter 0: give at least one iteration");
    }
    Ok(Settings {
        function,
        methods,
        start,
        params: LabParams {
            max_iter: args.max_iter,
            seed: args.seed,
            ..LabParams::default()
        },
    })
}

fn parse_start(s: &str, f: &TestFunction) -> anyhow::Result<Vec<f64>> {
    let mut x = Vec::new();
    for part in s.split(',') {
        let part = part.trim();
        match part.parse::<f64>() {
            Ok(v) if v.is_finite() => x.push(v),
            _ => bail!(
                "--start {s}: `{part}` is not a finite number; give comma-separated numbers, \
                 e.g. --start -1.5,2"
            ),
        }
    }
    if x.len() != f.dim() {
        bail!(
            "--start {s}: {} coordinate(s), but {} is {}-dimensional here; give {} numbers \
             (or change --dim)",
            x.len(),
            f.name(),
            f.dim(),
            f.dim()
        );
    }
    Ok(x)
}

/// `plots/a.png` → `plots/a_convergence.png`.
fn convergence_path(plot: &Path) -> PathBuf {
    let stem = plot
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("optimize");
    plot.with_file_name(format!("{stem}_convergence.png"))
}

fn point(x: &[f64]) -> String {
    let shown: Vec<String> = x.iter().take(4).map(|v| format!("{v:.6}")).collect();
    let more = if x.len() > 4 { ", …" } else { "" };
    format!("({}{more})", shown.join(", "))
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let s = settings(args)?;
    let f = &s.function;
    let out = &mut std::io::stdout().lock();
    writeln!(
        out,
        "{} in {} dimension(s) from {}{}",
        f.name(),
        f.dim(),
        point(&s.start),
        f.f_min().map(|m| format!(", f* = {m}")).unwrap_or_default()
    )?;
    writeln!(
        out,
        "{:<14} {:<32} {:>12} {:>10} {:>9} {:>11} {:>10}  stop",
        "method", "final point", "f", "f - f*", "iters", "evals", "time (ms)"
    )?;
    let mut traces = Vec::new();
    for m in &s.methods {
        let t0 = Instant::now();
        let t = run_method(f, m, &s.start, &s.params)?;
        let ms = t0.elapsed().as_secs_f64() * 1e3;
        let gap = f
            .f_min()
            .map(|m| format!("{:.3e}", t.f - m))
            .unwrap_or_else(|| "-".into());
        writeln!(
            out,
            "{:<14} {:<32} {:>12.5e} {:>10} {:>9} {:>11} {:>10.1}  {}",
            t.method,
            point(&t.x),
            t.f,
            gap,
            t.iterations,
            t.evaluations,
            ms,
            t.stop
        )?;
        traces.push(t);
    }
    if let Some(plot) = &args.plot {
        if let Some(dir) = plot.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| {
                format!("--plot {}: cannot create {}", plot.display(), dir.display())
            })?;
        }
        if f.dim() == 2 {
            save_path_plot(f, &traces, plot)
                .with_context(|| format!("--plot {}", plot.display()))?;
            writeln!(out, "paths: {}", plot.display())?;
        } else {
            writeln!(
                out,
                "no contour map: {} is {}-dimensional (paths need 2-D)",
                f.name(),
                f.dim()
            )?;
        }
        let conv = convergence_path(plot);
        save_convergence_plot(f, &traces, &conv)
            .with_context(|| format!("--plot {}", conv.display()))?;
        writeln!(out, "convergence: {}", conv.display())?;
    }
    Ok(ExitCode::SUCCESS)
}
