//! `gradus check`: runs the engine's gradient checks (finite differences, forward mode,
//! reverse mode, adjoint identity) on every op and prints one line per check.

use std::io::Write;
use std::process::ExitCode;

use gradus::autodiff::selfcheck::{check_all_ops, OpCheck};

#[derive(clap::Args)]
pub struct Args {
    /// Which precision to check: f64, f32 or both.
    #[arg(long, default_value = "both", value_parser = ["f64", "f32", "both"])]
    dtype: String,
    /// Seed of the random operands and directions.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Rows of the random operands.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=64))]
    rows: u64,
    /// Columns of the random operands.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u64).range(2..=64))]
    cols: u64,
    /// Print only failures and the summary.
    #[arg(long)]
    quiet: bool,
}

/// Relative-error tolerances: f64 is held to the engine's contract; f32 finite
/// differences carry ~1e-6 of rounding, so small directional derivatives need more room.
const TOL_F64: f64 = 1e-6;
const TOL_F32: f64 = 5e-2;

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let mut failed = 0;
    let mut passed = 0;
    let (rows, cols) = (args.rows as usize, args.cols as usize);
    let out = &mut std::io::stdout().lock();
    if args.dtype != "f32" {
        let checks = check_all_ops::<f64>(rows, cols, args.seed, TOL_F64);
        tally(out, &checks, "f64", args.quiet, &mut passed, &mut failed)?;
    }
    if args.dtype != "f64" {
        let checks = check_all_ops::<f32>(rows, cols, args.seed, TOL_F32);
        tally(out, &checks, "f32", args.quiet, &mut passed, &mut failed)?;
    }
    writeln!(out, "gradient checks: {passed} passed, {failed} failed")?;
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn tally(
    out: &mut impl Write,
    checks: &[OpCheck],
    dtype: &str,
    quiet: bool,
    passed: &mut usize,
    failed: &mut usize,
) -> std::io::Result<()> {
    if !quiet {
        writeln!(
            out,
            "{:<22} {:<5} {:<18} {:>12}  result",
            "op", "dtype", "operands", "max rel err"
        )?;
    }
    for c in checks {
        let ok = c.report.passed;
        if ok {
            *passed += 1;
        } else {
            *failed += 1;
        }
        if !quiet || !ok {
            writeln!(
                out,
                "{:<22} {:<5} {:<18} {:>12.2e}  {}",
                c.op,
                dtype,
                c.shapes,
                c.report.max_rel_error,
                if ok {
                    "ok".to_string()
                } else {
                    format!("FAILED: {}", c.report)
                }
            )?;
        }
    }
    Ok(())
}
