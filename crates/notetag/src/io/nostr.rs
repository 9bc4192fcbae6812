//! Nostr output: NIP-32 label events (kind 1985), NIP-01 event ids and BIP-340
//! Schnorr signatures.
//!
//! A tagged note becomes an [`EventTemplate`] with [`label_event`]; a [`Keys`] signs
//! it into an [`Event`] with the NIP-01 id and a BIP-340 signature, and
//! [`verify_event`] checks any event (ours or a relay's): the id recomputed from the
//! fields, then the signature over that id.
//!
//! ```
//! use notetag::io::nostr::{label_event, verify_event, Keys, LabelTarget};
//!
//! let keys: Keys = "0000000000000000000000000000000000000000000000000000000000000003".parse()?;
//! let target = LabelTarget {
//!     event_id: Some("a12f16450c7bf61893f46572d4d8e4a045f712ed177d79fb61525fe841217c15"),
//!     author: Some("f104c306cdb6f0e909b0c79773ce2acd0fa88113d634fb0f918f608bb1cdd669"),
//!     ..LabelTarget::default()
//! };
//! let template = label_event("org.notetag.topic", ["tech"], &target, 1_700_000_000);
//! let event = keys.sign(template);
//! assert_eq!(event.pubkey, keys.public_key_hex());
//! verify_event(&event)?;
//! # Ok::<(), notetag::Error>(())
//! ```

use std::fmt;

use bech32::primitives::decode::{CharError, ChecksumError, UncheckedHrpstring, UncheckedHrpstringError};
use bech32::{Bech32, Fe32};
use k256::schnorr::{Signature, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use crate::error::{EventError, KeyError};

/// The kind of NIP-32 label events.
pub const LABEL_KIND: u64 = 1985;

/// The label namespace notetag uses unless told otherwise.
pub const DEFAULT_NAMESPACE: &str = "org.notetag.topic";

/// An event before signing: what NIP-01 hashes, minus the author.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventTemplate {
    /// Unix time in seconds.
    pub created_at: u64,
    /// Event kind.
    pub kind: u64,
    /// Tags: arrays of strings.
    pub tags: Vec<Vec<String>>,
    /// Content.
    pub content: String,
}

/// A complete NIP-01 event. Serialises (serde) in NIP-01's field order; unknown
/// fields are ignored when deserialising.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Lowercase hex sha256 of the serialisation ([`event_id`]).
    pub id: String,
    /// Lowercase hex x-only public key of the author.
    pub pubkey: String,
    /// Unix time in seconds.
    pub created_at: u64,
    /// Event kind.
    pub kind: u64,
    /// Tags: arrays of strings.
    pub tags: Vec<Vec<String>>,
    /// Content.
    pub content: String,
    /// Lowercase hex BIP-340 signature of the id.
    pub sig: String,
}

impl Event {
    /// Parse one event from JSON.
    pub fn from_json(s: &str) -> crate::Result<Event> {
        Ok(serde_json::from_str::<Event>(s)?)
    }

    /// This event as one line of JSON.
    pub fn to_json(&self) -> String {
        // Serialising plain strings and integers cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The id NIP-01 gives these fields (whatever `self.id` says).
    pub fn compute_id(&self) -> String {
        hex::encode(event_id(
            &self.pubkey,
            self.created_at,
            self.kind,
            &self.tags,
            &self.content,
        ))
    }
}

/// The event a label applies to; every part is optional.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LabelTarget<'a> {
    /// Id of the labelled event (`["e", id]`).
    pub event_id: Option<&'a str>,
    /// Relay where that event can be found, added to the `e` tag when known.
    pub relay_hint: Option<&'a str>,
    /// Author of the labelled event (`["p", pubkey]`).
    pub author: Option<&'a str>,
}

