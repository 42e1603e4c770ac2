//! Saving and loading a trained model as a folder: `model.safetensors` holds the weights
//! under their hierarchical names (`layers.0.weight`, ...), readable by Python's
//! `safetensors` package and numpy; `model.json` holds the architecture, the cost, the
//! feature scaling and the versions.

use std::collections::HashMap;
use std::path::Path;

use safetensors::tensor::{Dtype, TensorView};
use safetensors::SafeTensors;

use super::atomic::write_atomic;
use super::spec::{ModelSpec, Scaling};
use super::IoError;
use crate::nn::Sequential;
use crate::tensor::{Float, Tensor};

pub const WEIGHTS_FILE: &str = "model.safetensors";
pub const SPEC_FILE: &str = "model.json";

/// A model with what it needs to be applied to raw data.
#[derive(Clone, Debug)]
pub struct SavedModel<F: Float> {
    pub model: Sequential<F>,
    pub scaling: Option<Scaling>,
    pub classes: Vec<String>,
}

impl<F: Float> SavedModel<F> {
    /// Predictions for raw (unscaled) features.
    pub fn predict(&self, x: &Tensor<F>) -> Tensor<F> {
        match &self.scaling {
            Some(s) => self.model.predict(&s.apply(x)),
            None => self.model.predict(x),
        }
    }
}

fn file_err(path: &Path) -> impl FnOnce(std::io::Error) -> IoError + '_ {
    move |source| IoError::File {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes `dir/model.safetensors` and `dir/model.json`, creating `dir`. Each file is written
/// atomically, so an interrupted save leaves the old file or the new one, never half of one.
///
/// ```
/// use gradus::io::{load_model, save_model};
/// use gradus::nn::{Activation, Loss, Mlp};
/// let net = Mlp::<f32>::ffnn(&[4, 8, 3], Activation::Relu, Activation::Softmax,
///                            Loss::CategoricalCrossEntropy, 1).unwrap();
/// let dir = std::env::temp_dir().join(format!("gradus-doc-model-{}", std::process::id()));
/// save_model(&dir, &net, None, vec![]).unwrap();
/// let back = load_model::<f32>(&dir).unwrap();
/// assert_eq!(back.model.params(), net.params());
/// ```
pub fn save_model<F: Float>(
    dir: &Path,
    model: &Sequential<F>,
    scaling: Option<Scaling>,
    classes: Vec<String>,
) -> Result<(), IoError> {
    std::fs::create_dir_all(dir).map_err(file_err(dir))?;
    let spec = ModelSpec::of(model, scaling, classes);
    let spec_path = dir.join(SPEC_FILE);
    let json = serde_json::to_string_pretty(&spec).expect("a model description always serialises");
    write_atomic(&spec_path, (json + "\n").as_bytes()).map_err(file_err(&spec_path))?;

    let dtype = if F::NAME == "f64" {
        Dtype::F64
    } else {
        Dtype::F32
    };
    let bytes: Vec<Vec<u8>> = model
        .params()
        .iter()
        .map(|p| to_le_bytes(p.data()))
        .collect();
    let views: Vec<(String, TensorView<'_>)> = model
        .param_names()
        .iter()
        .zip(model.params())
        .zip(&bytes)
        .map(|((name, p), b)| {
            (
                name.clone(),
                TensorView::new(dtype, p.shape().dims().to_vec(), b).expect("sizes match"),
            )
        })
        .collect();
    let weights_path = dir.join(WEIGHTS_FILE);
    let mut metadata = HashMap::new();
    metadata.insert("format".to_string(), "gradus-model".to_string());
    let bytes = safetensors::serialize(views, &Some(metadata)).map_err(|e| IoError::Weights {
        path: weights_path.clone(),
        reason: e.to_string(),
    })?;
    write_atomic(&weights_path, &bytes).map_err(file_err(&weights_path))
}

/// Reads a model folder written by [`save_model`]. The weights' dtype must match `F`.
pub fn load_model<F: Float>(dir: &Path) -> Result<SavedModel<F>, IoError> {
    let spec_path = dir.join(SPEC_FILE);
    let text = std::fs::read_to_string(&spec_path).map_err(file_err(&spec_path))?;
    let format_err = |reason: String| IoError::Format {
        path: spec_path.clone(),
        reason,
    };
    let spec: ModelSpec = serde_json::from_str(&text).map_err(|e| {
        format_err(format!(
            "{e}; it is damaged, truncated or from another program: use the model folder of a \
             gradus run (runs/NAME/model) as it was written"
        ))
    })?;
    if spec.format != "gradus-model" || spec.format_version != super::spec::FORMAT_VERSION {
        return Err(format_err(format!(
            "format {:?} version {} (this gradus reads gradus-model version {})",
            spec.format,
            spec.format_version,
            super::spec::FORMAT_VERSION
        )));
    }
    if spec.dtype != F::NAME {
        return Err(format_err(format!(
            "the model was saved in {}, but {} was asked for",
            spec.dtype,
            F::NAME
        )));
    }
    let mut model = spec.build::<F>().map_err(format_err)?;

    let weights_path = dir.join(WEIGHTS_FILE);
    let bytes = std::fs::read(&weights_path).map_err(file_err(&weights_path))?;
    let weights_err = |reason: String| IoError::Weights {
        path: weights_path.clone(),
        reason,
    };
    let st = SafeTensors::deserialize(&bytes).map_err(|e| {
        weights_err(format!(
            "not a readable safetensors file ({e}); it is truncated or damaged: copy it \
             again or retrain the model"
        ))
    })?;
    let mismatch = |what: String| {
        weights_err(format!(
            "{what}; these weights do not belong to {SPEC_FILE} beside them: keep both files \
             of one saved model together"
        ))
    };
    let dtype = if F::NAME == "f64" {
        Dtype::F64
    } else {
        Dtype::F32
    };
    let names: Vec<String> = model.param_names().to_vec();
    for (name, param) in names.iter().zip(model.params_mut()) {
        let view = st
            .tensor(name)
            .map_err(|_| mismatch(format!("no tensor named {name}")))?;
        if view.shape() != param.shape().dims() || view.dtype() != dtype {
            return Err(mismatch(format!(
                "{name} is {:?} of shape {:?}, the architecture needs {} of shape {}",
                view.dtype(),
                view.shape(),
                F::NAME,
                param.shape()
            )));
        }
        *param = Tensor::from_vec(from_le_bytes::<F>(view.data()), param.shape());
    }
    Ok(SavedModel {
        model,
        scaling: spec.scaling,
        classes: spec.classes,
    })
}

/// Little-endian bytes of `data` in `F`'s width: the safetensors layout, shared with checkpoints.
pub(crate) fn to_le_bytes<F: Float>(data: &[F]) -> Vec<u8> {
    let mut out = Vec::with_capacity(std::mem::size_of_val(data));
    for &v in data {
        if F::NAME == "f64" {
            out.extend_from_slice(&v.as_f64().to_le_bytes());
        } else {
            out.extend_from_slice(&(v.as_f64() as f32).to_le_bytes());
        }
    }
    out
}

pub(crate) fn from_le_bytes<F: Float>(bytes: &[u8]) -> Vec<F> {
    if F::NAME == "f64" {
        bytes
            .chunks_exact(8)
            .map(|b| F::of(f64::from_le_bytes(b.try_into().unwrap())))
            .collect()
    } else {
        bytes
            .chunks_exact(4)
            .map(|b| F::of(f32::from_le_bytes(b.try_into().unwrap()) as f64))
            .collect()
    }
}
