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
