//! Line charts, scatter plots and histograms on linear or log axes, alone or in panels.

use super::colormap::series_colour;
use super::{ensure_font, log_tick, number_label, PlotError, FONT};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// One chart: a title, axis labels, and any number of lines, scatters and histograms.
///
/// Log axes are drawn by plotting log10 of the data on a linear axis and labelling ticks
/// with the original values; points that are not finite (or not positive on a log axis) are
/// left out, and a line is broken where they were.
#[derive(Clone, Debug)]
pub struct Chart {
    title: String,
    x_label: String,
    y_label: String,
    log_x: bool,
    log_y: bool,
    size: (u32, u32),
    legend_upper_left: bool,
    layers: Vec<Layer>,
}

#[derive(Clone, Debug)]
enum Layer {
    Line {
        label: String,
        points: Vec<(f64, f64)>,
    },
    Points {
        label: String,
        points: Vec<(f64, f64)>,
    },
    Bars {
        label: String,
        values: Vec<f64>,
        bins: usize,
    },
}

impl Chart {
    pub fn new(title: impl Into<String>) -> Self {
        Chart {
            title: title.into(),
            x_label: String::new(),
            y_label: String::new(),
            log_x: false,
            log_y: false,
            size: (800, 600),
            legend_upper_left: false,
            layers: Vec::new(),
        }
    }

    pub fn x_label(mut self, label: impl Into<String>) -> Self {
        self.x_label = label.into();
        self
    }

    pub fn y_label(mut self, label: impl Into<String>) -> Self {
        self.y_label = label.into();
        self
    }

    /// Logarithmic x axis.
    pub fn log_x(mut self) -> Self {
        self.log_x = true;
        self
    }

    /// Logarithmic y axis.
    pub fn log_y(mut self) -> Self {
        self.log_y = true;
        self
    }

    /// The legend in the upper left corner instead of the upper right: for curves that rise
    /// to the right (step time against size), whose last points the legend would hide.
    pub fn legend_upper_left(mut self) -> Self {
        self.legend_upper_left = true;
        self
    }

