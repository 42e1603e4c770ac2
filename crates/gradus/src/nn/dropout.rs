//! Dropout (Srivastava et al. 2014): during training each unit is zeroed with probability
//! `rate` and the survivors are scaled by 1/(1 − rate) ("inverted" dropout), so nothing
//! changes at prediction time.

use rand::Rng;

use crate::autodiff::Var;
use crate::tensor::Float;

/// ```
/// use gradus::nn::{Activation, Loss, Sequential};
/// let net = Sequential::<f32>::new(8, 1)
///     .dense(16).activation(Activation::Relu).dropout(0.2)
///     .dense(2).activation(Activation::Softmax).loss(Loss::CategoricalCrossEntropy);
/// assert!(net.validate().is_ok());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Dropout {
    pub rate: f64,
}

impl Dropout {
    /// Multiplies `h` by a fresh mask drawn from `rng` (training mode only).
    pub fn apply<'t, F: Float>(&self, h: Var<'t, F>, rng: &mut impl Rng) -> Var<'t, F> {
        if self.rate == 0.0 {
            return h;
        }
        let keep = F::of(1.0 / (1.0 - self.rate));
        let rate = self.rate;
        let mask = h.tape().constant_with(h.shape(), |m| {
            for v in m.iter_mut() {
                *v = if rng.random::<f64>() < rate {
                    F::zero()
                } else {
                    keep
                };
            }
        });
        h * mask
    }
}
