//! The public API end to end: train, predict, persist, evaluate.

mod common;

use notetag::{ClassifierParams, Error, LearnerConfig, NbParams, PredictOptions};

fn params() -> ClassifierParams {
    ClassifierParams::new().calibration_folds(3)
}

#[test]
fn save_load_gives_bit_identical_scores() {
    for quantize in [true, false] {
        let clf = params().quantize(quantize).fit(&common::small_set()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.ntag");
        clf.save(&path).unwrap();
        let back = notetag::Classifier::load(&path).unwrap();
        for t in ["rates and bonds", "gpu relay", "gm coffee", "", "unseen words only"] {
            assert_eq!(
                clf.predict_proba(t),
                back.predict_proba(t),
                "quantize={quantize} text={t:?}"
            );
        }
        assert_eq!(clf.to_bytes().unwrap(), back.to_bytes().unwrap());
    }
}

#[test]
fn same_seed_same_model_bytes() {
    let a = params().fit(&common::small_set()).unwrap().to_bytes().unwrap();
    let b = params().fit(&common::small_set()).unwrap().to_bytes().unwrap();
    assert_eq!(a, b);
}

#[test]
fn multi_label_rows_raise_both_labels() {
    let clf = params().fit(&common::small_set()).unwrap();
    let p = clf.predict_with(
        "bought sats, feels good",
        &PredictOptions {
            threshold: Some(0.0),
            top_k: Some(2),
        },
    );
    assert_eq!(p.labels().count(), 2);
}

#[test]
fn batch_matches_single_and_keeps_order() {
    let clf = params().fit(&common::small_set()).unwrap();
    let texts: Vec<String> = (0..2000)
        .map(|i| format!("note {i} about rates {} gpu", i % 7))
        .collect();
    let batch = clf.predict_batch(&texts, &PredictOptions::default());
    let proba = clf.predict_proba_batch(&texts);
    for (i, t) in texts.iter().enumerate() {
        assert_eq!(batch[i], clf.predict(t));
        assert_eq!(&proba[i * 3..i * 3 + 3], clf.predict_proba(t).as_slice());
    }
}

#[test]
fn threads_share_one_classifier() {
    let clf = params().fit(&common::small_set()).unwrap();
    let texts: Vec<String> = (0..500).map(|i| format!("rates {i} relay gm")).collect();
    let single: Vec<_> = texts.iter().map(|t| clf.predict_proba(t)).collect();
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                for (t, want) in texts.iter().zip(&single) {
                    assert_eq!(&clf.predict_proba(t), want);
                }
            });
        }
    });
}

#[test]
fn evaluation_report_is_consistent() {
    let data = common::small_set();
    let clf = params().fit(&data).unwrap();
    let r = clf.evaluate(&data).unwrap();
    assert_eq!(r.n, data.len());
    assert_eq!(r.n_with_primary, data.len() - 1);
    assert_eq!(r.confusion.iter().flatten().sum::<usize>(), r.n_with_primary);
    assert!(r.accuracy > 0.9, "training accuracy {}", r.accuracy);
}

#[test]
fn unknown_label_at_evaluation_is_named() {
    let clf = params().fit(&common::small_set()).unwrap();
    let err = clf.evaluate(&[notetag::Example::new("x", "sports")]).unwrap_err();
    assert!(matches!(err, Error::Record { line: 1, .. }), "{err}");
}

#[test]
fn any_label_set_works_with_every_learner() {
    let data: Vec<notetag::Example> = (0..40)
        .map(|i| {
            if i % 2 == 0 {
                notetag::Example::new(format!("goal scored in the match {i}"), "sport")
            } else {
                notetag::Example::new(format!("bake the bread at 200 degrees {i}"), "cooking")
            }
        })
        .collect();
    for learner in [
        LearnerConfig::default(),
        LearnerConfig::ComplementNb(NbParams::default()),
    ] {
        let clf = params().learner(learner).fit(&data).unwrap();
        assert_eq!(clf.labels(), ["cooking", "sport"]);
        assert_eq!(clf.predict("a late goal in the match").primary(), "sport");
    }
}

