//! The classifier: parameters (builder → check → fit), training with out-of-fold
//! calibration and thresholds, prediction and explanation.

pub mod autotune;
pub mod calibrate;
pub mod linear;
pub mod linfa_impl;
mod table;
pub mod update;

use std::cell::RefCell;
use std::sync::Arc;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::data::{data_hash, Example};
use crate::error::{Error, Result};
use crate::eval::{stratified_folds, Gold, Report, Scored};
use crate::sparse::{SparseMatrix, SparseVec};
use crate::text::{Featurizer, Scratch, TextConfig};
pub use calibrate::Platt;
pub use linear::{Learner, LearnerConfig, LinearWeights, NbParams, SvmLoss, SvmParams, Targets};
pub(crate) use table::Stored;
pub use table::{BucketTable, Row};

/// Everything that defines how a classifier is trained.
///
/// | name | default | range | meaning |
/// | --- | --- | --- | --- |
/// | `text` | [`TextConfig::default`] with char 2–5-grams and 2^20 buckets | see [`TextConfig`] | featuriser |
/// | `learner` | SVM (C = 1, unbalanced) + complement naive Bayes, weight 1 each | see [`LearnerConfig`] | learner |
/// | `calibration_folds` | 3 | 2 ..= 20 | folds for out-of-fold calibration and thresholds |
/// | `seed` | 42 | any | shuffling seed; same seed, same model |
/// | `quantize` | `true` | | store weights as 8-bit, IDF as 16-bit (smaller files) |
/// | `labels` | from data | non-empty, unique | fixed label set (sorted) |
/// | `threshold_floor` | `0.0` | 0 ..= 1 | no label's tuned threshold is set below this probability |
///
/// The defaults are the configuration with the best mean cross-validated
/// macro-F1 over the project's corpus, AG News and finance tweets (train splits;
/// the candidates and figures are in BENCHMARKS.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassifierParams {
    /// Featuriser settings.
    pub text: TextConfig,
    /// Learner and its settings.
    pub learner: LearnerConfig,
    /// Folds of the internal cross-validation that fits calibration and thresholds.
    pub calibration_folds: u8,
    /// Seed for every random choice.
    pub seed: u64,
    /// Quantise weights to 8 bits (and IDF to 16 bits) at the end of training.
    pub quantize: bool,
    /// A fixed label set; `None` takes the labels found in the data.
    pub labels: Option<Vec<String>>,
    /// The lowest threshold a label may get: the tuned thresholds (best F1 out of
    /// fold) are raised to it. Above 0 it trades recall for precision where
    /// notes are more often topic-less than in the training data.
    #[serde(default)]
    pub threshold_floor: f32,
}

impl Default for ClassifierParams {
    fn default() -> Self {
        let svm = SvmParams {
            c: 1.0,
            balanced: false,
            ..SvmParams::default()
        };
        ClassifierParams {
            text: TextConfig {
                char_ngrams: Some([2, 5]),
                bucket_bits: 20,
                ..TextConfig::default()
            },
            learner: LearnerConfig::Ensemble(linear::EnsembleParams {
                members: vec![
                    (LearnerConfig::Svm(svm), 1.0),
                    (LearnerConfig::ComplementNb(NbParams::default()), 1.0),
                ],
            }),
            calibration_folds: 3,
            seed: 42,
            quantize: true,
            labels: None,
            threshold_floor: 0.0,
        }
    }
}

impl ClassifierParams {
    /// Default parameters.
    pub fn new() -> Self {
        Self::default()
    }

    /// Set the featuriser.
    pub fn text(mut self, text: TextConfig) -> Self {
        self.text = text;
        self
    }

    /// Set word n-gram lengths.
    pub fn word_ngrams(mut self, min: u8, max: u8) -> Self {
        self.text.word_ngrams = [min, max];
        self
    }

    /// Set (or disable) char n-gram lengths.
    pub fn char_ngrams(mut self, range: Option<(u8, u8)>) -> Self {
        self.text.char_ngrams = range.map(|(a, b)| [a, b]);
        self
    }

    /// Set log2 of the bucket count.
    pub fn bucket_bits(mut self, bits: u8) -> Self {
        self.text.bucket_bits = bits;
        self
    }

    /// Set the learner.
    pub fn learner(mut self, learner: LearnerConfig) -> Self {
        self.learner = learner;
        self
    }

    /// Set the calibration folds.
    pub fn calibration_folds(mut self, k: u8) -> Self {
        self.calibration_folds = k;
        self
    }

    /// Set the seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Turn quantisation on or off.
    pub fn quantize(mut self, q: bool) -> Self {
        self.quantize = q;
        self
    }

    /// Fix the label set.
    pub fn labels<S: Into<String>>(mut self, labels: impl IntoIterator<Item = S>) -> Self {
        self.labels = Some(labels.into_iter().map(Into::into).collect());
        self
    }

