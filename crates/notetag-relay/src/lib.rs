//! # notetag-relay
//!
//! notetag on live Nostr relays: a labeling service that reads notes from relays,
//! tags them with a [`notetag::Classifier`] and publishes signed NIP-32 label events
//! (kind 1985), and a write-policy plugin for the strfry relay that accepts or
//! refuses notes by topic or language as they arrive.
//!
//! ## The labeler
//!
//! [`Labeler::run`] subscribes (NIP-01 `REQ`) on every `--from` relay to the kinds
//! asked for, from the state's resume point, pages back through each relay's
//! stored notes until they are all in, then follows new ones live. Every event's id
//! and BIP-340 signature are checked; a note seen on several relays is labelled
//! once. A note with topics gets one signed label event, sent to every `--to`
//! relay until each answers `OK`; refusals and silence are retried with backoff,
//! and what is not yet acknowledged is kept in the state file, so that a crash
//! loses nothing. Label events are deterministic (the note's `created_at`, BIP-340's
//! deterministic signature): labelling a note twice yields the same event, which a
//! relay stores once.
//!
//! Dropped connections are made again with exponential backoff (from
//! [`conn::FIRST_BACKOFF`] to [`conn::MAX_BACKOFF`]) and the subscription resumes
//! from the resume point; `NOTICE` is logged, `CLOSED` leads to a new subscription,
//! `AUTH` (NIP-42) is answered with the same key; frames that are not NIP-01
//! messages, binary or over [`conn::MAX_FRAME_BYTES`] are logged and skipped.
//!
//! ## WebSocket stack: tokio + tokio-tungstenite
//!
//! The connections are plain [`tokio-tungstenite`](tokio_tungstenite) WebSockets
//! (TLS by rustls with the `ring` provider and the webpki roots), not the relay
//! pool of `nostr-sdk`. The labeler needs the frames themselves: a garbage or
//! oversized frame must be logged and skipped rather than end the stream, `OK`
//! answers drive its own retry and state logic, and events are labelled and signed
//! with the core's [`notetag::io::nostr`] types — one event type, one NIP-01 id,
//! one signer for the file and the live paths. A pool would bring a second
//! event model, its own retry policy and a much larger build for the few NIP-01
//! messages used here. tokio-tungstenite 0.26 is also what the relay used in the
//! tests (`nostr-relay-builder`) builds on, so the two share one WebSocket build.
//!
//! Checking signatures is most of the work per note, so [`verify`] checks the
//! events read from relays with libsecp256k1 (the `secp256k1` crate, which the
//! relays in the tests use too): the core's checks and errors, at well under half
//! the cost of the core's pure-Rust verifier.
//!
//! ## The strfry policy
//!
//! [`policy`] implements strfry's write-policy plugin protocol: one JSON line in
//! per event, one answer line out, in order, flushed at once. It is synchronous and
//! needs no runtime.
//!
//! ## Languages
//!
//! [`lang::note_lang`] is the one place that decides a note's language; the
//! `--lang`, `--accept-langs` and `--reject-langs` rules and the `ISO-639-1` label
//! all go through it.

pub mod backoff;
pub mod conn;
mod engine;
pub mod error;
pub mod label;
pub mod labeler;
pub mod lang;
pub mod message;
pub mod policy;
pub mod publish;
pub mod state;
pub mod stats;
pub mod subscribe;
pub mod verify;

pub use engine::RESUME_MARGIN_SECS;
pub use error::{Error, Result};
pub use label::{label_note, verify_and_label, LabelSettings, Outcome};
pub use labeler::{shutdown_signal, Labeler, LabelerConfig, Summary};
pub use lang::{note_lang, LangFilter};
pub use policy::{run_policy, Policy, PolicyRules};
pub use stats::Counters;
