#!/usr/bin/env python3
"""notetag beside its peers (scikit-learn pipelines and fastText), measured in one run.

Run it with the Python of the virtual environment that holds the notetag package
(``bash scripts/test-python.sh`` builds the package into ``.venv``)::

    .venv/bin/python benches/peers/compare.py --markdown BENCHMARKS-run.md --json run.json

What it does, per data set (``agnews``, ``tfn``: from ``../shared/data``; ``corpus``:
``data/corpus``; a data set whose files are absent is skipped with a message):

* every method is trained on the same train split and scored on the same test split;
* gold = the primary label of a row (``primary``, else the first of ``labels``); rows
  with no label are left out of both splits (the count is printed); every method is
  trained on (text, primary label) pairs, so all see exactly the same data;
* texts have runs of white space folded to one space on loading, for every method
  (fastText needs one line per note; the other tokenisers ignore white space runs);
* macro-F1 of the top-1 label is averaged over the labels present in the gold labels;
* each method runs in child processes of its own, so peak RSS (``ru_maxrss``) is per
  method: one child trains, saves the model and predicts the test split ("peak RSS
  train"); another loads the saved model with every thread pool limited to one thread
  (``RAYON_NUM_THREADS``, ``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``,
  ``MKL_NUM_THREADS`` = 1) and times prediction ("notes/s 1 thread", "peak RSS
  predict"); for methods that can predict on several cores (notetag), a third child
  times prediction with no limit ("notes/s all cores");
* throughput: the test texts repeated to ``--repeat`` notes, one Python list of str in,
  labels out, the whole list timed, best of 2 per child, same harness for every method;
  the timing children run in ``--rounds`` rounds (default 3) after all the training,
  every method once per round, and the best round counts, so that a slow or fast
  spell of a shared machine falls on every method rather than on one; under each
  speed target the ratio is also given round by round (each round's notetag against
  the same round's peer), with how many rounds reach the target;
* model size: the files the method saves (notetag ``.ntag``, fastText ``.bin``/``.ftz``,
  scikit-learn pipeline pickled with protocol 5);
* training uses every core where the tool can (notetag's rayon pool, fastText
  ``thread``, scikit-learn ``n_jobs`` where the estimator has it).

notetag's parameters per data set come from ``notetag_configs.json`` beside this file
(``--configs`` to use another). The peers use fixed, common settings (``PEERS`` below),
not tuned per data set.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import importlib.util
import json
import os
import pickle
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
SHARED = REPO.parent / "shared" / "data"

#: Data set name -> (train file, test file).
DATASETS: Dict[str, Tuple[Path, Path]] = {
    "agnews": (SHARED / "agnews" / "train.jsonl", SHARED / "agnews" / "test.jsonl"),
    "tfn": (SHARED / "tfn" / "train.jsonl", SHARED / "tfn" / "validation.jsonl"),
    "corpus": (REPO / "data" / "corpus" / "train.jsonl", REPO / "data" / "corpus" / "test.jsonl"),
}

#: Method key -> (display name, family). Order = row order of the tables.
METHODS: Dict[str, Tuple[str, str]] = {
    "notetag": ("notetag", "notetag"),
    "sk_lr": ("sklearn tf-idf(1-2) + LogisticRegression", "sklearn"),
    "sk_svc": ("sklearn tf-idf word+char + LinearSVC", "sklearn"),
    "sk_cnb": ("sklearn tf-idf(1-2) + ComplementNB", "sklearn"),
    "sk_sgd": ("sklearn tf-idf(1-2) + SGD", "sklearn"),
    "ft": ("fastText (bigrams, 25 epochs)", "fasttext"),
    "ft_q": ("fastText quantized", "fasttext"),
}

#: The peers' settings (common choices, the same for every data set).
PEERS: Dict[str, Any] = {
    "word_tfidf": {"ngram_range": (1, 2), "sublinear_tf": True, "min_df": 1},
    "char_tfidf": {"analyzer": "char_wb", "ngram_range": (2, 5), "sublinear_tf": True, "min_df": 2},
    "lr": {"C": 10.0, "max_iter": 2000},
    "svc": {"C": 0.5},
    "cnb": {"alpha": 0.3},
    "sgd": {"loss": "modified_huber", "alpha": 1e-5, "max_iter": 30, "random_state": 0},
    "fasttext": {"wordNgrams": 2, "epoch": 25, "lr": 0.5, "dim": 50},
    "fasttext_quantize": {"qnorm": True, "retrain": True, "cutoff": 100_000},
}

ONE_THREAD_ENV = ("RAYON_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


class HarnessError(Exception):
    """A problem with the harness's inputs (data, configuration, environment)."""


