//! A model as a stack of layers, built Keras-style, with its cost and weight penalty.

use std::fmt::Write as _;

use super::{Activation, BatchNorm, Dense, Dropout, Init, Layer, Loss, ModelError, Penalty};
use crate::autodiff::{Tape, Var};
use crate::data::Dataset;
use crate::rng::{self, Rng};
use crate::tensor::{Float, Tensor};

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

/// Training mode draws dropout masks and uses batch statistics; evaluation mode does not.
pub enum Mode<'r> {
    Eval,
    Train(&'r mut Rng),
}

/// A feed-forward model: layers applied in order, then a cost.
///
/// ```
/// use gradus::nn::{Activation, Loss, Sequential};
/// let net = Sequential::<f32>::new(64, 1)
///     .dense(100).activation(Activation::Relu)
///     .dense(30).activation(Activation::Relu)
///     .dense(10).activation(Activation::Softmax)
///     .loss(Loss::CategoricalCrossEntropy);
/// assert_eq!(net.param_count(), 64 * 100 + 100 + 100 * 30 + 30 + 30 * 10 + 10);
/// assert_eq!(net.param_names()[2], "layers.2.weight");
/// print!("{}", net.summary());
/// ```
#[derive(Clone, Debug)]
pub struct Sequential<F: Float> {
    inputs: usize,
    layers: Vec<Layer>,
    loss: Loss,
    penalty: Penalty,
    seed: u64,
    /// Every trained tensor, in layer order; layers refer to them by index.
    params: Vec<Tensor<F>>,
    names: Vec<String>,
}

impl<F: Float> Sequential<F> {
    /// An empty model taking `inputs` features; `seed` draws the initial weights.
    pub fn new(inputs: usize, seed: u64) -> Self {
        Sequential {
            inputs,
            layers: Vec::new(),
            loss: Loss::Mse,
            penalty: Penalty::default(),
            seed,
            params: Vec::new(),
            names: Vec::new(),
        }
    }

    /// Appends a dense layer with Glorot-uniform weights and zero biases.
    pub fn dense(self, units: usize) -> Self {
        self.dense_with(units, Init::GlorotUniform, Init::Zeros)
    }

    pub fn dense_with(mut self, units: usize, weight_init: Init, bias_init: Init) -> Self {
        let i = self.layers.len();
        let dense = Dense {
            inputs: self.outputs(),
            outputs: units,
            weight_init,
            bias_init,
            weight: self.params.len(),
        };
        self.names.push(format!("layers.{i}.weight"));
        self.names.push(format!("layers.{i}.bias"));
        self.params.push(Tensor::zeros([dense.inputs, units]));
        self.params.push(Tensor::zeros([units]));
        self.layers.push(Layer::Dense(dense));
        self.reset_weights(self.seed);
        self
    }

    pub fn activation(mut self, a: Activation) -> Self {
        self.layers.push(Layer::Activation(a));
        self
    }

    pub fn dropout(mut self, rate: f64) -> Self {
        self.layers.push(Layer::Dropout(Dropout { rate }));
        self
    }

    pub fn batch_norm(mut self) -> Self {
        let i = self.layers.len();
        let features = self.outputs();
        self.names.push(format!("layers.{i}.gamma"));
        self.names.push(format!("layers.{i}.beta"));
        self.layers.push(Layer::BatchNorm(BatchNorm::new(
            features,
            self.params.len(),
        )));
        self.params.push(Tensor::ones([features]));
        self.params.push(Tensor::zeros([features]));
        self
    }

    /// Sets momentum and ε of the batch-norm layer just added (no-op otherwise).
    pub fn with_last_batch_norm(mut self, momentum: f64, eps: f64) -> Self {
        if let Some(Layer::BatchNorm(b)) = self.layers.last_mut() {
            b.momentum = momentum;
            b.eps = eps;
        }
        self
    }

    pub fn loss(mut self, loss: Loss) -> Self {
        self.loss = loss;
        self
    }

    pub fn penalty(mut self, penalty: Penalty) -> Self {
        self.penalty = penalty;
        self
    }

