//! The labeler's core: everything the connections report goes through here, in
//! order; it owns the subscriptions, the notes seen, the outbox and the counters.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use notetag::io::nostr::{Event, EventError, EventTemplate, Keys};
use notetag::Classifier;
use rayon::prelude::*;
use tokio::sync::mpsc;

use crate::conn::{Conn, FromConn};
use crate::error::Result;
use crate::label::{verify_and_label, LabelSettings, Outcome};
use crate::labeler::{LabelerConfig, Summary};
use crate::message::{self, excerpt, parse_relay_message, RelayMessage};
use crate::publish::{OkOutcome, Outbox};
use crate::state::{Seen, State};
use crate::stats::{Counters, WARNINGS_PER_INTERVAL};
use crate::subscribe::{AfterClosed, Subscription};

/// Clock margin: notes are asked for from this long before the point up to which
/// every relay is known complete, for notes that reach a relay late or carry a
/// clock a little behind.
pub const RESUME_MARGIN_SECS: u64 = 120;

/// Wait before subscribing again after a relay closed the subscription.
const RESUBSCRIBE_AFTER: Duration = Duration::from_secs(5);

/// Unix time in seconds.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// One relay as the engine sees it.
#[derive(Debug)]
pub struct Slot {
    pub url: String,
    pub reads: bool,
    pub writes: bool,
    up: bool,
    was_up: bool,
    out: Option<mpsc::UnboundedSender<String>>,
    sub: Option<Subscription>,
    /// Our NIP-42 answers not yet acknowledged.
    auth_ids: HashSet<String>,
}

impl Slot {
    pub fn new(url: String, reads: bool, writes: bool) -> Self {
        Slot {
            url,
            reads,
            writes,
            up: false,
            was_up: false,
            out: None,
            sub: None,
            auth_ids: HashSet::new(),
        }
    }

    fn send(&self, frame: String) {
        if let (true, Some(out)) = (self.up, &self.out) {
            let _ = out.send(frame);
        }
    }
}

pub struct Engine {
    slots: Vec<Slot>,
    clf: Arc<Classifier>,
    pool: Arc<rayon::ThreadPool>,
    keys: Arc<Keys>,
    label: Arc<LabelSettings>,
    kinds: Vec<u64>,
    outbox: Outbox,
    seen: Seen,
    resume: u64,
    reading: bool,
    counters: Counters,
    logged: Counters,
    logged_at: Instant,
    warnings_left: u32,
    stats_every: Duration,
    save_every: Duration,
    saved_at: Instant,
    dirty: bool,
    state_path: PathBuf,
}

impl Engine {
    pub fn new(
        cfg: &LabelerConfig,
        clf: Arc<Classifier>,
        pool: Arc<rayon::ThreadPool>,
        mut slots: Vec<Slot>,
        conns: &[Conn],
        state: State,
    ) -> Self {
        for (slot, conn) in slots.iter_mut().zip(conns) {
            slot.out = Some(conn.out.clone());
            if slot.reads {
                slot.sub = Some(Subscription::new(cfg.kinds.clone(), state.resume + RESUME_MARGIN_SECS));
            }
        }
        let urls = slots.iter().map(|s| s.url.clone()).collect();
        let mut outbox = Outbox::new(urls, slots.iter().map(|s| s.writes).collect());
        let now = Instant::now();
        for p in state.pending {
            outbox.push(p.event, &p.done, now);
        }
        Engine {
            slots,
            clf,
            pool,
            keys: Arc::new(cfg.keys.clone()),
            label: Arc::new(cfg.label.clone()),
            kinds: cfg.kinds.clone(),
            outbox,
            seen: Seen::from_list(state.seen),
            resume: state.resume,
            reading: true,
            counters: Counters::default(),
            logged: Counters::default(),
            logged_at: now,
            warnings_left: WARNINGS_PER_INTERVAL,
            stats_every: cfg.stats_every,
            save_every: cfg.save_every,
            saved_at: now,
            dirty: false,
            state_path: cfg.state_path.clone(),
        }
    }

    pub fn outbox_is_empty(&self) -> bool {
        self.outbox.is_empty()
    }

    /// Handle a batch of reports, in order; the notes among them are labelled together.
    pub async fn handle(&mut self, batch: Vec<FromConn>) {
        let mut notes = Vec::new();
        for m in batch {
            match m {
                FromConn::Up(i) => self.on_up(i),
                FromConn::Down(i, _) => self.on_down(i),
                FromConn::Garbage(i, what) => self.malformed(i, &what),
                FromConn::Text(i, text) => self.on_text(i, &text, &mut notes),
            }
        }
        if !notes.is_empty() {
            self.label_notes(notes).await;
        }
        self.send_due();
    }

    fn on_up(&mut self, i: usize) {
        let slot = &mut self.slots[i];
        if slot.was_up {
            self.counters.reconnects += 1;
            eprintln!("notetag relay: {}: connected again", slot.url);
        }
        slot.up = true;
        slot.was_up = true;
        if let (Some(sub), true) = (slot.sub.as_mut(), self.reading) {
            let req = sub.start(self.resume, unix_now());
            slot.send(req);
        }
        if slot.writes {
            self.outbox.resend_all(i, Instant::now());
        }
    }

