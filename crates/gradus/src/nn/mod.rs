//! Networks: activations, initialisers, costs and penalties, layers, and the sequential
//! model with the lectures' feed-forward shorthand.

mod activation;
mod batchnorm;
mod data_parallel;
mod dense;
mod dropout;
mod error;
mod init;
mod layer;
mod loss;
mod mlp;
mod sequential;

pub use activation::Activation;
pub use batchnorm::BatchNorm;
pub use data_parallel::DataParallel;
pub use dense::Dense;
pub use dropout::Dropout;
pub use error::ModelError;
pub use init::Init;
pub use layer::Layer;
pub use loss::{Loss, Penalty};
pub use mlp::{Mlp, MlpConfig};
pub use sequential::{Metrics, Mode, ParamsOnTape, Sequential, Task};
