//! What `gradus search` varies: grid axes and random dimensions over any key of the train
//! config (`training.lr`, `model.l2`, `model.layers`, …), read from a `[search]` section and
//! from `--grid` / `--sample` flags, and turned into a numbered list of trials.
//!
//! Keys are dotted paths into the config file's TOML, not a list kept here, so every setting
//! that `gradus train --config` learns becomes searchable without touching this file; the
//! trial configs are checked against the train config's own schema before anything runs.

use anyhow::{bail, Context};
use rand::Rng;
use toml::{Table, Value};

/// A distribution to draw one random-search dimension from.
#[derive(Clone, Debug, PartialEq)]
pub enum Dist {
    Uniform(f64, f64),
    LogUniform(f64, f64),
    /// Integers in `lo..=hi`, uniformly.
    Int(i64, i64),
    /// Integers in `lo..=hi`, uniform in log scale (batch sizes, layer widths).
    LogInt(i64, i64),
    /// One of the listed values, uniformly.
    Choice(Vec<Value>),
}

/// The search as given: grid axes (or, in random mode, choices) and random dimensions.
#[derive(Clone, Debug, Default)]
pub struct Spec {
    pub grid: Vec<(String, Vec<Value>)>,
    pub sample: Vec<(String, Dist)>,
    /// `Some(n)`: draw n random trials; `None`: the full grid.
    pub random: Option<usize>,
    pub seed: u64,
}

/// One trial: its index in the plan and the values it sets, in the spec's key order.
#[derive(Clone, Debug, PartialEq)]
pub struct Trial {
    pub index: usize,
    pub params: Vec<(String, Value)>,
}

const SEARCH_KEYS: &str = "random, seed, grid, sample";
const SPEC_HELP: &str = "LO..HI (uniform), log:LO..HI (log-uniform), int:LO..HI, \
                         logint:LO..HI (integers, inclusive) or a comma-separated list of values";

impl Spec {
    /// Reads a config file's `[search]` table (`where_` names the file for messages).
    pub fn from_table(search: &Table, where_: &str) -> anyhow::Result<Spec> {
        let mut spec = Spec::default();
        for (key, value) in search {
            match (key.as_str(), value) {
                ("random", Value::Integer(n)) if *n > 0 => spec.random = Some(*n as usize),
                ("random", v) => {
                    bail!("{where_}: [search] random = {v}: give the number of random trials, e.g. random = 20")
                }
                ("seed", Value::Integer(n)) if *n >= 0 => spec.seed = *n as u64,
                ("seed", v) => bail!(
                    "{where_}: [search] seed = {v}: give a non-negative integer, e.g. seed = 0"
                ),
                ("grid", Value::Table(t)) => {
                    for (k, v) in flatten(t) {
                        let Value::Array(values) = v else {
                            bail!("{where_}: [search.grid] {k} = {v}: give a list of values, e.g. {k} = [0.001, 0.01, 0.1]");
                        };
                        if values.is_empty() {
                            bail!("{where_}: [search.grid] {k} is an empty list; give at least one value");
                        }
                        spec.grid.push((k, values));
                    }
                }
                ("sample", Value::Table(t)) => {
                    for (k, v) in flatten(t) {
                        let dist = match v {
                            Value::String(s) => parse_dist(&s),
                            Value::Array(values) if !values.is_empty() => Ok(Dist::Choice(values)),
                            other => Err(anyhow::anyhow!("{other} is not a distribution")),
                        }
                        .with_context(|| {
                            format!("{where_}: [search.sample] {k}: give a string {SPEC_HELP}, or a list of values to choose from")
                        })?;
                        spec.sample.push((k, dist));
                    }
                }
                ("grid" | "sample", v) => bail!(
                    "{where_}: [search] {key} = {v}: write it as a section, [search.{key}], with one line per config key"
                ),
                _ => bail!("{where_}: unknown key `{key}` in [search]; valid keys are {SEARCH_KEYS}"),
            }
        }
        Ok(spec)
    }

    /// Adds `--grid KEY=V1,V2,…` axes; a key already in the file is replaced.
    pub fn add_grid_flag(&mut self, flag: &str) -> anyhow::Result<()> {
        let (key, values) = split_flag(flag, "--grid", "training.lr=0.001,0.01,0.1")?;
        let values = parse_values(values)
            .with_context(|| format!("--grid {flag}: give comma-separated values"))?;
        self.sample.retain(|(k, _)| *k != key);
        match self.grid.iter_mut().find(|(k, _)| *k == key) {
            Some(axis) => axis.1 = values,
            None => self.grid.push((key, values)),
        }
        Ok(())
    }

