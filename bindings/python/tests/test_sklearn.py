"""scikit-learn interplay, without notetag depending on scikit-learn."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from sklearn.base import clone, is_classifier
from sklearn.metrics import accuracy_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_predict, cross_val_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils import get_tags
from sklearn.utils.validation import check_is_fitted

import notetag


def test_import_does_not_need_sklearn() -> None:
    code = "import sys, notetag; notetag.Classifier(); sys.exit('sklearn' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_is_a_classifier_with_string_input() -> None:
    clf = notetag.Classifier()
    assert is_classifier(clf)
    tags = get_tags(clf)
    assert tags.estimator_type == "classifier"
    assert tags.input_tags.string
    assert tags.target_tags.required


def test_clone_keeps_params_and_drops_the_model(trained: notetag.Classifier) -> None:
    c = clone(trained)
    assert type(c) is notetag.Classifier
    assert c.get_params() == trained.get_params()
    with pytest.raises(notetag.NotFittedError):
        c.predict(["x"])
    custom = notetag.Classifier(c=2.0, char_ngrams=(2, 4), classes=["a", "b"])
    assert clone(custom).get_params() == custom.get_params()


def test_check_is_fitted(trained: notetag.Classifier) -> None:
    check_is_fitted(trained)
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        check_is_fitted(notetag.Classifier())


def test_score_is_sklearn_accuracy(trained: notetag.Classifier, held_out) -> None:
    texts, labels = held_out
    assert trained.score(texts, labels) == pytest.approx(accuracy_score(labels, trained.predict(texts)))


def test_cross_val_score(corpus) -> None:
    texts, labels = corpus
    scores = cross_val_score(notetag.Classifier(calibration_folds=2), texts, labels, cv=3)
    assert scores.shape == (3,)
    assert np.all(scores > 0.85)
    # the same with numpy inputs and an explicit splitter and scorer
    scores2 = cross_val_score(
        notetag.Classifier(calibration_folds=2),
        np.array(texts),
        np.array(labels),
        cv=StratifiedKFold(3),
        scoring="accuracy",
    )
    assert np.allclose(scores, scores2)


def test_cross_val_predict_proba(corpus) -> None:
    texts, labels = corpus
    p = cross_val_predict(notetag.Classifier(calibration_folds=2), texts, labels, cv=3, method="predict_proba")
    assert p.shape == (len(texts), 4)
    classes = sorted(set(labels))
    assert accuracy_score(labels, [classes[i] for i in p.argmax(axis=1)]) > 0.85


def test_grid_search(corpus, held_out) -> None:
    texts, labels = corpus
    grid = {"c": [0.05, 1.0], "word_ngrams": [(1, 1), (1, 2)], "learner": ["svm", "nb"]}
    search = GridSearchCV(notetag.Classifier(calibration_folds=2), grid, cv=3)
    search.fit(texts, labels)
    assert len(search.cv_results_["params"]) == 8
    assert set(search.best_params_) == set(grid)
    best = search.best_estimator_
    assert isinstance(best, notetag.Classifier)
    for k, v in search.best_params_.items():
        assert getattr(best, k) == v
    assert search.score(*held_out) > 0.85
    assert search.predict(["gpu chip compiler"]) == ["tech"]


def test_pipeline(corpus, held_out) -> None:
    texts, labels = corpus
    shout = FunctionTransformer(lambda xs: [x.upper() for x in xs])
    pipe = Pipeline([("shout", shout), ("clf", notetag.Classifier(calibration_folds=2))])
    assert pipe.get_params()["clf__c"] == 1.0
    pipe.set_params(clf__c=0.5)
    assert pipe.named_steps["clf"].c == 0.5
    pipe.fit(texts, labels)
    assert pipe.score(*held_out) > 0.85
    assert pipe.predict_proba(held_out[0][:5]).shape == (5, 4)
    assert list(pipe.classes_) == ["finance", "personal", "tech", "world"]
    # a pipeline in a grid search, and cloned
    search = GridSearchCV(make_pipeline(shout, notetag.Classifier(calibration_folds=2)), {"classifier__c": [0.1, 1.0]}, cv=2)
    search.fit(texts, labels)
    assert search.best_score_ > 0.85
    assert clone(pipe).get_params()["clf__c"] == 0.5
