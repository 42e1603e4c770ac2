//! Checkpoints: everything [`fit_with_checkpoints`](super::fit_with_checkpoints) needs to
//! continue a run after a given epoch exactly as if it had never stopped — parameters,
//! batch-norm statistics, optimiser moments and step counts, both random streams (batch
//! order and dropout), the history so far and the early-stopping best.
//!
//! One file, written atomically ([`write_atomic`]): a safetensors file whose tensors are the
//! parameters (`param.NAME`), the optimiser moments (`m.NAME`, `v.NAME`) and the best
//! epoch's parameters (`best.NAME`), and whose metadata holds the rest as JSON under
//! `"state"`. Why one file and not a folder of them: a rename replaces one file atomically,
//! while a folder of files written one by one can be caught half-updated by a `kill -9`.
//! Python's `safetensors` reads it like a model file.
//!
//! Why the random streams are stored as (seed, stream, word position) and the batch order is
//! not: ChaCha's state is exactly those three numbers, so the restored generator continues
//! the same sequence bit for bit; the batch order is a function of that sequence, so resuming
//! replays the shuffles (cheap: one permutation per epoch) and checks that the generator ends
//! where the checkpoint says, which also catches a resume on different data.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use safetensors::tensor::{Dtype, TensorView};
use safetensors::SafeTensors;
use serde_json::{json, Value};

use super::{EpochRecord, History};
use crate::io::{from_le_bytes, to_le_bytes, write_atomic, IoError};
use crate::optim::OptState;
use crate::rng::Rng;
use crate::tensor::{Float, Tensor};

/// The `format` metadata value of a checkpoint file.
pub const CHECKPOINT_FORMAT: &str = "gradus-checkpoint";
const CHECKPOINT_VERSION: u64 = 1;

/// The parameters of the epoch with the lowest validation loss so far (early stopping).
#[derive(Clone, Debug, PartialEq)]
pub struct BestEpoch<F: Float> {
    pub val_loss: f64,
    /// 1-based.
    pub epoch: usize,
    pub params: Vec<Tensor<F>>,
    /// The batch-norm running statistics of that epoch: restoring the parameters without
    /// them would normalise the best weights with a later epoch's statistics.
    pub batch_norm: Vec<(Vec<f64>, Vec<f64>)>,
}

/// The state of a training run after `epoch` complete epochs.
#[derive(Clone, Debug, PartialEq)]
pub struct Checkpoint<F: Float> {
    /// Epochs completed; training continues with epoch `epoch + 1` (1-based).
    pub epoch: usize,
    pub param_names: Vec<String>,
    pub params: Vec<Tensor<F>>,
    /// Running (mean, variance) of each batch-norm layer, in layer order.
    pub batch_norm: Vec<(Vec<f64>, Vec<f64>)>,
    pub opt_states: Vec<OptState<F>>,
    pub shuffle_rng: Rng,
    pub dropout_rng: Rng,
    pub history: History,
    pub best: Option<BestEpoch<F>>,
    /// The caller's own entries (the command stores its resolved settings here, so a
    /// checkpoint is enough to resume).
    pub extra: BTreeMap<String, String>,
}

fn rng_json(r: &Rng) -> Value {
    let seed: String = r.get_seed().iter().map(|b| format!("{b:02x}")).collect();
    // u128 does not fit a JSON number exactly: stored as a decimal string.
    json!({ "seed": seed, "stream": r.get_stream(), "word_pos": r.get_word_pos().to_string() })
}

