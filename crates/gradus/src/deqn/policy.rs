//! The policy network: a plain feed-forward net on the model's features, each raw output
//! passed through the model's transform (sigmoid for a rate, softplus for a level).

use super::model::{col, columns, Model, Transform};
use super::DeqnError;
use crate::autodiff::{Tape, Var};
use crate::nn::{Activation, Init, Loss, MlpConfig, Mode, ParamsOnTape, Sequential};
use crate::tensor::Tensor;

/// How much the output layer's initial weights are shrunk (see `Policy::new`).
const OUTPUT_SCALE: f64 = 0.01;

/// A network and the transforms of its outputs.
#[derive(Clone, Debug)]
pub struct Policy {
    pub net: Sequential<f64>,
    pub transforms: Vec<Transform>,
}

impl Policy {
    /// A network with `hidden` widths and activation, inputs sized to the model's features
    /// and one output per policy. `seed` draws the weights.
    pub fn new(
        model: &dyn Model,
        hidden: &[usize],
        activation: Activation,
        seed: u64,
    ) -> Result<Self, DeqnError> {
        let inputs = feature_count(model);
        let policies = model.policies();
        let mut sizes = vec![inputs];
        sizes.extend_from_slice(hidden);
        sizes.push(policies.len());
        let mut config = MlpConfig::new(&sizes, activation, Activation::Identity, Loss::Mse, seed);
        // Biases drawn from U(−1, 1) instead of zero: with zero biases every first-layer ReLU
        // kink passes through the origin of the (unit-scaled) features, so the fitted policy
        // is rough there; spread kinks cover the feature box evenly.
        config.bias_init = Init::Uniform(1.0);
        let net = config.build().map_err(|e| DeqnError::InvalidConfig {
            reason: e.to_string(),
        })?;
        let mut net = net;
        // Start nearly flat: output weights shrunk by OUTPUT_SCALE, so the hidden layers'
        // random features move the starting policy only a little. Equilibrium policies are
        // smooth and often nearly constant (Brock–Mirman's savings rate is exactly αβ);
        // a network that starts rough must later cancel every random ReLU kink, and the
        // kinks it leaves uncancelled were the largest errors of the trained policy.
        let n = net.params().len();
        for w in net.params_mut()[n - 2].data_mut() {
            *w *= OUTPUT_SCALE;
        }
        if let Some(guess) = model.initial_policy() {
            // Start at the guess: output biases at its inverse transform.
            for (b, (g, (_, t))) in net.params_mut()[n - 1]
                .data_mut()
                .iter_mut()
                .zip(guess.iter().zip(&policies))
            {
                *b = t.inverse(*g);
            }
        }
        Ok(Policy {
            net,
            transforms: policies.iter().map(|p| p.1).collect(),
        })
    }

    /// The policy of a batch of states, on the tape (differentiable in the parameters `on`
    /// and in the states).
    pub fn eval<'t>(
        &self,
        model: &dyn Model,
        tape: &'t Tape<f64>,
        on: ParamsOnTape,
        states: Var<'t, f64>,
    ) -> Var<'t, f64> {
        let raw = self
            .net
            .forward(tape, on, model.features(states), &mut Mode::Eval);
        if self.transforms.len() == 1 {
            return self.transforms[0].apply(raw);
        }
        let cols: Vec<_> = self
            .transforms
            .iter()
            .enumerate()
            .map(|(j, t)| t.apply(col(raw, j)))
            .collect();
        columns(&cols)
    }

    /// The policy of a batch of states (rows), as numbers.
    pub fn predict(&self, model: &dyn Model, states: &Tensor<f64>) -> Tensor<f64> {
        let tape = Tape::new();
        let on = self.net.record_params(&tape);
        self.eval(model, &tape, on, tape.constant(states)).value()
    }
}

/// Width of the model's feature vector (evaluated once at its start state).
fn feature_count(model: &dyn Model) -> usize {
    let tape = Tape::new();
    let s = model.start();
    let f = model.features(tape.constant(&Tensor::from_vec(s.clone(), [1, s.len()])));
    f.shape().as_matrix().1
}