/// A model written in format version 2 (before the short-note floor, by notetag
/// 0.1.0 of 2026-12-07) is read with no floor and predicts as it did then; saved
/// again, it is version 3 and predicts the same.
#[test]
fn format_version_2_models_are_read_without_a_short_note_floor() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/format-v2.ntag");
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(bytes[8..12], 2u32.to_le_bytes());
    let clf = notetag::Classifier::from_bytes(&bytes).unwrap();
    assert_eq!(clf.params().short_note_floor, 0.0);
    // What the writing version printed: notes of fewer than four words tagged.
    for (note, label, p) in [
        ("bank rates rise", "trade_finance", 0.8986),
        ("gpu chips", "tech", 0.7569),
        ("coffee with my dog today", "personal", 0.924),
    ] {
        let got = clf.predict(note);
        assert_eq!(got.labels().collect::<Vec<_>>(), [label], "{note}");
        let at = clf.labels().iter().position(|l| l == label).unwrap();
        assert!((got.probabilities()[at] - p).abs() < 1e-4, "{note}");
    }
    let loaded = notetag::Classifier::load(path).unwrap();
    assert_eq!(
        loaded.predict("gpu chips").probabilities(),
        clf.predict("gpu chips").probabilities()
    );
    let again = clf.to_bytes().unwrap();
    assert_eq!(again[8..12], notetag::persist::FORMAT_VERSION.to_le_bytes());
    let back = notetag::Classifier::from_bytes(&again).unwrap();
    assert_eq!(
        back.predict("gpu chips").probabilities(),
        clf.predict("gpu chips").probabilities()
    );
    // Versions before 2 and after the current one are refused, naming both ends.
    for v in [1, notetag::persist::FORMAT_VERSION + 1] {
        let mut b = bytes.clone();
        b[8..12].copy_from_slice(&v.to_le_bytes());
        let err = notetag::Classifier::from_bytes(&b).unwrap_err().to_string();
        assert!(
            err.contains(&format!("version {v} (this build reads versions 2 to 3)")),
            "{err}"
        );
    }
}

#[test]
fn damaged_models_are_rejected_whole() {
    let bytes = params().fit(&common::small_set()).unwrap().to_bytes().unwrap();
    // Truncated at every byte of the header and a few beyond.
    for n in (0..40).chain([bytes.len() / 2, bytes.len() - 1]) {
        assert!(
            notetag::Classifier::from_bytes(&bytes[..n]).is_err(),
            "accepted {n} bytes"
        );
    }
    // A bit flip anywhere in the payload fails the checksum.
    for pos in [24, bytes.len() / 3, bytes.len() - 1] {
        let mut b = bytes.clone();
        b[pos] ^= 0x10;
        let err = notetag::Classifier::from_bytes(&b).unwrap_err();
        assert!(err.to_string().contains("checksum"), "{err}");
    }
    let mut b = bytes.clone();
    b[0] = b'X';
    assert!(notetag::Classifier::from_bytes(&b)
        .unwrap_err()
        .to_string()
        .contains("magic"));
    let mut b = bytes.clone();
    b[8] = 99;
    assert!(matches!(
        notetag::Classifier::from_bytes(&b),
        Err(Error::UnsupportedVersion { found: 99, .. })
    ));
    // A declared size larger than the file is refused before anything is allocated.
    let mut b = bytes[..40].to_vec();
    b[12..20].copy_from_slice(&u64::MAX.to_le_bytes());
    assert!(notetag::Classifier::from_bytes(&b)
        .unwrap_err()
        .to_string()
        .contains("declared"));
}

#[test]
fn missing_model_file_names_the_path() {
    let err = notetag::Classifier::load("/nonexistent/model.ntag").unwrap_err();
    assert!(err.to_string().contains("/nonexistent/model.ntag"), "{err}");
}

#[test]
fn bad_params_are_rejected_before_fitting() {
    let err = params().calibration_folds(1).fit(&common::small_set()).unwrap_err();
    assert!(matches!(
        err,
        Error::InvalidParam {
            name: "calibration_folds",
            ..
        }
    ));
    let err = params().bucket_bits(40).fit(&common::small_set()).unwrap_err();
    assert!(matches!(
        err,
        Error::InvalidParam {
            name: "bucket_bits",
            ..
        }
    ));
}
