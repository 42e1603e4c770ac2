//! The formulas: each test function twice, once written with engine ops (so gradients and
//! Hessians come from the autodiff engine, not from hand derivations) and once on plain
//! `f64` slices (so gradient-free methods, which only need values, do not pay for a tape
//! per evaluation). The two forms are checked against each other in the tests.

use crate::Var;
use std::f64::consts::{E, PI};

type V<'t> = Var<'t, f64>;

/// x as (first n − 1, last n − 1) coordinates, for functions of neighbouring pairs.
fn pairs(x: V<'_>) -> (V<'_>, V<'_>) {
    let n = x.shape().dim(0);
    (x.narrow(0, 0, n - 1), x.narrow(0, 1, n - 1))
}

/// The i-th coordinate as a one-element variable.
fn at(x: V<'_>, i: usize) -> V<'_> {
    x.narrow(0, i, 1)
}

/// Ellipsoid weights 10^(6 i/(n − 1)): the condition number of the Hessian is 10⁶.
pub(super) fn ellipsoid_weight(i: usize, n: usize) -> f64 {
    if n == 1 {
        1.0
    } else {
        10f64.powf(6.0 * i as f64 / (n - 1) as f64)
    }
}

pub(super) fn sphere(x: V<'_>) -> V<'_> {
    x.square().sum()
}
pub(super) fn sphere_f(x: &[f64]) -> f64 {
    x.iter().map(|v| v * v).sum()
}

pub(super) fn ellipsoid(x: V<'_>) -> V<'_> {
    let n = x.shape().dim(0);
    let w: Vec<f64> = (0..n).map(|i| ellipsoid_weight(i, n)).collect();
    let w = x.tape().constant(&crate::Tensor::from_vec(w, [n]));
    (x.square() * w).sum()
}
pub(super) fn ellipsoid_f(x: &[f64]) -> f64 {
    let n = x.len();
    x.iter()
        .enumerate()
        .map(|(i, v)| ellipsoid_weight(i, n) * v * v)
        .sum()
}

pub(super) fn rosenbrock(x: V<'_>) -> V<'_> {
    let (a, b) = pairs(x);
    ((b - a.square()).square().mul_scalar(100.0) + (1.0 - a).square()).sum()
}
pub(super) fn rosenbrock_f(x: &[f64]) -> f64 {
    x.windows(2)
        .map(|w| 100.0 * (w[1] - w[0] * w[0]).powi(2) + (1.0 - w[0]).powi(2))
        .sum()
}

pub(super) fn rastrigin(x: V<'_>) -> V<'_> {
    let n = x.shape().dim(0) as f64;
    (x.square() - x.mul_scalar(2.0 * PI).cos().mul_scalar(10.0))
        .sum()
        .add_scalar(10.0 * n)
}
pub(super) fn rastrigin_f(x: &[f64]) -> f64 {
    10.0 * x.len() as f64
        + x.iter()
            .map(|v| v * v - 10.0 * (2.0 * PI * v).cos())
            .sum::<f64>()
}

/// Ackley's function. Its gradient is undefined at the minimum itself (the square root of
/// the mean square has an infinite slope at 0), as for any cone-shaped minimum.
pub(super) fn ackley(x: V<'_>) -> V<'_> {
    let r = x.square().mean().sqrt();
    let c = x.mul_scalar(2.0 * PI).cos().mean();
    (r.mul_scalar(-0.2).exp().mul_scalar(-20.0) - c.exp()).add_scalar(20.0 + E)
}
pub(super) fn ackley_f(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let r = (x.iter().map(|v| v * v).sum::<f64>() / n).sqrt();
    let c = x.iter().map(|v| (2.0 * PI * v).cos()).sum::<f64>() / n;
    -20.0 * (-0.2 * r).exp() - c.exp() + 20.0 + E
}

pub(super) fn styblinski_tang(x: V<'_>) -> V<'_> {
    (x.pow(4.0) - x.square().mul_scalar(16.0) + x.mul_scalar(5.0))
        .sum()
        .mul_scalar(0.5)
}
pub(super) fn styblinski_tang_f(x: &[f64]) -> f64 {
    0.5 * x
        .iter()
        .map(|v| v.powi(4) - 16.0 * v * v + 5.0 * v)
        .sum::<f64>()
}

pub(super) fn beale(x: V<'_>) -> V<'_> {
    let (a, b) = (at(x, 0), at(x, 1));
    let ab = a * b;
    let ab2 = ab * b;
    let ab3 = ab2 * b;
    ((1.5 - a + ab).square() + (2.25 - a + ab2).square() + (2.625 - a + ab3).square()).sum()
}
pub(super) fn beale_f(x: &[f64]) -> f64 {
    let (a, b) = (x[0], x[1]);
    (1.5 - a + a * b).powi(2) + (2.25 - a + a * b * b).powi(2) + (2.625 - a + a * b.powi(3)).powi(2)
}

pub(super) fn himmelblau(x: V<'_>) -> V<'_> {
    let (a, b) = (at(x, 0), at(x, 1));
    ((a.square() + b).add_scalar(-11.0).square() + (a + b.square()).add_scalar(-7.0).square()).sum()
}
pub(super) fn himmelblau_f(x: &[f64]) -> f64 {
    let (a, b) = (x[0], x[1]);
    (a * a + b - 11.0).powi(2) + (a + b * b - 7.0).powi(2)
}

pub(super) fn booth(x: V<'_>) -> V<'_> {
    let (a, b) = (at(x, 0), at(x, 1));
    ((a + b.mul_scalar(2.0)).add_scalar(-7.0).square()
        + (a.mul_scalar(2.0) + b).add_scalar(-5.0).square())
    .sum()
}
pub(super) fn booth_f(x: &[f64]) -> f64 {
    let (a, b) = (x[0], x[1]);
    (a + 2.0 * b - 7.0).powi(2) + (2.0 * a + b - 5.0).powi(2)
}

pub(super) fn goldstein_price(x: V<'_>) -> V<'_> {
    let (a, b) = (at(x, 0), at(x, 1));
    let (a2, b2, ab) = (a.square(), b.square(), a * b);
    let p1 = (a + b).add_scalar(1.0).square();
    let q1 = (a.mul_scalar(-14.0) + a2.mul_scalar(3.0) - b.mul_scalar(14.0)
        + ab.mul_scalar(6.0)
        + b2.mul_scalar(3.0))
    .add_scalar(19.0);
    let p2 = (a.mul_scalar(2.0) - b.mul_scalar(3.0)).square();
    let q2 = (a.mul_scalar(-32.0) + a2.mul_scalar(12.0) + b.mul_scalar(48.0) - ab.mul_scalar(36.0)
        + b2.mul_scalar(27.0))
    .add_scalar(18.0);
    ((p1 * q1).add_scalar(1.0) * (p2 * q2).add_scalar(30.0)).sum()
}
pub(super) fn goldstein_price_f(x: &[f64]) -> f64 {
    let (a, b) = (x[0], x[1]);
    let t1 = 1.0
        + (a + b + 1.0).powi(2)
            * (19.0 - 14.0 * a + 3.0 * a * a - 14.0 * b + 6.0 * a * b + 3.0 * b * b);
    let t2 = 30.0
        + (2.0 * a - 3.0 * b).powi(2)
            * (18.0 - 32.0 * a + 12.0 * a * a + 48.0 * b - 36.0 * a * b + 27.0 * b * b);
    t1 * t2
}

/// The course's f(x) = x³ − 2x² + 2: a local minimum at x = 4/3 and no global one.
pub(super) fn cubic(x: V<'_>) -> V<'_> {
    (x.pow(3.0) - x.square().mul_scalar(2.0))
        .sum()
        .add_scalar(2.0)
}
pub(super) fn cubic_f(x: &[f64]) -> f64 {
    x[0].powi(3) - 2.0 * x[0] * x[0] + 2.0
}
