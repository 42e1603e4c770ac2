//! The layers a [`Sequential`](super::Sequential) model stacks.

use super::{Activation, BatchNorm, Dense, Dropout};

/// One stage of a sequential model.
#[derive(Clone, Debug, PartialEq)]
pub enum Layer {
    Dense(Dense),
    Activation(Activation),
    Dropout(Dropout),
    BatchNorm(BatchNorm),
}

impl Layer {
    /// Width of the layer's output given its input width.
    pub fn outputs(&self, inputs: usize) -> usize {
        match self {
            Layer::Dense(d) => d.outputs,
            _ => inputs,
        }
    }

    /// Number of trained parameters.
    pub fn param_count(&self) -> usize {
        match self {
            Layer::Dense(d) => d.inputs * d.outputs + d.outputs,
            Layer::BatchNorm(b) => 2 * b.features,
            _ => 0,
        }
    }

    pub fn name(&self) -> String {
        match self {
            Layer::Dense(_) => "dense".into(),
            Layer::Activation(a) => a.name().into(),
            Layer::Dropout(d) => format!("dropout({})", d.rate),
            Layer::BatchNorm(_) => "batch_norm".into(),
        }
    }
}
