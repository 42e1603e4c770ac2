//! The plots of a run folder: learning curve, confusion matrix (classification), predicted
//! versus true (regression). Thin compositions of `plot`'s charts, kept here so that the
//! command and anything else that writes run folders draw them the same way.

use std::path::Path;

use crate::plot::{save_grid, Chart, Heatmap, PlotError};
use crate::train::History;

/// Loss per epoch (train and, when there is one, validation) and, for classification,
/// accuracy per epoch beside it. Loss is on a log axis when every value is positive, so
/// the late, slow part of training stays visible.
pub fn learning_curve_png(path: &Path, history: &History) -> Result<(), PlotError> {
    let e = &history.epochs;
    let series = |f: &dyn Fn(&crate::train::EpochRecord) -> Option<f64>| -> Vec<(f64, f64)> {
        e.iter()
            .filter_map(|r| f(r).map(|v| (r.epoch as f64, v)))
            .collect()
    };
    let train_loss = series(&|r| Some(r.train_loss));
    let val_loss = series(&|r| r.val_loss);
    let mut loss = Chart::new("loss").x_label("epoch").y_label("loss");
    if train_loss.iter().chain(&val_loss).all(|p| p.1 > 0.0) {
        loss = loss.log_y();
    }
    loss = loss.line("train", train_loss);
    if !val_loss.is_empty() {
        loss = loss.line("validation", val_loss);
    }
    let train_acc = series(&|r| r.train_accuracy);
    if train_acc.is_empty() {
        return loss.save_png(path);
    }
    let val_acc = series(&|r| r.val_accuracy);
    let mut acc = Chart::new("accuracy")
        .x_label("epoch")
        .y_label("accuracy")
        .line("train", train_acc);
    if !val_acc.is_empty() {
        acc = acc.line("validation", val_acc);
    }
    save_grid(path, &[loss, acc], 2)
}

/// Counts of (true class, predicted class), true classes as rows, with each count written
/// in its cell.
pub fn confusion_png(path: &Path, matrix: &[Vec<usize>]) -> Result<(), PlotError> {
    let rows: Vec<Vec<f64>> = matrix
        .iter()
        .map(|r| r.iter().map(|&c| c as f64).collect())
        .collect();
    let ticks: Vec<String> = (0..matrix.len()).map(|i| i.to_string()).collect();
    Heatmap::new("confusion matrix (test set)", rows)
        .x_label("predicted class")
        .y_label("true class")
        .x_ticks(ticks.clone())
        .y_ticks(ticks)
        .annotate(|v| format!("{v:.0}"))
        .save_png(path)
}

/// Predicted against true values of one target, with the line y = x that a perfect model
/// would sit on.
pub fn predicted_vs_true_png(
    path: &Path,
    truth: &[f64],
    predicted: &[f64],
) -> Result<(), PlotError> {
    let (lo, hi) = truth
        .iter()
        .chain(predicted)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
            (l.min(v), h.max(v))
        });
    let points: Vec<(f64, f64)> = truth
        .iter()
        .copied()
        .zip(predicted.iter().copied())
        .collect();
    Chart::new("predicted vs true (test set)")
        .x_label("true")
        .y_label("predicted")
        .line("y = x", [(lo, lo), (hi, hi)])
        .points("test rows", points)
        .save_png(path)
}