# --------------------------------------------------------------------------- data


def load_split(path: Path) -> Tuple[List[str], List[str], int]:
    """Texts and primary labels of a JSONL split, and the number of rows left out
    because they have no label."""
    texts: List[str] = []
    gold: List[str] = []
    dropped = 0
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                text = row["text"]
                labels = row.get("labels") or []
                primary = row.get("primary") or (labels[0] if labels else None)
            except (ValueError, KeyError, TypeError, IndexError) as e:
                raise HarnessError(f"{path}:{lineno}: not a row with `text` and `labels`: {e}") from None
            if not isinstance(text, str) or not (primary is None or isinstance(primary, str)):
                raise HarnessError(f"{path}:{lineno}: `text` and the primary label must be strings")
            if primary is None:
                dropped += 1
                continue
            texts.append(" ".join(text.split()))
            gold.append(primary)
    if not texts:
        raise HarnessError(f"{path}: no labelled rows")
    return texts, gold, dropped


def repeated(texts: Sequence[str], n: int) -> List[str]:
    """The texts cycled to exactly n notes (the texts themselves when n <= 0)."""
    if n <= 0:
        return list(texts)
    return [texts[i % len(texts)] for i in range(n)]


# ------------------------------------------------------------------------ methods


class Method:
    """One classifier behind the harness: fit, predict a list, save, load."""

    #: Can its prediction use several cores from one Python call?
    parallel_predict = False

    def fit(self, texts: List[str], labels: List[str], workdir: Path) -> None:
        raise NotImplementedError

    def predict(self, texts: List[str]) -> Sequence[str]:
        raise NotImplementedError

    def save(self, workdir: Path) -> List[Path]:
        """Write the model into workdir; returns the files written."""
        raise NotImplementedError

    def load(self, workdir: Path) -> None:
        raise NotImplementedError


class NotetagMethod(Method):
    parallel_predict = True

    def __init__(self, config: Dict[str, Any]) -> None:
        self.config = config
        self.clf: Any = None

    def fit(self, texts: List[str], labels: List[str], workdir: Path) -> None:
        import notetag

        self.clf = notetag.Classifier(**self.config).fit(texts, labels)

    def predict(self, texts: List[str]) -> Sequence[str]:
        return self.clf.predict(texts)  # type: ignore[no-any-return]

    def save(self, workdir: Path) -> List[Path]:
        path = workdir / "model.ntag"
        self.clf.save(path)
        return [path]

    def load(self, workdir: Path) -> None:
        import notetag

        self.clf = notetag.Classifier.load(workdir / "model.ntag")


class SklearnMethod(Method):
    def __init__(self, key: str) -> None:
        self.key = key
        self.pipe: Any = None

    def _pipeline(self) -> Any:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression, SGDClassifier
        from sklearn.naive_bayes import ComplementNB
        from sklearn.pipeline import make_pipeline, make_union
        from sklearn.svm import LinearSVC

        word = TfidfVectorizer(**PEERS["word_tfidf"])
        if self.key == "sk_lr":
            return make_pipeline(word, LogisticRegression(**PEERS["lr"]))
        if self.key == "sk_svc":
            both = make_union(word, TfidfVectorizer(**PEERS["char_tfidf"]), n_jobs=None)
            return make_pipeline(both, LinearSVC(**PEERS["svc"]))
        if self.key == "sk_cnb":
            return make_pipeline(word, ComplementNB(**PEERS["cnb"]))
        if self.key == "sk_sgd":
            return make_pipeline(word, SGDClassifier(**PEERS["sgd"], n_jobs=-1))
        raise HarnessError(f"unknown scikit-learn method {self.key!r}")

    def fit(self, texts: List[str], labels: List[str], workdir: Path) -> None:
        self.pipe = self._pipeline().fit(texts, labels)

    def predict(self, texts: List[str]) -> Sequence[str]:
        return self.pipe.predict(texts)  # type: ignore[no-any-return]

    def save(self, workdir: Path) -> List[Path]:
        path = workdir / "model.pkl"
        with open(path, "wb") as f:
            pickle.dump(self.pipe, f, protocol=5)
        return [path]

    def load(self, workdir: Path) -> None:
        with open(workdir / "model.pkl", "rb") as f:
            self.pipe = pickle.load(f)


