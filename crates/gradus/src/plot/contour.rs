//! Filled contour maps of f(x, y) with optimiser paths on top.

use super::colormap::{series_colour, viridis, Normalise};
use super::heatmap::colour_bar;
use super::{ensure_font, log_tick, number_label, PlotError, FONT};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// Number of colour bands: quantising the colour turns a smooth map into readable level sets.
const BANDS: f64 = 18.0;
/// Grid resolution at which f is sampled.
const SAMPLES: usize = 160;

/// f sampled on a grid over a rectangle and drawn as colour bands, with paths and markers.
pub struct Contour {
    title: String,
    values: Vec<f64>,
    x_range: (f64, f64),
    y_range: (f64, f64),
    log: bool,
    paths: Vec<(String, Vec<(f64, f64)>)>,
    markers: Vec<(String, (f64, f64))>,
    size: (u32, u32),
}

impl Contour {
    /// Samples `f` on a 160×160 grid over `x_range × y_range`.
    pub fn new(
        title: impl Into<String>,
        f: impl Fn(f64, f64) -> f64,
        x_range: (f64, f64),
        y_range: (f64, f64),
    ) -> Self {
        let mut values = Vec::with_capacity(SAMPLES * SAMPLES);
        for j in 0..SAMPLES {
            for i in 0..SAMPLES {
                let (x, y) = cell_centre(i, j, x_range, y_range);
                values.push(f(x, y));
            }
        }
        Contour {
            title: title.into(),
            values,
            x_range,
            y_range,
            log: false,
            paths: Vec::new(),
            markers: Vec::new(),
            size: (800, 650),
        }
    }

    /// Colour by log10(f − f_min + 1e-12), so valleys of functions like Rosenbrock show.
    pub fn log_scale(mut self) -> Self {
        self.log = true;
        self
    }

    /// An optimiser's path, drawn as a line with a marker at every iterate.
    pub fn path(mut self, label: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        self.paths.push((label.into(), points));
        self
    }

    /// A labelled cross, e.g. at a known minimum.
    pub fn marker(mut self, label: impl Into<String>, at: (f64, f64)) -> Self {
        self.markers.push((label.into(), at));
        self
    }

    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.size = (width.max(200), height.max(200));
        self
    }

    pub fn save_png(&self, path: impl AsRef<Path>) -> Result<(), PlotError> {
        ensure_font();
        let path = path.as_ref();
        let root = BitMapBackend::new(path, self.size).into_drawing_area();
        root.fill(&WHITE).map_err(|e| PlotError::write(path, e))?;
        self.draw(&root).map_err(|e| PlotError::write(path, e))?;
        root.present().map_err(|e| PlotError::write(path, e))
    }

    fn shaded(&self) -> Vec<f64> {
        if !self.log {
            return self.values.clone();
        }
        let min = self
            .values
            .iter()
            .cloned()
            .filter(|v| v.is_finite())
            .fold(f64::INFINITY, f64::min);
        self.values
            .iter()
            .map(|&v| (v - min + 1e-12).log10())
            .collect()
    }

    fn draw(&self, root: &DrawingArea<BitMapBackend<'_>, Shift>) -> Result<(), String> {
        let (main, bar) = root.split_horizontally(self.size.0 - 110);
        let shaded = self.shaded();
        let norm = Normalise::over(shaded.iter());
        let ((x0, x1), (y0, y1)) = (self.x_range, self.y_range);
        let mut chart = ChartBuilder::on(&main)
            .caption(&self.title, (FONT, 22))
            .margin(12)
            .x_label_area_size(45)
            .y_label_area_size(60)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_label_formatter(&|v| number_label(*v))
            .y_label_formatter(&|v| number_label(*v))
            .label_style((FONT, 14))
            .x_desc("x")
            .y_desc("y")
            .axis_desc_style((FONT, 16))
            .draw()
            .map_err(|e| e.to_string())?;
        let (dx, dy) = ((x1 - x0) / SAMPLES as f64, (y1 - y0) / SAMPLES as f64);
        let cells = (0..SAMPLES)
            .flat_map(|j| (0..SAMPLES).map(move |i| (i, j)))
            .map(|(i, j)| {
                let t = (norm.at(shaded[j * SAMPLES + i]) * BANDS).floor() / BANDS;
                let (xl, yb) = (x0 + i as f64 * dx, y0 + j as f64 * dy);
                Rectangle::new([(xl, yb), (xl + dx, yb + dy)], viridis(t).filled())
            });
        chart.draw_series(cells).map_err(|e| e.to_string())?;

        for (k, (label, points)) in self.paths.iter().enumerate() {
            let colour = path_colour(k);
            let pts: Vec<(f64, f64)> = points
                .iter()
                .cloned()
                .filter(|(x, y)| x.is_finite() && y.is_finite())
                .collect();
            chart
                .draw_series(LineSeries::new(pts.clone(), colour.stroke_width(2)))
                .map_err(|e| e.to_string())?
                .label(label.as_str())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2))
                });
            let radius = if pts.len() > 300 { 1 } else { 3 };
            chart
                .draw_series(pts.iter().map(|&p| Circle::new(p, radius, colour.filled())))
                .map_err(|e| e.to_string())?;
        }
        for (label, at) in &self.markers {
            chart
                .draw_series(std::iter::once(Cross::new(*at, 7, RED.stroke_width(3))))
                .map_err(|e| e.to_string())?;
            if !label.is_empty() {
                chart
                    .draw_series(std::iter::once(Text::new(
                        label.clone(),
                        *at,
                        (FONT, 14).into_font().color(&RED),
                    )))
                    .map_err(|e| e.to_string())?;
            }
        }
        if !self.paths.is_empty() {
            chart
                .configure_series_labels()
                .label_font((FONT, 14))
                .background_style(WHITE.mix(0.85))
                .border_style(RGBColor(120, 120, 120))
                .position(SeriesLabelPosition::UpperRight)
                .draw()
                .map_err(|e| e.to_string())?;
        }
        colour_bar(
            &bar,
            norm.range(),
            self.log.then_some(log_tick as fn(f64) -> String),
        )
    }
}

/// Paths are drawn over a viridis background, so skip the palette's colours that vanish on
/// it (green, olive, cyan) and start with the high-contrast ones.
fn path_colour(k: usize) -> RGBColor {
    const ORDER: [usize; 7] = [3, 1, 0, 6, 4, 5, 7];
    if k < ORDER.len() {
        series_colour(ORDER[k])
    } else {
        series_colour(k)
    }
}

fn cell_centre(i: usize, j: usize, (x0, x1): (f64, f64), (y0, y1): (f64, f64)) -> (f64, f64) {
    let n = SAMPLES as f64;
    (
        x0 + (i as f64 + 0.5) * (x1 - x0) / n,
        y0 + (j as f64 + 0.5) * (y1 - y0) / n,
    )
}
