//! Autotune: the best parameters a time budget can find, by cross-validation on
//! the training data alone.
//!
//! [`ClassifierParams::autotune`] searches the learner (SVM, complement naive
//! Bayes or their ensemble), word and char n-gram ranges, the char block's weight,
//! the SVM's C and class balancing, the naive-Bayes weight, the bucket count and
//! `min_df`. Every candidate is trained as [`ClassifierParams::fit`] trains: its
//! `calibration_folds`-fold cross-validation scores every training row with a
//! model that never saw it, and the candidate's figure is the chosen
//! [`TuneMetric`] of those out-of-fold predictions. No other data is read.
//!
//! The search starts from the given parameters, then walks the grid one
//! parameter at a time (each ordered parameter step by step while the figure
//! improves, each other one value by value), and once no single step helps, tries
//! random changes of two parameters at a time, until the budget is spent. It
//! starts a candidate only when the time that candidates of its kind took so far
//! says it will end within the budget, so the search ends close to the budget
//! and past it only by how much a candidate runs over what the last one of its
//! kind took (or, when the budget is smaller than one training run, by that run:
//! the given parameters are always trained). The best candidate's model is the
//! result: it is not trained again.

mod space;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::str::FromStr;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::{Classifier, ClassifierParams};
use crate::data::Example;
use crate::error::{Error, Result};
use crate::eval::Report;
use crate::rng::SplitMix;
pub use space::describe;
use space::{CostKey, Point, DIMS};

/// What autotune maximises: a figure of the out-of-fold predictions.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum TuneMetric {
    /// Macro-averaged F1 of the primary label (`macro_f1`).
    #[default]
    MacroF1,
    /// F1 of the primary label for one label (`f1:LABEL`).
    LabelF1(String),
}

impl FromStr for TuneMetric {
    type Err = Error;

    /// `macro_f1`, or `f1:LABEL` for the F1 of one label.
    fn from_str(s: &str) -> Result<Self> {
        match s.split_once(':') {
            None if s == "macro_f1" => Ok(TuneMetric::MacroF1),
            Some(("f1", label)) if !label.trim().is_empty() => Ok(TuneMetric::LabelF1(label.to_string())),
            _ => Err(Error::param(
                "metric",
                format!("`{s}`: expected macro_f1, or f1:LABEL for the F1 of one label"),
            )),
        }
    }
}

impl fmt::Display for TuneMetric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TuneMetric::MacroF1 => f.write_str("macro_f1"),
            TuneMetric::LabelF1(l) => write!(f, "f1:{l}"),
        }
    }
}

impl TuneMetric {
    /// The figure of `report`.
    pub fn score(&self, report: &Report) -> f64 {
        match self {
            TuneMetric::MacroF1 => report.macro_f1,
            TuneMetric::LabelF1(l) => report.per_label.iter().find(|s| &s.label == l).map_or(0.0, |s| s.f1),
        }
    }

    fn check(&self, labels: &[String]) -> Result<()> {
        match self {
            TuneMetric::LabelF1(l) if !labels.contains(l) => Err(Error::param(
                "metric",
                format!(
                    "`{self}`: `{l}` is not a label of the data (labels: {})",
                    labels.join(", ")
                ),
            )),
            _ => Ok(()),
        }
    }
}

/// How to autotune.
///
/// | name | default | range |
/// | --- | --- | --- |
/// | `budget` | (required) | > 0, at most a year |
/// | `metric` | [`TuneMetric::MacroF1`] | `macro_f1`, `f1:LABEL` |
#[derive(Debug, Clone, PartialEq)]
pub struct AutotuneOptions {
    /// Wall-clock time the search may take, training included.
    pub budget: Duration,
    /// The figure to maximise.
    pub metric: TuneMetric,
}

impl AutotuneOptions {
    /// A search of `seconds` that maximises macro-F1.
    pub fn new(seconds: f64) -> Result<Self> {
        if !(seconds > 0.0 && seconds <= 365.0 * 86_400.0) {
            return Err(Error::param(
                "autotune",
                format!("{seconds}: need a number of seconds > 0 (and at most a year)"),
            ));
        }
        Ok(AutotuneOptions {
            budget: Duration::from_secs_f64(seconds),
            metric: TuneMetric::MacroF1,
        })
    }

    /// Maximise `metric` instead.
    pub fn metric(mut self, metric: TuneMetric) -> Self {
        self.metric = metric;
        self
    }
}

/// One candidate tried.
#[derive(Debug, Clone, PartialEq)]
pub struct Trial {
    /// The candidate's parameters.
    pub params: ClassifierParams,
    /// Its figure ([`AutotuneOptions::metric`]) out of fold.
    pub score: f64,
    /// Its out-of-fold macro-F1.
    pub macro_f1: f64,
    /// Seconds its training took.
    pub seconds: f64,
}

