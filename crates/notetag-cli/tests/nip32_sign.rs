//! `notetag predict --output-format nip32 --sign-key FILE`: every label event the
//! binary writes must carry a correct NIP-01 id and BIP-340 signature.

mod common;
use common::notetag;

use std::path::{Path, PathBuf};

use notetag::io::nostr::{verify_event, Event, Keys};

// NIP-19's example secret key.
const NSEC: &str = "nsec1vl029mgpspedva04g90vltkh6fvh240zqtv9k0t9af8935ke9laqsnlfe5";
const NSEC_HEX: &str = "67dea2ed018072d675f5415ecfaed7d2597555e202d85b3d65ea4e58d2d92ffa";

fn key_file(dir: &Path, name: &str, contents: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, contents).unwrap();
    p
}

fn unhex<const N: usize>(s: &str) -> [u8; N] {
    let mut out = [0u8; N];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
    }
    out
}

/// Parse and verify every output line with notetag's verifier and, independently,
/// with libsecp256k1.
fn verified_events(out: &str) -> Vec<Event> {
    let secp = secp256k1::Secp256k1::verification_only();
    out.lines()
        .enumerate()
        .map(|(i, l)| {
            let ev = Event::from_json(l).unwrap_or_else(|e| panic!("line {}: {e}: {l}", i + 1));
            assert_eq!(verify_event(&ev), Ok(()), "line {}: {l}", i + 1);
            let pk = secp256k1::XOnlyPublicKey::from_byte_array(&unhex(&ev.pubkey)).unwrap();
            let sig = secp256k1::schnorr::Signature::from_byte_array(unhex(&ev.sig));
            secp.verify_schnorr(&sig, &unhex::<32>(&ev.id), &pk)
                .unwrap_or_else(|e| panic!("line {}: libsecp256k1: {e}", i + 1));
            ev
        })
        .collect()
}

fn note(id: char, pubkey: char, kind: u32, content: &str) -> String {
    serde_json::json!({
        "id": id.to_string().repeat(64),
        "pubkey": pubkey.to_string().repeat(64),
        "created_at": 1_700_000_000,
        "kind": kind,
        "tags": [],
        "content": content,
        "sig": "0".repeat(128),
    })
    .to_string()
}

#[test]
fn signed_label_events_verify_and_carry_the_predictions() {
    let dir = tempfile::tempdir().unwrap();
    let key = key_file(dir.path(), "key", &format!("{NSEC}\n"));
    let input = [
        format!(
            "[\"EVENT\",\"s\",{}]",
            note('a', '1', 1, "the fed held rates steady, bond yields fell")
        ),
        note('b', '2', 7, "+"),
        note('c', '3', 1, "new gpu benchmarks: \"fast\"\\ and\ttabs\nand lines"),
        "[\"EOSE\",\"s\"]".to_string(),
        note('d', '4', 30023, "gm friends, coffee and a walk with the dog"),
    ]
    .join("\n");
    let k = key.to_str().unwrap();
    let (code, out, err) = notetag(
        &[
            "predict",
            "--output-format",
            "nip32",
            "--sign-key",
            k,
            "--created-at",
            "1700000123",
        ],
        &input,
    );
    assert_eq!(code, 0, "{err}");
    let events = verified_events(&out);
    assert_eq!(events.len(), 3, "{out}");
    let me = Keys::parse(NSEC_HEX).unwrap();
    // The same notes tagged as JSON Lines: the label events must say the same.
    let (_, plain, _) = notetag(&["predict"], &input);
    let plain: Vec<serde_json::Value> = plain.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(plain.len(), 3);
    for ((ev, (id, pk)), pred) in events.iter().zip([('a', '1'), ('c', '3'), ('d', '4')]).zip(&plain) {
        assert_eq!(ev.kind, 1985);
        assert_eq!(ev.created_at, 1_700_000_123);
        assert_eq!(ev.pubkey, me.public_key_hex());
        assert_eq!(ev.content, "");
        assert_eq!(ev.tags[0], vec!["L", "org.notetag.topic"]);
        let labels: Vec<&str> = ev
            .tags
            .iter()
            .filter(|t| t[0] == "l" && t[2] == "org.notetag.topic")
            .map(|t| t[1].as_str())
            .collect();
        let want: Vec<&str> = pred["labels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(labels, want);
        assert!(ev
            .tags
            .iter()
            .filter(|t| t[0] == "l")
            .all(|t| t.len() == 3 && (t[2] == "org.notetag.topic" || t[2] == "ISO-639-1")));
        // The note's language, as NIP-32's ISO-639-1 labels, inside the signed tags.
        let lang = pred["lang"].as_str().unwrap();
        assert_eq!(lang, "en");
        assert!(ev.tags.contains(&vec!["L".to_string(), "ISO-639-1".to_string()]));
        assert!(ev
            .tags
            .contains(&vec!["l".to_string(), lang.to_string(), "ISO-639-1".to_string()]));
        assert!(ev.tags.contains(&vec!["e".to_string(), id.to_string().repeat(64)]));
        assert!(ev.tags.contains(&vec!["p".to_string(), pk.to_string().repeat(64)]));
    }
}

#[test]
fn created_at_defaults_to_now_when_signing() {
    let dir = tempfile::tempdir().unwrap();
    let key = key_file(dir.path(), "key.hex", &format!("  {NSEC_HEX}  \n"));
    let now = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
    };
    let before = now();
    let (code, out, err) = notetag(
        &[
            "predict",
            "--output-format",
            "nip32",
            "--namespace",
            "com.example.topics",
            "--sign-key",
            key.to_str().unwrap(),
        ],
        &note('e', '5', 1, "chip export controls tighten"),
    );
    let after = now();
    assert_eq!(code, 0, "{err}");
    let events = verified_events(&out);
    assert_eq!(events.len(), 1);
    assert!(
        (before..=after).contains(&events[0].created_at),
        "{}",
        events[0].created_at
    );
    assert_eq!(events[0].tags[0], vec!["L", "com.example.topics"]);
}

