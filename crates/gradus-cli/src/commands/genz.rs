//! `gradus genz`: the function-approximation study on Genz's test functions — one trained
//! network per (function, d, N, seed), in parallel, resumable — with a table and log–log
//! plots of error against N written to the output folder.
//!
//! Settings: built-in defaults < `--config FILE.toml` (`[study]` keys as in
//! `gradus::genz::StudyConfig`, `[functions]` as in [`FunctionsSection`]) < flags. The
//! resolved settings are written back as `OUT/config.toml`, so a run repeats (and, with the
//! same folder, resumes) with `--config OUT/config.toml`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::{anyhow, bail, Context};
use serde::{Deserialize, Serialize};

use gradus::genz::{
    csv, markdown_table, member_seed, parse_log, plot_errors, run_study, summarize, Family, Genz,
    Metric, Params, StudyConfig, Target,
};

#[derive(clap::Args)]
pub struct Args {
    /// TOML file with [study] and [functions] sections (as in OUT/config.toml); flags given on
    /// the command line override it.
    #[arg(long, value_name = "FILE.toml")]
    config: Option<PathBuf>,
    /// Families, comma-separated: oscillatory, product_peak, corner_peak, gaussian,
    /// continuous, discontinuous, or all. [default: all]
    #[arg(long)]
    functions: Option<String>,
    /// Dimensions, comma-separated. [default: 2,5,10]
    #[arg(long)]
    dims: Option<String>,
    /// Training-set sizes N, comma-separated. [default: 10,50,100,500,1000,5000]
    #[arg(long)]
    samples: Option<String>,
    /// Uniform test points per (function, d, seed). [default: 1000]
    #[arg(long)]
    test_points: Option<usize>,
    /// Seeds per cell (0..K). [default: 3]
    #[arg(long)]
    seeds: Option<usize>,
    /// Epochs per network (more for small N, see [study] min_steps). [default: 200]
    #[arg(long)]
    epochs: Option<usize>,
    /// Worker threads. [default: 2]
    #[arg(long)]
    threads: Option<usize>,
    /// Skip the polynomial baseline.
    #[arg(long)]
    no_baseline: bool,
    /// Output folder: results.jsonl (resumable record), summary.md, summary.csv, PNG plots.
    #[arg(long, default_value = "genz-study")]
    out: PathBuf,
    /// Print nothing per cell.
    #[arg(long)]
    quiet: bool,
    /// Train nothing: summarise and plot the cells already recorded in OUT/results.jsonl
    /// (e.g. while, or after interrupting, a long run).
    #[arg(long)]
    report_only: bool,
}

/// The `[functions]` section: which family members to study.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct FunctionsSection {
    /// Family names, or ["all"].
    pub names: Vec<String>,
    pub dims: Vec<usize>,
    /// "genz" (random, Σc = b_j, Σw = 1), "ranges" (c, w uniform in c_range, w_range) or
    /// "given" (c and w below; one dimension only).
    pub params: String,
    /// Seeds the random parameters; each (family, d) gets its own member, fixed across the
    /// training seeds.
    pub param_seed: u64,
    pub c_range: [f64; 2],
    pub w_range: [f64; 2],
    pub c: Vec<f64>,
    pub w: Vec<f64>,
}

impl Default for FunctionsSection {
    fn default() -> Self {
        FunctionsSection {
            names: vec!["all".into()],
            dims: vec![2, 5, 10],
            params: "genz".into(),
            param_seed: 0,
            c_range: [0.0, 1.0],
            w_range: [0.0, 1.0],
            c: Vec::new(),
            w: Vec::new(),
        }
    }
}

#[derive(Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
struct GenzFile {
    study: StudyConfig,
    functions: FunctionsSection,
}

/// A comma-separated list of positive integers, or an error naming the flag.
fn parse_list(flag: &str, text: &str) -> anyhow::Result<Vec<usize>> {
    let items: Option<Vec<usize>> = text
        .split(',')
        .map(|s| s.trim().parse::<usize>().ok().filter(|&n| n > 0))
        .collect();
    match items {
        Some(v) if !v.is_empty() => Ok(v),
        _ => bail!(
            "{flag} {text:?}: give positive whole numbers separated by commas, e.g. {}",
            if flag == "--dims" {
                "2,5,10"
            } else {
                "10,100,1000"
            }
        ),
    }
}

/// The families named in `names` ("all" for the six), or an error listing the valid names.
fn parse_families(names: &[String]) -> anyhow::Result<Vec<Family>> {
    let mut out = Vec::new();
    for n in names {
        if n.trim().eq_ignore_ascii_case("all") {
            out.extend(Family::ALL);
            continue;
        }
        let f = Family::from_name(n).ok_or_else(|| {
            anyhow!(
                "--functions / [functions] names: unknown family {n:?}; use all or any of {}",
                Family::ALL.map(|f| f.name()).join(", ")
            )
        })?;
        out.push(f);
    }
    out.dedup();
    if out.is_empty() {
        bail!("--functions / [functions] names: name at least one family");
    }
    Ok(out)
}

/// Reads the config file; a mistake is one paragraph naming the file, line and key.
fn load(path: &Path) -> anyhow::Result<GenzFile> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the config file {}", path.display()))?;
    toml::from_str(&text).map_err(|e| {
        let message = e.message().trim().replace('\n', "; ");
        let at = match e.span() {
            Some(span) => {
                let before = &text[..span.start.min(text.len())];
                format!(
                    "{}, line {}",
                    path.display(),
                    before.matches('\n').count() + 1
                )
            }
            None => path.display().to_string(),
        };
        anyhow!("{at}: {message} (sections: [study], [functions]; see docs/genz.md)")
    })
}

