//! `notetag predict`: stream records in, predictions out, in input order, in
//! parallel chunks; one output line per input record (errors in place).

use std::io::{BufRead, BufWriter, Write};
use std::process::ExitCode;

use clap::ValueEnum;
use notetag::io::{self, Item, ReadOptions, Reader, Record};
use notetag::{Classifier, Error, PredictOptions, Prediction, Result};
use rayon::prelude::*;
use serde_json::{json, Map, Value};

use crate::args::PredictArgs;
use crate::nip32::Nip32;

const CHUNK: usize = 8192;

/// What `notetag predict` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// One JSON object per note: id, primary, labels, lang and scores.
    #[value(alias = "json")]
    Jsonl,
    /// Tab-separated values with a header row: line, id, primary, labels, lang, one
    /// probability column per label, error.
    Tsv,
    /// Comma-separated values, the columns of tsv.
    Csv,
    /// One NIP-32 label event (kind 1985) per tagged note, as a line of JSON.
    Nip32,
}

pub fn run(a: &PredictArgs) -> Result<ExitCode> {
    if a.output_format != OutputFormat::Nip32 && (a.sign_key.is_some() || a.created_at.is_some()) {
        return Err(Error::InvalidParam {
            name: "sign-key",
            reason: "--sign-key and --created-at apply to --output-format nip32 only".into(),
        });
    }
    let nip32 = Nip32::new(&a.namespace, a.sign_key.as_deref(), a.created_at)?;
    let mut clf = crate::load_model(&a.model)?;
    let threshold = a.decision.apply(&mut clf)?;
    let reader = open_input(a)?;
    let job = Job {
        args: a,
        clf: &clf,
        nip32: &nip32,
        opts: PredictOptions {
            threshold,
            top_k: a.top_k,
        },
    };
    let counts = match &a.output {
        Some(p) => notetag::persist::write_atomic_with(p, |w| job.write(reader, w))?,
        None => job.write(reader, &mut BufWriter::with_capacity(1 << 16, std::io::stdout().lock()))?,
    };
    counts.report();
    Ok(if counts.invalid > 0 {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    })
}

/// The records of `--input` (standard input by default), in `--format` or the
/// format detected from the file name and first line.
fn open_input(a: &PredictArgs) -> Result<Reader<Box<dyn BufRead>>> {
    let (name, mut input): (String, Box<dyn BufRead>) = match &a.input {
        Some(p) => {
            let f = std::fs::File::open(p).map_err(|e| Error::io_at(p, e))?;
            let len = f.metadata().map_or(0, |m| m.len());
            let bar = crate::progress::bytes(len, "tagging");
            (
                p.display().to_string(),
                Box::new(std::io::BufReader::with_capacity(1 << 16, bar.wrap_read(f))),
            )
        }
        None => (
            "<stdin>".into(),
            Box::new(std::io::BufReader::with_capacity(1 << 16, std::io::stdin())),
        ),
    };
    let format = match a.format {
        Some(f) => f,
        None => {
            let head = input.fill_buf().map_err(Error::from)?;
            let first = String::from_utf8_lossy(head.split(|&b| b == b'\n').next().unwrap_or(&[])).into_owned();
            io::detect(a.input.as_ref().and_then(|p| p.to_str()), &first)
        }
    };
    let mut ropts = ReadOptions::new(format, name);
    ropts.text_field = a.text_field.clone();
    Ok(Reader::new(input, ropts))
}

/// What became of the records read.
#[derive(Debug, Default)]
struct Counts {
    tagged: usize,
    invalid: usize,
    /// Other event kinds and relay messages.
    passed_over: usize,
    /// Left out by `--lang`.
    other_lang: usize,
    /// NIP-32 output only: notes with no topic, hence no label event.
    no_topic: usize,
}

impl Counts {
    /// Tell standard error about every record that gave no prediction.
    fn report(&self) {
        if self.passed_over > 0 || self.invalid > 0 || self.other_lang > 0 || self.no_topic > 0 {
            eprintln!(
                "notetag: {} tagged, {} invalid, {} passed over (other event kinds or relay messages), \
                 {} skipped by --lang, {} without topics (no label event)",
                self.tagged, self.invalid, self.passed_over, self.other_lang, self.no_topic
            );
        }
    }
}

/// Where the output goes, in its format.
enum Sink<W: Write> {
    Jsonl(W),
    Nip32(W),
    Table(Box<csv::Writer<W>>),
}

/// A CSV/TSV writer's error as an I/O error (the only kind writing can give).
fn table_error(e: csv::Error) -> Error {
    std::io::Error::from(e).into()
}

impl<W: Write> Sink<W> {
    /// Write everything still buffered.
    fn flush(&mut self) -> Result<()> {
        match self {
            Sink::Jsonl(w) | Sink::Nip32(w) => w.flush()?,
            Sink::Table(t) => t.flush()?,
        }
        Ok(())
    }
}

/// One `predict` run: the model and the settings every record is tagged with.
struct Job<'a> {
    args: &'a PredictArgs,
    clf: &'a Classifier,
    nip32: &'a Nip32,
    opts: PredictOptions,
}