impl Trial {
    /// The searched parameters in one line ([`describe`]).
    pub fn config(&self) -> String {
        describe(&self.params)
    }
}

/// Where a search stands, after each candidate.
#[derive(Debug)]
pub struct TuneProgress<'a> {
    /// The candidate just trained.
    pub trial: &'a Trial,
    /// How many candidates were trained so far.
    pub trials: usize,
    /// The best so far.
    pub best: &'a Trial,
    /// Time since the search began.
    pub elapsed: Duration,
    /// The budget.
    pub budget: Duration,
}

/// What a search found.
#[derive(Debug)]
pub struct Autotuned {
    /// The best candidate's model (its metadata records the search).
    pub classifier: Classifier,
    /// Every candidate tried, best first (ties in the order tried).
    pub leaderboard: Vec<Trial>,
    /// How long the search took.
    pub elapsed: Duration,
}

/// What a model records about the search that chose its parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AutotuneRecord {
    /// The figure maximised ([`TuneMetric`], as text).
    pub metric: String,
    /// Its out-of-fold value for the chosen parameters.
    pub cv_score: f64,
    /// Folds of the cross-validation.
    pub folds: u32,
    /// The chosen parameters in one line ([`describe`]).
    pub config: String,
    /// Candidates trained.
    pub trials: u32,
    /// The budget, in seconds.
    pub budget_seconds: f64,
    /// Seconds the search took.
    pub seconds: f64,
    /// The best few candidates: their parameters in one line and their figure.
    pub leaderboard: Vec<(String, f64)>,
}

/// Rows of the leaderboard a model records.
const RECORDED: usize = 5;
/// Random two-parameter changes drawn, at most, to find one not yet tried that
/// fits in the time left.
const DRAWS: usize = 64;

impl ClassifierParams {
    /// Search for the parameters with the best cross-validated figure on
    /// `examples` within `options.budget`, starting from these parameters, and
    /// return the best model (see the [module docs](self)).
    pub fn autotune(&self, examples: &[Example], options: &AutotuneOptions) -> Result<Autotuned> {
        self.autotune_with(examples, options, |_| {})
    }

    /// [`ClassifierParams::autotune`], calling `progress` after each candidate.
    pub fn autotune_with(
        &self,
        examples: &[Example],
        options: &AutotuneOptions,
        progress: impl FnMut(&TuneProgress<'_>),
    ) -> Result<Autotuned> {
        self.check()?;
        let labels = self.label_set(examples)?;
        options.metric.check(&labels)?;
        let mut search = Search {
            base: self,
            examples,
            options,
            start: Instant::now(),
            seen: HashSet::new(),
            costs: HashMap::new(),
            trials: Vec::new(),
            anchor: None,
            best: None,
            progress,
        };
        search.run()?;
        let Some((_, best)) = search.best.take() else {
            return Err(Error::InvalidData("autotune trained no candidate".into()));
        };
        let elapsed = search.start.elapsed();
        Ok(finish(best, search.trials, options, elapsed))
    }
}

/// The best model with the search recorded in its metadata, and the leaderboard.
fn finish(
    mut classifier: Classifier,
    mut trials: Vec<Trial>,
    options: &AutotuneOptions,
    elapsed: Duration,
) -> Autotuned {
    trials.sort_by(|a, b| b.score.total_cmp(&a.score));
    let best = &trials[0];
    classifier.meta.autotune = Some(AutotuneRecord {
        metric: options.metric.to_string(),
        cv_score: best.score,
        folds: classifier.meta.cv_folds,
        config: best.config(),
        trials: trials.len() as u32,
        budget_seconds: options.budget.as_secs_f64(),
        seconds: elapsed.as_secs_f64(),
        leaderboard: trials.iter().take(RECORDED).map(|t| (t.config(), t.score)).collect(),
    });
    Autotuned {
        classifier,
        leaderboard: trials,
        elapsed,
    }
}

/// A search under way.
struct Search<'a, F> {
    base: &'a ClassifierParams,
    examples: &'a [Example],
    options: &'a AutotuneOptions,
    start: Instant,
    /// Grid points already trained.
    seen: HashSet<Point>,
    /// Seconds the last candidate of each kind took.
    costs: HashMap<CostKey, f64>,
    trials: Vec<Trial>,
    /// The best grid point and its figure: where the search moves from.
    anchor: Option<(Point, f64)>,
    /// The best candidate's figure and model.
    best: Option<(f64, Classifier)>,
    progress: F,
}

