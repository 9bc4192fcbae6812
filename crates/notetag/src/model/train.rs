//! Training: featurise, fit the learner over the used columns, calibrate and
//! tune thresholds on out-of-fold scores, quantise.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::calibrate::{self, Platt};
use super::learner::{Learner, LinearWeights, Targets, WarmStart};
use super::params::{check_dense_size, ValidParams};
use super::predict::{decide, Classifier, PredictOptions};
use super::table::{quant_idf, BucketTable, Stored};
use crate::data::{data_hash, Example};
use crate::error::{Error, Result};
use crate::eval::{gold_sets, stratified_folds, Gold, Report, Scored};
use crate::sparse::SparseMatrix;
use crate::text::Featurizer;

/// Train on `examples`; also return the report of the out-of-fold predictions
/// that calibration and thresholds were fitted on.
pub(crate) fn fit(p: &ValidParams, examples: &[Example]) -> Result<(Classifier, Report)> {
    let labels = p.label_set(examples)?;
    let prepared = Prepared::new(p, &labels, examples)?;
    prepared.train(p, labels, data_hash(examples))
}

/// Featurised training data.
struct Prepared {
    featurizer: Featurizer,
    x: SparseMatrix,
    y: Targets,
    gold: Vec<Gold>,
    /// The languages the training notes cover ([`covered_languages`]).
    languages: Vec<String>,
    /// Each training note's language.
    row_langs: Vec<&'static str>,
    /// Each training note's word count ([`crate::text::lang::Profile::words`]).
    row_words: Vec<u32>,
}

/// What out-of-fold scores give: per-label calibration and thresholds, and the
/// out-of-fold report.
struct Calibrated {
    calibration: Vec<Platt>,
    thresholds: Vec<f32>,
    language_thresholds: Vec<LanguageThresholds>,
    cv: Report,
}

/// The training rows' gold labels, languages and word counts.
struct Rows<'a> {
    y: &'a Targets,
    gold: &'a [Gold],
    langs: &'a [&'static str],
    words: &'a [u32],
}

/// Training notes a language other than the most common one needs for
/// thresholds of its own.
const LANGUAGE_THRESHOLD_ROWS: usize = 1000;
/// Training notes of a language carrying a label for that label's threshold in
/// the language to be tuned (else the label keeps the overall threshold).
const LANGUAGE_THRESHOLD_POSITIVES: usize = 50;

