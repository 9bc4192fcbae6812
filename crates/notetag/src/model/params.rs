//! The parameters of a classifier: a builder ([`ClassifierParams`]) that
//! [`ClassifierParams::check`] turns into [`ValidParams`], the only parameters
//! that train (linfa's `ParamGuard` pattern).

use std::ops::Deref;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::ensemble::EnsembleParams;
use super::learner::{Learner, LearnerConfig};
use super::nb::NbParams;
use super::predict::Classifier;
use super::svm::SvmParams;
use crate::data::Example;
use crate::error::{Error, Result};
use crate::eval::Report;
use crate::text::hf::HfPipeline;
use crate::text::TextConfig;

/// A note of fewer words than this (in its main script, outside links, mentions
/// and custom emoji; for Han, kana and Hangul, characters) is short: its
/// thresholds are raised to [`ClassifierParams::short_note_floor`].
pub const SHORT_NOTE_WORDS: u32 = 4;

/// Everything that defines how a classifier is trained. The command line and
/// the Python package set it by the names of the parameter vocabulary
/// ([`PARAMS`](super::PARAMS), [`ClassifierParams::from_values`]).
///
/// | name | default | range | meaning |
/// | --- | --- | --- | --- |
/// | `text` | [`TextConfig::default`] with char 2–5-grams and 2^20 buckets | see [`TextConfig`] | featuriser |
/// | `learner` | SVM (C = 1, unbalanced) + complement naive Bayes, weight 1 each | see [`LearnerConfig`] | learner |
/// | `calibration_folds` | 3 | 2 ..= 20 | folds for out-of-fold calibration and thresholds |
/// | `seed` | 42 | any | shuffling seed; same seed, same model |
/// | `quantize` | `true` | | store weights as 8-bit, IDF as 16-bit (smaller files) |
/// | `classes` | from data | non-empty, unique | fixed label set (sorted) |
/// | `threshold_floor` | `0.0` | 0 ..= 1 | no label's tuned threshold is set below this probability |
/// | `short_note_floor` | `0.0` | 0 ..= 1 | the lowest threshold for a note of fewer than [`SHORT_NOTE_WORDS`] words |
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
    #[serde(rename = "labels")]
    pub classes: Option<Vec<String>>,
    /// The lowest threshold a label may get: the tuned thresholds (best F1 out of
    /// fold) are raised to it. Above 0 it trades recall for precision where
    /// notes are more often topic-less than in the training data.
    #[serde(default)]
    pub threshold_floor: f32,
    /// The lowest threshold for a note of fewer than [`SHORT_NOTE_WORDS`] words,
    /// at prediction, whatever the thresholds (tuned, set or given): such
    /// notes are mostly replies and reactions, and a few words seldom argue a
    /// topic. 0 treats short notes like the others.
    #[serde(default)]
    pub short_note_floor: f32,
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
            learner: LearnerConfig::Ensemble(EnsembleParams {
                members: vec![
                    (LearnerConfig::Svm(svm), 1.0),
                    (LearnerConfig::ComplementNb(NbParams::default()), 1.0),
                ],
            }),
            calibration_folds: 3,
            seed: 42,
            quantize: true,
            classes: None,
            threshold_floor: 0.0,
            short_note_floor: 0.0,
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
    pub fn classes<S: Into<String>>(mut self, labels: impl IntoIterator<Item = S>) -> Self {
        self.classes = Some(labels.into_iter().map(Into::into).collect());
        self
    }

    /// Set the lowest threshold a label may get (see the table above).
    pub fn threshold_floor(mut self, floor: f32) -> Self {
        self.threshold_floor = floor;
        self
    }

    /// Set the lowest threshold for short notes (see the table above).
    pub fn short_note_floor(mut self, floor: f32) -> Self {
        self.short_note_floor = floor;
        self
    }

    /// The lowest threshold for a note of `words` words
    /// ([`crate::text::lang::Profile::words`]): `short_note_floor` for a short
    /// one, else 0.
    pub fn floor_for(&self, words: u32) -> f32 {
        if words < SHORT_NOTE_WORDS {
            self.short_note_floor
        } else {
            0.0
        }
    }

    /// Check every parameter against its documented range, once: the checked
    /// parameters are the only ones that train (a Hugging Face tokenizer
    /// configuration is parsed here, and the result kept for training).
    pub fn check(&self) -> Result<ValidParams> {
        let tokenizer = self.text.validate()?;
        self.learner.check()?;
        if !(2..=20).contains(&self.calibration_folds) {
            return Err(Error::param(
                "calibration_folds",
                format!("{}: need 2..=20", self.calibration_folds),
            ));
        }
        if let Some(l) = &self.classes {
            check_label_set(l)?;
        }
        probability("threshold_floor", "threshold_floor", self.threshold_floor)?;
        probability("short_note_floor", "short_note_floor", self.short_note_floor)?;
        Ok(ValidParams {
            params: self.clone(),
            tokenizer,
        })
    }

    /// Check, then train on labelled examples ([`ValidParams::fit`]).
    pub fn fit(&self, examples: &[Example]) -> Result<Classifier> {
        self.check()?.fit(examples)
    }

    /// Check, then train, also returning the out-of-fold report.
    pub(crate) fn fit_reporting(&self, examples: &[Example]) -> Result<(Classifier, Report)> {
        self.check()?.fit_reporting(examples)
    }

    /// Check, then train from texts and label lists ([`ValidParams::fit_texts`]).
    pub fn fit_texts<T: AsRef<str>, L: AsRef<str>>(&self, texts: &[T], labels: &[Vec<L>]) -> Result<Classifier> {
        self.check()?.fit_texts(texts, labels)
    }

    /// The sorted label set training on `examples` would use: the fixed `labels`
    /// when set (an example with another label is an error naming its row), else
    /// every label the examples carry.
    pub fn label_set(&self, examples: &[Example]) -> Result<Vec<String>> {
        if examples.is_empty() {
            return Err(Error::InvalidData("no training rows".into()));
        }
        let mut labels: Vec<String> = match &self.classes {
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

/// Parameters that passed [`ClassifierParams::check`]: the only ones that
/// train. They read as the [`ClassifierParams`] they were checked from.
#[derive(Debug, Clone)]
pub struct ValidParams {
    params: ClassifierParams,
    /// The parsed Hugging Face pipeline, when the parameters name one.
    tokenizer: Option<Arc<HfPipeline>>,
}

impl Deref for ValidParams {
    type Target = ClassifierParams;

    fn deref(&self) -> &ClassifierParams {
        &self.params
    }
}

impl ValidParams {
    /// The parameters, unwrapped.
    pub fn into_inner(self) -> ClassifierParams {
        self.params
    }

    /// The parsed Hugging Face pipeline, when the parameters name one.
    pub(crate) fn tokenizer(&self) -> Option<&Arc<HfPipeline>> {
        self.tokenizer.as_ref()
    }

    /// The same parameters with a label set from [`ClassifierParams::label_set`]
    /// (sorted, unique, not blank: valid as it is).
    pub(crate) fn with_classes(&self, labels: Vec<String>) -> ValidParams {
        let mut p = self.clone();
        p.params.classes = Some(labels);
        p
    }

    /// Train on labelled examples.
    pub fn fit(&self, examples: &[Example]) -> Result<Classifier> {
        self.fit_reporting(examples).map(|(clf, _)| clf)
    }

    /// [`ValidParams::fit`], also returning the report of the out-of-fold
    /// predictions that calibration and thresholds were fitted on.
    pub(crate) fn fit_reporting(&self, examples: &[Example]) -> Result<(Classifier, Report)> {
        super::train::fit(self, examples)
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
}

pub(crate) fn check_label_set(labels: &[String]) -> Result<()> {
    if labels.is_empty() {
        return Err(Error::param("classes", "empty: need at least one label"));
    }
    for (i, l) in labels.iter().enumerate() {
        if l.trim().is_empty() {
            return Err(Error::param("classes", format!("label {i} is blank")));
        }
        if labels[..i].contains(l) {
            return Err(Error::param("classes", format!("`{l}` appears twice")));
        }
    }
    Ok(())
}

/// Largest dense table (buckets × (labels + 1) floats) a model may ask for:
/// 512 MiB (e.g. 2^24 buckets with up to 7 labels, 2^20 buckets with up to 127).
/// Training refuses parameters past it, and loading models past it, so every
/// trained model loads.
pub const MAX_DENSE_FLOATS: usize = 1 << 27;

/// Check that `n_buckets` × (`n_labels` + 1) floats stay within [`MAX_DENSE_FLOATS`].
pub(crate) fn check_dense_size(n_buckets: usize, n_labels: usize) -> std::result::Result<(), String> {
    if n_buckets.saturating_mul(n_labels + 1) > MAX_DENSE_FLOATS {
        return Err(format!(
            "{n_buckets} buckets × {n_labels} labels exceeds the size limit ({} MiB of weights); \
             use fewer bucket_bits",
            (MAX_DENSE_FLOATS * 4) >> 20
        ));
    }
    Ok(())
}

/// `value` when it is a probability (0 ..= 1), else an error about parameter
/// `param` naming `what` (a parameter, or a label whose threshold it is).
pub(crate) fn probability(param: &'static str, what: &str, value: f32) -> Result<f32> {
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(Error::param(
            param,
            format!("{what}={value}: need a probability, 0 ..= 1"),
        ))
    }
}
