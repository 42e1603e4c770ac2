//! Problems (1)–(3): two-point boundary value problems u'' + c·u = p₀ + p₁x on [0, 1] with
//! u(0) = a, u(1) = b, whose exact solutions are elementary.

use crate::autodiff::Var;
use crate::pinn::domain::Domain;
use crate::pinn::problem::{Condition, Problem};
use crate::tensor::{Float, Tensor};

/// u'' + c·u = p₀ + p₁x on [0, 1], u(0) = a, u(1) = b, with c ≥ 0.
#[derive(Clone, Debug, PartialEq)]
pub struct LinearBvp {
    pub name: &'static str,
    pub c: f64,
    pub p0: f64,
    pub p1: f64,
    pub a: f64,
    pub b: f64,
}

impl LinearBvp {
    /// (1) u'' = −1, u(0) = u(1) = 0; exact u = x(1 − x)/2.
    pub fn ode1() -> Self {
        LinearBvp {
            name: "ode1",
            c: 0.0,
            p0: -1.0,
            p1: 0.0,
            a: 0.0,
            b: 0.0,
        }
    }

    /// (2) u'' = −1, u(0) = 1, u(1) = 2; exact u = −x²/2 + 3x/2 + 1.
    pub fn ode2() -> Self {
        LinearBvp {
            name: "ode2",
            c: 0.0,
            p0: -1.0,
            p1: 0.0,
            a: 1.0,
            b: 2.0,
        }
    }

    /// (3) u'' + u = x, u(0) = 1, u(1) = 0.3; exact u = x + cos x + B sin x with
    /// B = (0.3 − 1 − cos 1)/sin 1.
    pub fn ode3() -> Self {
        LinearBvp {
            name: "ode3",
            c: 1.0,
            p0: 0.0,
            p1: 1.0,
            a: 1.0,
            b: 0.3,
        }
    }

    /// The exact solution: particular part plus the homogeneous solution that meets both
    /// boundary values.
    pub fn solution(&self, x: f64) -> f64 {
        let (c, p0, p1, a, b) = (self.c, self.p0, self.p1, self.a, self.b);
        if c == 0.0 {
            // u = p₀x²/2 + p₁x³/6 + Bx + A
            let big_b = b - a - p0 / 2.0 - p1 / 6.0;
            p0 * x * x / 2.0 + p1 * x * x * x / 6.0 + big_b * x + a
        } else {
            // u = (p₀ + p₁x)/c + A cos(ωx) + B sin(ωx), ω = √c
            let w = c.sqrt();
            let big_a = a - p0 / c;
            let big_b = (b - (p0 + p1) / c - big_a * w.cos()) / w.sin();
            (p0 + p1 * x) / c + big_a * (w * x).cos() + big_b * (w * x).sin()
        }
    }
}

impl<F: Float> Problem<F> for LinearBvp {
    fn name(&self) -> &'static str {
        self.name
    }

    fn description(&self) -> String {
        let lhs = if self.c == 0.0 {
            "u''".to_string()
        } else {
            format!("u'' + {}·u", self.c)
        };
        let rhs = match (self.p0, self.p1) {
            (p0, 0.0) => format!("{p0}"),
            (0.0, p1) => format!("{p1}·x"),
            (p0, p1) => format!("{p0} + {p1}·x"),
        };
        format!(
            "{lhs} = {rhs} on [0, 1], u(0) = {}, u(1) = {}",
            self.a, self.b
        )
    }

    fn domain(&self) -> Domain {
        Domain::Interval { x: (0.0, 1.0) }
    }

    fn residual<'t>(&self, x: Var<'t, F>, u: Var<'t, F>) -> Var<'t, F> {
        let tape = x.tape();
        let u_xx = tape.partial(tape.partial(u, x, 0), x, 0);
        let forcing = x.mul_scalar(F::of(self.p1)).add_scalar(F::of(self.p0));
        let lhs = if self.c == 0.0 {
            u_xx
        } else {
            u_xx + u.mul_scalar(F::of(self.c))
        };
        lhs - forcing
    }

    fn trial<'t>(&self, x: Var<'t, F>, n: Var<'t, F>) -> Var<'t, F> {
        // g = a + (b − a)x meets both ends; d = x(1 − x) vanishes there.
        let g = x
            .mul_scalar(F::of(self.b - self.a))
            .add_scalar(F::of(self.a));
        let d = x * (-x).add_scalar(F::one());
        g + d * n
    }

    fn conditions(&self) -> Vec<Condition> {
        vec![
            Condition {
                name: format!("u(0) = {}", self.a),
                points: vec![0.0],
                values: vec![self.a],
            },
            Condition {
                name: format!("u(1) = {}", self.b),
                points: vec![1.0],
                values: vec![self.b],
            },
        ]
    }

    fn exact(&self, point: &[f64]) -> Option<f64> {
        Some(self.solution(point[0]))
    }
}

/// A constant `[n, 1]` tensor of `f` at each row of `x` (forcing terms of residuals).
pub(crate) fn column_of<F: Float>(x: &Tensor<F>, f: impl Fn(&[f64]) -> f64) -> Tensor<F> {
    let (n, d) = x.shape().as_matrix();
    let mut p = vec![0.0; d];
    let data = x
        .data()
        .chunks_exact(d)
        .map(|row| {
            for (pj, v) in p.iter_mut().zip(row) {
                *pj = v.as_f64();
            }
            F::of(f(&p))
        })
        .collect();
    Tensor::from_vec(data, [n, 1])
}
