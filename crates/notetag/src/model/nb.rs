//! Complement naive Bayes (Rennie et al. 2003) as a linear scorer.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::learner::{Learner, LinearWeights, Targets};
use crate::error::{Error, Result};
use crate::sparse::SparseMatrix;

/// Settings of complement naive Bayes.
///
/// | name | default | range |
/// | --- | --- | --- |
/// | `alpha` | 0.3 | > 0, additive smoothing |
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NbParams {
    /// Additive (Laplace/Lidstone) smoothing.
    pub alpha: f32,
}

impl Default for NbParams {
    fn default() -> Self {
        NbParams { alpha: 0.3 }
    }
}

impl Learner for NbParams {
    fn check(&self) -> Result<()> {
        if !(self.alpha > 0.0 && self.alpha.is_finite()) {
            return Err(Error::param(
                "alpha",
                format!("{}: need a finite value > 0", self.alpha),
            ));
        }
        Ok(())
    }

    fn fit_linear(&self, x: &SparseMatrix, y: &Targets, _seed: u64) -> Result<LinearWeights> {
        let d = x.ncols();
        let mut total = vec![0f64; d];
        for i in 0..x.nrows() {
            let (idx, val) = x.row(i);
            for (&j, &v) in idx.iter().zip(val) {
                total[j as usize] += f64::from(v);
            }
        }
        let used = total.iter().filter(|&&t| t > 0.0).count().max(1) as f64;
        let alpha = f64::from(self.alpha);
        let cols = (0..y.n_labels())
            .into_par_iter()
            .map(|l| {
                // Counts of the complement of label l.
                let mut comp = total.clone();
                for i in (0..x.nrows()).filter(|&i| y.pos[l][i]) {
                    let (idx, val) = x.row(i);
                    for (&j, &v) in idx.iter().zip(val) {
                        comp[j as usize] -= f64::from(v);
                    }
                }
                let sum: f64 = comp.iter().map(|c| c.max(0.0)).sum();
                let denom = (alpha * used + sum).ln();
                let w = comp
                    .iter()
                    .zip(&total)
                    .map(|(&c, &t)| {
                        if t > 0.0 {
                            (denom - (alpha + c.max(0.0)).ln()) as f32
                        } else {
                            0.0
                        }
                    })
                    .collect();
                (w, 0.0)
            })
            .collect();
        let mut out = LinearWeights::from_columns(d, cols);
        // Centre each bucket's weights across labels: complement NB ranks labels by
        // how much better each explains a note than the others, so the per-label
        // score is relative (it no longer grows with the note's length alone).
        let l = out.n_labels;
        if l > 1 {
            for row in out.w.chunks_mut(l) {
                let m = row.iter().sum::<f32>() / l as f32;
                row.iter_mut().for_each(|v| *v -= m);
            }
        }
        Ok(out)
    }
}
