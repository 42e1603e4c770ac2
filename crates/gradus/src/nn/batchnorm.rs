//! Batch normalisation (Ioffe & Szegedy 2015) over the batch axis: each feature is
//! standardised with the batch's mean and variance during training, and with running
//! averages of them at prediction time, then scaled by γ and shifted by β (both trained).
//!
//! Note: in training mode a row's output depends on the other rows of its batch, so
//! derivatives with respect to inputs (`Tape::partial`) are not per-sample there.

use std::sync::{Mutex, MutexGuard};

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
    pub(crate) running: Running,
}

impl BatchNorm {
    pub(crate) fn new(features: usize, gamma: usize) -> Self {
        BatchNorm {
            features,
            momentum: 0.1,
            eps: 1e-5,
            gamma,
            running: Running(Mutex::new((vec![0.0; features], vec![1.0; features]))),
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

/// The running (mean, variance) of a batch-norm layer. Behind a mutex rather than a
/// `RefCell` so that a network can be shared by the threads of a data-parallel step
/// (`nn::DataParallel`); those only read it (evaluation mode), so the lock is never
/// contended.
#[derive(Debug)]
pub(crate) struct Running(Mutex<(Vec<f64>, Vec<f64>)>);

impl Running {
    pub(crate) fn borrow(&self) -> MutexGuard<'_, (Vec<f64>, Vec<f64>)> {
        // A panic while holding the lock cannot leave the two vectors half-updated in a
        // way that matters more than the panic itself: keep going with what is there.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn borrow_mut(&self) -> MutexGuard<'_, (Vec<f64>, Vec<f64>)> {
        self.borrow()
    }
}

impl Clone for Running {
    fn clone(&self) -> Self {
        Running(Mutex::new(self.borrow().clone()))
    }
}

impl PartialEq for Running {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other) || *self.borrow() == *other.borrow()
    }
}
