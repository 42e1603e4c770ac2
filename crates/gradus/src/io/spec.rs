//! The JSON description of a saved model: architecture, cost, preprocessing, versions.
//! Plain serde structs, kept apart from the `nn` types so that the file format is a
//! deliberate, versioned choice rather than whatever the in-memory layout happens to be.

use serde::{Deserialize, Serialize};

use crate::data::{MinMaxScaler, StandardScaler};
use crate::nn::{Activation, Init, Layer, Loss, Sequential};
use crate::tensor::{Float, Tensor};

/// Bumped whenever the format changes incompatibly.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    /// Always "gradus-model".
    pub format: String,
    pub format_version: u32,
    pub gradus_version: String,
    /// "f32" or "f64": the dtype of the weights file.
    pub dtype: String,
    pub inputs: usize,
    pub layers: Vec<LayerSpec>,
    pub loss: LossSpec,
    pub seed: u64,
    /// Applied to raw features before the network: x' = (x − shift) / scale, per column.
    pub scaling: Option<Scaling>,
    /// Class names for classification outputs, if known.
    #[serde(default)]
    pub classes: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum LayerSpec {
    Dense {
        units: usize,
        weight_init: InitSpec,
        bias_init: InitSpec,
    },
    Activation {
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        parameter: Option<f64>,
    },
    Dropout {
        rate: f64,
    },
    BatchNorm {
        momentum: f64,
        eps: f64,
        running_mean: Vec<f64>,
        running_var: Vec<f64>,
    },
}

/// An initialiser by name, with its parameter (σ, a or c) where it has one; kept so that
/// `reset_weights` on a loaded model draws as the original did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InitSpec {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter: Option<f64>,
}

impl From<Init> for InitSpec {
    fn from(i: Init) -> Self {
        let parameter = match i {
            Init::Constant(c) | Init::Normal(c) | Init::Uniform(c) => Some(c),
            _ => None,
        };
        InitSpec {
            name: i.name().into(),
            parameter,
        }
    }
}