    /// Image size in pixels (default 800×600; in `save_grid`, the size of one panel).
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.size = (width.max(100), height.max(100));
        self
    }

    /// A polyline through `points` in the given order.
    pub fn line(
        mut self,
        label: impl Into<String>,
        points: impl IntoIterator<Item = (f64, f64)>,
    ) -> Self {
        self.layers.push(Layer::Line {
            label: label.into(),
            points: points.into_iter().collect(),
        });
        self
    }

    /// Markers at `points`, unconnected.
    pub fn points(
        mut self,
        label: impl Into<String>,
        points: impl IntoIterator<Item = (f64, f64)>,
    ) -> Self {
        self.layers.push(Layer::Points {
            label: label.into(),
            points: points.into_iter().collect(),
        });
        self
    }

    /// A histogram of `values` in `bins` equal-width bins over their range (on a log x axis
    /// the bins are equal in log10).
    pub fn histogram(mut self, label: impl Into<String>, values: &[f64], bins: usize) -> Self {
        self.layers.push(Layer::Bars {
            label: label.into(),
            values: values.to_vec(),
            bins: bins.max(1),
        });
        self
    }

    /// Draws the chart into a PNG file.
    pub fn save_png(&self, path: impl AsRef<Path>) -> Result<(), PlotError> {
        ensure_font();
        let path = path.as_ref();
        let root = BitMapBackend::new(path, self.size).into_drawing_area();
        root.fill(&WHITE).map_err(|e| PlotError::write(path, e))?;
        self.draw_on(&root).map_err(|e| PlotError::write(path, e))?;
        root.present().map_err(|e| PlotError::write(path, e))
    }

    fn tx(&self, x: f64) -> Option<f64> {
        transform(x, self.log_x)
    }

    fn ty(&self, y: f64) -> Option<f64> {
        transform(y, self.log_y)
    }

    /// Bars as (left, right, count) in plotted coordinates.
    fn bars(&self, values: &[f64], bins: usize) -> Vec<(f64, f64, f64)> {
        let v: Vec<f64> = values.iter().filter_map(|&x| self.tx(x)).collect();
        if v.is_empty() {
            return Vec::new();
        }
        let lo = v.iter().cloned().fold(f64::INFINITY, f64::min);
        let hi = v.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let width = if hi > lo {
            (hi - lo) / bins as f64
        } else {
            1.0
        };
        let mut counts = vec![0usize; bins];
        for x in v {
            let i = (((x - lo) / width) as usize).min(bins - 1);
            counts[i] += 1;
        }
        counts
            .into_iter()
            .enumerate()
            .map(|(i, c)| (lo + i as f64 * width, lo + (i + 1) as f64 * width, c as f64))
            .collect()
    }

    /// Plotted-coordinate bounding box of everything drawn, padded by 5%.
    fn bounds(&self) -> ((f64, f64), (f64, f64)) {
        let mut xs = Span::default();
        let mut ys = Span::default();
        for layer in &self.layers {
            match layer {
                Layer::Line { points, .. } | Layer::Points { points, .. } => {
                    for &(x, y) in points {
                        if let (Some(x), Some(y)) = (self.tx(x), self.ty(y)) {
                            xs.add(x);
                            ys.add(y);
                        }
                    }
                }
                Layer::Bars { values, bins, .. } => {
                    for (l, r, c) in self.bars(values, *bins) {
                        xs.add(l);
                        xs.add(r);
                        ys.add(self.bar_base());
                        if let Some(c) = self.ty(c) {
                            ys.add(c);
                        }
                    }
                }
            }
        }
        (xs.padded(), ys.padded())
    }

    fn bar_base(&self) -> f64 {
        if self.log_y {
            (0.5f64).log10()
        } else {
            0.0
        }
    }

    pub(crate) fn draw_on(
        &self,
        area: &DrawingArea<BitMapBackend<'_>, Shift>,
    ) -> Result<(), String> {
        let ((x0, x1), (y0, y1)) = self.bounds();
        let mut chart = ChartBuilder::on(area)
            .caption(&self.title, (FONT, 22))
            .margin(12)
            .x_label_area_size(45)
            .y_label_area_size(70)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(|e| e.to_string())?;
        let (log_x, log_y) = (self.log_x, self.log_y);
        let fx = move |v: &f64| {
            if log_x {
                log_tick(*v)
            } else {
                number_label(*v)
            }
        };
        let fy = move |v: &f64| {
            if log_y {
                log_tick(*v)
            } else {
                number_label(*v)
            }
        };
        // Label density follows the panel size, so small panels in a grid stay legible.
        let (w, h) = area.dim_in_pixel();
        chart
            .configure_mesh()
            .x_labels((w / 90).clamp(3, 10) as usize)
            .y_labels((h / 50).clamp(3, 10) as usize)
            .x_desc(self.x_label.as_str())
            .y_desc(self.y_label.as_str())
            .x_label_formatter(&fx)
            .y_label_formatter(&fy)
            .label_style((FONT, 14))
            .axis_desc_style((FONT, 16))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(|e| e.to_string())?;

        let mut labelled = false;
        for (i, layer) in self.layers.iter().enumerate() {
            let colour = series_colour(i);
            match layer {
                Layer::Line { label, points } => {
                    let mut first = true;
                    for run in self.runs(points) {
                        let series = chart
                            .draw_series(LineSeries::new(run, colour.stroke_width(2)))
                            .map_err(|e| e.to_string())?;
                        if first && !label.is_empty() {
                            series.label(label.as_str()).legend(move |(x, y)| {
                                PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2))
                            });
                            labelled = true;
                        }
                        first = false;
                    }
                }
                Layer::Points { label, points } => {
                    let pts: Vec<(f64, f64)> = points
                        .iter()
                        .filter_map(|&(x, y)| Some((self.tx(x)?, self.ty(y)?)))
                        .collect();
                    let radius = if pts.len() > 2000 { 1 } else { 3 };
                    let series = chart
                        .draw_series(
                            pts.into_iter()
                                .map(|p| Circle::new(p, radius, colour.mix(0.7).filled())),
                        )
                        .map_err(|e| e.to_string())?;
                    if !label.is_empty() {
                        series
                            .label(label.as_str())
                            .legend(move |(x, y)| Circle::new((x + 10, y), 4, colour.filled()));
                        labelled = true;
                    }
                }
                Layer::Bars {
                    label,
                    values,
                    bins,
                } => {
                    let base = self.bar_base();
                    let bars: Vec<_> = self
                        .bars(values, *bins)
                        .into_iter()
                        .filter_map(|(l, r, c)| Some((l, r, self.ty(c)?)))
                        .collect();
                    let series = chart
                        .draw_series(bars.into_iter().map(|(l, r, c)| {
                            Rectangle::new([(l, base), (r, c)], colour.mix(0.6).filled())
                        }))
                        .map_err(|e| e.to_string())?;
                    if !label.is_empty() {
                        series.label(label.as_str()).legend(move |(x, y)| {
                            Rectangle::new([(x, y - 5), (x + 20, y + 5)], colour.mix(0.6).filled())
                        });
                        labelled = true;
                    }
                }
            }
        }
        if labelled {
            chart
                .configure_series_labels()
                .label_font((FONT, 14))
                .background_style(WHITE.mix(0.85))
                .border_style(RGBColor(180, 180, 180))
                .position(if self.legend_upper_left {
                    SeriesLabelPosition::UpperLeft
                } else {
                    SeriesLabelPosition::UpperRight
                })
                .draw()
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    /// Splits a polyline at points that cannot be drawn, in plotted coordinates.
    fn runs(&self, points: &[(f64, f64)]) -> Vec<Vec<(f64, f64)>> {
        let mut runs = vec![Vec::new()];
        for &(x, y) in points {
            match (self.tx(x), self.ty(y)) {
                (Some(x), Some(y)) => runs.last_mut().expect("never empty").push((x, y)),
                _ => {
                    if !runs.last().expect("never empty").is_empty() {
                        runs.push(Vec::new());
                    }
                }
            }
        }
        runs.retain(|r| !r.is_empty());
        runs
    }
}

