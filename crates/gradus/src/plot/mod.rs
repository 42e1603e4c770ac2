//! PNG plots for reports: line and scatter charts (linear or log axes), histograms, panels of
//! charts, heatmaps and contour maps with paths drawn on top.
//!
//! Drawing goes through `plotters` with its bitmap backend. Text is rendered with a bundled
//! DejaVu Sans (`assets/`, Bitstream Vera licence) through `ab_glyph`, so a plot looks the
//! same on every machine and needs no system fonts or fontconfig.
//!
//! ```no_run
//! use gradus::plot::Chart;
//! let losses: Vec<(f64, f64)> = (1..=100).map(|e| (e as f64, 1.0 / e as f64)).collect();
//! Chart::new("learning curve").x_label("epoch").y_label("loss").log_y()
//!     .line("train", losses)
//!     .save_png("curve.png")?;
//! # Ok::<(), gradus::plot::PlotError>(())
//! ```

mod chart;
mod colormap;
mod contour;
mod error;
mod heatmap;

pub use chart::{save_grid, Chart};
pub use contour::Contour;
pub use error::PlotError;
pub use heatmap::Heatmap;

use plotters::style::FontStyle;
use std::sync::Once;

/// The family name every text style in this module uses.
const FONT: &str = "sans-serif";

static FONT_BYTES: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

/// Registers the bundled font once per process (plotters keeps a global font table).
fn ensure_font() {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        // The font is bundled and known to parse; a failure here is a build defect.
        plotters::style::register_font(FONT, FontStyle::Normal, FONT_BYTES)
            .unwrap_or_else(|_| panic!("bundled DejaVuSans.ttf did not parse"));
    });
}

/// Tick label for a value on a log10 axis: the axis carries log10(v), the label shows v
/// to two significant digits (plotters places log ticks at fractional exponents too).
fn log_tick(exponent: f64) -> String {
    significant(10f64.powf(exponent), 2)
}

/// Short, readable number for tick labels and legends (four significant digits).
fn number_label(v: f64) -> String {
    significant(v, 4)
}

fn significant(v: f64, digits: i32) -> String {
    if v == 0.0 || !v.is_finite() {
        return if v == 0.0 { "0".into() } else { format!("{v}") };
    }
    let a = v.abs();
    if (1e-3..1e5).contains(&a) {
        let decimals = (digits - 1 - a.log10().floor() as i32).max(0) as usize;
        let s = format!("{v:.decimals$}");
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    } else {
        let s = format!("{v:.prec$e}", prec = (digits - 1) as usize);
        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let mantissa = if mantissa.contains('.') {
            mantissa.trim_end_matches('0').trim_end_matches('.')
        } else {
            mantissa
        };
        format!("{mantissa}e{exp}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_short() {
        assert_eq!(number_label(0.5), "0.5");
        assert_eq!(number_label(12.0), "12");
        assert_eq!(number_label(1e-6), "1e-6");
        assert_eq!(number_label(2446.9601), "2447");
        assert_eq!(number_label(0.34791), "0.3479");
        assert_eq!(log_tick(-2.0), "0.01");
        assert_eq!(log_tick(0.5), "3.2");
        assert_eq!(log_tick(5.0), "1e5");
        assert_eq!(log_tick(-8.5), "3.2e-9");
    }
}
