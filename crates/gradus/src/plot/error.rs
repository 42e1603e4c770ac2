use std::path::PathBuf;

/// A plot could not be drawn or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PlotError {
    /// The drawing backend failed, usually because the file could not be written.
    #[error("could not write the plot {path}: {reason}")]
    Write { path: PathBuf, reason: String },
    /// The data cannot make this plot (for example a heatmap with ragged rows).
    #[error("cannot plot {what}: {reason}")]
    Data { what: String, reason: String },
}

impl PlotError {
    pub(crate) fn write(path: &std::path::Path, e: impl std::fmt::Display) -> Self {
        PlotError::Write {
            path: path.to_path_buf(),
            reason: e.to_string(),
        }
    }
}
