//! `notetag relay` as a process against a real relay on 127.0.0.1
//! (nostr-relay-builder's in-memory `LocalRelay`): stopped by SIGTERM and started
//! again from its state, it labels every note once, as `notetag predict` does.
#![cfg(all(unix, feature = "relay"))]

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nostr_relay_builder::prelude::{
    Filter, JsonUtil, Kind, LocalRelay, MemoryDatabase, MemoryDatabaseOptions, NostrDatabase, RateLimit, RelayBuilder,
};
use notetag::io::nostr::{verify_event, Event, EventTemplate, Keys};

const LABELER_KEY: &str = "0000000000000000000000000000000000000000000000000000000000000003";
const LIMIT: Duration = Duration::from_secs(120);

struct Relay {
    rt: tokio::runtime::Runtime,
    relay: LocalRelay,
    db: MemoryDatabase,
    url: String,
}

impl Relay {
    fn start() -> Relay {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let db = MemoryDatabase::with_opts(MemoryDatabaseOptions {
            events: true,
            max_events: Some(50_000),
        });
        let builder = RelayBuilder::default().database(db.clone()).rate_limit(RateLimit {
            max_reqs: 500,
            notes_per_minute: 10_000_000,
        });
        let relay = LocalRelay::new(builder);
        let url = rt.block_on(async {
            relay.run().await.unwrap();
            relay.url().await.to_string()
        });
        Relay { rt, relay, db, url }
    }

    /// Store notes and hand them to live subscribers, as a publish does.
    fn publish(&self, notes: &[Event]) {
        self.rt.block_on(async {
            for n in notes {
                let e = nostr_relay_builder::prelude::Event::from_json(n.to_json()).unwrap();
                self.db.save_event(&e).await.unwrap();
                self.relay.notify_event(e);
            }
        });
    }

    fn labels(&self) -> Vec<Event> {
        self.rt.block_on(async {
            let found = self.db.query(Filter::new().kind(Kind::from(1985u16))).await.unwrap();
            found
                .into_iter()
                .map(|e| Event::from_json(&e.as_json()).unwrap())
                .collect()
        })
    }

