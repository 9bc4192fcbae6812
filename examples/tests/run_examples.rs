//! Runs every example binary and checks what it prints against the library itself,
//! so the examples cannot rot.
//!
//! `cargo test` builds the examples of the packages it tests before it runs any
//! test. When this file is run on its own (`cargo test --test run_examples`), an
//! example that is missing or older than its source is built first.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;

use notetag::Classifier;

const EXAMPLES: [&str; 6] = [
    "quickstart",
    "train_jsonl",
    "compare_learners",
    "nostr_labels",
    "service_loop",
    "relay_labeler",
];

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `<target>/<profile>/examples/<name>`, built first when missing or stale.
fn example_exe(name: &str) -> PathBuf {
    static BUILD: Mutex<()> = Mutex::new(());
    let this = std::env::current_exe().expect("path of the test binary");
    let profile_dir = this
        .parent()
        .and_then(Path::parent)
        .expect("<target>/<profile>/deps/<test>");
    let exe = profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    let _guard = BUILD.lock().unwrap_or_else(|e| e.into_inner());
    let src = manifest_dir().join("examples").join(format!("{name}.rs"));
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let fresh = matches!((modified(&exe), modified(&src)), (Some(e), Some(s)) if e >= s);
    if !fresh {
        let profile = profile_dir.file_name().and_then(|n| n.to_str()).unwrap_or("debug");
        let target = profile_dir.parent().expect("<target>");
        let status = Command::new(env!("CARGO"))
            .args(["build", "--offline", "-p", "notetag-examples", "--example", name])
            .args(["--profile", if profile == "debug" { "dev" } else { profile }])
            .arg("--target-dir")
            .arg(target)
            .current_dir(manifest_dir())
            .status()
            .expect("run cargo");
        assert!(status.success(), "building example {name} failed");
    }
    exe
}

fn run(name: &str, args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(example_exe(name))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start example {name}: {e}"));
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "example {name} failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("UTF-8 output")
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("UTF-8 output")
}

fn json_lines(s: &str) -> Vec<serde_json::Value> {
    s.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

#[test]
fn every_example_has_a_test() {
    let mut found: Vec<String> = std::fs::read_dir(manifest_dir().join("examples"))
        .unwrap()
        .filter_map(|e| e.ok()?.path().file_stem()?.to_str().map(str::to_string))
        .collect();
    found.sort();
    let mut known = EXAMPLES.map(String::from).to_vec();
    known.sort();
    assert_eq!(found, known, "add a test for each new example to run_examples.rs");
}

#[test]
fn quickstart_tags_like_the_library() {
    let clf = Classifier::default_model().unwrap();
    let notes = [
        "gm friends, coffee and a walk",
        "The Fed held rates; yields slipped",
        "lol",
    ];
    let out = stdout(&run("quickstart", &notes, b""));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), notes.len(), "{out}");
    for (line, note) in lines.iter().zip(notes) {
        let fields: Vec<&str> = line.split('\t').collect();
        let p = clf.predict(note);
        assert_eq!(
            fields,
            [p.primary(), p.labels().collect::<Vec<_>>().join(",").as_str(), note]
        );
    }
    assert!(
        lines[0].starts_with("personal\t") && lines[1].starts_with("trade_finance\t"),
        "{out}"
    );
    // With no arguments it tags notes of its own.
    assert_eq!(stdout(&run("quickstart", &[], b"")).lines().count(), 3);
}

#[test]
fn train_jsonl_trains_saves_loads_and_predicts_own_labels() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("mine.ntag");
    let train = manifest_dir().join("data/my_labels.jsonl");
    let notes = [
        "Extra time goal wins the derby",
        "Bake the bread until golden",
        "Snow and ice on the roads",
    ];
    let mut args = vec![train.to_str().unwrap(), model.to_str().unwrap()];
    args.extend(notes);
    let out = stdout(&run("train_jsonl", &args, b""));
    assert!(out.contains("labels [\"cooking\", \"sport\", \"weather\"]"), "{out}");
    assert!(
        out.contains("reloaded model agrees with the trained one: true"),
        "{out}"
    );
    // The saved file is a model the library loads, and it tags as the example printed.
    let clf = Classifier::load(&model).unwrap();
    assert_eq!(clf.labels(), ["cooking", "sport", "weather"]);
    let size = std::fs::metadata(&model).unwrap().len();
    assert!(out.contains(&format!("saved {size} bytes")), "{out}");
    let rows: Vec<&str> = out.lines().filter(|l| l.contains('\t')).collect();
    assert_eq!(rows.len(), notes.len(), "{out}");
    for (row, (note, want)) in rows.iter().zip(notes.iter().zip(["sport", "cooking", "weather"])) {
        let p = clf.predict(note);
        assert_eq!(p.primary(), want, "{row}");
        assert!(
            row.starts_with(&format!("{}\t", p.primary())) && row.ends_with(note),
            "{row}"
        );
    }
}

