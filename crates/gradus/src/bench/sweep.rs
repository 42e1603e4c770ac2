//! `gradus bench --sweep`: how the step time of the tiny-mlp workload's network family
//! (2-w-w-1, tanh, MSE, SGD) grows with the batch size and the width, for the plot in
//! docs/PERFORMANCE.md. Same data and training step as `tiny-mlp-smallbatch`.

use std::time::Instant;

use super::data::{self, Data};
use super::run::{batch_step, median, Model};
use super::spec::{self, Spec};
use crate::nn::DataParallel;
use crate::plot::{self, Chart, PlotError};
use crate::tensor::Float;

/// One measured configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    pub width: usize,
    pub batch: usize,
    pub dtype: &'static str,
    pub median_step_us: f64,
}

/// Batch sizes of the batch sweep and widths of the width sweep.
pub const BATCHES: [usize; 9] = [8, 16, 32, 64, 128, 256, 512, 1024, 2048];
pub const WIDTHS: [usize; 7] = [16, 32, 64, 128, 256, 512, 1024];
/// The widths drawn as lines in the batch sweep, and the batches in the width sweep.
pub const LINE_WIDTHS: [usize; 2] = [64, 256];
pub const LINE_BATCHES: [usize; 2] = [16, 256];

/// Median µs per training step of the 2-w-w-1 net at `batch`, over 3 repeats sized to
/// about `budget_s` seconds in total.
pub fn measure<F: Float>(width: usize, batch: usize, budget_s: f64) -> Point {
    let base = spec::find("tiny-mlp-smallbatch").expect("a defined workload");
    // `Spec` holds the workload table's static layer lists; a sweep point lives for the
    // process, so leaking its 4-element list is the simple way to make one.
    let layers: &'static [usize] = Box::leak(vec![2, width, width, 1].into_boxed_slice());
    let s = Spec {
        layers,
        batch,
        f64: F::NAME == "f64",
        ..*base
    };
    let data = data::load::<F>(&s);
    let init = data::init_params::<F>(s.layers);
    let mut model = Model::new(&s, &init);
    let mut tape = DataParallel::new(crate::tensor::num_threads());
    let n = data.n_train();
    let mut next = 0;
    let mut idx = Vec::with_capacity(batch);
    let mut step = |model: &mut Model<F>, tape: &mut DataParallel<F>, data: &Data<F>| {
        idx.clear();
        idx.extend((next..next + batch).map(|i| i % n));
        next = (next + batch) % n;
        batch_step(model, tape, data, &idx);
    };
    // Warm-up, and a first estimate of the step time to size the repeats.
    let t = Instant::now();
    for _ in 0..5 {
        step(&mut model, &mut tape, &data);
    }
    let est = t.elapsed().as_secs_f64() / 5.0;
    let steps = ((budget_s / 3.0 / est) as usize).clamp(3, 2000);
    let times: Vec<f64> = (0..3)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..steps {
                step(&mut model, &mut tape, &data);
            }
            t.elapsed().as_secs_f64() / steps as f64
        })
        .collect();
    Point {
        width,
        batch,
        dtype: s.dtype(),
        median_step_us: median(&times) * 1e6,
    }
}

/// Every configuration of both sweeps, in float32; `each` sees every point as it is made.
pub fn sweep(budget_s: f64, mut each: impl FnMut(&Point)) -> Vec<Point> {
    let mut out = Vec::new();
    let mut add = |p: Point| {
        each(&p);
        out.push(p);
    };
    for &w in &LINE_WIDTHS {
        for &b in &BATCHES {
            add(measure::<f32>(w, b, budget_s));
        }
    }
    for &b in &LINE_BATCHES {
        for &w in &WIDTHS {
            if !LINE_WIDTHS.contains(&w) || !BATCHES.contains(&b) {
                add(measure::<f32>(w, b, budget_s));
            }
        }
    }
    out
}

/// Two panels: step time against batch size (one line per width) and against width (one
/// line per batch size), log-log.
pub fn plot(points: &[Point], path: &std::path::Path) -> Result<(), PlotError> {
    let series = |keep: &dyn Fn(&Point) -> bool, x: &dyn Fn(&Point) -> usize| {
        let mut v: Vec<(f64, f64)> = points
            .iter()
            .filter(|p| keep(p))
            .map(|p| (x(p) as f64, p.median_step_us))
            .collect();
        v.sort_by(|a, b| a.0.total_cmp(&b.0));
        v
    };
    let mut by_batch = Chart::new("step time vs batch size (2-w-w-1 tanh, f32)")
        .x_label("batch size")
        .y_label("µs per training step")
        .log_x()
        .log_y()
        .legend_upper_left();
    for &w in &LINE_WIDTHS {
        by_batch = by_batch.line(
            format!("width {w}"),
            series(&|p| p.width == w, &|p| p.batch),
        );
    }
    let mut by_width = Chart::new("step time vs width (2-w-w-1 tanh, f32)")
        .x_label("hidden width")
        .y_label("µs per training step")
        .log_x()
        .log_y()
        .legend_upper_left();
    for &b in &LINE_BATCHES {
        by_width = by_width.line(
            format!("batch {b}"),
            series(&|p| p.batch == b, &|p| p.width),
        );
    }
    plot::save_grid(path, &[by_batch, by_width], 2)
}
