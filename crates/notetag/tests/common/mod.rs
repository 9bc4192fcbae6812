//! Shared helpers for the integration tests.
#![allow(dead_code, missing_docs)]

use std::path::PathBuf;

use notetag::Example;
use sha2::{Digest, Sha256};

/// `../shared/data/<rel>` from the workspace root, if present.
pub fn shared_data(rel: &str) -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data")
        .join(rel);
    if p.exists() {
        Some(p)
    } else {
        eprintln!(
            "SKIPPED: {} is absent (public evaluation data lives outside the repo)",
            p.display()
        );
        None
    }
}

/// The rows of `data/<labels>` (JSON Lines that point at notes of
/// `../shared/data/<source>` by 1-based `line` and the first 16 hex digits of the
/// SHA-256 of their `text`), each with its note's text, checked against the hash;
/// `None`, with a message, where the shared data is absent.
pub fn keyed_rows(source: &str, labels: &str) -> Option<Vec<(String, serde_json::Value)>> {
    let source = shared_data(source)?;
    let texts: Vec<String> = std::fs::read_to_string(source)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["text"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let labels = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data")
        .join(labels);
    let rows = std::fs::read_to_string(labels)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let text = texts[v["line"].as_u64().unwrap() as usize - 1].clone();
            let hash: String = Sha256::digest(text.as_bytes())[..8]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(hash, v["sha256"].as_str().unwrap(), "line {} changed", v["line"]);
            (text, v)
        })
        .collect();
    Some(rows)
}

/// The project's corpus file `data/corpus/<name>.jsonl`.
pub fn corpus(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/corpus")
        .join(format!("{name}.jsonl"))
}

/// A small labelled set written here, three topics plus unlabelled rows.
pub fn small_set() -> Vec<Example> {
    let rows = [
        (
            "The central bank held interest rates and bond yields fell",
            "trade_finance",
        ),
        ("Stocks rallied after earnings beat forecasts", "trade_finance"),
        ("Inflation cooled more than economists expected", "trade_finance"),
        (
            "The dollar slipped against the yen after the jobs report",
            "trade_finance",
        ),
        ("Oil prices jumped as supply fears grew", "trade_finance"),
        ("Mortgage rates climbed to their highest in a year", "trade_finance"),
        ("New GPU doubles inference speed for open models", "tech"),
        ("The relay software now supports the new NIP", "tech"),
        ("Rust release brings faster compile times", "tech"),
        ("Researchers built a robot hand that learns by touch", "tech"),
        ("The phone update fixes a security hole in the browser", "tech"),
        ("Open-source database adds vector search", "tech"),
        ("gm everyone, coffee and a walk with the dog", "personal"),
        ("Happy birthday to my sister, love you", "personal"),
        ("Cooking dinner for the kids tonight", "personal"),
        ("Tired after the long flight home, good night", "personal"),
        ("Grateful for my friends this week", "personal"),
        ("Weekend hike with family was lovely", "personal"),
    ];
    let mut v: Vec<Example> = rows.iter().map(|(t, l)| Example::new(*t, *l)).collect();
    v.push(Example::multi(
        "Bought my first sats today, feels good",
        ["trade_finance", "personal"],
    ));
    v.push(Example::multi("lol", Vec::<String>::new()));
    v
}
