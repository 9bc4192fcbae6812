//! Benchmarks of notetag live in `benches/notetag.rs` (criterion) and
//! `peers/compare.py` (side by side with scikit-learn and fastText). This library
//! only holds the shared loading of benchmark inputs.

use std::path::{Path, PathBuf};

/// The workspace root (this package lives in `benches/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Texts of a JSON Lines file (the `text` field of every row).
pub fn texts(path: &Path) -> notetag::Result<Vec<String>> {
    Ok(notetag::io::read_examples(path, None)?
        .into_iter()
        .map(|e| e.text)
        .collect())
}

/// The project's corpus test split: notes of the kind notetag is built for.
pub fn corpus_notes() -> notetag::Result<Vec<String>> {
    texts(&workspace_root().join("data/corpus/test.jsonl"))
}

/// The note whose length (in characters) is the median of `notes`.
pub fn median_note(notes: &[String]) -> &str {
    let mut by_len: Vec<&String> = notes.iter().collect();
    by_len.sort_by_key(|t| t.chars().count());
    by_len[by_len.len() / 2]
}

/// Labelled training data: AG News train where `../shared/data` exists, else the
/// corpus train split; with a name for the report.
pub fn training_set() -> notetag::Result<(&'static str, Vec<notetag::Example>)> {
    let agnews = workspace_root().join("../shared/data/agnews/train.jsonl");
    if agnews.exists() {
        return Ok(("agnews-train", notetag::io::read_examples(agnews, None)?));
    }
    let corpus = workspace_root().join("data/corpus/train.jsonl");
    Ok(("corpus-train", notetag::io::read_examples(corpus, None)?))
}
