//! Tensor operations outside the tape, against hand-computed results.

use gradus::{rng, Tensor};

fn t(data: &[f64], shape: &[usize]) -> Tensor<f64> {
    Tensor::from_slice(data, shape)
}

#[test]
fn reductions_along_axes_keep_the_axis() {
    let x = t(&[1., 5., 3., 4., 2., 6.], &[2, 3]);
    assert_eq!(x.sum_axis(1).data(), &[9., 12.]);
    assert_eq!(x.sum_axis(1).shape().dims(), &[2, 1]);
    assert_eq!(x.mean_axis(0).data(), &[2.5, 3.5, 4.5]);
    assert_eq!(x.max_axis(0).data(), &[4., 5., 6.]);
    assert_eq!(x.max_axis(1).data(), &[5., 6.]);
    assert_eq!(x.argmax_rows(), vec![1, 2]);
    assert_eq!(x.sum(), 21.0);
}

#[test]
fn broadcasting_arithmetic() {
    let x = t(&[1., 2., 3., 4., 5., 6.], &[2, 3]);
    let col = t(&[10., 20.], &[2, 1]);
    assert_eq!((&x + &col).data(), &[11., 12., 13., 24., 25., 26.]);
    assert_eq!(
        (&x * &Tensor::scalar(2.0)).data(),
        &[2., 4., 6., 8., 10., 12.]
    );
    assert_eq!(
        (&x - &t(&[1., 1., 1.], &[3])).data(),
        &[0., 1., 2., 3., 4., 5.]
    );
    assert_eq!((&x / &x).data(), &[1.; 6]);
}

#[test]
fn matmul_with_transposes() {
    let a = t(&[1., 2., 3., 4., 5., 6.], &[2, 3]);
    let b = t(&[1., 0., 0., 1., 1., 1.], &[3, 2]);
    assert_eq!(a.matmul(&b).data(), &[4., 5., 10., 11.]);
    // aᵀ a (3x3) and a aᵀ (2x2) through the transpose flags equal the explicit transposes.
    assert_eq!(a.matmul_t(&a, true, false).data(), a.t().matmul(&a).data());
    assert_eq!(a.matmul_t(&a, false, true).data(), &[14., 32., 32., 77.]);
}

#[test]
fn batches_slices_concatenation_one_hot() {
    let x = t(&[0., 1., 10., 11., 20., 21., 30., 31.], &[4, 2]);
    assert_eq!(x.gather_rows(&[3, 0]).data(), &[30., 31., 0., 1.]);
    assert_eq!(x.slice_rows(1, 3).data(), &[10., 11., 20., 21.]);
    let mut buf = Tensor::zeros([1, 1]);
    x.gather_rows_into(&[2, 2, 1], &mut buf);
    assert_eq!(buf.shape().dims(), &[3, 2]);
    assert_eq!(buf.data(), &[20., 21., 20., 21., 10., 11.]);
    let c = Tensor::concat(&[&x.slice_rows(0, 1), &x.slice_rows(3, 4)], 0);
    assert_eq!(c.data(), &[0., 1., 30., 31.]);
    let wide = Tensor::concat(&[&x, &x.narrow(1, 1, 1)], 1);
    assert_eq!(wide.shape().dims(), &[4, 3]);
    assert_eq!(&wide.data()[..3], &[0., 1., 1.]);
    let oh = Tensor::<f32>::one_hot(&[2, 0], 3);
    assert_eq!(oh.data(), &[0., 0., 1., 1., 0., 0.]);
}

#[test]
fn seeded_draws_are_reproducible() {
    let a = Tensor::<f64>::randn([100], 0.0, 1.0, &mut rng::seeded(5));
    let b = Tensor::<f64>::randn([100], 0.0, 1.0, &mut rng::seeded(5));
    let c = Tensor::<f64>::randn([100], 0.0, 1.0, &mut rng::seeded(6));
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert!(a.mean().abs() < 0.3);
    let u = Tensor::<f32>::uniform([1000], -1.0, 2.0, &mut rng::seeded(1));
    assert!(u.data().iter().all(|&v| (-1.0..2.0).contains(&v)));
}

#[test]
#[should_panic(expected = "matmul: inner dimensions differ")]
fn a_shape_mismatch_names_the_op_and_shapes() {
    let a = Tensor::<f64>::zeros([2, 3]);
    let _ = a.matmul(&a);
}

/// `copy_into` copies exactly, whichever way it goes: forwards, or block by block from the
/// end when the destination lies just above the source modulo a page (the 4K-aliasing case).
#[test]
fn copy_into_is_a_plain_copy_at_every_page_offset() {
    use gradus::tensor::copy_into;
    for len in [0usize, 5, 63, 64, 65, 1000, 1100, 5000] {
        let src: Vec<f32> = (0..len).map(|i| i as f32 * 0.5 - 7.0).collect();
        let mut big = vec![f32::NAN; len + 2048];
        for shift_bytes in [0usize, 4, 16, 60, 64, 1024, 2044, 2048, 3000, 4092] {
            let want = (src.as_ptr() as usize + shift_bytes) & 4095;
            let start = (0..1024)
                .find(|&s| (big.as_ptr() as usize + 4 * s) & 4095 == want)
                .expect("some start in the first page has the wanted offset");
            big.fill(f32::NAN);
            copy_into(&mut big[start..start + len], &src);
            assert_eq!(
                &big[start..start + len],
                &src[..],
                "len {len}, shift {shift_bytes}"
            );
            assert!(
                big[..start].iter().all(|v| v.is_nan()),
                "wrote before the range"
            );
            assert!(
                big[start + len..].iter().all(|v| v.is_nan()),
                "wrote after it"
            );
        }
    }
}
