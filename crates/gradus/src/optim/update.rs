//! Applying an [`Optimizer`]: the per-tensor state and the dispatch from the enum to the
//! rule files. The formulas, and why each rule exists, are in those files.

use super::{adagrad, adam, momentum, rmsprop, sgd, Optimizer};
use crate::tensor::Float;

/// The per-tensor state of an [`Optimizer`]: moment buffers and the step count.
///
/// `m` is the first-moment buffer (velocity for momentum and AdaGrad with momentum, Adam's
/// m) and `v` the second-moment buffer (AdaGrad's sum of g², RMSprop's and Adam's average
/// of g²); a buffer the rule does not use is empty. `t` counts the updates made.
///
/// ```
/// use gradus::optim::{OptState, Optimizer};
/// let s: OptState<f32> = Optimizer::momentum(0.1, 0.9).init(3);
/// assert_eq!((s.m.len(), s.v.len(), s.t), (3, 0, 0));
/// let s: OptState<f64> = Optimizer::adam(1e-3).init(3);
/// assert_eq!((s.m, s.v, s.t), (vec![0.0; 3], vec![0.0; 3], 0));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OptState<F> {
    pub m: Vec<F>,
    pub v: Vec<F>,
    pub t: u64,
}

impl Optimizer {
    /// Fresh state for a parameter tensor of `len` elements: zero moments, step 0. Only the
    /// buffers the rule uses are allocated.
    pub fn init<F: Float>(&self, len: usize) -> OptState<F> {
        let (first, second) = match *self {
            Optimizer::Sgd { .. } => (false, false),
            Optimizer::Momentum { .. } => (true, false),
            Optimizer::AdaGrad { momentum, .. } => (momentum != 0.0, true),
            Optimizer::RmsProp { .. } => (false, true),
            Optimizer::Adam { .. } | Optimizer::AdamW { .. } => (true, true),
        };
        let buffer = |used: bool| {
            if used {
                vec![F::zero(); len]
            } else {
                Vec::new()
            }
        };
        OptState {
            m: buffer(first),
            v: buffer(second),
            t: 0,
        }
    }

    /// One step on one parameter tensor; `lr` is the scheduled learning rate for this step
    /// (overrides the stored one). Does not allocate.
    ///
    /// # Panics
    /// If `grad` and `param` differ in length, or `state` was not made by [`Optimizer::init`]
    /// of this rule for this length.
    pub fn update<F: Float>(&self, lr: f64, grad: &[F], state: &mut OptState<F>, param: &mut [F]) {
        let n = param.len();
        assert_eq!(
            grad.len(),
            n,
            "Optimizer::update ({}): gradient has {} elements, parameter {n}",
            self.name(),
            grad.len()
        );
        state.t += 1;
        match *self {
            Optimizer::Sgd { .. } => sgd::step(lr, grad, param),
            Optimizer::Momentum {
                momentum, nesterov, ..
            } => momentum::step(
                lr,
                momentum,
                nesterov,
                grad,
                buf(&mut state.m, n, self),
                param,
            ),
            Optimizer::AdaGrad { eps, momentum, .. } => {
                let velocity = if momentum != 0.0 {
                    Some(buf(&mut state.m, n, self))
                } else {
                    None
                };
                adagrad::step(
                    lr,
                    eps,
                    momentum,
                    grad,
                    buf(&mut state.v, n, self),
                    velocity,
                    param,
                )
            }
            Optimizer::RmsProp { rho, eps, .. } => {
                rmsprop::step(lr, rho, eps, grad, buf(&mut state.v, n, self), param)
            }
            Optimizer::Adam {
                beta1, beta2, eps, ..
            }
            | Optimizer::AdamW {
                beta1, beta2, eps, ..
            } => {
                let weight_decay = match *self {
                    Optimizer::AdamW { weight_decay, .. } => weight_decay,
                    _ => 0.0,
                };
                let hyper = adam::Hyper {
                    lr,
                    beta1,
                    beta2,
                    eps,
                    weight_decay,
                };
                let (m, v) = (buf(&mut state.m, n, self), buf(&mut state.v, n, self));
                adam::step(hyper, state.t, grad, m, v, param)
            }
        }
    }
}

/// A state buffer checked to match the parameter's length.
fn buf<'a, F>(b: &'a mut [F], n: usize, opt: &Optimizer) -> &'a mut [F] {
    assert_eq!(
        b.len(),
        n,
        "Optimizer::update ({}): state buffer has {} elements, parameter {n} \
         (make the state with init of the same optimiser)",
        opt.name(),
        b.len()
    );
    b
}
