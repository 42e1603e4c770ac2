//! Where a command's rows come from: a bundled data set or a CSV file, shared by `train`,
//! `evaluate` and `predict` so that all three read files the same way: the same delimiter,
//! and target and feature columns picked by 0-based index or by header name.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use gradus::data::{self, Dataset, Table};
use gradus::{Float, Tensor};

use super::train_config_keys::{Column, Columns};

pub struct DataSource<'a> {
    /// "digits", "breast-cancer", or a CSV path.
    pub data: &'a str,
    /// CSV: target column(s) (default: the last column).
    pub target: Option<&'a Columns>,
    /// CSV: feature columns (default: every column but the target(s)).
    pub features: Option<&'a Columns>,
    /// CSV: header lines to skip; the last one names the columns.
    pub header: usize,
    /// CSV: the field separator.
    pub delimiter: char,
    pub regression: bool,
    /// Classification: the number of classes when it is known (a saved multi-class model's
    /// outputs), so that evaluation data lacking the top class still fits the model.
    /// Otherwise the largest label + 1.
    pub classes: Option<usize>,
}

/// A parsed CSV file with its columns resolved to indices.
struct Picked {
    table: Table,
    targets: Vec<usize>,
    features: Vec<usize>,
}

impl DataSource<'_> {
    pub fn load<F: Float>(&self) -> anyhow::Result<Dataset<F>> {
        Ok(match self.data {
            "digits" => data::digits()?,
            "breast-cancer" | "breast_cancer" => data::breast_cancer()?,
            _ => {
                let Picked {
                    table,
                    targets,
                    features,
                } = self.table(true)?;
                let x = pick::<F>(&table, &features);
                if self.regression {
                    Dataset::regression(x, pick(&table, &targets))?
                } else {
                    let [target] = targets[..] else {
                        bail!(
                            "{}: classification takes one target column of class labels, not {}; \
                             several target columns are for --task regression",
                            self.data,
                            targets.len()
                        );
                    };
                    let max = table
                        .values
                        .iter()
                        .skip(target)
                        .step_by(table.n_cols)
                        .fold(0.0f64, |m, &v| m.max(v));
                    let classes = self.classes.unwrap_or(max as usize + 1);
                    let labels = table.labels(target, classes)?;
                    Dataset::classification(x, labels, classes)?
                }
            }
        })
    }

    /// Feature rows only (for prediction): the feature columns if named, else every column
    /// but the target(s) if named, else every column.
    pub fn features<F: Float>(&self) -> anyhow::Result<Tensor<F>> {
        match self.data {
            "digits" | "breast-cancer" | "breast_cancer" => Ok(self.load::<F>()?.x),
            _ => {
                let p = self.table(false)?;
                Ok(pick(&p.table, &p.features))
            }
        }
    }

    fn table(&self, need_target: bool) -> anyhow::Result<Picked> {
        let path = PathBuf::from(self.data);
        if !path.exists() {
            bail!(
                "--data {}: no such bundled data set (digits, breast-cancer) or file",
                path.display()
            );
        }
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let table = Table::parse_delimited(&text, &path, self.header, self.delimiter)
            .map_err(|e| self.delimiter_hint(e, &text))?;
        if table.n_cols < 2 && need_target {
            bail!(
                "{}: only {} column per row, but training and evaluation need at least one \
                 feature column and a target column; add the columns, or check the delimiter \
                 (--delimiter / [data] delimiter; {:?} now)",
                path.display(),
                table.n_cols,
                self.delimiter.to_string()
            );
        }
        let names = self.header_names(&text);
        let resolve = |cols: &Columns, what: &str| -> anyhow::Result<Vec<usize>> {
            let mut out = Vec::with_capacity(cols.0.len());
            for c in &cols.0 {
                let i = resolve(&path, &table, names.as_deref(), c, what)?;
                if out.contains(&i) {
                    bail!(
                        "{}: column {c} appears twice in --{what} / [data] {what}; name each \
                         column once",
                        path.display()
                    );
                }
                out.push(i);
            }
            Ok(out)
        };
        let targets = match (self.target, need_target) {
            // Prediction with named features needs no target column in the file.
            (Some(_), false) if self.features.is_some() => vec![],
            (Some(t), _) => resolve(t, "target")?,
            (None, true) => vec![table.n_cols - 1],
            (None, false) => vec![],
        };
        let features = match self.features {
            Some(f) => resolve(f, "features")?,
            None => (0..table.n_cols).filter(|c| !targets.contains(c)).collect(),
        };
        if let Some(c) = features.iter().find(|c| targets.contains(c)) {
            bail!(
                "{}: column {c} is both a target and a feature (--target / [data] target, \
                 --features / [data] features); a model must not see its answer among its inputs",
                path.display()
            );
        }
        if features.is_empty() {
            bail!(
                "{}: no feature columns are left beside the target; name the features with \
                 --features / [data] features",
                path.display()
            );
        }
        Ok(Picked {
            table,
            targets,
            features,
        })
    }

    /// A parse error, with a hint when the first data row holds no delimiter but another
    /// common separator (a semicolon file read as comma-separated).
    fn delimiter_hint(&self, e: gradus::data::DataError, text: &str) -> anyhow::Error {
        let row = text.lines().nth(self.header).unwrap_or("");
        let other = [',', ';', '\t', '|']
            .into_iter()
            .find(|&c| c != self.delimiter && row.contains(c));
        match other {
            Some(c) if !row.contains(self.delimiter) => anyhow::anyhow!(
                "{e}; the rows look separated by {:?}, not {:?}: pass --delimiter {:?} (or \
                 [data] delimiter = {:?})",
                c.to_string(),
                self.delimiter.to_string(),
                if c == '\t' {
                    "tab".to_string()
                } else {
                    c.to_string()
                },
                c.to_string()
            ),
            _ => e.into(),
        }
    }

    /// The names in the last header line, split by the delimiter (quotes and spaces trimmed);
    /// `None` without a header.
    fn header_names(&self, text: &str) -> Option<Vec<String>> {
        let line = text.lines().nth(self.header.checked_sub(1)?)?;
        Some(
            line.trim_end_matches('\r')
                .split(self.delimiter)
                .map(|s| s.trim().trim_matches('"').trim().to_string())
                .collect(),
        )
    }
}

