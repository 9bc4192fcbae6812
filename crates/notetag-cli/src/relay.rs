//! `notetag relay` and `notetag strfry-policy`: thin layers over `notetag-relay`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use notetag_relay::{LabelSettings, LabelerConfig, LangFilter, Policy, PolicyRules};

use crate::threshold::Decision;

/// `notetag relay`.
#[derive(Args, Debug)]
pub struct RelayArgs {
    /// Relay to read notes from (ws:// or wss://); repeat for several.
    #[arg(long, value_name = "URL", required = true)]
    pub from: Vec<String>,
    /// Relay to publish label events to; repeat for several (may be a --from relay).
    #[arg(long, value_name = "URL", required = true)]
    pub to: Vec<String>,
    /// Sign label events (and NIP-42 answers) with the secret key in FILE (64 hex
    /// characters or nsec1…), as `predict --sign-key`.
    #[arg(long, value_name = "FILE")]
    pub sign_key: PathBuf,
    /// State file: resume point, notes done, label events not yet acknowledged
    /// (created when missing, written atomically).
    #[arg(long, value_name = "FILE")]
    pub state: PathBuf,
    /// Start from this Unix time when the state file does not exist yet (default: now).
    #[arg(long, value_name = "UNIX")]
    pub since: Option<u64>,
    /// Model file (default: the embedded default model).
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Event kinds to label.
    #[arg(long, value_delimiter = ',', default_value = "1,30023")]
    pub kinds: Vec<u64>,
    /// NIP-32 label namespace.
    #[arg(long, value_name = "NS", default_value = "org.notetag.topic")]
    pub namespace: String,
    /// Label only notes in these languages (ISO 639-1 codes, comma-separated); notes
    /// whose language is not known are labelled.
    #[arg(long, value_name = "CODES")]
    pub lang: Option<String>,
    /// Thresholds and the short-note floor.
    #[command(flatten)]
    pub decision: Decision,
}

/// `notetag strfry-policy`.
#[derive(Args, Debug)]
pub struct PolicyArgs {
    /// Model file (default: the embedded default model).
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Refuse notes carrying any of these topics (comma-separated labels of the model).
    #[arg(long, value_name = "TOPICS", value_delimiter = ',')]
    pub reject_topics: Vec<String>,
    /// Accept only notes in these languages (ISO 639-1 codes); notes whose language
    /// is not known are accepted.
    #[arg(long, value_name = "CODES")]
    pub accept_langs: Option<String>,
    /// Refuse notes in these languages (`und`: notes whose language is not known).
    #[arg(long, value_name = "CODES")]
    pub reject_langs: Option<String>,
    /// Thresholds and the short-note floor.
    #[command(flatten)]
    pub decision: Decision,
    /// Event kinds the rules apply to; other kinds are accepted.
    #[arg(long, value_delimiter = ',', default_value = "1,30023")]
    pub kinds: Vec<u64>,
    /// Answer `shadowReject` instead of `reject` (the client is told the note was stored).
    #[arg(long)]
    pub shadow: bool,
}

/// Print an error and give the exit status: 2 for a usage error, 1 otherwise.
fn fail(e: &notetag_relay::Error) -> ExitCode {
    eprintln!("notetag: error: {e}");
    match e {
        notetag_relay::Error::InvalidParam { .. } | notetag_relay::Error::Core(notetag::Error::InvalidParam { .. }) => {
            ExitCode::from(2)
        }
        _ => ExitCode::from(1),
    }
}

fn config(a: &RelayArgs, threshold: Option<f32>) -> notetag_relay::Result<LabelerConfig> {
    let keys = crate::nip32::read_key_file(&a.sign_key)?;
    let accept = a
        .lang
        .as_deref()
        .map(|l| LangFilter::parse_codes("lang", l))
        .transpose()?;
    let mut cfg = LabelerConfig::new(a.from.clone(), a.to.clone(), keys, &a.state);
    cfg.since = a.since;
    cfg.kinds = a.kinds.clone();
    cfg.label = LabelSettings {
        namespace: a.namespace.clone(),
        predict: notetag::PredictOptions { threshold, top_k: None },
        langs: LangFilter::new(accept, Vec::new()),
    };
    cfg.check()?;
    Ok(cfg)
}

/// Run the labeler until SIGINT or SIGTERM.
pub fn run_labeler(a: &RelayArgs) -> ExitCode {
    let run = || -> notetag_relay::Result<notetag_relay::Summary> {
        let mut clf = crate::load_model(&a.model)?;
        let threshold = a.decision.apply(&mut clf)?;
        let cfg = config(a, threshold)?;
        let labeler = notetag_relay::Labeler::new(cfg, clf)?;
        let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
        eprintln!(
            "notetag relay: reading {}, publishing to {}",
            a.from.join(" "),
            a.to.join(" ")
        );
        rt.block_on(labeler.run(notetag_relay::shutdown_signal()))
    };
    match run() {
        Ok(s) => {
            eprintln!(
                "notetag relay: stopped: {}; {} label events not yet acknowledged (kept in {})",
                s.counters.line(),
                s.pending,
                a.state.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

/// Answer strfry's plugin protocol on standard input and output until the input ends.
pub fn run_policy(a: &PolicyArgs) -> ExitCode {
    let run = || -> notetag_relay::Result<()> {
        let accept = a
            .accept_langs
            .as_deref()
            .map(|l| LangFilter::parse_codes("accept-langs", l))
            .transpose()?;
        let reject = match a.reject_langs.as_deref() {
            Some(l) => LangFilter::parse_codes("reject-langs", l)?,
            None => Vec::new(),
        };
        let mut clf = crate::load_model(&a.model)?;
        let rules = PolicyRules {
            reject_topics: a.reject_topics.clone(),
            langs: LangFilter::new(accept, reject),
            threshold: a.decision.apply(&mut clf)?,
            kinds: a.kinds.clone(),
            shadow: a.shadow,
        };
        let policy = Policy::new(clf, rules)?;
        let stdin = std::io::stdin().lock();
        let stdout = std::io::stdout().lock();
        notetag_relay::run_policy(&policy, stdin, stdout)?;
        Ok(())
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}
