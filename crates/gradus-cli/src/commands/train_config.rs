//! The config file of `gradus train --config FILE.toml`: `[data]`, `[model]` and `[training]`
//! sections named the way a Keras user would look for them. The same layout is written back as
//! `runs/<name>/config.toml`, so a run repeats with `--config runs/<name>/config.toml`.
//!
//! Every key is optional: a file sets what differs from the defaults and flags given on the
//! command line override it. Unknown keys are errors (`deny_unknown_fields`), because a misspelt
//! `learning_rate` that is silently ignored trains with the default rate and nobody notices.

use std::ops::Range;
use std::path::Path;

use anyhow::{anyhow, Context};
use serde::{Deserialize, Serialize};
use toml::Value;

pub use super::train_config_keys::{Columns, Dtype, Scale, TaskKind};

/// One layer of settings: the file, the flags, or (all keys set) the resolved run.
#[derive(Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConfigFile {
    pub data: DataSection,
    pub model: ModelSection,
    pub training: TrainingSection,
}

/// `[data]`: where the rows come from and how they are prepared.
#[derive(Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct DataSection {
    /// Bundled data set name or CSV path (`--data`).
    pub source: Option<String>,
    /// CSV: target column(s) by index or header name; several for multi-output regression.
    /// `None` after resolving still means "the last column", so it is left out of the file.
    pub target: Option<Columns>,
    /// CSV: feature columns by index or header name (`None`: every column but the target).
    pub features: Option<Columns>,
    pub header: Option<usize>,
    /// CSV: the field separator, one character (`","`, `";"`, `"\t"`).
    pub delimiter: Option<String>,
    pub task: Option<TaskKind>,
    pub split: Option<Vec<f64>>,
    pub scale: Option<Scale>,
}

/// `[model]`: the network and its cost.
#[derive(Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ModelSection {
    pub layers: Option<Vec<usize>>,
    /// Hidden activation.
    pub hidden: Option<String>,
    /// Output activation (softmax/sigmoid for classification, identity for regression).
    pub output: Option<String>,
    pub loss: Option<String>,
    /// δ of the Huber loss.
    pub huber_delta: Option<f64>,
    /// Weight initialiser (Keras' `kernel_initializer`).
    pub init: Option<String>,
    pub batch_norm: Option<bool>,
    pub dropout: Option<f64>,
    pub l1: Option<f64>,
    pub l2: Option<f64>,
    pub dtype: Option<Dtype>,
}

/// `[training]`: the optimiser and its settings, the schedule, clipping, early stopping and
/// the loop.
#[derive(Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainingSection {
    pub optimizer: Option<String>,
    pub lr: Option<f64>,
    pub momentum: Option<f64>,
    pub nesterov: Option<bool>,
    pub rho: Option<f64>,
    pub beta_1: Option<f64>,
    pub beta_2: Option<f64>,
    pub epsilon: Option<f64>,
    pub weight_decay: Option<f64>,
    /// Learning-rate schedule, stepped once per epoch.
    pub schedule: Option<String>,
    pub step_size: Option<usize>,
    pub gamma: Option<f64>,
    pub decay_rate: Option<f64>,
    pub decay_epochs: Option<usize>,
    pub min_lr: Option<f64>,
    pub clip_norm: Option<f64>,
    pub clip_value: Option<f64>,
    /// Early stopping on the validation loss: epochs without improvement before stopping.
    pub patience: Option<usize>,
    pub min_delta: Option<f64>,
    pub restore_best_weights: Option<bool>,
    pub epochs: Option<usize>,
    pub batch_size: Option<usize>,
    pub seed: Option<u64>,
    /// Epochs between checkpoints (`--checkpoint-every`; 0: none).
    pub checkpoint_every: Option<usize>,
}