impl InitSpec {
    fn to_init(&self) -> Option<Init> {
        let p = self.parameter;
        Some(match self.name.as_str() {
            "zeros" => Init::Zeros,
            "constant" => Init::Constant(p?),
            "normal" => Init::Normal(p?),
            "uniform" => Init::Uniform(p?),
            "glorot_normal" => Init::GlorotNormal,
            "glorot_uniform" => Init::GlorotUniform,
            "he_normal" => Init::HeNormal,
            "he_uniform" => Init::HeUniform,
            "lecun_normal" => Init::LeCunNormal,
            "lecun_uniform" => Init::LeCunUniform,
            _ => return None,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LossSpec {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delta: Option<f64>,
}

/// A per-column affine map, the common form of min-max and standard scaling.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scaling {
    /// "minmax" or "standard".
    pub kind: String,
    pub shift: Vec<f64>,
    pub scale: Vec<f64>,
}

impl Scaling {
    pub fn apply<F: Float>(&self, x: &Tensor<F>) -> Tensor<F> {
        let cols = x.shape().as_matrix().1;
        let mut out = x.clone();
        for row in out.data_mut().chunks_exact_mut(cols) {
            for ((v, &s), &k) in row.iter_mut().zip(&self.shift).zip(&self.scale) {
                *v = F::of((v.as_f64() - s) / k);
            }
        }
        out
    }
}

impl From<&MinMaxScaler> for Scaling {
    fn from(s: &MinMaxScaler) -> Self {
        Scaling {
            kind: "minmax".into(),
            shift: s.min.clone(),
            scale: s.range.clone(),
        }
    }
}

impl From<&StandardScaler> for Scaling {
    fn from(s: &StandardScaler) -> Self {
        Scaling {
            kind: "standard".into(),
            shift: s.mean.clone(),
            scale: s.std.clone(),
        }
    }
}

fn activation_spec(a: Activation) -> LayerSpec {
    let parameter = match a {
        Activation::LeakyRelu(p) | Activation::Elu(p) | Activation::Swish(p) => Some(p),
        _ => None,
    };
    LayerSpec::Activation {
        name: a.name().into(),
        parameter,
    }
}

pub(crate) fn activation_from(name: &str, parameter: Option<f64>) -> Option<Activation> {
    let a = Activation::from_name(name)?;
    Some(match (a, parameter) {
        (Activation::LeakyRelu(_), Some(p)) => Activation::LeakyRelu(p),
        (Activation::Elu(_), Some(p)) => Activation::Elu(p),
        (Activation::Swish(_), Some(p)) => Activation::Swish(p),
        (a, _) => a,
    })
}

pub(crate) fn loss_from(spec: &LossSpec) -> Option<Loss> {
    Some(match (Loss::from_name(&spec.name)?, spec.delta) {
        (Loss::Huber(_), Some(d)) => Loss::Huber(d),
        (l, _) => l,
    })
}

impl ModelSpec {
    /// The description of `model` (weights go to the safetensors file, not here).
    pub fn of<F: Float>(
        model: &Sequential<F>,
        scaling: Option<Scaling>,
        classes: Vec<String>,
    ) -> Self {
        let layers = model
            .layers()
            .iter()
            .map(|l| match l {
                Layer::Dense(d) => LayerSpec::Dense {
                    units: d.outputs,
                    weight_init: d.weight_init.into(),
                    bias_init: d.bias_init.into(),
                },
                Layer::Activation(a) => activation_spec(*a),
                Layer::Dropout(d) => LayerSpec::Dropout { rate: d.rate },
                Layer::BatchNorm(b) => {
                    let r = b.running.borrow();
                    LayerSpec::BatchNorm {
                        momentum: b.momentum,
                        eps: b.eps,
                        running_mean: r.0.clone(),
                        running_var: r.1.clone(),
                    }
                }
            })
            .collect();
        let loss = model.cost();
        ModelSpec {
            format: "gradus-model".into(),
            format_version: FORMAT_VERSION,
            gradus_version: env!("CARGO_PKG_VERSION").into(),
            dtype: F::NAME.into(),
            inputs: model.inputs(),
            layers,
            loss: LossSpec {
                name: loss.name().into(),
                delta: if let Loss::Huber(d) = loss {
                    Some(d)
                } else {
                    None
                },
            },
            seed: model.seed(),
            scaling,
            classes,
        }
    }

    /// Rebuilds the model's layers (with freshly drawn weights, to be overwritten) and
    /// restores batch-norm statistics.
    pub(crate) fn build<F: Float>(&self) -> Result<Sequential<F>, String> {
        let mut net = Sequential::<F>::new(self.inputs, self.seed);
        for (i, l) in self.layers.iter().enumerate() {
            net = match l {
                LayerSpec::Dense {
                    units,
                    weight_init,
                    bias_init,
                } => {
                    let unknown =
                        |s: &InitSpec| format!("layer {i}: unknown initialiser {:?}", s.name);
                    let w = weight_init.to_init().ok_or_else(|| unknown(weight_init))?;
                    let b = bias_init.to_init().ok_or_else(|| unknown(bias_init))?;
                    net.dense_with(*units, w, b)
                }
                LayerSpec::Activation { name, parameter } => {
                    let a = activation_from(name, *parameter)
                        .ok_or_else(|| format!("layer {i}: unknown activation {name:?}"))?;
                    net.activation(a)
                }
                LayerSpec::Dropout { rate } => net.dropout(*rate),
                LayerSpec::BatchNorm { momentum, eps, .. } => {
                    net.batch_norm().with_last_batch_norm(*momentum, *eps)
                }
            };
        }
        // Statistics last: adding a layer redraws the model, which resets them.
        for (i, (spec, layer)) in self.layers.iter().zip(net.layers()).enumerate() {
            if let (
                LayerSpec::BatchNorm {
                    running_mean,
                    running_var,
                    ..
                },
                Layer::BatchNorm(b),
            ) = (spec, layer)
            {
                if running_mean.len() != b.features || running_var.len() != b.features {
                    return Err(format!(
                        "layer {i}: batch-norm statistics have the wrong length"
                    ));
                }
                *b.running.borrow_mut() = (running_mean.clone(), running_var.clone());
            }
        }
        let loss =
            loss_from(&self.loss).ok_or_else(|| format!("unknown loss {:?}", self.loss.name))?;
        let net = net.loss(loss);
        net.validate().map_err(|e| e.to_string())?;
        Ok(net)
    }
}
