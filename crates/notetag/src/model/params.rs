//! The parameters of a classifier: a builder, checked before fitting.

use serde::{Deserialize, Serialize};

use super::learner::{Learner, LearnerConfig};
use super::predict::Classifier;
use crate::data::Example;
use crate::error::{Error, Result};
use crate::text::TextConfig;

/// Everything that defines how a classifier is trained.
///
/// | name | default | range | meaning |
/// | --- | --- | --- | --- |
/// | `text` | [`TextConfig::default`] | see [`TextConfig`] | featuriser |
/// | `learner` | linear SVM, C = 0.5 | see [`LearnerConfig`] | learner |
/// | `calibration_folds` | 5 | 2 ..= 20 | folds for out-of-fold calibration and thresholds |
/// | `seed` | 42 | any | shuffling seed; same seed, same model |
/// | `quantize` | `true` | | store weights as 8-bit, IDF as 16-bit (smaller files) |
/// | `labels` | from data | non-empty, unique | fixed label set (sorted) |
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
}

impl Default for ClassifierParams {
    fn default() -> Self {
        ClassifierParams {
            text: TextConfig::default(),
            learner: LearnerConfig::default(),
            calibration_folds: 5,
            seed: 42,
            quantize: true,
            labels: None,
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
        Ok(())
    }

    /// Train on labelled examples.
    pub fn fit(&self, examples: &[Example]) -> Result<Classifier> {
        self.check()?;
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

pub(crate) fn check_label_set(labels: &[String]) -> Result<()> {
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
