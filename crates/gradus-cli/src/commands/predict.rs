//! `gradus predict`: applies a saved model to rows of features and writes a CSV.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use gradus::io::load_model;
use gradus::nn::Task;
use gradus::Float;

use super::model_arg::{saved_dtype, ModelAndData};
use super::source::DataSource;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    input: ModelAndData,
    /// Where to write the predictions (CSV).
    #[arg(long)]
    out: PathBuf,
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    match saved_dtype(&args.input.model)?.as_str() {
        "f64" => predict::<f64>(args),
        _ => predict::<f32>(args),
    }
}

fn predict<F: Float>(args: &Args) -> anyhow::Result<ExitCode> {
    let saved = load_model::<F>(&args.input.model)?;
    let cols = args.input.columns()?;
    let source = DataSource {
        data: &args.input.data,
        target: cols.target.as_ref(),
        features: cols.features.as_ref(),
        header: cols.header,
        delimiter: cols.delimiter,
        regression: false,
        classes: None,
    };
    let x = source.features::<F>()?;
    let cols = x.shape().as_matrix().1;
    if cols != saved.model.inputs() {
        anyhow::bail!(
            "{}: {cols} feature columns, but the model takes {} inputs; use rows with the \
             features the model was trained on (a target column in the file: drop it with --target COL)",
            args.input.data,
            saved.model.inputs()
        );
    }
    let p = saved.predict(&x);
    let outputs = saved.model.outputs();
    let mut csv = String::new();
    let task = saved.model.task();
    match task {
        Task::Regression => {
            csv += &(0..outputs)
                .map(|j| format!("prediction_{j}"))
                .collect::<Vec<_>>()
                .join(",")
        }
        _ => {
            csv += "class";
            for j in 0..outputs {
                csv += &format!(",p{j}");
            }
        }
    }
    csv.push('\n');
    let classes = saved
        .model
        .predict_classes(&saved.scaling.as_ref().map_or(x.clone(), |s| s.apply(&x)));
    for (i, row) in p.data().chunks_exact(outputs).enumerate() {
        let values: Vec<String> = row.iter().map(|v| format!("{v}")).collect();
        match task {
            Task::Regression => csv += &values.join(","),
            _ => csv += &format!("{},{}", classes[i], values.join(",")),
        }
        csv.push('\n');
    }
    std::fs::write(&args.out, csv)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    writeln!(
        std::io::stdout().lock(),
        "wrote {} predictions to {}",
        p.shape().dim(0),
        args.out.display()
    )?;
    Ok(ExitCode::SUCCESS)
}
