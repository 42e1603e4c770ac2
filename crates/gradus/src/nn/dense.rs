//! The dense (fully connected) layer: h ↦ h W + b, with W of shape inputs x outputs.

use super::Init;

/// A dense layer's shape and initialisers. Its weight and bias live in the model's
/// parameter list at `weight` and `weight + 1`.
///
/// ```
/// use gradus::nn::{Activation, Init, Loss, Sequential};
/// let net = Sequential::<f64>::new(3, 0)
///     .dense_with(4, Init::HeNormal, Init::Constant(0.1))
///     .activation(Activation::Relu)
///     .dense(1)
///     .loss(Loss::Mse);
/// assert_eq!(net.param_count(), 3 * 4 + 4 + 4 + 1);
/// assert!(net.params()[1].data().iter().all(|&b| b == 0.1));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Dense {
    pub inputs: usize,
    pub outputs: usize,
    pub weight_init: Init,
    pub bias_init: Init,
    /// Index of the weight in the model's parameters (the bias follows it).
    pub(crate) weight: usize,
}
