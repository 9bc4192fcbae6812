//! Hostile input through the `notetag` binary: one output line per input
//! record with errors in place, exit status 3/2/0, clear errors for damaged models.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

struct Run {
    code: i32,
    out: Vec<u8>,
    err: String,
}

impl Run {
    /// Output lines, each parsed as JSON.
    fn json_lines(&self) -> Vec<serde_json::Value> {
        String::from_utf8(self.out.clone())
            .expect("output is UTF-8")
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("output line is not JSON ({e}): {l}")))
            .collect()
    }
}

fn notetag(args: &[&str], stdin: &[u8]) -> Run {
    let (code, out, err) = common::notetag_bytes(args, stdin);
    Run {
        code,
        out,
        err: String::from_utf8_lossy(&err).into_owned(),
    }
}

/// An error line `{"line": N, "error": …}` containing `needle`.
#[track_caller]
fn assert_error_line(v: &serde_json::Value, line: u64, needle: &str) {
    assert_eq!(v["line"], line, "{v}");
    let msg = v["error"].as_str().unwrap_or_else(|| panic!("not an error line: {v}"));
    assert!(msg.contains(needle), "`{needle}` not in {msg:?}");
}

#[track_caller]
fn assert_prediction(v: &serde_json::Value) {
    assert!(v["primary"].is_string(), "not a prediction: {v}");
    assert_eq!(v["scores"].as_object().map(|o| o.len()), Some(4), "{v}");
}

#[test]
fn hostile_text_lines_each_get_one_output_line() {
    let mut input: Vec<u8> = Vec::new();
    let lines: Vec<&[u8]> = vec![
        b"gm friends",
        b"",
        b"   \t ",
        b"\xef\xbb\xbfbom first",
        b"nul\0inside\0",
        b"bad \xff\xfe utf8",
        "\u{202e}rtl \u{5e9}\u{5dc}\u{5d5}\u{5dd} \u{200f}".as_bytes(),
        "zero\u{200b}width\u{2060}".as_bytes(),
        "👨\u{200d}👩\u{200d}👧\u{200d}👦 🏳\u{fe0f}\u{200d}🌈".as_bytes(),
        b"the fed held rates\r",
    ];
    for l in &lines {
        input.extend_from_slice(l);
        input.push(b'\n');
    }
    let word = "w".repeat(100_000);
    input.extend_from_slice(word.as_bytes());
    input.push(b'\n');
    let r = notetag(&["predict", "--format", "text"], &input);
    assert_eq!(r.code, 3, "{}", r.err);
    let out = r.json_lines();
    assert_eq!(out.len(), lines.len() + 1);
    for (i, v) in out.iter().enumerate() {
        if i == 5 {
            assert_error_line(v, 6, "invalid UTF-8 at byte 4");
        } else {
            assert_prediction(v);
        }
    }
    assert!(r.err.contains("<stdin>:6: invalid UTF-8"), "{}", r.err);
    assert!(r.err.contains("10 tagged, 1 invalid"), "{}", r.err);
}

#[test]
fn a_ten_megabyte_note_is_one_line() {
    let unit = "Bond yields rose as the central bank signalled more rate rises. ";
    let mut input = unit.repeat((10 << 20) / unit.len() + 1).into_bytes();
    input.extend(b"\nsecond note\n");
    let r = notetag(&["predict", "--format", "text"], &input);
    assert_eq!(r.code, 0, "{}", r.err);
    let out = r.json_lines();
    assert_eq!(out.len(), 2);
    assert_eq!(out[0]["primary"], "trade_finance");
}

