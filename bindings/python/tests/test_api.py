"""Every method of notetag.Classifier, on the default model and a trained one."""

from __future__ import annotations

import copy
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import notetag
from notetag._notetag import _Model

DEFAULT_LABELS = ["geopolitics", "personal", "tech", "trade_finance"]
CLEAR = {
    "geopolitics": "The foreign ministers met at the summit to discuss sanctions and the ceasefire.",
    "trade_finance": "The central bank raised interest rates and bond yields jumped; stocks fell.",
    "tech": "The new release of the open source compiler adds GPU support and faster builds.",
    "personal": "Good morning! Coffee with my kids before a long walk in the park with family.",
}


# --------------------------------------------------------------- default model


def test_default_classes_in_fixed_order(default: notetag.Classifier) -> None:
    assert list(default.classes_) == DEFAULT_LABELS
    assert isinstance(default.classes_, np.ndarray)  # as in scikit-learn
    mine = default.classes_
    mine[0] = "changed"
    assert list(default.classes_) == DEFAULT_LABELS  # a copy each time


def test_default_predicts_clear_notes(default: notetag.Classifier) -> None:
    assert default.predict(list(CLEAR.values())) == list(CLEAR.keys())


def test_default_proba_shape_range_and_argmax(default: notetag.Classifier) -> None:
    texts = list(CLEAR.values()) + ["", "🤷"]
    p = default.predict_proba(texts)
    assert isinstance(p, np.ndarray)
    assert p.shape == (len(texts), 4)
    assert p.dtype == np.float32
    assert np.all((p >= 0) & (p <= 1))
    assert [list(default.classes_)[i] for i in p.argmax(axis=1)] == default.predict(texts)


def test_default_params_describe_its_training(default: notetag.Classifier) -> None:
    params = default.get_params()
    assert set(params) == set(notetag.Classifier().get_params())
    assert params["learner"] in {"svm", "nb", "svm+nb"}
    assert default.training_["rows"] > 0
    assert len(default.thresholds_) == 4


def test_tag_matches_predict_and_proba(default: notetag.Classifier) -> None:
    texts = list(CLEAR.values())
    tags = default.tag(texts)
    probs = default.predict_proba(texts)
    assert [t["primary"] for t in tags] == default.predict(texts)
    for t, row in zip(tags, probs):
        assert set(t) == {"primary", "labels", "scores", "lang"}
        assert list(t["scores"]) == list(default.classes_)
        assert np.allclose(list(t["scores"].values()), row)
        # labels: those at or above their tuned threshold, most probable first
        expected = [lab for lab, p, th in zip(list(default.classes_), row, default.thresholds_) if p >= th]
        assert sorted(t["labels"]) == sorted(expected)
        assert [t["scores"][lab] for lab in t["labels"]] == sorted((t["scores"][lab] for lab in t["labels"]), reverse=True)


def test_tag_threshold_and_top_k(default: notetag.Classifier) -> None:
    [everything] = default.tag(["interest rates and new gpus"], threshold=0.0)
    assert len(everything["labels"]) == 4
    [two] = default.tag(["interest rates and new gpus"], threshold=0.0, top_k=2)
    assert two["labels"] == everything["labels"][:2]
    [top] = default.tag(["interest rates and new gpus"], threshold=1.0)
    assert top["labels"] == [lab for lab in everything["labels"] if top["scores"][lab] >= 1.0]
    assert top["primary"] == everything["primary"]


def test_explain_names_the_ngrams(trained: notetag.Classifier) -> None:
    e = trained.explain("gpu chip compiler", k=3)
    assert e["primary"] == "tech"
    assert [d["label"] for d in e["per_label"]] == list(trained.classes_)
    tech = e["per_label"][list(trained.classes_).index("tech")]
    assert len(tech["top"]) <= 3
    features = [f for f, _ in tech["top"]]
    assert any("gpu" in f for f in features), features
    weights = [abs(w) for _, w in tech["top"]]
    assert weights == sorted(weights, reverse=True)
    # with every feature kept, score = bias + contributions
    full = trained.explain("gpu chip compiler", k=1000)
    for d in full["per_label"]:
        assert d["score"] == pytest.approx(d["bias"] + sum(w for _, w in d["top"]), abs=1e-4)
    assert np.allclose([d["probability"] for d in full["per_label"]], trained.predict_proba(["gpu chip compiler"])[0])