impl ConfigFile {
    /// Reads a config file; any mistake is one line naming the file, line, column and key.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the config file {}", path.display()))?;
        toml::from_str(&text).map_err(|e| anyhow!(describe(path, &text, &e)))
    }

    /// Keys set in `self` win over those in `base`. Merged as TOML tables, key by key, so a
    /// key added to a section needs no line here.
    pub fn over(self, base: ConfigFile) -> ConfigFile {
        let (Ok(Value::Table(top)), Ok(Value::Table(mut merged))) =
            (Value::try_from(&self), Value::try_from(&base))
        else {
            unreachable!("a config always serialises to a table");
        };
        for (section, keys) in top {
            let Value::Table(keys) = keys else { continue };
            match merged.get_mut(&section) {
                Some(Value::Table(into)) => into.extend(keys),
                _ => {
                    merged.insert(section, Value::Table(keys));
                }
            }
        }
        Value::Table(merged)
            .try_into()
            .expect("two valid configs merge into a valid one")
    }

    /// Whether `[section] key` is set in this layer.
    pub fn has(&self, section: &str, key: &str) -> bool {
        match Value::try_from(self) {
            Ok(v) => v.get(section).and_then(|s| s.get(key)).is_some(),
            Err(_) => false,
        }
    }
}

/// The 1-based line of `key = ...` inside `[section]` of a config file's text.
pub fn line_of(text: &str, section: &str, key: &str) -> Option<usize> {
    let mut current = String::new();
    for (i, line) in text.lines().enumerate() {
        let l = line.trim();
        if let Some(name) = l.strip_prefix('[').and_then(|r| r.split(']').next()) {
            current = name.trim().to_string();
        } else if current == section && l.split_once('=').is_some_and(|(k, _)| k.trim() == key) {
            return Some(i + 1);
        }
    }
    None
}

/// Turns the toml crate's multi-line report into one paragraph: "FILE, line L, column C: ...".
/// An unknown key is reported with its section and that section's valid keys.
pub(super) fn describe(path: &Path, text: &str, e: &toml::de::Error) -> String {
    let message = e.message().trim().replace('\n', "; ");
    let Some(span) = e.span() else {
        return format!("{}: {message}", path.display());
    };
    let (line, column) = position(text, span.start);
    let at = format!("{}, line {line}, column {column}", path.display());
    // serde words it "unknown field `k`, expected one of `a`, `b`" (or "expected `a`").
    let Some(rest) = message.strip_prefix("unknown field `") else {
        // A value of the wrong type: the span is the value, its key starts the line.
        let line_start = text[..span.start.min(text.len())]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let key = text[line_start..]
            .split_once('=')
            .map(|(k, _)| k.trim().to_string())
            .filter(|k| !k.is_empty() && !k.starts_with('['));
        return match (key, section_of(text, &span)) {
            (Some(key), Some(section)) => format!(
                "{at}: [{section}] {key}: {message}; change the value to the type named \
                 (numbers unquoted, names in quotes, lists in [ ])"
            ),
            _ => format!("{at}: {message}"),
        };
    };
    let Some((key, expected)) = rest.split_once('`') else {
        return format!("{at}: {message}");
    };
    let valid = expected
        .trim_start_matches(", expected ")
        .trim_start_matches("one of ")
        .replace('`', "");
    match section_of(text, &span) {
        Some(section) => {
            format!("{at}: unknown key `{key}` — valid keys in [{section}] are {valid}")
        }
        None => format!("{at}: unknown section or key `{key}` — valid sections are {valid}"),
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (
        before.matches('\n').count() + 1,
        before[line_start..].chars().count() + 1,
    )
}

/// The `[section]` a key at `span` sits in, or `None` when it is a section header itself or
/// sits above every header (the top level).
fn section_of(text: &str, span: &Range<usize>) -> Option<String> {
    let start = span.start.min(text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    if text[line_start..].trim_start().starts_with('[') {
        return None;
    }
    text[..line_start].lines().rev().find_map(|l| {
        let l = l.trim();
        let name = l.strip_prefix('[')?.split(']').next()?;
        Some(name.trim().to_string())
    })
}
