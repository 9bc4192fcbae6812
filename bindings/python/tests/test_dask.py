"""A Classifier as Dask sees it: shipped by Dask's own serialisation, counted by its
memory accounting (``dask.sizeof``) and named by a deterministic token
(``dask.base.tokenize``). The end-to-end run on a LocalCluster is
test_examples.py's Dask example."""

from __future__ import annotations

import pickle
import sys
from typing import Any, List, Tuple

import numpy as np
import pytest

import notetag

dask = pytest.importorskip("dask")
from dask.base import tokenize  # noqa: E402
from dask.sizeof import sizeof  # noqa: E402
from distributed.protocol import deserialize, serialize  # noqa: E402


def test_dask_serialisation_round_trip(default: notetag.Classifier, trained: notetag.Classifier, held_out) -> None:
    texts, _ = held_out
    for clf in (default, trained):
        header, frames = serialize(clf)
        back = deserialize(header, frames)
        assert back.predict(texts) == clf.predict(texts)
        assert np.array_equal(back.predict_proba(texts), clf.predict_proba(texts))
        assert back.get_params() == clf.get_params()


def test_sizeof_counts_the_model(default: notetag.Classifier, trained: notetag.Classifier) -> None:
    for clf in (default, trained):
        params = clf.get_params()
        n_labels = len(clf.classes_)
        # At least the bitmap of used buckets (16 bytes per 64 buckets), and less than
        # dense f32 IDF and weight tables would take (the model keeps used buckets only).
        floor = 2 ** params["bucket_bits"] // 4
        dense = 4 * (2 ** params["bucket_bits"]) * (n_labels + 1)
        assert floor < sys.getsizeof(clf) < dense / 2
        assert sizeof(clf) == sys.getsizeof(clf)  # what Dask's memory accounting uses
    unfitted = notetag.Classifier()
    assert sys.getsizeof(unfitted) < 1000
    small = notetag.Classifier(bucket_bits=10, calibration_folds=2).fit(["a b", "c d"] * 5, ["x", "y"] * 5)
    big = notetag.Classifier(bucket_bits=16, calibration_folds=2).fit(["a b", "c d"] * 5, ["x", "y"] * 5)
    # Same data, same used buckets: only the bitmap grows with the bucket count.
    assert sys.getsizeof(big) - sys.getsizeof(small) == (2**16 - 2**10) // 4


def _fit(texts: List[str], labels: List[Any], **params: Any) -> notetag.Classifier:
    return notetag.Classifier(calibration_folds=2, **params).fit(texts, labels)


def test_tokenize_is_deterministic_and_tells_models_apart(
    default: notetag.Classifier, corpus: Tuple[List[str], List[str]]
) -> None:
    texts, labels = corpus
    # The same model, however obtained, has the same token.
    assert tokenize(default) == tokenize(notetag.Classifier.default())
    assert tokenize(default) == tokenize(pickle.loads(pickle.dumps(default)))
    assert tokenize(_fit(texts, labels)) == tokenize(_fit(texts, labels))
    # Different models, parameters or label values: different tokens.
    a = _fit(texts, labels)
    assert tokenize(a) != tokenize(default)
    assert tokenize(a) != tokenize(_fit(texts[:-20], labels[:-20]))
    assert tokenize(a) != tokenize(_fit(texts, labels, seed=7))
    codes = {lab: i for i, lab in enumerate(sorted(set(labels)))}
    assert tokenize(_fit(texts, [str(codes[lab]) for lab in labels])) != tokenize(_fit(texts, [codes[lab] for lab in labels]))
    # Unfitted: the parameters decide.
    assert tokenize(notetag.Classifier(c=2.0)) == tokenize(notetag.Classifier(c=2.0))
    assert tokenize(notetag.Classifier(c=2.0)) != tokenize(notetag.Classifier(c=1.0))
    # Refitting or changing a parameter changes the token of the same object.
    b = notetag.Classifier(calibration_folds=2)
    before = tokenize(b)
    b.fit(texts, labels)
    fitted = tokenize(b)
    assert fitted != before and fitted == tokenize(a)
    b.fit(texts[:-20], labels[:-20])
    assert tokenize(b) != fitted
    b.set_params(c=3.0)
    assert tokenize(b) != tokenize(_fit(texts[:-20], labels[:-20]))
