"""Quick start: tag notes with notetag's embedded default model.

    python examples/python/quickstart.py                  # the sample notes below
    python examples/python/quickstart.py "gm frens" "Fed holds rates"   # your own

Prints, for each note, its primary topic, every topic above its tuned threshold
(possibly none) and the probability of each topic; then the n-grams that drove the
prediction for the first note. Nothing is downloaded: the model is inside the package.
"""

from __future__ import annotations

import argparse
from typing import List

import notetag

SAMPLE_NOTES = [
    "gm nostr ☀️ first coffee of the day and the dog already wants a walk",
    "The Fed kept rates on hold again; two-year yields slipped after the press conference",
    "New open-weights model runs on a single GPU and beats last year's best on coding tasks",
    "Foreign ministers meet in Geneva as ceasefire talks stall over the border question",
    "Export controls on AI chips hit the chipmaker's China revenue",
    "lol",
]


def main(argv: List[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notes", nargs="*", help="notes to tag (default: a few samples)")
    parser.add_argument("--explain-top", type=int, default=3, help="n-grams to show per topic (default 3)")
    args = parser.parse_args(argv)
    notes = args.notes or SAMPLE_NOTES

    # 1. Load the embedded default model (a few milliseconds, no download).
    clf = notetag.Classifier.default()
    topics = clf.classes_.tolist()
    print(f"notetag {notetag.__version__}: default model, topics {', '.join(topics)}\n")

    # 2. Full predictions: primary topic, the topics above their thresholds, and scores.
    tags = clf.tag(notes)
    print(f"{'primary':<14} {'labels':<28} " + " ".join(f"{t[:8]:>8}" for t in topics) + "  note")
    for note, t in zip(notes, tags):
        labels = ",".join(t["labels"]) or "-"
        scores = " ".join(f"{t['scores'][topic]:8.3f}" for topic in topics)
        print(f"{t['primary']:<14} {labels:<28} {scores}  {note[:60]}")

    # 3. The same, scikit-learn style: primary labels, and a probability matrix
    #    (one calibrated probability per topic; rows need not sum to one).
    primaries = clf.predict(notes)
    proba = clf.predict_proba(notes)
    print(f"\npredict: {primaries}")
    print(f"predict_proba: shape {proba.shape}, dtype {proba.dtype}")

    # 4. Why? The n-grams that pushed each topic's score up or down.
    e = clf.explain(notes[0], k=args.explain_top)
    print(f"\nexplain {notes[0]!r}: primary {e['primary']}, labels {e['labels']}")
    for row in e["per_label"]:
        top = ", ".join(f"{ngram!r} {weight:+.2f}" for ngram, weight in row["top"])
        print(f"  {row['label']:<14} p={row['probability']:.3f} score={row['score']:+.2f} (bias {row['bias']:+.2f}): {top}")


if __name__ == "__main__":
    main()
