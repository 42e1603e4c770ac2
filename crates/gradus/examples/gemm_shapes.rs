//! Times the matrix products of the benchmark networks, per shape and per backend, to
//! choose a kernel per shape by measurement (docs/PERFORMANCE.md, "GEMM").
//!
//! ```sh
//! cargo run --release -p gradus --example gemm_shapes -- [wide|thin|all] [--f64] \
//!     [--reps R] [--threads N] [--cpu]
//! MATMUL_NUM_THREADS=2 cargo run --release ...   # matrixmultiply's thread count
//! ```
//!
//! Backends: `gradus` (the library's dispatcher, what the tape runs), `gemm-1t`/`gemm-Nt`
//! (gemm 0.18 called directly, no threads / a rayon pool of N), `nano` (nano-gemm, thin
//! shapes only), `mm` (matrixmultiply 0.3 with its `threading` feature; threads from
//! `MATMUL_NUM_THREADS`, read once per process; unset means all cores, so set it to 1 for
//! one-thread comparisons). Each cell is the minimum over `R` samples
//! of the mean time of a batch of calls lasting ≥ 2 ms: on a shared machine the minimum is
//! the least disturbed estimate; `--cpu` times one-thread columns by on-CPU time instead of
//! wall time. Every backend's result is checked against `gradus`'s.

use std::time::Instant;

use gradus::tensor::{matmul_into, set_num_threads, MatArg};
use gradus::Float;

/// One product of a training step: `C (m x n) (+)= op(A) op(B)` with A logical m x k.
struct Shape {
    label: &'static str,
    m: usize,
    k: usize,
    n: usize,
    ta: bool,
    tb: bool,
    accumulate: bool,
}

const fn s(label: &'static str, m: usize, k: usize, n: usize, ta: bool, tb: bool) -> Shape {
    // Backward products accumulate into gradient buffers; forward ones overwrite.
    let accumulate = ta || tb;
    Shape {
        label,
        m,
        k,
        n,
        ta,
        tb,
        accumulate,
    }
}

/// wide-mlp (784-512-512-10, batch 256): the forward product of each layer `x·W`, its
/// weight gradient `xᵀ·g` (A transposed) and input gradient `g·Wᵀ` (B transposed).
const WIDE: &[Shape] = &[
    s("fwd L1 x@W1", 256, 784, 512, false, false),
    s("fwd L2 h@W2", 256, 512, 512, false, false),
    s("fwd L3 h@W3", 256, 512, 10, false, false),
    s("dW3 hT@g", 512, 256, 10, true, false),
    s("dh2 g@W3T", 256, 10, 512, false, true),
    s("dW2 hT@g", 512, 256, 512, true, false),
    s("dh1 g@W2T", 256, 512, 512, false, true),
    s("dW1 xT@g", 784, 256, 512, true, false),
    s("ref 1024^3", 1024, 1024, 1024, false, false),
];

/// First and last layers of tiny-mlp (2-64-64-1, batch 16), deqn (2-64-64-1, 256 states)
/// and pinn (1-32-32-1, 512 points): k ≤ 2 rank-1/2 updates and matrix–vector products.
const THIN: &[Shape] = &[
    s("pinn fwd x@W1", 512, 1, 32, false, false),
    s("pinn dx g@W1T", 512, 32, 1, false, true),
    s("pinn dW1 xT@g", 1, 512, 32, true, false),
    s("pinn fwd h@W3", 512, 32, 1, false, false),
    s("pinn dW3 hT@g", 32, 512, 1, true, false),
    s("pinn dh g@W3T", 512, 1, 32, false, true),
    s("deqn fwd x@W1", 256, 2, 64, false, false),
    s("deqn dW1 xT@g", 2, 256, 64, true, false),
    s("deqn fwd h@W3", 256, 64, 1, false, false),
    s("deqn dh g@W3T", 256, 1, 64, false, true),
    s("tiny fwd x@W1", 16, 2, 64, false, false),
    s("tiny fwd h@W3", 16, 64, 1, false, false),
    s("vec 1x64x256 NT", 1, 64, 256, false, true),
    s("mid 256x64x64", 256, 64, 64, false, false),
    s("pinn h@W2", 512, 32, 32, false, false),
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse::<usize>().ok())
    };
    let reps = flag("--reps").unwrap_or(15);
    let threads = flag("--threads").unwrap_or(2);
    set_num_threads(threads);
    let set = args.first().map_or("all", |a| a.as_str());
    if set == "step" {
        return step(reps);
    }
    let shapes: Vec<&Shape> = match set {
        "wide" => WIDE.iter().collect(),
        "thin" => THIN.iter().collect(),
        _ => WIDE.iter().chain(THIN).collect(),
    };
    let mm_threads =
        std::env::var("MATMUL_NUM_THREADS").unwrap_or_else(|_| "all cores (unset)".into());
    println!(
        "# min over {reps} samples; µs per call (GFLOP/s); gradus threads {threads}, \
         matrixmultiply threads {mm_threads}"
    );
    if args.iter().any(|a| a == "--f64") {
        run::<f64>(&shapes, reps, threads);
    } else {
        run::<f32>(&shapes, reps, threads);
    }
}

