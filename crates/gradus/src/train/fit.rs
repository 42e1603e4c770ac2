//! `fit`: mini-batch training of a feed-forward network with any gradus optimiser.

use indicatif::{ProgressBar, ProgressStyle};

use super::checkpoint::{BestEpoch, Checkpoint};
use super::{EpochRecord, History, TrainError};
use std::sync::Mutex;

use crate::data::{Batches, Dataset};
use crate::io::IoError;
use crate::nn::{DataParallel, Layer, Mlp, Mode};
use crate::optim::{Clip, OptState, Optimizer, Schedule};
use crate::rng;
use crate::tensor::{copy_into, Float, Tensor};

/// How an epoch is cut into mini-batches.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Batching {
    /// Batches of this many rows (the last one may be shorter).
    Size(usize),
    /// This many batches of (nearly) equal size.
    Count(usize),
    /// The whole training set every step: gradient descent proper.
    Full,
}

/// Stop when the validation loss has not improved by `min_delta` for `patience` epochs,
/// and (with `restore_best`) give the model back the parameters of its best epoch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EarlyStopping {
    pub patience: usize,
    pub min_delta: f64,
    pub restore_best: bool,
}

impl Default for EarlyStopping {
    fn default() -> Self {
        EarlyStopping {
            patience: 10,
            min_delta: 0.0,
            restore_best: true,
        }
    }
}

/// Everything about a training run except the model and the data.
#[derive(Clone, Debug, PartialEq)]
pub struct FitConfig {
    pub epochs: usize,
    pub batching: Batching,
    pub optimizer: Optimizer,
    /// Learning rate per epoch (epoch 0 is the first).
    pub schedule: Schedule,
    pub clip: Clip,
    /// Seeds the reshuffling of the training rows every epoch.
    pub seed: u64,
    /// Needs a validation set.
    pub early_stopping: Option<EarlyStopping>,
    /// Show a progress bar on the terminal (hidden anyway when stderr is not a terminal).
    pub progress: bool,
    /// Most row shards a step is cut into, run on the pool's threads (`nn::DataParallel`:
    /// shards of ≥ 32 rows, one shard with dropout or batch norm). 1 (the default) is the
    /// single-tape step. Results depend on it through the order of floating-point sums
    /// only, not on the machine's core count.
    pub shards: usize,
}

impl Default for FitConfig {
    fn default() -> Self {
        FitConfig {
            epochs: 30,
            batching: Batching::Size(32),
            optimizer: Optimizer::adam(1e-3),
            schedule: Schedule::Constant,
            clip: Clip::None,
            seed: 0,
            early_stopping: None,
            progress: false,
            shards: 1,
        }
    }
}

/// Trains `model` on `train`, reporting each epoch to `on_epoch`; with a validation set the
/// history records its loss and accuracy too.
///
/// ```
/// use gradus::data::Dataset;
/// use gradus::nn::{Activation, Loss, Mlp};
/// use gradus::train::{fit, FitConfig, Batching};
/// use gradus::optim::Optimizer;
/// let mut xor = gradus::data::xor::<f64>();
/// xor.y = xor.label_column().unwrap(); // one 0/1 column for one sigmoid output
/// let mut net = Mlp::ffnn(&[2, 4, 1], Activation::Tanh, Activation::Sigmoid,
///                         Loss::BinaryCrossEntropy, 3).unwrap();
/// let cfg = FitConfig { epochs: 500, batching: Batching::Full,
///                       optimizer: Optimizer::adam(0.05), ..Default::default() };
/// let history = fit(&mut net, &xor, None, &cfg, |_| {}).unwrap();
/// assert_eq!(history.last().unwrap().train_accuracy, Some(1.0));
/// ```
pub fn fit<F: Float>(
    model: &mut Mlp<F>,
    train: &Dataset<F>,
    val: Option<&Dataset<F>>,
    config: &FitConfig,
    on_epoch: impl FnMut(&EpochRecord),
) -> Result<History, TrainError> {
    fit_with_checkpoints(model, train, val, config, None, 0, |_| Ok(()), on_epoch)
}

