//! The study's record of finished cells: one JSON object per line (`results.jsonl`).
//!
//! Appending is what makes a study resumable: a cell is written the moment it finishes, as
//! one `write` of one complete line on a file opened for appending, then flushed to disk.
//! A crash can at worst leave a partial *last* line; on reading, a last line that does not
//! parse (and has no newline) is cut off and its cell simply runs again, while a bad line
//! anywhere else is corruption and is reported with its line number. Why not rewrite the
//! whole file atomically after each cell (`io::write_atomic`): that is quadratic in the
//! number of cells and gains nothing, since appended complete lines are never rewritten.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::study::CellResult;

/// A problem with the results log.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LogError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{path}, line {line}: not a study record ({reason}); move the file away to start afresh"
    )]
    Corrupt {
        path: PathBuf,
        line: usize,
        reason: String,
    },
    #[error(
        "{path} holds a result for {cell} made with other settings or function parameters; \
         use another --out folder, or delete the file to rerun everything"
    )]
    ConfigChanged { path: PathBuf, cell: String },
}

/// An open results log: the records read at opening, and the file to append to.
pub struct CellLog {
    path: PathBuf,
    file: File,
    done: Vec<CellResult>,
}

impl CellLog {
    /// Reads the records in `path` (a missing file has none) and opens it for appending,
    /// creating the folder if needed.
    pub fn open(path: &Path) -> Result<CellLog, LogError> {
        let io = |source| LogError::Io {
            path: path.to_owned(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(io(e)),
        };
        let done = parse(path, &text)?;
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(io)?;
        // A last piece without its newline: a complete record that lost only the newline is
        // ended, a torn one is cut off, so the next record starts on a line of its own.
        if !text.is_empty() && !text.ends_with('\n') {
            let tail_start = text.rfind('\n').map_or(0, |i| i + 1);
            if serde_json::from_str::<CellResult>(&text[tail_start..]).is_ok() {
                file.write_all(b"\n").map_err(io)?;
            } else {
                file.set_len(tail_start as u64).map_err(io)?;
            }
        }
        Ok(CellLog {
            path: path.to_owned(),
            file,
            done,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The records that were in the file when it was opened.
    pub fn done(&self) -> &[CellResult] {
        &self.done
    }

    /// Appends one record as one line, and syncs it to disk.
    pub fn append(&mut self, record: &CellResult) -> Result<(), LogError> {
        let mut line = serde_json::to_string(record).expect("records serialise");
        line.push('\n');
        let io = |source| LogError::Io {
            path: self.path.clone(),
            source,
        };
        self.file.write_all(line.as_bytes()).map_err(io)?;
        self.file.sync_data().map_err(io)
    }
}

/// The records of a log's text; see the module notes for torn last lines.
pub fn parse(path: &Path, text: &str) -> Result<Vec<CellResult>, LogError> {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut done = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<CellResult>(line) {
            Ok(r) => done.push(r),
            // The last piece without a newline: a write cut short.
            Err(_) if i + 1 == lines.len() => {}
            Err(e) => {
                return Err(LogError::Corrupt {
                    path: path.to_owned(),
                    line: i + 1,
                    reason: e.to_string(),
                })
            }
        }
    }
    Ok(done)
}