#[test]
fn train_jsonl_reports_a_bad_line_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, "{\"text\": \"fine\", \"labels\": [\"a\"]}\n{\"text\": 3}\n").unwrap();
    let model = dir.path().join("m.ntag");
    let out = Command::new(example_exe("train_jsonl"))
        .args([bad.to_str().unwrap(), model.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("bad.jsonl:2") && err.contains("field `text`"), "{err}");
    assert!(!model.exists());
}

#[test]
fn compare_learners_prints_one_row_per_configuration() {
    let out = stdout(&run("compare_learners", &[], b""));
    assert!(out.starts_with("1500 rows, 3-fold cross-validation"), "{out}");
    let rows: Vec<Vec<f64>> = out
        .lines()
        .skip(2)
        .map(|l| {
            l.split_whitespace()
                .skip(1)
                .map(|v| v.parse().unwrap_or_else(|_| panic!("not a number in {l}")))
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), 4, "{out}");
    for r in &rows {
        let (f1, sd, acc, secs) = (r[0], r[1], r[2], r[3]);
        assert!((0.6..=1.0).contains(&f1), "macro-F1 {f1} in {out}");
        assert!(
            (0.0..0.2).contains(&sd) && (0.6..=1.0).contains(&acc) && secs > 0.0,
            "{out}"
        );
    }
    let names: Vec<&str> = out
        .lines()
        .skip(2)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(names, ["svm", "nb", "svm+nb", "svm-unigrams"]);
}

#[test]
fn compare_learners_refuses_a_count_that_is_not_a_number() {
    let data = manifest_dir().join("../data/corpus/train.jsonl");
    let out = Command::new(example_exe("compare_learners"))
        .args([data.to_str().unwrap(), "1500", "three"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.starts_with("error: invalid parameter `K`") && err.contains("whole number"),
        "{err}"
    );
}

#[test]
fn nostr_labels_writes_nip32_events_for_tagged_notes() {
    let out = run("nostr_labels", &[], b"");
    let events = json_lines(&stdout(&out));
    let err = stderr(&out);
    // Fixture: 6 kind-1/30023 events (one a bare "lol"), a reaction, a profile,
    // EOSE, NOTICE and one line cut off mid-event.
    let clf = Classifier::default_model().unwrap();
    let dump = std::fs::read_to_string(manifest_dir().join("data/relay-dump.jsonl")).unwrap();
    let mut expected = Vec::new();
    for line in dump.lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let ev = if v.is_array() { v[2].clone() } else { v };
        if ev["kind"] == 1 || ev["kind"] == 30023 {
            let p = clf.predict(ev["content"].as_str().unwrap());
            let labels: Vec<String> = p.labels().map(str::to_string).collect();
            if !labels.is_empty() {
                expected.push((ev["id"].clone(), ev["pubkey"].clone(), labels));
            }
        }
    }
    assert!(expected.len() >= 4, "fixture should yield several labelled notes");
    assert_eq!(events.len(), expected.len(), "{err}");
    for (ev, (id, pubkey, labels)) in events.iter().zip(&expected) {
        assert_eq!(ev["kind"], 1985);
        assert_eq!(ev["content"], "");
        let tags = ev["tags"].as_array().unwrap();
        assert_eq!(tags[0], serde_json::json!(["L", "org.notetag.topic"]));
        let l: Vec<&str> = tags
            .iter()
            .filter(|t| t[0] == "l")
            .map(|t| t[1].as_str().unwrap())
            .collect();
        assert_eq!(&l, labels);
        assert!(tags.iter().filter(|t| t[0] == "l").all(|t| t[2] == "org.notetag.topic"));
        assert!(tags.contains(&serde_json::json!(["e", id])) && tags.contains(&serde_json::json!(["p", pubkey])));
    }
    let summary = err.lines().last().unwrap();
    let no_topic = 6 - expected.len();
    assert_eq!(
        summary,
        format!(
            "{} label events, {no_topic} notes with no topic, 4 passed over, 1 damaged",
            expected.len()
        )
    );
    assert!(err.contains("relay-dump.jsonl:8:"), "{err}");
    // Namespaces are configurable.
    let dump_path = manifest_dir().join("data/relay-dump.jsonl");
    let other = json_lines(&stdout(&run(
        "nostr_labels",
        &[dump_path.to_str().unwrap(), "com.example"],
        b"",
    )));
    assert_eq!(other[0]["tags"][0], serde_json::json!(["L", "com.example"]));
}

