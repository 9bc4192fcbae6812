//! Property tests of invariants that must hold for any text.

mod common;

use std::sync::OnceLock;

use notetag::{Classifier, ClassifierParams, PredictOptions};
use proptest::prelude::*;

fn model() -> &'static Classifier {
    static M: OnceLock<Classifier> = OnceLock::new();
    M.get_or_init(|| {
        ClassifierParams::new()
            .calibration_folds(3)
            .fit(&common::small_set())
            .unwrap()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn any_text_gets_a_valid_prediction(text in any::<String>()) {
        let m = model();
        let p = m.predict(&text);
        prop_assert!(m.labels().iter().any(|l| l == p.primary()));
        for (_, s) in p.scores() {
            prop_assert!((0.0..=1.0).contains(&s));
        }
    }

    #[test]
    fn whitespace_only_text_predicts(ws in "[ \t\r\n\u{a0}\u{2003}]{0,40}") {
        let p = model().predict(&ws);
        let empty = model().predict("");
        prop_assert_eq!(p.primary(), empty.primary());
    }

    #[test]
    fn batch_order_does_not_change_results(texts in proptest::collection::vec(".{0,60}", 0..40)) {
        let m = model();
        let batch = m.predict_batch(&texts, &PredictOptions::default());
        let mut rev = texts.clone();
        rev.reverse();
        let mut batch_rev = m.predict_batch(&rev, &PredictOptions::default());
        batch_rev.reverse();
        prop_assert_eq!(&batch, &batch_rev);
        for (t, p) in texts.iter().zip(&batch) {
            prop_assert_eq!(p, &m.predict(t));
        }
    }

    #[test]
    fn model_bytes_never_panic_the_loader(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = Classifier::from_bytes(&bytes);
    }
}
