//! A trained [`Classifier`] and its predictions: one note, a batch, or a loop
//! that allocates nothing per note.

use std::cell::RefCell;
use std::sync::Arc;

use rayon::prelude::*;

use super::calibrate::Platt;
use super::params::{check_label_set, probability, ClassifierParams};
use super::table::BucketTable;
use super::train::TrainingMeta;
use crate::error::{Error, Result};
use crate::eval::{argmax, Scored};
use crate::text::{Featurizer, Scratch};

/// Per-call prediction options.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PredictOptions {
    /// One probability threshold for every label, instead of the tuned ones
    /// (0 ..= 1; see [`PredictOptions::check`]).
    pub threshold: Option<f32>,
    /// Keep at most this many labels (highest first).
    pub top_k: Option<usize>,
}

impl PredictOptions {
    /// Check the options once, before predicting with them: a threshold must be
    /// a probability, 0 ..= 1 (prediction itself does not check).
    pub fn check(&self) -> Result<()> {
        if let Some(t) = self.threshold {
            probability("threshold", "threshold", t)?;
        }
        Ok(())
    }
}

/// A trained classifier. Cloning it is cheap: the clones share the label names and
/// the weights, which never change after training, and each keeps its own
/// thresholds ([`Classifier::set_thresholds`]).
#[derive(Debug, Clone)]
pub struct Classifier {
    pub(super) labels: Arc<[String]>,
    /// Reads IDF from `table`.
    pub(super) featurizer: Featurizer,
    pub(super) table: Arc<BucketTable>,
    pub(super) calibration: Vec<Platt>,
    pub(super) thresholds: Vec<f32>,
    pub(super) params: ClassifierParams,
    pub(super) meta: TrainingMeta,
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

/// The labels at or above their thresholds (the one in `opts`, else
/// `thresholds`), each raised to `floor`, most probable first; none when the
/// note may not be tagged (`may_tag` false: no words, or a language the model
/// does not cover). The primary is the most probable label.
pub(crate) fn decide(probs: &[f32], thresholds: &[f32], floor: f32, opts: &PredictOptions, may_tag: bool) -> Scored {
    let primary = argmax(probs);
    let mut set: Vec<usize> = if may_tag {
        (0..probs.len())
            .filter(|&i| probs[i] >= opts.threshold.unwrap_or(thresholds[i]).max(floor))
            .collect()
    } else {
        Vec::new()
    };
    set.sort_by(|&a, &b| probs[b].total_cmp(&probs[a]).then(a.cmp(&b)));
    if let Some(k) = opts.top_k {
        set.truncate(k);
    }
    Scored {
        primary,
        set,
        probs: probs.to_vec(),
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

impl Classifier {
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
        for t in &meta.language_thresholds {
            if t.thresholds.len() != l || !t.thresholds.iter().all(|v| (0.0..=1.0).contains(v)) {
                return Err(bad(format!(
                    "the thresholds for language {:?} must be {l} numbers from 0 to 1",
                    t.lang
                )));
            }
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

    /// The per-label decision thresholds for a note in language `lang`: the
    /// language's own ([`TrainingMeta::language_thresholds`]) where the model has
    /// them, else [`Classifier::thresholds`].
    pub fn thresholds_for(&self, lang: &str) -> &[f32] {
        super::LanguageThresholds::pick(&self.meta.language_thresholds, lang, &self.thresholds)
    }

    /// Set the decision thresholds of some labels, by name, for notes in every
    /// language (the languages' own thresholds included). Tuned thresholds suit a
    /// stream with the training data's mix of topics; a stream with another mix is
    /// served better by thresholds chosen on a labelled sample of it (score them
    /// with [`Classifier::evaluate_with`] first). Saved with the model, which
    /// records the labels so set ([`TrainingMeta::thresholds_set`]).
    ///
    /// Errors (changing nothing) when a name is not one of [`Classifier::labels`]
    /// or a threshold is not a probability.
    pub fn set_thresholds<S: AsRef<str>>(&mut self, thresholds: &[(S, f32)]) -> Result<()> {
        let mut set = Vec::with_capacity(thresholds.len());
        for (label, t) in thresholds {
            let label = label.as_ref();
            let Some(i) = self.labels.iter().position(|l| l == label) else {
                return Err(Error::param(
                    "threshold",
                    format!("`{label}` is not a label of the model ({})", self.labels.join(", ")),
                ));
            };
            set.push((i, probability("threshold", label, *t)?));
        }
        for (i, t) in set {
            self.thresholds[i] = t;
            for own in &mut self.meta.language_thresholds {
                own.thresholds[i] = t;
            }
            let label = &self.labels[i];
            if let Err(at) = self.meta.thresholds_set.binary_search(label) {
                self.meta.thresholds_set.insert(at, label.clone());
            }
        }
        Ok(())
    }

    /// Set the short-note floor: the lowest threshold for a note of fewer than
    /// [`super::SHORT_NOTE_WORDS`] words, whatever the other thresholds
    /// ([`ClassifierParams::short_note_floor`]; 0 holds short notes to the other
    /// thresholds only). A stream whose short notes carry topics more often than
    /// the training data's replies and reactions is served better by a lower one;
    /// choose it on a labelled sample of the stream. Saved with the model.
    ///
    /// Errors (changing nothing) when `floor` is not a probability.
    pub fn set_short_note_floor(&mut self, floor: f32) -> Result<()> {
        self.params.short_note_floor = probability("short_note_floor", "short_note_floor", floor)?;
        Ok(())
    }

    /// Per-label Platt calibration.
    pub fn calibration(&self) -> &[Platt] {
        &self.calibration
    }

    /// The parameters it was trained with (the short-note floor as it is now:
    /// see [`Classifier::set_short_note_floor`]).
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
        self.featurizer.scores_into(text, &*self.table, scratch);
        for (s, p) in scratch.scores.iter_mut().zip(&self.calibration) {
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
                scored: decide(
                    &s.scores,
                    self.thresholds_for(profile.lang),
                    self.params.floor_for(profile.words),
                    opts,
                    self.may_tag(&profile),
                ),
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
        self.map_batch(texts, self.labels.len(), |p, row| row.copy_from_slice(p))
    }

    /// The primary label's index (into [`Classifier::labels`]) of each of many
    /// notes, in parallel: [`Prediction::primary_index`] without the rest of the
    /// prediction.
    pub fn primary_batch<T: AsRef<str> + Sync>(&self, texts: &[T]) -> Vec<usize> {
        self.map_batch(texts, 1, |p, row| row[0] = argmax(p))
    }

    /// `per_note` outputs for each note, made by `f` from its probabilities, in
    /// parallel chunks that each reuse one thread's scratch.
    fn map_batch<T, R>(&self, texts: &[T], per_note: usize, f: impl Fn(&[f32], &mut [R]) + Sync) -> Vec<R>
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
                        f(&s.scores, row);
                    }
                })
            });
        out
    }
}
