//! The grid that autotune searches: the values tried for each searched parameter,
//! a point on the grid, and the moves between points.

use crate::model::EnsembleParams;
use crate::model::{ClassifierParams, LearnerConfig, NbParams, SvmParams};

/// SVM C (inverse regularisation).
const C: [f32; 7] = [0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0];
/// Weight of naive Bayes beside the SVM's 1 in the ensemble.
const NB_WEIGHT: [f32; 7] = [0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0];
/// Word n-gram ranges.
const WORD: [[u8; 2]; 3] = [[1, 1], [1, 2], [1, 3]];
/// Char n-gram ranges (none first).
const CHARS: [Option<[u8; 2]>; 6] = [
    None,
    Some([2, 4]),
    Some([2, 5]),
    Some([3, 5]),
    Some([1, 5]),
    Some([3, 6]),
];
/// Weight of the char block.
const CHAR_WEIGHT: [f32; 5] = [0.5, 0.75, 1.0, 1.5, 2.0];
/// log2 of the bucket count.
const BITS: [u8; 5] = [18, 19, 20, 21, 22];
/// Minimum document frequency.
const MIN_DF: [u32; 3] = [1, 2, 3];

/// The learner family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Kind {
    Svm,
    Nb,
    SvmNb,
}

const KINDS: [Kind; 3] = [Kind::SvmNb, Kind::Svm, Kind::Nb];

/// One searched parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Dim {
    Learner,
    C,
    NbWeight,
    Balanced,
    Word,
    Chars,
    CharWeight,
    Bits,
    MinDf,
}

/// The order in which a sweep tries the parameters: those that moved the
/// figures most in earlier searches first.
pub(super) const DIMS: [Dim; 9] = [
    Dim::NbWeight,
    Dim::C,
    Dim::Balanced,
    Dim::Chars,
    Dim::CharWeight,
    Dim::Learner,
    Dim::MinDf,
    Dim::Word,
    Dim::Bits,
];

/// A point of the grid: an index into each parameter's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct Point {
    kind: u8,
    c: u8,
    nb: u8,
    balanced: u8,
    word: u8,
    chars: u8,
    char_weight: u8,
    bits: u8,
    min_df: u8,
}

/// What a trial's cost mostly depends on: learner, char n-grams on or off, buckets.
pub(super) type CostKey = (Kind, bool, u8);

/// The index of the grid value nearest to `v` on a log scale.
fn nearest_log(grid: &[f32], v: f32) -> u8 {
    let d = |g: f32| (g.ln() - v.max(1e-6).ln()).abs();
    (0..grid.len())
        .min_by(|&a, &b| d(grid[a]).total_cmp(&d(grid[b])))
        .unwrap_or(0) as u8
}

/// The index of the grid value nearest to `v`.
fn nearest<T: Copy + Into<f64>>(grid: &[T], v: T) -> u8 {
    let d = |g: T| (g.into() - v.into()).abs();
    (0..grid.len())
        .min_by(|&a, &b| d(grid[a]).total_cmp(&d(grid[b])))
        .unwrap_or(0) as u8
}

impl Point {
    /// The grid point nearest to `p` (a learner the grid does not hold starts
    /// from the SVM + naive Bayes ensemble with NB weight 1).
    pub(super) fn nearest(p: &ClassifierParams) -> Point {
        let (kind, svm, nb_weight) = match &p.learner {
            LearnerConfig::Svm(s) => (Kind::Svm, Some(s), 1.0),
            LearnerConfig::ComplementNb(_) => (Kind::Nb, None, 1.0),
            LearnerConfig::Ensemble(e) => match e.members.as_slice() {
                [(LearnerConfig::Svm(s), w), (LearnerConfig::ComplementNb(_), nw)] => (Kind::SvmNb, Some(s), nw / w),
                _ => (Kind::SvmNb, None, 1.0),
            },
        };
        let t = &p.text;
        let chars = CHARS
            .iter()
            .position(|c| *c == t.char_ngrams)
            .unwrap_or(match t.char_ngrams {
                None => 0,
                Some(_) => 2,
            });
        let word = WORD.iter().position(|w| *w == t.word_ngrams).unwrap_or(1);
        Point {
            kind: KINDS.iter().position(|k| *k == kind).unwrap_or(0) as u8,
            c: nearest_log(&C, svm.map_or(0.5, |s| s.c)),
            nb: nearest_log(&NB_WEIGHT, nb_weight),
            balanced: u8::from(svm.map_or(true, |s| s.balanced)),
            word: word as u8,
            chars: chars as u8,
            char_weight: nearest_log(&CHAR_WEIGHT, t.char_weight),
            bits: nearest(&BITS, t.bucket_bits),
            min_df: nearest(&MIN_DF, t.min_df),
        }
        .canonical()
    }

