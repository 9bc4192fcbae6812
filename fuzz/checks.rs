//! What each fuzz target checks, shared by the targets (`fuzz_targets/*.rs`) and
//! by the test that replays their seeds and findings without cargo-fuzz
//! (`crates/notetag/tests/fuzz_regressions.rs`), so both run the same checks.
//! Each function takes the fuzzer's bytes and panics when a guarantee breaks.
#![allow(dead_code)] // each target uses one of them

use std::io::Cursor;
use std::sync::OnceLock;

use notetag::io::{Format, Item, ReadOptions, Reader};
use notetag::text::{hf, Featurizer};
use notetag::{Classifier, Error, Scratch, TextConfig, Tokenization};

/// Small enough that the over-long-line path is reached often.
pub const MAX_LINE: usize = 4096;

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

fn options(format: Format) -> ReadOptions {
    let mut opts = ReadOptions::new(format, "fuzz");
    opts.max_line_bytes = MAX_LINE;
    opts
}

/// A line-based reader (text, JSON Lines, fastText, Nostr) on arbitrary bytes:
/// no panic, exactly one item per input line, numbered 1, 2, 3…, every error
/// naming the source and its line.
pub fn lines(format: Format, data: &[u8]) {
    let lines = data.iter().filter(|&&b| b == b'\n').count() + usize::from(!data.is_empty() && !data.ends_with(b"\n"));
    let mut n = 0;
    for item in Reader::new(Cursor::new(data), options(format)) {
        n += 1;
        assert_eq!(item_line(&item), n, "item {n} has the wrong line: {item:?}");
    }
    assert_eq!(n, lines, "{n} items for {lines} lines");
}

/// The CSV and TSV readers (the first byte picks the delimiter): no panic, lines
/// never go backwards and never pass the end of the input (a quoted field may
/// span lines, so items and lines need not match one to one).
pub fn csv(data: &[u8]) {
    let Some((&first, data)) = data.split_first() else {
        return;
    };
    let format = if first & 1 == 0 { Format::Csv } else { Format::Tsv };
    let lines = data.iter().filter(|&&b| b == b'\n').count() + 1;
    let mut last = 0;
    for item in Reader::new(Cursor::new(data), options(format)) {
        let line = item_line(&item);
        assert!(
            line >= last && line >= 1 && line <= lines,
            "line {line} after {last} of {lines}: {item:?}"
        );
        last = line;
    }
}

fn default_model() -> &'static Classifier {
    static M: OnceLock<Classifier> = OnceLock::new();
    M.get_or_init(|| Classifier::default_model().unwrap())
}

fn hf_featurizer() -> &'static Featurizer {
    static F: OnceLock<Featurizer> = OnceLock::new();
    F.get_or_init(|| {
        let config = TextConfig {
            tokenization: Tokenization::HuggingFace {
                config: hf::DEFAULT_HF_CONFIG.to_string(),
            },
            char_ngrams: Some([1, 8]),
            bucket_bits: 10,
            ..TextConfig::default()
        };
        let n = config.n_buckets();
        Featurizer::new(config, vec![1.0; n]).unwrap()
    })
}

/// The text pipeline on arbitrary text (the bytes read as lossy UTF-8) with the
/// default model (word and char n-grams): a valid prediction, and the fused
/// prediction path agrees with the vector path (`transform` + scoring, which
/// `explain` reports) to within float rounding; finite vectors from the fast and
/// the Hugging Face featurisers.
pub fn text_pipeline(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let m = default_model();
    let p = m.predict(&text);
    assert!(m.labels().iter().any(|l| l == p.primary()));
    let probs = p.probabilities();
    assert!(probs.iter().all(|s| (0.0..=1.0).contains(s)), "{probs:?}");
    let e = m.explain(&text, 3);
    assert_eq!(e.per_label.len(), m.labels().len());
    for ((l, cal), &fused) in e.per_label.iter().zip(m.calibration()).zip(probs) {
        let via_vector = cal.prob(l.score);
        assert!(
            (via_vector - fused).abs() < 1e-4,
            "{}: fused path {fused}, vector path {via_vector}",
            l.label
        );
    }
    let mut s = Scratch::default();
    m.featurizer().transform_into(&text, &mut s);
    assert!(s.vec.values.iter().all(|v| v.is_finite()));
    let f = hf_featurizer();
    f.transform_into(&text, &mut s);
    assert!(s.vec.values.iter().all(|v| v.is_finite()));
    let _ = f.named_terms(&text);
}

/// `Classifier::from_bytes` on arbitrary bytes: a typed error or a model that
/// predicts, never a panic; what loads saves and loads back to the same bytes.
pub fn model_bytes(bytes: &[u8]) {
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

/// The model loader past its checksum: `data` is a payload, wrapped in a valid
/// header (magic, version, length, CRC-32), so mutations reach the decoder and the
/// size and value checks behind it; then as [`model_bytes`].
pub fn model_payload(data: &[u8]) {
    model_bytes(&notetag::persist::frame(data));
}
