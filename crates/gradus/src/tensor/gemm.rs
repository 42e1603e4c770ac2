//! Matrix multiplication: one entry point, [`matmul_into`], that sends each product to the
//! kernel measured fastest for its shape (docs/PERFORMANCE.md, "GEMM", has the table):
//!
//! - thin products, inner dimension k ≤ 2 or a vector operand (m = 1 or n = 1) in axpy
//!   form: our own direct kernels (`gemm_thin.rs`): one vectorised pass over the output, no
//!   packing. These are the first and last layers of networks with one or two inputs and a
//!   scalar output (pinn, deqn, tiny-mlp), where the packed kernels below spent most of
//!   their time on set-up;
//! - `nano-gemm` for other small products (at most [`SMALL_MAX_WORK`] multiply-adds, inner
//!   dimension at least [`SMALL_MIN_K`]): unpacked kernels that never allocate, as fast as
//!   `gemm` on the 64-100-30-10 MLP's shapes, and what lets a warm training step of such a
//!   network run without touching the heap;
//! - `gemm` for everything else: packed, cache-blocked, runtime-dispatched AVX2/AVX-512
//!   kernels, multi-threaded on rayon's global pool above [`PARALLEL_MIN_WORK`]: 75-94
//!   GFLOP/s per thread on the 784-512-512 shapes whatever the transposition, at least as
//!   fast as `matrixmultiply` (1.7-2.3x on the n = 10 output layer), and also the best
//!   kernel for a matrix-vector product in dot form (its gemv). It allocates its packing
//!   buffers per call (no workspace parameter); glibc serves them from the heap after the
//!   first calls (`strace`: about one `brk` per wide-mlp training step).
//!
//! Transposed operands are passed as strides, never copied.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::float::Float;

static THREADS: AtomicUsize = AtomicUsize::new(0);

/// Below this many multiply-adds a product runs on one thread. On the 2-vCPU machines we
/// measure on, waking a pool thread per product costs tens of microseconds: threading the
/// 256x64x64 products of deqn-step (exactly 2^20) made the whole step 1.9x slower
/// (780 µs against 410 µs on one thread), so only products the size of wide-mlp's
/// (≥ 50 M multiply-adds) are worth it. Smaller networks get their threads from batch
/// shards instead (`nn::DataParallel`).
const PARALLEL_MIN_WORK: usize = 1 << 23;

/// Largest product (m·n·k) sent to nano-gemm; beyond it gemm's packing pays off
/// (512x32x32: gemm 12.4 µs, nano-gemm 15.6 µs).
const SMALL_MAX_WORK: usize = 1 << 18;

/// Work (multiply-adds) from which the two gradient products of one matrix product run on
/// two threads at once ([`pair_pays`]); each is then ≥ ~5 µs against a ~1 µs fork and join.
const PAIR_MIN_WORK: usize = 1 << 18;

/// Elements from which an element-wise pass goes to two threads
/// ([`pair_pays_elementwise`]).
const ELEMENTWISE_PAIR_MIN: usize = 1 << 16;

/// Smallest inner dimension sent to nano-gemm: with a short k its per-tile overhead makes
/// it 2-3x slower than gemm (512x1x32: 5.0 µs against 1.8 µs; k ≤ 2 now goes to
/// `gemm_thin`, k in 3..8 to gemm).
const SMALL_MIN_K: usize = 8;

/// Sets how many threads large matrix products may use (0 = all available cores).
pub fn set_num_threads(n: usize) {
    THREADS.store(n, Ordering::Relaxed);
}

