"""Languages from Python: ``tag()``'s ``lang``, ``predict_lang`` and the model card."""

import notetag

NOTES = [
    "the fed held rates steady and bond yields fell",
    "今日はRustで新しいリレーを書いてみた、楽しい",
    "https://nostr.build/i/5f3a9c.jpg",
    "ยินดีต้อนรับสู่ตลาดหุ้น วันนี้ราคาทองคำขึ้น",
]


def test_tag_reports_each_notes_language() -> None:
    tags = notetag.Classifier.default().tag(NOTES)
    assert [t["lang"] for t in tags] == ["en", "ja", "und", "th"]


def test_predict_lang_matches_tag_and_needs_no_model() -> None:
    langs = notetag.Classifier().predict_lang(NOTES)
    assert langs == [t["lang"] for t in notetag.Classifier.default().tag(NOTES)]
    assert notetag.Classifier(n_jobs=1).predict_lang([]) == []


def test_notes_in_uncovered_languages_or_without_words_have_no_topic() -> None:
    tags = notetag.Classifier.default().tag(NOTES)
    assert tags[0]["labels"] == ["trade_finance"]
    assert tags[2]["labels"] == [] and tags[3]["labels"] == []


def test_the_model_card_lists_the_covered_languages() -> None:
    langs = notetag.Classifier.default().training_["languages"]
    for code in ["en", "ja", "zh", "es", "pt", "de", "fr"]:
        assert code in langs
    assert "th" not in langs


def test_score_reports_abstention() -> None:
    clf = notetag.Classifier.default()
    texts = ["lol", "https://nostr.build/i/5f3a9c.jpg", "the fed held rates steady and bond yields fell"]
    gold: list = [[], [], ["trade_finance"]]
    assert clf.score(texts, gold, metric="no_topic_untagged") == 1.0
    assert clf.score(texts, gold, metric="topic_tagged_right") == 1.0
    assert clf.score(texts, gold, metric="coverage") == 1 / 3
    assert clf.score(texts, gold, metric="set_f1") == 1.0
    assert clf.score(texts, gold) == 1.0
    try:
        clf.score(texts, gold, metric="recall")
    except notetag.InvalidParameterError as e:
        assert "metric" in str(e)
    else:
        raise AssertionError("an unknown metric must be an error")


def test_score_by_lang_scores_each_language_s_notes() -> None:
    clf = notetag.Classifier.default()
    texts = [
        "the fed held rates steady and bond yields fell",
        "new gpu drivers shipped with the open source release",
        "Die Zentralbank hat die Zinsen wieder erhöht, sagen die Händler",
        "lol",
        "https://nostr.build/i/5f3a9c.jpg",
    ]
    gold: list = [["trade_finance"], ["trade_finance"], ["trade_finance"], [], []]
    langs = clf.predict_lang(texts)
    for metric in ("accuracy", "set_f1", "no_topic_untagged", "topic_tagged_right", "coverage"):
        by = clf.score_by_lang(texts, gold, metric=metric)
        assert list(by) == sorted(by)
        for lang, value in by.items():
            own = [i for i, x in enumerate(langs) if x == lang]
            assert value == clf.score([texts[i] for i in own], [gold[i] for i in own], metric=metric), (metric, lang)
    # en: one right, one wrong; und holds only topic-less notes, so it has no accuracy.
    assert clf.score_by_lang(texts, gold)["en"] == 0.5
    assert "und" not in clf.score_by_lang(texts, gold) and "und" in clf.score_by_lang(texts, gold, metric="coverage")
    try:
        clf.score_by_lang(texts, gold[:2])
    except notetag.InvalidDataError as e:
        assert "5 texts but 2 labels" in str(e)
    else:
        raise AssertionError("a length mismatch must raise")