    fn on_down(&mut self, i: usize) {
        let slot = &mut self.slots[i];
        slot.up = false;
        slot.auth_ids.clear();
        if let Some(sub) = slot.sub.as_mut() {
            sub.stop(unix_now());
        }
    }

    fn warn(&mut self, line: String) {
        if self.warnings_left > 0 {
            self.warnings_left -= 1;
            eprintln!("notetag relay: {line}");
        }
    }

    fn malformed(&mut self, i: usize, what: &str) {
        self.counters.malformed += 1;
        let line = format!("{}: {what}", self.slots[i].url);
        self.warn(line);
    }

    fn on_text(&mut self, i: usize, text: &str, notes: &mut Vec<Event>) {
        let msg = match parse_relay_message(text) {
            Ok(m) => m,
            Err(e) => return self.malformed(i, &format!("bad frame skipped ({e}): {}", excerpt(text, 80))),
        };
        match msg {
            RelayMessage::Event { sub, event } => {
                let Some(s) = self.slots[i].sub.as_mut().filter(|s| self.reading && s.owns(&sub)) else {
                    return;
                };
                s.on_event(&sub, event.created_at);
                self.counters.events_in += 1;
                notes.push(*event);
            }
            RelayMessage::Ok { id, accepted, message } => self.on_ok(i, &id, accepted, &message),
            RelayMessage::Eose(sub) => {
                let slot = &mut self.slots[i];
                let frames = slot.sub.as_mut().map(|s| s.on_eose(&sub)).unwrap_or_default();
                for f in frames {
                    slot.send(f);
                }
            }
            RelayMessage::Closed { sub, message } => self.on_closed(i, &sub, &message),
            RelayMessage::Notice(m) => {
                let line = format!("{}: NOTICE {}", self.slots[i].url, excerpt(&m, 200));
                self.warn(line);
            }
            RelayMessage::Auth(challenge) => self.authenticate(i, &challenge),
            RelayMessage::Other(_) => {}
        }
    }

    fn on_closed(&mut self, i: usize, sub: &str, message: &str) {
        let slot = &mut self.slots[i];
        let Some(s) = slot.sub.as_mut() else { return };
        if s.on_closed(sub, unix_now()) == AfterClosed::Resubscribe {
            // After an AUTH challenge, the accepted answer brings the retry forward.
            s.retry_at = Some(Instant::now() + RESUBSCRIBE_AFTER);
            let line = format!(
                "{}: subscription closed ({}); subscribing again",
                slot.url,
                excerpt(message, 200)
            );
            self.warn(line);
        }
    }

    /// Answer a NIP-42 challenge. Every one is answered: a relay may send one with
    /// each refusal and forget the older ones, so the latest answers are those that
    /// count.
    fn authenticate(&mut self, i: usize, challenge: &str) {
        let slot = &mut self.slots[i];
        let template = EventTemplate {
            created_at: unix_now(),
            kind: 22242,
            tags: vec![
                vec!["relay".into(), slot.url.clone()],
                vec!["challenge".into(), challenge.into()],
            ],
            content: String::new(),
        };
        let event = self.keys.sign(template);
        slot.auth_ids.insert(event.id.clone());
        slot.send(message::auth(&event));
    }

    fn on_ok(&mut self, i: usize, id: &str, accepted: bool, msg: &str) {
        let now = Instant::now();
        if self.slots[i].auth_ids.remove(id) {
            let url = self.slots[i].url.clone();
            if !accepted {
                return self.warn(format!("{url}: authentication refused ({})", excerpt(msg, 200)));
            }
            if let Some(s) = self.slots[i].sub.as_mut().filter(|s| s.retry_at.is_some()) {
                s.retry_at = Some(now);
            }
            self.outbox.resend_all(i, now);
            return;
        }
        match self.outbox.on_ok(i, id, accepted, msg, now) {
            OkOutcome::Stored => {
                self.counters.published += 1;
                self.dirty = true;
            }
            OkOutcome::Retry => {
                self.counters.refused += 1;
                if message::prefix(msg) == "auth-required" {
                    // The relay's challenge is being answered; no news.
                    return;
                }
                let line = format!(
                    "{}: label {id} refused ({}); trying again later",
                    self.slots[i].url,
                    excerpt(msg, 200)
                );
                self.warn(line);
            }
            OkOutcome::GaveUp => {
                self.counters.refused += 1;
                self.counters.given_up += 1;
                self.dirty = true;
                let line = format!(
                    "{}: label {id} refused ({}); given up",
                    self.slots[i].url,
                    excerpt(msg, 200)
                );
                self.warn(line);
            }
            OkOutcome::Unknown => {}
        }
    }