/// Defaults < file < flags, then every value checked.
fn settings(args: &Args) -> anyhow::Result<(GenzFile, Vec<Genz>)> {
    let mut file = match &args.config {
        Some(p) => load(p)?,
        None => GenzFile::default(),
    };
    let (s, f) = (&mut file.study, &mut file.functions);
    if let Some(v) = &args.functions {
        f.names = v.split(',').map(|s| s.trim().to_string()).collect();
    }
    if let Some(v) = &args.dims {
        f.dims = parse_list("--dims", v)?;
    }
    if let Some(v) = &args.samples {
        s.samples = parse_list("--samples", v)?;
    }
    if let Some(v) = args.test_points {
        s.test_points = v;
    }
    if let Some(v) = args.seeds {
        s.seeds = v;
    }
    if let Some(v) = args.epochs {
        s.epochs = v;
    }
    if let Some(v) = args.threads {
        s.threads = v;
    }
    if args.no_baseline {
        s.baseline = false;
    }
    s.validate()
        .map_err(|e| anyhow!("{e} (flag or [study] key)"))?;
    if f.dims.is_empty() || f.dims.contains(&0) {
        bail!(
            "--dims / [functions] dims {:?}: give positive dimensions",
            f.dims
        );
    }
    let families = parse_families(&f.names)?;
    let mut members = Vec::new();
    for &family in &families {
        for &d in &f.dims {
            // One member per (family, d), fixed across training seeds.
            let seed = member_seed(f.param_seed, family, d);
            let params = match f.params.as_str() {
                "genz" => Params::Genz { seed },
                "ranges" => Params::Ranges {
                    c_range: (f.c_range[0], f.c_range[1]),
                    w_range: (f.w_range[0], f.w_range[1]),
                    seed,
                },
                "given" => Params::Given {
                    c: f.c.clone(),
                    w: f.w.clone(),
                },
                other => bail!("[functions] params {other:?}: use genz, ranges or given"),
            };
            members.push(Genz::new(family, d, &params).map_err(|e| anyhow!("[functions]: {e}"))?);
        }
    }
    Ok((file, members))
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let (file, members) = settings(args)?;
    let config = &file.study;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create the output folder {}", args.out.display()))?;
    if !args.report_only {
        let resolved = toml::to_string(&file).context("cannot write the resolved settings")?;
        gradus::io::write_atomic(args.out.join("config.toml"), resolved.as_bytes())
            .with_context(|| format!("cannot write {}", args.out.join("config.toml").display()))?;
    }

    let fs: Vec<_> = members.iter().map(|g| move |x: &[f64]| g.eval(x)).collect();
    let targets: Vec<Target> = members
        .iter()
        .zip(&fs)
        .map(|(g, f)| Target {
            name: g.family.name().into(),
            dim: g.dim(),
            describe: g.describe(),
            f,
        })
        .collect();
    let total = targets.len() * config.samples.len() * config.seeds;
    let finished = AtomicUsize::new(0);
    let start = Instant::now();
    let quiet = args.quiet;
    let log_path = args.out.join("results.jsonl");
    let results = if args.report_only {
        // Read only: a study may still be appending to the file.
        let text = std::fs::read_to_string(&log_path)
            .with_context(|| format!("--report-only: cannot read {}", log_path.display()))?;
        let mut done = parse_log(&log_path, &text)?;
        done.sort_by(|a, b| {
            (&a.function, a.dim, a.n, a.seed).cmp(&(&b.function, b.dim, b.n, b.seed))
        });
        if done.is_empty() {
            bail!(
                "--report-only: {} holds no finished cells yet",
                log_path.display()
            );
        }
        done
    } else {
        run_study(&targets, config, Some(&log_path), |r| {
            let k = finished.fetch_add(1, Ordering::Relaxed) + 1;
            if !quiet {
                let poly = r
                    .poly
                    .map_or(String::new(), |p| format!(", poly {:.2e}", p.mean_abs));
                eprintln!(
                    "[{k}/{total}] {} d={} N={} seed {}: net mean abs {:.2e}{poly} ({:.1} s, {:.1} s CPU)",
                    r.function, r.dim, r.n, r.seed, r.net.mean_abs, r.seconds,
                    r.cpu_seconds.unwrap_or(f64::NAN)
                );
            }
        })?
    };
    let new = finished.load(Ordering::Relaxed);
    let rows = summarize(&results);
    let table = markdown_table(&rows);
    let write = |name: &str, bytes: &[u8]| {
        let path = args.out.join(name);
        gradus::io::write_atomic(&path, bytes)
            .with_context(|| format!("cannot write {}", path.display()))
    };
    write("summary.md", table.as_bytes())?;
    write("summary.csv", csv(&rows).as_bytes())?;
    plot_errors(
        &rows,
        Metric::MeanAbs,
        &args.out.join("mean_abs_error.png"),
        3,
    )?;
    plot_errors(
        &rows,
        Metric::MaxAbs,
        &args.out.join("max_abs_error.png"),
        3,
    )?;

    let mut out = std::io::stdout().lock();
    writeln!(out, "{table}")?;
    for m in &members {
        writeln!(out, "{} d={}: {}", m.family.name(), m.dim(), m.describe())?;
    }
    writeln!(
        out,
        "{new} cells trained, {} taken from {} ({total} in all), {:.1} s; wrote summary.md, \
         summary.csv, mean_abs_error.png, max_abs_error.png in {}",
        results.len() - new,
        log_path.display(),
        start.elapsed().as_secs_f64(),
        args.out.display()
    )?;
    Ok(ExitCode::SUCCESS)
}
