//! A write-policy plugin for the strfry relay.
//!
//! strfry writes one JSON object per line on the plugin's standard input, for each
//! event a client or a stream wants to store: `{"type": "new", "event": {…},
//! "receivedAt": UNIX, "sourceType": "IP4", "sourceInfo": "…"}`. The plugin answers
//! each with one line, in order: `{"id": event id, "action": "accept" | "reject" |
//! "shadowReject", "msg": "…"}`. [`run_policy`] is that loop; [`Policy::answer`]
//! decides one line.
//!
//! Notes of the kinds the rules name are classified; one is refused when it carries
//! a refused topic or its language is refused. Events of other kinds are accepted
//! untouched. A line that cannot be read is answered `reject` with a message naming
//! the line and what was wrong; nothing stops the loop but the end of the input.

use std::io::{BufRead, Read, Write};

use notetag::{Classifier, PredictOptions};
use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::lang::{note_lang, LangFilter};

/// Longest input line read, in bytes; a longer one is answered `reject`.
pub const MAX_LINE_BYTES: usize = 4 << 20;

/// The rules of a [`Policy`].
#[derive(Debug, Clone)]
pub struct PolicyRules {
    /// Notes carrying any of these topics are refused.
    pub reject_topics: Vec<String>,
    /// Language rules.
    pub langs: LangFilter,
    /// One probability threshold for every label (default: the model's tuned ones).
    pub threshold: Option<f32>,
    /// Event kinds the rules apply to; other kinds are accepted.
    pub kinds: Vec<u64>,
    /// Answer `shadowReject` (the client is told the event was stored) instead of `reject`.
    pub shadow: bool,
}

impl Default for PolicyRules {
    fn default() -> Self {
        PolicyRules {
            reject_topics: Vec::new(),
            langs: LangFilter::default(),
            threshold: None,
            kinds: vec![1, 30023],
            shadow: false,
        }
    }
}

/// What to do with one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Action {
    /// Store it.
    Accept,
    /// Refuse it and tell the client why.
    Reject,
    /// Refuse it but tell the client it was stored.
    ShadowReject,
}

/// One answer line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answer {
    /// The event id from the input (empty when the line has none).
    pub id: String,
    /// The decision.
    pub action: Action,
    /// The NIP-20 message for the client (`blocked: …`), empty on accept.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub msg: String,
}

/// Counts of one [`run_policy`] run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PolicyStats {
    /// Lines answered `accept`.
    pub accepted: u64,
    /// Lines answered `reject` or `shadowReject` by the rules.
    pub refused: u64,
    /// Lines that could not be read (answered `reject`).
    pub bad_lines: u64,
}

/// A classifier with rules.
#[derive(Debug)]
pub struct Policy {
    clf: Classifier,
    rules: PolicyRules,
    predict: PredictOptions,
}

impl Policy {
    /// A policy; every refused topic must be a label of the model.
    pub fn new(clf: Classifier, rules: PolicyRules) -> Result<Policy> {
        if let Some(t) = rules.reject_topics.iter().find(|t| !clf.labels().contains(t)) {
            return Err(Error::param(
                "reject-topics",
                format!(
                    "`{t}` is not a label of the model (its labels: {})",
                    clf.labels().join(", ")
                ),
            ));
        }
        let predict = PredictOptions {
            threshold: rules.threshold,
            top_k: None,
        };
        predict.check()?;
        Ok(Policy { clf, rules, predict })
    }

