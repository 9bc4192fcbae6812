//! Hostile input and damaged models: every bad input gets a typed error
//! that says what and where, nothing panics, nothing hangs, no record is lost.

mod common;

use std::io::Cursor;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use notetag::io::{Format, Item, ReadOptions, Reader};
use notetag::persist::FORMAT_VERSION;
use notetag::{Classifier, ClassifierParams, Error, Example, PredictOptions};

// ------------------------------------------------------------------ helpers

fn small_model() -> &'static Classifier {
    static M: OnceLock<Classifier> = OnceLock::new();
    M.get_or_init(|| {
        ClassifierParams::new()
            .calibration_folds(3)
            .bucket_bits(10)
            .fit(&common::small_set())
            .unwrap()
    })
}

fn default_model() -> &'static Classifier {
    static M: OnceLock<Classifier> = OnceLock::new();
    M.get_or_init(|| Classifier::default_model().unwrap())
}

/// What one reader item became, in a form tests can compare.
#[derive(Debug, Clone, PartialEq)]
enum Got {
    Rec {
        line: usize,
        text: String,
    },
    Skip {
        line: usize,
        reason: String,
    },
    Bad {
        source: String,
        line: usize,
        message: String,
    },
}

fn read_with(format: Format, input: &[u8], tweak: impl FnOnce(&mut ReadOptions)) -> Vec<Got> {
    let mut opts = ReadOptions::new(format, "hostile.in");
    tweak(&mut opts);
    Reader::new(Cursor::new(input.to_vec()), opts)
        .map(|item| match item {
            Item::Record(r) => Got::Rec {
                line: r.line,
                text: r.text,
            },
            Item::Skipped { line, reason } => Got::Skip { line, reason },
            Item::Invalid(Error::Record {
                source_name,
                line,
                message,
            }) => Got::Bad {
                source: source_name,
                line,
                message,
            },
            Item::Invalid(other) => panic!("reader error that names no line: {other:?}"),
        })
        .collect()
}

fn read(format: Format, input: &[u8]) -> Vec<Got> {
    read_with(format, input, |_| {})
}

/// Lines in `input` as the line readers count them (a last line without `\n` counts).
fn count_lines(input: &[u8]) -> usize {
    let n = input.iter().filter(|&&b| b == b'\n').count();
    n + usize::from(!input.is_empty() && !input.ends_with(b"\n"))
}

fn line_of(g: &Got) -> usize {
    match g {
        Got::Rec { line, .. } | Got::Skip { line, .. } | Got::Bad { line, .. } => *line,
    }
}

/// The guarantee of the line readers: one item per line, numbered 1, 2, 3…
fn assert_one_item_per_line(format: Format, input: &[u8]) -> Vec<Got> {
    let got = read(format, input);
    assert_eq!(
        got.len(),
        count_lines(input),
        "{format:?}: items != lines for {:?}\n{got:#?}",
        String::from_utf8_lossy(&input[..input.len().min(300)])
    );
    for (i, g) in got.iter().enumerate() {
        assert_eq!(line_of(g), i + 1, "{format:?}: item {i} has the wrong line: {g:?}");
        if let Got::Bad { source, .. } = g {
            assert_eq!(source, "hostile.in");
        }
    }
    got
}

#[track_caller]
fn assert_bad(g: &Got, line: usize, needle: &str) {
    match g {
        Got::Bad { line: l, message, .. } => {
            assert_eq!(*l, line, "{g:?}");
            assert!(message.contains(needle), "expected `{needle}` in {message:?}");
        }
        other => panic!("expected an error at line {line} containing `{needle}`, got {other:?}"),
    }
}

#[track_caller]
fn assert_rec(g: &Got, line: usize, text: &str) {
    assert_eq!(
        g,
        &Got::Rec {
            line,
            text: text.into()
        }
    );
}

fn deep_json(levels: usize) -> String {
    format!("{}{}", "[".repeat(levels), "]".repeat(levels))
}

fn deep_object(levels: usize) -> String {
    format!("{{\"text\": \"x\", \"extra\": {}}}", deep_json(levels))
}

// ------------------------------------------------------------ text pipeline

#[test]
fn odd_text_predicts_like_its_visible_content() {
    let m = small_model();
    let plain = m.predict_proba("the central bank held interest rates");
    // Invisible or layout characters must not change what the note is about.
    for variant in [
        "\u{feff}the central bank held interest rates",
        "the central bank held interest rates\r\n",
        "the\u{200b} central bank\u{200d} held interest rates\u{2060}",
        "\u{202e}the central bank held interest rates\u{202c}",
        "  the central   bank\theld interest rates  ",
    ] {
        assert_eq!(m.predict_proba(variant), plain, "{variant:?}");
    }
}

#[test]
fn hostile_strings_get_valid_predictions() {
    let m = default_model();
    let long_word = "x".repeat(100_000);
    let many_words = "bitcoin ".repeat(1_000);
    let cases: Vec<String> = vec![
        String::new(),
        " \t \u{a0}\u{2003} ".into(),
        "\0".into(),
        "gm\0friends\0\0".into(),
        "\u{feff}".into(),
        "\r\n\r\n".into(),
        "مرحبا بالعالم، البنك المركزي رفع الفائدة".into(),
        "שלום \u{200f}עולם\u{200e}".into(),
        "\u{200b}\u{200c}\u{200d}\u{2060}\u{feff}".into(),
        "👨\u{200d}👩\u{200d}👧\u{200d}👦 🏳\u{fe0f}\u{200d}🌈 👍🏽 🇺🇦".into(),
        "\u{1f468}\u{200d}".repeat(5_000),
        "e\u{301}\u{301}\u{301}\u{301}".repeat(1_000),
        "ﷺ ﷽ ǅ ß ẞ İ".into(),
        long_word.clone(),
        format!("#{long_word} ${long_word} @{long_word} nostr:{long_word} https://{long_word}"),
        "1.".repeat(50_000),
        "a'".repeat(50_000),
        "$1".repeat(50_000),
        "€".repeat(50_000),
        many_words,
        "\u{10ffff}\u{fffd}\u{e000}".into(),
    ];
    for text in &cases {
        let p = m.predict(text);
        assert!(m.labels().iter().any(|l| l == p.primary()));
        for (_, s) in p.scores() {
            assert!(
                (0.0..=1.0).contains(&s),
                "score {s} for {:?}",
                &text[..text.len().min(40)]
            );
        }
        // The explanation path walks the same tokens with names.
        let e = m.explain(text, 3);
        assert_eq!(e.per_label.len(), m.labels().len());
    }
}