    /// Check every parameter against its documented range.
    pub fn check(&self) -> Result<()> {
        self.text.check()?;
        self.learner.check()?;
        if !(2..=20).contains(&self.calibration_folds) {
            return Err(Error::param(
                "calibration_folds",
                format!("{}: need 2..=20", self.calibration_folds),
            ));
        }
        if let Some(l) = &self.labels {
            check_label_set(l)?;
        }
        if !(0.0..=1.0).contains(&self.threshold_floor) {
            return Err(Error::param(
                "threshold_floor",
                format!("{}: need a probability, 0 ..= 1", self.threshold_floor),
            ));
        }
        Ok(())
    }

    /// Set the lowest threshold a label may get (see the table above).
    pub fn threshold_floor(mut self, floor: f32) -> Self {
        self.threshold_floor = floor;
        self
    }

    /// Train on labelled examples.
    pub fn fit(&self, examples: &[Example]) -> Result<Classifier> {
        self.fit_reporting(examples).map(|(clf, _)| clf)
    }

    /// [`ClassifierParams::fit`], also returning the report of the out-of-fold
    /// predictions that calibration and thresholds were fitted on.
    pub(crate) fn fit_reporting(&self, examples: &[Example]) -> Result<(Classifier, Report)> {
        self.check()?;
        let labels = self.label_set(examples)?;
        let prepared = Prepared::new(self, &labels, examples)?;
        prepared.train(self, labels, data_hash(examples))
    }

    /// Train from texts and label lists held in memory.
    pub fn fit_texts<T: AsRef<str>, L: AsRef<str>>(&self, texts: &[T], labels: &[Vec<L>]) -> Result<Classifier> {
        if texts.len() != labels.len() {
            return Err(Error::InvalidData(format!(
                "{} texts but {} label lists",
                texts.len(),
                labels.len()
            )));
        }
        let ex: Vec<Example> = texts
            .iter()
            .zip(labels)
            .map(|(t, l)| Example::multi(t.as_ref(), l.iter().map(|s| s.as_ref().to_string())))
            .collect();
        self.fit(&ex)
    }

    /// The sorted label set training on `examples` would use: the fixed `labels`
    /// when set (an example with another label is an error naming its row), else
    /// every label the examples carry.
    pub fn label_set(&self, examples: &[Example]) -> Result<Vec<String>> {
        if examples.is_empty() {
            return Err(Error::InvalidData("no training rows".into()));
        }
        let mut labels: Vec<String> = match &self.labels {
            Some(l) => l.clone(),
            None => examples.iter().flat_map(|e| e.labels.iter().cloned()).collect(),
        };
        labels.sort();
        labels.dedup();
        if labels.is_empty() {
            return Err(Error::InvalidData(format!(
                "none of the {} rows carries a label; at least one labelled row is needed",
                examples.len()
            )));
        }
        check_label_set(&labels)?;
        Ok(labels)
    }
}

fn check_label_set(labels: &[String]) -> Result<()> {
    if labels.is_empty() {
        return Err(Error::param("labels", "empty: need at least one label"));
    }
    for (i, l) in labels.iter().enumerate() {
        if l.trim().is_empty() {
            return Err(Error::param("labels", format!("label {i} is blank")));
        }
        if labels[..i].contains(l) {
            return Err(Error::param("labels", format!("`{l}` appears twice")));
        }
    }
    Ok(())
}

/// Featurised training data.
struct Prepared {
    featurizer: Featurizer,
    x: SparseMatrix,
    y: Targets,
    gold: Vec<Gold>,
    languages: Vec<String>,
}

impl Prepared {
    fn new(p: &ClassifierParams, labels: &[String], examples: &[Example]) -> Result<Self> {
        crate::persist::check_dense_size(p.text.n_buckets(), labels.len())
            .map_err(|reason| Error::param("bucket_bits", reason))?;
        let index = |row: usize, l: &str| {
            labels.iter().position(|x| x == l).ok_or_else(|| Error::Record {
                source_name: "<training data>".into(),
                line: row + 1,
                message: format!("field `labels`: unknown label `{l}` (known: {})", labels.join(", ")),
            })
        };
        let mut gold = Vec::with_capacity(examples.len());
        for (row, e) in examples.iter().enumerate() {
            let mut set = e.labels.iter().map(|l| index(row, l)).collect::<Result<Vec<_>>>()?;
            set.sort_unstable();
            set.dedup();
            let primary = e.primary_label().map(|l| index(row, l)).transpose()?;
            gold.push(Gold { primary, set });
        }
        let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
        let (featurizer, vecs) = Featurizer::fit(p.text.clone(), &texts)?;
        let x = SparseMatrix::from_rows(p.text.n_buckets(), &vecs);
        let sets: Vec<Vec<usize>> = gold.iter().map(|g| g.set.clone()).collect();
        let y = Targets::from_sets(labels.len(), &sets);
        let languages = covered_languages(texts.iter().copied());
        Ok(Prepared {
            featurizer,
            x,
            y,
            gold,
            languages,
        })
    }

