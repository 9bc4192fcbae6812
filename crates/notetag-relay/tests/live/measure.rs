//! Figures, not checks: labelling throughput from a local relay, reconnect time
//! after every connection is cut, and publish latency (a note in, its label out).
//! Ignored by default; run with
//!
//! ```text
//! cargo test --release -p notetag-relay --test live -- --ignored --nocapture
//! ```
//!
//! The relays (and the proxy in front of one) run on a Tokio runtime of their own,
//! so that CPU time can be told apart by thread: the throughput line is followed by
//! the CPU time per note of the labeler, of the relays and of the test itself, and
//! by how busy the machine was (other programs included), since notes/s on a shared
//! machine says little by itself. The relays are also timed alone, serving the same
//! backlog to a client that checks nothing and taking the same label events: a
//! ceiling for any labeler on this machine.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

use crate::common::{corpus_texts, keys, next_ok, notes, now, publish, start_relay, wait_for, TestRelay};
use crate::proxy::Proxy;
use notetag::io::nostr::Event;
use notetag::Classifier;
use notetag_relay::{Labeler, LabelerConfig};

/// Thread name prefix of the relays' runtime.
const RELAY_THREADS: &str = "relay-rt";

/// Thread name prefix of the labeler's labelling pool.
const POOL_THREADS: &str = "notetag-label";

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

