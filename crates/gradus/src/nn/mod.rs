//! Networks: activations, initialisers, costs and penalties, and the feed-forward model.

mod activation;
mod error;
mod init;
mod loss;
mod mlp;

pub use activation::Activation;
pub use error::ModelError;
pub use init::Init;
pub use loss::{Loss, Penalty};
pub use mlp::{Metrics, Mlp, MlpConfig, ParamsOnTape, Task};
