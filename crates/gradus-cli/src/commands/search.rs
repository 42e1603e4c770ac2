//! `gradus search`: grid and random search over any key of the train config, each trial
//! scored on the validation set, trials trained in parallel, resumable, and splittable over a
//! cluster's job array (`--trial INDEX`, then `gradus search merge DIR`).
//!
//! The flow: base config (`--config`, `--set`) + search spec (`[search]`, `--grid`,
//! `--sample`, `--random`) → a plan of numbered trial configs, each checked against the train
//! config's schema and values before anything runs → the plan is written to (or checked
//! against) the search folder → the trials without a result are trained, one `gradus train`
//! per worker thread → the report is rebuilt from the folder (`search_report`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use anyhow::{bail, Context};
use toml::{Table, Value};

use super::search_report::report;
use super::search_spec::{parse_values, set_key, show, Spec};
use super::search_store::{run_trial, Axis, Plan, PlannedTrial, TrialRecord};
use super::train_config::ConfigFile;

#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    action: Option<Action>,
    /// Base settings, as for `gradus train --config`; a [search] section in it may hold the
    /// search itself ([search.grid], [search.sample], random, seed).
    #[arg(long, value_name = "FILE.toml")]
    config: Option<PathBuf>,
    /// Set a base config key for every trial, e.g. --set training.epochs=5 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// A grid axis: a config key and its values, e.g. --grid training.lr=1e-3,1e-2,1e-1
    /// (repeatable; the grid is every combination).
    #[arg(long, value_name = "KEY=V1,V2,…")]
    grid: Vec<String>,
    /// A random dimension: LO..HI (uniform), log:LO..HI, int:LO..HI, logint:LO..HI, or a list
    /// of values, e.g. --sample training.lr=log:1e-4..1e-1 (repeatable; needs --random).
    #[arg(long, value_name = "KEY=SPEC")]
    sample: Vec<String>,
    /// Draw N random trials instead of the full grid (grid axes become random choices).
    #[arg(long, value_name = "N")]
    random: Option<usize>,
    /// Seed of the random draws (the trials' own training seed is training.seed).
    #[arg(long, value_name = "SEED")]
    search_seed: Option<u64>,
    /// The search folder: plan, one result per trial, table, heatmap, best config.
    #[arg(long, default_value = "search", value_name = "DIR")]
    out: PathBuf,
    /// Run only trial INDEX (0-based), e.g. one task of a Slurm job array; then `merge`.
    #[arg(long, value_name = "INDEX")]
    trial: Option<usize>,
    /// Trainings at once. [default: the number of cores]
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
    /// Train at most N of the missing trials in this call; a rerun continues.
    #[arg(long, value_name = "N")]
    limit: Option<usize>,
    /// Train failed trials (e.g. diverged) again instead of keeping their recorded failure.
    #[arg(long)]
    retry_failed: bool,
}

#[derive(clap::Subcommand)]
enum Action {
    /// Gather the trial results in DIR (e.g. from a job array) into the ranked table, heatmap
    /// and best config, as a single run writes them.
    Merge {
        /// The search folder given to every `gradus search --trial` as --out.
        dir: PathBuf,
    },
}

/// Search folders hold 0-based trial indices; the split a search uses unless told otherwise
/// keeps a fifth of the rows for validation, which scores the trials.
const DEFAULT_SPLIT: [f64; 3] = [0.6, 0.2, 0.2];

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    if let Some(Action::Merge { dir }) = &args.action {
        return merge(dir);
    }
    let plan = build_plan(args)?;
    let dir = &args.out;
    plan.write_or_check(dir)?;
    let done = plan.records(dir)?;
    let exe = std::env::current_exe().context("cannot find the gradus executable")?;
    // Not locked: the worker threads print their trials' outcomes while this runs.
    let out = &mut std::io::stdout();

    if let Some(index) = args.trial {
        let Some(trial) = plan.trials.get(index) else {
            bail!(
                "--trial {index}: this search has {} trials, numbered 0 to {}",
                plan.trials.len(),
                plan.trials.len().saturating_sub(1)
            );
        };
        if done
            .get(&index)
            .is_some_and(|r| r.ok() || !args.retry_failed)
        {
            writeln!(
                out,
                "trial {index} is already finished in {}",
                dir.display()
            )?;
            return Ok(ExitCode::SUCCESS);
        }
        let record = run_trial(&exe, dir, trial)?;
        writeln!(out, "{}", outcome_line(&plan, &record))?;
        return Ok(ExitCode::SUCCESS);
    }

    let missing: Vec<&PlannedTrial> = plan
        .trials
        .iter()
        .filter(|t| {
            done.get(&t.index)
                .is_none_or(|r| args.retry_failed && !r.ok())
        })
        .collect();
    let todo = &missing[..missing.len().min(args.limit.unwrap_or(usize::MAX))];
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .clamp(1, todo.len().max(1));
    writeln!(
        out,
        "search: {} trials over {} in {}; {} already finished, training {} now ({} at a time)",
        plan.trials.len(),
        plan.keys.join(", "),
        dir.display(),
        plan.trials.len() - missing.len(),
        todo.len(),
        jobs
    )?;
    out.flush()?;
    let errors = run_all(&exe, dir, &plan, todo, jobs);

    let records = plan.records(dir)?;
    report(dir, &plan, &records, out)?;
    let left = plan.trials.len() - records.len();
    if left > 0 {
        writeln!(
            out,
            "{left} trials have no result yet; run the same command again to train them"
        )?;
    }
    if let Some(first) = errors.first() {
        bail!("{} trials could not be run: {first:#}", errors.len(),);
    }
    Ok(ExitCode::SUCCESS)
}