#[test]
fn nul_and_invisible_characters_separate_words_and_do_not_merge_them() {
    let f = default_model().featurizer();
    let mut s = notetag::Scratch::default();
    f.transform_into("central bank", &mut s);
    let plain = s.vec.clone();
    assert!(plain.nnz() > 0);
    for variant in [
        "central\0bank",
        "\0central\0\0bank\0",
        "central\u{200b}bank",
        "central\u{2066}bank",
    ] {
        f.transform_into(variant, &mut s);
        assert_eq!(s.vec, plain, "{variant:?}");
    }
    f.transform_into("centralbank", &mut s);
    assert_ne!(s.vec, plain);
}

#[test]
fn a_ten_megabyte_note_is_tagged_in_reasonable_time() {
    let m = default_model();
    let unit = "Inflation data pushed bond yields higher while the central bank waited. ";
    let text: String = unit.repeat(10 * 1024 * 1024 / unit.len() + 1);
    assert!(text.len() >= 10 << 20);
    let start = Instant::now();
    let p = m.predict(&text);
    let took = start.elapsed();
    assert_eq!(p.primary(), m.predict(unit).primary());
    // Generous: this is a hang guard, not a benchmark (debug builds are slow).
    assert!(took < Duration::from_secs(120), "10 MB note took {took:?}");
}

// -------------------------------------------------------- readers: lines

#[test]
fn text_reader_keeps_every_line() {
    let input = b"gm\n\n   \n\xef\xbb\xbfwith bom\r\nnul\0inside\nbad \xff\xfe utf8\n\xe2\x80\xae rtl\nlast no newline";
    let got = assert_one_item_per_line(Format::Text, input);
    assert_rec(&got[0], 1, "gm");
    assert_rec(&got[1], 2, "");
    assert_rec(&got[2], 3, "   ");
    assert_rec(&got[3], 4, "with bom");
    assert_rec(&got[4], 5, "nul\0inside");
    assert_bad(&got[5], 6, "invalid UTF-8 at byte 4");
    assert_rec(&got[6], 7, "\u{202e} rtl");
    assert_rec(&got[7], 8, "last no newline");
}

#[test]
fn crlf_and_lone_cr_are_line_endings_only_at_the_end() {
    let got = assert_one_item_per_line(Format::Text, b"a\r\nb\r\r\nc\rd\n");
    assert_rec(&got[0], 1, "a");
    assert_rec(&got[1], 2, "b");
    assert_rec(&got[2], 3, "c\rd");
}

#[test]
fn over_long_line_is_one_error_and_the_next_line_still_reads() {
    let mut input = b"short\n".to_vec();
    input.extend(std::iter::repeat_n(b'x', 5000));
    input.extend(b"\nafter\n");
    input.extend(std::iter::repeat_n(b'y', 5000)); // over-long last line, no newline
    let got = read_with(Format::Text, &input, |o| o.max_line_bytes = 1000);
    assert_eq!(got.len(), 4, "{got:?}");
    assert_rec(&got[0], 1, "short");
    assert_bad(&got[1], 2, "line longer than 1000 bytes");
    assert_rec(&got[2], 3, "after");
    assert_bad(&got[3], 4, "line longer than 1000 bytes");
}

#[test]
fn ten_megabyte_line_reads_whole_with_default_limits() {
    let note = "a".repeat(10 << 20);
    for format in [Format::Text, Format::Jsonl, Format::Nostr, Format::FastText] {
        let line = match format {
            Format::Jsonl => format!("{{\"text\": \"{note}\"}}\n"),
            Format::Nostr => format!("{{\"kind\": 1, \"content\": \"{note}\"}}\n"),
            Format::FastText => format!("__label__x {note}\n"),
            _ => format!("{note}\n"),
        };
        let got = read(format, line.as_bytes());
        assert_eq!(got.len(), 1);
        assert_rec(&got[0], 1, &note);
    }
}

#[test]
fn a_million_lines_give_a_million_items() {
    let mut input = Vec::with_capacity(8 << 20);
    for i in 0..1_000_000u32 {
        match i % 5 {
            0 => input.extend(format!("{{\"text\": \"note {i}\"}}\n").as_bytes()),
            1 => input.extend(b"\n"),
            2 => input.extend(b"{\"text\": 3}\n"),
            3 => input.extend(b"\xff\n"),
            _ => input.extend(b"[1,2\n"),
        }
    }
    let mut n = 0;
    let mut records = 0;
    for item in Reader::new(Cursor::new(input), ReadOptions::new(Format::Jsonl, "big")) {
        n += 1;
        let line = match &item {
            Item::Record(r) => {
                records += 1;
                r.line
            }
            Item::Invalid(Error::Record { line, .. }) => *line,
            other => panic!("{other:?}"),
        };
        assert_eq!(line, n);
    }
    assert_eq!(n, 1_000_000);
    assert_eq!(records, 200_000);
}

// -------------------------------------------------------- readers: JSONL

