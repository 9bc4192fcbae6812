//! Replays every input the fuzz targets found (`tests/fuzz_regressions/<target>/`)
//! and every seed of their corpora (`fuzz/seeds/<target>/`) through the same code
//! path and checks as the target, so CI runs them without cargo-fuzz.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use notetag::io::{Format, Item, ReadOptions, Reader};
use notetag::persist::{FORMAT_VERSION, MAGIC};
use notetag::{Classifier, Error, Scratch};

/// Same as the fuzz targets (fuzz/fuzz_targets/common.rs).
const MAX_LINE: usize = 4096;

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

fn item_line(item: &Item) -> usize {
    match item {
        Item::Record(r) => r.line,
        Item::Skipped { line, .. } => *line,
        Item::Invalid(Error::Record { source_name, line, .. }) => {
            assert_eq!(source_name, "fuzz");
            *line
        }
        Item::Invalid(other) => panic!("error without a line: {other:?}"),
    }
}

fn check_lines(format: Format, data: &[u8]) {
    let mut opts = ReadOptions::new(format, "fuzz");
    opts.max_line_bytes = MAX_LINE;
    let lines = data.iter().filter(|&&b| b == b'\n').count() + usize::from(!data.is_empty() && !data.ends_with(b"\n"));
    let mut n = 0;
    for item in Reader::new(Cursor::new(data), opts) {
        n += 1;
        assert_eq!(item_line(&item), n, "item {n} has the wrong line: {item:?}");
    }
    assert_eq!(n, lines, "{n} items for {lines} lines");
}

#[test]
fn reader_text() {
    replay("reader_text", |d| check_lines(Format::Text, d));
}

#[test]
fn reader_jsonl() {
    replay("reader_jsonl", |d| check_lines(Format::Jsonl, d));
}

#[test]
fn reader_fasttext() {
    replay("reader_fasttext", |d| check_lines(Format::FastText, d));
}

#[test]
fn reader_nostr() {
    replay("reader_nostr", |d| check_lines(Format::Nostr, d));
}

#[test]
fn reader_csv() {
    replay("reader_csv", |data| {
        let Some((&first, data)) = data.split_first() else {
            return;
        };
        let format = if first & 1 == 0 { Format::Csv } else { Format::Tsv };
        let mut opts = ReadOptions::new(format, "fuzz");
        opts.max_line_bytes = MAX_LINE;
        let lines = data.iter().filter(|&&b| b == b'\n').count() + 1;
        let mut last = 0;
        for item in Reader::new(Cursor::new(data), opts) {
            let line = item_line(&item);
            assert!(
                line >= last && line >= 1 && line <= lines,
                "line {line} after {last} of {lines}"
            );
            last = line;
        }
    });
}

#[test]
fn text_pipeline() {
    let m = Classifier::default_model().unwrap();
    replay("text_pipeline", |data| {
        let text = String::from_utf8_lossy(data);
        let p = m.predict(&text);
        assert!(m.labels().iter().any(|l| l == p.primary()));
        assert!(p.probabilities().iter().all(|s| (0.0..=1.0).contains(s)));
        assert_eq!(m.explain(&text, 3).per_label.len(), m.labels().len());
        let mut s = Scratch::default();
        m.featurizer().transform_into(&text, &mut s);
        assert!(s.vec.values.iter().all(|v| v.is_finite()));
    });
}

fn check_model(bytes: &[u8]) {
    match Classifier::from_bytes(bytes) {
        Ok(m) => {
            let p = m.predict("the central bank raised rates");
            assert!(m.labels().iter().any(|l| l == p.primary()));
            let again = m.to_bytes().unwrap();
            let back = Classifier::from_bytes(&again).unwrap();
            assert_eq!(back.to_bytes().unwrap(), again);
        }
        Err(Error::InvalidModel { .. } | Error::UnsupportedVersion { .. }) => {}
        Err(other) => panic!("unexpected error kind: {other:?}"),
    }
}

#[test]
fn model_loader() {
    replay("model_loader", check_model);
}

#[test]
fn model_payload() {
    replay("model_payload", |data| {
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        bytes.extend_from_slice(&(data.len() as u64).to_le_bytes());
        bytes.extend_from_slice(&crc32fast::hash(data).to_le_bytes());
        bytes.extend_from_slice(data);
        check_model(&bytes);
    });
}
