//! What can be wrong with a model a user describes.

/// A model configuration that cannot be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    #[error("invalid model: {reason}")]
    InvalidConfig { reason: String },
}