    /// Verify, deduplicate, classify and sign a batch of notes (in parallel, on the
    /// labelling pool), then queue the label events.
    async fn label_notes(&mut self, notes: Vec<Event>) {
        let mut fresh = Vec::with_capacity(notes.len());
        let mut in_batch = HashSet::new();
        for ev in notes {
            if !self.kinds.contains(&ev.kind) {
                continue;
            }
            if self.seen.contains(&ev.id) || !in_batch.insert((ev.id.clone(), ev.sig.clone())) {
                self.counters.duplicates += 1;
                continue;
            }
            fresh.push(ev);
        }
        let (clf, keys, settings, now) = (self.clf.clone(), self.keys.clone(), self.label.clone(), unix_now());
        let pool = self.pool.clone();
        let work = move || -> Vec<(Event, std::result::Result<Outcome, EventError>)> {
            pool.install(|| {
                fresh
                    .into_par_iter()
                    .map(|ev| {
                        let r = verify_and_label(&clf, &keys, &settings, &ev, now);
                        (ev, r)
                    })
                    .collect()
            })
        };
        let results = match tokio::task::spawn_blocking(work).await {
            Ok(r) => r,
            Err(e) => return self.warn(format!("labelling a batch failed: {e}")),
        };
        for (ev, r) in results {
            self.record(ev, r, now);
        }
    }

    fn record(&mut self, ev: Event, r: std::result::Result<Outcome, EventError>, now: u64) {
        let outcome = match r {
            Ok(o) => o,
            Err(e) => {
                self.counters.invalid += 1;
                return self.warn(format!("event {} ignored: {e}", excerpt(&ev.id, 64)));
            }
        };
        if !self.seen.insert(&ev.id, ev.created_at, now) {
            self.counters.duplicates += 1;
            return;
        }
        self.dirty = true;
        match outcome {
            Outcome::Labelled(label) => {
                self.counters.labelled += 1;
                self.outbox.push(*label, &[], Instant::now());
            }
            Outcome::NoTopic => self.counters.no_topic += 1,
            Outcome::OtherLanguage(_) => self.counters.other_language += 1,
        }
    }

    fn send_due(&mut self) {
        let now = Instant::now();
        for (i, slot) in self.slots.iter().enumerate() {
            // While an answer to a challenge is on its way, events would only be
            // refused (and bring more challenges).
            if slot.up && slot.writes && slot.auth_ids.is_empty() {
                for frame in self.outbox.take_due(i, now) {
                    slot.send(frame);
                }
            }
        }
    }

    /// Timers: unanswered events, subscriptions to renew, the resume point, the
    /// state file and the minute's log line.
    pub fn tick(&mut self) {
        let now = Instant::now();
        for i in 0..self.slots.len() {
            if self.slots[i].up && self.slots[i].writes {
                self.counters.unanswered += self.outbox.expire(i, now) as u64;
            }
            let (resume, reading) = (self.resume, self.reading);
            let slot = &mut self.slots[i];
            let due = slot.up && reading;
            if let Some(sub) = slot
                .sub
                .as_mut()
                .filter(|s| due && s.retry_at.is_some_and(|t| t <= now))
            {
                let req = sub.start(resume, unix_now());
                slot.send(req);
            }
        }
        self.send_due();
        self.advance_resume();
        if self.dirty && self.saved_at.elapsed() >= self.save_every {
            if let Err(e) = self.save() {
                self.warn(format!("cannot write the state: {e}"));
            }
        }
        if self.logged_at.elapsed() >= self.stats_every {
            let window = self.counters.since(&self.logged);
            let secs = self.logged_at.elapsed().as_secs();
            eprintln!(
                "notetag relay: last {secs}s: {}, pending {}",
                window.line(),
                self.outbox.len()
            );
            self.logged = self.counters;
            self.logged_at = now;
            self.warnings_left = WARNINGS_PER_INTERVAL;
        }
    }

    fn advance_resume(&mut self) {
        let now = unix_now();
        let complete = self
            .slots
            .iter()
            .filter_map(|s| s.sub.as_ref())
            .map(|s| s.complete_through(now))
            .min();
        if let Some(ct) = complete {
            let r = ct.saturating_sub(RESUME_MARGIN_SECS);
            if r > self.resume {
                self.resume = r;
                self.dirty = true;
            }
        }
    }

    /// Stop reading notes: close the subscriptions and freeze the resume point.
    pub fn stop_reading(&mut self) {
        self.reading = false;
        let now = unix_now();
        for slot in &mut self.slots {
            if let Some(sub) = slot.sub.as_mut() {
                sub.stop(now);
                slot.send(message::close(crate::subscribe::LIVE_SUB));
            }
        }
        self.advance_resume();
    }

    fn save(&mut self) -> Result<()> {
        self.seen.prune(self.resume);
        let state = State {
            resume: self.resume,
            seen: self.seen.to_list(),
            pending: self.outbox.records(),
            ..State::new(self.resume)
        };
        state.save(&self.state_path)?;
        self.saved_at = Instant::now();
        self.dirty = false;
        Ok(())
    }

    /// Write the state one last time and sum up.
    pub fn save_final(&mut self) -> Result<Summary> {
        self.advance_resume();
        self.save()?;
        Ok(Summary {
            counters: self.counters,
            pending: self.outbox.len(),
            resume: self.resume,
        })
    }
}