/// Trains `todo` on `jobs` worker threads, each running one training at a time, and prints
/// each outcome as it arrives. Returns the trials that could not be run at all.
fn run_all(
    exe: &Path,
    dir: &Path,
    plan: &Plan,
    todo: &[&PlannedTrial],
    jobs: usize,
) -> Vec<anyhow::Error> {
    let next = AtomicUsize::new(0);
    let errors = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                let Some(trial) = todo.get(k) else { break };
                match run_trial(exe, dir, trial) {
                    Ok(record) => println!("{}", outcome_line(plan, &record)),
                    Err(e) => {
                        eprintln!("gradus: {e:#}");
                        errors.lock().unwrap_or_else(|p| p.into_inner()).push(e);
                    }
                }
            });
        }
    });
    errors.into_inner().unwrap_or_else(|p| p.into_inner())
}

fn outcome_line(plan: &Plan, r: &TrialRecord) -> String {
    let params: Vec<String> = plan
        .keys
        .iter()
        .zip(&r.params)
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let result = match (&r.error, r.val_accuracy, r.val_loss) {
        (Some(e), _, _) => format!("failed: {e}"),
        (None, Some(a), Some(l)) => format!("validation accuracy {a:.4}, loss {l:.4}"),
        (None, _, l) => format!("validation loss {:.6}", l.unwrap_or(f64::NAN)),
    };
    format!(
        "trial {}/{} ({}): {result}",
        r.index,
        plan.trials.len(),
        params.join(", ")
    )
}

