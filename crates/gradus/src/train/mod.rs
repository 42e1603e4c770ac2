//! Training: `fit` (mini-batch first-order), its configuration, the per-epoch history,
//! early stopping, and full-batch Newton / L-BFGS for small models.

mod checkpoint;
mod confusion;
mod error;
mod fit;
mod history;
mod second_order;

pub use checkpoint::{BestEpoch, Checkpoint, CHECKPOINT_FORMAT};
pub use confusion::{confusion_csv, confusion_matrix};
pub use error::TrainError;
pub use fit::{fit, fit_with_checkpoints, Batching, EarlyStopping, FitConfig};
pub use history::{EpochRecord, History};
pub use second_order::{fit_lbfgs, fit_newton, NEWTON_MAX_PARAMS};
