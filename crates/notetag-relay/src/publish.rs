//! The outbox: signed label events on their way to the `--to` relays.
//!
//! Each event is due on every write relay until that relay answers `OK` true (or
//! `duplicate:`). A refusal or no answer within [`ACK_TIMEOUT`] makes it due again
//! after an exponential backoff; a relay that drops the connection gets everything
//! it had not acknowledged again as soon as it is back. Refusals that will not
//! change by waiting (`blocked:`, `invalid:`, …) are given up after
//! [`MAX_REFUSALS`] tries. At most [`WINDOW`] events wait for an answer per relay.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};

use notetag::io::nostr::Event;
use serde::{Deserialize, Serialize};

use crate::backoff::jittered;
use crate::message;

/// How long a relay may take to answer `OK` before the event is sent again.
pub const ACK_TIMEOUT: Duration = Duration::from_secs(10);

/// Events waiting for an answer at once, per relay.
pub const WINDOW: usize = 1000;

/// Tries for a refusal that waiting will not cure, before the event is given up on
/// that relay.
pub const MAX_REFUSALS: u32 = 5;

/// One pending label event as the state file keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingRecord {
    /// The signed label event.
    pub event: Event,
    /// Relays that have acknowledged it.
    pub done: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Delivery {
    Due { at: Instant, tries: u32 },
    Sent { at: Instant, tries: u32 },
    Done,
}

#[derive(Debug)]
struct Item {
    frame: String,
    event: Event,
    deliveries: Vec<Delivery>,
}

/// What an `OK` meant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OkOutcome {
    /// Stored (or already there).
    Stored,
    /// Refused; sent again later.
    Retry,
    /// Refused too often; given up on this relay.
    GaveUp,
    /// Not an event of the outbox (or not waiting for this relay).
    Unknown,
}

/// Label events not yet acknowledged by every write relay.
#[derive(Debug)]
pub struct Outbox {
    urls: Vec<String>,
    writes: Vec<bool>,
    items: BTreeMap<u64, Item>,
    by_id: HashMap<String, u64>,
    due: Vec<BTreeSet<(Instant, u64)>>,
    sent: Vec<BTreeSet<(Instant, u64)>>,
    next: u64,
}

impl Outbox {
    /// An outbox for relays `urls`, of which those with `writes[i]` receive events.
    pub fn new(urls: Vec<String>, writes: Vec<bool>) -> Self {
        let n = urls.len();
        Outbox {
            urls,
            writes,
            items: BTreeMap::new(),
            by_id: HashMap::new(),
            due: vec![BTreeSet::new(); n],
            sent: vec![BTreeSet::new(); n],
            next: 0,
        }
    }

    /// Events pending on at least one relay.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Queue an event for every write relay, except those that already have it.
    pub fn push(&mut self, event: Event, done: &[String], now: Instant) {
        if self.by_id.contains_key(&event.id) {
            return;
        }
        let seq = self.next;
        self.next += 1;
        let deliveries: Vec<Delivery> = (0..self.urls.len())
            .map(|i| {
                if !self.writes[i] || done.contains(&self.urls[i]) {
                    Delivery::Done
                } else {
                    self.due[i].insert((now, seq));
                    Delivery::Due { at: now, tries: 0 }
                }
            })
            .collect();
        if deliveries.iter().all(|d| *d == Delivery::Done) {
            return;
        }
        self.by_id.insert(event.id.clone(), seq);
        let frame = message::publish(&event);
        self.items.insert(
            seq,
            Item {
                frame,
                event,
                deliveries,
            },
        );
    }

    /// Frames to send now to relay `slot` (marked as sent), within the window.
    pub fn take_due(&mut self, slot: usize, now: Instant) -> Vec<String> {
        let mut out = Vec::new();
        while self.sent[slot].len() < WINDOW {
            let Some(&(at, seq)) = self.due[slot].first() else {
                break;
            };
            if at > now {
                break;
            }
            self.due[slot].remove(&(at, seq));
            let Some(item) = self.items.get_mut(&seq) else { continue };
            if let Delivery::Due { tries, .. } = item.deliveries[slot] {
                item.deliveries[slot] = Delivery::Sent { at: now, tries };
                self.sent[slot].insert((now, seq));
                out.push(item.frame.clone());
            }
        }
        out
    }

