//! `gradus deqn MODEL`: trains a Deep Equilibrium Net for a shipped model and writes a run
//! folder with the settings, the trained policy, a checkpoint, `metrics.json` (loss history
//! and accuracy tables) and plots.
//!
//! Settings: the model's defaults < `--config FILE.toml` ([network], [training],
//! [accuracy], [reference]) < flags. `--resume` continues from the folder's checkpoint.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context};
use serde::{Deserialize, Serialize};

use gradus::deqn::models::{BrockMirman, Growth, Olg};
use gradus::deqn::reference::{solve_egm, GridParams, GridSolution};
use gradus::deqn::{
    accuracy, Accuracy, AccuracyConfig, DeqnConfig, ErrorStats, Model, ResidualLoss, Sampling,
    Trainer,
};
use gradus::nn::{Activation, Loss};
use gradus::optim::{Optimizer, Schedule};
use gradus::plot::{save_grid, Chart};

/// The models `gradus deqn` knows, with a line each for the help text.
pub const MODELS: [(&str, &str); 6] = [
    (
        "brock-mirman",
        "deterministic Brock–Mirman, δ = 1 (closed form K' = αβK^α)",
    ),
    (
        "brock-mirman-stochastic",
        "Brock–Mirman with AR(1) TFP, δ = 1 (closed form s = αβ)",
    ),
    (
        "brock-mirman-delta",
        "Brock–Mirman with AR(1) TFP, δ = 0.1 (grid reference)",
    ),
    (
        "growth-crra",
        "stochastic growth, CRRA γ = 2, δ = 0.1 (grid reference)",
    ),
    (
        "olg",
        "six-cohort OLG, CRRA γ = 2, TFP × depreciation chain (Euler errors)",
    ),
    (
        "olg-analytic",
        "six-cohort OLG, log utility, labour at age 1 (closed-form savings rates)",
    ),
];

#[derive(clap::Args)]
pub struct Args {
    /// Model to solve: brock-mirman, brock-mirman-stochastic, brock-mirman-delta, growth-crra,
    /// olg, olg-analytic.
    model: String,
    /// TOML file with [network], [training], [accuracy] and [reference] sections (keys as in
    /// the run folder's config.toml); flags override it.
    #[arg(long, value_name = "FILE.toml")]
    config: Option<PathBuf>,
    /// Training episodes. [default: per model]
    #[arg(long)]
    episodes: Option<usize>,
    /// [default: 0]
    #[arg(long)]
    seed: Option<u64>,
    /// Run folder. [default: runs/deqn-MODEL-seedS]
    #[arg(long)]
    out: Option<PathBuf>,
    /// Continue from OUT/checkpoint.safetensors instead of starting afresh.
    #[arg(long)]
    resume: bool,
    /// Do not draw a progress bar.
    #[arg(long)]
    no_progress: bool,
}

#[derive(Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
struct ConfigFile {
    network: NetworkSection,
    training: TrainingSection,
    accuracy: AccuracySection,
    reference: ReferenceSection,
}

#[derive(Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
struct NetworkSection {
    hidden: Option<Vec<usize>>,
    activation: Option<String>,
}

#[derive(Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
struct TrainingSection {
    episodes: Option<usize>,
    paths: Option<usize>,
    periods: Option<usize>,
    /// "simulate", "box" or "mixed".
    sampling: Option<String>,
    /// Fraction of box states with sampling = "mixed".
    box_fraction: Option<f64>,
    epochs: Option<usize>,
    batch_size: Option<usize>,
    optimizer: Option<String>,
    lr: Option<f64>,
    /// "constant" or "cosine" (to min_lr over the episodes).
    schedule: Option<String>,
    min_lr: Option<f64>,
    /// "mse", "huber", "log_cosh" or "mae".
    loss: Option<String>,
    huber_delta: Option<f64>,
    weights: Option<Vec<f64>>,
    seed: Option<u64>,
    checkpoint_every: Option<usize>,
}

