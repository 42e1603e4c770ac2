//! The dense tensor: a row-major, contiguous buffer and its shape.

use rand::Rng;
use rand_distr::{Distribution, Normal, Uniform};

use super::broadcast::{binary_into, broadcast_shape};
use super::float::Float;
use super::gemm::{matmul_into, MatArg};
use super::layout::{concat2_into, narrow_into, transpose_into};
use super::reduce::{argmax_axis, max_axis_into, sum_axis_into};
use super::shape::Shape;

/// A dense, row-major tensor of `f32` or `f64`.
///
/// ```
/// use gradus::Tensor;
/// let x = Tensor::<f64>::from_vec(vec![1., 2., 3., 4., 5., 6.], [2, 3]);
/// let b = Tensor::from_vec(vec![10., 20., 30.], [3]);
/// let y = &x + &b; // row broadcast (bias add)
/// assert_eq!(y.data(), &[11., 22., 33., 14., 25., 36.]);
/// assert_eq!(y.sum_axis(0).data(), &[25., 47., 69.]);
/// ```
#[derive(Clone, PartialEq)]
pub struct Tensor<F: Float> {
    data: Vec<F>,
    shape: Shape,
}

impl<F: Float> Tensor<F> {
    /// A tensor from its elements in row-major order. Panics if the lengths disagree.
    pub fn from_vec(data: Vec<F>, shape: impl Into<Shape>) -> Self {
        let shape = shape.into();
        assert_eq!(
            data.len(),
            shape.numel(),
            "Tensor::from_vec: {} elements cannot have shape {shape}",
            data.len()
        );
        Tensor { data, shape }
    }

    /// A copy of a slice as a tensor of the given shape.
    pub fn from_slice(data: &[F], shape: impl Into<Shape>) -> Self {
        Tensor::from_vec(data.to_vec(), shape)
    }

    pub fn full(shape: impl Into<Shape>, value: F) -> Self {
        let shape = shape.into();
        Tensor {
            data: vec![value; shape.numel()],
            shape,
        }
    }

    pub fn zeros(shape: impl Into<Shape>) -> Self {
        Tensor::full(shape, F::zero())
    }

    pub fn ones(shape: impl Into<Shape>) -> Self {
        Tensor::full(shape, F::one())
    }

    /// A rank-0 tensor holding one value.
    pub fn scalar(value: F) -> Self {
        Tensor::full(Shape::scalar(), value)
    }

    /// Elements drawn from N(mean, std²) with the caller's seeded generator.
    pub fn randn(shape: impl Into<Shape>, mean: f64, std: f64, rng: &mut impl Rng) -> Self {
        let shape = shape.into();
        let dist = Normal::new(mean, std).expect("Tensor::randn: std must be finite and >= 0");
        let data = (0..shape.numel())
            .map(|_| F::of(dist.sample(rng)))
            .collect();
        Tensor { data, shape }
    }

    /// Elements drawn uniformly from [low, high) with the caller's seeded generator.
    pub fn uniform(shape: impl Into<Shape>, low: f64, high: f64, rng: &mut impl Rng) -> Self {
        let shape = shape.into();
        let dist = Uniform::new(low, high).expect("Tensor::uniform: need low < high");
        let data = (0..shape.numel())
            .map(|_| F::of(dist.sample(rng)))
            .collect();
        Tensor { data, shape }
    }

    /// One-hot rows: `labels[i]` becomes row i with a 1 in column `labels[i]`.
    /// Panics if a label is not below `classes`.
    pub fn one_hot(labels: &[usize], classes: usize) -> Self {
        let mut t = Tensor::zeros([labels.len(), classes]);
        for (i, &l) in labels.iter().enumerate() {
            assert!(
                l < classes,
                "one_hot: label {l} at row {i} is not below {classes} classes"
            );
            t.data[i * classes + l] = F::one();
        }
        t
    }

    pub fn shape(&self) -> Shape {
        self.shape
    }

    pub fn numel(&self) -> usize {
        self.data.len()
    }

    pub fn data(&self) -> &[F] {
        &self.data
    }

    pub fn data_mut(&mut self) -> &mut [F] {
        &mut self.data
    }

    pub fn into_vec(self) -> Vec<F> {
        self.data
    }

