//! The `gradus` command. Each subcommand lives in its own file under `commands/` with its
//! argument struct and a `run()`.

mod commands;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "gradus",
    version,
    about = "Deep learning from first principles, for scientists"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
// Parsed once per process: the size difference between variants costs nothing.
#[allow(clippy::large_enum_variant)]
enum Command {
    /// Train a feed-forward network on bundled data (default: digits) or a CSV file.
    Train(commands::train::Args),
    /// Loss and accuracy of a saved model on labelled data.
    Evaluate(commands::evaluate::Args),
    /// Predictions of a saved model for rows of features, written as CSV.
    Predict(commands::predict::Args),
    /// Grid or random search over config keys, scored on the validation set; resumable, and
    /// splittable over a cluster job array (--trial, then `search merge`).
    Search(commands::search::Args),
    /// Gradient-check every differentiable op of the engine on this machine.
    Check(commands::check::Args),
    /// Compare optimisers on a test function: table, paths on a contour map, convergence.
    Optimize(commands::optimize::Args),
    /// Time the peer benchmark workloads (JSON lines for make_table.py) or sweep batch/width.
    Bench(commands::bench::Args),
    /// Solve a dynamic economic model with a Deep Equilibrium Net and report its accuracy.
    Deqn(commands::deqn::Args),
    /// Approximation study: networks (and a polynomial baseline) on Genz's test functions
    /// against sample size and dimension; table and plots in the output folder.
    Genz(commands::genz::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Train(args) => commands::train::run(&args),
        Command::Evaluate(args) => commands::evaluate::run(&args),
        Command::Predict(args) => commands::predict::run(&args),
        Command::Search(args) => commands::search::run(&args),
        Command::Check(args) => commands::check::run(&args),
        Command::Optimize(args) => commands::optimize::run(&args),
        Command::Bench(args) => commands::bench::run(&args),
        Command::Deqn(args) => commands::deqn::run(&args),
        Command::Genz(args) => commands::genz::run(&args),
    };
    match result {
        Ok(code) => code,
        // A closed pipe (`gradus check | head`) is the reader's choice, not an error.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gradus: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.downcast_ref::<std::io::Error>()
        .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
}
