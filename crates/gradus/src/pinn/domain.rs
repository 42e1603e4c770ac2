//! Where a differential equation lives: an interval, a rectangle, or time × space.

/// The domain of a problem. Points are rows of `dim()` numbers in the column order of
/// [`axes`](Domain::axes): `x` for an interval, `(x, y)` for a rectangle, `(t, x)` for
/// time × space, so the network input column `j` is always the axis `axes()[j]`.
#[derive(Clone, Debug, PartialEq)]
pub enum Domain {
    Interval { x: (f64, f64) },
    Rectangle { x: (f64, f64), y: (f64, f64) },
    TimeSpace { t: (f64, f64), x: (f64, f64) },
}

impl Domain {
    pub fn dim(&self) -> usize {
        match self {
            Domain::Interval { .. } => 1,
            _ => 2,
        }
    }

    /// The names of the input columns.
    pub fn axes(&self) -> &'static [&'static str] {
        match self {
            Domain::Interval { .. } => &["x"],
            Domain::Rectangle { .. } => &["x", "y"],
            Domain::TimeSpace { .. } => &["t", "x"],
        }
    }

    /// (low, high) of each input column.
    pub fn bounds(&self) -> Vec<(f64, f64)> {
        match *self {
            Domain::Interval { x } => vec![x],
            Domain::Rectangle { x, y } => vec![x, y],
            Domain::TimeSpace { t, x } => vec![t, x],
        }
    }

    /// Maps a point of the unit cube [0, 1]^dim onto the domain (affinely, per axis).
    pub fn from_unit(&self, unit: &[f64], out: &mut Vec<f64>) {
        for (u, (lo, hi)) in unit.iter().zip(self.bounds()) {
            out.push(lo + u * (hi - lo));
        }
    }

    /// A cell-centred grid with `per_axis` points along each axis (`per_axis^dim` rows,
    /// flattened row-major, last axis fastest). Cell centres never touch the boundary, where
    /// some trial solutions (√τ in Black–Scholes) have unbounded derivatives.
    pub fn grid(&self, per_axis: usize) -> Vec<f64> {
        let b = self.bounds();
        let m = per_axis.max(1);
        let coord = |k: usize, (lo, hi): (f64, f64)| lo + (k as f64 + 0.5) / m as f64 * (hi - lo);
        let mut out = Vec::with_capacity(m.pow(b.len() as u32) * b.len());
        match b.len() {
            1 => (0..m).for_each(|i| out.push(coord(i, b[0]))),
            _ => {
                for i in 0..m {
                    for j in 0..m {
                        out.push(coord(i, b[0]));
                        out.push(coord(j, b[1]));
                    }
                }
            }
        }
        out
    }

    /// Centre and half-width of each axis: the network sees (x − centre) / half-width ∈ [−1, 1].
    pub fn centre_and_half_width(&self) -> (Vec<f64>, Vec<f64>) {
        self.bounds()
            .into_iter()
            .map(|(lo, hi)| (0.5 * (lo + hi), 0.5 * (hi - lo)))
            .unzip()
    }
}