/// The eight products of one wide-mlp training step run back to back through the
/// dispatcher, on 1 and on 2 threads: how long the GEMM part of a step takes, to compare
/// with the whole step (`gradus bench wide-mlp`).
fn step(reps: usize) {
    let products: Vec<&Shape> = WIDE
        .iter()
        .filter(|s| !s.label.starts_with("ref"))
        .collect();
    let buffers: Vec<(Vec<f32>, Vec<f32>, Vec<f32>)> = products
        .iter()
        .map(|s| {
            let a = (0..s.m * s.k)
                .map(|i| (i % 17) as f32 / 8.0 - 1.0)
                .collect();
            let b = (0..s.k * s.n)
                .map(|i| (i % 13) as f32 / 6.0 - 1.0)
                .collect();
            (a, b, vec![0.0; s.m * s.n])
        })
        .collect();
    let flops: f64 = products
        .iter()
        .map(|s| 2.0 * (s.m * s.n * s.k) as f64)
        .sum();
    let mut buffers = buffers;
    for threads in [1, 2] {
        set_num_threads(threads);
        let t = time(reps, || {
            for (s, (a, b, c)) in products.iter().zip(buffers.iter_mut()) {
                let (ar, ac) = if s.ta { (s.k, s.m) } else { (s.m, s.k) };
                let (br, bc) = if s.tb { (s.n, s.k) } else { (s.k, s.n) };
                matmul_into(
                    c,
                    s.accumulate,
                    MatArg {
                        data: a,
                        rows: ar,
                        cols: ac,
                        transposed: s.ta,
                    },
                    MatArg {
                        data: b,
                        rows: br,
                        cols: bc,
                        transposed: s.tb,
                    },
                );
            }
        });
        println!(
            "wide-mlp step GEMMs, {threads} thread(s): {:.0} µs ({:.1} GFLOP/s)",
            t * 1e6,
            flops / t / 1e9
        );
    }
}

fn run<F: Float + Mm>(shapes: &[&Shape], reps: usize, threads: usize) {
    println!(
        "{:<16} {:>16} {:>6} | {:>16} {:>16} {:>16} {:>16} {:>16}",
        "shape",
        "m x k x n",
        "t",
        "gradus",
        "gemm-1t",
        format!("gemm-{threads}t"),
        "nano",
        "mm"
    );
    for sh in shapes {
        let (m, k, n) = (sh.m, sh.k, sh.n);
        let a: Vec<F> = (0..m * k)
            .map(|i| F::of(((i % 17) as f64 - 8.0) / 8.0))
            .collect();
        let b: Vec<F> = (0..k * n)
            .map(|i| F::of(((i % 13) as f64 - 6.0) / 6.0))
            .collect();
        let (ar, ac) = if sh.ta { (k, m) } else { (m, k) };
        let (br, bc) = if sh.tb { (n, k) } else { (k, n) };
        let arg_a = MatArg {
            data: &a,
            rows: ar,
            cols: ac,
            transposed: sh.ta,
        };
        let arg_b = MatArg {
            data: &b,
            rows: br,
            cols: bc,
            transposed: sh.tb,
        };
        let (a_rs, a_cs) = if sh.ta {
            (1, ac as isize)
        } else {
            (ac as isize, 1)
        };
        let (b_rs, b_cs) = if sh.tb {
            (1, bc as isize)
        } else {
            (bc as isize, 1)
        };
        let flops = 2.0 * (m * n * k) as f64;
        let mut reference = vec![F::zero(); m * n];
        matmul_into(&mut reference, false, arg_a, arg_b);
        let mut c = vec![F::zero(); m * n];
        let mut cells: Vec<String> = Vec::new();

        let mut cell = |name: &str, f: &mut dyn FnMut(&mut [F], bool)| {
            // Correctness first: overwrite from garbage must give the reference.
            c.iter_mut().for_each(|v| *v = F::of(7.0));
            f(&mut c, false);
            let err = c
                .iter()
                .zip(&reference)
                .fold(0.0f64, |e, (x, y)| e.max((x.as_f64() - y.as_f64()).abs()));
            assert!(
                err <= 1e-3 * (k as f64).sqrt(),
                "{name} on {} differs from gradus by {err}",
                sh.label
            );
            let t = time(reps, || f(&mut c, sh.accumulate));
            format!("{:>8.1} ({:>5.1})", t * 1e6, flops / t / 1e9)
        };

        cells.push(cell("gradus", &mut |c, acc| {
            matmul_into(c, acc, arg_a, arg_b)
        }));
        for (name, par) in [
            ("gemm-1t", gemm::Parallelism::None),
            ("gemm-Nt", gemm::Parallelism::Rayon(threads)),
        ] {
            let r = cell(name, &mut |c, acc| unsafe {
                // SAFETY: strides describe the row-major buffers above exactly.
                gemm::gemm(
                    m,
                    n,
                    k,
                    c.as_mut_ptr(),
                    1,
                    n as isize,
                    acc,
                    a.as_ptr(),
                    a_cs,
                    a_rs,
                    b.as_ptr(),
                    b_cs,
                    b_rs,
                    F::one(),
                    F::one(),
                    false,
                    false,
                    false,
                    par,
                )
            });
            cells.push(r);
        }
        if m * n * k <= 1 << 18 {
            let r = cell("nano", &mut |c, acc| unsafe {
                if !acc {
                    c.iter_mut().for_each(|v| *v = F::zero());
                }
                // SAFETY: as above.
                F::small_gemm(
                    m,
                    n,
                    k,
                    c.as_mut_ptr(),
                    (n as isize, 1),
                    a.as_ptr(),
                    (a_rs, a_cs),
                    b.as_ptr(),
                    (b_rs, b_cs),
                    F::one(),
                    F::one(),
                )
            });
            cells.push(r);
        } else {
            cells.push(format!("{:>16}", "-"));
        }
        let r = cell("mm", &mut |c, acc| unsafe {
            // SAFETY: as above.
            F::mm(
                m,
                k,
                n,
                a.as_ptr(),
                a_rs,
                a_cs,
                b.as_ptr(),
                b_rs,
                b_cs,
                c.as_mut_ptr(),
                acc,
            )
        });
        cells.push(r);
        let t = if sh.ta { "T" } else { "N" }.to_string() + if sh.tb { "T" } else { "N" };
        println!(
            "{:<16} {:>16} {:>3}{:>3} | {}",
            sh.label,
            format!("{m}x{k}x{n}"),
            t,
            if sh.accumulate { "+=" } else { "=" },
            cells.join(" ")
        );
    }
}

