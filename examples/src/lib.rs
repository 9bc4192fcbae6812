//! Runnable examples of the [`notetag`] library; the code is in `examples/examples/`.
//!
//! | example | what it shows |
//! | --- | --- |
//! | `quickstart` | tag notes with the embedded default model |
//! | `train_jsonl` | train on your own labels from JSON Lines, save, load, predict |
//! | `compare_learners` | compare learners by k-fold cross-validation (benchmarking) |
//! | `nostr_labels` | read a Nostr relay dump and write NIP-32 label events |
//! | `service_loop` | a stdin → stdout tagging loop that reuses its buffers |
//! | `relay_labeler` | a live labeler on Nostr relays (`notetag-relay`), with a relay of its own when run bare |
//!
//! Run one from the repository root with
//! `cargo run --release -p notetag-examples --example NAME`.
//! `tests/run_examples.rs` runs each of them as part of `cargo test` and checks
//! what it prints, so none of them can rot.

use std::process::ExitCode;

/// An example's exit status from what its body returned: success, or the error's
/// message (`error: …`, as its `Display` writes it, not its `Debug` form) on
/// standard error and failure. Each example's `main` is
/// `notetag_examples::exit_status(run())`.
pub fn exit_status<E: std::fmt::Display>(result: Result<(), E>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
