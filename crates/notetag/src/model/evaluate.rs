//! Scoring a classifier on labelled data, and cross-validating parameters.

use super::params::ClassifierParams;
use super::predict::{Classifier, PredictOptions};
use crate::data::Example;
use crate::error::Result;
use crate::eval::{gold_sets, kfold, Report, Scored};

impl Classifier {
    /// Score the classifier on labelled examples. Labels unknown to the model are
    /// an error naming the row.
    pub fn evaluate(&self, examples: &[Example]) -> Result<Report> {
        self.evaluate_with(examples, &PredictOptions::default())
    }

    /// [`Classifier::evaluate`] with prediction options (one threshold for every
    /// label, at most k labels), to see what they would give before using them.
    pub fn evaluate_with(&self, examples: &[Example], opts: &PredictOptions) -> Result<Report> {
        let gold = gold_sets(examples, self.labels(), "<evaluation data>")?;
        let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
        let pred: Vec<Scored> = self
            .predict_batch(&texts, opts)
            .into_iter()
            .map(|p| p.scored().clone())
            .collect();
        Ok(Report::compute(self.labels(), &gold, &pred))
    }
}

/// k-fold cross-validation of `params` on `examples`: one report per fold
/// (stratified by primary label; deterministic for `params.seed`).
pub fn cross_validate(params: &ClassifierParams, examples: &[Example], k: usize) -> Result<Vec<Report>> {
    let valid = params.check()?;
    let labels = valid.label_set(examples)?;
    let fixed = valid.with_classes(labels.clone());
    kfold(examples, &labels, k, params.seed, |train, test| {
        fixed.fit(train)?.evaluate(test)
    })
}
