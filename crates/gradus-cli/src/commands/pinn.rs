//! `gradus pinn PROBLEM`: trains a physics-informed network for one of the shipped problems
//! and writes a run folder (resolved `config.toml`, `metrics.json`, `history.csv`, plots and
//! the checkpoint).
//!
//! Settings come in layers: the problem's recommended settings < `--config FILE.toml` (flat
//! keys named like the flags, unknown keys are errors) < flags. They are validated in one
//! place before anything runs.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context};
use serde::{Deserialize, Serialize};

use gradus::nn::Activation;
use gradus::optim::Optimizer;
use gradus::pinn::{problems, report, train, Constraint, PinnConfig, Sampler, CHECKPOINT_FILE};
use gradus::Float;

#[derive(clap::Args)]
pub struct Args {
    /// Problem: ode1, ode2, ode3, poisson, black-scholes, heat (may come from --config instead).
    problem: Option<String>,
    /// TOML file with the keys below (as in runs/NAME/config.toml); flags override it.
    #[arg(long, value_name = "FILE.toml")]
    config: Option<PathBuf>,
    /// Run folder. [default: runs/pinn-PROBLEM-BC-seedSEED]
    #[arg(long)]
    out: Option<PathBuf>,
    /// Continue from the checkpoint in the run folder (same settings required).
    #[arg(long)]
    resume: bool,
    /// [default: 0]
    #[arg(long)]
    seed: Option<u64>,
    /// Boundary/initial conditions: hard (trial solution) or penalty. [default: hard]
    #[arg(long)]
    bc: Option<String>,
    /// Weight of the penalty terms. [default: 1]
    #[arg(long)]
    penalty_weight: Option<f64>,
    /// Hidden widths, comma-separated. [default: per problem, e.g. 32,32]
    #[arg(long)]
    hidden: Option<String>,
    /// Smooth hidden activation: tanh, sigmoid, softplus, swish. [default: tanh]
    #[arg(long)]
    activation: Option<String>,
    /// Collocation points. [default: per problem]
    #[arg(long)]
    points: Option<usize>,
    /// Collocation design: grid, uniform, lhs, sobol. [default: sobol]
    #[arg(long)]
    sampler: Option<String>,
    /// Draw new collocation points every first-order step.
    #[arg(long)]
    resample: bool,
    /// First-order optimiser: sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw. [default: adam]
    #[arg(long)]
    optimizer: Option<String>,
    /// [default: 0.001]
    #[arg(long)]
    lr: Option<f64>,
    /// First-order steps. [default: per problem]
    #[arg(long)]
    steps: Option<usize>,
    /// L-BFGS iterations after them. [default: per problem]
    #[arg(long)]
    lbfgs_iters: Option<usize>,
    /// Checkpoint period in steps/iterations. [default: 1000]
    #[arg(long)]
    checkpoint_every: Option<usize>,
    /// Evaluation grid points per axis. [default: 1001 in 1-D, 101 in 2-D]
    #[arg(long)]
    grid: Option<usize>,
    /// [default: f64]
    #[arg(long)]
    dtype: Option<String>,
    #[arg(long)]
    no_progress: bool,
}

/// The config file, the flags, and (every key set) the resolved run.
#[derive(Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
struct ConfigFile {
    problem: Option<String>,
    bc: Option<String>,
    penalty_weight: Option<f64>,
    hidden: Option<Vec<usize>>,
    activation: Option<String>,
    points: Option<usize>,
    sampler: Option<String>,
    resample: Option<bool>,
    optimizer: Option<String>,
    lr: Option<f64>,
    steps: Option<usize>,
    lbfgs_iters: Option<usize>,
    lbfgs_memory: Option<usize>,
    lbfgs_grad_tol: Option<f64>,
    checkpoint_every: Option<usize>,
    seed: Option<u64>,
    dtype: Option<String>,
    grid: Option<usize>,
}

macro_rules! layered {
    ($top:expr, $base:expr, $($k:ident),*) => {
        ConfigFile { $($k: $top.$k.or($base.$k)),* }
    };
}

impl ConfigFile {
    fn over(self, base: ConfigFile) -> ConfigFile {
        layered!(
            self,
            base,
            problem,
            bc,
            penalty_weight,
            hidden,
            activation,
            points,
            sampler,
            resample,
            optimizer,
            lr,
            steps,
            lbfgs_iters,
            lbfgs_memory,
            lbfgs_grad_tol,
            checkpoint_every,
            seed,
            dtype,
            grid
        )
    }

    fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the config file {}", path.display()))?;
        toml::from_str(&text).map_err(|e| {
            let message = e.message().trim().replace('\n', "; ");
            let at = match e.span() {
                Some(span) => {
                    let before = &text[..span.start.min(text.len())];
                    let line = before.matches('\n').count() + 1;
                    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
                    format!("{}, line {line}, column {column}", path.display())
                }
                None => path.display().to_string(),
            };
            // serde's message names the bad key and lists the valid ones.
            anyhow!("{at}: {}", message.replace('`', "'"))
        })
    }

    fn from_flags(a: &Args) -> anyhow::Result<Self> {
        let hidden = match &a.hidden {
            None => None,
            Some(s) => Some(
                s.split(',')
                    .map(|w| w.trim().parse::<usize>())
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|_| anyhow!("--hidden {s:?}: give widths as comma-separated whole numbers, e.g. 32,32"))?,
            ),
        };
        Ok(ConfigFile {
            problem: a.problem.clone(),
            bc: a.bc.clone(),
            penalty_weight: a.penalty_weight,
            hidden,
            activation: a.activation.clone(),
            points: a.points,
            sampler: a.sampler.clone(),
            resample: a.resample.then_some(true),
            optimizer: a.optimizer.clone(),
            lr: a.lr,
            steps: a.steps,
            lbfgs_iters: a.lbfgs_iters,
            lbfgs_memory: None,
            lbfgs_grad_tol: None,
            checkpoint_every: a.checkpoint_every,
            seed: a.seed,
            dtype: a.dtype.clone(),
            grid: a.grid,
        })
    }

    /// Fills every key from `config` (used to write the resolved `config.toml`).
    fn resolved(problem: &str, c: &PinnConfig, dtype: &str, grid: usize) -> Self {
        let weight = match c.constraint {
            Constraint::Penalty { weight } => Some(weight),
            Constraint::Hard => None,
        };
        ConfigFile {
            problem: Some(problem.into()),
            bc: Some(c.constraint.name().into()),
            penalty_weight: weight,
            hidden: Some(c.hidden.clone()),
            activation: Some(c.activation.name().into()),
            points: Some(c.points),
            sampler: Some(c.sampler.name().into()),
            resample: Some(c.resample),
            optimizer: Some(c.optimizer.name().into()),
            lr: Some(c.optimizer.lr()),
            steps: Some(c.steps),
            lbfgs_iters: Some(c.lbfgs_iters),
            lbfgs_memory: Some(c.lbfgs_memory),
            lbfgs_grad_tol: Some(c.lbfgs_grad_tol),
            checkpoint_every: Some(c.checkpoint_every),
            seed: Some(c.seed),
            dtype: Some(dtype.into()),
            grid: Some(grid),
        }
    }
}

struct Settings {
    problem: String,
    config: PinnConfig,
    dtype: String,
    grid: Option<usize>,
}

/// Layers and validates the settings; every message names the flag and the config key.
fn settings(args: &Args) -> anyhow::Result<Settings> {
    let file = match &args.config {
        Some(p) => ConfigFile::load(p)?,
        None => ConfigFile::default(),
    };
    let flags = ConfigFile::from_flags(args)?;
    if let (Some(a), Some(b)) = (&flags.problem, &file.problem) {
        if a != b {
            bail!(
                "the problem {a:?} on the command line differs from problem = {b:?} in {}; drop one of them",
                args.config.as_ref().map_or(String::new(), |p| p.display().to_string())
            );
        }
    }
    let c = flags.over(file);
    let problem = c.problem.clone().ok_or_else(|| {
        anyhow!(
            "no problem given: name one ({}) or set problem in --config",
            problems::NAMES.join(", ")
        )
    })?;
    if !problems::NAMES.contains(&problem.as_str()) {
        bail!(
            "unknown problem {problem:?}; the problems are {}",
            problems::NAMES.join(", ")
        );
    }
    let mut config = problems::recommended(&problem);
    config.progress = !args.no_progress;
    let weight = c.penalty_weight.unwrap_or(1.0);
    config.constraint = match c.bc.as_deref().unwrap_or("hard") {
        "hard" => Constraint::Hard,
        "penalty" => Constraint::Penalty { weight },
        other => bail!("--bc / bc {other:?}: use hard or penalty"),
    };
    if let Some(h) = c.hidden {
        config.hidden = h;
    }
    if let Some(a) = &c.activation {
        config.activation = Activation::from_name(a).ok_or_else(|| {
            anyhow!("--activation / activation {a:?}: use tanh, sigmoid, softplus or swish")
        })?;
    }
    if let Some(p) = c.points {
        config.points = p;
    }
    if let Some(s) = &c.sampler {
        config.sampler = Sampler::from_name(s).ok_or_else(|| {
            anyhow!(
                "--sampler / sampler {s:?}: use one of {}",
                Sampler::NAMES.join(", ")
            )
        })?;
    }
    config.resample = c.resample.unwrap_or(false);
    let lr = c.lr.unwrap_or(config.optimizer.lr());
    let opt_name = c.optimizer.unwrap_or_else(|| "adam".into());
    config.optimizer = Optimizer::from_name(&opt_name, lr).ok_or_else(|| {
        anyhow!(
            "--optimizer / optimizer {opt_name:?}: use one of {}",
            Optimizer::NAMES.join(", ")
        )
    })?;
    if let Some(v) = c.steps {
        config.steps = v;
    }
    if let Some(v) = c.lbfgs_iters {
        config.lbfgs_iters = v;
    }
    if let Some(v) = c.lbfgs_memory {
        config.lbfgs_memory = v.max(1);
    }
    if let Some(v) = c.lbfgs_grad_tol {
        config.lbfgs_grad_tol = v;
    }
    if let Some(v) = c.checkpoint_every {
        config.checkpoint_every = v;
    }
    config.seed = c.seed.unwrap_or(0);
    let dtype = c.dtype.unwrap_or_else(|| "f64".into());
    if dtype != "f64" && dtype != "f32" {
        bail!("--dtype / dtype {dtype:?}: use f64 or f32");
    }
    if c.grid == Some(0) {
        bail!("--grid / grid: use at least 1 point per axis");
    }
    // Library validation names the config key; the flag is the same word with dashes.
    config
        .validate()
        .map_err(|e| anyhow!("{e} (flag --{})", flag_of(&e)))?;
    Ok(Settings {
        problem,
        config,
        dtype,
        grid: c.grid,
    })
}