    /// The answer of relay `slot` about event `id`.
    pub fn on_ok(&mut self, slot: usize, id: &str, accepted: bool, msg: &str, now: Instant) -> OkOutcome {
        let Some(&seq) = self.by_id.get(id) else {
            return OkOutcome::Unknown;
        };
        let Some(item) = self.items.get_mut(&seq) else {
            return OkOutcome::Unknown;
        };
        let Delivery::Sent { at, tries } = item.deliveries[slot] else {
            return OkOutcome::Unknown;
        };
        self.sent[slot].remove(&(at, seq));
        let prefix = message::prefix(msg);
        let outcome = if accepted || prefix == "duplicate" {
            item.deliveries[slot] = Delivery::Done;
            OkOutcome::Stored
        } else if tries + 1 >= MAX_REFUSALS && !matches!(prefix, "rate-limited" | "auth-required" | "error") {
            item.deliveries[slot] = Delivery::Done;
            OkOutcome::GaveUp
        } else {
            let at = now + retry_delay(tries, prefix);
            item.deliveries[slot] = Delivery::Due { at, tries: tries + 1 };
            self.due[slot].insert((at, seq));
            OkOutcome::Retry
        };
        self.forget_if_done(seq);
        outcome
    }

    /// Events sent to `slot` over [`ACK_TIMEOUT`] ago with no answer become due
    /// again; returns how many.
    pub fn expire(&mut self, slot: usize, now: Instant) -> usize {
        let mut n = 0;
        while let Some(&(at, seq)) = self.sent[slot].first() {
            if at + ACK_TIMEOUT > now {
                break;
            }
            self.sent[slot].remove(&(at, seq));
            if let Some(item) = self.items.get_mut(&seq) {
                if let Delivery::Sent { tries, .. } = item.deliveries[slot] {
                    let due = now + retry_delay(tries, "");
                    item.deliveries[slot] = Delivery::Due {
                        at: due,
                        tries: tries + 1,
                    };
                    self.due[slot].insert((due, seq));
                    n += 1;
                }
            }
        }
        n
    }

    /// Relay `slot` is gone or authenticated again: everything sent to it and not
    /// answered, and everything waiting on a backoff, is due at once.
    pub fn resend_all(&mut self, slot: usize, now: Instant) {
        let waiting: Vec<(Instant, u64)> = self.sent[slot].iter().chain(self.due[slot].iter()).copied().collect();
        self.sent[slot].clear();
        self.due[slot].clear();
        for (_, seq) in waiting {
            if let Some(item) = self.items.get_mut(&seq) {
                let tries = match item.deliveries[slot] {
                    Delivery::Sent { tries, .. } | Delivery::Due { tries, .. } => tries,
                    Delivery::Done => continue,
                };
                item.deliveries[slot] = Delivery::Due { at: now, tries };
                self.due[slot].insert((now, seq));
            }
        }
    }

    /// The outbox as the state file keeps it.
    pub fn records(&self) -> Vec<PendingRecord> {
        self.items
            .values()
            .map(|item| PendingRecord {
                event: item.event.clone(),
                done: (0..self.urls.len())
                    .filter(|&i| self.writes[i] && item.deliveries[i] == Delivery::Done)
                    .map(|i| self.urls[i].clone())
                    .collect(),
            })
            .collect()
    }

    fn forget_if_done(&mut self, seq: u64) {
        if let Some(item) = self.items.get(&seq) {
            if item.deliveries.iter().all(|d| *d == Delivery::Done) {
                self.by_id.remove(&item.event.id);
                self.items.remove(&seq);
            }
        }
    }
}