/// Several charts as panels of one PNG, filled row by row, `columns` per row. Each panel has
/// the size of the first chart.
pub fn save_grid(
    path: impl AsRef<Path>,
    charts: &[Chart],
    columns: usize,
) -> Result<(), PlotError> {
    ensure_font();
    let path = path.as_ref();
    if charts.is_empty() {
        return Err(PlotError::Data {
            what: path.display().to_string(),
            reason: "no charts to draw".into(),
        });
    }
    let columns = columns.clamp(1, charts.len());
    let rows = charts.len().div_ceil(columns);
    let (w, h) = charts[0].size;
    let root = BitMapBackend::new(path, (w * columns as u32, h * rows as u32)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| PlotError::write(path, e))?;
    for (chart, panel) in charts.iter().zip(root.split_evenly((rows, columns))) {
        chart
            .draw_on(&panel)
            .map_err(|e| PlotError::write(path, e))?;
    }
    root.present().map_err(|e| PlotError::write(path, e))
}

fn transform(v: f64, log: bool) -> Option<f64> {
    if log {
        (v > 0.0 && v.is_finite()).then(|| v.log10())
    } else {
        v.is_finite().then_some(v)
    }
}

/// Running min/max of plotted coordinates.
#[derive(Default)]
struct Span {
    lo: Option<f64>,
    hi: Option<f64>,
}

impl Span {
    fn add(&mut self, v: f64) {
        self.lo = Some(self.lo.map_or(v, |l| l.min(v)));
        self.hi = Some(self.hi.map_or(v, |h| h.max(v)));
    }

    fn padded(&self) -> (f64, f64) {
        match (self.lo, self.hi) {
            (Some(lo), Some(hi)) if hi > lo => {
                let pad = 0.05 * (hi - lo);
                (lo - pad, hi + pad)
            }
            (Some(v), Some(_)) => {
                let pad = if v == 0.0 { 1.0 } else { 0.1 * v.abs() };
                (v - pad, v + pad)
            }
            _ => (0.0, 1.0),
        }
    }
}