    /// Adds a `--sample KEY=SPEC` random dimension; a key already in the file is replaced.
    pub fn add_sample_flag(&mut self, flag: &str) -> anyhow::Result<()> {
        let (key, text) = split_flag(flag, "--sample", "training.lr=log:1e-4..1e-1")?;
        let dist =
            parse_dist(text).with_context(|| format!("--sample {flag}: give {SPEC_HELP}"))?;
        self.grid.retain(|(k, _)| *k != key);
        match self.sample.iter_mut().find(|(k, _)| *k == key) {
            Some(dim) => dim.1 = dist,
            None => self.sample.push((key, dist)),
        }
        Ok(())
    }

    /// Every key the search sets, in column order (grid axes first).
    pub fn keys(&self) -> Vec<String> {
        let grid = self.grid.iter().map(|(k, _)| k.clone());
        grid.chain(self.sample.iter().map(|(k, _)| k.clone()))
            .collect()
    }

    /// The numbered trials: the grid with the first axis varying slowest, or `random` draws
    /// from one seeded generator (so trial i is the same whether the search runs whole or one
    /// trial at a time on a cluster).
    pub fn trials(&self) -> anyhow::Result<Vec<Trial>> {
        if self.grid.is_empty() && self.sample.is_empty() {
            bail!("nothing to search: give --grid KEY=V1,V2,… or --sample KEY=SPEC (or a [search.grid] / [search.sample] section in the config file)");
        }
        let Some(n) = self.random else {
            if let Some((k, _)) = self.sample.first() {
                bail!("{k} has a random distribution but no number of random trials was given; add --random N (or random = N in [search])");
            }
            let total: usize = self.grid.iter().map(|(_, v)| v.len()).product();
            return Ok((0..total)
                .map(|index| {
                    let mut rest = index;
                    let mut params = vec![Value::Boolean(false); self.grid.len()];
                    for (slot, (_, values)) in params.iter_mut().zip(&self.grid).rev() {
                        *slot = values[rest % values.len()].clone();
                        rest /= values.len();
                    }
                    let keys = self.grid.iter().map(|(k, _)| k.clone());
                    Trial {
                        index,
                        params: keys.zip(params).collect(),
                    }
                })
                .collect());
        };
        let mut rng = gradus::rng::seeded(self.seed);
        Ok((0..n)
            .map(|index| {
                let grid = self.grid.iter().map(|(k, values)| {
                    (k.clone(), values[rng.random_range(0..values.len())].clone())
                });
                let grid: Vec<_> = grid.collect();
                let sample = self
                    .sample
                    .iter()
                    .map(|(k, d)| (k.clone(), d.draw(&mut rng)));
                Trial {
                    index,
                    params: grid.into_iter().chain(sample).collect(),
                }
            })
            .collect())
    }
}

impl Dist {
    fn draw(&self, rng: &mut gradus::rng::Rng) -> Value {
        match self {
            Dist::Uniform(lo, hi) => Value::Float(lo + (hi - lo) * rng.random::<f64>()),
            Dist::LogUniform(lo, hi) => {
                let (a, b) = (lo.ln(), hi.ln());
                Value::Float((a + (b - a) * rng.random::<f64>()).exp())
            }
            Dist::Int(lo, hi) => Value::Integer(rng.random_range(*lo..=*hi)),
            Dist::LogInt(lo, hi) => {
                // Uniform in log over [lo, hi + 1) then floored, so every integer is reachable
                // and each has the probability mass of its log-width.
                let (a, b) = ((*lo as f64).ln(), ((*hi + 1) as f64).ln());
                let x = (a + (b - a) * rng.random::<f64>()).exp().floor() as i64;
                Value::Integer(x.clamp(*lo, *hi))
            }
            Dist::Choice(values) => values[rng.random_range(0..values.len())].clone(),
        }
    }
}

