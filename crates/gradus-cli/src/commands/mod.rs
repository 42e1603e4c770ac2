pub mod check;
pub mod deqn;
pub mod evaluate;
pub mod genz;
mod model_arg;
pub mod predict;
mod source;
pub mod train;
mod train_config;
