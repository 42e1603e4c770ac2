//! The matrix-product dispatcher (`gradus::tensor::matmul_into`) against the definition
//! C[i, j] = Σ_p A[i, p]·B[p, j], computed by a naive triple loop in f64, for every kernel it
//! can choose (thin k ≤ 2 / matrix–vector kernels, nano-gemm, gemm single- and
//! multi-threaded), all four transposition combinations, overwrite and accumulate, f32 and
//! f64, and odd sizes that leave remainders in every blocked or lane-split loop.

use gradus::tensor::{matmul_into, MatArg};
use gradus::Float;
use proptest::prelude::*;

/// Deterministic values in [-1, 1] with no pattern a wrong stride could hide behind.
fn values(len: usize, seed: usize) -> Vec<f64> {
    (0..len)
        .map(|i| (((i * 7919 + seed * 104_729) % 2003) as f64 / 1001.0) - 1.0)
        .collect()
}

/// C = op(A)·op(B) by definition; A is stored k x m when `ta`, B stored n x k when `tb`.
#[allow(clippy::too_many_arguments)]
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

/// An operand of logical shape `rows x cols`, stored transposed (`cols x rows`) when
/// `transposed`.
fn operand<F>(data: &[F], rows: usize, cols: usize, transposed: bool) -> MatArg<'_, F> {
    let (rows, cols) = if transposed {
        (cols, rows)
    } else {
        (rows, cols)
    };
    MatArg {
        data,
        rows,
        cols,
        transposed,
    }
}

/// Runs one product through `matmul_into` in type F, overwrite then accumulate, and
/// compares with the f64 definition. Tolerance: k·ε·(Σ|terms|) bound, generous constant.
fn check<F: Float>(m: usize, k: usize, n: usize, ta: bool, tb: bool) {
    let a64 = values(m * k, m + 3 * k);
    let b64 = values(k * n, 5 * n + k);
    let a: Vec<F> = a64.iter().map(|&v| F::of(v)).collect();
    let b: Vec<F> = b64.iter().map(|&v| F::of(v)).collect();
    // Reference from the rounded inputs, so only the product's own rounding is compared.
    let a_r: Vec<f64> = a.iter().map(|v| v.as_f64()).collect();
    let b_r: Vec<f64> = b.iter().map(|v| v.as_f64()).collect();
    let want = naive(&a_r, &b_r, m, k, n, ta, tb);
    let (arg_a, arg_b) = (operand(&a, m, k, ta), operand(&b, k, n, tb));
    let eps = F::epsilon().as_f64();
    let tol = 4.0 * (k as f64 + 2.0) * eps * 2.0;
    // Overwrite: the NaN start must disappear (the kernels may not read dst).
    let mut c = vec![F::nan(); m * n];
    matmul_into(&mut c, false, arg_a, arg_b);
    for (idx, (x, y)) in c.iter().zip(&want).enumerate() {
        let x = x.as_f64();
        assert!(
            (x - y).abs() <= tol * (1.0 + y.abs()) && x.is_finite(),
            "{} {m}x{k}x{n} ta={ta} tb={tb} overwrite: C[{idx}] = {x}, want {y}",
            F::NAME
        );
    }
    // Accumulate onto a known start.
    let start = values(m * n, 11 + m);
    let mut c: Vec<F> = start.iter().map(|&v| F::of(v)).collect();
    matmul_into(&mut c, true, arg_a, arg_b);
    for (idx, ((x, y), s)) in c.iter().zip(&want).zip(&start).enumerate() {
        let (x, y) = (x.as_f64(), y + F::of(*s).as_f64());
        assert!(
            (x - y).abs() <= tol * (2.0 + y.abs()),
            "{} {m}x{k}x{n} ta={ta} tb={tb} accumulate: C[{idx}] = {x}, want {y}",
            F::NAME
        );
    }
}

fn all_layouts(m: usize, k: usize, n: usize) {
    for ta in [false, true] {
        for tb in [false, true] {
            check::<f32>(m, k, n, ta, tb);
            check::<f64>(m, k, n, ta, tb);
        }
    }
}

#[test]
fn thin_products_k_at_most_two() {
    // Rank-1/2 updates: first layers of 1- and 2-input networks and their input gradients,
    // with widths around the 256-column block of the kernel.
    for &(m, k, n) in &[
        (1, 1, 1),
        (1, 2, 1),
        (512, 1, 32),
        (16, 2, 64),
        (3, 2, 255),
        (5, 1, 257),
        (7, 2, 513),
        (257, 2, 3),
        (64, 1, 1),
        (1, 2, 300),
    ] {
        all_layouts(m, k, n);
    }
}

#[test]
fn matrix_vector_products() {
    // n = 1 (a scalar-output layer), m = 1 (its weight gradient through a transposed
    // operand), lengths around the 16-lane split and the 256-wide block.
    for &(m, k, n) in &[
        (512, 32, 1),
        (256, 64, 1),
        (3, 17, 1),
        (600, 3, 1),
        (1, 512, 32),
        (1, 33, 513),
        (1, 300, 1),
        (1, 5, 7),
        (1, 15, 1),
    ] {
        all_layouts(m, k, n);
    }
}

