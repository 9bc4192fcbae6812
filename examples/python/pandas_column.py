"""Tag a pandas DataFrame column: add ``primary``, ``labels`` and ``score`` columns.

    python examples/python/pandas_column.py                                   # the corpus dev split
    python examples/python/pandas_column.py --input notes.jsonl --text-field content --output tagged.parquet

Reads JSON Lines (or CSV, or Parquet) into a DataFrame, tags the text column with
the embedded default model (or ``--model FILE``) in one batch, and adds:

- ``primary``: the most probable topic (always set),
- ``labels``: the topics at or above their tuned thresholds, most probable first
  (a list, possibly empty: the note is about none of them),
- ``score``: the probability of the primary topic,
- ``p_<topic>``: one probability column per topic (``--proba-columns``).

Input columns of those names (e.g. gold labels) are kept as ``gold_<name>``. Then
prints the first rows, the topic counts and, when the input has gold ``labels``, how
often the primary topic agrees with the gold primary. ``--output``
writes the table (``.jsonl``, ``.csv`` or ``.parquet``).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import List

import numpy as np
import pandas as pd

import notetag

CORPUS = Path(__file__).resolve().parents[2] / "data" / "corpus"


def read_table(path: Path) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if suffix in {".jsonl", ".ndjson"}:
        return pd.read_json(path, lines=True, dtype=False)
    if suffix == ".csv":
        return pd.read_csv(path, keep_default_na=False)
    if suffix == ".parquet":
        return pd.read_parquet(path)
    raise SystemExit(f"{path}: unknown table format {suffix!r} (use .jsonl, .csv or .parquet)")


def write_table(df: pd.DataFrame, path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix in {".jsonl", ".ndjson"}:
        df.to_json(path, orient="records", lines=True, force_ascii=False)
    elif suffix == ".csv":
        # CSV has no lists: labels become "a|b".
        df.assign(labels=df["labels"].map("|".join)).to_csv(path, index=False)
    elif suffix == ".parquet":
        df.to_parquet(path, index=False)
    else:
        raise SystemExit(f"{path}: unknown table format {suffix!r} (use .jsonl, .csv or .parquet)")


def add_tags(df: pd.DataFrame, clf: notetag.Classifier, text_field: str, proba_columns: bool) -> pd.DataFrame:
    """A copy of `df` with the tag columns added (the core runs once over the column,
    in parallel, with the GIL released)."""
    texts = df[text_field].fillna("").astype(str)
    tags = clf.tag(texts)
    out = df.copy()
    out["primary"] = [t["primary"] for t in tags]
    out["labels"] = [t["labels"] for t in tags]
    out["score"] = np.array([t["scores"][t["primary"]] for t in tags], dtype=np.float32)
    if proba_columns:
        proba = clf.predict_proba(texts)
        for j, topic in enumerate(clf.classes_.tolist()):
            out[f"p_{topic}"] = proba[:, j]
    return out


def main(argv: List[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--input", type=Path, default=CORPUS / "dev.jsonl", help="a .jsonl, .csv or .parquet table")
    parser.add_argument("--text-field", default="text", help="the column holding the notes (default: text)")
    parser.add_argument("--model", type=Path, help="a model file (default: the embedded default model)")
    parser.add_argument("--rows", type=int, default=0, help="tag only the first ROWS rows (0: all)")
    parser.add_argument("--proba-columns", action="store_true", help="add one probability column per topic")
    parser.add_argument("--output", type=Path, help="write the tagged table (.jsonl, .csv or .parquet)")
    args = parser.parse_args(argv)

    df = read_table(args.input)
    if args.text_field not in df.columns:
        raise SystemExit(f"{args.input}: no column {args.text_field!r} (columns: {', '.join(map(str, df.columns))})")
    if args.rows:
        df = df.head(args.rows)
    # Columns of the input that the tags would overwrite (e.g. gold labels) are kept as gold_<name>.
    df = df.rename(columns={c: f"gold_{c}" for c in ("primary", "labels", "score") if c in df.columns})

    clf = notetag.Classifier.load(args.model) if args.model else notetag.Classifier.default()
    tagged = add_tags(df, clf, args.text_field, args.proba_columns)
    print(f"tagged {len(tagged)} rows of {args.input}")

    print(tagged[[args.text_field, "primary", "labels", "score"]].head(8).to_string(max_colwidth=50))

    print("\nprimary topic counts:")
    print(tagged["primary"].value_counts().to_string())
    n_none = int((tagged["labels"].map(len) == 0).sum())
    print(f"notes above no threshold (no topic): {n_none}")

    if "gold_labels" in tagged.columns:
        gold_primary = tagged["gold_labels"].map(lambda ls: ls[0] if len(ls) else None)
        labelled = gold_primary.notna()
        agree = (tagged.loc[labelled, "primary"] == gold_primary[labelled]).mean()
        print(f"primary agrees with the gold primary on {agree:.3f} of {int(labelled.sum())} labelled rows")

    if args.output:
        write_table(tagged, args.output)
        print(f"wrote {len(tagged)} rows to {args.output}")


if __name__ == "__main__":
    main()
