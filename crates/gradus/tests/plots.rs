//! Every plot kind renders a PNG of the right size with real content, and bad tables and
//! unwritable paths are errors, not panics.

use gradus::plot::{save_grid, Chart, Contour, Heatmap, PlotError};
use std::path::{Path, PathBuf};

fn out_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gradus-plots-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// (width, height, number of distinct colours) of a PNG file.
fn inspect(path: &Path) -> (u32, u32, usize) {
    let decoder = png::Decoder::new(std::fs::File::open(path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let bytes = &buf[..info.buffer_size()];
    let channels = info.color_type.samples();
    let mut colours: Vec<&[u8]> = bytes.chunks(channels).collect();
    colours.sort();
    colours.dedup();
    (info.width, info.height, colours.len())
}

#[test]
fn line_scatter_histogram_and_log_axes() {
    let dir = out_dir("chart");
    let curve: Vec<(f64, f64)> = (1..=200).map(|e| (e as f64, 1.0 / e as f64)).collect();
    let with_gap = vec![
        (1.0, 1.0),
        (2.0, f64::NAN),
        (3.0, 0.5),
        (4.0, -1.0),
        (5.0, 0.2),
    ];
    let file = dir.join("curve.png");
    Chart::new("learning curve")
        .x_label("epoch")
        .y_label("loss")
        .log_x()
        .log_y()
        .line("train", curve.clone())
        .line("with gaps", with_gap)
        .points("samples", vec![(10.0, 0.1), (100.0, 0.01)])
        .save_png(&file)
        .unwrap();
    let (w, h, colours) = inspect(&file);
    assert_eq!((w, h), (800, 600));
    assert!(colours > 20, "only {colours} colours: nothing drawn?");

    let errors: Vec<f64> = (0..1000)
        .map(|i| 1e-6 * (1.0 + (i as f64 * 0.37).sin().abs() * 100.0))
        .collect();
    let file = dir.join("hist.png");
    Chart::new("Euler errors")
        .log_x()
        .histogram("|residual|", &errors, 30)
        .size(640, 480)
        .save_png(&file)
        .unwrap();
    assert_eq!(inspect(&file).0, 640);

    let panels: Vec<Chart> = (0..5)
        .map(|k| {
            Chart::new(format!("panel {k}"))
                .line("f", curve.clone())
                .size(300, 250)
        })
        .collect();
    let file = dir.join("grid.png");
    save_grid(&file, &panels, 3).unwrap();
    let (w, h, _) = inspect(&file);
    assert_eq!((w, h), (900, 500));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn heatmap_and_contour() {
    let dir = out_dir("maps");
    let file = dir.join("heat.png");
    Heatmap::new(
        "validation accuracy",
        vec![vec![0.9, 0.95, 0.5], vec![0.8, f64::NAN, 0.97]],
    )
    .x_label("λ")
    .y_label("η")
    .x_ticks(vec!["0".into(), "1e-4".into(), "1e-2".into()])
    .y_ticks(vec!["1e-3".into(), "1e-2".into()])
    .annotate(|v| format!("{v:.2}"))
    .save_png(&file)
    .unwrap();
    assert!(inspect(&file).2 > 20);

    let rosenbrock = |x: f64, y: f64| (1.0 - x).powi(2) + 100.0 * (y - x * x).powi(2);
    let file = dir.join("contour.png");
    Contour::new("Rosenbrock", rosenbrock, (-2.0, 2.0), (-1.0, 3.0))
        .log_scale()
        .path("gd", vec![(-1.5, 2.0), (-1.0, 1.0), (0.0, 0.0), (1.0, 1.0)])
        .marker("minimum", (1.0, 1.0))
        .save_png(&file)
        .unwrap();
    let (w, h, colours) = inspect(&file);
    assert_eq!((w, h), (800, 650));
    assert!(colours > 18, "bands missing: {colours} colours");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn bad_input_is_an_error() {
    let ragged = Heatmap::new("x", vec![vec![1.0, 2.0], vec![3.0]])
        .save_png(std::env::temp_dir().join("never.png"));
    assert!(matches!(ragged, Err(PlotError::Data { .. })));
    let unwritable = Chart::new("x")
        .line("a", vec![(0.0, 1.0)])
        .save_png("/nonexistent-gradus-dir/p.png");
    let message = unwritable.unwrap_err().to_string();
    assert!(
        message.contains("/nonexistent-gradus-dir/p.png"),
        "{message}"
    );
    assert!(save_grid(std::env::temp_dir().join("never.png"), &[], 2).is_err());
}
