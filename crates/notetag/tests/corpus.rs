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
    assert!(multi * 100 >= rows.len() * 15, "{multi} multi-label of {}", rows.len());
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
