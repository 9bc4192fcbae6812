//! Learning from corrections ([`Classifier::update`]): the corrected notes come out
//! right, so do most of them with their last two words dropped, the other notes
//! barely move, and the model file records the updates.

mod common;

use notetag::io::read_examples;
use notetag::{Classifier, ClassifierParams, Error, Example, PredictOptions};

/// Corrections at most.
const CORRECTIONS: usize = 100;

/// What correcting a model's mistakes did.
#[derive(Debug)]
struct Outcome {
    corrected: usize,
    /// Share of the corrected notes that come out right after the update.
    right: f64,
    /// The same with each note's last two words dropped.
    truncated_right: f64,
    /// Accuracy on the other notes before and after.
    others_before: f64,
    others_after: f64,
    /// Calibration error on the other notes before and after.
    ece_before: f64,
    ece_after: f64,
}

fn primary_right(clf: &Classifier, e: &Example) -> bool {
    Some(clf.predict(&e.text).primary()) == e.primary_label()
}

fn without_last_two_words(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    words[..words.len().saturating_sub(2)].join(" ")
}

/// Train with the defaults on `train`, take up to [`CORRECTIONS`] notes of `test`
/// with at least `min_words` words that the model gets wrong, and update it with
/// their right labels.
fn correct_mistakes(train: &[Example], test: &[Example], min_words: usize) -> Outcome {
    let mut clf = ClassifierParams::default().fit(train).unwrap();
    let test: Vec<Example> = test
        .iter()
        .filter(|e| e.primary_label().is_some() && e.text.split_whitespace().count() >= min_words)
        .cloned()
        .collect();
    let (mut wrong, mut others) = (Vec::new(), Vec::new());
    for e in test {
        if !primary_right(&clf, &e) && wrong.len() < CORRECTIONS {
            wrong.push(e);
        } else {
            others.push(e);
        }
    }
    let before = clf.evaluate(&others).unwrap();
    let report = clf.update(&wrong).unwrap();
    assert_eq!((report.examples, report.wrong_before), (wrong.len(), wrong.len()));
    let after = clf.evaluate(&others).unwrap();
    let share = |n: usize| n as f64 / wrong.len() as f64;
    let truncated = wrong
        .iter()
        .filter(|e| {
            let shorter = Example {
                text: without_last_two_words(&e.text),
                ..(*e).clone()
            };
            primary_right(&clf, &shorter)
        })
        .count();
    Outcome {
        corrected: wrong.len(),
        right: share(wrong.iter().filter(|e| primary_right(&clf, e)).count()),
        truncated_right: share(truncated),
        others_before: before.accuracy,
        others_after: after.accuracy,
        ece_before: before.ece,
        ece_after: after.ece,
    }
}

fn check(o: &Outcome) {
    eprintln!("{o:?}");
    assert!(o.right >= 0.95, "{o:?}");
    assert!(o.truncated_right >= 0.85, "{o:?}");
    assert!(o.others_before - o.others_after <= 0.01, "{o:?}");
    // Calibration keeps its meaning on the notes not corrected.
    assert!(o.ece_after <= o.ece_before + 0.01, "{o:?}");
}

#[test]
fn corrections_of_corpus_notes_hold_and_spare_the_others() {
    let train = read_examples(common::corpus("train"), None).unwrap();
    let test = read_examples(common::corpus("test"), None).unwrap();
    // Half the corpus is short stream chatter; dropping two words of a five-word
    // note leaves too little to judge, so the corrected notes have eight words or more.
    let o = correct_mistakes(&train, &test, 8);
    assert_eq!(o.corrected, CORRECTIONS);
    check(&o);
}

#[test]
fn corrections_of_agnews_notes_hold_and_spare_the_others() {
    let (Some(train), Some(test)) = (
        common::shared_data("agnews/train.jsonl"),
        common::shared_data("agnews/test.jsonl"),
    ) else {
        return;
    };
    let o = correct_mistakes(
        &read_examples(train, None).unwrap(),
        &read_examples(test, None).unwrap(),
        0,
    );
    assert_eq!(o.corrected, CORRECTIONS);
    check(&o);
}

fn small_model() -> Classifier {
    ClassifierParams::default().fit(&common::small_set()).unwrap()
}

#[test]
fn an_unknown_label_is_an_error_naming_its_row_and_changes_nothing() {
    let mut clf = small_model();
    let bytes = clf.to_bytes().unwrap();
    let err = clf
        .update(&[
            Example::new("rates rose again", "trade_finance"),
            Example::new("a goal in the last minute", "sport"),
        ])
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("<update data>:2: field `labels`: label `sport` is unknown to the model"),
        "{err}"
    );
    assert!(clf.to_bytes().unwrap() == bytes, "a failed update changed the model");
    assert!(matches!(clf.update(&[]), Err(Error::InvalidData(_))));
}

#[test]
fn the_model_file_counts_updates_and_reloads_as_it_was() {
    let mut clf = small_model();
    assert!(clf.meta().updates.is_empty());
    let note = "the robot hand and the dog learn to cook dinner";
    clf.update(&[Example::new(note, "tech"), Example::new("gm coffee", "personal")])
        .unwrap();
    clf.update(&[Example::new(note, "tech")]).unwrap();
    assert_eq!((clf.meta().updates.updates, clf.meta().updates.examples), (2, 3));
    assert_eq!(clf.predict(note).primary(), "tech");
    let loaded = Classifier::from_bytes(&clf.to_bytes().unwrap()).unwrap();
    assert_eq!(loaded.meta(), clf.meta());
    for t in [note, "gm coffee", "rates and gpus", ""] {
        assert_eq!(loaded.predict_proba(t), clf.predict_proba(t), "{t:?}");
    }
    // A model saved before updates were recorded reads as never updated.
    assert!(Classifier::default_model().unwrap().meta().updates.is_empty());
}

#[test]
fn labels_go_to_their_side_of_the_thresholds_and_certainty_is_not_forced() {
    for quantize in [true, false] {
        let mut clf = ClassifierParams::default()
            .quantize(quantize)
            .fit(&common::small_set())
            .unwrap();
        let (both, none) = ("open source banking app for my family", "lol ok");
        let r = clf
            .update(&[
                Example::multi(both, ["tech", "trade_finance"]),
                Example::multi(none, Vec::<String>::new()),
            ])
            .unwrap();
        assert_eq!(r.wrong_after, 0, "{r:?}");
        let p = clf.predict_with(both, &PredictOptions::default());
        let mut labels: Vec<&str> = p.labels().collect();
        labels.sort_unstable();
        assert_eq!(labels, ["tech", "trade_finance"], "quantize {quantize}: {p:?}");
        assert_eq!(p.primary(), "tech");
        assert!(p.probabilities().iter().all(|&x| x < 0.99), "{p:?}");
        assert_eq!(clf.predict(none).labels().count(), 0, "quantize {quantize}");
    }
}

#[test]
fn notes_of_unknown_words_teach_nothing() {
    let words_only = ClassifierParams::default().char_ngrams(None);
    let mut clf = words_only.fit(&common::small_set()).unwrap();
    let before = clf.table().to_dense();
    let r = clf.update(&[Example::new("zzqx vvkw", "tech")]).unwrap();
    assert_eq!((r.unlearnable, r.examples), (1, 1));
    assert_eq!(clf.table().to_dense(), before);
    assert_eq!(clf.meta().updates.examples, 1);
}
