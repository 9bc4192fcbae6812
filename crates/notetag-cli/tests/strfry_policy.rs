//! `notetag strfry-policy`: strfry's write-policy plugin protocol, on recorded
//! input lines, bad lines, one line at a time and a large burst.
#![cfg(feature = "relay")]

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use notetag::Classifier;
use serde_json::{json, Value};

fn data(name: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn line(id: &str, kind: u64, content: &str) -> String {
    json!({
        "type": "new",
        "event": {"id": id, "pubkey": "9".repeat(64), "created_at": 1_700_000_000, "kind": kind, "tags": [], "content": content, "sig": "0".repeat(128)},
        "receivedAt": 1_700_000_001, "sourceType": "IP4", "sourceInfo": "127.0.0.1"
    })
    .to_string()
}

#[test]
fn recorded_lines_get_the_recorded_answers() {
    let input = data("strfry-input.jsonl");
    let (code, out, err) = common::notetag(
        &["strfry-policy", "--reject-topics", "trade_finance,geopolitics"],
        &input,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, data("strfry-answers.jsonl"));
    // Every bad line is reported on stderr with its number.
    assert!(err.contains("bad plugin input line 6: invalid JSON"), "{err}");
}

#[test]
fn answers_follow_the_model_and_bad_bytes_are_rejected() {
    let clf = Classifier::default_model().unwrap();
    let notes = [
        "The central bank raised rates again",
        "gm nostr, coffee first",
        "New GPU drivers ship today",
    ];
    let mut input = Vec::new();
    for (i, n) in notes.iter().enumerate() {
        input.extend_from_slice(line(&format!("n{i}"), 1, n).as_bytes());
        input.push(b'\n');
    }
    input.extend_from_slice(b"\xff\xfe\n");
    let (code, out, _) = common::notetag_bytes(&["strfry-policy", "--reject-topics", "tech", "--shadow"], &input);
    assert_eq!(code, 0);
    let answers: Vec<Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(answers.len(), 4);
    for (i, n) in notes.iter().enumerate() {
        let tech = clf.predict(n).labels().any(|l| l == "tech");
        assert_eq!(answers[i]["id"], format!("n{i}"));
        assert_eq!(
            answers[i]["action"],
            if tech { "shadowReject" } else { "accept" },
            "{n}"
        );
    }
    assert_eq!(
        answers[3],
        json!({"id": "", "action": "reject", "msg": "error: bad plugin input line 4: not UTF-8"})
    );
}

#[test]
fn each_answer_comes_before_the_next_line_is_written() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_notetag"))
        .args(["strfry-policy", "--reject-topics", "trade_finance"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        for l in BufReader::new(stdout).lines() {
            if tx.send(l.unwrap()).is_err() {
                break;
            }
        }
    });
    for i in 0..5 {
        writeln!(stdin, "{}", line(&format!("id{i}"), 1, "Stocks slid as yields jumped")).unwrap();
        stdin.flush().unwrap();
        let answer = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("an answer while the input stays open");
        let v: Value = serde_json::from_str(&answer).unwrap();
        assert_eq!(v["id"], format!("id{i}"));
    }
    drop(stdin);
    assert!(child.wait().unwrap().success());
    reader.join().unwrap();
}

#[test]
fn a_large_burst_is_answered_in_order() {
    let n = 20_000;
    let mut input = String::new();
    for i in 0..n {
        match i % 10 {
            3 => input.push_str("{\"type\":\"new\",\"event\":"),
            7 => input.push_str(&line(&format!("r{i}"), 7, "+")),
            _ => input.push_str(&line(
                &format!("n{i}"),
                1,
                "Fed minutes and bond yields, plus a new phone",
            )),
        }
        input.push('\n');
    }
    let (code, out, err) = common::notetag(&["strfry-policy", "--reject-topics", "trade_finance"], &input);
    assert_eq!(code, 0, "{}", &err[..err.len().min(500)]);
    let answers: Vec<Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(answers.len(), n);
    for (i, a) in answers.iter().enumerate() {
        match i % 10 {
            3 => assert_eq!((a["id"].as_str(), a["action"].as_str()), (Some(""), Some("reject"))),
            7 => assert_eq!(
                (a["id"].clone(), a["action"].as_str()),
                (json!(format!("r{i}")), Some("accept"))
            ),
            _ => assert_eq!(a["id"], format!("n{i}")),
        }
    }
    assert_eq!(err.lines().count(), n / 10, "one log line per bad line");
}

#[test]
fn policy_usage_errors_name_the_flag() {
    let (code, _, err) = common::notetag(&["strfry-policy", "--reject-topics", "sport"], "");
    assert_eq!(code, 2);
    assert!(
        err.contains("invalid parameter `reject-topics`: `sport` is not a label of the model"),
        "{err}"
    );
    let (code, _, err) = common::notetag(&["strfry-policy", "--accept-langs", "en,xyz"], "");
    assert_eq!(code, 2);
    assert!(err.contains("invalid parameter `accept-langs`: item 2 `xyz`"), "{err}");
    let (code, _, err) = common::notetag(&["strfry-policy", "--threshold", "2"], "");
    assert_eq!(code, 2);
    assert!(err.contains("invalid parameter `threshold`"), "{err}");
    let (code, _, err) = common::notetag(&["strfry-policy", "--threshold", "sports=0.5"], "");
    assert_eq!(code, 2);
    assert!(err.contains("`sports` is not a label of the model"), "{err}");
}

#[test]
fn a_label_threshold_moves_what_is_refused() {
    let input = format!("{}\n", line("n0", 1, "gm nostr, coffee first"));
    let action = |args: &[&str]| {
        let (code, out, err) = common::notetag(&[&["strfry-policy", "--reject-topics", "tech"], args].concat(), &input);
        assert_eq!(code, 0, "{err}");
        serde_json::from_str::<Value>(out.lines().next().unwrap()).unwrap()["action"].clone()
    };
    assert_eq!(action(&[]), "accept");
    assert_eq!(action(&["--threshold", "tech=0"]), "reject");
}
