//! Checkpoints: one `checkpoint.safetensors` file per run holding the parameters under
//! their hierarchical names, the optimiser's moment estimates (`optimizer.m.<name>`,
//! `optimizer.v.<name>`) and, in the metadata, the progress counters, the loss history and
//! a fingerprint of the settings that must not change on resume. It is written with
//! `io::write_atomic`, so an interrupted run leaves the previous checkpoint intact.

use std::collections::HashMap;
use std::path::Path;

use safetensors::tensor::{Dtype, TensorView};
use safetensors::SafeTensors;
use serde::{Deserialize, Serialize};

use super::solver::{LossRecord, PinnConfig};
use super::PinnError;
use crate::io::write_atomic;
use crate::nn::Sequential;
use crate::tensor::Float;

pub const CHECKPOINT_FILE: &str = "checkpoint.safetensors";
const FORMAT: &str = "gradus-pinn-checkpoint";

/// The state of a run (parameters and optimiser moments flattened to `f64`).
#[derive(Clone, Debug)]
pub struct Checkpoint {
    pub problem: String,
    pub dtype: String,
    pub params: Vec<f64>,
    pub moments: Vec<(Vec<f64>, Vec<f64>)>,
    pub steps_done: usize,
    pub lbfgs_iterations: usize,
    pub finished: bool,
    pub lbfgs_reason: String,
    pub history: Vec<LossRecord>,
}

#[derive(Serialize, Deserialize)]
struct Meta {
    format: String,
    version: u32,
    problem: String,
    dtype: String,
    fingerprint: String,
    steps_done: usize,
    lbfgs_iterations: usize,
    finished: bool,
    lbfgs_reason: String,
    history: Vec<LossRecord>,
}

/// The settings a checkpoint is only valid for (step counts may grow on resume).
fn fingerprint(config: &PinnConfig) -> String {
    format!(
        "hidden={:?} activation={} constraint={:?} points={} sampler={} resample={} optimizer={:?} seed={} every={}",
        config.hidden,
        config.activation.name(),
        config.constraint,
        config.points,
        config.sampler.name(),
        config.resample,
        config.optimizer,
        config.seed,
        config.checkpoint_every
    )
}

