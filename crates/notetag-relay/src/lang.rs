//! Languages: which language a note is in, and rules that accept or refuse notes
//! by language.
//!
//! [`note_lang`] is the one place where a note's language is decided; everything
//! else ([`LangFilter`], the language label of [`crate::label`]) goes through it.

use notetag::Prediction;

use crate::error::{Error, Result};

/// The code that stands for "language not known" in rules (`--reject-langs und`).
pub use notetag::text::lang::UNDETERMINED;

/// The language of a note as an ISO 639-1 code, when notetag can tell
/// ([`Prediction::lang`]; `None` where it says `und`).
///
/// The language rules of the labeler and of the strfry policy, and the `["l",
/// code, "ISO-639-1"]` label, all read it.
pub fn note_lang(pred: &Prediction) -> Option<&'static str> {
    Some(pred.lang()).filter(|&code| code != UNDETERMINED)
}

/// Rules on a note's language: an optional list of accepted codes and a list of
/// refused ones.
///
/// A note whose language is not known passes the accept list (nothing can be said
/// against it) and is refused only when the refused list names `und`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LangFilter {
    accept: Option<Vec<String>>,
    reject: Vec<String>,
}

impl LangFilter {
    /// Rules from the accepted codes (`None`: every language) and the refused ones.
    pub fn new(accept: Option<Vec<String>>, reject: Vec<String>) -> Self {
        LangFilter { accept, reject }
    }

    /// Parse a comma-separated list of ISO 639-1 codes (two ASCII letters, any
    /// case) or `und`; `name` is the flag named in the error.
    pub fn parse_codes(name: &'static str, list: &str) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for (i, code) in list.split(',').map(str::trim).enumerate() {
            let lower = code.to_ascii_lowercase();
            let ok = lower == UNDETERMINED || (lower.len() == 2 && lower.bytes().all(|b| b.is_ascii_lowercase()));
            if !ok {
                return Err(Error::param(
                    name,
                    format!(
                        "item {} `{code}` is not an ISO 639-1 code (two letters, e.g. en) or `und`",
                        i + 1
                    ),
                ));
            }
            out.push(lower);
        }
        Ok(out)
    }

    /// Whether a note in `lang` (`None`: not known) passes these rules.
    pub fn allows(&self, lang: Option<&str>) -> bool {
        match lang {
            None => !self.reject.iter().any(|c| c == UNDETERMINED),
            Some(code) => {
                self.accept.as_ref().map_or(true, |a| a.iter().any(|c| c == code))
                    && !self.reject.iter().any(|c| c == code)
            }
        }
    }

    /// Whether any rule is set.
    pub fn is_empty(&self) -> bool {
        self.accept.is_none() && self.reject.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_checked_and_lower_cased() {
        assert_eq!(
            LangFilter::parse_codes("lang", "en, DE,und").unwrap(),
            ["en", "de", "und"]
        );
        let e = LangFilter::parse_codes("lang", "en,english").unwrap_err().to_string();
        assert_eq!(
            e,
            "invalid parameter `lang`: item 2 `english` is not an ISO 639-1 code (two letters, e.g. en) or `und`"
        );
        assert!(LangFilter::parse_codes("lang", "").is_err());
    }

    #[test]
    fn unknown_language_passes_unless_und_is_refused() {
        let accept_en = LangFilter::new(Some(vec!["en".into()]), vec![]);
        assert!(accept_en.allows(Some("en")) && !accept_en.allows(Some("de")) && accept_en.allows(None));
        let refuse_de = LangFilter::new(None, vec!["de".into()]);
        assert!(refuse_de.allows(Some("en")) && !refuse_de.allows(Some("de")) && refuse_de.allows(None));
        assert!(!LangFilter::new(None, vec!["und".into()]).allows(None));
        assert!(LangFilter::default().is_empty() && LangFilter::default().allows(Some("xx")));
    }
}