    /// The learner family.
    pub(super) fn kind(&self) -> Kind {
        KINDS[usize::from(self.kind)]
    }

    fn slot(&mut self, dim: Dim) -> &mut u8 {
        match dim {
            Dim::Learner => &mut self.kind,
            Dim::C => &mut self.c,
            Dim::NbWeight => &mut self.nb,
            Dim::Balanced => &mut self.balanced,
            Dim::Word => &mut self.word,
            Dim::Chars => &mut self.chars,
            Dim::CharWeight => &mut self.char_weight,
            Dim::Bits => &mut self.bits,
            Dim::MinDf => &mut self.min_df,
        }
    }

    /// The number of values `dim` takes.
    pub(super) fn len(dim: Dim) -> usize {
        match dim {
            Dim::Learner => KINDS.len(),
            Dim::C => C.len(),
            Dim::NbWeight => NB_WEIGHT.len(),
            Dim::Balanced => 2,
            Dim::Word => WORD.len(),
            Dim::Chars => CHARS.len(),
            Dim::CharWeight => CHAR_WEIGHT.len(),
            Dim::Bits => BITS.len(),
            Dim::MinDf => MIN_DF.len(),
        }
    }

    /// Whether `dim`'s values are ordered, so that a search walks them step by
    /// step (else it tries every value).
    pub(super) fn ordered(dim: Dim) -> bool {
        !matches!(dim, Dim::Learner | Dim::Balanced | Dim::Chars | Dim::Word)
    }

    /// The index of `dim`'s value.
    pub(super) fn get(mut self, dim: Dim) -> usize {
        usize::from(*self.slot(dim))
    }

    /// The point with `dim` set to its `v`-th value (canonical).
    pub(super) fn with(mut self, dim: Dim, v: usize) -> Point {
        *self.slot(dim) = v.min(Self::len(dim) - 1) as u8;
        self.canonical()
    }

    /// The neighbour one step up (`up`) or down along `dim`, if there is one.
    pub(super) fn step(self, dim: Dim, up: bool) -> Option<Point> {
        let v = self.get(dim);
        let next = if up { v + 1 } else { v.checked_sub(1)? };
        (next < Self::len(dim)).then(|| self.with(dim, next))
    }

    /// Whether `dim` changes the model at this point (C means nothing to naive
    /// Bayes, the char weight nothing without char n-grams, …).
    pub(super) fn relevant(&self, dim: Dim) -> bool {
        match dim {
            Dim::C | Dim::Balanced => self.kind() != Kind::Nb,
            Dim::NbWeight => self.kind() == Kind::SvmNb,
            Dim::CharWeight => self.chars != 0,
            _ => true,
        }
    }

    /// The same point with every parameter that does not matter at it set to its
    /// default, so that two points giving the same model are equal.
    fn canonical(mut self) -> Point {
        let default = |grid: &[f32], v: f32| grid.iter().position(|&g| g == v).unwrap_or(0) as u8;
        if !self.relevant(Dim::C) {
            self.c = default(&C, 0.5);
            self.balanced = 1;
        }
        if !self.relevant(Dim::NbWeight) {
            self.nb = default(&NB_WEIGHT, 1.0);
        }
        if !self.relevant(Dim::CharWeight) {
            self.char_weight = default(&CHAR_WEIGHT, 1.0);
        }
        self
    }

    /// What a trial at this point costs most: see [`CostKey`].
    pub(super) fn cost_key(&self) -> CostKey {
        (self.kind(), self.chars != 0, self.bits)
    }

    /// `base` with this point's values; settings the grid does not hold (SVM
    /// loss, tolerance, passes, NB-SVM scaling, NB smoothing, tokeniser, folds,
    /// seed, labels, quantisation) are kept from `base`.
    pub(super) fn apply(&self, base: &ClassifierParams) -> ClassifierParams {
        let (svm, nb) = base_learners(&base.learner);
        let svm = LearnerConfig::Svm(SvmParams {
            c: C[usize::from(self.c)],
            balanced: self.balanced == 1,
            ..svm
        });
        let nb = LearnerConfig::ComplementNb(nb);
        let learner = match self.kind() {
            Kind::Svm => svm,
            Kind::Nb => nb,
            Kind::SvmNb => LearnerConfig::Ensemble(EnsembleParams {
                members: vec![(svm, 1.0), (nb, NB_WEIGHT[usize::from(self.nb)])],
            }),
        };
        let mut p = base.clone().learner(learner);
        p.text.word_ngrams = WORD[usize::from(self.word)];
        p.text.char_ngrams = CHARS[usize::from(self.chars)];
        p.text.char_weight = CHAR_WEIGHT[usize::from(self.char_weight)];
        p.text.bucket_bits = BITS[usize::from(self.bits)];
        p.text.min_df = MIN_DF[usize::from(self.min_df)];
        p
    }
}

