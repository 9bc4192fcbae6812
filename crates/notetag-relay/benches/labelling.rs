//! Criterion benchmarks of the labeler's work per note, fed from memory (no relay,
//! no socket): what it costs to parse a relay's `EVENT` frame, verify the note
//! (libsecp256k1, and the core's pure-Rust verifier for comparison), classify it,
//! sign its label event and write the frame that publishes it; and the whole of it
//! ([`verify_and_label`]) on one thread and on a pool of one thread per core, as
//! the labeler runs it. Signing is also timed with libsecp256k1 (same key, same
//! signatures), which the core's `Keys` does not offer.
//!
//! ```text
//! cargo bench -p notetag-relay --bench labelling
//! ```
//!
//! Each timed loop handles the same 1,000 notes of the project's corpus (test
//! split), signed by one author; about three in four get a label event.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use notetag::io::nostr::{event_id, Event, EventTemplate, Keys};
use notetag::Classifier;
use notetag_relay::message::{parse_relay_message, publish};
use notetag_relay::{label_note, verify_and_label, LabelSettings, Outcome};
use rayon::prelude::*;

const NOTES: usize = 1000;

fn keys(n: u8) -> Keys {
    format!("{}{n:02x}", "00".repeat(31)).parse().expect("a key")
}

fn notes() -> Vec<Event> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/corpus/test.jsonl");
    let text = std::fs::read_to_string(path).expect("data/corpus/test.jsonl is part of the repository");
    let author = keys(7);
    text.lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("a JSON line");
            v["text"].as_str().expect("a text").to_string()
        })
        .cycle()
        .take(NOTES)
        .enumerate()
        .map(|(i, content)| {
            author.sign_with_aux(
                EventTemplate {
                    created_at: 1_700_000_000 + i as u64,
                    kind: 1,
                    tags: vec![],
                    content,
                },
                &[0; 32],
            )
        })
        .collect()
}

fn per_note(c: &mut Criterion) {
    let clf = Classifier::default_model().expect("the embedded model loads");
    let (labeler, settings, now) = (keys(3), LabelSettings::default(), 1_800_000_000);
    let notes = notes();
    let frames: Vec<String> = notes
        .iter()
        .map(|n| format!("[\"EVENT\",\"notetag-live\",{}]", n.to_json()))
        .collect();
    let labels: Vec<Event> = notes
        .iter()
        .filter_map(|n| match label_note(&clf, &labeler, &settings, n, now) {
            Outcome::Labelled(l) => Some(*l),
            _ => None,
        })
        .collect();
    let templates: Vec<EventTemplate> = labels
        .iter()
        .map(|l| EventTemplate {
            created_at: l.created_at,
            kind: l.kind,
            tags: l.tags.clone(),
            content: l.content.clone(),
        })
        .collect();

    let mut g = c.benchmark_group("per_note");
    g.sample_size(10);
    g.throughput(Throughput::Elements(NOTES as u64));
    g.bench_function("parse_event_frame", |b| {
        b.iter(|| {
            for f in &frames {
                black_box(parse_relay_message(black_box(f)).expect("an EVENT"));
            }
        })
    });
    g.bench_function("verify_libsecp256k1", |b| {
        b.iter(|| {
            for n in &notes {
                notetag_relay::verify::verify_event(black_box(n)).expect("valid");
            }
        })
    });
    g.bench_function("verify_core_k256", |b| {
        b.iter(|| {
            for n in &notes {
                notetag::io::nostr::verify_event(black_box(n)).expect("valid");
            }
        })
    });
    g.bench_function("classify", |b| {
        b.iter(|| {
            for n in &notes {
                black_box(clf.predict_with(black_box(&n.content), &settings.predict));
            }
        })
    });
    g.bench_function("label_note", |b| {
        b.iter(|| {
            for n in &notes {
                black_box(label_note(&clf, &labeler, &settings, black_box(n), now));
            }
        })
    });
    g.bench_function("verify_and_label", |b| {
        b.iter(|| {
            for n in &notes {
                black_box(verify_and_label(&clf, &labeler, &settings, black_box(n), now).expect("valid"));
            }
        })
    });
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool");
    g.bench_function(format!("verify_and_label_{threads}_threads"), |b| {
        b.iter(|| {
            pool.install(|| {
                notes
                    .par_iter()
                    .map(|n| verify_and_label(&clf, &labeler, &settings, n, now).expect("valid"))
                    .collect::<Vec<_>>()
            })
        })
    });
    g.finish();

    let mut g = c.benchmark_group("per_label");
    g.sample_size(10);
    g.throughput(Throughput::Elements(labels.len() as u64));
    g.bench_function("sign_core_k256", |b| {
        b.iter(|| {
            for t in &templates {
                black_box(labeler.sign_with_aux(t.clone(), &[0; 32]));
            }
        })
    });
    // The same BIP-340 signatures from libsecp256k1, for comparison: the core's
    // `Keys` holds its secret for k256 only, so the labeler cannot sign this way.
    let secp = secp256k1::Secp256k1::signing_only();
    let mut secret = [0u8; 32];
    secret[31] = 3;
    let keypair = secp256k1::Keypair::from_seckey_slice(&secp, &secret).expect("a key");
    for (l, t) in labels.iter().zip(&templates) {
        let id = event_id(labeler.public_key_hex(), t.created_at, t.kind, &t.tags, &t.content);
        let sig = secp.sign_schnorr_with_aux_rand(&id, &keypair, &[0; 32]).to_byte_array();
        let hex: String = sig.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, l.sig, "the same signature as the core's");
    }
    // As sign_core_k256: the id from the template, then the signature.
    g.bench_function("sign_libsecp256k1", |b| {
        b.iter(|| {
            for t in &templates {
                let id = event_id(labeler.public_key_hex(), t.created_at, t.kind, &t.tags, &t.content);
                black_box(secp.sign_schnorr_with_aux_rand(&id, &keypair, &[0; 32]));
            }
        })
    });
    g.bench_function("publish_frame", |b| {
        b.iter(|| {
            for l in &labels {
                black_box(publish(black_box(l)));
            }
        })
    });
    g.finish();
}

criterion_group!(benches, per_note);
criterion_main!(benches);
