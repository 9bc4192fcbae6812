//! `notetag compare`: k-fold cross-validation of several learner configurations
//! (and a dense linfa baseline) on one labelled file, side by side.

use std::time::Instant;

use clap::builder::PossibleValue;
use clap::ValueEnum;
use linfa::prelude::*;
use linfa_logistic::MultiLogisticRegression;
use ndarray::{Array1, Array2};
use notetag::eval::{argmax, gold_sets, kfold, mean_sd, Report, Scored};
use notetag::model::ValidParams;
use notetag::text::Featurizer;
use notetag::{ClassifierParams, Error, Example, PredictOptions, Result, TextConfig};
use serde::Serialize;

use crate::progress;

/// A configuration `compare` knows: its name, what it is, and its parameters
/// in the vocabulary's names and text forms (over the defaults).
#[derive(Debug, Clone)]
pub struct Preset {
    /// Its name on the command line.
    pub name: &'static str,
    /// What it is.
    pub about: &'static str,
    /// `(parameter, value)` pairs; none for the linfa baseline.
    pub settings: Option<&'static [(&'static str, &'static str)]>,
}

/// The configurations `compare` knows: SVM C 0.5 with classes balanced, 5
/// calibration folds.
pub const PRESETS: [Preset; 6] = [
    Preset {
        name: "svm",
        about: "linear SVM, word 1-2-grams, 2^18 buckets",
        settings: Some(&[("learner", "svm"), ("c", "0.5"), ("balanced", "true"), ("calibration_folds", "5"), ("char_ngrams", "none"), ("bucket_bits", "18")]),
    },
    Preset {
        name: "nb",
        about: "complement naive Bayes, word 1-2-grams",
        settings: Some(&[("learner", "nb"), ("c", "0.5"), ("balanced", "true"), ("calibration_folds", "5"), ("char_ngrams", "none"), ("bucket_bits", "18")]),
    },
    Preset {
        name: "svm+nb",
        about: "SVM + naive Bayes ensemble (NB weight 2), word 1-2-grams",
        settings: Some(&[
            ("learner", "svm+nb"),
            ("nb_weight", "2"),
            ("c", "0.5"), ("balanced", "true"), ("calibration_folds", "5"),
            ("char_ngrams", "none"),
            ("bucket_bits", "18"),
        ]),
    },
    Preset {
        name: "svm-char",
        about: "linear SVM, word 1-2-grams + char 2-5-grams, 2^20 buckets",
        settings: Some(&[("learner", "svm"), ("c", "0.5"), ("balanced", "true"), ("calibration_folds", "5"), ("char_ngrams", "2-5"), ("bucket_bits", "20")]),
    },
    Preset {
        name: "svm+nb-char",
        about: "SVM + naive Bayes (NB weight 2), word + char 2-5-grams, 2^20 buckets",
        settings: Some(&[
            ("learner", "svm+nb"),
            ("nb_weight", "2"),
            ("c", "0.5"), ("balanced", "true"), ("calibration_folds", "5"),
            ("char_ngrams", "2-5"),
            ("bucket_bits", "20"),
        ]),
    },
    Preset {
        name: "linfa-logistic",
        about: "baseline: linfa's dense multinomial logistic regression (alpha 1e-4, 300 iterations) on 2^10 hashed word 1-2-gram tf-idf features",
        settings: None,
    },
];

/// `--learners` takes the presets by name; `--help` says what each is.
impl ValueEnum for Preset {
    fn value_variants<'a>() -> &'a [Self] {
        &PRESETS
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.name).help(self.about))
    }
}

impl Preset {
    /// Its parameters (`None` for the linfa baseline).
    fn params(&self) -> Result<Option<ClassifierParams>> {
        self.settings
            .map(|s| ClassifierParams::from_text(s.iter().copied()))
            .transpose()
    }
}

