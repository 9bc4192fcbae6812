#!/usr/bin/env python3
"""One-off: gather the hand-written corpus drafts (data/corpus/raw/*.jsonl), check
them, drop near-duplicates, and split once into fixed train/dev/test files
(80/10/10, stratified by primary topic, fixed seed). Kept for provenance; the split
files are the corpus."""
import glob, json, random, re, sys
from collections import Counter

TOPICS = {"geopolitics", "trade_finance", "tech", "personal"}
rows = []
for path in sorted(glob.glob("data/corpus/raw/*.jsonl")):
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        if not line.strip():
            continue
        r = json.loads(line)
        labels = r["labels"]
        assert set(labels) <= TOPICS, (path, n, labels)
        assert (r["primary"] is None) == (not labels), (path, n)
        assert r["primary"] is None or r["primary"] in labels, (path, n)
        # primary first, then the others in their written order
        labels = ([r["primary"]] if r["primary"] else []) + [l for l in labels if l != r["primary"]]
        rows.append({"text": r["text"].strip(), "labels": labels, "primary": r["primary"]})

def shingles(t):
    w = re.findall(r"\w+", t.lower())
    return {tuple(w[i:i + 3]) for i in range(len(w) - 2)}

kept, seen_text, sh = [], set(), []
dropped = 0
for r in rows:
    key = r["text"].lower()
    s = shingles(r["text"])
    dup = key in seen_text or any(
        len(s) >= 3 and len(o) >= 3 and len(s & o) / len(s | o) > 0.6 for o in sh)
    if dup:
        dropped += 1
        continue
    seen_text.add(key)
    sh.append(s)
    kept.append(r)
print(f"{len(rows)} rows, {dropped} near-duplicates dropped, {len(kept)} kept", file=sys.stderr)

rng = random.Random(20261128)
by = {}
for r in kept:
    by.setdefault(r["primary"] or "", []).append(r)
split = {"train": [], "dev": [], "test": []}
for k in sorted(by):
    group = by[k]
    rng.shuffle(group)
    n = len(group)
    a, b = int(n * 0.8), int(n * 0.9)
    split["train"] += group[:a]
    split["dev"] += group[a:b]
    split["test"] += group[b:]
for name, rs in split.items():
    rng.shuffle(rs)
    with open(f"data/corpus/{name}.jsonl", "w", encoding="utf-8") as f:
        for r in rs:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(name, len(rs), Counter(r["primary"] for r in rs), file=sys.stderr)
