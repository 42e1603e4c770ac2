//! Summaries of a study: mean and spread over seeds per (function, d, N), as a Markdown
//! table and CSV, and log–log plots of error against N (one panel per function, one line per
//! dimension, the polynomial baseline beside the network).

use std::path::Path;

use super::study::CellResult;
use crate::plot::{save_grid, Chart, PlotError};

/// Mean, sample standard deviation (0 for one seed), min and max over seeds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spread {
    pub mean: f64,
    pub std: f64,
    pub min: f64,
    pub max: f64,
}

impl Spread {
    /// `None` for no values.
    pub fn of(values: &[f64]) -> Option<Spread> {
        if values.is_empty() {
            return None;
        }
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let var = if values.len() > 1 {
            values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)
        } else {
            0.0
        };
        Some(Spread {
            mean,
            std: var.sqrt(),
            min: values.iter().copied().fold(f64::INFINITY, f64::min),
            max: values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        })
    }
}

/// One (function, d, N) over its seeds.
#[derive(Clone, Debug, PartialEq)]
pub struct SummaryRow {
    pub function: String,
    pub dim: usize,
    pub n: usize,
    pub seeds: usize,
    pub net_mean_abs: Spread,
    pub net_max_abs: Spread,
    pub net_mean_rel: Option<Spread>,
    pub net_max_rel: Option<Spread>,
    pub poly_mean_abs: Option<Spread>,
    pub poly_max_abs: Option<Spread>,
    pub poly_degree: Option<usize>,
    /// Wall-clock seconds of all its cells together.
    pub seconds: f64,
    /// CPU seconds of all its cells together (0 where not measured).
    pub cpu_seconds: f64,
}

/// Groups results (sorted by function, d, N as [`super::run_study`] returns them) into rows.
pub fn summarize(results: &[CellResult]) -> Vec<SummaryRow> {
    let mut rows = Vec::new();
    let mut i = 0;
    while i < results.len() {
        let r0 = &results[i];
        let group: Vec<&CellResult> = results[i..]
            .iter()
            .take_while(|r| r.function == r0.function && r.dim == r0.dim && r.n == r0.n)
            .collect();
        i += group.len();
        let pick = |f: &dyn Fn(&CellResult) -> Option<f64>| -> Vec<f64> {
            group.iter().filter_map(|r| f(r)).collect()
        };
        rows.push(SummaryRow {
            function: r0.function.clone(),
            dim: r0.dim,
            n: r0.n,
            seeds: group.len(),
            net_mean_abs: Spread::of(&pick(&|r| Some(r.net.mean_abs))).expect("non-empty group"),
            net_max_abs: Spread::of(&pick(&|r| Some(r.net.max_abs))).expect("non-empty group"),
            net_mean_rel: Spread::of(&pick(&|r| r.net.mean_rel)),
            net_max_rel: Spread::of(&pick(&|r| r.net.max_rel)),
            poly_mean_abs: Spread::of(&pick(&|r| r.poly.map(|p| p.mean_abs))),
            poly_max_abs: Spread::of(&pick(&|r| r.poly.map(|p| p.max_abs))),
            poly_degree: r0.poly_degree,
            seconds: group.iter().map(|r| r.seconds).sum(),
            cpu_seconds: group.iter().filter_map(|r| r.cpu_seconds).sum(),
        });
    }
    rows
}

fn pm(s: Option<Spread>) -> String {
    match s {
        Some(s) => format!("{:.2e} ± {:.1e}", s.mean, s.std),
        None => "–".into(),
    }
}

/// A Markdown table: errors as mean ± standard deviation over seeds.
pub fn markdown_table(rows: &[SummaryRow]) -> String {
    let mut out = String::from(
        "| function | d | N | seeds | net mean abs | net max abs | net mean rel | net max rel \
         | poly mean abs | poly max abs | poly degree |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for r in rows {
        out += &format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            r.function,
            r.dim,
            r.n,
            r.seeds,
            pm(Some(r.net_mean_abs)),
            pm(Some(r.net_max_abs)),
            pm(r.net_mean_rel),
            pm(r.net_max_rel),
            pm(r.poly_mean_abs),
            pm(r.poly_max_abs),
            r.poly_degree.map_or("–".into(), |p| p.to_string()),
        );
    }
    out
}

/// The same rows as CSV, with mean and standard deviation in separate columns.
pub fn csv(rows: &[SummaryRow]) -> String {
    let mut out = String::from(
        "function,dim,n,seeds,net_mean_abs,net_mean_abs_std,net_max_abs,net_max_abs_std,\
         net_mean_rel,net_max_rel,poly_mean_abs,poly_mean_abs_std,poly_max_abs,poly_degree,seconds,cpu_seconds\n",
    );
    let m = |s: Option<Spread>| s.map_or(String::new(), |s| format!("{:e}", s.mean));
    let sd = |s: Option<Spread>| s.map_or(String::new(), |s| format!("{:e}", s.std));
    for r in rows {
        out += &format!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{:.3},{:.3}\n",
            r.function,
            r.dim,
            r.n,
            r.seeds,
            m(Some(r.net_mean_abs)),
            sd(Some(r.net_mean_abs)),
            m(Some(r.net_max_abs)),
            sd(Some(r.net_max_abs)),
            m(r.net_mean_rel),
            m(r.net_max_rel),
            m(r.poly_mean_abs),
            sd(r.poly_mean_abs),
            m(r.poly_max_abs),
            r.poly_degree.map_or(String::new(), |p| p.to_string()),
            r.seconds,
            r.cpu_seconds,
        );
    }
    out
}

/// Which error a plot shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    MeanAbs,
    MaxAbs,
}

/// Log–log panels of error against N: one per function (in order of first appearance), one
/// line per dimension for the network (mean over seeds) and, when present, one for the
/// polynomial baseline.
pub fn plot_errors(
    rows: &[SummaryRow],
    metric: Metric,
    path: &Path,
    columns: usize,
) -> Result<(), PlotError> {
    let mut functions: Vec<&str> = Vec::new();
    for r in rows {
        if !functions.contains(&r.function.as_str()) {
            functions.push(&r.function);
        }
    }
    let what = match metric {
        Metric::MeanAbs => "mean abs error",
        Metric::MaxAbs => "max abs error",
    };
    let charts: Vec<Chart> = functions
        .iter()
        .map(|f| {
            let mut dims: Vec<usize> = rows
                .iter()
                .filter(|r| r.function == *f)
                .map(|r| r.dim)
                .collect();
            dims.dedup();
            let mut chart = Chart::new(*f)
                .x_label("training points N")
                .y_label(what)
                .log_x()
                .log_y()
                .size(520, 380);
            let of = |r: &SummaryRow, net: bool| match (metric, net) {
                (Metric::MeanAbs, true) => Some(r.net_mean_abs.mean),
                (Metric::MaxAbs, true) => Some(r.net_max_abs.mean),
                (Metric::MeanAbs, false) => r.poly_mean_abs.map(|s| s.mean),
                (Metric::MaxAbs, false) => r.poly_max_abs.map(|s| s.mean),
            };
            for &d in &dims {
                let line = |net: bool| -> Vec<(f64, f64)> {
                    rows.iter()
                        .filter(|r| r.function == *f && r.dim == d)
                        .filter_map(|r| of(r, net).map(|e| (r.n as f64, e)))
                        .collect()
                };
                chart = chart.line(format!("net d={d}"), line(true));
                let poly = line(false);
                if !poly.is_empty() {
                    chart = chart.line(format!("poly d={d}"), poly);
                }
            }
            chart
        })
        .collect();
    save_grid(path, &charts, columns)
}