# ------------------------------------------------------------------- training


def test_fit_predict_score(trained: notetag.Classifier, held_out) -> None:
    texts, labels = held_out
    assert list(trained.classes_) == ["finance", "personal", "tech", "world"]
    acc = trained.score(texts, labels)
    pred = trained.predict(texts)
    assert acc == pytest.approx(np.mean([p == g for p, g in zip(pred, labels)]))
    assert acc > 0.9


def test_fit_returns_self_and_refits(corpus) -> None:
    texts, labels = corpus
    clf = notetag.Classifier(calibration_folds=2)
    assert clf.fit(texts, labels) is clf
    clf.fit(texts[:40], ["a" if lab == "tech" else "b" for lab in labels[:40]])
    assert list(clf.classes_) == ["a", "b"]


def test_multi_label_fit_and_score() -> None:
    texts = ["rates rise", "gpu news", "bank rates and gpu chips", "nothing much"] * 6
    labels = [["finance"], "tech", ["tech", "finance"], []] * 6
    clf = notetag.Classifier(calibration_folds=2).fit(texts, labels)
    assert list(clf.classes_) == ["finance", "tech"]
    assert clf.training_["unlabelled_rows"] == 6
    [t] = clf.tag(["bank rates and gpu chips"])
    assert set(t["labels"]) == {"finance", "tech"}
    # the primary of a list is its first label; rows with no label are left out
    assert clf.score(["rates rise", "gpu news", "x"], [["finance", "tech"], ["tech"], []]) == 1.0
    # a label the model does not know counts as a miss
    assert clf.score(["rates rise", "gpu news"], ["finance", "sports"]) == 0.5


def test_fixed_classes_keep_unseen_labels(corpus) -> None:
    texts, labels = corpus
    clf = notetag.Classifier(calibration_folds=2, classes=["finance", "personal", "sports", "tech", "world"])
    clf.fit(texts, labels)
    assert list(clf.classes_) == ["finance", "personal", "sports", "tech", "world"]
    assert clf.predict_proba(texts[:3]).shape == (3, 5)


@pytest.mark.parametrize(
    "params",
    [
        {"learner": "nb", "alpha": 0.5},
        {"learner": "svm", "c": 2.0, "loss": "hinge", "balanced": False, "max_iter": 20, "tol": 0.1},
        {"learner": "svm+nb", "nb_weight": 0.5},
        {"nb_ratio": True},
        {"word_ngrams": (1, 1), "char_ngrams": (2, 4), "char_weight": 0.5},
        {"bucket_bits": 12, "sublinear_tf": False, "min_df": 2, "quantize": False, "seed": 7},
    ],
)
def test_every_parameter_reaches_the_core(corpus, held_out, params) -> None:
    texts, labels = corpus
    clf = notetag.Classifier(calibration_folds=2, **params).fit(texts, labels)
    # the trained model reports the parameters it was given
    back = notetag.Classifier.from_bytes(clf.to_bytes()).get_params()
    for k, v in params.items():
        assert back[k] == v, k
    assert clf.score(*held_out) > 0.8


def test_python_defaults_are_the_core_defaults(corpus) -> None:
    texts, labels = corpus
    core = _Model.fit(texts[:40], labels[:40], {}).params()
    python = notetag.Classifier().get_params()
    # n_jobs is how to run, and autotune and metric how to choose the
    # parameters, not part of the model: Python's alone.
    assert python.pop("n_jobs") is None
    assert (python.pop("autotune"), python.pop("metric")) == (None, "macro_f1")
    assert core == python


def test_tokenizer_parameter(corpus) -> None:
    texts, labels = corpus
    cfg = '{"normalizer": {"type": "Lowercase"}, "pre_tokenizer": {"type": "Whitespace"}}'
    clf = notetag.Classifier(calibration_folds=2, tokenizer=cfg).fit(texts, labels)
    assert clf.get_params()["tokenizer"] == cfg
    assert notetag.Classifier.from_bytes(clf.to_bytes()).get_params()["tokenizer"] == cfg
    assert clf.predict(["GPU CHIP COMPILER"]) == ["tech"]


