//! Problem (4): Poisson's equation on the unit square with exact solution
//! u = x² + y + sin(πx) sin(πy), so Δu = 2 − 2π² sin(πx) sin(πy) and u = x² + y on the
//! boundary.

use std::f64::consts::PI;

use super::bvp::column_of;
use crate::autodiff::Var;
use crate::pinn::domain::Domain;
use crate::pinn::problem::{Condition, Problem};
use crate::tensor::Float;

/// Δu = 2 − 2π² sin(πx) sin(πy) on [0, 1]², u = x² + y on the boundary.
#[derive(Clone, Debug, PartialEq)]
pub struct Poisson2d {
    /// Points per edge in the penalty form.
    pub edge_points: usize,
}

impl Default for Poisson2d {
    fn default() -> Self {
        Poisson2d { edge_points: 32 }
    }
}

fn exact(x: f64, y: f64) -> f64 {
    x * x + y + (PI * x).sin() * (PI * y).sin()
}

impl<F: Float> Problem<F> for Poisson2d {
    fn name(&self) -> &'static str {
        "poisson"
    }

    fn description(&self) -> String {
        "u_xx + u_yy = 2 − 2π² sin(πx) sin(πy) on [0, 1]², u = x² + y on the boundary \
         (exact u = x² + y + sin(πx) sin(πy))"
            .into()
    }

    fn domain(&self) -> Domain {
        Domain::Rectangle {
            x: (0.0, 1.0),
            y: (0.0, 1.0),
        }
    }

    fn residual<'t>(&self, x: Var<'t, F>, u: Var<'t, F>) -> Var<'t, F> {
        let tape = x.tape();
        let u_xx = tape.partial(tape.partial(u, x, 0), x, 0);
        let u_yy = tape.partial(tape.partial(u, x, 1), x, 1);
        let f = column_of(&x.value(), |p| {
            2.0 - 2.0 * PI * PI * (PI * p[0]).sin() * (PI * p[1]).sin()
        });
        u_xx + u_yy - tape.constant(&f)
    }

    fn trial<'t>(&self, x: Var<'t, F>, n: Var<'t, F>) -> Var<'t, F> {
        // g = x² + y is the boundary data everywhere; d = x(1 − x) y(1 − y).
        let (px, py) = (x.narrow(1, 0, 1), x.narrow(1, 1, 1));
        let g = px.square() + py;
        let d = px * (-px).add_scalar(F::one()) * py * (-py).add_scalar(F::one());
        g + d * n
    }

    fn conditions(&self) -> Vec<Condition> {
        let m = self.edge_points.max(2);
        let s = |k: usize| k as f64 / (m - 1) as f64;
        let edge = |name: &str, at: &dyn Fn(f64) -> (f64, f64)| {
            let mut points = Vec::with_capacity(2 * m);
            let mut values = Vec::with_capacity(m);
            for k in 0..m {
                let (x, y) = at(s(k));
                points.extend([x, y]);
                values.push(exact(x, y));
            }
            Condition {
                name: name.into(),
                points,
                values,
            }
        };
        vec![
            edge("u(x, 0) = x²", &|v| (v, 0.0)),
            edge("u(x, 1) = x² + 1", &|v| (v, 1.0)),
            edge("u(0, y) = y", &|v| (0.0, v)),
            edge("u(1, y) = 1 + y", &|v| (1.0, v)),
        ]
    }

    fn exact(&self, p: &[f64]) -> Option<f64> {
        Some(exact(p[0], p[1]))
    }
}
