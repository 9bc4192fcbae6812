//! Dataset readers: plain text, JSON Lines, CSV/TSV, fastText, and Nostr events or
//! relay messages. Every input line (or CSV record) yields exactly one [`Item`]: a
//! record, a record passed over on purpose (with the reason), or an error naming the
//! line and field — nothing is dropped silently.
//!
//! [`nostr`] writes the other way: NIP-32 label events, signed or not.

use std::io::{BufRead, Read};

use serde_json::Value;

use crate::data::Example;
use crate::error::{Error, Result};

#[cfg(feature = "csv")]
mod csv_input;
#[cfg(feature = "nostr")]
#[cfg_attr(docsrs, doc(cfg(feature = "nostr")))]
pub mod nostr;

/// Input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// One note per line.
    Text,
    /// JSON object per line, with a text field and optional `id`, `labels`/`label`, `primary`.
    Jsonl,
    /// Comma-separated values with a header row.
    Csv,
    /// Tab-separated values with a header row.
    Tsv,
    /// `__label__a __label__b text` per line.
    FastText,
    /// NIP-01 event objects, or relay messages `["EVENT", sub, event]`.
    Nostr,
}

impl std::str::FromStr for Format {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "text" | "txt" | "plain" => Format::Text,
            "jsonl" | "json" | "ndjson" => Format::Jsonl,
            "csv" => Format::Csv,
            "tsv" => Format::Tsv,
            "fasttext" | "ft" => Format::FastText,
            "nostr" => Format::Nostr,
            other => {
                return Err(Error::param(
                    "format",
                    format!("`{other}`: expected text, jsonl, csv, tsv, fasttext or nostr"),
                ))
            }
        })
    }
}

/// Guess the format from a file name and its first non-blank line.
pub fn detect(file_name: Option<&str>, first_line: &str) -> Format {
    let lower = file_name.unwrap_or("").to_ascii_lowercase();
    if lower.ends_with(".csv") {
        return Format::Csv;
    }
    if lower.ends_with(".tsv") {
        return Format::Tsv;
    }
    let t = first_line.trim_start_matches('\u{feff}').trim_start();
    if t.starts_with('[') {
        return Format::Nostr;
    }
    if t.starts_with('{') {
        if let Ok(Value::Object(o)) = serde_json::from_str::<Value>(t) {
            if o.contains_key("kind") && o.contains_key("content") && o.contains_key("pubkey") {
                return Format::Nostr;
            }
        }
        return Format::Jsonl;
    }
    if t.starts_with("__label__") {
        return Format::FastText;
    }
    Format::Text
}

/// One input record.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Record {
    /// 1-based line where the record starts.
    pub line: usize,
    /// `id` from the input (the event id for Nostr).
    pub id: Option<String>,
    /// The note.
    pub text: String,
    /// Gold labels, when the input has them.
    pub labels: Option<Vec<String>>,
    /// Gold primary label, when the input has one.
    pub primary: Option<String>,
    /// Nostr author (hex public key).
    pub pubkey: Option<String>,
    /// Nostr event kind.
    pub kind: Option<u64>,
}

impl Record {
    /// As a training/evaluation example (missing labels become "no topic").
    pub fn into_example(self) -> Example {
        Example {
            id: self.id,
            text: self.text,
            labels: self.labels.unwrap_or_default(),
            primary: self.primary,
        }
    }
}

/// What one input line became.
#[derive(Debug)]
pub enum Item {
    /// A record to tag.
    Record(Record),
    /// Passed over on purpose (a Nostr event of another kind, a relay `EOSE`, a
    /// blank line…): the line and why.
    Skipped {
        /// 1-based line.
        line: usize,
        /// Why.
        reason: String,
    },
    /// The line could not be read: [`Error::Record`] naming file, line and field.
    Invalid(Error),
}

/// Reader settings.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Format of the input.
    pub format: Format,
    /// Field holding the text (JSON Lines, CSV/TSV).
    pub text_field: String,
    /// Name used in error messages (file name or `<stdin>`).
    pub source_name: String,
    /// Nostr event kinds that are tagged; others are passed over.
    pub nostr_kinds: Vec<u64>,
    /// Longest line accepted, in bytes; longer ones are an error record. For CSV/TSV,
    /// the longest record: a longer one (a quote never closed…) ends the stream
    /// with an error naming the line where it began.
    pub max_line_bytes: usize,
}

impl ReadOptions {
    /// Defaults for `format`: text field `text`, Nostr kinds 1 and 30023, lines up to 64 MiB.
    pub fn new(format: Format, source_name: impl Into<String>) -> Self {
        ReadOptions {
            format,
            text_field: "text".into(),
            source_name: source_name.into(),
            nostr_kinds: vec![1, 30023],
            max_line_bytes: 64 << 20,
        }
    }
}

