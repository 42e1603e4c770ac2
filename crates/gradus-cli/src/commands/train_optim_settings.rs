//! The `[training]` keys of `gradus train`, checked and turned into the library's values:
//! `optim::Optimizer` with its hyper-parameters, `optim::Schedule`, `optim::Clip` and
//! `train::EarlyStopping`. A setting that does not belong to the chosen optimiser or schedule
//! is an error, not ignored: `beta_1` on SGD or `gamma` without a schedule is a mistake the
//! user wants to hear about.

use gradus::optim::{Clip, Optimizer, Schedule};
use gradus::train::EarlyStopping;

use super::train_config::TrainingSection;
use super::train_settings::bad;

const SCHEDULES: &str = "constant, step (step_size, gamma), exponential (gamma), inverse_time \
                         (decay_rate) or cosine (decay_epochs, min_lr)";

/// The validated `[training]` section.
pub struct OptimSettings {
    pub optimizer: Optimizer,
    pub lr: f64,
    pub schedule: Schedule,
    pub clip: Clip,
    pub early_stopping: Option<EarlyStopping>,
    pub epochs: usize,
    pub batch_size: usize,
    pub seed: u64,
    /// Write a checkpoint every this many epochs (0: never).
    pub checkpoint_every: usize,
}

/// `value` must lie in `range` (a description such as "[0, 1)").
fn check(key: &'static str, v: f64, ok: bool, range: &str, example: &str) -> anyhow::Result<()> {
    if ok && v.is_finite() {
        Ok(())
    } else {
        Err(bad(
            "training",
            key,
            format!("{v} must be {range}, e.g. {key} = {example}"),
        ))
    }
}

impl OptimSettings {
    /// Checks the section; `has_validation` says whether the split keeps validation rows
    /// (early stopping watches their loss).
    pub fn from_section(t: TrainingSection, has_validation: bool) -> anyhow::Result<Self> {
        let lr = t.lr.unwrap_or(1e-3);
        check("lr", lr, lr > 0.0, "a positive number", "0.001")?;
        let optimizer = optimizer(&t, lr)?;
        let (epochs, batch_size) = (t.epochs.unwrap_or(30), t.batch_size.unwrap_or(32));
        if epochs == 0 {
            return Err(bad("training", "epochs", "must be at least 1"));
        }
        if batch_size == 0 {
            return Err(bad("training", "batch_size", "must be at least 1"));
        }
        let schedule = schedule(&t, lr, epochs)?;
        let clip = match (t.clip_norm, t.clip_value) {
            (Some(_), Some(_)) => {
                return Err(bad(
                    "training",
                    "clip_value",
                    "and clip_norm are both set; clip by the global norm (clip_norm) or by \
                     value (clip_value), not both",
                ))
            }
            (Some(c), None) => {
                check("clip_norm", c, c > 0.0, "a positive number", "1.0")?;
                Clip::GlobalNorm(c)
            }
            (None, Some(c)) => {
                check("clip_value", c, c > 0.0, "a positive number", "0.5")?;
                Clip::Value(c)
            }
            (None, None) => Clip::None,
        };
        let early_stopping = match t.patience {
            Some(0) => {
                return Err(bad(
                    "training",
                    "patience",
                    "0 would stop at the first epoch that does not improve the validation \
                     loss; give the number of epochs to wait (≥ 1, e.g. 10), or remove \
                     patience to train every epoch",
                ))
            }
            Some(_) if !has_validation => {
                return Err(bad(
                    "training",
                    "patience",
                    "early stopping watches the validation loss, but [data] split keeps no \
                     validation rows; give a validation fraction, e.g. split = [0.7, 0.1, 0.2]",
                ))
            }
            Some(patience) => {
                let min_delta = t.min_delta.unwrap_or(0.0);
                check("min_delta", min_delta, min_delta >= 0.0, "≥ 0", "1e-4")?;
                Some(EarlyStopping {
                    patience,
                    min_delta,
                    restore_best: t.restore_best_weights.unwrap_or(true),
                })
            }
            None => {
                for (key, set) in [
                    ("min_delta", t.min_delta.is_some()),
                    ("restore_best_weights", t.restore_best_weights.is_some()),
                ] {
                    if set {
                        return Err(bad(
                            "training",
                            key,
                            "is a setting of early stopping, which is off; set patience (epochs \
                             without improvement before stopping, e.g. patience = 10) or remove it",
                        ));
                    }
                }
                None
            }
        };
        Ok(OptimSettings {
            optimizer,
            lr,
            schedule,
            clip,
            early_stopping,
            epochs,
            batch_size,
            seed: t.seed.unwrap_or(0),
            checkpoint_every: t.checkpoint_every.unwrap_or(0),
        })
    }