    fn train(mut self, p: &ClassifierParams, labels: Vec<String>, data_hash: String) -> Result<(Classifier, Report)> {
        // Learn over the used columns only (a fraction of the hashed buckets); the
        // result is the same, the weight tables are smaller and stay in cache.
        let (x, cols) = self.x.compact_columns();
        self.x = x;
        let n = self.x.nrows();
        let l = labels.len();
        let strata: Vec<usize> = self.gold.iter().map(|g| g.primary.unwrap_or(l)).collect();
        let k = usize::from(p.calibration_folds).min(n);
        // The model on every row first: its SVM dual variables warm-start the fold
        // models, which then need a few passes instead of a dozen.
        let (compact, warm) = p.learner.fit_warm(&self.x, &self.y, p.seed, None)?;
        // Out-of-fold scores: every row scored by a model that never saw it.
        let mut oof = vec![0f32; n * l];
        if k >= 2 {
            let folds = stratified_folds(&strata, k, p.seed);
            let parts: Vec<(Vec<usize>, LinearWeights)> = (0..k)
                .into_par_iter()
                .map(|f| {
                    let train: Vec<usize> = (0..n).filter(|&i| folds[i] != f).collect();
                    let test: Vec<usize> = (0..n).filter(|&i| folds[i] == f).collect();
                    let (w, _) = p.learner.fit_warm(
                        &self.x.select(&train),
                        &self.y.select(&train),
                        p.seed,
                        Some(&warm.select(&train)),
                    )?;
                    Ok((test, w))
                })
                .collect::<Result<_>>()?;
            for (test, w) in parts {
                for i in test {
                    let (idx, val) = self.x.row(i);
                    w.scores_into(idx, val, &mut oof[i * l..(i + 1) * l]);
                }
            }
        } else {
            for i in 0..n {
                let (idx, val) = self.x.row(i);
                compact.scores_into(idx, val, &mut oof[i * l..(i + 1) * l]);
            }
        }
        let mut weights = compact.expand(&cols, p.text.n_buckets());
        let calibration: Vec<Platt> = (0..l)
            .map(|j| Platt::fit(&(0..n).map(|i| oof[i * l + j]).collect::<Vec<_>>(), &self.y.pos[j]))
            .collect();
        let probs: Vec<f32> = (0..n * l).map(|c| calibration[c % l].prob(oof[c])).collect();
        let thresholds: Vec<f32> = (0..l)
            .map(|j| {
                calibrate::best_f1_threshold(&(0..n).map(|i| probs[i * l + j]).collect::<Vec<_>>(), &self.y.pos[j])
                    .max(p.threshold_floor)
            })
            .collect();
        let cv_pred: Vec<Scored> = (0..n)
            .map(|i| {
                decide(
                    &probs[i * l..(i + 1) * l],
                    &thresholds,
                    &PredictOptions::default(),
                    true,
                )
            })
            .collect();
        let cv = Report::compute(&labels, &self.gold, &cv_pred);
        if p.quantize {
            let idf = quantize_idf(self.featurizer.dense_idf().unwrap_or_default());
            self.featurizer.set_idf(idf);
            quantize_weights(&mut weights);
        }
        let mut label_counts = vec![0usize; l];
        for g in &self.gold {
            for &j in &g.set {
                label_counts[j] += 1;
            }
        }
        let meta = TrainingMeta {
            notetag_version: env!("CARGO_PKG_VERSION").to_string(),
            rows: n,
            label_counts,
            unlabelled_rows: self.gold.iter().filter(|g| g.set.is_empty()).count(),
            data_hash,
            cv_folds: k as u32,
            cv_accuracy: cv.accuracy,
            cv_macro_f1: cv.macro_f1,
            cv_ece: cv.ece,
            source: None,
            languages: self.languages,
            autotune: None,
            updates: Default::default(),
        };
        let idf = self.featurizer.dense_idf().unwrap_or_default();
        if !weights.w.iter().chain(idf).all(|v| v.is_finite()) {
            return Err(Error::InvalidData(
                "training diverged: non-finite weights (check for extreme parameter values)".into(),
            ));
        }
        let clf = Classifier::from_parts(
            labels,
            self.featurizer,
            weights,
            calibration,
            thresholds,
            p.clone(),
            meta,
        )?;
        // What is saved is what is used: the trained model is the one its bytes
        // describe, so save -> load gives bit-identical scores.
        Ok((Classifier::from_bytes(&clf.to_bytes()?)?, cv))
    }
}

