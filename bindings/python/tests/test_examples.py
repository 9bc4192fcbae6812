"""The Python examples in examples/python/ run as users run them (a subprocess with
the same interpreter), on small data, and their output is checked against the
package itself, so that none can rot."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Dict, List

import numpy as np
import pandas as pd
import pytest

import notetag
from conftest import REPO

EXAMPLES = REPO / "examples" / "python"
CORPUS = REPO / "data" / "corpus"
TOPICS = ["geopolitics", "personal", "tech", "trade_finance"]


def run(script: str, *args: str, timeout: float = 300) -> str:
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
    )
    assert proc.returncode == 0, f"{script} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def load_example(name: str) -> ModuleType:
    """Import an example script as a module (its `main` does not run)."""
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def dev_rows(n: int) -> List[Dict]:
    with open(CORPUS / "dev.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line, _ in zip(f, range(n))]


# ----------------------------------------------------------------- quickstart


def test_quickstart_tags_the_notes_given(default: notetag.Classifier) -> None:
    notes = [
        "The central bank raised interest rates and bond yields jumped",
        "Good morning! Coffee with my kids before a long walk",
        "The new compiler release adds GPU support",
    ]
    out = run("quickstart.py", *notes)
    lines = out.splitlines()
    header = next(i for i, lab in enumerate(lines) if lab.startswith("primary "))
    rows = lines[header + 1 : header + 1 + len(notes)]
    for row, note, tag in zip(rows, notes, default.tag(notes)):
        fields = row.split()
        assert fields[0] == tag["primary"]
        assert fields[1] == (",".join(tag["labels"]) or "-")
        scores = [float(x) for x in fields[2:6]]
        assert scores == pytest.approx([tag["scores"][t] for t in TOPICS], abs=5.1e-4)
        assert row.endswith(note[:60])
    assert f"predict: {default.predict(notes)}" in out
    assert f"predict_proba: shape ({len(notes)}, 4), dtype float32" in out
    # The explanation of the first note: one line per topic, with its probability.
    explained = default.explain(notes[0], k=3)
    for per_label in explained["per_label"]:
        line = next(lab for lab in lines if lab.strip().startswith(per_label["label"] + " ") and "p=" in lab)
        assert f"p={per_label['probability']:.3f}" in line
        for ngram, _ in per_label["top"]:
            assert repr(ngram) in line


def test_quickstart_runs_its_samples() -> None:
    out = run("quickstart.py")
    module = load_example("quickstart")
    primaries = re.findall(r"^(\S+)\s", out.split("primary ", 1)[1].split("\n", 1)[1], flags=re.M)
    assert primaries[: len(module.SAMPLE_NOTES)] == notetag.Classifier.default().predict(module.SAMPLE_NOTES)


# -------------------------------------------------------------- scikit-learn


def test_sklearn_pipeline_grid_search_and_report() -> None:
    out = run("sklearn_pipeline.py", "--train-rows", "600", "--dev-rows", "200", "--cv", "2")
    assert "train: 600 notes" in out and "dev: 200 notes" in out
    assert "grid search: 9 fits" in out  # 4 candidates x 2 folds + the refit
    cv_lines = re.findall(r"^  c=(\S+), word_ngrams=(\(\d, \d\))\s+([\d.]+) ± ([\d.]+)$", out, flags=re.M)
    assert len(cv_lines) == 4
    best = re.search(r"^best: c=(\S+), word_ngrams=(\(\d, \d\)) \(cv macro-F1 ([\d.]+)\)$", out, flags=re.M)
    assert best is not None
    assert float(best.group(3)) == max(float(m) for _, _, m, _ in cv_lines)
    # The report covers the held-out sample: its supports are the gold counts of that sample.
    module = load_example("sklearn_pipeline")
    _, gold = module.read_split(CORPUS / "dev.jsonl", 200, 0)
    for topic in TOPICS:
        row = re.search(rf"^\s*{topic}\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)$", out, flags=re.M)
        assert row is not None, topic
        assert int(row.group(4)) == gold.count(topic)
    f1 = float(re.search(r"held-out macro-F1: ([\d.]+)", out).group(1))  # type: ignore[union-attr]
    assert 0.6 < f1 <= 1.0  # 600 notes are enough to learn the four topics far above chance (0.25)


# -------------------------------------------------------------------- pandas


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_pandas_column_adds_tag_columns(tmp_path: Path, default: notetag.Classifier, suffix: str) -> None:
    n = 150
    output = tmp_path / f"tagged{suffix}"
    out = run("pandas_column.py", "--rows", str(n), "--proba-columns", "--output", str(output))
    assert f"tagged {n} rows" in out and f"wrote {n} rows" in out
    df = pd.read_json(output, lines=True, dtype=False) if suffix == ".jsonl" else pd.read_parquet(output)
    source = dev_rows(n)
    texts = [r["text"] for r in source]
    assert df["text"].tolist() == texts
    # The input's gold columns are kept apart from the tags.
    assert [list(x) for x in df["gold_labels"]] == [r["labels"] for r in source]
    assert df["primary"].tolist() == default.predict(texts)
    tags = default.tag(texts)
    assert [list(x) for x in df["labels"]] == [t["labels"] for t in tags]
    proba = default.predict_proba(texts)
    assert np.allclose(df[[f"p_{t}" for t in TOPICS]].to_numpy(), proba, atol=1e-6)
    assert np.allclose(df["score"].to_numpy(), proba.max(axis=1), atol=1e-6)
    counts = dict(re.findall(r"^(\w+)\s+(\d+)$", out.split("primary topic counts:")[1], flags=re.M))
    assert {k: int(v) for k, v in counts.items() if k in TOPICS} == df["primary"].value_counts().to_dict()


# ---------------------------------------------------------------------- Dask


def test_dask_jsonl_blocks_cover_every_line_once() -> None:
    """However the byte ranges fall, each line belongs to exactly one block."""
    module = load_example("dask_scaleout")
    import fsspec

    data = b'{"text": "a"}\n\n{"text": "bb"}\r\n{"text": "ccc"}\nlast line without newline'
    fs = fsspec.filesystem("memory")
    fs.pipe("/lines.jsonl", data)
    starts = [0] + [i + 1 for i, b in enumerate(data) if b == ord("\n")]
    expected = [(s, data[s : data.index(b"\n", s) + 1] if b"\n" in data[s:] else data[s:]) for s in starts]
    for blocksize in range(1, len(data) + 2):
        got = []
        for start in range(0, len(data), blocksize):
            got.extend(module.jsonl_lines(fs, "/lines.jsonl", start, min(start + blocksize, len(data))))
        assert got == expected, blocksize


def read_parts(folder: Path, suffix: str) -> pd.DataFrame:
    parts = sorted(folder.glob(f"part-*.{suffix}"))
    assert parts, f"no part files in {folder}"
    if suffix == "parquet":
        return pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
    return pd.DataFrame([json.loads(lab) for p in parts for lab in p.read_text(encoding="utf-8").splitlines()])


def test_dask_scaleout_demo_set_on_a_local_cluster(tmp_path: Path) -> None:
    rows = 20_000
    stats_path = tmp_path / "stats.json"
    out = run(
        "dask_scaleout.py",
        *("--rows", str(rows), "--workers", "2", "--output", str(tmp_path / "out"), "--stats-json", str(stats_path)),
    )
    assert "cluster: 2 workers" in out
    assert "notetag threads per worker: ['1']" in out
    df = read_parts(tmp_path / "out", "parquet")
    assert len(df) == rows
    assert df["id"].tolist() == [f"n{i}" for i in range(rows)]  # input order kept
    assert df["error"].isna().all()
    assert set(df["primary"]) <= set(TOPICS)
    assert all(set(ls) <= set(TOPICS) for ls in df["labels"])
    assert ((df["score"] > 0) & (df["score"] <= 1)).all()
    # The demo set cycles the corpus, so its first notes are the train split's, tagged as in-process.
    with open(CORPUS / "train.jsonl", encoding="utf-8") as f:
        head = [json.loads(line)["text"] for line, _ in zip(f, range(500))]
    assert df["primary"].head(500).tolist() == notetag.Classifier.default().predict(head)
    stats = json.loads(stats_path.read_text())
    assert stats["rows"] == rows and stats["errors"] == 0
    assert 1 <= len(stats["workers"]) <= 2
    assert sum(w["rows"] for w in stats["workers"].values()) == rows
    assert all(w["notes_per_second_tagging"] > 0 for w in stats["workers"].values())
    for name, w in stats["workers"].items():
        assert re.search(rf"^{re.escape(name)}\s+{w['tasks']}\s+{w['rows']:,}\s", out, flags=re.M)
    assert re.search(rf"^overall: {rows:,} notes \(0 errors\) in [\d.]+ s wall = [\d,]+ notes/s", out, flags=re.M)


def test_dask_scaleout_jsonl_input_keeps_every_record(tmp_path: Path, default: notetag.Classifier) -> None:
    """A JSONL file cut into many small blocks: one output row per record, in order,
    bad records as error rows in their place."""
    source = dev_rows(600)
    lines: List[bytes] = []
    for i, r in enumerate(source):
        lines.append(json.dumps({"id": i, "text": r["text"]}, ensure_ascii=False).encode() + b"\n")
    lines[100] = b'{"id": 100, "text": "truncated\n'
    lines[250] = b'{"id": 250, "body": "no text field"}\n'
    lines[400] = b'{"id": 400, "text": 7}\n'
    lines.insert(300, b"\n")  # a blank line is not a record
    path = tmp_path / "notes.jsonl"
    path.write_bytes(b"".join(lines))
    offsets, pos = [], 0
    for line in lines:
        if line.strip():
            offsets.append(pos)
        pos += len(line)

    out = run(
        "dask_scaleout.py",
        *("--input", str(path), "--output", str(tmp_path / "out"), "--output-format", "jsonl"),
        *("--blocksize", "16KiB", "--workers", "2"),
    )
    df = read_parts(tmp_path / "out", "jsonl")
    raw = [json.loads(lab) for p in sorted((tmp_path / "out").glob("part-*.jsonl")) for lab in p.read_text().splitlines()]
    assert len(list((tmp_path / "out").glob("part-*.jsonl"))) == -(-path.stat().st_size // 16384)
    assert len(df) == 600
    assert df["position"].tolist() == offsets
    assert (df["source"] == str(path)).all()
    bad = {100: "not a JSON line", 250: "field 'text' is missing", 400: "field 'text' is int"}
    errors = df[df["error"].notna()]
    assert errors.index.tolist() == sorted(bad)
    for i, what in bad.items():
        assert what in df.loc[i, "error"] and f"byte {offsets[i]}" in df.loc[i, "error"]
        assert raw[i]["primary"] is None and raw[i]["labels"] is None and raw[i]["score"] is None
    good = df[df["error"].isna()]
    assert good["id"].tolist() == [str(i) for i in range(600) if i not in bad]
    texts = [source[i]["text"] for i in range(600) if i not in bad]
    tags = default.tag(texts)
    assert good["primary"].tolist() == [t["primary"] for t in tags]
    assert good["labels"].tolist() == [t["labels"] for t in tags]
    assert np.allclose(good["score"].to_numpy(dtype=float), [t["scores"][t["primary"]] for t in tags])
    assert "overall: 600 notes (3 errors)" in out
