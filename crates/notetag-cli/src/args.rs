//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use notetag::model::EnsembleParams;
use notetag::{ClassifierParams, Error, LearnerConfig, NbParams, Result, SvmLoss, SvmParams, TextConfig};

/// Tag short notes (Nostr posts, tweets, micro-blog entries) with topics.
#[derive(Parser, Debug)]
#[command(name = "notetag", version, about)]
pub struct Cli {
    /// Worker threads (default: all cores).
    #[arg(long, global = true)]
    pub threads: Option<usize>,
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Tag notes with the embedded default model or --model.
    Predict(PredictArgs),
    /// Train a model on labelled notes.
    Train(TrainArgs),
    /// Score a model on labelled notes.
    Eval(EvalArgs),
    /// Show the prediction for TEXT and the n-grams that drove it.
    Explain(ExplainArgs),
    /// Show the model card: labels, thresholds, featuriser, size, training data.
    Info(InfoArgs),
    /// Benchmark learner configurations side by side by k-fold cross-validation.
    Compare(CompareArgs),
}

/// `notetag compare`.
#[derive(Args, Debug)]
pub struct CompareArgs {
    /// Labelled data (JSONL with `labels` or `label`, CSV, fastText).
    #[arg(long, short)]
    pub input: PathBuf,
    /// Input format (default: detected).
    #[arg(long)]
    pub format: Option<String>,
    /// Number of folds (2..=rows).
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    /// Comma-separated configurations: svm, nb, svm+nb, svm-char, svm+nb-char,
    /// linfa-logistic (default: all; `--help` of each is printed under the table).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "svm,nb,svm+nb,svm-char,svm+nb-char,linfa-logistic"
    )]
    pub learners: Vec<String>,
    /// Random seed for the fold assignment and the learners.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Print the results as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `notetag predict`.
#[derive(Args, Debug)]
pub struct PredictArgs {
    /// Model file (default: the embedded default model).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Input file (default: standard input).
    #[arg(long, short)]
    pub input: Option<PathBuf>,
    /// Output file, written atomically (default: standard output).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Input format: text, jsonl, csv, tsv, fasttext, nostr (default: detected).
    #[arg(long)]
    pub format: Option<String>,
    /// Field holding the text in JSON Lines and CSV input.
    #[arg(long, default_value = "text")]
    pub text_field: String,
    /// Output format: jsonl, tsv, csv, nip32.
    #[arg(long, default_value = "jsonl")]
    pub output_format: String,
    /// One probability threshold for every label (default: the model's tuned ones).
    #[arg(long)]
    pub threshold: Option<f32>,
    /// Keep at most K labels per note.
    #[arg(long)]
    pub top_k: Option<usize>,
    /// NIP-32 label namespace.
    #[arg(long, default_value = "org.notetag.topic")]
    pub namespace: String,
    /// nip32: sign the label events with the secret key in FILE (64 hex characters or
    /// nsec1…; surrounding white space ignored). Without it, unsigned templates.
    #[arg(long, value_name = "FILE")]
    pub sign_key: Option<PathBuf>,
    /// nip32: `created_at` of the label events, Unix seconds (default: now when
    /// signing, 0 in unsigned templates).
    #[arg(long, value_name = "UNIX")]
    pub created_at: Option<u64>,
}