    /// The answer to one input line (without its line end); `line_no` (1-based)
    /// names the line in messages about bad input.
    pub fn answer(&self, line: &[u8], line_no: u64) -> (Answer, bool) {
        let bad = |id: String, what: String| {
            let answer = Answer {
                id,
                action: Action::Reject,
                msg: format!("error: bad plugin input line {line_no}: {what}"),
            };
            (answer, false)
        };
        let Ok(text) = std::str::from_utf8(line) else {
            return bad(String::new(), "not UTF-8".into());
        };
        let msg: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => return bad(String::new(), format!("invalid JSON: {e}")),
        };
        let event = msg.get("event");
        let id = event
            .and_then(|e| e.get("id"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        match msg.get("type").and_then(Value::as_str) {
            Some("new") => {}
            Some(t) => return bad(id.into(), format!("field `type`: `{t}` is not `new`")),
            None => return bad(id.into(), "field `type`: missing or not a string".into()),
        }
        let Some(event) = event.and_then(Value::as_object) else {
            return bad(id.into(), "field `event`: missing or not an object".into());
        };
        if id.is_empty() {
            return bad(String::new(), "field `event.id`: missing or not a string".into());
        }
        let Some(kind) = event.get("kind").and_then(Value::as_u64) else {
            return bad(
                id.into(),
                "field `event.kind`: missing or not a non-negative integer".into(),
            );
        };
        if !self.rules.kinds.contains(&kind) {
            return (self.accept(id), true);
        }
        let Some(content) = event.get("content").and_then(Value::as_str) else {
            return bad(id.into(), "field `event.content`: missing or not a string".into());
        };
        (self.decide(id, content), true)
    }

    fn accept(&self, id: &str) -> Answer {
        Answer {
            id: id.into(),
            action: Action::Accept,
            msg: String::new(),
        }
    }

    fn decide(&self, id: &str, content: &str) -> Answer {
        let pred = self.clf.predict_with(content, &self.predict);
        let refusal = match pred.labels().find(|l| self.rules.reject_topics.iter().any(|t| t == l)) {
            Some(topic) => Some(format!("blocked: notes about {topic} are not accepted here")),
            None => (!self.rules.langs.allows(note_lang(&pred)))
                .then(|| format!("blocked: notes in language {} are not accepted here", pred.lang())),
        };
        match refusal {
            None => self.accept(id),
            Some(msg) => Answer {
                id: id.into(),
                action: if self.rules.shadow {
                    Action::ShadowReject
                } else {
                    Action::Reject
                },
                msg,
            },
        }
    }
}

/// Answer every line of `input` on `output`, one line each, in order, flushed at
/// once. Returns at the end of the input; fails only when the output cannot be
/// written (or the input cannot be read at all).
pub fn run_policy(policy: &Policy, mut input: impl BufRead, mut output: impl Write) -> Result<PolicyStats> {
    let mut stats = PolicyStats::default();
    let mut buf = Vec::new();
    let mut line_no = 0u64;
    loop {
        buf.clear();
        let n = Read::take(&mut input, MAX_LINE_BYTES as u64 + 1).read_until(b'\n', &mut buf)?;
        if n == 0 {
            return Ok(stats);
        }
        line_no += 1;
        let (answer, readable) = if buf.len() > MAX_LINE_BYTES && buf.last() != Some(&b'\n') {
            skip_rest_of_line(&mut input)?;
            let what = format!("line longer than {MAX_LINE_BYTES} bytes");
            let msg = format!("error: bad plugin input line {line_no}: {what}");
            let answer = Answer {
                id: String::new(),
                action: Action::Reject,
                msg,
            };
            (answer, false)
        } else {
            while matches!(buf.last(), Some(b'\n' | b'\r')) {
                buf.pop();
            }
            policy.answer(&buf, line_no)
        };
        match (readable, answer.action) {
            (false, _) => {
                stats.bad_lines += 1;
                eprintln!("notetag strfry-policy: {}", answer.msg);
            }
            (true, Action::Accept) => stats.accepted += 1,
            (true, _) => stats.refused += 1,
        }
        let line = serde_json::to_string(&answer).unwrap_or_default();
        output.write_all(line.as_bytes())?;
        output.write_all(b"\n")?;
        output.flush()?;
    }
}

fn skip_rest_of_line(input: &mut impl BufRead) -> Result<()> {
    loop {
        let chunk = input.fill_buf()?;
        if chunk.is_empty() {
            return Ok(());
        }
        let (used, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        input.consume(used);
        if done {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(rules: PolicyRules) -> Policy {
        Policy::new(Classifier::default_model().unwrap(), rules).unwrap()
    }

    fn new_line(id: &str, kind: u64, content: &str) -> String {
        serde_json::json!({
            "type": "new",
            "event": {"id": id, "pubkey": "p", "kind": kind, "content": content, "tags": [], "created_at": 1, "sig": "s"},
            "receivedAt": 1, "sourceType": "IP4", "sourceInfo": "127.0.0.1"
        })
        .to_string()
    }

    #[test]
    fn refuses_topics_and_accepts_other_kinds() {
        let p = policy(PolicyRules {
            reject_topics: vec!["trade_finance".into()],
            ..PolicyRules::default()
        });
        let fed = "The Fed held rates steady and bond yields slipped";
        let (a, ok) = p.answer(new_line("a1", 1, fed).as_bytes(), 1);
        assert!(ok);
        assert_eq!(a.action, Action::Reject);
        assert_eq!(a.msg, "blocked: notes about trade_finance are not accepted here");
        assert_eq!(p.answer(new_line("a2", 7, fed).as_bytes(), 2).0, p.accept("a2"));
        assert_eq!(
            p.answer(new_line("a3", 1, "gm, coffee time").as_bytes(), 3).0,
            p.accept("a3")
        );
        let shadow = policy(PolicyRules {
            reject_topics: vec!["trade_finance".into()],
            shadow: true,
            ..PolicyRules::default()
        });
        assert_eq!(
            shadow.answer(new_line("a4", 1, fed).as_bytes(), 1).0.action,
            Action::ShadowReject
        );
    }

    #[test]
    fn bad_lines_are_rejected_with_their_line_number() {
        let p = policy(PolicyRules::default());
        let cases: [(&[u8], &str, &str); 5] = [
            (
                b"not json",
                "",
                "error: bad plugin input line 9: invalid JSON: expected ident at line 1 column 2",
            ),
            (b"\xff", "", "error: bad plugin input line 9: not UTF-8"),
            (
                br#"{"type":"lookback","event":{"id":"x"}}"#,
                "x",
                "error: bad plugin input line 9: field `type`: `lookback` is not `new`",
            ),
            (
                br#"{"type":"new","event":{"id":"x","kind":1}}"#,
                "x",
                "error: bad plugin input line 9: field `event.content`: missing or not a string",
            ),
            (
                br#"{"type":"new","event":{"kind":1}}"#,
                "",
                "error: bad plugin input line 9: field `event.id`: missing or not a string",
            ),
        ];
        for (line, id, msg) in cases {
            let (a, ok) = p.answer(line, 9);
            assert!(!ok);
            assert_eq!((a.id.as_str(), a.action, a.msg.as_str()), (id, Action::Reject, msg));
        }
    }

    #[test]
    fn unknown_topic_is_a_parameter_error() {
        let rules = PolicyRules {
            reject_topics: vec!["sport".into()],
            ..PolicyRules::default()
        };
        let e = Policy::new(Classifier::default_model().unwrap(), rules)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("invalid parameter `reject-topics`: `sport` is not a label"),
            "{e}"
        );
    }

    #[test]
    fn the_loop_answers_every_line_in_order() {
        let p = policy(PolicyRules::default());
        let mut input = new_line("a", 1, "gm").into_bytes();
        input.extend_from_slice(b"\n\n");
        input.extend(std::iter::repeat(b'x').take(MAX_LINE_BYTES + 10));
        input.extend_from_slice(b"\n");
        input.extend_from_slice(new_line("b", 1, "gm").as_bytes());
        let mut out = Vec::new();
        let stats = run_policy(&p, &input[..], &mut out).unwrap();
        let lines: Vec<Value> = out
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_slice(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(
            (lines[0]["id"].as_str(), lines[3]["id"].as_str()),
            (Some("a"), Some("b"))
        );
        assert!(lines[2]["msg"].as_str().unwrap().contains("line 3: line longer than"));
        assert_eq!(
            stats,
            PolicyStats {
                accepted: 2,
                refused: 0,
                bad_lines: 2
            }
        );
    }
}
