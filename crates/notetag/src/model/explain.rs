//! Why a note got its scores: each label's strongest n-grams.

use serde::Serialize;

use super::predict::{Classifier, Prediction};
use crate::sparse::SparseVec;

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

impl Classifier {
    /// The `k` features that pushed each label's score most (either way).
    pub fn explain(&self, text: &str, k: usize) -> Explanation {
        let prediction = self.predict(text);
        let vec: SparseVec = self.featurizer().transform(text);
        let mut names: std::collections::BTreeMap<u32, Vec<String>> = Default::default();
        for (b, name) in self.featurizer().named_terms(text) {
            let e = names.entry(b).or_default();
            if !e.contains(&name) {
                e.push(name);
            }
        }
        let l = self.labels().len();
        let mut raw = vec![0f32; l];
        self.table().scores_into(&vec.indices, &vec.values, &mut raw);
        let per_label = (0..l)
            .map(|j| {
                let mut top: Vec<Contribution> = vec
                    .indices
                    .iter()
                    .zip(&vec.values)
                    .map(|(&b, &v)| Contribution {
                        feature: names.get(&b).map(|n| n.join(" | ")).unwrap_or_default(),
                        weight: v * self.table().row(b).map_or(0.0, |r| r.weight(j)),
                    })
                    .filter(|c| c.weight != 0.0)
                    .collect();
                top.sort_by(|a, b| b.weight.abs().total_cmp(&a.weight.abs()));
                top.truncate(k);
                LabelExplanation {
                    label: self.labels()[j].clone(),
                    probability: prediction.probabilities()[j],
                    score: raw[j],
                    bias: self.table().bias()[j],
                    top,
                }
            })
            .collect();
        Explanation { prediction, per_label }
    }
}
