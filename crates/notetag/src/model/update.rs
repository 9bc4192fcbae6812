//! Learning from corrections: online steps on a trained model's weights.
//!
//! [`Classifier::update`] takes notes with their right labels and moves the
//! weights of the features each note shows (the buckets the model knows) until
//! the note's labels come out right by a margin, as a passive-aggressive online
//! learner does (Crammer et al. 2006): a note already right by the margin changes
//! nothing; else each label's weights take the smallest step that puts it on its
//! side. The margin is measured in the logits of the calibrated probabilities:
//! the right primary label beats every other label by [`MARGIN`], each of the
//! note's labels rises [`MARGIN`] above its threshold and each other label sinks
//! [`MARGIN`] below its own. So the calibration and the thresholds keep their
//! meaning: a corrected note ends with probabilities just past its thresholds,
//! not pushed to certainty.
//!
//! The step runs along the note's feature vector with each feature scaled by how
//! little training pinned its weight down, as confidence-weighted learners (AROW,
//! Crammer et al. 2009) scale each weight's step by its own variance: a feature
//! that `d` training notes showed moves in proportion to `1 / (1 + d /`
//! [`PSEUDO_NOTES`]`)` (`d` read back from its IDF). The words particular to a
//! corrected note carry the correction, and the common words and n-grams, on
//! which every other note's score rests, barely move. Along the plain feature
//! vector, 100 corrections of AG News test notes cost the other test notes 2.5
//! points of accuracy; scaled so, 0.2 (see BENCHMARKS.md).
//!
//! Nothing of the text is stored: features the model never saw in training have
//! no weight to move, and a note made only of them teaches nothing (the report
//! counts it). The biases, the calibration and the thresholds stay as trained. A
//! model with 8-bit weights keeps its per-label scales, and the steps are
//! checked against the 8-bit weights it will keep, so that what is saved is what
//! was checked.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{BucketTable, Classifier, Stored};
use crate::data::Example;
use crate::error::{Error, Result};
use crate::eval::Gold;
use crate::text::Featurizer;

/// How many corrections a model has learnt since training (in its metadata).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateCount {
    /// Calls of [`Classifier::update`].
    pub updates: u64,
    /// Examples they brought.
    pub examples: u64,
}

impl UpdateCount {
    /// No update yet.
    pub fn is_empty(&self) -> bool {
        self.updates == 0 && self.examples == 0
    }
}

/// What one [`Classifier::update`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateReport {
    /// Examples given.
    pub examples: usize,
    /// Of those with a primary label, how many the model got wrong before.
    pub wrong_before: usize,
    /// And how many after.
    pub wrong_after: usize,
    /// Examples with no feature the model knows: nothing to learn from them.
    pub unlearnable: usize,
    /// Passes over the examples.
    pub passes: u32,
}

/// The margin of a correction, in logits of the calibrated probabilities (see
/// the module docs). 1 is a probability of 0.73 where the label's threshold
/// is 0.5; a larger margin carries a correction further to similar notes, and
/// moves more of the others.
pub const MARGIN: f32 = 1.0;
/// Training notes a feature may have shown and still move freely: a feature
/// seen in `d` notes moves in proportion to `1 / (1 + d / PSEUDO_NOTES)`.
pub const PSEUDO_NOTES: f32 = 10.0;
/// A note counts as learnt once its labels are on their sides by this share of
/// [`MARGIN`] (steps aim at the whole margin).
const SETTLED: f32 = 0.5;
/// Passes over the examples, at most.
const MAX_PASSES: u32 = 20;
/// The name errors give the update's examples.
const SOURCE: &str = "<update data>";

impl Classifier {
    /// Learn from corrections: `examples` with their right labels (labels the
    /// model knows; an example without labels means "none of them"). The model
    /// changes only if every example is valid; an unknown label is an error
    /// naming its row (`<update data>:ROW`). See the [module docs](self).
    pub fn update(&mut self, examples: &[Example]) -> Result<UpdateReport> {
        let (updated, report) = self.updated(examples)?;
        *self = updated;
        Ok(report)
    }