    /// The section as the resolved config writes it: the optimiser's own settings, the
    /// schedule's parameters and early stopping's keys only where they apply.
    pub fn to_section(&self) -> TrainingSection {
        let mut t = TrainingSection {
            optimizer: Some(self.optimizer.name().into()),
            lr: Some(self.lr),
            epochs: Some(self.epochs),
            batch_size: Some(self.batch_size),
            seed: Some(self.seed),
            checkpoint_every: Some(self.checkpoint_every),
            ..Default::default()
        };
        match self.optimizer {
            Optimizer::Sgd { .. } => {}
            Optimizer::Momentum { momentum, .. } => t.momentum = Some(momentum),
            Optimizer::AdaGrad { eps, momentum, .. } => {
                t.epsilon = Some(eps);
                t.momentum = Some(momentum);
            }
            Optimizer::RmsProp { rho, eps, .. } => {
                t.rho = Some(rho);
                t.epsilon = Some(eps);
            }
            Optimizer::Adam {
                beta1, beta2, eps, ..
            } => {
                (t.beta_1, t.beta_2, t.epsilon) = (Some(beta1), Some(beta2), Some(eps));
            }
            Optimizer::AdamW {
                beta1,
                beta2,
                eps,
                weight_decay,
                ..
            } => {
                (t.beta_1, t.beta_2, t.epsilon) = (Some(beta1), Some(beta2), Some(eps));
                t.weight_decay = Some(weight_decay);
            }
        }
        t.schedule = Some(schedule_name(&self.schedule).into());
        match self.schedule {
            Schedule::Constant => {}
            Schedule::Step { every, factor } => {
                (t.step_size, t.gamma) = (Some(every), Some(factor))
            }
            Schedule::Exponential { gamma } => t.gamma = Some(gamma),
            Schedule::InverseTime { decay } => t.decay_rate = Some(decay),
            Schedule::Cosine { total, min_lr } => {
                (t.decay_epochs, t.min_lr) = (Some(total), Some(min_lr))
            }
        }
        match self.clip {
            Clip::None => {}
            Clip::GlobalNorm(c) => t.clip_norm = Some(c),
            Clip::Value(c) => t.clip_value = Some(c),
        }
        if let Some(es) = self.early_stopping {
            t.patience = Some(es.patience);
            t.min_delta = Some(es.min_delta);
            t.restore_best_weights = Some(es.restore_best);
        }
        t
    }
}

