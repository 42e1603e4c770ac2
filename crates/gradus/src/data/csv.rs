//! A small reader for numeric CSV: comma-separated decimal numbers, one row per line.
//!
//! Why hand-written: the bundled data sets and the files scientists export from
//! spreadsheets and numpy (`np.savetxt(..., delimiter=",")`) are plain numbers, so a few
//! dozen lines cover them and the library needs no CSV dependency. One separator per file
//! (comma by default, any other with `Table::parse_delimited`); quoted fields and missing
//! values are not supported, and each is reported with its line and column so the user can
//! fix the file.

use std::path::{Path, PathBuf};

use crate::data::error::DataError;
use crate::{Float, Tensor};

/// A rectangular table of numbers read from CSV text, row-major.
///
/// ```
/// use gradus::data::Table;
/// let t = Table::parse("# x,y\n1,2\n3,4.5\n", "inline.csv", 1)?;
/// assert_eq!((t.n_rows, t.n_cols), (2, 2));
/// assert_eq!(t.values, [1.0, 2.0, 3.0, 4.5]);
/// let err = Table::parse("1,2\n3,x\n", "inline.csv", 0).unwrap_err();
/// assert_eq!(err.to_string(),
///     "inline.csv, line 2, column 2: 'x' is not a number; write decimal numbers such as 3.5 or 1e-3");
/// # Ok::<(), gradus::data::DataError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub n_rows: usize,
    pub n_cols: usize,
    pub values: Vec<f64>,
    /// Where the text came from, for error messages.
    pub path: PathBuf,
    /// The 1-based line of the first data row (the header lines come before it).
    pub first_line: usize,
}

impl Table {
    /// Reads and parses a file; see [`parse`](Self::parse).
    pub fn read(path: impl AsRef<Path>, header_lines: usize) -> Result<Table, DataError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| DataError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Table::parse(&text, path, header_lines)
    }

    /// Parses CSV text after skipping `header_lines` lines. There must be at least one data
    /// row, every row must have the same number of fields and every field must be a finite
    /// number; blank lines are allowed only at the end. `path` names the source in error messages.
    pub fn parse(
        text: &str,
        path: impl AsRef<Path>,
        header_lines: usize,
    ) -> Result<Table, DataError> {
        Table::parse_delimited(text, path, header_lines, ',')
    }

    /// [`parse`](Self::parse) with another field separator: `';'` for the spreadsheets of
    /// locales that write decimal commas, `'\t'` for tab-separated files.
    ///
    /// ```
    /// use gradus::data::Table;
    /// let t = Table::parse_delimited("a;b\n1;2.5\n", "semi.csv", 1, ';')?;
    /// assert_eq!(t.values, [1.0, 2.5]);
    /// # Ok::<(), gradus::data::DataError>(())
    /// ```
    pub fn parse_delimited(
        text: &str,
        path: impl AsRef<Path>,
        header_lines: usize,
        delimiter: char,
    ) -> Result<Table, DataError> {
        let path = path.as_ref().to_path_buf();
        let fail = |line: usize, column: usize, reason: String| DataError::Parse {
            path: path.clone(),
            line,
            column,
            reason,
        };
        let body = text.trim_end();
        let mut values = Vec::new();
        let mut n_cols = 0;
        let mut n_rows = 0;
        for (index, line) in body.lines().enumerate().skip(header_lines) {
            let line_no = index + 1;
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() {
                let reason = "empty line inside the data; delete it".to_string();
                return Err(fail(line_no, 1, reason));
            }
            let mut fields = 0;
            for (j, field) in line.split(delimiter).enumerate() {
                let field = field.trim();
                let value = match field.parse::<f64>() {
                    Ok(v) if v.is_finite() => v,
                    Ok(_) => {
                        let reason = format!(
                            "'{field}' is not a finite number; remove the row or replace the \
                             value (NaN and infinite values cannot be trained on)"
                        );
                        return Err(fail(line_no, j + 1, reason));
                    }
                    _ if field.is_empty() => {
                        let reason = "empty field; fill in a value (missing values are \
                                      not supported)";
                        return Err(fail(line_no, j + 1, reason.into()));
                    }
                    _ => {
                        let reason = format!(
                            "'{field}' is not a number; write decimal numbers such as 3.5 or 1e-3"
                        );
                        return Err(fail(line_no, j + 1, reason));
                    }
                };
                values.push(value);
                fields += 1;
            }
            if n_rows == 0 {
                n_cols = fields;
            } else if fields != n_cols {
                let reason = format!(
                    "{fields} fields, but the first data row has {n_cols}; give every row \
                     the same number of comma-separated values"
                );
                return Err(fail(line_no, fields.min(n_cols) + 1, reason));
            }
            n_rows += 1;
        }
        if n_rows == 0 {
            let reason = match header_lines {
                _ if body.trim().is_empty() => "no data rows: the file is empty; write one row \
                                                of comma-separated numbers per line"
                    .to_string(),
                h => format!(
                    "no data rows after the {h} header line(s); write one row of \
                     comma-separated numbers per line below the header"
                ),
            };
            let line = if body.trim().is_empty() {
                1
            } else {
                header_lines + 1
            };
            return Err(fail(line, 1, reason));
        }
        Ok(Table {
            n_rows,
            n_cols,
            values,
            path,
            first_line: header_lines + 1,
        })
    }

    /// Columns `cols` of every row as an n × `cols.len()` tensor.
    /// Panics if the range goes past the last column.
    pub fn columns<F: Float>(&self, cols: std::ops::Range<usize>) -> Tensor<F> {
        assert!(
            cols.end <= self.n_cols,
            "Table::columns: {cols:?} past {} columns",
            self.n_cols
        );
        let width = cols.len();
        let mut data = Vec::with_capacity(self.n_rows * width);
        for row in self.values.chunks_exact(self.n_cols.max(1)) {
            data.extend(row[cols.clone()].iter().map(|&v| F::of(v)));
        }
        Tensor::from_vec(data, [self.n_rows, width])
    }

    /// Column `col` read as class labels: each value must be a whole number in
    /// `0..n_classes`, else a parse error pointing at it.
    pub fn labels(&self, col: usize, n_classes: usize) -> Result<Vec<usize>, DataError> {
        assert!(
            col < self.n_cols,
            "Table::labels: column {col} past {} columns",
            self.n_cols
        );
        (0..self.n_rows)
            .map(|i| {
                let v = self.values[i * self.n_cols + col];
                if v >= 0.0 && v < n_classes as f64 && v.fract() == 0.0 {
                    Ok(v as usize)
                } else {
                    Err(DataError::Parse {
                        path: self.path.clone(),
                        line: self.first_line + i,
                        column: col + 1,
                        reason: format!(
                            "class label {v} is not a whole number from 0 to {}; \
                             number the classes 0, 1, 2, …",
                            n_classes.saturating_sub(1)
                        ),
                    })
                }
            })
            .collect()
    }
}