#[test]
fn jsonl_wrong_types_and_missing_fields_name_the_field() {
    let input = concat!(
        "{\"text\": \"fine\", \"id\": \"a\", \"labels\": [\"x\"], \"primary\": \"x\"}\n",
        "{\"text\": 5}\n",
        "{\"text\": null}\n",
        "{\"body\": \"no text field\"}\n",
        "{\"text\": \"t\", \"id\": [1]}\n",
        "{\"text\": \"t\", \"labels\": \"x\"}\n",
        "{\"text\": \"t\", \"labels\": [\"x\", 3]}\n",
        "{\"text\": \"t\", \"label\": 3}\n",
        "{\"text\": \"t\", \"primary\": 3}\n",
        "{\"text\": \"t\", \"labels\": [\"x\"], \"primary\": \"y\"}\n",
        "[\"not\", \"an\", \"object\"]\n",
        "\"a string\"\n",
        "42\n",
        "null\n",
        "\n",
        "   \t\n",
        "{\"text\": \"trailing\"} garbage\n",
    );
    let got = assert_one_item_per_line(Format::Jsonl, input.as_bytes());
    assert_rec(&got[0], 1, "fine");
    assert_bad(&got[1], 2, "field `text`: expected a string");
    assert_bad(&got[2], 3, "field `text`: expected a string");
    assert_bad(&got[3], 4, "field `text`: missing");
    assert_bad(&got[4], 5, "field `id`");
    assert_bad(&got[5], 6, "field `labels`");
    assert_bad(&got[6], 7, "field `labels`");
    assert_bad(&got[7], 8, "field `label`");
    assert_bad(&got[8], 9, "field `primary`");
    assert_bad(&got[9], 10, "field `primary`: `y` is not among the labels");
    for (i, g) in got.iter().enumerate().take(14).skip(10) {
        assert_bad(g, i + 1, "expected a JSON object");
    }
    assert_bad(&got[14], 15, "blank line");
    assert_bad(&got[15], 16, "blank line");
    assert_bad(&got[16], 17, "invalid JSON");
}

#[test]
fn jsonl_custom_text_field_is_named_in_errors() {
    let got = read_with(Format::Jsonl, b"{\"body\": 1}\n{\"text\": \"x\"}\n", |o| {
        o.text_field = "body".into()
    });
    assert_bad(&got[0], 1, "field `body`: expected a string");
    assert_bad(&got[1], 2, "field `body`: missing");
}

#[test]
fn deeply_nested_json_is_an_error_not_a_stack_overflow() {
    for levels in [129, 10_000, 1_000_000] {
        let mut input = deep_json(levels);
        input.push('\n');
        input.push_str(&deep_object(levels));
        input.push_str("\n{\"text\": \"after\"}\n");
        let start = Instant::now();
        for format in [Format::Jsonl, Format::Nostr] {
            let got = read(format, input.as_bytes());
            assert_eq!(got.len(), 3, "{levels}: {got:?}");
            assert_bad(&got[0], 1, "recursion limit exceeded");
            assert_bad(&got[1], 2, "recursion limit exceeded");
            if format == Format::Jsonl {
                assert_rec(&got[2], 3, "after");
            }
        }
        assert!(start.elapsed() < Duration::from_secs(20));
    }
    // Within the limit, extra nested fields are simply ignored.
    let got = read(Format::Jsonl, deep_object(100).as_bytes());
    assert_rec(&got[0], 1, "x");
}