/// The 0-based index of column `c` of `table`.
fn resolve(
    path: &Path,
    table: &Table,
    names: Option<&[String]>,
    c: &Column,
    what: &str,
) -> anyhow::Result<usize> {
    match c {
        Column::Index(i) if *i < table.n_cols => Ok(*i),
        Column::Index(i) => bail!(
            "{}: there is no {what} column {i}: rows have {} columns (numbered from 0); pass \
             --{what} (or [data] {what}) from 0 to {}, or a column name from the header",
            path.display(),
            table.n_cols,
            table.n_cols - 1
        ),
        Column::Name(n) => {
            let Some(names) = names else {
                bail!(
                    "{}: --{what} / [data] {what} names column {n:?}, but the file is read \
                     without a header line (header = 0); set header = 1 or give the column's \
                     0-based index",
                    path.display()
                );
            };
            match names.iter().position(|h| h == n) {
                Some(i) if i < table.n_cols => Ok(i),
                _ => {
                    let mut list = names
                        .iter()
                        .take(30)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ");
                    if names.len() > 30 {
                        list += ", …";
                    }
                    bail!(
                        "{}: no column named {n:?} for --{what} / [data] {what}; the header \
                         (line {}) names {list} (names are case-sensitive; check the delimiter \
                         if this looks like one name)",
                        path.display(),
                        table.first_line - 1
                    )
                }
            }
        }
    }
}

/// Columns `cols` (in that order) of every row, as an n × cols.len() tensor.
fn pick<F: Float>(table: &Table, cols: &[usize]) -> Tensor<F> {
    let values: Vec<F> = table
        .values
        .chunks_exact(table.n_cols)
        .flat_map(|row| cols.iter().map(|&c| F::of(row[c])))
        .collect();
    Tensor::from_vec(values, [table.n_rows, cols.len()])
}
