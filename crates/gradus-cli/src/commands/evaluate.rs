//! `gradus evaluate`: loss and accuracy of a saved model on labelled data.

use std::io::Write;
use std::process::ExitCode;

use gradus::io::load_model;
use gradus::Float;

use super::model_arg::{saved_dtype, ModelAndData};
use super::source::DataSource;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    input: ModelAndData,
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    match saved_dtype(&args.input.model)?.as_str() {
        "f64" => evaluate::<f64>(args),
        _ => evaluate::<f32>(args),
    }
}

fn evaluate<F: Float>(args: &Args) -> anyhow::Result<ExitCode> {
    let saved = load_model::<F>(&args.input.model)?;
    let cols = args.input.columns()?;
    let regression = saved.model.task() == gradus::nn::Task::Regression;
    let source = DataSource {
        data: &args.input.data,
        target: cols.target.as_ref(),
        features: cols.features.as_ref(),
        header: cols.header,
        delimiter: cols.delimiter,
        regression,
        // A softmax model fixes the number of classes; a sigmoid (one output) is binary.
        classes: (!regression && saved.model.outputs() > 1).then(|| saved.model.outputs()),
    };
    let mut data = source.load::<F>()?;
    if data.n_features() != saved.model.inputs() || data.n_targets() != saved.model.outputs() {
        anyhow::bail!(
            "{}: {} feature and {} target columns, but the model takes {} inputs and gives {} outputs; \
             use data with the columns the model was trained on (--target COL names the target column)",
            args.input.data,
            data.n_features(),
            data.n_targets(),
            saved.model.inputs(),
            saved.model.outputs()
        );
    }
    if let Some(s) = &saved.scaling {
        data.x = s.apply(&data.x);
    }
    let m = saved.model.evaluate(&data);
    let out = &mut std::io::stdout().lock();
    writeln!(out, "rows: {}", data.len())?;
    writeln!(out, "loss ({}): {:.6}", saved.model.cost().name(), m.loss)?;
    if let Some(a) = m.accuracy {
        writeln!(out, "accuracy: {a:.4}")?;
    }
    Ok(ExitCode::SUCCESS)
}
