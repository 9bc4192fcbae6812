//! The learner contract: a [`Learner`] fits one linear scorer per label
//! ([`LinearWeights`]) on sparse rows with one-vs-rest [`Targets`]. The learners
//! live one per file ([`svm`](super::svm), [`nb`](super::nb),
//! [`ensemble`](super::ensemble)); [`LearnerConfig`] names the one a classifier
//! uses. A new learner implements [`Learner`] and gets a variant here.

use serde::{Deserialize, Serialize};

use super::ensemble::EnsembleParams;
use super::nb::NbParams;
use super::svm::SvmParams;
use crate::error::Result;
use crate::sparse::SparseMatrix;

/// Weights of one linear scorer per label: `score_l(x) = w_l · x + bias_l`.
///
/// `w` is bucket-major: the weights of bucket `b` for all labels sit together at
/// `w[b * n_labels .. (b + 1) * n_labels]`, so one note's features touch one cache
/// line per bucket.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearWeights {
    /// Bucket-major weights, `n_buckets * n_labels`.
    pub w: Vec<f32>,
    /// One bias per label.
    pub bias: Vec<f32>,
    /// Number of labels.
    pub n_labels: usize,
}

impl LinearWeights {
    /// All-zero weights.
    pub fn zeros(n_buckets: usize, n_labels: usize) -> Self {
        LinearWeights {
            w: vec![0.0; n_buckets * n_labels],
            bias: vec![0.0; n_labels],
            n_labels,
        }
    }

    /// Scores of a sparse row, written into `out` (length `n_labels`).
    #[inline]
    pub fn scores_into(&self, idx: &[u32], val: &[f32], out: &mut [f32]) {
        let l = self.n_labels;
        out.copy_from_slice(&self.bias);
        for (&i, &v) in idx.iter().zip(val) {
            let row = &self.w[i as usize * l..i as usize * l + l];
            for (o, w) in out.iter_mut().zip(row) {
                *o += v * w;
            }
        }
    }

    /// Weights over `n_buckets` columns from weights over a column subset:
    /// column `c` of `self` is column `cols[c]` of the result; the rest are zero.
    pub fn expand(&self, cols: &[u32], n_buckets: usize) -> Self {
        let l = self.n_labels;
        let mut out = LinearWeights::zeros(n_buckets, l);
        for (c, &b) in cols.iter().enumerate() {
            out.w[b as usize * l..(b as usize + 1) * l].copy_from_slice(&self.w[c * l..(c + 1) * l]);
        }
        out.bias.copy_from_slice(&self.bias);
        out
    }

    pub(crate) fn from_columns(n_buckets: usize, cols: Vec<(Vec<f32>, f32)>) -> Self {
        let l = cols.len();
        let mut out = LinearWeights::zeros(n_buckets, l);
        for (j, (col, b)) in cols.into_iter().enumerate() {
            for (bucket, v) in col.into_iter().enumerate() {
                out.w[bucket * l + j] = v;
            }
            out.bias[j] = b;
        }
        out
    }
}

/// Per-row targets for one-vs-rest training: `pos[l][i]` is true when row `i`
/// carries label `l`.
#[derive(Debug, Clone)]
pub struct Targets {
    /// One boolean column per label.
    pub pos: Vec<Vec<bool>>,
}

impl Targets {
    /// Build from label-index sets.
    pub fn from_sets(n_labels: usize, sets: &[Vec<usize>]) -> Self {
        let mut pos = vec![vec![false; sets.len()]; n_labels];
        for (i, s) in sets.iter().enumerate() {
            for &l in s {
                pos[l][i] = true;
            }
        }
        Targets { pos }
    }

    /// Keep the given rows, in that order.
    pub fn select(&self, rows: &[usize]) -> Self {
        Targets {
            pos: self.pos.iter().map(|c| rows.iter().map(|&r| c[r]).collect()).collect(),
        }
    }

    /// Number of labels.
    pub fn n_labels(&self) -> usize {
        self.pos.len()
    }
}