/// The optimiser named by `[training] optimizer` with the settings given for it. Keras'
/// `SGD(momentum=μ, nesterov=True)` is accepted as `optimizer = "sgd"` with `momentum`.
fn optimizer(t: &TrainingSection, lr: f64) -> anyhow::Result<Optimizer> {
    let name = t
        .optimizer
        .as_deref()
        .unwrap_or("adam")
        .to_ascii_lowercase();
    let base = Optimizer::from_name(&name, lr).ok_or_else(|| {
        bad(
            "training",
            "optimizer",
            format!(
                "{name:?} is unknown; use one of {}",
                Optimizer::NAMES.join(", ")
            ),
        )
    })?;
    // Which settings each rule takes, for the "does not apply" message.
    let takes: &[&str] = match base {
        Optimizer::Sgd { .. } | Optimizer::Momentum { .. } => &["momentum", "nesterov"],
        Optimizer::AdaGrad { .. } => &["momentum", "epsilon"],
        Optimizer::RmsProp { .. } => &["rho", "epsilon"],
        Optimizer::Adam { .. } => &["beta_1", "beta_2", "epsilon"],
        Optimizer::AdamW { .. } => &["beta_1", "beta_2", "epsilon", "weight_decay"],
    };
    let given: [(&'static str, bool); 7] = [
        ("momentum", t.momentum.is_some()),
        ("nesterov", t.nesterov.is_some()),
        ("rho", t.rho.is_some()),
        ("beta_1", t.beta_1.is_some()),
        ("beta_2", t.beta_2.is_some()),
        ("epsilon", t.epsilon.is_some()),
        ("weight_decay", t.weight_decay.is_some()),
    ];
    if let Some((key, _)) = given.iter().find(|(k, set)| *set && !takes.contains(k)) {
        let hint = match *key {
            "weight_decay" => "; for an L2 penalty with another optimiser set [model] l2",
            _ => "",
        };
        return Err(bad(
            "training",
            key,
            format!(
                "does not apply to optimizer {name:?}, which takes {}; remove it or choose \
                 an optimizer that has it{hint}",
                takes.join(", ")
            ),
        ));
    }
    let unit = |key: &'static str, v: Option<f64>, default: f64| -> anyhow::Result<f64> {
        let v = v.unwrap_or(default);
        check(
            key,
            v,
            (0.0..1.0).contains(&v),
            "in [0, 1)",
            &default.to_string(),
        )?;
        Ok(v)
    };
    let positive = |key: &'static str, v: Option<f64>, default: f64| -> anyhow::Result<f64> {
        let v = v.unwrap_or(default);
        check(
            key,
            v,
            v > 0.0,
            "a positive number",
            &format!("{default:e}"),
        )?;
        Ok(v)
    };
    Ok(match base {
        Optimizer::Sgd { .. } | Optimizer::Momentum { .. } => {
            let named_nesterov = name == "nesterov";
            if named_nesterov && t.nesterov == Some(false) {
                return Err(bad(
                    "training",
                    "nesterov",
                    "false contradicts optimizer \"nesterov\"; use optimizer \"momentum\" for \
                     heavy-ball momentum, or remove nesterov",
                ));
            }
            let nesterov = named_nesterov || t.nesterov == Some(true);
            let default = if matches!(base, Optimizer::Sgd { .. }) && !nesterov {
                0.0
            } else {
                0.9
            };
            let momentum = unit("momentum", t.momentum, default)?;
            if nesterov && momentum == 0.0 {
                return Err(bad(
                    "training",
                    "momentum",
                    "0 with nesterov = true: Nesterov's look-ahead needs momentum, e.g. \
                     momentum = 0.9",
                ));
            }
            if momentum == 0.0 {
                Optimizer::Sgd { lr }
            } else {
                Optimizer::Momentum {
                    lr,
                    momentum,
                    nesterov,
                }
            }
        }
        Optimizer::AdaGrad { eps, momentum, .. } => Optimizer::AdaGrad {
            lr,
            eps: positive("epsilon", t.epsilon, eps)?,
            momentum: unit("momentum", t.momentum, momentum)?,
        },
        Optimizer::RmsProp { rho, eps, .. } => Optimizer::RmsProp {
            lr,
            rho: unit("rho", t.rho, rho)?,
            eps: positive("epsilon", t.epsilon, eps)?,
        },
        Optimizer::Adam {
            beta1, beta2, eps, ..
        } => Optimizer::Adam {
            lr,
            beta1: unit("beta_1", t.beta_1, beta1)?,
            beta2: unit("beta_2", t.beta_2, beta2)?,
            eps: positive("epsilon", t.epsilon, eps)?,
        },
        Optimizer::AdamW {
            beta1,
            beta2,
            eps,
            weight_decay,
            ..
        } => {
            let wd = t.weight_decay.unwrap_or(weight_decay);
            check("weight_decay", wd, wd >= 0.0, "≥ 0", "0.01")?;
            Optimizer::AdamW {
                lr,
                beta1: unit("beta_1", t.beta_1, beta1)?,
                beta2: unit("beta_2", t.beta_2, beta2)?,
                eps: positive("epsilon", t.epsilon, eps)?,
                weight_decay: wd,
            }
        }
    })
}

