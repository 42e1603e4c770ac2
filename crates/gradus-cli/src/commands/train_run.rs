//! One training run from resolved [`Settings`]: data, split, scaling, network, `fit` with
//! checkpoints and TensorBoard events, then the run folder. `gradus train` calls it once,
//! `gradus search` once per trial; neither needs to know how a run folder is laid out.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use gradus::data::{MinMaxScaler, StandardScaler};
use gradus::io::Scaling;
use gradus::nn::{Metrics, Mlp, MlpConfig, Penalty};
use gradus::report::{EventWriter, Scalar};
use gradus::train::{fit_with_checkpoints, Batching, Checkpoint, FitConfig, History};
use gradus::Float;

use super::run_folder::{self, RunFolder};
use super::source::DataSource;
use super::train_config::{Dtype, Scale, TaskKind};
use super::train_settings::Settings;

/// The checkpoint file in a run folder.
pub const CHECKPOINT_FILE: &str = "checkpoint.safetensors";

/// Where a run goes and how much it says.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// The folder that holds run folders (`--runs`).
    pub runs: PathBuf,
    /// The run folder's name (default DATA-seedSEED).
    pub name: Option<String>,
    /// Draw a progress bar on the terminal.
    pub progress: bool,
    /// Print the data, the network, the last epoch and the test result to stdout.
    pub verbose: bool,
    /// Continue from the run folder's checkpoint instead of starting afresh.
    pub resume: bool,
}

/// What a finished run gives back (`gradus search` ranks trials by it; `gradus train`
/// prints from the run itself, hence the allowance until every field has a reader).
#[allow(dead_code)]
#[derive(Clone, Debug)]
pub struct RunOutcome {
    pub dir: PathBuf,
    pub history: History,
    /// Metrics of the final model on the validation part (None when it is empty).
    pub validation: Option<Metrics>,
    /// Metrics of the final model on the test part (None when it is empty).
    pub test: Option<Metrics>,
    pub parameters: usize,
    /// Rows in the train, validation and test parts.
    pub rows: (usize, usize, usize),
}

/// The run folder `runs/<name>` these options and settings give.
pub fn run_dir(s: &Settings, opts: &RunOptions) -> PathBuf {
    let name = opts.name.clone().unwrap_or_else(|| {
        let stem = PathBuf::from(&s.data)
            .file_stem()
            .map_or("run".into(), |s| s.to_string_lossy().into_owned());
        format!("{stem}-seed{}", s.optim.seed)
    });
    opts.runs.join(name)
}

/// Trains one network as `s` says and writes its run folder.
pub fn train_run(s: &Settings, opts: &RunOptions) -> anyhow::Result<RunOutcome> {
    match s.dtype {
        Dtype::F64 => train_typed::<f64>(s, opts),
        Dtype::F32 => train_typed::<f32>(s, opts),
    }
}