#[test]
fn huge_numbers_do_not_break_records() {
    let input = concat!(
        "{\"text\": \"a\", \"id\": 123456789012345678901234567890}\n",
        "{\"text\": \"b\", \"id\": 18446744073709551615}\n",
        "{\"text\": \"c\", \"id\": -9223372036854775808}\n",
        "{\"text\": \"d\", \"n\": 1e400}\n",
        "{\"text\": \"e\", \"n\": 1e-400}\n",
        "{\"text\": \"f\", \"id\": 1.5e308}\n",
    );
    let mut opts = ReadOptions::new(Format::Jsonl, "nums");
    opts.nostr_kinds = vec![1];
    let items: Vec<Item> = Reader::new(Cursor::new(input.as_bytes().to_vec()), opts).collect();
    assert_eq!(items.len(), 6);
    let id = |i: usize| match &items[i] {
        Item::Record(r) => r.id.clone(),
        other => panic!("{other:?}"),
    };
    // Big integers fall back to floats; ids keep a printable form.
    let big: f64 = id(0).unwrap().parse().unwrap();
    assert!((big / 1.2345678901234568e29 - 1.0).abs() < 1e-12, "{big}");
    assert_eq!(id(1).as_deref(), Some("18446744073709551615"));
    assert_eq!(id(2).as_deref(), Some("-9223372036854775808"));
    match &items[3] {
        Item::Invalid(Error::Record { line: 4, message, .. }) => {
            assert!(message.contains("number out of range"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(&items[4], Item::Record(r) if r.text == "e"));
    assert!(id(5).is_some());
}

#[test]
fn duplicate_keys_take_the_last_value() {
    let got = assert_one_item_per_line(
        Format::Jsonl,
        b"{\"text\": \"first\", \"text\": \"second\"}\n{\"text\": \"x\", \"text\": 5}\n",
    );
    assert_rec(&got[0], 1, "second");
    assert_bad(&got[1], 2, "field `text`");
}

#[test]
fn truncated_and_invalid_json_lines() {
    let input = b"{\"text\": \"cut\n{\"text\": \"ok\"}\n{\"text\": \"\xff\"}\n{\"text\": \"\\ud800\"}\n{\"text\": \"esc \\u0000 nul\"}\n{\"te";
    let got = assert_one_item_per_line(Format::Jsonl, input);
    assert_bad(&got[0], 1, "invalid JSON");
    assert_rec(&got[1], 2, "ok");
    assert_bad(&got[2], 3, "invalid UTF-8");
    assert_bad(&got[3], 4, "invalid JSON");
    assert_rec(&got[4], 5, "esc \0 nul");
    assert_bad(&got[5], 6, "invalid JSON");
}

// ---------------------------------------------------------- readers: CSV

#[test]
fn csv_quoted_newlines_are_one_record_at_their_first_line() {
    let input = b"id,text\n1,\"two\nlines\"\n2,plain\n3,\"three\r\nline\r\nrecord\"\n4,\"\"\"quoted\"\"\"\n";
    let got = read(Format::Csv, input);
    assert_eq!(got.len(), 4, "{got:?}");
    assert_rec(&got[0], 2, "two\nlines");
    assert_rec(&got[1], 4, "plain");
    assert_rec(&got[2], 5, "three\r\nline\r\nrecord");
    assert_rec(&got[3], 8, "\"quoted\"");
}

#[test]
fn csv_ragged_rows_and_bad_bytes_are_errors_in_place() {
    let input =
        b"\xef\xbb\xbfid,text,labels\n1,ok,a;b\n2\n3,short\n4,long,x,extra,fields\n5,\xff\xfe,x\n\n6,\"unterminated\n";
    let got = read(Format::Csv, input);
    assert_eq!(got.len(), 6, "{got:?}");
    assert_rec(&got[0], 2, "ok");
    assert_bad(&got[1], 3, "row has 1 fields, the text is field 2");
    assert_rec(&got[2], 4, "short");
    assert_rec(&got[3], 5, "long");
    assert_bad(&got[4], 6, "invalid UTF-8");
    // A quote left open runs to the end of the input: one record, not lost.
    assert_rec(&got[5], 8, "unterminated\n");
}

#[test]
fn csv_lines_are_counted_across_blank_lines_and_crlf() {
    // Windows line ends, blank lines between records, a quoted field over lines.
    let input = b"id,text\r\n1,a\r\n\r\n\r\n2,b\r\n3,\"c\r\nc\"\r\n4\r\n\n\n5,e";
    let got = read(Format::Csv, input);
    assert_eq!(got.len(), 5, "{got:?}");
    assert_rec(&got[0], 2, "a");
    assert_rec(&got[1], 5, "b");
    assert_rec(&got[2], 6, "c\r\nc");
    assert_bad(&got[3], 8, "row has 1 fields");
    assert_rec(&got[4], 11, "e");
    // Many blank lines before a bad row: the error still names its line.
    let mut input = b"text\n".to_vec();
    input.extend(std::iter::repeat_n(b'\n', 100_000));
    input.extend(b"ok\n\xff\n");
    let got = read(Format::Csv, &input);
    assert_rec(&got[0], 100_002, "ok");
    assert_bad(&got[1], 100_003, "invalid UTF-8");
}

#[test]
fn csv_record_over_the_limit_ends_the_stream_with_an_error() {
    let mut input = b"id,text\n1,fine\n2,\"never closed ".to_vec();
    input.extend(std::iter::repeat_n(b'z', 300_000));
    input.extend(b"\n3,lost in the quote\n");
    let got = read_with(Format::Csv, &input, |o| o.max_line_bytes = 100_000);
    assert_eq!(got.len(), 2, "{got:?}");
    assert_rec(&got[0], 2, "fine");
    assert_bad(&got[1], 3, "CSV record from line 3 is longer than 100000 bytes");
    // Within the limit, the same record reads to the end of the input.
    let got = read(Format::Csv, &input);
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(matches!(&got[1], Got::Rec { line: 3, text } if text.ends_with("quote\n")));
}

#[test]
fn tsv_reads_and_names_the_missing_column() {
    let got = read(Format::Tsv, b"id\ttext\n1\ta note\n2\n");
    assert_rec(&got[0], 2, "a note");
    assert_bad(&got[1], 3, "row has 1 fields");
    let got = read(Format::Tsv, b"id\tbody\n1\ta note\n");
    assert_eq!(got.len(), 1);
    assert_bad(&got[0], 1, "header has no `text` column");
    let got = read(Format::Csv, b"");
    assert_eq!(got.len(), 1);
    assert_bad(&got[0], 1, "header has no `text` column");
}

#[test]
fn csv_each_record_yields_one_item() {
    // Records: 1 header + N rows; every row gives exactly one item.
    let mut input = String::from("text,id\n");
    let rows = [
        "plain,1",
        "\"a, b\",2",
        "\"multi\nline\",3",
        "",
        "only",
        "x,4,5,6",
        "\"\",7",
    ];
    for r in rows {
        input.push_str(r);
        input.push('\n');
    }
    let got = read(Format::Csv, input.as_bytes());
    // The csv crate passes over blank lines (no record there), so 6 items.
    assert_eq!(got.len(), rows.len() - 1, "{got:?}");
    assert!(got.iter().all(|g| matches!(g, Got::Rec { .. })), "{got:?}");
}

// ------------------------------------------------------- readers: fastText

#[test]
fn fasttext_odd_lines() {
    let got = assert_one_item_per_line(
        Format::FastText,
        b"__label__a text\n__label__\n__label__a __label__b\n\nno label\n\xff\n__label__x\ttab\r\n",
    );
    assert_rec(&got[0], 1, "text");
    assert_rec(&got[1], 2, "");
    assert_rec(&got[2], 3, "");
    assert_rec(&got[3], 4, "");
    assert_rec(&got[4], 5, "no label");
    assert_bad(&got[5], 6, "invalid UTF-8");
    assert_rec(&got[6], 7, "tab");
    let items: Vec<Item> = Reader::new(
        Cursor::new(b"__label__ two spaces\n".to_vec()),
        ReadOptions::new(Format::FastText, "ft"),
    )
    .collect();
    match &items[0] {
        Item::Record(r) => assert_eq!(r.labels.as_deref(), Some(&[String::new()][..])),
        other => panic!("{other:?}"),
    }
}

// ---------------------------------------------------------- readers: Nostr

fn event(kind: &str, content: &str, tags: &str) -> String {
    format!("{{\"id\":\"ev\",\"pubkey\":\"pk\",\"created_at\":1,\"kind\":{kind},\"tags\":{tags},\"content\":{content},\"sig\":\"s\"}}")
}

#[test]
fn nostr_events_without_content_or_with_wrong_kinds() {
    let lines = [
        event("1", "\"gm\"", "[]"),
        event("30023", "\"long form\"", "[]"),
        event("7", "\"+\"", "[]"),
        event("0", "\"{\\\"name\\\":\\\"x\\\"}\"", "[]"),
        "{\"id\":\"ev\",\"kind\":1,\"tags\":[]}".into(),
        event("1", "null", "[]"),
        event("1", "42", "[]"),
        event("\"1\"", "\"gm\"", "[]"),
        event("-1", "\"gm\"", "[]"),
        event("1.5", "\"gm\"", "[]"),
        event("18446744073709551616", "\"gm\"", "[]"),
        "{\"content\":\"no kind\"}".into(),
        event("1", "\"odd tags\"", "[[1,2],{\"a\":null},\"e\",[[\"deep\"]],null]"),
        event("1", "\"tags not a list\"", "{\"e\":1}"),
        "42".into(),
    ];
    let input = lines.join("\n");
    let got = assert_one_item_per_line(Format::Nostr, input.as_bytes());
    assert_rec(&got[0], 1, "gm");
    assert_rec(&got[1], 2, "long form");
    assert_eq!(
        got[2],
        Got::Skip {
            line: 3,
            reason: "event kind 7".into()
        }
    );
    assert!(matches!(&got[3], Got::Skip { line: 4, reason } if reason == "event kind 0"));
    assert_bad(&got[4], 5, "field `content`: missing");
    assert_bad(&got[5], 6, "field `content`: expected a string");
    assert_bad(&got[6], 7, "field `content`: expected a string");
    for (i, g) in got.iter().enumerate().take(11).skip(7) {
        assert_bad(g, i + 1, "field `kind`: expected a non-negative integer");
    }
    assert_bad(&got[11], 12, "field `kind`: missing");
    assert_rec(&got[12], 13, "odd tags");
    assert_rec(&got[13], 14, "tags not a list");
    assert_bad(&got[14], 15, "expected a Nostr event object or relay message");
}

#[test]
fn nostr_relay_messages_of_every_type() {
    let ev = event("1", "\"tagged\"", "[]");
    let lines = [
        format!("[\"EVENT\",\"sub\",{ev}]"),
        format!("[\"EVENT\",{ev}]"),
        "[\"EOSE\",\"sub\"]".into(),
        "[\"NOTICE\",\"slow down\"]".into(),
        "[\"OK\",\"ev\",true,\"\"]".into(),
        "[\"CLOSED\",\"sub\",\"error: shutting down\"]".into(),
        "[\"AUTH\",\"challenge\"]".into(),
        "[\"COUNT\",\"sub\",{\"count\":5}]".into(),
        "[\"REQ\",\"sub\",{\"kinds\":[1]}]".into(),
        "[\"CLOSE\",\"sub\"]".into(),
        "[\"NEG-MSG\",\"sub\",\"abcd\"]".into(),
        "[\"EVENT\",\"sub\"]".into(),
        "[\"EVENT\",\"sub\",\"not an object\"]".into(),
        "[]".into(),
        "[5,\"sub\"]".into(),
        format!("[\"EVENT\",\"sub\",{}]", event("7", "\"+\"", "[]")),
        format!("[\"EVENT\",\"sub\",{}]", event("1", "3", "[]")),
        String::new(),
        "[\"EVENT\",\"sub\",{\"kind\":1,\"content\":\"trunc".into(),
        "   ".into(),
    ];
    let input = lines.join("\n");
    let got = assert_one_item_per_line(Format::Nostr, input.as_bytes());
    assert_rec(&got[0], 1, "tagged");
    assert_rec(&got[1], 2, "tagged");
    for (i, t) in [
        (2, "EOSE"),
        (3, "NOTICE"),
        (4, "OK"),
        (5, "CLOSED"),
        (6, "AUTH"),
        (7, "COUNT"),
        (8, "REQ"),
        (9, "CLOSE"),
        (10, "NEG-MSG"),
    ] {
        assert_eq!(
            got[i],
            Got::Skip {
                line: i + 1,
                reason: format!("relay message {t}")
            }
        );
    }
    assert_bad(&got[11], 12, "relay EVENT message without an event object");
    assert_bad(&got[12], 13, "relay EVENT message without an event object");
    assert_bad(&got[13], 14, "relay message without a type string");
    assert_bad(&got[14], 15, "relay message without a type string");
    assert!(matches!(&got[15], Got::Skip { line: 16, .. }));
    assert_bad(&got[16], 17, "field `content`");
    assert!(matches!(&got[17], Got::Skip { line: 18, reason } if reason == "blank line"));
    assert_bad(&got[18], 19, "invalid JSON");
    assert!(matches!(&got[19], Got::Skip { line: 20, .. }));
}

#[test]
fn nostr_event_fields_are_carried() {
    let items: Vec<Item> = Reader::new(
        Cursor::new(event("1", "\"gm\"", "[]").into_bytes()),
        ReadOptions::new(Format::Nostr, "n"),
    )
    .collect();
    match &items[..] {
        [Item::Record(r)] => {
            assert_eq!(r.id.as_deref(), Some("ev"));
            assert_eq!(r.pubkey.as_deref(), Some("pk"));
            assert_eq!(r.kind, Some(1));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn every_format_survives_every_hostile_line() {
    // Whatever a line holds, every format yields exactly one item for it.
    let mut hostile: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"\r".to_vec(),
        b"\0\0\0".to_vec(),
        b"\xef\xbb\xbf".to_vec(),
        b"\xff\xfe\xfd".to_vec(),
        b"\xc3".to_vec(),
        b"\xed\xa0\x80".to_vec(),
        "\u{200b}\u{202e}\u{2066}".as_bytes().to_vec(),
        "👨\u{200d}👩\u{200d}👧".as_bytes().to_vec(),
        b"{".to_vec(),
        b"[".to_vec(),
        b"[\"EVENT\"".to_vec(),
        b"{\"text\":".to_vec(),
        b"__label__".to_vec(),
        b"\"".to_vec(),
        deep_json(20_000).into_bytes(),
        deep_object(20_000).into_bytes(),
        "x".repeat(100_000).into_bytes(),
    ];
    hostile.push(hostile.concat().into_iter().filter(|&b| b != b'\n').collect());
    let mut input = Vec::new();
    for h in &hostile {
        input.extend_from_slice(h);
        input.push(b'\n');
    }
    for format in [Format::Text, Format::Jsonl, Format::FastText, Format::Nostr] {
        assert_one_item_per_line(format, &input);
    }
}

// -------------------------------------------------------- training data

fn fit(ex: &[Example]) -> notetag::Result<Classifier> {
    ClassifierParams::new().calibration_folds(3).bucket_bits(12).fit(ex)
}

#[test]
fn zero_rows_is_invalid_data() {
    let err = fit(&[]).unwrap_err();
    assert!(
        matches!(err, Error::InvalidData(ref m) if m.contains("no training rows")),
        "{err}"
    );
    let err = ClassifierParams::new().fit_texts::<&str, &str>(&[], &[]).unwrap_err();
    assert!(matches!(err, Error::InvalidData(_)), "{err}");
}

#[test]
fn only_empty_label_lists_is_invalid_data() {
    let ex = vec![Example::multi("a", Vec::<String>::new()); 5];
    let err = fit(&ex).unwrap_err();
    assert!(
        matches!(err, Error::InvalidData(ref m) if m.contains("none of the 5 rows carries a label")),
        "{err}"
    );
}

#[test]
fn one_class_only_is_an_error_but_one_label_and_no_topic_train() {
    let ex: Vec<Example> = (0..12)
        .map(|i| Example::new(format!("note number {i}"), "only"))
        .collect();
    let err = fit(&ex).unwrap_err();
    assert!(
        matches!(&err, Error::OneClass { rows: 12, labels } if labels == &["only"]),
        "{err}"
    );
    assert!(err.to_string().contains("at least two classes"), "{err}");
    // One label and some unlabelled rows: two classes.
    let mut ex = ex;
    ex.extend((0..6).map(|i| Example::multi(format!("lol {i}"), Vec::<String>::new())));
    let clf = fit(&ex).unwrap();
    assert_eq!(clf.labels(), ["only"]);
    for t in ["note number 3", "something else", ""] {
        let p = clf.predict(t);
        assert!(p.probabilities().iter().all(|s| s.is_finite()));
    }
    assert!(clf.predict("lol").probabilities()[0] < clf.predict("note number").probabilities()[0]);
}

#[test]
fn unknown_and_blank_labels_name_the_row() {
    let mut ex = common::small_set();
    ex[4].labels = vec!["sports".into()];
    ex[4].primary = None;
    let err = ClassifierParams::new()
        .classes(["personal", "tech", "trade_finance"])
        .fit(&ex)
        .unwrap_err();
    assert!(
        matches!(err, Error::Record { line: 5, ref message, .. } if message.contains("unknown label `sports`")),
        "{err}"
    );
    // A primary outside the labels is unknown too.
    let mut ex = common::small_set();
    ex[2].primary = Some("nonsense".into());
    let err = ClassifierParams::new()
        .classes(["personal", "tech", "trade_finance"])
        .fit(&ex)
        .unwrap_err();
    assert!(matches!(err, Error::Record { line: 3, .. }), "{err}");
    let mut ex = common::small_set();
    ex[0].labels.push("  ".into());
    let err = fit(&ex).unwrap_err();
    assert!(
        matches!(err, Error::InvalidParam { name: "classes", ref reason } if reason.contains("blank")),
        "{err}"
    );
}

#[test]
fn duplicate_texts_with_conflicting_labels_train() {
    let mut ex = common::small_set();
    for _ in 0..5 {
        ex.push(Example::new("the same words every time", "tech"));
        ex.push(Example::new("the same words every time", "personal"));
        ex.push(Example::multi("the same words every time", Vec::<String>::new()));
    }
    let clf = fit(&ex).unwrap();
    let p = clf.predict("the same words every time");
    assert!(p.probabilities().iter().all(|s| (0.0..=1.0).contains(s)));
    assert_eq!(clf.meta().rows, ex.len());
}

#[test]
fn a_label_with_one_example_and_tiny_sets() {
    let mut ex = common::small_set();
    ex.push(Example::new("a lonely note about knitting", "crafts"));
    let clf = fit(&ex).unwrap();
    assert!(clf.labels().contains(&"crafts".to_string()));
    assert_eq!(clf.meta().label_counts[0], 1, "{:?}", clf.labels());
    // One row is one class: an error. Two and three rows of two labels: fewer
    // rows than calibration folds, and they train.
    let all = common::small_set();
    let one: Vec<Example> = all[..1].to_vec();
    assert!(matches!(fit(&one).unwrap_err(), Error::OneClass { rows: 1, .. }));
    for n in 2..=3 {
        let mut tiny: Vec<Example> = all[..n - 1].to_vec();
        tiny.push(all.last().unwrap().clone());
        assert_ne!(tiny[0].labels, tiny[n - 1].labels);
        let clf = fit(&tiny).unwrap();
        assert_eq!(clf.meta().rows, n);
        assert!(clf.predict("rates").probabilities().iter().all(|s| s.is_finite()));
    }
}

#[test]
fn hostile_training_texts_train() {
    let mut ex = common::small_set();
    for (i, t) in [
        "",
        "\0",
        "\u{feff}",
        "\u{200b}",
        "👨\u{200d}👩\u{200d}👧",
        &"z".repeat(100_000),
        "\r\n",
    ]
    .iter()
    .enumerate()
    {
        ex.push(Example::new(*t, if i % 2 == 0 { "tech" } else { "personal" }));
    }
    let clf = fit(&ex).unwrap();
    let back = Classifier::from_bytes(&clf.to_bytes().unwrap()).unwrap();
    assert_eq!(back.predict_proba("\0"), clf.predict_proba("\0"));
}

#[test]
fn training_file_of_zero_rows_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.jsonl");
    std::fs::write(&path, "").unwrap();
    let ex = notetag::io::read_examples(&path, None).unwrap();
    assert!(ex.is_empty());
    assert!(matches!(fit(&ex), Err(Error::InvalidData(_))));
    // A bad row in a training file is an error naming file, line and field.
    std::fs::write(
        &path,
        "{\"text\": \"ok\", \"label\": \"a\"}\n{\"text\": \"x\", \"labels\": [1]}\n",
    )
    .unwrap();
    let err = notetag::io::read_examples(&path, None).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("empty.jsonl:2:") && msg.contains("field `labels`"),
        "{msg}"
    );
}

// ------------------------------------------------------------ model files

fn model_bytes() -> Vec<u8> {
    small_model().to_bytes().unwrap()
}

const HEADER: usize = 24;

fn with_crc(mut bytes: Vec<u8>) -> Vec<u8> {
    let crc = notetag::persist::checksum(FORMAT_VERSION, &bytes[HEADER..]);
    bytes[20..24].copy_from_slice(&crc.to_le_bytes());
    bytes
}

fn with_len(mut bytes: Vec<u8>, len: u64) -> Vec<u8> {
    bytes[12..20].copy_from_slice(&len.to_le_bytes());
    bytes
}

/// A damaged model must be rejected with a typed error, fast.
#[track_caller]
fn assert_rejected(bytes: &[u8], needle: &str) {
    let start = Instant::now();
    let res = Classifier::from_bytes(bytes);
    let took = start.elapsed();
    match res {
        Err(Error::InvalidModel { reason, .. }) => assert!(reason.contains(needle), "{needle:?} not in {reason:?}"),
        Err(Error::UnsupportedVersion { .. }) => assert!(needle == "version", "unexpected version error"),
        Err(other) => panic!("wrong error kind for damaged model: {other:?}"),
        Ok(_) => panic!("damaged model accepted (expected `{needle}`)"),
    }
    assert!(took < Duration::from_secs(1), "rejecting took {took:?}");
}

#[test]
fn truncated_at_every_byte_of_the_header_and_beyond() {
    let good = model_bytes();
    for n in 0..HEADER {
        assert_rejected(&good[..n], "truncated header");
    }
    for n in (HEADER..good.len()).step_by(7) {
        assert_rejected(&good[..n], "truncated or padded");
    }
    let mut padded = good.clone();
    padded.push(0);
    assert_rejected(&padded, "truncated or padded");
    assert!(Classifier::from_bytes(&good).is_ok());
}

#[test]
fn wrong_magic_and_newer_version() {
    let good = model_bytes();
    for magic in [
        &b"NOTETAG\x01"[..],
        b"notetag\0",
        b"PK\x03\x04\0\0\0\0",
        b"\0\0\0\0\0\0\0\0",
    ] {
        let mut b = good.clone();
        b[..8].copy_from_slice(magic);
        assert_rejected(&b, "wrong magic");
    }
    assert_rejected(b"{\"labels\": []}", "wrong magic");
    assert_rejected(b"NOTE", "truncated header");
    assert_rejected(b"XOTE", "wrong magic");
    for v in [0, FORMAT_VERSION + 1, u32::MAX] {
        let mut b = good.clone();
        b[8..12].copy_from_slice(&v.to_le_bytes());
        match Classifier::from_bytes(&b) {
            Err(Error::UnsupportedVersion { found, supported }) => {
                assert_eq!((found, supported), (v, FORMAT_VERSION));
            }
            other => panic!("version {v}: {other:?}"),
        }
    }
}

#[test]
fn every_header_bit_flip_is_caught() {
    let good = model_bytes();
    for bit in 0..HEADER * 8 {
        let mut b = good.clone();
        b[bit / 8] ^= 1 << (bit % 8);
        let res = Classifier::from_bytes(&b);
        assert!(
            matches!(res, Err(Error::InvalidModel { .. } | Error::UnsupportedVersion { .. })),
            "bit {bit}: {res:?}"
        );
    }
}

#[test]
fn payload_bit_flips_fail_the_checksum() {
    let good = model_bytes();
    let bits = (good.len() - HEADER) * 8;
    for bit in (0..bits).step_by(13) {
        let mut b = good.clone();
        b[HEADER + bit / 8] ^= 1 << (bit % 8);
        assert_rejected(&b, "checksum mismatch");
    }
}

#[test]
fn payload_bit_flips_behind_a_valid_checksum_never_panic() {
    // The checksum catches random damage; a crafted file can carry a correct one.
    // Every single-bit change of the payload must then load as a valid model or be
    // rejected whole with a typed error: never a panic, never a huge allocation.
    let good = model_bytes();
    assert!(good.len() < 64 << 10, "test model unexpectedly large: {}", good.len());
    let bits = (good.len() - HEADER) * 8;
    let (mut ok, mut rejected) = (0, 0);
    let start = Instant::now();
    for bit in 0..bits {
        let mut b = good.clone();
        b[HEADER + bit / 8] ^= 1 << (bit % 8);
        match Classifier::from_bytes(&with_crc(b)) {
            Ok(m) => {
                ok += 1;
                // Whatever loaded must predict without panicking.
                let p = m.predict("the central bank raised rates");
                assert!(m.labels().iter().any(|l| l == p.primary()));
            }
            Err(Error::InvalidModel { .. }) => rejected += 1,
            Err(other) => panic!("bit {bit}: wrong error kind {other:?}"),
        }
    }
    assert_eq!(ok + rejected, bits);
    assert!(rejected > 0 && ok > 0, "ok {ok}, rejected {rejected}");
    assert!(start.elapsed() < Duration::from_secs(600));
}

#[test]
fn declared_sizes_larger_than_the_file_are_rejected_before_allocating() {
    let good = model_bytes();
    for len in [u64::MAX, 1 << 40, 1 << 32, good.len() as u64] {
        assert_rejected(&with_len(good.clone(), len), "truncated or padded");
    }
    // A 1 KB file whose header claims gigabytes.
    let mut tiny = good[..1024].to_vec();
    tiny[12..20].copy_from_slice(&(8u64 << 30).to_le_bytes());
    assert_rejected(&tiny, "declared payload of 8589934592 bytes but 1000 present");

    // Inside the payload, postcard length prefixes are varints: a 1 KB payload that
    // announces a vector of 2^62 labels, or a string of 2^62 bytes.
    let huge_varint = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x3f];
    for prefix in [
        &huge_varint[..],
        &[1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x3f][..],
    ] {
        let mut body = prefix.to_vec();
        body.resize(1000, b'a');
        assert_rejected(&notetag::persist::frame(&body), "cannot decode payload");
    }
}

#[test]
fn huge_declared_tables_inside_a_valid_payload_are_rejected() {
    // Re-encode a valid payload with a label count that makes the dense table huge:
    // 24 bucket bits × 2^16 labels. The check happens before the tables are built.
    let clf = small_model();
    let mut params = clf.params().clone();
    params.text.bucket_bits = 24;
    let labels: Vec<String> = (0..(1 << 16)).map(|i| format!("l{i}")).collect();
    let params_json = serde_json::to_string(&params).unwrap();
    let meta_json = serde_json::to_string(clf.meta()).unwrap();
    // Payload fields in order (see persist.rs): labels, params, bucket_deltas, idf,
    // scales, weights, idf_f32, weights_f32, bias, calibration, thresholds, meta.
    let mut body = Vec::new();
    let varint = |out: &mut Vec<u8>, mut v: u64| loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            break;
        }
        out.push(b | 0x80);
    };
    let string = |out: &mut Vec<u8>, s: &str| {
        varint(out, s.len() as u64);
        out.extend_from_slice(s.as_bytes());
    };
    varint(&mut body, labels.len() as u64);
    for l in &labels {
        string(&mut body, l);
    }
    string(&mut body, &params_json);
    for _ in 0..9 {
        varint(&mut body, 0); // every table empty
    }
    string(&mut body, &meta_json);
    let bytes = notetag::persist::frame(&body);
    assert!(bytes.len() < 1 << 20);
    assert_rejected(&bytes, "exceeds the size limit");
}

