//! Replays every input the fuzz targets found (`tests/fuzz_regressions/<target>/`)
//! and every seed of their corpora (`fuzz/seeds/<target>/`) through the checks the
//! targets run (`fuzz/checks.rs`, shared with them), so CI runs them without
//! cargo-fuzz.

use std::path::{Path, PathBuf};

use notetag::io::Format;

#[path = "../../../fuzz/checks.rs"]
mod checks;

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in [
        root.join("tests/fuzz_regressions").join(target),
        root.join("../../fuzz/seeds").join(target),
    ] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries {
            let p = e.unwrap().path();
            if p.is_file() {
                let bytes = std::fs::read(&p).unwrap();
                out.push((p, bytes));
            }
        }
    }
    out.sort();
    out
}

fn replay(target: &str, check: impl Fn(&[u8])) {
    let files = inputs(target);
    assert!(!files.is_empty(), "no seeds or regression inputs for {target}");
    for (path, bytes) in files {
        let res = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&bytes)));
        assert!(res.is_ok(), "{target}: {} fails", path.display());
    }
}

#[test]
fn reader_text() {
    replay("reader_text", |d| checks::lines(Format::Text, d));
}

#[test]
fn reader_jsonl() {
    replay("reader_jsonl", |d| checks::lines(Format::Jsonl, d));
}

#[test]
fn reader_fasttext() {
    replay("reader_fasttext", |d| checks::lines(Format::FastText, d));
}

#[test]
fn reader_nostr() {
    replay("reader_nostr", |d| checks::lines(Format::Nostr, d));
}

#[test]
fn reader_csv() {
    replay("reader_csv", checks::csv);
}

#[test]
fn text_pipeline() {
    replay("text_pipeline", checks::text_pipeline);
}

#[test]
fn model_loader() {
    replay("model_loader", checks::model_bytes);
}

#[test]
fn model_payload() {
    replay("model_payload", checks::model_payload);
}
