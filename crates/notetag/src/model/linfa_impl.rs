//! notetag's learners and classifier as linfa algorithms (`Fit` / `PredictInplace`).

use linfa::dataset::{DatasetBase, Records};
use linfa::traits::{Fit, PredictInplace};
use ndarray::Array2;

use super::{Classifier, ClassifierParams, Learner, LearnerConfig, LinearWeights, PredictOptions, Targets};
use crate::data::Example;
use crate::error::Error;
use crate::sparse::SparseMatrix;

/// Notes as linfa records (one text per sample).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Notes(pub Vec<String>);

impl Records for Notes {
    type Elem = String;

    fn nsamples(&self) -> usize {
        self.0.len()
    }

    fn nfeatures(&self) -> usize {
        1
    }
}

/// A learner fitted on a sparse feature matrix with one-vs-rest targets (seed 0).
impl Fit<SparseMatrix, Targets, Error> for LearnerConfig {
    type Object = LinearWeights;

    fn fit(&self, dataset: &DatasetBase<SparseMatrix, Targets>) -> Result<LinearWeights, Error> {
        if dataset.targets.pos.iter().any(|c| c.len() != dataset.records.nrows()) {
            return Err(Error::InvalidData("targets and records differ in length".into()));
        }
        Learner::fit(self, &dataset.records, &dataset.targets, 0)
    }
}

/// Raw scores, `rows × labels`.
impl PredictInplace<SparseMatrix, Array2<f32>> for LinearWeights {
    fn predict_inplace(&self, x: &SparseMatrix, y: &mut Array2<f32>) {
        for (i, mut row) in y.rows_mut().into_iter().enumerate().take(x.nrows()) {
            let (idx, val) = x.row(i);
            let mut s = vec![0f32; self.n_labels];
            self.scores_into(idx, val, &mut s);
            row.iter_mut().zip(s).for_each(|(o, v)| *o = v);
        }
    }

    fn default_target(&self, x: &SparseMatrix) -> Array2<f32> {
        Array2::zeros((x.nrows(), self.n_labels))
    }
}

/// The whole classifier, fitted on notes and their label lists.
impl Fit<Notes, Vec<Vec<String>>, Error> for ClassifierParams {
    type Object = Classifier;

    fn fit(&self, dataset: &DatasetBase<Notes, Vec<Vec<String>>>) -> Result<Classifier, Error> {
        let ex: Vec<Example> = dataset
            .records
            .0
            .iter()
            .zip(&dataset.targets)
            .map(|(t, l)| Example::multi(t.clone(), l.iter().cloned()))
            .collect();
        ClassifierParams::fit(self, &ex)
    }
}

/// Primary labels of notes.
impl PredictInplace<Notes, Vec<String>> for Classifier {
    fn predict_inplace(&self, x: &Notes, y: &mut Vec<String>) {
        y.clear();
        y.extend(
            self.predict_batch(&x.0, &PredictOptions::default())
                .iter()
                .map(|p| p.primary().to_string()),
        );
    }

    fn default_target(&self, x: &Notes) -> Vec<String> {
        Vec::with_capacity(x.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linfa::traits::Predict;

    #[test]
    fn classifier_is_a_linfa_algorithm() {
        let ex = crate::model::tests::classifier::toy_examples();
        let notes = Notes(ex.iter().map(|e| e.text.clone()).collect());
        let targets: Vec<Vec<String>> = ex.iter().map(|e| e.labels.clone()).collect();
        let ds = DatasetBase::new(notes.clone(), targets);
        let clf = Fit::fit(&ClassifierParams::default(), &ds).unwrap();
        let pred: Vec<String> = Predict::predict(&clf, &ds);
        assert_eq!(pred.len(), notes.0.len());
        assert_eq!(pred[0], "trade_finance");
    }

    #[test]
    fn learner_is_a_linfa_algorithm() {
        use crate::sparse::SparseVec;
        let rows: Vec<SparseVec> = (0..20)
            .map(|i| SparseVec {
                indices: vec![i % 2],
                values: vec![1.0],
            })
            .collect();
        let x = SparseMatrix::from_rows(2, &rows);
        let y = Targets::from_sets(2, &(0..20).map(|i| vec![i % 2]).collect::<Vec<_>>());
        let ds = DatasetBase::new(x, y);
        let w = Fit::fit(&LearnerConfig::default(), &ds).unwrap();
        let s: Array2<f32> = w.predict(&ds);
        assert!(s[[0, 0]] > 0.0 && s[[0, 1]] < 0.0);
    }
}