    fn wait_labels(&self, n: usize) -> Vec<Event> {
        let start = Instant::now();
        loop {
            let l = self.labels();
            if l.len() >= n {
                return l;
            }
            assert!(
                start.elapsed() < LIMIT,
                "timed out waiting for {n} labels (have {})",
                l.len()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

fn notes(texts: &[String], t0: u64) -> Vec<Event> {
    let author: Keys = "0000000000000000000000000000000000000000000000000000000000000009"
        .parse()
        .unwrap();
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            author.sign(EventTemplate {
                created_at: t0 + i as u64,
                kind: 1,
                tags: vec![],
                content: t.clone(),
            })
        })
        .collect()
}

fn texts(range: std::ops::Range<usize>) -> Vec<String> {
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/corpus/dev.jsonl");
    let all = notetag::io::read_examples(corpus, None).unwrap();
    range.map(|i| format!("{} ({i})", all[i % all.len()].text)).collect()
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn labeler(url: &str, dir: &Path, log: &str) -> Child {
    let err = std::fs::File::create(dir.join(log)).unwrap();
    Command::new(env!("CARGO_BIN_EXE_notetag"))
        .args(["relay", "--from", url, "--to", url, "--since", "0"])
        .arg("--sign-key")
        .arg(dir.join("key.hex"))
        .arg("--state")
        .arg(dir.join("state.json"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(err)
        .spawn()
        .unwrap()
}

/// SIGTERM, then the exit status within the time limit.
fn terminate(mut child: Child) -> std::process::ExitStatus {
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if start.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("notetag relay did not stop within 30 s of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Note id → topics, as `notetag predict --output-format nip32` gives them.
fn predicted(notes: &[Event]) -> HashMap<String, Vec<String>> {
    let dump: String = notes.iter().map(|n| n.to_json() + "\n").collect();
    let (code, out, err) = common::notetag(&["predict", "--format", "nostr", "--output-format", "nip32"], &dump);
    assert_eq!(code, 0, "{err}");
    out.lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter_map(|v| {
            let tags = v["tags"].as_array()?.clone();
            let id = tags.iter().find(|t| t[0] == "e")?[1].as_str()?.to_string();
            let topics: Vec<String> = tags
                .iter()
                .filter(|t| t[0] == "l")
                .map(|t| t[1].as_str().unwrap().to_string())
                .collect();
            (!topics.is_empty()).then_some((id, topics))
        })
        .collect()
}

#[test]
fn sigterm_then_restart_labels_every_note_once_as_predict_does() {
    let relay = Relay::start();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("key.hex"), format!("{LABELER_KEY}\n")).unwrap();
    let mut all = notes(&texts(0..600), now() - 50_000);
    relay.publish(&all);
    let want_first = predicted(&all).len();

    let first = labeler(&relay.url, dir.path(), "first.log");
    relay.wait_labels(want_first / 3);
    let status = terminate(first);
    let log1 = std::fs::read_to_string(dir.path().join("first.log")).unwrap();
    assert!(status.success(), "exit {status}: {log1}");
    assert!(log1.contains("notetag relay: stopped: events in"), "{log1}");
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("state.json")).unwrap()).unwrap();
    assert_eq!(state["format"], "notetag-relay-state");

    // Notes published while it was down, and more while it runs again.
    let down = notes(&texts(600..700), now() - 100);
    relay.publish(&down);
    all.extend(down);
    let second = labeler(&relay.url, dir.path(), "second.log");
    let live = notes(&texts(700..760), now());
    relay.publish(&live);
    all.extend(live);
    let want = predicted(&all);
    relay.wait_labels(want.len());
    std::thread::sleep(Duration::from_millis(500));
    let status = terminate(second);
    let log2 = std::fs::read_to_string(dir.path().join("second.log")).unwrap();
    assert!(status.success(), "exit {status}: {log2}");

    let labels = relay.labels();
    let labeler: Keys = LABELER_KEY.parse().unwrap();
    let mut got: HashMap<String, Vec<String>> = HashMap::new();
    for l in &labels {
        verify_event(l).unwrap();
        assert_eq!(l.pubkey, labeler.public_key_hex());
        let id = l.tags.iter().find(|t| t[0] == "e").unwrap()[1].clone();
        let topics = l.tags.iter().filter(|t| t[0] == "l").map(|t| t[1].clone()).collect();
        assert!(got.insert(id.clone(), topics).is_none(), "note {id} labelled twice");
    }
    assert_eq!(got, want);
}

/// `notetag relay` with `extra` flags after the usual ones: (exit code, stderr).
fn relay_usage(key: &Path, state: &Path, extra: &[&str]) -> (i32, String) {
    let (k, s) = (key.to_str().unwrap(), state.to_str().unwrap());
    let mut args = vec!["relay", "--sign-key", k, "--state", s];
    if !extra.contains(&"--from") {
        args.extend(["--from", "ws://127.0.0.1:9"]);
    }
    args.extend(["--to", "ws://127.0.0.1:9"]);
    args.extend(extra);
    let (code, _, err) = common::notetag(&args, "");
    (code, err)
}

#[test]
fn relay_usage_errors_name_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let (key, state) = (dir.path().join("key"), dir.path().join("s.json"));
    std::fs::write(&key, "npub1xyz").unwrap();
    let (code, err) = relay_usage(&key, &state, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("invalid parameter `sign-key`") && err.contains("npub"),
        "{err}"
    );
    std::fs::write(&key, LABELER_KEY).unwrap();
    let (code, err) = relay_usage(&key, &state, &["--from", "http://x"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("invalid parameter `from`: `http://x` is not a relay URL"),
        "{err}"
    );
    let (code, err) = relay_usage(&key, &state, &["--lang", "english"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("invalid parameter `lang`"), "{err}");
    std::fs::write(&state, "{}").unwrap();
    let (code, err) = relay_usage(&key, &state, &[]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("s.json: not a state file"), "{err}");
}
