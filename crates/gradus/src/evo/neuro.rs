//! Neuro-evolution: a network's weights trained by a gradient-free method through one flat
//! parameter vector (all tensors of [`Sequential::params`] concatenated in order).
//!
//! The objective is the network's cost on the whole data set, as
//! [`Sequential::evaluate`] computes it; nothing is differentiated, so this also trains
//! networks with step activations, which gradient descent cannot.

use super::cmaes::CmaError;
use super::ga::{ga_minimize, GaError, GaParams};
use super::ipop::{ipop, IpopParams, Start};
use super::params::CmaParams;
use crate::data::Dataset;
use crate::nn::Sequential;

/// All parameters of `net`, concatenated.
pub fn flat_params(net: &Sequential<f64>) -> Vec<f64> {
    net.params()
        .iter()
        .flat_map(|t| t.data().iter().copied())
        .collect()
}

/// Writes a flat vector (as [`flat_params`] makes) back into `net`.
///
/// # Panics
/// If `flat.len()` is not [`Sequential::param_count`].
pub fn set_flat_params(net: &mut Sequential<f64>, flat: &[f64]) {
    assert_eq!(
        flat.len(),
        net.param_count(),
        "set_flat_params: {} values for {} parameters",
        flat.len(),
        net.param_count()
    );
    let mut at = 0;
    for t in net.params_mut() {
        let len = t.data().len();
        t.data_mut().copy_from_slice(&flat[at..at + len]);
        at += len;
    }
}

/// How a neuro-evolution run ended.
#[derive(Clone, Debug, PartialEq)]
pub struct NeuroReport {
    /// Cost of the final network on the data.
    pub loss: f64,
    /// Accuracy for classification networks.
    pub accuracy: Option<f64>,
    pub evaluations: usize,
    /// GA: generations. CMA-ES: runs (1 + restarts).
    pub generations: usize,
}

/// The cost of `net` with parameters `flat` on `data` (`net` is left with those parameters).
fn cost(net: &mut Sequential<f64>, data: &Dataset<f64>, flat: &[f64]) -> f64 {
    set_flat_params(net, flat);
    net.evaluate(data).loss
}

/// Trains `net` by CMA-ES from its current weights with step size `sigma0`, restarting
/// with a doubled population (IPOP, up to `restarts` times) while `params.f_target` is not
/// reached; `net` ends with the best weights found.
///
/// Why restarts: even XOR's 2-2-1 network has a local minimum (two rows at p = ½, mean
/// cross-entropy ln 2 / 2) where about a third of single CMA-ES runs stop; a larger
/// population on restart escapes it.
///
/// ```
/// use gradus::{data, evo, nn::{Activation, Loss, Mlp}};
/// let mut xor = data::xor::<f64>();
/// xor.y = xor.label_column().unwrap();
/// let mut net = Mlp::<f64>::ffnn(&[2, 2, 1], Activation::Tanh, Activation::Sigmoid,
///                                Loss::BinaryCrossEntropy, 0).unwrap();
/// let params = evo::CmaParams { f_target: Some(0.05), ..Default::default() };
/// let r = evo::train_cmaes(&mut net, &xor, 1.0, params, 5, 0).unwrap();
/// assert_eq!(r.accuracy, Some(1.0));
/// ```
pub fn train_cmaes(
    net: &mut Sequential<f64>,
    data: &Dataset<f64>,
    sigma0: f64,
    params: CmaParams,
    restarts: usize,
    seed: u64,
) -> Result<NeuroReport, CmaError> {
    let x0 = flat_params(net);
    let settings = IpopParams {
        restarts,
        max_evals: params.max_evals,
        ..IpopParams::default()
    };
    let r = ipop(
        |w| cost(net, data, w),
        Start::Point(x0),
        sigma0,
        params,
        &settings,
        seed,
    )?;
    Ok(finish(net, data, &r.x, r.evaluations, r.runs.len()))
}

/// Trains `net` by the genetic algorithm (the first population drawn from `params.init`);
/// `net` ends with the best weights found.
pub fn train_ga(
    net: &mut Sequential<f64>,
    data: &Dataset<f64>,
    params: &GaParams,
    seed: u64,
) -> Result<NeuroReport, GaError> {
    let n = net.param_count();
    let r = ga_minimize(|w| cost(net, data, w), n, params, seed)?;
    Ok(finish(net, data, &r.x, r.evaluations, r.generations))
}

fn finish(
    net: &mut Sequential<f64>,
    data: &Dataset<f64>,
    best: &[f64],
    evaluations: usize,
    generations: usize,
) -> NeuroReport {
    set_flat_params(net, best);
    let m = net.evaluate(data);
    NeuroReport {
        loss: m.loss,
        accuracy: m.accuracy,
        evaluations,
        generations,
    }
}
