//! The approximation study: for every (function, dimension, sample size N, seed) draw N
//! uniform points in [0, 1]^d, train a network on them, and measure its error on uniform test
//! points — for Genz's functions or any closure a researcher brings.
//!
//! Design choices, and why:
//! - **Nested samples.** For a given (function, d, seed) the N training points are the first
//!   N of one seeded stream, and the test points are one set shared by every N. So the error
//!   curve over N compares designs that only grow, and its wiggles are training noise, not
//!   a fresh draw of points at each N.
//! - **Cells are independent** and each is recorded as one JSON line when it finishes
//!   ([`super::log`]). A rerun reads the log and skips finished cells, so an interrupted
//!   study resumes; a record made under a different configuration is an error, never a
//!   silent mix.
//! - **Threads over cells**, not inside one training step: the networks are small (a step is
//!   tens of microseconds), so splitting one matrix product across cores would cost more in
//!   synchronisation than it gains. Cells are handed out largest first, so the two cores
//!   finish together.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use rand::Rng;
use serde::{Deserialize, Serialize};

use super::baseline::{PolyConfig, Polynomial};
use super::log::{CellLog, LogError};
use crate::data::Dataset;
use crate::nn::{Activation, Init, Loss, MlpConfig};
use crate::optim::{Optimizer, Schedule};
use crate::tensor::{Float, Tensor};
use crate::train::{fit, Batching, FitConfig, TrainError};
use crate::{rng, tensor};

/// Everything about a study except the functions. Names are strings so that the struct is
/// its own config file (`[study]` in TOML); [`StudyConfig::validate`] parses them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StudyConfig {
    /// Training-set sizes N.
    pub samples: Vec<usize>,
    /// Seeds 0..seeds: each draws its own samples, test points and initial weights.
    pub seeds: usize,
    /// Uniform test points per (function, d, seed).
    pub test_points: usize,
    /// Hidden layer widths.
    pub hidden: Vec<usize>,
    /// Hidden activation (a name [`Activation::from_name`] knows).
    pub activation: String,
    /// Optimiser name ([`Optimizer::from_name`]).
    pub optimizer: String,
    pub lr: f64,
    /// Learning-rate schedule over each cell's epochs: "constant", or "cosine" (half a cosine
    /// from `lr` down to `lr`/100, Loshchilov & Hutter). With a constant rate Adam ends at a
    /// noise floor set by the rate, so the error at large N stops falling; decaying the
    /// rate removes most of that floor.
    pub schedule: String,
    /// Training loss name ([`Loss::from_name`]): mse, mae, huber, log_cosh.
    pub loss: String,
    /// Weight initialiser name (he_uniform, glorot_uniform, lecun_normal, …), or "default"
    /// for the one that suits the activation ([`Init::default_for`]). LeCun-uniform by default:
    /// on the course's oscillatory problem (2 seeds) it gave mean abs errors 0.0031 and 0.0020
    /// against 0.0033 and 0.0060 for He-uniform weights (both with LeCun-uniform biases), and
    /// it is PyTorch's default scale up to a factor √3.
    pub weight_init: String,
    /// Bias initialiser name. Not zeros by default: with zero biases every first-layer ReLU
    /// kink passes through the origin, a corner of the cube, and the network starts with
    /// almost no resolution inside it (LeCun-uniform biases are close to PyTorch's default
    /// U(±1/√fan_in) draw).
    pub bias_init: String,
    pub epochs: usize,
    pub batch_size: usize,
    /// At least this many optimiser steps: small N get more epochs, so that N = 10 is not
    /// judged on 200 steps while N = 5000 gets 16 000.
    pub min_steps: usize,
    /// Feed the network 2x − 1 ∈ [−1, 1]^d instead of x: centred inputs put the initial ReLU
    /// kinks across the cube instead of near one corner.
    pub center_inputs: bool,
    /// Train on (y − mean) / std of the training targets and map predictions back, so one
    /// learning rate suits functions of any scale (the discontinuous family reaches e^4).
    pub standardize_targets: bool,
    /// Train in f64 instead of f32.
    pub f64: bool,
    /// Worker threads (each trains one cell at a time).
    pub threads: usize,
    /// Fit the polynomial baseline on the same samples.
    pub baseline: bool,
    pub poly: PolyConfig,
}

