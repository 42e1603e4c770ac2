//! Colours: a categorical palette for series and a perceptually uniform map for values.

use plotters::style::RGBColor;

/// Tableau-10: distinguishable series colours, also in greyscale print.
pub(crate) const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

pub(crate) fn series_colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Viridis sampled at 9 stops; linear interpolation between them is visually indistinguishable
/// from the full 256-entry table.
const VIRIDIS: [(u8, u8, u8); 9] = [
    (68, 1, 84),
    (71, 44, 122),
    (59, 81, 139),
    (44, 113, 142),
    (33, 144, 141),
    (39, 173, 129),
    (92, 200, 99),
    (170, 220, 50),
    (253, 231, 37),
];

/// Colour of `t` in [0, 1] (clamped; NaN is drawn grey).
pub(crate) fn viridis(t: f64) -> RGBColor {
    if t.is_nan() {
        return RGBColor(200, 200, 200);
    }
    let t = t.clamp(0.0, 1.0) * (VIRIDIS.len() - 1) as f64;
    let i = (t.floor() as usize).min(VIRIDIS.len() - 2);
    let f = t - i as f64;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    let mix = |x: u8, y: u8| (x as f64 + f * (y as f64 - x as f64)).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Black or white, whichever reads better on `c`.
pub(crate) fn text_on(c: RGBColor) -> RGBColor {
    let luma = 0.299 * c.0 as f64 + 0.587 * c.1 as f64 + 0.114 * c.2 as f64;
    if luma > 140.0 {
        RGBColor(0, 0, 0)
    } else {
        RGBColor(255, 255, 255)
    }
}

/// Maps values to [0, 1] over the finite range of `values`.
pub(crate) struct Normalise {
    lo: f64,
    span: f64,
}

impl Normalise {
    pub(crate) fn over<'a>(values: impl IntoIterator<Item = &'a f64>) -> Self {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for &v in values {
            if v.is_finite() {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
        if !lo.is_finite() {
            (lo, hi) = (0.0, 1.0);
        }
        let span = if hi > lo { hi - lo } else { 1.0 };
        Normalise { lo, span }
    }

    pub(crate) fn at(&self, v: f64) -> f64 {
        (v - self.lo) / self.span
    }

    pub(crate) fn range(&self) -> (f64, f64) {
        (self.lo, self.lo + self.span)
    }
}
