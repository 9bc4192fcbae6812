//! Embed notetag in a small service: notes in on stdin (one per line), one JSON line
//! out per note on stdout, in order.
//!
//! ```text
//! cargo run --release -p notetag-examples --example service_loop < examples/notes.txt
//! ```
//!
//! The loop takes every complete line already waiting in the input buffer as one
//! batch (up to `MAX_BATCH`), so an interactive user gets an answer per line and a
//! busy pipe is served in batches. Nothing is allocated per note once the buffers
//! have grown: the line buffers, the probability table, the scratch space of the
//! featuriser and the output buffer are all reused from batch to batch. A line that
//! is not UTF-8 gets `{"line": N, "error": …}` in its place; the rest carry on.

use std::io::{BufRead, Write};

use notetag::{Classifier, Scratch};

const MAX_BATCH: usize = 256;

fn main() -> std::process::ExitCode {
    notetag_examples::exit_status(run())
}

fn run() -> notetag::Result<()> {
    let clf = Classifier::default_model()?;
    let labels = clf.labels();
    let thresholds = clf.thresholds();
    let n_labels = labels.len();

    let mut input = std::io::BufReader::with_capacity(1 << 16, std::io::stdin().lock());
    let mut output = std::io::stdout().lock();

    // Reused from batch to batch.
    let mut lines: Vec<Vec<u8>> = Vec::with_capacity(MAX_BATCH);
    let mut probs: Vec<f32> = Vec::with_capacity(MAX_BATCH * n_labels);
    let mut scratch = Scratch::default();
    let mut above: Vec<usize> = Vec::with_capacity(n_labels);
    let mut out: Vec<u8> = Vec::with_capacity(1 << 16);
    let (mut notes, mut batches) = (0usize, 0usize);

    loop {
        // Fill the batch: block for one line, then take what is already buffered.
        let mut used = 0;
        while used < MAX_BATCH && (used == 0 || input.buffer().contains(&b'\n')) {
            if used == lines.len() {
                lines.push(Vec::new());
            }
            let line = &mut lines[used];
            line.clear();
            if input.read_until(b'\n', line)? == 0 {
                break;
            }
            used += 1;
        }
        if used == 0 {
            break;
        }

        // Score the batch into one reused table, `used × n_labels`; a line that is
        // not UTF-8 gets a row of NaN and an error line in its place.
        probs.clear();
        for line in &lines[..used] {
            match std::str::from_utf8(line) {
                Ok(text) => {
                    clf.probabilities_into(text.trim_end_matches(['\n', '\r']), &mut scratch);
                    probs.extend_from_slice(&scratch.scores);
                }
                Err(_) => probs.resize(probs.len() + n_labels, f32::NAN),
            }
        }

        // Decide and write: primary = most probable; labels = every label at or above
        // its tuned threshold, most probable first.
        out.clear();
        for (k, row) in probs.chunks_exact(n_labels).enumerate() {
            if row[0].is_nan() {
                writeln!(out, "{{\"line\":{},\"error\":\"invalid UTF-8\"}}", notes + k + 1)?;
                continue;
            }
            let primary = (0..n_labels).fold(0, |best, i| if row[i] > row[best] { i } else { best });
            above.clear();
            above.extend((0..n_labels).filter(|&i| row[i] >= thresholds[i]));
            above.sort_by(|&a, &b| row[b].total_cmp(&row[a]));
            write!(out, "{{\"primary\":")?;
            serde_json::to_writer(&mut out, &labels[primary])?;
            write!(out, ",\"labels\":[")?;
            for (k, &i) in above.iter().enumerate() {
                if k > 0 {
                    out.push(b',');
                }
                serde_json::to_writer(&mut out, &labels[i])?;
            }
            writeln!(out, "],\"p\":{:.4}}}", row[primary])?;
        }
        output.write_all(&out)?;
        output.flush()?;
        notes += used;
        batches += 1;
    }
    eprintln!("served {notes} notes in {batches} batches");
    Ok(())
}
