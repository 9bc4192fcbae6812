#!/usr/bin/env python3
"""The figures of data/nostr-real/README.md for any model files: clear topic-less
notes left untagged, clear topical notes tagged with their primary first, and
the micro-F1 of the label sets over every note, as `notetag eval` reports them.

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
import tempfile
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


def evaluate(binary, model, rows):
    """`notetag eval --json` of `model` (`default`: the embedded one) on `rows`."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", encoding="utf-8", delete=False) as f:
        for r in rows:
            f.write(json.dumps({"text": r["text"], "labels": r["labels"], "primary": r["primary"]}) + "\n")
    cmd = [binary, "eval", "--json", "--input", f.name] + ([] if model == "default" else ["--model", model])
    try:
        done = subprocess.run(cmd, capture_output=True, text=True)
    finally:
        os.unlink(f.name)
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)}: {done.stderr.strip()}")
    return json.loads(done.stdout)


def figures(every, clear):
    """The card's figures from the evaluation reports of every note and of the
    clear notes: untagged and right over the clear notes, micro-F1 over every note."""
    a = clear["abstention"]
    share = lambda x, n: f"{x:.3f} ({n})" if n else "- (0)"  # noqa: E731
    micro = f"{every['set_micro_f1']:.3f}" if every["n"] else "-"
    return (
        f"untagged {share(a['no_topic_untagged'], a['no_topic_rows'])}  "
        f"right {share(a['topic_tagged_right'], a['topic_rows'])}  micro-F1 {micro}"
    )


def scored(binary, model, rows):
    """The figures line of `model` on `rows`."""
    return figures(evaluate(binary, model, rows), evaluate(binary, model, [r for r in rows if r["clear"]]))


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
        print(f"{model}  {args.split} ({len(labelled)} notes): {scored(args.bin, model, labelled)}")
        if args.by:
            groups = defaultdict(list)
            for row in labelled:
                groups[row[args.by]].append(row)
            for key in sorted(groups, key=lambda k: -len(groups[k])):
                print(f"  {key:9} {len(groups[key]):5} notes: {scored(args.bin, model, groups[key])}")


if __name__ == "__main__":
    main()
