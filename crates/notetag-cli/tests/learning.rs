//! `notetag train --autotune` and `notetag update` end to end.

mod common;
use common::notetag;

use std::path::{Path, PathBuf};

/// Labelled notes of three topics, as JSON Lines.
fn write_data(dir: &Path) -> PathBuf {
    let topics = [
        (
            "trade_finance",
            ["rates", "bonds", "yields", "bank", "stocks", "inflation"],
        ),
        ("tech", ["gpu", "compiler", "robot", "software", "chips", "browser"]),
        ("personal", ["coffee", "kids", "dinner", "friends", "walk", "birthday"]),
    ];
    let mut rows = String::new();
    for i in 0..20 {
        for (label, words) in &topics {
            let text = format!("{} and {} today {}", words[i % 6], words[(i / 6 + 1) % 6], i % 4);
            rows.push_str(&format!("{{\"text\": \"{text}\", \"labels\": [\"{label}\"]}}\n"));
        }
    }
    let path = dir.join("train.jsonl");
    std::fs::write(&path, rows).unwrap();
    path
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn info(model: &Path) -> serde_json::Value {
    let (code, out, err) = notetag(&["info", "--model", s(model)], "");
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

#[test]
fn autotune_prints_a_leaderboard_and_records_the_search() {
    let dir = tempfile::tempdir().unwrap();
    let (data, model) = (write_data(dir.path()), dir.path().join("m.ntag"));
    let args = [
        "train",
        "-i",
        s(&data),
        "-o",
        s(&model),
        "--autotune",
        "2",
        "--metric",
        "f1:tech",
    ];
    let (code, out, err) = notetag(&args, "");
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("rank     f1:tech  macro-F1"), "{out}");
    assert!(
        out.lines().nth(1).is_some_and(|l| l.trim_start().starts_with("1 ")),
        "{out}"
    );
    assert!(err.contains("autotune: 2 s on 60 rows, f1:tech by 3-fold"), "{err}");
    assert!(err.contains("] #1 ") && err.contains("best "), "progress lines: {err}");
    assert!(
        err.contains("without the search") && err.contains("--learner "),
        "{err}"
    );
    let record = &info(&model)["training"]["autotune"];
    assert_eq!(record["metric"], "f1:tech");
    assert!(record["trials"].as_u64().unwrap() >= 2, "{record}");
    assert!(record["config"].as_str().unwrap().starts_with("learner="), "{record}");
    assert!((0.0..=1.0).contains(&record["cv_score"].as_f64().unwrap()));
}

#[test]
fn autotune_options_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let (data, model) = (write_data(dir.path()), dir.path().join("m.ntag"));
    let train = |extra: &[&str]| {
        let mut args = vec!["train", "-i", s(&data), "-o", s(&model)];
        args.extend_from_slice(extra);
        notetag(&args, "")
    };
    let (code, _, err) = train(&["--autotune", "0"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("invalid parameter `autotune`: 0: need a number of seconds > 0"),
        "{err}"
    );
    let (code, _, err) = train(&["--autotune", "1", "--metric", "f1:sport"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("`sport` is not a label of the data"), "{err}");
    let (code, _, err) = train(&["--autotune", "1", "--metric", "accuracy"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("invalid value 'accuracy' for '--metric"), "{err}");
    let (code, _, err) = train(&["--metric", "macro_f1"]);
    assert_eq!(code, 2, "--metric without --autotune: {err}");
    assert!(!model.exists());
}

#[test]
fn update_learns_corrections_and_counts_them() {
    let dir = tempfile::tempdir().unwrap();
    let (data, model) = (write_data(dir.path()), dir.path().join("m.ntag"));
    let (code, _, err) = notetag(&["train", "-i", s(&data), "-o", s(&model)], "");
    assert_eq!(code, 0, "{err}");
    let note = "the robot bank walk";
    let fixes = dir.path().join("fixes.tsv");
    std::fs::write(&fixes, format!("text\tlabels\n{note}\tpersonal\n")).unwrap();
    let out = dir.path().join("fixed.ntag");
    let (code, _, err) = notetag(
        &[
            "update",
            "--model",
            s(&model),
            "--input",
            s(&fixes),
            "--output",
            s(&out),
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("learnt from 1 corrections"), "{err}");
    assert_eq!(
        info(&out)["training"]["updates"],
        serde_json::json!({"updates": 1, "examples": 1})
    );
    assert!(
        info(&model)["training"].get("updates").is_none(),
        "the input model changed"
    );
    let (_, tagged, _) = notetag(&["predict", "--model", s(&out)], note);
    let tagged: serde_json::Value = serde_json::from_str(tagged.trim()).unwrap();
    assert_eq!(tagged["primary"], "personal");
}

#[test]
fn a_failed_update_writes_nothing_and_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let (data, model) = (write_data(dir.path()), dir.path().join("m.ntag"));
    assert_eq!(notetag(&["train", "-i", s(&data), "-o", s(&model)], "").0, 0);
    let before = std::fs::read(&model).unwrap();
    let update = |input: &Path| notetag(&["update", "--model", s(&model), "-i", s(input), "-o", s(&model)], "");
    // A header line first: the error names the file's line, not the row.
    let fixes = dir.path().join("fixes.tsv");
    std::fs::write(&fixes, "text\tlabels\ngpu\ttech\na goal\tsport\n").unwrap();
    let (code, _, err) = update(&fixes);
    assert_eq!(code, 1);
    assert!(
        err.contains(&format!(
            "{}:3: field `labels`: label `sport` is unknown to the model",
            s(&fixes)
        )),
        "{err}"
    );
    // Notes without labels are no corrections.
    let plain = dir.path().join("notes.txt");
    std::fs::write(&plain, "gpu news\n").unwrap();
    let (code, _, err) = update(&plain);
    assert_eq!(code, 1);
    assert!(err.contains("notes.txt:1: no labels"), "{err}");
    // Not a model.
    let (code, _, err) = notetag(&["update", "--model", s(&data), "-i", s(&fixes), "-o", s(&model)], "");
    assert_eq!(code, 1);
    assert!(err.contains("not a notetag model"), "{err}");
    assert!(
        std::fs::read(&model).unwrap() == before,
        "a failed update changed the model"
    );
    let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(leftovers, 4, "temporary files left behind");
}
