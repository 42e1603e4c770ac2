//! `gradus train`: trains a feed-forward network on bundled data or a CSV file and reports
//! test accuracy (classification) or test MSE (regression).
//!
//! Raw flags are turned into validated settings in one place (`Settings::from_args`) before
//! anything runs, so every mistake is reported up front, naming the flag.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};

use super::source::DataSource;
use gradus::data::{MinMaxScaler, StandardScaler};
use gradus::io::{save_model, Scaling};
use gradus::nn::{Activation, Loss, Metrics, Mlp, MlpConfig, Penalty, Task};
use gradus::optim::Optimizer;
use gradus::train::{fit, Batching, FitConfig, History};
use gradus::Float;

#[derive(clap::Args)]
pub struct Args {
    /// Bundled data set (digits, breast-cancer) or the path of a CSV file.
    #[arg(long, default_value = "digits")]
    data: String,
    /// CSV only: 0-based index of the target column (default: the last column).
    #[arg(long)]
    target: Option<usize>,
    /// CSV only: number of header lines to skip.
    #[arg(long, default_value_t = 1)]
    header: usize,
    /// CSV only: what the target is.
    #[arg(long, default_value = "classification", value_parser = ["classification", "regression"])]
    task: String,
    /// Hidden layer widths, comma-separated (empty for none: logistic/linear regression).
    #[arg(long, default_value = "100,30")]
    layers: String,
    /// Hidden activation (relu, tanh, sigmoid, elu, selu, swish, softplus, leaky_relu).
    #[arg(long, default_value = "relu")]
    hidden: String,
    /// Optimiser: sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw.
    #[arg(long, default_value = "adam")]
    optimizer: String,
    #[arg(long, default_value_t = 1e-3)]
    lr: f64,
    #[arg(long, default_value_t = 30)]
    epochs: usize,
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    /// L2 penalty λ on the weights.
    #[arg(long, default_value_t = 0.0)]
    l2: f64,
    /// Dropout rate after each hidden activation.
    #[arg(long, default_value_t = 0.0)]
    dropout: f64,
    /// Train/validation/test fractions, comma-separated.
    #[arg(long, default_value = "0.8,0,0.2")]
    split: String,
    /// Feature scaling fitted on the training rows: minmax, standard or none.
    #[arg(long, default_value = "minmax", value_parser = ["minmax", "standard", "none"])]
    scale: String,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    #[arg(long, default_value = "f32", value_parser = ["f32", "f64"])]
    dtype: String,
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

/// The validated run: every flag checked and parsed.
struct Settings {
    hidden_sizes: Vec<usize>,
    hidden: Activation,
    optimizer: Optimizer,
    split: (f64, f64, f64),
}

impl Settings {
    fn from_args(a: &Args) -> anyhow::Result<Self> {
        let hidden_sizes = a
            .layers
            .split(',')
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.trim().parse::<usize>().ok().filter(|&n| n > 0))
            .collect::<Option<Vec<_>>>()
            .with_context(|| {
                format!(
                    "--layers {:?}: give positive widths separated by commas, e.g. 100,30",
                    a.layers
                )
            })?;
        let hidden = Activation::from_name(&a.hidden)
            .filter(|h| *h != Activation::Softmax)
            .with_context(|| format!("--hidden {:?} is not a hidden activation; use relu, tanh, sigmoid, elu, selu, swish, softplus or leaky_relu", a.hidden))?;
        let optimizer = Optimizer::from_name(&a.optimizer, a.lr).with_context(|| {
            format!(
                "--optimizer {:?} is unknown; use one of {}",
                a.optimizer,
                Optimizer::NAMES.join(", ")
            )
        })?;
        if !(a.lr > 0.0 && a.lr.is_finite()) {
            bail!("--lr {} must be a positive number", a.lr);
        }
        if a.epochs == 0 || a.batch_size == 0 {
            bail!("--epochs and --batch-size must be at least 1");
        }
        if !(0.0..1.0).contains(&a.dropout) {
            bail!("--dropout {} must be in [0, 1)", a.dropout);
        }
        let parts: Vec<f64> = a
            .split
            .split(',')
            .map(|s| s.trim().parse::<f64>())
            .collect::<Result<_, _>>()
            .with_context(|| {
                format!(
                    "--split {:?}: give three fractions, e.g. 0.7,0.1,0.2",
                    a.split
                )
            })?;
        let [tr, va, te] = parts[..] else {
            bail!(
                "--split {:?}: give exactly three fractions (train, validation, test)",
                a.split
            );
        };
        Ok(Settings {
            hidden_sizes,
            hidden,
            optimizer,
            split: (tr, va, te),
        })
    }
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let settings = Settings::from_args(args)?;
    match args.dtype.as_str() {
        "f64" => train::<f64>(args, &settings),
        _ => train::<f32>(args, &settings),
    }
}

fn train<F: Float>(args: &Args, s: &Settings) -> anyhow::Result<ExitCode> {
    let source = DataSource {
        data: &args.data,
        target: args.target,
        header: args.header,
        regression: args.task == "regression",
    };
    let data = source.load::<F>()?;
    let (mut train, mut val, mut test) = data.split(s.split, args.seed)?;
    let scaling: Option<Scaling> = match args.scale.as_str() {
        "minmax" => Some((&MinMaxScaler::fit(&train.x)).into()),
        "standard" => Some((&StandardScaler::fit(&train.x)).into()),
        _ => None,
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
    let mut cfg = MlpConfig::new(&sizes, s.hidden, output, loss, args.seed);
    cfg.penalty = Penalty {
        l1: 0.0,
        l2: args.l2,
    };
    cfg.dropout = args.dropout;
    let mut net: Mlp<F> = cfg.build()?;
    let out = &mut std::io::stdout().lock();
    writeln!(
        out,
        "data: {} ({} rows: {} train, {} validation, {} test)",
        args.data,
        data.len(),
        train.len(),
        val.len(),
        test.len()
    )?;
    write!(out, "{}", net.summary())?;
    let fc = FitConfig {
        epochs: args.epochs,
        batching: Batching::Size(args.batch_size),
        optimizer: s.optimizer.clone(),
        seed: args.seed,
        progress: !args.no_progress,
        ..Default::default()
    };
    let validation = (!val.is_empty()).then_some(&val);
    let history = fit(&mut net, &train, validation, &fc, |_| {})?;
    let test_metrics = (!test.is_empty()).then(|| net.evaluate(&test));
    let run_dir = write_run(args, &net, scaling, &history, test_metrics)?;
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
    net: &Mlp<F>,
    scaling: Option<Scaling>,
    history: &History,
    test: Option<Metrics>,
) -> anyhow::Result<PathBuf> {
    let name = args.name.clone().unwrap_or_else(|| {
        let stem = PathBuf::from(&args.data)
            .file_stem()
            .map_or("run".into(), |s| s.to_string_lossy().into_owned());
        format!("{stem}-seed{}", args.seed)
    });
    let dir = args.runs.join(name);
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create the run folder {}", dir.display()))?;
    let config = serde_json::json!({
        "data": args.data, "target": args.target, "header": args.header, "task": args.task,
        "layers": args.layers, "hidden": args.hidden, "optimizer": args.optimizer, "lr": args.lr,
        "epochs": args.epochs, "batch_size": args.batch_size, "l2": args.l2, "dropout": args.dropout,
        "split": args.split, "scale": args.scale, "seed": args.seed, "dtype": args.dtype,
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
    save_model(&dir.join("model"), net, scaling, vec![])?;
    Ok(dir)
}
