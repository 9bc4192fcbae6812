//! # notetag
//!
//! Fast, calibrated, multi-label topic tagging for short notes: Nostr posts,
//! tweets, micro-blog entries. Train on your own labels in seconds, or use the
//! embedded default model (`geopolitics`, `trade_finance`, `tech`, `personal`).
//!
//! ## Quick start
//!
//! ```
//! use notetag::{ClassifierParams, Example};
//!
//! let data = vec![
//!     Example::new("the fed held rates steady", "finance"),
//!     Example::new("bond yields fell after the jobs report", "finance"),
//!     Example::new("new gpu benchmarks are out", "tech"),
//!     Example::new("rust 1.80 released with new features", "tech"),
//! ];
//! let clf = ClassifierParams::new().calibration_folds(2).fit(&data)?;
//! let p = clf.predict("yields and rates at the fed");
//! assert_eq!(p.primary(), "finance");
//! # Ok::<(), notetag::Error>(())
//! ```
//!
//! The data path is one-way and shared by training and prediction:
//! raw text → normalised tokens ([`text`]) → hashed sparse tf-idf vector →
//! linear scores ([`model`]) → calibrated probabilities → labels.

pub mod data;
pub mod error;
pub mod eval;
pub mod model;
pub mod sparse;
pub mod text;

pub use data::{data_hash, Example};
pub use error::{Error, Result};
pub use eval::Report;
pub use model::linfa_impl::Notes;
pub use model::{
    cross_validate, Classifier, ClassifierParams, Explanation, LearnerConfig, NbParams, PredictOptions, Prediction,
    SvmLoss, SvmParams,
};
pub use text::{Scratch, TextConfig, Tokenization};
pub mod io;
pub mod persist;
