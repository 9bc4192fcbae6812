//! Linear learners over sparse features: a one-vs-rest linear SVM trained by dual
//! coordinate descent (Hsieh et al. 2008, as in liblinear), and complement naive
//! Bayes (Rennie et al. 2003). Both yield a [`LinearWeights`].

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
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

    fn from_columns(n_buckets: usize, cols: Vec<(Vec<f32>, f32)>) -> Self {
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

/// Loss of the linear SVM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SvmLoss {
    /// max(0, 1 - y s)
    Hinge,
    /// max(0, 1 - y s)^2 (smooth; liblinear's default)
    SquaredHinge,
}

/// Settings of the one-vs-rest linear SVM.
///
/// | name | default | range |
/// | --- | --- | --- |
/// | `c` | 0.5 | > 0 |
/// | `loss` | `squared_hinge` | `hinge`, `squared_hinge` |
/// | `balanced` | `true` | positives and negatives weighted by inverse frequency |
/// | `max_iter` | 5 | ≥ 1 passes over the data (out-of-fold macro-F1 on agnews, tfn and the corpus is the same as with 100) |
/// | `tol` | 0.05 | > 0, stop when the projected-gradient spread falls below |
/// | `nb_ratio` | `false` | scale features by their naive-Bayes log-count ratio per label (NB-SVM, Wang & Manning 2012) |
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SvmParams {
    /// Inverse regularisation strength.
    pub c: f32,
    /// Loss function.
    pub loss: SvmLoss,
    /// Class weights inversely proportional to class frequency.
    pub balanced: bool,
    /// Maximum passes over the data.
    pub max_iter: u32,
    /// Stopping tolerance.
    pub tol: f32,
    /// Scale each feature by its naive-Bayes log-count ratio for the label before
    /// fitting (NB-SVM); the stored weights are in the original feature space.
    #[serde(default)]
    pub nb_ratio: bool,
}

impl Default for SvmParams {
    fn default() -> Self {
        SvmParams {
            c: 0.5,
            loss: SvmLoss::SquaredHinge,
            balanced: true,
            max_iter: 5,
            tol: 0.05,
            nb_ratio: false,
        }
    }
}

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
        self.check()?;
        self.combine(x, y, seed, &mut |m, seed| m.fit_linear(x, y, seed))
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

impl Default for LearnerConfig {
    fn default() -> Self {
        LearnerConfig::Svm(SvmParams::default())
    }
}

/// A learner: fits one linear scorer per label on sparse rows.
pub trait Learner: Send + Sync {
    /// Check the settings.
    fn check(&self) -> Result<()>;
    /// Fit on `x` (rows = notes) with one-vs-rest `y`; deterministic for `seed`.
    fn fit_linear(&self, x: &SparseMatrix, y: &Targets, seed: u64) -> Result<LinearWeights>;
}

impl Learner for LearnerConfig {
    fn check(&self) -> Result<()> {
        match self {
            LearnerConfig::Svm(p) => p.check(),
            LearnerConfig::ComplementNb(p) => p.check(),
            LearnerConfig::Ensemble(p) => p.check(),
        }
    }

    fn fit_linear(&self, x: &SparseMatrix, y: &Targets, seed: u64) -> Result<LinearWeights> {
        match self {
            LearnerConfig::Svm(p) => p.fit_linear(x, y, seed),
            LearnerConfig::ComplementNb(p) => p.fit_linear(x, y, seed),
            LearnerConfig::Ensemble(p) => p.fit_linear(x, y, seed),
        }
    }
}

/// Dual variables of every SVM inside a fitted learner (in the order they were
/// fitted; per label, per row), to warm-start a refit on a subset of the rows.
#[derive(Debug, Clone, Default)]
pub(crate) struct WarmStart(Vec<Vec<Vec<f32>>>);

impl WarmStart {
    /// The dual variables of the given rows, in that order.
    pub(crate) fn select(&self, rows: &[usize]) -> Self {
        WarmStart(
            self.0
                .iter()
                .map(|labels| labels.iter().map(|a| rows.iter().map(|&r| a[r]).collect()).collect())
                .collect(),
        )
    }
}