#[derive(Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
struct AccuracySection {
    periods: Option<usize>,
    burn_in: Option<usize>,
    box_points: Option<usize>,
    seed: Option<u64>,
}

#[derive(Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
struct ReferenceSection {
    nk: Option<usize>,
    nz: Option<usize>,
    nodes: Option<usize>,
}

/// The shipped models and their default settings (what `gradus deqn MODEL` runs).
fn model_and_defaults(name: &str) -> anyhow::Result<(Box<dyn Model>, ConfigFile)> {
    let mut d = ConfigFile::default();
    d.network.hidden = Some(vec![50, 50]);
    d.network.activation = Some("relu".into());
    let t = &mut d.training;
    t.optimizer = Some("adam".into());
    t.lr = Some(1e-3);
    t.loss = Some("mse".into());
    t.seed = Some(0);
    t.checkpoint_every = Some(500);
    t.paths = Some(64);
    t.epochs = Some(1);
    t.batch_size = Some(64);
    t.min_lr = Some(1e-6);
    let model: Box<dyn Model> = match name {
        "brock-mirman" => {
            // 64 box states per episode, 20 passes in batches of 16 (80 Adam steps), Adam
            // from 1e-3 with a cosine decay (at a constant 1e-3 Adam's steps stall near
            // 1e-7). 20 passes rather than 10: over seeds 0–2 the worst policy error fell
            // from 5e-5–9e-5 to 1e-5–6e-5, safely inside the 1e-4.
            t.episodes = Some(2000);
            t.periods = Some(1);
            t.sampling = Some("box".into());
            t.epochs = Some(20);
            t.batch_size = Some(16);
            t.schedule = Some("cosine".into());
            t.min_lr = Some(1e-7);
            Box::new(BrockMirman::default())
        }
        "brock-mirman-stochastic" | "brock-mirman-delta" | "growth-crra" => {
            // 64 paths × 8 periods per episode, a few box states mixed in.
            t.episodes = Some(2000);
            t.periods = Some(8);
            t.sampling = Some("mixed".into());
            t.schedule = Some("cosine".into());
            t.min_lr = Some(1e-7);
            if name == "brock-mirman-stochastic" {
                t.box_fraction = Some(0.02);
                t.epochs = Some(3);
            } else {
                t.box_fraction = Some(0.1);
                t.epochs = Some(2);
            }
            Box::new(match name {
                "brock-mirman-stochastic" => Growth::brock_mirman(),
                "brock-mirman-delta" => Growth::brock_mirman_delta(),
                _ => Growth::crra(),
            })
        }
        "olg" | "olg-analytic" => {
            // 64 paths × 8 periods per episode with a few box states mixed in; the policy
            // has five outputs, so 3 passes over each episode's states.
            t.episodes = Some(2000);
            t.periods = Some(8);
            t.sampling = Some("mixed".into());
            t.box_fraction = Some(0.05);
            t.epochs = Some(3);
            t.schedule = Some("cosine".into());
            t.min_lr = Some(1e-7);
            Box::new(if name == "olg" {
                Olg::krueger_kubler()
            } else {
                Olg::analytic()
            })
        }
        _ => bail!(
            "unknown model {name:?}; the models are {}",
            MODELS.map(|m| m.0).join(", ")
        ),
    };
    Ok((model, d))
}

