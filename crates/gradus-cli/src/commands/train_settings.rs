//! The validated settings of one training run: defaults < config file < flags, merged and
//! checked in one place (`Settings::from_config`) before anything runs, so every mistake is
//! reported up front, naming the flag and the config key. The `[data]` and `[model]` keys are
//! checked here, the `[training]` ones in `train_optim_settings.rs`.

use std::fmt;

use gradus::nn::{Activation, Init, Loss};

use super::train_config::{Columns, ConfigFile, DataSection, Dtype, ModelSection, Scale, TaskKind};
use super::train_config_keys::parse_delimiter;
use super::train_optim_settings::OptimSettings;

/// A value that is wrong for its key: names the flag and the config key, says what to write.
/// `gradus train` adds the config file and line when the value came from the file.
#[derive(Debug)]
pub struct KeyError {
    pub section: &'static str,
    pub key: &'static str,
    pub message: String,
}

impl KeyError {
    /// The flag that sets `[section] key`.
    pub fn flag(&self) -> String {
        match self.key {
            "source" => "--data".into(),
            k => format!("--{}", k.replace('_', "-")),
        }
    }
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} / [{}] {}: {}",
            self.flag(),
            self.section,
            self.key,
            self.message
        )
    }
}

impl std::error::Error for KeyError {}

/// A [`KeyError`] as an `anyhow::Error`.
pub fn bad(section: &'static str, key: &'static str, message: impl Into<String>) -> anyhow::Error {
    KeyError {
        section,
        key,
        message: message.into(),
    }
    .into()
}

const BUNDLED: [&str; 3] = ["digits", "breast-cancer", "breast_cancer"];
const HIDDEN: &str = "relu, tanh, sigmoid, elu, selu, swish, softplus or leaky_relu";
const REGRESSION_LOSSES: &str = "mse, mae, huber or log_cosh";
const INITS: &str = "glorot_uniform, glorot_normal, he_uniform, he_normal, lecun_uniform, \
                     lecun_normal, normal or uniform (or auto: He for the ReLU family, LeCun \
                     for SELU, Glorot otherwise)";

/// The validated run: defaults < config file < flags, every value checked and parsed.
pub struct Settings {
    pub data: String,
    /// CSV target column(s); `None`: the last column.
    pub target: Option<Columns>,
    /// CSV feature columns; `None`: every column but the target(s).
    pub features: Option<Columns>,
    pub header: usize,
    pub delimiter: char,
    pub task: TaskKind,
    pub split: (f64, f64, f64),
    pub scale: Scale,
    pub hidden_sizes: Vec<usize>,
    pub hidden_name: String,
    pub hidden: Activation,
    pub output: Activation,
    pub loss: Loss,
    pub init: Init,
    pub batch_norm: bool,
    pub dropout: f64,
    pub l1: f64,
    pub l2: f64,
    pub dtype: Dtype,
    /// Optimiser, schedule, clipping, early stopping and the loop's counts.
    pub optim: OptimSettings,
}