impl Job<'_> {
    /// Tag every record of `reader` and write the output to `w`.
    fn write(&self, reader: impl Iterator<Item = Item>, w: &mut dyn Write) -> Result<Counts> {
        let mut sink = self.sink(w)?;
        let mut counts = Counts::default();
        let mut items: Vec<Item> = Vec::with_capacity(CHUNK);
        let mut reader = reader.peekable();
        while reader.peek().is_some() {
            items.clear();
            items.extend(reader.by_ref().take(CHUNK));
            let preds: Vec<Option<Prediction>> = items
                .par_iter()
                .with_min_len(64)
                .map(|it| match it {
                    Item::Record(r) => Some(self.clf.predict_with(&r.text, &self.opts)),
                    _ => None,
                })
                .collect();
            for (it, p) in items.iter().zip(preds) {
                self.write_item(&mut sink, it, p, &mut counts)?;
            }
        }
        sink.flush()?;
        Ok(counts)
    }

    /// The sink for `--output-format`, with the header row of a table written.
    fn sink<W: Write>(&self, w: W) -> Result<Sink<W>> {
        let delimiter = match self.args.output_format {
            OutputFormat::Jsonl => return Ok(Sink::Jsonl(w)),
            OutputFormat::Nip32 => return Ok(Sink::Nip32(w)),
            OutputFormat::Tsv => b'\t',
            OutputFormat::Csv => b',',
        };
        let mut t = csv::WriterBuilder::new().delimiter(delimiter).from_writer(w);
        let columns = ["line", "id", "primary", "labels", "lang"].into_iter();
        let labels = self.clf.labels().iter().map(String::as_str);
        t.write_record(columns.chain(labels).chain(["error"]))
            .map_err(table_error)?;
        Ok(Sink::Table(Box::new(t)))
    }

    /// Write one record's line (or count it as left out).
    fn write_item<W: Write>(
        &self,
        sink: &mut Sink<W>,
        item: &Item,
        p: Option<Prediction>,
        counts: &mut Counts,
    ) -> Result<()> {
        match (item, p) {
            (Item::Record(r), Some(p)) => {
                if !self.args.lang.is_empty() && !self.args.lang.iter().any(|l| l == p.lang()) {
                    counts.other_lang += 1;
                } else if matches!(sink, Sink::Nip32(_)) && p.no_topic() {
                    counts.no_topic += 1;
                } else {
                    counts.tagged += 1;
                    self.write_prediction(sink, r, &p)?;
                }
            }
            (Item::Invalid(e), _) => {
                counts.invalid += 1;
                eprintln!("notetag: {e}");
                write_error(sink, e, self.clf.labels().len())?;
            }
            _ => counts.passed_over += 1,
        }
        Ok(())
    }

    fn write_prediction<W: Write>(&self, sink: &mut Sink<W>, r: &Record, p: &Prediction) -> Result<()> {
        match sink {
            Sink::Jsonl(w) => {
                let mut o = Map::new();
                if let Some(id) = &r.id {
                    o.insert("id".into(), Value::String(id.clone()));
                }
                o.insert("primary".into(), p.primary().into());
                o.insert("labels".into(), p.labels().collect::<Vec<_>>().into());
                o.insert("lang".into(), p.lang().into());
                let scores: Map<String, Value> = p.scores().map(|(l, s)| (l.to_string(), json!(round4(s)))).collect();
                o.insert("scores".into(), Value::Object(scores));
                writeln!(w, "{}", Value::Object(o))?;
            }
            Sink::Nip32(w) => writeln!(w, "{}", self.nip32.line(r, p))?,
            Sink::Table(t) => {
                let mut row = vec![
                    r.line.to_string(),
                    r.id.clone().unwrap_or_default(),
                    p.primary().to_string(),
                    p.labels().collect::<Vec<_>>().join(";"),
                    p.lang().to_string(),
                ];
                row.extend(p.probabilities().iter().map(|s| format!("{s:.4}")));
                row.push(String::new());
                t.write_record(&row).map_err(table_error)?;
            }
        }
        Ok(())
    }
}

/// The line of an invalid record: its line number and the error (the other
/// columns of a table left empty).
fn write_error<W: Write>(sink: &mut Sink<W>, e: &Error, n_labels: usize) -> Result<()> {
    let (line, msg) = match e {
        Error::Record { line, message, .. } => (*line, message.clone()),
        other => (0, other.to_string()),
    };
    match sink {
        Sink::Jsonl(w) | Sink::Nip32(w) => writeln!(w, "{}", json!({"line": line, "error": msg}))?,
        Sink::Table(t) => {
            let line = line.to_string();
            let blanks = std::iter::repeat("").take(4 + n_labels);
            t.write_record(std::iter::once(line.as_str()).chain(blanks).chain([msg.as_str()]))
                .map_err(table_error)?;
        }
    }
    Ok(())
}

fn round4(x: f32) -> f64 {
    (f64::from(x) * 10000.0).round() / 10000.0
}