fn merge(dir: &Path) -> anyhow::Result<ExitCode> {
    let plan = Plan::load(dir)?;
    let records = plan.records(dir)?;
    let missing: Vec<String> = plan
        .trials
        .iter()
        .filter(|t| !records.contains_key(&t.index))
        .map(|t| t.index.to_string())
        .collect();
    let out = &mut std::io::stdout().lock();
    writeln!(
        out,
        "merge: {} of {} trials finished in {}",
        records.len(),
        plan.trials.len(),
        dir.display()
    )?;
    report(dir, &plan, &records, out)?;
    if !missing.is_empty() {
        writeln!(
            out,
            "trials {} have no result yet: run `gradus search --trial INDEX` for each (same \
             config and --out), then merge again",
            missing.join(", ")
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Base config and search spec → the numbered trials, every one checked.
fn build_plan(args: &Args) -> anyhow::Result<Plan> {
    let (mut base, search, source) = match &args.config {
        Some(path) => {
            let (base, search) = load_config(path)?;
            (base, search, path.display().to_string())
        }
        None => (Table::new(), None, "the command line".to_string()),
    };
    for flag in &args.set {
        let Some((key, value)) = flag.split_once('=') else {
            bail!("--set {flag}: write KEY=VALUE with a config key, e.g. --set training.epochs=5");
        };
        let values = parse_values(value).with_context(|| format!("--set {flag}"))?;
        let [value] = &values[..] else {
            bail!("--set {flag}: give one value (a list is written [a, b]); to try several, use --grid");
        };
        set_key(&mut base, key.trim(), value.clone()).with_context(|| format!("--set {flag}"))?;
    }
    check_schema(&base).with_context(|| format!("the base settings from {source}"))?;
    if !base
        .get("data")
        .and_then(Value::as_table)
        .is_some_and(|d| d.contains_key("split"))
    {
        let split = DEFAULT_SPLIT.iter().map(|&f| Value::Float(f)).collect();
        set_key(&mut base, "data.split", Value::Array(split))?;
    }

    let mut spec = match &search {
        Some(table) => Spec::from_table(table, &source)?,
        None => Spec::default(),
    };
    for g in &args.grid {
        spec.add_grid_flag(g)?;
    }
    for s in &args.sample {
        spec.add_sample_flag(s)?;
    }
    if let Some(n) = args.random {
        if n == 0 {
            bail!("--random 0: give the number of random trials, at least 1");
        }
        spec.random = Some(n);
    }
    if let Some(seed) = args.search_seed {
        spec.seed = seed;
    }

    let keys = spec.keys();
    let mut trials = Vec::new();
    for t in spec.trials()? {
        let mut config = base.clone();
        for (key, value) in &t.params {
            set_key(&mut config, key, value.clone())?;
        }
        let shown: Vec<String> = t.params.iter().map(|(_, v)| show(v)).collect();
        check_trial(&config).with_context(|| {
            let set: Vec<String> = t.params.iter().map(|(k, v)| format!("{k} = {v}")).collect();
            format!("search trial {} ({})", t.index, set.join(", "))
        })?;
        let text = toml::to_string(&config).context("cannot write a trial config as TOML")?;
        trials.push(PlannedTrial {
            index: t.index,
            params: shown,
            config: text,
        });
    }
    let axes = match spec.random {
        Some(_) => Vec::new(),
        None => spec
            .grid
            .iter()
            .map(|(key, values)| Axis {
                key: key.clone(),
                values: values.iter().map(show).collect(),
            })
            .collect(),
    };
    Ok(Plan::new(keys, axes, trials))
}

/// A config file split into the base settings and its `[search]` table.
fn load_config(path: &Path) -> anyhow::Result<(Table, Option<Table>)> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the config file {}", path.display()))?;
    let mut table: Table = toml::from_str(&text).map_err(|e| {
        let message = e.message().trim().replace('\n', "; ");
        match e.span() {
            Some(span) => {
                let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
                anyhow::anyhow!("{}, line {line}: {message}", path.display())
            }
            None => anyhow::anyhow!("{}: {message}", path.display()),
        }
    })?;
    let search = match table.remove("search") {
        None => None,
        Some(Value::Table(t)) => Some(t),
        Some(v) => bail!(
            "{}: search = {v}: write the search as a section, [search], with [search.grid] / [search.sample] tables",
            path.display()
        ),
    };
    Ok((table, search))
}

/// Keys and types as `gradus train --config` reads them; an unknown key names its section.
fn check_schema(config: &Table) -> anyhow::Result<()> {
    let parsed: Result<ConfigFile, _> = Value::Table(config.clone()).try_into();
    parsed.map(|_| ()).map_err(|e| {
        let message = e.to_string().trim().replace('\n', "; ");
        let in_section = config.iter().find_map(|(section, v)| {
            let key = message.strip_prefix("unknown field `")?.split('`').next()?;
            v.as_table()?.contains_key(key).then(|| format!("[{section}] {key}"))
        });
        match in_section {
            Some(at) => anyhow::anyhow!(
                "{at} is not a train config key ({message}); run `gradus train --help` for the settings"
            ),
            None => anyhow::anyhow!("{message}"),
        }
    })
}

/// A trial's config must read as a train config, its values must pass train's checks, and
/// it must keep validation rows, because they are what the trial is scored on.
fn check_trial(config: &Table) -> anyhow::Result<()> {
    check_schema(config)?;
    let parsed: ConfigFile = Value::Table(config.clone()).try_into()?;
    super::train::check_config(parsed)?;
    let split = config.get("data").and_then(|d| d.get("split"));
    let validation = split
        .and_then(Value::as_array)
        .and_then(|s| s.get(1))
        .and_then(|v| v.as_float().or(v.as_integer().map(|i| i as f64)));
    if validation.is_some_and(|v| v <= 0.0) {
        bail!(
            "data.split = {} keeps no validation rows, and the search scores each trial on \
             them; give a validation fraction, e.g. --set data.split=[0.6,0.2,0.2]",
            split.map_or(String::new(), |s| s.to_string())
        );
    }
    Ok(())
}