/// IDF rounded to a 1/2048 grid (what the model file stores).
pub(crate) fn quantize_idf(idf: &[f32]) -> Vec<f32> {
    idf.iter().map(|&v| dequant_idf(quant_idf(v))).collect()
}

pub(crate) fn quant_idf(v: f32) -> u16 {
    (v * 2048.0).round().clamp(0.0, 65535.0) as u16
}

pub(crate) fn dequant_idf(q: u16) -> f32 {
    f32::from(q) / 2048.0
}

/// Per-label scale for 8-bit weights, from every bucket's row of `l` weights.
pub(crate) fn weight_scales(rows: impl Iterator<Item = impl IntoIterator<Item = f32>>, l: usize) -> Vec<f32> {
    let mut m = vec![0f32; l];
    for row in rows {
        m.iter_mut().zip(row).for_each(|(m, v)| *m = m.max(v.abs()));
    }
    m.into_iter().map(|m| if m > 0.0 { m / 127.0 } else { 1.0 }).collect()
}

fn quantize_weights(w: &mut LinearWeights) {
    let scales = weight_scales(w.w.chunks_exact(w.n_labels).map(|r| r.iter().copied()), w.n_labels);
    let l = w.n_labels;
    for (c, v) in w.w.iter_mut().enumerate() {
        let s = scales[c % l];
        *v = (*v / s).round().clamp(-127.0, 127.0) * s;
    }
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
    /// The search that chose the parameters, for models trained by autotune.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autotune: Option<autotune::AutotuneRecord>,
    /// Corrections learnt since training ([`Classifier::update`]).
    #[serde(default, skip_serializing_if = "update::UpdateCount::is_empty")]
    pub updates: update::UpdateCount,
}

/// How many training notes a language needs to count as covered: 50, or 5% of
/// the rows when that is fewer (at least one).
pub fn min_language_rows(rows: usize) -> usize {
    rows.div_ceil(20).clamp(1, 50)
}

/// The languages covered by training texts (see [`TrainingMeta::languages`]).
pub fn covered_languages<'a>(texts: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut counts: std::collections::BTreeMap<&'static str, usize> = Default::default();
    let mut rows = 0;
    for t in texts {
        rows += 1;
        *counts.entry(crate::text::lang::detect(t)).or_default() += 1;
    }
    let min = min_language_rows(rows);
    counts
        .into_iter()
        .filter(|&(l, n)| n >= min && l != crate::text::lang::UNDETERMINED)
        .map(|(l, _)| l.to_string())
        .collect()
}

/// Per-call prediction options.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PredictOptions {
    /// One probability threshold for every label, instead of the tuned ones.
    pub threshold: Option<f32>,
    /// Keep at most this many labels (highest first).
    pub top_k: Option<usize>,
}

/// A trained classifier.
#[derive(Debug)]
pub struct Classifier {
    labels: Arc<[String]>,
    /// Reads IDF from `table`.
    featurizer: Featurizer,
    table: Arc<BucketTable>,
    calibration: Vec<Platt>,
    thresholds: Vec<f32>,
    params: ClassifierParams,
    meta: TrainingMeta,
    /// Identifies this classifier to per-thread word caches.
    id: u64,
}

static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// Slots of the per-thread word cache.
const WORD_SLOTS: usize = 1 << 16;
/// Slots per set of the word cache: a word may sit in any slot of its set.
const WORD_WAYS: usize = 4;

/// Remembers, per distinct word, its char n-gram block's raw scores for one
/// classifier, so each word's n-grams are hashed and scored once, not per note.
/// Four-way set-associative: a word hashes to a set of four slots and, when it is
/// not there yet, takes an empty one (else one its hash picks), so a batch's
/// vocabulary of tens of thousands of words stays (a direct-mapped cache of the
/// same size lost about a fifth of the corpus test split's words to collisions).
#[derive(Debug, Default)]
pub(crate) struct WordCache {
    owner: u64,
    stride: usize,
    tags: Vec<u64>,
    /// Per slot: `n_labels` partial scores, then the word vector's squared norm.
    vals: Vec<f32>,
    acc: Vec<f32>,
    sq_norm: f32,
    bounds: Vec<usize>,
    /// The word block's unnormalised scores.
    pub(crate) block: Vec<f32>,
    /// The rows of a word's char n-grams found in the table (weight 1 each).
    grams: Vec<(u32, f32)>,
}

