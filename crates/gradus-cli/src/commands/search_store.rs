//! The search folder: the plan (every trial's config, written once), one result file per
//! finished trial, and the runner that trains a trial.
//!
//! ```text
//! DIR/plan.json               the trials and the grid axes; a rerun must find the same plan
//! DIR/trials/trial-0003.toml  the trial's config, as `gradus train --config` reads it
//! DIR/trials/trial-0003.log   what its training printed
//! DIR/trials/trial-0003.json  its validation and test scores (written last, atomically)
//! DIR/runs/trial-0003/        its run folder: model, metrics.json, config.toml
//! ```
//!
//! A trial counts as finished exactly when its `.json` exists; it is written with
//! `write_atomic` after the training has ended, so a search killed at any moment leaves
//! either a complete record or none, and a rerun trains only the trials without one.
//!
//! Each trial is a child `gradus train --config trial.toml` process rather than a function
//! call: a trial is then exactly what `gradus train` does with that config (every option train
//! knows is searchable and behaves the same), a crashing or diverging trial cannot take the
//! search down, its output goes to its own log instead of interleaving on the terminal, and its
//! run folder with the trained model is kept.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context};
use gradus::io::write_atomic;
use serde::{Deserialize, Serialize};

/// Format of `plan.json` and the trial records; bumped when either changes meaning.
const VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub version: u32,
    /// The config keys the search sets, in column order.
    pub keys: Vec<String>,
    /// The grid's axes (key and values as shown) when the search is a full grid; empty for a
    /// random search. Two axes make the heatmap.
    pub axes: Vec<Axis>,
    pub trials: Vec<PlannedTrial>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Axis {
    pub key: String,
    pub values: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlannedTrial {
    pub index: usize,
    /// The searched values as shown, in the order of `Plan::keys`.
    pub params: Vec<String>,
    /// The whole config of the trial (base config with the searched keys set), as TOML.
    pub config: String,
}

/// A finished trial: its scores, or why its training failed (a diverging learning rate is a
/// result too, so failures are recorded and not retried unless asked).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrialRecord {
    pub version: u32,
    pub index: usize,
    pub params: Vec<String>,
    pub config: String,
    /// The epoch whose validation scores are reported: early stopping's kept epoch, else
    /// the last.
    pub epoch: Option<usize>,
    pub val_loss: Option<f64>,
    pub val_accuracy: Option<f64>,
    pub test_loss: Option<f64>,
    pub test_accuracy: Option<f64>,
    pub error: Option<String>,
}

impl TrialRecord {
    pub fn ok(&self) -> bool {
        self.error.is_none() && self.val_loss.is_some_and(f64::is_finite)
    }
}

pub fn trial_name(index: usize) -> String {
    format!("trial-{index:04}")
}

fn plan_path(dir: &Path) -> PathBuf {
    dir.join("plan.json")
}

fn trials_dir(dir: &Path) -> PathBuf {
    dir.join("trials")
}

impl Plan {
    pub fn new(keys: Vec<String>, axes: Vec<Axis>, trials: Vec<PlannedTrial>) -> Plan {
        Plan {
            version: VERSION,
            keys,
            axes,
            trials,
        }
    }

    pub fn load(dir: &Path) -> anyhow::Result<Plan> {
        let path = plan_path(dir);
        let text = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "cannot read {}: is {} a search folder (one that `gradus search --out` wrote)?",
                path.display(),
                dir.display()
            )
        })?;
        let plan: Plan = serde_json::from_str(&text).with_context(|| {
            format!(
                "{} is not a search plan this gradus can read",
                path.display()
            )
        })?;
        if plan.version != VERSION {
            bail!(
                "{} was written by a gradus with search format {} (this one reads {VERSION}); \
                 rerun the search with this version",
                path.display(),
                plan.version
            );
        }
        Ok(plan)
    }

    /// Writes the plan into a new folder, or checks that the folder holds this same plan: a
    /// rerun with a changed grid or base config must not mix results of two searches.
    pub fn write_or_check(&self, dir: &Path) -> anyhow::Result<()> {
        std::fs::create_dir_all(trials_dir(dir))
            .with_context(|| format!("cannot create the search folder {}", dir.display()))?;
        let path = plan_path(dir);
        if path.exists() {
            let old = Plan::load(dir)?;
            if old == *self {
                return Ok(());
            }
            let what = match old.trials.iter().zip(&self.trials).find(|(a, b)| a != b) {
                Some((a, b)) if a.params != b.params => {
                    let set = |p: &[String], keys: &[String]| {
                        let kv = keys.iter().zip(p).map(|(k, v)| format!("{k}={v}"));
                        kv.collect::<Vec<_>>().join(", ")
                    };
                    format!(
                        "trial {} was {} and would now be {}",
                        a.index,
                        set(&a.params, &old.keys),
                        set(&b.params, &self.keys)
                    )
                }
                Some((a, _)) => format!("the config of trial {} differs", a.index),
                None => format!(
                    "it has {} trials, this search {}",
                    old.trials.len(),
                    self.trials.len()
                ),
            };
            bail!(
                "{} holds a different search ({what}); give a new folder with --out, or delete \
                 this one to start over",
                dir.display()
            );
        }
        let json = serde_json::to_string_pretty(self)? + "\n";
        write_atomic(&path, json.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))
    }

    /// The finished trials found in the folder, by index.
    pub fn records(&self, dir: &Path) -> anyhow::Result<BTreeMap<usize, TrialRecord>> {
        let mut found = BTreeMap::new();
        for t in &self.trials {
            let path = trials_dir(dir).join(format!("{}.json", trial_name(t.index)));
            let text = match std::fs::read_to_string(&path) {
                Ok(text) => text,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
            };
            let record: TrialRecord = serde_json::from_str(&text).with_context(|| {
                format!(
                    "{} is not a trial record; delete it to run trial {} again",
                    path.display(),
                    t.index
                )
            })?;
            if record.index != t.index || record.config != t.config {
                bail!(
                    "{} belongs to a different search than {}; delete it to run trial {} again",
                    path.display(),
                    plan_path(dir).display(),
                    t.index
                );
            }
            found.insert(t.index, record);
        }
        Ok(found)
    }
}

