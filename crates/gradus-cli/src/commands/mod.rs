pub mod check;
pub mod evaluate;
mod model_arg;
pub mod optimize;
pub mod predict;
mod source;
pub mod train;
mod train_config;
