//! Test support: a real relay (nostr-relay-builder's `LocalRelay`, in memory, on
//! 127.0.0.1), notes signed for it, a WebSocket client that publishes them, and a
//! TCP proxy that can cut connections and inject garbage frames.

use std::future::Future;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use nostr_relay_builder::prelude::{
    Filter, JsonUtil, Kind, LocalRelay, MemoryDatabase, MemoryDatabaseOptions, NostrDatabase, RateLimit, RelayBuilder,
};
use notetag::io::nostr::{Event, EventTemplate, Keys};
use tokio_tungstenite::tungstenite::Message;

/// A relay and its store.
pub struct TestRelay {
    pub relay: LocalRelay,
    pub db: MemoryDatabase,
    pub url: String,
}

/// Start a relay on 127.0.0.1 (a free port), storing up to `max_events` events;
/// rate limits off, the default cap of 500 events per `REQ` kept.
pub async fn start_relay(max_events: usize) -> TestRelay {
    start_relay_with(max_events, |b| b).await
}

/// [`start_relay`] with more settings.
pub async fn start_relay_with(max_events: usize, more: impl FnOnce(RelayBuilder) -> RelayBuilder) -> TestRelay {
    let db = MemoryDatabase::with_opts(MemoryDatabaseOptions {
        events: true,
        max_events: Some(max_events),
    });
    let builder = RelayBuilder::default().database(db.clone()).rate_limit(RateLimit {
        max_reqs: 500,
        notes_per_minute: 10_000_000,
    });
    let relay = LocalRelay::new(more(builder));
    relay.run().await.expect("start the test relay");
    let url = relay.url().await.to_string();
    TestRelay { relay, db, url }
}

impl TestRelay {
    /// Store events as if published long ago (the backlog).
    pub async fn store(&self, events: &[Event]) {
        for ev in events {
            let n = to_nostr(ev);
            self.db.save_event(&n).await.expect("store an event");
        }
    }

    /// Events of `kind` in the store.
    pub async fn events_of_kind(&self, kind: u16) -> Vec<Event> {
        let found = self
            .db
            .query(Filter::new().kind(Kind::from(kind)))
            .await
            .expect("query the store");
        found
            .into_iter()
            .map(|e| Event::from_json(&e.as_json()).expect("an event"))
            .collect()
    }

    /// How many events of `kind` the store holds (cheaper than fetching them).
    pub async fn count_of_kind(&self, kind: u16) -> usize {
        self.db
            .count(Filter::new().kind(Kind::from(kind)))
            .await
            .expect("count in the store")
    }

    /// Hand an event to the relay's subscribers without any check (a forged event
    /// reaching the labeler as if the relay had let it through).
    pub fn push_unchecked(&self, ev: &Event) {
        let n: nostr_relay_builder::prelude::Event =
            serde_json::from_str(&ev.to_json()).expect("the event has NIP-01's shape");
        assert!(self.relay.notify_event(n));
    }

    /// The address, for a proxy.
    pub fn addr(&self) -> std::net::SocketAddr {
        self.url
            .trim_start_matches("ws://")
            .trim_end_matches('/')
            .parse()
            .expect("ws://IP:PORT")
    }
}

pub fn to_nostr(ev: &Event) -> nostr_relay_builder::prelude::Event {
    nostr_relay_builder::prelude::Event::from_json(ev.to_json()).expect("a NIP-01 event")
}

/// Texts of notes: the project's corpus test split.
pub fn corpus_texts(n: usize) -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/corpus/test.jsonl");
    let all = notetag::io::read_examples(path, None).expect("read the corpus");
    all.iter()
        .cycle()
        .take(n)
        .enumerate()
        .map(|(i, e)| format!("{} #{i}", e.text))
        .collect()
}

/// Kind-1 notes signed by `keys`, one per text, `created_at` from `t0` on.
pub fn notes(keys: &Keys, texts: &[String], t0: u64) -> Vec<Event> {
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            keys.sign(EventTemplate {
                created_at: t0 + i as u64,
                kind: 1,
                tags: vec![],
                content: t.clone(),
            })
        })
        .collect()
}

pub fn keys(n: u8) -> Keys {
    let mut hex = "00".repeat(31);
    hex.push_str(&format!("{n:02x}"));
    hex.parse().expect("a key")
}

pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Publish events over a WebSocket and wait for every `OK`.
pub async fn publish(url: &str, events: &[Event]) {
    let (mut ws, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("connect to the relay");
    for ev in events {
        ws.send(Message::Text(format!("[\"EVENT\",{}]", ev.to_json()).into()))
            .await
            .unwrap();
    }
    let mut oks = 0;
    while oks < events.len() {
        oks += usize::from(next_ok(&mut ws, Duration::from_secs(20)).await);
    }
    let _ = ws.close(None).await;
}

/// Read the next frame from a publishing connection: true when it is an `OK`
/// (which must accept the event), false for any other frame.
pub async fn next_ok<S>(ws: &mut S, within: Duration) -> bool
where
    S: futures_util::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    let msg = tokio::time::timeout(within, ws.next()).await.expect("an OK in time");
    match msg {
        Some(Ok(Message::Text(t))) if t.starts_with("[\"OK\"") => {
            assert!(t.contains("true"), "publish refused: {t}");
            true
        }
        _ => false,
    }
}

/// Poll `check` until it returns true; panics with `what` after `limit`.
pub async fn wait_for<F, Fut>(limit: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let start = Instant::now();
    while !check().await {
        assert!(start.elapsed() < limit, "timed out after {limit:?} waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The note id a label event points at.
pub fn target(label: &Event) -> String {
    label
        .tags
        .iter()
        .find(|t| t[0] == "e")
        .map(|t| t[1].clone())
        .expect("an e tag")
}

/// The `l` values of a label event: its topics, then its language label.
pub fn l_values(label: &Event) -> Vec<String> {
    label
        .tags
        .iter()
        .filter(|t| t[0] == "l")
        .map(|t| t[1].clone())
        .collect()
}
