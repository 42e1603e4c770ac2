//! What can go wrong when a user configures, trains or resumes a DEQN.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DeqnError {
    /// A setting that cannot work, with what to change.
    #[error("invalid DEQN setting: {reason}")]
    InvalidConfig { reason: String },
    /// The loss became NaN or infinite.
    #[error(
        "training diverged at episode {episode}: the loss is {loss}; lower the learning rate, \
         or sample more states from the box (sampling = \"mixed\") early on"
    )]
    Diverged { episode: usize, loss: f64 },
    /// A checkpoint that cannot be read or does not match the model and settings.
    #[error("checkpoint {path}: {reason}")]
    Checkpoint { path: PathBuf, reason: String },
    #[error("{path}: {source}")]
    File {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}
