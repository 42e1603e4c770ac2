//! Adam (Kingma & Ba, 2015) in the bias-corrected form of PyTorch and optax:
//! p ← p − η m̂ / (√v̂ + ε).

use super::Optimizer;
use crate::tensor::Float;

/// ```
/// use gradus::optim::{Adam, Optimizer};
/// let adam = Adam::new(0.1);
/// let mut p = [1.0f64];
/// let mut state = adam.init(1);
/// for _ in 0..200 {
///     let g = [2.0 * p[0]]; // d/dp p²
///     adam.update(&g, &mut state, &mut p);
/// }
/// assert!(p[0].abs() < 1e-2);
/// ```
#[derive(Clone, Debug)]
pub struct Adam {
    pub lr: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
}

impl Adam {
    /// Adam with the usual β₁ = 0.9, β₂ = 0.999, ε = 1e-8.
    pub fn new(lr: f64) -> Self {
        Adam {
            lr,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
        }
    }
}

/// First and second moment estimates and the step count of one parameter.
#[derive(Clone, Debug)]
pub struct AdamState<F> {
    pub m: Vec<F>,
    pub v: Vec<F>,
    pub t: u64,
}

impl<F: Float> Optimizer<F> for Adam {
    type State = AdamState<F>;

    fn init(&self, len: usize) -> AdamState<F> {
        AdamState {
            m: vec![F::zero(); len],
            v: vec![F::zero(); len],
            t: 0,
        }
    }

    fn update(&self, grad: &[F], s: &mut AdamState<F>, param: &mut [F]) {
        assert_eq!(
            grad.len(),
            param.len(),
            "Adam::update: gradient and parameter lengths differ"
        );
        s.t += 1;
        let (b1, b2) = (F::of(self.beta1), F::of(self.beta2));
        let (c1, c2) = (F::one() - b1, F::one() - b2);
        let bias1 = 1.0 - self.beta1.powi(s.t as i32);
        let bias2 = 1.0 - self.beta2.powi(s.t as i32);
        let step = F::of(self.lr / bias1);
        let inv_sqrt_bias2 = F::of(1.0 / bias2.sqrt());
        let eps = F::of(self.eps);
        let n = param.len();
        // Equal-length slices and an index loop let the compiler drop bounds checks and
        // vectorise (the zipped-iterator form ran at half the speed).
        let (m, v, g) = (&mut s.m[..n], &mut s.v[..n], &grad[..n]);
        for i in 0..n {
            m[i] = b1 * m[i] + c1 * g[i];
            v[i] = b2 * v[i] + c2 * g[i] * g[i];
            param[i] -= step * m[i] / (v[i].sqrt() * inv_sqrt_bias2 + eps);
        }
    }
}