def test_same_seed_same_model(corpus) -> None:
    texts, labels = corpus
    a = notetag.Classifier(calibration_folds=2, seed=3).fit(texts, labels)
    b = notetag.Classifier(calibration_folds=2, seed=3).fit(texts, labels)
    assert a.to_bytes() == b.to_bytes()


# --------------------------------------------------------------------- inputs


def test_any_iterable_of_str(trained: notetag.Classifier, held_out) -> None:
    texts, _ = held_out
    expected = trained.predict_proba(texts)
    forms = [
        tuple(texts),
        (t for t in texts),
        np.array(texts),
        np.array(texts, dtype=object),
        np.array(texts).reshape(-1, 1),
        pd.Series(texts, index=range(100, 100 + len(texts))),
        pd.Series(texts, dtype="string"),
        pd.Index(texts),
    ]
    for form in forms:
        assert np.array_equal(trained.predict_proba(form), expected), type(form)


def test_labels_as_numpy_and_pandas(corpus) -> None:
    texts, labels = corpus
    a = notetag.Classifier(calibration_folds=2).fit(texts, labels).to_bytes()
    b = notetag.Classifier(calibration_folds=2).fit(pd.Series(texts), pd.Series(labels)).to_bytes()
    c = notetag.Classifier(calibration_folds=2).fit(np.array(texts), np.array(labels)).to_bytes()
    assert a == b == c


def test_pyarrow_columns_in(trained: notetag.Classifier, held_out) -> None:
    pa = pytest.importorskip("pyarrow")
    texts, _ = held_out
    expected = trained.predict_proba(texts)
    half = len(texts) // 2
    forms = [
        pa.array(texts),
        pa.array(texts, type=pa.large_string()),
        pa.chunked_array([texts[:half], texts[half:]]),
        pa.table({"text": texts})["text"],
    ]
    for form in forms:
        assert np.array_equal(trained.predict_proba(form), expected), type(form)
        assert trained.predict(form) == trained.predict(texts), type(form)
        assert trained.tag(form) == trained.tag(texts), type(form)


def test_pyarrow_labels_and_nulls(corpus) -> None:
    pa = pytest.importorskip("pyarrow")
    texts, labels = corpus
    a = notetag.Classifier(calibration_folds=2).fit(texts, labels)
    b = notetag.Classifier(calibration_folds=2).fit(pa.array(texts), pa.array(labels))
    assert a.to_bytes() == b.to_bytes()
    assert a.score(texts, labels) == b.score(pa.array(texts), pa.chunked_array([labels]))
    multi = [[lab] for lab in labels]
    c = notetag.Classifier(calibration_folds=2).fit(pa.array(texts), pa.array(multi))
    assert c.to_bytes() == a.to_bytes()
    with pytest.raises(notetag.NotetagTypeError, match=r"`texts\[2\]` is NoneType"):
        a.predict(pa.array(["rates", "chips", None]))
    with pytest.raises(notetag.NotetagTypeError, match=r"`texts\[0\]` is int, not str"):
        a.predict(pa.array([1, 2]))


def test_empty_input_gives_empty_output(trained: notetag.Classifier) -> None:
    assert trained.predict([]) == []
    assert trained.predict_proba([]).shape == (0, 4)
    assert trained.tag([]) == []


def test_unicode_and_long_notes(trained: notetag.Classifier) -> None:
    texts = ["Ünïcödé GPU ✨ 日本語のテキスト", "x" * 100_000, "\u0000", "gpu " * 5000]
    assert len(trained.predict(texts)) == 4
    assert trained.predict(["gpu " * 5000]) == ["tech"]


# ------------------------------------------------------ persistence & pickles