#[test]
fn damaged_model_file_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.ntag");
    std::fs::write(&path, &model_bytes()[..100]).unwrap();
    let err = Classifier::load(&path).unwrap_err();
    match &err {
        Error::InvalidModel { path: Some(p), .. } => assert_eq!(p, &path),
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("broken.ntag"), "{err}");
    std::fs::write(&path, "").unwrap();
    assert!(Classifier::load(&path).unwrap_err().to_string().contains("broken.ntag"));
    let err = Classifier::load(dir.path().join("missing.ntag")).unwrap_err();
    assert!(matches!(err, Error::Io { path: Some(_), .. }), "{err:?}");
}

#[test]
fn load_reads_no_more_than_the_header_declares() {
    let dir = tempfile::tempdir().unwrap();
    let good = model_bytes();
    // A padded file: the declared length plus garbage after it.
    let path = dir.path().join("padded.ntag");
    let mut padded = good.clone();
    padded.extend(std::iter::repeat_n(0u8, 1 << 20));
    std::fs::write(&path, &padded).unwrap();
    let err = Classifier::load(&path).unwrap_err();
    assert!(err.to_string().contains("truncated or padded"), "{err}");
    // The header claims far more than the file holds.
    let path = dir.path().join("short.ntag");
    std::fs::write(&path, with_len(good.clone(), 1 << 40)).unwrap();
    let err = Classifier::load(&path).unwrap_err();
    assert!(
        err.to_string().contains("declared payload of 1099511627776 bytes"),
        "{err}"
    );
    // A file that never ends is rejected on its header.
    let zero = std::path::Path::new("/dev/zero");
    if zero.exists() {
        let start = Instant::now();
        let err = Classifier::load(zero).unwrap_err();
        assert!(err.to_string().contains("/dev/zero: not a notetag model"), "{err}");
        assert!(start.elapsed() < Duration::from_secs(1));
    }
    assert!(Classifier::load(dir.path()).is_err());
}

