//! Autotune ([`ClassifierParams::autotune`]): a search that keeps to its budget,
//! returns the best candidate's model and records the search in it.

mod common;

use std::time::Duration;

use notetag::model::autotune::describe;
use notetag::{AutotuneOptions, Classifier, ClassifierParams, Error, Example, TuneMetric};

/// Three topics, 24 notes each, with words shared across topics.
fn data() -> Vec<Example> {
    let topics = [
        (
            "trade_finance",
            ["rates", "bonds", "yields", "bank", "stocks", "inflation"],
        ),
        ("tech", ["gpu", "compiler", "robot", "software", "chips", "browser"]),
        ("personal", ["coffee", "kids", "dinner", "friends", "walk", "birthday"]),
    ];
    let shared = ["today", "news", "new", "again", "big", "week"];
    let mut out = Vec::new();
    for i in 0..24 {
        for (t, (label, words)) in topics.iter().enumerate() {
            let text = format!(
                "{} {} {} {}",
                words[i % 6],
                shared[(i + t) % 6],
                words[(i / 6 + t) % 6],
                shared[i % 5]
            );
            out.push(Example::new(text, *label));
        }
    }
    out
}

#[test]
fn the_search_keeps_to_its_budget_and_keeps_the_best_model() {
    let ex = data();
    let budget = 4.0;
    let mut seen = 0;
    let tuned = ClassifierParams::default()
        .autotune_with(&ex, &AutotuneOptions::new(budget).unwrap(), |p| {
            seen += 1;
            assert_eq!(p.trials, seen);
            assert!(p.best.score >= p.trial.score && p.elapsed <= Duration::from_secs_f64(2.0 * budget));
        })
        .unwrap();
    let secs = tuned.elapsed.as_secs_f64();
    assert!((0.9 * budget..=1.1 * budget).contains(&secs), "{secs} s for {budget} s");
    let board = &tuned.leaderboard;
    assert_eq!(board.len(), seen);
    assert!(board.len() > 5, "{} candidates", board.len());
    assert!(board.windows(2).all(|w| w[0].score >= w[1].score));
    // The given parameters are among the candidates, and the best is kept.
    assert!(board.iter().any(|t| t.params == ClassifierParams::default()));
    let clf = &tuned.classifier;
    assert_eq!(clf.params(), &board[0].params);
    assert_eq!(clf.meta().cv_macro_f1, board[0].macro_f1);
    let record = clf.meta().autotune.as_ref().unwrap();
    assert_eq!((record.trials as usize, record.cv_score), (board.len(), board[0].score));
    assert_eq!((record.metric.as_str(), record.folds), ("macro_f1", 3));
    assert_eq!(record.config, describe(clf.params()));
    assert_eq!(record.leaderboard.len(), 5);
    assert_eq!(record.budget_seconds, budget);
    // The record travels in the model file.
    let loaded = Classifier::from_bytes(&clf.to_bytes().unwrap()).unwrap();
    assert_eq!(loaded.meta().autotune.as_ref(), Some(record));
}

#[test]
fn the_figure_of_one_label_can_be_the_goal() {
    let ex = data();
    let metric: TuneMetric = "f1:tech".parse().unwrap();
    assert_eq!(metric, TuneMetric::LabelF1("tech".into()));
    let options = AutotuneOptions::new(1.5).unwrap().metric(metric);
    let tuned = ClassifierParams::default().autotune(&ex, &options).unwrap();
    let best = &tuned.leaderboard[0];
    assert!((0.0..=1.0).contains(&best.score));
    let record = tuned.classifier.meta().autotune.clone().unwrap();
    assert_eq!(record.metric, "f1:tech");
    assert_eq!(record.cv_score, best.score);
}

#[test]
fn bad_budgets_metrics_and_data_are_clear_errors() {
    for s in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let err = AutotuneOptions::new(s).unwrap_err();
        assert!(matches!(err, Error::InvalidParam { name: "autotune", .. }), "{err}");
    }
    for m in ["accuracy", "f1:", "f1: ", "macro-f1"] {
        let err = m.parse::<TuneMetric>().unwrap_err();
        assert!(err.to_string().contains("expected macro_f1, or f1:LABEL"), "{m}: {err}");
    }
    let options = AutotuneOptions::new(1.0).unwrap().metric("f1:sport".parse().unwrap());
    let err = ClassifierParams::default().autotune(&data(), &options).unwrap_err();
    assert!(err.to_string().contains("`sport` is not a label of the data"), "{err}");
    let err = ClassifierParams::default()
        .autotune(&[], &AutotuneOptions::new(1.0).unwrap())
        .unwrap_err();
    assert!(matches!(err, Error::InvalidData(_)), "{err}");
}

#[test]
fn parameters_off_the_grid_are_tried_as_given_first() {
    let base = ClassifierParams::default().bucket_bits(17).seed(3);
    let tuned = base
        .autotune(&common::small_set(), &AutotuneOptions::new(1.0).unwrap())
        .unwrap();
    let first = tuned.leaderboard.iter().find(|t| t.params == base);
    assert!(first.is_some(), "the given parameters were not tried");
    assert!(tuned.leaderboard.iter().all(|t| t.params.seed == 3));
}