impl ConfigFile {
    fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the config file {}", path.display()))?;
        toml::from_str(&text).map_err(|e| anyhow!(super::train_config::describe(path, &text, &e)))
    }

    /// Keys set in `self` win over those in `base`.
    fn over(self, b: ConfigFile) -> ConfigFile {
        let (n, t, a, r) = (self.network, self.training, self.accuracy, self.reference);
        let (bn, bt, ba, br) = (b.network, b.training, b.accuracy, b.reference);
        ConfigFile {
            network: NetworkSection {
                hidden: n.hidden.or(bn.hidden),
                activation: n.activation.or(bn.activation),
            },
            training: TrainingSection {
                episodes: t.episodes.or(bt.episodes),
                paths: t.paths.or(bt.paths),
                periods: t.periods.or(bt.periods),
                sampling: t.sampling.or(bt.sampling),
                box_fraction: t.box_fraction.or(bt.box_fraction),
                epochs: t.epochs.or(bt.epochs),
                batch_size: t.batch_size.or(bt.batch_size),
                optimizer: t.optimizer.or(bt.optimizer),
                lr: t.lr.or(bt.lr),
                schedule: t.schedule.or(bt.schedule),
                min_lr: t.min_lr.or(bt.min_lr),
                loss: t.loss.or(bt.loss),
                huber_delta: t.huber_delta.or(bt.huber_delta),
                weights: t.weights.or(bt.weights),
                seed: t.seed.or(bt.seed),
                checkpoint_every: t.checkpoint_every.or(bt.checkpoint_every),
            },
            accuracy: AccuracySection {
                periods: a.periods.or(ba.periods),
                burn_in: a.burn_in.or(ba.burn_in),
                box_points: a.box_points.or(ba.box_points),
                seed: a.seed.or(ba.seed),
            },
            reference: ReferenceSection {
                nk: r.nk.or(br.nk),
                nz: r.nz.or(br.nz),
                nodes: r.nodes.or(br.nodes),
            },
        }
    }
}