#[test]
fn real_nostr_events_get_verified_label_events() {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/nostr");
    let dir = tempfile::tempdir().unwrap();
    let key = key_file(dir.path(), "key", NSEC);
    for name in ["events.jsonl", "relay-messages.jsonl"] {
        let path = base.join(name);
        if !path.exists() {
            println!("SKIPPED: {} is absent", path.display());
            continue;
        }
        // Expected: one label event per kind-1/30023 event of the input that has topics.
        let text = std::fs::read_to_string(&path).unwrap();
        let mut targets = Vec::new();
        for l in text.lines() {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let ev = match &v {
                serde_json::Value::Array(a) if a[0] == "EVENT" => a.iter().find(|x| x.is_object()).cloned(),
                serde_json::Value::Object(_) => Some(v.clone()),
                _ => None,
            };
            let tagged = |e: &serde_json::Value| {
                let p = notetag::Classifier::default_model()
                    .unwrap()
                    .predict(e["content"].as_str().unwrap());
                !p.no_topic()
            };
            // Notes without topics get no label event.
            if let Some(ev) = ev.filter(|e| (e["kind"] == 1 || e["kind"] == 30023) && tagged(e)) {
                targets.push((
                    ev["id"].as_str().unwrap().to_string(),
                    ev["pubkey"].as_str().unwrap().to_string(),
                ));
            }
        }
        let out_path = dir.path().join(format!("{name}.labels"));
        let (code, _, err) = notetag(
            &[
                "predict",
                "--input",
                path.to_str().unwrap(),
                "--output",
                out_path.to_str().unwrap(),
                "--output-format",
                "nip32",
                "--sign-key",
                key.to_str().unwrap(),
            ],
            "",
        );
        assert_eq!(code, 0, "{name}: {err}");
        let events = verified_events(&std::fs::read_to_string(&out_path).unwrap());
        assert_eq!(events.len(), targets.len(), "{name}");
        assert!(!events.is_empty());
        for (ev, (id, pk)) in events.iter().zip(&targets) {
            assert!(ev.tags.contains(&vec!["e".to_string(), id.clone()]), "{name}");
            assert!(ev.tags.contains(&vec!["p".to_string(), pk.clone()]), "{name}");
        }
        println!("{name}: {} label events verified", events.len());
    }
}

#[test]
fn bad_key_files_are_usage_errors_that_do_not_print_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let npub = "npub10elfcs4fr0l0r8af98jlmgdh9c8tcxjvz9qkw038js35mp4dma8qzvjptg";
    let mut typo = NSEC.to_string();
    typo.replace_range(30..31, if &NSEC[30..31] == "q" { "p" } else { "q" });
    let cases: Vec<(String, &str)> = vec![
        ("".into(), "empty"),
        (NSEC_HEX[..60].into(), "found 60 characters"),
        (format!("{}x{}", &NSEC_HEX[..20], &NSEC_HEX[21..]), "character 21"),
        (typo.clone(), "checksum"),
        (npub.into(), "`npub`"),
        ("0".repeat(64), "group order"),
    ];
    for (i, (contents, reason)) in cases.iter().enumerate() {
        let key = key_file(dir.path(), &format!("key{i}"), contents);
        let k = key.to_str().unwrap();
        let (code, out, err) = notetag(&["predict", "--output-format", "nip32", "--sign-key", k], "gm");
        assert_eq!(code, 2, "{contents:?}: {err}");
        assert!(out.is_empty(), "{out}");
        assert!(
            err.contains("sign-key") && err.contains(k) && err.contains(reason),
            "{err}"
        );
        if contents.len() > 20 {
            assert!(!err.contains(&contents[5..25]), "the key leaked: {err}");
        }
    }
    let missing = dir.path().join("no-such-key");
    let (code, _, err) = notetag(
        &[
            "predict",
            "--output-format",
            "nip32",
            "--sign-key",
            missing.to_str().unwrap(),
        ],
        "gm",
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("cannot read the key file") && err.contains("no-such-key"),
        "{err}"
    );
}