impl Default for StudyConfig {
    fn default() -> Self {
        StudyConfig {
            samples: vec![10, 50, 100, 500, 1000, 5000],
            seeds: 3,
            test_points: 1000,
            hidden: vec![64, 64, 64],
            activation: "relu".into(),
            optimizer: "adam".into(),
            lr: 1e-3,
            schedule: "cosine".into(),
            loss: "mse".into(),
            weight_init: "lecun_uniform".into(),
            bias_init: "lecun_uniform".into(),
            epochs: 200,
            batch_size: 64,
            min_steps: 2000,
            center_inputs: true,
            standardize_targets: true,
            f64: false,
            threads: 2,
            baseline: true,
            poly: PolyConfig::default(),
        }
    }
}

/// A configuration that cannot run, naming the key.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("study setting `{key}`: {reason}")]
pub struct ConfigError {
    pub key: &'static str,
    pub reason: String,
}

/// The parsed training choices of a valid [`StudyConfig`].
#[derive(Clone, Debug)]
pub struct Training {
    pub activation: Activation,
    pub optimizer: Optimizer,
    pub loss: Loss,
    pub weight_init: Init,
    pub bias_init: Init,
}

/// The initialiser called `name` (as [`Init::name`] spells it), for the fan-scaled and zero
/// initialisers a config can name without a number.
fn init_from_name(name: &str) -> Option<Init> {
    [
        Init::Zeros,
        Init::GlorotNormal,
        Init::GlorotUniform,
        Init::HeNormal,
        Init::HeUniform,
        Init::LeCunNormal,
        Init::LeCunUniform,
    ]
    .into_iter()
    .find(|i| i.name() == name.trim().to_ascii_lowercase())
}

const INIT_NAMES: &str =
    "zeros, glorot_normal, glorot_uniform, he_normal, he_uniform, lecun_normal, lecun_uniform";

impl StudyConfig {
    /// Checks every setting and parses the names.
    pub fn validate(&self) -> Result<Training, ConfigError> {
        let bad = |key, reason: String| Err(ConfigError { key, reason });
        if self.samples.is_empty() || self.samples.contains(&0) {
            return bad(
                "samples",
                format!("{:?}: give positive sizes", self.samples),
            );
        }
        if self.seeds == 0 {
            return bad("seeds", "must be at least 1".into());
        }
        if self.test_points == 0 {
            return bad("test_points", "must be at least 1".into());
        }
        if self.hidden.contains(&0) {
            return bad(
                "hidden",
                format!("{:?}: widths must be positive", self.hidden),
            );
        }
        if self.epochs == 0 || self.batch_size == 0 {
            return bad("epochs", "epochs and batch_size must be at least 1".into());
        }
        if !(self.lr > 0.0 && self.lr.is_finite()) {
            return bad("lr", format!("{} must be a positive number", self.lr));
        }
        if !matches!(self.schedule.as_str(), "constant" | "cosine") {
            return bad(
                "schedule",
                format!("{:?} is unknown; use constant or cosine", self.schedule),
            );
        }
        if self.threads == 0 {
            return bad("threads", "must be at least 1".into());
        }
        let activation = Activation::from_name(&self.activation)
            .filter(|a| a.trainable_by_gradient() && *a != Activation::Softmax);
        let Some(activation) = activation else {
            return bad(
                "activation",
                format!(
                    "{:?} is not a hidden activation; use relu, tanh, sigmoid, elu, selu, \
                     swish, softplus or leaky_relu",
                    self.activation
                ),
            );
        };
        let Some(optimizer) = Optimizer::from_name(&self.optimizer, self.lr) else {
            return bad(
                "optimizer",
                format!(
                    "{:?} is unknown; use one of {}",
                    self.optimizer,
                    Optimizer::NAMES.join(", ")
                ),
            );
        };
        let loss = Loss::from_name(&self.loss)
            .filter(|l| matches!(l, Loss::Mse | Loss::Mae | Loss::Huber(_) | Loss::LogCosh));
        let Some(loss) = loss else {
            return bad(
                "loss",
                format!(
                    "{:?}: use a regression loss (mse, mae, huber, log_cosh)",
                    self.loss
                ),
            );
        };
        if !(self.poly.oversampling >= 1.0 && self.poly.ridge >= 0.0 && self.poly.max_terms >= 1) {
            return bad(
                "poly",
                "oversampling must be ≥ 1, ridge ≥ 0 and max_terms ≥ 1".into(),
            );
        }
        let weight_init = if self.weight_init.trim().eq_ignore_ascii_case("default") {
            Some(Init::default_for(activation))
        } else {
            init_from_name(&self.weight_init)
        };
        let Some(weight_init) = weight_init else {
            return bad(
                "weight_init",
                format!(
                    "{:?} is unknown; use default or one of {INIT_NAMES}",
                    self.weight_init
                ),
            );
        };
        let Some(bias_init) = init_from_name(&self.bias_init) else {
            return bad(
                "bias_init",
                format!("{:?} is unknown; use one of {INIT_NAMES}", self.bias_init),
            );
        };
        Ok(Training {
            activation,
            optimizer,
            loss,
            weight_init,
            bias_init,
        })
    }

