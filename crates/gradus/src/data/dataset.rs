//! A data set in memory: inputs, targets and, for classification, the class labels.
//!
//! Why one struct with public tensors rather than a trait of lazy loaders: the course's
//! data sets fit in memory many times over, and a training loop wants to `gather_rows`
//! a mini-batch from plain tensors. Keeping the class indices next to the one-hot targets
//! lets accuracy and confusion matrices be computed without an `argmax` over `y`.

use crate::data::error::DataError;
use crate::{Float, Tensor};

/// The (train, validation, test) parts returned by [`Dataset::split`].
pub type TrainValTest<F> = (Dataset<F>, Dataset<F>, Dataset<F>);

/// Inputs `x` (n × features) and targets `y` (n × targets), row i of each belonging to
/// sample i.
///
/// For classification `labels` holds each row's class index and `y` is its one-hot
/// encoding (n × classes); for regression `labels` is `None`. The fields are public so
/// that a caller can scale `x` in place; the constructors check that they fit together.
///
/// ```
/// use gradus::data::Dataset;
/// use gradus::Tensor;
/// let x = Tensor::<f64>::from_vec(vec![0., 0., 1., 1., 2., 2.], [3, 2]);
/// let d = Dataset::classification(x, vec![0, 1, 1], 2)?;
/// assert_eq!(d.y.data(), &[1., 0., 0., 1., 0., 1.]);
/// assert_eq!(d.n_classes(), Some(2));
/// let sub = d.gather(&[2, 0]);
/// assert_eq!(sub.labels, Some(vec![1, 0]));
/// assert_eq!(sub.x.data(), &[2., 2., 0., 0.]);
/// # Ok::<(), gradus::data::DataError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset<F: Float> {
    pub x: Tensor<F>,
    pub y: Tensor<F>,
    pub labels: Option<Vec<usize>>,
}

fn rows_of<F: Float>(t: &Tensor<F>, name: &str) -> Result<usize, DataError> {
    match t.shape().dims() {
        [rows, _] => Ok(*rows),
        dims => Err(DataError::Shape {
            what: format!(
                "{name} must be a matrix (rows × columns) but has shape {dims:?}; \
                 reshape it to [n, columns]"
            ),
        }),
    }
}

impl<F: Float> Dataset<F> {
    /// A regression data set: `x` is n × features, `y` is n × targets.
    pub fn regression(x: Tensor<F>, y: Tensor<F>) -> Result<Self, DataError> {
        let (nx, ny) = (rows_of(&x, "x")?, rows_of(&y, "y")?);
        if nx != ny {
            return Err(DataError::Shape {
                what: format!("x has {nx} rows but y has {ny}; give one target row per input row"),
            });
        }
        Ok(Dataset { x, y, labels: None })
    }

    /// A classification data set: `x` is n × features, `labels[i]` the class of row i,
    /// each below `n_classes`; `y` becomes the one-hot n × `n_classes` matrix.
    pub fn classification(
        x: Tensor<F>,
        labels: Vec<usize>,
        n_classes: usize,
    ) -> Result<Self, DataError> {
        let n = rows_of(&x, "x")?;
        if labels.len() != n {
            return Err(DataError::Shape {
                what: format!(
                    "x has {n} rows but there are {} labels; give one label per row",
                    labels.len()
                ),
            });
        }
        if let Some((row, &label)) = labels.iter().enumerate().find(|(_, &l)| l >= n_classes) {
            return Err(DataError::BadLabel {
                row,
                label,
                n_classes,
            });
        }
        let y = Tensor::one_hot(&labels, n_classes);
        Ok(Dataset {
            x,
            y,
            labels: Some(labels),
        })
    }

    /// The number of samples (rows).
    pub fn len(&self) -> usize {
        self.x.shape().dim(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Columns of `x`.
    pub fn n_features(&self) -> usize {
        self.x.shape().dim(1)
    }

    /// Columns of `y` (for classification, the number of classes).
    pub fn n_targets(&self) -> usize {
        self.y.shape().dim(1)
    }

    /// The number of classes of a classification data set (the width of the one-hot `y`,
    /// so a class absent from a small subset still counts); `None` for regression.
    pub fn n_classes(&self) -> Option<usize> {
        self.labels.as_ref().map(|_| self.n_targets())
    }

    /// How many rows belong to each class; `None` for regression.
    pub fn class_counts(&self) -> Option<Vec<usize>> {
        let labels = self.labels.as_ref()?;
        let mut counts = vec![0; self.n_targets()];
        for &l in labels {
            counts[l] += 1;
        }
        Some(counts)
    }

    /// The labels as an n × 1 column of 0.0, 1.0, … — the target of a binary classifier
    /// with one sigmoid output, where the one-hot `y` suits a softmax over two outputs.
    /// `None` for regression.
    pub fn label_column(&self) -> Option<Tensor<F>> {
        let labels = self.labels.as_ref()?;
        let data = labels.iter().map(|&l| F::of(l as f64)).collect();
        Some(Tensor::from_vec(data, [labels.len(), 1]))
    }

    /// The rows named by `rows`, in that order. Panics if an index is out of range
    /// (indices come from [`train_val_test_split`](crate::data::train_val_test_split)
    /// or [`Batches`](crate::data::Batches), so a bad one is a programming error).
    pub fn gather(&self, rows: &[usize]) -> Dataset<F> {
        Dataset {
            x: self.x.gather_rows(rows),
            y: self.y.gather_rows(rows),
            labels: self
                .labels
                .as_ref()
                .map(|l| rows.iter().map(|&i| l[i]).collect()),
        }
    }

    /// Shuffled train, validation and test subsets; see
    /// [`train_val_test_split`](crate::data::train_val_test_split) for the rounding rule.
    ///
    /// ```
    /// let d = gradus::data::xor::<f64>();
    /// let (train, val, test) = d.split((0.5, 0.25, 0.25), 42)?;
    /// assert_eq!((train.len(), val.len(), test.len()), (2, 1, 1));
    /// # Ok::<(), gradus::data::DataError>(())
    /// ```
    pub fn split(
        &self,
        fractions: (f64, f64, f64),
        seed: u64,
    ) -> Result<TrainValTest<F>, DataError> {
        let s = crate::data::train_val_test_split(self.len(), fractions, seed)?;
        Ok((
            self.gather(&s.train),
            self.gather(&s.val),
            self.gather(&s.test),
        ))
    }

    /// A one-line description: sizes, and class counts for classification.
    pub fn summary(&self) -> String {
        let (n, x, y) = (self.len(), self.x.shape(), self.y.shape());
        match self.class_counts() {
            Some(c) => format!("{n} rows, x {x}, y {y}, class counts {c:?}"),
            None => format!("{n} rows, x {x}, y {y}"),
        }
    }
}