impl Settings {
    /// Applies the defaults (the ones the flag help shows) to the merged file and flags, then
    /// checks everything; each error is a [`KeyError`] naming the flag and the config key.
    pub fn from_config(c: ConfigFile) -> anyhow::Result<Self> {
        let (d, m) = (c.data, c.model);
        let data = d.source.unwrap_or_else(|| "digits".into());
        let bundled = BUNDLED.contains(&data.as_str());
        for (key, set) in [
            ("target", d.target.is_some()),
            ("features", d.features.is_some()),
            ("delimiter", d.delimiter.is_some()),
        ] {
            if bundled && set {
                return Err(bad(
                    "data",
                    key,
                    format!("applies to CSV files only, but the data is the bundled {data:?} set; remove it or point --data at a CSV file"),
                ));
            }
        }
        let delimiter = match &d.delimiter {
            Some(text) => {
                parse_delimiter(text).map_err(|e| bad("data", "delimiter", e.to_string()))?
            }
            None => ',',
        };
        let task = d.task.unwrap_or(TaskKind::Classification);
        if task == TaskKind::Classification && d.target.as_ref().is_some_and(|t| t.0.len() > 1) {
            return Err(bad("data", "target", format!(
                "[{}] names several columns, but classification takes one column of class labels; several target columns are for task = \"regression\" (multi-output)",
                d.target.as_ref().map_or(String::new(), |t| t.show())
            )));
        }
        let split = d.split.unwrap_or_else(|| vec![0.8, 0.0, 0.2]);
        let [tr, va, te] = split[..] else {
            return Err(bad(
                "data",
                "split",
                format!("{split:?}: give exactly three fractions (train, validation, test)"),
            ));
        };

        let hidden_sizes = m.layers.clone().unwrap_or_else(|| vec![100, 30]);
        if hidden_sizes.contains(&0) {
            return Err(bad(
                "model",
                "layers",
                format!("{hidden_sizes:?}: widths must be positive"),
            ));
        }
        let hidden_name = m.hidden.clone().unwrap_or_else(|| "relu".into());
        let hidden = Activation::from_name(&hidden_name)
            .filter(|h| !matches!(h, Activation::Softmax | Activation::Step))
            .ok_or_else(|| {
                bad(
                    "model",
                    "hidden",
                    format!("{hidden_name:?} is not a hidden activation; use {HIDDEN}"),
                )
            })?;
        let (output, loss) = output_and_loss(task, &m)?;
        let init = match m.init.as_deref() {
            None | Some("auto") => Init::default_for(hidden),
            Some(name) => match Init::from_name(name) {
                Some(Init::Zeros) => return Err(bad(
                    "model",
                    "init",
                    format!("{name:?}: weights that start equal stay equal (every unit of a layer gets the same gradient), so the network cannot learn; use {INITS}"),
                )),
                Some(init) => init,
                None => {
                    return Err(bad(
                        "model",
                        "init",
                        format!("{name:?} is not an initialiser; use {INITS}"),
                    ))
                }
            },
        };
        let dropout = m.dropout.unwrap_or(0.0);
        if !(0.0..1.0).contains(&dropout) {
            return Err(bad(
                "model",
                "dropout",
                format!("{dropout} must be in [0, 1)"),
            ));
        }
        let (l1, l2) = (m.l1.unwrap_or(0.0), m.l2.unwrap_or(0.0));
        for (key, v) in [("l1", l1), ("l2", l2)] {
            if !(v >= 0.0 && v.is_finite()) {
                return Err(bad(
                    "model",
                    key,
                    format!("{v}: a penalty weight is a number ≥ 0, e.g. 1e-4"),
                ));
            }
        }
        let optim = OptimSettings::from_section(c.training, va > 0.0)?;
        Ok(Settings {
            data,
            target: d.target,
            features: d.features,
            header: d.header.unwrap_or(1),
            delimiter,
            task,
            split: (tr, va, te),
            scale: d.scale.unwrap_or(Scale::Minmax),
            hidden_sizes,
            hidden_name,
            hidden,
            output,
            loss,
            init,
            batch_norm: m.batch_norm.unwrap_or(false),
            dropout,
            l1,
            l2,
            dtype: m.dtype.unwrap_or(Dtype::F32),
            optim,
        })
    }

    /// Whether the data comes from a CSV file (not a bundled set).
    pub fn is_csv(&self) -> bool {
        !BUNDLED.contains(&self.data.as_str())
    }

    /// The resolved settings in the config-file layout, every key that applies set.
    pub fn to_config(&self) -> ConfigFile {
        let (tr, va, te) = self.split;
        let csv = self.is_csv();
        ConfigFile {
            data: DataSection {
                source: Some(self.data.clone()),
                target: self.target.clone(),
                features: self.features.clone(),
                header: Some(self.header),
                delimiter: csv.then(|| self.delimiter.to_string()),
                task: Some(self.task),
                split: Some(vec![tr, va, te]),
                scale: Some(self.scale),
            },
            model: ModelSection {
                layers: Some(self.hidden_sizes.clone()),
                hidden: Some(self.hidden_name.clone()),
                output: Some(self.output.name().into()),
                loss: Some(self.loss.name().into()),
                huber_delta: match self.loss {
                    Loss::Huber(d) => Some(d),
                    _ => None,
                },
                init: Some(self.init.name().into()),
                batch_norm: Some(self.batch_norm),
                dropout: Some(self.dropout),
                l1: Some(self.l1),
                l2: Some(self.l2),
                dtype: Some(self.dtype),
            },
            training: self.optim.to_section(),
        }
    }
}

