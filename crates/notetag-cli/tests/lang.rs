//! Languages in `notetag predict`: the `lang` of every output format, `--lang`,
//! and notes the default model has no topic for.

mod common;
use common::notetag;

const NOTES: &str = "the fed held rates steady and bond yields fell\n\
今日はRustで新しいリレーを書いてみた、楽しい\n\
https://nostr.build/i/5f3a9c.jpg\n\
ยินดีต้อนรับสู่ตลาดหุ้น วันนี้ราคาทองคำขึ้น\n";

/// The `lang` of each JSON line of `out`.
fn langs_of(out: &str) -> Vec<String> {
    out.lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["lang"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn every_output_format_carries_the_language() {
    let (code, out, err) = notetag(&["predict"], NOTES);
    assert_eq!(code, 0, "{err}");
    let langs = langs_of(&out);
    assert_eq!(langs, ["en", "ja", "und", "th"]);
    for (fmt, sep) in [("csv", ','), ("tsv", '\t')] {
        let (code, out, err) = notetag(&["predict", "--output-format", fmt], NOTES);
        assert_eq!(code, 0, "{err}");
        let mut lines = out.lines();
        let head: Vec<&str> = lines.next().unwrap().split(sep).collect();
        let at = head.iter().position(|h| *h == "lang").expect("a lang column");
        let got: Vec<&str> = lines.map(|l| l.split(sep).nth(at).unwrap()).collect();
        assert_eq!(got, langs, "{fmt}");
    }
}

#[test]
fn notes_without_words_or_in_an_uncovered_language_get_no_topic() {
    let (_, out, _) = notetag(&["predict"], NOTES);
    let rows: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows[0]["labels"], serde_json::json!(["trade_finance"]));
    assert!(!rows[1]["labels"].as_array().unwrap().is_empty(), "{}", rows[1]);
    // A bare image link, and Thai (a script the default model was not trained on,
    // though the note is about gold prices): no topic, whatever the scores say.
    for r in &rows[2..] {
        assert_eq!(r["labels"], serde_json::json!([]), "{r}");
    }
}

#[test]
fn lang_keeps_only_the_languages_asked_for_and_counts_the_rest() {
    let (code, out, err) = notetag(&["predict", "--lang", "ja,th"], NOTES);
    assert_eq!(code, 0, "{err}");
    let langs = langs_of(&out);
    assert_eq!(langs, ["ja", "th"]);
    assert!(err.contains("2 skipped by --lang"), "{err}");
}

#[test]
fn nip32_templates_carry_the_language_and_notes_without_topics_get_none() {
    let ev = |id: char, content: &str| {
        serde_json::json!({"id": id.to_string().repeat(64), "pubkey": "1".repeat(64), "created_at": 1,
            "kind": 1, "tags": [], "content": content, "sig": "0".repeat(128)})
        .to_string()
    };
    let input = [
        ev('a', "今日はRustで新しいリレーを書いてみた、楽しい"),
        ev('b', "https://nostr.build/i/5f3a9c.jpg"),
    ]
    .join("\n");
    let (code, out, err) = notetag(&["predict", "--output-format", "nip32"], &input);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 1, "{out}");
    let tags = lines[0]["tags"].as_array().unwrap();
    assert!(tags.contains(&serde_json::json!(["L", "ISO-639-1"])), "{tags:?}");
    assert!(tags.contains(&serde_json::json!(["l", "ja", "ISO-639-1"])), "{tags:?}");
    assert!(err.contains("1 without topics"), "{err}");
}
