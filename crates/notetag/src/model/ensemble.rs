//! An ensemble of learners: a weighted sum of their scaled scores, still one
//! linear model.

use serde::{Deserialize, Serialize};

use super::learner::{Learner, LearnerConfig, LinearWeights, Targets, WarmStart};
use crate::error::{Error, Result};
use crate::sparse::SparseMatrix;

/// Settings of an ensemble: members and their weights (each > 0).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnsembleParams {
    /// `(learner, weight)` pairs.
    pub members: Vec<(LearnerConfig, f32)>,
}

impl Learner for EnsembleParams {
    fn check(&self) -> Result<()> {
        if self.members.is_empty() {
            return Err(Error::param("members", "empty: an ensemble needs at least one learner"));
        }
        for (m, w) in &self.members {
            m.check()?;
            if !(*w > 0.0 && w.is_finite()) {
                return Err(Error::param("weight", format!("{w}: need a finite value > 0")));
            }
        }
        Ok(())
    }

    fn fit_linear(&self, x: &SparseMatrix, y: &Targets, seed: u64) -> Result<LinearWeights> {
        self.combine(x, y, seed, &mut |m, seed| m.fit_linear(x, y, seed))
    }

    fn fit_warm(&self, x: &SparseMatrix, y: &Targets, seed: u64, warm: &mut WarmStart) -> Result<LinearWeights> {
        self.combine(x, y, seed, &mut |m, seed| m.fit_warm(x, y, seed, warm))
    }
}

/// Rows an ensemble scores to scale each member's scores.
const SCALE_ROWS: usize = 2048;

impl EnsembleParams {
    /// Fit each member with `fit` and add up their scaled weights.
    fn combine(
        &self,
        x: &SparseMatrix,
        y: &Targets,
        seed: u64,
        fit: &mut dyn FnMut(&LearnerConfig, u64) -> Result<LinearWeights>,
    ) -> Result<LinearWeights> {
        let l = y.n_labels();
        let mut out = LinearWeights::zeros(x.ncols(), l);
        let mut s = vec![0f32; l];
        for (k, (m, weight)) in self.members.iter().enumerate() {
            let w = fit(m, seed.wrapping_add(k as u64 * 1000))?;
            // Standard deviation of each label's training scores, on at most
            // SCALE_ROWS rows evenly spread over the data (plenty for a spread).
            let (mut sum, mut sq) = (vec![0f64; l], vec![0f64; l]);
            let rows = x.nrows().min(SCALE_ROWS);
            for k in 0..rows {
                let (idx, val) = x.row(k * x.nrows() / rows);
                w.scores_into(idx, val, &mut s);
                for ((sum, sq), &v) in sum.iter_mut().zip(sq.iter_mut()).zip(&s) {
                    *sum += f64::from(v);
                    *sq += f64::from(v).powi(2);
                }
            }
            let n = rows.max(1) as f64;
            let factor: Vec<f32> = (0..l)
                .map(|j| {
                    let var = (sq[j] / n - (sum[j] / n).powi(2)).max(0.0);
                    if var > 0.0 {
                        weight / var.sqrt() as f32
                    } else {
                        *weight
                    }
                })
                .collect();
            for (o, v) in out
                .w
                .iter_mut()
                .zip(&w.w)
                .enumerate()
                .map(|(c, (o, v))| (o, v * factor[c % l]))
            {
                *o += v;
            }
            for ((o, b), f) in out.bias.iter_mut().zip(&w.bias).zip(&factor) {
                *o += b * f;
            }
        }
        Ok(out)
    }
}
