"""Python and the Rust command line give the same answers for the same model
and notes, and read each other's model files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import List

import numpy as np
import pytest

import notetag
from conftest import REPO

# The CLI prints scores rounded to 4 decimals.
ROUNDING = 5.1e-5


@pytest.fixture(scope="session")
def cli() -> str:
    """The `notetag` binary: $NOTETAG_CLI, or built here with cargo."""
    if os.environ.get("NOTETAG_CLI"):
        return os.environ["NOTETAG_CLI"]
    if shutil.which("cargo") is None:
        pytest.skip("cargo not found: set NOTETAG_CLI to a notetag binary")
    subprocess.run(
        ["cargo", "build", "--quiet", "--release", "-p", "notetag-cli"], cwd=REPO, check=True
    )
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    return str(target / "release" / "notetag")


def write_jsonl(path: Path, texts: List[str], labels=None) -> Path:
    with path.open("w", encoding="utf-8") as f:
        for i, t in enumerate(texts):
            row = {"text": t}
            if labels is not None:
                row["labels"] = labels[i] if isinstance(labels[i], list) else [labels[i]]
            f.write(json.dumps(row) + "\n")
    return path


def cli_predict(cli: str, texts: List[str], tmp: Path, model: Path = None) -> List[dict]:
    args = [cli, "predict", "--input", str(write_jsonl(tmp / "notes.jsonl", texts)), "--format", "jsonl"]
    if model is not None:
        args += ["--model", str(model)]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines()]


def assert_same(py: List[dict], rust: List[dict]) -> None:
    assert len(py) == len(rust)
    for p, r in zip(py, rust):
        assert p["primary"] == r["primary"]
        assert p["labels"] == r["labels"]
        assert list(p["scores"]) == list(r["scores"])
        assert np.allclose(list(p["scores"].values()), list(r["scores"].values()), atol=ROUNDING, rtol=0)


NOTES = [
    "gpu chip compiler release for linux",
    "the fed raised rates, bond yields up",
    "coffee with the kids this morning",
    "sanctions talk at the summit as troops gather at the border",
    "bank earnings beat; new laptop chip announced",
    "",
    "Ünïcödé ✨ and an emoji 🤷",
]


def test_cli_reads_a_model_saved_from_python(cli: str, trained: notetag.Classifier, tmp_path: Path) -> None:
    path = tmp_path / "py.ntag"
    trained.save(path)
    assert_same(trained.tag(NOTES), cli_predict(cli, NOTES, tmp_path, path))


def test_python_reads_a_model_trained_by_the_cli(cli: str, corpus, tmp_path: Path) -> None:
    texts, labels = corpus
    data = write_jsonl(tmp_path / "train.jsonl", texts, labels)
    model = tmp_path / "cli.ntag"
    subprocess.run(
        [cli, "train", "--input", str(data), "--output", str(model), "--c", "1.5", "--char-ngrams", "2-4", "--calibration-folds", "3"],
        check=True,
        capture_output=True,
    )
    clf = notetag.Classifier.load(model)
    params = clf.get_params()
    assert (params["c"], params["char_ngrams"], params["calibration_folds"]) == (1.5, (2, 4), 3)
    assert clf.training_["rows"] == len(texts)
    assert_same(clf.tag(NOTES), cli_predict(cli, NOTES, tmp_path, model))
    # the same parameters and data give the same model from Python
    again = notetag.Classifier(**params).fit(texts, labels)
    assert np.array_equal(again.predict_proba(NOTES), clf.predict_proba(NOTES))


def test_default_model_agrees(cli: str, default: notetag.Classifier, tmp_path: Path) -> None:
    assert_same(default.tag(NOTES), cli_predict(cli, NOTES, tmp_path))


def test_every_python_parameter_is_a_train_flag(cli: str) -> None:
    from notetag._notetag import _param_table

    out = subprocess.run([cli, "train", "--help"], capture_output=True, text=True, check=True).stdout
    for p in _param_table():
        assert f"--{p['name'].replace('_', '-')}" in out, p["name"]
