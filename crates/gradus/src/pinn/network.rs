//! The network inside a physics-informed solution and the loss it is trained on.
//!
//! Inputs are mapped to [−1, 1] per axis *on the tape*, so a Black–Scholes spot of 100 does
//! not saturate tanh while `tape.partial(u, x, j)` still differentiates with respect to the
//! problem's own variables (the chain rule through the scaling is recorded like any op).

use super::problem::{Constraint, Problem, Surrogate};
use crate::autodiff::{Tape, Var};
use crate::nn::{Activation, Mode, ParamsOnTape, Sequential};
use crate::tensor::{Float, Tensor};

/// Collocation points and, in the penalty form, the condition points with their targets.
#[derive(Clone, Debug)]
pub struct Batch<F: Float> {
    /// `[n, dim]`
    pub x: Tensor<F>,
    /// `([m, dim], [m, 1])` per condition; empty in the hard form.
    pub conditions: Vec<(Tensor<F>, Tensor<F>)>,
}

impl<F: Float> Batch<F> {
    /// Points flattened row-major (`dim` each) and the problem's conditions when `constraint`
    /// is a penalty.
    pub fn new(problem: &dyn Problem<F>, constraint: Constraint, points: &[f64]) -> Self {
        let d = problem.domain().dim();
        let conditions = match constraint {
            Constraint::Hard => Vec::new(),
            Constraint::Penalty { .. } => problem
                .conditions()
                .into_iter()
                .map(|c| {
                    let m = c.values.len();
                    (to_tensor(&c.points, [m, d]), to_tensor(&c.values, [m, 1]))
                })
                .collect(),
        };
        Batch {
            x: to_tensor(points, [points.len() / d, d]),
            conditions,
        }
    }
}

pub(crate) fn to_tensor<F: Float>(v: &[f64], shape: [usize; 2]) -> Tensor<F> {
    Tensor::from_vec(v.iter().map(|&a| F::of(a)).collect(), shape)
}

/// The loss and its parts, as tape nodes.
pub struct LossParts<'t, F: Float> {
    pub total: Var<'t, F>,
    /// mean(residual²)
    pub residual: Var<'t, F>,
    /// Σ mean(violation²) over the conditions (unweighted); `None` in the hard form.
    pub conditions: Option<Var<'t, F>>,
}

/// A network N and what turns it into a solution u of a problem.
#[derive(Clone, Debug)]
pub struct Pinn<F: Float> {
    pub net: Sequential<F>,
    pub constraint: Constraint,
    centre: Tensor<F>,
    inv_half_width: Tensor<F>,
    out_scale: f64,
}

impl<F: Float> Pinn<F> {
    /// A `dim`-`hidden`…-1 network with `activation` between dense layers, weights drawn
    /// from `seed`.
    pub fn new(
        problem: &dyn Problem<F>,
        constraint: Constraint,
        hidden: &[usize],
        activation: Activation,
        seed: u64,
    ) -> Self {
        let domain = problem.domain();
        let d = domain.dim();
        let mut net = Sequential::new(d, seed);
        for &h in hidden {
            net = net.dense(h).activation(activation);
        }
        net = net.dense(1);
        let (c, h) = domain.centre_and_half_width();
        let inv: Vec<f64> = h.iter().map(|w| 1.0 / w).collect();
        Pinn {
            net,
            constraint,
            centre: to_tensor(&c, [1, d]),
            inv_half_width: to_tensor(&inv, [1, d]),
            out_scale: problem.output_scale(),
        }
    }

