//! Language-identification accuracy of the embedded model on labelled JSONL files.
//!
//! `cargo run --release -p notetag --example lang_accuracy -- [--min-chars N] FILE...`
//!
//! Rows need `text` and `lang`; rows labelled `und`, shorter than `--min-chars`
//! characters (default 20) or in a language the detector does not claim are left
//! out and counted. Prints accuracy overall and per language, and the confusions.

use std::collections::BTreeMap;
use std::io::BufRead;

use notetag::text::lang::{self, LangModel, SCRIPT_LANGUAGES, UNDETERMINED};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut min_chars = 20usize;
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--min-chars" {
            min_chars = args.next().ok_or("--min-chars needs a number")?.parse()?;
        } else {
            files.push(a);
        }
    }
    let claimed: Vec<&str> = LangModel::embedded().codes().chain(SCRIPT_LANGUAGES).collect();
    let (mut per, mut confusions) = (
        BTreeMap::<String, (u32, u32)>::new(),
        BTreeMap::<(String, String), u32>::new(),
    );
    let mut skipped = 0u32;
    for path in &files {
        let file = std::fs::File::open(path).map_err(|e| format!("{path}: {e}"))?;
        for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
            let line = line?;
            let v: serde_json::Value = serde_json::from_str(&line).map_err(|e| format!("{path}:{}: {e}", n + 1))?;
            let (Some(text), Some(gold)) = (v["text"].as_str(), v["lang"].as_str()) else {
                return Err(format!("{path}:{}: fields `text` and `lang` are needed", n + 1).into());
            };
            if gold == UNDETERMINED || text.chars().count() < min_chars || !claimed.contains(&gold) {
                skipped += 1;
                continue;
            }
            let got = lang::detect(text);
            let e = per.entry(gold.to_string()).or_default();
            e.1 += 1;
            if std::env::var_os("LANG_DEBUG").is_some() && got != gold {
                eprintln!("{gold} -> {got}: {}", text.replace('\n', " "));
            }
            if got == gold {
                e.0 += 1;
            } else {
                *confusions.entry((gold.to_string(), got.to_string())).or_default() += 1;
            }
        }
    }
    let (right, all) = per.values().fold((0, 0), |(r, a), &(x, y)| (r + x, a + y));
    println!(
        "accuracy {:.4} ({right}/{all}; {skipped} rows left out)",
        f64::from(right) / f64::from(all.max(1))
    );
    for (l, (r, a)) in &per {
        println!("  {l}: {:.4} ({r}/{a})", f64::from(*r) / f64::from((*a).max(1)));
    }
    for ((g, p), n) in &confusions {
        println!("  {g} read as {p}: {n}");
    }
    Ok(())
}
