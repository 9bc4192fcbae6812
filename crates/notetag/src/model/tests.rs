//! Tests of training, prediction, explanation and the word cache.

pub(crate) mod classifier {
    use crate::model::*;
    use crate::{Error, Example};

    /// A model with char 2-4-grams trained on [`toy_examples`].
    pub(crate) fn toy_char_model() -> Classifier {
        ClassifierParams::new()
            .char_ngrams(Some((2, 4)))
            .fit(&toy_examples())
            .unwrap()
    }

    pub(crate) fn toy_examples() -> Vec<Example> {
        let mut ex = Vec::new();
        for i in 0..30 {
            ex.push(Example::new(
                format!("the central bank raised interest rates again {i}"),
                "trade_finance",
            ));
            ex.push(Example::new(
                format!("new gpu chips and open source software release {i}"),
                "tech",
            ));
            ex.push(Example::new(
                format!("good morning friends, coffee with my kids {i}"),
                "personal",
            ));
        }
        ex.push(Example::multi("bank rates and gpu chips", ["trade_finance", "tech"]));
        ex.push(Example::multi("lol", Vec::<String>::new()));
        ex
    }

    #[test]
    fn fits_predicts_and_calibrates() {
        let clf = ClassifierParams::new().fit(&toy_examples()).unwrap();
        assert_eq!(clf.labels(), ["personal", "tech", "trade_finance"]);
        let p = clf.predict("interest rates at the central bank");
        assert_eq!(p.primary(), "trade_finance");
        assert!(p.labels().any(|l| l == "trade_finance"));
        let sum: f32 = p.probabilities().iter().sum();
        assert!(p.probabilities().iter().all(|&x| (0.0..=1.0).contains(&x)), "{sum}");
        assert_eq!(clf.meta().rows, 92);
        assert!(clf.meta().cv_macro_f1 > 0.9);
    }

