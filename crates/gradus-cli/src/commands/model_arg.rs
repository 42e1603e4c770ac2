//! Opening a saved model folder in the precision it was saved in.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use gradus::io::{ModelSpec, SPEC_FILE};

use super::train_config::{ConfigFile, DataSection};
use super::train_config_keys::{parse_delimiter, Columns};

/// "f32" or "f64", read from the folder's model.json.
pub fn saved_dtype(dir: &Path) -> anyhow::Result<String> {
    let path = dir.join(SPEC_FILE);
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "--model {}: no {SPEC_FILE} there; pass the model folder of a run (runs/NAME/model)",
            dir.display()
        )
    })?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "{}: not valid JSON ({e}); the file is truncated or damaged: copy the model \
             folder again or retrain",
            path.display()
        )
    })?;
    if value.get("format").and_then(|f| f.as_str()) != Some("gradus-model") {
        bail!(
            "{}: not a gradus model description (it lacks \"format\": \"gradus-model\"); \
             pass the model folder a `gradus train` run wrote (runs/NAME/model)",
            path.display()
        );
    }
    let spec: ModelSpec = serde_json::from_value(value).map_err(|e| {
        anyhow::anyhow!(
            "{}: a gradus model description this gradus cannot read ({e}); it was edited or \
             written by another version: retrain the model with this version",
            path.display()
        )
    })?;
    Ok(spec.dtype)
}

/// The flags `evaluate` and `predict` share: which model, and which rows.
#[derive(clap::Args)]
pub struct ModelAndData {
    /// A model folder written by `gradus train` (runs/NAME/model).
    #[arg(long)]
    pub model: PathBuf,
    /// Bundled data set (digits, breast-cancer) or CSV file.
    #[arg(long)]
    pub data: String,
    /// CSV: target column(s), by 0-based index or header name, comma-separated (evaluate:
    /// default the last; predict: columns to leave out). [default: the run's, see below]
    #[arg(long, value_name = "COLS")]
    pub target: Option<String>,
    /// CSV: feature columns, by 0-based index or header name, comma-separated.
    /// [default: the run's, else every column but the target]
    #[arg(long, value_name = "COLS")]
    pub features: Option<String>,
    /// CSV: header lines to skip (the last one names the columns). [default: the run's, else 1]
    #[arg(long)]
    pub header: Option<usize>,
    /// CSV: the field separator (",", ";", "tab", "|"). [default: the run's, else ","]
    #[arg(long)]
    pub delimiter: Option<String>,
}

/// How to read the CSV: the flags, else the settings of the run the model belongs to.
pub struct PickedColumns {
    pub target: Option<Columns>,
    pub features: Option<Columns>,
    pub header: usize,
    pub delimiter: char,
}

impl ModelAndData {
    /// The CSV settings. A model inside a run folder (`runs/NAME/model`) reads a CSV the way
    /// its run did — target, features, header and delimiter from `runs/NAME/config.toml` —
    /// so that a model trained on named columns of a semicolon file needs no flags to be used
    /// on the next such file; flags given override.
    pub fn columns(&self) -> anyhow::Result<PickedColumns> {
        let parse = |flag: &str, v: &Option<String>| {
            v.as_ref().map(|t| Columns::parse_flag(flag, t)).transpose()
        };
        let run = self
            .model
            .parent()
            .map(|dir| dir.join("config.toml"))
            .filter(|p| p.is_file());
        let data = match run {
            Some(path) => ConfigFile::load(&path)?.data,
            None => DataSection::default(),
        };
        let delimiter = match self.delimiter.as_ref().or(data.delimiter.as_ref()) {
            Some(d) => parse_delimiter(d)?,
            None => ',',
        };
        Ok(PickedColumns {
            target: parse("--target", &self.target)?.or(data.target),
            features: parse("--features", &self.features)?.or(data.features),
            header: self.header.or(data.header).unwrap_or(1),
            delimiter,
        })
    }
}
