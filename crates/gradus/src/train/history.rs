//! The per-epoch record of a training run (the course's `scores`).

/// Losses and accuracies after one epoch.
#[derive(Clone, Debug, PartialEq)]
pub struct EpochRecord {
    /// 1-based epoch number.
    pub epoch: usize,
    pub train_loss: f64,
    pub train_accuracy: Option<f64>,
    pub val_loss: Option<f64>,
    pub val_accuracy: Option<f64>,
    /// The learning rate used during the epoch.
    pub lr: f64,
}

/// Every epoch of a run, and which one early stopping kept.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    pub epochs: Vec<EpochRecord>,
    /// The epoch whose parameters the model holds after early stopping restored them.
    pub best_epoch: Option<usize>,
    pub stopped_early: bool,
}

impl History {
    pub fn last(&self) -> Option<&EpochRecord> {
        self.epochs.last()
    }
}
