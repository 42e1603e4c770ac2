//! The one error type of the data module.
//!
//! Shape mismatches between tensors inside the library are programmer errors and panic
//! (see `docs/ARCHITECTURE.md`). What a user can get wrong (a file that is missing or
//! malformed, split fractions from a configuration, labels out of range) comes back as a
//! [`DataError`] whose message says what to change, so the command can print it as is.

use std::path::PathBuf;

/// Something wrong with data the user supplied.
///
/// Variants carry structured fields (path, line, column) so that a caller can point at
/// the problem; `Display` gives one sentence ending with what to do about it.
///
/// ```
/// use gradus::data::{train_val_test_split, DataError};
/// let err = train_val_test_split(10, (0.5, 0.5, 0.5), 0).unwrap_err();
/// assert!(matches!(err, DataError::BadFractions { .. }));
/// assert!(err.to_string().contains("sum to 1"));
/// ```
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// A file could not be read.
    #[error("cannot read {}: {source}; check that the path is right and the file is readable", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A CSV line could not be understood. `line` is 1-based; `column` is the 1-based
    /// field number (the spreadsheet column), not a character offset, because a row of
    /// 65 numbers is easier to fix by field than by character.
    #[error("{}, line {line}, column {column}: {reason}", path.display())]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        reason: String,
    },

    /// Tensors or files whose sizes do not fit together.
    #[error("data shape problem: {what}")]
    Shape { what: String },

    /// A class label that is not below the number of classes.
    #[error(
        "row {row} has class label {label}, but there are only {n_classes} classes \
         (labels 0..{n_classes}); renumber the classes from 0 or raise the class count"
    )]
    BadLabel {
        row: usize,
        label: usize,
        n_classes: usize,
    },

    /// Train/validation/test fractions that are negative or do not sum to 1.
    #[error(
        "bad split fractions: {reason}; give three fractions (train, validation, test), \
         each at least 0, that sum to 1, for example (0.8, 0.1, 0.1)"
    )]
    BadFractions { reason: String },
}
