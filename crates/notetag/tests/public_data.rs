//! Accuracy on real public data nobody on this project wrote (`../shared/data`).
//! Skips, saying so, where the data is absent. Hyperparameters were chosen by
//! cross-validation on each train split (see BENCHMARKS.md), never on these test
//! splits.

mod common;

use notetag::io::read_examples;
use notetag::model::EnsembleParams;
use notetag::{ClassifierParams, LearnerConfig, NbParams, SvmParams};

fn svm_nb_char() -> ClassifierParams {
    let learner = LearnerConfig::Ensemble(EnsembleParams {
        members: vec![
            (LearnerConfig::Svm(SvmParams::default()), 1.0),
            (LearnerConfig::ComplementNb(NbParams::default()), 3.0),
        ],
    });
    ClassifierParams::new()
        .learner(learner)
        .char_ngrams(Some((2, 5)))
        .bucket_bits(20)
        .calibration_folds(5)
}

#[test]
fn agnews_trained_beats_best_peer() {
    let (Some(train), Some(test)) = (
        common::shared_data("agnews/train.jsonl"),
        common::shared_data("agnews/test.jsonl"),
    ) else {
        return;
    };
    let clf = svm_nb_char().fit(&read_examples(train, None).unwrap()).unwrap();
    let r = clf.evaluate(&read_examples(test, None).unwrap()).unwrap();
    eprintln!("agnews test macro-F1 {:.4}", r.macro_f1);
    // Best peer (scikit-learn tf-idf word+char + LinearSVC): 0.881.
    assert!(r.macro_f1 >= 0.881, "macro-F1 {:.4}", r.macro_f1);
}

#[test]
fn agnews_with_the_default_parameters() {
    let (Some(train), Some(test)) = (
        common::shared_data("agnews/train.jsonl"),
        common::shared_data("agnews/test.jsonl"),
    ) else {
        return;
    };
    let clf = ClassifierParams::default()
        .fit(&read_examples(train, None).unwrap())
        .unwrap();
    let r = clf.evaluate(&read_examples(test, None).unwrap()).unwrap();
    eprintln!("agnews test macro-F1 with the defaults {:.4}", r.macro_f1);
    assert!(r.macro_f1 >= 0.878, "macro-F1 {:.4}", r.macro_f1);
}

/// With the default parameters.
#[test]
fn tfn_trained_beats_best_peer() {
    let (Some(train), Some(test)) = (
        common::shared_data("tfn/train.jsonl"),
        common::shared_data("tfn/validation.jsonl"),
    ) else {
        return;
    };
    let clf = ClassifierParams::new()
        .fit(&read_examples(train, None).unwrap())
        .unwrap();
    let r = clf.evaluate(&read_examples(test, None).unwrap()).unwrap();
    eprintln!("tfn validation macro-F1 {:.4}", r.macro_f1);
    // Best peer (scikit-learn SGD): 0.955.
    assert!(r.macro_f1 >= 0.955, "macro-F1 {:.4}", r.macro_f1);
}