impl LearnerConfig {
    /// [`Learner::fit_linear`], with SVMs warm-started from `warm` (when given)
    /// and their final dual variables returned.
    pub(crate) fn fit_warm(
        &self,
        x: &SparseMatrix,
        y: &Targets,
        seed: u64,
        warm: Option<&WarmStart>,
    ) -> Result<(LinearWeights, WarmStart)> {
        self.check()?;
        let mut next = 0;
        let mut kept = WarmStart::default();
        let w = self.fit_warm_inner(x, y, seed, warm, &mut next, &mut kept)?;
        Ok((w, kept))
    }

    fn fit_warm_inner(
        &self,
        x: &SparseMatrix,
        y: &Targets,
        seed: u64,
        warm: Option<&WarmStart>,
        next: &mut usize,
        kept: &mut WarmStart,
    ) -> Result<LinearWeights> {
        match self {
            LearnerConfig::Svm(p) => {
                let a0 = warm.and_then(|w| w.0.get(*next)).map(Vec::as_slice);
                *next += 1;
                let (w, a) = p.fit_warm(x, y, seed, a0);
                kept.0.push(a);
                Ok(w)
            }
            LearnerConfig::ComplementNb(p) => p.fit_linear(x, y, seed),
            LearnerConfig::Ensemble(p) => {
                p.combine(x, y, seed, &mut |m, s| m.fit_warm_inner(x, y, s, warm, next, kept))
            }
        }
    }
}

/// SplitMix64: a tiny deterministic generator for shuffling.
#[derive(Debug, Clone)]
pub(crate) struct SplitMix(pub u64);

impl SplitMix {
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        crate::text::hash::fmix(self.0)
    }

    pub(crate) fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next_u64() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

impl Learner for SvmParams {
    fn check(&self) -> Result<()> {
        if !(self.c > 0.0 && self.c.is_finite()) {
            return Err(Error::param("c", format!("{}: need a finite value > 0", self.c)));
        }
        if self.max_iter == 0 {
            return Err(Error::param("max_iter", "0: need >= 1"));
        }
        if !(self.tol > 0.0 && self.tol.is_finite()) {
            return Err(Error::param("tol", format!("{}: need a finite value > 0", self.tol)));
        }
        Ok(())
    }

    fn fit_linear(&self, x: &SparseMatrix, y: &Targets, seed: u64) -> Result<LinearWeights> {
        self.check()?;
        Ok(self.fit_warm(x, y, seed, None).0)
    }
}

impl SvmParams {
    /// Fit every label (in parallel), optionally warm-started from per-label dual
    /// variables of these rows; also returns the final dual variables.
    fn fit_warm(
        &self,
        x: &SparseMatrix,
        y: &Targets,
        seed: u64,
        warm: Option<&[Vec<f32>]>,
    ) -> (LinearWeights, Vec<Vec<f32>>) {
        type Column = (Vec<f32>, f32);
        let (cols, alphas): (Vec<Column>, Vec<Vec<f32>>) = (0..y.n_labels())
            .into_par_iter()
            .map(|l| {
                let a0 = warm.and_then(|w| w.get(l)).map(Vec::as_slice);
                let (w, b, a) = self.fit_binary(x, &y.pos[l], seed.wrapping_add(l as u64), a0);
                ((w, b), a)
            })
            .unzip();
        (LinearWeights::from_columns(x.ncols(), cols), alphas)
    }