#[test]
fn jsonl_wrong_types_missing_fields_and_deep_nesting_in_place() {
    let deep = format!(
        "{{\"text\": \"x\", \"n\": {}{}}}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let input = [
        "{\"id\": \"a\", \"text\": \"new gpu drivers released\"}",
        "{\"text\": 5}",
        "{\"body\": \"no text\"}",
        &deep,
        &"[".repeat(10_000),
        "{\"text\": \"dup\", \"text\": \"rates rose again\"}",
        "{\"id\": 123456789012345678901234567890, \"text\": \"big id\"}",
        "{\"text\": \"x\", \"n\": 1e400}",
        "",
        "{\"text\": \"trunc",
        "{\"id\": 7, \"text\": \"gm\"}",
    ]
    .join("\n");
    let r = notetag(&["predict", "--format", "jsonl"], input.as_bytes());
    assert_eq!(r.code, 3, "{}", r.err);
    let out = r.json_lines();
    assert_eq!(out.len(), 11, "{out:?}");
    assert_eq!(out[0]["id"], "a");
    assert_prediction(&out[0]);
    assert_error_line(&out[1], 2, "field `text`: expected a string");
    assert_error_line(&out[2], 3, "field `text`: missing");
    assert_error_line(&out[3], 4, "recursion limit exceeded");
    assert_error_line(&out[4], 5, "recursion limit exceeded");
    assert_prediction(&out[5]);
    assert!(out[6]["id"].as_str().unwrap().starts_with("1.23456789"), "{}", out[6]);
    assert_error_line(&out[7], 8, "number out of range");
    assert_error_line(&out[8], 9, "blank line");
    assert_error_line(&out[9], 10, "invalid JSON");
    assert_eq!(out[10]["id"], "7");
    for n in [2, 3, 4, 5, 8, 9, 10] {
        assert!(
            r.err.contains(&format!("<stdin>:{n}: ")),
            "line {n} not named: {}",
            r.err
        );
    }
}

#[test]
fn deep_json_as_first_line_is_detected_and_reported() {
    // Format detection reads the first line too: it must not overflow either.
    let input = format!("{}\n{{\"text\": \"after\"}}\n", "{\"a\":".repeat(10_000));
    let r = notetag(&["predict"], input.as_bytes());
    assert_eq!(r.code, 3, "{}", r.err);
    let out = r.json_lines();
    assert_eq!(out.len(), 2);
    assert_error_line(&out[0], 1, "invalid JSON");
    assert_prediction(&out[1]);
}

#[test]
fn csv_quoted_newlines_and_ragged_rows_keep_their_lines() {
    let input = b"id,text\r\n1,\"a note\r\nover two lines\"\r\n2\r\n\r\n3,\"gpu, chips\",extra\r\n4,\xff\r\n";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("in.csv");
    std::fs::write(&path, input).unwrap();
    let r = notetag(&["predict", "-i", path.to_str().unwrap()], b"");
    assert_eq!(r.code, 3, "{}", r.err);
    let out = r.json_lines();
    assert_eq!(out.len(), 4, "{out:?}");
    assert_eq!(out[0]["id"], "1");
    assert_error_line(&out[1], 4, "row has 1 fields");
    assert_eq!(out[2]["id"], "3");
    assert_error_line(&out[3], 7, "invalid UTF-8");
    assert!(
        r.err.contains("in.csv:4: ") && r.err.contains("in.csv:7: "),
        "{}",
        r.err
    );
}

#[test]
fn nostr_hostile_events_and_every_relay_message() {
    let ev = |kind: &str, content: &str| {
        let id = kind.replace('"', "");
        format!("{{\"id\":\"e{id}\",\"pubkey\":\"p\",\"created_at\":1,\"kind\":{kind},\"tags\":[[1],{{}}],\"content\":{content},\"sig\":\"s\"}}")
    };
    let lines = [
        format!("[\"EVENT\",\"s\",{}]", ev("1", "\"gm nostr\"")),
        format!("[\"EVENT\",\"s\",{}]", ev("7", "\"+\"")),
        format!("[\"EVENT\",\"s\",{}]", ev("1", "null")),
        format!("[\"EVENT\",\"s\",{}]", ev("\"1\"", "\"x\"")),
        "[\"EVENT\",\"s\",{\"kind\":1}]".into(),
        "[\"EOSE\",\"s\"]".into(),
        "[\"NOTICE\",\"hi\"]".into(),
        "[\"OK\",\"e\",true,\"\"]".into(),
        "[\"CLOSED\",\"s\",\"bye\"]".into(),
        "[\"AUTH\",\"c\"]".into(),
        "[\"COUNT\",\"s\",{\"count\":1}]".into(),
        ev("30023", "\"a long form post about chips\""),
        "[\"EVENT\",\"s\",{\"kind\":1,\"content\":\"trunc".into(),
    ];
    let r = notetag(&["predict", "--format", "nostr"], lines.join("\n").as_bytes());
    assert_eq!(r.code, 3, "{}", r.err);
    let out = r.json_lines();
    // 2 tagged + 4 invalid; 7 passed over (kind 7 and six relay messages).
    assert_eq!(out.len(), 6, "{out:?}");
    assert_eq!(out[0]["id"], "e1");
    assert_error_line(&out[1], 3, "field `content`");
    assert_error_line(&out[2], 4, "field `kind`");
    assert_error_line(&out[3], 5, "field `content`: missing");
    assert_eq!(out[4]["id"], "e30023");
    assert_error_line(&out[5], 13, "invalid JSON");
    assert!(r.err.contains("2 tagged, 4 invalid, 7 passed over"), "{}", r.err);
}

