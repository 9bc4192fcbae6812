//! Counters of a labeler run, and the line it logs every minute.

use serde::Serialize;

/// What a labeler has done (since it started, or in one interval).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counters {
    /// Note events received from `--from` relays (duplicates and invalid ones included).
    pub events_in: u64,
    /// Notes labelled (one label event each).
    pub labelled: u64,
    /// Notes with no topic.
    pub no_topic: u64,
    /// Notes in a language the rules refuse.
    pub other_language: u64,
    /// Notes already handled (seen on another relay, or again on one).
    pub duplicates: u64,
    /// Events whose id or signature does not verify.
    pub invalid: u64,
    /// Frames that are not NIP-01 messages, binary or oversized.
    pub malformed: u64,
    /// Acknowledgements of label events (one per event and `--to` relay).
    pub published: u64,
    /// Refusals of label events (each try counts).
    pub refused: u64,
    /// Label events given up on a relay after repeated refusals.
    pub given_up: u64,
    /// Label events sent again after no answer.
    pub unanswered: u64,
    /// Connections made again after one was lost.
    pub reconnects: u64,
}

impl Counters {
    /// `self - earlier`, field by field.
    pub fn since(&self, earlier: &Counters) -> Counters {
        Counters {
            events_in: self.events_in - earlier.events_in,
            labelled: self.labelled - earlier.labelled,
            no_topic: self.no_topic - earlier.no_topic,
            other_language: self.other_language - earlier.other_language,
            duplicates: self.duplicates - earlier.duplicates,
            invalid: self.invalid - earlier.invalid,
            malformed: self.malformed - earlier.malformed,
            published: self.published - earlier.published,
            refused: self.refused - earlier.refused,
            given_up: self.given_up - earlier.given_up,
            unanswered: self.unanswered - earlier.unanswered,
            reconnects: self.reconnects - earlier.reconnects,
        }
    }

    /// One log line: `events in N, labelled N, no topic N, …`.
    pub fn line(&self) -> String {
        format!(
            "events in {}, labelled {}, no topic {}, other language {}, duplicates {}, invalid {}, malformed {}, \
             published {}, refused {}, given up {}, unanswered {}, reconnects {}",
            self.events_in,
            self.labelled,
            self.no_topic,
            self.other_language,
            self.duplicates,
            self.invalid,
            self.malformed,
            self.published,
            self.refused,
            self.given_up,
            self.unanswered,
            self.reconnects
        )
    }
}

/// Warnings about bad input per interval, so that a relay spewing garbage cannot
/// flood the log; the rest are counted only.
pub const WARNINGS_PER_INTERVAL: u32 = 20;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn difference_and_line() {
        let a = Counters {
            events_in: 10,
            labelled: 4,
            ..Counters::default()
        };
        let b = Counters {
            events_in: 3,
            ..Counters::default()
        };
        assert_eq!(a.since(&b).events_in, 7);
        assert!(a.line().starts_with("events in 10, labelled 4, no topic 0,"));
    }
}
