//! How good a trained solution is: relative L2 and maximum errors against the exact
//! solution on a grid, residual statistics, problem-specific measures, and plots.

use std::path::Path;

use serde::Serialize;

use super::network::{Pinn, Solved};
use super::problem::Problem;
use super::solver::{LossRecord, Phase};
use super::PinnError;
use crate::plot::{Chart, Heatmap};
use crate::tensor::Float;

/// Accuracy of a solution, measured on a cell-centred grid of the domain.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// Grid points per axis.
    pub grid_per_axis: usize,
    /// ‖u − u*‖₂ / ‖u*‖₂ over the grid (when the exact solution u* is known).
    pub relative_l2: Option<f64>,
    /// max |u − u*| over the grid.
    pub max_abs_error: Option<f64>,
    /// mean |r|, root-mean-square r and max |r| of the residual over the grid.
    pub residual_mean_abs: f64,
    pub residual_rms: f64,
    pub residual_max_abs: f64,
    /// The problem's own measures (e.g. Black–Scholes price and delta errors).
    pub extra: Vec<(String, f64)>,
}

/// Evaluates `pinn` for `problem` on a grid of `per_axis` points per axis.
pub fn evaluate<F: Float>(problem: &dyn Problem<F>, pinn: &Pinn<F>, per_axis: usize) -> Report {
    let domain = problem.domain();
    let d = domain.dim();
    let pts = domain.grid(per_axis);
    let u = pinn.values(problem, &pts);
    let exact: Option<Vec<f64>> = pts.chunks_exact(d).map(|p| problem.exact(p)).collect();
    let (relative_l2, max_abs_error) = match &exact {
        Some(e) => {
            let (mut num, mut den, mut max) = (0.0, 0.0, 0.0f64);
            for (a, b) in u.iter().zip(e) {
                num += (a - b) * (a - b);
                den += b * b;
                max = max.max((a - b).abs());
            }
            (Some((num / den).sqrt()), Some(max))
        }
        None => (None, None),
    };
    let r = pinn.residuals(problem, &pts);
    let n = r.len() as f64;
    Report {
        grid_per_axis: per_axis,
        relative_l2,
        max_abs_error,
        residual_mean_abs: r.iter().map(|v| v.abs()).sum::<f64>() / n,
        residual_rms: (r.iter().map(|v| v * v).sum::<f64>() / n).sqrt(),
        residual_max_abs: r.iter().fold(0.0, |m, v| m.max(v.abs())),
        extra: problem.extra_metrics(&Solved { pinn, problem }),
    }
}

fn out_err(path: &Path, e: impl ToString) -> PinnError {
    PinnError::Output {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

/// Writes `solution.png` (solution and exact), `error.png` (|u − u*|, or the residual when
/// no exact solution is known) and `loss.png` (history) into `dir`; returns the file names.
pub fn save_plots<F: Float>(
    problem: &dyn Problem<F>,
    pinn: &Pinn<F>,
    history: &[LossRecord],
    dir: &Path,
) -> Result<Vec<String>, PinnError> {
    let domain = problem.domain();
    let axes = domain.axes();
    let mut written = Vec::new();
    let mut save = |name: &str, r: Result<(), crate::plot::PlotError>| -> Result<(), PinnError> {
        let path = dir.join(name);
        r.map_err(|e| out_err(&path, e))?;
        written.push(name.to_string());
        Ok(())
    };
    let title = problem.name();
    if domain.dim() == 1 {
        let pts = domain.grid(401);
        let u = pinn.values(problem, &pts);
        let xs = pts.clone();
        let mut chart = Chart::new(format!("{title}: solution"))
            .x_label(axes[0])
            .y_label("u")
            .line("network", xs.iter().copied().zip(u.iter().copied()));
        let exact: Option<Vec<f64>> = pts.iter().map(|&x| problem.exact(&[x])).collect();
        if let Some(e) = &exact {
            chart = chart.points(
                "exact",
                xs.iter().copied().zip(e.iter().copied()).step_by(10),
            );
        }
        save("solution.png", chart.save_png(dir.join("solution.png")))?;
        let (label, err): (&str, Vec<f64>) = match &exact {
            Some(e) => (
                "|u - exact|",
                u.iter().zip(e).map(|(a, b)| (a - b).abs()).collect(),
            ),
            None => (
                "|residual|",
                pinn.residuals(problem, &pts)
                    .iter()
                    .map(|r| r.abs())
                    .collect(),
            ),
        };
        let chart = Chart::new(format!("{title}: error"))
            .x_label(axes[0])
            .y_label(label)
            .log_y()
            .line(
                label,
                xs.iter().copied().zip(err.iter().map(|v| v.max(1e-300))),
            );
        save("error.png", chart.save_png(dir.join("error.png")))?;
    } else {
        let m = 60;
        let pts = domain.grid(m);
        let u = pinn.values(problem, &pts);
        let exact: Option<Vec<f64>> = pts.chunks_exact(2).map(|p| problem.exact(p)).collect();
        // grid() runs the second axis fastest; heatmap rows go along the second axis from
        // the top, so the picture has axis 0 across and axis 1 upwards.
        let rows_of = |v: &[f64]| -> Vec<Vec<f64>> {
            (0..m)
                .rev()
                .map(|j| (0..m).map(|i| v[i * m + j]).collect())
                .collect()
        };
        let b = domain.bounds();
        let ticks = |(lo, hi): (f64, f64)| -> Vec<String> {
            (0..m)
                .map(|k| {
                    if k % 10 == 0 {
                        format!("{:.2}", lo + (k as f64 + 0.5) / m as f64 * (hi - lo))
                    } else {
                        String::new()
                    }
                })
                .collect()
        };
        let mut y_ticks = ticks(b[1]);
        y_ticks.reverse();
        let heat = |name: &str, v: &[f64]| {
            Heatmap::new(format!("{title}: {name}"), rows_of(v))
                .x_label(axes[0])
                .y_label(axes[1])
                .x_ticks(ticks(b[0]))
                .y_ticks(y_ticks.clone())
                .size(900, 800)
        };
        save(
            "solution.png",
            heat("solution", &u).save_png(dir.join("solution.png")),
        )?;
        let err: Vec<f64> = match &exact {
            Some(e) => u.iter().zip(e).map(|(a, b)| (a - b).abs()).collect(),
            None => pinn
                .residuals(problem, &pts)
                .iter()
                .map(|r| r.abs())
                .collect(),
        };
        let name = if exact.is_some() {
            "|u - exact|"
        } else {
            "|residual|"
        };
        save(
            "error.png",
            heat(name, &err).save_png(dir.join("error.png")),
        )?;
    }
    let series = |phase: Phase| -> Vec<(f64, f64)> {
        history
            .iter()
            .filter(|r| r.phase == phase && r.loss > 0.0)
            .map(|r| (r.evaluation as f64, r.loss))
            .collect()
    };
    let mut chart = Chart::new(format!("{title}: loss"))
        .x_label("gradient evaluations")
        .y_label("loss")
        .log_y();
    for (label, phase) in [
        ("first order", Phase::FirstOrder),
        ("L-BFGS (best so far)", Phase::Lbfgs),
    ] {
        let s = series(phase);
        if !s.is_empty() {
            chart = chart.line(label, s);
        }
    }
    save("loss.png", chart.save_png(dir.join("loss.png")))?;
    Ok(written)
}
