//! The `notetag` binary end to end.

mod common;
use common::notetag;
use std::io::Write;

#[test]
fn predict_plain_text_one_line_per_note() {
    let (code, out, _) = notetag(&["predict"], "gm friends ☀️\nthe fed held rates\n\n");
    assert_eq!(code, 0);
    let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert_eq!(lines[0]["primary"], "personal");
    assert_eq!(lines[1]["primary"], "trade_finance");
    assert_eq!(lines[0]["scores"].as_object().unwrap().len(), 4);
}

#[test]
fn invalid_records_get_error_lines_in_place_and_exit_3() {
    let input =
        "{\"id\": \"a\", \"text\": \"new gpu released\"}\nnot json\n{\"text\": 5}\n{\"id\": 7, \"text\": \"gm\"}\n";
    let (code, out, err) = notetag(&["predict", "--format", "jsonl"], input);
    assert_eq!(code, 3);
    let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["id"], "a");
    assert_eq!(lines[1]["line"], 2);
    assert!(lines[2]["error"].as_str().unwrap().contains("field `text`"));
    assert_eq!(lines[3]["id"], "7");
    assert!(err.contains("<stdin>:2:"), "{err}");
}

#[test]
fn csv_and_tsv_output_quote_line_breaks_and_read_back() {
    let ids = ["a\rb", "c\nd", "e\"f", "g,h", "i\tj", "plain"];
    let input: String = ids
        .iter()
        .map(|id| format!("{}\n", serde_json::json!({"id": id, "text": "new gpu released"})))
        .collect();
    for (fmt, delimiter) in [("csv", b','), ("tsv", b'\t')] {
        let (code, out, err) = notetag(&["predict", "--format", "jsonl", "--output-format", fmt], &input);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("\"a\rb\""), "{fmt}: a carriage return not quoted: {out:?}");
        let mut r = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .from_reader(out.as_bytes());
        let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
        assert_eq!(head[..5], ["line", "id", "primary", "labels", "lang"], "{fmt}");
        assert_eq!(head.last().map(String::as_str), Some("error"), "{fmt}");
        let rows: Vec<csv::StringRecord> = r.records().collect::<Result<_, _>>().unwrap();
        let got: Vec<(&str, &str)> = rows.iter().map(|r| (&r[0], &r[1])).collect();
        let want: Vec<(String, &str)> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| ((i + 1).to_string(), *id))
            .collect();
        let want: Vec<(&str, &str)> = want.iter().map(|(l, id)| (l.as_str(), *id)).collect();
        assert_eq!(got, want, "{fmt}");
        assert!(
            rows.iter().all(|r| r.len() == head.len() && &r[2] == "tech"),
            "{fmt}: {rows:?}"
        );
    }
}

#[test]
fn nostr_relay_messages_tag_kind_1_and_pass_over_the_rest() {
    let ev = |kind: u32, content: &str| {
        format!("{{\"id\":\"e{kind}\",\"pubkey\":\"p1\",\"created_at\":1,\"kind\":{kind},\"tags\":[],\"content\":\"{content}\",\"sig\":\"s\"}}")
    };
    let input = format!(
        "[\"EVENT\",\"sub\",{}]\n[\"EVENT\",\"sub\",{}]\n[\"EOSE\",\"sub\"]\n",
        ev(1, "gm nostr"),
        ev(7, "+")
    );
    let (code, out, err) = notetag(&["predict", "--output-format", "nip32"], &input);
    assert_eq!(code, 0);
    let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 1, "{out}");
    assert_eq!(lines[0]["kind"], 1985);
    let tags = lines[0]["tags"].as_array().unwrap();
    assert!(tags.contains(&serde_json::json!(["e", "e1"])) && tags.contains(&serde_json::json!(["p", "p1"])));
    assert!(err.contains("2 passed over"), "{err}");
}

#[test]
fn train_then_eval_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d.jsonl");
    let mut f = std::fs::File::create(&data).unwrap();
    for i in 0..20 {
        writeln!(
            f,
            "{{\"text\": \"goal scored in the match {i}\", \"label\": \"sport\"}}"
        )
        .unwrap();
        writeln!(
            f,
            "{{\"text\": \"bake the bread for {i} minutes\", \"labels\": [\"cooking\"]}}"
        )
        .unwrap();
    }
    drop(f);
    let model = dir.path().join("m.ntag");
    let (code, _, err) = notetag(
        &[
            "train",
            "-i",
            data.to_str().unwrap(),
            "-o",
            model.to_str().unwrap(),
            "--calibration-folds",
            "3",
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    let (code, out, _) = notetag(
        &[
            "eval",
            "-i",
            data.to_str().unwrap(),
            "--model",
            model.to_str().unwrap(),
            "--json",
        ],
        "",
    );
    assert_eq!(code, 0);
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["labels"], serde_json::json!(["cooking", "sport"]));
    assert!(r["accuracy"].as_f64().unwrap() > 0.9);
}

