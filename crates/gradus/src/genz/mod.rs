//! Function approximation study on Genz's test functions: how well does a network trained
//! on N random samples approximate f: [0, 1]^d → ℝ, against N and d, and against a
//! polynomial least-squares baseline? The study routine takes any closure, so a researcher
//! can run it on their own model's policy function.
//!
//! | file | what |
//! |---|---|
//! | `families.rs` | the six Genz families, given or random (Genz 1987) parameters |
//! | `study.rs` | [`run_study`]: one trained network per (function, d, N, seed), in parallel, resumable |
//! | `log.rs` | the append-only JSON-lines record of finished cells |
//! | `baseline.rs` | total-degree Legendre least squares by Householder QR |
//! | `report.rs` | mean and spread over seeds, Markdown/CSV tables, error-vs-N plots |

mod baseline;
mod families;
mod log;
mod report;
mod study;

pub use baseline::{
    basis_size, choose_degree, lstsq_qr, total_degree_indices, PolyConfig, Polynomial,
};
pub use families::{member_seed, Family, Genz, GenzError, Params};
pub use log::{parse as parse_log, CellLog, LogError};
pub use report::{csv, markdown_table, plot_errors, summarize, Metric, Spread, SummaryRow};
pub use study::{
    run_study, sample, CellResult, ConfigError, Errors, StudyConfig, StudyError, Target, Training,
};
