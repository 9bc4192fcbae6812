#!/usr/bin/env python3
"""Notes/second of `Classifier.predict` from Python, beside fastText's Python
`predict` on the same list, in the same run.

Usage: predict_speed.py TRAIN.jsonl TEST.jsonl [N=100000]
Needs: the notetag package, and fasttext-wheel for the comparison.
Both are trained on TRAIN; TEST's texts are repeated to N notes; each predictor
runs 3 times on the whole list and the best time counts. Prints accuracy on TEST
too, so that a fast but wrong predictor is seen as such.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import time
from typing import Callable, List, Tuple

import notetag


def load(path: str) -> Tuple[List[str], List[str]]:
    rows = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
    return [r["text"] for r in rows], [r.get("primary") or r["labels"][0] for r in rows]


def best_of(n: int, f: Callable[[], object]) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


def main(train: str, test: str, n: int = 100_000) -> None:
    xtr, ytr = load(train)
    xte, yte = load(test)
    notes = (xte * (n // len(xte) + 1))[:n]
    print(f"train={len(xtr)} test={len(xte)} notes={len(notes)} cpus={os.cpu_count()}")

    t = time.perf_counter()
    clf = notetag.Classifier().fit(xtr, ytr)
    fit_s = time.perf_counter() - t
    acc = clf.score(xte, yte)
    secs = best_of(3, lambda: clf.predict(notes))
    print(f"notetag  predict: {n / secs:12,.0f} notes/s  ({secs:.3f} s)  acc={acc:.4f}  train_s={fit_s:.2f}")

    try:
        import fasttext
    except ImportError:
        print("fastText: not installed (pip install fasttext-wheel)")
        return
    clean = lambda s: re.sub(r"\s+", " ", s).strip()  # noqa: E731 (fastText wants one line per note)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
        for x, y in zip(xtr, ytr):
            f.write(f"__label__{y} {clean(x)}\n")
    t = time.perf_counter()
    ft = fasttext.train_supervised(f.name, verbose=0, wordNgrams=2, epoch=25, lr=0.5, dim=50)
    ft_fit_s = time.perf_counter() - t
    os.unlink(f.name)
    ft_notes = [clean(x) for x in notes]
    try:
        ft.predict(ft_notes[:2], k=1)
        ft_predict = lambda: ft.predict(ft_notes, k=1)  # noqa: E731
    except ValueError:
        # fasttext-wheel 0.9.2's predict wraps its result with np.array(copy=False),
        # which numpy 2 refuses; call the same C++ batch predict it wraps.
        ft_predict = lambda: ft.f.multilinePredict(ft_notes, 1, 0.0, "strict")  # noqa: E731
    ft_labels = ft.f.multilinePredict([clean(x) for x in xte], 1, 0.0, "strict")[0]
    ft_acc = sum(lab[0].replace("__label__", "") == y for lab, y in zip(ft_labels, yte)) / len(yte)
    ft_secs = best_of(3, ft_predict)
    print(f"fastText predict: {n / ft_secs:12,.0f} notes/s  ({ft_secs:.3f} s)  acc={ft_acc:.4f}  train_s={ft_fit_s:.2f}")
    print(f"notetag / fastText: {ft_secs / secs:.2f}x")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], *(int(a) for a in sys.argv[3:4]))
