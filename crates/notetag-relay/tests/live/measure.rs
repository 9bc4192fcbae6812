//! Figures, not checks: labelling throughput from a local relay, reconnect time
//! after every connection is cut, and publish latency (a note in, its label out).
//! Ignored by default; run with
//!
//! ```text
//! cargo test --release -p notetag-relay --test live -- --ignored --nocapture
//! ```

use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

use crate::common::{corpus_texts, keys, notes, now, publish, start_relay, wait_for};
use crate::proxy::Proxy;
use notetag::io::nostr::Event;
use notetag::Classifier;
use notetag_relay::{Labeler, LabelerConfig};

fn labeler(from: &str, to: &str, dir: &std::path::Path) -> Labeler {
    let mut cfg = LabelerConfig::new(vec![from.into()], vec![to.into()], keys(3), dir.join("state.json"));
    cfg.since = Some(0);
    cfg.stats_every = Duration::from_secs(3600);
    Labeler::new(cfg, Classifier::default_model().unwrap()).unwrap()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "a measurement: run with --ignored --nocapture"]
async fn throughput_reconnect_and_latency() {
    let n = 20_000;
    let (from, to) = (start_relay(n + 1000).await, start_relay(n + 1000).await);
    let proxy = Proxy::start(from.addr()).await;
    let author = keys(7);
    let backlog = notes(&author, &corpus_texts(n), now() - 100_000);
    from.store(&backlog).await;
    let clf = Classifier::default_model().unwrap();
    let with_topics = backlog
        .iter()
        .filter(|b| clf.predict(&b.content).labels().next().is_some())
        .count();
    let dir = tempfile::tempdir().unwrap();
    let (stop, rx) = tokio::sync::oneshot::channel::<()>();
    let started = Instant::now();
    let task = tokio::spawn(labeler(&proxy.url, &to.url, dir.path()).run(async move {
        let _ = rx.await;
    }));
    wait_for(Duration::from_secs(600), "the backlog labelled", || async {
        to.count_of_kind(1985).await >= with_topics
    })
    .await;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "throughput: {n} stored notes read, verified and labelled ({with_topics} label events signed, \
         published and acknowledged) in {secs:.2} s: {:.0} notes/s",
        n as f64 / secs
    );
    reconnect_times(&proxy).await;
    let live = notes(&author, &corpus_texts(n + 200)[n..], now());
    let live: Vec<Event> = live
        .into_iter()
        .filter(|x| clf.predict(&x.content).labels().next().is_some())
        .take(50)
        .collect();
    latencies(&from.url, &to.url, &live).await;
    let _ = stop.send(());
    let summary = task.await.unwrap().unwrap();
    println!("{}", summary.counters.line());
}

async fn reconnect_times(proxy: &Proxy) {
    let mut times = Vec::new();
    for _ in 0..5 {
        // A connection that lasted resets the backoff: measure drops of those.
        tokio::time::sleep(Duration::from_secs(11)).await;
        let before = proxy.accepted();
        let cut = Instant::now();
        proxy.cut();
        wait_for(Duration::from_secs(60), "a new connection", || async {
            proxy.accepted() > before
        })
        .await;
        times.push(cut.elapsed().as_secs_f64() * 1000.0);
    }
    let max = times.iter().copied().fold(0.0, f64::max);
    println!(
        "reconnect after a cut: median {:.0} ms, max {max:.0} ms (5 cuts, each after 11 s connected)",
        median(times)
    );
}

/// From publishing a note (connect, EVENT, OK) until its label reaches a
/// subscriber of the label relay.
async fn latencies(from: &str, to: &str, notes: &[Event]) {
    let (mut sub, _) = tokio_tungstenite::connect_async(to).await.unwrap();
    let req = format!(r#"["REQ","m",{{"kinds":[1985],"since":{}}}]"#, now() - 10);
    sub.send(Message::Text(req.into())).await.unwrap();
    let mut times = Vec::new();
    for note in notes {
        let t = Instant::now();
        publish(from, std::slice::from_ref(note)).await;
        loop {
            let msg = tokio::time::timeout(Duration::from_secs(60), sub.next())
                .await
                .expect("a label in time");
            if let Some(Ok(Message::Text(text))) = msg {
                if text.starts_with(r#"["EVENT""#) && text.contains(&note.id) {
                    break;
                }
            }
        }
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let max = times.iter().copied().fold(0.0, f64::max);
    let n = times.len();
    println!("publish latency (note published until its label reaches a subscriber): median {:.1} ms, max {max:.1} ms ({n} notes)", median(times));
}