/// One configuration's cross-validated figures.
#[derive(Debug, Serialize)]
pub struct Row {
    /// Configuration name.
    pub name: String,
    /// What it is.
    pub about: String,
    /// Mean and standard deviation of macro-F1 over the folds.
    pub macro_f1: (f64, f64),
    /// Mean and standard deviation of accuracy over the folds.
    pub accuracy: (f64, f64),
    /// Mean training seconds per fold.
    pub train_seconds: f64,
    /// Held-out notes predicted per second (all threads).
    pub notes_per_second: f64,
    /// Mean model size in bytes (notetag's file format; the baseline's dense
    /// parameters as f32).
    pub model_bytes: f64,
    /// Per-fold macro-F1.
    pub folds: Vec<f64>,
}

struct Fold {
    report: Report,
    train_s: f64,
    predict_s: f64,
    n_test: usize,
    bytes: usize,
}

/// Cross-validate every named configuration on `examples` with `k` folds.
pub fn compare(examples: &[Example], presets: &[Preset], k: usize, seed: u64) -> Result<Vec<Row>> {
    let configs = presets
        .iter()
        .map(|p| p.params().map(|params| (p, params)))
        .collect::<Result<Vec<_>>>()?;
    // One label set and one fold assignment for every configuration.
    let labels = ClassifierParams::new().label_set(examples)?;
    let bar = progress::bar((configs.len() * k) as u64, "cross-validating");
    let mut rows = Vec::new();
    for (preset, params) in configs {
        let name = preset.name;
        let params = params
            .map(|p| p.classes(labels.clone()).seed(seed).check())
            .transpose()?;
        let mut fold = 0;
        let per_fold = kfold(examples, &labels, k, seed, |train, test| {
            fold += 1;
            bar.set_message(format!("{name}, fold {fold}/{k}"));
            let f = match &params {
                Some(p) => notetag_fold(p, train, test),
                None => linfa_fold(&labels, train, test),
            };
            bar.inc(1);
            f
        })?;
        rows.push(row(preset, &per_fold));
    }
    bar.finish_and_clear();
    Ok(rows)
}

/// A configuration's row from its folds.
fn row(preset: &Preset, per_fold: &[Fold]) -> Row {
    let f1: Vec<f64> = per_fold.iter().map(|f| f.report.macro_f1).collect();
    let acc: Vec<f64> = per_fold.iter().map(|f| f.report.accuracy).collect();
    let mean = |g: &dyn Fn(&Fold) -> f64| per_fold.iter().map(g).sum::<f64>() / per_fold.len() as f64;
    Row {
        name: preset.name.to_string(),
        about: preset.about.to_string(),
        macro_f1: mean_sd(&f1),
        accuracy: mean_sd(&acc),
        train_seconds: mean(&|f| f.train_s),
        notes_per_second: per_fold.iter().map(|f| f.n_test).sum::<usize>() as f64
            / per_fold.iter().map(|f| f.predict_s).sum::<f64>().max(1e-9),
        model_bytes: mean(&|f| f.bytes as f64),
        folds: f1,
    }
}

fn notetag_fold(params: &ValidParams, train: &[Example], test: &[Example]) -> Result<Fold> {
    let start = Instant::now();
    let clf = params.fit(train)?;
    let train_s = start.elapsed().as_secs_f64();
    let texts: Vec<&str> = test.iter().map(|e| e.text.as_str()).collect();
    let start = Instant::now();
    let preds = clf.predict_batch(&texts, &PredictOptions::default());
    let predict_s = start.elapsed().as_secs_f64();
    std::hint::black_box(preds);
    Ok(Fold {
        report: clf.evaluate(test)?,
        train_s,
        predict_s,
        n_test: test.len(),
        bytes: clf.to_bytes()?.len(),
    })
}

