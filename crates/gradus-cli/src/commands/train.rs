//! `gradus train`: trains a feed-forward network on bundled data or a CSV file and reports
//! test accuracy (classification) or test MSE (regression).
//!
//! Settings come in layers: built-in defaults < `--config FILE.toml` < flags given on the
//! command line. The merged layers are turned into validated settings in one place
//! (`Settings::from_config`) before anything runs, so every mistake is reported up front, naming
//! the flag and the config key.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};

use super::train_config::{
    line_of, Columns, ConfigFile, DataSection, Dtype, ModelSection, Scale, TaskKind,
    TrainingSection,
};
pub use super::train_run::{train_run, RunOptions, CHECKPOINT_FILE};
use super::train_settings::KeyError;
pub use super::train_settings::Settings;

/// A boolean flag: `--batch-norm` alone means true, `--batch-norm false` turns off what a
/// config file turned on.
const BOOL: &str = "true";

#[derive(clap::Args)]
pub struct Args {
    /// TOML file with [data], [model] and [training] sections (keys as in runs/NAME/config.toml);
    /// flags given on the command line override it.
    #[arg(long, value_name = "FILE.toml")]
    config: Option<PathBuf>,
    /// Bundled data set (digits, breast-cancer) or the path of a CSV file. [default: digits]
    #[arg(long)]
    data: Option<String>,
    /// CSV only: target column(s), by 0-based index or header name, comma-separated (several
    /// for multi-output regression). [default: the last column]
    #[arg(long, value_name = "COLS")]
    target: Option<String>,
    /// CSV only: feature columns, by 0-based index or header name, comma-separated.
    /// [default: every column but the target]
    #[arg(long, value_name = "COLS")]
    features: Option<String>,
    /// CSV only: number of header lines to skip (the last one names the columns). [default: 1]
    #[arg(long)]
    header: Option<usize>,
    /// CSV only: the field separator (",", ";", "tab", "|"). [default: ,]
    #[arg(long)]
    delimiter: Option<String>,
    /// CSV only: what the target is. [default: classification]
    #[arg(long, value_enum)]
    task: Option<TaskKind>,
    /// Hidden layer widths, comma-separated (empty for none: logistic/linear regression).
    /// [default: 100,30]
    #[arg(long)]
    layers: Option<String>,
    /// Hidden activation (relu, tanh, sigmoid, elu, selu, swish, softplus, leaky_relu).
    /// [default: relu]
    #[arg(long)]
    hidden: Option<String>,
    /// Output activation. [default: softmax for classification (sigmoid with
    /// binary_cross_entropy), identity for regression]
    #[arg(long)]
    output: Option<String>,
    /// Loss: categorical_cross_entropy, binary_cross_entropy, mse, mae, huber, log_cosh.
    /// [default: categorical_cross_entropy for classification, mse for regression]
    #[arg(long)]
    loss: Option<String>,
    /// δ of the Huber loss. [default: 1]
    #[arg(long)]
    huber_delta: Option<f64>,
    /// Weight initialiser: glorot_uniform, glorot_normal, he_uniform, he_normal,
    /// lecun_uniform, lecun_normal, normal, uniform. [default: auto, by the hidden activation]
    #[arg(long)]
    init: Option<String>,
    /// Batch normalisation before every hidden activation. [default: false]
    #[arg(long, num_args = 0..=1, default_missing_value = BOOL, value_name = "BOOL")]
    batch_norm: Option<bool>,
    /// Optimiser: sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw. [default: adam]
    #[arg(long)]
    optimizer: Option<String>,
    /// Learning rate. [default: 0.001]
    #[arg(long)]
    lr: Option<f64>,
    /// Momentum μ (sgd, momentum, nesterov, adagrad). [default: 0.9; sgd and adagrad 0]
    #[arg(long)]
    momentum: Option<f64>,
    /// Nesterov momentum (sgd, momentum). [default: false]
    #[arg(long, num_args = 0..=1, default_missing_value = BOOL, value_name = "BOOL")]
    nesterov: Option<bool>,
    /// RMSprop's decay ρ. [default: 0.9]
    #[arg(long)]
    rho: Option<f64>,
    /// Adam/AdamW β₁. [default: 0.9]
    #[arg(long = "beta-1")]
    beta_1: Option<f64>,
    /// Adam/AdamW β₂. [default: 0.999]
    #[arg(long = "beta-2")]
    beta_2: Option<f64>,
    /// ε of adagrad, rmsprop, adam, adamw. [default: 1e-10 adagrad, 1e-8 otherwise]
    #[arg(long)]
    epsilon: Option<f64>,
    /// AdamW's decoupled weight decay λ. [default: 0.01]
    #[arg(long)]
    weight_decay: Option<f64>,
    /// Learning-rate schedule, per epoch: constant, step, exponential, inverse_time, cosine.
    /// [default: constant]
    #[arg(long)]
    schedule: Option<String>,
    /// Step schedule: epochs between decays.
    #[arg(long)]
    step_size: Option<usize>,
    /// Step and exponential schedules: the factor per decay (step) or per epoch. [step: 0.1]
    #[arg(long)]
    gamma: Option<f64>,
    /// Inverse-time schedule: lr / (1 + decay_rate · epoch).
    #[arg(long)]
    decay_rate: Option<f64>,
    /// Cosine schedule: epochs over which the rate falls to min_lr. [default: all epochs]
    #[arg(long)]
    decay_epochs: Option<usize>,
    /// Cosine schedule: the final rate. [default: 0]
    #[arg(long)]
    min_lr: Option<f64>,
    /// Clip the gradients' global norm to this value.
    #[arg(long)]
    clip_norm: Option<f64>,
    /// Clip every gradient component to [−c, c].
    #[arg(long)]
    clip_value: Option<f64>,
    /// Early stopping: epochs without a better validation loss before training stops
    /// (needs a validation fraction in --split). [default: off]
    #[arg(long)]
    patience: Option<usize>,
    /// Early stopping: the least decrease of the validation loss that counts. [default: 0]
    #[arg(long)]
    min_delta: Option<f64>,
    /// Early stopping: end with the weights of the best epoch. [default: true]
    #[arg(long, num_args = 0..=1, default_missing_value = BOOL, value_name = "BOOL")]
    restore_best_weights: Option<bool>,
    /// [default: 30]
    #[arg(long)]
    epochs: Option<usize>,
    /// [default: 32]
    #[arg(long)]
    batch_size: Option<usize>,
    /// L1 penalty on the weights. [default: 0]
    #[arg(long)]
    l1: Option<f64>,
    /// L2 penalty λ on the weights. [default: 0]
    #[arg(long)]
    l2: Option<f64>,
    /// Dropout rate after each hidden activation. [default: 0]
    #[arg(long)]
    dropout: Option<f64>,
    /// Train/validation/test fractions, comma-separated. [default: 0.8,0,0.2]
    #[arg(long)]
    split: Option<String>,
    /// Feature scaling fitted on the training rows. [default: minmax]
    #[arg(long, value_enum)]
    scale: Option<Scale>,
    /// [default: 0]
    #[arg(long)]
    seed: Option<u64>,
    /// [default: f32]
    #[arg(long, value_enum)]
    dtype: Option<Dtype>,
    /// Do not draw a progress bar.
    #[arg(long)]
    no_progress: bool,
    /// Folder that holds run folders.
    #[arg(long, default_value = "runs")]
    runs: PathBuf,
    /// Name of this run's folder (default: DATA-seedSEED).
    #[arg(long)]
    name: Option<String>,
    /// Save a checkpoint (runs/NAME/checkpoint.safetensors) every N epochs, so that a killed
    /// run can continue with --resume. [default: 0, none]
    #[arg(long, value_name = "N")]
    checkpoint_every: Option<usize>,
    /// Continue the run in this folder from its last checkpoint, with the settings it was
    /// started with; it finishes as the uninterrupted run would have.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["config", "name"])]
    resume: Option<PathBuf>,
}

