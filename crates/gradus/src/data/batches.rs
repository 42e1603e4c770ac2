//! One epoch's mini-batches, as slices of a (shuffled) row order.
//!
//! Why index slices and not batch tensors: the training loop gathers each batch into a
//! buffer it reuses (`Tensor::gather_rows_into`), so an epoch allocates nothing, and the
//! same order can gather inputs, targets and labels alike. [`Batches::shuffle`] draws the
//! next epoch's order in place, again without allocating.

use crate::data::draw;
use crate::rng::Rng;

/// The mini-batches of one epoch over rows `0..n`: consecutive slices of a permutation
/// (or of `0..n` in order when not shuffled), every row in exactly one batch.
///
/// ```
/// use gradus::data::Batches;
/// let mut rng = gradus::rng::seeded(0);
/// let batches = Batches::new(10, 4, true, &mut rng);
/// let sizes: Vec<usize> = batches.iter().map(|b| b.len()).collect();
/// assert_eq!(sizes, [4, 4, 2]); // the last, short batch is kept
/// let mut seen: Vec<usize> = batches.iter().flatten().copied().collect();
/// seen.sort();
/// assert_eq!(seen, (0..10).collect::<Vec<_>>());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Batches {
    order: Vec<usize>,
    /// Start of each batch in `order`, then `order.len()`: batch k is
    /// `order[bounds[k]..bounds[k + 1]]`.
    bounds: Vec<usize>,
}

impl Batches {
    /// Batches of `batch_size` rows; the last holds the remaining `n mod batch_size` rows
    /// when that is not zero (dropping it would never train on some rows of an epoch).
    /// With `shuffle` the order is a fresh permutation drawn from `rng`; without, it is
    /// `0..n` and `rng` is not used.
    ///
    /// Panics if `batch_size` is 0 (settings are validated before they get here).
    pub fn new(n: usize, batch_size: usize, shuffle: bool, rng: &mut Rng) -> Self {
        assert!(
            batch_size > 0,
            "Batches::new: batch_size must be at least 1"
        );
        let mut bounds: Vec<usize> = (0..n).step_by(batch_size).collect();
        bounds.push(n);
        Self::with_bounds(n, bounds, shuffle, rng)
    }

    /// Exactly `n_batches` batches (fewer only when `n < n_batches`: then one row each),
    /// whose sizes differ by at most one; the first `n mod n_batches` are the larger.
    /// This is `numpy.array_split`'s rule; it fixes the number of parameter updates per
    /// epoch whatever `n` is, for stochastic gradient descent stated as "m mini-batches".
    ///
    /// ```
    /// use gradus::data::Batches;
    /// let b = Batches::with_count(10, 4, false, &mut gradus::rng::seeded(0));
    /// let batches: Vec<&[usize]> = b.iter().collect();
    /// assert_eq!(batches, [&[0, 1, 2][..], &[3, 4, 5], &[6, 7], &[8, 9]]);
    /// ```
    ///
    /// Panics if `n_batches` is 0 and `n` is not.
    pub fn with_count(n: usize, n_batches: usize, shuffle: bool, rng: &mut Rng) -> Self {
        assert!(
            n_batches > 0 || n == 0,
            "Batches::with_count: need at least one batch for {n} rows"
        );
        let k = n_batches.min(n);
        let mut bounds = Vec::with_capacity(k + 1);
        let mut start = 0;
        for b in 0..k {
            bounds.push(start);
            start += n / k + usize::from(b < n % k);
        }
        bounds.push(n);
        Self::with_bounds(n, bounds, shuffle, rng)
    }

    fn with_bounds(n: usize, bounds: Vec<usize>, shuffle: bool, rng: &mut Rng) -> Self {
        let mut batches = Batches {
            order: (0..n).collect(),
            bounds,
        };
        if shuffle {
            batches.shuffle(rng);
        }
        batches
    }

    /// Draws a new order for the next epoch, in place (no allocation). Batch sizes stay.
    pub fn shuffle(&mut self, rng: &mut Rng) {
        draw::shuffle(&mut self.order, rng);
    }

    /// The number of batches.
    pub fn len(&self) -> usize {
        self.bounds.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Batch `k`. Panics if `k >= self.len()`.
    pub fn get(&self, k: usize) -> &[usize] {
        &self.order[self.bounds[k]..self.bounds[k + 1]]
    }

    /// The whole epoch's row order (the batches concatenated).
    pub fn order(&self) -> &[usize] {
        &self.order
    }

    /// The batches in order, each a slice of row indices.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            batches: self,
            next: 0,
        }
    }
}

/// Iterator over the batches of a [`Batches`], from [`Batches::iter`].
#[derive(Clone, Debug)]
pub struct Iter<'a> {
    batches: &'a Batches,
    next: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = &'a [usize];

    fn next(&mut self) -> Option<&'a [usize]> {
        (self.next < self.batches.len()).then(|| {
            self.next += 1;
            self.batches.get(self.next - 1)
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.batches.len() - self.next;
        (left, Some(left))
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'a> IntoIterator for &'a Batches {
    type Item = &'a [usize];
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}
