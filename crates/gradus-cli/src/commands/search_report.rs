//! What a search leaves behind, built from the search folder alone (so `gradus search` and
//! `gradus search merge` write the same files): the ranked table (printed, `results.csv`,
//! `results.md`), the heatmap of a two-key grid (`heatmap.png`, the lectures' η × λ
//! validation-accuracy picture) and the best trial's config (`best.toml`).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anyhow::Context;
use gradus::io::write_atomic;
use gradus::plot::Heatmap;

use super::search_store::{trial_name, Plan, TrialRecord};

/// Classification trials are ranked by validation accuracy, regression ones by validation
/// loss; failed trials come last, in index order.
pub fn rank(records: &BTreeMap<usize, TrialRecord>) -> Vec<&TrialRecord> {
    let mut ranked: Vec<&TrialRecord> = records.values().collect();
    ranked.sort_by(|a, b| {
        let key = |r: &TrialRecord| {
            if !r.ok() {
                return (1, 0.0, 0.0);
            }
            let loss = r.val_loss.unwrap_or(f64::INFINITY);
            (0, -r.val_accuracy.unwrap_or(0.0), loss)
        };
        let (ka, kb) = (key(a), key(b));
        (ka.0, ka.1, ka.2, a.index)
            .partial_cmp(&(kb.0, kb.1, kb.2, b.index))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    ranked
}

/// Writes every output file into `dir` and prints the ranked table to `out`.
pub fn report(
    dir: &Path,
    plan: &Plan,
    records: &BTreeMap<usize, TrialRecord>,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let ranked = rank(records);
    let classification = ranked.iter().any(|r| r.val_accuracy.is_some());
    let mut header: Vec<String> = vec!["rank".into(), "trial".into()];
    header.extend(plan.keys.iter().cloned());
    if classification {
        header.push("val_accuracy".into());
    }
    header.push("val_loss".into());
    if classification {
        header.push("test_accuracy".into());
    }
    header.extend(["test_loss".into(), "epoch".into(), "status".into()]);

    // Full precision in the CSV (for analysis), four decimals on screen and in markdown.
    let (mut csv_rows, mut shown_rows) = (Vec::new(), Vec::new());
    for (rank, r) in ranked.iter().enumerate() {
        let rank = if r.ok() {
            (rank + 1).to_string()
        } else {
            "-".into()
        };
        let mut numbers = Vec::new();
        if classification {
            numbers.push(r.val_accuracy);
        }
        numbers.push(r.val_loss);
        if classification {
            numbers.push(r.test_accuracy);
        }
        numbers.push(r.test_loss);
        let status = match &r.error {
            Some(e) => format!("failed: {e}"),
            None => "ok".into(),
        };
        let epoch = r.epoch.map_or(String::new(), |e| e.to_string());
        let mut row = vec![rank.clone(), r.index.to_string()];
        row.extend(r.params.iter().cloned());
        let mut shown = row.clone();
        row.extend(
            numbers
                .iter()
                .map(|x| x.map_or(String::new(), |x| x.to_string())),
        );
        shown.extend(
            numbers
                .iter()
                .map(|x| x.map_or("-".into(), |x| format!("{x:.4}"))),
        );
        row.extend([epoch.clone(), status.clone()]);
        shown.extend([epoch, status]);
        csv_rows.push(row);
        shown_rows.push(shown);
    }

    let csv: String = std::iter::once(&header)
        .chain(&csv_rows)
        .map(|row| {
            row.iter()
                .map(|c| csv_cell(c))
                .collect::<Vec<_>>()
                .join(",")
                + "\n"
        })
        .collect();
    save(&dir.join("results.csv"), csv.as_bytes())?;
    let mut md = format!("| {} |\n|", header.join(" | "));
    md += &"---|".repeat(header.len());
    md += "\n";
    for row in &shown_rows {
        md += &format!("| {} |\n", row.join(" | ").replace('\n', " "));
    }
    save(&dir.join("results.md"), md.as_bytes())?;

    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            std::iter::once(&header)
                .chain(&shown_rows)
                .map(|r| r[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in std::iter::once(&header).chain(&shown_rows) {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        writeln!(out, "{}", cells.join("  ").trim_end())?;
    }

    if let [rows, cols] = &plan.axes[..] {
        heatmap(dir, plan, records, rows, cols, classification)?;
        writeln!(out, "heatmap: {}", dir.join("heatmap.png").display())?;
    }
    match ranked.first().filter(|r| r.ok()) {
        Some(best) => {
            let path = dir.join("best.toml");
            let text = format!(
                "# Best trial ({}) of the search in {}: {}; validation {}.\n\
                 # Train it with `gradus train --config {}`; its run folder is {}.\n\n{}",
                best.index,
                dir.display(),
                best.params.join(", "),
                match best.val_accuracy {
                    Some(a) => format!("accuracy {a:.4}"),
                    None => format!("loss {:.6}", best.val_loss.unwrap_or(f64::NAN)),
                },
                path.display(),
                dir.join("runs").join(trial_name(best.index)).display(),
                best.config
            );
            save(&path, text.as_bytes())?;
            let set: Vec<String> = plan
                .keys
                .iter()
                .zip(&best.params)
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            writeln!(
                out,
                "best: trial {} ({}); config {}",
                best.index,
                set.join(", "),
                path.display()
            )?;
        }
        None => writeln!(
            out,
            "no trial finished successfully, so there is no best config"
        )?,
    }
    writeln!(
        out,
        "table: {} and {}",
        dir.join("results.csv").display(),
        dir.join("results.md").display()
    )?;
    Ok(())
}

/// Validation accuracy (or loss, for regression) over the two grid axes; cells of failed or
/// missing trials are NaN, which the heatmap draws grey.
fn heatmap(
    dir: &Path,
    plan: &Plan,
    records: &BTreeMap<usize, TrialRecord>,
    rows: &super::search_store::Axis,
    cols: &super::search_store::Axis,
    classification: bool,
) -> anyhow::Result<()> {
    let (nr, nc) = (rows.values.len(), cols.values.len());
    let mut values = vec![vec![f64::NAN; nc]; nr];
    for t in &plan.trials {
        // The grid runs the first axis slowest: trial index = row · columns + column.
        let (r, c) = (t.index / nc, t.index % nc);
        let value = records
            .get(&t.index)
            .filter(|rec| rec.ok())
            .and_then(|rec| {
                if classification {
                    rec.val_accuracy
                } else {
                    rec.val_loss
                }
            });
        if let (Some(v), true) = (value, r < nr) {
            values[r][c] = v;
        }
    }
    let what = if classification {
        "validation accuracy"
    } else {
        "validation loss"
    };
    let path = dir.join("heatmap.png");
    Heatmap::new(format!("{what} over {} × {}", rows.key, cols.key), values)
        .y_label(rows.key.clone())
        .x_label(cols.key.clone())
        .y_ticks(rows.values.clone())
        .x_ticks(cols.values.clone())
        .annotate(move |v| {
            if v.is_nan() {
                "-".into()
            } else if classification {
                format!("{:.1}%", 100.0 * v)
            } else {
                format!("{v:.3e}")
            }
        })
        .save_png(&path)
        .with_context(|| format!("cannot draw {}", path.display()))
}

fn csv_cell(cell: &str) -> String {
    if cell.contains([',', '"', '\n']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_string()
    }
}

fn save(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    write_atomic(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}
