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
//!
//! ## Guide
//!
//! ### The default model
//!
//! [`Classifier::default_model`] loads the model embedded in the crate (trained on
//! the project's own corpus; no download). A [`Prediction`] always has a
//! [`primary`](Prediction::primary) label, the [`labels`](Prediction::labels) at or
//! above their tuned thresholds (possibly none), and a calibrated probability per
//! label ([`scores`](Prediction::scores)).
//!
//! ```
//! let clf = notetag::Classifier::default_model()?;
//! assert_eq!(clf.labels(), ["geopolitics", "personal", "tech", "trade_finance"]);
//! let p = clf.predict("gm nostr, first coffee of the day");
//! assert_eq!(p.primary(), "personal");
//! assert!(p.scores().all(|(_, prob)| (0.0..=1.0).contains(&prob)));
//! # Ok::<(), notetag::Error>(())
//! ```
//!
//! ### Your own labels
//!
//! [`ClassifierParams`] is a builder: every setting has a documented default and
//! range, [`ClassifierParams::check`] validates them and [`ClassifierParams::fit`]
//! checks before training. Any label set works; an [`Example`] may carry several
//! labels ([`Example::multi`]) or none ("none of my topics"). Training fits the
//! learner, then Platt calibration and per-label thresholds on out-of-fold scores,
//! and records out-of-fold metrics in [`Classifier::meta`].
//!
//! ```
//! use notetag::{Classifier, ClassifierParams, Example, LearnerConfig, NbParams};
//!
//! let data = [
//!     Example::new("goal in the 90th minute", "sport"),
//!     Example::new("the keeper saved a penalty", "sport"),
//!     Example::new("bake at 200 degrees for 40 minutes", "cooking"),
//!     Example::new("simmer the sauce with garlic", "cooking"),
//!     Example::multi("match snacks: nachos with melted cheese", ["cooking", "sport"]),
//!     Example::multi("ok", Vec::<String>::new()),
//! ];
//! let params = ClassifierParams::new()
//!     .learner(LearnerConfig::ComplementNb(NbParams::default()))
//!     .calibration_folds(2);
//! let clf = params.fit(&data)?;
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("mine.ntag");
//! clf.save(&path)?; // atomic: a temporary file, then a rename
//! let loaded = Classifier::load(&path)?;
//! assert_eq!(loaded.predict_proba("penalty kick"), clf.predict_proba("penalty kick"));
//! # Ok::<(), notetag::Error>(())
//! ```
//!
//! ### Reading data
//!
//! [`io`] reads plain text, JSON Lines, CSV/TSV, fastText and Nostr events or
//! relay messages. [`io::read_examples`] loads a labelled file strictly (the first
//! bad record is an error naming file, line and field); [`io::Reader`] streams any
//! input and yields one [`io::Item`] per line: a record, a line passed over on
//! purpose (with the reason), or an error, so nothing is dropped silently.
//!
//! ```
//! use notetag::io::{Format, Item, ReadOptions, Reader};
//!
//! let dump = r#"["EVENT","sub",{"id":"e1","pubkey":"p1","kind":1,"content":"gm","tags":[],"created_at":1,"sig":""}]
//! ["EOSE","sub"]
//! {"kind":1,"content":42}
//! "#;
//! let items: Vec<Item> = Reader::new(dump.as_bytes(), ReadOptions::new(Format::Nostr, "dump")).collect();
//! assert!(matches!(&items[0], Item::Record(r) if r.text == "gm" && r.id.as_deref() == Some("e1")));
//! assert!(matches!(&items[1], Item::Skipped { line: 2, .. }));
//! assert_eq!(
//!     match &items[2] { Item::Invalid(e) => e.to_string(), _ => String::new() },
//!     "dump:3: field `content`: expected a string"
//! );
//! ```
//!
//! ### Measuring and comparing
//!
//! [`Classifier::evaluate`] scores a model on labelled examples and returns a
//! [`Report`] (accuracy, macro/micro-F1, per-label table, confusion matrix,
//! multi-label metrics, calibration error). [`cross_validate`] runs stratified
//! k-fold cross-validation of one configuration; run it for several to choose
//! among them on training data, then report the chosen one once on a test split.
//!
//! ```
//! use notetag::{cross_validate, ClassifierParams, Example};
//!
//! let data: Vec<Example> = (0..12)
//!     .flat_map(|i| {
//!         [
//!             Example::new(format!("rates and bond yields, day {i}"), "finance"),
//!             Example::new(format!("new chips and software, day {i}"), "tech"),
//!         ]
//!     })
//!     .collect();
//! let folds = cross_validate(&ClassifierParams::new().calibration_folds(2), &data, 3)?;
//! assert_eq!(folds.len(), 3);
//! let mean_f1 = folds.iter().map(|r| r.macro_f1).sum::<f64>() / 3.0;
//! assert!(mean_f1 > 0.9);
//! # Ok::<(), notetag::Error>(())
//! ```
//!
//! ### Prediction at scale
//!
//! A [`Classifier`] is `Send + Sync`: share one across threads.
//! [`Classifier::predict_batch`], [`Classifier::predict_proba_batch`] and
//! [`Classifier::primary_batch`] (primary labels only, the cheapest) run a batch
//! on rayon's thread pool, results in input order. The classifier holds the
//! buckets seen in training only ([`BucketTable`]: a bitmap of used buckets, then
//! IDF and weights side by side, 8-bit for quantised models), so its tables stay
//! small enough for the caches (1.2 MB for the default model). For a loop that allocates
//! nothing per note, keep a [`Scratch`] and call
//! [`Classifier::probabilities_into`]; the probabilities land in
//! `scratch.scores`, in label order, to compare with [`Classifier::thresholds`].
//!
//! ```
//! fn shareable<T: Send + Sync>() {}
//! shareable::<notetag::Classifier>();
//!
//! let clf = notetag::Classifier::default_model()?;
//! let mut scratch = notetag::Scratch::default();
//! for note in ["gm", "Fed holds rates"] {
//!     clf.probabilities_into(note, &mut scratch);
//!     assert_eq!(scratch.scores, clf.predict_proba(note));
//! }
//! # Ok::<(), notetag::Error>(())
//! ```
//!
//! [`Classifier::explain`] lists the n-grams that pushed each label's score up or
//! down.
//!
//! ### Model format
//!
//! A model is one versioned, checksummed file: a 24-byte header (magic
//! `NOTETAG\0`, format version, payload length, CRC-32) and a postcard payload
//! with the labels, parameters, the used hash buckets (delta-coded) with their IDF
//! (16-bit) and per-label weights (8-bit with one scale per label, or 32-bit for
//! unquantised models), biases, Platt calibration, thresholds and training
//! metadata. Loading validates every size before allocating and rejects damaged
//! or unknown-version files whole. The byte-level layout is in [`persist`].
//!
//! ### Cargo features
//!
//! With `default-features = false` the crate is the classifier alone: text
//! handling, the learners, calibration, the model format, and reading plain
//! text, JSON Lines, fastText and Nostr events. Each of these adds a part and
//! its dependencies (all are on by default):
//!
//! | feature | adds | dependencies |
//! | --- | --- | --- |
//! | `csv` | CSV/TSV input | `csv` |
//! | `hf-tokenizers` | [`Tokenization::HuggingFace`] | `tokenizers` |
//! | `linfa` | linfa's `Fit`/`Predict` for the learners and the classifier | `linfa`, `ndarray` |
//! | `nostr` | [`io::nostr`]: event ids, signatures, keys, NIP-32 label events | `k256`, `sha2`, `getrandom` |
//!
//! ### Errors
//!
//! Every fallible function returns [`Result`], whose [`Error`] says what was wrong
//! and where (file, line, field, parameter), with `#[from]` conversions for I/O and
//! JSON errors. [`Error`] is `#[non_exhaustive]`: match it with a wildcard arm.
//!
//! ### Modules
//!
//! | module | contents |
//! | --- | --- |
//! | [`text`] | normalisation, tokenisation, n-gram hashing, tf-idf featuriser |
//! | [`model`] | parameters, learners, calibration, [`Classifier`], prediction, explanation |
//! | [`eval`] | metrics, confusion matrix, calibration error, stratified folds |
//! | [`io`] | dataset readers (text, JSONL, CSV/TSV, fastText, Nostr) |
//! | [`persist`] | the model file format and the embedded default model |
//! | [`data`] | [`Example`] and the data fingerprint |
//! | [`sparse`] | sparse vectors and matrices |
//! | [`error`] | [`Error`] and [`Result`] |
//!
//! They depend one way, each only on those before it: [`error`] and [`sparse`],
//! then [`text`] (which reads a trained model's weights through
//! [`text::BucketWeights`]), [`data`], [`eval`], [`model`], [`persist`];
//! [`io`] needs only [`data`] and [`error`].

#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod data;
pub mod error;
pub mod eval;
pub mod model;
mod rng;
pub mod sparse;
pub mod text;

pub use data::{data_hash, Example};
pub use error::{Error, Result};
pub use eval::Report;
pub use model::autotune::{AutotuneOptions, Autotuned, TuneMetric};
#[cfg(feature = "linfa")]
pub use model::linfa_impl::Notes;
pub use model::update::UpdateReport;
pub use model::{
    cross_validate, BucketTable, Classifier, ClassifierParams, Explanation, LearnerConfig, NbParams, PredictOptions,
    Prediction, SvmLoss, SvmParams,
};
pub use text::{Scratch, TextConfig, Tokenization};
pub mod io;
pub mod persist;