    /// Epochs a cell with `n` samples trains for: `epochs`, or more to reach `min_steps`.
    pub fn epochs_for(&self, n: usize) -> usize {
        let per_epoch = n.div_ceil(self.batch_size.min(n).max(1));
        self.epochs.max(self.min_steps.div_ceil(per_epoch))
    }
}

/// A function to approximate on [0, 1]^dim. `describe` names its parameters and is part of
/// the record key, so changing them invalidates old records.
pub struct Target<'a> {
    pub name: String,
    pub dim: usize,
    pub describe: String,
    pub f: &'a (dyn Fn(&[f64]) -> f64 + Sync),
}

/// Absolute and relative test errors. Relative errors are normalised by the function's scale
/// on the test set (mean |e| / mean |f|, max |e| / max |f|), not pointwise: the oscillatory
/// and discontinuous functions are zero on whole regions, where |e|/|f| is meaningless.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Errors {
    pub mean_abs: f64,
    pub max_abs: f64,
    /// `None` when the function is zero on every test point.
    pub mean_rel: Option<f64>,
    pub max_rel: Option<f64>,
    pub rmse: f64,
}

impl Errors {
    /// Errors of `predicted` against `truth`.
    pub fn of(predicted: &[f64], truth: &[f64]) -> Errors {
        let n = truth.len().max(1) as f64;
        let (mut sum, mut max, mut sq, mut scale_sum, mut scale_max) =
            (0.0, 0.0f64, 0.0, 0.0, 0.0f64);
        for (p, t) in predicted.iter().zip(truth) {
            let e = (p - t).abs();
            sum += e;
            sq += e * e;
            max = max.max(e);
            scale_sum += t.abs();
            scale_max = scale_max.max(t.abs());
        }
        let ratio = |a: f64, b: f64| (b > 0.0).then(|| a / b);
        Errors {
            mean_abs: sum / n,
            max_abs: max,
            mean_rel: ratio(sum, scale_sum),
            max_rel: ratio(max, scale_max),
            rmse: (sq / n).sqrt(),
        }
    }
}

/// One finished cell, as recorded in the log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellResult {
    pub function: String,
    pub dim: usize,
    pub n: usize,
    pub seed: u64,
    /// Fingerprint of the configuration and the function's parameters.
    pub key: String,
    pub net: Errors,
    pub poly: Option<Errors>,
    pub poly_degree: Option<usize>,
    pub epochs: usize,
    pub steps: usize,
    /// Wall-clock seconds this cell took (training, evaluation and baseline).
    pub seconds: f64,
    /// CPU seconds of the thread that ran it (Linux; `None` elsewhere). On a shared machine
    /// this, not `seconds`, says what the cell costs.
    #[serde(default)]
    pub cpu_seconds: Option<f64>,
}

/// CPU time of the calling thread from /proc (user + system, in clock ticks of 1/100 s,
/// the value on every mainstream Linux build); `None` where /proc is not available.
fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // Fields after the command name (which may hold spaces) start at the state, field 3.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// A study that could not run or finish.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StudyError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Log(#[from] LogError),
    #[error("{function}, d = {dim}, N = {n}, seed {seed}: {source}")]
    Train {
        function: String,
        dim: usize,
        n: usize,
        seed: u64,
        source: TrainError,
    },
    #[error("target {name:?}: {reason}")]
    Target { name: String, reason: String },
}

/// FNV-1a, 64 bit: a stable fingerprint (std's hasher may change between releases, and the
/// fingerprints live in files).
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ *b as u64).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The seed of one random stream of a (function, d, seed), derived from all three so that
/// two functions never share samples by accident.
fn stream_seed(name: &str, dim: usize, seed: u64, stream: &str) -> u64 {
    fnv1a(format!("{name}/{dim}/{seed}/{stream}").as_bytes())
}

/// Record key of a target under a config: changes whenever a setting or a parameter does.
/// `seeds`, `samples` and `threads` are left out: adding seeds or sizes to a study, or running
/// it on more cores, keeps the cells already done.
fn record_key(config: &StudyConfig, target: &Target) -> String {
    let mut c = config.clone();
    c.seeds = 0;
    c.samples.clear();
    c.threads = 0;
    let text = serde_json::to_string(&c).unwrap_or_default() + &target.describe;
    format!("{:016x}", fnv1a(text.as_bytes()))
}

