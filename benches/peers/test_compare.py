"""Checks of the comparison harness's own logic (metrics, loading, configs, tables).

Run with the project's venv: ``.venv/bin/python -m pytest benches/peers``.
Needs numpy and scikit-learn (the reference for the metrics) and the notetag package.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import compare  # noqa: E402


def test_macro_f1_and_accuracy_agree_with_scikit_learn() -> None:
    from sklearn.metrics import accuracy_score, f1_score

    rng = random.Random(7)
    for _ in range(50):
        gold = [rng.choice("abc") for _ in range(40)]
        # predictions may name a label absent from gold ("d"): it costs precision
        # elsewhere but is not averaged in as a class of its own
        pred = [rng.choice("abcd") for _ in range(40)]
        want = f1_score(gold, pred, labels=sorted(set(gold)), average="macro", zero_division=0)
        assert compare.macro_f1(gold, pred) == pytest.approx(want)
        assert compare.accuracy(gold, pred) == pytest.approx(accuracy_score(gold, pred))


def test_metrics_reject_mismatched_lengths() -> None:
    with pytest.raises(compare.HarnessError, match="2 predictions for 3 gold"):
        compare.macro_f1(["a", "b", "a"], ["a", "b"])


def test_load_split_primary_whitespace_and_unlabelled_rows(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    rows = [
        {"text": "a  b\n c", "labels": ["x", "y"], "primary": "y"},
        {"text": "d", "labels": ["z"]},
        {"text": "e", "labels": []},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")
    texts, gold, dropped = compare.load_split(path)
    assert texts == ["a b c", "d"]
    assert gold == ["y", "z"]
    assert dropped == 1


def test_load_split_names_file_and_line_of_a_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "ok", "labels": ["a"]}\n{"labels": ["a"]}\n', encoding="utf-8")
    with pytest.raises(compare.HarnessError, match=r"bad\.jsonl:2"):
        compare.load_split(path)


def test_repeated_cycles_to_the_requested_count() -> None:
    assert compare.repeated(["a", "b", "c"], 7) == ["a", "b", "c", "a", "b", "c", "a"]
    assert compare.repeated(["a", "b"], 0) == ["a", "b"]


def test_shipped_configs_cover_every_data_set() -> None:
    configs = compare.read_configs(compare.HERE / "notetag_configs.json")
    assert set(configs) == set(compare.DATASETS)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"nope": {}}, "unknown data set 'nope'"),
        ({"agnews": {"not_a_param": 1}}, "not_a_param"),
        ({"agnews": [1]}, "expected an object"),
    ],
)
def test_bad_configs_are_rejected(tmp_path: Path, content: object, message: str) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    with pytest.raises(compare.HarnessError, match=message):
        compare.read_configs(path)


def test_ratio_row_divides_by_the_best_peer_in_each_direction() -> None:
    rows = {
        "notetag": {"name": "notetag", "macro_f1": 0.9, "train_s": 1.0, "notes_per_s_1": 1000.0},
        "sk_lr": {"name": "lr", "macro_f1": 0.8, "train_s": 4.0, "notes_per_s_1": 100.0},
        "ft": {"name": "ft", "macro_f1": 0.75, "train_s": 2.0, "notes_per_s_1": 400.0},
    }
    assert compare.best_peer(rows, "macro_f1", higher=True) == 0.8
    assert compare.best_peer(rows, "train_s", higher=False) == 2.0
    info = {
        "train": "t",
        "test": "v",
        "train_rows": 3,
        "test_rows": 3,
        "dropped_no_label": [0, 0],
        "labels": ["a"],
        "repeat": 3,
        "notetag_config": {},
    }
    table = compare.markdown({"dataset": "x", "info": info, "rows": rows})
    ratio_row = next(line for line in table.splitlines() if line.startswith("| notetag ÷ best peer"))
    cells = [c.strip() for c in ratio_row.strip("|").split("|")][1:]
    headings = [c[1] for c in compare.COLUMNS]
    by_heading = dict(zip(headings, cells))
    assert by_heading["macro-F1"] == f"{0.9 / 0.8:.2f}×"
    assert by_heading["train s"] == f"{1.0 / 2.0:.2f}×"
    assert by_heading["notes/s 1 thread"] == f"{1000.0 / 400.0:.2f}×"
    assert by_heading["model MB"] == "—"  # nobody measured it
    # the fastText target line uses fastText's own row, not the best peer's
    assert f"notes/s 1 thread ÷ fastText's (target ≥ 3×): {1000.0 / 400.0:.2f} ✗" in table


def test_the_best_round_counts_and_every_round_is_kept() -> None:
    row: dict = {}
    for nps, load, rss in [(100.0, 0.5, 10), (300.0, 0.2, 30), (200.0, 0.1, 20)]:
        compare.record_round(row, {"notes_per_s": nps, "load_s": load, "peak_rss_bytes": rss})
    assert row["notes_per_s_1_rounds"] == [100.0, 300.0, 200.0]
    assert (row["notes_per_s_1"], row["load_s"], row["rss_predict_bytes"]) == (300.0, 0.2, 30)


def test_speed_targets_are_also_reported_round_by_round() -> None:
    rows = {
        "notetag": {"name": "notetag", "notes_per_s_1": 3000.0, "notes_per_s_1_rounds": [3000.0, 1000.0, 2000.0]},
        "sk_lr": {"name": "lr", "notes_per_s_1": 100.0, "notes_per_s_1_rounds": [100.0, 80.0, 60.0]},
        "sk_cnb": {"name": "cnb", "notes_per_s_1": 150.0, "notes_per_s_1_rounds": [50.0, 150.0, 90.0]},
        "ft": {"name": "ft", "notes_per_s_1": 500.0, "notes_per_s_1_rounds": [500.0, 400.0, 300.0]},
    }
    # Each round against the fastest scikit-learn pipeline of that same round.
    assert compare.round_ratios(rows, ["sk_lr", "sk_cnb"]) == [30.0, 1000.0 / 150.0, 2000.0 / 90.0]
    lines = compare.targets(rows)
    sk = lines.index(next(t for t in lines if t.startswith("notes/s 1 thread ÷ fastest scikit-learn")))
    assert lines[sk].endswith(f"{3000.0 / 150.0:.2f} ✓")  # the best rounds, as before
    assert lines[sk + 1] == (
        "  round by round (each round against the same round's peer): "
        f"min {1000.0 / 150.0:.2f} / median {2000.0 / 90.0:.2f} / max 30.00; 2 of 3 rounds reach 20×"
    )
    ft = lines.index(next(t for t in lines if t.startswith("notes/s 1 thread ÷ fastText's")))
    assert lines[ft + 1].endswith("min 2.50 / median 6.00 / max 6.67; 2 of 3 rounds reach 3×")
    # A peer that missed a round: no round-by-round line rather than a wrong one.
    rows["sk_cnb"]["notes_per_s_1_rounds"] = [50.0, 150.0]
    assert compare.round_ratios(rows, ["sk_lr", "sk_cnb"]) == []
    assert not any("rounds reach 20×" in t for t in compare.targets(rows))
