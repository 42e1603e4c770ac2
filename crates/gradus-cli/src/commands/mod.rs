pub mod bench;
pub mod check;
pub mod evaluate;
mod model_arg;
pub mod predict;
mod source;
pub mod train;
mod train_config;
