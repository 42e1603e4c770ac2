//! A writer of TensorBoard event files (`events.out.tfevents.*`): scalars per step.
//!
//! Why our own and not a crate: the maintained Rust TensorBoard writers pull in a protobuf
//! code generator or TensorFlow itself, and we need one message shape. The format is a
//! TFRecord stream — per record: u64 length, masked CRC-32C of the length, the bytes,
//! masked CRC-32C of the bytes (all little-endian) — of `tensorflow.Event` protobuf messages,
//! encoded here by hand:
//!
//! ```text
//! Event   { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
//! Summary { repeated Value value = 1; }
//! Value   { string tag = 1; float simple_value = 2; }
//! ```
//!
//! The first record carries `file_version = "brain.Event:2"`, as TensorFlow writes it.
//! Each call to [`EventWriter::scalars`] appends one event and flushes, so a TensorBoard
//! watching the run folder sees every epoch as it ends.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use super::crc32c::masked_crc32c;

/// One named value of a step (`loss/train`, `learning_rate`, ...).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scalar<'a> {
    pub tag: &'a str,
    pub value: f64,
}

/// Appends scalar events to one event file.
///
/// ```
/// use gradus::report::{EventWriter, Scalar};
/// let dir = std::env::temp_dir().join(format!("gradus-doc-events-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let mut w = EventWriter::create(&dir)?;
/// w.scalars(1, &[Scalar { tag: "loss/train", value: 0.5 }])?;
/// assert!(w.path().file_name().unwrap().to_string_lossy().starts_with("events.out.tfevents."));
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct EventWriter {
    file: File,
    path: PathBuf,
}