/// `KEY=REST` with a dotted config key.
fn split_flag<'a>(flag: &'a str, name: &str, example: &str) -> anyhow::Result<(String, &'a str)> {
    let Some((key, rest)) = flag.split_once('=') else {
        bail!("{name} {flag}: write KEY=VALUES with a config key, e.g. {name} {example}");
    };
    let key = key.trim();
    let valid = !key.is_empty()
        && key.split('.').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        });
    if !valid {
        bail!("{name} {flag}: {key:?} is not a config key; write it as SECTION.KEY, e.g. {name} {example}");
    }
    Ok((key.to_string(), rest.trim()))
}

/// A distribution from `LO..HI`, `log:LO..HI`, `int:LO..HI`, `logint:LO..HI` or `A,B,C`.
pub fn parse_dist(text: &str) -> anyhow::Result<Dist> {
    let (kind, range) = match text.split_once(':') {
        Some((kind, range)) => (kind.trim(), range.trim()),
        None => ("", text.trim()),
    };
    let Some((lo, hi)) = range.split_once("..") else {
        if kind.is_empty() {
            return Ok(Dist::Choice(parse_values(text)?));
        }
        bail!("{text:?}: {kind}: needs a range LO..HI");
    };
    let float = |s: &str| {
        s.trim()
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .with_context(|| format!("{text:?}: {s:?} is not a number"))
    };
    let int = |s: &str| {
        s.trim()
            .parse::<i64>()
            .with_context(|| format!("{text:?}: {s:?} is not an integer"))
    };
    let dist = match kind {
        "" | "uniform" => Dist::Uniform(float(lo)?, float(hi)?),
        "log" => Dist::LogUniform(float(lo)?, float(hi)?),
        "int" => Dist::Int(int(lo)?, int(hi)?),
        "logint" => Dist::LogInt(int(lo)?, int(hi)?),
        _ => bail!("{text:?}: unknown kind {kind:?}; use log:, int: or logint:"),
    };
    let ok = match dist {
        Dist::Uniform(a, b) => a < b,
        Dist::LogUniform(a, b) => 0.0 < a && a < b,
        Dist::Int(a, b) => a <= b,
        Dist::LogInt(a, b) => 0 < a && a <= b,
        Dist::Choice(_) => true,
    };
    if !ok {
        bail!("{text:?}: the range is empty or, for log:/logint:, not above zero");
    }
    Ok(dist)
}

