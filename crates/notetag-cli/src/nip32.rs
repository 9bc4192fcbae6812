//! `--output-format nip32`: one NIP-32 label event per tagged record, signed when
//! `--sign-key` is given, an unsigned template otherwise.

use std::path::Path;

use notetag::io::nostr::{add_language_label, label_event, Keys, LabelTarget};
use notetag::io::Record;
use notetag::{Error, Prediction, Result};

/// How label events are written.
pub struct Nip32 {
    namespace: String,
    keys: Option<Keys>,
    created_at: u64,
}

impl Nip32 {
    /// From `--namespace`, `--sign-key` and `--created-at`. With a key, `created_at`
    /// defaults to now; without one, to 0 (a template for the signer to fill).
    pub fn new(namespace: &str, sign_key: Option<&Path>, created_at: Option<u64>) -> Result<Nip32> {
        let keys = sign_key.map(read_key_file).transpose()?;
        let created_at = created_at.unwrap_or_else(|| match keys {
            Some(_) => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            None => 0,
        });
        Ok(Nip32 {
            namespace: namespace.to_string(),
            keys,
            created_at,
        })
    }

    /// The event for one tagged record, as one line of JSON (no newline).
    pub fn line(&self, r: &Record, p: &Prediction) -> String {
        let target = LabelTarget {
            event_id: r.id.as_deref(),
            relay_hint: None,
            author: r.pubkey.as_deref(),
        };
        let mut template = label_event(&self.namespace, p.labels(), &target, self.created_at);
        add_language_label(&mut template, p.lang());
        match &self.keys {
            Some(k) => k.sign(template).to_json(),
            None => serde_json::json!({
                "kind": template.kind,
                "content": template.content,
                "tags": template.tags,
                "created_at": template.created_at,
            })
            .to_string(),
        }
    }
}

/// Read a secret key file (hex or nsec, white space trimmed). Every failure is a
/// usage error naming the file; the key itself is never printed.
pub fn read_key_file(path: &Path) -> Result<Keys> {
    let bad = |reason: String| Error::InvalidParam {
        name: "sign-key",
        reason: format!("{}: {reason}", path.display()),
    };
    let bytes = std::fs::read(path).map_err(|e| bad(format!("cannot read the key file: {e}")))?;
    let text = std::str::from_utf8(&bytes).map_err(|_| bad("the key file is not UTF-8 text".into()))?;
    Keys::parse(text).map_err(|e| bad(e.to_string()))
}
