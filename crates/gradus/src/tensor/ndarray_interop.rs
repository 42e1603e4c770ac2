//! Conversions between `Tensor` and `ndarray` arrays (feature `ndarray`).

use ndarray::{ArrayD, IxDyn};

use super::{Float, Shape, Tensor};

impl<F: Float> From<&Tensor<F>> for ArrayD<F> {
    fn from(t: &Tensor<F>) -> Self {
        ArrayD::from_shape_vec(IxDyn(t.shape().dims()), t.data().to_vec())
            .expect("a tensor's shape always matches its data")
    }
}

impl<F: Float, D: ndarray::Dimension> From<&ndarray::Array<F, D>> for Tensor<F> {
    /// Copies the array in logical row-major order, whatever its memory layout.
    fn from(a: &ndarray::Array<F, D>) -> Self {
        let data: Vec<F> = a.iter().copied().collect();
        Tensor::from_vec(data, Shape::new(a.shape()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_keeps_order_even_for_transposed_views() {
        let a = ndarray::array![[1.0f64, 2.0, 3.0], [4.0, 5.0, 6.0]];
        let t = Tensor::from(&a.t().to_owned());
        assert_eq!(t.shape().dims(), &[3, 2]);
        assert_eq!(t.data(), &[1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
        let back: ArrayD<f64> = (&t).into();
        assert_eq!(back.shape(), &[3, 2]);
        assert_eq!(back[[2, 1]], 6.0);
    }
}
