//! Full-batch training by Newton's method and L-BFGS, for the small models on which the
//! course sets them against gradient descent. The model's parameters become one flat
//! vector; the Hessian comes from the engine (reverse-over-forward), not finite differences.

use super::TrainError;
use crate::autodiff::{calculus, Var};
use crate::data::Dataset;
use crate::nn::{Layer, Mlp, Mode, ParamsOnTape};
use crate::optim::{lbfgs, newton, LbfgsParams, MinimizeResult, NewtonParams};
use crate::tensor::{Float, Tensor};

/// Above this many parameters a dense Hessian (n² entries, n sweeps) is not worth it.
pub const NEWTON_MAX_PARAMS: usize = 2_000;

/// Minimises the full-batch objective (cost + penalty) by damped Newton steps; the model
/// ends at the best point found.
///
/// ```
/// use gradus::nn::{Activation, Loss, Mlp};
/// use gradus::train::fit_newton;
/// let mut and = gradus::data::and::<f64>();
/// and.y = and.label_column().unwrap();
/// let mut net = Mlp::ffnn(&[2, 1], Activation::Identity, Activation::Sigmoid,
///                         Loss::BinaryCrossEntropy, 0).unwrap();
/// let r = fit_newton(&mut net, &and, &Default::default()).unwrap();
/// assert_eq!(net.evaluate(&and).accuracy, Some(1.0));
/// assert!(r.iterations < 100);
/// ```
pub fn fit_newton<F: Float>(
    model: &mut Mlp<F>,
    data: &Dataset<F>,
    params: &NewtonParams,
) -> Result<MinimizeResult, TrainError> {
    check(model)?;
    if model.param_count() > NEWTON_MAX_PARAMS {
        return Err(TrainError::NotTrainable {
            reason: format!(
                "Newton's method forms a {n}x{n} Hessian for {n} parameters; above {NEWTON_MAX_PARAMS} use L-BFGS or Adam",
                n = model.param_count()
            ),
        });
    }
    let x0 = flatten(model);
    let probe = model.clone();
    let result = newton(
        |theta| {
            let t = to_tensor::<F>(theta);
            let (f, g) = calculus::grad(|v| flat_objective(&probe, data, v), &t);
            let h = calculus::hessian(|v| flat_objective(&probe, data, v), &t);
            (f.as_f64(), to_f64(g.data()), to_f64(h.data()))
        },
        &x0,
        params,
    );
    unflatten(model, &result.x);
    Ok(result)
}

/// Minimises the full-batch objective by L-BFGS; the model ends at the best point found.
///
/// ```
/// use gradus::nn::{Activation, Loss, Mlp};
/// use gradus::train::fit_lbfgs;
/// let data = gradus::data::franke::<f64>(200, 1);
/// let mut net = Mlp::ffnn(&[2, 16, 1], Activation::Tanh, Activation::Identity, Loss::Mse, 0).unwrap();
/// let before = net.evaluate(&data).loss;
/// let r = fit_lbfgs(&mut net, &data, &Default::default()).unwrap();
/// assert!(r.f < before / 10.0, "{before} -> {}", r.f);
/// ```
pub fn fit_lbfgs<F: Float>(
    model: &mut Mlp<F>,
    data: &Dataset<F>,
    params: &LbfgsParams,
) -> Result<MinimizeResult, TrainError> {
    check(model)?;
    let x0 = flatten(model);
    let probe = model.clone();
    let result = lbfgs(
        |theta| {
            let (f, g) =
                calculus::grad(|v| flat_objective(&probe, data, v), &to_tensor::<F>(theta));
            (f.as_f64(), to_f64(g.data()))
        },
        &x0,
        params,
    );
    unflatten(model, &result.x);
    Ok(result)
}

fn check<F: Float>(model: &Mlp<F>) -> Result<(), TrainError> {
    model.validate().map_err(|e| TrainError::NotTrainable {
        reason: e.to_string(),
    })?;
    let stochastic = model
        .layers()
        .iter()
        .any(|l| matches!(l, Layer::Dropout(_) | Layer::BatchNorm(_)));
    if stochastic || !model.trainable_by_gradient() {
        return Err(TrainError::NotTrainable {
            reason: "Newton and L-BFGS minimise one deterministic full-batch objective: remove \
                     dropout, batch normalisation and step activations"
                .into(),
        });
    }
    Ok(())
}

/// The objective with every parameter a slice of one flat vector `theta`. The reshaped
/// slices are recorded consecutively so that they can stand in for the model's leaves.
fn flat_objective<'t, F: Float>(
    model: &Mlp<F>,
    data: &Dataset<F>,
    theta: Var<'t, F>,
) -> Var<'t, F> {
    let tape = theta.tape();
    let mut pieces = Vec::with_capacity(model.params().len());
    let mut offset = 0;
    for p in model.params() {
        pieces.push(theta.narrow(0, offset, p.numel()));
        offset += p.numel();
    }
    let first = tape.len();
    for (piece, p) in pieces.into_iter().zip(model.params()) {
        piece.reshape(p.shape());
    }
    let on = ParamsOnTape {
        first,
        count: model.params().len(),
    };
    let x = tape.constant(&data.x);
    let y = tape.constant(&data.y);
    model.objective(tape, on, x, y, &mut Mode::Eval)
}

fn flatten<F: Float>(model: &Mlp<F>) -> Vec<f64> {
    model
        .params()
        .iter()
        .flat_map(|p| p.data().iter().map(|v| v.as_f64()))
        .collect()
}

fn unflatten<F: Float>(model: &mut Mlp<F>, x: &[f64]) {
    let mut offset = 0;
    for p in model.params_mut() {
        let n = p.numel();
        for (d, &v) in p.data_mut().iter_mut().zip(&x[offset..offset + n]) {
            *d = F::of(v);
        }
        offset += n;
    }
}

fn to_tensor<F: Float>(x: &[f64]) -> Tensor<F> {
    Tensor::from_vec(x.iter().map(|&v| F::of(v)).collect(), [x.len()])
}

fn to_f64<F: Float>(x: &[F]) -> Vec<f64> {
    x.iter().map(|v| v.as_f64()).collect()
}