/// Dense baseline: hashed word 1-2-gram tf-idf (2^10 buckets) into linfa's
/// multinomial logistic regression, trained on the primary label.
fn linfa_fold(labels: &[String], train: &[Example], test: &[Example]) -> Result<Fold> {
    let config = TextConfig {
        bucket_bits: 10,
        ..TextConfig::default()
    };
    let dim = config.n_buckets();
    let index = |e: &Example| e.primary_label().and_then(|l| labels.iter().position(|x| x == l));
    let start = Instant::now();
    let rows: Vec<&Example> = train.iter().filter(|e| index(e).is_some()).collect();
    let texts: Vec<&str> = rows.iter().map(|e| e.text.as_str()).collect();
    let (featurizer, vecs) = Featurizer::fit(config, &texts)?;
    let dense = |vecs: &[notetag::sparse::SparseVec]| {
        let mut x = Array2::<f64>::zeros((vecs.len(), dim));
        for (i, v) in vecs.iter().enumerate() {
            for (&b, &val) in v.indices.iter().zip(&v.values) {
                x[(i, b as usize)] += f64::from(val);
            }
        }
        x
    };
    let y: Array1<usize> = rows.iter().filter_map(|e| index(e)).collect();
    let data = Dataset::new(dense(&vecs), y);
    let model = MultiLogisticRegression::default()
        .alpha(1e-4)
        .max_iterations(300)
        .fit(&data)
        .map_err(|e| Error::InvalidData(format!("linfa logistic regression failed: {e}")))?;
    let train_s = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let test_vecs: Vec<_> = test.iter().map(|e| featurizer.transform(&e.text)).collect();
    let probs = model.predict_probabilities(&dense(&test_vecs));
    let predict_s = start.elapsed().as_secs_f64();
    // Class indices of the fitted model → our label indices.
    let classes: Vec<usize> = model.classes().to_vec();
    let pred: Vec<Scored> = probs
        .rows()
        .into_iter()
        .map(|row| {
            let mut p = vec![0f32; labels.len()];
            for (c, &v) in classes.iter().zip(row.iter()) {
                p[*c] = v as f32;
            }
            let best = argmax(&p);
            Scored {
                primary: best,
                set: vec![best],
                probs: p,
            }
        })
        .collect();
    let gold = gold_sets(test, labels, "<test fold>")?;
    Ok(Fold {
        report: Report::compute(labels, &gold, &pred),
        train_s,
        predict_s,
        n_test: test.len(),
        bytes: (dim + 1) * classes.len() * 4,
    })
}

/// The rows as a readable table.
pub fn table(rows: &[Row], k: usize, n: usize) -> String {
    let mut out = format!("{k}-fold cross-validation on {n} rows (macro-F1 of the primary label, held-out folds)\n\n");
    out.push_str(&format!(
        "{:<16} {:>17} {:>9} {:>9} {:>11} {:>10}\n",
        "learner", "macro-F1 ± sd", "accuracy", "train s", "notes/s", "size"
    ));
    for r in rows {
        out.push_str(&format!(
            "{:<16} {:>8.4} ± {:<6.4} {:>9.4} {:>9.2} {:>11.0} {:>10}\n",
            r.name,
            r.macro_f1.0,
            r.macro_f1.1,
            r.accuracy.0,
            r.train_seconds,
            r.notes_per_second,
            human_bytes(r.model_bytes)
        ));
    }
    out.push('\n');
    for r in rows {
        out.push_str(&format!("{:<16} {}\n", r.name, r.about));
    }
    out
}

fn human_bytes(b: f64) -> String {
    if b >= 1e6 {
        format!("{:.2} MB", b / 1e6)
    } else {
        format!("{:.1} kB", b / 1e3)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_is_in_the_vocabulary_and_checks() {
        for p in PRESETS {
            if let Some(params) = p.params().unwrap() {
                params.check().unwrap_or_else(|e| panic!("{}: {e}", p.name));
            }
        }
    }

    #[test]
    fn learners_default_to_every_preset_in_order() {
        use clap::Parser;
        let cli = crate::args::Cli::try_parse_from(["notetag", "compare", "-i", "x.jsonl"]).unwrap();
        let crate::args::Command::Compare(c) = cli.command else {
            panic!("not compare")
        };
        let names: Vec<&str> = c.learners.iter().map(|p| p.name).collect();
        assert_eq!(names, PRESETS.map(|p| p.name));
    }
}