// ------------------------------------------------------------------ threads

#[test]
fn eight_threads_predict_like_one() {
    let m = default_model();
    let texts: Vec<String> = (0..4000)
        .map(|i| match i % 4 {
            0 => format!("the fed held rates at {i} basis points"),
            1 => format!("new gpu release {i} for open source models"),
            2 => format!("gm friends, coffee and a walk {i}"),
            _ => format!("sanctions on exports announced, day {i} \u{200b}👍🏽"),
        })
        .collect();
    let want: Vec<_> = texts.iter().map(|t| m.predict(t)).collect();
    let want_proba: Vec<Vec<f32>> = texts.iter().map(|t| m.predict_proba(t)).collect();
    let shared = default_model();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|k| {
                let texts = &texts;
                s.spawn(move || {
                    // Each thread walks the texts from a different start.
                    let n = texts.len();
                    (0..n)
                        .map(|j| {
                            let i = (j + k * 499) % n;
                            (i, shared.predict(&texts[i]), shared.predict_proba(&texts[i]))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            for (i, p, proba) in h.join().unwrap() {
                assert_eq!(p, want[i]);
                assert_eq!(proba, want_proba[i]);
            }
        }
    });
    // And rayon batches (the CLI's path) agree with single calls.
    let batch = m.predict_batch(&texts, &PredictOptions::default());
    assert_eq!(batch, want);
}