    /// u(x): the scaled network, through the trial solution in the hard form.
    pub fn solution<'t>(
        &self,
        problem: &dyn Problem<F>,
        tape: &'t Tape<F>,
        on: ParamsOnTape,
        x: Var<'t, F>,
    ) -> Var<'t, F> {
        let z = (x - tape.constant(&self.centre)) * tape.constant(&self.inv_half_width);
        let n = self
            .net
            .logits(tape, on, z, &mut Mode::Eval)
            .mul_scalar(F::of(self.out_scale));
        match self.constraint {
            Constraint::Hard => problem.trial(x, n),
            Constraint::Penalty { .. } => n,
        }
    }

    /// mean(residual²) + weight · Σ_conditions mean((u − target)²), with the parameters at
    /// `on` (so a flat vector or a gradient check can stand in for them).
    pub fn loss<'t>(
        &self,
        problem: &dyn Problem<F>,
        tape: &'t Tape<F>,
        on: ParamsOnTape,
        batch: &Batch<F>,
    ) -> LossParts<'t, F> {
        let x = tape.constant(&batch.x);
        let u = self.solution(problem, tape, on, x);
        let residual = problem.residual(x, u).square().mean();
        let mut conditions = None;
        for (pts, target) in &batch.conditions {
            let xc = tape.constant(pts);
            let uc = self.solution(problem, tape, on, xc);
            let term = uc.mse(tape.constant(target));
            conditions = Some(match conditions {
                None => term,
                Some(acc) => acc + term,
            });
        }
        let total = match (self.constraint, conditions) {
            (Constraint::Penalty { weight }, Some(c)) => residual + c.mul_scalar(F::of(weight)),
            _ => residual,
        };
        LossParts {
            total,
            residual,
            conditions,
        }
    }

    /// Residuals at `points` (flattened row-major), in chunks so memory stays bounded.
    pub fn residuals(&self, problem: &dyn Problem<F>, points: &[f64]) -> Vec<f64> {
        self.values_with(problem, points, |_, x, u| problem.residual(x, u))
    }

    /// Any quantity `f(tape, x, u)` (an `[n, 1]` node: u, a derivative, a residual) at
    /// `points`, evaluated in chunks so memory stays bounded.
    pub fn values_with(
        &self,
        problem: &dyn Problem<F>,
        points: &[f64],
        f: impl for<'t> Fn(&'t Tape<F>, Var<'t, F>, Var<'t, F>) -> Var<'t, F>,
    ) -> Vec<f64> {
        self.map_chunks(problem, points, |tape, x, u| f(tape, x, u).value_in(tape))
    }

    fn map_chunks(
        &self,
        problem: &dyn Problem<F>,
        points: &[f64],
        f: impl for<'t> Fn(&'t Tape<F>, Var<'t, F>, Var<'t, F>) -> Vec<f64>,
    ) -> Vec<f64> {
        let d = problem.domain().dim();
        let mut out = Vec::with_capacity(points.len() / d);
        let mut tape = Tape::new();
        for chunk in points.chunks(1024 * d) {
            tape.clear();
            let on = self.net.record_params(&tape);
            let x = tape.constant(&to_tensor(chunk, [chunk.len() / d, d]));
            let u = self.solution(problem, &tape, on, x);
            out.extend(f(&tape, x, u));
        }
        out
    }

    /// Solution values at `points`.
    pub fn values(&self, problem: &dyn Problem<F>, points: &[f64]) -> Vec<f64> {
        self.map_chunks(problem, points, |tape, _, u| u.value_in(tape))
    }

    /// ∂u/∂(input `column`) at `points`.
    pub fn partial(&self, problem: &dyn Problem<F>, points: &[f64], column: usize) -> Vec<f64> {
        self.map_chunks(problem, points, |tape, x, u| {
            tape.partial(u, x, column).value_in(tape)
        })
    }

    /// The parameters as one flat `f64` vector (for L-BFGS and checkpoints).
    pub fn flat_params(&self) -> Vec<f64> {
        self.net
            .params()
            .iter()
            .flat_map(|p| p.data().iter().map(|v| v.as_f64()))
            .collect()
    }

    pub fn set_flat_params(&mut self, theta: &[f64]) {
        let mut offset = 0;
        for p in self.net.params_mut() {
            let n = p.numel();
            for (d, &v) in p.data_mut().iter_mut().zip(&theta[offset..offset + n]) {
                *d = F::of(v);
            }
            offset += n;
        }
    }
}

trait ValueIn<F: Float> {
    fn value_in(self, tape: &Tape<F>) -> Vec<f64>;
}

impl<F: Float> ValueIn<F> for Var<'_, F> {
    fn value_in(self, tape: &Tape<F>) -> Vec<f64> {
        tape.value_ref(self).iter().map(|v| v.as_f64()).collect()
    }
}

/// A trained [`Pinn`] with its problem: what reports and problem metrics look at.
pub struct Solved<'a, F: Float> {
    pub pinn: &'a Pinn<F>,
    pub problem: &'a dyn Problem<F>,
}

impl<F: Float> Surrogate for Solved<'_, F> {
    fn values(&self, points: &[f64]) -> Vec<f64> {
        self.pinn.values(self.problem, points)
    }

    fn partial(&self, points: &[f64], column: usize) -> Vec<f64> {
        self.pinn.partial(self.problem, points, column)
    }
}