class FastTextMethod(Method):
    PREFIX = "__label__"

    def __init__(self, quantize: bool) -> None:
        self.quantize = quantize
        self.model: Any = None

    def _file(self) -> str:
        return "model.ftz" if self.quantize else "model.bin"

    def fit(self, texts: List[str], labels: List[str], workdir: Path) -> None:
        raise HarnessError("fastText trains from a file: call fit_file")

    def write_train_file(self, texts: List[str], labels: List[str], workdir: Path) -> Path:
        path = workdir / "train.txt"
        with open(path, "w", encoding="utf-8") as f:
            for text, label in zip(texts, labels):
                if label != "".join(label.split()):
                    raise HarnessError(f"fastText labels cannot hold white space: {label!r}")
                f.write(f"{self.PREFIX}{label} {text}\n")
        return path

    def fit_file(self, path: Path) -> None:
        import fasttext

        threads = os.cpu_count() or 1
        self.model = fasttext.train_supervised(input=str(path), verbose=0, thread=threads, **PEERS["fasttext"])
        if self.quantize:
            self.model.quantize(input=str(path), thread=threads, verbose=0, **PEERS["fasttext_quantize"])

    def predict(self, texts: List[str]) -> Sequence[str]:
        n = len(self.PREFIX)
        labels, _ = self.model.predict(texts, k=1)
        return [ls[0][n:] for ls in labels]

    def save(self, workdir: Path) -> List[Path]:
        path = workdir / self._file()
        self.model.save_model(str(path))
        return [path]

    def load(self, workdir: Path) -> None:
        import fasttext

        self.model = fasttext.load_model(str(workdir / self._file()))


def make_method(key: str, config: Dict[str, Any]) -> Method:
    family = METHODS[key][1]
    if family == "notetag":
        return NotetagMethod(config)
    if family == "sklearn":
        return SklearnMethod(key)
    return FastTextMethod(quantize=key == "ft_q")


# ------------------------------------------------------------------ child phases


def peak_rss_bytes() -> int:
    """Peak resident set size of this process (Linux reports KiB)."""
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024


