//! Checking the events that relays send: the same checks as
//! [`notetag::io::nostr::verify_event`], with the signature verified by
//! libsecp256k1.
//!
//! Every note read from a relay is verified, and BIP-340 verification is most of
//! the labeler's work per note. libsecp256k1 (through the `secp256k1` crate) does it
//! in well under half the time of the pure-Rust verifier of the core, so the live
//! path uses it. The id is still decoded and checked by the core ([`check_event_id`]), the errors
//! are the core's [`EventError`]s with the same messages, and the tests check that
//! both verifiers accept and refuse the same events.

use std::sync::OnceLock;

use notetag::io::nostr::{check_event_id, Event, EventError};
use secp256k1::{schnorr::Signature, Secp256k1, VerifyOnly, XOnlyPublicKey};

fn context() -> &'static Secp256k1<VerifyOnly> {
    static CONTEXT: OnceLock<Secp256k1<VerifyOnly>> = OnceLock::new();
    CONTEXT.get_or_init(Secp256k1::verification_only)
}

/// Check an event: its id must be the hash of its fields, and its signature a valid
/// BIP-340 signature of that id under its pubkey. Accepts and refuses exactly what
/// [`notetag::io::nostr::verify_event`] does, with the same errors.
pub fn verify_event(event: &Event) -> Result<(), EventError> {
    let c = check_event_id(event)?;
    let pubkey = XOnlyPublicKey::from_byte_array(&c.pubkey).map_err(|_| EventError::BadPublicKey)?;
    context()
        .verify_schnorr(&Signature::from_byte_array(c.sig), &c.id, &pubkey)
        .map_err(|_| EventError::BadSignature)
}

#[cfg(test)]
mod tests {
    use super::*;
    use notetag::io::nostr::{EventTemplate, Keys};

    fn keys(n: u8) -> Keys {
        format!("{}{n:02x}", "00".repeat(31)).parse().unwrap()
    }

    fn note(keys: &Keys, content: &str) -> Event {
        keys.sign(EventTemplate {
            created_at: 1_700_000_000,
            kind: 1,
            tags: vec![vec!["t".into(), "news".into()]],
            content: content.into(),
        })
    }

    /// Both verifiers give the same answer, error included.
    fn agree(ev: &Event) -> Result<(), EventError> {
        let ours = verify_event(ev);
        assert_eq!(ours, notetag::io::nostr::verify_event(ev), "{ev:?}");
        ours
    }

    #[test]
    fn accepts_and_refuses_what_the_core_does() {
        let (a, b) = (keys(7), keys(9));
        let good = note(&a, "The Fed held rates steady\n\"quoted\" \\ and ünïcödé 🤙");
        assert_eq!(agree(&good), Ok(()));
        for i in 0..20 {
            agree(&note(&b, &format!("note {i}"))).unwrap();
        }

        let mut changed = good.clone();
        changed.content.push('!');
        assert!(matches!(agree(&changed), Err(EventError::IdMismatch { .. })));

        let mut stolen = note(&a, "another note");
        stolen.sig = good.sig.clone();
        assert_eq!(agree(&stolen), Err(EventError::BadSignature));

        let mut other_author = good.clone();
        other_author.pubkey = b.public_key_hex().to_string();
        other_author.id = other_author.compute_id();
        assert_eq!(agree(&other_author), Err(EventError::BadSignature));

        // An x coordinate with no point on the curve (x = 5 has none).
        let mut off_curve = good.clone();
        off_curve.pubkey = format!("{}05", "00".repeat(31));
        off_curve.id = off_curve.compute_id();
        assert_eq!(agree(&off_curve), Err(EventError::BadPublicKey));

        // r >= p and s >= n.
        for sig in [
            format!("{}{}", "ff".repeat(32), &good.sig[64..]),
            format!("{}{}", &good.sig[..64], "ff".repeat(32)),
            "00".repeat(64),
        ] {
            let mut bad = good.clone();
            bad.sig = sig;
            assert_eq!(agree(&bad), Err(EventError::BadSignature));
        }

        for (field, value) in [("id", "AB"), ("pubkey", "zz"), ("sig", "")] {
            let mut bad = good.clone();
            match field {
                "id" => bad.id = good.id.to_uppercase(),
                "pubkey" => bad.pubkey = format!("{}{value}", &good.pubkey[2..]),
                _ => bad.sig = value.into(),
            }
            let e = agree(&bad).unwrap_err();
            assert!(matches!(e, EventError::Field { field: f, .. } if f == field), "{e}");
        }
    }
}
