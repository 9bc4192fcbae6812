//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use notetag::io::Format;
use notetag::TuneMetric;

use crate::compare::Preset;
use crate::params::ParamArgs;
use crate::predict::OutputFormat;
use crate::threshold::Decision;

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
    /// Fold corrections (notes with their right labels) into a saved model.
    Update(crate::update::UpdateArgs),
    /// Label notes live: read them from relays, publish signed NIP-32 label events.
    #[cfg(feature = "relay")]
    Relay(crate::relay::RelayArgs),
    /// Act as a strfry write-policy plugin: accept or refuse notes by topic or language.
    #[cfg(feature = "relay")]
    StrfryPolicy(crate::relay::PolicyArgs),
}

/// `notetag compare`.
#[derive(Args, Debug)]
pub struct CompareArgs {
    /// Labelled data (JSONL with `labels` or `label`, CSV, fastText).
    #[arg(long, short)]
    pub input: PathBuf,
    /// Input format (default: detected).
    #[arg(long)]
    pub format: Option<Format>,
    /// Number of folds (2..=rows).
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    /// Comma-separated configurations to compare (what each is, is also printed
    /// under the table).
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "svm,nb,svm+nb,svm-char,svm+nb-char,linfa-logistic"
    )]
    pub learners: Vec<Preset>,
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
    pub format: Option<Format>,
    /// Field holding the text in JSON Lines and CSV input.
    #[arg(long, default_value = "text")]
    pub text_field: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Jsonl)]
    pub output_format: OutputFormat,
    /// Thresholds and the short-note floor.
    #[command(flatten)]
    pub decision: Decision,
    /// Keep at most K labels per note.
    #[arg(long)]
    pub top_k: Option<usize>,
    /// Keep only notes in these languages (ISO 639-1 codes, comma-separated, `und`
    /// for notes too short to tell); the rest are counted on standard error.
    #[arg(long, value_delimiter = ',')]
    pub lang: Vec<String>,
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
    pub format: Option<Format>,
    /// The classifier's parameters (the parameter vocabulary's flags).
    #[command(flatten)]
    pub params: ParamArgs,
    /// Search the parameters for SECONDS, by cross-validation on --input alone
    /// (--calibration-folds folds), and keep the best model; the search starts
    /// from the other flags.
    #[arg(long, value_name = "SECONDS")]
    pub autotune: Option<f64>,
    /// What --autotune maximises: macro_f1, or f1:LABEL for the F1 of one label.
    #[arg(long, default_value = "macro_f1", requires = "autotune")]
    pub metric: TuneMetric,
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
    pub format: Option<Format>,
    /// Thresholds and the short-note floor.
    #[command(flatten)]
    pub decision: Decision,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// Also score each language the notes are in, as notetag detects it (`und`:
    /// too little text to tell); with --json, under `by_lang`.
    #[arg(long)]
    pub by_lang: bool,
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