#[test]
fn service_loop_answers_every_line_like_the_library() {
    let clf = Classifier::default_model().unwrap();
    let notes = std::fs::read_to_string(manifest_dir().join("notes.txt")).unwrap();
    // Many lines (several batches), a line that is not UTF-8, CRLF and a blank line.
    let mut input = Vec::new();
    for _ in 0..60 {
        input.extend_from_slice(notes.as_bytes());
    }
    input.extend_from_slice(b"caf\xe9 au lait\nFed holds rates\r\n\n");
    let out = run("service_loop", &[], &input);
    let lines = json_lines(&stdout(&out));
    let n_notes = notes.lines().count();
    assert_eq!(lines.len(), 60 * n_notes + 3);
    for (got, note) in lines[..60 * n_notes].iter().zip(notes.lines().cycle()) {
        let p = clf.predict(note);
        assert_eq!(got["primary"], p.primary(), "{note}");
        let labels: Vec<&str> = got["labels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(labels, p.labels().collect::<Vec<_>>(), "{note}");
        let prob = got["p"].as_f64().unwrap();
        assert!((prob - f64::from(p.probabilities()[p.primary_index()])).abs() < 1e-4);
    }
    let tail = &lines[60 * n_notes..];
    assert_eq!(
        tail[0],
        serde_json::json!({"line": 60 * n_notes + 1, "error": "invalid UTF-8"})
    );
    assert_eq!(tail[1]["primary"], clf.predict("Fed holds rates").primary());
    assert_eq!(tail[2]["primary"], clf.predict("").primary());
    let err = stderr(&out);
    assert!(
        err.starts_with(&format!("served {} notes in ", 60 * n_notes + 3)),
        "{err}"
    );
}

#[test]
fn relay_labeler_labels_every_note_with_topics_through_a_local_relay() {
    let clf = Classifier::default_model().unwrap();
    let out = run("relay_labeler", &[], b"");
    let labels = json_lines(&stdout(&out));
    let notes = std::fs::read_to_string(manifest_dir().join("notes.txt")).unwrap();
    let want: Vec<Vec<String>> = notes
        .lines()
        .map(|n| clf.predict(n).labels().map(str::to_string).collect::<Vec<_>>())
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(labels.len(), want.len(), "{}", stderr(&out));
    for (label, topics) in labels.iter().zip(&want) {
        let event = notetag::io::nostr::Event::from_json(&label.to_string()).unwrap();
        notetag::io::nostr::verify_event(&event).unwrap();
        assert_eq!(event.kind, 1985);
        let l: Vec<String> = event
            .tags
            .iter()
            .filter(|t| t[0] == "l" && t[2] == notetag::io::nostr::DEFAULT_NAMESPACE)
            .map(|t| t[1].clone())
            .collect();
        assert_eq!(&l, topics);
        let langs = event.tags.iter().filter(|t| t[0] == "l" && t[2] == "ISO-639-1").count();
        assert!(langs <= 1, "{event:?}");
    }
    let err = stderr(&out);
    let summary = err.lines().last().unwrap_or_default();
    // Events in count the relay's pages too, which overlap by a second.
    let no_topic = notes.lines().count() - want.len();
    assert!(
        summary.contains(&format!(", labelled {}, no topic {no_topic}, ", want.len())),
        "{err}"
    );
}
