//! Quality guard of the project's corpus (data/corpus).

mod common;

use std::collections::{HashMap, HashSet};

use notetag::io::read_examples;
use notetag::Example;

const TOPICS: [&str; 4] = ["geopolitics", "trade_finance", "tech", "personal"];

fn all() -> Vec<Example> {
    ["train", "dev", "test"]
        .iter()
        .flat_map(|s| read_examples(common::corpus(s), None).unwrap())
        .collect()
}

fn shingles(t: &str) -> HashSet<[String; 3]> {
    let w: Vec<String> = t
        .split(|c: char| !c.is_alphanumeric())
        .filter(|s| !s.is_empty())
        .map(str::to_lowercase)
        .collect();
    w.windows(3)
        .map(|x| [x[0].clone(), x[1].clone(), x[2].clone()])
        .collect()
}

#[test]
fn rows_are_valid_against_the_label_set() {
    for e in all() {
        assert!(!e.text.trim().is_empty());
        assert!(e.labels.iter().all(|l| TOPICS.contains(&l.as_str())), "{:?}", e.labels);
        match &e.primary {
            Some(p) => assert!(e.labels.contains(p), "{e:?}"),
            None => assert!(e.labels.is_empty(), "{e:?}"),
        }
    }
}

#[test]
fn minimum_counts_hold() {
    let rows = all();
    assert!(rows.len() >= 4000, "{} rows", rows.len());
    let mut primary: HashMap<&str, usize> = HashMap::new();
    for e in &rows {
        *primary.entry(e.primary.as_deref().unwrap_or("none")).or_default() += 1;
    }
    for t in TOPICS {
        assert!(primary[t] >= 800, "{t}: {}", primary[t]);
    }
    assert!(primary["none"] >= 400, "none: {}", primary["none"]);
    let multi = rows.iter().filter(|e| e.labels.len() > 1).count();
    assert!(multi * 100 >= rows.len() * 12, "{multi} multi-label of {}", rows.len());
}

/// The notes shaped like the real stream (v4, the rows that carry `lang`): at least
/// 4,000, 40% of them topic-less, and at least 400 notes in each of the six main
/// languages besides English, 100 in Korean, Russian and Italian.
#[test]
fn stream_and_language_counts_hold() {
    let mut per_lang: HashMap<String, usize> = HashMap::new();
    let (mut stream, mut topicless) = (0usize, 0usize);
    for split in ["train", "dev", "test"] {
        for line in std::fs::read_to_string(common::corpus(split)).unwrap().lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let Some(lang) = v.get("lang").and_then(|l| l.as_str()) else {
                continue;
            };
            stream += 1;
            topicless += usize::from(v["labels"].as_array().unwrap().is_empty());
            *per_lang.entry(lang.to_string()).or_default() += 1;
        }
    }
    assert!(stream >= 4000, "{stream}");
    assert!(topicless * 100 >= stream * 40, "{topicless} of {stream}");
    for (lang, min) in [
        ("ja", 400),
        ("zh", 400),
        ("es", 400),
        ("pt", 400),
        ("de", 400),
        ("fr", 400),
        ("ko", 100),
        ("ru", 100),
        ("it", 100),
    ] {
        let n = per_lang.get(lang).copied().unwrap_or(0);
        assert!(n >= min, "{lang}: {n} < {min}");
    }
}

#[test]
fn no_exact_or_near_duplicates() {
    let rows = all();
    let sh: Vec<HashSet<[String; 3]>> = rows.iter().map(|e| shingles(&e.text)).collect();
    let mut seen = HashSet::new();
    for e in &rows {
        assert!(seen.insert(e.text.to_lowercase()), "exact duplicate: {}", e.text);
    }
    // Index shingles to compare only pairs that share one.
    let mut index: HashMap<&[String; 3], Vec<usize>> = HashMap::new();
    for (i, s) in sh.iter().enumerate() {
        for g in s {
            index.entry(g).or_default().push(i);
        }
    }
    for (i, s) in sh.iter().enumerate() {
        if s.len() < 3 {
            continue;
        }
        let mut shared: HashMap<usize, usize> = HashMap::new();
        for g in s {
            for &j in &index[g] {
                if j > i {
                    *shared.entry(j).or_default() += 1;
                }
            }
        }
        for (j, inter) in shared {
            if sh[j].len() < 3 {
                continue;
            }
            let jac = inter as f64 / (s.len() + sh[j].len() - inter) as f64;
            assert!(
                jac <= 0.6,
                "near-duplicates (Jaccard {jac:.2}):\n{}\n{}",
                rows[i].text,
                rows[j].text
            );
        }
    }
}
