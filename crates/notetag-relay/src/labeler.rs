//! The labeling service: its settings, and the loop that runs it until shutdown.

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use notetag::io::nostr::Keys;
use notetag::Classifier;
use tokio::sync::{mpsc, watch};

use crate::conn::{self, FromConn};
use crate::engine::{unix_now, Engine, Slot};
use crate::error::{Error, Result};
use crate::label::LabelSettings;
use crate::state::State;
use crate::stats::Counters;

/// Settings of a [`Labeler`]. [`LabelerConfig::new`] fills in the defaults.
#[derive(Debug, Clone)]
pub struct LabelerConfig {
    /// Relays to read notes from (`ws://` or `wss://` URLs).
    pub from: Vec<String>,
    /// Relays to publish label events to (may name the same relays as `from`).
    pub to: Vec<String>,
    /// The key that signs label events and answers NIP-42 challenges.
    pub keys: Keys,
    /// The state file (created when missing).
    pub state_path: PathBuf,
    /// Where to start, in Unix seconds, when the state file does not exist yet
    /// (default: now). Ignored when it exists.
    pub since: Option<u64>,
    /// Event kinds to label (default 1 and 30023).
    pub kinds: Vec<u64>,
    /// Namespace, thresholds and language rules of the labels.
    pub label: LabelSettings,
    /// How often a line of counts is logged (default one minute).
    pub stats_every: Duration,
    /// How long pending label events are given at shutdown (default 5 s).
    pub flush_timeout: Duration,
    /// How often the state is written while something changes (default 5 s).
    pub save_every: Duration,
}

impl LabelerConfig {
    /// Settings with the defaults for everything but the relays, key and state file.
    pub fn new(from: Vec<String>, to: Vec<String>, keys: Keys, state_path: impl Into<PathBuf>) -> Self {
        LabelerConfig {
            from,
            to,
            keys,
            state_path: state_path.into(),
            since: None,
            kinds: vec![1, 30023],
            label: LabelSettings::default(),
            stats_every: Duration::from_secs(60),
            flush_timeout: Duration::from_secs(5),
            save_every: Duration::from_secs(5),
        }
    }

    /// Check every setting; the error names the flag.
    pub fn check(&self) -> Result<()> {
        if self.from.is_empty() {
            return Err(Error::param("from", "at least one relay to read from is needed"));
        }
        if self.to.is_empty() {
            return Err(Error::param("to", "at least one relay to publish to is needed"));
        }
        for url in &self.from {
            check_url("from", url)?;
        }
        for url in &self.to {
            check_url("to", url)?;
        }
        if self.kinds.is_empty() {
            return Err(Error::param("kinds", "at least one event kind is needed"));
        }
        self.label.predict.check()?;
        if self.label.namespace.trim().is_empty() {
            return Err(Error::param("namespace", "the label namespace is empty"));
        }
        Ok(())
    }
}

fn check_url(name: &'static str, url: &str) -> Result<()> {
    let rest = url.strip_prefix("ws://").or_else(|| url.strip_prefix("wss://"));
    match rest {
        Some(r) if !r.is_empty() && !r.starts_with('/') && !url.chars().any(char::is_whitespace) => Ok(()),
        _ => Err(Error::param(
            name,
            format!("`{url}` is not a relay URL (expected ws://HOST[:PORT][/PATH] or wss://…)"),
        )),
    }
}

/// The same relay however its URL ends.
fn same_relay(a: &str, b: &str) -> bool {
    a.trim_end_matches('/').eq_ignore_ascii_case(b.trim_end_matches('/'))
}

/// What a run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Counts since the start.
    pub counters: Counters,
    /// Label events still not acknowledged by every `--to` relay (kept in the state).
    pub pending: usize,
    /// The resume point written to the state.
    pub resume: u64,
}

/// A labeling service: reads notes from relays, labels them, publishes the labels.
///
/// ```no_run
/// # async fn demo() -> notetag_relay::Result<()> {
/// use notetag_relay::{Labeler, LabelerConfig};
///
/// let keys: notetag::io::nostr::Keys = std::fs::read_to_string("key.nsec")?.parse().map_err(notetag::Error::from)?;
/// let config = LabelerConfig::new(vec!["wss://relay.example".into()], vec!["wss://relay.example".into()], keys, "state.json");
/// let labeler = Labeler::new(config, notetag::Classifier::default_model()?)?;
/// let summary = labeler.run(notetag_relay::shutdown_signal()).await?;
/// eprintln!("{}", summary.counters.line());
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Labeler {
    config: LabelerConfig,
    clf: Arc<Classifier>,
}

impl Labeler {
    /// A labeler with these settings and this model; the settings are checked.
    pub fn new(config: LabelerConfig, clf: Classifier) -> Result<Labeler> {
        config.check()?;
        Ok(Labeler {
            config,
            clf: Arc::new(clf),
        })
    }