impl Prepared {
    fn new(p: &ValidParams, labels: &[String], examples: &[Example]) -> Result<Self> {
        check_dense_size(p.text.n_buckets(), labels.len()).map_err(|reason| Error::param("bucket_bits", reason))?;
        let gold = gold_sets(examples, labels, "<training data>")?;
        if gold.iter().all(|g| g.set == gold[0].set) {
            return Err(Error::OneClass {
                rows: gold.len(),
                labels: gold[0].set.iter().map(|&j| labels[j].clone()).collect(),
            });
        }
        let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
        let (featurizer, vecs) = Featurizer::fit_checked(p.text.clone(), p.tokenizer().cloned(), &texts);
        let x = SparseMatrix::from_rows(p.text.n_buckets(), &vecs);
        let sets: Vec<Vec<usize>> = gold.iter().map(|g| g.set.clone()).collect();
        let y = Targets::from_sets(labels.len(), &sets);
        let (row_langs, row_words): (Vec<&'static str>, Vec<u32>) = texts
            .iter()
            .map(|t| {
                let profile = crate::text::lang::profile(t);
                (profile.lang, profile.words)
            })
            .unzip();
        let languages = languages_of(&row_langs);
        Ok(Prepared {
            featurizer,
            x,
            y,
            gold,
            languages,
            row_langs,
            row_words,
        })
    }

    fn train(self, p: &ValidParams, labels: Vec<String>, data_hash: String) -> Result<(Classifier, Report)> {
        // Learn over the used columns only (a fraction of the hashed buckets); the
        // result is the same, the weight tables are smaller and stay in cache.
        let (x, cols) = self.x.compact_columns();
        let k = usize::from(p.calibration_folds).min(x.nrows());
        let (compact, oof) = out_of_fold(p, &x, &self.y, &self.gold, labels.len(), k)?;
        let weights = compact.expand(&cols, p.text.n_buckets());
        let rows = Rows {
            y: &self.y,
            gold: &self.gold,
            langs: &self.row_langs,
            words: &self.row_words,
        };
        let fitted = calibrate(&labels, &oof, &rows, &self.languages, p);
        let mut meta = TrainingMeta::new(&self.gold, labels.len(), data_hash, k, &fitted.cv);
        meta.languages = self.languages;
        meta.language_thresholds = fitted.language_thresholds;
        let idf = self.featurizer.dense_idf().unwrap_or_default();
        if !weights.w.iter().chain(idf).all(|v| v.is_finite()) {
            return Err(Error::InvalidData(
                "training diverged: non-finite weights (check for extreme parameter values)".into(),
            ));
        }
        let table = if p.quantize {
            quantized_table(idf, &weights)?
        } else {
            BucketTable::from_dense(idf, &weights)
        };
        let clf = Classifier::from_table(
            labels,
            self.featurizer,
            table,
            fitted.calibration,
            fitted.thresholds,
            (**p).clone(),
            meta,
        )?;
        Ok((clf, fitted.cv))
    }
}

/// The learner fitted on every row, and every row's out-of-fold scores (row
/// major, `l` per row): scored by a model that never saw the row, over `k`
/// stratified folds (by the model on every row when `k` < 2).
fn out_of_fold(
    p: &ValidParams,
    x: &SparseMatrix,
    y: &Targets,
    gold: &[Gold],
    l: usize,
    k: usize,
) -> Result<(LinearWeights, Vec<f32>)> {
    let n = x.nrows();
    // The model on every row first: its SVM dual variables warm-start the fold
    // models, which then need a few passes instead of a dozen.
    let mut warm = WarmStart::default();
    let full = p.learner.fit_warm(x, y, p.seed, &mut warm)?;
    let mut oof = vec![0f32; n * l];
    if k < 2 {
        for i in 0..n {
            let (idx, val) = x.row(i);
            full.scores_into(idx, val, &mut oof[i * l..(i + 1) * l]);
        }
        return Ok((full, oof));
    }
    let strata: Vec<usize> = gold.iter().map(|g| g.primary.unwrap_or(l)).collect();
    let folds = stratified_folds(&strata, k, p.seed);
    let parts: Vec<(Vec<usize>, LinearWeights)> = (0..k)
        .into_par_iter()
        .map(|f| {
            let train: Vec<usize> = (0..n).filter(|&i| folds[i] != f).collect();
            let test: Vec<usize> = (0..n).filter(|&i| folds[i] == f).collect();
            let mut start = warm.select(&train);
            let w = p
                .learner
                .fit_warm(&x.select(&train), &y.select(&train), p.seed, &mut start)?;
            Ok((test, w))
        })
        .collect::<Result<_>>()?;
    for (test, w) in parts {
        for i in test {
            let (idx, val) = x.row(i);
            w.scores_into(idx, val, &mut oof[i * l..(i + 1) * l]);
        }
    }
    Ok((full, oof))
}

/// Platt calibration and F1-best thresholds per label (raised to
/// `threshold_floor`) from out-of-fold scores, thresholds of their own for the
/// covered languages with enough rows, and the report of the predictions they
/// give (short notes held to `short_note_floor`, as in prediction).
fn calibrate(labels: &[String], oof: &[f32], rows: &Rows<'_>, languages: &[String], p: &ValidParams) -> Calibrated {
    let floor = p.threshold_floor;
    let l = labels.len();
    let n = oof.len() / l.max(1);
    let calibration: Vec<Platt> = (0..l)
        .map(|j| Platt::fit(&(0..n).map(|i| oof[i * l + j]).collect::<Vec<_>>(), &rows.y.pos[j]))
        .collect();
    let probs: Vec<f32> = (0..n * l).map(|c| calibration[c % l].prob(oof[c])).collect();
    // F1-best thresholds over the rows `keep` selects; `None` for a label with
    // fewer than `min_pos` positives there.
    let tune = |keep: &dyn Fn(usize) -> bool, min_pos: usize| -> Vec<Option<f32>> {
        let idx: Vec<usize> = (0..n).filter(|&i| keep(i)).collect();
        (0..l)
            .map(|j| {
                let pos: Vec<bool> = idx.iter().map(|&i| rows.y.pos[j][i]).collect();
                (pos.iter().filter(|&&p| p).count() >= min_pos).then(|| {
                    let p: Vec<f32> = idx.iter().map(|&i| probs[i * l + j]).collect();
                    calibrate::best_f1_threshold(&p, &pos).max(floor)
                })
            })
            .collect()
    };
    let thresholds: Vec<f32> = tune(&|_| true, 0).into_iter().map(|t| t.unwrap_or(0.5)).collect();
    // The overall thresholds are mostly the most common language's already; the
    // others get their own where they have the rows for it.
    let counts = language_counts(rows.langs);
    let rows_of = |lang: &str| counts.get(lang).copied().unwrap_or(0);
    let most = languages.iter().max_by_key(|lang| rows_of(lang));
    let language_thresholds: Vec<LanguageThresholds> = languages
        .iter()
        .filter(|&lang| Some(lang) != most && rows_of(lang) >= LANGUAGE_THRESHOLD_ROWS)
        .filter_map(|lang| {
            let own = tune(&|i| rows.langs[i] == lang.as_str(), LANGUAGE_THRESHOLD_POSITIVES);
            let t: Vec<f32> = own.iter().zip(&thresholds).map(|(o, &t)| o.unwrap_or(t)).collect();
            (t != thresholds).then(|| LanguageThresholds {
                lang: lang.clone(),
                thresholds: t,
            })
        })
        .collect();
    let cv_pred: Vec<Scored> = (0..n)
        .map(|i| {
            let t = LanguageThresholds::pick(&language_thresholds, rows.langs[i], &thresholds);
            let short = p.floor_for(rows.words[i]);
            decide(&probs[i * l..(i + 1) * l], t, short, &PredictOptions::default(), true)
        })
        .collect();
    let cv = Report::compute(labels, rows.gold, &cv_pred);
    Calibrated {
        calibration,
        thresholds,
        language_thresholds,
        cv,
    }
}

/// Per-label scale for 8-bit weights of bucket-major rows of `l` weights: the
/// largest absolute weight / 127 (1 for a label whose weights are all 0).
fn weight_scales(w: &[f32], l: usize) -> Vec<f32> {
    let mut m = vec![0f32; l];
    for row in w.chunks_exact(l) {
        m.iter_mut().zip(row).for_each(|(m, v)| *m = m.max(v.abs()));
    }
    m.into_iter().map(|m| if m > 0.0 { m / 127.0 } else { 1.0 }).collect()
}

/// Bucket-major weights (`l` per row) as 8-bit numbers and one scale per label.
/// The scales are those of the rounded weights (their largest absolute value /
/// 127), so that quantising the dequantised weights again gives the same bytes.
pub(crate) fn quantize(w: &[f32], l: usize) -> (Vec<f32>, Vec<u8>) {
    let round = |v: f32, s: f32| (v / s).round().clamp(-127.0, 127.0);
    let first = weight_scales(w, l);
    let rounded: Vec<f32> = w
        .iter()
        .enumerate()
        .map(|(c, &v)| round(v, first[c % l]) * first[c % l])
        .collect();
    let scales = weight_scales(&rounded, l);
    let bytes = rounded
        .iter()
        .enumerate()
        .map(|(c, &v)| round(v, scales[c % l]) as i8 as u8)
        .collect();
    (scales, bytes)
}

/// The 8-bit table of the buckets with a non-zero IDF: IDF on a 1/2048 grid,
/// weights quantised per label ([`quantize`]), as the model file stores them.
fn quantized_table(idf: &[f32], weights: &LinearWeights) -> Result<BucketTable> {
    let l = weights.n_labels;
    let used: Vec<usize> = (0..idf.len()).filter(|&b| idf[b] != 0.0).collect();
    let mut last = 0;
    let deltas: Vec<u32> = used
        .iter()
        .map(|&b| {
            let d = b as u32 - last;
            last = b as u32;
            d
        })
        .collect();
    let qidf: Vec<u8> = used.iter().flat_map(|&b| quant_idf(idf[b]).to_le_bytes()).collect();
    let rows: Vec<f32> = used
        .iter()
        .flat_map(|&b| weights.w[b * l..(b + 1) * l].iter().copied())
        .collect();
    let (scales, q) = quantize(&rows, l);
    let stored = Stored::Q8 {
        idf: &qidf,
        weights: &q,
    };
    BucketTable::from_columns(idf.len(), &deltas, stored, scales, weights.bias.clone())
        .map_err(|reason| Error::InvalidModel { path: None, reason })
}

/// What the model records about its training.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingMeta {
    /// notetag version that trained it.
    pub notetag_version: String,
    /// Training rows.
    pub rows: usize,
    /// Rows carrying each label (in label order).
    pub label_counts: Vec<usize>,
    /// Rows with no label.
    pub unlabelled_rows: usize,
    /// [`data_hash`] of the training examples.
    pub data_hash: String,
    /// Folds of the internal cross-validation.
    pub cv_folds: u32,
    /// Out-of-fold top-1 accuracy on the training data.
    pub cv_accuracy: f64,
    /// Out-of-fold top-1 macro-F1 on the training data.
    pub cv_macro_f1: f64,
    /// Out-of-fold expected calibration error.
    pub cv_ece: f64,
    /// Free-form description of the training data.
    pub source: Option<String>,
    /// The languages the model covers: those of at least
    /// [`min_language_rows`] training notes (by [`crate::text::lang::detect`]),
    /// sorted. A note in another language gets no topic. Empty (models from before
    /// languages were recorded) means every language is covered.
    #[serde(default)]
    pub languages: Vec<String>,
    /// Decision thresholds of their own for covered languages with enough
    /// training notes, other than the most common one, tuned like the overall
    /// ones on those notes alone (a note in another language uses the overall
    /// ones).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub language_thresholds: Vec<LanguageThresholds>,
    /// The search that chose the parameters, for models trained by autotune.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autotune: Option<super::autotune::AutotuneRecord>,
    /// Corrections learnt since training ([`Classifier::update`]).
    #[serde(default, skip_serializing_if = "super::update::UpdateCount::is_empty")]
    pub updates: super::update::UpdateCount,
    /// Labels whose thresholds were set by hand after training
    /// ([`Classifier::set_thresholds`]) rather than tuned, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thresholds_set: Vec<String>,
}