    /// Checks what a user can get wrong when stacking layers.
    pub fn validate(&self) -> Result<(), ModelError> {
        let bad = |reason: String| Err(ModelError::InvalidConfig { reason });
        if self.inputs == 0 {
            return bad("the model takes 0 input features".into());
        }
        if !self.layers.iter().any(|l| matches!(l, Layer::Dense(_))) {
            return bad("the model has no dense layer".into());
        }
        for (i, l) in self.layers.iter().enumerate() {
            match l {
                Layer::Dense(d) if d.outputs == 0 => return bad(format!("layer {i} is a dense layer of width 0")),
                Layer::Dropout(d) if !(0.0..1.0).contains(&d.rate) => {
                    return bad(format!("layer {i}: a dropout rate must be in [0, 1), got {}", d.rate))
                }
                Layer::Activation(Activation::Softmax) if i + 1 != self.layers.len() => {
                    return bad(format!("layer {i}: softmax is an output activation; use relu, tanh, ... inside the network"))
                }
                _ => {}
            }
        }
        let (out, act) = (self.outputs(), self.output_activation());
        if (act == Activation::Softmax || self.loss == Loss::CategoricalCrossEntropy) && out < 2 {
            return bad("softmax and categorical cross-entropy need at least 2 outputs; use sigmoid and binary cross-entropy for one".into());
        }
        Ok(())
    }

    /// Draws fresh weights from `seed` (one generator through the layers in order) and
    /// resets batch-norm statistics.
    pub fn reset_weights(&mut self, seed: u64) {
        self.seed = seed;
        let mut r = rng::seeded(seed);
        for l in &self.layers {
            match l {
                Layer::Dense(d) => {
                    self.params[d.weight] = d.weight_init.sample(d.inputs, d.outputs, &mut r);
                    self.params[d.weight + 1] =
                        d.bias_init
                            .sample_shape([d.outputs], d.inputs, d.outputs, &mut r);
                }
                Layer::BatchNorm(b) => {
                    self.params[b.gamma] = Tensor::ones([b.features]);
                    self.params[b.gamma + 1] = Tensor::zeros([b.features]);
                    b.reset();
                }
                _ => {}
            }
        }
    }

    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    pub fn inputs(&self) -> usize {
        self.inputs
    }

    pub fn outputs(&self) -> usize {
        self.layers.iter().fold(self.inputs, |w, l| l.outputs(w))
    }

    pub fn cost(&self) -> Loss {
        self.loss
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The final activation, or identity if the model ends in a dense layer.
    pub fn output_activation(&self) -> Activation {
        match self.layers.last() {
            Some(Layer::Activation(a)) => *a,
            _ => Activation::Identity,
        }
    }

    /// False if any activation is the perceptron's step (zero derivative).
    pub fn trainable_by_gradient(&self) -> bool {
        self.layers
            .iter()
            .all(|l| !matches!(l, Layer::Activation(a) if !a.trainable_by_gradient()))
    }

    pub fn task(&self) -> Task {
        match self.output_activation() {
            Activation::Softmax => Task::Multiclass,
            Activation::Sigmoid | Activation::Step
                if self.loss == Loss::BinaryCrossEntropy || self.outputs() == 1 =>
            {
                Task::Binary
            }
            _ if self.loss == Loss::CategoricalCrossEntropy => Task::Multiclass,
            _ if self.loss == Loss::BinaryCrossEntropy => Task::Binary,
            _ => Task::Regression,
        }
    }

    pub fn params(&self) -> &[Tensor<F>] {
        &self.params
    }

    pub fn params_mut(&mut self) -> &mut [Tensor<F>] {
        &mut self.params
    }

    /// Hierarchical names (`layers.{i}.weight`, ...), in the order of [`params`](Self::params).
    pub fn param_names(&self) -> &[String] {
        &self.names
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

    /// [`Sequential::record_params`] without copying: the tape reads the parameters in
    /// place (a data-parallel step, which holds the network borrowed throughout).
    ///
    /// # Safety
    /// The network is neither changed nor dropped until `Tape::forget_views` runs on
    /// `tape`, and nothing reads these nodes' values after that.
    pub(crate) unsafe fn record_param_views(&self, tape: &Tape<F>) -> ParamsOnTape {
        let first = tape.len();
        for p in &self.params {
            // SAFETY: this function's contract.
            unsafe { tape.param_view(p.data(), p.shape()) };
        }
        ParamsOnTape {
            first,
            count: self.params.len(),
        }
    }

    /// Output of the layers before the final activation (the logits of a classifier).
    pub fn logits<'t>(
        &self,
        tape: &'t Tape<F>,
        on: ParamsOnTape,
        x: Var<'t, F>,
        mode: &mut Mode<'_>,
    ) -> Var<'t, F> {
        let body = match self.layers.last() {
            Some(Layer::Activation(_)) => &self.layers[..self.layers.len() - 1],
            _ => &self.layers[..],
        };
        self.run_layers(body, tape, on, x, mode)
    }