    /// Run until `shutdown` completes; then stop reading, give pending label events
    /// [`LabelerConfig::flush_timeout`] to be acknowledged, and write the state.
    ///
    /// Needs a Tokio runtime with time and I/O enabled. Fails only when the state
    /// file cannot be read at the start or written at the end, or the labelling
    /// threads cannot be started; relay trouble is logged on standard error,
    /// counted and retried.
    pub async fn run(self, shutdown: impl Future<Output = ()>) -> Result<Summary> {
        let cfg = self.config;
        let pool = labelling_pool()?;
        let state = match State::load(&cfg.state_path)? {
            Some(s) => s,
            None => {
                // Written at once, so that an unwritable place fails now, not at exit.
                let s = State::new(cfg.since.unwrap_or_else(unix_now));
                s.save(&cfg.state_path)?;
                s
            }
        };
        let mut slots: Vec<Slot> = Vec::new();
        for (url, reads) in cfg
            .from
            .iter()
            .map(|u| (u, true))
            .chain(cfg.to.iter().map(|u| (u, false)))
        {
            match slots.iter_mut().find(|s| same_relay(&s.url, url)) {
                Some(s) if reads => s.reads = true,
                Some(s) => s.writes = true,
                None => slots.push(Slot::new(url.clone(), reads, !reads)),
            }
        }
        let (tx, mut rx) = mpsc::channel(4096);
        let (stop_tx, stop_rx) = watch::channel(false);
        let conns: Vec<conn::Conn> = slots
            .iter()
            .enumerate()
            .map(|(i, s)| conn::spawn(i, s.url.clone(), tx.clone(), stop_rx.clone()))
            .collect();
        drop(tx);
        let mut engine = Engine::new(&cfg, self.clf, pool, slots, &conns, state);
        let mut tick = tokio::time::interval(Duration::from_millis(250));
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                biased;
                _ = &mut shutdown => break,
                Some(first) = rx.recv() => engine.handle(drain(first, &mut rx)).await,
                _ = tick.tick() => engine.tick(),
            }
        }
        engine.stop_reading();
        let deadline = tokio::time::Instant::now() + cfg.flush_timeout;
        while !engine.outbox_is_empty() {
            tokio::select! {
                Some(first) = rx.recv() => engine.handle(drain(first, &mut rx)).await,
                _ = tick.tick() => engine.tick(),
                _ = tokio::time::sleep_until(deadline) => break,
            }
        }
        let summary = engine.save_final();
        let _ = stop_tx.send(true);
        drop(rx);
        for c in conns {
            let _ = tokio::time::timeout(Duration::from_secs(2), c.task).await;
        }
        summary
    }
}

/// Threads that verify, classify and sign notes, one per core, named
/// `notetag-label-N` (so that `top -H` and the measurements tell them apart).
fn labelling_pool() -> Result<Arc<rayon::ThreadPool>> {
    let pool = rayon::ThreadPoolBuilder::new()
        .thread_name(|i| format!("notetag-label-{i}"))
        .build()
        .map_err(|e| Error::Io {
            path: None,
            source: std::io::Error::other(format!("cannot start the labelling threads: {e}")),
        })?;
    Ok(Arc::new(pool))
}

/// `first` and whatever else is waiting, up to a batch.
fn drain(first: FromConn, rx: &mut mpsc::Receiver<FromConn>) -> Vec<FromConn> {
    let mut batch = vec![first];
    while batch.len() < 2048 {
        match rx.try_recv() {
            Ok(m) => batch.push(m),
            Err(_) => break,
        }
    }
    batch
}

/// Completes on SIGINT or SIGTERM (on Unix; Ctrl-C elsewhere).
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> LabelerConfig {
        let keys: Keys = "0000000000000000000000000000000000000000000000000000000000000003"
            .parse()
            .unwrap();
        LabelerConfig::new(
            vec!["ws://127.0.0.1:1".into()],
            vec!["wss://relay.example/".into()],
            keys,
            "s.json",
        )
    }

    #[test]
    fn settings_are_checked() {
        assert!(config().check().is_ok());
        let mut c = config();
        c.from = vec!["http://relay.example".into()];
        assert_eq!(
            c.check().unwrap_err().to_string(),
            "invalid parameter `from`: `http://relay.example` is not a relay URL (expected ws://HOST[:PORT][/PATH] or wss://…)"
        );
        let mut c = config();
        c.to.clear();
        assert!(c.check().unwrap_err().to_string().contains("`to`"));
        let mut c = config();
        c.label.predict.threshold = Some(1.5);
        assert!(c.check().unwrap_err().to_string().contains("`threshold`"));
        assert!(same_relay("wss://A.example/", "wss://a.example"));
    }
}
