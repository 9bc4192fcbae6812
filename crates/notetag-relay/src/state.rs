//! The labeler's state file: where to resume, which notes are done, and the label
//! events not yet acknowledged.
//!
//! One JSON object, written atomically (a temporary file beside it, synced, then
//! renamed over it): `{"format": "notetag-relay-state", "version": 1, "resume":
//! UNIX, "seen": [[note id, key], …], "pending": [{"event": {…}, "done": [url, …]}]}`.
//! A note's key is the later of its `created_at` and the time it was seen; ids whose
//! key falls below `resume` are dropped, since a subscription from `resume` cannot
//! bring them back.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::publish::PendingRecord;

/// The `format` field of a state file.
pub const STATE_FORMAT: &str = "notetag-relay-state";

/// The version of the state file this build reads and writes.
pub const STATE_VERSION: u32 = 1;

/// The labeler's persistent state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// Must be [`STATE_FORMAT`].
    pub format: String,
    /// Must be [`STATE_VERSION`].
    pub version: u32,
    /// Unix seconds: every note created before this has been handled on every
    /// `--from` relay; subscriptions start here.
    pub resume: u64,
    /// Notes handled, with their keys.
    pub seen: Vec<(String, u64)>,
    /// Label events not yet acknowledged by every `--to` relay.
    pub pending: Vec<PendingRecord>,
}

impl State {
    /// An empty state resuming at `resume`.
    pub fn new(resume: u64) -> Self {
        State {
            format: STATE_FORMAT.into(),
            version: STATE_VERSION,
            resume,
            seen: Vec::new(),
            pending: Vec::new(),
        }
    }

    /// Read a state file; `Ok(None)` when it does not exist.
    pub fn load(path: &Path) -> Result<Option<State>> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io_at(path, e)),
        };
        let bad = |reason: String| Error::State {
            path: path.to_path_buf(),
            reason: format!("{reason}; move the file away to start afresh (notes may then be labelled again)"),
        };
        let state: State = serde_json::from_slice(&bytes).map_err(|e| bad(format!("not a state file: {e}")))?;
        if state.format != STATE_FORMAT {
            return Err(bad(format!(
                "field `format` is `{}`, not `{STATE_FORMAT}`",
                state.format
            )));
        }
        if state.version != STATE_VERSION {
            return Err(bad(format!(
                "version {} (this build reads version {STATE_VERSION})",
                state.version
            )));
        }
        Ok(Some(state))
    }

    /// Write the state atomically.
    pub fn save(&self, path: &Path) -> Result<()> {
        notetag::persist::write_atomic_with(path, |w| {
            Ok(serde_json::to_writer(w, self).map_err(std::io::Error::from)?)
        })?;
        Ok(())
    }
}

/// The notes handled: id → key (the later of `created_at` and when it was seen).
#[derive(Debug, Clone, Default)]
pub struct Seen {
    keys: HashMap<String, u64>,
}

impl Seen {
    /// From a state file's list.
    pub fn from_list(list: Vec<(String, u64)>) -> Self {
        Seen {
            keys: list.into_iter().collect(),
        }
    }

    /// Whether the note was handled.
    pub fn contains(&self, id: &str) -> bool {
        self.keys.contains_key(id)
    }

    /// Record a note; false when it was there already.
    pub fn insert(&mut self, id: &str, created_at: u64, now: u64) -> bool {
        if self.keys.contains_key(id) {
            return false;
        }
        self.keys.insert(id.to_string(), created_at.max(now));
        true
    }

    /// Forget the notes a subscription from `resume` cannot bring back.
    pub fn prune(&mut self, resume: u64) {
        self.keys.retain(|_, key| *key >= resume);
    }

    /// Number of notes remembered.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether none is remembered.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// As a state file's list.
    pub fn to_list(&self) -> Vec<(String, u64)> {
        self.keys.iter().map(|(k, v)| (k.clone(), *v)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_refusals() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        assert_eq!(State::load(&path).unwrap(), None);
        let mut s = State::new(42);
        s.seen.push(("ab".into(), 50));
        s.save(&path).unwrap();
        assert_eq!(State::load(&path).unwrap(), Some(s.clone()));
        std::fs::write(&path, "{\"format\":\"x\"").unwrap();
        let e = State::load(&path).unwrap_err().to_string();
        assert!(
            e.contains("state.json: not a state file") && e.contains("move the file away"),
            "{e}"
        );
        s.version = 9;
        std::fs::write(&path, serde_json::to_string(&s).unwrap()).unwrap();
        let e = State::load(&path).unwrap_err().to_string();
        assert!(e.contains("version 9 (this build reads version 1)"), "{e}");
    }

    #[test]
    fn seen_keys_and_pruning() {
        let mut seen = Seen::default();
        assert!(seen.insert("old", 10, 100));
        assert!(seen.insert("future", 500, 100));
        assert!(!seen.insert("old", 10, 200));
        seen.prune(101);
        assert!(!seen.contains("old") && seen.contains("future"));
        seen.prune(100);
        assert_eq!(seen.len(), 1);
    }
}