/// Turns the merged layers into library settings; every error names the config key.
fn settings(c: &ConfigFile) -> anyhow::Result<(DeqnConfig, AccuracyConfig, GridParams)> {
    let (n, t, a, r) = (&c.network, &c.training, &c.accuracy, &c.reference);
    let need = |v: Option<usize>, key: &str| -> anyhow::Result<usize> {
        match v {
            Some(0) => bail!("[training] {key} = 0: it must be at least 1"),
            Some(v) => Ok(v),
            None => bail!("[training] {key} is not set"),
        }
    };
    let act_name = n.activation.clone().unwrap_or_default();
    let activation = Activation::from_name(&act_name)
        .filter(|a| *a != Activation::Softmax)
        .with_context(|| format!("[network] activation {act_name:?} is not a hidden activation; use relu, tanh, sigmoid, elu, selu, swish, softplus or leaky_relu"))?;
    let lr = t.lr.unwrap_or(1e-3);
    if !(lr > 0.0 && lr.is_finite()) {
        bail!("[training] lr = {lr}: the learning rate must be a positive number");
    }
    let opt_name = t.optimizer.clone().unwrap_or_default();
    let optimizer = Optimizer::from_name(&opt_name, lr).with_context(|| {
        format!(
            "[training] optimizer {opt_name:?} is unknown; use one of {}",
            Optimizer::NAMES.join(", ")
        )
    })?;
    let episodes = need(t.episodes, "episodes / --episodes")?;
    let sampling = match t.sampling.as_deref().unwrap_or("simulate") {
        "simulate" => Sampling::Simulate,
        "box" => Sampling::Box,
        "mixed" => {
            let f = t.box_fraction.unwrap_or(0.1);
            if !(0.0..=1.0).contains(&f) {
                bail!("[training] box_fraction = {f}: it must be in [0, 1]");
            }
            Sampling::Mixed(f)
        }
        s => bail!("[training] sampling {s:?} is unknown; use \"simulate\", \"box\" or \"mixed\""),
    };
    let min_lr = t.min_lr.unwrap_or(1e-6);
    let schedule = match t.schedule.as_deref().unwrap_or("constant") {
        "constant" => Schedule::Constant,
        "cosine" => Schedule::Cosine {
            total: episodes,
            min_lr,
        },
        s => bail!("[training] schedule {s:?} is unknown; use \"constant\" or \"cosine\""),
    };
    let loss_name = t.loss.clone().unwrap_or_else(|| "mse".into());
    let kind = match Loss::from_name(&loss_name) {
        Some(Loss::Huber(_)) => Loss::Huber(t.huber_delta.unwrap_or(1.0)),
        Some(l @ (Loss::Mse | Loss::Mae | Loss::LogCosh)) => l,
        _ => {
            bail!("[training] loss {loss_name:?}: use \"mse\", \"mae\", \"huber\" or \"log_cosh\"")
        }
    };
    let hidden = n.hidden.clone().unwrap_or_else(|| vec![50, 50]);
    if hidden.is_empty() || hidden.contains(&0) {
        bail!("[network] hidden = {hidden:?}: give one or more positive widths, e.g. [50, 50]");
    }
    let deqn = DeqnConfig {
        hidden,
        activation,
        episodes,
        paths: need(t.paths, "paths")?,
        periods: need(t.periods, "periods")?,
        sampling,
        epochs: need(t.epochs, "epochs")?,
        batch_size: need(t.batch_size, "batch_size")?,
        optimizer,
        schedule,
        loss: ResidualLoss {
            kind,
            weights: t.weights.clone().unwrap_or_default(),
        },
        seed: t.seed.unwrap_or(0),
        progress: false,
        checkpoint_every: t.checkpoint_every.unwrap_or(0),
    };
    let ad = AccuracyConfig::default();
    let acc = AccuracyConfig {
        periods: a.periods.unwrap_or(ad.periods).max(1),
        burn_in: a.burn_in.unwrap_or(ad.burn_in),
        box_points: a.box_points.unwrap_or(ad.box_points).max(2),
        seed: a.seed.unwrap_or(ad.seed),
    };
    let gd = GridParams::default();
    let grid = GridParams {
        nk: r.nk.unwrap_or(gd.nk),
        nz: r.nz.unwrap_or(gd.nz),
        nodes: r.nodes.unwrap_or(gd.nodes),
        ..gd
    };
    Ok((deqn, acc, grid))
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let (model, defaults) = model_and_defaults(&args.model)?;
    let mut layers = match &args.config {
        Some(p) => ConfigFile::load(p)?.over(defaults),
        None => defaults,
    };
    if args.episodes.is_some() {
        layers.training.episodes = args.episodes;
    }
    if args.seed.is_some() {
        layers.training.seed = args.seed;
    }
    let (mut config, acc_cfg, grid) = settings(&layers)?;
    config.progress = !args.no_progress;
    config.validate(model.as_ref())?;
    let out = args.out.clone().unwrap_or_else(|| {
        PathBuf::from("runs").join(format!("deqn-{}-seed{}", args.model, config.seed))
    });
    std::fs::create_dir_all(&out)
        .with_context(|| format!("cannot create the run folder {}", out.display()))?;
    let toml_text = toml::to_string_pretty(&layers).context("serialising the settings")?;
    gradus::io::write_atomic(out.join("config.toml"), toml_text.as_bytes())
        .with_context(|| format!("cannot write {}", out.join("config.toml").display()))?;

    let ckpt = out.join("checkpoint.safetensors");
    let mut trainer = if args.resume {
        Trainer::resume(model.as_ref(), config.clone(), &ckpt)?
    } else {
        Trainer::new(model.as_ref(), config.clone())?
    };
    eprintln!(
        "deqn {}: {} episodes of {} states, network {:?} {}, {} lr {}",
        args.model,
        config.episodes,
        config.paths * config.periods,
        config.hidden,
        layers.network.activation.as_deref().unwrap_or(""),
        config.optimizer.name(),
        config.optimizer.lr()
    );
    trainer.run(Some(&ckpt), |_| {})?;
    gradus::io::save_model(&out.join("policy"), &trainer.policy.net, None, vec![])?;

    // Reference: closed form where the model has one, else the grid solution.
    let has_closed = model.closed_form(&model.start()).is_some();
    // The grid solver covers the growth family only; the OLG model reports Euler errors.
    let has_grid = matches!(args.model.as_str(), "brock-mirman-delta" | "growth-crra");
    let reference: Option<GridSolution> = if has_closed || !has_grid {
        None
    } else {
        let params = match args.model.as_str() {
            "brock-mirman-delta" => Growth::brock_mirman_delta().params,
            _ => Growth::crra().params,
        };
        eprintln!("grid reference: EGM on {} x {} points", grid.nk, grid.nz);
        Some(solve_egm(&params, &grid)?)
    };
    let ref_fn = |s: &[f64]| reference.as_ref().map(|g| vec![g.savings_rate(s[0], s[1])]);
    let acc = accuracy(
        model.as_ref(),
        &trainer.policy,
        &acc_cfg,
        reference
            .as_ref()
            .map(|_| &ref_fn as &dyn Fn(&[f64]) -> Option<Vec<f64>>),
    );
    write_metrics(&out, &args.model, &trainer, &acc, reference.as_ref())?;
    plots(&out, model.as_ref(), &trainer, &acc, reference.as_ref())?;
    print_summary(&out, &trainer, &acc);
    Ok(ExitCode::SUCCESS)
}