fn rng_from(v: &Value) -> Option<Rng> {
    use rand::SeedableRng;
    let hex = v["seed"].as_str()?;
    if hex.len() != 64 {
        return None;
    }
    let mut seed = [0u8; 32];
    for (i, b) in seed.iter_mut().enumerate() {
        *b = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    let mut r = Rng::from_seed(seed);
    r.set_stream(v["stream"].as_u64()?);
    r.set_word_pos(v["word_pos"].as_str()?.parse().ok()?);
    Some(r)
}

fn record_json(r: &EpochRecord) -> Value {
    json!({
        "epoch": r.epoch, "train_loss": r.train_loss, "train_accuracy": r.train_accuracy,
        "val_loss": r.val_loss, "val_accuracy": r.val_accuracy, "lr": r.lr,
    })
}

fn record_from(v: &Value) -> Option<EpochRecord> {
    Some(EpochRecord {
        epoch: v["epoch"].as_u64()? as usize,
        train_loss: v["train_loss"].as_f64()?,
        train_accuracy: v["train_accuracy"].as_f64(),
        val_loss: v["val_loss"].as_f64(),
        val_accuracy: v["val_accuracy"].as_f64(),
        lr: v["lr"].as_f64()?,
    })
}

impl<F: Float> Checkpoint<F> {
    /// Writes the checkpoint to `path` atomically (temporary file, fsync, rename).
    pub fn save(&self, path: &Path) -> Result<(), IoError> {
        let dtype = if F::NAME == "f64" {
            Dtype::F64
        } else {
            Dtype::F32
        };
        let mut named: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::new();
        for (i, (name, p)) in self.param_names.iter().zip(&self.params).enumerate() {
            let dims = p.shape().dims().to_vec();
            named.push((format!("param.{name}"), dims.clone(), to_le_bytes(p.data())));
            let s = &self.opt_states[i];
            for (prefix, buf) in [("m", &s.m), ("v", &s.v)] {
                if !buf.is_empty() {
                    named.push((
                        format!("{prefix}.{name}"),
                        vec![buf.len()],
                        to_le_bytes(buf),
                    ));
                }
            }
            if let Some(b) = &self.best {
                named.push((
                    format!("best.{name}"),
                    dims,
                    to_le_bytes(b.params[i].data()),
                ));
            }
        }
        let views: Vec<(String, TensorView<'_>)> = named
            .iter()
            .map(|(n, dims, bytes)| {
                let view = TensorView::new(dtype, dims.clone(), bytes).expect("sizes match");
                (n.clone(), view)
            })
            .collect();
        let state = json!({
            "epoch": self.epoch,
            "dtype": F::NAME,
            "param_names": self.param_names,
            "steps": self.opt_states.iter().map(|s| s.t).collect::<Vec<_>>(),
            "batch_norm": self.batch_norm,
            "shuffle_rng": rng_json(&self.shuffle_rng),
            "dropout_rng": rng_json(&self.dropout_rng),
            "history": {
                "epochs": self.history.epochs.iter().map(record_json).collect::<Vec<_>>(),
                "best_epoch": self.history.best_epoch,
                "stopped_early": self.history.stopped_early,
            },
            "best": self.best.as_ref().map(|b| json!({
                "val_loss": b.val_loss,
                "epoch": b.epoch,
                "batch_norm": b.batch_norm,
            })),
            "extra": self.extra,
        });
        let mut metadata = HashMap::new();
        metadata.insert("format".to_string(), CHECKPOINT_FORMAT.to_string());
        metadata.insert("format_version".to_string(), CHECKPOINT_VERSION.to_string());
        metadata.insert("state".to_string(), state.to_string());
        let bytes =
            safetensors::serialize(views, &Some(metadata)).map_err(|e| IoError::Weights {
                path: path.to_path_buf(),
                reason: e.to_string(),
            })?;
        write_atomic(path, &bytes).map_err(|source| IoError::File {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Reads a checkpoint written by [`save`](Self::save) in precision `F`.
    pub fn load(path: &Path) -> Result<Self, IoError> {
        let bytes = std::fs::read(path).map_err(|source| IoError::File {
            path: path.to_path_buf(),
            source,
        })?;
        let bad = |reason: String| IoError::Format {
            path: path.to_path_buf(),
            reason: format!("{reason}; the checkpoint is damaged or was not written by gradus"),
        };
        let (_, meta) = SafeTensors::read_metadata(&bytes).map_err(|e| bad(e.to_string()))?;
        let info = meta.metadata().clone().unwrap_or_default();
        if info.get("format").map(String::as_str) != Some(CHECKPOINT_FORMAT) {
            return Err(bad("not a gradus checkpoint".into()));
        }
        if info.get("format_version").map(String::as_str) != Some("1") {
            return Err(bad(format!(
                "checkpoint format version {:?} (this gradus reads version {CHECKPOINT_VERSION})",
                info.get("format_version")
            )));
        }
        let state: Value = serde_json::from_str(info.get("state").map_or("", String::as_str))
            .map_err(|e| bad(format!("state: {e}")))?;
        if state["dtype"].as_str() != Some(F::NAME) {
            return Err(bad(format!(
                "the checkpoint holds {} weights, but {} was asked for",
                state["dtype"],
                F::NAME
            )));
        }
        let st = SafeTensors::deserialize(&bytes).map_err(|e| bad(e.to_string()))?;
        let dtype = if F::NAME == "f64" {
            Dtype::F64
        } else {
            Dtype::F32
        };
        let mut wrong = None;
        for (name, view) in st.tensors() {
            if view.dtype() != dtype || view.shape().len() > 4 {
                wrong = Some(name);
            }
        }
        if let Some(name) = wrong {
            return Err(bad(format!(
                "{name} is not a {} tensor of at most 4 dimensions",
                F::NAME
            )));
        }
        let tensor = |name: &str| -> Result<Tensor<F>, IoError> {
            let view = st
                .tensor(name)
                .map_err(|_| bad(format!("no tensor named {name}")))?;
            Ok(Tensor::from_vec(
                from_le_bytes::<F>(view.data()),
                view.shape(),
            ))
        };
        let missing = |what: &str| bad(format!("the state lacks {what}"));
        let names: Vec<String> = serde_json::from_value(state["param_names"].clone())
            .map_err(|_| missing("param_names"))?;
        let steps: Vec<u64> =
            serde_json::from_value(state["steps"].clone()).map_err(|_| missing("steps"))?;
        if steps.len() != names.len() {
            return Err(missing("one step count per parameter"));
        }
        let mut params = Vec::new();
        let mut opt_states = Vec::new();
        let mut best_params = Vec::new();
        for (name, &t) in names.iter().zip(&steps) {
            params.push(tensor(&format!("param.{name}"))?);
            let buffer = |prefix: &str| {
                st.tensor(&format!("{prefix}.{name}"))
                    .map(|v| from_le_bytes::<F>(v.data()))
                    .unwrap_or_default()
            };
            opt_states.push(OptState {
                m: buffer("m"),
                v: buffer("v"),
                t,
            });
            if !state["best"].is_null() {
                best_params.push(tensor(&format!("best.{name}"))?);
            }
        }
        let h = &state["history"];
        let epochs = h["epochs"]
            .as_array()
            .ok_or_else(|| missing("history"))?
            .iter()
            .map(record_from)
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| missing("a complete history"))?;
        let history = History {
            epochs,
            best_epoch: h["best_epoch"].as_u64().map(|e| e as usize),
            stopped_early: h["stopped_early"].as_bool().unwrap_or(false),
        };
        let best = match &state["best"] {
            Value::Null => None,
            b => Some(BestEpoch {
                val_loss: b["val_loss"]
                    .as_f64()
                    .ok_or_else(|| missing("best val_loss"))?,
                epoch: b["epoch"].as_u64().ok_or_else(|| missing("best epoch"))? as usize,
                params: best_params,
                batch_norm: serde_json::from_value(b["batch_norm"].clone())
                    .map_err(|_| missing("best batch_norm"))?,
            }),
        };
        Ok(Checkpoint {
            epoch: state["epoch"].as_u64().ok_or_else(|| missing("epoch"))? as usize,
            param_names: names,
            params,
            batch_norm: serde_json::from_value(state["batch_norm"].clone())
                .map_err(|_| missing("batch_norm"))?,
            opt_states,
            shuffle_rng: rng_from(&state["shuffle_rng"]).ok_or_else(|| missing("shuffle_rng"))?,
            dropout_rng: rng_from(&state["dropout_rng"]).ok_or_else(|| missing("dropout_rng"))?,
            history,
            best,
            extra: serde_json::from_value(state["extra"].clone()).unwrap_or_default(),
        })
    }
}