def test_save_load_round_trip(trained: notetag.Classifier, held_out, tmp_path: Path) -> None:
    texts, _ = held_out
    path = tmp_path / "model.ntag"
    trained.save(path)  # pathlib
    assert path.read_bytes()[:8] == b"NOTETAG\0"
    loaded = notetag.Classifier.load(str(path))  # str
    assert list(loaded.classes_) == list(trained.classes_)
    assert loaded.get_params() == trained.get_params()
    assert np.array_equal(loaded.predict_proba(texts), trained.predict_proba(texts))
    assert loaded.to_bytes() == trained.to_bytes() == path.read_bytes()


def test_pickle_round_trip(trained: notetag.Classifier, held_out) -> None:
    texts, _ = held_out
    for proto in range(2, pickle.HIGHEST_PROTOCOL + 1):
        back = pickle.loads(pickle.dumps(trained, protocol=proto))
        assert back.get_params() == trained.get_params()
        assert np.array_equal(back.predict_proba(texts), trained.predict_proba(texts))
    copied = copy.deepcopy(trained)
    assert copied.to_bytes() == trained.to_bytes()


def test_pickle_carries_the_versioned_model_bytes(trained: notetag.Classifier) -> None:
    state = trained.__getstate__()
    assert state["_model"] == trained.to_bytes()
    assert state["_model"][:8] == b"NOTETAG\0"


def test_pickle_unfitted_and_default(default: notetag.Classifier) -> None:
    clf = notetag.Classifier(c=3.0, char_ngrams=(2, 5))
    back = pickle.loads(pickle.dumps(clf))
    assert back.get_params() == clf.get_params()
    with pytest.raises(notetag.NotFittedError):
        back.predict(["x"])
    d = pickle.loads(pickle.dumps(default))
    assert d.predict(list(CLEAR.values())) == list(CLEAR.keys())


# --------------------------------------------------------- params & fitted-ness


def test_get_set_params_and_repr() -> None:
    clf = notetag.Classifier()
    assert repr(clf) == "Classifier()"
    assert clf.set_params(c=2.0, word_ngrams=(1, 3)) is clf
    assert clf.c == 2.0 and clf.get_params()["word_ngrams"] == (1, 3)
    assert repr(clf) == "Classifier(c=2.0, word_ngrams=(1, 3))"
    with pytest.raises(notetag.InvalidParameterError, match="unknown parameter `C`"):
        clf.set_params(C=1.0)


def test_not_fitted() -> None:
    clf = notetag.Classifier()
    assert not hasattr(clf, "classes_")
    for call in (
        lambda: clf.predict(["x"]),
        lambda: clf.predict_proba(["x"]),
        lambda: clf.tag(["x"]),
        lambda: clf.explain("x"),
        lambda: clf.score(["x"], ["a"]),
        lambda: clf.save("unused.ntag"),
        lambda: clf.to_bytes(),
    ):
        with pytest.raises(notetag.NotFittedError, match="not fitted") as e:
            call()
        assert isinstance(e.value, (ValueError, AttributeError, notetag.NotetagError))


def test_version_constants() -> None:
    assert notetag.__version__
    assert notetag.FORMAT_VERSION >= 1


def test_non_str_labels_map_back(corpus, held_out) -> None:
    texts, labels = corpus
    names = sorted(set(labels))
    codes = np.array([names.index(lab) * 5 for lab in labels])  # 0, 5, 10, 15: "10" < "5" as text
    clf = notetag.Classifier(calibration_folds=2).fit(texts, codes)
    assert list(clf.classes_) == [0, 5, 10, 15]
    assert clf.classes_.dtype.kind == "i"
    by_name = notetag.Classifier(calibration_folds=2).fit(texts, labels)
    h_texts, _ = held_out
    assert clf.predict(h_texts) == [names.index(p) * 5 for p in by_name.predict(h_texts)]
    # columns follow classes_, i.e. the numeric order (the label order inside the
    # core differs, and with it the calibration folds: close, not equal)
    assert np.allclose(clf.predict_proba(h_texts), by_name.predict_proba(h_texts), atol=0.05)
    [t] = clf.tag(["gpu chip"])
    assert t["primary"] == 10 and list(t["scores"]) == [0, 5, 10, 15]
    e = clf.explain("gpu chip")
    assert e["primary"] == 10 and [d["label"] for d in e["per_label"]] == [0, 5, 10, 15]
    assert clf.score(h_texts, [names.index(lab) * 5 for lab in held_out[1]]) == by_name.score(*held_out)
    back = pickle.loads(pickle.dumps(clf))
    assert list(back.classes_) == [0, 5, 10, 15] and back.predict(h_texts[:5]) == clf.predict(h_texts[:5])