/// Comma-separated values; each is read as a TOML value (`0.01`, `3`, `[100, 30]`, `true`,
/// `"relu"`), as a number Rust reads (`.5`), or else as a bare string (`relu`). Commas inside
/// brackets or quotes do not split, so `[64],[100,30]` is two layer lists.
pub fn parse_values(text: &str) -> anyhow::Result<Vec<Value>> {
    let mut pieces = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, None, 0);
    for (i, c) in text.char_indices() {
        match (c, quote) {
            ('"' | '\'', None) => quote = Some(c),
            (q, Some(open)) if q == open => quote = None,
            (_, Some(_)) => {}
            ('[' | '{', None) => depth += 1,
            (']' | '}', None) => depth -= 1,
            (',', None) if depth == 0 => {
                pieces.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    pieces.push(&text[start..]);
    pieces
        .into_iter()
        .map(|p| {
            let p = p.trim();
            if p.is_empty() {
                bail!("{text:?} has an empty value");
            }
            Ok(parse_value(p))
        })
        .collect()
}

fn parse_value(text: &str) -> Value {
    if let Ok(mut t) = toml::from_str::<Table>(&format!("v = {text}")) {
        if let Some(v) = t.remove("v") {
            return v;
        }
    }
    match text.parse::<f64>() {
        Ok(x) => Value::Float(x),
        Err(_) => Value::String(text.to_string()),
    }
}

/// `{training = {lr = [..]}}` → `("training.lr", [..])`: TOML reads `training.lr = [..]` in
/// `[search.grid]` as nested tables, and a quoted `"training.lr"` key as one; both are fine.
fn flatten(table: &Table) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for (k, v) in table {
        match v {
            Value::Table(inner) => out.extend(
                flatten(inner)
                    .into_iter()
                    .map(|(ik, iv)| (format!("{k}.{ik}"), iv)),
            ),
            _ => out.push((k.clone(), v.clone())),
        }
    }
    out
}

/// Sets a dotted key in a config table, creating sections as needed.
pub fn set_key(config: &mut Table, key: &str, value: Value) -> anyhow::Result<()> {
    let mut parts: Vec<&str> = key.split('.').collect();
    let last = parts.pop().unwrap_or(key);
    let mut table = config;
    for (depth, part) in parts.iter().enumerate() {
        let entry = table
            .entry(part.to_string())
            .or_insert_with(|| Value::Table(Table::new()));
        let Value::Table(t) = entry else {
            bail!(
                "{key}: `{}` is a value in the config, not a section",
                parts[..=depth].join(".")
            );
        };
        table = t;
    }
    table.insert(last.to_string(), value);
    Ok(())
}

/// A value as a person reads it in a table or on a heatmap axis: `0.001`, `relu`, `[100, 30]`.
pub fn show(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Float(x) => {
            let short = format!("{x}");
            if short.len() > 8 {
                format!("{x:.3e}")
            } else {
                short
            }
        }
        Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(show).collect();
            format!("[{}]", inner.join(", "))
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_split_on_top_level_commas_only() {
        let v = parse_values("[64],[100, 30], relu,1e-3,0,'a,b'").unwrap();
        assert_eq!(v.len(), 6);
        assert_eq!(show(&v[0]), "[64]");
        assert_eq!(show(&v[1]), "[100, 30]");
        assert_eq!(v[2], Value::String("relu".into()));
        assert_eq!(v[3], Value::Float(1e-3));
        assert_eq!(v[4], Value::Integer(0));
        assert_eq!(v[5], Value::String("a,b".into()));
        assert_eq!(parse_values(".5").unwrap(), vec![Value::Float(0.5)]);
        assert!(parse_values("1,,2").is_err());
    }

    #[test]
    fn grid_runs_first_axis_slowest() {
        let mut s = Spec::default();
        s.add_grid_flag("training.lr=1,2,3").unwrap();
        s.add_grid_flag("model.l2=0,5").unwrap();
        let t = s.trials().unwrap();
        assert_eq!(t.len(), 6);
        assert_eq!(t[1].params[0].1, Value::Integer(1));
        assert_eq!(t[1].params[1].1, Value::Integer(5));
        assert_eq!(t[2].params[0].1, Value::Integer(2));
        assert_eq!(t[5].params[1].1, Value::Integer(5));
    }

    #[test]
    fn random_draws_are_seeded_and_inside_their_ranges() {
        let mut s = Spec {
            random: Some(200),
            seed: 7,
            ..Default::default()
        };
        s.add_sample_flag("training.lr=log:1e-4..1e-1").unwrap();
        s.add_sample_flag("training.batch_size=logint:8..256")
            .unwrap();
        s.add_grid_flag("model.hidden=relu,tanh").unwrap();
        let a = s.trials().unwrap();
        assert_eq!(a, s.trials().unwrap());
        let mut below_1e3 = 0;
        for t in &a {
            let Value::Float(lr) = t.params[1].1 else {
                panic!()
            };
            assert!((1e-4..1e-1).contains(&lr));
            below_1e3 += usize::from(lr < 1e-3);
            let Value::Integer(b) = t.params[2].1 else {
                panic!()
            };
            assert!((8..=256).contains(&b));
        }
        // Log-uniform: a third of the decades lie below 1e-3, so about 67 of 200 draws.
        assert!((40..95).contains(&below_1e3), "{below_1e3}");
        s.seed = 8;
        assert_ne!(a, s.trials().unwrap());
    }

    #[test]
    fn bad_specs_say_what_to_write() {
        let mut s = Spec::default();
        let e = s.add_grid_flag("lr").unwrap_err().to_string();
        assert!(e.contains("KEY=VALUES"), "{e}");
        let e = format!(
            "{:#}",
            s.add_sample_flag("training.lr=log:0..1").unwrap_err()
        );
        assert!(e.contains("above zero"), "{e}");
        s.add_sample_flag("training.lr=1..2").unwrap();
        let e = s.trials().unwrap_err().to_string();
        assert!(e.contains("--random N"), "{e}");
    }

    #[test]
    fn dotted_keys_make_sections() {
        let mut c = Table::new();
        set_key(&mut c, "training.lr", Value::Float(0.1)).unwrap();
        assert_eq!(c["training"]["lr"], Value::Float(0.1));
        set_key(&mut c, "training.lr.x", Value::Float(0.1)).unwrap_err();
    }
}