/// A NIP-32 label event (kind 1985) for a tagged note: `["L", namespace]`, one
/// `["l", label, namespace]` per label in the order given, then `["e", id]` (with
/// the relay hint when known) and `["p", author]` where the target has them; empty
/// content.
pub fn label_event<'a>(
    namespace: &str,
    labels: impl IntoIterator<Item = &'a str>,
    target: &LabelTarget<'_>,
    created_at: u64,
) -> EventTemplate {
    let mut tags = vec![vec!["L".to_string(), namespace.to_string()]];
    tags.extend(
        labels
            .into_iter()
            .map(|l| vec!["l".to_string(), l.to_string(), namespace.to_string()]),
    );
    if let Some(id) = target.event_id {
        let mut e = vec!["e".to_string(), id.to_string()];
        if let Some(relay) = target.relay_hint {
            e.push(relay.to_string());
        }
        tags.push(e);
    }
    if let Some(p) = target.author {
        tags.push(vec!["p".to_string(), p.to_string()]);
    }
    EventTemplate {
        created_at,
        kind: LABEL_KIND,
        tags,
        content: String::new(),
    }
}

/// The NIP-32 namespace of language labels (ISO 639-1 codes).
pub const LANGUAGE_NAMESPACE: &str = "ISO-639-1";

/// Adds a note's language to a label event: `["L", "ISO-639-1"]` and
/// `["l", code, "ISO-639-1"]`, before the `e`/`p` tags. `und` (language not
/// known) adds nothing.
pub fn add_language_label(template: &mut EventTemplate, code: &str) {
    if code == crate::text::lang::UNDETERMINED {
        return;
    }
    let at = template
        .tags
        .iter()
        .position(|t| t.first().is_some_and(|k| k == "e" || k == "p"))
        .unwrap_or(template.tags.len());
    let tags = [
        vec!["L".to_string(), LANGUAGE_NAMESPACE.to_string()],
        vec!["l".to_string(), code.to_string(), LANGUAGE_NAMESPACE.to_string()],
    ];
    template.tags.splice(at..at, tags);
}

/// NIP-01's serialisation `[0,pubkey,created_at,kind,tags,content]`: no white space;
/// in every string, line feed, double quote, backslash, carriage return, tab,
/// backspace and form feed are escaped as `\n \" \\ \r \t \b \f`, and every other
/// character (other control characters and all non-ASCII included) is written
/// verbatim, as NIP-01 prescribes.
pub fn serialize_for_id(pubkey: &str, created_at: u64, kind: u64, tags: &[Vec<String>], content: &str) -> String {
    let mut out = String::with_capacity(96 + content.len() + tags.iter().flatten().map(|t| t.len() + 3).sum::<usize>());
    out.push_str("[0,");
    push_json_str(&mut out, pubkey);
    out.push(',');
    out.push_str(&created_at.to_string());
    out.push(',');
    out.push_str(&kind.to_string());
    out.push_str(",[");
    for (i, tag) in tags.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('[');
        for (j, s) in tag.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            push_json_str(&mut out, s);
        }
        out.push(']');
    }
    out.push_str("],");
    push_json_str(&mut out, content);
    out.push(']');
    out
}

fn push_json_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The NIP-01 event id: sha256 of [`serialize_for_id`].
pub fn event_id(pubkey: &str, created_at: u64, kind: u64, tags: &[Vec<String>], content: &str) -> [u8; 32] {
    Sha256::digest(serialize_for_id(pubkey, created_at, kind, tags, content).as_bytes()).into()
}

/// Check an event: its id must be the hash of its fields, and its signature a valid
/// BIP-340 signature of that id under its pubkey.
pub fn verify_event(event: &Event) -> Result<(), EventError> {
    let c = check_event_id(event)?;
    verify_bip340(&c.pubkey, &c.id, &c.sig)
}

/// An event's pubkey, id and signature as bytes, its id checked against its fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckedId {
    /// The x-only public key.
    pub pubkey: [u8; 32],
    /// The event id, equal to the hash of the event's fields.
    pub id: [u8; 32],
    /// The BIP-340 signature, not yet verified.
    pub sig: [u8; 64],
}

