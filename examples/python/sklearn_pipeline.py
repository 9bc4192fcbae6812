"""notetag inside scikit-learn: a Pipeline, GridSearchCV and a classification report.

    python examples/python/sklearn_pipeline.py                       # corpus train/dev splits
    python examples/python/sklearn_pipeline.py --train-rows 1500 --dev-rows 400 --cv 3

``notetag.Classifier`` follows scikit-learn's estimator conventions, so it can be the
last step of a ``Pipeline`` and its parameters can be searched by ``GridSearchCV``
under the step's name (``tag__c``, ``tag__word_ngrams``...). Hyperparameters are
chosen by cross-validation on the train split only; the chosen model is then scored
once on the held-out dev split. The test split is left alone.

Data: ``data/corpus/train.jsonl`` and ``dev.jsonl`` (JSON Lines with ``text`` and
``labels``), subsampled for speed. scikit-learn wants one label per note, so each
note's primary label is used and notes with no topic are left out.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from pathlib import Path
from typing import List, Tuple

from sklearn.metrics import classification_report, f1_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

import notetag

CORPUS = Path(__file__).resolve().parents[2] / "data" / "corpus"


def read_split(path: Path, rows: int, seed: int) -> Tuple[List[str], List[str]]:
    """Texts and primary labels of a JSONL split; a random subsample of `rows` notes
    (all when `rows` is 0); notes without a topic are skipped."""
    texts, labels = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            if record["labels"]:
                texts.append(record["text"])
                labels.append(record["labels"][0])
    if 0 < rows < len(texts):
        keep = sorted(random.Random(seed).sample(range(len(texts)), rows))
        texts, labels = [texts[i] for i in keep], [labels[i] for i in keep]
    return texts, labels


_URL = re.compile(r"https?://\S+")


def strip_urls(texts: List[str]) -> List[str]:
    """A stand-in for your own preprocessing step: drop links (notetag would
    otherwise keep their domains as tokens)."""
    return [_URL.sub(" ", t) for t in texts]


def main(argv: List[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--train", type=Path, default=CORPUS / "train.jsonl", help="training JSONL")
    parser.add_argument("--dev", type=Path, default=CORPUS / "dev.jsonl", help="held-out JSONL for the report")
    parser.add_argument("--train-rows", type=int, default=3000, help="subsample of the train split (0: all)")
    parser.add_argument("--dev-rows", type=int, default=0, help="subsample of the dev split (0: all)")
    parser.add_argument("--cv", type=int, default=3, help="folds of the grid search (default 3)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the subsampling")
    parser.add_argument("--n-jobs", type=int, default=1, help="GridSearchCV n_jobs (notetag already uses all cores)")
    args = parser.parse_args(argv)

    x_train, y_train = read_split(args.train, args.train_rows, args.seed)
    x_dev, y_dev = read_split(args.dev, args.dev_rows, args.seed)
    print(f"train: {len(x_train)} notes from {args.train}; dev: {len(x_dev)} notes from {args.dev}")

    pipe = Pipeline(
        [
            ("clean", FunctionTransformer(strip_urls)),
            # Fewer calibration folds than the default 5: calibration runs inside every grid fit.
            ("tag", notetag.Classifier(calibration_folds=3)),
        ]
    )
    grid = {
        "tag__c": [0.25, 1.0],
        "tag__word_ngrams": [(1, 1), (1, 2)],
    }
    search = GridSearchCV(pipe, grid, cv=args.cv, scoring="f1_macro", n_jobs=args.n_jobs, refit=True)
    start = time.perf_counter()
    search.fit(x_train, y_train)
    seconds = time.perf_counter() - start
    fits = len(search.cv_results_["params"]) * args.cv + 1
    print(f"grid search: {fits} fits in {seconds:.1f} s")

    print("\ncross-validated macro-F1 on train (mean ± sd over folds):")
    for params, mean, sd in zip(
        search.cv_results_["params"],
        search.cv_results_["mean_test_score"],
        search.cv_results_["std_test_score"],
    ):
        shown = ", ".join(f"{k.removeprefix('tag__')}={v}" for k, v in params.items())
        print(f"  {shown:<32} {mean:.4f} ± {sd:.4f}")
    best = ", ".join(f"{k.removeprefix('tag__')}={v}" for k, v in search.best_params_.items())
    print(f"best: {best} (cv macro-F1 {search.best_score_:.4f})")

    # The refitted best pipeline, scored once on the held-out split.
    predicted = search.predict(x_dev)
    print(f"\nheld-out ({args.dev.name}) classification report:")
    print(classification_report(y_dev, predicted, digits=3, zero_division=0))
    print(f"held-out macro-F1: {f1_score(y_dev, predicted, average='macro'):.4f}")


if __name__ == "__main__":
    main()
