//! `notetag predict`: stream records in, predictions out, in input order, in
//! parallel chunks; one output line per input record (errors in place).

use std::io::{BufRead, BufWriter, Write};
use std::process::ExitCode;

use notetag::io::{self, Item, ReadOptions, Reader};
use notetag::{Error, PredictOptions, Prediction, Result};
use rayon::prelude::*;
use serde_json::{json, Map, Value};

use crate::args::PredictArgs;

const CHUNK: usize = 8192;

enum Out {
    Jsonl,
    Tsv,
    Csv,
    Nip32,
}

pub fn run(a: &PredictArgs) -> Result<ExitCode> {
    let out_fmt = match a.output_format.as_str() {
        "jsonl" | "json" => Out::Jsonl,
        "tsv" => Out::Tsv,
        "csv" => Out::Csv,
        "nip32" => Out::Nip32,
        o => {
            return Err(Error::InvalidParam {
                name: "output-format",
                reason: format!("`{o}`: expected jsonl, tsv, csv or nip32"),
            })
        }
    };
    if !matches!(out_fmt, Out::Nip32) && (a.sign_key.is_some() || a.created_at.is_some()) {
        return Err(Error::InvalidParam {
            name: "sign-key",
            reason: "--sign-key and --created-at apply to --output-format nip32 only".into(),
        });
    }
    let nip32 = crate::nip32::Nip32::new(&a.namespace, a.sign_key.as_deref(), a.created_at)?;
    let clf = crate::load_model(&a.model)?;
    let opts = PredictOptions {
        threshold: a.threshold,
        top_k: a.top_k,
    };
    let (name, input): (String, Box<dyn BufRead>) = match &a.input {
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
    let mut input = input;
    let format = match &a.format {
        Some(f) => f.parse()?,
        None => {
            let head = input.fill_buf().map_err(Error::from)?;
            let first = String::from_utf8_lossy(head.split(|&b| b == b'\n').next().unwrap_or(&[])).into_owned();
            io::detect(a.input.as_ref().and_then(|p| p.to_str()), &first)
        }
    };
    let mut ropts = ReadOptions::new(format, name.clone());
    ropts.text_field = a.text_field.clone();
    let reader = Reader::new(input, ropts);

    let tmp;
    let sink: Box<dyn Write> = match &a.output {
        Some(p) => {
            tmp = tempfile_beside(p)?;
            Box::new(std::fs::File::create(&tmp).map_err(|e| Error::io_at(&tmp, e))?)
        }
        None => {
            tmp = std::path::PathBuf::new();
            Box::new(std::io::stdout().lock())
        }
    };
    let mut w = BufWriter::with_capacity(1 << 16, sink);
    let labels = clf.labels().to_vec();
    if matches!(out_fmt, Out::Tsv | Out::Csv) {
        let sep = if matches!(out_fmt, Out::Tsv) { "\t" } else { "," };
        let mut head = vec!["line".to_string(), "id".into(), "primary".into(), "labels".into()];
        head.extend(labels.iter().cloned());
        head.push("error".into());
        writeln!(w, "{}", head.join(sep))?;
    }
    let (mut n_ok, mut n_err, mut n_skip, mut n_bare) = (0usize, 0usize, 0usize, 0usize);
    let mut items: Vec<Item> = Vec::with_capacity(CHUNK);
    let mut reader = reader.peekable();
    while reader.peek().is_some() {
        items.clear();
        items.extend(reader.by_ref().take(CHUNK));
        let preds: Vec<Option<Prediction>> = items
            .par_iter()
            .with_min_len(64)
            .map(|it| match it {
                Item::Record(r) => Some(clf.predict_with(&r.text, &opts)),
                _ => None,
            })
            .collect();
        for (it, p) in items.iter().zip(preds) {
            match (it, p) {
                (Item::Record(r), Some(p)) => {
                    n_ok += 1;
                    if matches!(out_fmt, Out::Nip32) && p.labels().next().is_none() {
                        // A label event without an `l` tag labels nothing.
                        n_bare += 1;
                        continue;
                    }
                    write_prediction(&mut w, &out_fmt, r, &p, &labels, &nip32)?;
                }
                (Item::Invalid(e), _) => {
                    n_err += 1;
                    eprintln!("notetag: {e}");
                    let (line, msg) = match e {
                        Error::Record { line, message, .. } => (*line, message.clone()),
                        other => (0, other.to_string()),
                    };
                    match out_fmt {
                        Out::Jsonl | Out::Nip32 => writeln!(w, "{}", json!({"line": line, "error": msg}))?,
                        Out::Tsv | Out::Csv => {
                            let sep = if matches!(out_fmt, Out::Tsv) { "\t" } else { "," };
                            let blanks = vec![""; 3 + labels.len()].join(sep);
                            writeln!(w, "{line}{sep}{blanks}{sep}{}", csv_field(&msg, sep))?
                        }
                    }
                }
                _ => n_skip += 1,
            }
        }
    }
    w.flush()?;
    drop(w);
    if let Some(p) = &a.output {
        std::fs::rename(&tmp, p).map_err(|e| Error::io_at(p, e))?;
    }
    if n_bare > 0 {
        eprintln!("notetag: {n_bare} of {n_ok} notes got no topic: no label event written for them");
    }
    if n_skip > 0 || n_err > 0 {
        eprintln!(
            "notetag: {n_ok} tagged, {n_err} invalid, {n_skip} passed over (other event kinds or relay messages)"
        );
    }
    Ok(if n_err > 0 {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    })
}

fn tempfile_beside(p: &std::path::Path) -> Result<std::path::PathBuf> {
    let dir = p
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(dir.join(format!(".{name}.tmp{}", std::process::id())))
}

fn csv_field(s: &str, sep: &str) -> String {
    if s.contains(sep) || s.contains('"') || s.contains('\n') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn write_prediction(
    w: &mut impl Write,
    fmt: &Out,
    r: &io::Record,
    p: &Prediction,
    labels: &[String],
    nip32: &crate::nip32::Nip32,
) -> Result<()> {
    match fmt {
        Out::Jsonl => {
            let mut o = Map::new();
            if let Some(id) = &r.id {
                o.insert("id".into(), Value::String(id.clone()));
            }
            o.insert("primary".into(), p.primary().into());
            o.insert("labels".into(), p.labels().collect::<Vec<_>>().into());
            let scores: Map<String, Value> = p.scores().map(|(l, s)| (l.to_string(), json!(round4(s)))).collect();
            o.insert("scores".into(), Value::Object(scores));
            writeln!(w, "{}", Value::Object(o))?;
        }
        Out::Tsv | Out::Csv => {
            let sep = if matches!(fmt, Out::Tsv) { "\t" } else { "," };
            let mut row = vec![
                r.line.to_string(),
                csv_field(r.id.as_deref().unwrap_or(""), sep),
                p.primary().to_string(),
                csv_field(&p.labels().collect::<Vec<_>>().join(";"), sep),
            ];
            row.extend(p.probabilities().iter().map(|s| format!("{:.4}", s)));
            row.push(String::new());
            debug_assert_eq!(row.len(), 5 + labels.len());
            writeln!(w, "{}", row.join(sep))?;
        }
        Out::Nip32 => writeln!(w, "{}", nip32.line(r, p))?,
    }
    Ok(())
}

fn round4(x: f32) -> f64 {
    (f64::from(x) * 10000.0).round() / 10000.0
}