#[test]
fn thresholds_of_some_labels_on_predict_and_eval() {
    let input = "gm nostr, coffee time\nThe Fed held rates steady\n";
    let labels = |args: &[&str]| -> Vec<Vec<String>> {
        let (code, out, err) = notetag(&[&["predict"], args].concat(), input);
        assert_eq!(code, 0, "{err}");
        out.lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["labels"].clone())
            .map(|v| serde_json::from_value(v).unwrap())
            .collect()
    };
    let tuned = labels(&[]);
    assert!(tuned.iter().all(|l| !l.contains(&"tech".to_string())), "{tuned:?}");
    // tech at 0 tags every note tech; the other labels keep their thresholds.
    let with_tech = labels(&["--threshold", "tech=0"]);
    for (a, b) in tuned.iter().zip(&with_tech) {
        let mut want = a.clone();
        want.push("tech".into());
        let mut got = b.clone();
        want.sort();
        got.sort();
        assert_eq!(got, want);
    }
    let (code, _, err) = notetag(&["predict", "--threshold", "tech=0.2,sports=0.5"], input);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("`sports` is not a label of the model"), "{err}");
    let (code, _, err) = notetag(&["predict", "--threshold", "tech=0.2,0.5"], input);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("expected LABEL=P"), "{err}");

    // eval scores the same thresholds: all at 0 tags every row with every label.
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/corpus/dev.jsonl");
    let set_f1 = |args: &[&str]| {
        let (code, out, err) = notetag(&[&["eval", "-i", data, "--json"], args].concat(), "");
        assert_eq!(code, 0, "{err}");
        serde_json::from_str::<serde_json::Value>(&out).unwrap()["set_micro_f1"]
            .as_f64()
            .unwrap()
    };
    let all = "geopolitics=0,personal=0,tech=0,trade_finance=0";
    let (tuned, everything) = (set_f1(&[]), set_f1(&["--threshold", all]));
    assert!(tuned > 0.8 && everything < 0.5, "{tuned} {everything}");
    assert_eq!(set_f1(&["--threshold", "0"]), everything);
}

#[test]
fn the_short_note_floor_is_set_on_predict_and_eval() {
    // Replies of fewer than four words: at threshold 0 the default model's floor
    // still holds them back; a floor of 0 lets threshold 0 tag them with every
    // label, a floor of 1 leaves them untagged.
    let input = "so true\nnot sure about that\n";
    let tagged = |args: &[&str]| -> Vec<usize> {
        let (code, out, err) = notetag(&[&["predict", "--threshold", "0"], args].concat(), input);
        assert_eq!(code, 0, "{err}");
        out.lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["labels"]
                    .as_array()
                    .unwrap()
                    .len()
            })
            .collect()
    };
    let model = tagged(&[]);
    assert!(model[0] < 4 && model[1] == 4, "{model:?}");
    assert_eq!(tagged(&["--short-note-floor", "0"]), [4, 4]);
    assert_eq!(tagged(&["--short-note-floor", "1"]), [0, 4]);
    for bad in ["1.5", "-0.1", "NaN"] {
        let (code, _, err) = notetag(&["predict", &format!("--short-note-floor={bad}")], input);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("short_note_floor"), "{err}");
    }

    // eval scores with the same floor: with it at 0, threshold 0 tags the short
    // rows with every label too.
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/corpus/dev.jsonl");
    let coverage = |args: &[&str]| {
        let (code, out, err) = notetag(
            &[&["eval", "-i", data, "--json", "--threshold", "0"], args].concat(),
            "",
        );
        assert_eq!(code, 0, "{err}");
        serde_json::from_str::<serde_json::Value>(&out).unwrap()["set_micro_f1"]
            .as_f64()
            .unwrap()
    };
    assert!(coverage(&["--short-note-floor", "0"]) < coverage(&[]));
}

