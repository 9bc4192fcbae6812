"""Shared fixtures: a small synthetic corpus (made here, no downloads) and
classifiers trained on it once per session."""

from __future__ import annotations

import random
from pathlib import Path
from typing import List, Tuple

import pytest

import notetag

REPO = Path(__file__).resolve().parents[3]

_WORDS = {
    "finance": "bank rates bond yields inflation stocks earnings dividend market fed loan credit".split(),
    "tech": "gpu chip software compiler rust linux release open source browser laptop code".split(),
    "personal": "morning coffee kids family weekend dinner friends walk garden birthday tired".split(),
    "world": "election minister border treaty sanctions embassy war summit parliament troops".split(),
}
_FILLER = "the a and of to in on with today again new just about".split()


def make_corpus(n_per_label: int, seed: int) -> Tuple[List[str], List[str]]:
    """Notes of 6–12 words, mostly from their label's vocabulary."""
    rng = random.Random(seed)
    texts, labels = [], []
    for i in range(n_per_label):
        for label, words in _WORDS.items():
            k = rng.randint(6, 12)
            note = [rng.choice(words) if rng.random() < 0.6 else rng.choice(_FILLER) for _ in range(k)]
            texts.append(" ".join(note))
            labels.append(label)
    order = list(range(len(texts)))
    rng.shuffle(order)
    return [texts[i] for i in order], [labels[i] for i in order]


@pytest.fixture(scope="session")
def corpus() -> Tuple[List[str], List[str]]:
    return make_corpus(40, seed=1)


@pytest.fixture(scope="session")
def held_out() -> Tuple[List[str], List[str]]:
    return make_corpus(10, seed=2)


@pytest.fixture(scope="session")
def trained(corpus: Tuple[List[str], List[str]]) -> notetag.Classifier:
    texts, labels = corpus
    return notetag.Classifier(calibration_folds=3).fit(texts, labels)


@pytest.fixture(scope="session")
def default() -> notetag.Classifier:
    return notetag.Classifier.default()