def test_labels_that_collide_as_text() -> None:
    with pytest.raises(notetag.InvalidDataError, match="both written '1'"):
        notetag.Classifier().fit(["a", "b"], [1, "1"])


def test_set_thresholds_by_label_tags_by_them_and_is_saved(tmp_path: Path) -> None:
    clf = notetag.Classifier.default()
    note = "gm nostr, coffee time"
    assert "tech" not in clf.tag([note])[0]["labels"]
    before = list(clf.thresholds_)
    assert clf.set_thresholds({"tech": 0.0}) is clf
    tech = list(clf.classes_).index("tech")
    assert clf.thresholds_[tech] == 0.0
    assert [t for i, t in enumerate(clf.thresholds_) if i != tech] == [t for i, t in enumerate(before) if i != tech]
    assert "tech" in clf.tag([note])[0]["labels"]
    assert clf.training_["thresholds_set"] == ["tech"]
    # languages with thresholds of their own follow too
    for own in clf.training_["language_thresholds"]:
        assert own["thresholds"][tech] == 0.0
    clf.save(tmp_path / "m.ntag")
    assert notetag.Classifier.load(tmp_path / "m.ntag").thresholds_ == clf.thresholds_
    # a bad label or value changes nothing
    for bad, says in [({"tech": 0.5, "sports": 0.5}, "`sports` is not a label"), ({"personal": 1.5}, "need a probability")]:
        with pytest.raises(notetag.InvalidParameterError, match=says):
            clf.set_thresholds(bad)
        assert clf.thresholds_[tech] == 0.0


def test_set_thresholds_takes_the_labels_fit_was_given() -> None:
    clf = notetag.Classifier(calibration_folds=2).fit(
        ["rates rise", "gpu news", "bond yields", "new chips"] * 3, [1, 2, 1, 2] * 3
    )
    clf.set_thresholds({2: 0.0})
    assert clf.tag(["rates rise"])[0]["labels"][-1] == 2


def test_short_note_floor_holds_back_notes_of_fewer_than_four_words() -> None:
    texts = ["central bank rates rise again", "new gpu chips released today", "coffee with my kids this morning"] * 6
    labels = ["finance", "tech", "personal"] * 6
    plain = notetag.Classifier(calibration_folds=2).fit(texts, labels)
    floored = notetag.Classifier(calibration_folds=2, short_note_floor=0.999).fit(texts, labels)
    assert floored.get_params()["short_note_floor"] == 0.999
    short, longer = "bank rates rise", "central bank rates rise"
    assert plain.tag([short])[0]["labels"] and plain.tag([longer])[0]["labels"]
    assert floored.tag([short])[0]["labels"] == []
    assert floored.tag([longer])[0]["labels"] == plain.tag([longer])[0]["labels"]
    np.testing.assert_array_equal(floored.predict_proba([short]), plain.predict_proba([short]))
    with pytest.raises(notetag.InvalidParameterError, match="short_note_floor"):
        notetag.Classifier(short_note_floor=1.5).fit(texts, labels)
    # Set on a fitted model: the decisions of one fitted with it, saved with it.
    assert plain.set_short_note_floor(0.999) is plain
    assert plain.tag([short])[0]["labels"] == [] and plain.get_params()["short_note_floor"] == 0.999
    assert plain.tag([longer])[0]["labels"] == floored.tag([longer])[0]["labels"]
    assert notetag.Classifier.from_bytes(plain.to_bytes()).tag([short])[0]["labels"] == []
    floored.set_short_note_floor(0.0)
    assert floored.tag([short])[0]["labels"]
    for bad in (1.5, -0.1, float("nan")):
        with pytest.raises(notetag.InvalidParameterError, match="short_note_floor"):
            floored.set_short_note_floor(bad)
    assert floored.get_params()["short_note_floor"] == 0.0 and floored.tag([short])[0]["labels"]