/// The learner of a classifier: one of notetag's sparse linear learners.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum LearnerConfig {
    /// One-vs-rest linear SVM, dual coordinate descent.
    Svm(SvmParams),
    /// Complement naive Bayes.
    ComplementNb(NbParams),
    /// A weighted sum of several learners' scores, each first scaled to unit
    /// standard deviation on the training rows. Still one linear model.
    Ensemble(EnsembleParams),
}

impl Default for LearnerConfig {
    fn default() -> Self {
        LearnerConfig::Svm(SvmParams::default())
    }
}

/// A learner: fits one linear scorer per label on sparse rows.
pub trait Learner: Send + Sync {
    /// Check the settings against their documented ranges.
    fn check(&self) -> Result<()>;

    /// Fit on `x` (rows = notes) with one-vs-rest `y`; deterministic for `seed`.
    /// The settings must have passed [`Learner::check`] ([`Learner::fit`] checks
    /// first).
    fn fit_linear(&self, x: &SparseMatrix, y: &Targets, seed: u64) -> Result<LinearWeights>;

    /// [`Learner::fit_linear`], starting from the dual variables `warm` holds
    /// (where the learner has any) and leaving its final ones there, in the
    /// order its parts are fitted. Learners without dual variables fit as
    /// usual (the default).
    fn fit_warm(&self, x: &SparseMatrix, y: &Targets, seed: u64, warm: &mut WarmStart) -> Result<LinearWeights> {
        let _ = warm;
        self.fit_linear(x, y, seed)
    }

    /// Check the settings, then fit.
    fn fit(&self, x: &SparseMatrix, y: &Targets, seed: u64) -> Result<LinearWeights> {
        self.check()?;
        self.fit_linear(x, y, seed)
    }
}

impl Learner for LearnerConfig {
    fn check(&self) -> Result<()> {
        self.as_learner().check()
    }

    fn fit_linear(&self, x: &SparseMatrix, y: &Targets, seed: u64) -> Result<LinearWeights> {
        self.as_learner().fit_linear(x, y, seed)
    }

    fn fit_warm(&self, x: &SparseMatrix, y: &Targets, seed: u64, warm: &mut WarmStart) -> Result<LinearWeights> {
        self.as_learner().fit_warm(x, y, seed, warm)
    }
}

impl LearnerConfig {
    /// The configured learner.
    pub fn as_learner(&self) -> &dyn Learner {
        match self {
            LearnerConfig::Svm(p) => p,
            LearnerConfig::ComplementNb(p) => p,
            LearnerConfig::Ensemble(p) => p,
        }
    }
}

/// Dual variables of the learners inside a fit (per fitted part: per label, per
/// row), to warm-start a refit on a subset of the rows: the ones a fit starts
/// from, and the ones it ends with.
#[derive(Debug, Clone, Default)]
pub struct WarmStart {
    given: Vec<Vec<Vec<f32>>>,
    next: usize,
    kept: Vec<Vec<Vec<f32>>>,
}

impl WarmStart {
    /// The next fitted part's starting dual variables (per label, per row), if
    /// any were given.
    pub fn take(&mut self) -> Option<Vec<Vec<f32>>> {
        let given = self.given.get_mut(self.next).map(std::mem::take);
        self.next += 1;
        given
    }

    /// Keep a fitted part's final dual variables (per label, per row).
    pub fn keep(&mut self, duals: Vec<Vec<f32>>) {
        self.kept.push(duals);
    }

    /// A warm start from the final dual variables kept here, for the given
    /// rows in that order.
    pub fn select(&self, rows: &[usize]) -> Self {
        WarmStart {
            given: self
                .kept
                .iter()
                .map(|labels| labels.iter().map(|a| rows.iter().map(|&r| a[r]).collect()).collect())
                .collect(),
            next: 0,
            kept: Vec::new(),
        }
    }

    /// The final dual variables kept, per fitted part.
    pub fn kept(&self) -> &[Vec<Vec<f32>>] {
        &self.kept
    }
}