    /// The only element of a one-element tensor.
    pub fn item(&self) -> F {
        assert_eq!(
            self.numel(),
            1,
            "item: tensor of shape {} has more than one element",
            self.shape
        );
        self.data[0]
    }

    /// Element (row, col) of a matrix.
    pub fn at(&self, row: usize, col: usize) -> F {
        let (_, cols) = self.shape.as_matrix();
        self.data[row * cols + col]
    }

    /// The same elements under a new shape with the same number of elements.
    pub fn reshape(mut self, shape: impl Into<Shape>) -> Self {
        let shape = shape.into();
        assert_eq!(
            self.shape.numel(),
            shape.numel(),
            "reshape: {} cannot become {shape}",
            self.shape
        );
        self.shape = shape;
        self
    }

    /// Converts every element to another float type.
    pub fn cast<G: Float>(&self) -> Tensor<G> {
        Tensor {
            data: self.data.iter().map(|&x| G::of(x.as_f64())).collect(),
            shape: self.shape,
        }
    }

    /// Applies `f` to every element.
    pub fn map(&self, f: impl Fn(F) -> F) -> Self {
        Tensor {
            data: self.data.iter().map(|&x| f(x)).collect(),
            shape: self.shape,
        }
    }

    /// `f(a, b)` elementwise with numpy broadcasting.
    pub fn zip_map(&self, other: &Tensor<F>, op: &str, f: impl Fn(F, F) -> F) -> Self {
        let shape = broadcast_shape(op, self.shape, other.shape);
        let mut out = Tensor::zeros(shape);
        binary_into(
            &mut out.data,
            shape,
            &self.data,
            self.shape,
            &other.data,
            other.shape,
            f,
        );
        out
    }

    pub fn scale(&self, s: F) -> Self {
        self.map(|x| x * s)
    }

    pub fn sum(&self) -> F {
        self.data.iter().copied().sum()
    }

    pub fn mean(&self) -> F {
        self.sum() / F::of(self.numel() as f64)
    }

    /// Sum along `axis`, which is kept with extent 1.
    pub fn sum_axis(&self, axis: usize) -> Self {
        let mut out = Tensor::zeros(self.shape.with_dim(axis, 1));
        sum_axis_into(&mut out.data, &self.data, self.shape, axis);
        out
    }

    pub fn mean_axis(&self, axis: usize) -> Self {
        let n = F::of(self.shape.dim(axis) as f64);
        let mut s = self.sum_axis(axis);
        s.data.iter_mut().for_each(|x| *x /= n);
        s
    }

    pub fn max_axis(&self, axis: usize) -> Self {
        let mut out = Tensor::zeros(self.shape.with_dim(axis, 1));
        max_axis_into(&mut out.data, &self.data, self.shape, axis);
        out
    }

    /// Index of the largest element in each row of a matrix (the predicted class).
    pub fn argmax_rows(&self) -> Vec<usize> {
        let (rows, _) = self.shape.as_matrix();
        let shape = Shape::new(&[rows, self.shape.as_matrix().1]);
        (0..rows)
            .map(|r| argmax_axis(&self.data, shape, 1, r, 0))
            .collect()
    }

    /// Largest absolute elementwise difference (shapes must match).
    pub fn max_abs_diff(&self, other: &Tensor<F>) -> F {
        assert_eq!(
            self.shape, other.shape,
            "max_abs_diff: shapes {} and {} differ",
            self.shape, other.shape
        );
        self.data
            .iter()
            .zip(&other.data)
            .fold(F::zero(), |m, (&a, &b)| m.max((a - b).abs()))
    }

    /// Matrix product `self @ other` of two matrices.
    pub fn matmul(&self, other: &Tensor<F>) -> Self {
        self.matmul_t(other, false, false)
    }

    /// Matrix product with either operand transposed: `op(self) @ op(other)`.
    pub fn matmul_t(&self, other: &Tensor<F>, transpose_self: bool, transpose_other: bool) -> Self {
        let a = self.mat_arg("matmul", transpose_self);
        let b = other.mat_arg("matmul", transpose_other);
        let m = if transpose_self { a.cols } else { a.rows };
        let n = if transpose_other { b.rows } else { b.cols };
        let mut out = Tensor::zeros([m, n]);
        matmul_into(&mut out.data, false, a, b);
        out
    }

