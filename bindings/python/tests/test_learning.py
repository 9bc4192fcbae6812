"""Learning past one fit: ``Classifier(autotune=...)`` and ``partial_fit``, alone and
inside scikit-learn workflows."""

from __future__ import annotations

import pickle
from typing import List, Tuple

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

import notetag

Data = Tuple[List[str], List[str]]


def test_partial_fit_learns_corrections_and_counts_them(corpus: Data) -> None:
    texts, labels = corpus
    clf = notetag.Classifier(calibration_folds=2).fit(texts, labels)
    notes = ["garden troops compiler", "coffee with the minister and the fed"]
    fixes = ["personal", "finance"]
    assert clf.partial_fit(notes, fixes) is clf
    assert clf.predict(notes) == fixes
    assert clf.update_["examples"] == 2 and clf.update_["wrong_after"] == 0
    assert clf.training_["updates"] == {"updates": 1, "examples": 2}
    assert clf.score(texts, labels) > 0.9


def test_partial_fit_fits_an_unfitted_clone_then_updates_it(trained: notetag.Classifier, corpus: Data) -> None:
    texts, labels = corpus
    c = clone(trained)
    c.partial_fit(texts, labels)
    assert c.to_bytes() == trained.to_bytes()
    assert "updates" not in c.training_
    c.partial_fit(["weekend parliament"], ["world"])
    assert c.predict(["weekend parliament"]) == ["world"]
    assert c.to_bytes() != trained.to_bytes()


def test_pickling_after_an_update_keeps_it(trained: notetag.Classifier, held_out: Data) -> None:
    c = pickle.loads(pickle.dumps(trained))
    c.partial_fit(["dinner with troops"], [["world", "personal"]])
    back = pickle.loads(pickle.dumps(c))
    texts, _ = held_out
    assert np.array_equal(back.predict_proba(texts), c.predict_proba(texts))
    assert back.training_["updates"]["updates"] == 1
    assert back.predict(["dinner with troops"]) == ["world"]


def test_unknown_labels_are_clear_errors_and_change_nothing(trained: notetag.Classifier) -> None:
    c = pickle.loads(pickle.dumps(trained))
    before = c.to_bytes()
    with pytest.raises(notetag.InvalidDataError, match=r"labels\[1\]: label `sports` is unknown to the model"):
        c.partial_fit(["gpu", "a goal"], ["tech", "sports"])
    with pytest.raises(notetag.InvalidDataError, match="2 texts but 1 label entries"):
        c.partial_fit(["gpu", "a goal"], ["tech"])
    with pytest.raises(notetag.InvalidDataError, match="no rows"):
        c.partial_fit([], [])
    assert c.to_bytes() == before


def test_numeric_labels_are_corrected_as_numbers(corpus: Data) -> None:
    texts, labels = corpus
    names = sorted(set(labels))
    codes = [names.index(label) for label in labels]
    clf = notetag.Classifier(calibration_folds=2).fit(texts, codes)
    clf.partial_fit(["garden troops compiler"], [names.index("personal")])
    assert clf.predict(["garden troops compiler"]) == [names.index("personal")]
    with pytest.raises(notetag.InvalidDataError, match="unknown to the model"):
        clf.partial_fit(["x"], [17])


def test_a_pipeline_forwards_partial_fit_corrections(corpus: Data) -> None:
    texts, labels = corpus
    pipe = make_pipeline(FunctionTransformer(lambda xs: [x.lower() for x in xs]), notetag.Classifier(calibration_folds=2))
    pipe.fit(texts, labels)
    notes, fixes = ["GARDEN TROOPS", "Minister Coffee"], ["personal", "finance"]
    pipe[-1].partial_fit(pipe[:-1].transform(notes), fixes)
    assert list(pipe.predict(notes)) == fixes


def test_autotune_keeps_the_best_candidate(corpus: Data) -> None:
    texts, labels = corpus
    clf = notetag.Classifier(autotune=2.0, calibration_folds=2).fit(texts, labels)
    board = clf.leaderboard_
    assert board is not None and len(board) >= 2
    scores = [t["score"] for t in board]
    assert scores == sorted(scores, reverse=True)
    chosen = notetag.Classifier.from_bytes(clf.to_bytes()).get_params()
    for name, value in board[0]["params"].items():
        assert chosen[name] == value, name
    record = clf.training_["autotune"]
    assert record["metric"] == "macro_f1" and record["cv_score"] == board[0]["score"]
    # The estimator's own parameters stay as given, so a clone searches again.
    assert clf.get_params()["autotune"] == 2.0 and clone(clf).autotune == 2.0
    assert notetag.Classifier(calibration_folds=2).fit(texts, labels).leaderboard_ is None


def test_autotune_for_one_label_and_bad_settings(corpus: Data) -> None:
    texts, labels = corpus
    clf = notetag.Classifier(autotune=1, metric="f1:tech", calibration_folds=2).fit(texts, labels)
    assert clf.training_["autotune"]["metric"] == "f1:tech"
    for bad, message in [
        ({"autotune": True}, "need a number of seconds"),
        ({"autotune": "60"}, "need a number of seconds"),
        ({"autotune": 0}, "need a number of seconds > 0"),
        ({"autotune": 1, "metric": "f1:sports"}, "`sports` is not a label of the data"),
        ({"autotune": 1, "metric": "accuracy"}, "expected macro_f1, or f1:LABEL"),
        ({"autotune": 1, "metric": 3}, "need \"macro_f1\" or \"f1:LABEL\""),
        ({"metric": "f1:tech"}, "set `autotune` too"),
    ]:
        with pytest.raises(notetag.InvalidParameterError, match=message):
            notetag.Classifier(calibration_folds=2, **bad).fit(texts, labels)