/// The first half of [`verify_event`], for callers with their own signature
/// verifier: decodes the pubkey, id and signature, checks that the id is the hash
/// of the event's fields, and returns the three as bytes.
pub fn check_event_id(event: &Event) -> Result<CheckedId, EventError> {
    let pubkey: [u8; 32] = unhex_field("pubkey", &event.pubkey)?;
    let sig: [u8; 64] = unhex_field("sig", &event.sig)?;
    let id: [u8; 32] = unhex_field("id", &event.id)?;
    let computed = event_id(&event.pubkey, event.created_at, event.kind, &event.tags, &event.content);
    if computed != id {
        return Err(EventError::IdMismatch {
            computed: hex::encode(computed),
            found: event.id.clone(),
        });
    }
    Ok(CheckedId { pubkey, id, sig })
}

/// Verify a BIP-340 signature of a 32-byte message under an x-only public key.
pub fn verify_bip340(pubkey: &[u8; 32], msg: &[u8; 32], sig: &[u8; 64]) -> Result<(), EventError> {
    let vk = VerifyingKey::from_bytes(pubkey).map_err(|_| EventError::BadPublicKey)?;
    let sig = Signature::try_from(&sig[..]).map_err(|_| EventError::BadSignature)?;
    vk.verify_raw(msg, &sig).map_err(|_| EventError::BadSignature)
}

/// A secret key and its public key, for signing events.
///
/// Parsed from 64 hex characters or a NIP-19 `nsec1…` string (white space around it
/// is ignored). `Debug` shows the public key only; errors never contain the secret.
#[derive(Clone)]
pub struct Keys {
    secret: SigningKey,
    pubkey_hex: String,
}

impl fmt::Debug for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keys")
            .field("pubkey", &self.pubkey_hex)
            .field("secret", &"<redacted>")
            .finish()
    }
}

impl std::str::FromStr for Keys {
    type Err = KeyError;

    fn from_str(s: &str) -> Result<Keys, KeyError> {
        Keys::parse(s)
    }
}

const NIP19_PREFIXES: [&str; 7] = ["npub", "note", "nprofile", "nevent", "naddr", "nrelay", "ncryptsec"];

