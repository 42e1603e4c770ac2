//! Saved models: weights as safetensors with hierarchical names, architecture and
//! preprocessing as JSON.

mod atomic;
mod error;
mod model_file;
mod spec;

pub use atomic::write_atomic;
pub use error::IoError;
pub(crate) use model_file::{from_le_bytes, to_le_bytes};
pub use model_file::{load_model, save_model, SavedModel, SPEC_FILE, WEIGHTS_FILE};
pub use spec::{InitSpec, LayerSpec, LossSpec, ModelSpec, Scaling, FORMAT_VERSION};