fn stats_json(s: &ErrorStats) -> serde_json::Value {
    serde_json::to_value(s).expect("numbers serialise")
}

fn write_metrics(
    out: &Path,
    name: &str,
    t: &Trainer<'_>,
    acc: &Accuracy,
    grid: Option<&GridSolution>,
) -> anyhow::Result<()> {
    let history: Vec<serde_json::Value> = t
        .history
        .iter()
        .map(|r| serde_json::json!({"episode": r.episode, "loss": r.loss, "lr": r.lr}))
        .collect();
    let (pn, _) = acc.path_states.shape().as_matrix();
    let range = |j: usize| {
        (0..pn)
            .map(|i| acc.path_states.at(i, j))
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            })
    };
    let reference = grid.map(|g| {
        let on = gradus::deqn::ErrorStats::of(&g.errors_on_grid());
        let ergodic = gradus::deqn::ErrorStats::of(&g.errors_on_grid_within(range(0), range(1)));
        let between = gradus::deqn::ErrorStats::of(&g.errors_between());
        serde_json::json!({
            "method": "endogenous grid method, linear interpolation, Gauss-Hermite",
            "nk": g.k.len(), "nz": g.log_z.len(), "iterations": g.iterations,
            "euler_errors_on_grid": stats_json(&on),
            "euler_errors_on_grid_in_ergodic_range": stats_json(&ergodic),
            "euler_errors_between_grid_points": stats_json(&between),
        })
    });
    let json = serde_json::json!({
        "model": name,
        "episodes": t.episode(),
        "final_loss": t.history.last().map(|r| r.loss),
        "final_log10_loss": t.history.last().map(|r| r.loss.log10()),
        "loss_history": history,
        "path": acc.path,
        "path_periods": acc.path_states.shape().as_matrix().0,
        "box": acc.box_,
        "reference": reference,
    });
    let text = serde_json::to_string_pretty(&json).expect("json") + "\n";
    gradus::io::write_atomic(out.join("metrics.json"), text.as_bytes())
        .with_context(|| format!("cannot write {}", out.join("metrics.json").display()))
}