impl WordCache {
    /// Begin a note for classifier `owner` with `l` labels.
    fn start(&mut self, owner: u64, l: usize) {
        if self.owner != owner {
            self.owner = owner;
            self.stride = l + 1;
            self.tags.clear();
            self.tags.resize(WORD_SLOTS, 0);
            self.vals.clear();
            self.vals.resize(WORD_SLOTS * self.stride, 0.0);
        }
        self.acc.clear();
        self.acc.resize(l, 0.0);
        self.block.resize(l, 0.0);
        self.sq_norm = 0.0;
    }

    /// Add one word's char block scores.
    #[inline(never)]
    fn add(&mut self, h: u64, word: &str, f: &Featurizer, t: &BucketTable) {
        // The set comes from hash bits that `hash_bytes`' last multiply mixed
        // from every byte of a short word (bits 49..63 of the product).
        let base = ((h >> 14) as usize & (WORD_SLOTS / WORD_WAYS - 1)) * WORD_WAYS;
        let slot = match self.tags[base..base + WORD_WAYS].iter().position(|&x| x == h | 1) {
            Some(way) => base + way,
            None => self.fill(base, h, word, f, t),
        };
        let (l, stride) = (self.acc.len(), self.stride);
        let vals = &self.vals[slot * stride..(slot + 1) * stride];
        self.sq_norm += vals[l];
        table::add_scaled(&mut self.acc, 1.0, &vals[..l], |x| x);
    }

    /// Score a word missing from its set (starting at slot `base`) into a slot of
    /// the set, and return that slot: an empty one, else one its hash picks.
    #[inline(never)]
    fn fill(&mut self, base: usize, h: u64, word: &str, f: &Featurizer, t: &BucketTable) -> usize {
        let tags = &self.tags[base..base + WORD_WAYS];
        let slot = base
            + tags
                .iter()
                .position(|&x| x == 0)
                .unwrap_or((h >> 40) as usize & (WORD_WAYS - 1));
        let (l, stride) = (self.acc.len(), self.stride);
        let vals = &mut self.vals[slot * stride..(slot + 1) * stride];
        // The word's char n-grams weighted by IDF (unseen ones dropped), as
        // `Featurizer::weigh` builds the word's part of the char block.
        let grams = &mut self.grams;
        grams.clear();
        f.char_buckets(word, &mut self.bounds, &mut |b| {
            grams.extend(t.index(b).map(|i| (i, 1.0)))
        });
        vals.fill(0.0);
        let (scores, sq) = vals.split_at_mut(l);
        sq[0] = t.add_rows(grams.iter().copied(), scores);
        self.tags[slot] = h | 1;
        slot
    }

    /// Add the note's char block (see [`Featurizer`]); `scales` are the table's
    /// [`BucketTable::weight_scales`].
    fn finish(&self, char_weight: f32, scales: &[f32], scores: &mut [f32]) {
        if self.sq_norm > 0.0 {
            let s = char_weight / self.sq_norm.sqrt();
            scores
                .iter_mut()
                .zip(&self.acc)
                .zip(scales)
                .for_each(|((o, a), k)| *o += s * a * k);
        }
    }
}

/// The prediction for one note.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    labels: Arc<[String]>,
    scored: Scored,
    lang: &'static str,
}

impl Prediction {
    /// The most probable label. Always present: when the note has no topic
    /// ([`labels`](Self::labels) empty) it is only a best guess, so check `labels`
    /// (or [`no_topic`](Self::no_topic)) to know whether the note has a topic.
    pub fn primary(&self) -> &str {
        &self.labels[self.scored.primary]
    }

    /// Whether the note has no topic: no label reached its threshold, the note has
    /// no words (only links, mentions, emoji, numbers), or it is in a language the
    /// model does not cover.
    pub fn no_topic(&self) -> bool {
        self.scored.set.is_empty()
    }

    /// The note's language: an ISO 639-1 code, or `und` when it has too little
    /// text to tell (see [`crate::text::lang`]).
    pub fn lang(&self) -> &'static str {
        self.lang
    }

    /// Index of the primary label in the classifier's label list.
    pub fn primary_index(&self) -> usize {
        self.scored.primary
    }

    /// Every label at or above its threshold, most probable first (may be empty).
    pub fn labels(&self) -> impl Iterator<Item = &str> + '_ {
        self.scored.set.iter().map(|&i| self.labels[i].as_str())
    }

    /// `(label, probability)` for every label, in the classifier's label order.
    pub fn scores(&self) -> impl Iterator<Item = (&str, f32)> + '_ {
        self.labels
            .iter()
            .map(String::as_str)
            .zip(self.scored.probs.iter().copied())
    }

    /// Probabilities in the classifier's label order.
    pub fn probabilities(&self) -> &[f32] {
        &self.scored.probs
    }

    /// The prediction by label index (for metrics).
    pub fn scored(&self) -> &Scored {
        &self.scored
    }
}

/// One feature's pull on one label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contribution {
    /// The n-gram(s) behind the feature (several when they share a bucket).
    pub feature: String,
    /// Contribution to the label's raw score (value × weight).
    pub weight: f32,
}

