//! What can go wrong reading or writing a saved model.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IoError {
    #[error("{path}: {source}")]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: not a gradus model description: {reason}")]
    Format { path: PathBuf, reason: String },
    #[error("{path}: {reason}")]
    Weights { path: PathBuf, reason: String },
}