impl Args {
    /// The flags given on the command line, as a config layer (unset flags stay `None`).
    fn to_config(&self) -> anyhow::Result<ConfigFile> {
        let layers = self
            .layers
            .as_ref()
            .map(|l| {
                l.split(',')
                    .filter(|s| !s.trim().is_empty())
                    .map(|s| s.trim().parse::<usize>().ok().filter(|&n| n > 0))
                    .collect::<Option<Vec<_>>>()
                    .with_context(|| {
                        format!(
                            "--layers {l:?}: give positive widths separated by commas, e.g. 100,30"
                        )
                    })
            })
            .transpose()?;
        let split = self
            .split
            .as_ref()
            .map(|sp| {
                sp.split(',')
                    .map(|s| s.trim().parse::<f64>())
                    .collect::<Result<Vec<_>, _>>()
                    .with_context(|| {
                        format!("--split {sp:?}: give three fractions, e.g. 0.7,0.1,0.2")
                    })
            })
            .transpose()?;
        let columns = |flag: &str, v: &Option<String>| {
            v.as_ref().map(|t| Columns::parse_flag(flag, t)).transpose()
        };
        Ok(ConfigFile {
            data: DataSection {
                source: self.data.clone(),
                target: columns("--target", &self.target)?,
                features: columns("--features", &self.features)?,
                header: self.header,
                delimiter: self.delimiter.clone(),
                task: self.task,
                split,
                scale: self.scale,
            },
            model: ModelSection {
                layers,
                hidden: self.hidden.clone(),
                output: self.output.clone(),
                loss: self.loss.clone(),
                huber_delta: self.huber_delta,
                init: self.init.clone(),
                batch_norm: self.batch_norm,
                dropout: self.dropout,
                l1: self.l1,
                l2: self.l2,
                dtype: self.dtype,
            },
            training: TrainingSection {
                optimizer: self.optimizer.clone(),
                lr: self.lr,
                momentum: self.momentum,
                nesterov: self.nesterov,
                rho: self.rho,
                beta_1: self.beta_1,
                beta_2: self.beta_2,
                epsilon: self.epsilon,
                weight_decay: self.weight_decay,
                schedule: self.schedule.clone(),
                step_size: self.step_size,
                gamma: self.gamma,
                decay_rate: self.decay_rate,
                decay_epochs: self.decay_epochs,
                min_lr: self.min_lr,
                clip_norm: self.clip_norm,
                clip_value: self.clip_value,
                patience: self.patience,
                min_delta: self.min_delta,
                restore_best_weights: self.restore_best_weights,
                epochs: self.epochs,
                batch_size: self.batch_size,
                seed: self.seed,
                checkpoint_every: self.checkpoint_every,
            },
        })
    }
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let flags = args.to_config()?;
    let (settings, opts) = match &args.resume {
        Some(dir) => {
            let given = toml::to_string(&flags).unwrap_or_default();
            if !given
                .trim()
                .lines()
                .all(|l| l.starts_with('[') || l.is_empty())
            {
                bail!(
                    "--resume {} continues a run with the settings it started with (its \
                     config.toml); drop the other training flags, or start a new run",
                    dir.display()
                );
            }
            let config = dir.join("config.toml");
            if !dir.join(CHECKPOINT_FILE).exists() {
                bail!(
                    "--resume {}: no {CHECKPOINT_FILE} there; pass the folder of a run started \
                     with --checkpoint-every N that wrote at least one checkpoint",
                    dir.display()
                );
            }
            let file = ConfigFile::load(&config)?;
            let settings = Settings::from_config(file.clone())
                .map_err(|e| in_file(e, &config, &file, &ConfigFile::default()))?;
            let name = dir.file_name().map(|n| n.to_string_lossy().into_owned());
            let runs = dir.parent().map_or(PathBuf::from("."), PathBuf::from);
            let opts = RunOptions {
                runs,
                name,
                progress: !args.no_progress,
                verbose: true,
                resume: true,
            };
            (settings, opts)
        }
        None => {
            let file = match &args.config {
                Some(path) => ConfigFile::load(path)?,
                None => ConfigFile::default(),
            };
            let settings =
                Settings::from_config(flags.clone().over(file.clone())).map_err(|e| match &args
                    .config
                {
                    Some(path) => in_file(e, path, &file, &flags),
                    None => e,
                })?;
            let opts = RunOptions {
                runs: args.runs.clone(),
                name: args.name.clone(),
                progress: !args.no_progress,
                verbose: true,
                resume: false,
            };
            (settings, opts)
        }
    };
    train_run(&settings, &opts)?;
    Ok(ExitCode::SUCCESS)
}

/// Puts the config file and line in front of a bad value's message when the value came from
/// the file (set there, and not overridden by a flag).
fn in_file(e: anyhow::Error, path: &Path, file: &ConfigFile, flags: &ConfigFile) -> anyhow::Error {
    let Some(k) = e.downcast_ref::<KeyError>() else {
        return e;
    };
    if flags.has(k.section, k.key) || !file.has(k.section, k.key) {
        return e;
    }
    let line = std::fs::read_to_string(path)
        .ok()
        .and_then(|text| line_of(&text, k.section, k.key))
        .map_or(String::new(), |l| format!(", line {l}"));
    anyhow::anyhow!("{}{line}: {e}", path.display())
}

/// Checks a layered config the way `gradus train` does before it trains; `gradus search` runs
/// this on every trial config so that a bad value fails the search before any trial runs.
pub(crate) fn check_config(config: ConfigFile) -> anyhow::Result<()> {
    Settings::from_config(config).map(|_| ())
}
