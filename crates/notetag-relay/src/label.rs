//! One note in, one outcome out: classify, apply the language rules, and build the
//! signed NIP-32 label event for a note with topics.

use notetag::io::nostr::{add_language_label, label_event, Event, EventError, Keys, LabelTarget};
use notetag::{Classifier, PredictOptions};

use crate::lang::{note_lang, LangFilter};
use crate::verify::verify_event;

/// How notes are labelled.
#[derive(Debug, Clone)]
pub struct LabelSettings {
    /// NIP-32 namespace of the topic labels.
    pub namespace: String,
    /// Prediction options (one `threshold` for every label, or the model's tuned ones).
    pub predict: PredictOptions,
    /// Which languages are labelled.
    pub langs: LangFilter,
}

impl Default for LabelSettings {
    fn default() -> Self {
        LabelSettings {
            namespace: notetag::io::nostr::DEFAULT_NAMESPACE.to_string(),
            predict: PredictOptions::default(),
            langs: LangFilter::default(),
        }
    }
}

/// What became of one note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The note has topics: its signed label event.
    Labelled(Box<Event>),
    /// No topic reached its threshold: nothing to publish.
    NoTopic,
    /// The note's language is refused by the rules (`None`: not known).
    OtherLanguage(Option<String>),
}

/// Label one (already verified) note.
///
/// The label event is a pure function of the note, the model, the settings and the
/// key: `created_at` is the note's own (or `now` for a note dated in the future),
/// there is no relay hint, and the signature is BIP-340's deterministic one. A note
/// labelled twice (after a crash, or seen on two relays) gives the very same event,
/// which relays store once.
pub fn label_note(clf: &Classifier, keys: &Keys, settings: &LabelSettings, note: &Event, now: u64) -> Outcome {
    let pred = clf.predict_with(&note.content, &settings.predict);
    let lang = note_lang(&pred);
    if !settings.langs.allows(lang) {
        return Outcome::OtherLanguage(lang.map(str::to_string));
    }
    if pred.labels().next().is_none() {
        return Outcome::NoTopic;
    }
    let target = LabelTarget {
        event_id: Some(&note.id),
        relay_hint: None,
        author: Some(&note.pubkey),
    };
    let mut template = label_event(&settings.namespace, pred.labels(), &target, note.created_at.min(now));
    add_language_label(&mut template, pred.lang());
    Outcome::Labelled(Box::new(keys.sign_with_aux(template, &[0; 32])))
}

/// What the labeler does with each new note a relay sends: check its id and
/// signature ([`verify_event`]), then [`label_note`] it.
pub fn verify_and_label(
    clf: &Classifier,
    keys: &Keys,
    settings: &LabelSettings,
    note: &Event,
    now: u64,
) -> Result<Outcome, EventError> {
    verify_event(note)?;
    Ok(label_note(clf, keys, settings, note, now))
}

#[cfg(test)]
mod tests {
    use super::*;
    use notetag::io::nostr::{verify_event, EventTemplate};

    fn note(keys: &Keys, content: &str, created_at: u64) -> Event {
        keys.sign(EventTemplate {
            created_at,
            kind: 1,
            tags: vec![],
            content: content.into(),
        })
    }

    #[test]
    fn label_events_are_deterministic_and_verify() {
        let clf = Classifier::default_model().unwrap();
        let author: Keys = "0000000000000000000000000000000000000000000000000000000000000007"
            .parse()
            .unwrap();
        let labeler: Keys = "0000000000000000000000000000000000000000000000000000000000000003"
            .parse()
            .unwrap();
        let n = note(
            &author,
            "The Fed held rates steady and bond yields slipped",
            1_700_000_000,
        );
        let s = LabelSettings::default();
        let Outcome::Labelled(a) = label_note(&clf, &labeler, &s, &n, 1_800_000_000) else {
            panic!("expected a label");
        };
        verify_event(&a).unwrap();
        assert_eq!(a.created_at, 1_700_000_000);
        assert_eq!(
            label_note(&clf, &labeler, &s, &n, 1_900_000_000),
            Outcome::Labelled(a.clone())
        );
        let pred = clf.predict(&n.content);
        let want: Vec<&str> = pred.labels().collect();
        let got: Vec<&str> = a
            .tags
            .iter()
            .filter(|t| t[0] == "l" && t[2] == s.namespace)
            .map(|t| t[1].as_str())
            .collect();
        assert_eq!(got, want);
        // The note's language rides along as its own label.
        assert_eq!(pred.lang(), "en");
        assert!(a.tags.contains(&vec!["L".to_string(), "ISO-639-1".to_string()]));
        assert!(a
            .tags
            .contains(&vec!["l".to_string(), "en".to_string(), "ISO-639-1".to_string()]));
        assert!(a.tags.contains(&vec!["e".to_string(), n.id.clone()]));
        assert!(a.tags.contains(&vec!["p".to_string(), n.pubkey.clone()]));
        // A note from the future is labelled as of now.
        let late = note(
            &author,
            "The Fed held rates steady and bond yields slipped",
            2_000_000_000,
        );
        let Outcome::Labelled(b) = label_note(&clf, &labeler, &s, &late, 1_800_000_000) else {
            panic!("expected a label");
        };
        assert_eq!(b.created_at, 1_800_000_000);
    }

    #[test]
    fn no_topic_and_refused_language() {
        let clf = Classifier::default_model().unwrap();
        let keys: Keys = "0000000000000000000000000000000000000000000000000000000000000003"
            .parse()
            .unwrap();
        let n = note(&keys, "🤙🤙", 1);
        assert_eq!(
            label_note(&clf, &keys, &LabelSettings::default(), &n, 2),
            Outcome::NoTopic
        );
        let s = LabelSettings {
            langs: LangFilter::new(None, vec!["und".into()]),
            ..LabelSettings::default()
        };
        assert_eq!(label_note(&clf, &keys, &s, &n, 2), Outcome::OtherLanguage(None));
        let only_japanese = LabelSettings {
            langs: LangFilter::new(Some(vec!["ja".into()]), vec![]),
            ..LabelSettings::default()
        };
        let english = note(&keys, "The central bank raised interest rates again today", 1);
        assert_eq!(
            label_note(&clf, &keys, &only_japanese, &english, 2),
            Outcome::OtherLanguage(Some("en".into()))
        );
    }
}
