use super::*;

fn toks(text: &str) -> Vec<String> {
    let mut norm = String::new();
    normalize_into(text, &mut norm);
    let mut out = Vec::new();
    scan(&norm, &mut |k, t| out.push(k.display(t)));
    out
}

#[test]
fn fast_paths_give_the_general_paths_tokens() {
    // Pieces that start or end each path, strung together at random.
    let pieces = [
        "h",
        "w",
        "n",
        "http://a.b/c",
        "https://x.io/p.png?q",
        "www.",
        "www",
        "nostr:",
        "nostr:npub1xyz",
        "npub1qqqqqqqqqqqqqqqqqqqqqqqq",
        "note1abcdefghijklmnopqrstu",
        "nprofile",
        "@",
        "@al",
        "#",
        "#tag",
        "$",
        "$btc",
        "$3.5",
        "'",
        "don't",
        "a''b",
        "1,000.5",
        "2024",
        "5%",
        "€3",
        "-",
        "_",
        ".",
        " ",
        "\t",
        "\n",
        "é",
        "naïve",
        "東京",
        "の",
        "ドル",
        "한국",
        "，",
        "、",
        "🫂",
        "\u{200b}",
        "\u{a0}",
        "ß",
        "x9",
        "9x",
        "`",
        "~",
        "\u{7f}",
        "\u{0}",
        "abcdefghijk",
    ];
    let mut rng = crate::rng::SplitMix(0x9e37_79b9_7f4a_7c15);
    let mut next = |n: usize| rng.below(n);
    for _ in 0..20_000 {
        let text: String = (0..next(24)).map(|_| pieces[next(pieces.len())]).collect();
        let (mut fast, mut general) = (Vec::new(), Vec::new());
        scan_with::<true>(&text, &mut Emit(|k: TokKind, t: &str| fast.push((k, t.to_string()))));
        scan_with::<false>(&text, &mut Emit(|k: TokKind, t: &str| general.push((k, t.to_string()))));
        assert_eq!(fast, general, "{text:?}");
    }
}

#[test]
fn eight_byte_url_end_matches_the_character_test() {
    // Every ASCII character and a few others at every position of a link,
    // beside neighbours that could borrow.
    let others = ["\u{a0}", "\u{2003}", "é", "🫂", "\u{85}"];
    let ascii: Vec<String> = (0..=127u8).map(|b| char::from(b).to_string()).collect();
    for c in ascii.iter().map(String::as_str).chain(others) {
        for pos in 0..20 {
            for fill in ["a", "!", "\u{7f}", "\u{1}", "~"] {
                let mut text = fill.repeat(24);
                text.replace_range(pos..pos + 1, c);
                let want = run_end(&text, 0, |c| !c.is_whitespace());
                assert_eq!(nonspace_run(&text, 0), want, "{text:?}");
            }
        }
    }
}

#[test]
fn eight_byte_word_test_matches_the_byte_test() {
    // Every byte value at every position, beside neighbours that could carry.
    for b in 0..=255u8 {
        for pos in 0..8 {
            for fill in [0u8, b'z', b'9', 0x7f, 0x80, 0xff] {
                let mut bytes = [fill; 8];
                bytes[pos] = b;
                let got = ascii_alnum_bytes(u64::from_le_bytes(bytes));
                for (k, &x) in bytes.iter().enumerate() {
                    let set = got >> (8 * k + 7) & 1 == 1;
                    assert_eq!(set, x.is_ascii_alphanumeric(), "byte {x:#x} at {k} in {bytes:?}");
                }
            }
        }
    }
}

#[test]
fn ascii_prefix_ends_at_the_first_other_byte() {
    let text = "a note with one é among forty ASCII bytes or so".as_bytes();
    for len in 0..=text.len() {
        let plain = text[..len].to_vec();
        let want = plain.iter().position(|b| !b.is_ascii()).unwrap_or(len);
        assert_eq!(ascii_prefix(&plain), want, "{len}");
        for at in 0..len {
            let mut b = plain.clone();
            b[at] = 0x80;
            let want = b.iter().position(|b| !b.is_ascii()).unwrap_or(len);
            assert_eq!(ascii_prefix(&b), want, "{len} {at}");
        }
    }
}