    /// [`Classifier::update`] on a copy: the corrected model, this one unchanged.
    pub fn updated(&self, examples: &[Example]) -> Result<(Classifier, UpdateReport)> {
        if examples.is_empty() {
            return Err(Error::InvalidData("no rows to learn from".into()));
        }
        let gold = gold_sets(&self.labels, examples)?;
        let table = &*self.table;
        let notes: Vec<Vec<(u32, f32)>> = examples
            .par_iter()
            .map(|e| {
                let v = self.featurizer.transform(&e.text);
                v.indices
                    .iter()
                    .zip(&v.values)
                    .filter_map(|(&b, &x)| table.index(b).map(|i| (i, x)))
                    .collect()
            })
            .collect();
        // Each note's thresholds, as prediction uses them: its language's,
        // raised to the short-note floor for a short note.
        let thresholds: Vec<Vec<f32>> = examples
            .iter()
            .map(|e| {
                let profile = crate::text::lang::profile(&e.text);
                let floor = self.params.floor_for(profile.words);
                self.thresholds_for(profile.lang).iter().map(|t| t.max(floor)).collect()
            })
            .collect();
        let mut w = Weights::of(self);
        let wrong = |w: &Weights| {
            notes
                .iter()
                .zip(&gold)
                .filter(|(x, g)| g.primary.is_some_and(|y| w.primary(self, x) != y))
                .count()
        };
        let wrong_before = wrong(&w);
        let mut passes = 0;
        while passes < MAX_PASSES {
            passes += 1;
            let mut moved = false;
            for ((x, g), t) in notes.iter().zip(&gold).zip(&thresholds) {
                moved |= w.step(self, x, g, t);
            }
            if !moved {
                break;
            }
        }
        let report = UpdateReport {
            examples: examples.len(),
            wrong_before,
            wrong_after: wrong(&w),
            unlearnable: notes.iter().filter(|x| x.is_empty()).count(),
            passes,
        };
        let mut meta = self.meta.clone();
        meta.updates.updates += 1;
        meta.updates.examples += examples.len() as u64;
        let table = w.into_table(table)?;
        let featurizer = Featurizer::unfitted(self.params.text.clone())?;
        let updated = Classifier::from_table(
            self.labels.to_vec(),
            featurizer,
            table,
            self.calibration.clone(),
            self.thresholds.clone(),
            self.params.clone(),
            meta,
        )?;
        // What is saved is what is used, as after training.
        Ok((Classifier::from_bytes(&updated.to_bytes()?)?, report))
    }
}

/// Every example's labels as indices into `labels`; an unknown label is an
/// error naming its row.
fn gold_sets(labels: &[String], examples: &[Example]) -> Result<Vec<Gold>> {
    let index = |row: usize, l: &str| {
        labels.iter().position(|x| x == l).ok_or_else(|| Error::Record {
            source_name: SOURCE.into(),
            line: row + 1,
            message: format!(
                "field `labels`: label `{l}` is unknown to the model (known: {}); a model learns new labels only by training",
                labels.join(", ")
            ),
        })
    };
    examples
        .iter()
        .enumerate()
        .map(|(row, e)| {
            let mut set = e.labels.iter().map(|l| index(row, l)).collect::<Result<Vec<_>>>()?;
            set.sort_unstable();
            set.dedup();
            let primary = e.primary_label().map(|l| index(row, l)).transpose()?;
            Ok(Gold { primary, set })
        })
        .collect()
}

/// The weights being updated: full precision, and what the model will keep
/// (8-bit on the original per-label scales, or the same numbers).
struct Weights {
    l: usize,
    /// Per used bucket, one weight per label, full precision.
    w: Vec<f32>,
    /// Per label, the 8-bit scale, for quantised models.
    scales: Option<Vec<f32>>,
    /// Per used bucket, how freely its weights move: `1 / (1 + d /
    /// PSEUDO_NOTES)` for a bucket that `d` training notes showed.
    freedom: Vec<f32>,
}

impl Weights {
    fn of(clf: &Classifier) -> Self {
        let table = &*clf.table;
        let l = table.n_labels();
        let mut w = Vec::with_capacity(table.used() * l);
        let mut freedom = Vec::with_capacity(table.used());
        // IDF is ln((1 + n) / (1 + d)) + 1 for a bucket seen in d of n notes.
        let n = clf.meta.rows as f32;
        for (_, row) in table.iter() {
            w.extend(row.weights());
            let d = ((1.0 + n) * (1.0 - row.idf()).exp() - 1.0).max(0.0);
            freedom.push(1.0 / (1.0 + d / PSEUDO_NOTES));
        }
        let scales = (clf.params.quantize && table.is_quantized()).then(|| table.weight_scales().to_vec());
        Weights { l, w, scales, freedom }
    }

    /// The 8-bit step of weight `k` (label `k % l`), when quantised.
    #[inline]
    fn q8(&self, k: usize) -> Option<i8> {
        let s = self.scales.as_ref()?[k % self.l];
        Some((self.w[k] / s).round().clamp(-127.0, 127.0) as i8)
    }

    /// Weight `k` as the model will keep it.
    #[inline]
    fn kept(&self, k: usize) -> f32 {
        match (&self.scales, self.q8(k)) {
            (Some(s), Some(q)) => f32::from(q) * s[k % self.l],
            _ => self.w[k],
        }
    }

    /// The logits of the calibrated probabilities of a note with features `x`.
    fn logits(&self, clf: &Classifier, x: &[(u32, f32)]) -> Vec<f32> {
        let mut s = clf.table.bias().to_vec();
        for &(i, v) in x {
            for (j, s) in s.iter_mut().enumerate() {
                *s += v * self.kept(i as usize * self.l + j);
            }
        }
        s.iter().zip(&clf.calibration).map(|(&s, p)| -(p.a * s + p.b)).collect()
    }

