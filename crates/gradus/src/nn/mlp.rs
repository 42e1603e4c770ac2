//! The course's feed-forward network: dense layers with one hidden activation, an output
//! activation and a cost, built from a list of layer sizes and a seed.

use std::fmt::Write as _;

use super::{Activation, Init, Loss, ModelError, Penalty};
use crate::autodiff::{Tape, Var};
use crate::data::Dataset;
use crate::rng;
use crate::tensor::{Float, Tensor};

/// Everything that defines a network before training.
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
            seed,
        }
    }

    fn validate(&self) -> Result<(), ModelError> {
        let bad = |reason: String| Err(ModelError::InvalidConfig { reason });
        if self.sizes.len() < 2 {
            return bad(format!(
                "sizes {:?} need at least an input and an output width",
                self.sizes
            ));
        }
        if let Some(i) = self.sizes.iter().position(|&s| s == 0) {
            return bad(format!("layer {i} of sizes {:?} has width 0", self.sizes));
        }
        let out = *self.sizes.last().unwrap();
        if self.output == Activation::Softmax && out < 2 {
            return bad(
                "a softmax output needs at least 2 units; use sigmoid for one binary output".into(),
            );
        }
        if self.loss == Loss::CategoricalCrossEntropy && out < 2 {
            return bad(
                "categorical cross-entropy needs at least 2 outputs; use binary cross-entropy"
                    .into(),
            );
        }
        if self.hidden == Activation::Softmax {
            return bad(
                "softmax is an output activation; pick relu, tanh, ... for hidden layers".into(),
            );
        }
        Ok(())
    }
}

/// What a network predicts, decided by its output activation and cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Task {
    Regression,
    Binary,
    Multiclass,
}

/// Loss and (for classification) accuracy on a data set.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Metrics {
    pub loss: f64,
    pub accuracy: Option<f64>,
}

/// Where a model's parameters sit on a tape: consecutive leaves from `first`.
#[derive(Clone, Copy, Debug)]
pub struct ParamsOnTape {
    pub first: usize,
    pub count: usize,
}

impl ParamsOnTape {
    pub fn get<'t, F: Float>(&self, tape: &'t Tape<F>, i: usize) -> Var<'t, F> {
        assert!(i < self.count, "parameter {i} of {}", self.count);
        tape.var_at(self.first + i)
    }
}

/// A feed-forward network `h ← σ(h W + b)`, with `W` of shape fan_in x fan_out.
///
/// ```
/// use gradus::nn::{Activation, Loss, Mlp};
/// // The lectures' FFNN((64, 100, 30, 10), hidden=ReLU, output=softmax, cost=cross-entropy, seed)
/// let net = Mlp::<f32>::ffnn(&[64, 100, 30, 10], Activation::Relu, Activation::Softmax,
///                            Loss::CategoricalCrossEntropy, 1).unwrap();
/// assert_eq!(net.param_count(), 64 * 100 + 100 + 100 * 30 + 30 + 30 * 10 + 10);
/// let probs = net.predict(&gradus::Tensor::zeros([2, 64]));
/// assert!((probs.data()[..10].iter().sum::<f32>() - 1.0).abs() < 1e-5);
/// ```
#[derive(Clone, Debug)]
pub struct Mlp<F: Float> {
    config: MlpConfig,
    /// `[W0, b0, W1, b1, ...]`, named `layers.{i}.weight` and `layers.{i}.bias`.
    params: Vec<Tensor<F>>,
}

impl<F: Float> Mlp<F> {
    pub fn new(config: MlpConfig) -> Result<Self, ModelError> {
        config.validate()?;
        let mut net = Mlp {
            config,
            params: Vec::new(),
        };
        net.reset_weights(net.config.seed);
        Ok(net)
    }

    /// The lectures' shorthand: sizes, hidden and output activations, cost and seed.
    pub fn ffnn(
        sizes: &[usize],
        hidden: Activation,
        output: Activation,
        loss: Loss,
        seed: u64,
    ) -> Result<Self, ModelError> {
        Mlp::new(MlpConfig::new(sizes, hidden, output, loss, seed))
    }

    /// Draws fresh weights and biases from `seed`.
    pub fn reset_weights(&mut self, seed: u64) {
        let mut r = rng::seeded(seed);
        let c = &self.config;
        let w_init = c.weight_init.unwrap_or(Init::default_for(c.hidden));
        self.params.clear();
        for w in c.sizes.windows(2) {
            self.params.push(w_init.sample(w[0], w[1], &mut r));
            self.params
                .push(c.bias_init.sample_shape([w[1]], w[0], w[1], &mut r));
        }
    }

    pub fn config(&self) -> &MlpConfig {
        &self.config
    }

    pub fn task(&self) -> Task {
        match self.config.output {
            Activation::Softmax => Task::Multiclass,
            Activation::Sigmoid if self.config.loss == Loss::BinaryCrossEntropy => Task::Binary,
            Activation::Step => Task::Binary,
            _ => Task::Regression,
        }
    }

    pub fn inputs(&self) -> usize {
        self.config.sizes[0]
    }

    pub fn outputs(&self) -> usize {
        *self.config.sizes.last().unwrap()
    }

