//! Batch normalisation (Ioffe & Szegedy 2015) over the batch axis: each feature is
//! standardised with the batch's mean and variance during training, and with running
//! averages of them at prediction time, then scaled by γ and shifted by β (both trained).
//!
//! Note: in training mode a row's output depends on the other rows of its batch, so
//! derivatives with respect to inputs (`Tape::partial`) are not per-sample there.

use std::cell::RefCell;

use crate::autodiff::Var;
use crate::tensor::Float;

/// ```
/// use gradus::nn::{Activation, Loss, Sequential};
/// let net = Sequential::<f64>::new(4, 0)
///     .dense(8).batch_norm().activation(Activation::Relu)
///     .dense(1).loss(Loss::Mse);
/// assert_eq!(net.param_count(), 4 * 8 + 8 + 2 * 8 + 8 + 1);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct BatchNorm {
    pub features: usize,
    /// Weight of the newest batch in the running averages.
    pub momentum: f64,
    pub eps: f64,
    /// Index of γ in the model's parameters (β follows it).
    pub(crate) gamma: usize,
    /// Running mean and (unbiased) variance, updated by every training forward pass.
    pub(crate) running: RefCell<(Vec<f64>, Vec<f64>)>,
}

impl BatchNorm {
    pub(crate) fn new(features: usize, gamma: usize) -> Self {
        BatchNorm {
            features,
            momentum: 0.1,
            eps: 1e-5,
            gamma,
            running: RefCell::new((vec![0.0; features], vec![1.0; features])),
        }
    }

    /// Normalises with the batch's statistics and folds them into the running averages.
    pub fn train<'t, F: Float>(
        &self,
        h: Var<'t, F>,
        gamma: Var<'t, F>,
        beta: Var<'t, F>,
    ) -> Var<'t, F> {
        let n = h.shape().dim(0);
        let mean = h.mean_axis(0);
        let centred = h - mean;
        let var = centred.square().mean_axis(0);
        let out = centred / var.add_scalar(F::of(self.eps)).sqrt() * gamma + beta;
        let (m, v) = (h.tape().value_ref(mean), h.tape().value_ref(var));
        let unbias = if n > 1 {
            n as f64 / (n - 1) as f64
        } else {
            1.0
        };
        let mut running = self.running.borrow_mut();
        let (rm, rv) = &mut *running;
        for j in 0..self.features {
            rm[j] += self.momentum * (m[j].as_f64() - rm[j]);
            rv[j] += self.momentum * (v[j].as_f64() * unbias - rv[j]);
        }
        out
    }

    /// Normalises with the running averages (prediction mode).
    pub fn eval<'t, F: Float>(
        &self,
        h: Var<'t, F>,
        gamma: Var<'t, F>,
        beta: Var<'t, F>,
    ) -> Var<'t, F> {
        let running = self.running.borrow();
        let tape = h.tape();
        let d = self.features;
        let mean = tape.constant_with([d], |b| {
            b.iter_mut()
                .zip(&running.0)
                .for_each(|(o, &m)| *o = F::of(m))
        });
        let inv_std = tape.constant_with([d], |b| {
            b.iter_mut()
                .zip(&running.1)
                .for_each(|(o, &v)| *o = F::of(1.0 / (v + self.eps).sqrt()))
        });
        (h - mean) * inv_std * gamma + beta
    }

    pub(crate) fn reset(&self) {
        let mut r = self.running.borrow_mut();
        r.0.iter_mut().for_each(|m| *m = 0.0);
        r.1.iter_mut().for_each(|v| *v = 1.0);
    }
}
