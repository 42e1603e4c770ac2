//! Training a physics-informed network: a first-order optimiser (Adam by default) on the
//! collocation loss, then L-BFGS from where it stopped, as is usual for PINNs (Adam finds
//! the basin cheaply, L-BFGS then converges superlinearly to the precision f64 allows).
//!
//! L-BFGS runs in chunks of `checkpoint_every` iterations and restarts its memory between
//! chunks; the chunking is the same whether or not checkpoints are written, so a resumed
//! run follows exactly the path of an uninterrupted one.

use std::path::Path;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};

use super::checkpoint::{self, Checkpoint};
use super::network::{Batch, Pinn};
use super::problem::{Constraint, Problem};
use super::sampling::Sampler;
use super::PinnError;
use crate::autodiff::Tape;
use crate::nn::Activation;
use crate::optim::{lbfgs, LbfgsParams, OptState, Optimizer};
use crate::rng;
use crate::tensor::Float;

/// Everything that decides a run (defaults: tanh 32-32, hard constraints, 1024 Sobol points,
/// 2000 Adam steps at 1e-3, then up to 5000 L-BFGS iterations).
#[derive(Clone, Debug, PartialEq)]
pub struct PinnConfig {
    pub hidden: Vec<usize>,
    pub activation: Activation,
    pub constraint: Constraint,
    /// Collocation points (the grid rounds up to a full grid).
    pub points: usize,
    pub sampler: Sampler,
    /// Draw new collocation points every first-order step (L-BFGS always uses a fixed set:
    /// its line search and curvature pairs assume one objective).
    pub resample: bool,
    pub optimizer: Optimizer,
    /// First-order steps (full batch).
    pub steps: usize,
    /// L-BFGS iterations after them (0 for none).
    pub lbfgs_iters: usize,
    pub lbfgs_memory: usize,
    /// L-BFGS stops when the gradient norm falls below this.
    pub lbfgs_grad_tol: f64,
    /// Checkpoint (and L-BFGS restart) period, in steps or iterations.
    pub checkpoint_every: usize,
    pub seed: u64,
    pub progress: bool,
}

impl Default for PinnConfig {
    fn default() -> Self {
        PinnConfig {
            hidden: vec![32, 32],
            activation: Activation::Tanh,
            constraint: Constraint::Hard,
            points: 1024,
            sampler: Sampler::Sobol,
            resample: false,
            optimizer: Optimizer::adam(1e-3),
            steps: 2000,
            lbfgs_iters: 5000,
            lbfgs_memory: 50,
            lbfgs_grad_tol: 1e-12,
            checkpoint_every: 1000,
            seed: 0,
            progress: false,
        }
    }
}

impl PinnConfig {
    /// Checks that the settings can run (the command reports these with the key's name).
    pub fn validate(&self) -> Result<(), PinnError> {
        let bad = |key: &str, reason: &str| {
            Err(PinnError::InvalidConfig {
                key: key.into(),
                reason: reason.into(),
            })
        };
        if self.hidden.is_empty() || self.hidden.contains(&0) {
            return bad(
                "hidden",
                "give at least one hidden layer, each of at least one unit",
            );
        }
        if !self.activation.trainable_by_gradient() || self.activation == Activation::Relu {
            return bad(
                "activation",
                "a PINN needs second derivatives: use a smooth activation (tanh, sigmoid, softplus, swish)",
            );
        }
        if self.points < 2 {
            return bad("points", "use at least 2 collocation points");
        }
        if let Constraint::Penalty { weight } = self.constraint {
            if !(weight.is_finite() && weight > 0.0) {
                return bad("penalty_weight", "must be a positive number");
            }
        }
        if !(self.optimizer.lr().is_finite() && self.optimizer.lr() > 0.0) {
            return bad("lr", "must be a positive number");
        }
        if self.checkpoint_every == 0 {
            return bad("checkpoint_every", "must be at least 1");
        }
        if self.steps + self.lbfgs_iters == 0 {
            return bad("steps", "nothing to do: steps and lbfgs_iters are both 0");
        }
        Ok(())
    }
}

/// Which optimiser produced a loss record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    FirstOrder,
    Lbfgs,
}

/// One point of the loss history. `evaluation` counts loss-and-gradient evaluations from
/// the start of the run; during L-BFGS `loss` is the best value so far (its line search
/// also tries worse points).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LossRecord {
    pub phase: Phase,
    pub evaluation: usize,
    pub loss: f64,
}