    #[test]
    fn training_on_one_or_two_threads_gives_the_same_bytes() {
        let ex = toy_examples();
        let fit = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| {
                let svm_nb = LearnerConfig::Ensemble(EnsembleParams {
                    members: vec![
                        (LearnerConfig::Svm(SvmParams::default()), 1.0),
                        (LearnerConfig::ComplementNb(NbParams::default()), 2.0),
                    ],
                });
                ClassifierParams::new()
                    .char_ngrams(Some((2, 4)))
                    .learner(svm_nb)
                    .fit(&ex)
                    .unwrap()
                    .to_bytes()
                    .unwrap()
            })
        };
        assert_eq!(fit(1), fit(2));
    }

    #[test]
    fn empty_text_still_predicts() {
        let clf = ClassifierParams::new().fit(&toy_examples()).unwrap();
        for t in ["", "   ", "\u{0}", "🤷"] {
            let p = clf.predict(t);
            assert!(clf.labels().contains(&p.primary().to_string()));
        }
    }

    #[test]
    fn explain_names_the_driving_ngrams() {
        let clf = ClassifierParams::new().fit(&toy_examples()).unwrap();
        let e = clf.explain("new gpu chips", 3);
        let tech = &e.per_label[1];
        assert_eq!(tech.label, "tech");
        assert!(tech.top.iter().any(|c| c.feature.contains("gpu")), "{:?}", tech.top);
        let total: f32 = tech.bias + e.per_label[1].top.iter().map(|c| c.weight).sum::<f32>();
        assert!(total <= tech.score + 1e-3 || tech.top.len() == 3);
    }

    #[test]
    fn unknown_label_in_fixed_set_names_the_row() {
        let err = ClassifierParams::new()
            .classes(["tech"])
            .fit(&toy_examples())
            .unwrap_err();
        assert!(
            err.to_string().starts_with("<training data>:1:") && err.to_string().contains("unknown label"),
            "{err}"
        );
    }

    #[test]
    fn parameters_past_the_loadable_size_are_refused_before_training() {
        // 2^24 buckets × 9 floats per bucket is past MAX_DENSE_FLOATS: a model that
        // could not be loaded again must not be trained (nor its tables allocated).
        let labels: Vec<String> = (0..8).map(|i| format!("l{i}")).collect();
        let examples: Vec<Example> = labels
            .iter()
            .map(|l| Example::new(format!("note about {l}"), l.clone()))
            .collect();
        let err = ClassifierParams::new().bucket_bits(24).fit(&examples).unwrap_err();
        let named = matches!(&err, Error::InvalidParam { name, .. } if *name == "bucket_bits");
        assert!(named, "{err}");
        assert!(err.to_string().contains("size limit"), "{err}");
        // Seven labels at 2^24 buckets fit exactly.
        assert!(crate::model::check_dense_size(1 << 24, 7).is_ok());
    }

    #[test]
    fn no_rows_or_no_labels_are_errors() {
        assert!(matches!(ClassifierParams::new().fit(&[]), Err(Error::InvalidData(_))));
        let unlabelled = vec![Example::multi("x", Vec::<String>::new())];
        assert!(matches!(
            ClassifierParams::new().fit(&unlabelled),
            Err(Error::InvalidData(_))
        ));
    }

    /// Give the language of `note` thresholds of its own, all `t`; its code.
    fn own_thresholds(clf: &mut Classifier, note: &str, t: f32) -> &'static str {
        let lang = crate::text::lang::detect(note);
        clf.meta.language_thresholds = vec![LanguageThresholds {
            lang: lang.to_string(),
            thresholds: vec![t; clf.labels().len()],
        }];
        lang
    }

    #[test]
    fn a_language_with_thresholds_of_its_own_uses_them() {
        let mut clf = toy_char_model();
        // One language in training: nothing of its own.
        assert!(clf.meta().language_thresholds.is_empty());
        let note = "the central bank raised rates on gpu chips";
        let overall = clf.predict(note).labels().count();
        assert!(overall < clf.labels().len());
        let l = clf.labels().len();
        let lang = own_thresholds(&mut clf, note, 0.0);
        assert_eq!(clf.thresholds_for(lang), vec![0.0; l]);
        assert_eq!(clf.thresholds_for("zz"), clf.thresholds());
        assert_eq!(clf.predict(note).labels().count(), l);
        // They travel in the model file; out of range, the file is refused.
        let back = Classifier::from_bytes(&clf.to_bytes().unwrap()).unwrap();
        assert_eq!(back.thresholds_for(lang), vec![0.0; l]);
        clf.meta.language_thresholds[0].thresholds = vec![1.5; l];
        let err = Classifier::from_bytes(&clf.to_bytes().unwrap()).unwrap_err();
        assert!(err.to_string().contains("thresholds for language"), "{err}");
    }

    #[test]
    fn thresholds_set_by_label_apply_to_every_language_and_are_saved() {
        let mut clf = toy_char_model();
        assert!(clf.meta().thresholds_set.is_empty());
        let note = "the central bank raised interest rates again";
        let lang = own_thresholds(&mut clf, note, 0.5);
        let p = clf.predict(note);
        let at = |name: &str| clf.labels().iter().position(|x| x == name).unwrap();
        let (tf, personal) = (at("trade_finance"), at("personal"));
        assert!(p.labels().any(|x| x == "trade_finance"));
        let above = p.probabilities()[tf] + 1e-3;
        clf.set_thresholds(&[("trade_finance", above), ("personal", 0.25)])
            .unwrap();
        for t in [clf.thresholds(), clf.thresholds_for(lang), clf.thresholds_for("zz")] {
            assert_eq!((t[tf], t[personal]), (above, 0.25));
        }
        assert!(!clf.predict(note).labels().any(|x| x == "trade_finance"));
        assert_eq!(clf.meta().thresholds_set, ["personal", "trade_finance"]);
        let back = Classifier::from_bytes(&clf.to_bytes().unwrap()).unwrap();
        assert_eq!(back.meta().thresholds_set, ["personal", "trade_finance"]);
        assert_eq!(back.thresholds(), clf.thresholds());
        assert_eq!(back.thresholds_for(lang), clf.thresholds_for(lang));
        // A bad name or value is refused and changes nothing, even after good ones.
        let before = clf.thresholds().to_vec();
        let err = clf.set_thresholds(&[("tech", 0.1), ("sports", 0.5)]).unwrap_err();
        assert!(
            err.to_string().contains("`sports` is not a label of the model"),
            "{err}"
        );
        let err = clf.set_thresholds(&[("tech", 0.1), ("personal", 1.5)]).unwrap_err();
        assert!(err.to_string().contains("personal=1.5: need a probability"), "{err}");
        assert_eq!(clf.thresholds(), before);
    }

    #[test]
    fn short_notes_are_held_to_the_short_note_floor() {
        let params = ClassifierParams::new().char_ngrams(Some((2, 4)));
        let plain = params.fit(&toy_examples()).unwrap();
        let floored = params.clone().short_note_floor(0.999).fit(&toy_examples()).unwrap();
        let tagged = |clf: &Classifier, note: &str| clf.predict(note).labels().count();
        // Three words: short. Four words (a number is not a word): not short.
        let (short, long) = ("central bank rates", "central bank rates again 2024");
        assert_eq!(crate::text::lang::profile(short).words, SHORT_NOTE_WORDS - 1);
        assert_eq!(crate::text::lang::profile(long).words, SHORT_NOTE_WORDS);
        assert!(tagged(&plain, short) > 0 && tagged(&plain, long) > 0);
        assert_eq!(tagged(&floored, short), 0, "below the floor");
        assert_eq!(tagged(&floored, long), tagged(&plain, long));
        // Same probabilities: the floor only moves the decision.
        assert_eq!(
            floored.predict(short).probabilities(),
            plain.predict(short).probabilities()
        );
        // Whatever the thresholds: one for every label, or per label.
        let opts = PredictOptions {
            threshold: Some(0.0),
            ..Default::default()
        };
        let with = |clf: &Classifier, note: &str| clf.predict_with(note, &opts).labels().count();
        assert_eq!((with(&plain, short), with(&floored, short)), (3, 0));
        assert_eq!(with(&floored, long), 3);
        let mut zero = floored.clone();
        zero.set_thresholds(&[("personal", 0.0), ("tech", 0.0), ("trade_finance", 0.0)])
            .unwrap();
        assert_eq!((tagged(&zero, short), tagged(&zero, long)), (0, 3));
        // Saved with the model.
        let back = Classifier::from_bytes(&floored.to_bytes().unwrap()).unwrap();
        assert_eq!(back.params().short_note_floor, 0.999);
        assert_eq!(tagged(&back, short), 0);
        let err = params.short_note_floor(1.5).fit(&toy_examples()).unwrap_err();
        assert!(err.to_string().contains("short_note_floor"), "{err}");
        // Set on a trained model: the decisions of a model trained with it.
        let mut set = plain.clone();
        set.set_short_note_floor(0.999).unwrap();
        assert_eq!((tagged(&set, short), tagged(&set, long)), (0, tagged(&plain, long)));
        let back = Classifier::from_bytes(&set.to_bytes().unwrap()).unwrap();
        assert_eq!((back.params().short_note_floor, tagged(&back, short)), (0.999, 0));
        let mut unset = floored.clone();
        unset.set_short_note_floor(0.0).unwrap();
        assert_eq!(tagged(&unset, short), tagged(&plain, short));
        for bad in [1.5, -0.1, f32::NAN] {
            let err = unset.set_short_note_floor(bad).unwrap_err();
            assert!(err.to_string().contains("short_note_floor"), "{err}");
        }
        assert_eq!(unset.params().short_note_floor, 0.0, "unchanged by the errors");
    }

    #[test]
    fn a_report_per_language_scores_that_language_s_notes() {
        let clf = toy_char_model();
        let ex = vec![
            Example::new("the central bank raised interest rates once more", "trade_finance"),
            Example::new("new gpu chips shipped with open source drivers", "tech"),
            Example::multi("lol", Vec::<String>::new()),
            Example::new(
                "Die Zentralbank hat die Zinsen wieder erhöht, sagen alle",
                "trade_finance",
            ),
            Example::new("中央銀行は今日また金利を引き上げたと発表しました", "trade_finance"),
            Example::multi("https://example.com/a.png", Vec::<String>::new()),
        ];
        let opts = PredictOptions::default();
        let (all, by) = clf.evaluate_by_language(&ex, &opts).unwrap();
        assert_eq!(all, clf.evaluate_with(&ex, &opts).unwrap());
        let langs: Vec<&str> = by.iter().map(|(l, _)| *l).collect();
        assert_eq!(langs, ["de", "en", "ja", "und"]);
        for (lang, report) in &by {
            let own: Vec<Example> = ex
                .iter()
                .filter(|e| clf.predict(&e.text).lang() == *lang)
                .cloned()
                .collect();
            assert_eq!(*report, clf.evaluate_with(&own, &opts).unwrap(), "{lang}");
        }
        assert_eq!(by.iter().map(|(_, r)| r.n).sum::<usize>(), ex.len());
    }

    #[test]
    fn a_clone_shares_the_weights_and_keeps_its_own_thresholds() {
        let clf = toy_char_model();
        let notes = ["the central bank raised interest rates", "gpu chips and coffee", "lol"];
        let before: Vec<Vec<f32>> = notes.iter().map(|n| clf.predict(n).probabilities().to_vec()).collect();
        let mut copy = clf.clone();
        copy.set_thresholds(&[("trade_finance", 0.99)]).unwrap();
        let tf = clf.labels().iter().position(|x| x == "trade_finance").unwrap();
        assert_eq!(copy.thresholds()[tf], 0.99);
        assert_ne!(clf.thresholds()[tf], 0.99, "the original keeps its thresholds");
        assert!(clf.meta().thresholds_set.is_empty());
        for (note, want) in notes.iter().zip(&before) {
            assert_eq!(copy.predict(note).probabilities(), want.as_slice(), "{note}");
            assert_eq!(clf.predict(note).probabilities(), want.as_slice(), "{note}");
        }
        assert!(clf.predict(notes[0]).labels().any(|x| x == "trade_finance"));
        assert!(!copy.predict(notes[0]).labels().any(|x| x == "trade_finance"));
    }

    #[test]
    fn top_k_and_threshold_options() {
        let clf = ClassifierParams::new().fit(&toy_examples()).unwrap();
        let p = clf.predict_with(
            "bank rates gpu",
            &PredictOptions {
                threshold: Some(0.0),
                top_k: Some(2),
            },
        );
        assert_eq!(p.labels().count(), 2);
        let p = clf.predict_with(
            "bank rates gpu",
            &PredictOptions {
                threshold: Some(1.1),
                top_k: None,
            },
        );
        assert_eq!(p.labels().count(), 0);
    }

    #[test]
    fn batches_agree_with_one_note_at_a_time() {
        let clf = toy_char_model();
        // Over 256 notes, so the batch splits into several chunks.
        let notes: Vec<String> = (0..700)
            .map(|i| {
                ["bank rates", "gpu chips", "coffee with kids", "fed cuts rates", ""][i % 5].to_string()
                    + &i.to_string()
            })
            .collect();
        let primaries = clf.primary_batch(&notes);
        let probs = clf.predict_proba_batch(&notes);
        let preds = clf.predict_batch(&notes, &PredictOptions::default());
        assert_eq!(
            (primaries.len(), probs.len(), preds.len()),
            (700, 700 * clf.labels().len(), 700)
        );
        let mut labels_seen = std::collections::BTreeSet::new();
        for (i, t) in notes.iter().enumerate() {
            let one = clf.predict(t);
            assert_eq!(primaries[i], one.primary_index(), "{t:?}");
            assert_eq!(preds[i], one);
            assert_eq!(
                &probs[i * clf.labels().len()..(i + 1) * clf.labels().len()],
                one.probabilities()
            );
            labels_seen.insert(primaries[i]);
        }
        assert!(labels_seen.len() > 1, "the notes should not all get one label");
    }

    #[test]
    fn cross_validation_reports_each_fold() {
        let reports = cross_validate(&ClassifierParams::new(), &toy_examples(), 3).unwrap();
        assert_eq!(reports.len(), 3);
        assert!(reports.iter().all(|r| r.accuracy > 0.8));
    }

    #[test]
    fn naive_bayes_learner_works_end_to_end() {
        let p = ClassifierParams::new().learner(LearnerConfig::ComplementNb(NbParams::default()));
        let clf = p.fit(&toy_examples()).unwrap();
        assert_eq!(clf.predict("coffee with friends").primary(), "personal");
    }
}

