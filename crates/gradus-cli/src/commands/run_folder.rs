//! The run folder `runs/<name>/` of `gradus train`:
//!
//! | file | written | what |
//! |---|---|---|
//! | `config.toml`, `config.json` | at the start | the resolved settings (`--config runs/NAME/config.toml` repeats the run) |
//! | `events.out.tfevents.*` | every epoch | TensorBoard scalars: loss, accuracy (train, validation), learning rate |
//! | `checkpoint.safetensors` | every N epochs | everything `--resume` needs (`--checkpoint-every N`) |
//! | `metrics.json` | at the end | per-epoch history and test metrics |
//! | `model/` | at the end | `model.safetensors` + `model.json` (gradus::io) |
//! | `learning_curve.png` | at the end | loss (and accuracy) per epoch |
//! | `confusion_matrix.csv`, `confusion_matrix.png` | at the end, classification | test-set counts, true classes as rows |
//! | `predicted_vs_true.png` | at the end, regression | test-set predictions against targets |
//!
//! Every file is written atomically (temporary file, then rename), so a killed run leaves
//! complete files or none.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use gradus::data::Dataset;
use gradus::io::{save_model, write_atomic, Scaling};
use gradus::nn::{Metrics, Mlp, Task};
use gradus::report::{confusion_png, learning_curve_png, predicted_vs_true_png};
use gradus::train::{confusion_csv, confusion_matrix, History};
use gradus::Float;

use super::train_settings::Settings;

pub struct RunFolder {
    dir: PathBuf,
}

fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    write_atomic(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

/// The resolved settings as TOML (the body of `config.toml`; checkpoints keep a copy).
pub fn settings_toml(s: &Settings) -> anyhow::Result<String> {
    toml::to_string(&s.to_config()).context("cannot write the settings as TOML")
}

impl RunFolder {
    /// Creates the folder and writes the resolved settings.
    pub fn create(dir: &Path, s: &Settings, parameters: usize) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the run folder {}", dir.display()))?;
        let o = &s.optim;
        // config.json: the resolved config.toml as JSON, plus the parameter count.
        let mut config = serde_json::json!({
            "data": s.data, "target": s.target.as_ref().map(|t| t.show()),
            "features": s.features.as_ref().map(|f| f.show()), "header": s.header,
            "task": s.task, "layers": s.hidden_sizes, "hidden": s.hidden_name,
            "optimizer": o.optimizer.name(), "lr": o.lr, "epochs": o.epochs,
            "batch_size": o.batch_size, "l1": s.l1, "l2": s.l2, "dropout": s.dropout,
            "split": [s.split.0, s.split.1, s.split.2], "scale": s.scale, "seed": o.seed,
            "dtype": s.dtype, "checkpoint_every": o.checkpoint_every, "parameters": parameters,
        });
        if let (Some(map), Ok(serde_json::Value::Object(resolved))) =
            (config.as_object_mut(), serde_json::to_value(s.to_config()))
        {
            for section in resolved.values().filter_map(|v| v.as_object()) {
                for (k, v) in section.iter().filter(|(_, v)| !v.is_null()) {
                    map.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
        }
        write(
            &dir.join("config.json"),
            (serde_json::to_string_pretty(&config)? + "\n").as_bytes(),
        )?;
        let path = dir.join("config.toml");
        let text = format!(
            "# Resolved settings of this run; repeat it with `gradus train --config {}`.\n\n{}",
            path.display(),
            settings_toml(s)?
        );
        write(&path, text.as_bytes())?;
        Ok(RunFolder {
            dir: dir.to_path_buf(),
        })
    }

    /// Writes what a finished run adds: metrics, model, plots and (classification) the
    /// confusion matrix of the test part.
    pub fn write_results<F: Float>(
        &self,
        net: &Mlp<F>,
        scaling: Option<Scaling>,
        history: &History,
        test_metrics: Option<Metrics>,
        test: &Dataset<F>,
    ) -> anyhow::Result<()> {
        let dir = &self.dir;
        let epochs: Vec<_> = history
            .epochs
            .iter()
            .map(|r| {
                serde_json::json!({
                    "epoch": r.epoch, "train_loss": r.train_loss, "train_accuracy": r.train_accuracy,
                    "val_loss": r.val_loss, "val_accuracy": r.val_accuracy, "lr": r.lr,
                })
            })
            .collect();
        let metrics = serde_json::json!({
            "history": epochs,
            "best_epoch": history.best_epoch,
            "stopped_early": history.stopped_early,
            "parameters": net.param_count(),
            "test": test_metrics.map(|m| serde_json::json!({ "loss": m.loss, "accuracy": m.accuracy })),
        });
        save_model(&dir.join("model"), net, scaling, vec![])?;
        learning_curve_png(&dir.join("learning_curve.png"), history)?;
        if !test.is_empty() {
            if let Some(classes) = test.n_classes() {
                // Rows are true classes, columns predicted ones.
                let truth = test.labels.clone().unwrap_or_else(|| test.y.argmax_rows());
                let matrix = confusion_matrix(&truth, &net.predict_classes(&test.x), classes);
                write(
                    &dir.join("confusion_matrix.csv"),
                    confusion_csv(&matrix).as_bytes(),
                )?;
                confusion_png(&dir.join("confusion_matrix.png"), &matrix)?;
            } else {
                let outputs = test.n_targets();
                let first = |t: &gradus::Tensor<F>| -> Vec<f64> {
                    t.data()
                        .iter()
                        .step_by(outputs)
                        .map(|v| v.as_f64())
                        .collect()
                };
                let predicted = net.predict(&test.x);
                predicted_vs_true_png(
                    &dir.join("predicted_vs_true.png"),
                    &first(&test.y),
                    &first(&predicted),
                )?;
            }
        }
        // Last: a metrics.json says the run finished.
        write(
            &dir.join("metrics.json"),
            (serde_json::to_string_pretty(&metrics)? + "\n").as_bytes(),
        )
    }
}

/// Deletes the folder's TensorBoard event files (a new run, or a resume that rewrites them).
pub fn remove_event_files(dir: &Path) -> anyhow::Result<()> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))?;
    for entry in entries.flatten() {
        if entry
            .file_name()
            .to_string_lossy()
            .starts_with("events.out.tfevents.")
        {
            std::fs::remove_file(entry.path())
                .with_context(|| format!("cannot remove {}", entry.path().display()))?;
        }
    }
    Ok(())
}

/// The last epoch, the run folder and the test result, as `gradus train` prints them.
pub fn print_summary<F: Float>(
    net: &Mlp<F>,
    history: &History,
    dir: &Path,
    test: Option<Metrics>,
    test_rows: usize,
) -> anyhow::Result<()> {
    let out = &mut std::io::stdout().lock();
    if let Some(last) = history.last() {
        let mut line = format!("epoch {}: train loss {:.4}", last.epoch, last.train_loss);
        if let Some(a) = last.train_accuracy {
            line += &format!(", train accuracy {a:.4}");
        }
        if let (Some(l), Some(a)) = (last.val_loss, last.val_accuracy) {
            line += &format!(", validation loss {l:.4}, accuracy {a:.4}");
        }
        writeln!(out, "{line}")?;
    }
    writeln!(out, "run folder: {}", dir.display())?;
    let Some(m) = test else {
        return Ok(());
    };
    match (net.task(), m.accuracy) {
        (Task::Regression, _) | (_, None) => {
            writeln!(out, "test loss ({}): {:.6}", net.cost().name(), m.loss)?
        }
        (_, Some(acc)) => {
            let hits = (acc * test_rows as f64).round() as usize;
            writeln!(
                out,
                "test accuracy: {acc:.4} ({hits}/{test_rows}), test loss {:.4}",
                m.loss
            )?
        }
    }
    Ok(())
}
