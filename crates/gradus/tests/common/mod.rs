//! Helpers shared by the integration tests: a plain MLP written with tape ops.
#![allow(dead_code)]

use gradus::{Float, Tape, Tensor, Var};
use rand::Rng;

/// Glorot-uniform weights (fan_in x fan_out) and small random biases for each layer.
pub fn mlp_params<F: Float>(sizes: &[usize], rng: &mut impl Rng) -> Vec<Tensor<F>> {
    let mut p = Vec::new();
    for w in sizes.windows(2) {
        let bound = (6.0 / (w[0] + w[1]) as f64).sqrt();
        p.push(Tensor::uniform([w[0], w[1]], -bound, bound, rng));
        p.push(Tensor::uniform([w[1]], -0.1, 0.1, rng));
    }
    p
}

/// h ← act(h W + b) for every layer but the last, which is linear.
pub fn mlp<'t, F: Float>(
    x: Var<'t, F>,
    params: &[Var<'t, F>],
    act: fn(Var<'t, F>) -> Var<'t, F>,
) -> Var<'t, F> {
    let layers = params.len() / 2;
    let mut h = x;
    for l in 0..layers {
        h = h.matmul(params[2 * l]) + params[2 * l + 1];
        if l + 1 < layers {
            h = act(h);
        }
    }
    h
}

pub fn tanh<'t, F: Float>(v: Var<'t, F>) -> Var<'t, F> {
    v.tanh()
}

pub fn relu<'t, F: Float>(v: Var<'t, F>) -> Var<'t, F> {
    v.relu()
}

/// Puts every parameter on the tape as a variable.
pub fn vars<'t, F: Float>(tape: &'t Tape<F>, params: &[Tensor<F>]) -> Vec<Var<'t, F>> {
    params.iter().map(|p| tape.var(p)).collect()
}