/// The output activation and the loss: defaults by task, and only the pairs that train and
/// that a saved model reads back as the same task.
fn output_and_loss(task: TaskKind, m: &ModelSection) -> anyhow::Result<(Activation, Loss)> {
    let loss_name = m.loss.as_deref();
    let loss = match loss_name {
        None => None,
        Some(name) => Some(Loss::from_name(name).ok_or_else(|| {
            bad(
                "model",
                "loss",
                format!(
                    "{name:?} is not a loss; use {REGRESSION_LOSSES} (regression or \
                     classification), categorical_cross_entropy or binary_cross_entropy \
                     (classification)"
                ),
            )
        })?),
    };
    let loss = match (loss, m.huber_delta) {
        (Some(Loss::Huber(_)), Some(d)) if d > 0.0 && d.is_finite() => Some(Loss::Huber(d)),
        (Some(Loss::Huber(_)), Some(d)) => {
            return Err(bad(
                "model",
                "huber_delta",
                format!("{d}: δ must be a positive number, e.g. 1.0"),
            ))
        }
        (_, Some(_)) => {
            return Err(bad(
                "model",
                "huber_delta",
                format!(
                    "is the δ of the Huber loss, but the loss is {}; set loss = \"huber\" or remove huber_delta",
                    loss.map_or("the default", |l| l.name())
                ),
            ))
        }
        (l, None) => l,
    };
    let cross_entropy =
        |l: Loss| matches!(l, Loss::CategoricalCrossEntropy | Loss::BinaryCrossEntropy);
    if task == TaskKind::Regression {
        if let Some(l) = loss.filter(|&l| cross_entropy(l)) {
            return Err(bad(
                "model",
                "loss",
                format!(
                    "{:?} compares class probabilities with class labels, but [data] task is \
                     regression; use {REGRESSION_LOSSES}, or set task = \"classification\"",
                    l.name()
                ),
            ));
        }
    }
    let output = match m.output.as_deref() {
        Some(name) => Activation::from_name(name).ok_or_else(|| {
            bad(
                "model",
                "output",
                format!("{name:?} is not an activation; use softmax or sigmoid (classification), identity, {HIDDEN} (regression)"),
            )
        })?,
        None => match (task, loss) {
            (TaskKind::Regression, _) => Activation::Identity,
            (_, Some(Loss::BinaryCrossEntropy)) => Activation::Sigmoid,
            _ => Activation::Softmax,
        },
    };
    let loss = loss.unwrap_or(match task {
        TaskKind::Regression => Loss::Mse,
        TaskKind::Classification if output == Activation::Sigmoid => Loss::BinaryCrossEntropy,
        TaskKind::Classification => Loss::CategoricalCrossEntropy,
    });
    let fits = match (task, output, loss) {
        (TaskKind::Classification, Activation::Softmax, l) => l != Loss::BinaryCrossEntropy,
        (TaskKind::Classification, Activation::Sigmoid, l) => l == Loss::BinaryCrossEntropy,
        (TaskKind::Classification, _, _) => false,
        (TaskKind::Regression, o, _) => !matches!(
            o,
            Activation::Softmax | Activation::Sigmoid | Activation::Step
        ),
    };
    if !fits {
        let why = match task {
            TaskKind::Classification => format!(
                "output {:?} with loss {:?} does not make a classifier; use output \"softmax\" \
                 (with categorical_cross_entropy, or {REGRESSION_LOSSES} on the one-hot \
                 targets) or output \"sigmoid\" with binary_cross_entropy",
                output.name(),
                loss.name()
            ),
            TaskKind::Regression => format!(
                "{:?} is not a regression output (softmax and sigmoid outputs mark a \
                 classifier in the saved model, step cannot be trained); use identity, or \
                 tanh, softplus, relu to bound the predictions",
                output.name()
            ),
        };
        return Err(bad("model", "output", why));
    }
    Ok((output, loss))
}