#[test]
fn exit_codes_0_2_3() {
    assert_eq!(
        notetag(&["predict", "--format", "text"], b"fine\n\nalso fine\n").code,
        0
    );
    assert_eq!(notetag(&["predict", "--format", "text"], b"").code, 0);
    assert_eq!(notetag(&["predict", "--format", "jsonl"], b"{}\n").code, 3);
    let r = notetag(&["predict", "--format", "yaml"], b"x\n");
    assert_eq!(r.code, 2, "{}", r.err);
    assert!(r.err.contains("`yaml`"), "{}", r.err);
    assert_eq!(notetag(&["predict", "--no-such-flag"], b"").code, 2);
    assert_eq!(notetag(&["predict", "--top-k", "-1"], b"").code, 2);
}

fn write_jsonl_lines(path: &Path, n: usize, bad_every: usize) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for i in 0..n {
        if bad_every > 0 && i % bad_every == bad_every - 1 {
            f.write_all(b"{\"text\": null}\n").unwrap();
        } else {
            writeln!(f, "{{\"id\": {i}, \"text\": \"rates {}\"}}", i % 97).unwrap();
        }
    }
    f.flush().unwrap();
}

#[test]
fn a_million_lines_give_a_million_output_lines_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("big.jsonl");
    let output = dir.path().join("out.jsonl");
    let n = 1_000_000;
    write_jsonl_lines(&input, n, 100_000);
    let r = notetag(
        &["predict", "-i", input.to_str().unwrap(), "-o", output.to_str().unwrap()],
        b"",
    );
    assert_eq!(r.code, 3, "{}", r.err);
    assert!(r.err.contains("999990 tagged, 10 invalid"), "{}", r.err);
    let f = BufReader::new(std::fs::File::open(&output).unwrap());
    let mut count = 0;
    for (i, line) in f.lines().enumerate() {
        let line = line.unwrap();
        if i % 100_000 == 99_999 {
            let v: serde_json::Value = serde_json::from_str(&line).unwrap();
            assert_error_line(&v, i as u64 + 1, "field `text`");
        } else {
            // Ids come back in input order.
            assert!(
                line.starts_with(&format!("{{\"id\":\"{i}\",")),
                "line {}: {line}",
                i + 1
            );
        }
        count += 1;
    }
    assert_eq!(count, n);
    // No temporary file is left beside the output.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn damaged_model_files_are_named_in_the_error() {
    let dir = tempfile::tempdir().unwrap();
    // A real model to damage: train a tiny one.
    let data = dir.path().join("train.jsonl");
    let mut rows = String::new();
    for i in 0..10 {
        rows.push_str(&format!(
            "{{\"text\": \"goal in the match {i}\", \"label\": \"sport\"}}\n"
        ));
        rows.push_str(&format!(
            "{{\"text\": \"bake bread for {i} minutes\", \"label\": \"food\"}}\n"
        ));
    }
    std::fs::write(&data, rows).unwrap();
    let good = dir.path().join("good.ntag");
    let r = notetag(
        &[
            "train",
            "-i",
            data.to_str().unwrap(),
            "-o",
            good.to_str().unwrap(),
            "--calibration-folds",
            "2",
        ],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.err);
    let bytes = std::fs::read(&good).unwrap();

    let mut flipped = bytes.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x10;
    let mut newer = bytes.clone();
    newer[8] = 99;
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "truncated.ntag",
            bytes[..bytes.len() / 3].to_vec(),
            "truncated or padded",
        ),
        ("header.ntag", bytes[..10].to_vec(), "truncated header"),
        ("empty.ntag", Vec::new(), "truncated header"),
        ("flipped.ntag", flipped, "checksum mismatch"),
        (
            "magic.ntag",
            b"PK\x03\x04 this is a zip file, not a model at all".to_vec(),
            "wrong magic",
        ),
        ("newer.ntag", newer, "unsupported model format version 99"),
    ];
    for (name, content, needle) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        let r = notetag(&["predict", "--model", path.to_str().unwrap()], b"gm\n");
        assert_eq!(r.code, 1, "{name}: {}", r.err);
        assert!(r.out.is_empty(), "{name}: output written despite a bad model");
        assert!(r.err.contains(needle), "{name}: `{needle}` not in {}", r.err);
        if needle != "unsupported model format version 99" {
            assert!(r.err.contains(name), "{name} not named: {}", r.err);
        }
    }
    let r = notetag(
        &["info", "--model", dir.path().join("missing.ntag").to_str().unwrap()],
        b"",
    );
    assert_eq!(r.code, 1);
    assert!(r.err.contains("missing.ntag"), "{}", r.err);
}