/// The SVM and naive Bayes settings inside `learner` (defaults where absent).
fn base_learners(learner: &LearnerConfig) -> (SvmParams, NbParams) {
    let (mut svm, mut nb) = (SvmParams::default(), NbParams::default());
    let mut visit = vec![learner];
    while let Some(l) = visit.pop() {
        match l {
            LearnerConfig::Svm(s) => svm = s.clone(),
            LearnerConfig::ComplementNb(n) => nb = n.clone(),
            LearnerConfig::Ensemble(e) => visit.extend(e.members.iter().map(|m| &m.0)),
        }
    }
    (svm, nb)
}

/// A one-line description of the parameters autotune searches, with the names
/// the command line and the Python package use.
pub fn describe(p: &ClassifierParams) -> String {
    let range = |r: [u8; 2]| format!("{}-{}", r[0], r[1]);
    let svm = |s: &SvmParams| format!("c={} balanced={}", s.c, s.balanced);
    let learner = match &p.learner {
        LearnerConfig::Svm(s) => format!("learner=svm {}", svm(s)),
        LearnerConfig::ComplementNb(_) => "learner=nb".to_string(),
        LearnerConfig::Ensemble(e) => match e.members.as_slice() {
            [(LearnerConfig::Svm(s), w), (LearnerConfig::ComplementNb(_), nw)] => {
                format!("learner=svm+nb {} nb_weight={}", svm(s), nw / w)
            }
            _ => "learner=ensemble".to_string(),
        },
    };
    let t = &p.text;
    let chars = match t.char_ngrams {
        Some(r) => format!("char_ngrams={} char_weight={}", range(r), t.char_weight),
        None => "char_ngrams=none".to_string(),
    };
    format!(
        "{learner} word_ngrams={} {chars} bucket_bits={} min_df={}",
        range(t.word_ngrams),
        t.bucket_bits,
        t.min_df
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Dim; 9] = DIMS;

    #[test]
    fn every_grid_value_is_a_valid_parameter() {
        let base = ClassifierParams::default();
        for dim in ALL {
            for v in 0..Point::len(dim) {
                let p = Point::nearest(&base).with(dim, v).apply(&base);
                p.check().unwrap_or_else(|e| panic!("{dim:?} value {v}: {e}"));
            }
        }
    }

    #[test]
    fn the_default_parameters_lie_on_the_grid() {
        let base = ClassifierParams::default();
        assert_eq!(Point::nearest(&base).apply(&base), base);
    }

    #[test]
    fn irrelevant_parameters_do_not_make_new_points() {
        let base = ClassifierParams::default();
        let nb = Point::nearest(&base).with(Dim::Learner, 2);
        assert_eq!(nb.kind(), Kind::Nb);
        assert_eq!(nb.with(Dim::C, 0), nb.with(Dim::C, 5));
        assert!(!nb.relevant(Dim::C) && !nb.relevant(Dim::NbWeight));
        let svm = Point::nearest(&base).with(Dim::Learner, 1);
        assert_eq!(svm.with(Dim::NbWeight, 0), svm.with(Dim::NbWeight, 6));
        assert_ne!(svm.with(Dim::C, 0), svm.with(Dim::C, 5));
        let words_only = svm.with(Dim::Chars, 0);
        assert_eq!(words_only.with(Dim::CharWeight, 0), words_only.with(Dim::CharWeight, 4));
    }

    #[test]
    fn steps_stay_on_the_grid() {
        let p = Point::nearest(&ClassifierParams::default());
        let top = p.with(Dim::Bits, Point::len(Dim::Bits) - 1);
        assert!(top.step(Dim::Bits, true).is_none());
        assert_eq!(top.step(Dim::Bits, false).map(|q| q.get(Dim::Bits)), Some(3));
        assert!(p.with(Dim::MinDf, 0).step(Dim::MinDf, false).is_none());
    }

    #[test]
    fn settings_off_the_grid_are_kept() {
        let mut base = ClassifierParams::default().seed(7).calibration_folds(4);
        base.text.sublinear_tf = false;
        let p = Point::nearest(&base).with(Dim::C, 0).apply(&base);
        assert_eq!((p.seed, p.calibration_folds, p.text.sublinear_tf), (7, 4, false));
        assert!(describe(&p).contains("c=0.125"), "{}", describe(&p));
    }
}
