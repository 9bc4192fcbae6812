"""Several Python threads using one classifier at once: same results as one
thread, and the GIL is released while the core works."""

from __future__ import annotations

import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

import notetag


def test_threads_predict_like_one(trained: notetag.Classifier, held_out) -> None:
    texts = held_out[0] * 20
    want_pred = trained.predict(texts)
    want_proba = trained.predict_proba(texts)
    want_tag = trained.tag(texts[:200])

    def work(i: int):
        part = texts[i * 7 :] + texts[: i * 7]  # each thread its own order
        return i, trained.predict(part), trained.predict_proba(part), trained.tag(texts[:200])

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(work, range(12)))
    for i, pred, proba, tags in results:
        k = i * 7
        assert pred == want_pred[k:] + want_pred[:k]
        assert np.array_equal(proba, np.concatenate([want_proba[k:], want_proba[:k]]))
        assert tags == want_tag


def test_fit_in_one_thread_while_others_predict(trained: notetag.Classifier, corpus, held_out) -> None:
    texts = held_out[0]
    want = trained.predict_proba(texts)
    with ThreadPoolExecutor(max_workers=4) as pool:
        fits = [pool.submit(lambda: notetag.Classifier(calibration_folds=2).fit(*corpus)) for _ in range(2)]
        preds = [pool.submit(trained.predict_proba, texts) for _ in range(6)]
        models = [f.result() for f in fits]
        assert all(np.array_equal(p.result(), want) for p in preds)
    assert models[0].to_bytes() == models[1].to_bytes()


def test_the_gil_is_released_during_predict(trained: notetag.Classifier) -> None:
    # With a huge switch interval the interpreter never takes the GIL from a
    # running thread: the main thread can run while the worker is inside predict
    # only if predict released the GIL itself.
    texts = ["gpu chip compiler release"] * 20_000
    started, done = threading.Event(), threading.Event()
    observed = []

    def worker() -> None:
        started.set()
        trained.predict(texts)
        done.set()

    old = sys.getswitchinterval()
    sys.setswitchinterval(100.0)
    try:
        t = threading.Thread(target=worker)
        t.start()
        started.wait()
        observed.append(done.is_set())
        t.join()
    finally:
        sys.setswitchinterval(old)
    assert observed == [False], "the main thread could only run after predict had finished"


# ------------------------------------------------------------------ n_jobs


def test_n_jobs_sets_the_threads_the_core_runs_on() -> None:
    from notetag._notetag import _threads_in_use

    assert _threads_in_use(1) == 1
    assert _threads_in_use(3) == 3
    assert _threads_in_use(3) == 3  # the kept pool
    # None: the shared pool (every core, or RAYON_NUM_THREADS when set).
    assert _threads_in_use(None) >= 1


def test_n_jobs_changes_neither_the_model_nor_the_results(corpus, held_out) -> None:
    texts = held_out[0] * 3
    models = {n: notetag.Classifier(calibration_folds=2, n_jobs=n).fit(*corpus) for n in (None, 1, 2, -1)}
    want = models[None]
    for n, clf in models.items():
        assert clf.n_jobs == n and clf.get_params()["n_jobs"] == n
        assert clf.to_bytes() == want.to_bytes(), n
        assert clf.predict(texts) == want.predict(texts), n
        assert np.array_equal(clf.predict_proba(texts), want.predict_proba(texts)), n
        assert clf.tag(texts[:50], top_k=2) == want.tag(texts[:50], top_k=2), n
    # set_params, pickling and repr keep it; a loaded model takes it too.
    clf = notetag.Classifier.from_bytes(want.to_bytes()).set_params(n_jobs=1)
    assert clf.predict(texts) == want.predict(texts)
    assert "n_jobs=1" in repr(clf)
    import pickle

    assert pickle.loads(pickle.dumps(clf)).n_jobs == 1


def test_bad_n_jobs_is_refused_before_any_work(trained: notetag.Classifier, corpus) -> None:
    import pytest

    for bad in (0, -2, 1025, 2.0, "2", True):
        with pytest.raises(notetag.InvalidParameterError, match="n_jobs"):
            notetag.Classifier(n_jobs=bad).fit(*corpus)
        clf = notetag.Classifier.from_bytes(trained.to_bytes()).set_params(n_jobs=bad)
        for call in (clf.predict, clf.predict_proba, clf.tag):
            with pytest.raises(notetag.InvalidParameterError, match="n_jobs"):
                call(["a note"])
    # numpy integers count as ints.
    clf = notetag.Classifier.from_bytes(trained.to_bytes()).set_params(n_jobs=np.int64(2))
    assert clf.predict(["a note"]) == trained.predict(["a note"])