#[test]
fn a_failed_or_killed_run_leaves_the_old_output_intact() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.jsonl");
    std::fs::write(&out, "old contents\n").unwrap();
    // Bad model: nothing is written.
    let bad = dir.path().join("bad.ntag");
    std::fs::write(&bad, b"not a model").unwrap();
    let r = notetag(
        &["predict", "--model", bad.to_str().unwrap(), "-o", out.to_str().unwrap()],
        b"gm\n",
    );
    assert_eq!(r.code, 1);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "old contents\n");

    // Killed mid-run: stdin stays open, so the run is still going when killed.
    let mut child = Command::new(env!("CARGO_BIN_EXE_notetag"))
        .args(["predict", "--format", "text", "-o", out.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut sin = child.stdin.take().unwrap();
    for i in 0..50_000 {
        writeln!(sin, "note number {i} about rates and chips").unwrap();
    }
    sin.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    child.kill().unwrap();
    child.wait().unwrap();
    drop(sin);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "old contents\n");
}

#[test]
fn an_output_that_cannot_be_written_is_named_and_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let names = || {
        let mut v: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    // The output path is a directory: the run fails at the end, naming it.
    let taken = dir.path().join("out.jsonl");
    std::fs::create_dir(&taken).unwrap();
    let r = notetag(&["predict", "-o", taken.to_str().unwrap()], b"gm\nthe fed held rates\n");
    assert_eq!(r.code, 1, "{}", r.err);
    assert!(r.err.contains(taken.to_str().unwrap()), "{}", r.err);
    assert_eq!(names(), ["out.jsonl"]);
    assert_eq!(std::fs::read_dir(&taken).unwrap().count(), 0);
    // Its folder does not exist.
    let orphan = dir.path().join("missing").join("out.csv");
    let r = notetag(
        &["predict", "--output-format", "csv", "-o", orphan.to_str().unwrap()],
        b"gm\n",
    );
    assert_eq!(r.code, 1, "{}", r.err);
    assert!(r.err.contains(orphan.to_str().unwrap()), "{}", r.err);
    assert_eq!(names(), ["out.jsonl"]);
}

#[test]
fn hostile_training_data_gives_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.ntag");
    let train = |name: &str, content: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, content).unwrap();
        notetag(
            &[
                "train",
                "-i",
                p.to_str().unwrap(),
                "-o",
                model.to_str().unwrap(),
                "--calibration-folds",
                "2",
            ],
            b"",
        )
    };
    let r = train("empty.jsonl", "");
    assert_eq!(r.code, 1);
    assert!(r.err.contains("no training rows"), "{}", r.err);
    let r = train(
        "unlabelled.jsonl",
        "{\"text\": \"a\", \"labels\": []}\n{\"text\": \"b\"}\n",
    );
    assert_eq!(r.code, 1);
    assert!(r.err.contains("carries a label"), "{}", r.err);
    let r = train(
        "badrow.jsonl",
        "{\"text\": \"a\", \"label\": \"x\"}\n{\"text\": \"b\", \"labels\": [1]}\n",
    );
    assert_eq!(r.code, 1);
    assert!(r.err.contains("badrow.jsonl:2: field `labels`"), "{}", r.err);
    assert!(!model.exists(), "a model was written from bad data");
    let r = train(
        "oneclass.jsonl",
        "{\"text\": \"a b\", \"label\": \"x\"}\n{\"text\": \"c d\", \"label\": \"x\"}\n",
    );
    assert_eq!(r.code, 2, "{}", r.err);
    assert!(r.err.contains("at least two classes"), "{}", r.err);
    assert!(!model.exists(), "a model was written from one class");
}