impl EventWriter {
    /// Creates `dir/events.out.tfevents.SECONDS.HOST.PID` (TensorBoard's naming) and writes
    /// the file-version record.
    pub fn create(dir: &Path) -> io::Result<Self> {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .map(|h| h.trim().to_string())
            .filter(|h| !h.is_empty() && !h.contains('/'))
            .unwrap_or_else(|| "localhost".into());
        let seconds = now().floor() as u64;
        let name = format!(
            "events.out.tfevents.{seconds}.{host}.{}",
            std::process::id()
        );
        let path = dir.join(name);
        let mut w = EventWriter {
            file: File::create(&path)?,
            path,
        };
        let mut event = Vec::new();
        wall_time(&mut event, now());
        bytes_field(&mut event, 3, b"brain.Event:2");
        w.record(&event)?;
        Ok(w)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// One event at `step` holding every value of `values` (stored as f32, TensorBoard's
    /// `simple_value`), flushed to disk.
    pub fn scalars(&mut self, step: u64, values: &[Scalar<'_>]) -> io::Result<()> {
        let mut summary = Vec::new();
        for s in values {
            let mut value = Vec::new();
            bytes_field(&mut value, 1, s.tag.as_bytes());
            value.push(2 << 3 | 5); // field 2, fixed 32-bit
            value.extend_from_slice(&(s.value as f32).to_le_bytes());
            bytes_field(&mut summary, 1, &value);
        }
        let mut event = Vec::new();
        wall_time(&mut event, now());
        event.push(2 << 3); // field 2, varint
        varint(&mut event, step);
        bytes_field(&mut event, 5, &summary);
        self.record(&event)?;
        self.file.flush()
    }

    fn record(&mut self, data: &[u8]) -> io::Result<()> {
        let len = (data.len() as u64).to_le_bytes();
        let mut rec = Vec::with_capacity(data.len() + 16);
        rec.extend_from_slice(&len);
        rec.extend_from_slice(&masked_crc32c(&len).to_le_bytes());
        rec.extend_from_slice(data);
        rec.extend_from_slice(&masked_crc32c(data).to_le_bytes());
        self.file.write_all(&rec)
    }
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

fn wall_time(out: &mut Vec<u8>, t: f64) {
    out.push(1 << 3 | 1); // field 1, fixed 64-bit
    out.extend_from_slice(&t.to_le_bytes());
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8 & 0x7F) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// A length-delimited field (wire type 2): strings and embedded messages.
fn bytes_field(out: &mut Vec<u8>, field: u8, bytes: &[u8]) {
    out.push(field << 3 | 2);
    varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

#[cfg(test)]
mod tests {
    //! An independent reader of the same format, so the test checks framing, checksums and
    //! field numbers rather than the writer against itself. The Python `tensorboard`
    //! package reads these files in the command's interop tests.
    use super::*;

    fn read_varint(b: &[u8], at: &mut usize) -> u64 {
        let (mut v, mut shift) = (0u64, 0);
        loop {
            let byte = b[*at];
            *at += 1;
            v |= ((byte & 0x7F) as u64) << shift;
            if byte < 0x80 {
                return v;
            }
            shift += 7;
        }
    }

    /// (field number, wire type, payload) of each top-level field.
    fn fields(b: &[u8]) -> Vec<(u64, u64, Vec<u8>)> {
        let mut at = 0;
        let mut out = Vec::new();
        while at < b.len() {
            let key = read_varint(b, &mut at);
            let (field, wire) = (key >> 3, key & 7);
            let payload = match wire {
                0 => read_varint(b, &mut at).to_le_bytes().to_vec(),
                1 => {
                    at += 8;
                    b[at - 8..at].to_vec()
                }
                2 => {
                    let n = read_varint(b, &mut at) as usize;
                    at += n;
                    b[at - n..at].to_vec()
                }
                5 => {
                    at += 4;
                    b[at - 4..at].to_vec()
                }
                w => panic!("unexpected wire type {w}"),
            };
            out.push((field, wire, payload));
        }
        out
    }

    #[test]
    fn records_frame_checksum_and_decode() {
        let dir = std::env::temp_dir().join(format!("gradus-tfevents-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut w = EventWriter::create(&dir).unwrap();
        w.scalars(
            300,
            &[
                Scalar {
                    tag: "loss/train",
                    value: 0.25,
                },
                Scalar {
                    tag: "learning_rate",
                    value: 1e-3,
                },
            ],
        )
        .unwrap();
        let bytes = std::fs::read(w.path()).unwrap();
        let mut records = Vec::new();
        let mut at = 0;
        while at < bytes.len() {
            let len_bytes = &bytes[at..at + 8];
            let len = u64::from_le_bytes(len_bytes.try_into().unwrap()) as usize;
            let crc = u32::from_le_bytes(bytes[at + 8..at + 12].try_into().unwrap());
            assert_eq!(crc, masked_crc32c(len_bytes));
            let data = &bytes[at + 12..at + 12 + len];
            let crc = u32::from_le_bytes(bytes[at + 12 + len..at + 16 + len].try_into().unwrap());
            assert_eq!(crc, masked_crc32c(data));
            records.push(data.to_vec());
            at += 16 + len;
        }
        assert_eq!(records.len(), 2);
        let first = fields(&records[0]);
        assert_eq!(first[1], (3, 2, b"brain.Event:2".to_vec()));
        let second = fields(&records[1]);
        assert_eq!((second[0].0, second[0].1), (1, 1));
        assert_eq!(second[1], (2, 0, 300u64.to_le_bytes().to_vec()));
        let summary = fields(&second[2].2);
        let values: Vec<(String, f32)> = summary
            .iter()
            .map(|(f, _, v)| {
                assert_eq!(*f, 1);
                let value = fields(v);
                let tag = String::from_utf8(value[0].2.clone()).unwrap();
                (tag, f32::from_le_bytes(value[1].2[..4].try_into().unwrap()))
            })
            .collect();
        assert_eq!(
            values,
            [
                ("loss/train".to_string(), 0.25),
                ("learning_rate".to_string(), 1e-3)
            ]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
