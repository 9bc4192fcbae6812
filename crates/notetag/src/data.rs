//! Labelled examples: the unit of training and evaluation data.

use serde::{Deserialize, Serialize};

use crate::text::hash::{combine, fmix, hash_bytes};

/// One note with its gold topics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Example {
    /// Identifier carried from the input, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The note.
    pub text: String,
    /// Every topic that applies; empty for "no topic".
    #[serde(default)]
    pub labels: Vec<String>,
    /// The one topic a reader would file the note under; `None` falls back to the
    /// first of `labels`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<String>,
}

impl Example {
    /// A single-label example.
    pub fn new(text: impl Into<String>, label: impl Into<String>) -> Self {
        let label = label.into();
        Example {
            id: None,
            text: text.into(),
            labels: vec![label.clone()],
            primary: Some(label),
        }
    }

    /// An example with several labels (the first is the primary), or none.
    pub fn multi<S: Into<String>>(text: impl Into<String>, labels: impl IntoIterator<Item = S>) -> Self {
        let labels: Vec<String> = labels.into_iter().map(Into::into).collect();
        Example {
            id: None,
            text: text.into(),
            primary: labels.first().cloned(),
            labels,
        }
    }

    /// The primary label: `primary`, or else the first of `labels`.
    pub fn primary_label(&self) -> Option<&str> {
        self.primary.as_deref().or(self.labels.first().map(String::as_str))
    }
}

/// A stable 64-bit fingerprint of a data set (texts, labels and primaries, in
/// order), written as 16 hex digits. Models record it to tell which data they saw.
pub fn data_hash(examples: &[Example]) -> String {
    let mut h = 0x006e_6f74_6574_6167_u64;
    for e in examples {
        h = combine(h, hash_bytes(1, e.text.as_bytes()));
        for l in &e.labels {
            h = combine(h, hash_bytes(2, l.as_bytes()));
        }
        h = combine(h, hash_bytes(3, e.primary_label().unwrap_or("").as_bytes()));
    }
    format!("{:016x}", fmix(h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primary_falls_back_to_first_label() {
        let mut e = Example::multi("x", ["tech", "personal"]);
        assert_eq!(e.primary_label(), Some("tech"));
        e.primary = Some("personal".into());
        assert_eq!(e.primary_label(), Some("personal"));
        assert_eq!(Example::multi("x", Vec::<String>::new()).primary_label(), None);
    }

    #[test]
    fn data_hash_sees_every_field_and_order() {
        let a = vec![Example::new("a", "tech"), Example::new("b", "personal")];
        let mut b = a.clone();
        b.swap(0, 1);
        let mut c = a.clone();
        c[0].labels.push("personal".into());
        assert_eq!(data_hash(&a), data_hash(&a.clone()));
        assert_ne!(data_hash(&a), data_hash(&b));
        assert_ne!(data_hash(&a), data_hash(&c));
        assert_eq!(data_hash(&a).len(), 16);
    }
}
