//! The peer benchmark workloads (../shared/bench/peers/WORKLOADS.md) run by gradus, so that
//! gradus appears in the same table as PyTorch, JAX and scikit-learn (`gradus bench`).
//!
//! Same data, same initial parameters, same mini-batch order as the peers: numpy's random
//! streams are reproduced bit for bit ([`numpy_rng`]), and the final metrics are computed in
//! float64 with the peers' formulas ([`metrics`]). One JSON line per workload ([`record`])
//! in the schema `make_table.py` reads.
//!
//! ```
//! let s = gradus::bench::find("tiny-mlp-smallbatch").unwrap();
//! let out = gradus::bench::run(s, Some(1), 1);
//! assert_eq!(out.steps_per_repeat, 256);
//! assert!(out.final_loss < 0.2);
//! ```

pub mod data;
mod load;
pub mod metrics;
pub mod numpy_rng;
pub mod run;
pub mod spec;
pub mod sweep;
mod ziggurat;

pub use load::peak_rss_mib;
pub use run::{run, Outcome};
pub use spec::{find, Spec, WORKLOADS};

/// One result line in the peers' schema (WORKLOADS.md, "Result schema").
pub fn record(s: &Spec, threads: usize, out: &Outcome) -> serde_json::Value {
    let mut r = serde_json::json!({
        "framework": "gradus",
        "version": env!("CARGO_PKG_VERSION"),
        "variant": "tape",
        "workload": s.name,
        "dtype": s.dtype(),
        "threads": threads,
        "median_step_us": out.median_step_us(),
        "samples_per_sec": out.samples_per_sec(),
        "final_loss": out.final_loss,
        "repeats": out.repeat_s.len(),
        "steps_per_repeat": out.steps_per_repeat,
        "steps": out.steps_per_repeat * out.repeat_s.len(),
        "median_repeat_s": out.median_repeat_s(),
        "min_repeat_s": out.repeat_s.iter().copied().fold(f64::INFINITY, f64::min),
        "max_repeat_s": out.repeat_s.iter().copied().fold(0.0, f64::max),
        "timed_total_s": out.repeat_s.iter().sum::<f64>(),
        "warmup_s": out.warmup_s,
        "status": "ok",
    });
    let m = r.as_object_mut().expect("a JSON object");
    if let Some(acc) = out.test_accuracy {
        m.insert("test_accuracy".into(), acc.into());
    }
    if let Some(bg) = out.bg_cpu_frac {
        m.insert("bg_cpu_frac".into(), bg.into());
    }
    if let Some(mib) = peak_rss_mib() {
        m.insert("peak_rss_mib".into(), ((mib * 10.0).round() / 10.0).into());
    }
    r
}
