//! Builds the embedded language model from labelled JSONL files.
//!
//! `cargo run --release -p notetag --example build_lang_model -- OUT FILE...`
//!
//! Every row needs `text`; its language is its `lang` field, or `en` when the
//! row has none (the English corpus files carry none). Rows whose `lang` is `und`
//! are skipped.

use std::io::BufRead;

use notetag::text::lang::{LangModel, UNDETERMINED};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = args.next().ok_or("usage: build_lang_model OUT FILE...")?;
    let mut rows: Vec<(String, String)> = Vec::new();
    for path in args {
        let file = std::fs::File::open(&path).map_err(|e| format!("{path}: {e}"))?;
        for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
            let line = line.map_err(|e| format!("{path}:{}: {e}", n + 1))?;
            let v: serde_json::Value = serde_json::from_str(&line).map_err(|e| format!("{path}:{}: {e}", n + 1))?;
            let text = v["text"]
                .as_str()
                .ok_or_else(|| format!("{path}:{}: field `text` missing", n + 1))?;
            let lang = v.get("lang").and_then(|l| l.as_str()).unwrap_or("en");
            if lang != UNDETERMINED {
                rows.push((text.to_string(), lang.to_string()));
            }
        }
    }
    let model = LangModel::fit(rows.iter().map(|(t, l)| (t.as_str(), l.as_str())), 2)?;
    let bytes = model.to_bytes();
    std::fs::write(&out, &bytes)?;
    let codes: Vec<&str> = model.codes().collect();
    eprintln!(
        "{} rows; Latin-script languages {codes:?}; {} bytes",
        rows.len(),
        bytes.len()
    );
    Ok(())
}
