//! A live labeler on Nostr relays, built from the library (`notetag-relay`).
//!
//! ```text
//! cargo run --release -p notetag-examples --example relay_labeler -- [FROM_URL TO_URL KEY_FILE]
//! ```
//!
//! With two relay URLs and a key file (64 hex characters or `nsec1…`), it reads
//! notes from the first relay, labels them with the embedded default model and
//! publishes signed NIP-32 label events to the second, until Ctrl-C; its state lives
//! in `relay-labeler-state.json`.
//!
//! Run bare, it shows the whole loop on this machine alone: it starts an in-memory
//! relay on 127.0.0.1 (`nostr-relay-builder`), puts the notes of
//! `examples/notes.txt` on it, runs the labeler until every note with topics has its
//! label event, then stops it and prints those label events as the relay holds them,
//! one JSON line each, in the order of the notes.

use std::time::{Duration, Instant};

use nostr_relay_builder::prelude::{Filter, JsonUtil, Kind, LocalRelay, MemoryDatabase, MemoryDatabaseOptions};
use nostr_relay_builder::prelude::{NostrDatabase, RelayBuilder};
use notetag::io::nostr::{Event, EventTemplate, Keys};
use notetag::Classifier;
use notetag_relay::{Labeler, LabelerConfig};

fn main() -> std::process::ExitCode {
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => return notetag_examples::exit_status(Err(e)),
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    notetag_examples::exit_status(rt.block_on(async {
        match args.as_slice() {
            [from, to, key_file] => run_live(from, to, key_file).await,
            [] => demo().await,
            _ => Err("usage: relay_labeler [FROM_URL TO_URL KEY_FILE]".into()),
        }
    }))
}

type Res = Result<(), Box<dyn std::error::Error>>;

/// Label notes from `from` onto `to` until Ctrl-C or SIGTERM.
async fn run_live(from: &str, to: &str, key_file: &str) -> Res {
    let keys: Keys = std::fs::read_to_string(key_file)?.parse()?;
    let config = LabelerConfig::new(vec![from.into()], vec![to.into()], keys, "relay-labeler-state.json");
    let labeler = Labeler::new(config, Classifier::default_model()?)?;
    let summary = labeler.run(notetag_relay::shutdown_signal()).await?;
    eprintln!("{}", summary.counters.line());
    Ok(())
}

/// A relay of its own, the example notes on it, and the labeler until they are done.
async fn demo() -> Res {
    let db = MemoryDatabase::with_opts(MemoryDatabaseOptions {
        events: true,
        max_events: Some(10_000),
    });
    let relay = LocalRelay::new(RelayBuilder::default().database(db.clone()));
    relay.run().await?;
    let url = relay.url().await.to_string();

    let clf = Classifier::default_model()?;
    let author: Keys = "0000000000000000000000000000000000000000000000000000000000000007".parse()?;
    let texts = include_str!("../notes.txt");
    let mut notes = Vec::new();
    for (i, text) in texts.lines().enumerate() {
        let note = author.sign(EventTemplate {
            created_at: 1_700_000_000 + i as u64,
            kind: 1,
            tags: vec![],
            content: text.to_string(),
        });
        db.save_event(&nostr_relay_builder::prelude::Event::from_json(note.to_json())?)
            .await?;
        notes.push(note);
    }
    let expected = notes
        .iter()
        .filter(|n| clf.predict(&n.content).labels().next().is_some())
        .count();

    // A throwaway key: use your own (and keep it secret) for real labels.
    let keys: Keys = "0000000000000000000000000000000000000000000000000000000000000003".parse()?;
    let state = std::env::temp_dir().join(format!("relay-labeler-demo-{}.json", std::process::id()));
    let mut config = LabelerConfig::new(vec![url.clone()], vec![url], keys, &state);
    config.since = Some(0);
    let labeler = Labeler::new(config, clf)?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(labeler.run(async move {
        let _ = stopped.await;
    }));

    let labels_kind = Filter::new().kind(Kind::from(1985u16));
    let start = Instant::now();
    while db.count(labels_kind.clone()).await? < expected && start.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = stop.send(());
    let summary = running.await??;
    let _ = std::fs::remove_file(&state);

    let stored: Vec<Event> = db
        .query(labels_kind)
        .await?
        .into_iter()
        .map(|e| Event::from_json(&e.as_json()))
        .collect::<Result<_, _>>()?;
    for note in &notes {
        let points_here = |l: &&Event| l.tags.iter().any(|t| t[0] == "e" && t[1] == note.id);
        if let Some(label) = stored.iter().find(points_here) {
            println!("{}", label.to_json());
        }
    }
    eprintln!("{}", summary.counters.line());
    Ok(())
}
