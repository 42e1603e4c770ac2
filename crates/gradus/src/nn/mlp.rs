//! The lectures' shorthand for a feed-forward network: layer sizes, a hidden and an output
//! activation, a cost and a seed — `FFNN((64, 100, 30, 10), hidden=ReLU, output=softmax,
//! cost=cross-entropy, seed)` — expanded into a [`Sequential`] model.

use super::{Activation, Init, Loss, ModelError, Penalty, Sequential};
use crate::tensor::Float;

/// The course's name for the model a config describes.
pub type Mlp<F> = Sequential<F>;

/// Everything that defines a plain feed-forward network.
#[derive(Clone, Debug, PartialEq)]
pub struct MlpConfig {
    /// Layer widths, input first: `[64, 100, 30, 10]`.
    pub sizes: Vec<usize>,
    pub hidden: Activation,
    pub output: Activation,
    pub loss: Loss,
    /// `None` picks the initialiser that suits the hidden activation ([`Init::default_for`]).
    pub weight_init: Option<Init>,
    pub bias_init: Init,
    pub penalty: Penalty,
    /// Dropout rate after every hidden activation (0 = none).
    pub dropout: f64,
    /// Batch normalisation before every hidden activation.
    pub batch_norm: bool,
    pub seed: u64,
}

impl MlpConfig {
    pub fn new(
        sizes: &[usize],
        hidden: Activation,
        output: Activation,
        loss: Loss,
        seed: u64,
    ) -> Self {
        MlpConfig {
            sizes: sizes.to_vec(),
            hidden,
            output,
            loss,
            weight_init: None,
            bias_init: Init::Zeros,
            penalty: Penalty::default(),
            dropout: 0.0,
            batch_norm: false,
            seed,
        }
    }

    /// The model: dense layers with the hidden activation between them and the output
    /// activation at the end.
    pub fn build<F: Float>(&self) -> Result<Sequential<F>, ModelError> {
        if self.sizes.len() < 2 {
            return Err(ModelError::InvalidConfig {
                reason: format!(
                    "sizes {:?} need at least an input and an output width",
                    self.sizes
                ),
            });
        }
        let w_init = self.weight_init.unwrap_or(Init::default_for(self.hidden));
        let mut net = Sequential::new(self.sizes[0], self.seed);
        let last = self.sizes.len() - 2;
        for (l, &units) in self.sizes[1..].iter().enumerate() {
            net = net.dense_with(units, w_init, self.bias_init);
            if l < last {
                if self.batch_norm {
                    net = net.batch_norm();
                }
                net = net.activation(self.hidden);
                if self.dropout > 0.0 {
                    net = net.dropout(self.dropout);
                }
            }
        }
        if self.output != Activation::Identity {
            net = net.activation(self.output);
        }
        let net = net.loss(self.loss).penalty(self.penalty);
        net.validate()?;
        Ok(net)
    }
}

impl<F: Float> Sequential<F> {
    /// The lectures' shorthand: sizes, hidden and output activations, cost and seed.
    ///
    /// ```
    /// use gradus::nn::{Activation, Loss, Mlp};
    /// let net = Mlp::<f32>::ffnn(&[64, 100, 30, 10], Activation::Relu, Activation::Softmax,
    ///                            Loss::CategoricalCrossEntropy, 1).unwrap();
    /// assert_eq!(net.param_count(), 64 * 100 + 100 + 100 * 30 + 30 + 30 * 10 + 10);
    /// let probs = net.predict(&gradus::Tensor::zeros([2, 64]));
    /// assert!((probs.data()[..10].iter().sum::<f32>() - 1.0).abs() < 1e-5);
    /// ```
    pub fn ffnn(
        sizes: &[usize],
        hidden: Activation,
        output: Activation,
        loss: Loss,
        seed: u64,
    ) -> Result<Self, ModelError> {
        MlpConfig::new(sizes, hidden, output, loss, seed).build()
    }
}