#[test]
fn words_end_where_the_byte_by_byte_scan_ends_them() {
    for text in [
        "abcdefghijklmnop qr",
        "abcdefgh",
        "abcdefghé!",
        "abc'defghijk,l",
        "x",
        "0123456789_",
        "aé",
    ] {
        for i in 0..text.len() {
            if !text.is_char_boundary(i) {
                continue;
            }
            let b = text.as_bytes();
            let mut j = i;
            while j < b.len() && b[j].is_ascii_alphanumeric() {
                j += 1;
            }
            let want = if b.get(j).is_some_and(|&x| x >= 0x80) {
                run_end(text, j, word_char)
            } else {
                j
            };
            assert_eq!(word_run(text, i), want, "{text:?} from {i}");
        }
    }
}

#[test]
fn words_are_lowercased_and_punctuation_dropped() {
    assert_eq!(toks("Hello, World! Don’t panic."), ["hello", "world", "don't", "panic"]);
}

#[test]
fn words_mixing_ascii_and_other_letters_stay_whole() {
    // The scanner reads ASCII bytes without decoding and falls back to chars:
    // a word must not split where the two paths meet.
    assert_eq!(
        toks("Café naïve STRAẞE über-cool x\u{200B}y 東京abc wörd's end"),
        ["café", "naïve", "straße", "über", "cool", "x", "y", "東", "京", "abc", "wörd's", "end"]
    );
    assert_eq!(
        toks("wwwx httpx nostrich nostr:"),
        ["wwwx", "httpx", "nostrich", "<nostr>"]
    );
}

#[test]
fn urls_become_domain_tokens() {
    assert_eq!(
        toks("see https://www.Example.com/a/b.jpg?x=1 now"),
        ["see", "<url>", "domain:example.com", "<image>", "now"]
    );
    // Ports, fragments and paths end the host; only the path (not the query)
    // decides an image; a bare `www.` link has no scheme to skip.
    assert_eq!(
        toks("http://news.site:8080/x.png#top www.shop.io/a.gif?size=2 https://t.co/x.jpgs"),
        [
            "<url>",
            "domain:news.site",
            "<image>",
            "<url>",
            "domain:shop.io",
            "<image>",
            "<url>",
            "domain:t.co"
        ]
    );
    assert_eq!(toks("https://a.io/p?img=b.png"), ["<url>", "domain:a.io"]);
}

#[test]
fn nostr_references_and_mentions_fold() {
    let t = toks("gm nostr:npub1qqqqqqqqqqqqqqqqqqqq and note1abcdefghijklmnopqrstuvwxyz @jack");
    assert_eq!(t, ["gm", "<nostr-profile>", "and", "<nostr-note>", "<mention>"]);
}

#[test]
fn hashtags_cashtags_numbers_and_money() {
    assert_eq!(
        toks("#Bitcoin $TSLA up 5% to $1,200.50 in 2024, 21000000 sats €3"),
        ["#bitcoin", "bitcoin", "$tsla", "up", "<pct>", "to", "<money>", "in", "<year>", "<num>", "sats", "<money>"]
    );
}

#[test]
fn emoji_and_cjk_are_tokens() {
    assert_eq!(toks("gm ☀️🫂 中国"), ["gm", "☀", "🫂", "中", "国"]);
}

#[test]
fn japanese_keeps_kanji_and_katakana_and_drops_hiragana() {
    assert_eq!(
        toks("日銀の利上げでドル円が動いた"),
        ["日", "銀", "利", "上", "ド", "ル", "円", "動"]
    );
    assert!(toks("おはようございます").is_empty());
}

#[test]
fn nfkc_folds_compatibility_forms() {
    assert_eq!(toks("ＡＢＣ ﬁne"), ["abc", "fine"]);
}

#[test]
fn empty_and_odd_input_yield_no_tokens() {
    assert!(toks("").is_empty());
    assert!(toks("   \t\n ").is_empty());
    assert!(toks("\u{200b}\u{feff}...!!!").is_empty());
    assert!(toks("@").is_empty());
    assert_eq!(toks("$"), Vec::<String>::new());
}

/// What `normalize_into` is defined to give: NFKC of the whole text, each
/// character folded, no shortcut taken.
fn reference_normalization(text: &str) -> String {
    text.nfkc()
        .flat_map(|c| match c {
            '\u{2019}' | '\u{2018}' | '\u{02bc}' => vec!['\''],
            c => c.to_lowercase().collect(),
        })
        .collect()
}