#[test]
fn small_and_packed_products() {
    // Each side of the nano-gemm / gemm switch, and one product big enough to be threaded.
    for &(m, k, n) in &[
        (3, 9, 4),
        (32, 64, 100),
        (70, 70, 70),
        (2, 300, 3),
        (16, 8, 5),
        (65, 129, 33),
    ] {
        all_layouts(m, k, n);
    }
    // Big enough for threads (≥ 2^23 multiply-adds), both threading modes, a split along
    // m (m ≥ n) and along n, with block remainders.
    gradus::tensor::set_num_threads(2);
    for split in [false, true] {
        gradus::tensor::set_split_products(split);
        for (m, k, n) in [(263, 193, 257), (61, 601, 257)] {
            for ta in [false, true] {
                for tb in [false, true] {
                    check::<f32>(m, k, n, ta, tb);
                    check::<f64>(m, k, n, ta, tb);
                }
            }
        }
    }
    gradus::tensor::set_split_products(false);
}

#[test]
fn threaded_products_give_the_same_bits_wherever_the_cut_falls() {
    // Products big enough for threads (≥ 2^23 multiply-adds) are cut between two threads
    // at a share learnt from their speed; each element must be the same sum in the same
    // order whatever the share (and as on one thread), or a seed would not reproduce.
    fn run<F: Float>(m: usize, k: usize, n: usize, ta: bool, threads: usize) -> Vec<F> {
        let a: Vec<F> = values(m * k, 3).iter().map(|&v| F::of(v)).collect();
        let b: Vec<F> = values(k * n, 5).iter().map(|&v| F::of(v)).collect();
        let (arg_a, arg_b) = (operand(&a, m, k, ta), operand(&b, k, n, false));
        gradus::tensor::set_num_threads(threads);
        let mut c = vec![F::nan(); m * n];
        matmul_into(&mut c, false, arg_a, arg_b);
        c
    }
    fn bits<F: Float>(c: &[F]) -> Vec<u64> {
        c.iter().map(|v| v.as_f64().to_bits()).collect()
    }
    gradus::tensor::set_split_products(true);
    // Split along m (m ≥ n) and along n, with a block remainder each.
    for (m, k, n) in [(300, 200, 145), (130, 250, 270)] {
        for ta in [false, true] {
            let one = bits(&run::<f32>(m, k, n, ta, 1));
            let one64 = bits(&run::<f64>(m, k, n, ta, 1));
            for share in [0.2, 0.5, 0.73] {
                gradus::tensor::set_caller_share(share);
                assert_eq!(
                    bits(&run::<f32>(m, k, n, ta, 2)),
                    one,
                    "{m}x{k}x{n} f32, share {share}"
                );
                gradus::tensor::set_caller_share(share);
                assert_eq!(
                    bits(&run::<f64>(m, k, n, ta, 2)),
                    one64,
                    "{m}x{k}x{n} f64, share {share}"
                );
            }
        }
    }
    gradus::tensor::set_caller_share(0.5);
    gradus::tensor::set_split_products(false);
}

#[test]
fn register_tiled_products() {
    // gemm_tile takes n a multiple of 16 (f32) or 8 (f64), in tiles of 6 rows and then
    // 1..=5; tiny-mlp's 16 x 64 x 64 is among them. Every row remainder, both types, all
    // four layouts (A transposed is read through its strides, B transposed is transposed
    // into scratch first).
    for m in [1, 2, 3, 4, 5, 6, 11, 16] {
        for n in [8, 16, 48] {
            for k in [8, 9, 64] {
                all_layouts(m, k, n);
            }
        }
    }
}

#[test]
fn short_left_operand_against_a_transposed_right_one() {
    // dst = A·Wᵀ with few rows of A (tiny-mlp's g·Wᵀ, 16 x 64 against 64 x 64) is computed
    // as dstᵀ = W·Aᵀ, transposing A and dst instead of W. Against the definition, every
    // layout of A, overwrite and accumulate (which takes the other path):
    for &(m, k, n) in &[(16, 64, 64), (16, 40, 100), (8, 33, 70), (32, 9, 200)] {
        for ta in [false, true] {
            check::<f32>(m, k, n, ta, true);
            check::<f64>(m, k, n, ta, true);
        }
    }
    // and bit for bit against the same product with W already transposed (both run the
    // tiled kernel, each element the same sum in the same order).
    fn same_bits<F: Float>(m: usize, k: usize, n: usize) {
        let a: Vec<F> = values(m * k, 7).iter().map(|&v| F::of(v)).collect();
        let w: Vec<F> = values(n * k, 11).iter().map(|&v| F::of(v)).collect();
        let mut w_t = vec![F::zero(); k * n];
        for j in 0..n {
            for p in 0..k {
                w_t[p * n + j] = w[j * k + p];
            }
        }
        let arg_a = operand(&a, m, k, false);
        let (mut via_w, mut via_w_t) = (vec![F::nan(); m * n], vec![F::nan(); m * n]);
        // W stored n x k is the logical k x n operand Wᵀ, transposed.
        matmul_into(&mut via_w, false, arg_a, operand(&w, k, n, true));
        let plain = operand(&w_t, k, n, false);
        matmul_into(&mut via_w_t, false, arg_a, plain);
        for (x, y) in via_w.iter().zip(&via_w_t) {
            assert_eq!(
                x.as_f64().to_bits(),
                y.as_f64().to_bits(),
                "{m}x{k}x{n} {}",
                F::NAME
            );
        }
    }
    same_bits::<f32>(16, 64, 64);
    same_bits::<f64>(16, 64, 64);
    same_bits::<f64>(8, 33, 48);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]
    #[test]
    fn any_shape_any_layout(
        m in 1usize..40, k in 1usize..40, n in 1usize..40,
        ta: bool, tb: bool, f64_: bool,
    ) {
        // Shapes drawn across all kernels: k ≤ 2, m or n = 1, nano-gemm, gemm.
        if f64_ { check::<f64>(m, k, n, ta, tb) } else { check::<f32>(m, k, n, ta, tb) }
    }
}
