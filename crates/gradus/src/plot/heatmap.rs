//! Heatmaps of a table of values: hyper-parameter grids (η × λ accuracy), confusion matrices.

use super::colormap::{text_on, viridis, Normalise};
use super::{ensure_font, number_label, PlotError, FONT};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::Path;

type Annotate = fn(f64) -> String;

/// A grid of coloured cells, row 0 at the top, with tick labels and an optional value in
/// every cell. NaN cells are grey (a trial that failed, a class never predicted).
pub struct Heatmap {
    title: String,
    values: Vec<Vec<f64>>,
    x_label: String,
    y_label: String,
    x_ticks: Vec<String>,
    y_ticks: Vec<String>,
    annotate: Option<Box<dyn Fn(f64) -> String>>,
    size: (u32, u32),
}

impl Heatmap {
    pub fn new(title: impl Into<String>, rows: Vec<Vec<f64>>) -> Self {
        Heatmap {
            title: title.into(),
            values: rows,
            x_label: String::new(),
            y_label: String::new(),
            x_ticks: Vec::new(),
            y_ticks: Vec::new(),
            annotate: None,
            size: (800, 650),
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

    /// Labels of the columns, left to right (default 0, 1, …).
    pub fn x_ticks(mut self, ticks: Vec<String>) -> Self {
        self.x_ticks = ticks;
        self
    }

    /// Labels of the rows, top to bottom (default 0, 1, …).
    pub fn y_ticks(mut self, ticks: Vec<String>) -> Self {
        self.y_ticks = ticks;
        self
    }

    /// Writes `format(value)` in every cell.
    pub fn annotate(mut self, format: impl Fn(f64) -> String + 'static) -> Self {
        self.annotate = Some(Box::new(format));
        self
    }

    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.size = (width.max(150), height.max(150));
        self
    }

    pub fn save_png(&self, path: impl AsRef<Path>) -> Result<(), PlotError> {
        ensure_font();
        let path = path.as_ref();
        let ny = self.values.len();
        let nx = self.values.first().map_or(0, Vec::len);
        if ny == 0 || nx == 0 || self.values.iter().any(|r| r.len() != nx) {
            return Err(PlotError::Data {
                what: path.display().to_string(),
                reason: "a heatmap needs a non-empty table whose rows all have the same length"
                    .into(),
            });
        }
        let root = BitMapBackend::new(path, self.size).into_drawing_area();
        root.fill(&WHITE).map_err(|e| PlotError::write(path, e))?;
        self.draw(&root, nx, ny)
            .map_err(|e| PlotError::write(path, e))?;
        root.present().map_err(|e| PlotError::write(path, e))
    }

    fn draw(
        &self,
        root: &DrawingArea<BitMapBackend<'_>, Shift>,
        nx: usize,
        ny: usize,
    ) -> Result<(), String> {
        let (main, bar) = root.split_horizontally(self.size.0 - 110);
        let norm = Normalise::over(self.values.iter().flatten());
        let tick =
            |ticks: &[String], i: usize| ticks.get(i).cloned().unwrap_or_else(|| i.to_string());
        let x_ticks = self.x_ticks.clone();
        let fx = move |v: &SegmentValue<usize>| match v {
            SegmentValue::CenterOf(i) if *i < nx => tick(&x_ticks, *i),
            _ => String::new(),
        };
        let y_tick_labels = self.y_ticks.clone();
        // Row r is drawn in segment ny-1-r so that row 0 is at the top.
        let fy = move |v: &SegmentValue<usize>| match v {
            SegmentValue::CenterOf(j) if *j < ny => tick(&y_tick_labels, ny - 1 - *j),
            _ => String::new(),
        };
        let mut chart = ChartBuilder::on(&main)
            .caption(&self.title, (FONT, 22))
            .margin(12)
            .x_label_area_size(50)
            .y_label_area_size(90)
            // A segmented range over 0..m has m + 1 cells (0..=m), hence the − 1.
            .build_cartesian_2d((0..nx - 1).into_segmented(), (0..ny - 1).into_segmented())
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(nx)
            .y_labels(ny)
            .x_label_formatter(&fx)
            .y_label_formatter(&fy)
            .x_desc(self.x_label.as_str())
            .y_desc(self.y_label.as_str())
            .label_style((FONT, 14))
            .axis_desc_style((FONT, 16))
            .draw()
            .map_err(|e| e.to_string())?;
        for (r, row) in self.values.iter().enumerate() {
            let j = ny - 1 - r;
            for (i, &v) in row.iter().enumerate() {
                let colour = viridis(norm.at(v));
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [
                            (SegmentValue::Exact(i), SegmentValue::Exact(j)),
                            (SegmentValue::Exact(i + 1), SegmentValue::Exact(j + 1)),
                        ],
                        colour.filled(),
                    )))
                    .map_err(|e| e.to_string())?;
                if let Some(format) = &self.annotate {
                    let ink = text_on(colour);
                    let style = TextStyle::from((FONT, 15).into_font())
                        .color(&ink)
                        .pos(Pos::new(HPos::Center, VPos::Center));
                    chart
                        .draw_series(std::iter::once(Text::new(
                            format(v),
                            (SegmentValue::CenterOf(i), SegmentValue::CenterOf(j)),
                            style,
                        )))
                        .map_err(|e| e.to_string())?;
                }
            }
        }
        colour_bar(&bar, norm.range(), None)
    }
}

/// A vertical colour bar for the value range `lo..hi`; with `log` the labels show 10^v.
pub(crate) fn colour_bar(
    area: &DrawingArea<BitMapBackend<'_>, Shift>,
    (lo, hi): (f64, f64),
    log: Option<Annotate>,
) -> Result<(), String> {
    let (w, h) = area.dim_in_pixel();
    let (top, bottom) = (50i32, h as i32 - 60);
    let left = 10i32;
    let width = 22i32;
    let steps = (bottom - top).max(1);
    for k in 0..steps {
        let t = 1.0 - k as f64 / steps as f64;
        area.draw(&Rectangle::new(
            [(left, top + k), (left + width, top + k + 1)],
            viridis(t).filled(),
        ))
        .map_err(|e| e.to_string())?;
    }
    area.draw(&Rectangle::new(
        [(left, top), (left + width, bottom)],
        BLACK.stroke_width(1),
    ))
    .map_err(|e| e.to_string())?;
    let label = |v: f64| log.map_or_else(|| number_label(v), |f| f(v));
    let style = TextStyle::from((FONT, 13).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
    for k in 0..=4 {
        let t = k as f64 / 4.0;
        let y = bottom - (t * (bottom - top) as f64) as i32;
        area.draw(&Text::new(
            label(lo + t * (hi - lo)),
            (left + width + 5, y),
            style.clone(),
        ))
        .map_err(|e| e.to_string())?;
    }
    let _ = w;
    Ok(())
}