/// Why a note got its scores.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// The prediction explained.
    #[serde(skip)]
    pub prediction: Prediction,
    /// Per label (classifier order): the label, its bias, and its top features by
    /// absolute contribution.
    pub per_label: Vec<LabelExplanation>,
}

/// Top features of one label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelExplanation {
    /// Label name.
    pub label: String,
    /// Calibrated probability.
    pub probability: f32,
    /// Raw (uncalibrated) score = bias + sum of contributions.
    pub score: f32,
    /// The label's bias.
    pub bias: f32,
    /// Features with the largest absolute contributions, largest first.
    pub top: Vec<Contribution>,
}

/// The index of the highest probability (the first of equals).
fn primary_of(probs: &[f32]) -> usize {
    probs
        .iter()
        .enumerate()
        .fold(0, |best, (i, &p)| if p > probs[best] { i } else { best })
}

/// The labels at or above their thresholds, most probable first; none when the
/// note may not be tagged (`may_tag` false: no words, or a language the model
/// does not cover). The primary is the most probable label.
fn decide(probs: &[f32], thresholds: &[f32], opts: &PredictOptions, may_tag: bool) -> Scored {
    let mut set: Vec<usize> = if may_tag {
        (0..probs.len())
            .filter(|&i| probs[i] >= opts.threshold.unwrap_or(thresholds[i]))
            .collect()
    } else {
        Vec::new()
    };
    set.sort_by(|&a, &b| probs[b].total_cmp(&probs[a]).then(a.cmp(&b)));
    if let Some(k) = opts.top_k {
        set.truncate(k);
    }
    Scored {
        primary: primary_of(probs),
        set,
        probs: probs.to_vec(),
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

impl Classifier {
    /// Assemble and validate a classifier from its parts (dense tables, as
    /// training makes them).
    pub(crate) fn from_parts(
        labels: Vec<String>,
        featurizer: Featurizer,
        weights: LinearWeights,
        calibration: Vec<Platt>,
        thresholds: Vec<f32>,
        params: ClassifierParams,
        meta: TrainingMeta,
    ) -> Result<Self> {
        let l = labels.len();
        let idf = featurizer.dense_idf().unwrap_or_default();
        if weights.n_labels != l || weights.bias.len() != l || weights.w.len() != idf.len() * l {
            return Err(Error::InvalidModel {
                path: None,
                reason: format!("weights do not fit {l} labels and {} buckets", idf.len()),
            });
        }
        let table = BucketTable::from_dense(idf, &weights);
        Self::from_table(labels, featurizer, table, calibration, thresholds, params, meta)
    }

    /// Assemble and validate a classifier around its bucket table; `featurizer`
    /// is made to read IDF from the table.
    pub(crate) fn from_table(
        labels: Vec<String>,
        featurizer: Featurizer,
        table: BucketTable,
        calibration: Vec<Platt>,
        thresholds: Vec<f32>,
        params: ClassifierParams,
        meta: TrainingMeta,
    ) -> Result<Self> {
        let l = labels.len();
        let bad = |reason: String| Error::InvalidModel { path: None, reason };
        check_label_set(&labels).map_err(|e| bad(e.to_string()))?;
        if table.n_labels() != l || table.n_buckets() != featurizer.config().n_buckets() {
            return Err(bad(format!(
                "weights do not fit {l} labels and {} buckets",
                featurizer.config().n_buckets()
            )));
        }
        if calibration.len() != l || thresholds.len() != l {
            return Err(bad("calibration or thresholds do not match the label count".into()));
        }
        // The tables are checked where they are made (training, or the loader for
        // each stored value).
        let finite = |xs: &[f32]| xs.iter().all(|v| v.is_finite());
        if !finite(table.bias()) || !finite(&thresholds) {
            return Err(bad("non-finite number in biases or thresholds".into()));
        }
        if calibration.iter().any(|p| !p.a.is_finite() || !p.b.is_finite()) {
            return Err(bad("non-finite calibration".into()));
        }
        let table = Arc::new(table);
        Ok(Classifier {
            labels: labels.into(),
            featurizer: featurizer.with_table(table.clone()),
            table,
            calibration,
            thresholds,
            params,
            meta,
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        })
    }

    /// The label names, in the fixed (sorted) order used by every score vector.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Per-label decision thresholds on probabilities.
    pub fn thresholds(&self) -> &[f32] {
        &self.thresholds
    }

    /// Per-label Platt calibration.
    pub fn calibration(&self) -> &[Platt] {
        &self.calibration
    }

    /// The parameters it was trained with.
    pub fn params(&self) -> &ClassifierParams {
        &self.params
    }

    /// What it knows about its training.
    pub fn meta(&self) -> &TrainingMeta {
        &self.meta
    }

    /// Set the free-form training-data description.
    pub fn set_source(&mut self, source: impl Into<String>) {
        self.meta.source = Some(source.into());
    }

    /// The featuriser.
    pub fn featurizer(&self) -> &Featurizer {
        &self.featurizer
    }

    /// IDF, weights and biases of the buckets seen in training
    /// ([`BucketTable::to_dense`] gives the dense weight table).
    pub fn table(&self) -> &BucketTable {
        &self.table
    }

    /// Calibrated probabilities of `text` into `scratch.scores` (no allocation once
    /// the scratch buffers have grown). Each distinct word's char n-gram scores are
    /// computed once and remembered in the scratch (for this classifier).
    pub fn probabilities_into(&self, text: &str, scratch: &mut Scratch) {
        let l = self.labels.len();
        let Scratch {
            text: ts,
            scores,
            words,
            ..
        } = scratch;
        words.start(self.id, l);
        let (f, t) = (&self.featurizer, &*self.table);
        let counts = f.word_counts_into(text, ts, t, &mut |h, word| words.add(h, word, f, t));
        scores.clear();
        scores.extend_from_slice(t.bias());
        f.score_word_block(counts, t, &mut words.block, scores);
        words.finish(f.config().char_weight, t.weight_scales(), scores);
        for (s, p) in scores.iter_mut().zip(&self.calibration) {
            *s = p.prob(*s);
        }
    }

    /// Calibrated probabilities of `text`, in label order.
    pub fn predict_proba(&self, text: &str) -> Vec<f32> {
        SCRATCH.with(|s| {
            let mut s = s.borrow_mut();
            self.probabilities_into(text, &mut s);
            s.scores.clone()
        })
    }

    /// Whether a note with this language profile may get topics: it has words,
    /// and its language is covered (see [`TrainingMeta::languages`]) or cannot
    /// be told.
    pub fn may_tag(&self, profile: &crate::text::lang::Profile<'_>) -> bool {
        let langs = &self.meta.languages;
        profile.words > 0
            && (profile.lang == crate::text::lang::UNDETERMINED
                || langs.is_empty()
                || langs.iter().any(|l| l == profile.lang))
    }

    /// The languages the model covers ([`TrainingMeta::languages`]).
    pub fn languages(&self) -> &[String] {
        &self.meta.languages
    }

    /// Predict one note.
    pub fn predict(&self, text: &str) -> Prediction {
        self.predict_with(text, &PredictOptions::default())
    }

    /// Predict one note with options.
    pub fn predict_with(&self, text: &str, opts: &PredictOptions) -> Prediction {
        SCRATCH.with(|s| {
            let mut s = s.borrow_mut();
            self.probabilities_into(text, &mut s);
            let profile = crate::text::lang::profile(text);
            Prediction {
                labels: self.labels.clone(),
                scored: decide(&s.scores, &self.thresholds, opts, self.may_tag(&profile)),
                lang: profile.lang,
            }
        })
    }

    /// Predict many notes in parallel; results in input order.
    pub fn predict_batch<T: AsRef<str> + Sync>(&self, texts: &[T], opts: &PredictOptions) -> Vec<Prediction> {
        texts
            .par_iter()
            .with_min_len(256)
            .map(|t| self.predict_with(t.as_ref(), opts))
            .collect()
    }

    /// Probabilities of many notes in parallel, row-major `texts.len() × labels`.
    pub fn predict_proba_batch<T: AsRef<str> + Sync>(&self, texts: &[T]) -> Vec<f32> {
        self.map_batch(texts, self.labels.len(), |_, p, row| row.copy_from_slice(p))
    }

    /// The primary label's index (into [`Classifier::labels`]) of each of many
    /// notes, in parallel: [`Prediction::primary_index`] without the rest of the
    /// prediction.
    pub fn primary_batch<T: AsRef<str> + Sync>(&self, texts: &[T]) -> Vec<usize> {
        self.map_batch(texts, 1, |_, p, row| row[0] = primary_of(p))
    }

    /// `per_note` outputs for each note, made by `f` from its probabilities, in
    /// parallel chunks that each reuse one thread's scratch.
    fn map_batch<T, R>(&self, texts: &[T], per_note: usize, f: impl Fn(&str, &[f32], &mut [R]) + Sync) -> Vec<R>
    where
        T: AsRef<str> + Sync,
        R: Clone + Default + Send,
    {
        const CHUNK: usize = 256;
        let mut out = vec![R::default(); texts.len() * per_note];
        out.par_chunks_mut(per_note * CHUNK)
            .zip(texts.par_chunks(CHUNK))
            .for_each(|(o, ts)| {
                SCRATCH.with(|s| {
                    let mut s = s.borrow_mut();
                    for (row, t) in o.chunks_mut(per_note).zip(ts) {
                        self.probabilities_into(t.as_ref(), &mut s);
                        f(t.as_ref(), &s.scores, row);
                    }
                })
            });
        out
    }

    /// The `k` features that pushed each label's score most (either way).
    pub fn explain(&self, text: &str, k: usize) -> Explanation {
        let prediction = self.predict(text);
        let vec: SparseVec = self.featurizer.transform(text);
        let mut names: std::collections::BTreeMap<u32, Vec<String>> = Default::default();
        for (b, name) in self.featurizer.named_terms(text) {
            let e = names.entry(b).or_default();
            if !e.contains(&name) {
                e.push(name);
            }
        }
        let l = self.labels.len();
        let mut raw = vec![0f32; l];
        self.table.scores_into(&vec.indices, &vec.values, &mut raw);
        let per_label = (0..l)
            .map(|j| {
                let mut top: Vec<Contribution> = vec
                    .indices
                    .iter()
                    .zip(&vec.values)
                    .map(|(&b, &v)| Contribution {
                        feature: names.get(&b).map(|n| n.join(" | ")).unwrap_or_default(),
                        weight: v * self.table.row(b).map_or(0.0, |r| r.weight(j)),
                    })
                    .filter(|c| c.weight != 0.0)
                    .collect();
                top.sort_by(|a, b| b.weight.abs().total_cmp(&a.weight.abs()));
                top.truncate(k);
                LabelExplanation {
                    label: self.labels[j].clone(),
                    probability: prediction.scored.probs[j],
                    score: raw[j],
                    bias: self.table.bias()[j],
                    top,
                }
            })
            .collect();
        Explanation { prediction, per_label }
    }

    /// Score the classifier on labelled examples. Labels unknown to the model are
    /// an error naming the row.
    pub fn evaluate(&self, examples: &[Example]) -> Result<Report> {
        let index = |row: usize, l: &str| {
            self.labels.iter().position(|x| x == l).ok_or_else(|| Error::Record {
                source_name: "<evaluation data>".into(),
                line: row + 1,
                message: format!(
                    "field `labels`: label `{l}` is unknown to the model (known: {})",
                    self.labels.join(", ")
                ),
            })
        };
        let gold = examples
            .iter()
            .enumerate()
            .map(|(row, e)| {
                let mut set = e.labels.iter().map(|l| index(row, l)).collect::<Result<Vec<_>>>()?;
                set.sort_unstable();
                set.dedup();
                Ok(Gold {
                    primary: e.primary_label().map(|l| index(row, l)).transpose()?,
                    set,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
        let pred: Vec<Scored> = self
            .predict_batch(&texts, &PredictOptions::default())
            .into_iter()
            .map(|p| p.scored)
            .collect();
        Ok(Report::compute(&self.labels, &gold, &pred))
    }
}

/// k-fold cross-validation of `params` on `examples`: one report per fold
/// (stratified by primary label; deterministic for `params.seed`).
pub fn cross_validate(params: &ClassifierParams, examples: &[Example], k: usize) -> Result<Vec<Report>> {
    params.check()?;
    if k < 2 || k > examples.len() {
        return Err(Error::param(
            "k",
            format!("{k}: need 2 <= k <= rows ({})", examples.len()),
        ));
    }
    let labels = params.label_set(examples)?;
    let folds = crate::eval::example_folds(examples, &labels, k, params.seed);
    let fixed = params.clone().labels(labels);
    (0..k)
        .map(|f| {
            let (train, test) = crate::eval::fold_split(examples, &folds, f);
            fixed.fit(&train)?.evaluate(&test)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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
                let svm_nb = LearnerConfig::Ensemble(linear::EnsembleParams {
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
            .labels(["tech"])
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
        assert!(crate::persist::check_dense_size(1 << 24, 7).is_ok());
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

#[cfg(test)]
mod word_cache_tests {
    use super::tests::toy_examples;
    use super::*;

    /// Probabilities computed from the whole feature vector (the training path).
    fn from_full_vector(clf: &Classifier, text: &str) -> Vec<f32> {
        let v = clf.featurizer().transform(text);
        let mut raw = vec![0f32; clf.labels().len()];
        clf.table().scores_into(&v.indices, &v.values, &mut raw);
        raw.iter().zip(clf.calibration()).map(|(s, p)| p.prob(*s)).collect()
    }

    #[test]
    fn a_full_word_cache_evicts_without_changing_scores() {
        let clf = super::tests::toy_char_model();
        // More distinct words than the cache has slots, so sets fill and evict;
        // every note, early or late, must score as its full vector does.
        let notes: Vec<String> = (0..WORD_SLOTS / 4 + 500)
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
                    Example::new(text, label)
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
