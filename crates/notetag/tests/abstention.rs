//! The default model leaves topic-less notes untagged, kind by kind, and still tags
//! notes of the same surface kinds when their words carry a topic. Every note here
//! was written for this test.

use notetag::Classifier;

fn model() -> Classifier {
    Classifier::default_model().unwrap()
}

fn untagged(clf: &Classifier, notes: &[&str]) {
    for n in notes {
        let p = clf.predict(n);
        assert!(p.no_topic(), "{n:?} got {:?}", p.labels().collect::<Vec<_>>());
        assert_eq!(p.labels().count(), 0);
    }
}

#[test]
fn notes_without_words_get_no_topic_whatever_their_scores() {
    let clf = model();
    untagged(
        &clf,
        &[
            "https://nostr.build/i/8d1f0c2b9e.jpg",
            "https://void.cat/d/Xq3LmR8pZt.webp https://i.imgur.com/a8Bc2Ld.png",
            "nostr:npub1xtscya34g58tk0z605fvr788k263gsu6cy9x0mhnm87echrgufzsevkk5s",
            "nostr:note1qqqq9gxyzj3fwtl6kq6vhuz2k7yp0g8zc3v9jz3m8s2lqeaq0h5s2w7e9d",
            ":pepe_dance: :pepe_dance: :blobcat_heart:",
            "lnbc2500n1pj9xq7ypp5v4ue4h3w6vx0lq2z8kqe6wd5v0e9p7f8hjgq0dxl2pfv9c3kh4s",
            "🤙🔥🔥",
            "21,000,000",
        ],
    );
}

#[test]
fn notes_in_a_language_the_model_does_not_cover_get_no_topic() {
    let clf = model();
    assert!(
        !clf.languages().iter().any(|l| l == "th" || l == "el"),
        "{:?}",
        clf.languages()
    );
    for (note, lang) in [
        ("ธนาคารกลางขึ้นอัตราดอกเบี้ยอีกครั้ง ตลาดหุ้นร่วงแรง", "th"),
        ("Η κυβέρνηση ανακοίνωσε νέες εκλογές για τον Μάιο", "el"),
    ] {
        let p = clf.predict(note);
        assert_eq!(p.lang(), lang);
        assert!(p.no_topic(), "{note}");
    }
}

#[test]
fn notes_are_judged_by_their_language_thresholds() {
    let clf = model();
    let own: Vec<&str> = clf.meta().language_thresholds.iter().map(|t| t.lang.as_str()).collect();
    assert!(
        own.contains(&"zh") && own.contains(&"ja") && !own.contains(&"en"),
        "{own:?}"
    );
    for note in [
        "今天在地铁上看到一只狗坐在座位上，周围的人都在拍照",
        "昼ごはんはカレーにした、辛すぎて汗が止まらない",
        "The central bank held rates and the new chip export rules start in May",
    ] {
        let p = clf.predict(note);
        let t = clf.thresholds_for(p.lang());
        let mut want: Vec<(&str, f32)> = p.scores().zip(t).filter(|((_, s), t)| s >= t).map(|(x, _)| x).collect();
        want.sort_by(|a, b| b.1.total_cmp(&a.1));
        let got: Vec<&str> = p.labels().collect();
        assert_eq!(got, want.iter().map(|x| x.0).collect::<Vec<_>>(), "{note}");
    }
}

#[test]
fn the_model_card_lists_the_languages_it_covers() {
    let clf = model();
    for l in ["en", "ja", "zh", "es", "pt", "de", "fr", "ko", "ru", "it"] {
        assert!(
            clf.languages().iter().any(|x| x == l),
            "{l} not in {:?}",
            clf.languages()
        );
    }
}

#[test]
fn bare_reactions_and_invisible_subject_replies_get_no_topic() {
    untagged(
        &model(),
        &[
            "lol",
            "this",
            "same here haha",
            "exactly what I said yesterday",
            "nostr:npub1xtscya34g58tk0z605fvr788k263gsu6cy9x0mhnm87echrgufzsevkk5s agreed 💯",
        ],
    );
}

#[test]
fn link_posts_with_a_word_or_two_get_no_topic() {
    untagged(
        &model(),
        &[
            "mood https://nostr.build/i/4c9e1a7b33.jpg",
            "look at this 😂 https://m.primal.net/KpQz.mp4",
        ],
    );
}

#[test]
fn topic_words_around_links_and_mentions_keep_their_topic() {
    let clf = model();
    for (note, want) in [
        (
            "just shipped v0.3 of my relay, outbox support at last https://github.com/someone/relay",
            "tech",
        ),
        (
            "nostr:npub1xtscya34g58tk0z605fvr788k263gsu6cy9x0mhnm87echrgufzsevkk5s the fed held rates again and bond yields fell",
            "trade_finance",
        ),
    ] {
        let p = clf.predict(note);
        assert_eq!(p.labels().next(), Some(want), "{note}");
        assert_eq!(p.primary(), want);
    }
}

#[test]
fn bots_and_press_items_get_the_topic_the_rules_give_them() {
    let clf = model();
    untagged(
        &clf,
        &[
            "Weather for Lisbon: 18°C, light rain, wind 12 km/h NW",
            "It is 12:00 UTC",
            "Trains delayed at the airport station this morning, 25 minutes late",
            "Madrid beat Valencia 3-1 with a late penalty",
            "Pop star announces a world tour starting in March",
        ],
    );
    for (note, want) in [
        ("Central bank raises interest rates by a quarter point", "trade_finance"),
        ("Block 871234 mined. Fees: 12 sat/vB. Hashrate 640 EH/s", "tech"),
    ] {
        let p = clf.predict(note);
        assert!(
            p.labels().any(|l| l == want),
            "{note}: {:?}",
            p.labels().collect::<Vec<_>>()
        );
    }
}

#[test]
fn diaries_hobbies_and_software_debates_are_not_money_or_politics() {
    let clf = model();
    for (note, want) in [
        (
            "Spent the morning repotting my monstera, she finally has a new leaf 🌱",
            "personal",
        ),
        (
            "Finished my first watercolor of the harbour today, not bad for a beginner",
            "personal",
        ),
        ("gm nostr ☀️ remember, it costs 0 sats to be kind", "personal"),
        (
            "The OP_RETURN limit debate again: node policy should not be used to police what miners include",
            "tech",
        ),
        (
            "Soft fork activation needs broad consensus among node operators, not a miner signal",
            "tech",
        ),
    ] {
        let p = clf.predict(note);
        let got: Vec<&str> = p.labels().collect();
        assert_eq!(got, [want], "{note}");
    }
}
