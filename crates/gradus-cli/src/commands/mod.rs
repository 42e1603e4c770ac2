pub mod check;
pub mod train;
