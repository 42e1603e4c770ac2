//! The value types of `gradus train`'s config keys that are more than a number or a name:
//! the task, scaling and precision choices, CSV columns (by index or by header name, one or a
//! list) and the field delimiter. `train_config.rs` lays them out in sections; the flags in
//! `train.rs` parse into the same types, so a file and the command line accept the same values.

use std::fmt;

use anyhow::bail;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskKind {
    Classification,
    Regression,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scale {
    Minmax,
    Standard,
    None,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dtype {
    F32,
    F64,
}

/// One CSV column: a 0-based index, or a name from the header line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Column {
    Index(usize),
    Name(String),
}

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Column::Index(i) => write!(f, "{i}"),
            Column::Name(n) => write!(f, "{n:?}"),
        }
    }
}

/// One column or several: `target = "price"`, `target = 3`, `features = [0, "age", 4]`.
/// A single column is written back as a single value, so a resolved config reads like the
/// file it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Columns(pub Vec<Column>);

impl Columns {
    /// A flag's value: comma-separated columns, each a 0-based index or a header name.
    pub fn parse_flag(flag: &str, text: &str) -> anyhow::Result<Columns> {
        let cols: Vec<Column> = text
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| match s.parse::<usize>() {
                Ok(i) => Column::Index(i),
                Err(_) => Column::Name(s.to_string()),
            })
            .collect();
        if cols.is_empty() {
            bail!("{flag} {text:?}: name at least one column, by 0-based index or header name, e.g. {flag} 0,2,price");
        }
        Ok(Columns(cols))
    }

    pub fn show(&self) -> String {
        let parts: Vec<String> = self.0.iter().map(|c| c.to_string()).collect();
        parts.join(", ")
    }
}

impl Serialize for Columns {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        fn one<S: Serializer>(c: &Column, s: S) -> Result<S::Ok, S::Error> {
            match c {
                Column::Index(i) => s.serialize_u64(*i as u64),
                Column::Name(n) => s.serialize_str(n),
            }
        }
        struct Item<'a>(&'a Column);
        impl Serialize for Item<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                one(self.0, s)
            }
        }
        match &self.0[..] {
            [c] => one(c, s),
            many => s.collect_seq(many.iter().map(Item)),
        }
    }
}

struct ColumnsVisitor;

const EXPECTING: &str =
    "a column: a 0-based index or a header name in quotes, or a list of them, e.g. [0, \"age\"]";

impl<'de> Visitor<'de> for ColumnsVisitor {
    type Value = Columns;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(EXPECTING)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Columns, E> {
        usize::try_from(v)
            .map(|i| Columns(vec![Column::Index(i)]))
            .map_err(|_| E::custom(format!("column {v} is negative; columns count from 0")))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Columns, E> {
        Ok(Columns(vec![Column::Index(v as usize)]))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Columns, E> {
        Ok(Columns(vec![Column::Name(v.to_string())]))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Columns, A::Error> {
        let mut cols = Vec::new();
        while let Some(Columns(one)) = seq.next_element::<Columns>()? {
            if one.len() != 1 {
                return Err(de::Error::custom(format!(
                    "a list inside a list of columns; write {EXPECTING}"
                )));
            }
            cols.extend(one);
        }
        if cols.is_empty() {
            return Err(de::Error::custom(
                "an empty list of columns; name at least one",
            ));
        }
        Ok(Columns(cols))
    }
}

impl<'de> Deserialize<'de> for Columns {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Columns, D::Error> {
        d.deserialize_any(ColumnsVisitor)
    }
}

/// The one character that separates fields: `","`, `";"`, `"\t"` (or the word `tab`), `"|"`,
/// `" "`. Digits, the decimal point, signs and quotes cannot separate numbers.
pub fn parse_delimiter(text: &str) -> anyhow::Result<char> {
    let c = match text {
        "tab" | "\\t" => '\t',
        "space" => ' ',
        _ => {
            let mut chars = text.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => c,
                _ => bail!(
                    "--delimiter / [data] delimiter {text:?}: give one character, e.g. \",\", \";\", \"\\t\" (or \"tab\") or \"|\""
                ),
            }
        }
    };
    if c.is_ascii_digit() || "+-.eE\"'\n\r".contains(c) {
        bail!(
            "--delimiter / [data] delimiter {text:?}: that character is part of numbers or quotes; use \",\", \";\", \"\\t\" (or \"tab\"), \"|\" or \" \""
        );
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Serialize)]
    struct T {
        c: Columns,
    }

    #[test]
    fn columns_read_and_write_as_written() {
        for text in ["c = 3\n", "c = \"price\"\n", "c = [0, \"age\", 4]\n"] {
            let t: T = toml::from_str(text).unwrap();
            assert_eq!(toml::to_string(&t).unwrap(), text);
        }
        let t: T = toml::from_str("c = [1, 2]").unwrap();
        assert_eq!(t.c.0, [Column::Index(1), Column::Index(2)]);
        assert!(toml::from_str::<T>("c = -1").is_err());
        assert!(toml::from_str::<T>("c = []").is_err());
        assert!(toml::from_str::<T>("c = 1.5").is_err());
    }

    #[test]
    fn flags_parse_indices_and_names() {
        let c = Columns::parse_flag("--features", "0, age,3").unwrap();
        assert_eq!(
            c.0,
            [
                Column::Index(0),
                Column::Name("age".into()),
                Column::Index(3)
            ]
        );
        assert!(Columns::parse_flag("--features", " , ").is_err());
    }

    #[test]
    fn delimiters() {
        assert_eq!(parse_delimiter(";").unwrap(), ';');
        assert_eq!(parse_delimiter("tab").unwrap(), '\t');
        assert_eq!(parse_delimiter("\t").unwrap(), '\t');
        assert!(parse_delimiter(".").is_err());
        assert!(parse_delimiter(";;").is_err());
    }
}