    /// `x` through `layers` in order.
    fn run_layers<'t>(
        &self,
        layers: &[Layer],
        tape: &'t Tape<F>,
        on: ParamsOnTape,
        x: Var<'t, F>,
        mode: &mut Mode<'_>,
    ) -> Var<'t, F> {
        let body = layers;
        let mut h = x;
        let mut i = 0;
        while i < body.len() {
            h = match (&body[i], &mut *mode) {
                (Layer::Dense(d), _) => {
                    let z = h.matmul(on.get(tape, d.weight));
                    let bias = on.get(tape, d.weight + 1);
                    // Bias and activation as one fused op where one exists (one pass over
                    // memory each way, one tape node instead of two).
                    match body.get(i + 1).and_then(|next| match next {
                        Layer::Activation(a) => a.apply_with_bias(z, bias),
                        _ => None,
                    }) {
                        Some(y) => {
                            i += 1;
                            y
                        }
                        None => z + bias,
                    }
                }
                (Layer::Activation(a), _) => a.apply(h),
                (Layer::Dropout(d), Mode::Train(r)) => d.apply(h, *r),
                (Layer::Dropout(_), Mode::Eval) => h,
                (Layer::BatchNorm(b), Mode::Train(_)) => {
                    b.train(h, on.get(tape, b.gamma), on.get(tape, b.gamma + 1))
                }
                (Layer::BatchNorm(b), Mode::Eval) => {
                    b.eval(h, on.get(tape, b.gamma), on.get(tape, b.gamma + 1))
                }
            };
            i += 1;
        }
        h
    }

    /// The model's output: logits through the final activation.
    pub fn forward<'t>(
        &self,
        tape: &'t Tape<F>,
        on: ParamsOnTape,
        x: Var<'t, F>,
        mode: &mut Mode<'_>,
    ) -> Var<'t, F> {
        // The same as the final activation of `logits`, but through all layers so that a
        // final tanh or σ fuses with the last bias.
        self.run_layers(&self.layers, tape, on, x, mode)
    }

    /// The cost of a batch plus the weight penalty: what training minimises.
    pub fn objective<'t>(
        &self,
        tape: &'t Tape<F>,
        on: ParamsOnTape,
        x: Var<'t, F>,
        y: Var<'t, F>,
        mode: &mut Mode<'_>,
    ) -> Var<'t, F> {
        let z = self.logits(tape, on, x, mode);
        let mut cost = self.loss.compute(z, self.output_activation(), y);
        for l in &self.layers {
            if let Layer::Dense(d) = l {
                if let Some(p) = self.penalty.of(on.get(tape, d.weight)) {
                    cost = cost + p;
                }
            }
        }
        cost
    }

    /// Outputs for every row of `x` (evaluation mode): probabilities for classification.
    pub fn predict(&self, x: &Tensor<F>) -> Tensor<F> {
        let tape = Tape::new();
        let on = self.record_params(&tape);
        self.forward(&tape, on, tape.constant(x), &mut Mode::Eval)
            .value()
    }

    /// Class of every row: argmax for multi-class, probability > ½ for binary.
    pub fn predict_classes(&self, x: &Tensor<F>) -> Vec<usize> {
        classes_of(&self.predict(x), self.task())
    }

    /// Cost (without penalty) and accuracy on a data set, in evaluation mode.
    pub fn evaluate(&self, data: &Dataset<F>) -> Metrics {
        let tape = Tape::new();
        let on = self.record_params(&tape);
        let z = self.logits(&tape, on, tape.constant(&data.x), &mut Mode::Eval);
        let loss = self
            .loss
            .compute(z, self.output_activation(), tape.constant(&data.y))
            .item()
            .as_f64();
        let accuracy = match self.task() {
            Task::Regression => None,
            task => {
                let p = self.output_activation().apply(z).value();
                let (predicted, truth) = (classes_of(&p, task), classes_of(&data.y, task));
                let hits = predicted.iter().zip(&truth).filter(|(a, b)| a == b).count();
                Some(hits as f64 / truth.len().max(1) as f64)
            }
        };
        Metrics { loss, accuracy }
    }

    /// A Keras-like table of layers, output shapes and parameter counts.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        let line = "-".repeat(50);
        let _ = writeln!(
            s,
            "{:<24} {:<14} {:>10}\n{line}",
            "layer", "output shape", "params"
        );
        let _ = writeln!(
            s,
            "{:<24} {:<14} {:>10}",
            "input",
            format!("(None, {})", self.inputs),
            0
        );
        let mut width = self.inputs;
        for (i, l) in self.layers.iter().enumerate() {
            width = l.outputs(width);
            let _ = writeln!(
                s,
                "{:<24} {:<14} {:>10}",
                format!("{i}: {}", l.name()),
                format!("(None, {width})"),
                l.param_count()
            );
        }
        let _ = writeln!(
            s,
            "{line}\ntotal parameters: {} ({}), loss {}",
            self.param_count(),
            F::NAME,
            self.loss.name()
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
