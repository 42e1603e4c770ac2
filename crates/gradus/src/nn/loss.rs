//! Cost functions of a network, and the L1/L2 weight penalties.

use super::Activation;
use crate::autodiff::Var;
use crate::tensor::Float;

/// A cost comparing a network's output with its targets, averaged over the batch.
///
/// Cross-entropies are computed from the output layer's pre-activations when the output
/// activation is the matching sigmoid or softmax (the fused, stable form: no log of a
/// probability that rounded to zero); with any other output they fall back to clamped
/// probabilities.
///
/// ```
/// use gradus::nn::{Activation, Loss};
/// use gradus::{Tape, Tensor};
/// let tape = Tape::<f64>::new();
/// let z = tape.constant(&Tensor::from_vec(vec![2.0, -1.0, 0.5, 0.0], [2, 2]));
/// let y = tape.constant(&Tensor::from_vec(vec![1.0, 0.0, 0.0, 1.0], [2, 2]));
/// let l = Loss::CategoricalCrossEntropy.compute(z, Activation::Softmax, y);
/// assert!(l.item() > 0.0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Loss {
    Mse,
    Mae,
    /// Quadratic within δ of the target, linear beyond.
    Huber(f64),
    LogCosh,
    /// Targets in {0, 1} (or [0, 1]), one column per binary output.
    BinaryCrossEntropy,
    /// One-hot target rows.
    CategoricalCrossEntropy,
}

/// Probabilities are kept this far from 0 and 1 when a cross-entropy cannot use logits.
const PROB_EPS: f64 = 1e-12;

impl Loss {
    /// The loss of pre-activations `z` passed through `output`, against `target`.
    pub fn compute<'t, F: Float>(
        &self,
        z: Var<'t, F>,
        output: Activation,
        target: Var<'t, F>,
    ) -> Var<'t, F> {
        match (self, output) {
            (Loss::BinaryCrossEntropy, Activation::Sigmoid) => z.bce_with_logits(target),
            (Loss::CategoricalCrossEntropy, Activation::Softmax) => z.cce_with_logits(target),
            (Loss::BinaryCrossEntropy, act) => {
                let p = act.apply(z).clamp(F::of(PROB_EPS), F::of(1.0 - PROB_EPS));
                let q = (-p).add_scalar(F::one());
                let t1 = (-target).add_scalar(F::one());
                -(target * p.ln() + t1 * q.ln()).mean()
            }
            (Loss::CategoricalCrossEntropy, act) => {
                let p = act.apply(z).clamp(F::of(PROB_EPS), F::one());
                let rows = z.shape().as_matrix().0;
                -(target * p.ln()).sum().mul_scalar(F::of(1.0 / rows as f64))
            }
            (Loss::Mse, act) => act.apply(z).mse(target),
            (Loss::Mae, act) => act.apply(z).mae(target),
            (Loss::Huber(d), act) => act.apply(z).huber(target, F::of(*d)),
            (Loss::LogCosh, act) => act.apply(z).log_cosh(target),
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Loss::Mse => "mse",
            Loss::Mae => "mae",
            Loss::Huber(_) => "huber",
            Loss::LogCosh => "log_cosh",
            Loss::BinaryCrossEntropy => "binary_cross_entropy",
            Loss::CategoricalCrossEntropy => "categorical_cross_entropy",
        }
    }

    /// Parses a config name (Huber takes δ = 1). Returns `None` for unknown names.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name.to_ascii_lowercase().as_str() {
            "mse" | "mean_squared_error" => Loss::Mse,
            "mae" | "mean_absolute_error" => Loss::Mae,
            "huber" => Loss::Huber(1.0),
            "log_cosh" | "logcosh" => Loss::LogCosh,
            "bce" | "binary_cross_entropy" | "binary_crossentropy" => Loss::BinaryCrossEntropy,
            "cce" | "cross_entropy" | "categorical_cross_entropy" | "categorical_crossentropy" => {
                Loss::CategoricalCrossEntropy
            }
            _ => return None,
        })
    }
}

/// Weight penalties added to the cost: `l1·Σ|w| + l2·Σw²` over the weight matrices (not the
/// biases), the convention of Keras' `l1`/`l2` regularisers.
///
/// ```
/// use gradus::nn::Penalty;
/// let p = Penalty { l1: 0.0, l2: 1e-4 };
/// assert!(!p.is_zero());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Penalty {
    pub l1: f64,
    pub l2: f64,
}

impl Penalty {
    pub fn is_zero(&self) -> bool {
        self.l1 == 0.0 && self.l2 == 0.0
    }

    /// The penalty of one weight matrix, or `None` when both coefficients are zero.
    pub fn of<'t, F: Float>(&self, w: Var<'t, F>) -> Option<Var<'t, F>> {
        let l1 = (self.l1 != 0.0).then(|| w.abs().sum().mul_scalar(F::of(self.l1)));
        let l2 = (self.l2 != 0.0).then(|| w.square().sum().mul_scalar(F::of(self.l2)));
        match (l1, l2) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        }
    }
}