#[test]
fn eval_by_language() {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/corpus/multilingual-test.jsonl");
    let (code, out, err) = notetag(&["eval", "-i", data, "--json", "--by-lang"], "");
    assert_eq!(code, 0, "{err}");
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    let by = r["by_lang"].as_object().unwrap();
    for lang in ["de", "en", "es", "fr", "ja", "pt", "zh", "und"] {
        assert!(by[lang]["n"].as_u64().unwrap() > 30, "{lang}: {}", by[lang]["n"]);
    }
    let rows: u64 = by.values().map(|v| v["n"].as_u64().unwrap()).sum();
    assert_eq!(rows, r["n"].as_u64().unwrap(), "every row in one language");
    let (code, table, err) = notetag(&["eval", "-i", data, "--by-lang"], "");
    assert_eq!(code, 0, "{err}");
    let ja = table.lines().find(|l| l.starts_with("ja ")).unwrap();
    let figures: Vec<&str> = ja.split_whitespace().collect();
    assert_eq!(figures[1], by["ja"]["n"].to_string(), "{ja}");
    assert_eq!(
        figures[2],
        format!("{:.4}", by["ja"]["macro_f1"].as_f64().unwrap()),
        "{ja}"
    );
    let (_, plain, _) = notetag(&["eval", "-i", data, "--json"], "");
    assert!(serde_json::from_str::<serde_json::Value>(&plain)
        .unwrap()
        .get("by_lang")
        .is_none());
}

#[test]
fn usage_errors_exit_2() {
    let (code, _, err) = notetag(&["predict", "--output-format", "xml"], "");
    assert_eq!(code, 2, "{err}");
    let (code, _, _) = notetag(&["frobnicate"], "");
    assert_eq!(code, 2);
}

#[test]
fn compare_cross_validates_each_configuration() {
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/corpus/dev.jsonl");
    let (code, out, err) = notetag(
        &[
            "compare",
            "-i",
            corpus,
            "--folds",
            "2",
            "--learners",
            "svm,nb,linfa-logistic",
            "--json",
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let results = v["results"].as_array().unwrap();
    let names: Vec<&str> = results.iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["svm", "nb", "linfa-logistic"]);
    for r in results {
        let folds = r["folds"].as_array().unwrap();
        assert_eq!(folds.len(), 2);
        let mean = folds.iter().map(|f| f.as_f64().unwrap()).sum::<f64>() / 2.0;
        assert!((r["macro_f1"][0].as_f64().unwrap() - mean).abs() < 1e-9);
        assert!(r["notes_per_second"].as_f64().unwrap() > 0.0);
        assert!(r["model_bytes"].as_f64().unwrap() > 0.0);
    }
    // The sparse learners learn the corpus; the dense 1,024-feature baseline less so.
    let f1 = |i: usize| results[i]["macro_f1"][0].as_f64().unwrap();
    assert!(f1(0) > 0.7 && f1(1) > 0.7, "{out}");
    assert!(f1(0) > f1(2), "{out}");

    let (code, table, _) = notetag(&["compare", "-i", corpus, "--folds", "2", "--learners", "nb"], "");
    assert_eq!(code, 0);
    assert!(
        table.contains("macro-F1 ± sd") && table.lines().any(|l| l.starts_with("nb ")),
        "{table}"
    );

    let (code, _, err) = notetag(&["compare", "-i", corpus, "--learners", "svm,bogus"], "");
    assert_eq!(code, 2);
    assert!(err.contains("bogus") && err.contains("svm+nb-char"), "{err}");
    let (code, _, err) = notetag(&["compare", "-i", corpus, "--folds", "1"], "");
    assert_eq!(code, 2, "{err}");
}

#[test]
fn signing_options_without_nip32_output_are_usage_errors() {
    for extra in [["--sign-key", "key.txt"], ["--created-at", "1700000000"]] {
        let mut args = vec!["predict", "--output-format", "jsonl"];
        args.extend(extra);
        let (code, out, err) = notetag(&args, "gm\n");
        assert_eq!(code, 2, "{err}");
        assert!(out.is_empty());
        assert!(err.contains("nip32"), "{err}");
    }
}

#[test]
fn nip32_writes_no_label_event_for_a_note_without_topics() {
    // Four words each, so that threshold 0 tags them (shorter notes need the
    // model's short-note floor whatever the threshold).
    let input = "lol that is so true\nyup same here for sure\n";
    let (code, out, err) = notetag(&["predict", "--output-format", "nip32"], input);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "", "no event may lack an `l` tag");
    assert!(
        err.contains("0 tagged") && err.contains("2 without topics (no label event)"),
        "{err}"
    );
    let (code, out, err) = notetag(&["predict", "--output-format", "nip32", "--threshold", "0"], input);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 2);
    assert!(!err.contains("without topics"), "{err}");
}
