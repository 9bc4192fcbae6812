//! Which configuration makes the best default: k-fold cross-validated macro-F1 of a
//! few candidate configurations on the train split of each data set (the project's
//! corpus, and AG News and the finance tweets where `../shared/data` exists), and
//! their mean over the sets. No test split is read.
//!
//! `defaults [folds] [names]` (default 5 folds, every candidate; names
//! comma-separated) prints one row per candidate: the mean macro-F1 over the
//! folds of each set, the mean over the sets, and the training seconds. Every
//! candidate sees the same folds (stratified by primary label, seed 42).

use std::time::Instant;

use notetag::model::EnsembleParams;
use notetag::{cross_validate, ClassifierParams, Example, LearnerConfig, NbParams, SvmParams};
use notetag_benches::workspace_root;

/// SVM (C, balanced) plus complement naive Bayes with weight `nb`.
fn svm_nb(c: f32, balanced: bool, nb: f32) -> LearnerConfig {
    let svm = SvmParams {
        c,
        balanced,
        ..SvmParams::default()
    };
    LearnerConfig::Ensemble(EnsembleParams {
        members: vec![
            (LearnerConfig::Svm(svm), 1.0),
            (LearnerConfig::ComplementNb(NbParams::default()), nb),
        ],
    })
}

/// Word 1-2-grams and char 2-5-grams in 2^20 buckets, 3 calibration folds.
fn char_based(learner: LearnerConfig) -> ClassifierParams {
    ClassifierParams::new()
        .learner(learner)
        .word_ngrams(1, 2)
        .char_ngrams(Some((2, 5)))
        .bucket_bits(20)
        .calibration_folds(3)
}

/// The candidates: the defaults before this comparison, and the configurations
/// chosen per data set by earlier cross-validation (BENCHMARKS.md), with points
/// between them.
fn candidates() -> Vec<(&'static str, ClassifierParams)> {
    let svm = |c: f32| {
        LearnerConfig::Svm(SvmParams {
            c,
            ..SvmParams::default()
        })
    };
    let old_default = ClassifierParams::new()
        .learner(svm(0.5))
        .word_ngrams(1, 2)
        .char_ngrams(None)
        .bucket_bits(18)
        .calibration_folds(5);
    vec![
        ("svm word (old default)", old_default),
        ("svm C0.5 char", char_based(svm(0.5))),
        ("svm+nb1 char", char_based(svm_nb(0.5, true, 1.0))),
        ("svm+nb2 char", char_based(svm_nb(0.5, true, 2.0))),
        ("svm+nb3 char", char_based(svm_nb(0.5, true, 3.0))),
        ("svm+nb2 char min_df2", {
            let mut p = char_based(svm_nb(0.5, true, 2.0));
            p.text.min_df = 2;
            p
        }),
        ("svm+nb0.5 C2 unbal char", char_based(svm_nb(2.0, false, 0.5))),
        ("svm+nb1 C1 unbal char", char_based(svm_nb(1.0, false, 1.0))),
        ("svm+nb2 C1 unbal char", char_based(svm_nb(1.0, false, 2.0))),
        ("svm+nb1 C1 char", char_based(svm_nb(1.0, true, 1.0))),
        // Around the best mean of the ones above.
        ("svm+nb1 C1 unbal char min_df2", {
            let mut p = char_based(svm_nb(1.0, false, 1.0));
            p.text.min_df = 2;
            p
        }),
        ("svm+nb1.5 C1 unbal char", char_based(svm_nb(1.0, false, 1.5))),
        ("svm+nb1 C2 unbal char", char_based(svm_nb(2.0, false, 1.0))),
    ]
}

fn main() -> notetag::Result<()> {
    let mut args = std::env::args().skip(1);
    let k: usize = args
        .next()
        .map_or(Ok(5), |a| a.parse())
        .map_err(|_| notetag::Error::InvalidParam {
            name: "folds",
            reason: "expected a number of folds".into(),
        })?;
    let only: Option<Vec<String>> = args.next().map(|s| s.split(',').map(String::from).collect());
    let root = workspace_root();
    let mut sets: Vec<(&str, Vec<Example>)> = Vec::new();
    for (name, rel) in [
        ("corpus", "data/corpus/train.jsonl"),
        ("agnews", "../shared/data/agnews/train.jsonl"),
        ("tfn", "../shared/data/tfn/train.jsonl"),
    ] {
        let path = root.join(rel);
        if path.exists() {
            sets.push((name, notetag::io::read_examples(&path, None)?));
        } else {
            eprintln!("SKIPPED: {} is absent", path.display());
        }
    }
    let names: Vec<&str> = sets.iter().map(|s| s.0).collect();
    println!("| candidate | {} | mean | train s |", names.join(" | "));
    println!("| --- |{} ---: | ---: |", " ---: |".repeat(names.len()));
    for (name, params) in candidates() {
        if only.as_ref().is_some_and(|o| !o.iter().any(|n| n == name)) {
            continue;
        }
        let start = Instant::now();
        let mut per_set = Vec::new();
        for (set, ex) in &sets {
            let folds = cross_validate(&params, ex, k)?;
            let f1 = folds.iter().map(|r| r.macro_f1).sum::<f64>() / folds.len() as f64;
            eprintln!("{name} on {set}: {f1:.4}");
            per_set.push(f1);
        }
        let mean = per_set.iter().sum::<f64>() / per_set.len().max(1) as f64;
        let cells: Vec<String> = per_set.iter().map(|f| format!("{f:.4}")).collect();
        println!(
            "| {name} | {} | {mean:.4} | {:.0} |",
            cells.join(" | "),
            start.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
