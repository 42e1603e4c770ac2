//! Applying an [`Optimizer`]: the per-tensor state and the dispatch from the enum to the
//! rule files. The formulas, and why each rule exists, are in those files.

use super::{adagrad, adam, momentum, rmsprop, sgd, Optimizer};
use crate::pool::{Disjoint, Pool};
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
    /// Which state buffers the rule keeps: (first moment `m`, second moment `v`).
    fn buffers(&self) -> (bool, bool) {
        match *self {
            Optimizer::Sgd { .. } => (false, false),
            Optimizer::Momentum { .. } => (true, false),
            Optimizer::AdaGrad { momentum, .. } => (momentum != 0.0, true),
            Optimizer::RmsProp { .. } => (false, true),
            Optimizer::Adam { .. } | Optimizer::AdamW { .. } => (true, true),
        }
    }

    /// Fresh state for a parameter tensor of `len` elements: zero moments, step 0. Only the
    /// buffers the rule uses are allocated.
    pub fn init<F: Float>(&self, len: usize) -> OptState<F> {
        let (first, second) = self.buffers();
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
    /// Every rule is element-wise, so a tensor of at least [`PARALLEL_MIN`] elements is cut
    /// into one block per thread of [`Pool`] (wide-mlp's 784 × 512 weight: Adam took 8% of
    /// the step on one thread); the result does not depend on the cut.
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
        let (first, second) = self.buffers();
        let m = buf(&mut state.m, first, n, self);
        let v = buf(&mut state.v, second, n, self);
        state.t += 1;
        let t = state.t;
        if n < PARALLEL_MIN {
            return self.rule(lr, t, grad, m, v, param);
        }
        let pool = Pool::global();
        let blocks = pool.threads().min(crate::tensor::num_threads());
        if blocks == 1 {
            return self.rule(lr, t, grad, m, v, param);
        }
        let chunk = n.div_ceil(blocks).next_multiple_of(64);
        let (mp, vp, pp) = (Disjoint::new(m), Disjoint::new(v), Disjoint::new(param));
        pool.run(blocks, &|b| {
            let r = (b * chunk).min(n)..((b + 1) * chunk).min(n);
            // SAFETY: the blocks' ranges are disjoint, and the borrows of m, v and param
            // outlive `run`.
            let (m, v, p) = unsafe {
                (
                    mp.range(r.clone()),
                    vp.range(r.clone()),
                    pp.range(r.clone()),
                )
            };
            self.rule(lr, t, &grad[r.clone()], m, v, p)
        });
    }

    /// The rule over one block: `m` and `v` are the block of each buffer the rule uses
    /// (empty otherwise). Compiled a second time with AVX2 and FMA, chosen at run time;
    /// the rules are written without fused multiply-adds, so both give the same bits.
    fn rule<F: Float>(&self, lr: f64, t: u64, g: &[F], m: &mut [F], v: &mut [F], p: &mut [F]) {
        #[cfg(target_arch = "x86_64")]
        if crate::tensor::vmath::has_avx2() {
            // SAFETY: the CPU supports the enabled features (checked at run time).
            return unsafe { self.rule_avx2(lr, t, g, m, v, p) };
        }
        self.rule_body(lr, t, g, m, v, p)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn rule_avx2<F: Float>(
        &self,
        lr: f64,
        t: u64,
        g: &[F],
        m: &mut [F],
        v: &mut [F],
        p: &mut [F],
    ) {
        self.rule_body(lr, t, g, m, v, p)
    }

    #[inline(always)]
    fn rule_body<F: Float>(&self, lr: f64, t: u64, g: &[F], m: &mut [F], v: &mut [F], p: &mut [F]) {
        match *self {
            Optimizer::Sgd { .. } => sgd::step(lr, g, p),
            Optimizer::Momentum {
                momentum, nesterov, ..
            } => momentum::step(lr, momentum, nesterov, g, m, p),
            Optimizer::AdaGrad { eps, momentum, .. } => {
                let velocity = if momentum != 0.0 { Some(m) } else { None };
                adagrad::step(lr, eps, momentum, g, v, velocity, p)
            }
            Optimizer::RmsProp { rho, eps, .. } => rmsprop::step(lr, rho, eps, g, v, p),
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
                adam::step(hyper, t, g, m, v, p)
            }
        }
    }
}

/// Elements from which one parameter tensor's update is split across threads: below it the
/// fork and join (about a microsecond) cost more than half the update saves.
pub const PARALLEL_MIN: usize = 1 << 14;

/// The state buffer a rule uses, checked to match the parameter's length (an unused one is
/// passed on empty).
fn buf<'a, F>(b: &'a mut [F], used: bool, n: usize, opt: &Optimizer) -> &'a mut [F] {
    if !used {
        return &mut [];
    }
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