/// [`fit`] that can start from a [`Checkpoint`] (`resume`) and hands `save` a checkpoint
/// after every `every` epochs (0: never). Resuming from the checkpoint of epoch k with the
/// same model, data and config gives bit for bit the run that never stopped: parameters,
/// optimiser moments, batch order and dropout masks all continue where they were.
#[allow(clippy::too_many_arguments)]
pub fn fit_with_checkpoints<F: Float>(
    model: &mut Mlp<F>,
    train: &Dataset<F>,
    val: Option<&Dataset<F>>,
    config: &FitConfig,
    resume: Option<Checkpoint<F>>,
    every: usize,
    mut save: impl FnMut(Checkpoint<F>) -> Result<(), IoError>,
    mut on_epoch: impl FnMut(&EpochRecord),
) -> Result<History, TrainError> {
    check(model, train, val, config)?;
    let n = train.len();
    let batch_size = match config.batching {
        Batching::Size(b) => b.min(n),
        Batching::Count(k) => n.div_ceil(k.clamp(1, n)),
        Batching::Full => n,
    };
    let mut shuffle_rng = rng::seeded(config.seed);
    // Dropout masks get their own stream, so adding dropout does not change batch order.
    let mut dropout_rng = rng::seeded(config.seed ^ 0x9E37_79B9_7F4A_7C15);
    let mut states: Vec<OptState<F>> = model
        .params()
        .iter()
        .map(|p| config.optimizer.init(p.numel()))
        .collect();
    let mut grads: Vec<Vec<F>> = model
        .params()
        .iter()
        .map(|p| vec![F::zero(); p.numel()])
        .collect();
    let (mut xb, mut yb) = (Tensor::zeros([1, 1]), Tensor::zeros([1, 1]));
    let mut par = DataParallel::new(config.shards);
    let train_mode = model
        .layers()
        .iter()
        .any(|l| matches!(l, Layer::Dropout(_) | Layer::BatchNorm(_)));
    let mut history = History::default();
    let mut best: Option<BestEpoch<F>> = None;
    let bar = progress_bar(config);
    let shuffle = batching_shuffles(config);
    let mut batches = Batches::new(n, batch_size, shuffle, &mut shuffle_rng);
    let mut start = 0;
    if let Some(c) = resume {
        start = c.epoch;
        restore(model, &c)?;
        // The batch order is a function of the shuffle stream: replay the shuffles of the
        // epochs done, then check the stream stands where the checkpoint says.
        for _ in 1..start {
            if shuffle {
                batches.shuffle(&mut shuffle_rng);
            }
        }
        if shuffle_rng != c.shuffle_rng {
            return Err(TrainError::Resume {
                reason: "the batch order does not match the checkpoint's (different training \
                         rows, batch size or seed)"
                    .into(),
            });
        }
        dropout_rng = c.dropout_rng;
        states = c.opt_states;
        history = c.history;
        best = c.best;
        bar.set_position(start as u64);
    }

    for epoch in start..config.epochs {
        let lr = config.schedule.lr(config.optimizer.lr(), epoch);
        if epoch > 0 && shuffle {
            batches.shuffle(&mut shuffle_rng);
        }
        for (b, idx) in batches.iter().enumerate() {
            train.x.gather_rows_into(idx, &mut xb);
            train.y.gather_rows_into(idx, &mut yb);
            let rows = idx.len();
            let (xb, yb) = (&xb, &yb);
            // Dropout and batch norm need training mode and run as one shard (see
            // `DataParallel::shards_for`); other layers behave the same in either mode.
            let rng = Mutex::new(&mut dropout_rng);
            let net = &*model;
            let loss = par.step(net, rows, |tape, on, r| {
                let x = tape.constant_rows(xb, r.clone());
                let y = tape.constant_rows(yb, r.clone());
                let cost = if train_mode {
                    let mut rng = rng.lock().unwrap_or_else(|e| e.into_inner());
                    net.objective(tape, on, x, y, &mut Mode::Train(&mut rng))
                } else {
                    net.objective(tape, on, x, y, &mut Mode::Eval)
                };
                DataParallel::shared(cost, &r, rows)
            });
            let value = loss.as_f64();
            if !value.is_finite() {
                return Err(TrainError::Diverged {
                    epoch: epoch + 1,
                    batch: b + 1,
                    lr,
                    value,
                });
            }
            for (i, g) in grads.iter_mut().enumerate() {
                copy_into(g, &par.grad(i));
            }
            config.clip.apply(&mut grads);
            for ((p, g), s) in model.params_mut().iter_mut().zip(&grads).zip(&mut states) {
                config.optimizer.update(lr, g, s, p.data_mut());
            }
        }
        let tm = model.evaluate(train);
        let vm = val.map(|v| model.evaluate(v));
        let record = EpochRecord {
            epoch: epoch + 1,
            train_loss: tm.loss,
            train_accuracy: tm.accuracy,
            val_loss: vm.map(|m| m.loss),
            val_accuracy: vm.and_then(|m| m.accuracy),
            lr,
        };
        if !record.train_loss.is_finite() {
            return Err(TrainError::Diverged {
                epoch: epoch + 1,
                batch: 0,
                lr,
                value: record.train_loss,
            });
        }
        update_bar(&bar, &record);
        // Suspended, or the bar's redraw would erase whatever the callback prints.
        bar.suspend(|| on_epoch(&record));
        history.epochs.push(record);

        if let (Some(es), Some(vl)) = (config.early_stopping, vm.map(|m| m.loss)) {
            let improved = best.as_ref().is_none_or(|b| vl < b.val_loss - es.min_delta);
            if improved {
                best = Some(BestEpoch {
                    val_loss: vl,
                    epoch: epoch + 1,
                    params: model.params().to_vec(),
                    batch_norm: batch_norm_stats(model),
                });
            } else if epoch + 1 - best.as_ref().map_or(0, |b| b.epoch) >= es.patience {
                history.stopped_early = true;
                break;
            }
        }
        if every > 0 && (epoch + 1) % every == 0 {
            let checkpoint = Checkpoint {
                epoch: epoch + 1,
                param_names: model.param_names().to_vec(),
                params: model.params().to_vec(),
                batch_norm: batch_norm_stats(model),
                opt_states: states.clone(),
                shuffle_rng: shuffle_rng.clone(),
                dropout_rng: dropout_rng.clone(),
                history: history.clone(),
                best: best.clone(),
                extra: Default::default(),
            };
            bar.suspend(|| save(checkpoint))
                .map_err(TrainError::Checkpoint)?;
        }
    }
    if let (Some(es), Some(b)) = (config.early_stopping, best) {
        history.best_epoch = Some(b.epoch);
        if es.restore_best {
            model.params_mut().clone_from_slice(&b.params);
            set_batch_norm_stats(model, b.batch_norm);
        }
    }
    bar.finish_and_clear();
    Ok(history)
}

