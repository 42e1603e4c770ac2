//! `gradus train`: trains a feed-forward network on bundled data or a CSV file and reports
//! test accuracy (classification) or test MSE (regression).
//!
//! Settings come in layers: built-in defaults < `--config FILE.toml` < flags given on the
//! command line. The merged layers are turned into validated settings in one place
//! (`Settings::from_config`) before anything runs, so every mistake is reported up front, naming
//! the flag and the config key.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};

use super::source::DataSource;
use super::train_config::{
    ConfigFile, DataSection, Dtype, ModelSection, Scale, TaskKind, TrainingSection,
};
use gradus::data::{MinMaxScaler, StandardScaler};
use gradus::io::{save_model, Scaling};
use gradus::nn::{Activation, Loss, Metrics, Mlp, MlpConfig, Penalty, Task};
use gradus::optim::Optimizer;
use gradus::train::{confusion_csv, confusion_matrix, fit, Batching, FitConfig, History};
use gradus::Float;

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
            },
        })
    }
}

/// The validated run: defaults < config file < flags, every value checked and parsed.
struct Settings {
    data: String,
    target: Option<usize>,
    header: usize,
    task: TaskKind,
    split: (f64, f64, f64),
    scale: Scale,
    hidden_sizes: Vec<usize>,
    hidden_name: String,
    hidden: Activation,
    dropout: f64,
    l2: f64,
    dtype: Dtype,
    optimizer_name: String,
    optimizer: Optimizer,
    lr: f64,
    epochs: usize,
    batch_size: usize,
    seed: u64,
}

impl Settings {
    /// Applies the defaults (the ones the flag help shows) to the merged file and flags, then
    /// checks everything; each error names the flag and the config key.
    fn from_config(c: ConfigFile) -> anyhow::Result<Self> {
        let (d, m, t) = (c.data, c.model, c.training);
        let hidden_sizes = m.layers.unwrap_or_else(|| vec![100, 30]);
        if hidden_sizes.contains(&0) {
            bail!("--layers / [model] layers {hidden_sizes:?}: widths must be positive");
        }
        let hidden_name = m.hidden.unwrap_or_else(|| "relu".into());
        let hidden = Activation::from_name(&hidden_name)
            .filter(|h| *h != Activation::Softmax)
            .with_context(|| format!("--hidden / [model] hidden {hidden_name:?} is not a hidden activation; use relu, tanh, sigmoid, elu, selu, swish, softplus or leaky_relu"))?;
        let optimizer_name = t.optimizer.unwrap_or_else(|| "adam".into());
        let lr = t.lr.unwrap_or(1e-3);
        let optimizer = Optimizer::from_name(&optimizer_name, lr).with_context(|| {
            format!(
                "--optimizer / [training] optimizer {optimizer_name:?} is unknown; use one of {}",
                Optimizer::NAMES.join(", ")
            )
        })?;
        if !(lr > 0.0 && lr.is_finite()) {
            bail!("--lr / [training] lr {lr} must be a positive number");
        }
        let (epochs, batch_size) = (t.epochs.unwrap_or(30), t.batch_size.unwrap_or(32));
        if epochs == 0 || batch_size == 0 {
            bail!("--epochs and --batch-size ([training] epochs, batch_size) must be at least 1");
        }
        let dropout = m.dropout.unwrap_or(0.0);
        if !(0.0..1.0).contains(&dropout) {
            bail!("--dropout / [model] dropout {dropout} must be in [0, 1)");
        }
        let split = d.split.unwrap_or_else(|| vec![0.8, 0.0, 0.2]);
        let [tr, va, te] = split[..] else {
            bail!("--split / [data] split {split:?}: give exactly three fractions (train, validation, test)");
        };
        Ok(Settings {
            data: d.source.unwrap_or_else(|| "digits".into()),
            target: d.target,
            header: d.header.unwrap_or(1),
            task: d.task.unwrap_or(TaskKind::Classification),
            split: (tr, va, te),
            scale: d.scale.unwrap_or(Scale::Minmax),
            hidden_sizes,
            hidden_name,
            hidden,
            dropout,
            l2: m.l2.unwrap_or(0.0),
            dtype: m.dtype.unwrap_or(Dtype::F32),
            optimizer_name,
            optimizer,
            lr,
            epochs,
            batch_size,
            seed: t.seed.unwrap_or(0),
        })
    }

