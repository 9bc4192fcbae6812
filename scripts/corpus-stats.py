#!/usr/bin/env python3
"""Print the data card's count and length tables for data/corpus (Markdown)."""
import json
import pathlib

TOPICS = ["geopolitics", "trade_finance", "tech", "personal"]
root = pathlib.Path(__file__).resolve().parent.parent / "data" / "corpus"
splits = {s: [json.loads(line) for line in open(root / f"{s}.jsonl", encoding="utf-8")] for s in ("train", "dev", "test")}
rows_all = [r for rows in splits.values() for r in rows]


def count_row(name, rows):
    primary = [sum(r["primary"] == t for r in rows) for t in TOPICS]
    none = sum(not r["labels"] for r in rows)
    multi = sum(len(r["labels"]) > 1 for r in rows)
    cells = [name, str(len(rows)), *map(str, primary), str(none), f"{multi} ({100 * multi / len(rows):.0f}%)"]
    return "| " + " | ".join(cells) + " |"


print("| split | rows | " + " | ".join(TOPICS) + " | no topic | multi-label |")
print("| --- " * 8 + "|")
for name, rows in [*splits.items(), ("all", rows_all)]:
    print(count_row(name, rows))
carrying = ", ".join(f"{t} {sum(t in r['labels'] for r in rows_all)}" for t in TOPICS)
print(f"\nRows carrying each label (primary or not): {carrying}.\n")
lengths = sorted(len(r["text"]) for r in rows_all)
q = lambda p: lengths[min(len(lengths) - 1, int(p * len(lengths)))]  # noqa: E731
print(
    f"Length in characters: min {lengths[0]}, 10% {q(0.1)}, 25% {q(0.25)}, median {q(0.5)}, 75% {q(0.75)}, "
    f"90% {q(0.9)}, max {lengths[-1]}; mean {sum(lengths) / len(lengths):.0f}."
)
bands = [(0, 60), (60, 280), (280, 1000), (1000, None)]
print(
    "Bands: "
    + ", ".join(f"{a}–{b if b else '∞'}: {sum(a <= n and (b is None or n < b) for n in lengths)}" for a, b in bands)
    + "."
)