impl Keys {
    /// Parse a secret key: 64 hex characters (either case) or an `nsec1…` string.
    pub fn parse(s: &str) -> Result<Keys, KeyError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(KeyError::Empty);
        }
        let lower = s.to_ascii_lowercase();
        if lower.starts_with("nsec1") {
            return Keys::from_nsec(s);
        }
        if let Some(p) = NIP19_PREFIXES.iter().find(|p| lower.starts_with(&format!("{p}1"))) {
            return Err(KeyError::WrongPrefix { prefix: p.to_string() });
        }
        Keys::from_hex(s)
    }

    /// Parse 64 hex characters.
    pub fn from_hex(s: &str) -> Result<Keys, KeyError> {
        let n = s.chars().count();
        if n != 64 {
            return Err(KeyError::WrongLength { found: n });
        }
        let mut bytes = [0u8; 32];
        let keys = match hex::decode_to_slice(s, &mut bytes) {
            Ok(()) => Keys::from_bytes(&bytes),
            // 64 characters, not all of them hex digits: name the first that is not.
            Err(_) => Err(s
                .chars()
                .position(|c| !c.is_ascii_hexdigit())
                .map_or(KeyError::WrongLength { found: n }, |i| KeyError::BadHex {
                    position: i + 1,
                })),
        };
        bytes.fill(0);
        keys
    }

    /// Parse a NIP-19 `nsec1…` bech32 string.
    pub fn from_nsec(s: &str) -> Result<Keys, KeyError> {
        let mut bytes = bech32_decode("nsec", s)?;
        let keys = match <[u8; 32]>::try_from(bytes.as_slice()) {
            Ok(b) => Keys::from_bytes(&b),
            Err(_) => Err(KeyError::BadPayload),
        };
        bytes.fill(0);
        keys
    }

    /// From the 32 big-endian bytes of the secret scalar.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Keys, KeyError> {
        let secret = SigningKey::from_bytes(bytes).map_err(|_| KeyError::OutOfRange)?;
        let pubkey_hex = hex::encode(secret.verifying_key().to_bytes());
        Ok(Keys { secret, pubkey_hex })
    }

    /// The x-only public key, lowercase hex (the `pubkey` of events signed by these keys).
    pub fn public_key_hex(&self) -> &str {
        &self.pubkey_hex
    }

    /// Sign a template: fills `pubkey`, computes the id and signs it with fresh
    /// auxiliary randomness from the operating system, as BIP-340 recommends (32 zero
    /// bytes where the system has none, which BIP-340 allows).
    pub fn sign(&self, template: EventTemplate) -> Event {
        let mut aux = [0u8; 32];
        // On failure aux stays zero: deterministic signing, still valid and safe.
        let _ = getrandom::getrandom(&mut aux);
        self.sign_with_aux(template, &aux)
    }

    /// [`Keys::sign`] with the given auxiliary randomness (deterministic: the same
    /// template and `aux` give the same signature).
    pub fn sign_with_aux(&self, template: EventTemplate, aux: &[u8; 32]) -> Event {
        let EventTemplate {
            created_at,
            kind,
            tags,
            content,
        } = template;
        let id = event_id(&self.pubkey_hex, created_at, kind, &tags, &content);
        let sig = self.sign_bip340(&id, aux);
        Event {
            id: hex::encode(id),
            pubkey: self.pubkey_hex.clone(),
            created_at,
            kind,
            tags,
            content,
            sig: hex::encode(sig),
        }
    }

    /// The BIP-340 signature of a 32-byte message with auxiliary randomness `aux`.
    pub fn sign_bip340(&self, msg: &[u8; 32], aux: &[u8; 32]) -> [u8; 64] {
        match self.secret.sign_raw(msg, aux) {
            Ok(sig) => sig.to_bytes(),
            // Fails only when a nonce or s is zero: probability ~2^-256 per call.
            // Retry with a derived aux; each try is an independent draw.
            Err(_) => {
                let aux2: [u8; 32] = Sha256::digest(aux).into();
                self.sign_bip340(msg, &aux2)
            }
        }
    }
}

/// Decode a NIP-19 bech32 string whose human-readable part must be `hrp`; returns
/// the payload bytes.
fn bech32_decode(hrp: &str, s: &str) -> Result<Vec<u8>, KeyError> {
    // Case and prefix first: a string mixing case, or another NIP-19 string, is
    // named as such whatever else is wrong with it.
    if s.chars().any(|c| c.is_ascii_lowercase()) && s.chars().any(|c| c.is_ascii_uppercase()) {
        return Err(KeyError::MixedCase);
    }
    let sep = s.rfind('1').ok_or(KeyError::BadPayload)?;
    let found = s[..sep].to_ascii_lowercase();
    if found != hrp {
        let known = NIP19_PREFIXES.contains(&found.as_str());
        return Err(KeyError::WrongPrefix {
            prefix: if known { found } else { "unknown".to_string() },
        });
    }
    let unchecked = UncheckedHrpstring::new(s).map_err(|e| match e {
        UncheckedHrpstringError::Char(CharError::MixedCase) => KeyError::MixedCase,
        UncheckedHrpstringError::Char(CharError::InvalidChar(_)) => s[sep + 1..]
            .chars()
            .position(|c| Fe32::from_char(c).is_err())
            .map_or(KeyError::BadPayload, |i| KeyError::BadBech32Char {
                position: sep + 2 + i,
            }),
        _ => KeyError::BadPayload,
    })?;
    let checked = unchecked
        .validate_and_remove_checksum::<Bech32>()
        .map_err(|e| match e {
            ChecksumError::InvalidResidue => KeyError::BadChecksum,
            // Too short to hold a checksum, or too long for bech32.
            _ => KeyError::BadPayload,
        })?;
    // 5-bit groups to bytes: the leftover bits must be fewer than 5 and all zero.
    checked.validate_segwit_padding().map_err(|_| KeyError::BadPayload)?;
    Ok(checked.byte_iter().collect())
}

