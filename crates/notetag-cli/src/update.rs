//! `notetag update`: fold corrections into a saved model.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::Args;
use notetag::io::{self, Format, Item, ReadOptions, Reader};
use notetag::{Classifier, Error, Example, Result};

/// `notetag update`.
#[derive(Args, Debug)]
pub struct UpdateArgs {
    /// The model to correct.
    #[arg(long)]
    pub model: PathBuf,
    /// Corrections: notes with their right labels, in any format `train` reads (an
    /// empty label list means "none of the labels").
    #[arg(long, short)]
    pub input: PathBuf,
    /// Where to write the corrected model, atomically (may be --model itself; on
    /// any error nothing is written).
    #[arg(long, short)]
    pub output: PathBuf,
    /// Input format (default: detected).
    #[arg(long)]
    pub format: Option<Format>,
}

/// Run `notetag update`.
pub fn run(a: &UpdateArgs) -> Result<ExitCode> {
    let mut clf = Classifier::load(&a.model)?;
    let (lines, examples) = read_corrections(&a.input, a.format)?;
    let start = Instant::now();
    let r = clf.update(&examples).map_err(|e| at_line(e, &a.input, &lines))?;
    let secs = start.elapsed().as_secs_f64();
    notetag::persist::write_atomic(&a.output, &clf.to_bytes()?)?;
    let seen = clf.meta().updates;
    let unlearnable = match r.unlearnable {
        0 => String::new(),
        n => format!(" ({n} with no feature the model knows: nothing to learn from them)"),
    };
    eprintln!(
        "learnt from {} corrections in {secs:.2}s{unlearnable}: wrong before {}, after {}; \
         the model has taken {} updates ({} corrections) since training; wrote {}",
        r.examples,
        r.wrong_before,
        r.wrong_after,
        seen.updates,
        seen.examples,
        a.output.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The corrections in `path` with the line each starts on. A record without
/// labels (a plain-text line, say) is an error: a correction needs its labels.
fn read_corrections(path: &Path, format: Option<Format>) -> Result<(Vec<usize>, Vec<Example>)> {
    let name = path.display().to_string();
    let format = match format {
        Some(f) => f,
        None => io::detect(Some(&name), &io::first_line(path)?),
    };
    let file = std::fs::File::open(path).map_err(|e| Error::io_at(path, e))?;
    let reader = Reader::new(std::io::BufReader::new(file), ReadOptions::new(format, name.clone()));
    let (mut lines, mut examples) = (Vec::new(), Vec::new());
    for item in reader {
        match item {
            Item::Record(r) if r.labels.is_none() => {
                return Err(Error::Record {
                    source_name: name,
                    line: r.line,
                    message: "no labels: a correction needs the note's right labels \
                              (an empty list for none of them)"
                        .into(),
                });
            }
            Item::Record(r) => {
                lines.push(r.line);
                examples.push(r.into_example());
            }
            Item::Skipped { .. } => {}
            Item::Invalid(e) => return Err(e),
        }
    }
    Ok((lines, examples))
}

/// An error about the update's `row`-th example, at its file and line instead.
fn at_line(e: Error, path: &Path, lines: &[usize]) -> Error {
    match e {
        Error::Record { line: row, message, .. } if (1..=lines.len()).contains(&row) => Error::Record {
            source_name: path.display().to_string(),
            line: lines[row - 1],
            message,
        },
        other => other,
    }
}