/// Streaming reader: an iterator of [`Item`]s, one per input record.
pub struct Reader<R: BufRead> {
    opts: ReadOptions,
    inner: Inner<R>,
    line: usize,
    buf: Vec<u8>,
}

enum Inner<R: BufRead> {
    Lines(R),
    /// CSV/TSV input in a build without the `csv` feature: one error, then the end.
    #[cfg(not(feature = "csv"))]
    NoCsv(bool),
    #[cfg(feature = "csv")]
    Csv(Box<csv_input::CsvInput<R>>),
}

impl<R: BufRead> Reader<R> {
    /// Read `input` with `opts`.
    pub fn new(input: R, opts: ReadOptions) -> Self {
        let inner = match opts.format {
            #[cfg(not(feature = "csv"))]
            Format::Csv | Format::Tsv => Inner::NoCsv(true),
            #[cfg(feature = "csv")]
            Format::Csv | Format::Tsv => Inner::Csv(Box::new(csv_input::CsvInput::new(input, &opts))),
            _ => Inner::Lines(input),
        };
        Reader {
            opts,
            inner,
            line: 0,
            buf: Vec::new(),
        }
    }
}

impl ReadOptions {
    fn invalid(&self, line: usize, message: impl Into<String>) -> Item {
        Item::Invalid(Error::Record {
            source_name: self.source_name.clone(),
            line,
            message: message.into(),
        })
    }

    fn next_line<R: BufRead>(&self, input: &mut R, buf: &mut Vec<u8>, counter: &mut usize) -> Option<Item> {
        buf.clear();
        let limit = self.max_line_bytes as u64 + 1;
        match Read::take(&mut *input, limit).read_until(b'\n', buf) {
            Ok(0) => None,
            Ok(_) => {
                *counter += 1;
                let line = *counter;
                if buf.len() as u64 >= limit && buf.last() != Some(&b'\n') {
                    // Skip the rest of the over-long line without holding it.
                    loop {
                        let chunk = match input.fill_buf() {
                            Ok(c) if !c.is_empty() => c,
                            _ => break,
                        };
                        let (used, done) = match chunk.iter().position(|&b| b == b'\n') {
                            Some(i) => (i + 1, true),
                            None => (chunk.len(), false),
                        };
                        input.consume(used);
                        if done {
                            break;
                        }
                    }
                    return Some(self.invalid(line, format!("line longer than {} bytes", self.max_line_bytes)));
                }
                while matches!(buf.last(), Some(b'\n' | b'\r')) {
                    buf.pop();
                }
                let text = match std::str::from_utf8(buf) {
                    Ok(t) => t.trim_start_matches('\u{feff}').to_string(),
                    Err(e) => return Some(self.invalid(line, format!("invalid UTF-8 at byte {}", e.valid_up_to()))),
                };
                Some(self.parse_line(line, text))
            }
            Err(e) => {
                *counter += 1;
                Some(self.invalid(*counter, format!("read error: {e}")))
            }
        }
    }

    fn parse_line(&self, line: usize, text: String) -> Item {
        match self.format {
            Format::Text => Item::Record(Record {
                line,
                text,
                ..Record::default()
            }),
            Format::FastText => parse_fasttext(line, &text),
            Format::Jsonl => match serde_json::from_str::<Value>(&text) {
                Ok(Value::Object(o)) => match json_record(line, &o, &self.text_field) {
                    Ok(r) => Item::Record(r),
                    Err(m) => self.invalid(line, m),
                },
                Ok(_) => self.invalid(line, "expected a JSON object"),
                Err(e) if text.trim().is_empty() => {
                    let _ = e;
                    self.invalid(line, "blank line: expected a JSON object")
                }
                Err(e) => self.invalid(line, format!("invalid JSON: {e}")),
            },
            Format::Nostr => self.parse_nostr(line, &text),
            Format::Csv | Format::Tsv => unreachable!("CSV is read record by record"),
        }
    }

    fn parse_nostr(&self, line: usize, text: &str) -> Item {
        if text.trim().is_empty() {
            return Item::Skipped {
                line,
                reason: "blank line".into(),
            };
        }
        let v: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => return self.invalid(line, format!("invalid JSON: {e}")),
        };
        let event = match &v {
            Value::Object(o) => o,
            Value::Array(a) => match a.first().and_then(Value::as_str) {
                Some("EVENT") => match a.iter().skip(1).find_map(Value::as_object) {
                    Some(e) => e,
                    None => return self.invalid(line, "relay EVENT message without an event object"),
                },
                Some(t) => {
                    return Item::Skipped {
                        line,
                        reason: format!("relay message {t}"),
                    }
                }
                None => return self.invalid(line, "relay message without a type string"),
            },
            _ => return self.invalid(line, "expected a Nostr event object or relay message"),
        };
        let kind = match event.get("kind") {
            Some(k) => match k.as_u64() {
                Some(k) => k,
                None => return self.invalid(line, "field `kind`: expected a non-negative integer"),
            },
            None => return self.invalid(line, "field `kind`: missing"),
        };
        if !self.nostr_kinds.contains(&kind) {
            return Item::Skipped {
                line,
                reason: format!("event kind {kind}"),
            };
        }
        let content = match event.get("content") {
            Some(Value::String(s)) => s.clone(),
            Some(_) => return self.invalid(line, "field `content`: expected a string"),
            None => return self.invalid(line, "field `content`: missing"),
        };
        let str_field = |name: &str| event.get(name).and_then(Value::as_str).map(str::to_string);
        Item::Record(Record {
            line,
            id: str_field("id"),
            text: content,
            pubkey: str_field("pubkey"),
            kind: Some(kind),
            ..Record::default()
        })
    }
}