/// Minimum over `reps` samples of the mean seconds per call, each sample a batch of calls
/// lasting at least 2 ms (calibrated once after three warm-up calls). With `--cpu` the
/// clock is this thread's CPU time, which leaves
/// out the time other processes hold the core: the fair clock for one-thread kernels on a
/// shared machine (not for the multi-threaded column, whose work runs on pool threads).
fn time(reps: usize, mut f: impl FnMut()) -> f64 {
    for _ in 0..3 {
        f();
    }
    let t0 = Instant::now();
    f();
    let one = t0.elapsed().as_secs_f64().max(1e-9);
    let batch = ((2e-3 / one).ceil() as usize).clamp(1, 100_000);
    let cpu = std::env::args().any(|a| a == "--cpu");
    let clock = || {
        if cpu {
            on_cpu_seconds()
        } else {
            START.with(|s| s.elapsed().as_secs_f64())
        }
    };
    let mut best = f64::INFINITY;
    for _ in 0..reps {
        let t0 = clock();
        for _ in 0..batch {
            f();
        }
        best = best.min((clock() - t0) / batch as f64);
    }
    best
}

thread_local! {
    static START: Instant = Instant::now();
}

/// Seconds this thread has run on a CPU (`CLOCK_THREAD_CPUTIME_ID`, nanosecond exact;
/// /proc's schedstat only advances at scheduler ticks).
fn on_cpu_seconds() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime failed");
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}
/// matrixmultiply's typed entry points (`sgemm`/`dgemm`) behind one generic call.
trait Mm: Sized {
    /// # Safety
    /// Strides must describe buffers of the given dimensions.
    #[allow(clippy::too_many_arguments)]
    unsafe fn mm(
        m: usize,
        k: usize,
        n: usize,
        a: *const Self,
        a_rs: isize,
        a_cs: isize,
        b: *const Self,
        b_rs: isize,
        b_cs: isize,
        c: *mut Self,
        acc: bool,
    );
}

macro_rules! mm_impl {
    ($t:ty, $f:path) => {
        impl Mm for $t {
            unsafe fn mm(
                m: usize,
                k: usize,
                n: usize,
                a: *const Self,
                a_rs: isize,
                a_cs: isize,
                b: *const Self,
                b_rs: isize,
                b_cs: isize,
                c: *mut Self,
                acc: bool,
            ) {
                let beta = if acc { 1.0 } else { 0.0 };
                $f(
                    m, k, n, 1.0, a, a_rs, a_cs, b, b_rs, b_cs, beta, c, n as isize, 1,
                )
            }
        }
    };
}
mm_impl!(f32, matrixmultiply::sgemm);
mm_impl!(f64, matrixmultiply::dgemm);
