//! The DEQN training loop of episodes: collect states (by simulating the model with the
//! current policy, from a fixed box, or both), then take mini-batch optimiser steps on the
//! residual loss at those states; repeat. Checkpoints make a run resumable exactly.

use std::path::Path;

use indicatif::{ProgressBar, ProgressStyle};
use rand::seq::SliceRandom;

use super::model::{Expectation, Model};
use super::simulate::{draw_box, nodes, residual_graph, step};
use super::{DeqnError, Policy, ResidualLoss};
use crate::autodiff::Tape;
use crate::nn::Activation;
use crate::optim::{OptState, Optimizer, Schedule};
use crate::rng::{self, Rng};
use crate::tensor::Tensor;

/// Where an episode's training states come from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Sampling {
    /// The states visited by simulating `paths` paths for `periods` periods with the
    /// current policy: training concentrates on the ergodic set (the DEQN default).
    Simulate,
    /// `paths × periods` states drawn uniformly from the model's box each episode: covers a
    /// fixed region (deterministic models, whose paths collapse to the steady state).
    Box,
    /// Simulated states with this fraction replaced by box draws.
    Mixed(f64),
}

/// Everything about a DEQN run except the model.
#[derive(Clone, Debug, PartialEq)]
pub struct DeqnConfig {
    pub hidden: Vec<usize>,
    pub activation: Activation,
    pub episodes: usize,
    /// Paths simulated side by side (states per period).
    pub paths: usize,
    /// Periods simulated per episode; states per episode = paths × periods.
    pub periods: usize,
    pub sampling: Sampling,
    /// Passes over an episode's states.
    pub epochs: usize,
    pub batch_size: usize,
    pub optimizer: Optimizer,
    /// Learning rate per episode.
    pub schedule: Schedule,
    pub loss: ResidualLoss,
    pub seed: u64,
    pub progress: bool,
    /// Write a checkpoint every this many episodes (0: only at the end, when a path is given).
    pub checkpoint_every: usize,
}

impl Default for DeqnConfig {
    fn default() -> Self {
        DeqnConfig {
            hidden: vec![50, 50],
            activation: Activation::Relu,
            episodes: 2000,
            paths: 64,
            periods: 1,
            sampling: Sampling::Simulate,
            epochs: 1,
            batch_size: 64,
            optimizer: Optimizer::adam(1e-3),
            schedule: Schedule::Constant,
            loss: ResidualLoss::default(),
            seed: 0,
            progress: false,
            checkpoint_every: 0,
        }
    }
}

impl DeqnConfig {
    pub fn validate(&self, model: &dyn Model) -> Result<(), DeqnError> {
        let bad = |reason: String| Err(DeqnError::InvalidConfig { reason });
        if self.paths == 0 || self.periods == 0 || self.epochs == 0 || self.batch_size == 0 {
            return bad("paths, periods, epochs and batch_size must all be at least 1".into());
        }
        if self.hidden.contains(&0) {
            return bad(format!("hidden widths {:?} must be positive", self.hidden));
        }
        if let Sampling::Mixed(f) = self.sampling {
            if !(0.0..=1.0).contains(&f) {
                return bad(format!("the mixed sampling fraction {f} must be in [0, 1]"));
            }
        }
        if !(self.optimizer.lr() > 0.0 && self.optimizer.lr().is_finite()) {
            return bad(format!(
                "the learning rate {} must be positive",
                self.optimizer.lr()
            ));
        }
        for (i, &(lo, hi)) in model.bounds().iter().enumerate() {
            if !(lo <= hi && lo.is_finite() && hi.is_finite()) {
                return bad(format!(
                    "the model's bounds for state {i} are [{lo}, {hi}], not a finite interval"
                ));
            }
        }
        self.loss.validate(model.equations().len())
    }
}

/// The mean training loss of one episode.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EpisodeRecord {
    /// 1-based.
    pub episode: usize,
    /// Mean of the mini-batch losses taken during the episode.
    pub loss: f64,
    pub lr: f64,
}

/// A training run in progress: the policy, the optimiser state and the simulated paths.
pub struct Trainer<'m> {
    pub(crate) model: &'m dyn Model,
    pub config: DeqnConfig,
    pub policy: Policy,
    pub(crate) opt_states: Vec<OptState<f64>>,
    /// Where the simulated paths stand (paths × states), carried across episodes.
    pub(crate) paths: Tensor<f64>,
    pub history: Vec<EpisodeRecord>,
}

impl<'m> Trainer<'m> {
    /// A fresh run: weights from `config.seed`, paths started in the model's box.
    pub fn new(model: &'m dyn Model, config: DeqnConfig) -> Result<Self, DeqnError> {
        config.validate(model)?;
        let policy = Policy::new(model, &config.hidden, config.activation, config.seed)?;
        let opt_states = policy
            .net
            .params()
            .iter()
            .map(|p| config.optimizer.init(p.numel()))
            .collect();
        let mut r = rng::seeded(config.seed ^ 0xD1B5_4A32_D192_ED03);
        let paths = box_states(model, config.paths, &mut r);
        Ok(Trainer {
            model,
            config,
            policy,
            opt_states,
            paths,
            history: Vec::new(),
        })
    }

    pub fn model(&self) -> &dyn Model {
        self.model
    }

    /// Episodes done so far.
    pub fn episode(&self) -> usize {
        self.history.len()
    }