def cpu_seconds() -> float:
    """User + system CPU time of this process, all its threads."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return float(r.ru_utime + r.ru_stime)


def best_of(runs: int, f: Callable[[], Sequence[str]], expect: int) -> float:
    """The shortest of `runs` timings of f(), which must return `expect` labels."""
    best = float("inf")
    for _ in range(runs):
        t = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t)
        if len(out) != expect:
            raise HarnessError(f"predict returned {len(out)} labels for {expect} notes")
    return best


def phase_fit(spec: Dict[str, Any]) -> Dict[str, Any]:
    """Train, save, predict the test split."""
    xtr, ytr, _ = load_split(Path(spec["train"]))
    xte, _, _ = load_split(Path(spec["test"]))
    workdir = Path(spec["workdir"])
    method = make_method(spec["method"], spec["config"])
    path = method.write_train_file(xtr, ytr, workdir) if isinstance(method, FastTextMethod) else None
    cpu = cpu_seconds()
    t = time.perf_counter()
    if isinstance(method, FastTextMethod) and path is not None:
        method.fit_file(path)  # writing the file above is data preparation: not timed
    else:
        method.fit(xtr, ytr, workdir)
    train_s = time.perf_counter() - t
    train_cpu_s = cpu_seconds() - cpu
    if path is not None:
        path.unlink()
    files = method.save(workdir)
    pred = [str(p) for p in method.predict(xte)]
    return {
        "train_s": train_s,
        "train_cpu_s": train_cpu_s,
        "size_bytes": sum(p.stat().st_size for p in files),
        "files": [p.name for p in files],
        "pred": pred,
        "peak_rss_bytes": peak_rss_bytes(),
    }


def phase_speed(spec: Dict[str, Any]) -> Dict[str, Any]:
    """Load the saved model and time prediction over the repeated test texts."""
    xte, _, _ = load_split(Path(spec["test"]))
    notes = repeated(xte, spec["repeat"])
    method = make_method(spec["method"], spec["config"])
    t = time.perf_counter()
    method.load(Path(spec["workdir"]))
    load_s = time.perf_counter() - t
    pred = [str(p) for p in method.predict(xte)]
    secs = best_of(2, lambda: method.predict(notes), len(notes))
    return {
        "notes": len(notes),
        "seconds": secs,
        "notes_per_s": len(notes) / secs,
        "load_s": load_s,
        "pred": pred,
        "peak_rss_bytes": peak_rss_bytes(),
    }


def worker(spec_json: str) -> None:
    spec = json.loads(spec_json)
    phase = {"fit": phase_fit, "speed": phase_speed}[spec["phase"]]
    result = phase(spec)
    with open(spec["out"], "w", encoding="utf-8") as f:
        json.dump(result, f)


def run_child(spec: Dict[str, Any], one_thread: bool) -> Dict[str, Any]:
    """Run one phase in a fresh interpreter; its result, or {"error": ...}."""
    env = dict(os.environ)
    for name in ONE_THREAD_ENV:
        if one_thread:
            env[name] = "1"
        else:
            env.pop(name, None)
    fd, out = tempfile.mkstemp(suffix=".json", dir=spec["workdir"])
    os.close(fd)
    spec = dict(spec, out=out)
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--_worker", json.dumps(spec)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
            return {"error": f"{spec['phase']} failed (exit {proc.returncode}): {' | '.join(tail)}"}
        with open(out, encoding="utf-8") as f:
            result: Dict[str, Any] = json.load(f)
        return result
    finally:
        os.unlink(out)


# ------------------------------------------------------------------------ metrics


def same_length(gold: Sequence[str], pred: Sequence[str]) -> None:
    if len(gold) != len(pred) or not gold:
        raise HarnessError(f"{len(pred)} predictions for {len(gold)} gold labels")


def macro_f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    """Macro-F1 of single labels, averaged over the labels present in gold."""
    same_length(gold, pred)
    f1s = []
    for label in sorted(set(gold)):
        tp = sum(1 for g, p in zip(gold, pred) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, pred) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, pred) if g == label and p != label)
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0)
    return sum(f1s) / len(f1s)


def accuracy(gold: Sequence[str], pred: Sequence[str]) -> float:
    """Share of exact top-1 matches."""
    same_length(gold, pred)
    return sum(1 for g, p in zip(gold, pred) if g == p) / len(gold)


# ------------------------------------------------------------------ the run


def record_round(row: Dict[str, Any], one: Dict[str, Any]) -> None:
    """Add one round's 1-thread timing to `row`: every round's notes/s is kept, the
    best counts (with its load time), and peak RSS is the largest seen."""
    row.setdefault("notes_per_s_1_rounds", []).append(one["notes_per_s"])
    if one["notes_per_s"] >= row.get("notes_per_s_1", 0.0):
        row.update(notes_per_s_1=one["notes_per_s"], load_s=one["load_s"])
    row["rss_predict_bytes"] = max(row.get("rss_predict_bytes", 0), one["peak_rss_bytes"])


def run_dataset(
    name: str, methods: List[str], config: Dict[str, Any], repeat: int, rounds: int, log: Callable[[str], None]
) -> Optional[Dict[str, Any]]:
    train, test = DATASETS[name]
    missing = [p for p in (train, test) if not p.exists()]
    if missing:
        log(f"SKIPPED {name}: {', '.join(str(p) for p in missing)} not found")
        return None
    xtr, ytr, dropped_tr = load_split(train)
    _, gold, dropped_te = load_split(test)
    info = {
        "train": str(train),
        "test": str(test),
        "train_rows": len(xtr),
        "test_rows": len(gold),
        "dropped_no_label": [dropped_tr, dropped_te],
        "labels": sorted(set(ytr) | set(gold)),
        "repeat": len(repeated(gold, repeat)),
        "rounds": rounds,
        "notetag_config": config,
    }
    log(
        f"== {name}: train {len(xtr)} rows, test {len(gold)} rows "
        f"(left out, no label: {dropped_tr} / {dropped_te}); labels {', '.join(sorted(set(ytr) | set(gold)))}"
    )
    rows: Dict[str, Dict[str, Any]] = {}
    specs: Dict[str, Tuple[Dict[str, Any], List[str]]] = {}
    with tempfile.TemporaryDirectory(prefix=f"notetag-peers-{name}-") as tmp:
        for key in methods:
            workdir = Path(tmp) / key
            workdir.mkdir()
            spec = {
                "method": key,
                "config": config,
                "train": str(train),
                "test": str(test),
                "workdir": str(workdir),
                "repeat": repeat,
            }
            row: Dict[str, Any] = {"name": METHODS[key][0]}
            rows[key] = row
            log(f"  {row['name']}: training ...")
            fit = run_child(dict(spec, phase="fit"), one_thread=False)
            if "error" in fit:
                row["error"] = fit["error"]
                log(f"  {row['name']}: {fit['error']}")
                continue
            row.update(
                macro_f1=macro_f1(gold, fit["pred"]),
                accuracy=accuracy(gold, fit["pred"]),
                train_s=fit["train_s"],
                train_cpu_s=fit["train_cpu_s"],
                size_bytes=fit["size_bytes"],
                rss_train_bytes=fit["peak_rss_bytes"],
            )
            log(f"  {row['name']}: macro-F1 {row['macro_f1']:.4f}, acc {row['accuracy']:.4f}, train {row['train_s']:.2f} s")
            specs[key] = (spec, fit["pred"])
        # Throughput in rounds, every method once per round, so that a slow or fast
        # spell of a shared machine falls on all of them, not on one: the best round
        # of each counts.
        for r in range(rounds):
            for key, (spec, fit_pred) in specs.items():
                row = rows[key]
                if "error" in row:
                    continue
                one = run_child(dict(spec, phase="speed"), one_thread=True)
                if "error" in one:
                    row["error"] = one["error"]
                    log(f"  {row['name']}: {one['error']}")
                    continue
                record_round(row, one)
                changed = sum(1 for a, b in zip(fit_pred, one["pred"]) if a != b)
                if changed:
                    row["warning"] = f"the reloaded model predicts {changed} test notes differently"
                if make_method(key, config).parallel_predict:
                    many = run_child(dict(spec, phase="speed"), one_thread=False)
                    if "error" in many:
                        row["error"] = many["error"]
                        log(f"  {row['name']}: {many['error']}")
                        continue
                    row["notes_per_s_all"] = max(row.get("notes_per_s_all", 0.0), many["notes_per_s"])
                log(f"  {row['name']}: round {r + 1}/{rounds}: {one['notes_per_s']:,.0f} notes/s (1 thread)")
    return {"dataset": name, "info": info, "rows": rows}


#: Table columns: (key, heading, higher is better, format).
COLUMNS: List[Tuple[str, str, bool, Callable[[float], str]]] = [
    ("macro_f1", "macro-F1", True, lambda v: f"{v:.4f}"),
    ("accuracy", "accuracy", True, lambda v: f"{v:.4f}"),
    ("train_s", "train s", False, lambda v: f"{v:.2f}"),
    ("notes_per_s_1", "notes/s 1 thread", True, lambda v: f"{v:,.0f}"),
    ("notes_per_s_all", "notes/s all cores", True, lambda v: f"{v:,.0f}"),
    ("size_bytes", "model MB", False, lambda v: f"{v / 1e6:.2f}"),
    ("rss_train_bytes", "peak RSS train MB", False, lambda v: f"{v / 1e6:.0f}"),
    ("rss_predict_bytes", "peak RSS predict MB", False, lambda v: f"{v / 1e6:.0f}"),
]


def ratio(a: Optional[float], b: Optional[float]) -> Optional[float]:
    return a / b if a is not None and b else None


def best_peer(rows: Dict[str, Dict[str, Any]], key: str, higher: bool) -> Optional[float]:
    values = [float(r[key]) for k, r in rows.items() if k != "notetag" and r.get(key) is not None]
    if not values:
        return None
    return max(values) if higher else min(values)


def markdown(result: Dict[str, Any]) -> str:
    info, rows = result["info"], result["rows"]
    dropped = info["dropped_no_label"]
    out = [
        f"### {result['dataset']}",
        "",
        f"Train `{Path(info['train']).name}` ({info['train_rows']:,} rows), test `{Path(info['test']).name}` "
        f"({info['test_rows']:,} rows); rows without a label left out: {dropped[0]} / {dropped[1]}. "
        f"Labels: {', '.join(info['labels'])}. Throughput over {info['repeat']:,} notes"
        f"{', the best of {} interleaved rounds'.format(info['rounds']) if 'rounds' in info else ''}. "
        f"notetag config: `{json.dumps(info['notetag_config'], sort_keys=True)}`.",
        "",
        "| method | " + " | ".join(c[1] for c in COLUMNS) + " |",
        "| --- | " + " | ".join("---:" for _ in COLUMNS) + " |",
    ]
    notes: List[str] = []
    for row in rows.values():
        cells = [fmt(row[key]) if row.get(key) is not None else "—" for key, _, _, fmt in COLUMNS]
        name = f"**{row['name']}**" if row["name"] == "notetag" else row["name"]
        out.append(f"| {name} | " + " | ".join(cells) + " |")
        for k in ("error", "warning"):
            if k in row:
                notes.append(f"- {row['name']}: {k}: {row[k]}")
    nt = rows.get("notetag", {})
    cells = []
    for key, _, higher, _ in COLUMNS:
        r = ratio(nt.get(key), best_peer(rows, key, higher))
        cells.append("—" if r is None else f"{r:.2f}×")
    out.append("| notetag ÷ best peer | " + " | ".join(cells) + " |")
    out += [
        "",
        "Best peer = the highest value among the peers for macro-F1, accuracy and notes/s (ratio > 1: notetag "
        "is better), the lowest for seconds, MB and RSS (ratio < 1: notetag is better).",
    ]
    if notes:
        out += [""] + notes
    out += ["", "Targets, from this table:", ""] + [
        f"  - {t.strip()}" if t.startswith("  ") else f"- {t}" for t in targets(rows)
    ]
    return "\n".join(out) + "\n"


def round_ratios(rows: Dict[str, Dict[str, Any]], peers: List[str]) -> List[float]:
    """notetag's 1-thread notes/s ÷ the fastest of `peers` in the same round, round
    by round. Empty unless notetag and each of the peers timed every round."""
    mine = rows.get("notetag", {}).get("notes_per_s_1_rounds", [])
    theirs = [rows.get(k, {}).get("notes_per_s_1_rounds", []) for k in peers]
    if not mine or not theirs or any(len(t) != len(mine) for t in theirs):
        return []
    return [m / max(t[r] for t in theirs) for r, m in enumerate(mine)]


def rounds_line(ratios: List[float], target: float) -> List[str]:
    """The round-by-round spread of a speed ratio, as a sub-item of its target line
    (nothing when there are fewer than two rounds)."""
    if len(ratios) < 2:
        return []
    reached = sum(1 for r in ratios if r >= target)
    return [
        f"  round by round (each round against the same round's peer): min {min(ratios):.2f} / median "
        f"{statistics.median(ratios):.2f} / max {max(ratios):.2f}; {reached} of {len(ratios)} rounds reach {target:g}×"
    ]


def targets(rows: Dict[str, Dict[str, Any]]) -> List[str]:
    """notetag's performance targets checked against one data set's rows."""
    nt = rows.get("notetag", {})
    ft, ftq = rows.get("ft", {}), rows.get("ft_q", {})
    sk_speed = [r["notes_per_s_1"] for k, r in rows.items() if k.startswith("sk_") and r.get("notes_per_s_1")]
    out = []

    def check(text: str, value: Optional[float], ok: Callable[[float], bool], fmt: str) -> None:
        if value is None:
            out.append(f"{text}: not measured")
        else:
            out.append(f"{text}: {format(value, fmt)} {'✓' if ok(value) else '✗'}")

    best_f1 = best_peer(rows, "macro_f1", True)
    gap = nt["macro_f1"] - best_f1 if nt.get("macro_f1") is not None and best_f1 is not None else None
    check("macro-F1 − best peer's (target ≥ +0.01)", gap, lambda v: v >= 0.01, "+.4f")
    check(
        "notes/s 1 thread ÷ fastText's (target ≥ 3×)",
        ratio(nt.get("notes_per_s_1"), ft.get("notes_per_s_1")),
        lambda v: v >= 3,
        ".2f",
    )
    out += rounds_line(round_ratios(rows, ["ft"]), 3)
    check(
        "notes/s 1 thread ÷ fastest scikit-learn pipeline's (target ≥ 20×)",
        ratio(nt.get("notes_per_s_1"), max(sk_speed) if sk_speed else None),
        lambda v: v >= 20,
        ".2f",
    )
    out += rounds_line(round_ratios(rows, [k for k in rows if k.startswith("sk_")]), 20)
    check(
        "train s ÷ fastText's (target ≤ 0.5×)", ratio(nt.get("train_s"), ft.get("train_s")), lambda v: v <= 0.5, ".2f"
    )
    check(
        "model size ÷ fastText quantized's (target ≤ 1×)",
        ratio(nt.get("size_bytes"), ftq.get("size_bytes")),
        lambda v: v <= 1,
        ".2f",
    )
    return out


def environment() -> Dict[str, Any]:
    """Where and with what the figures were measured."""
    from importlib.metadata import PackageNotFoundError, version

    env: Dict[str, Any] = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average_1_5_15_min": [round(x, 2) for x in os.getloadavg()],
    }
    packages = {"notetag": ["notetag"], "sklearn": ["scikit-learn"], "fasttext": ["fasttext-wheel", "fasttext"]}
    packages["numpy"] = ["numpy"]
    for key, dists in packages.items():
        for dist in dists:
            try:
                env[key] = version(dist)
                break
            except PackageNotFoundError:
                continue
    return env


# -------------------------------------------------------------- set-up checks


def require_notetag() -> None:
    try:
        import notetag  # noqa: F401
    except ImportError as e:
        sys.exit(
            f"error: cannot import the notetag package ({e}).\n"
            f"Build it into the project's virtual environment with `bash scripts/test-python.sh` "
            f"(or `maturin develop --release -m bindings/python/Cargo.toml` in a venv), then run this script "
            f"with that environment's Python: {REPO / '.venv' / 'bin' / 'python'} "
            f"{Path(__file__).resolve().relative_to(REPO)} ..."
        )


def in_virtual_environment() -> bool:
    return sys.prefix != sys.base_prefix


def pip_install(*args: str) -> bool:
    """``pip install args`` into the current virtual environment (never outside
    one); whether pip succeeded."""
    if not in_virtual_environment():
        return False
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *args])
    importlib.invalidate_caches()
    return proc.returncode == 0


def ensure_peers(install: bool, log: Callable[[str], None]) -> Dict[str, bool]:
    """Find scikit-learn and fastText, installing what is missing with pip into the
    current virtual environment (only a virtual environment) when `install`."""
    wanted = {"sklearn": ["scikit-learn"], "fasttext": ["fasttext-wheel", "fasttext"]}
    found: Dict[str, bool] = {}
    in_venv = in_virtual_environment()
    for module, dists in wanted.items():
        ok = importlib.util.find_spec(module) is not None
        if not ok and install and in_venv:
            for dist in dists:
                log(f"installing {dist} into {sys.prefix} (see {HERE / 'requirements.txt'}) ...")
                if pip_install(dist) and importlib.util.find_spec(module) is not None:
                    ok = True
                    break
        if not ok:
            why = (
                "--no-install given" if not install else "not in a virtual environment" if not in_venv else "pip failed"
            )
            log(f"WARNING: {module} is not available ({why}); its rows are left out")
        found[module] = ok
    return found


def read_configs(path: Path) -> Dict[str, Dict[str, Any]]:
    """notetag's constructor parameters per data set, checked against the package."""
    import notetag

    try:
        with open(path, encoding="utf-8") as f:
            raw = json.load(f)
    except (OSError, ValueError) as e:
        raise HarnessError(f"{path}: cannot read the notetag configurations: {e}") from None
    if not isinstance(raw, dict):
        raise HarnessError(f"{path}: expected an object of data set name -> parameters")
    configs: Dict[str, Dict[str, Any]] = {}
    for name, params in raw.items():
        if name.startswith("_"):
            continue  # comments
        if name not in DATASETS:
            raise HarnessError(f"{path}: unknown data set {name!r} (known: {', '.join(DATASETS)})")
        if not isinstance(params, dict):
            raise HarnessError(f"{path}: {name}: expected an object of parameters")
        params = {k: tuple(v) if isinstance(v, list) and k != "classes" else v for k, v in params.items()}
        try:
            notetag.Classifier().set_params(**params)
        except notetag.NotetagError as e:
            raise HarnessError(f"{path}: {name}: {e}") from None
        configs[name] = params
    return configs