    /// Dual coordinate descent for one binary problem; returns (weights, bias).
    /// With `warm`, the dual variables start there (clamped to their bounds) and
    /// the weights start at the primal point they imply. Returns (weights, bias,
    /// final dual variables).
    fn fit_binary(&self, x: &SparseMatrix, pos: &[bool], seed: u64, warm: Option<&[f32]>) -> (Vec<f32>, f32, Vec<f32>) {
        let n = x.nrows();
        let r = if self.nb_ratio {
            nb_log_ratio(x, pos, 1.0)
        } else {
            Vec::new()
        };
        let scale = |j: u32| if r.is_empty() { 1.0 } else { r[j as usize] };
        let mut w = vec![0f32; x.ncols()];
        let mut b = 0f32;
        let npos = pos.iter().filter(|&&p| p).count();
        if npos == 0 || npos == n {
            // One class only: a constant scorer.
            return (w, if npos == 0 { -1.0 } else { 1.0 }, vec![0.0; n]);
        }
        let (cp, cn) = if self.balanced {
            (n as f32 / (2.0 * npos as f32), n as f32 / (2.0 * (n - npos) as f32))
        } else {
            (1.0, 1.0)
        };
        let cost = |i: usize| self.c * if pos[i] { cp } else { cn };
        // Squared hinge: no upper bound, a diagonal term 1/(2C); hinge: bound C.
        let (diag, upper): (Vec<f32>, Vec<f32>) = (0..n)
            .map(|i| match self.loss {
                SvmLoss::SquaredHinge => (0.5 / cost(i), f32::INFINITY),
                SvmLoss::Hinge => (0.0, cost(i)),
            })
            .unzip();
        let qd: Vec<f32> = (0..n)
            .map(|i| {
                let (idx, val) = x.row(i);
                idx.iter().zip(val).map(|(&j, v)| (v * scale(j)).powi(2)).sum::<f32>() + 1.0 + diag[i]
            })
            .collect();
        let mut alpha = vec![0f32; n];
        if let Some(a0) = warm.filter(|a| a.len() == n) {
            for i in 0..n {
                alpha[i] = a0[i].clamp(0.0, upper[i]);
                if alpha[i] > 0.0 {
                    let d = if pos[i] { alpha[i] } else { -alpha[i] };
                    let (idx, val) = x.row(i);
                    for (&j, &v) in idx.iter().zip(val) {
                        w[j as usize] += d * v * scale(j);
                    }
                    b += d;
                }
            }
        }
        let mut order: Vec<usize> = (0..n).collect();
        let mut rng = SplitMix(seed);
        // Shrinking (Hsieh et al. 2008, section 3.2): a row whose projected gradient
        // sits beyond the previous pass's extremes at a bound is set aside until the
        // active rows converge; then every row is checked again.
        let mut active = n;
        let (mut pg_max_old, mut pg_min_old) = (f32::INFINITY, f32::NEG_INFINITY);
        for _ in 0..self.max_iter {
            rng.shuffle(&mut order[..active]);
            let (mut maxpg, mut minpg) = (f32::NEG_INFINITY, f32::INFINITY);
            let mut s = 0;
            while s < active {
                let i = order[s];
                let (idx, val) = x.row(i);
                let yi = if pos[i] { 1.0 } else { -1.0 };
                let dot = if r.is_empty() {
                    sparse_dot(idx, val, &w)
                } else {
                    sparse_dot_scaled(idx, val, &r, &w)
                };
                let g = yi * (dot + b) - 1.0 + diag[i] * alpha[i];
                let pg = if alpha[i] == 0.0 {
                    if g > pg_max_old {
                        active -= 1;
                        order.swap(s, active);
                        continue;
                    }
                    g.min(0.0)
                } else if alpha[i] >= upper[i] {
                    if g < pg_min_old {
                        active -= 1;
                        order.swap(s, active);
                        continue;
                    }
                    g.max(0.0)
                } else {
                    g
                };
                maxpg = maxpg.max(pg);
                minpg = minpg.min(pg);
                if pg.abs() > 1e-12 {
                    let old = alpha[i];
                    alpha[i] = (old - g / qd[i]).clamp(0.0, upper[i]);
                    let d = (alpha[i] - old) * yi;
                    if r.is_empty() {
                        for (&j, &v) in idx.iter().zip(val) {
                            w[j as usize] += d * v;
                        }
                    } else {
                        for (&j, &v) in idx.iter().zip(val) {
                            w[j as usize] += d * v * r[j as usize];
                        }
                    }
                    b += d;
                }
                s += 1;
            }
            if maxpg - minpg <= self.tol {
                if active == n {
                    break;
                }
                // Converged on the active rows: check them all once more.
                active = n;
                (pg_max_old, pg_min_old) = (f32::INFINITY, f32::NEG_INFINITY);
                continue;
            }
            pg_max_old = if maxpg <= 0.0 { f32::INFINITY } else { maxpg };
            pg_min_old = if minpg >= 0.0 { f32::NEG_INFINITY } else { minpg };
        }
        if !r.is_empty() {
            // Back to the original feature space: w·(x ⊙ r) = (w ⊙ r)·x.
            w.iter_mut().zip(&r).for_each(|(w, r)| *w *= r);
        }
        (w, b, alpha)
    }
}