/// Trains one trial with `gradus train` (the executable `exe`) and records the result.
/// `Err` only when the trial could not be run or was stopped by a signal; a training that
/// fails with an error message is a recorded result.
pub fn run_trial(exe: &Path, dir: &Path, trial: &PlannedTrial) -> anyhow::Result<TrialRecord> {
    let name = trial_name(trial.index);
    let tdir = trials_dir(dir);
    let config = tdir.join(format!("{name}.toml"));
    let header = format!(
        "# Trial {} of the search in {}: {}\n\n",
        trial.index,
        dir.display(),
        trial.params.join(", ")
    );
    write_atomic(&config, (header + &trial.config).as_bytes())
        .with_context(|| format!("cannot write {}", config.display()))?;
    let runs = dir.join("runs");
    let metrics = runs.join(&name).join("metrics.json");
    // A run killed earlier may have left its metrics; only this run's may be read below.
    let _ = std::fs::remove_file(&metrics);
    let log_path = tdir.join(format!("{name}.log"));
    let log =
        File::create(&log_path).with_context(|| format!("cannot write {}", log_path.display()))?;
    let status = Command::new(exe)
        .arg("train")
        .arg("--config")
        .arg(&config)
        .arg("--no-progress")
        .arg("--runs")
        .arg(&runs)
        .arg("--name")
        .arg(&name)
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .status()
        .with_context(|| format!("cannot start {} train", exe.display()))?;
    let mut record = TrialRecord {
        version: VERSION,
        index: trial.index,
        params: trial.params.clone(),
        config: trial.config.clone(),
        epoch: None,
        val_loss: None,
        val_accuracy: None,
        test_loss: None,
        test_accuracy: None,
        error: None,
    };
    match status.code() {
        Some(0) => read_scores(&metrics, &mut record)?,
        Some(_) => {
            let text = std::fs::read_to_string(&log_path).unwrap_or_default();
            let last = text.lines().rev().find(|l| !l.trim().is_empty());
            let message = last.unwrap_or("training failed without a message");
            record.error = Some(message.trim_start_matches("gradus: ").to_string());
        }
        None => bail!(
            "trial {} was stopped by a signal ({status}); its output is in {}. Rerun the \
             search to train it again",
            trial.index,
            log_path.display()
        ),
    }
    let path = tdir.join(format!("{name}.json"));
    let json = serde_json::to_string_pretty(&record)? + "\n";
    write_atomic(&path, json.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(record)
}

/// Validation scores of the epoch the model keeps (early stopping's best, else the last) and
/// the test scores, from the run folder's `metrics.json`.
fn read_scores(path: &Path, record: &mut TrialRecord) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "gradus train finished but wrote no {}; is the executable a different version?",
            path.display()
        )
    })?;
    let m: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not valid JSON", path.display()))?;
    let history = m["history"].as_array().cloned().unwrap_or_default();
    let at = m["best_epoch"].as_u64().map(|e| e as usize);
    let row = match at {
        Some(e) => history
            .iter()
            .find(|r| r["epoch"].as_u64() == Some(e as u64)),
        None => history.last(),
    };
    let Some(row) = row else {
        bail!("{} has no epochs in its history", path.display());
    };
    record.epoch = row["epoch"].as_u64().map(|e| e as usize);
    record.val_loss = row["val_loss"].as_f64();
    record.val_accuracy = row["val_accuracy"].as_f64();
    record.test_loss = m["test"]["loss"].as_f64();
    record.test_accuracy = m["test"]["accuracy"].as_f64();
    if record.val_loss.is_none() {
        record.error = Some("the run has no validation scores".into());
    }
    Ok(())
}
