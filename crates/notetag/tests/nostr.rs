#![cfg(feature = "nostr")]
//! NIP-01 serialisation and ids, BIP-340 signatures, NIP-19 secret keys and NIP-32
//! label events: checked against the published test vectors, an independent
//! implementation (libsecp256k1 through the `secp256k1` crate) and real relay data.

use notetag::io::nostr::{
    event_id, label_event, serialize_for_id, verify_bip340, verify_event, Event, EventError, KeyError, Keys,
    LabelTarget, LABEL_KIND,
};
use proptest::prelude::*;
use sha2::{Digest, Sha256};

fn unhex<const N: usize>(s: &str) -> [u8; N] {
    assert_eq!(s.len(), 2 * N, "{s}");
    let mut out = [0u8; N];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
    }
    out
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

const PK: &str = "f104c306cdb6f0e909b0c79773ce2acd0fa88113d634fb0f918f608bb1cdd669";

// ---------------------------------------------------------------- serialisation

#[test]
fn serialisation_escapes_exactly_the_seven_nip01_characters() {
    let content = "say \"hi\"\\ back\nnext\tcol\rret\u{8}bs\u{c}ff";
    let got = serialize_for_id(PK, 1, 1, &[], content);
    let want = format!(r#"[0,"{PK}",1,1,[],"say \"hi\"\\ back\nnext\tcol\rret\bbs\fff"]"#);
    assert_eq!(got, want);
}

#[test]
fn other_control_characters_and_unicode_are_written_verbatim() {
    let content = "nul\u{0}one\u{1}esc\u{1b}us\u{1f}del\u{7f} é 中文 🙂‍🔥 /slash\u{2028}";
    let got = serialize_for_id(PK, 7, 30023, &[], content);
    let want = format!("[0,\"{PK}\",7,30023,[],\"{content}\"]");
    assert_eq!(got, want, "no \\u escapes, no escaped slash");
    assert!(!got.contains("\\u"));
}

#[test]
fn tags_are_escaped_like_content_and_written_without_white_space() {
    let tags = vec![
        vec!["e".to_string(), "x\"y".to_string(), "wss://r.example".to_string()],
        vec!["t".to_string(), "a\\b\nc".to_string()],
        vec!["empty".to_string()],
    ];
    let got = serialize_for_id(PK, 1_700_000_000, 1, &tags, "");
    let want = format!(r#"[0,"{PK}",1700000000,1,[["e","x\"y","wss://r.example"],["t","a\\b\nc"],["empty"]],""]"#);
    assert_eq!(got, want);
}

#[test]
fn event_id_is_the_sha256_of_the_serialisation() {
    let tags = vec![vec!["p".to_string(), PK.to_string()]];
    let ser = serialize_for_id(PK, 42, 1, &tags, "gm");
    let want: [u8; 32] = Sha256::digest(ser.as_bytes()).into();
    assert_eq!(event_id(PK, 42, 1, &tags, "gm"), want);
}

proptest! {
    // Where NIP-01's rules and JSON's agree (no control characters other than the
    // seven), our serialisation is byte-for-byte serde_json's compact output.
    #[test]
    fn matches_serde_json_where_the_rules_agree(
        content in "[^\u{0}-\u{7}\u{b}\u{e}-\u{1f}]{0,40}",
        tag in "[\t\n\r\u{8}\u{c}\"\\\\a-z\u{e9}\u{1f642}]{0,12}",
        created_at in any::<u64>(),
        kind in 0u64..65536,
    ) {
        let tags = vec![vec!["t".to_string(), tag.clone()]];
        let ours = serialize_for_id(PK, created_at, kind, &tags, &content);
        let theirs = serde_json::to_string(&serde_json::json!([0, PK, created_at, kind, tags, content])).unwrap();
        prop_assert_eq!(ours, theirs);
    }
}

// ---------------------------------------------------------------- BIP-340 vectors

// From the BIP-340 test-vector table (bip-0340/test-vectors.csv): index, secret key,
// public key, aux_rand, message, signature.
const SIGN_VECTORS: [(&str, &str, &str, &str, &str); 4] = [
    (
        "0000000000000000000000000000000000000000000000000000000000000003",
        "f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "e907831f80848d1069a5371b402410364bdf1c5f8307b0084c55f1ce2dca821525f66a4a85ea8b71e482a74f382d2ce5ebeee8fdb2172f477df4900d310536c0",
    ),
    (
        "b7e151628aed2a6abf7158809cf4f3c762e7160f38b4da56a784d9045190cfef",
        "dff1d77f2a671c5f36183726db2341be58feae1da2deced843240f7b502ba659",
        "0000000000000000000000000000000000000000000000000000000000000001",
        "243f6a8885a308d313198a2e03707344a4093822299f31d0082efa98ec4e6c89",
        "6896bd60eeae296db48a229ff71dfe071bde413e6d43f917dc8dcf8c78de33418906d11ac976abccb20b091292bff4ea897efcb639ea871cfa95f6de339e4b0a",
    ),
    (
        "c90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74020bbea63b14e5c9",
        "dd308afec5777e13121fa72b9cc1b7cc0139715309b086c960e18fd969774eb8",
        "c87aa53824b4d7ae2eb035a2b5bbbccc080e76cdc6d1692c4b0b62d798e6d906",
        "7e2d58d8b3bcdf1abadec7829054f90dda9805aab56c77333024b9d0a508b75c",
        "5831aaeed7b44bb74e5eab94ba9d4294c49bcf2a60728d8b4c200f50dd313c1bab745879a5ad954a72c45a91c3a51d3c7adea98d82f8481e0e1e03674a6f3fb7",
    ),
    (
        "0b432b2677937381aef05bb02a66ecd012773062cf3fa2549e44f58ed2401710",
        "25d1dff95105f5253c4022f628a996ad3a0d95fbf21d468a1b33f8c160d8f517",
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        "7eb0509757e246f19449885651611cb965ecc1a187dd51b64fda1edc9637d5ec97582b9cb13db3933705b32ba982af5af25fd78881ebb32771fc5922efc66ea3",
    ),
];

#[test]
fn bip340_signing_vectors_reproduce_exactly() {
    for (i, (sk, pk, aux, msg, sig)) in SIGN_VECTORS.iter().enumerate() {
        let keys = Keys::from_hex(sk).unwrap();
        assert_eq!(keys.public_key_hex(), *pk, "vector {i}: public key");
        let got = keys.sign_bip340(&unhex(msg), &unhex(aux));
        assert_eq!(hex(&got), *sig, "vector {i}: signature");
        assert_eq!(verify_bip340(&unhex(pk), &unhex(msg), &got), Ok(()), "vector {i}");
    }
}

#[test]
fn bip340_verification_vectors() {
    let pk = "dff1d77f2a671c5f36183726db2341be58feae1da2deced843240f7b502ba659";
    let msg = "243f6a8885a308d313198a2e03707344a4093822299f31d0082efa98ec4e6c89";
    // (public key, message, signature, expected) from the same table, vectors 4-14.
    let cases: [(&str, &str, &str, Result<(), EventError>); 11] = [
        ("d69c3509bb99e412e68b0fe8544e72837dfa30746d8be2aa65975f29d22dc7b9", "4df3c3f68fcc83b27e9d42c90431a72499f17875c81a599b566c9889b9696703",
         "00000000000000000000003b78ce563f89a0ed9414f5aa28ad0d96d6795f9c6376afb1548af603b3eb45c9f8207dee1060cb71c04e80f593060b07d28308d7f4", Ok(())),
        ("eefdea4cdb677750a420fee807eacf21eb9898ae79b9768766e4faa04a2d4a34", msg,
         "6cff5c3ba86c69ea4b7376f31a9bcb4f74c1976089b2d9963da2e5543e17776969e89b4c5564d00349106b8497785dd7d1d713a8ae82b32fa79d5f7fc407d39b", Err(EventError::BadPublicKey)),
        (pk, msg, "fff97bd5755eeea420453a14355235d382f6472f8568a18b2f057a14602975563cc27944640ac607cd107ae10923d9ef7a73c643e166be5ebeafa34b1ac553e2", Err(EventError::BadSignature)),
        (pk, msg, "1fa62e331edbc21c394792d2ab1100a7b432b013df3f6ff4f99fcb33e0e1515f28890b3edb6e7189b630448b515ce4f8622a954cfe545735aaea5134fccdb2bd", Err(EventError::BadSignature)),
        (pk, msg, "6cff5c3ba86c69ea4b7376f31a9bcb4f74c1976089b2d9963da2e5543e177769961764b3aa9b2ffcb6ef947b6887a226e8d7c93e00c5ed0c1834ff0d0c2e6da6", Err(EventError::BadSignature)),
        (pk, msg, "0000000000000000000000000000000000000000000000000000000000000000123dda8328af9c23a94c1feecfd123ba4fb73476f0d594dcb65c6425bd186051", Err(EventError::BadSignature)),
        (pk, msg, "00000000000000000000000000000000000000000000000000000000000000017615fbaf5ae28864013c099742deadb4dba87f11ac6754f93780d5a1837cf197", Err(EventError::BadSignature)),
        (pk, msg, "4a298dacae57395a15d0795ddbfd1dcb564da82b0f269bc70a74f8220429ba1d69e89b4c5564d00349106b8497785dd7d1d713a8ae82b32fa79d5f7fc407d39b", Err(EventError::BadSignature)),
        (pk, msg, "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f69e89b4c5564d00349106b8497785dd7d1d713a8ae82b32fa79d5f7fc407d39b", Err(EventError::BadSignature)),
        (pk, msg, "6cff5c3ba86c69ea4b7376f31a9bcb4f74c1976089b2d9963da2e5543e177769fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", Err(EventError::BadSignature)),
        ("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc30", msg,
         "6cff5c3ba86c69ea4b7376f31a9bcb4f74c1976089b2d9963da2e5543e17776969e89b4c5564d00349106b8497785dd7d1d713a8ae82b32fa79d5f7fc407d39b", Err(EventError::BadPublicKey)),
    ];
    for (i, (pk, msg, sig, want)) in cases.into_iter().enumerate() {
        assert_eq!(
            verify_bip340(&unhex(pk), &unhex(msg), &unhex(sig)),
            want,
            "vector {}",
            i + 4
        );
    }
}

// ---------------------------------------------------------------- keys

// NIP-19's example pair.
const NSEC: &str = "nsec1vl029mgpspedva04g90vltkh6fvh240zqtv9k0t9af8935ke9laqsnlfe5";
const NSEC_HEX: &str = "67dea2ed018072d675f5415ecfaed7d2597555e202d85b3d65ea4e58d2d92ffa";
const ORDER: &str = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";

#[test]
fn nsec_and_hex_give_the_same_key() {
    let a = Keys::parse(NSEC).unwrap();
    let b = Keys::parse(NSEC_HEX).unwrap();
    assert_eq!(a.public_key_hex(), b.public_key_hex());
    // Independent derivation of the public key.
    let secp = secp256k1::Secp256k1::new();
    let kp = secp256k1::Keypair::from_seckey_str(&secp, NSEC_HEX).unwrap();
    assert_eq!(a.public_key_hex(), hex(&kp.x_only_public_key().0.serialize()));
    // Case, surrounding white space and a trailing newline (as in a key file).
    assert_eq!(
        Keys::parse(&format!("  {}\n", NSEC.to_uppercase()))
            .unwrap()
            .public_key_hex(),
        a.public_key_hex()
    );
    assert_eq!(
        Keys::parse(&format!("{}\r\n", NSEC_HEX.to_uppercase()))
            .unwrap()
            .public_key_hex(),
        a.public_key_hex()
    );
}

#[test]
fn bad_keys_get_typed_errors_that_never_echo_the_secret() {
    let mut typo = NSEC.to_string();
    typo.replace_range(20..21, if &NSEC[20..21] == "q" { "p" } else { "q" });
    let mut swapped: Vec<char> = NSEC.chars().collect();
    swapped.swap(30, 31);
    let swapped: String = swapped.into_iter().collect();
    assert_ne!(swapped, NSEC);
    let mut bad_hex = NSEC_HEX.to_string();
    bad_hex.replace_range(9..10, "g");
    let cases: Vec<(String, KeyError)> = vec![
        ("".into(), KeyError::Empty),
        ("   \n".into(), KeyError::Empty),
        (NSEC_HEX[..63].into(), KeyError::WrongLength { found: 63 }),
        (format!("{NSEC_HEX}0"), KeyError::WrongLength { found: 65 }),
        (bad_hex.clone(), KeyError::BadHex { position: 10 }),
        (typo.clone(), KeyError::BadChecksum),
        (swapped.clone(), KeyError::BadChecksum),
        (NSEC[..NSEC.len() - 1].into(), KeyError::BadChecksum),
        (
            format!("{}b{}", &NSEC[..10], &NSEC[11..]),
            KeyError::BadBech32Char { position: 11 },
        ),
        (
            format!("{}{}", &NSEC[..10], NSEC[10..].to_uppercase()),
            KeyError::MixedCase,
        ),
        (
            "npub10elfcs4fr0l0r8af98jlmgdh9c8tcxjvz9qkw038js35mp4dma8qzvjptg".into(),
            KeyError::WrongPrefix { prefix: "npub".into() },
        ),
        ("0".repeat(64), KeyError::OutOfRange),
        (ORDER.into(), KeyError::OutOfRange),
        ("f".repeat(64), KeyError::OutOfRange),
    ];
    for (input, want) in &cases {
        let got = Keys::parse(input).unwrap_err();
        assert_eq!(&got, want, "input {input:?}");
        let msg = notetag::Error::from(got).to_string();
        assert!(msg.starts_with("invalid secret key: "), "{msg}");
        for secret in [NSEC, NSEC_HEX, &typo, &swapped, &bad_hex] {
            assert!(!msg.to_lowercase().contains(&secret[8..40].to_lowercase()), "{msg}");
        }
    }
    // A bech32 string too short to hold a key, with a valid checksum of its own.
    assert!(matches!(
        Keys::parse("nsec1qqqqqqqqqqqq"),
        Err(KeyError::BadChecksum | KeyError::BadPayload)
    ));
    // The largest valid scalar is accepted.
    let mut n_minus_1 = ORDER.to_string();
    n_minus_1.replace_range(63..64, "0");
    assert!(Keys::parse(&n_minus_1).is_ok());
    // Debug shows the public key only.
    let dbg = format!("{:?}", Keys::parse(NSEC).unwrap());
    assert!(
        dbg.contains("<redacted>") && !dbg.contains(NSEC_HEX) && !dbg.contains(&NSEC[5..]),
        "{dbg}"
    );
}

// ---------------------------------------------------------------- label events

const TARGET_ID: &str = "a12f16450c7bf61893f46572d4d8e4a045f712ed177d79fb61525fe841217c15";

#[test]
fn label_event_has_the_nip32_shape() {
    let target = LabelTarget {
        event_id: Some(TARGET_ID),
        relay_hint: Some("wss://relay.example"),
        author: Some(PK),
    };
    let t = label_event("org.notetag.topic", ["tech", "geopolitics"], &target, 99);
    assert_eq!(t.kind, LABEL_KIND);
    assert_eq!(t.kind, 1985);
    assert_eq!(t.created_at, 99);
    assert_eq!(t.content, "");
    let want: Vec<Vec<&str>> = vec![
        vec!["L", "org.notetag.topic"],
        vec!["l", "tech", "org.notetag.topic"],
        vec!["l", "geopolitics", "org.notetag.topic"],
        vec!["e", TARGET_ID, "wss://relay.example"],
        vec!["p", PK],
    ];
    assert_eq!(t.tags, want);
    // No relay hint, no author, no labels: only what is known.
    let t = label_event(
        "ns",
        [],
        &LabelTarget {
            event_id: Some(TARGET_ID),
            ..LabelTarget::default()
        },
        0,
    );
    assert_eq!(t.tags, vec![vec!["L", "ns"], vec!["e", TARGET_ID]]);
}

fn signed_example(aux: &[u8; 32]) -> (Keys, Event) {
    let keys = Keys::parse(NSEC).unwrap();
    let target = LabelTarget {
        event_id: Some(TARGET_ID),
        relay_hint: None,
        author: Some(PK),
    };
    let t = label_event("org.notetag.topic", ["trade_finance"], &target, 1_772_729_300);
    let ev = keys.sign_with_aux(t, aux);
    (keys, ev)
}

#[test]
fn signed_events_verify_with_ours_and_with_libsecp256k1() {
    let (keys, ev) = signed_example(&[7; 32]);
    assert_eq!(ev.pubkey, keys.public_key_hex());
    assert_eq!(ev.id, ev.compute_id());
    assert_eq!(ev.id.len(), 64);
    assert_eq!(ev.sig.len(), 128);
    assert_eq!(verify_event(&ev), Ok(()));
    // libsecp256k1 agrees on the signature of the id.
    let secp = secp256k1::Secp256k1::verification_only();
    let pk = secp256k1::XOnlyPublicKey::from_byte_array(&unhex(&ev.pubkey)).unwrap();
    let sig = secp256k1::schnorr::Signature::from_byte_array(unhex(&ev.sig));
    secp.verify_schnorr(&sig, &unhex::<32>(&ev.id), &pk).unwrap();
    // The id is the hash of serde_json's compact serialisation too (no special characters here).
    let ser = serde_json::to_string(&serde_json::json!([
        0,
        ev.pubkey,
        ev.created_at,
        ev.kind,
        ev.tags,
        ev.content
    ]))
    .unwrap();
    assert_eq!(hex(&Sha256::digest(ser.as_bytes())), ev.id);
    // The JSON line parses back to the same event.
    assert_eq!(Event::from_json(&ev.to_json()).unwrap(), ev);
}

#[test]
fn libsecp256k1_signatures_verify_with_ours() {
    let secp = secp256k1::Secp256k1::new();
    let kp = secp256k1::Keypair::from_seckey_str(&secp, NSEC_HEX).unwrap();
    let (_, mut ev) = signed_example(&[0; 32]);
    let sig = secp.sign_schnorr_with_aux_rand(&unhex::<32>(&ev.id), &kp, &[9; 32]);
    ev.sig = hex(&sig.to_byte_array());
    assert_eq!(verify_event(&ev), Ok(()));
    // Same aux, same key, same message: libsecp256k1 and k256 produce the same bytes.
    let keys = Keys::from_hex(NSEC_HEX).unwrap();
    assert_eq!(hex(&keys.sign_bip340(&unhex(&ev.id), &[9; 32])), ev.sig);
}

#[test]
fn signing_is_deterministic_with_aux_and_randomised_without() {
    let (keys, a) = signed_example(&[1; 32]);
    let (_, b) = signed_example(&[1; 32]);
    let (_, c) = signed_example(&[2; 32]);
    assert_eq!(a, b);
    assert_eq!(a.id, c.id);
    assert_ne!(a.sig, c.sig);
    let t = label_event("ns", ["tech"], &LabelTarget::default(), 5);
    let r1 = keys.sign(t.clone());
    let r2 = keys.sign(t);
    assert_eq!(r1.id, r2.id);
    assert_ne!(r1.sig, r2.sig, "fresh aux randomness per signature");
    assert_eq!(verify_event(&r1), Ok(()));
    assert_eq!(verify_event(&r2), Ok(()));
}

#[test]
fn tampered_events_fail_verification_with_the_reason() {
    let (_, ev) = signed_example(&[3; 32]);
    let mut e = ev.clone();
    e.content = "x".into();
    assert!(matches!(verify_event(&e), Err(EventError::IdMismatch { .. })));
    let mut e = ev.clone();
    e.tags[1][1] = "tech".into();
    assert!(matches!(verify_event(&e), Err(EventError::IdMismatch { .. })));
    let mut e = ev.clone();
    e.created_at += 1;
    assert!(matches!(verify_event(&e), Err(EventError::IdMismatch { .. })));
    // Content changed and the id recomputed: the signature no longer matches.
    let mut e = ev.clone();
    e.content = "x".into();
    e.id = e.compute_id();
    assert_eq!(verify_event(&e), Err(EventError::BadSignature));
    // A flipped bit in the signature.
    let mut e = ev.clone();
    let flipped = if e.sig.ends_with('0') { '1' } else { '0' };
    e.sig.replace_range(127..128, &flipped.to_string());
    assert_eq!(verify_event(&e), Err(EventError::BadSignature));
    // Someone else's pubkey (valid point) with our id recomputed.
    let mut e = ev.clone();
    e.pubkey = PK.into();
    e.id = e.compute_id();
    assert_eq!(verify_event(&e), Err(EventError::BadSignature));
    // Malformed fields name the field.
    let mut e = ev.clone();
    e.sig.truncate(100);
    assert!(matches!(verify_event(&e), Err(EventError::Field { field: "sig", .. })));
    let mut e = ev.clone();
    e.id = e.id.to_uppercase();
    assert!(matches!(verify_event(&e), Err(EventError::Field { field: "id", .. })));
    let mut e = ev;
    e.pubkey = "zz".repeat(32);
    assert!(matches!(
        verify_event(&e),
        Err(EventError::Field { field: "pubkey", .. })
    ));
}

// ---------------------------------------------------------------- real events

fn shared(name: &str) -> Option<std::path::PathBuf> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/nostr")
        .join(name);
    p.exists().then_some(p)
}

#[test]
fn every_real_event_has_a_correct_id_and_signature() {
    let mut checked = 0usize;
    let secp = secp256k1::Secp256k1::verification_only();
    for name in ["events.jsonl", "relay-messages.jsonl"] {
        let Some(path) = shared(name) else {
            println!("SKIPPED: ../shared/data/nostr/{name} is absent");
            continue;
        };
        let text = std::fs::read_to_string(&path).unwrap();
        for (i, line) in text.lines().enumerate() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let ev = match &v {
                serde_json::Value::Array(a) if a.first().and_then(|t| t.as_str()) == Some("EVENT") => {
                    a.iter().find(|x| x.is_object()).unwrap().clone()
                }
                serde_json::Value::Array(_) => continue,
                _ => v,
            };
            let ev: Event = serde_json::from_value(ev).unwrap_or_else(|e| panic!("{name}:{}: {e}", i + 1));
            assert_eq!(verify_event(&ev), Ok(()), "{name}:{}", i + 1);
            // Independent check of the signature by libsecp256k1.
            let pk = secp256k1::XOnlyPublicKey::from_byte_array(&unhex(&ev.pubkey)).unwrap();
            let sig = secp256k1::schnorr::Signature::from_byte_array(unhex(&ev.sig));
            secp.verify_schnorr(&sig, &unhex::<32>(&ev.id), &pk).unwrap();
            checked += 1;
        }
    }
    println!("verified {checked} real events");
    if shared("events.jsonl").is_some() {
        assert!(checked >= 700, "only {checked} events checked");
    }
}
