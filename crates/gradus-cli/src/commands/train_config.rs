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

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskKind {
    Classification,
    Regression,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scale {
    Minmax,
    Standard,
    None,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dtype {
    F32,
    F64,
}

/// One layer of settings: the file, the flags, or (all keys set) the resolved run.
#[derive(Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConfigFile {
    pub data: DataSection,
    pub model: ModelSection,
    pub training: TrainingSection,
}

#[derive(Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct DataSection {
    /// Bundled data set name or CSV path (`--data`).
    pub source: Option<String>,
    /// `None` after resolving still means "the last column", so it is left out of the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<usize>,
    pub header: Option<usize>,
    pub task: Option<TaskKind>,
    pub split: Option<Vec<f64>>,
    pub scale: Option<Scale>,
}

#[derive(Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ModelSection {
    pub layers: Option<Vec<usize>>,
    pub hidden: Option<String>,
    pub dropout: Option<f64>,
    pub l2: Option<f64>,
    pub dtype: Option<Dtype>,
}

#[derive(Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainingSection {
    pub optimizer: Option<String>,
    pub lr: Option<f64>,
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

    /// Keys set in `self` win over those in `base`.
    pub fn over(self, base: ConfigFile) -> ConfigFile {
        let (d, b) = (self.data, base.data);
        let (m, bm) = (self.model, base.model);
        let (t, bt) = (self.training, base.training);
        ConfigFile {
            data: DataSection {
                source: d.source.or(b.source),
                target: d.target.or(b.target),
                header: d.header.or(b.header),
                task: d.task.or(b.task),
                split: d.split.or(b.split),
                scale: d.scale.or(b.scale),
            },
            model: ModelSection {
                layers: m.layers.or(bm.layers),
                hidden: m.hidden.or(bm.hidden),
                dropout: m.dropout.or(bm.dropout),
                l2: m.l2.or(bm.l2),
                dtype: m.dtype.or(bm.dtype),
            },
            training: TrainingSection {
                optimizer: t.optimizer.or(bt.optimizer),
                lr: t.lr.or(bt.lr),
                epochs: t.epochs.or(bt.epochs),
                batch_size: t.batch_size.or(bt.batch_size),
                seed: t.seed.or(bt.seed),
                checkpoint_every: t.checkpoint_every.or(bt.checkpoint_every),
            },
        }
    }
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