impl<F: FnMut(&TuneProgress<'_>)> Search<'_, F> {
    fn run(&mut self) -> Result<()> {
        // The given parameters first, as given (they may lie off the grid), then
        // the grid from the point nearest to them.
        let start = Point::nearest(self.base);
        let on_grid = start.apply(self.base) == *self.base;
        self.train(self.base.clone(), on_grid.then_some(start))?;
        if !on_grid {
            self.try_point(start)?;
        }
        let mut rng = SplitMix(self.base.seed ^ 0x6175_746f);
        loop {
            let (tried, improved) = self.sweep()?;
            if improved {
                continue;
            }
            if !self.random_change(&mut rng)? && !tried {
                return Ok(());
            }
        }
    }

    /// One pass over the parameters from the best point; returns whether any
    /// candidate was trained and whether the best point moved.
    fn sweep(&mut self) -> Result<(bool, bool)> {
        let (mut tried, mut improved) = (false, false);
        for dim in DIMS {
            let Some(from) = self.best_point() else {
                return Ok((tried, improved));
            };
            if !from.relevant(dim) {
                continue;
            }
            if Point::ordered(dim) {
                for up in [true, false] {
                    let mut at = self.best_point().unwrap_or(from);
                    while let Some(next) = at.step(dim, up) {
                        match self.try_point(next)? {
                            Some(true) => (tried, improved, at) = (true, true, next),
                            Some(false) => {
                                tried = true;
                                break;
                            }
                            None => break,
                        }
                    }
                }
            } else {
                for v in 0..Point::len(dim) {
                    let at = self.best_point().unwrap_or(from);
                    if let Some(better) = self.try_point(at.with(dim, v))? {
                        tried = true;
                        improved |= better;
                    }
                }
            }
        }
        Ok((tried, improved))
    }

    /// Train one random change of two parameters of the best point that was not
    /// tried yet and fits in the time left; returns whether one was trained.
    fn random_change(&mut self, rng: &mut SplitMix) -> Result<bool> {
        let Some(from) = self.best_point() else {
            return Ok(false);
        };
        for _ in 0..DRAWS {
            let mut p = from;
            for _ in 0..2 {
                let dim = DIMS[(rng.next_u64() % DIMS.len() as u64) as usize];
                p = p.with(dim, (rng.next_u64() % Point::len(dim) as u64) as usize);
            }
            if self.try_point(p)?.is_some() {
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn best_point(&self) -> Option<Point> {
        self.anchor.map(|a| a.0)
    }

    /// Train the candidate at `p` unless it was tried or would not end within
    /// the budget: `None` when not trained, else whether it is the new best.
    fn try_point(&mut self, p: Point) -> Result<Option<bool>> {
        if self.seen.contains(&p) || !self.fits(p) {
            return Ok(None);
        }
        self.train(p.apply(self.base), Some(p))
    }

    /// Whether a candidate at `p` should end within the budget, judging by the
    /// last candidate of its kind (or, for a kind not tried yet, by half as much
    /// again as the slowest so far).
    fn fits(&self, p: Point) -> bool {
        let slowest = self.costs.values().copied().fold(0.0, f64::max);
        let estimate = self.costs.get(&p.cost_key()).map_or(1.5 * slowest, |s| 1.05 * s);
        self.start.elapsed().as_secs_f64() + estimate <= self.options.budget.as_secs_f64()
    }

    /// Train `params` (at grid point `p`, if on the grid) and keep its model if
    /// it is the best so far; returns whether `p` is the new best grid point. A
    /// candidate whose parameters the data cannot take (such as too many buckets
    /// for its labels) is passed over.
    fn train(&mut self, params: ClassifierParams, p: Option<Point>) -> Result<Option<bool>> {
        if let Some(p) = p {
            self.seen.insert(p);
        }
        let began = Instant::now();
        let (classifier, report) = match params.fit_reporting(self.examples) {
            Ok(fitted) => fitted,
            Err(Error::InvalidParam { .. }) if !self.trials.is_empty() => return Ok(None),
            Err(e) => return Err(e),
        };
        let seconds = began.elapsed().as_secs_f64();
        if let Some(p) = p {
            self.costs.insert(p.cost_key(), seconds);
        } else {
            self.costs.insert(Point::nearest(&params).cost_key(), seconds);
        }
        let trial = Trial {
            score: self.options.metric.score(&report),
            macro_f1: report.macro_f1,
            params,
            seconds,
        };
        if self.best.as_ref().map_or(true, |b| trial.score > b.0) {
            self.best = Some((trial.score, classifier));
        }
        let moved = match p {
            Some(p) if self.anchor.map_or(true, |a| trial.score > a.1) => {
                self.anchor = Some((p, trial.score));
                true
            }
            _ => false,
        };
        self.trials.push(trial);
        let best = self
            .trials
            .iter()
            .fold(&self.trials[0], |b, t| if t.score > b.score { t } else { b });
        (self.progress)(&TuneProgress {
            trial: &self.trials[self.trials.len() - 1],
            trials: self.trials.len(),
            best,
            elapsed: self.start.elapsed(),
            budget: self.options.budget,
        });
        Ok(Some(moved))
    }
}
