"""Checks of scripts/real-nostr-figures.py: which figures of `notetag eval` it
reports for which notes, what it hands the CLI, and the hash check that joins
labels to the texts kept outside the repository."""
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


def report(n, no_topic_rows, untagged, topic_rows, right, micro):
    abstention = {
        "no_topic_rows": no_topic_rows,
        "no_topic_untagged": untagged,
        "topic_rows": topic_rows,
        "topic_tagged_right": right,
    }
    return {"n": n, "set_micro_f1": micro, "abstention": abstention}


def test_untagged_and_right_come_from_the_clear_notes_and_micro_f1_from_every_note():
    every = report(6, 3, 0.25, 3, 0.25, 0.6)
    clear = report(4, 2, 0.5, 2, 0.5, 0.9)
    assert figures_script.figures(every, clear) == "untagged 0.500 (2)  right 0.500 (2)  micro-F1 0.600"


def test_a_group_with_nothing_to_score_says_so():
    empty = report(0, 0, 0.0, 0, 0.0, 0.0)
    assert figures_script.figures(empty, empty) == "untagged - (0)  right - (0)  micro-F1 -"


def test_evaluate_gives_the_cli_each_row_and_the_model(tmp_path):
    fake = tmp_path / "notetag"
    fake.write_text(
        "#!/usr/bin/env python3\n"
        "import json, sys\n"
        "args = sys.argv[1:]\n"
        "rows = [json.loads(line) for line in open(args[args.index('--input') + 1])]\n"
        "print(json.dumps({'args': args[:2] + args[4:], 'rows': rows}))\n",
        encoding="utf-8",
    )
    fake.chmod(0o755)
    rows = [{**row(["tech"]), "text": "new relay is up", "line": 7}, {**row([]), "text": "gm"}]
    got = figures_script.evaluate(str(fake), "m.ntag", rows)
    assert got["args"] == ["eval", "--json", "--model", "m.ntag"]
    assert got["rows"] == [
        {"text": "new relay is up", "labels": ["tech"], "primary": "tech"},
        {"text": "gm", "labels": [], "primary": None},
    ]
    assert figures_script.evaluate(str(fake), "default", rows)["args"] == ["eval", "--json"]


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
