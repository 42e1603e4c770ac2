//! Matrix multiplication through the `gemm` crate.
//!
//! Chosen by measurement on our shapes (docs/ARCHITECTURE.md): against `matrixmultiply` it
//! is 1.0-1.5x faster on the small MLP shapes and 2.2x faster on the 784-512-512 shapes
//! where it can use both cores. Transposed operands are passed as strides, never copied.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::float::Float;

static THREADS: AtomicUsize = AtomicUsize::new(0);

/// Below this many multiply-adds a product runs on one thread: splitting a 32x64x100
/// product costs more in synchronisation than it saves.
const PARALLEL_MIN_WORK: usize = 1 << 20;

/// Sets how many threads large matrix products may use (0 = all available cores).
pub fn set_num_threads(n: usize) {
    THREADS.store(n, Ordering::Relaxed);
}

/// The number of threads large matrix products use.
pub fn num_threads() -> usize {
    match THREADS.load(Ordering::Relaxed) {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
}

/// A row-major matrix stored as `rows x cols`, used as itself or transposed.
#[derive(Clone, Copy)]
pub(crate) struct MatArg<'a, F> {
    pub data: &'a [F],
    pub rows: usize,
    pub cols: usize,
    pub transposed: bool,
}

impl<F> MatArg<'_, F> {
    /// Dimensions of the operand as it enters the product.
    fn logical(&self) -> (usize, usize) {
        if self.transposed {
            (self.cols, self.rows)
        } else {
            (self.rows, self.cols)
        }
    }
    /// (row stride, column stride) of the logical operand.
    fn strides(&self) -> (isize, isize) {
        if self.transposed {
            (1, self.cols as isize)
        } else {
            (self.cols as isize, 1)
        }
    }
}

/// `dst (m x n) = op(a) @ op(b)`, or `dst += op(a) @ op(b)` when `accumulate`.
pub(crate) fn matmul_into<F: Float>(
    dst: &mut [F],
    accumulate: bool,
    a: MatArg<'_, F>,
    b: MatArg<'_, F>,
) {
    let (m, k) = a.logical();
    let (k2, n) = b.logical();
    assert_eq!(
        k, k2,
        "matmul: inner dimensions differ: left operand is {m}x{k}, right operand is {k2}x{n}"
    );
    assert_eq!(dst.len(), m * n, "matmul: output buffer has the wrong size");
    assert!(a.data.len() >= a.rows * a.cols && b.data.len() >= b.rows * b.cols);
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !accumulate {
            dst.fill(F::zero());
        }
        return;
    }
    let threads = num_threads();
    let parallelism = if threads > 1 && m * n * k >= PARALLEL_MIN_WORK {
        gemm::Parallelism::Rayon(threads)
    } else {
        gemm::Parallelism::None
    };
    let (a_rs, a_cs) = a.strides();
    let (b_rs, b_cs) = b.strides();
    // SAFETY: the asserts above guarantee that every index the strides reach lies inside the
    // slices (a: m x k, b: k x n, dst: m x n, all row-major or transposed row-major), and dst
    // does not alias the inputs because it is borrowed mutably.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            1,
            n as isize,
            accumulate,
            a.data.as_ptr(),
            a_cs,
            a_rs,
            b.data.as_ptr(),
            b_cs,
            b_rs,
            F::one(),
            F::one(),
            false,
            false,
            false,
            parallelism,
        );
    }
}