/// A runtime for the relays, on threads of their own (left running until the
/// process ends: a runtime cannot be dropped inside another).
fn relay_runtime() -> &'static tokio::runtime::Runtime {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name(RELAY_THREADS)
        .enable_all()
        .build()
        .unwrap();
    Box::leak(Box::new(rt))
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "a measurement: run with --ignored --nocapture"]
async fn throughput_reconnect_and_latency() {
    let n = 20_000;
    let rt = relay_runtime();
    let from = rt.spawn(start_relay(n + 1000)).await.unwrap();
    let to = rt.spawn(start_relay(n + 1000)).await.unwrap();
    let proxy = rt.spawn(Proxy::start(from.addr())).await.unwrap();
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
    let cpu0 = Cpu::now();
    let started = Instant::now();
    let task = tokio::spawn(labeler(&proxy.url, &to.url, dir.path()).run(async move {
        let _ = rx.await;
    }));
    wait_for(Duration::from_secs(600), "the backlog labelled", || async {
        to.count_of_kind(1985).await >= with_topics
    })
    .await;
    let secs = started.elapsed().as_secs_f64();
    let cpu = Cpu::now().since(&cpu0);
    println!(
        "throughput: {n} stored notes read, verified and labelled ({with_topics} label events signed, \
         published and acknowledged) in {secs:.2} s: {:.0} notes/s",
        n as f64 / secs
    );
    let labeler = cpu.pool + cpu.labeler;
    println!(
        "CPU per note while labelling: labeler {:.0} µs ({:.0} notes per CPU-second; {:.0} µs verifying, \
         classifying and signing, {:.0} µs connections and bookkeeping), relays and proxy {:.0} µs, \
         test {:.0} µs; machine {:.0}% busy, {:.0}% of it other programs",
        labeler / n as f64 * 1e6,
        n as f64 / labeler,
        cpu.pool / n as f64 * 1e6,
        cpu.labeler / n as f64 * 1e6,
        cpu.relays / n as f64 * 1e6,
        cpu.test / n as f64 * 1e6,
        cpu.machine_busy * 100.0,
        cpu.others * 100.0,
    );
    relays_alone(rt, &from, &to, n).await;
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

/// The relays with no labeler: `from` serves its backlog to a client that pages
/// through it as the labeler does and checks nothing, and a fresh relay takes the
/// label events `to` holds, published over one connection with as many unanswered
/// as the labeler allows.
async fn relays_alone(rt: &tokio::runtime::Runtime, from: &TestRelay, to: &TestRelay, n: usize) {
    let cpu0 = Cpu::now();
    let t = Instant::now();
    let got = read_backlog(&from.url).await;
    let serve = t.elapsed().as_secs_f64();
    let serve_cpu = Cpu::now().since(&cpu0);
    assert_eq!(got, n, "the whole backlog served");

    let labels: Vec<String> = to
        .events_of_kind(1985)
        .await
        .iter()
        .map(|e| format!("[\"EVENT\",{}]", e.to_json()))
        .collect();
    let fresh = rt.spawn(start_relay(labels.len() + 1000)).await.unwrap();
    let cpu0 = Cpu::now();
    let t = Instant::now();
    publish_pipelined(&fresh.url, &labels, notetag_relay::publish::WINDOW).await;
    let take = t.elapsed().as_secs_f64();
    let take_cpu = Cpu::now().since(&cpu0);
    let m = labels.len();
    println!(
        "relays alone: {n} stored notes served in {serve:.2} s ({:.0} notes/s, relay CPU {:.0} µs each); \
         {m} label events taken in {take:.2} s ({:.0} events/s, relay CPU {:.0} µs each); \
         both for this backlog: {:.2} s ({:.0} notes/s)",
        n as f64 / serve,
        serve_cpu.relays / n as f64 * 1e6,
        m as f64 / take,
        take_cpu.relays / m as f64 * 1e6,
        serve + take,
        n as f64 / (serve + take),
    );
}

/// Page through a relay's stored kind-1 notes (500 per `REQ`, newest first, each
/// page `until` the oldest `created_at` so far) until a page brings nothing older;
/// returns how many distinct notes came.
async fn read_backlog(url: &str) -> usize {
    let (mut ws, _) = tokio_tungstenite::connect_async_with_config(url, None, true)
        .await
        .unwrap();
    let mut ids = HashSet::new();
    let mut until: Option<u64> = None;
    for page in 0.. {
        let sub = format!("page-{page}");
        let filter = match until {
            None => r#"{"kinds":[1],"since":0}"#.to_string(),
            Some(u) => format!(r#"{{"kinds":[1],"since":0,"until":{u}}}"#),
        };
        ws.send(Message::Text(format!(r#"["REQ","{sub}",{filter}]"#).into()))
            .await
            .unwrap();
        let mut oldest: Option<u64> = None;
        loop {
            let msg = tokio::time::timeout(Duration::from_secs(60), ws.next())
                .await
                .expect("a frame in time");
            let Some(Ok(Message::Text(text))) = msg else { continue };
            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
            match v[0].as_str() {
                Some("EVENT") => {
                    ids.insert(v[2]["id"].as_str().unwrap().to_string());
                    let t = v[2]["created_at"].as_u64().unwrap();
                    oldest = Some(oldest.map_or(t, |o| o.min(t)));
                }
                Some("EOSE") => break,
                _ => {}
            }
        }
        ws.send(Message::Text(format!(r#"["CLOSE","{sub}"]"#).into()))
            .await
            .unwrap();
        match oldest {
            Some(o) if Some(o) != until => until = Some(o),
            _ => break,
        }
    }
    let _ = ws.close(None).await;
    ids.len()
}

/// Publish frames over one connection, at most `window` unanswered, and wait for
/// every `OK` true.
async fn publish_pipelined(url: &str, frames: &[String], window: usize) {
    let (mut ws, _) = tokio_tungstenite::connect_async_with_config(url, None, true)
        .await
        .unwrap();
    let (mut sent, mut oks) = (0, 0);
    while oks < frames.len() {
        while sent < frames.len() && sent - oks < window {
            ws.feed(Message::Text(frames[sent].clone().into())).await.unwrap();
            sent += 1;
        }
        ws.flush().await.unwrap();
        oks += usize::from(next_ok(&mut ws, Duration::from_secs(60)).await);
    }
    let _ = ws.close(None).await;
}

/// CPU time of this process's threads by role, and of the whole machine.
struct Cpu {
    /// Seconds on the relays' runtime.
    relays: f64,
    /// Seconds on the test's own thread (setting up, polling the relay's store).
    test: f64,
    /// Seconds on the labeler's labelling pool (verifying, classifying, signing).
    pool: f64,
    /// Seconds on every other thread: the labeler's connections and engine.
    labeler: f64,
    /// Clock ticks of the machine: busy, and in all.
    machine: (u64, u64),
    at: Instant,
    /// Filled in by [`Cpu::since`]: the share of the machine's time busy, and the
    /// share busy with other programs.
    machine_busy: f64,
    others: f64,
}

impl Cpu {
    fn now() -> Cpu {
        let me = std::fs::read_link("/proc/thread-self")
            .ok()
            .and_then(|p| p.file_name().map(|f| f.to_string_lossy().into_owned()));
        let (mut relays, mut test, mut pool, mut labeler) = (0.0, 0.0, 0.0, 0.0);
        for entry in std::fs::read_dir("/proc/self/task").unwrap().flatten() {
            let dir = entry.path();
            let tid = entry.file_name().to_string_lossy().into_owned();
            let (Ok(comm), Ok(stat)) = (
                std::fs::read_to_string(dir.join("comm")),
                std::fs::read_to_string(dir.join("schedstat")),
            ) else {
                continue; // the thread has ended
            };
            let ns: f64 = stat.split_whitespace().next().unwrap().parse().unwrap();
            let secs = ns / 1e9;
            if comm.starts_with(RELAY_THREADS) {
                relays += secs;
            } else if comm.starts_with(POOL_THREADS) {
                pool += secs;
            } else if Some(&tid) == me.as_ref() {
                test += secs;
            } else {
                labeler += secs;
            }
        }
        let stat = std::fs::read_to_string("/proc/stat").unwrap();
        let ticks: Vec<u64> = stat
            .lines()
            .next()
            .unwrap()
            .split_whitespace()
            .skip(1)
            .map(|x| x.parse().unwrap())
            .collect();
        let total: u64 = ticks.iter().take(8).sum();
        let idle = ticks[3] + ticks[4];
        Cpu {
            relays,
            test,
            pool,
            labeler,
            machine: (total - idle, total),
            at: Instant::now(),
            machine_busy: 0.0,
            others: 0.0,
        }
    }

    fn since(&self, earlier: &Cpu) -> Cpu {
        let (busy, total) = (
            (self.machine.0 - earlier.machine.0) as f64,
            (self.machine.1 - earlier.machine.1).max(1) as f64,
        );
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
        let sum = |c: &Cpu| c.relays + c.test + c.pool + c.labeler;
        let ours = sum(self) - sum(earlier);
        let wall = self.at.duration_since(earlier.at).as_secs_f64() * cores;
        Cpu {
            relays: self.relays - earlier.relays,
            test: self.test - earlier.test,
            pool: self.pool - earlier.pool,
            labeler: self.labeler - earlier.labeler,
            machine: (0, 0),
            at: self.at,
            machine_busy: busy / total,
            others: (busy / total - ours / wall).max(0.0),
        }
    }
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