    pub fn params(&self) -> &[Tensor<F>] {
        &self.params
    }

    pub fn params_mut(&mut self) -> &mut [Tensor<F>] {
        &mut self.params
    }

    /// Hierarchical names, in the order of [`params`](Self::params).
    pub fn param_names(&self) -> Vec<String> {
        (0..self.params.len())
            .map(|i| {
                format!(
                    "layers.{}.{}",
                    i / 2,
                    if i % 2 == 0 { "weight" } else { "bias" }
                )
            })
            .collect()
    }

    pub fn param_count(&self) -> usize {
        self.params.iter().map(|p| p.numel()).sum()
    }

    /// Puts every parameter on the tape as a differentiable leaf.
    pub fn record_params(&self, tape: &Tape<F>) -> ParamsOnTape {
        let first = tape.len();
        for p in &self.params {
            tape.var(p);
        }
        ParamsOnTape {
            first,
            count: self.params.len(),
        }
    }

    /// Pre-activations of the output layer for a batch `x` (rows are samples).
    pub fn logits<'t>(&self, tape: &'t Tape<F>, on: ParamsOnTape, x: Var<'t, F>) -> Var<'t, F> {
        let layers = self.params.len() / 2;
        let mut h = x;
        for l in 0..layers {
            h = h.matmul(on.get(tape, 2 * l)) + on.get(tape, 2 * l + 1);
            if l + 1 < layers {
                h = self.config.hidden.apply(h);
            }
        }
        h
    }

    /// The network's output: pre-activations through the output activation.
    pub fn forward<'t>(&self, tape: &'t Tape<F>, on: ParamsOnTape, x: Var<'t, F>) -> Var<'t, F> {
        self.config.output.apply(self.logits(tape, on, x))
    }

    /// The cost of a batch plus the weight penalty: what training minimises.
    pub fn objective<'t>(
        &self,
        tape: &'t Tape<F>,
        on: ParamsOnTape,
        x: Var<'t, F>,
        y: Var<'t, F>,
    ) -> Var<'t, F> {
        let z = self.logits(tape, on, x);
        let mut cost = self.config.loss.compute(z, self.config.output, y);
        for l in 0..self.params.len() / 2 {
            if let Some(p) = self.config.penalty.of(on.get(tape, 2 * l)) {
                cost = cost + p;
            }
        }
        cost
    }

    /// Outputs for every row of `x`: probabilities for classification, values for regression.
    pub fn predict(&self, x: &Tensor<F>) -> Tensor<F> {
        let tape = Tape::new();
        let on = self.record_params(&tape);
        self.forward(&tape, on, tape.constant(x)).value()
    }

    /// Class of every row: argmax for multi-class, probability > ½ for binary.
    pub fn predict_classes(&self, x: &Tensor<F>) -> Vec<usize> {
        let p = self.predict(x);
        classes_of(&p, self.task())
    }

    /// Cost (without penalty) and accuracy on a data set.
    pub fn evaluate(&self, data: &Dataset<F>) -> Metrics {
        let tape = Tape::new();
        let on = self.record_params(&tape);
        let x = tape.constant(&data.x);
        let z = self.logits(&tape, on, x);
        let loss = self
            .config
            .loss
            .compute(z, self.config.output, tape.constant(&data.y))
            .item()
            .as_f64();
        let accuracy = match self.task() {
            Task::Regression => None,
            task => {
                let p = self.config.output.apply(z).value();
                let predicted = classes_of(&p, task);
                let truth = classes_of(&data.y, task);
                let hits = predicted.iter().zip(&truth).filter(|(a, b)| a == b).count();
                Some(hits as f64 / truth.len().max(1) as f64)
            }
        };
        Metrics { loss, accuracy }
    }

    /// A Keras-like table of layers, output shapes and parameter counts.
    pub fn summary(&self) -> String {
        let c = &self.config;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{:<22} {:<14} {:>10}",
            "layer (activation)", "output shape", "params"
        );
        let _ = writeln!(s, "{}", "-".repeat(48));
        let _ = writeln!(
            s,
            "{:<22} {:<14} {:>10}",
            "input",
            format!("(None, {})", c.sizes[0]),
            0
        );
        let layers = c.sizes.len() - 1;
        for (l, w) in c.sizes.windows(2).enumerate() {
            let act = if l + 1 < layers { c.hidden } else { c.output };
            let name = format!("dense_{l} ({})", act.name());
            let _ = writeln!(
                s,
                "{:<22} {:<14} {:>10}",
                name,
                format!("(None, {})", w[1]),
                w[0] * w[1] + w[1]
            );
        }
        let _ = writeln!(s, "{}", "-".repeat(48));
        let _ = writeln!(
            s,
            "total parameters: {} ({}; loss {})",
            self.param_count(),
            F::NAME,
            c.loss.name()
        );
        s
    }
}

/// Class indices from outputs or one-hot targets.
fn classes_of<F: Float>(p: &Tensor<F>, task: Task) -> Vec<usize> {
    match task {
        Task::Binary if p.shape().as_matrix().1 == 1 => p
            .data()
            .iter()
            .map(|&v| usize::from(v.as_f64() > 0.5))
            .collect(),
        _ => p.argmax_rows(),
    }
}
