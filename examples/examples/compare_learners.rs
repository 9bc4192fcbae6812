//! Compare learners by k-fold cross-validation: the benchmarking use.
//!
//! ```text
//! cargo run --release -p notetag-examples --example compare_learners -- [DATA.jsonl] [ROWS] [K]
//! ```
//!
//! Defaults: the first 1,500 rows of `data/corpus/train.jsonl`, 3 folds. Every
//! configuration sees the same folds (same seed), so the differences are the
//! learners'. Choose among configurations like this, on training data only; score
//! the chosen one once on a held-out test split.

use std::time::Instant;

use notetag::model::EnsembleParams;
use notetag::{cross_validate, io, ClassifierParams, LearnerConfig, NbParams, SvmParams};

fn main() -> std::process::ExitCode {
    notetag_examples::exit_status(run())
}

fn run() -> notetag::Result<()> {
    let mut args = std::env::args().skip(1);
    let data = args
        .next()
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/../data/corpus/train.jsonl").to_string());
    let rows = count_arg(args.next(), "ROWS", 1500)?;
    let k = count_arg(args.next(), "K", 3)?;

    let mut examples = io::read_examples(&data, None)?;
    examples.truncate(rows);

    let svm = LearnerConfig::Svm(SvmParams::default());
    let nb = LearnerConfig::ComplementNb(NbParams::default());
    let candidates = [
        ("svm", ClassifierParams::new().learner(svm.clone())),
        ("nb", ClassifierParams::new().learner(nb.clone())),
        (
            "svm+nb",
            ClassifierParams::new().learner(LearnerConfig::Ensemble(EnsembleParams {
                members: vec![(svm.clone(), 1.0), (nb, 1.0)],
            })),
        ),
        ("svm-unigrams", ClassifierParams::new().learner(svm).word_ngrams(1, 1)),
    ];

    println!("{} rows, {k}-fold cross-validation", examples.len());
    println!(
        "{:<18} {:>9} {:>7} {:>9} {:>8}",
        "config", "macro-F1", "± sd", "accuracy", "seconds"
    );
    for (name, params) in &candidates {
        let start = Instant::now();
        let folds = cross_validate(params, &examples, k)?;
        let secs = start.elapsed().as_secs_f64();
        let f1: Vec<f64> = folds.iter().map(|r| r.macro_f1).collect();
        let (mean, sd) = mean_sd(&f1);
        let acc = mean_sd(&folds.iter().map(|r| r.accuracy).collect::<Vec<_>>()).0;
        println!("{name:<18} {mean:>9.4} {sd:>7.4} {acc:>9.4} {secs:>8.2}");
    }
    Ok(())
}

/// Mean and sample standard deviation.
fn mean_sd(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    (mean, var.sqrt())
}

/// A whole-number argument, or `default` when it is absent.
fn count_arg(arg: Option<String>, name: &'static str, default: usize) -> notetag::Result<usize> {
    arg.map_or(Ok(default), |s| s.parse())
        .map_err(|e| notetag::Error::InvalidParam {
            name,
            reason: format!("{e}: expected a whole number"),
        })
}
