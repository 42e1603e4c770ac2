//! Pictures of lab runs: the paths on a contour map of a 2-D function, and convergence
//! curves of f − f* against iterations and against function evaluations.

use super::Trace;
use crate::plot::{save_grid, Chart, Contour, PlotError};
use crate::testfn::TestFunction;
use std::path::Path;

/// Paths with more iterates than this are thinned (evenly, keeping both ends) so that a
/// 10 000-step GD run stays readable.
const MAX_PATH_POINTS: usize = 400;
/// Gaps below this are drawn at this value on the log axis (f − f* can be exactly 0).
const FLOOR: f64 = 1e-16;

fn thin<T: Clone>(v: &[T]) -> Vec<T> {
    if v.len() <= MAX_PATH_POINTS {
        return v.to_vec();
    }
    let last = v.len() - 1;
    (0..MAX_PATH_POINTS)
        .map(|k| v[k * last / (MAX_PATH_POINTS - 1)].clone())
        .collect()
}

/// A contour map of the 2-D function `f` over its box (log colour scale), each trace's path
/// on top and crosses at the known minima.
pub fn save_path_plot(
    f: &TestFunction,
    traces: &[Trace],
    path: impl AsRef<Path>,
) -> Result<(), PlotError> {
    if f.dim() != 2 {
        return Err(PlotError::Data {
            what: path.as_ref().display().to_string(),
            reason: format!(
                "a contour plot needs a 2-D function; `{}` has {} dimensions",
                f.name(),
                f.dim()
            ),
        });
    }
    let (lo, hi) = f.domain();
    let g = f.clone();
    let mut plot = Contour::new(
        format!("{}: paths of {} methods", f.name(), traces.len()),
        move |x, y| g.value(&[x, y]),
        (lo, hi),
        (lo, hi),
    )
    .log_scale();
    for t in traces {
        let pts: Vec<(f64, f64)> = thin(&t.points)
            .iter()
            .filter(|p| p[0].is_finite() && p[1].is_finite())
            .map(|p| (p[0], p[1]))
            .collect();
        plot = plot.path(t.method.clone(), pts);
    }
    for (i, m) in f.minima().iter().enumerate() {
        let label = if i == 0 { "minimum" } else { "" };
        plot = plot.marker(label, (m[0], m[1]));
    }
    plot.save_png(path)
}

/// Two panels: f − f* (or f − min f seen, when f* is unknown) against iterations and
/// against evaluations, log scales.
pub fn save_convergence_plot(
    f: &TestFunction,
    traces: &[Trace],
    path: impl AsRef<Path>,
) -> Result<(), PlotError> {
    let reference = f.f_min().unwrap_or_else(|| {
        traces
            .iter()
            .flat_map(|t| t.values.iter().copied())
            .filter(|v| v.is_finite())
            .fold(f64::INFINITY, f64::min)
    });
    let gap = |v: f64| (v - reference).max(FLOOR);
    let mut by_iter = Chart::new(format!("{}: f − f* by iteration", f.name()))
        .x_label("iteration + 1")
        .y_label("f − f*")
        .log_x()
        .log_y();
    let mut by_eval = Chart::new(format!("{}: f − f* by evaluation", f.name()))
        .x_label("function evaluations")
        .y_label("f − f*")
        .log_x()
        .log_y();
    for t in traces {
        let iter_pts: Vec<(f64, f64)> = t
            .values
            .iter()
            .enumerate()
            .map(|(i, &v)| ((i + 1) as f64, gap(v)))
            .collect();
        let eval_pts: Vec<(f64, f64)> = t
            .evals
            .iter()
            .zip(&t.values)
            .map(|(&e, &v)| (e as f64, gap(v)))
            .collect();
        by_iter = by_iter.line(t.method.clone(), thin(&iter_pts));
        by_eval = by_eval.line(t.method.clone(), thin(&eval_pts));
    }
    save_grid(path, &[by_iter, by_eval], 2)
}