/// `n` uniform points in [0, 1]^dim (row-major) and f at each.
pub fn sample(
    f: &(dyn Fn(&[f64]) -> f64 + Sync),
    dim: usize,
    n: usize,
    seed: u64,
) -> (Vec<f64>, Vec<f64>) {
    let mut r = rng::seeded(seed);
    let x: Vec<f64> = (0..n * dim).map(|_| r.random::<f64>()).collect();
    let y = x.chunks(dim).map(f).collect();
    (x, y)
}

struct Cell<'t, 'a> {
    target: &'t Target<'a>,
    n: usize,
    seed: u64,
    key: String,
}

fn run_cell<F: Float>(
    cell: &Cell,
    config: &StudyConfig,
    training: &Training,
) -> Result<CellResult, StudyError> {
    let start = Instant::now();
    let cpu_start = thread_cpu_seconds();
    let t = cell.target;
    let (name, dim, n, seed) = (t.name.as_str(), t.dim, cell.n, cell.seed);
    let (x, y) = sample(t.f, dim, n, stream_seed(name, dim, seed, "train"));
    let (xt, yt) = sample(
        t.f,
        dim,
        config.test_points,
        stream_seed(name, dim, seed, "test"),
    );
    let to_x = |v: &[f64]| {
        v.iter()
            .map(|&a| {
                F::of(if config.center_inputs {
                    2.0 * a - 1.0
                } else {
                    a
                })
            })
            .collect::<Vec<F>>()
    };
    let (mu, sigma) = if config.standardize_targets && n > 1 {
        let mu = y.iter().sum::<f64>() / n as f64;
        let var = y.iter().map(|v| (v - mu).powi(2)).sum::<f64>() / n as f64;
        (mu, if var > 0.0 { var.sqrt() } else { 1.0 })
    } else {
        (0.0, 1.0)
    };
    let y_scaled: Vec<F> = y.iter().map(|v| F::of((v - mu) / sigma)).collect();
    let train = Dataset::regression(
        Tensor::from_vec(to_x(&x), [n, dim]),
        Tensor::from_vec(y_scaled, [n, 1]),
    )
    .expect("shapes are built to match");
    let mut sizes = vec![dim];
    sizes.extend(&config.hidden);
    sizes.push(1);
    let mut mlp = MlpConfig::new(
        &sizes,
        training.activation,
        Activation::Identity,
        training.loss,
        stream_seed(name, dim, seed, &format!("weights/{n}")),
    );
    mlp.weight_init = Some(training.weight_init);
    mlp.bias_init = training.bias_init;
    let mut net = mlp.build::<F>().map_err(|e| StudyError::Target {
        name: name.into(),
        reason: e.to_string(),
    })?;
    let epochs = config.epochs_for(n);
    let fit_config = FitConfig {
        epochs,
        batching: Batching::Size(config.batch_size),
        optimizer: training.optimizer.clone(),
        schedule: match config.schedule.as_str() {
            "cosine" => Schedule::Cosine {
                total: epochs,
                min_lr: config.lr / 100.0,
            },
            _ => Schedule::Constant,
        },
        seed: stream_seed(name, dim, seed, &format!("batches/{n}")),
        ..FitConfig::default()
    };
    fit(&mut net, &train, None, &fit_config, |_| {}).map_err(|source| StudyError::Train {
        function: name.into(),
        dim,
        n,
        seed,
        source,
    })?;
    let predicted: Vec<f64> = net
        .predict(&Tensor::from_vec(to_x(&xt), [config.test_points, dim]))
        .data()
        .iter()
        .map(|v| mu + sigma * v.as_f64())
        .collect();
    let net_errors = Errors::of(&predicted, &yt);
    let (poly, poly_degree) = if config.baseline {
        let p = Polynomial::fit(&x, &y, dim, &config.poly);
        let pred: Vec<f64> = xt.chunks(dim).map(|row| p.eval(row)).collect();
        (Some(Errors::of(&pred, &yt)), Some(p.degree))
    } else {
        (None, None)
    };
    Ok(CellResult {
        function: name.into(),
        dim,
        n,
        seed,
        key: cell.key.clone(),
        net: net_errors,
        poly,
        poly_degree,
        epochs,
        steps: epochs * n.div_ceil(config.batch_size.min(n)),
        seconds: start.elapsed().as_secs_f64(),
        cpu_seconds: cpu_start.zip(thread_cpu_seconds()).map(|(a, b)| b - a),
    })
}

