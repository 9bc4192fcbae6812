"""Checks of scripts/real-nostr-figures.py: the data card's definitions, and the
hash check that joins labels to the texts kept outside the repository."""
import hashlib
import importlib.util
import json
import pathlib

import pytest

_spec = importlib.util.spec_from_file_location(
    "real_nostr_figures", pathlib.Path(__file__).with_name("real-nostr-figures.py")
)
assert _spec is not None and _spec.loader is not None
figures_script = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(figures_script)


def row(labels, clear=True):
    return {"labels": labels, "primary": labels[0] if labels else None, "clear": clear}


def test_untagged_and_right_count_clear_notes_only_and_micro_f1_counts_every_note():
    pairs = [
        (row([]), []),  # clear, topic-less, untagged
        (row([]), ["tech"]),  # clear, topic-less, tagged: one false label
        (row(["tech"]), ["tech", "personal"]),  # right first; one false label
        (row(["personal", "tech"]), ["tech", "personal"]),  # both labels found, wrong first
        (row(["trade_finance"], clear=False), []),  # unclear: only its missed label counts
        (row([], clear=False), ["geopolitics"]),  # unclear: only its false label counts
    ]
    # untagged 1 of 2; right 1 of 2; tp 3, false 3, missed 1: micro-F1 6 / 10.
    assert figures_script.figures(pairs) == "untagged 0.500 (2)  right 0.500 (2)  micro-F1 0.600"


def test_a_group_with_nothing_to_score_says_so():
    assert figures_script.figures([(row([], clear=False), [])]) == "untagged - (0)  right - (0)  micro-F1 -"


def _write(path, lines):
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")


def _key(text):
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def test_rows_join_each_label_to_its_note_by_line_and_hash(tmp_path):
    _write(tmp_path / "notes.jsonl", [{"text": "gm"}, {"text": "new relay is up"}])
    labels = tmp_path / "dev.jsonl"
    _write(labels, [{"source": "notes.jsonl", "line": 2, "sha256": _key("new relay is up"), **row(["tech"])}])
    got = figures_script.rows(labels, shared=tmp_path)
    assert [(r["text"], r["labels"]) for r in got] == [("new relay is up", ["tech"])]


def test_a_note_that_is_not_the_labelled_one_stops_with_the_file_and_line(tmp_path):
    _write(tmp_path / "notes.jsonl", [{"text": "gm"}, {"text": "edited since"}])
    labels = tmp_path / "dev.jsonl"
    _write(
        labels,
        [
            {"source": "notes.jsonl", "line": 1, "sha256": _key("gm"), **row([])},
            {"source": "notes.jsonl", "line": 2, "sha256": _key("the original"), **row(["tech"])},
        ],
    )
    with pytest.raises(SystemExit, match=r"dev\.jsonl:2: notes\.jsonl line 2 is not the labelled note"):
        figures_script.rows(labels, shared=tmp_path)


def test_missing_texts_stop_with_where_they_were_looked_for(tmp_path):
    labels = tmp_path / "dev.jsonl"
    _write(labels, [{"source": "absent.jsonl", "line": 1, "sha256": _key("x"), **row([])}])
    with pytest.raises(SystemExit, match="absent.jsonl is absent"):
        figures_script.rows(labels, shared=tmp_path)
