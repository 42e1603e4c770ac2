//! Plain stochastic gradient descent: p ← p − η g.

use super::Optimizer;
use crate::tensor::Float;

#[derive(Clone, Debug)]
pub struct Sgd {
    pub lr: f64,
}

impl<F: Float> Optimizer<F> for Sgd {
    type State = ();

    fn init(&self, _len: usize) {}

    fn update(&self, grad: &[F], _state: &mut (), param: &mut [F]) {
        let lr = F::of(self.lr);
        for (p, &g) in param.iter_mut().zip(grad) {
            *p -= lr * g;
        }
    }
}
