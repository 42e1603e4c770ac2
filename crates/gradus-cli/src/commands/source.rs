//! Where a command's rows come from: a bundled data set or a CSV file, shared by `train`,
//! `evaluate` and `predict` so that all three read files the same way.

use std::path::PathBuf;

use anyhow::bail;
use gradus::data::{self, Dataset, Table};
use gradus::{Float, Tensor};

pub struct DataSource<'a> {
    /// "digits", "breast-cancer", or a CSV path.
    pub data: &'a str,
    /// CSV: 0-based target column (default: last).
    pub target: Option<usize>,
    /// CSV: header lines to skip.
    pub header: usize,
    pub regression: bool,
    /// Classification: the number of classes when it is known (a saved multi-class model's
    /// outputs), so that evaluation data lacking the top class still fits the model.
    /// Otherwise the largest label + 1.
    pub classes: Option<usize>,
}

impl DataSource<'_> {
    pub fn load<F: Float>(&self) -> anyhow::Result<Dataset<F>> {
        Ok(match self.data {
            "digits" => data::digits()?,
            "breast-cancer" | "breast_cancer" => data::breast_cancer()?,
            _ => {
                let (table, target) = self.table(true)?;
                let target = target.expect("a target column is required here");
                let x = features::<F>(&table, Some(target));
                if self.regression {
                    Dataset::regression(x, table.columns(target..target + 1))?
                } else {
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

    /// Feature rows only (for prediction): the target column is dropped if one is named.
    pub fn features<F: Float>(&self) -> anyhow::Result<Tensor<F>> {
        match self.data {
            "digits" | "breast-cancer" | "breast_cancer" => Ok(self.load::<F>()?.x),
            _ => {
                let (table, target) = self.table(false)?;
                Ok(features(&table, target))
            }
        }
    }

    fn table(&self, need_target: bool) -> anyhow::Result<(Table, Option<usize>)> {
        let path = PathBuf::from(self.data);
        if !path.exists() {
            bail!(
                "--data {}: no such bundled data set (digits, breast-cancer) or file",
                path.display()
            );
        }
        let table = Table::read(&path, self.header)?;
        let target = match (self.target, need_target) {
            (Some(t), _) => Some(t),
            (None, true) => Some(table.n_cols.saturating_sub(1)),
            (None, false) => None,
        };
        if table.n_cols < 2 && need_target {
            bail!(
                "{}: only {} column per row, but training and evaluation need at least one \
                 feature column and a target column; add the columns, or check the delimiter \
                 (gradus reads comma-separated values)",
                path.display(),
                table.n_cols
            );
        }
        if let Some(t) = target {
            if t >= table.n_cols {
                bail!(
                    "{}: there is no target column {t}: rows have {} columns (numbered from 0); \
                     pass --target (or [data] target) from 0 to {}",
                    path.display(),
                    table.n_cols,
                    table.n_cols - 1
                );
            }
        }
        Ok((table, target))
    }
}

/// Every column but `target`, as an n x features tensor.
fn features<F: Float>(table: &Table, target: Option<usize>) -> Tensor<F> {
    let values: Vec<F> = table
        .values
        .chunks_exact(table.n_cols)
        .flat_map(|row| {
            row.iter()
                .enumerate()
                .filter(|&(c, _)| Some(c) != target)
                .map(|(_, &v)| F::of(v))
        })
        .collect();
    let cols = table.n_cols - usize::from(target.is_some());
    Tensor::from_vec(values, [table.n_rows, cols])
}