/// Runs every (target, N, seed) cell not yet recorded in `log` (when given), appending each
/// finished cell to it, and returns all results — old and new — sorted by function, d, N,
/// seed. `on_cell` sees each new cell as it finishes (from the worker threads).
///
/// ```
/// use gradus::genz::{run_study, StudyConfig, Target};
/// // A researcher's own function of two variables.
/// let f = |x: &[f64]| (x[0] * x[1]).sqrt();
/// let targets = [Target { name: "sqrt_xy".into(), dim: 2, describe: String::new(), f: &f }];
/// let config = StudyConfig { samples: vec![200], seeds: 1, epochs: 10, min_steps: 1500,
///                            hidden: vec![16, 16], test_points: 200, ..Default::default() };
/// let results = run_study(&targets, &config, None, |_| {})?;
/// assert_eq!((results.len(), results[0].steps), (1, 1500));
/// // Each cell also carries the polynomial baseline fitted to the same samples.
/// let (net, poly) = (results[0].net.mean_abs, results[0].poly.unwrap().mean_abs);
/// assert!(net < 0.03, "{net}");
/// assert!(poly.is_finite());
/// # Ok::<(), gradus::genz::StudyError>(())
/// ```
pub fn run_study(
    targets: &[Target],
    config: &StudyConfig,
    log: Option<&Path>,
    on_cell: impl Fn(&CellResult) + Sync,
) -> Result<Vec<CellResult>, StudyError> {
    let training = config.validate()?;
    for t in targets {
        if t.dim == 0 {
            return Err(StudyError::Target {
                name: t.name.clone(),
                reason: "dimension must be at least 1".into(),
            });
        }
    }
    let log = log.map(CellLog::open).transpose()?;
    let done = log.as_ref().map(|l| l.done().to_vec()).unwrap_or_default();

    let mut cells = Vec::new();
    let mut results = Vec::new();
    for t in targets {
        let key = record_key(config, t);
        for &n in &config.samples {
            for seed in 0..config.seeds as u64 {
                let same = |r: &&CellResult| {
                    r.function == t.name && r.dim == t.dim && r.n == n && r.seed == seed
                };
                match done.iter().find(same) {
                    Some(r) if r.key == key => results.push(r.clone()),
                    Some(_) => {
                        return Err(LogError::ConfigChanged {
                            path: log
                                .as_ref()
                                .map(|l| l.path().to_owned())
                                .unwrap_or_default(),
                            cell: format!("{}, d = {}, N = {n}, seed {seed}", t.name, t.dim),
                        }
                        .into())
                    }
                    None => cells.push(Cell {
                        target: t,
                        n,
                        seed,
                        key: key.clone(),
                    }),
                }
            }
        }
    }
    // Seed by seed, so that a study stopped early has whole error curves for its first
    // seeds; within a seed largest first (cost ~ steps × batch × width), so the last cells to
    // start are short ones and the threads finish together.
    cells.sort_by_key(|c| {
        let cost = config.epochs_for(c.n) * c.n * (c.target.dim + 64);
        (c.seed, std::cmp::Reverse(cost))
    });

    // Large products inside one cell would otherwise start their own threads on top of ours.
    let gemm_threads = tensor::num_threads();
    if config.threads > 1 {
        tensor::set_num_threads(1);
    }
    let next = AtomicUsize::new(0);
    let shared = Mutex::new((results, None::<StudyError>));
    let log = log.map(Mutex::new);
    std::thread::scope(|scope| {
        for _ in 0..config.threads.min(cells.len().max(1)) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= cells.len() || shared.lock().map_or(true, |s| s.1.is_some()) {
                    break;
                }
                let result = if config.f64 {
                    run_cell::<f64>(&cells[i], config, &training)
                } else {
                    run_cell::<f32>(&cells[i], config, &training)
                };
                let result = result.and_then(|r| {
                    if let Some(log) = &log {
                        log.lock().expect("log lock").append(&r)?;
                    }
                    Ok(r)
                });
                let mut s = shared.lock().expect("results lock");
                match result {
                    Ok(r) => {
                        on_cell(&r);
                        s.0.push(r);
                    }
                    Err(e) => {
                        s.1.get_or_insert(e);
                    }
                }
            });
        }
    });
    tensor::set_num_threads(gemm_threads);
    let (mut results, error) = shared.into_inner().expect("results lock");
    if let Some(e) = error {
        return Err(e);
    }
    results
        .sort_by(|a, b| (&a.function, a.dim, a.n, a.seed).cmp(&(&b.function, b.dim, b.n, b.seed)));
    Ok(results)
}