fn schedule_name(s: &Schedule) -> &'static str {
    match s {
        Schedule::Constant => "constant",
        Schedule::Step { .. } => "step",
        Schedule::Exponential { .. } => "exponential",
        Schedule::InverseTime { .. } => "inverse_time",
        Schedule::Cosine { .. } => "cosine",
    }
}

/// The schedule named by `[training] schedule`, with its parameters (counted in epochs).
fn schedule(t: &TrainingSection, lr: f64, epochs: usize) -> anyhow::Result<Schedule> {
    let name = t
        .schedule
        .as_deref()
        .unwrap_or("constant")
        .to_ascii_lowercase();
    let takes: &[&str] = match name.as_str() {
        "constant" | "none" => &[],
        "step" => &["step_size", "gamma"],
        "exponential" => &["gamma"],
        "inverse_time" => &["decay_rate"],
        "cosine" => &["decay_epochs", "min_lr"],
        _ => {
            return Err(bad(
                "training",
                "schedule",
                format!("{name:?} is not a schedule; use {SCHEDULES}"),
            ))
        }
    };
    let given: [(&'static str, bool); 5] = [
        ("step_size", t.step_size.is_some()),
        ("gamma", t.gamma.is_some()),
        ("decay_rate", t.decay_rate.is_some()),
        ("decay_epochs", t.decay_epochs.is_some()),
        ("min_lr", t.min_lr.is_some()),
    ];
    if let Some((key, _)) = given.iter().find(|(k, set)| *set && !takes.contains(k)) {
        let message = if takes.is_empty() {
            "is a parameter of a learning-rate schedule, but there is none; set schedule (one \
             of "
            .to_string()
                + SCHEDULES
                + ") or remove it"
        } else {
            format!(
                "does not apply to schedule {name:?}, which takes {}; remove it",
                takes.join(", ")
            )
        };
        return Err(bad("training", key, message));
    }
    let needs = |key: &'static str, example: &str| {
        bad(
            "training",
            key,
            format!("is missing: schedule {name:?} needs it, e.g. {key} = {example}"),
        )
    };
    Ok(match name.as_str() {
        "step" => {
            let every = t.step_size.ok_or_else(|| needs("step_size", "10"))?;
            if every == 0 {
                return Err(bad(
                    "training",
                    "step_size",
                    "0: give the number of epochs between decays (≥ 1), e.g. step_size = 10",
                ));
            }
            let factor = t.gamma.unwrap_or(0.1);
            check(
                "gamma",
                factor,
                factor > 0.0 && factor <= 1.0,
                "in (0, 1]",
                "0.5",
            )?;
            Schedule::Step { every, factor }
        }
        "exponential" => {
            let gamma = t.gamma.ok_or_else(|| needs("gamma", "0.95"))?;
            check(
                "gamma",
                gamma,
                gamma > 0.0 && gamma <= 1.0,
                "in (0, 1]",
                "0.95",
            )?;
            Schedule::Exponential { gamma }
        }
        "inverse_time" => {
            let decay = t.decay_rate.ok_or_else(|| needs("decay_rate", "0.1"))?;
            check("decay_rate", decay, decay >= 0.0, "≥ 0", "0.1")?;
            Schedule::InverseTime { decay }
        }
        "cosine" => {
            let total = t.decay_epochs.unwrap_or(epochs);
            if total == 0 {
                return Err(bad(
                    "training",
                    "decay_epochs",
                    "0: give the epochs over which the rate falls to min_lr (≥ 1; default: \
                     all epochs)",
                ));
            }
            let min_lr = t.min_lr.unwrap_or(0.0);
            check(
                "min_lr",
                min_lr,
                (0.0..lr).contains(&min_lr),
                &format!("in [0, lr = {lr})"),
                "0",
            )?;
            Schedule::Cosine { total, min_lr }
        }
        _ => Schedule::Constant,
    })
}