#[test]
fn normalization_shortcuts_give_the_plain_definition() {
    // ASCII heads of every length around the 8-byte step, then characters that
    // take each path: already NFKC, a mark composing with the ASCII letter
    // before it, compatibility forms, marks out of order, case mappings that
    // grow or give ASCII.
    let tails = [
        "",
        "é",
        "e\u{301}",
        "\u{301}",
        "ＡＢＣ",
        "ﬁ",
        "a\u{316}\u{300}",
        "a\u{300}\u{316}",
        "İstanbul",
        "\u{212a}elvin",
        "ẞ",
        "it’s ʼn ‘q’",
        "Ⅻ №",
        "東京🫂",
        "\u{200b}x",
    ];
    let mut out = String::new();
    for n in 0..20 {
        let head: String = "AbCdEfGhIjKlMnOpQrStUv".chars().take(n).collect();
        for tail in tails {
            for text in [format!("{head}{tail}"), format!("{head}{tail}Zz {tail}{head}")] {
                normalize_into(&text, &mut out);
                assert_eq!(out, reference_normalization(&text), "{text:?}");
            }
        }
    }
}

#[test]
fn plain_characters_are_their_own_normal_form() {
    use unicode_normalization::char::canonical_combining_class;
    use unicode_normalization::{is_nfkc_quick, IsNormalized};
    let mut folded = String::new();
    for c in (0..=0x10_FFFF).filter_map(char::from_u32).filter(|&c| is_plain(c)) {
        assert_eq!(is_nfkc_quick(std::iter::once(c)), IsNormalized::Yes, "{c:?}");
        assert_eq!(canonical_combining_class(c), 0, "{c:?}");
        folded.clear();
        fold_char(c, &mut folded);
        assert_eq!(folded, c.to_string(), "{c:?}");
    }
}

#[test]
fn full_width_forms_are_their_ascii_characters() {
    for c in '\u{ff01}'..='\u{ff5e}' {
        let a = fullwidth_ascii(c).expect("a full-width form");
        assert_eq!(c.nfkc().collect::<String>(), a.to_string(), "{c:?}");
        assert_eq!(unicode_normalization::char::canonical_combining_class(c), 0, "{c:?}");
    }
    assert_eq!(fullwidth_ascii('\u{ff00}'), None);
    assert_eq!(fullwidth_ascii('\u{ff5f}'), None);
    // No canonical decomposition holds an ASCII character after its first, so
    // no character composes with an ASCII character after it.
    for c in (0x80..=0x10_FFFF).filter_map(char::from_u32) {
        let mut n = 0;
        unicode_normalization::char::decompose_canonical(c, |d| {
            assert!(n == 0 || !d.is_ascii(), "{c:?}");
            n += 1;
        });
    }
}

#[test]
fn mixed_scripts_normalize_as_the_plain_definition() {
    // Pieces taking each path of the shortcut (ASCII, plain, full-width, other
    // characters already NFKC or not), strung together at random, so that marks
    // follow every kind of character.
    let pieces = [
        "a", "Z", " ", "'", "東", "京", "の", "ド", "、", "。", "한", "é", "É", "ß", "д", "Д", "“", "’", "—", "☀",
        "\u{fe0f}", "🫂", "，", "Ａ", "ｚ", "＇", "！", "\u{301}", "\u{316}", "\u{300}", "\u{3099}", "\u{309a}",
        "\u{11a8}", "\u{1161}", "ㅋ", "…", "ｲ", "ﬁ", "İ", "\u{212a}", "ʼ", "①", "\u{3000}", "\u{200b}", "ẞ", "σ", "Σ",
    ];
    let mut rng = crate::rng::SplitMix(0x2545_f491_4f6c_dd1d);
    let mut next = |n: usize| rng.below(n);
    let mut out = String::new();
    for _ in 0..20_000 {
        let text: String = (0..next(12)).map(|_| pieces[next(pieces.len())]).collect();
        normalize_into(&text, &mut out);
        assert_eq!(out, reference_normalization(&text), "{text:?}");
    }
}

#[test]
fn word_characters_are_the_alphanumeric_ones_outside_cjk() {
    for c in (0..=0x10_FFFF).filter_map(char::from_u32) {
        assert_eq!(word_char(c), c.is_alphanumeric() && !is_cjk(c), "{c:?}");
    }
}