thread_local! {
    /// Set while this thread runs one shard of a data-parallel step: its products stay on
    /// this thread, because the other threads are busy with the other shards.
    static SINGLE_THREADED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` with every matrix product on the calling thread single-threaded.
pub(crate) fn single_threaded<R>(f: impl FnOnce() -> R) -> R {
    let before = SINGLE_THREADED.with(|c| c.replace(true));
    let out = f();
    SINGLE_THREADED.with(|c| c.set(before));
    out
}

/// Whether a product of `work` multiply-adds is split across threads (when there are any).
pub(crate) fn threaded_product_pays(work: usize) -> bool {
    work >= PARALLEL_MIN_WORK
}

/// Whether the two gradient products of a matrix product (each of `work` multiply-adds)
/// run at once, one per thread, instead of one after the other: for products too small to
/// be split (below [`PARALLEL_MIN_WORK`]) but large enough to pay for a fork and join.
/// wide-mlp's output layer (256 × 512 × 10): its two gradients took 96 and 121 µs one after
/// the other on the calling thread while the worker waited; at once, in-process A/B over
/// 400 alternating steps, the step was ~1% faster. Splitting the large products' pairs the
/// same way instead of cutting each product was no faster (docs/PERFORMANCE.md).
pub(crate) fn pair_pays(work: usize) -> bool {
    if num_threads() < 2 {
        return false;
    }
    (PAIR_MIN_WORK..PARALLEL_MIN_WORK).contains(&work)
}

/// Whether an element-wise pass over `len` elements is worth cutting in two for two
/// threads (a dense layer's activation), or two such passes worth running at once (its
/// input and bias gradients): from 2¹⁶ elements (~20 µs), against a ~1 µs fork and join.
/// wide-mlp, in-process A/B over 400 alternating steps: ~1% faster for the gradients,
/// ~0.7% for the activation (docs/PERFORMANCE.md).
pub(crate) fn pair_pays_elementwise(len: usize) -> bool {
    num_threads() >= 2 && len >= ELEMENTWISE_PAIR_MIN
}

/// The number of threads large matrix products use.
pub fn num_threads() -> usize {
    if SINGLE_THREADED.with(|c| c.get()) {
        return 1;
    }
    match THREADS.load(Ordering::Relaxed) {
        0 => available_cores(),
        n => n,
    }
}

/// The cores this process may use, asked once: `available_parallelism` reads the cgroup
/// files on every call (system calls and heap allocations), too slow to ask per product.
pub(crate) fn available_cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// A row-major matrix stored as `rows x cols`, used as itself or transposed.
#[derive(Clone, Copy, Debug)]
pub struct MatArg<'a, F> {
    pub data: &'a [F],
    pub rows: usize,
    pub cols: usize,
    pub transposed: bool,
}

impl<F> MatArg<'_, F> {
    /// Dimensions of the operand as it enters the product.
    pub(super) fn logical(&self) -> (usize, usize) {
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

/// `dst (m x n) = op(a) @ op(b)`, or `dst += op(a) @ op(b)` when `accumulate`: the one
/// matrix-product entry point (the tape, `Tensor::matmul` and benchmarks call it).
///
/// # Panics
/// If the inner dimensions differ, `dst` is not m·n long or an operand's slice is
/// shorter than `rows·cols`.
pub fn matmul_into<F: Float>(dst: &mut [F], accumulate: bool, a: MatArg<'_, F>, b: MatArg<'_, F>) {
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
    if super::gemm_thin::try_thin(dst, accumulate, a, b) {
        return;
    }
    // A dot-form matrix–vector product goes to gemm's gemv kernel at any size: nano-gemm
    // runs it 3-5x slower (docs/PERFORMANCE.md).
    let dot_form = super::gemm_thin::is_dot_form(&a, &b);
    if m * n * k <= SMALL_MAX_WORK && k >= SMALL_MIN_K && !dot_form {
        let (a_rs, a_cs) = a.strides();
        let (b_rs, b_cs) = b.strides();
        // Both small kernels want B row-major: a transposed B (the backward product g·Wᵀ) is
        // first transposed into a per-thread scratch buffer with AVX2 register transposes,
        // which costs far less than the element-wise scratch copies nano-gemm makes
        // otherwise (10% of tiny-mlp's step).
        // - `gemm_tile` (n a multiple of two vectors, AVX2) reads A through its strides.
        // - nano-gemm's kernels are column-major and run in place only when dst and the
        //   left operand have unit row stride: row-major dst = A·B is column-major
        //   dstᵀ = Bᵀ·Aᵀ, whose left operand Bᵀ has unit row stride for a row-major B.
        //   alpha = 0 overwrites dst without reading it (no zero-fill first).
        let alpha = if accumulate { F::one() } else { F::zero() };
        let tiled = super::gemm_tile::fits::<F>(n);
        let mut run = |b: *const F, (b_rs, b_cs): (isize, isize)| {
            if tiled {
                // SAFETY: B is row-major k x n here (b_cs = 1, b_rs = n); see `gemm_tile`.
                let a = (a.data.as_ptr(), a_rs, a_cs);
                return unsafe {
                    super::gemm_tile::product((m, n, k), dst.as_mut_ptr(), accumulate, a, b)
                };
            }
            // SAFETY: as for gemm below; dst is m x n row-major (= n x m column-major).
            unsafe {
                F::small_gemm(
                    n,
                    m,
                    k,
                    dst.as_mut_ptr(),
                    (1, n as isize),
                    b,
                    (b_cs, b_rs),
                    a.data.as_ptr(),
                    (a_cs, a_rs),
                    alpha,
                    F::one(),
                )
            }
        };
        if b_cs == 1 {
            run(b.data.as_ptr(), (b_rs, b_cs));
        } else if transposed_product_pays::<F>(m, n, k, accumulate) {
            // dst = A·Wᵀ with a short A (tiny-mlp's g·Wᵀ: 16 rows against a 64 × 64 W) is
            // cheaper as dstᵀ = W·Aᵀ: W (stored n × k) is a left operand as it stands, and
            // only Aᵀ and dstᵀ, m·k + m·n elements, are transposed instead of W's n·k
            // (7% of tiny-mlp-f64's step went to transposing W). Each element of dst is
            // the same sum in the same order either way.
            super::scratch::with_scratch::<F, _>((k + n) * m, |both| {
                let (a_t, dst_t) = both.split_at_mut(k * m);
                let a_t: &[F] = if a.transposed {
                    &a.data[..k * m] // stored k × m: already Aᵀ
                } else {
                    super::transpose::transpose_into(a_t, &a.data[..m * k], m, k);
                    a_t
                };
                // SAFETY: `fits` holds for m (checked above); W is n × k row-major (row
                // stride k), Aᵀ k × m row-major, dstᵀ n × m; nothing overlaps.
                unsafe {
                    super::gemm_tile::product(
                        (n, m, k),
                        dst_t.as_mut_ptr(),
                        false,
                        (b.data.as_ptr(), k as isize, 1),
                        a_t.as_ptr(),
                    )
                };
                super::transpose::transpose_into(dst, dst_t, n, m);
            });
        } else {
            super::scratch::with_scratch::<F, _>(k * n, |bt| {
                super::transpose::transpose_into(bt, &b.data[..n * k], n, k);
                run(bt.as_ptr(), (n as isize, 1));
            });
        }
        return;
    }
    let threads = num_threads();
    let (a_rs, a_cs) = a.strides();
    let (b_rs, b_cs) = b.strides();
    let (dst_p, a_p, b_p) = (
        Raw(dst.as_mut_ptr()),
        Raw(a.data.as_ptr()),
        Raw(b.data.as_ptr()),
    );
    if threads > 1 && m * n * k >= PARALLEL_MIN_WORK && split_products() {
        // One parallel region per product: the output is cut into one block per thread
        // along its longer side (`split.rs`: multiples of 16 rows/columns, gemm's register
        // tile, shares following the threads' measured speed) and each block is a
        // single-threaded gemm call. gemm's own threading opens up to two regions per
        // k-block; on a VM every region may wake a halted vCPU (see `set_split_products`).
        let along_m = m >= n;
        let cut = super::split::Cut::new(if along_m { m } else { n }, threads);
        crate::pool::Pool::global().run(cut.blocks(), &|t| {
            cut.run(t, |rows| {
                let (start, end) = (rows.start, rows.end);
                let (dst_p, a_p, b_p) = (dst_p, a_p, b_p);
                // SAFETY: as below; the blocks write disjoint rows (or columns) of dst.
                unsafe {
                    if along_m {
                        raw_gemm(
                            (end - start, n, k),
                            dst_p.0.add(start * n),
                            n,
                            accumulate,
                            (a_p.0.offset(start as isize * a_rs), a_rs, a_cs),
                            (b_p.0, b_rs, b_cs),
                            gemm::Parallelism::None,
                        )
                    } else {
                        raw_gemm(
                            (m, end - start, k),
                            dst_p.0.add(start),
                            n,
                            accumulate,
                            (a_p.0, a_rs, a_cs),
                            (b_p.0.offset(start as isize * b_cs), b_rs, b_cs),
                            gemm::Parallelism::None,
                        )
                    }
                }
            })
        });
        cut.learn();
        return;
    }
    let parallelism = if threads > 1 && m * n * k >= PARALLEL_MIN_WORK {
        gemm::Parallelism::Rayon(threads)
    } else {
        gemm::Parallelism::None
    };
    // SAFETY: the asserts above guarantee that every index the strides reach lies inside the
    // slices (a: m x k, b: k x n, dst: m x n, all row-major or transposed row-major), and dst
    // does not alias the inputs because it is borrowed mutably.
    unsafe {
        raw_gemm(
            (m, n, k),
            dst_p.0,
            n,
            accumulate,
            (a_p.0, a_rs, a_cs),
            (b_p.0, b_rs, b_cs),
            parallelism,
        )
    }
}

/// Whether `dst (m × n) = A·Bᵀ` (B stored n × k) goes through `dstᵀ = B·Aᵀ`: when the tiled
/// kernel takes m columns, dst is overwritten (an accumulating dstᵀ would need dst
/// transposed in as well), and transposing A and dst moves fewer elements than B.
fn transposed_product_pays<F: Float>(m: usize, n: usize, k: usize, accumulate: bool) -> bool {
    !accumulate && super::gemm_tile::fits::<F>(m) && m * k + m * n < n * k
}

/// A pointer that may cross to a pool thread (each block of a split product touches its
/// own part of the output only).
#[derive(Clone, Copy)]
struct Raw<P>(P);
// SAFETY: see `Raw`: the operands are only read, the output blocks are disjoint.
unsafe impl<P> Send for Raw<P> {}
// SAFETY: as above.
unsafe impl<P> Sync for Raw<P> {}

/// How a threaded product uses its threads: 0 = not chosen yet, 1 = gemm's own threading,
/// 2 = one single-threaded gemm call per thread on a block of the output.
static THREADING: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);

/// Chooses how products large enough for threads use them: `true` (the default) cuts the
/// output into one block per thread, each a single-threaded gemm call on `gradus::pool`,
/// whose workers stay awake between products; `false` (also `GRADUS_GEMM_THREADING=gemm`
/// at start-up) leaves it to gemm's rayon threading, which opens up to two parallel regions
/// per k-block, each of which may have to wake a sleeping thread. Both give the same numbers
/// up to rounding; split was faster on wide-mlp (docs/PERFORMANCE.md, "Threads").
pub fn set_split_products(split: bool) {
    THREADING.store(if split { 2 } else { 1 }, Ordering::Relaxed);
}

fn split_products() -> bool {
    match THREADING.load(Ordering::Relaxed) {
        0 => {
            let split = std::env::var("GRADUS_GEMM_THREADING").map_or(true, |v| v != "gemm");
            set_split_products(split);
            split
        }
        v => v == 2,
    }
}

/// `dst (m x n, row stride dst_rs) (+)= a·b` through gemm, operands as (pointer, row
/// stride, column stride).
///
/// # Safety
/// Every index reached through the dimensions and strides lies inside its buffer, and dst
/// does not overlap the operands.
unsafe fn raw_gemm<F: Float>(
    (m, n, k): (usize, usize, usize),
    dst: *mut F,
    dst_rs: usize,
    accumulate: bool,
    (a, a_rs, a_cs): (*const F, isize, isize),
    (b, b_rs, b_cs): (*const F, isize, isize),
    parallelism: gemm::Parallelism,
) {
    gemm::gemm(
        m,
        n,
        k,
        dst,
        1,
        dst_rs as isize,
        accumulate,
        a,
        a_cs,
        a_rs,
        b,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(a: &[f64], b: &[f64], m: usize, k: usize, n: usize, ta: bool, tb: bool) -> Vec<f64> {
        let mut c = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                for p in 0..k {
                    let av = if ta { a[p * m + i] } else { a[i * k + p] };
                    let bv = if tb { b[j * k + p] } else { b[p * n + j] };
                    c[i * n + j] += av * bv;
                }
            }
        }
        c
    }

    #[test]
    fn both_backends_agree_with_the_definition() {
        // Shapes on each side of the nano-gemm / gemm switch, all transpose combinations.
        for &(m, k, n) in &[
            (3, 9, 4),
            (32, 64, 100),
            (7, 1, 5),
            (70, 70, 70),
            (2, 300, 3),
        ] {
            for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                let a: Vec<f64> = (0..m * k)
                    .map(|i| ((i * 37 % 101) as f64 - 50.0) / 25.0)
                    .collect();
                let b: Vec<f64> = (0..k * n)
                    .map(|i| ((i * 53 % 97) as f64 - 48.0) / 30.0)
                    .collect();
                let (ar, ac) = if ta { (k, m) } else { (m, k) };
                let (br, bc) = if tb { (n, k) } else { (k, n) };
                let arg_a = MatArg {
                    data: &a,
                    rows: ar,
                    cols: ac,
                    transposed: ta,
                };
                let arg_b = MatArg {
                    data: &b,
                    rows: br,
                    cols: bc,
                    transposed: tb,
                };
                let mut c = vec![f64::NAN; m * n];
                matmul_into(&mut c, false, arg_a, arg_b);
                let want = naive(&a, &b, m, k, n, ta, tb);
                for (x, y) in c.iter().zip(&want) {
                    assert!((x - y).abs() < 1e-9, "{m}x{k}x{n} ({ta}, {tb}): {x} vs {y}");
                }
                matmul_into(&mut c, true, arg_a, arg_b);
                for (x, y) in c.iter().zip(&want) {
                    assert!(
                        (x - 2.0 * y).abs() < 1e-9,
                        "accumulate {m}x{k}x{n} ({ta}, {tb})"
                    );
                }
            }
        }
    }
}
