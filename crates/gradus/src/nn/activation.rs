//! Activation functions, as a value a model or a config file can name.

use crate::autodiff::Var;
use crate::tensor::Float;

/// The activations of the course. Each maps to tape ops, so every one is differentiable
/// to any order except `Step`, whose derivative is zero: a network with step activations
/// (Rosenblatt's perceptron) cannot be trained by gradient descent, and `fit` refuses it.
///
/// ```
/// use gradus::nn::Activation;
/// use gradus::Tape;
/// let tape = Tape::<f64>::new();
/// let z = tape.var_scalar(-2.0);
/// assert_eq!(Activation::Relu.apply(z).item(), 0.0);
/// assert!((Activation::LeakyRelu(0.1).apply(z).item() + 0.2).abs() < 1e-15);
/// assert!(!Activation::Step.trainable_by_gradient());
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Activation {
    Identity,
    /// Heaviside step 1[z > 0] (the perceptron); not trainable by gradient.
    Step,
    Sigmoid,
    Tanh,
    Relu,
    /// z for z > 0, αz otherwise.
    LeakyRelu(f64),
    /// z for z > 0, α(eᶻ − 1) otherwise.
    Elu(f64),
    Selu,
    /// z·σ(βz); β = 1 is SiLU.
    Swish(f64),
    Softplus,
    /// Over the last axis (one row per sample).
    Softmax,
}

impl Activation {
    pub fn apply<'t, F: Float>(&self, z: Var<'t, F>) -> Var<'t, F> {
        match *self {
            Activation::Identity => z,
            Activation::Step => z.step(),
            Activation::Sigmoid => z.sigmoid(),
            Activation::Tanh => z.tanh(),
            Activation::Relu => z.relu(),
            Activation::LeakyRelu(a) => z.leaky_relu(F::of(a)),
            Activation::Elu(a) => z.elu(F::of(a)),
            Activation::Selu => z.selu(),
            Activation::Swish(b) => z.swish(F::of(b)),
            Activation::Softplus => z.softplus(),
            Activation::Softmax => z.softmax(),
        }
    }

    /// `self(z + bias)` as one fused tape op (bias a row added to every row of `z`), for
    /// the activations that have one (tanh, σ, ReLU); `None` for the others, which a
    /// caller applies after a plain add.
    pub fn apply_with_bias<'t, F: Float>(
        &self,
        z: Var<'t, F>,
        bias: Var<'t, F>,
    ) -> Option<Var<'t, F>> {
        match self {
            Activation::Tanh => Some(z.bias_tanh(bias)),
            Activation::Sigmoid => Some(z.bias_sigmoid(bias)),
            Activation::Relu => Some(z.bias_relu(bias)),
            _ => None,
        }
    }

    /// False only for `Step`, whose derivative is zero almost everywhere.
    pub fn trainable_by_gradient(&self) -> bool {
        !matches!(self, Activation::Step)
    }

    /// The name used in configs and summaries.
    pub fn name(&self) -> &'static str {
        match self {
            Activation::Identity => "identity",
            Activation::Step => "step",
            Activation::Sigmoid => "sigmoid",
            Activation::Tanh => "tanh",
            Activation::Relu => "relu",
            Activation::LeakyRelu(_) => "leaky_relu",
            Activation::Elu(_) => "elu",
            Activation::Selu => "selu",
            Activation::Swish(_) => "swish",
            Activation::Softplus => "softplus",
            Activation::Softmax => "softmax",
        }
    }

    /// Parses a config name; parameterised activations take their usual defaults
    /// (leaky ReLU α = 0.01, ELU α = 1, swish β = 1). Returns `None` for unknown names.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name.to_ascii_lowercase().as_str() {
            "identity" | "linear" | "none" => Activation::Identity,
            "step" | "heaviside" => Activation::Step,
            "sigmoid" | "logistic" => Activation::Sigmoid,
            "tanh" => Activation::Tanh,
            "relu" => Activation::Relu,
            "leaky_relu" | "leakyrelu" => Activation::LeakyRelu(0.01),
            "elu" => Activation::Elu(1.0),
            "selu" => Activation::Selu,
            "swish" | "silu" => Activation::Swish(1.0),
            "softplus" => Activation::Softplus,
            "softmax" => Activation::Softmax,
            _ => return None,
        })
    }
}
