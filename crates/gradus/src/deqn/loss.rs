//! The training loss of a DEQN: a cost of the equilibrium residuals against zero, one
//! equation at a time, combined with optional weights.

use super::model::col;
use super::DeqnError;
use crate::autodiff::Var;
use crate::nn::{Activation, Loss};

/// A cost per equation (mean over the batch), combined as Σⱼ wⱼ Lⱼ / Σⱼ wⱼ.
///
/// The per-equation cost is an [`nn::Loss`](crate::nn::Loss) against a zero target: mean
/// squared (the default: the Euler residuals' mean square is what accuracy reports quote),
/// mean absolute, Huber (quadratic within δ, linear beyond: keeps early, wild residuals
/// from dominating) or log-cosh (the smooth version of the same idea).
#[derive(Clone, Debug, PartialEq)]
pub struct ResidualLoss {
    pub kind: Loss,
    /// One weight per equation; empty means equal weights.
    pub weights: Vec<f64>,
}

impl Default for ResidualLoss {
    fn default() -> Self {
        ResidualLoss {
            kind: Loss::Mse,
            weights: Vec::new(),
        }
    }
}

impl ResidualLoss {
    /// Checks the cost is a regression cost and the weights fit `equations`.
    pub fn validate(&self, equations: usize) -> Result<(), DeqnError> {
        if matches!(
            self.kind,
            Loss::BinaryCrossEntropy | Loss::CategoricalCrossEntropy
        ) {
            return Err(DeqnError::InvalidConfig {
                reason: format!(
                    "loss {:?} compares probabilities; residuals need mse, mae, huber or log_cosh",
                    self.kind.name()
                ),
            });
        }
        if !self.weights.is_empty() {
            if self.weights.len() != equations {
                return Err(DeqnError::InvalidConfig {
                    reason: format!(
                        "{} equation weights given, the model has {equations} equations",
                        self.weights.len()
                    ),
                });
            }
            if self.weights.iter().any(|w| !(*w >= 0.0 && w.is_finite()))
                || self.weights.iter().sum::<f64>() <= 0.0
            {
                return Err(DeqnError::InvalidConfig {
                    reason: format!(
                        "equation weights {:?} must be non-negative with a positive sum",
                        self.weights
                    ),
                });
            }
        }
        Ok(())
    }

    /// The loss of residuals `r` (batch × equations).
    pub fn of<'t>(&self, r: Var<'t, f64>) -> Var<'t, f64> {
        let (rows, eqs) = r.shape().as_matrix();
        let zero = r.tape().full([rows, 1], 0.0);
        let total: f64 = if self.weights.is_empty() {
            eqs as f64
        } else {
            self.weights.iter().sum()
        };
        let mut acc: Option<Var<'t, f64>> = None;
        for j in 0..eqs {
            let w = self.weights.get(j).copied().unwrap_or(1.0) / total;
            let l = self.kind.compute(col(r, j), Activation::Identity, zero) * w;
            acc = Some(match acc {
                Some(a) => a + l,
                None => l,
            });
        }
        acc.expect("a model has at least one equation")
    }
}
