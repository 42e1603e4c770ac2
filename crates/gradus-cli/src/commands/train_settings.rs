//! The validated settings of one training run: defaults < config file < flags, merged and
//! checked in one place (`Settings::from_config`) before anything runs, so every mistake is
//! reported up front, naming the flag and the config key.

use anyhow::{bail, Context};
use gradus::nn::Activation;
use gradus::optim::Optimizer;

use super::train_config::{
    ConfigFile, DataSection, Dtype, ModelSection, Scale, TaskKind, TrainingSection,
};

/// The validated run: defaults < config file < flags, every value checked and parsed.
pub struct Settings {
    pub data: String,
    pub target: Option<usize>,
    pub header: usize,
    pub task: TaskKind,
    pub split: (f64, f64, f64),
    pub scale: Scale,
    pub hidden_sizes: Vec<usize>,
    pub hidden_name: String,
    pub hidden: Activation,
    pub dropout: f64,
    pub l2: f64,
    pub dtype: Dtype,
    pub optimizer_name: String,
    pub optimizer: Optimizer,
    pub lr: f64,
    pub epochs: usize,
    pub batch_size: usize,
    pub seed: u64,
    /// Write a checkpoint every this many epochs (0: never).
    pub checkpoint_every: usize,
}

impl Settings {
    /// Applies the defaults (the ones the flag help shows) to the merged file and flags, then
    /// checks everything; each error names the flag and the config key.
    pub fn from_config(c: ConfigFile) -> anyhow::Result<Self> {
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
            checkpoint_every: t.checkpoint_every.unwrap_or(0),
        })
    }

    /// The resolved settings in the config-file layout, every key set.
    pub fn to_config(&self) -> ConfigFile {
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
                checkpoint_every: Some(self.checkpoint_every),
            },
        }
    }
}