/// What [`train`] returns.
#[derive(Clone, Debug)]
pub struct Trained<F: Float> {
    pub pinn: Pinn<F>,
    pub history: Vec<LossRecord>,
    pub steps_done: usize,
    pub lbfgs_iterations: usize,
    /// Why L-BFGS stopped (empty if it did not run).
    pub lbfgs_reason: String,
    /// The step or iteration count a resumed run started from.
    pub resumed_at: Option<(usize, usize)>,
    /// Final loss on the fixed collocation set.
    pub final_loss: f64,
    pub seconds: f64,
}

/// Trains a network for `problem`. With `checkpoint_dir`, writes a checkpoint there every
/// `checkpoint_every` steps/iterations and at the end; if one is already there and
/// `resume` is set, continues from it.
pub fn train<F: Float>(
    problem: &dyn Problem<F>,
    config: &PinnConfig,
    checkpoint_dir: Option<&Path>,
    resume: bool,
) -> Result<Trained<F>, PinnError> {
    config.validate()?;
    let start = Instant::now();
    let domain = problem.domain();
    let mut pinn = Pinn::new(
        problem,
        config.constraint,
        &config.hidden,
        config.activation,
        config.seed,
    );
    let n_params = pinn.net.params().len();
    let mut states: Vec<OptState<F>> = pinn
        .net
        .params()
        .iter()
        .map(|p| config.optimizer.init(p.numel()))
        .collect();
    let mut history = Vec::new();
    let (mut steps_done, mut lbfgs_done, mut finished) = (0, 0, false);
    let mut lbfgs_reason = String::new();
    let mut resumed_at = None;
    if let (Some(dir), true) = (checkpoint_dir, resume) {
        if let Some(ck) = checkpoint::load::<F>(dir, problem.name(), config)? {
            pinn.set_flat_params(&ck.params);
            for (s, (m, v)) in states.iter_mut().zip(ck.moments) {
                if m.len() != s.m.len() || v.len() != s.v.len() {
                    return Err(PinnError::Checkpoint {
                        path: dir.join(checkpoint::CHECKPOINT_FILE),
                        reason: "its optimiser moments do not fit the optimiser".into(),
                    });
                }
                s.m = m.into_iter().map(F::of).collect();
                s.v = v.into_iter().map(F::of).collect();
                s.t = ck.steps_done as u64;
            }
            (steps_done, lbfgs_done, finished) = (ck.steps_done, ck.lbfgs_iterations, ck.finished);
            lbfgs_reason = ck.lbfgs_reason;
            history = ck.history;
            resumed_at = Some((steps_done, lbfgs_done));
        }
    }
    let save = |pinn: &Pinn<F>,
                states: &[OptState<F>],
                history: &[LossRecord],
                steps_done: usize,
                lbfgs_done: usize,
                finished: bool,
                reason: &str|
     -> Result<(), PinnError> {
        match checkpoint_dir {
            None => Ok(()),
            Some(dir) => checkpoint::save(
                dir,
                &Checkpoint {
                    problem: problem.name().to_string(),
                    dtype: F::NAME.to_string(),
                    params: pinn.flat_params(),
                    moments: states
                        .iter()
                        .map(|s| (to_f64(&s.m), to_f64(&s.v)))
                        .collect(),
                    steps_done,
                    lbfgs_iterations: lbfgs_done,
                    finished,
                    lbfgs_reason: reason.to_string(),
                    history: history.to_vec(),
                },
                &pinn.net,
                config,
            ),
        }
    };

    let fixed_points = config.sampler.sample(
        &domain,
        config.points,
        false,
        &mut rng::seeded(config.seed ^ 0x5eed_c011),
    );
    let fixed = Batch::new(problem, config.constraint, &fixed_points);
    let bar = progress_bar(config, steps_done + lbfgs_done);
    let mut tape = Tape::new();
    let mut evaluations = history.last().map_or(0, |r: &LossRecord| r.evaluation);

    // ---- first-order phase -----------------------------------------------------------
    let mut resampled;
    while steps_done < config.steps && !finished {
        let batch = if config.resample {
            // One stream per step, so a resumed run draws the same points.
            let mut r = rng::seeded(config.seed ^ 0x5eed_c011 ^ ((steps_done as u64 + 1) << 20));
            let pts = config.sampler.sample(&domain, config.points, true, &mut r);
            resampled = Batch::new(problem, config.constraint, &pts);
            &resampled
        } else {
            &fixed
        };
        tape.clear();
        let loss = {
            let on = pinn.net.record_params(&tape);
            let parts = pinn.loss(problem, &tape, on, batch);
            tape.backward(parts.total);
            let loss = parts.total.item().as_f64();
            if !loss.is_finite() {
                return Err(PinnError::NonFinite {
                    phase: "first-order",
                    step: steps_done,
                });
            }
            let lr = config.optimizer.lr();
            for (i, (p, s)) in pinn
                .net
                .params_mut()
                .iter_mut()
                .zip(&mut states)
                .enumerate()
            {
                let g = tape.grad_ref(on.get(&tape, i));
                config.optimizer.update(lr, &g, s, p.data_mut());
            }
            loss
        };
        steps_done += 1;
        evaluations += 1;
        history.push(LossRecord {
            phase: Phase::FirstOrder,
            evaluation: evaluations,
            loss,
        });
        bar.set_position((steps_done + lbfgs_done) as u64);
        bar.set_message(format!("adam loss {loss:.3e}"));
        if steps_done % config.checkpoint_every == 0 || steps_done == config.steps {
            save(&pinn, &states, &history, steps_done, lbfgs_done, false, "")?;
        }
    }
    debug_assert_eq!(states.len(), n_params);

    // ---- L-BFGS phase -----------------------------------------------------------------
    while lbfgs_done < config.lbfgs_iters && !finished {
        let chunk = (config.checkpoint_every - lbfgs_done % config.checkpoint_every)
            .min(config.lbfgs_iters - lbfgs_done);
        let params = LbfgsParams {
            memory: config.lbfgs_memory,
            max_iter: chunk,
            grad_tol: config.lbfgs_grad_tol,
            ..LbfgsParams::default()
        };
        let mut probe = pinn.clone();
        let mut best = f64::INFINITY;
        let base = evaluations;
        let mut evals = 0;
        let result = lbfgs(
            |theta| {
                probe.set_flat_params(theta);
                tape.clear();
                let on = probe.net.record_params(&tape);
                let parts = probe.loss(problem, &tape, on, &fixed);
                tape.backward(parts.total);
                let loss = parts.total.item().as_f64();
                let mut grad = Vec::with_capacity(theta.len());
                for i in 0..n_params {
                    grad.extend(tape.grad_ref(on.get(&tape, i)).iter().map(|g| g.as_f64()));
                }
                evals += 1;
                if loss < best {
                    best = loss;
                }
                history.push(LossRecord {
                    phase: Phase::Lbfgs,
                    evaluation: base + evals,
                    loss: best,
                });
                bar.set_message(format!("l-bfgs loss {best:.3e}"));
                (loss, grad)
            },
            &pinn.flat_params(),
            &params,
        );
        evaluations += result.evaluations;
        if !result.f.is_finite() {
            return Err(PinnError::NonFinite {
                phase: "l-bfgs",
                step: lbfgs_done,
            });
        }
        pinn.set_flat_params(&result.x);
        lbfgs_done += result.iterations;
        bar.set_position((steps_done + lbfgs_done) as u64);
        lbfgs_reason = result.reason.to_string();
        // Stopped inside the chunk: converged, or no further decrease is possible.
        if result.iterations < chunk {
            finished = true;
        }
        save(
            &pinn,
            &states,
            &history,
            steps_done,
            lbfgs_done,
            finished,
            &lbfgs_reason,
        )?;
    }
    bar.finish_and_clear();
    let final_loss = {
        tape.clear();
        let on = pinn.net.record_params(&tape);
        pinn.loss(problem, &tape, on, &fixed).total.item().as_f64()
    };
    // `finished` only when L-BFGS stopped on its own: a run asked for fewer steps can be
    // resumed with more.
    save(
        &pinn,
        &states,
        &history,
        steps_done,
        lbfgs_done,
        finished,
        &lbfgs_reason,
    )?;
    Ok(Trained {
        pinn,
        history,
        steps_done,
        lbfgs_iterations: lbfgs_done,
        lbfgs_reason,
        resumed_at,
        final_loss,
        seconds: start.elapsed().as_secs_f64(),
    })
}

fn progress_bar(config: &PinnConfig, done: usize) -> ProgressBar {
    if !config.progress {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new((config.steps + config.lbfgs_iters) as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} steps {elapsed_precise} {msg}")
            .expect("a valid template"),
    );
    bar.set_position(done as u64);
    bar
}

fn to_f64<F: Float>(v: &[F]) -> Vec<f64> {
    v.iter().map(|x| x.as_f64()).collect()
}