    /// The label with the highest probability (the first of equals).
    fn primary(&self, clf: &Classifier, x: &[(u32, f32)]) -> usize {
        let z = self.logits(clf, x);
        (0..z.len()).fold(0, |best, j| if z[j] > z[best] { j } else { best })
    }

    /// One online step on a note with features `x`, gold labels `g` and decision
    /// `thresholds` (its language's), if its labels are not yet on their sides;
    /// returns whether weights moved.
    fn step(&mut self, clf: &Classifier, x: &[(u32, f32)], g: &Gold, thresholds: &[f32]) -> bool {
        // The direction: each feature's value times how freely it moves (see
        // the module docs); `sq` is the score change of a unit step.
        let d: Vec<f32> = x.iter().map(|&(i, v)| v * self.freedom[i as usize]).collect();
        let sq: f32 = x.iter().zip(&d).map(|((_, v), d)| v * d).sum();
        if sq == 0.0 {
            return false;
        }
        let z = self.logits(clf, x);
        let cuts: Vec<f32> = thresholds
            .iter()
            .map(|&t| {
                let t = t.clamp(1e-4, 1.0 - 1e-4);
                (t / (1.0 - t)).ln()
            })
            .collect();
        if targets(&z, &cuts, g, SETTLED * MARGIN)
            .iter()
            .zip(&z)
            .all(|(t, z)| t == z)
        {
            return false;
        }
        let goal = targets(&z, &cuts, g, MARGIN);
        let mut moved = false;
        for (j, (&t, &z)) in goal.iter().zip(&z).enumerate() {
            let a = clf.calibration[j].a;
            if t == z || a == 0.0 {
                continue;
            }
            // The logit is -(a × score + b): moving it by t - z takes a score
            // change of (z - t) / a, made by `tau` unit steps along `d`.
            let tau = (z - t) / (a * sq);
            for (&(i, _), &v) in x.iter().zip(&d) {
                let k = i as usize * self.l + j;
                self.w[k] += tau * v;
                if let Some(s) = &self.scales {
                    // No further than the 8-bit range reaches.
                    self.w[k] = self.w[k].clamp(-127.0 * s[j], 127.0 * s[j]);
                }
            }
            moved = true;
        }
        moved
    }

    /// The table with these weights, kept as the model keeps them.
    fn into_table(self, table: &BucketTable) -> Result<BucketTable> {
        let mut last = 0;
        let deltas: Vec<u32> = table
            .buckets()
            .map(|b| {
                let d = b - last;
                last = b;
                d
            })
            .collect();
        let bias = table.bias().to_vec();
        let bad = |reason: String| Error::InvalidModel { path: None, reason };
        match &self.scales {
            Some(scales) => {
                let idf: Vec<u8> = table.q8_rows().into_iter().flatten().flat_map(|(idf, _)| idf).collect();
                let weights: Vec<u8> = (0..self.w.len()).map(|k| self.q8(k).unwrap_or(0) as u8).collect();
                let stored = Stored::Q8 {
                    idf: &idf,
                    weights: &weights,
                };
                BucketTable::from_columns(table.n_buckets(), &deltas, stored, scales.clone(), bias).map_err(bad)
            }
            None => {
                let idf: Vec<f32> = table.iter().map(|(_, r)| r.idf()).collect();
                let stored = Stored::F32 {
                    idf: &idf,
                    weights: &self.w,
                };
                BucketTable::from_columns(table.n_buckets(), &deltas, stored, vec![1.0; self.l], bias).map_err(bad)
            }
        }
    }
}

/// Where a note's logits `z` should be for gold labels `g`, with thresholds at
/// logits `cuts`: each gold label at least `margin` above its cut, each other
/// label at least `margin` below its own, and the gold primary `margin` above
/// every other label (the gap split evenly between raising it and lowering
/// the labels in its way). Logits already on their side stay.
fn targets(z: &[f32], cuts: &[f32], g: &Gold, margin: f32) -> Vec<f32> {
    let mut t: Vec<f32> = (0..z.len())
        .map(|j| {
            if g.set.contains(&j) || g.primary == Some(j) {
                z[j].max(cuts[j] + margin)
            } else {
                z[j].min(cuts[j] - margin)
            }
        })
        .collect();
    if let Some(y) = g.primary {
        let top = (0..t.len())
            .filter(|&j| j != y)
            .map(|j| t[j])
            .fold(f32::NEG_INFINITY, f32::max);
        if t[y] < top + margin {
            t[y] += (top + margin - t[y]) / 2.0;
            let ceiling = t[y] - margin;
            for (j, t) in t.iter_mut().enumerate() {
                if j != y {
                    *t = t.min(ceiling);
                }
            }
        }
    }
    t
}