    fn mat_arg(&self, op: &str, transposed: bool) -> MatArg<'_, F> {
        assert_eq!(
            self.shape.rank(),
            2,
            "{op}: operand must be a matrix, got shape {}",
            self.shape
        );
        MatArg {
            data: &self.data,
            rows: self.shape.dim(0),
            cols: self.shape.dim(1),
            transposed,
        }
    }

    /// The transpose of a matrix.
    pub fn t(&self) -> Self {
        let a = self.mat_arg("t", false);
        let mut out = Tensor::zeros([a.cols, a.rows]);
        transpose_into(&mut out.data, &self.data, a.rows, a.cols);
        out
    }

    /// Rows `start..end` of the tensor (along axis 0).
    pub fn slice_rows(&self, start: usize, end: usize) -> Self {
        self.narrow(0, start, end - start)
    }

    /// Elements `start..start+len` along `axis`.
    pub fn narrow(&self, axis: usize, start: usize, len: usize) -> Self {
        let n = self.shape.dim(axis);
        assert!(
            start + len <= n,
            "narrow: {start}..{} is out of range for axis {axis} of shape {}",
            start + len,
            self.shape
        );
        let mut out = Tensor::zeros(self.shape.with_dim(axis, len));
        narrow_into(&mut out.data, &self.data, self.shape, axis, start, len);
        out
    }

    /// The rows named by `indices`, in that order (a mini-batch).
    pub fn gather_rows(&self, indices: &[usize]) -> Self {
        let mut out = Tensor::zeros(self.shape.with_dim(0, indices.len()));
        self.gather_rows_into(indices, &mut out);
        out
    }

    /// Like [`gather_rows`](Self::gather_rows) into an existing buffer, resized in place so
    /// that a training loop that gathers batches of one size allocates nothing.
    pub fn gather_rows_into(&self, indices: &[usize], out: &mut Tensor<F>) {
        let row = self.numel() / self.shape.dim(0).max(1);
        out.shape = self.shape.with_dim(0, indices.len());
        out.data.resize(indices.len() * row, F::zero());
        // gather_rows checks the indices (and panics naming the first one out of range).
        super::gather_rows(&mut out.data, &self.data, row, indices);
    }

    /// Concatenation along `axis`; all other dimensions must agree.
    pub fn concat(parts: &[&Tensor<F>], axis: usize) -> Self {
        assert!(!parts.is_empty(), "concat: no tensors given");
        let mut acc = parts[0].clone();
        for p in &parts[1..] {
            let shape = concat_shape(acc.shape, p.shape, axis);
            let mut out = Tensor::zeros(shape);
            concat2_into(&mut out.data, &acc.data, acc.shape, &p.data, p.shape, axis);
            acc = out;
        }
        acc
    }
}

/// The shape of `a` and `b` joined along `axis`, panicking if other dimensions differ.
pub(crate) fn concat_shape(a: Shape, b: Shape, axis: usize) -> Shape {
    let ok = a.rank() == b.rank()
        && axis < a.rank()
        && (0..a.rank()).all(|i| i == axis || a.dim(i) == b.dim(i));
    assert!(
        ok,
        "concat: shapes {a} and {b} cannot be joined along axis {axis}"
    );
    a.with_dim(axis, a.dim(axis) + b.dim(axis))
}

impl<F: Float> std::fmt::Debug for Tensor<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const SHOWN: usize = 8;
        write!(f, "Tensor<{}>{} ", F::NAME, self.shape)?;
        let head = &self.data[..self.data.len().min(SHOWN)];
        write!(f, "{head:?}")?;
        if self.data.len() > SHOWN {
            write!(f, " … ({} more)", self.data.len() - SHOWN)?;
        }
        Ok(())
    }
}

macro_rules! tensor_binary_op {
    ($trait:ident, $method:ident, $op:tt, $name:literal) => {
        impl<F: Float> std::ops::$trait<&Tensor<F>> for &Tensor<F> {
            type Output = Tensor<F>;
            fn $method(self, rhs: &Tensor<F>) -> Tensor<F> {
                self.zip_map(rhs, $name, |a, b| a $op b)
            }
        }
    };
}
tensor_binary_op!(Add, add, +, "add");
tensor_binary_op!(Sub, sub, -, "sub");
tensor_binary_op!(Mul, mul, *, "mul");
tensor_binary_op!(Div, div, /, "div");