    /// The resolved settings in the config-file layout, every key set.
    fn to_config(&self) -> ConfigFile {
        let (tr, va, te) = self.split;
        ConfigFile {
            data: DataSection {
                source: Some(self.data.clone()),
                target: self.target,
                header: Some(self.header),
                task: Some(self.task),
                split: Some(vec![tr, va, te]),
                scale: Some(self.scale),
            },
            model: ModelSection {
                layers: Some(self.hidden_sizes.clone()),
                hidden: Some(self.hidden_name.clone()),
                dropout: Some(self.dropout),
                l2: Some(self.l2),
                dtype: Some(self.dtype),
            },
            training: TrainingSection {
                optimizer: Some(self.optimizer_name.clone()),
                lr: Some(self.lr),
                epochs: Some(self.epochs),
                batch_size: Some(self.batch_size),
                seed: Some(self.seed),
            },
        }
    }
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let file = match &args.config {
        Some(path) => ConfigFile::load(path)?,
        None => ConfigFile::default(),
    };
    let settings = Settings::from_config(args.to_config()?.over(file))?;
    match settings.dtype {
        Dtype::F64 => train::<f64>(args, &settings),
        Dtype::F32 => train::<f32>(args, &settings),
    }
}

fn train<F: Float>(args: &Args, s: &Settings) -> anyhow::Result<ExitCode> {
    let source = DataSource {
        data: &s.data,
        target: s.target,
        header: s.header,
        regression: s.task == TaskKind::Regression,
    };
    let data = source.load::<F>()?;
    let (mut train, mut val, mut test) = data.split(s.split, s.seed)?;
    let scaling: Option<Scaling> = match s.scale {
        Scale::Minmax => Some((&MinMaxScaler::fit(&train.x)).into()),
        Scale::Standard => Some((&StandardScaler::fit(&train.x)).into()),
        Scale::None => None,
    };
    if let Some(sc) = &scaling {
        for d in [&mut train, &mut val, &mut test] {
            d.x = sc.apply(&d.x);
        }
    }
    let (output, loss) = match data.n_classes() {
        Some(_) => (Activation::Softmax, Loss::CategoricalCrossEntropy),
        None => (Activation::Identity, Loss::Mse),
    };
    let mut sizes = vec![data.n_features()];
    sizes.extend(&s.hidden_sizes);
    sizes.push(data.n_targets());
    let mut cfg = MlpConfig::new(&sizes, s.hidden, output, loss, s.seed);
    cfg.penalty = Penalty { l1: 0.0, l2: s.l2 };
    cfg.dropout = s.dropout;
    let mut net: Mlp<F> = cfg.build()?;
    let out = &mut std::io::stdout().lock();
    writeln!(
        out,
        "data: {} ({} rows: {} train, {} validation, {} test)",
        s.data,
        data.len(),
        train.len(),
        val.len(),
        test.len()
    )?;
    write!(out, "{}", net.summary())?;
    let fc = FitConfig {
        epochs: s.epochs,
        batching: Batching::Size(s.batch_size),
        optimizer: s.optimizer.clone(),
        seed: s.seed,
        progress: !args.no_progress,
        ..Default::default()
    };
    let validation = (!val.is_empty()).then_some(&val);
    let history = fit(&mut net, &train, validation, &fc, |_| {})?;
    let test_metrics = (!test.is_empty()).then(|| net.evaluate(&test));
    let run_dir = write_run(args, s, &net, scaling, &history, test_metrics)?;
    if let (Some(classes), false) = (data.n_classes(), test.is_empty()) {
        // Rows are true classes, columns predicted ones, on the test part.
        let truth = test.labels.clone().unwrap_or_else(|| test.y.argmax_rows());
        let matrix = confusion_matrix(&truth, &net.predict_classes(&test.x), classes);
        let path = run_dir.join("confusion_matrix.csv");
        std::fs::write(&path, confusion_csv(&matrix))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    if let Some(last) = history.last() {
        let mut line = format!("epoch {}: train loss {:.4}", last.epoch, last.train_loss);
        if let Some(a) = last.train_accuracy {
            line += &format!(", train accuracy {a:.4}");
        }
        if let (Some(l), Some(a)) = (last.val_loss, last.val_accuracy) {
            line += &format!(", validation loss {l:.4}, accuracy {a:.4}");
        }
        writeln!(out, "{line}")?;
    }
    writeln!(out, "run folder: {}", run_dir.display())?;
    let Some(m) = test_metrics else {
        return Ok(ExitCode::SUCCESS);
    };
    match (net.task(), m.accuracy) {
        (Task::Regression, _) | (_, None) => {
            writeln!(out, "test loss ({}): {:.6}", net.cost().name(), m.loss)?
        }
        (_, Some(acc)) => {
            let hits = (acc * test.len() as f64).round() as usize;
            writeln!(
                out,
                "test accuracy: {acc:.4} ({hits}/{}), test loss {:.4}",
                test.len(),
                m.loss
            )?
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes `runs/<name>/`: the resolved settings, the per-epoch history and test metrics, and
/// the model (safetensors + JSON, with its scaling).
fn write_run<F: Float>(
    args: &Args,
    s: &Settings,
    net: &Mlp<F>,
    scaling: Option<Scaling>,
    history: &History,
    test: Option<Metrics>,
) -> anyhow::Result<PathBuf> {
    let name = args.name.clone().unwrap_or_else(|| {
        let stem = PathBuf::from(&s.data)
            .file_stem()
            .map_or("run".into(), |s| s.to_string_lossy().into_owned());
        format!("{stem}-seed{}", s.seed)
    });
    let dir = args.runs.join(name);
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create the run folder {}", dir.display()))?;
    let config = serde_json::json!({
        "data": s.data, "target": s.target, "header": s.header, "task": s.task,
        "layers": s.hidden_sizes, "hidden": s.hidden_name, "optimizer": s.optimizer_name,
        "lr": s.lr, "epochs": s.epochs, "batch_size": s.batch_size, "l2": s.l2,
        "dropout": s.dropout, "split": [s.split.0, s.split.1, s.split.2], "scale": s.scale,
        "seed": s.seed, "dtype": s.dtype,
        "parameters": net.param_count(),
    });
    let epochs: Vec<_> = history
        .epochs
        .iter()
        .map(|r| {
            serde_json::json!({
                "epoch": r.epoch, "train_loss": r.train_loss, "train_accuracy": r.train_accuracy,
                "val_loss": r.val_loss, "val_accuracy": r.val_accuracy, "lr": r.lr,
            })
        })
        .collect();
    let metrics = serde_json::json!({
        "history": epochs,
        "best_epoch": history.best_epoch,
        "stopped_early": history.stopped_early,
        "test": test.map(|m| serde_json::json!({ "loss": m.loss, "accuracy": m.accuracy })),
    });
    for (file, value) in [("config.json", &config), ("metrics.json", &metrics)] {
        let path = dir.join(file);
        std::fs::write(&path, serde_json::to_string_pretty(value)? + "\n")
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    let path = dir.join("config.toml");
    let toml = toml::to_string(&s.to_config()).context("cannot write the settings as TOML")?;
    std::fs::write(
        &path,
        format!(
            "# Resolved settings of this run; repeat it with `gradus train --config {}`.\n\n{toml}",
            path.display()
        ),
    )
    .with_context(|| format!("cannot write {}", path.display()))?;
    save_model(&dir.join("model"), net, scaling, vec![])?;
    Ok(dir)
}

/// Checks a layered config the way `gradus train` does before it trains; `gradus search` runs
/// this on every trial config so that a bad value fails the search before any trial runs.
pub(crate) fn check_config(config: ConfigFile) -> anyhow::Result<()> {
    Settings::from_config(config).map(|_| ())
}