/// The wait before try `tries + 1`: 1 s doubling to 60 s, jittered; a relay asking
/// for authentication is tried again soon (the answer to its challenge is on its way).
fn retry_delay(tries: u32, prefix: &str) -> Duration {
    if prefix == "auth-required" {
        return Duration::from_millis(500);
    }
    jittered(
        Duration::from_secs(1)
            .saturating_mul(1 << tries.min(6))
            .min(Duration::from_secs(60)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: &str) -> Event {
        Event {
            id: id.into(),
            pubkey: "p".into(),
            created_at: 1,
            kind: 1985,
            tags: vec![],
            content: String::new(),
            sig: "s".into(),
        }
    }

    #[test]
    fn an_event_leaves_when_every_write_relay_has_it() {
        let t0 = Instant::now();
        let mut o = Outbox::new(vec!["a".into(), "b".into(), "c".into()], vec![true, false, true]);
        o.push(event("e1"), &[], t0);
        o.push(event("e1"), &[], t0);
        assert_eq!(o.len(), 1);
        assert_eq!(o.take_due(0, t0).len(), 1);
        assert!(o.take_due(1, t0).is_empty());
        assert_eq!(o.on_ok(0, "e1", true, "", t0), OkOutcome::Stored);
        assert_eq!(o.on_ok(0, "e1", true, "", t0), OkOutcome::Unknown);
        assert_eq!(o.records()[0].done, ["a"]);
        assert_eq!(o.take_due(2, t0).len(), 1);
        assert_eq!(o.on_ok(2, "e1", false, "duplicate: have it", t0), OkOutcome::Stored);
        assert!(o.is_empty());
        // Restored with one relay done: only the other is due.
        o.push(event("e2"), &["a".to_string()], t0);
        assert!(o.take_due(0, t0).is_empty() && o.take_due(2, t0).len() == 1);
    }

    #[test]
    fn refusals_back_off_and_hard_ones_give_up() {
        let t0 = Instant::now();
        let mut o = Outbox::new(vec!["a".into()], vec![true]);
        o.push(event("e"), &[], t0);
        let mut now = t0;
        for round in 0..MAX_REFUSALS {
            assert_eq!(o.take_due(0, now).len(), 1, "round {round}");
            let outcome = o.on_ok(0, "e", false, "blocked: no", now);
            if round + 1 < MAX_REFUSALS {
                assert_eq!(outcome, OkOutcome::Retry);
                assert!(o.take_due(0, now).is_empty(), "backoff");
                now += Duration::from_secs(120);
            } else {
                assert_eq!(outcome, OkOutcome::GaveUp);
            }
        }
        assert!(o.is_empty());
        // Rate limiting is never given up.
        o.push(event("r"), &[], t0);
        for _ in 0..2 * MAX_REFUSALS {
            now += Duration::from_secs(120);
            assert_eq!(o.take_due(0, now).len(), 1);
            assert_eq!(o.on_ok(0, "r", false, "rate-limited: slow down", now), OkOutcome::Retry);
        }
    }

    #[test]
    fn unanswered_and_dropped_events_are_sent_again() {
        let t0 = Instant::now();
        let mut o = Outbox::new(vec!["a".into()], vec![true]);
        for i in 0..WINDOW + 5 {
            o.push(event(&format!("e{i}")), &[], t0);
        }
        assert_eq!(o.take_due(0, t0).len(), WINDOW);
        assert!(o.take_due(0, t0).is_empty());
        assert_eq!(o.expire(0, t0 + ACK_TIMEOUT), WINDOW);
        o.resend_all(0, t0 + ACK_TIMEOUT);
        assert_eq!(o.take_due(0, t0 + ACK_TIMEOUT).len(), WINDOW);
        o.resend_all(0, t0 + ACK_TIMEOUT);
        assert_eq!(o.take_due(0, t0 + ACK_TIMEOUT).len(), WINDOW);
        assert_eq!(o.len(), WINDOW + 5);
    }
}