fn err(path: &Path, reason: impl Into<String>) -> PinnError {
    PinnError::Checkpoint {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

pub fn save<F: Float>(
    dir: &Path,
    ck: &Checkpoint,
    net: &Sequential<F>,
    config: &PinnConfig,
) -> Result<(), PinnError> {
    let path = dir.join(CHECKPOINT_FILE);
    std::fs::create_dir_all(dir).map_err(|e| err(&path, e.to_string()))?;
    let mut tensors: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::new();
    let mut offset = 0;
    for ((name, p), (m, v)) in net.param_names().iter().zip(net.params()).zip(&ck.moments) {
        let n = p.numel();
        let dims = p.shape().dims().to_vec();
        tensors.push((
            name.clone(),
            dims.clone(),
            bytes(&ck.params[offset..offset + n]),
        ));
        if !m.is_empty() {
            tensors.push((format!("optimizer.m.{name}"), dims.clone(), bytes(m)));
        }
        if !v.is_empty() {
            tensors.push((format!("optimizer.v.{name}"), dims, bytes(v)));
        }
        offset += n;
    }
    let meta = Meta {
        format: FORMAT.into(),
        version: 1,
        problem: ck.problem.clone(),
        dtype: ck.dtype.clone(),
        fingerprint: fingerprint(config),
        steps_done: ck.steps_done,
        lbfgs_iterations: ck.lbfgs_iterations,
        finished: ck.finished,
        lbfgs_reason: ck.lbfgs_reason.clone(),
        history: ck.history.clone(),
    };
    let mut metadata = HashMap::new();
    metadata.insert(
        "pinn".to_string(),
        serde_json::to_string(&meta).expect("checkpoint metadata serialises"),
    );
    let views: Vec<(String, TensorView<'_>)> = tensors
        .iter()
        .map(|(name, dims, b)| {
            (
                name.clone(),
                TensorView::new(Dtype::F64, dims.clone(), b).expect("sizes match"),
            )
        })
        .collect();
    let data =
        safetensors::serialize(views, &Some(metadata)).map_err(|e| err(&path, e.to_string()))?;
    write_atomic(&path, &data).map_err(|e| err(&path, e.to_string()))
}

/// Reads `dir/checkpoint.safetensors` if it exists (`Ok(None)` if not); refuses one from
/// another problem, dtype or incompatible settings.
pub fn load<F: Float>(
    dir: &Path,
    problem: &str,
    config: &PinnConfig,
) -> Result<Option<Checkpoint>, PinnError> {
    let path = dir.join(CHECKPOINT_FILE);
    if !path.exists() {
        return Ok(None);
    }
    let data = std::fs::read(&path).map_err(|e| err(&path, e.to_string()))?;
    let (_, header) = SafeTensors::read_metadata(&data).map_err(|e| err(&path, e.to_string()))?;
    let meta_text = header
        .metadata()
        .as_ref()
        .and_then(|m| m.get("pinn"))
        .ok_or_else(|| err(&path, "not a gradus PINN checkpoint (no \"pinn\" metadata)"))?;
    let meta: Meta = serde_json::from_str(meta_text).map_err(|e| err(&path, e.to_string()))?;
    if meta.format != FORMAT || meta.version != 1 {
        return Err(err(
            &path,
            format!(
                "format {} version {} is not {FORMAT} version 1",
                meta.format, meta.version
            ),
        ));
    }
    if meta.problem != problem || meta.dtype != F::NAME {
        return Err(err(
            &path,
            format!(
                "it belongs to problem {} in {}, not {problem} in {}; use another --out folder",
                meta.problem,
                meta.dtype,
                F::NAME
            ),
        ));
    }
    let want = fingerprint(config);
    if meta.fingerprint != want {
        return Err(err(
            &path,
            format!(
                "it was written with different settings ({}); now {want}. Resume with the run's own config.toml or use another --out folder",
                meta.fingerprint
            ),
        ));
    }
    let st = SafeTensors::deserialize(&data).map_err(|e| err(&path, e.to_string()))?;
    // The network the config builds tells which tensors to expect and their sizes.
    let names: Vec<String> = {
        let mut net = Sequential::<F>::new(1, 0);
        // Only names are needed; they depend on the layer sequence alone.
        for &h in &config.hidden {
            net = net.dense(h).activation(config.activation);
        }
        net.dense(1).param_names().to_vec()
    };
    let read = |name: &str| -> Result<Option<Vec<f64>>, PinnError> {
        match st.tensor(name) {
            Ok(view) if view.dtype() == Dtype::F64 => Ok(Some(
                view.data()
                    .chunks_exact(8)
                    .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))
                    .collect(),
            )),
            Ok(_) => Err(err(&path, format!("{name} is not stored as F64"))),
            Err(_) => Ok(None),
        }
    };
    let mut params = Vec::new();
    let mut moments = Vec::new();
    for name in &names {
        params.extend(read(name)?.ok_or_else(|| err(&path, format!("no tensor named {name}")))?);
        let m = read(&format!("optimizer.m.{name}"))?.unwrap_or_default();
        let v = read(&format!("optimizer.v.{name}"))?.unwrap_or_default();
        moments.push((m, v));
    }
    Ok(Some(Checkpoint {
        problem: meta.problem,
        dtype: meta.dtype,
        params,
        moments,
        steps_done: meta.steps_done,
        lbfgs_iterations: meta.lbfgs_iterations,
        finished: meta.finished,
        lbfgs_reason: meta.lbfgs_reason,
        history: meta.history,
    }))
}

fn bytes(v: &[f64]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}