/// Per-label decision thresholds for the notes of one language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LanguageThresholds {
    /// ISO 639-1 code.
    pub lang: String,
    /// Per label, in label order.
    pub thresholds: Vec<f32>,
}

impl LanguageThresholds {
    /// The thresholds in `own` for a note in `lang`, else `overall`.
    pub(crate) fn pick<'a>(own: &'a [LanguageThresholds], lang: &str, overall: &'a [f32]) -> &'a [f32] {
        own.iter().find(|t| t.lang == lang).map_or(overall, |t| &t.thresholds)
    }
}

/// How many training notes a language needs to count as covered: 50, or 5% of
/// the rows when that is fewer (at least one).
pub fn min_language_rows(rows: usize) -> usize {
    rows.div_ceil(20).clamp(1, 50)
}

/// The languages covered by training texts (see [`TrainingMeta::languages`]).
pub fn covered_languages<'a>(texts: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let langs: Vec<&'static str> = texts.into_iter().map(crate::text::lang::detect).collect();
    languages_of(&langs)
}

/// How many notes each language has.
fn language_counts(langs: &[&'static str]) -> std::collections::BTreeMap<&'static str, usize> {
    let mut counts = std::collections::BTreeMap::new();
    for &l in langs {
        *counts.entry(l).or_default() += 1;
    }
    counts
}

/// The languages covered by training notes in these languages.
fn languages_of(langs: &[&'static str]) -> Vec<String> {
    let min = min_language_rows(langs.len());
    language_counts(langs)
        .into_iter()
        .filter(|&(l, n)| n >= min && l != crate::text::lang::UNDETERMINED)
        .map(|(l, _)| l.to_string())
        .collect()
}

impl TrainingMeta {
    fn new(gold: &[Gold], l: usize, data_hash: String, k: usize, cv: &Report) -> Self {
        let mut label_counts = vec![0usize; l];
        for g in gold {
            for &j in &g.set {
                label_counts[j] += 1;
            }
        }
        TrainingMeta {
            notetag_version: env!("CARGO_PKG_VERSION").to_string(),
            rows: gold.len(),
            label_counts,
            unlabelled_rows: gold.iter().filter(|g| g.set.is_empty()).count(),
            data_hash,
            cv_folds: k as u32,
            cv_accuracy: cv.accuracy,
            cv_macro_f1: cv.macro_f1,
            cv_ece: cv.ece,
            source: None,
            languages: Vec::new(),
            language_thresholds: Vec::new(),
            autotune: None,
            updates: Default::default(),
            thresholds_set: Vec::new(),
        }
    }
}