fn batch_norm_stats<F: Float>(model: &Mlp<F>) -> Vec<(Vec<f64>, Vec<f64>)> {
    model
        .layers()
        .iter()
        .filter_map(|l| match l {
            Layer::BatchNorm(b) => Some(b.running.borrow().clone()),
            _ => None,
        })
        .collect()
}

/// Puts a checkpoint's parameters and batch-norm statistics into `model`, after checking
/// that they are this model's.
fn restore<F: Float>(model: &mut Mlp<F>, c: &Checkpoint<F>) -> Result<(), TrainError> {
    let same_shapes = c.params.len() == model.params().len()
        && c.param_names == model.param_names()
        && c.params
            .iter()
            .zip(model.params())
            .all(|(a, b)| a.shape() == b.shape())
        && c.opt_states.len() == c.params.len();
    let norms: Vec<_> = model
        .layers()
        .iter()
        .filter_map(|l| match l {
            Layer::BatchNorm(b) => Some(b),
            _ => None,
        })
        .collect();
    let same_norms = norms.len() == c.batch_norm.len()
        && norms
            .iter()
            .zip(&c.batch_norm)
            .all(|(b, s)| s.0.len() == b.features && s.1.len() == b.features);
    if !same_shapes || !same_norms {
        return Err(TrainError::Resume {
            reason: "the checkpoint holds the parameters of a different architecture".into(),
        });
    }
    set_batch_norm_stats(model, c.batch_norm.clone());
    model.params_mut().clone_from_slice(&c.params);
    Ok(())
}

/// Puts running statistics (one pair per batch-norm layer, in order) back into the model.
fn set_batch_norm_stats<F: Float>(model: &Mlp<F>, stats: Vec<(Vec<f64>, Vec<f64>)>) {
    let norms = model.layers().iter().filter_map(|l| match l {
        Layer::BatchNorm(b) => Some(b),
        _ => None,
    });
    for (b, s) in norms.zip(stats) {
        *b.running.borrow_mut() = s;
    }
}

/// Full-batch gradient descent visits rows in order; everything else reshuffles.
fn batching_shuffles(config: &FitConfig) -> bool {
    config.batching != Batching::Full
}

fn check<F: Float>(
    model: &Mlp<F>,
    train: &Dataset<F>,
    val: Option<&Dataset<F>>,
    config: &FitConfig,
) -> Result<(), TrainError> {
    model.validate().map_err(|e| TrainError::NotTrainable {
        reason: e.to_string(),
    })?;
    if !model.trainable_by_gradient() {
        return Err(TrainError::NotTrainable {
            reason: "the step activation has derivative zero, so gradient descent cannot move \
                     the weights; train a perceptron with its own rule or use sigmoid/tanh"
                .into(),
        });
    }
    for (name, d) in std::iter::once(("training", train)).chain(val.map(|v| ("validation", v))) {
        let (xc, yc) = (d.x.shape().as_matrix().1, d.y.shape().as_matrix().1);
        if xc != model.inputs() || yc != model.outputs() {
            return Err(TrainError::DataMismatch {
                reason: format!(
                    "the {name} set has {xc} feature columns and {yc} target columns, the model \
                     expects {} inputs and {} outputs",
                    model.inputs(),
                    model.outputs()
                ),
            });
        }
    }
    if train.is_empty() {
        return Err(TrainError::DataMismatch {
            reason: "the training set is empty".into(),
        });
    }
    if config.early_stopping.is_some() && val.is_none() {
        return Err(TrainError::DataMismatch {
            reason: "early stopping watches the validation loss: pass a validation set".into(),
        });
    }
    Ok(())
}

fn progress_bar(config: &FitConfig) -> ProgressBar {
    if !config.progress {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(config.epochs as u64);
    let style = ProgressStyle::with_template("{bar:20} {pos}/{len} {msg} {elapsed}")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}

fn update_bar(bar: &ProgressBar, r: &EpochRecord) {
    // Short enough for an 80-column terminal beside the bar.
    let mut msg = format!("loss {:.4}", r.train_loss);
    if let Some(a) = r.train_accuracy {
        msg += &format!(" acc {a:.3}");
    }
    if let Some(v) = r.val_loss {
        msg += &format!(" val {v:.4}");
    }
    if let Some(a) = r.val_accuracy {
        msg += &format!("/{a:.3}");
    }
    bar.set_message(msg);
    bar.inc(1);
}
