//! Read a Nostr relay dump and write NIP-32 label events (kind 1985).
//!
//! ```text
//! cargo run --release -p notetag-examples --example nostr_labels -- [DUMP.jsonl] [NAMESPACE]
//! ```
//!
//! The dump holds one relay message (`["EVENT", sub, event]`, `["EOSE", sub]`, …) or
//! bare NIP-01 event per line; the default is `examples/data/relay-dump.jsonl`, a few
//! made-up events. Notes (kind 1) and long-form posts (kind 30023) are tagged with
//! the embedded default model; other kinds and relay messages are passed over and
//! damaged lines reported, all counted on stderr.
//!
//! For each tagged event with at least one topic, one unsigned kind-1985 event
//! template goes to stdout: `["L", namespace]`, one `["l", topic, namespace]` per
//! topic, `["e", event id]` and `["p", author]`. Sign them with your own key and
//! tooling before publishing. (The template is built here from the
//! [`notetag::Prediction`]; the core library has no NIP-32 writer yet.)

use std::io::{BufReader, Write};

use notetag::io::{Format, Item, ReadOptions, Reader};
use notetag::{Classifier, Prediction};
use serde_json::{json, Value};

fn main() -> std::process::ExitCode {
    notetag_examples::exit_status(run())
}

fn run() -> notetag::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/data/relay-dump.jsonl").to_string());
    let namespace = args.next().unwrap_or_else(|| "org.notetag.topic".to_string());

    let clf = Classifier::default_model()?;
    let file = std::fs::File::open(&path).map_err(|e| notetag::Error::io_at(&path, e))?;
    let reader = Reader::new(BufReader::new(file), ReadOptions::new(Format::Nostr, path.as_str()));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());

    let mut out = std::io::stdout().lock();
    let (mut labelled, mut no_topic, mut passed_over, mut damaged) = (0, 0, 0, 0);
    for item in reader {
        match item {
            Item::Record(event) => {
                let p = clf.predict(&event.text);
                match label_event(&p, event.id.as_deref(), event.pubkey.as_deref(), &namespace, now) {
                    Some(ev) => {
                        labelled += 1;
                        writeln!(out, "{ev}")?;
                    }
                    None => no_topic += 1,
                }
            }
            Item::Skipped { line, reason } => {
                passed_over += 1;
                eprintln!("line {line}: passed over ({reason})");
            }
            Item::Invalid(e) => {
                damaged += 1;
                eprintln!("{e}");
            }
        }
    }
    eprintln!("{labelled} label events, {no_topic} notes with no topic, {passed_over} passed over, {damaged} damaged");
    Ok(())
}

/// The unsigned NIP-32 label event for one prediction, or `None` when no topic
/// reached its threshold.
fn label_event(p: &Prediction, id: Option<&str>, author: Option<&str>, ns: &str, now: u64) -> Option<Value> {
    let mut tags = vec![json!(["L", ns])];
    tags.extend(p.labels().map(|topic| json!(["l", topic, ns])));
    if tags.len() == 1 {
        return None;
    }
    tags.extend(id.map(|id| json!(["e", id])));
    tags.extend(author.map(|pk| json!(["p", pk])));
    Some(json!({"kind": 1985, "created_at": now, "tags": tags, "content": ""}))
}
