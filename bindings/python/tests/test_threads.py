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