/// `w · x` for a sparse row, with four independent partial sums (a single running
/// sum would wait on each addition's latency).
#[inline]
fn sparse_dot(idx: &[u32], val: &[f32], w: &[f32]) -> f32 {
    sparse_sum(idx, val, |v, j| v * w[j])
}

/// `(w ⊙ r) · x` for a sparse row (NB-scaled features), four partial sums.
#[inline]
fn sparse_dot_scaled(idx: &[u32], val: &[f32], r: &[f32], w: &[f32]) -> f32 {
    sparse_sum(idx, val, |v, j| v * r[j] * w[j])
}

/// `Σ term(value, column)` over a sparse row, in four independent partial sums.
#[inline(always)]
fn sparse_sum(idx: &[u32], val: &[f32], term: impl Fn(f32, usize) -> f32) -> f32 {
    let mut acc = [0f32; 4];
    let (ic, ir) = (idx.chunks_exact(4), idx.chunks_exact(4).remainder());
    let vc = val.chunks_exact(4);
    let vr = vc.remainder();
    for (i, v) in ic.zip(vc) {
        for k in 0..4 {
            acc[k] += term(v[k], i[k] as usize);
        }
    }
    let mut tail = 0f32;
    for (&i, &v) in ir.iter().zip(vr) {
        tail += term(v, i as usize);
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// Naive-Bayes log-count ratio of every feature for one label:
/// `ln((alpha + Σ_pos x) / |·|₁) - ln((alpha + Σ_neg x) / |·|₁)` over used features.
fn nb_log_ratio(x: &SparseMatrix, pos: &[bool], alpha: f64) -> Vec<f32> {
    let d = x.ncols();
    let (mut p, mut q) = (vec![0f64; d], vec![0f64; d]);
    let mut used = vec![false; d];
    for (i, &is_pos) in pos.iter().enumerate() {
        let (idx, val) = x.row(i);
        let acc = if is_pos { &mut p } else { &mut q };
        for (&j, &v) in idx.iter().zip(val) {
            acc[j as usize] += f64::from(v);
            used[j as usize] = true;
        }
    }
    let n_used = used.iter().filter(|&&u| u).count() as f64;
    let (sp, sq) = (
        p.iter().sum::<f64>() + alpha * n_used,
        q.iter().sum::<f64>() + alpha * n_used,
    );
    (0..d)
        .map(|j| {
            if used[j] {
                (((alpha + p[j]) / sp).ln() - ((alpha + q[j]) / sq).ln()) as f32
            } else {
                0.0
            }
        })
        .collect()
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
        self.check()?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sparse::SparseVec;

    fn toy() -> (SparseMatrix, Targets) {
        // Feature 0 marks label 0, feature 1 marks label 1, feature 2 is noise.
        let rows: Vec<SparseVec> = (0..40)
            .map(|i| SparseVec {
                indices: vec![(i % 2) as u32, 2],
                values: vec![0.9, 0.3],
            })
            .collect();
        let sets: Vec<Vec<usize>> = (0..40).map(|i| vec![i % 2]).collect();
        (SparseMatrix::from_rows(3, &rows), Targets::from_sets(2, &sets))
    }

    #[test]
    fn svm_separates_and_is_deterministic() {
        let (x, y) = toy();
        for loss in [SvmLoss::Hinge, SvmLoss::SquaredHinge] {
            let p = SvmParams {
                loss,
                ..SvmParams::default()
            };
            let m = p.fit_linear(&x, &y, 7).unwrap();
            assert_eq!(m, p.fit_linear(&x, &y, 7).unwrap());
            let mut s = [0f32; 2];
            let (i, v) = x.row(0);
            m.scores_into(i, v, &mut s);
            assert!(s[0] > 0.0 && s[1] < 0.0, "{s:?}");
        }
    }

    #[test]
    fn unrolled_dots_match_a_plain_sum() {
        // 7 entries: one block of four and a remainder of three.
        let idx = [5u32, 0, 3, 9, 1, 7, 2];
        let val = [0.5f32, -1.0, 2.0, 0.25, 3.0, -0.5, 1.5];
        let w: Vec<f32> = (0..10).map(|j| j as f32 * 0.1 - 0.3).collect();
        let r: Vec<f32> = (0..10).map(|j| 1.0 + j as f32 * 0.05).collect();
        let plain: f32 = idx.iter().zip(&val).map(|(&j, v)| v * w[j as usize]).sum();
        let scaled: f32 = idx
            .iter()
            .zip(&val)
            .map(|(&j, v)| v * r[j as usize] * w[j as usize])
            .sum();
        assert!((sparse_dot(&idx, &val, &w) - plain).abs() < 1e-5);
        assert!((sparse_dot_scaled(&idx, &val, &r, &w) - scaled).abs() < 1e-5);
        assert_eq!(sparse_dot(&[], &[], &w), 0.0);
    }

    #[test]
    fn warm_start_reaches_the_same_separator_and_returns_duals() {
        let (x, y) = toy();
        let p = LearnerConfig::Svm(SvmParams {
            max_iter: 50,
            ..SvmParams::default()
        });
        let (cold, warm) = p.fit_warm(&x, &y, 3, None).unwrap();
        assert_eq!(warm.0.len(), 1, "one SVM inside");
        assert_eq!(warm.0[0].len(), 2, "one dual vector per label");
        assert!(warm.0[0].iter().all(|a| a.len() == 40 && a.iter().all(|&v| v >= 0.0)));
        assert!(warm.0[0][0].iter().any(|&v| v > 0.0), "some support vectors");
        // Refit on the first 30 rows from the full model's duals: same signs on
        // every row, scores close to a cold fit on the same rows.
        let rows: Vec<usize> = (0..30).collect();
        let (xs, ys) = (x.select(&rows), y.select(&rows));
        let (hot, _) = p.fit_warm(&xs, &ys, 3, Some(&warm.select(&rows))).unwrap();
        let (plain, _) = p.fit_warm(&xs, &ys, 3, None).unwrap();
        let (mut a, mut b, mut c) = ([0f32; 2], [0f32; 2], [0f32; 2]);
        for i in 0..40 {
            let (idx, val) = x.row(i);
            hot.scores_into(idx, val, &mut a);
            plain.scores_into(idx, val, &mut b);
            cold.scores_into(idx, val, &mut c);
            assert!(a[i % 2] > 0.0 && a[1 - i % 2] < 0.0, "row {i}: {a:?}");
            for j in 0..2 {
                assert!((a[j] - b[j]).abs() < 0.05 * b[j].abs().max(1.0), "{a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn nb_prefers_the_marking_feature() {
        let (x, y) = toy();
        let m = NbParams::default().fit_linear(&x, &y, 0).unwrap();
        let mut s = [0f32; 2];
        let (i, v) = x.row(1);
        m.scores_into(i, v, &mut s);
        assert!(s[1] > s[0], "{s:?}");
    }

    #[test]
    fn one_class_only_gives_constant_scorer() {
        let (x, _) = toy();
        let y = Targets::from_sets(2, &vec![vec![0]; 40]);
        let m = SvmParams::default().fit_linear(&x, &y, 0).unwrap();
        assert_eq!(m.bias, [1.0, -1.0]);
    }

    #[test]
    fn bad_params_are_rejected() {
        assert!(SvmParams {
            c: 0.0,
            ..SvmParams::default()
        }
        .check()
        .is_err());
        assert!(SvmParams {
            max_iter: 0,
            ..SvmParams::default()
        }
        .check()
        .is_err());
        assert!(NbParams { alpha: -1.0 }.check().is_err());
    }
}
