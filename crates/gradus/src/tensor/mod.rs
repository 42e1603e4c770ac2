//! Dense tensors over `f32` and `f64`: storage, creation, elementwise arithmetic with
//! broadcasting, axis reductions and matrix products. No autodiff here; the tape
//! (`crate::autodiff`) reuses these kernels.

pub(crate) mod broadcast;
mod copy;
mod float;
mod gather;
pub(crate) mod gemm;
mod gemm_thin;
mod gemm_tile;
pub(crate) mod layout;
#[cfg(feature = "ndarray")]
mod ndarray_interop;
pub(crate) mod reduce;
mod scratch;
mod shape;
mod split;
#[allow(clippy::module_inception)]
mod tensor;
mod transpose;
pub mod vmath;

pub use copy::copy_into;
pub(crate) use copy::{scratch, written};
pub use float::Float;
pub use gather::gather_rows;
pub use gemm::{matmul_into, num_threads, set_num_threads, set_split_products, MatArg};
pub(crate) use gemm::{single_threaded, threaded_product_pays};
pub use shape::{Shape, MAX_RANK};
#[doc(hidden)]
pub use split::set_caller_share;
pub(crate) use tensor::concat_shape;
pub use tensor::Tensor;