fn flag_of(e: &gradus::pinn::PinnError) -> String {
    match e {
        gradus::pinn::PinnError::InvalidConfig { key, .. } => key.replace('_', "-"),
        _ => String::new(),
    }
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let s = settings(args)?;
    if s.dtype == "f32" {
        run_with::<f32>(args, &s)
    } else {
        run_with::<f64>(args, &s)
    }
}

fn run_with<F: Float>(args: &Args, s: &Settings) -> anyhow::Result<ExitCode> {
    let problem = problems::by_name::<F>(&s.problem)?;
    let grid = s.grid.unwrap_or(if problem.domain().dim() == 1 {
        1001
    } else {
        101
    });
    let dir = args.out.clone().unwrap_or_else(|| {
        PathBuf::from("runs").join(format!(
            "pinn-{}-{}-seed{}",
            s.problem,
            s.config.constraint.name(),
            s.config.seed
        ))
    });
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create the run folder {}", dir.display()))?;
    if !args.resume {
        // A fresh run must not pick up or be confused with an older checkpoint.
        let _ = std::fs::remove_file(dir.join(CHECKPOINT_FILE));
    }
    let resolved = ConfigFile::resolved(&s.problem, &s.config, &s.dtype, grid);
    write(
        &dir.join("config.toml"),
        &toml::to_string(&resolved).context("cannot write the settings as TOML")?,
    )?;
    println!("{}: {}", s.problem, problem.description());
    let trained = train(problem.as_ref(), &s.config, Some(&dir), args.resume)?;
    let r = report::evaluate(problem.as_ref(), &trained.pinn, grid);
    let plots = report::save_plots(problem.as_ref(), &trained.pinn, &trained.history, &dir)?;
    let mut csv = String::from("phase,evaluation,loss\n");
    for h in &trained.history {
        let phase = match h.phase {
            gradus::pinn::Phase::FirstOrder => "first_order",
            gradus::pinn::Phase::Lbfgs => "lbfgs",
        };
        csv += &format!("{phase},{},{:e}\n", h.evaluation, h.loss);
    }
    write(&dir.join("history.csv"), &csv)?;
    let metrics = serde_json::json!({
        "problem": s.problem,
        "description": problem.description(),
        "dtype": F::NAME,
        "bc": s.config.constraint.name(),
        "parameters": trained.pinn.net.param_count(),
        "collocation_points": s.config.points,
        "first_order_steps": trained.steps_done,
        "lbfgs_iterations": trained.lbfgs_iterations,
        "lbfgs_stop_reason": trained.lbfgs_reason,
        "resumed_at": trained.resumed_at,
        "final_loss": trained.final_loss,
        "seconds": trained.seconds,
        "report": r,
        "plots": plots,
    });
    write(
        &dir.join("metrics.json"),
        &(serde_json::to_string_pretty(&metrics)? + "\n"),
    )?;
    println!(
        "final loss: {:.3e} ({} first-order steps, {} L-BFGS iterations: {})",
        trained.final_loss, trained.steps_done, trained.lbfgs_iterations, trained.lbfgs_reason
    );
    if let (Some(l2), Some(max)) = (r.relative_l2, r.max_abs_error) {
        println!("relative L2 error: {l2:.3e}");
        println!("max abs error: {max:.3e}");
    }
    println!(
        "residual: rms {:.3e}, max |r| {:.3e}",
        r.residual_rms, r.residual_max_abs
    );
    for (name, v) in &r.extra {
        println!("{name}: {v:.3e}");
    }
    println!("run folder: {}", dir.display());
    Ok(ExitCode::SUCCESS)
}

fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    gradus::io::write_atomic(path, text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))
}
