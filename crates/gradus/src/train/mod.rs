//! Training: `fit`, its configuration, the per-epoch history, early stopping.

mod error;
mod fit;
mod history;

pub use error::TrainError;
pub use fit::{fit, Batching, EarlyStopping, FitConfig};
pub use history::{EpochRecord, History};
