//! Golden digest of the default model's output: every probability (its exact
//! `f32` bits), the primary label and label set, and the explanation of every
//! note of the corpus splits and `examples/notes.txt`. Any change to the bits
//! of any of them changes the digest.
//!
//! A change that is meant to alter predictions (a new default model, a new
//! featuriser) updates `EXPECTED` in the same commit, saying why; a refactoring
//! must leave it as it is.

use std::path::PathBuf;

use notetag::io::read_examples;
use notetag::Classifier;

/// The digest of the default model's output over every golden note.
const EXPECTED: &str = "74091450ed3bc3b2";
/// How many notes the digest covers.
const NOTES: usize = 45770;
/// Features kept per label in each explanation.
const K: usize = 5;

/// FNV-1a, 64-bit: small, stable and defined byte by byte.
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn bytes(&mut self, b: &[u8]) {
        for &x in b {
            self.0 ^= u64::from(x);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn u64(&mut self, v: u64) {
        self.bytes(&v.to_le_bytes());
    }

    fn f32(&mut self, v: f32) {
        self.bytes(&v.to_bits().to_le_bytes());
    }

    fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.bytes(s.as_bytes());
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every golden note: the corpus splits in order, then the example notes.
fn notes() -> Vec<String> {
    let mut out = Vec::new();
    for split in ["train", "dev", "test"] {
        let path = root().join(format!("data/corpus/{split}.jsonl"));
        out.extend(read_examples(path, None).unwrap().into_iter().map(|e| e.text));
    }
    let examples = std::fs::read_to_string(root().join("examples/notes.txt")).unwrap();
    out.extend(examples.lines().map(str::to_string));
    out
}

fn digest(clf: &Classifier, notes: &[String]) -> String {
    let mut h = Fnv::new();
    for note in notes {
        h.str(note);
        let probs = clf.predict_proba(note);
        probs.iter().for_each(|&p| h.f32(p));
        let e = clf.explain(note, K);
        assert_eq!(e.prediction.probabilities(), probs, "{note:?}");
        h.u64(e.prediction.primary_index() as u64);
        for l in e.prediction.labels() {
            h.str(l);
        }
        for l in &e.per_label {
            h.str(&l.label);
            for x in [l.probability, l.score, l.bias] {
                h.f32(x);
            }
            h.u64(l.top.len() as u64);
            for c in &l.top {
                h.str(&c.feature);
                h.f32(c.weight);
            }
        }
    }
    format!("{:016x}", h.0)
}

#[test]
fn default_model_output_is_bit_for_bit_the_golden_one() {
    let clf = Classifier::default_model().unwrap();
    let notes = notes();
    let got = digest(&clf, &notes);
    assert_eq!(
        (got.as_str(), notes.len()),
        (EXPECTED, NOTES),
        "the default model's probabilities or explanations changed"
    );
}
