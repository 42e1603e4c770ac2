//! Checkpoints of a DEQN run: one safetensors file holding the policy's weights (by their
//! hierarchical names), the optimiser's moment buffers and the simulated paths, with the
//! episode count, step counts and loss history in its metadata. Written atomically, so a
//! run killed mid-write resumes from the previous checkpoint.

use std::collections::HashMap;
use std::path::Path;

use safetensors::tensor::{Dtype, TensorView};
use safetensors::SafeTensors;

use super::train::{EpisodeRecord, Trainer};
use super::{DeqnConfig, DeqnError};
use crate::deqn::Model;
use crate::io::write_atomic;
use crate::tensor::Tensor;

const FORMAT: &str = "gradus-deqn-checkpoint-1";

fn bytes_of(data: &[f64]) -> Vec<u8> {
    data.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn floats_of(bytes: &[u8]) -> Vec<f64> {
    bytes
        .chunks_exact(8)
        .map(|b| f64::from_le_bytes(b.try_into().expect("chunks of 8")))
        .collect()
}

impl Trainer<'_> {
    /// Writes the run's state to `path` (atomically).
    pub fn save_checkpoint(&self, path: &Path) -> Result<(), DeqnError> {
        let mut entries: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::new();
        let net = &self.policy.net;
        for (name, p) in net.param_names().iter().zip(net.params()) {
            entries.push((
                format!("policy.{name}"),
                p.shape().dims().to_vec(),
                bytes_of(p.data()),
            ));
        }
        for (i, s) in self.opt_states.iter().enumerate() {
            if !s.m.is_empty() {
                entries.push((format!("optim.{i}.m"), vec![s.m.len()], bytes_of(&s.m)));
            }
            if !s.v.is_empty() {
                entries.push((format!("optim.{i}.v"), vec![s.v.len()], bytes_of(&s.v)));
            }
        }
        entries.push((
            "paths".into(),
            self.paths.shape().dims().to_vec(),
            bytes_of(self.paths.data()),
        ));
        let views: Vec<(String, TensorView<'_>)> = entries
            .iter()
            .map(|(n, shape, b)| {
                let view = TensorView::new(Dtype::F64, shape.clone(), b)
                    .expect("sizes match by construction");
                (n.clone(), view)
            })
            .collect();
        let history: Vec<[f64; 3]> = self
            .history
            .iter()
            .map(|r| [r.episode as f64, r.loss, r.lr])
            .collect();
        let steps: Vec<u64> = self.opt_states.iter().map(|s| s.t).collect();
        let mut meta = HashMap::new();
        meta.insert("format".to_string(), FORMAT.to_string());
        meta.insert("model".to_string(), self.model.name());
        meta.insert("optimizer".to_string(), self.config.optimizer.name().into());
        meta.insert(
            "history".to_string(),
            serde_json::to_string(&history).expect("numbers"),
        );
        meta.insert(
            "steps".to_string(),
            serde_json::to_string(&steps).expect("numbers"),
        );
        let err = |reason: String| DeqnError::Checkpoint {
            path: path.to_path_buf(),
            reason,
        };
        let bytes = safetensors::serialize(views, &Some(meta)).map_err(|e| err(e.to_string()))?;
        write_atomic(path, &bytes).map_err(|source| DeqnError::File {
            path: path.to_path_buf(),
            source,
        })
    }
}

impl<'m> Trainer<'m> {
    /// Continues a run from a checkpoint written with the same model and settings
    /// (`config.episodes` may be larger, to train further).
    pub fn resume(
        model: &'m dyn Model,
        config: DeqnConfig,
        path: &Path,
    ) -> Result<Self, DeqnError> {
        let err = |reason: String| DeqnError::Checkpoint {
            path: path.to_path_buf(),
            reason,
        };
        let bytes = std::fs::read(path).map_err(|source| DeqnError::File {
            path: path.to_path_buf(),
            source,
        })?;
        let (_, header) = SafeTensors::read_metadata(&bytes).map_err(|e| err(e.to_string()))?;
        let meta = header.metadata().clone().unwrap_or_default();
        let get = |k: &str| {
            meta.get(k).cloned().ok_or_else(|| {
                err(format!(
                    "metadata has no {k:?} (not a gradus DEQN checkpoint)"
                ))
            })
        };
        if get("format")? != FORMAT {
            return Err(err(format!("format is not {FORMAT}")));
        }
        if get("model")? != model.name() {
            return Err(err(format!(
                "it was written for model {:?}, not {:?}",
                get("model")?,
                model.name()
            )));
        }
        if get("optimizer")? != config.optimizer.name() {
            return Err(err(format!(
                "it was written with optimizer {:?}, the settings ask for {:?}",
                get("optimizer")?,
                config.optimizer.name()
            )));
        }
        let history: Vec<[f64; 3]> =
            serde_json::from_str(&get("history")?).map_err(|e| err(e.to_string()))?;
        let steps: Vec<u64> =
            serde_json::from_str(&get("steps")?).map_err(|e| err(e.to_string()))?;
        let st = SafeTensors::deserialize(&bytes).map_err(|e| err(e.to_string()))?;
        let mut t = Trainer::new(model, config)?;
        let read = |name: &str, len: usize| -> Result<Vec<f64>, DeqnError> {
            let v = st
                .tensor(name)
                .map_err(|_| err(format!("no tensor {name:?}")))?;
            let data = floats_of(v.data());
            if data.len() != len || v.dtype() != Dtype::F64 {
                return Err(err(format!(
                    "{name} has {} values, the settings need {len} (different network?)",
                    data.len()
                )));
            }
            Ok(data)
        };
        let names = t.policy.net.param_names().to_vec();
        for (name, p) in names.iter().zip(t.policy.net.params_mut()) {
            let data = read(&format!("policy.{name}"), p.numel())?;
            p.data_mut().copy_from_slice(&data);
        }
        if steps.len() != t.opt_states.len() {
            return Err(err("optimizer state does not match the network".into()));
        }
        for (i, s) in t.opt_states.iter_mut().enumerate() {
            if !s.m.is_empty() {
                s.m = read(&format!("optim.{i}.m"), s.m.len())?;
            }
            if !s.v.is_empty() {
                s.v = read(&format!("optim.{i}.v"), s.v.len())?;
            }
            s.t = steps[i];
        }
        let shape = t.paths.shape();
        t.paths = Tensor::from_vec(read("paths", shape.numel())?, shape);
        t.history = history
            .iter()
            .map(|h| EpisodeRecord {
                episode: h[0] as usize,
                loss: h[1],
                lr: h[2],
            })
            .collect();
        Ok(t)
    }
}
