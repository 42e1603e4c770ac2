//! `gradus train`: trains a feed-forward network on bundled data or a CSV file and reports
//! test accuracy (classification) or test MSE (regression).
//!
//! Settings come in layers: built-in defaults < `--config FILE.toml` < flags given on the
//! command line. The merged layers are turned into validated settings in one place
//! (`Settings::from_config`) before anything runs, so every mistake is reported up front, naming
//! the flag and the config key.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};

use super::train_config::{
    ConfigFile, DataSection, Dtype, ModelSection, Scale, TaskKind, TrainingSection,
};
pub use super::train_run::{train_run, RunOptions, CHECKPOINT_FILE};
pub use super::train_settings::Settings;

#[derive(clap::Args)]
pub struct Args {
    /// TOML file with [data], [model] and [training] sections (keys as in runs/NAME/config.toml);
    /// flags given on the command line override it.
    #[arg(long, value_name = "FILE.toml")]
    config: Option<PathBuf>,
    /// Bundled data set (digits, breast-cancer) or the path of a CSV file. [default: digits]
    #[arg(long)]
    data: Option<String>,
    /// CSV only: 0-based index of the target column. [default: the last column]
    #[arg(long)]
    target: Option<usize>,
    /// CSV only: number of header lines to skip. [default: 1]
    #[arg(long)]
    header: Option<usize>,
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
    /// Optimiser: sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw. [default: adam]
    #[arg(long)]
    optimizer: Option<String>,
    /// Learning rate. [default: 0.001]
    #[arg(long)]
    lr: Option<f64>,
    /// [default: 30]
    #[arg(long)]
    epochs: Option<usize>,
    /// [default: 32]
    #[arg(long)]
    batch_size: Option<usize>,
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
        Ok(ConfigFile {
            data: DataSection {
                source: self.data.clone(),
                target: self.target,
                header: self.header,
                task: self.task,
                split,
                scale: self.scale,
            },
            model: ModelSection {
                layers,
                hidden: self.hidden.clone(),
                dropout: self.dropout,
                l2: self.l2,
                dtype: self.dtype,
            },
            training: TrainingSection {
                optimizer: self.optimizer.clone(),
                lr: self.lr,
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
            let settings = Settings::from_config(ConfigFile::load(&config)?)?;
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
            let opts = RunOptions {
                runs: args.runs.clone(),
                name: args.name.clone(),
                progress: !args.no_progress,
                verbose: true,
                resume: false,
            };
            (Settings::from_config(flags.over(file))?, opts)
        }
    };
    train_run(&settings, &opts)?;
    Ok(ExitCode::SUCCESS)
}

/// Checks a layered config the way `gradus train` does before it trains; `gradus search` runs
/// this on every trial config so that a bad value fails the search before any trial runs.
pub(crate) fn check_config(config: ConfigFile) -> anyhow::Result<()> {
    Settings::from_config(config).map(|_| ())
}
