//! NIP-01 messages: what relays send, parsed leniently into [`RelayMessage`], and
//! what a client sends, built as JSON text.

use notetag::io::nostr::Event;
use serde_json::{json, Value};

/// One message from a relay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelayMessage {
    /// `["EVENT", sub, event]`.
    Event {
        /// Subscription id.
        sub: String,
        /// The event, as sent (not yet verified).
        event: Box<Event>,
    },
    /// `["OK", id, accepted, message]`.
    Ok {
        /// Event id.
        id: String,
        /// Whether the relay stored it.
        accepted: bool,
        /// The relay's message (`duplicate: …`, `blocked: …`, …).
        message: String,
    },
    /// `["EOSE", sub]`: the stored events have all been sent.
    Eose(String),
    /// `["CLOSED", sub, message]`: the relay ended a subscription.
    Closed {
        /// Subscription id.
        sub: String,
        /// Why.
        message: String,
    },
    /// `["NOTICE", message]`.
    Notice(String),
    /// `["AUTH", challenge]` (NIP-42).
    Auth(String),
    /// A well-formed message of a type this client does not use (`COUNT`, …).
    Other(String),
}

/// Parse one text frame. The error says what is wrong, for the log.
pub fn parse_relay_message(text: &str) -> Result<RelayMessage, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let Value::Array(mut a) = v else {
        return Err("not a JSON array".into());
    };
    let kind = match a.first() {
        Some(Value::String(s)) => s.clone(),
        _ => return Err("the first item is not a message type string".into()),
    };
    let string_at = |a: &[Value], i: usize, what: &str| match a.get(i) {
        Some(Value::String(s)) => Ok(s.clone()),
        _ => Err(format!("{kind}: item {i} ({what}) is not a string")),
    };
    Ok(match kind.as_str() {
        "EVENT" => {
            let sub = string_at(&a, 1, "subscription id")?;
            let raw = a.get_mut(2).map(Value::take).ok_or("EVENT: no event")?;
            let event: Event = serde_json::from_value(raw).map_err(|e| format!("EVENT: bad event: {e}"))?;
            RelayMessage::Event {
                sub,
                event: Box::new(event),
            }
        }
        "OK" => RelayMessage::Ok {
            id: string_at(&a, 1, "event id")?,
            accepted: a.get(2).and_then(Value::as_bool).ok_or("OK: item 2 is not a boolean")?,
            message: a.get(3).and_then(Value::as_str).unwrap_or_default().to_string(),
        },
        "EOSE" => RelayMessage::Eose(string_at(&a, 1, "subscription id")?),
        "CLOSED" => RelayMessage::Closed {
            sub: string_at(&a, 1, "subscription id")?,
            message: a.get(2).and_then(Value::as_str).unwrap_or_default().to_string(),
        },
        "NOTICE" => RelayMessage::Notice(string_at(&a, 1, "message")?),
        "AUTH" => RelayMessage::Auth(string_at(&a, 1, "challenge")?),
        _ => RelayMessage::Other(kind),
    })
}

/// `["REQ", sub, {"kinds": …, "since": …, "until": …}]`.
pub fn req(sub: &str, kinds: &[u64], since: u64, until: Option<u64>) -> String {
    let mut filter = json!({"kinds": kinds, "since": since});
    if let Some(u) = until {
        filter["until"] = json!(u);
    }
    json!(["REQ", sub, filter]).to_string()
}

/// `["CLOSE", sub]`.
pub fn close(sub: &str) -> String {
    json!(["CLOSE", sub]).to_string()
}

/// `["EVENT", event]`.
pub fn publish(event: &Event) -> String {
    format!("[\"EVENT\",{}]", event.to_json())
}

/// `["AUTH", event]`.
pub fn auth(event: &Event) -> String {
    format!("[\"AUTH\",{}]", event.to_json())
}

/// The machine-readable prefix of an `OK` or `CLOSED` message (`duplicate`,
/// `rate-limited`, …), empty when there is none.
pub fn prefix(message: &str) -> &str {
    match message.split_once(':') {
        Some((p, _)) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b == b'-') => p,
        _ => "",
    }
}

/// At most `max` characters of `s`, for log lines about untrusted input.
pub fn excerpt(s: &str, max: usize) -> String {
    let mut out: String = s.chars().take(max).flat_map(char::escape_debug).collect();
    if s.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_relay_messages() {
        let ev = r#"{"id":"a","pubkey":"b","created_at":1,"kind":1,"tags":[],"content":"gm","sig":"c","extra":1}"#;
        match parse_relay_message(&format!(r#"["EVENT","s",{ev}]"#)).unwrap() {
            RelayMessage::Event { sub, event } => assert_eq!((sub.as_str(), event.content.as_str()), ("s", "gm")),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            parse_relay_message(r#"["OK","a",false,"blocked: no"]"#).unwrap(),
            RelayMessage::Ok {
                id: "a".into(),
                accepted: false,
                message: "blocked: no".into()
            }
        );
        assert_eq!(
            parse_relay_message(r#"["EOSE","s"]"#).unwrap(),
            RelayMessage::Eose("s".into())
        );
        assert_eq!(
            parse_relay_message(r#"["AUTH","ch"]"#).unwrap(),
            RelayMessage::Auth("ch".into())
        );
        assert_eq!(
            parse_relay_message(r#"["COUNT","s",{"count":1}]"#).unwrap(),
            RelayMessage::Other("COUNT".into())
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for bad in [
            "",
            "{",
            "{}",
            "[]",
            "[1]",
            r#"["EVENT"]"#,
            r#"["EVENT","s",{"id":1}]"#,
            r#"["OK","a"]"#,
            r#"["EOSE",3]"#,
        ] {
            assert!(parse_relay_message(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn prefixes_and_excerpts() {
        assert_eq!(prefix("rate-limited: slow down"), "rate-limited");
        assert_eq!(prefix("no prefix here"), "");
        assert_eq!(prefix("Has: caps"), "");
        assert_eq!(excerpt("ab\ncd", 3), "ab\\n…");
        assert_eq!(
            req("s", &[1], 5, Some(9)),
            r#"["REQ","s",{"kinds":[1],"since":5,"until":9}]"#
        );
    }
}