mod word_cache {
    use super::classifier::toy_examples;
    use crate::model::*;
    use crate::Example;

    /// Probabilities computed from the whole feature vector (the training path).
    fn from_full_vector(clf: &Classifier, text: &str) -> Vec<f32> {
        let v = clf.featurizer().transform(text);
        let mut raw = vec![0f32; clf.labels().len()];
        clf.table().scores_into(&v.indices, &v.values, &mut raw);
        raw.iter().zip(clf.calibration()).map(|(s, p)| p.prob(*s)).collect()
    }

    #[test]
    fn a_full_word_cache_evicts_without_changing_scores() {
        let clf = super::classifier::toy_char_model();
        // More distinct words than the cache has slots, so sets fill and evict;
        // every note, early or late, must score as its full vector does.
        let notes: Vec<String> = (0..(1 << 16) / 4 + 500)
            .map(|i| format!("gpu{i} rates{} chips{} fed{}", i * 7, i % 13, i / 3))
            .collect();
        for round in 0..2 {
            for (i, t) in notes.iter().enumerate() {
                let got = clf.predict_proba(t);
                if i % 97 == round {
                    let want = from_full_vector(&clf, t);
                    for (a, b) in want.iter().zip(&got) {
                        assert!((a - b).abs() < 1e-5, "{t:?}: {want:?} vs {got:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn every_label_count_scores_as_the_full_vector_does() {
        // Rows of two, three and four labels take their own summing loops, other
        // counts the general one: each must give the full vector's scores, for
        // the word block and for the cached char blocks.
        let words = ["rates", "gpu", "coffee", "summit", "bonds", "kernel", "garden"];
        for n in 1..=7usize {
            let data: Vec<Example> = (0..140)
                .map(|i| {
                    let label = format!("topic{}", i % n);
                    let text = format!("{} {} note {}", words[i % n], words[(i / 3) % words.len()], i % 11);
                    // One label needs rows without it (one class alone does not train).
                    if n == 1 && i % 2 == 1 {
                        Example::multi(text, Vec::<String>::new())
                    } else {
                        Example::new(text, label)
                    }
                })
                .collect();
            let clf = ClassifierParams::new().char_ngrams(Some((2, 4))).fit(&data).unwrap();
            assert_eq!(clf.labels().len(), n);
            assert!(clf.table().is_quantized(), "8-bit rows after training");
            for t in [
                "rates gpu note 3",
                "coffee summit kernel garden bonds",
                "unseen zzz",
                "",
            ] {
                let want = from_full_vector(&clf, t);
                let got = clf.predict_proba(t);
                assert_eq!(got.len(), n);
                for (a, b) in want.iter().zip(&got) {
                    assert!((a - b).abs() < 1e-5, "{n} labels, {t:?}: {want:?} vs {got:?}");
                }
            }
        }
    }

    #[test]
    fn cached_word_scores_match_the_training_vectors() {
        let data = toy_examples();
        let char_model = ClassifierParams::new().char_ngrams(Some((2, 5))).fit(&data).unwrap();
        let other = ClassifierParams::new()
            .char_ngrams(Some((3, 4)))
            .word_ngrams(2, 2)
            .fit(&data)
            .unwrap();
        let texts = [
            "new gpu chips and gpu prices",
            "rates rates rates at the fed",
            "zzzz qqqq unseen words only",
            "",
            "gm ☀️ coffee with my kids",
        ];
        // Twice each (cold, then warm cache), alternating two models on one thread.
        for _ in 0..2 {
            for clf in [&char_model, &other] {
                for t in texts {
                    let want = from_full_vector(clf, t);
                    let got = clf.predict_proba(t);
                    for (a, b) in want.iter().zip(&got) {
                        assert!((a - b).abs() < 1e-5, "{t:?}: {want:?} vs {got:?}");
                    }
                }
            }
        }
    }
}
mod learners {
    use crate::model::svm::{sparse_dot, sparse_dot_scaled};
    use crate::model::*;
    use crate::sparse::{SparseMatrix, SparseVec};

    fn toy() -> (SparseMatrix, Targets) {
        // Feature 0 marks label 0, feature 1 marks label 1, feature 2 is noise.
        let rows: Vec<SparseVec> = (0..40)
            .map(|i| SparseVec {
                indices: vec![(i % 2) as u32, 2],
                values: vec![0.9, 0.3],
            })
            .collect();
        let sets: Vec<Vec<usize>> = (0..40).map(|i| vec![i % 2]).collect();
        (SparseMatrix::from_rows(3, &rows), Targets::from_sets(2, &sets))
    }

    #[test]
    fn svm_separates_and_is_deterministic() {
        let (x, y) = toy();
        for loss in [SvmLoss::Hinge, SvmLoss::SquaredHinge] {
            let p = SvmParams {
                loss,
                ..SvmParams::default()
            };
            let m = p.fit_linear(&x, &y, 7).unwrap();
            assert_eq!(m, p.fit_linear(&x, &y, 7).unwrap());
            let mut s = [0f32; 2];
            let (i, v) = x.row(0);
            m.scores_into(i, v, &mut s);
            assert!(s[0] > 0.0 && s[1] < 0.0, "{s:?}");
        }
    }

    #[test]
    fn unrolled_dots_match_a_plain_sum() {
        // 7 entries: one block of four and a remainder of three.
        let idx = [5u32, 0, 3, 9, 1, 7, 2];
        let val = [0.5f32, -1.0, 2.0, 0.25, 3.0, -0.5, 1.5];
        let w: Vec<f32> = (0..10).map(|j| j as f32 * 0.1 - 0.3).collect();
        let r: Vec<f32> = (0..10).map(|j| 1.0 + j as f32 * 0.05).collect();
        let plain: f32 = idx.iter().zip(&val).map(|(&j, v)| v * w[j as usize]).sum();
        let scaled: f32 = idx
            .iter()
            .zip(&val)
            .map(|(&j, v)| v * r[j as usize] * w[j as usize])
            .sum();
        assert!((sparse_dot(&idx, &val, &w) - plain).abs() < 1e-5);
        assert!((sparse_dot_scaled(&idx, &val, &r, &w) - scaled).abs() < 1e-5);
        assert_eq!(sparse_dot(&[], &[], &w), 0.0);
    }

    #[test]
    fn warm_start_reaches_the_same_separator_and_returns_duals() {
        let (x, y) = toy();
        let p = LearnerConfig::Svm(SvmParams {
            max_iter: 50,
            ..SvmParams::default()
        });
        let mut warm = WarmStart::default();
        let cold = p.fit_warm(&x, &y, 3, &mut warm).unwrap();
        let kept = warm.kept();
        assert_eq!(kept.len(), 1, "one SVM inside");
        assert_eq!(kept[0].len(), 2, "one dual vector per label");
        assert!(kept[0].iter().all(|a| a.len() == 40 && a.iter().all(|&v| v >= 0.0)));
        assert!(kept[0][0].iter().any(|&v| v > 0.0), "some support vectors");
        // Refit on the first 30 rows from the full model's duals: same signs on
        // every row, scores close to a cold fit on the same rows.
        let rows: Vec<usize> = (0..30).collect();
        let (xs, ys) = (x.select(&rows), y.select(&rows));
        let hot = p.fit_warm(&xs, &ys, 3, &mut warm.select(&rows)).unwrap();
        let plain = p.fit_warm(&xs, &ys, 3, &mut WarmStart::default()).unwrap();
        let (mut a, mut b, mut c) = ([0f32; 2], [0f32; 2], [0f32; 2]);
        for i in 0..40 {
            let (idx, val) = x.row(i);
            hot.scores_into(idx, val, &mut a);
            plain.scores_into(idx, val, &mut b);
            cold.scores_into(idx, val, &mut c);
            assert!(a[i % 2] > 0.0 && a[1 - i % 2] < 0.0, "row {i}: {a:?}");
            for j in 0..2 {
                assert!((a[j] - b[j]).abs() < 0.05 * b[j].abs().max(1.0), "{a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn nb_prefers_the_marking_feature() {
        let (x, y) = toy();
        let m = NbParams::default().fit_linear(&x, &y, 0).unwrap();
        let mut s = [0f32; 2];
        let (i, v) = x.row(1);
        m.scores_into(i, v, &mut s);
        assert!(s[1] > s[0], "{s:?}");
    }

    #[test]
    fn one_class_only_gives_constant_scorer() {
        let (x, _) = toy();
        let y = Targets::from_sets(2, &vec![vec![0]; 40]);
        let m = SvmParams::default().fit_linear(&x, &y, 0).unwrap();
        assert_eq!(m.bias, [1.0, -1.0]);
    }

    #[test]
    fn bad_params_are_rejected() {
        assert!(SvmParams {
            c: 0.0,
            ..SvmParams::default()
        }
        .check()
        .is_err());
        assert!(SvmParams {
            max_iter: 0,
            ..SvmParams::default()
        }
        .check()
        .is_err());
        assert!(NbParams { alpha: -1.0 }.check().is_err());
    }
}
