//! Scoring a classifier on labelled data, and cross-validating parameters.

use std::collections::BTreeMap;

use super::params::ClassifierParams;
use super::predict::{Classifier, PredictOptions, Prediction};
use crate::data::Example;
use crate::error::Result;
use crate::eval::{gold_sets, kfold, Gold, Report, Scored};

impl Classifier {
    /// Score the classifier on labelled examples. Labels unknown to the model are
    /// an error naming the row.
    pub fn evaluate(&self, examples: &[Example]) -> Result<Report> {
        self.evaluate_with(examples, &PredictOptions::default())
    }

    /// [`Classifier::evaluate`] with prediction options (one threshold for every
    /// label, at most k labels), to see what they would give before using them.
    pub fn evaluate_with(&self, examples: &[Example], opts: &PredictOptions) -> Result<Report> {
        let (gold, pred) = self.scored(examples, opts)?;
        let scored: Vec<Scored> = pred.iter().map(|p| p.scored().clone()).collect();
        Ok(Report::compute(self.labels(), &gold, &scored))
    }

    /// [`Classifier::evaluate_with`], and a report for each language the notes
    /// are in as prediction tells it ([`Prediction::lang`]: `und` for notes with
    /// too little text), in the order of the language codes.
    pub fn evaluate_by_language(
        &self,
        examples: &[Example],
        opts: &PredictOptions,
    ) -> Result<(Report, Vec<(&'static str, Report)>)> {
        let (gold, pred) = self.scored(examples, opts)?;
        let scored: Vec<Scored> = pred.iter().map(|p| p.scored().clone()).collect();
        let mut rows: BTreeMap<&'static str, Vec<usize>> = BTreeMap::new();
        for (i, p) in pred.iter().enumerate() {
            rows.entry(p.lang()).or_default().push(i);
        }
        let by_language = rows
            .into_iter()
            .map(|(lang, rows)| {
                let gold: Vec<Gold> = rows.iter().map(|&i| gold[i].clone()).collect();
                let scored: Vec<Scored> = rows.iter().map(|&i| scored[i].clone()).collect();
                (lang, Report::compute(self.labels(), &gold, &scored))
            })
            .collect();
        Ok((Report::compute(self.labels(), &gold, &scored), by_language))
    }

    /// The gold label sets of `examples` and the predictions for their texts.
    fn scored(&self, examples: &[Example], opts: &PredictOptions) -> Result<(Vec<Gold>, Vec<Prediction>)> {
        let gold = gold_sets(examples, self.labels(), "<evaluation data>")?;
        let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
        Ok((gold, self.predict_batch(&texts, opts)))
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