fn train_typed<F: Float>(s: &Settings, opts: &RunOptions) -> anyhow::Result<RunOutcome> {
    let source = DataSource {
        data: &s.data,
        target: s.target.as_ref(),
        features: s.features.as_ref(),
        header: s.header,
        delimiter: s.delimiter,
        regression: s.task == TaskKind::Regression,
        classes: None,
    };
    let data = source.load::<F>()?;
    let (mut train, mut val, mut test) = data.split(s.split, s.optim.seed)?;
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
    let mut sizes = vec![data.n_features()];
    sizes.extend(&s.hidden_sizes);
    sizes.push(data.n_targets());
    let mut cfg = MlpConfig::new(&sizes, s.hidden, s.output, s.loss, s.optim.seed);
    cfg.weight_init = Some(s.init);
    cfg.penalty = Penalty { l1: s.l1, l2: s.l2 };
    cfg.dropout = s.dropout;
    cfg.batch_norm = s.batch_norm;
    let mut net: Mlp<F> = cfg.build()?;

    let dir = run_dir(s, opts);
    let folder = RunFolder::create(&dir, s, net.param_count())?;
    let settings_toml = run_folder::settings_toml(s)?;
    let checkpoint_path = dir.join(CHECKPOINT_FILE);
    let resume = if opts.resume {
        let c = Checkpoint::<F>::load(&checkpoint_path)?;
        if c.extra.get("config") != Some(&settings_toml) {
            anyhow::bail!(
                "{}: the checkpoint was written with other settings than {}; restore that file \
                 or start a new run",
                checkpoint_path.display(),
                dir.join("config.toml").display()
            );
        }
        Some(c)
    } else {
        // A fresh run under an old name must not be resumable from the old checkpoint.
        remove_if_present(&checkpoint_path)?;
        None
    };

    if opts.verbose {
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
        if let Some(c) = &resume {
            writeln!(
                out,
                "resuming after epoch {} of {} from {}",
                c.epoch,
                s.optim.epochs,
                checkpoint_path.display()
            )?;
        }
    }

    // TensorBoard: one event file per run folder, rewritten from the checkpoint's history on
    // resume so that epochs logged after the checkpoint by the killed process do not appear
    // twice.
    run_folder::remove_event_files(&dir)?;
    let mut events = EventWriter::create(&dir).with_context(|| {
        format!(
            "cannot create a TensorBoard event file in {}",
            dir.display()
        )
    })?;
    let mut event_error: Option<std::io::Error> = None;
    let mut log_epoch = |r: &gradus::train::EpochRecord| {
        if event_error.is_none() {
            event_error = events.scalars(r.epoch as u64, &scalars(r)).err();
        }
    };
    if let Some(c) = &resume {
        c.history.epochs.iter().for_each(&mut log_epoch);
    }

    let o = &s.optim;
    let fc = FitConfig {
        epochs: o.epochs,
        batching: Batching::Size(o.batch_size),
        optimizer: o.optimizer.clone(),
        schedule: o.schedule.clone(),
        clip: o.clip,
        seed: o.seed,
        early_stopping: o.early_stopping,
        progress: opts.progress,
        // One tape per step: `gradus train` results stay what they were before data-parallel
        // steps existed (a different shard count changes the rounding of every step).
        shards: 1,
    };
    let validation = (!val.is_empty()).then_some(&val);
    let save = |mut c: Checkpoint<F>| {
        c.extra.insert("config".into(), settings_toml.clone());
        c.save(&checkpoint_path)
    };
    let history = fit_with_checkpoints(
        &mut net,
        &train,
        validation,
        &fc,
        resume,
        o.checkpoint_every,
        save,
        log_epoch,
    )?;
    if let Some(e) = event_error {
        return Err(e).context(format!("cannot write {}", events.path().display()));
    }

    let val_metrics = (!val.is_empty()).then(|| net.evaluate(&val));
    let test_metrics = (!test.is_empty()).then(|| net.evaluate(&test));
    folder.write_results(&net, scaling, &history, test_metrics, &test)?;
    if opts.verbose {
        run_folder::print_summary(&net, &history, &dir, test_metrics, test.len())?;
    }
    Ok(RunOutcome {
        dir,
        history,
        validation: val_metrics,
        test: test_metrics,
        parameters: net.param_count(),
        rows: (train.len(), val.len(), test.len()),
    })
}

/// The scalars TensorBoard shows for one epoch.
fn scalars(r: &gradus::train::EpochRecord) -> Vec<Scalar<'static>> {
    let mut v = vec![
        Scalar {
            tag: "loss/train",
            value: r.train_loss,
        },
        Scalar {
            tag: "learning_rate",
            value: r.lr,
        },
    ];
    let optional = [
        ("loss/validation", r.val_loss),
        ("accuracy/train", r.train_accuracy),
        ("accuracy/validation", r.val_accuracy),
    ];
    for (tag, value) in optional {
        if let Some(value) = value {
            v.push(Scalar { tag, value });
        }
    }
    v
}

fn remove_if_present(path: &Path) -> anyhow::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("cannot remove the old {}", path.display()))
        }
        _ => Ok(()),
    }
}
