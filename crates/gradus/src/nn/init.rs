//! Weight initialisers: the scale of the first weights decides whether signals and
//! gradients survive many layers (Glorot & Bengio 2010 for tanh/sigmoid, He et al. 2015
//! for ReLU, LeCun 1998 / Klambauer 2017 for SELU).

use rand::Rng;

use crate::tensor::{Float, Tensor};

/// How to draw a parameter tensor of a layer with `fan_in` inputs and `fan_out` outputs.
///
/// ```
/// use gradus::nn::Init;
/// let w = Init::GlorotUniform.sample::<f64>(64, 100, &mut gradus::rng::seeded(0));
/// let limit = (6.0f64 / 164.0).sqrt();
/// assert_eq!(w.shape().dims(), &[64, 100]);
/// assert!(w.data().iter().all(|v| v.abs() <= limit));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Init {
    Zeros,
    Constant(f64),
    /// N(0, σ²).
    Normal(f64),
    /// U(−a, a).
    Uniform(f64),
    /// N(0, 2/(fan_in + fan_out)).
    GlorotNormal,
    /// U(±√(6/(fan_in + fan_out))).
    GlorotUniform,
    /// N(0, 2/fan_in).
    HeNormal,
    /// U(±√(6/fan_in)).
    HeUniform,
    /// N(0, 1/fan_in).
    LeCunNormal,
    /// U(±√(3/fan_in)).
    LeCunUniform,
}

impl Init {
    /// A `fan_in x fan_out` weight matrix.
    pub fn sample<F: Float>(&self, fan_in: usize, fan_out: usize, rng: &mut impl Rng) -> Tensor<F> {
        self.sample_shape([fan_in, fan_out], fan_in, fan_out, rng)
    }

    /// A tensor of any shape, with the fans that set the scale given separately (a bias of
    /// shape `[fan_out]` uses the fans of its layer).
    pub fn sample_shape<F: Float>(
        &self,
        shape: impl Into<crate::Shape>,
        fan_in: usize,
        fan_out: usize,
        rng: &mut impl Rng,
    ) -> Tensor<F> {
        let (fi, fo) = (fan_in.max(1) as f64, fan_out.max(1) as f64);
        match *self {
            Init::Zeros => Tensor::zeros(shape),
            Init::Constant(c) => Tensor::full(shape, F::of(c)),
            Init::Normal(std) => Tensor::randn(shape, 0.0, std, rng),
            Init::Uniform(a) => Tensor::uniform(shape, -a, a, rng),
            Init::GlorotNormal => Tensor::randn(shape, 0.0, (2.0 / (fi + fo)).sqrt(), rng),
            Init::GlorotUniform => {
                let a = (6.0 / (fi + fo)).sqrt();
                Tensor::uniform(shape, -a, a, rng)
            }
            Init::HeNormal => Tensor::randn(shape, 0.0, (2.0 / fi).sqrt(), rng),
            Init::HeUniform => {
                let a = (6.0 / fi).sqrt();
                Tensor::uniform(shape, -a, a, rng)
            }
            Init::LeCunNormal => Tensor::randn(shape, 0.0, (1.0 / fi).sqrt(), rng),
            Init::LeCunUniform => {
                let a = (3.0 / fi).sqrt();
                Tensor::uniform(shape, -a, a, rng)
            }
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Init::Zeros => "zeros",
            Init::Constant(_) => "constant",
            Init::Normal(_) => "normal",
            Init::Uniform(_) => "uniform",
            Init::GlorotNormal => "glorot_normal",
            Init::GlorotUniform => "glorot_uniform",
            Init::HeNormal => "he_normal",
            Init::HeUniform => "he_uniform",
            Init::LeCunNormal => "lecun_normal",
            Init::LeCunUniform => "lecun_uniform",
        }
    }

    /// Parses a config name (Keras' names, and PyTorch's xavier/kaiming for Glorot/He);
    /// `normal` and `uniform` take Keras' scale 0.05. `None` for unknown names.
    ///
    /// ```
    /// use gradus::nn::Init;
    /// assert_eq!(Init::from_name("kaiming_normal"), Some(Init::HeNormal));
    /// assert_eq!(Init::from_name(Init::GlorotUniform.name()), Some(Init::GlorotUniform));
    /// ```
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name.to_ascii_lowercase().as_str() {
            "zeros" => Init::Zeros,
            "normal" | "random_normal" => Init::Normal(0.05),
            "uniform" | "random_uniform" => Init::Uniform(0.05),
            "glorot_normal" | "xavier_normal" => Init::GlorotNormal,
            "glorot_uniform" | "xavier_uniform" => Init::GlorotUniform,
            "he_normal" | "kaiming_normal" => Init::HeNormal,
            "he_uniform" | "kaiming_uniform" => Init::HeUniform,
            "lecun_normal" => Init::LeCunNormal,
            "lecun_uniform" => Init::LeCunUniform,
            _ => return None,
        })
    }

    /// The initialiser that suits an activation: He for the ReLU family, LeCun for SELU,
    /// Glorot otherwise.
    pub fn default_for(activation: super::Activation) -> Init {
        use super::Activation as A;
        match activation {
            A::Relu | A::LeakyRelu(_) | A::Elu(_) | A::Swish(_) => Init::HeUniform,
            A::Selu => Init::LeCunNormal,
            _ => Init::GlorotUniform,
        }
    }
}
