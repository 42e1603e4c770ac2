//! Why training can stop without a model.

/// A training run that could not proceed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrainError {
    #[error(
        "the loss became {value} at epoch {epoch}, batch {batch} (learning rate {lr}): training \
         diverged; try a smaller learning rate, gradient clipping, or scaled inputs"
    )]
    Diverged {
        epoch: usize,
        batch: usize,
        lr: f64,
        value: f64,
    },
    #[error("cannot train this model: {reason}")]
    NotTrainable { reason: String },
    #[error("the data does not fit the model: {reason}")]
    DataMismatch { reason: String },
    #[error("cannot resume from this checkpoint: {reason}; start the run again without --resume")]
    Resume { reason: String },
    #[error("could not write a checkpoint: {0}")]
    Checkpoint(crate::io::IoError),
}
