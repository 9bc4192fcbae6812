//! One `--from` relay's subscription: the live `REQ` from the resume point, then
//! pages further back until the relay's stored notes are all in.
//!
//! Relays cap what one `REQ` returns (often at 500 notes, newest first), so after
//! the live subscription's `EOSE` the labeler asks again with `until` set to the
//! oldest `created_at` it got, and so on, until a page brings nothing older. Only
//! then is the relay known complete up to the time of the first `REQ`; from then on,
//! while the connection lasts, up to now.

use std::time::Instant;

use crate::message;

/// The subscription id of the live subscription.
pub const LIVE_SUB: &str = "notetag-live";

/// The subscription id of backlog pages (`notetag-page-N`).
pub const PAGE_SUB_PREFIX: &str = "notetag-page-";

#[derive(Debug, Clone, PartialEq, Eq)]
enum Phase {
    /// Not connected, or the relay closed the subscription.
    Idle,
    /// Reading stored notes: `sub` is the page being read.
    Walking {
        started: u64,
        since: u64,
        sub: String,
        until: Option<u64>,
        got: usize,
        oldest: Option<u64>,
    },
    /// All stored notes in; new ones arrive as they come.
    Live,
}

/// What the relay's `CLOSED` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterClosed {
    /// Not our subscription, or a finished page: nothing.
    Nothing,
    /// Subscribe again (after authenticating, or after a delay).
    Resubscribe,
}

/// The subscription to one relay.
#[derive(Debug, Clone)]
pub struct Subscription {
    kinds: Vec<u64>,
    phase: Phase,
    pages: u64,
    complete_through: u64,
    /// When to subscribe again after a `CLOSED`, if ever.
    pub retry_at: Option<Instant>,
}

impl Subscription {
    /// A subscription for `kinds`; the relay is known complete through `complete_through`.
    pub fn new(kinds: Vec<u64>, complete_through: u64) -> Self {
        Subscription {
            kinds,
            phase: Phase::Idle,
            pages: 0,
            complete_through,
            retry_at: None,
        }
    }

    /// The `REQ` to send on a fresh connection (or to subscribe again), from `since`.
    pub fn start(&mut self, since: u64, now: u64) -> String {
        self.retry_at = None;
        self.phase = Phase::Walking {
            started: now,
            since,
            sub: LIVE_SUB.into(),
            until: None,
            got: 0,
            oldest: None,
        };
        message::req(LIVE_SUB, &self.kinds, since, None)
    }

    /// Whether events of subscription `sub` are expected now.
    pub fn owns(&self, sub: &str) -> bool {
        match &self.phase {
            Phase::Idle => false,
            Phase::Live => sub == LIVE_SUB,
            Phase::Walking { sub: page, .. } => sub == LIVE_SUB || sub == page,
        }
    }

    /// An event of subscription `sub` came in.
    pub fn on_event(&mut self, sub: &str, created_at: u64) {
        if let Phase::Walking {
            sub: page, got, oldest, ..
        } = &mut self.phase
        {
            if sub == page {
                *got += 1;
                *oldest = Some(oldest.map_or(created_at, |o| o.min(created_at)));
            }
        }
    }

    /// `EOSE` for `sub`: the frames to send next (close the page, ask for the next one).
    pub fn on_eose(&mut self, sub: &str) -> Vec<String> {
        let Phase::Walking {
            started,
            since,
            sub: page,
            until,
            got,
            oldest,
        } = &self.phase
        else {
            return Vec::new();
        };
        if sub != page {
            return Vec::new();
        }
        let mut out = Vec::new();
        if page != LIVE_SUB {
            out.push(message::close(page));
        }
        let next = match (*got, *oldest) {
            (0, _) | (_, None) => None,
            (_, Some(o)) if Some(o) == *until => None,
            (_, Some(o)) => Some(o),
        };
        match next {
            Some(until) => {
                self.pages += 1;
                let sub = format!("{PAGE_SUB_PREFIX}{}", self.pages);
                out.push(message::req(&sub, &self.kinds, *since, Some(until)));
                self.phase = Phase::Walking {
                    started: *started,
                    since: *since,
                    sub,
                    until: Some(until),
                    got: 0,
                    oldest: None,
                };
            }
            None => {
                self.complete_through = self.complete_through.max(*started);
                self.phase = Phase::Live;
            }
        }
        out
    }

    /// `CLOSED` for `sub` at `now`: a closed page ends the walk unsure, a closed live
    /// subscription stops the flow; either way the relay is asked again later.
    pub fn on_closed(&mut self, sub: &str, now: u64) -> AfterClosed {
        if !self.owns(sub) {
            return AfterClosed::Nothing;
        }
        self.stop(now);
        AfterClosed::Resubscribe
    }

    /// The connection is gone (or the labeler stops reading) at `now`.
    pub fn stop(&mut self, now: u64) {
        if self.phase == Phase::Live {
            self.complete_through = self.complete_through.max(now);
        }
        self.phase = Phase::Idle;
        self.retry_at = None;
    }

    /// Every note created before this (less the clock margin) has been received.
    pub fn complete_through(&self, now: u64) -> u64 {
        match self.phase {
            Phase::Live => self.complete_through.max(now),
            _ => self.complete_through,
        }
    }

    /// Whether the walk through stored notes is over and the subscription is live.
    pub fn is_live(&self) -> bool {
        self.phase == Phase::Live
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_back_until_nothing_older_comes() {
        let mut s = Subscription::new(vec![1], 100);
        assert_eq!(s.start(90, 1000), r#"["REQ","notetag-live",{"kinds":[1],"since":90}]"#);
        assert!(s.owns(LIVE_SUB) && !s.owns("other"));
        for t in [900, 700, 500] {
            s.on_event(LIVE_SUB, t);
        }
        let next = s.on_eose(LIVE_SUB);
        assert_eq!(
            next,
            [r#"["REQ","notetag-page-1",{"kinds":[1],"since":90,"until":500}]"#]
        );
        assert_eq!(s.complete_through(2000), 100, "not complete while walking");
        s.on_event("notetag-page-1", 500);
        s.on_event("notetag-page-1", 300);
        s.on_event(LIVE_SUB, 1001);
        let next = s.on_eose("notetag-page-1");
        assert_eq!(next[0], r#"["CLOSE","notetag-page-1"]"#);
        assert!(next[1].contains(r#""until":300"#));
        s.on_event("notetag-page-2", 300);
        let next = s.on_eose("notetag-page-2");
        assert_eq!(next, [r#"["CLOSE","notetag-page-2"]"#]);
        assert!(s.is_live());
        assert_eq!(s.complete_through(2000), 2000);
        s.stop(2500);
        assert_eq!(s.complete_through(9999), 2500);
        assert!(!s.owns(LIVE_SUB));
    }

    #[test]
    fn an_empty_backlog_is_live_at_once_and_closed_resubscribes() {
        let mut s = Subscription::new(vec![1, 30023], 10);
        s.start(5, 50);
        assert!(s.on_eose(LIVE_SUB).is_empty());
        assert_eq!(s.complete_through(60), 60);
        assert_eq!(s.on_closed("nope", 60), AfterClosed::Nothing);
        assert_eq!(s.on_closed(LIVE_SUB, 60), AfterClosed::Resubscribe);
        assert_eq!(s.complete_through(70), 60);
    }
}