    /// Trains until `config.episodes` episodes are done, reporting each; with `checkpoint`,
    /// writes it every `checkpoint_every` episodes and at the end.
    pub fn run(
        &mut self,
        checkpoint: Option<&Path>,
        mut on_episode: impl FnMut(&EpisodeRecord),
    ) -> Result<(), DeqnError> {
        let bar = self.progress_bar();
        let mut tape = Tape::new();
        while self.episode() < self.config.episodes {
            let record = self.episode_step(&mut tape)?;
            bar.set_message(format!("log10 loss {:.2}", record.loss.log10()));
            bar.inc(1);
            bar.suspend(|| on_episode(&record));
            if let Some(path) = checkpoint {
                let every = self.config.checkpoint_every;
                if every > 0 && self.episode() % every == 0 {
                    self.save_checkpoint(path)?;
                }
            }
        }
        bar.finish_and_clear();
        if let Some(path) = checkpoint {
            self.save_checkpoint(path)?;
        }
        Ok(())
    }

    /// One episode: collect states, then `epochs` passes of mini-batch steps over them.
    pub fn episode_step(&mut self, tape: &mut Tape<f64>) -> Result<EpisodeRecord, DeqnError> {
        let e = self.episode();
        // One generator per episode, derived from the seed: a resumed run draws what the
        // uninterrupted run would have drawn, without saving the generator's state.
        let mut r = rng::seeded(
            self.config
                .seed
                .wrapping_add((e as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)),
        );
        let states = self.collect_states(tape, &mut r);
        let lr = self.config.schedule.lr(self.config.optimizer.lr(), e);
        let n = states.shape().as_matrix().0;
        let bs = self.config.batch_size.min(n);
        let mut order: Vec<usize> = (0..n).collect();
        let expectation = self.model.expectation();
        let mut batch = Tensor::zeros([1, 1]);
        let (mut sum, mut count) = (0.0, 0usize);
        let mut grads: Vec<Vec<f64>> = self
            .policy
            .net
            .params()
            .iter()
            .map(|p| vec![0.0; p.numel()])
            .collect();
        for _ in 0..self.config.epochs {
            order.shuffle(&mut r);
            for idx in order.chunks(bs) {
                states.gather_rows_into(idx, &mut batch);
                tape.clear();
                let on = self.policy.net.record_params(tape);
                let nd = nodes(&expectation, &batch);
                let (_, res) = residual_graph(self.model, &self.policy, tape, on, &batch, &nd);
                let loss = self.config.loss.of(res);
                let value = loss.item();
                if !value.is_finite() {
                    return Err(DeqnError::Diverged {
                        episode: e + 1,
                        loss: value,
                    });
                }
                tape.backward(loss);
                for (i, g) in grads.iter_mut().enumerate() {
                    g.copy_from_slice(&tape.grad_ref(on.get(tape, i)));
                }
                let params = self.policy.net.params_mut();
                for ((p, g), s) in params.iter_mut().zip(&grads).zip(&mut self.opt_states) {
                    self.config.optimizer.update(lr, g, s, p.data_mut());
                }
                sum += value;
                count += 1;
            }
        }
        let record = EpisodeRecord {
            episode: e + 1,
            loss: sum / count as f64,
            lr,
        };
        self.history.push(record);
        Ok(record)
    }

    /// The episode's training states, advancing the simulated paths where they are used.
    fn collect_states(&mut self, tape: &mut Tape<f64>, r: &mut Rng) -> Tensor<f64> {
        let total = self.config.paths * self.config.periods;
        if self.config.sampling == Sampling::Box {
            return box_states(self.model, total, r);
        }
        let mut visited = Vec::with_capacity(self.config.periods);
        for _ in 0..self.config.periods {
            let (_, next) = step(self.model, &self.policy, tape, &self.paths, r);
            visited.push(std::mem::replace(&mut self.paths, next));
            self.restart_lost_paths(r);
        }
        let refs: Vec<&Tensor<f64>> = visited.iter().collect();
        let mut states = Tensor::concat(&refs, 0);
        if let Sampling::Mixed(f) = self.config.sampling {
            let k = ((total as f64) * f).round() as usize;
            if k > 0 {
                let fresh = box_states(self.model, k, r);
                let d = states.shape().as_matrix().1;
                states.data_mut()[(total - k) * d..].copy_from_slice(fresh.data());
            }
        }
        states
    }

    /// A path that left the box by more than its width (or became NaN) restarts inside it:
    /// an untrained policy can drive the simulation to places no equation is defined.
    fn restart_lost_paths(&mut self, r: &mut Rng) {
        let bounds = self.model.bounds();
        let d = bounds.len();
        let rows = self.paths.shape().as_matrix().0;
        for i in 0..rows {
            let row = &self.paths.data()[i * d..(i + 1) * d];
            let lost = row.iter().zip(&bounds).any(|(&v, &(lo, hi))| {
                let w = (hi - lo).max(1e-12);
                !v.is_finite() || v < lo - w || v > hi + w
            });
            if lost {
                let fresh = box_states(self.model, 1, r);
                self.paths.data_mut()[i * d..(i + 1) * d].copy_from_slice(fresh.data());
            }
        }
    }

    fn progress_bar(&self) -> ProgressBar {
        if !self.config.progress {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new(self.config.episodes as u64);
        bar.set_position(self.episode() as u64);
        let style = ProgressStyle::with_template("{bar:20} {pos}/{len} episodes {msg} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar
    }
}

/// States drawn from the model's box; a Markov index column is rounded to an index.
pub fn box_states(model: &dyn Model, n: usize, r: &mut Rng) -> Tensor<f64> {
    let bounds = model.bounds();
    let mut s = draw_box(&bounds, n, r);
    if let Expectation::Markov { column, .. } = model.expectation() {
        let d = bounds.len();
        for i in 0..n {
            let v = &mut s.data_mut()[i * d + column];
            *v = v.round();
        }
    }
    s
}
