#!/usr/bin/env python3
"""The figures of data/nostr-real/README.md for any model files: clear topic-less
notes left untagged, clear topical notes tagged with their primary first, and
the micro-F1 of the label sets over every note.

    cargo build --release -p notetag-cli
    python3 scripts/real-nostr-figures.py default candidate.ntag [--by lang]

Models are scored on the dev split, where choices are made. `--split test` is
for the one scoring of a chosen model. The labels are in data/nostr-real; the
texts are read from ../shared/data/nostr/ and checked against each row's hash.
"""
import argparse
import hashlib
import json
import os
import pathlib
import subprocess
import sys
from collections import defaultdict

ROOT = pathlib.Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data" / "nostr"


def rows(labels, shared=SHARED):
    """Each row of the labels file, with its note's text (from the `source` file
    under `shared`, at `line`, checked against `sha256`) in `text`."""
    texts = {}
    out = []
    for n, line in enumerate(open(labels, encoding="utf-8"), 1):
        row = json.loads(line)
        source = shared / row["source"]
        if source not in texts:
            if not source.exists():
                sys.exit(f"{source} is absent: the texts of the real notes live outside the repository")
            texts[source] = [json.loads(t)["text"] for t in open(source, encoding="utf-8")]
        text = texts[source][row["line"] - 1]
        if hashlib.sha256(text.encode()).hexdigest()[:16] != row["sha256"]:
            sys.exit(f"{labels}:{n}: {row['source']} line {row['line']} is not the labelled note")
        out.append({**row, "text": text})
    return out


def predict(binary, model, texts):
    """The label lists `notetag predict` gives `texts` with `model` (`default`: the embedded one)."""
    cmd = [binary, "predict", "--format", "jsonl"] + ([] if model == "default" else ["--model", model])
    notes = "".join(json.dumps({"text": t}) + "\n" for t in texts)
    done = subprocess.run(cmd, input=notes, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)}: {done.stderr.strip()}")
    return [json.loads(line)["labels"] for line in done.stdout.splitlines()]


def figures(pairs):
    """(untagged, right, micro-F1) over (row, predicted labels) pairs, as the data card defines them."""
    untagged = [not got for row, got in pairs if row["clear"] and not row["labels"]]
    right = [got[:1] == [row["primary"]] for row, got in pairs if row["clear"] and row["labels"]]
    tp = sum(len(set(row["labels"]) & set(got)) for row, got in pairs)
    wrong = sum(len(set(row["labels"]) ^ set(got)) for row, got in pairs)
    share = lambda xs: f"{sum(xs) / len(xs):.3f} ({len(xs)})" if xs else "- (0)"  # noqa: E731
    micro = f"{2 * tp / (2 * tp + wrong):.3f}" if tp + wrong else "-"
    return f"untagged {share(untagged)}  right {share(right)}  micro-F1 {micro}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("models", nargs="+", help="model files, or `default` for the embedded model")
    ap.add_argument("--split", default="dev", choices=["dev", "test"])
    ap.add_argument("--by", choices=["lang", "kind"], help="also give the figures per language or kind of note")
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    binary = os.environ.get("NOTETAG_CLI", str(target / "release" / "notetag"))
    ap.add_argument("--bin", default=binary, help="the notetag binary (default: $NOTETAG_CLI, else the release build)")
    args = ap.parse_args()
    labelled = rows(ROOT / "data" / "nostr-real" / f"{args.split}.jsonl")
    for model in args.models:
        got = predict(args.bin, model, [r["text"] for r in labelled])
        pairs = list(zip(labelled, got))
        print(f"{model}  {args.split} ({len(pairs)} notes): {figures(pairs)}")
        if args.by:
            groups = defaultdict(list)
            for row, labels in pairs:
                groups[row[args.by]].append((row, labels))
            for key in sorted(groups, key=lambda k: -len(groups[k])):
                print(f"  {key:9} {len(groups[key]):5} notes: {figures(groups[key])}")


if __name__ == "__main__":
    main()