/// `notetag train`.
#[derive(Args, Debug)]
pub struct TrainArgs {
    /// Labelled training data (JSONL with `labels` or `label`, CSV, fastText).
    #[arg(long, short)]
    pub input: PathBuf,
    /// Optional labelled dev data, scored after training.
    #[arg(long)]
    pub dev: Option<PathBuf>,
    /// Where to write the model (atomically).
    #[arg(long, short)]
    pub output: PathBuf,
    /// Input format (default: detected).
    #[arg(long)]
    pub format: Option<String>,
    /// Learner: `svm` (linear SVM, dual coordinate descent), `nb` (complement naive
    /// Bayes) or `svm+nb` (their ensemble; --nb-weight sets NB's share).
    #[arg(long, default_value = "svm")]
    pub learner: String,
    /// SVM: inverse regularisation strength C (> 0).
    #[arg(long, default_value_t = 0.5)]
    pub c: f32,
    /// SVM: loss, `squared_hinge` or `hinge`.
    #[arg(long, default_value = "squared_hinge")]
    pub loss: String,
    /// SVM: do not weight classes by inverse frequency.
    #[arg(long)]
    pub unbalanced: bool,
    /// SVM: stopping tolerance (> 0).
    #[arg(long, default_value_t = 0.05)]
    pub tol: f32,
    /// SVM: maximum passes over the data.
    #[arg(long, default_value_t = 5)]
    pub max_iter: u32,
    /// Ensemble: weight of naive Bayes beside the SVM's 1.0.
    #[arg(long, default_value_t = 1.0)]
    pub nb_weight: f32,
    /// SVM: scale features by their naive-Bayes log-count ratio (NB-SVM).
    #[arg(long)]
    pub nb_ratio: bool,
    /// Naive Bayes: additive smoothing alpha (> 0).
    #[arg(long, default_value_t = 0.3)]
    pub alpha: f32,
    /// Word n-gram lengths, MIN-MAX (1..=4).
    #[arg(long, default_value = "1-2")]
    pub word_ngrams: String,
    /// Char n-gram lengths inside words, MIN-MAX (1..=8), or `none`.
    #[arg(long, default_value = "none")]
    pub char_ngrams: String,
    /// Weight of the char n-gram block (> 0).
    #[arg(long, default_value_t = 1.0)]
    pub char_weight: f32,
    /// log2 of the number of hashed feature buckets (10..=24).
    #[arg(long, default_value_t = 18)]
    pub bucket_bits: u8,
    /// Minimum number of training notes a feature must occur in.
    #[arg(long, default_value_t = 1)]
    pub min_df: u32,
    /// Folds for out-of-fold calibration and thresholds (2..=20).
    #[arg(long, default_value_t = 5)]
    pub folds: u8,
    /// Random seed (same seed, same model).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Keep full-precision weights (larger files).
    #[arg(long)]
    pub no_quantize: bool,
}

fn range(name: &'static str, s: &str) -> Result<[u8; 2]> {
    let bad = || Error::InvalidParam {
        name,
        reason: format!("`{s}`: expected MIN-MAX, e.g. 1-2"),
    };
    let (a, b) = s.split_once('-').ok_or_else(bad)?;
    Ok([
        a.trim().parse().map_err(|_| bad())?,
        b.trim().parse().map_err(|_| bad())?,
    ])
}

impl TrainArgs {
    /// The classifier parameters these arguments describe.
    pub fn params(&self) -> Result<ClassifierParams> {
        let svm = LearnerConfig::Svm(SvmParams {
            c: self.c,
            loss: match self.loss.as_str() {
                "hinge" => SvmLoss::Hinge,
                "squared_hinge" => SvmLoss::SquaredHinge,
                o => {
                    return Err(Error::InvalidParam {
                        name: "loss",
                        reason: format!("`{o}`: expected hinge or squared_hinge"),
                    })
                }
            },
            balanced: !self.unbalanced,
            tol: self.tol,
            max_iter: self.max_iter,
            nb_ratio: self.nb_ratio,
        });
        let nb = LearnerConfig::ComplementNb(NbParams { alpha: self.alpha });
        let learner = match self.learner.as_str() {
            "svm" => svm,
            "nb" => nb,
            "svm+nb" => LearnerConfig::Ensemble(EnsembleParams {
                members: vec![(svm, 1.0), (nb, self.nb_weight)],
            }),
            o => {
                return Err(Error::InvalidParam {
                    name: "learner",
                    reason: format!("`{o}`: expected svm, nb or svm+nb"),
                })
            }
        };
        let text = TextConfig {
            word_ngrams: range("word-ngrams", &self.word_ngrams)?,
            char_ngrams: if self.char_ngrams == "none" {
                None
            } else {
                Some(range("char-ngrams", &self.char_ngrams)?)
            },
            char_weight: self.char_weight,
            bucket_bits: self.bucket_bits,
            min_df: self.min_df,
            ..TextConfig::default()
        };
        let p = ClassifierParams::new()
            .text(text)
            .learner(learner)
            .calibration_folds(self.folds)
            .seed(self.seed)
            .quantize(!self.no_quantize);
        p.check()?;
        Ok(p)
    }
}

/// `notetag eval`.
#[derive(Args, Debug)]
pub struct EvalArgs {
    /// Labelled data to score on.
    #[arg(long, short)]
    pub input: PathBuf,
    /// Model file (default: the embedded default model).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Input format (default: detected).
    #[arg(long)]
    pub format: Option<String>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// Also draw the confusion matrix as an SVG heatmap into this file (written
    /// atomically).
    #[arg(long, value_name = "FILE.svg")]
    pub plot: Option<PathBuf>,
}

/// `notetag explain`.
#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// The note to explain.
    pub text: String,
    /// Model file (default: the embedded default model).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Features to show per label.
    #[arg(short, default_value_t = 5)]
    pub k: usize,
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `notetag info`.
#[derive(Args, Debug)]
pub struct InfoArgs {
    /// Model file (default: the embedded default model).
    #[arg(long)]
    pub model: Option<PathBuf>,
}
