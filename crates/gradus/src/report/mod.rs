//! Reports of a training run for people and their tools: TensorBoard event files and the
//! run folder's plots (learning curve, confusion matrix, predicted versus true).

mod crc32c;
mod run_plots;
mod tfevents;

pub use crc32c::crc32c;
pub use run_plots::{confusion_png, learning_curve_png, predicted_vs_true_png};
pub use tfevents::{EventWriter, Scalar};