fn plots(
    out: &Path,
    model: &dyn Model,
    t: &Trainer<'_>,
    acc: &Accuracy,
    grid: Option<&GridSolution>,
) -> anyhow::Result<()> {
    let loss: Vec<(f64, f64)> = t
        .history
        .iter()
        .map(|r| (r.episode as f64, r.loss.max(1e-300)))
        .collect();
    let loss_chart = Chart::new("training loss")
        .x_label("episode")
        .y_label("mean squared residual")
        .log_y()
        .line("loss", loss);
    loss_chart.save_png(out.join("loss.png"))?;

    // Policy against the reference along K (box states for one state variable, the
    // simulated path otherwise).
    let (states, policy) = if model.states().len() == 1 {
        (&acc.box_states, &acc.box_policy)
    } else {
        (&acc.path_states, &acc.path_policy)
    };
    let (n, d) = states.shape().as_matrix();
    let np = policy.shape().as_matrix().1;
    let mut net_pts = Vec::with_capacity(n);
    let mut ref_pts = Vec::with_capacity(n);
    let mut err_pts = Vec::with_capacity(n);
    for i in 0..n {
        let s = &states.data()[i * d..(i + 1) * d];
        net_pts.push((s[0], policy.data()[i * np]));
        let r = match grid {
            Some(g) => Some(vec![g.savings_rate(s[0], s[1])]),
            None => model.closed_form(s),
        };
        if let Some(r) = r {
            ref_pts.push((s[0], r[0]));
            err_pts.push((s[0], policy.data()[i * np] / r[0] - 1.0));
        }
    }
    let pname = model.policies()[0].0.clone();
    let mut policy_chart = Chart::new(format!("{pname}: network vs reference"))
        .x_label(model.states()[0].clone())
        .y_label(pname);
    if !ref_pts.is_empty() {
        policy_chart = policy_chart.points("reference", ref_pts);
    }
    policy_chart = policy_chart.points("network", net_pts);
    policy_chart.save_png(out.join("policy.png"))?;
    // The same comparison as a relative error: the two curves agree to 1e-4 or better,
    // which no axis of policy values can show.
    let error_chart = Chart::new("policy relative error (network / reference - 1)")
        .x_label(model.states()[0].clone())
        .y_label("relative error")
        .points("network", err_pts);
    error_chart.save_png(out.join("policy_error.png"))?;

    let (pn, pd) = acc.path_states.shape().as_matrix();
    let mut cloud_chart = Chart::new("ergodic set (simulated path)");
    if pd >= 2 {
        let cloud: Vec<(f64, f64)> = (0..pn)
            .map(|i| (acc.path_states.at(i, 1), acc.path_states.at(i, 0)))
            .collect();
        cloud_chart = cloud_chart
            .x_label(model.states()[1].clone())
            .y_label(model.states()[0].clone())
            .points("states", cloud);
    } else {
        let path: Vec<(f64, f64)> = (0..pn.min(200))
            .map(|i| (i as f64, acc.path_states.at(i, 0)))
            .collect();
        cloud_chart = cloud_chart
            .x_label("period")
            .y_label(model.states()[0].clone())
            .line("path", path);
    }
    cloud_chart.save_png(out.join("ergodic.png"))?;

    let errs: Vec<f64> = acc
        .path_residuals
        .data()
        .iter()
        .map(|v| v.abs().max(1e-18).log10())
        .collect();
    let box_errs: Vec<f64> = gradus::deqn::residuals(model, &t.policy, &acc.box_states)
        .data()
        .iter()
        .map(|v| v.abs().max(1e-18).log10())
        .collect();
    let hist_chart = Chart::new("log10 |Euler residual|")
        .x_label("log10 |residual|")
        .y_label("count")
        .histogram("simulated path", &errs, 40)
        .histogram("box", &box_errs, 40);
    hist_chart.save_png(out.join("errors.png"))?;
    save_grid(
        out.join("report.png"),
        &[
            loss_chart,
            policy_chart,
            error_chart,
            cloud_chart,
            hist_chart,
        ],
        2,
    )?;
    Ok(())
}

fn print_summary(out: &Path, t: &Trainer<'_>, acc: &Accuracy) {
    let last = t.history.last().map_or(f64::NAN, |r| r.loss);
    println!("final training loss {last:.3e} (log10 {:.2})", last.log10());
    for (label, e) in [("path", &acc.path), ("box", &acc.box_)] {
        for r in &e.residuals {
            println!(
                "{label:>4} {}: log10 mean squared {:.2}, |res| mean {:.2e} max {:.2e} p99 {:.2e}",
                r.name,
                r.mean_square.log10(),
                r.abs.mean,
                r.abs.max,
                r.abs.p99
            );
        }
        if let Some(p) = &e.policy {
            for r in p {
                println!(
                    "{label:>4} {} vs reference: relative error mean {:.2e} max {:.2e}",
                    r.name, r.abs.mean, r.abs.max
                );
            }
        }
        let means: Vec<String> = e.means.iter().map(|(k, v)| format!("{k} {v:.5}")).collect();
        println!("{label:>4} means: {}", means.join(", "));
    }
    println!("run folder: {}", out.display());
}
