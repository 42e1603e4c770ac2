//! Per-column feature scaling: min–max to [0, 1] and standardisation to mean 0, sd 1.
//!
//! Both scalers are fitted on the *training rows only* and then applied unchanged to
//! validation, test and new data; fitting on all rows would leak held-out information
//! into training. Statistics are computed and stored in `f64` whatever the tensor type,
//! in plain public `Vec`s, so they can be written to a run's log or file and read back
//! without a serialisation framework. A constant column (max = min) would divide by
//! zero; it gets scale 1, so it maps to 0 and back to its value.

use crate::{Float, Tensor};

/// Scales each column to [0, 1] over the fitting rows: `(x − min) / range`.
///
/// ```
/// use gradus::data::MinMaxScaler;
/// use gradus::Tensor;
/// let x = Tensor::<f64>::from_vec(vec![0., 5., 10., 5., 20., 5.], [3, 2]);
/// let s = MinMaxScaler::fit(&x);
/// assert_eq!(s.transform(&x).data(), &[0., 0., 0.5, 0., 1., 0.]); // column 1 is constant
/// assert_eq!(s.inverse_transform(&s.transform(&x)), x);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct MinMaxScaler {
    /// Per-column minimum over the fitting rows.
    pub min: Vec<f64>,
    /// Per-column `max − min`, or 1 for a constant column.
    pub range: Vec<f64>,
}

/// Standardises each column over the fitting rows: `(x − mean) / std`, with the
/// population standard deviation (divide by n, as scikit-learn's `StandardScaler`).
///
/// ```
/// use gradus::data::StandardScaler;
/// use gradus::Tensor;
/// let x = Tensor::<f64>::from_vec(vec![1., 7., 3., 7.], [2, 2]);
/// let s = StandardScaler::fit(&x);
/// assert_eq!((s.mean.clone(), s.std.clone()), (vec![2., 7.], vec![1., 1.]));
/// assert_eq!(s.transform(&x).data(), &[-1., 0., 1., 0.]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct StandardScaler {
    /// Per-column mean over the fitting rows.
    pub mean: Vec<f64>,
    /// Per-column standard deviation, or 1 for a constant column.
    pub std: Vec<f64>,
}

struct ColumnStats {
    min: Vec<f64>,
    max: Vec<f64>,
    mean: Vec<f64>,
    std: Vec<f64>,
}

/// Statistics of the columns of `x` over `rows` (all rows when `None`), two-pass in f64.
fn column_stats<F: Float>(x: &Tensor<F>, rows: Option<&[usize]>, who: &str) -> ColumnStats {
    let &[n, d] = x.shape().dims() else {
        panic!(
            "{who}: needs a matrix (rows × columns), not shape {}",
            x.shape()
        );
    };
    let all: Vec<usize>;
    let rows = match rows {
        Some(r) => r,
        None => {
            all = (0..n).collect();
            &all
        }
    };
    assert!(
        !rows.is_empty(),
        "{who}: cannot fit on 0 rows (is the training part of the split empty?)"
    );
    let row = |i: usize| {
        assert!(i < n, "{who}: row {i} is out of range for {n} rows");
        &x.data()[i * d..(i + 1) * d]
    };
    let mut s = ColumnStats {
        min: vec![f64::INFINITY; d],
        max: vec![f64::NEG_INFINITY; d],
        mean: vec![0.0; d],
        std: vec![0.0; d],
    };
    for &i in rows {
        for (j, v) in row(i).iter().enumerate() {
            let v = v.as_f64();
            s.min[j] = s.min[j].min(v);
            s.max[j] = s.max[j].max(v);
            s.mean[j] += v;
        }
    }
    let count = rows.len() as f64;
    s.mean.iter_mut().for_each(|m| *m /= count);
    // Second pass about the mean: no cancellation, unlike Σx² − n·mean².
    for &i in rows {
        for (j, v) in row(i).iter().enumerate() {
            s.std[j] += (v.as_f64() - s.mean[j]).powi(2);
        }
    }
    for j in 0..d {
        // A constant column's mean can differ from its value in the last bit, leaving a
        // spurious std of 1e-17; decide constancy from min = max exactly instead.
        s.std[j] = if s.min[j] == s.max[j] {
            1.0
        } else {
            (s.std[j] / count).sqrt()
        };
    }
    s
}

