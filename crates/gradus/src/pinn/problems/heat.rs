//! Problem (6): the heat equation u_t = κ u_xx on [0, 1] for t in [0, 1], u = 0 at both
//! ends, u(x, 0) = sin(πx) + ½ sin(3πx); exact solution by separation of variables,
//! u = e^(−κπ²t) sin(πx) + ½ e^(−9κπ²t) sin(3πx).

use std::f64::consts::PI;

use crate::autodiff::Var;
use crate::pinn::domain::Domain;
use crate::pinn::jet::known;
use crate::pinn::problem::{Condition, Problem};
use crate::tensor::Float;

#[derive(Clone, Debug, PartialEq)]
pub struct Heat1d {
    /// Diffusivity κ.
    pub kappa: f64,
    /// Points on the initial line and on each boundary in the penalty form.
    pub condition_points: usize,
}

impl Default for Heat1d {
    fn default() -> Self {
        Heat1d {
            kappa: 0.1,
            condition_points: 64,
        }
    }
}

impl Heat1d {
    pub fn solution(&self, t: f64, x: f64) -> f64 {
        let k = self.kappa * PI * PI;
        (-k * t).exp() * (PI * x).sin() + 0.5 * (-9.0 * k * t).exp() * (3.0 * PI * x).sin()
    }
}

impl<F: Float> Problem<F> for Heat1d {
    fn name(&self) -> &'static str {
        "heat"
    }

    fn description(&self) -> String {
        format!(
            "u_t = {}·u_xx on [0, 1] × [0, 1], u(t, 0) = u(t, 1) = 0, u(0, x) = sin(πx) + ½ sin(3πx)",
            self.kappa
        )
    }

    fn domain(&self) -> Domain {
        Domain::TimeSpace {
            t: (0.0, 1.0),
            x: (0.0, 1.0),
        }
    }

    fn residual<'t>(&self, x: Var<'t, F>, u: Var<'t, F>) -> Var<'t, F> {
        let tape = x.tape();
        let u_t = tape.partial(u, x, 0);
        let u_xx = tape.partial(tape.partial(u, x, 1), x, 1);
        u_t - u_xx.mul_scalar(F::of(self.kappa))
    }

    fn trial<'t>(&self, x: Var<'t, F>, n: Var<'t, F>) -> Var<'t, F> {
        // g = u(0, x) (zero at both ends), d = t·x(1 − x).
        let g = known(x, |p| {
            let (a, b) = (PI * p[1], 3.0 * PI * p[1]);
            let value = a.sin() + 0.5 * b.sin();
            let dx = PI * a.cos() + 1.5 * PI * b.cos();
            let dxx = -PI * PI * a.sin() - 4.5 * PI * PI * b.sin();
            (value, vec![0.0, dx], vec![0.0, 0.0, 0.0, dxx])
        });
        let (t, s) = (x.narrow(1, 0, 1), x.narrow(1, 1, 1));
        g + t * s * (-s).add_scalar(F::one()) * n
    }

    fn conditions(&self) -> Vec<Condition> {
        let m = self.condition_points.max(2);
        let s = |k: usize| k as f64 / (m - 1) as f64;
        let initial: Vec<(f64, f64)> = (0..m).map(|k| (0.0, s(k))).collect();
        let left: Vec<(f64, f64)> = (0..m).map(|k| (s(k), 0.0)).collect();
        let right: Vec<(f64, f64)> = (0..m).map(|k| (s(k), 1.0)).collect();
        [
            ("initial u(0, x)", initial),
            ("u(t, 0) = 0", left),
            ("u(t, 1) = 0", right),
        ]
        .into_iter()
        .map(|(name, pts)| Condition {
            name: name.into(),
            values: pts.iter().map(|&(t, x)| self.solution(t, x)).collect(),
            points: pts.into_iter().flat_map(|(t, x)| [t, x]).collect(),
        })
        .collect()
    }

    fn exact(&self, p: &[f64]) -> Option<f64> {
        Some(self.solution(p[0], p[1]))
    }
}
