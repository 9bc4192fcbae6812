"""Tests of the pretrained-feature probe's own parts (no download: a tiny random
encoder stands in for the real one)."""

from __future__ import annotations

import json
import struct
import sys
from pathlib import Path
from typing import Dict

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pretrained_probe as probe  # noqa: E402
from compare import HarnessError  # noqa: E402


def write_safetensors(path: Path, tensors: Dict[str, np.ndarray], dtypes: Dict[str, str]) -> None:
    header = {}
    blob = b""
    for name, array in tensors.items():
        raw = array.tobytes()
        header[name] = {"dtype": dtypes[name], "shape": list(array.shape), "data_offsets": [len(blob), len(blob) + len(raw)]}
        blob += raw
    head = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(head)) + head + blob)


def tiny_encoder(seed: int = 0, vocab: int = 20, width: int = 8, heads: int = 2, layers: int = 2) -> probe.Encoder:
    rng = np.random.default_rng(seed)
    w: Dict[str, np.ndarray] = {
        "embeddings.word_embeddings.weight": rng.normal(size=(vocab, width)),
        "embeddings.position_embeddings.weight": rng.normal(size=(16, width)),
        "embeddings.token_type_embeddings.weight": rng.normal(size=(2, width)),
        "embeddings.LayerNorm.weight": np.ones(width),
        "embeddings.LayerNorm.bias": np.zeros(width),
    }
    shapes = {
        "attention.self.query": (width, width),
        "attention.self.key": (width, width),
        "attention.self.value": (width, width),
        "attention.output.dense": (width, width),
        "intermediate.dense": (4 * width, width),
        "output.dense": (width, 4 * width),
    }
    for i in range(layers):
        p = f"encoder.layer.{i}."
        for name, shape in shapes.items():
            w[p + name + ".weight"] = rng.normal(size=shape) / np.sqrt(shape[1])
            w[p + name + ".bias"] = rng.normal(size=shape[0]) * 0.1
        for norm in ("attention.output.LayerNorm", "output.LayerNorm"):
            w[p + norm + ".weight"] = 1 + rng.normal(size=width) * 0.1
            w[p + norm + ".bias"] = rng.normal(size=width) * 0.1
    return probe.Encoder({k: v.astype(np.float32) for k, v in w.items()}, heads=heads, layers=layers)


def test_safetensors_are_read_back(tmp_path: Path) -> None:
    f = tmp_path / "m.safetensors"
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = np.array([[7, 8]], dtype=np.int64)
    write_safetensors(f, {"a": a, "b": b}, {"a": "F32", "b": "I64"})
    got = probe.read_safetensors(f)
    assert np.array_equal(got["a"], a) and got["a"].dtype == np.float32
    assert np.array_equal(got["b"], b)


def test_an_unknown_tensor_type_names_the_tensor(tmp_path: Path) -> None:
    f = tmp_path / "m.safetensors"
    write_safetensors(f, {"odd": np.zeros(2, np.uint8)}, {"odd": "U8"})
    with pytest.raises(HarnessError, match="tensor odd: unsupported dtype U8"):
        probe.read_safetensors(f)


def test_padding_never_reaches_an_embedding() -> None:
    enc = tiny_encoder()
    short, long = [1, 5, 2], [1, 9, 4, 7, 3, 2]
    together = enc.embed([short, long])
    alone = np.vstack([enc.embed([short]), enc.embed([long])])
    assert np.allclose(together, alone, atol=1e-5)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    # The tokens matter: another middle token gives another vector.
    assert not np.allclose(enc.embed([[1, 6, 2]]), together[0], atol=1e-3)


def test_the_token_table_has_a_row_per_vocabulary_entry() -> None:
    enc = tiny_encoder(vocab=11)
    table = enc.token_table(cls_id=1, sep_id=2, batch=4)
    assert table.shape == (11, 8)
    # Row 5 is the mean over [CLS] 5 [SEP] run on its own.
    last = enc.forward(np.array([[1, 5, 2]]), np.ones((1, 3), np.float32))
    assert np.allclose(table[5], last[0].mean(0), atol=1e-5)


def test_static_features_weigh_rare_tokens_up() -> None:
    projected = np.eye(3, dtype=np.float32)
    idf = probe.idf_of([[0], [0], [0, 1]], vocab=3)
    assert idf[2] > idf[1] > idf[0]
    x = probe.static_features(projected, idf, [[0, 1], []])
    assert x[0, 1] > x[0, 0] > 0
    assert np.isclose(np.linalg.norm(x[0]), 1.0)
    assert not x[1].any()


def test_folds_are_stratified() -> None:
    gold = ["a"] * 10 + ["b"] * 5
    fold = probe.fold_of(gold, 5, seed=3)
    for k in range(5):
        held = [g for g, f in zip(gold, fold) if f == k]
        assert held.count("a") == 2 and held.count("b") == 1


def test_the_blend_weight_is_chosen_by_what_it_fixes() -> None:
    labels = ["x", "y"]
    gold = ["x", "y", "x", "y"]
    # a gets the last note wrong; b gets every note right.
    a = np.array([[0.9, 0.1], [0.2, 0.8], [0.7, 0.3], [0.6, 0.4]])
    b = np.array([[0.8, 0.2], [0.3, 0.7], [0.6, 0.4], [0.1, 0.9]])
    weight, score = probe.best_weight(gold, labels, a, b)
    assert score == 1.0 and 0 < weight < 1
    # A table that is always wrong never gets any weight.
    weight, score = probe.best_weight(gold, labels, b, 1 - b)
    assert (weight, score) == (0.0, 1.0)


def test_missing_packages_are_installed_only_where_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    # Only tokenizers is missing, whatever this environment holds.
    monkeypatch.setattr(probe.importlib.util, "find_spec", lambda m: None if m == "tokenizers" else object())
    calls = []
    monkeypatch.setattr(probe, "pip_install", lambda *a: calls.append(a) or True)
    with pytest.raises(HarnessError, match=r"missing packages tokenizers \(--no-install was given\)"):
        probe.ensure_packages(install=False)
    monkeypatch.setattr(probe, "in_virtual_environment", lambda: False)
    with pytest.raises(HarnessError, match=r"tokenizers \(not in a virtual environment\)"):
        probe.ensure_packages(install=True)
    assert calls == []
    monkeypatch.setattr(probe, "in_virtual_environment", lambda: True)
    monkeypatch.setattr(probe, "pip_install", lambda *a: calls.append(a) or False)
    with pytest.raises(HarnessError, match="pip could not install tokenizers"):
        probe.ensure_packages(install=True)
    assert calls == [("tokenizers",)]