/// `x ← (x − shift) / scale` per column, or its inverse. Panics on a column mismatch
/// (a scaler applied to the wrong matrix is a programming error).
fn apply<F: Float>(x: &mut Tensor<F>, shift: &[f64], scale: &[f64], inverse: bool, who: &str) {
    let d = shift.len();
    assert!(
        x.shape().rank() == 2 && x.shape().dim(1) == d,
        "{who}: fitted on {d} columns, cannot apply to shape {}",
        x.shape()
    );
    for row in x.data_mut().chunks_exact_mut(d.max(1)) {
        for ((v, &m), &s) in row.iter_mut().zip(shift).zip(scale) {
            let t = if inverse {
                v.as_f64() * s + m
            } else {
                (v.as_f64() - m) / s
            };
            *v = F::of(t);
        }
    }
}

impl MinMaxScaler {
    /// Fits on every row of `x`; pass the training matrix, not the whole data set.
    ///
    /// Panics if `x` is not a matrix or has no rows: the caller chooses the fitting rows,
    /// and an empty training part is caught where the split's settings are checked.
    pub fn fit<F: Float>(x: &Tensor<F>) -> Self {
        Self::from_stats(column_stats(x, None, "MinMaxScaler::fit"))
    }

    /// Fits on the rows of `x` named by `rows` (e.g. a split's `train`) only.
    /// Panics like [`fit`](Self::fit), or if a row is out of range.
    pub fn fit_rows<F: Float>(x: &Tensor<F>, rows: &[usize]) -> Self {
        Self::from_stats(column_stats(x, Some(rows), "MinMaxScaler::fit_rows"))
    }

    fn from_stats(s: ColumnStats) -> Self {
        let range = s
            .min
            .iter()
            .zip(&s.max)
            .map(|(lo, hi)| if hi > lo { hi - lo } else { 1.0 });
        MinMaxScaler {
            range: range.collect(),
            min: s.min,
        }
    }

    /// The scaled copy of `x` (n × the fitted number of columns).
    pub fn transform<F: Float>(&self, x: &Tensor<F>) -> Tensor<F> {
        let mut out = x.clone();
        self.transform_in_place(&mut out);
        out
    }

    /// Scales `x` in place, without allocating.
    pub fn transform_in_place<F: Float>(&self, x: &mut Tensor<F>) {
        apply(x, &self.min, &self.range, false, "MinMaxScaler::transform");
    }

    /// Undoes [`transform`](Self::transform): back to the original units (for
    /// reporting predictions of a scaled target).
    pub fn inverse_transform<F: Float>(&self, x: &Tensor<F>) -> Tensor<F> {
        let mut out = x.clone();
        apply(
            &mut out,
            &self.min,
            &self.range,
            true,
            "MinMaxScaler::inverse_transform",
        );
        out
    }
}

impl StandardScaler {
    /// Fits on every row of `x`; pass the training matrix, not the whole data set.
    /// Panics like [`MinMaxScaler::fit`].
    pub fn fit<F: Float>(x: &Tensor<F>) -> Self {
        Self::from_stats(column_stats(x, None, "StandardScaler::fit"))
    }

    /// Fits on the rows of `x` named by `rows` (e.g. a split's `train`) only.
    /// Panics like [`MinMaxScaler::fit_rows`].
    pub fn fit_rows<F: Float>(x: &Tensor<F>, rows: &[usize]) -> Self {
        Self::from_stats(column_stats(x, Some(rows), "StandardScaler::fit_rows"))
    }

    fn from_stats(s: ColumnStats) -> Self {
        StandardScaler {
            mean: s.mean,
            std: s.std,
        }
    }

    /// The scaled copy of `x` (n × the fitted number of columns).
    pub fn transform<F: Float>(&self, x: &Tensor<F>) -> Tensor<F> {
        let mut out = x.clone();
        self.transform_in_place(&mut out);
        out
    }

    /// Scales `x` in place, without allocating.
    pub fn transform_in_place<F: Float>(&self, x: &mut Tensor<F>) {
        apply(x, &self.mean, &self.std, false, "StandardScaler::transform");
    }

    /// Undoes [`transform`](Self::transform): back to the original units (for
    /// reporting predictions of a scaled target).
    pub fn inverse_transform<F: Float>(&self, x: &Tensor<F>) -> Tensor<F> {
        let mut out = x.clone();
        apply(
            &mut out,
            &self.mean,
            &self.std,
            true,
            "StandardScaler::inverse_transform",
        );
        out
    }
}