fn parse_fasttext(line: usize, text: &str) -> Item {
    let mut labels = Vec::new();
    let mut rest = text.trim_start();
    while let Some(r) = rest.strip_prefix("__label__") {
        let end = r.find(char::is_whitespace).unwrap_or(r.len());
        labels.push(r[..end].to_string());
        rest = r[end..].trim_start();
    }
    Item::Record(Record {
        line,
        text: rest.to_string(),
        primary: labels.first().cloned(),
        labels: Some(labels),
        ..Record::default()
    })
}

fn json_record(
    line: usize,
    o: &serde_json::Map<String, Value>,
    text_field: &str,
) -> std::result::Result<Record, String> {
    let text = match o.get(text_field) {
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(format!("field `{text_field}`: expected a string")),
        None => return Err(format!("field `{text_field}`: missing")),
    };
    let id = match o.get("id") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(_) => return Err("field `id`: expected a string or number".into()),
    };
    let labels = match (o.get("labels"), o.get("label")) {
        (Some(Value::Array(a)), _) => Some(
            a.iter()
                .map(|v| v.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or("field `labels`: expected a list of strings")?,
        ),
        (Some(Value::Null) | None, Some(Value::String(s))) => Some(vec![s.clone()]),
        (Some(Value::Null) | None, None | Some(Value::Null)) => None,
        (Some(_), _) => return Err("field `labels`: expected a list of strings".into()),
        (None, Some(_)) => return Err("field `label`: expected a string".into()),
    };
    let primary = match o.get("primary") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err("field `primary`: expected a string or null".into()),
    };
    if let (Some(p), Some(ls)) = (&primary, &labels) {
        if !ls.contains(p) {
            return Err(format!("field `primary`: `{p}` is not among the labels"));
        }
    }
    Ok(Record {
        line,
        id,
        text,
        labels,
        primary,
        ..Record::default()
    })
}

impl<R: BufRead> Iterator for Reader<R> {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        match &mut self.inner {
            Inner::Lines(input) => self.opts.next_line(input, &mut self.buf, &mut self.line),
            #[cfg(not(feature = "csv"))]
            Inner::NoCsv(first) => std::mem::take(first).then(|| {
                self.opts
                    .invalid(1, "CSV/TSV input needs notetag's `csv` feature (this build has it off)")
            }),
            #[cfg(feature = "csv")]
            Inner::Csv(csv) => csv.next_item(&self.opts),
        }
    }
}

/// Read labelled examples from a file, strictly: the first invalid record is an
/// error naming file and line; passed-over records (other Nostr kinds…) are left out.
pub fn read_examples(path: impl AsRef<std::path::Path>, format: Option<Format>) -> Result<Vec<Example>> {
    let path = path.as_ref();
    let name = path.display().to_string();
    let first = first_line(path)?;
    let format = format.unwrap_or_else(|| detect(Some(&name), &first));
    let file = std::fs::File::open(path).map_err(|e| Error::io_at(path, e))?;
    let reader = Reader::new(std::io::BufReader::new(file), ReadOptions::new(format, name));
    let mut out = Vec::new();
    for item in reader {
        match item {
            Item::Record(r) => out.push(r.into_example()),
            Item::Skipped { .. } => {}
            Item::Invalid(e) => return Err(e),
        }
    }
    Ok(out)
}

/// The first non-blank line of a file (for format detection), lossily decoded.
pub fn first_line(path: &std::path::Path) -> Result<String> {
    let file = std::fs::File::open(path).map_err(|e| Error::io_at(path, e))?;
    let mut r = std::io::BufReader::new(file);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let n = Read::take(&mut r, 1 << 20)
            .read_until(b'\n', &mut buf)
            .map_err(|e| Error::io_at(path, e))?;
        if n == 0 {
            return Ok(String::new());
        }
        let s = String::from_utf8_lossy(&buf).into_owned();
        if !s.trim().is_empty() {
            return Ok(s);
        }
    }
}
