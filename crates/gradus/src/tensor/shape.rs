//! Tensor shapes: up to four dimensions, stored inline so that shapes never allocate.

use std::fmt;

/// The largest rank a gradus tensor may have. Feed-forward networks need two; four leaves
/// room for batched inputs without making every shape a heap allocation.
pub const MAX_RANK: usize = 4;

/// The extent of each dimension of a row-major tensor. Rank 0 is a scalar.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Shape {
    dims: [usize; MAX_RANK],
    rank: usize,
}

impl Shape {
    /// A shape from its dimensions. Panics if there are more than [`MAX_RANK`].
    pub fn new(dims: &[usize]) -> Self {
        assert!(
            dims.len() <= MAX_RANK,
            "Shape::new: rank {} exceeds the maximum of {MAX_RANK} ({dims:?})",
            dims.len()
        );
        let mut d = [1; MAX_RANK];
        d[..dims.len()].copy_from_slice(dims);
        Shape {
            dims: d,
            rank: dims.len(),
        }
    }

    /// The shape of a scalar (rank 0, one element).
    pub fn scalar() -> Self {
        Shape::new(&[])
    }

    /// The dimensions, outermost first.
    pub fn dims(&self) -> &[usize] {
        &self.dims[..self.rank]
    }

    pub fn rank(&self) -> usize {
        self.rank
    }

    /// Number of elements (1 for a scalar).
    pub fn numel(&self) -> usize {
        self.dims().iter().product()
    }

    /// Extent of dimension `axis`.
    pub fn dim(&self, axis: usize) -> usize {
        assert!(
            axis < self.rank,
            "axis {axis} out of range for shape {self}"
        );
        self.dims[axis]
    }

    /// Rows and columns of a matrix view: the last dimension is the columns, all others are
    /// folded into rows. A vector of length n is one row; a scalar is 1 x 1.
    pub fn as_matrix(&self) -> (usize, usize) {
        match self.rank {
            0 => (1, 1),
            r => (self.numel() / self.dims[r - 1].max(1), self.dims[r - 1]),
        }
    }

    /// Splits the shape around `axis` into (outer, extent, inner), the view in which every
    /// axis-wise operation is a simple triple loop.
    pub fn around(&self, axis: usize) -> (usize, usize, usize) {
        let n = self.dim(axis);
        let outer = self.dims[..axis].iter().product();
        let inner = self.dims[axis + 1..self.rank].iter().product();
        (outer, n, inner)
    }

    /// The same shape with dimension `axis` replaced by `extent`.
    pub fn with_dim(&self, axis: usize, extent: usize) -> Self {
        let mut s = *self;
        assert!(
            axis < self.rank,
            "axis {axis} out of range for shape {self}"
        );
        s.dims[axis] = extent;
        s
    }

    /// The numpy broadcast of two shapes, or `None` if they are incompatible.
    pub fn broadcast(a: Shape, b: Shape) -> Option<Shape> {
        let rank = a.rank.max(b.rank);
        let mut out = [1; MAX_RANK];
        for (i, o) in out.iter_mut().enumerate().take(rank) {
            let da = a.aligned_dim(i, rank);
            let db = b.aligned_dim(i, rank);
            *o = if da == db || db == 1 {
                da
            } else if da == 1 {
                db
            } else {
                return None;
            };
        }
        Some(Shape::new(&out[..rank]))
    }

    /// Dimension `i` after right-aligning this shape to `rank` dimensions (leading ones).
    pub(crate) fn aligned_dim(&self, i: usize, rank: usize) -> usize {
        let offset = rank - self.rank;
        if i < offset {
            1
        } else {
            self.dims[i - offset]
        }
    }
}

impl fmt::Debug for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.dims())
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.dims())
    }
}

impl<const N: usize> From<[usize; N]> for Shape {
    fn from(d: [usize; N]) -> Self {
        Shape::new(&d)
    }
}

impl From<&[usize]> for Shape {
    fn from(d: &[usize]) -> Self {
        Shape::new(d)
    }
}

impl From<usize> for Shape {
    fn from(n: usize) -> Self {
        Shape::new(&[n])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcast_follows_numpy() {
        let s = |d: &[usize]| Shape::new(d);
        assert_eq!(Shape::broadcast(s(&[4, 3]), s(&[3])), Some(s(&[4, 3])));
        assert_eq!(Shape::broadcast(s(&[4, 1]), s(&[1, 3])), Some(s(&[4, 3])));
        assert_eq!(Shape::broadcast(s(&[]), s(&[2, 5])), Some(s(&[2, 5])));
        assert_eq!(Shape::broadcast(s(&[4, 3]), s(&[4])), None);
    }

    #[test]
    fn around_splits_axis() {
        assert_eq!(Shape::new(&[2, 3, 4]).around(1), (2, 3, 4));
        assert_eq!(Shape::new(&[5, 7]).around(0), (1, 5, 7));
        assert_eq!(Shape::new(&[5, 7]).as_matrix(), (5, 7));
    }
}
