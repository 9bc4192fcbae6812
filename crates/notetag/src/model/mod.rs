//! The classifier: parameters (builder → check → fit), the learners (one per
//! file, behind the [`Learner`] trait), training with out-of-fold calibration
//! and thresholds, prediction and explanation.
//!
//! | file | contents |
//! | --- | --- |
//! | `params.rs` | [`ClassifierParams`], checked into [`ValidParams`] |
//! | `vocabulary.rs` | the parameter vocabulary shared by the command line and Python ([`PARAMS`]) |
//! | `learner.rs` | the [`Learner`] trait, [`LearnerConfig`], [`LinearWeights`] |
//! | `svm.rs`, `nb.rs`, `ensemble.rs` | the learners |
//! | `train.rs` | training, quantisation, [`TrainingMeta`] |
//! | `table.rs` | [`BucketTable`]: the trained weights as prediction reads them |
//! | `predict.rs` | [`Classifier`], [`Prediction`] |
//! | `explain.rs` | [`Explanation`] |
//! | `evaluate.rs` | [`Classifier::evaluate`], [`cross_validate`] |
//! | `autotune/` | [`ClassifierParams::autotune`]: a time-boxed search by cross-validation |
//! | `update.rs` | [`Classifier::update`]: learning from corrections |

pub mod autotune;
pub mod calibrate;
pub mod ensemble;
mod evaluate;
mod explain;
pub mod learner;
#[cfg(feature = "linfa")]
#[cfg_attr(docsrs, doc(cfg(feature = "linfa")))]
pub mod linfa_impl;
pub mod nb;
mod params;
mod predict;
pub mod svm;
mod table;
mod train;
pub mod update;
mod vocabulary;

pub use calibrate::Platt;
pub use ensemble::EnsembleParams;
pub use evaluate::cross_validate;
pub use explain::{Contribution, Explanation, LabelExplanation};
pub use learner::{Learner, LearnerConfig, LinearWeights, Targets, WarmStart};
pub use nb::NbParams;
pub(crate) use params::check_dense_size;
pub use params::{ClassifierParams, ValidParams, MAX_DENSE_FLOATS, SHORT_NOTE_WORDS};
pub use predict::{Classifier, PredictOptions, Prediction};
pub use svm::{SvmLoss, SvmParams};
pub(crate) use table::{quant_idf, Stored};
pub use table::{BucketTable, Row};
pub(crate) use train::quantize;
pub use train::{covered_languages, min_language_rows, LanguageThresholds, TrainingMeta};
pub use vocabulary::{find_param, Kind, Param, Value, PARAMS};

#[cfg(test)]
mod tests;
