//! The labeler against real relays on 127.0.0.1 (nostr-relay-builder's in-memory
//! `LocalRelay`), some behind a proxy that cuts connections and injects garbage.

use std::collections::HashMap;
use std::time::Duration;

use crate::common::{corpus_texts, keys, l_values, notes, now, publish, start_relay, target, wait_for, TestRelay};
use crate::proxy::Proxy;
use notetag::io::nostr::{verify_event, Event, Keys};
use notetag::Classifier;
use notetag_relay::{Labeler, LabelerConfig, Summary};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

const LIMIT: Duration = Duration::from_secs(120);

struct Running {
    stop: oneshot::Sender<()>,
    task: JoinHandle<notetag_relay::Result<Summary>>,
    _dir: tempfile::TempDir,
}

fn start(from: Vec<String>, to: Vec<String>, labeler: &Keys) -> Running {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = LabelerConfig::new(from, to, labeler.clone(), dir.path().join("state.json"));
    cfg.since = Some(0);
    cfg.stats_every = Duration::from_secs(2);
    let run = Labeler::new(cfg, Classifier::default_model().unwrap()).unwrap();
    let (stop, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(run.run(async move {
        let _ = rx.await;
    }));
    Running { stop, task, _dir: dir }
}

impl Running {
    async fn finish(self) -> Summary {
        let _ = self.stop.send(());
        tokio::time::timeout(LIMIT, self.task)
            .await
            .expect("stops in time")
            .unwrap()
            .unwrap()
    }
}

/// Note id → expected `l` values (its topics, then its language when known), for
/// the notes that have topics.
fn expected(notes: &[Event]) -> HashMap<String, Vec<String>> {
    let clf = Classifier::default_model().unwrap();
    notes
        .iter()
        .filter_map(|n| {
            let pred = clf.predict(&n.content);
            let mut t: Vec<String> = pred.labels().map(str::to_string).collect();
            if t.is_empty() {
                return None;
            }
            t.extend(notetag_relay::lang::note_lang(&pred).map(str::to_string));
            Some((n.id.clone(), t))
        })
        .collect()
}

/// Every expected note has exactly one label event, signed by `labeler`, whose
/// topics are the model's, and nothing else is labelled.
fn check_labels(labels: &[Event], want: &HashMap<String, Vec<String>>, labeler: &Keys) {
    let mut by_note: HashMap<String, usize> = HashMap::new();
    for l in labels {
        verify_event(l).expect("label events verify");
        assert_eq!(l.pubkey, labeler.public_key_hex());
        assert_eq!(l.kind, 1985);
        let id = target(l);
        *by_note.entry(id.clone()).or_default() += 1;
        assert_eq!(Some(&l_values(l)), want.get(&id), "labels of note {id}");
    }
    assert_eq!(by_note.len(), want.len(), "labelled notes");
    assert!(by_note.values().all(|&n| n == 1), "a note labelled twice");
}

async fn wait_labels(relay: &TestRelay, n: usize) -> Vec<Event> {
    wait_for(LIMIT, &format!("{n} label events"), || async {
        relay.count_of_kind(1985).await >= n
    })
    .await;
    relay.events_of_kind(1985).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backlog_and_live_notes_are_labelled_once_and_forgeries_ignored() {
    let relay = start_relay(100_000).await;
    let (author, labeler) = (keys(7), keys(3));
    // 1,200 stored notes: more than the relay's 500 per REQ, so the labeler pages.
    let backlog = notes(&author, &corpus_texts(1200), now() - 10_000);
    relay.store(&backlog).await;
    let run = start(vec![relay.url.clone()], vec![relay.url.clone()], &labeler);
    let mut all = backlog.clone();
    wait_labels(&relay, expected(&all).len()).await;

    let live = notes(&author, &corpus_texts(1260)[1200..], now());
    publish(&relay.url, &live).await;
    all.extend(live);
    // Forgeries: a changed content (id mismatch) and a valid id with another's signature.
    let mut changed = notes(&author, &["The Fed held rates; yields slipped".to_string()], now())[0].clone();
    changed.content.push('!');
    relay.push_unchecked(&changed);
    let mut stolen = notes(&author, &["Chip makers ship new AI accelerators".to_string()], now())[0].clone();
    stolen.sig = all[0].sig.clone();
    relay.push_unchecked(&stolen);
    // A valid note after the forgeries: the labeler reads and records notes in
    // the order the relay sends them, so once this one's label is out, the
    // forgeries have been counted.
    let last = notes(
        &author,
        &["Central banks raised interest rates again as inflation stayed high".to_string()],
        now(),
    );
    assert_eq!(expected(&last).len(), 1, "the last note has a topic");
    publish(&relay.url, &last).await;
    all.extend(last);
    let labels = wait_labels(&relay, expected(&all).len()).await;
    let summary = run.finish().await;
    check_labels(&labels, &expected(&all), &labeler);
    let c = summary.counters;
    assert_eq!(c.invalid, 2, "{c:?}");
    assert_eq!(c.labelled + c.no_topic, all.len() as u64, "{c:?}");
    assert_eq!(c.published, c.labelled, "{c:?}");
    assert_eq!(summary.pending, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_note_on_two_relays_is_labelled_once() {
    let (a, b, out) = (
        start_relay(10_000).await,
        start_relay(10_000).await,
        start_relay(10_000).await,
    );
    let (author, labeler) = (keys(9), keys(3));
    let backlog = notes(&author, &corpus_texts(300), now() - 5_000);
    a.store(&backlog).await;
    b.store(&backlog).await;
    let run = start(vec![a.url.clone(), b.url.clone()], vec![out.url.clone()], &labeler);
    let live = notes(&author, &corpus_texts(340)[300..], now());
    publish(&a.url, &live).await;
    publish(&b.url, &live).await;
    let mut all = backlog;
    all.extend(live);
    let want = expected(&all);
    let labels = wait_labels(&out, want.len()).await;
    // A moment for any late duplicate to show.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let summary = run.finish().await;
    check_labels(&out.events_of_kind(1985).await, &want, &labeler);
    assert_eq!(labels.len(), want.len());
    assert!(
        summary.counters.duplicates >= all.len() as u64,
        "{:?}",
        summary.counters
    );
    assert!(
        a.events_of_kind(1985).await.is_empty(),
        "nothing published to a --from relay"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_connections_lose_nothing_and_label_nothing_twice() {
    let relay = start_relay(100_000).await;
    let proxy = Proxy::start(relay.addr()).await;
    let (author, labeler) = (keys(11), keys(3));
    let backlog = notes(&author, &corpus_texts(1500), now() - 20_000);
    relay.store(&backlog).await;
    let run = start(vec![proxy.url.clone()], vec![proxy.url.clone()], &labeler);
    let mut all = backlog;
    // Cut every connection a few times while the backlog streams and notes arrive,
    // once staying down for a while.
    for round in 0..4u64 {
        let n = all.len();
        wait_for(LIMIT, "a connection", || async { proxy.accepted() as u64 > round }).await;
        tokio::time::sleep(Duration::from_millis(150)).await;
        proxy.cut();
        if round == 2 {
            proxy.set_down(true);
            tokio::time::sleep(Duration::from_millis(800)).await;
            proxy.set_down(false);
        }
        let live = notes(&author, &corpus_texts(n + 25)[n..], now());
        publish(&relay.url, &live).await;
        all.extend(live);
    }
    let want = expected(&all);
    wait_labels(&relay, want.len()).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let summary = run.finish().await;
    check_labels(&relay.events_of_kind(1985).await, &want, &labeler);
    assert!(summary.counters.reconnects >= 4, "{:?}", summary.counters);
    assert_eq!(summary.pending, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_frames_are_skipped() {
    let relay = start_relay(10_000).await;
    let proxy = Proxy::start(relay.addr()).await;
    let (author, labeler) = (keys(13), keys(3));
    let backlog = notes(&author, &corpus_texts(200), now() - 5_000);
    let mut forged = notes(
        &author,
        &["Parliament votes on new sanctions".to_string()],
        now() - 4_000,
    )[0]
    .clone();
    forged.content = "changed after signing".into();
    let forged_frame = format!("[\"EVENT\",\"notetag-live\",{}]", forged.to_json());
    proxy.inject(vec![
        (1, b"this is not JSON".to_vec()),
        (1, br#"["EVENT","notetag-live",{"id":"zz","kind":1}]"#.to_vec()),
        (2, vec![0, 159, 146, 150]),
        (1, vec![b'x'; (1 << 20) + 10]),
        (1, b"[]".to_vec()),
        (1, br#"["NOTICE","garbage ahead"]"#.to_vec()),
        (1, br#"["OK","nope",true,""]"#.to_vec()),
        (1, br#"["EVENT","someone-else",{"id":"a"}]"#.to_vec()),
        (1, forged_frame.into_bytes()),
    ]);
    relay.store(&backlog).await;
    let run = start(vec![proxy.url.clone()], vec![relay.url.clone()], &labeler);
    let live = notes(&author, &corpus_texts(230)[200..], now());
    publish(&relay.url, &live).await;
    let mut all = backlog;
    all.extend(live);
    let want = expected(&all);
    wait_labels(&relay, want.len()).await;
    let summary = run.finish().await;
    check_labels(&relay.events_of_kind(1985).await, &want, &labeler);
    assert!(proxy.injected() > 20, "{}", proxy.injected());
    let c = summary.counters;
    assert!(c.malformed >= 5 && c.invalid >= 1, "{c:?}");
    assert_eq!(c.labelled + c.no_topic, all.len() as u64, "{c:?}");
}