/// `s` as `N` bytes: NIP-01 fields are lowercase hex of a fixed length.
fn unhex_field<const N: usize>(field: &'static str, s: &str) -> Result<[u8; N], EventError> {
    let bad = |reason: String| EventError::Field { field, reason };
    if s.len() != 2 * N {
        return Err(bad(format!(
            "expected {} hex characters, found {}",
            2 * N,
            s.chars().count()
        )));
    }
    // The hex crate takes either case; NIP-01 allows lowercase only.
    if let Some(i) = s.bytes().position(|b| !matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(bad(format!("character {} is not a lowercase hex digit", i + 1)));
    }
    let mut out = [0u8; N];
    hex::decode_to_slice(s, &mut out).map_err(|e| bad(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip() {
        let b: [u8; 4] = [0, 0x9f, 0xa0, 0xff];
        assert_eq!(hex::encode(b), "009fa0ff");
        assert_eq!(unhex_field::<4>("id", "009fa0ff").unwrap(), b);
        assert!(matches!(
            unhex_field::<4>("id", "009FA0FF"),
            Err(EventError::Field { field: "id", .. })
        ));
        assert!(unhex_field::<4>("id", "009fa0f").is_err());
    }

    #[test]
    fn bech32_rejects_garbage_before_checksum() {
        assert_eq!(bech32_decode("nsec", "nsec1"), Err(KeyError::BadPayload));
        assert_eq!(
            bech32_decode("nsec", "nsec1bqqqqqqq"),
            Err(KeyError::BadBech32Char { position: 6 })
        );
        assert_eq!(bech32_decode("nsec", "nSec1qqqqqqq"), Err(KeyError::MixedCase));
    }

    /// A bech32 string with a valid checksum over these 5-bit groups.
    fn encode_fes(hrp: &str, fes: &[Fe32]) -> String {
        use bech32::primitives::iter::Fe32IterExt;
        let hrp = bech32::Hrp::parse(hrp).unwrap();
        fes.iter().copied().with_checksum::<Bech32>(&hrp).chars().collect()
    }

    #[test]
    fn nsec_payloads_must_be_32_bytes_with_zero_padding() {
        use bech32::primitives::iter::ByteIterExt;
        let secret = [7u8; 32];
        let fes: Vec<Fe32> = secret.iter().copied().bytes_to_fes().collect();
        assert_eq!(fes.len(), 52, "256 bits and 4 bits of padding");
        let nsec = encode_fes("nsec", &fes);
        assert_eq!(bech32_decode("nsec", &nsec).unwrap(), secret);
        assert_eq!(
            Keys::from_nsec(&nsec).unwrap().public_key_hex(),
            Keys::from_bytes(&secret).unwrap().public_key_hex()
        );
        // The same groups with a padding bit set: a valid checksum, a bad payload.
        let mut padded = fes.clone();
        padded[51] = Fe32::try_from(padded[51].to_u8() | 1).unwrap();
        assert_eq!(
            bech32_decode("nsec", &encode_fes("nsec", &padded)),
            Err(KeyError::BadPayload)
        );
        // 31 and 33 bytes decode, but are not a key.
        for n in [31, 33] {
            let fes: Vec<Fe32> = [7u8; 33][..n].iter().copied().bytes_to_fes().collect();
            assert_eq!(bech32_decode("nsec", &encode_fes("nsec", &fes)).unwrap().len(), n);
            assert_eq!(
                Keys::from_nsec(&encode_fes("nsec", &fes)).unwrap_err(),
                KeyError::BadPayload
            );
        }
        // A valid bech32 string under another prefix names the prefix.
        assert_eq!(
            bech32_decode("nsec", &encode_fes("note", &fes)),
            Err(KeyError::WrongPrefix { prefix: "note".into() })
        );
        assert_eq!(
            bech32_decode("nsec", &encode_fes("lnbc", &fes)),
            Err(KeyError::WrongPrefix {
                prefix: "unknown".into()
            })
        );
    }
}