# ------------------------------------------------------------------------- main


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", default=",".join(DATASETS), help="comma-separated, of: " + ", ".join(DATASETS))
    parser.add_argument("--methods", default=",".join(METHODS), help="comma-separated, of: " + ", ".join(METHODS))
    parser.add_argument("--repeat", type=int, default=20_000, help="test texts repeated to N notes for throughput")
    parser.add_argument(
        "--rounds", type=int, default=3, help="throughput rounds (every method once per round; best round counts)"
    )
    parser.add_argument("--configs", type=Path, default=HERE / "notetag_configs.json", help="notetag parameters")
    parser.add_argument("--json", type=Path, help="write every figure as JSON here")
    parser.add_argument("--markdown", type=Path, help="write the Markdown tables here")
    parser.add_argument("--no-install", action="store_true", help="never pip-install missing peers")
    parser.add_argument("--_worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if args._worker:
        worker(args._worker)
        return 0

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    require_notetag()
    try:
        datasets = [d.strip() for d in args.datasets.split(",") if d.strip()]
        methods = [m.strip() for m in args.methods.split(",") if m.strip()]
        for d in datasets:
            if d not in DATASETS:
                raise HarnessError(f"--datasets: unknown data set {d!r} (known: {', '.join(DATASETS)})")
        for m in methods:
            if m not in METHODS:
                raise HarnessError(f"--methods: unknown method {m!r} (known: {', '.join(METHODS)})")
        configs = read_configs(args.configs)
        found = ensure_peers(not args.no_install, log)
        methods = [m for m in methods if METHODS[m][1] == "notetag" or found.get(METHODS[m][1], False)]
        env = environment()
        log(f"environment: {json.dumps(env)}")
        results = []
        for d in datasets:
            if d not in configs:
                raise HarnessError(f"{args.configs}: no entry for data set {d!r}")
            r = run_dataset(d, methods, configs[d], args.repeat, args.rounds, log)
            if r is not None:
                results.append(r)
    except HarnessError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    load_end = [round(x, 2) for x in os.getloadavg()]
    env["load_average_at_end"] = load_end
    header = (
        f"Measured {env['date']} on {env['cpus']} cores, Python {env['python']}; notetag {env.get('notetag')}, "
        f"scikit-learn {env.get('sklearn')}, fastText {env.get('fasttext')}, numpy {env.get('numpy')}. "
        f"Load average (1/5/15 min) at the start {env['load_average_1_5_15_min']}, at the end {load_end}: "
        f"figures taken while other work shared the cores are slower and noisier.\n"
    )
    md = header + "\n" + "\n".join(markdown(r) for r in results)
    print(md)
    if args.markdown:
        args.markdown.write_text(md, encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps({"environment": env, "peers": PEERS, "results": results}, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
