"""Bad input raises notetag's exceptions, which also subclass the matching
built-ins, with messages that say what and where."""

from __future__ import annotations

import errno
from pathlib import Path

import numpy as np
import pytest

import notetag


def test_hierarchy() -> None:
    assert issubclass(notetag.InvalidParameterError, (notetag.NotetagError, ValueError))
    assert issubclass(notetag.InvalidDataError, ValueError)
    assert issubclass(notetag.InvalidModelError, ValueError)
    assert issubclass(notetag.UnsupportedVersionError, notetag.InvalidModelError)
    assert issubclass(notetag.NotetagTypeError, TypeError)
    assert issubclass(notetag.NotetagFileNotFoundError, FileNotFoundError)
    assert issubclass(notetag.NotetagOSError, OSError)
    assert issubclass(notetag.NotFittedError, AttributeError)
    for name in notetag.__all__:
        obj = getattr(notetag, name)
        if isinstance(obj, type) and issubclass(obj, BaseException):
            assert issubclass(obj, notetag.NotetagError), name
            assert obj.__module__ == "notetag"


# ------------------------------------------------------------- wrong types


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        ("one note", "not a single str"),
        (b"bytes", "not a single bytes"),
        (42, "must be an iterable of str"),
        (None, "must be an iterable of str"),
        (["ok", 3], r"`texts\[1\]` is int, not str"),
        (["ok", None], r"`texts\[1\]` is NoneType"),
        ([b"bytes"], r"`texts\[0\]` is bytes"),
        (np.array([1.5, 2.5]), r"`texts\[0\]` is (float64|float)"),
    ],
)
def test_texts_of_wrong_type(trained: notetag.Classifier, texts, message: str) -> None:
    for method in (trained.predict, trained.predict_proba, trained.tag):
        with pytest.raises(notetag.NotetagTypeError, match=message):
            method(texts)


def test_nan_in_pandas_series(trained: notetag.Classifier) -> None:
    pd = pytest.importorskip("pandas")
    with pytest.raises(TypeError, match=r"`texts\[1\]` is float"):
        trained.predict(pd.Series(["ok", None]))


def test_explain_wants_one_str(trained: notetag.Classifier) -> None:
    with pytest.raises(notetag.NotetagTypeError, match="`text` must be str, not list"):
        trained.explain(["a list"])  # type: ignore[arg-type]
    with pytest.raises(notetag.InvalidParameterError, match="`k`"):
        trained.explain("x", k=-1)


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        ([None, "a"], r"`labels\[0\]` is NoneType"),
        ([["a", None], ["b"]], r"`labels\[0\]\[1\]` is NoneType"),
        ([b"a", "b"], r"`labels\[0\]` is bytes"),
        ("ab", "not a single str"),
    ],
)
def test_labels_of_wrong_type(labels, message: str) -> None:
    with pytest.raises(notetag.NotetagTypeError, match=message):
        notetag.Classifier().fit(["a", "b"], labels)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"c": "big"}, "parameter `c` must be a number, not str"),
        ({"max_iter": 2.5}, "parameter `max_iter` must be an int"),
        ({"word_ngrams": 2}, "parameter `word_ngrams` must be a pair of ints"),
        ({"word_ngrams": (1, 2, 3)}, "parameter `word_ngrams` must be a pair of ints"),
        ({"quantize": "yes"}, "parameter `quantize` must be a bool"),
        ({"learner": 1}, "must be str"),
        ({"classes": [1, 2]}, r"`classes\[0\]` is int"),
    ],
)
def test_parameters_of_wrong_type(corpus, params, message: str) -> None:
    with pytest.raises(notetag.NotetagTypeError, match=message):
        notetag.Classifier(**params).fit(*corpus)


# ---------------------------------------------------------- bad values


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"c": -1.0}, "invalid parameter `c`"),
        ({"c": float("nan")}, "invalid parameter `c`"),
        ({"alpha": 0.0, "learner": "nb"}, "invalid parameter `alpha`"),
        ({"learner": "forest"}, "`forest`: expected"),
        ({"loss": "log"}, "invalid parameter `loss`"),
        ({"word_ngrams": (3, 1)}, "invalid parameter `word_ngrams`"),
        ({"char_ngrams": (0, 9)}, "invalid parameter `char_ngrams`"),
        ({"bucket_bits": 30}, "invalid parameter `bucket_bits`"),
        ({"bucket_bits": 300}, "invalid parameter `bucket_bits`: 300 is out of range"),
        ({"seed": -1}, "invalid parameter `seed`"),
        ({"min_df": 0}, "invalid parameter `min_df`"),
        ({"calibration_folds": 1}, "invalid parameter `calibration_folds`"),
        ({"classes": []}, "invalid parameter `classes`"),
        ({"classes": ["a", "a"]}, "appears twice"),
        ({"tokenizer": "not json"}, "tokenizer"),
    ],
)
def test_parameters_out_of_range(corpus, params, message: str) -> None:
    with pytest.raises(notetag.InvalidParameterError, match=message) as e:
        notetag.Classifier(**params).fit(*corpus)
    assert isinstance(e.value, ValueError)


def test_tag_options_out_of_range(trained: notetag.Classifier) -> None:
    with pytest.raises(notetag.InvalidParameterError, match="top_k"):
        trained.tag(["x"], top_k=-1)
    for bad in (float("nan"), -0.1, 1.01):
        with pytest.raises(notetag.InvalidParameterError, match="need a probability"):
            trained.tag(["x"], threshold=bad)


def test_unknown_label_in_a_fixed_set_names_the_row(corpus) -> None:
    texts, labels = corpus
    clf = notetag.Classifier(classes=["finance", "personal", "tech"])
    row = labels.index("world") + 1
    with pytest.raises(notetag.InvalidDataError, match=rf"<training data>:{row}: .*unknown label `world`"):
        clf.fit(texts, labels)


def test_empty_training_data() -> None:
    with pytest.raises(notetag.InvalidDataError, match="no training rows"):
        notetag.Classifier().fit([], [])
    with pytest.raises(notetag.InvalidDataError, match="carries a label"):
        notetag.Classifier().fit(["a", "b"], [[], []])


def test_lengths_differ(trained: notetag.Classifier) -> None:
    with pytest.raises(notetag.InvalidDataError, match="3 texts but 2 label lists"):
        notetag.Classifier().fit(["a", "b", "c"], ["x", "y"])
    with pytest.raises(notetag.InvalidDataError, match="3 texts but 2 labels"):
        trained.score(["a", "b", "c"], ["x", "y"])


# ------------------------------------------------------------ model files


def test_bad_model_bytes(trained: notetag.Classifier) -> None:
    good = trained.to_bytes()
    with pytest.raises(notetag.InvalidModelError, match="wrong magic bytes"):
        notetag.Classifier.from_bytes(b"PK\x03\x04 a zip file, not a model")
    with pytest.raises(notetag.InvalidModelError, match="truncated"):
        notetag.Classifier.from_bytes(good[:-10])
    with pytest.raises(notetag.InvalidModelError, match="truncated header"):
        notetag.Classifier.from_bytes(good[:10])
    damaged = bytearray(good)
    damaged[len(good) // 2] ^= 0xFF
    with pytest.raises(notetag.InvalidModelError, match="checksum"):
        notetag.Classifier.from_bytes(bytes(damaged))
    newer = bytearray(good)
    newer[8:12] = (notetag.FORMAT_VERSION + 1).to_bytes(4, "little")
    with pytest.raises(notetag.UnsupportedVersionError, match="upgrade notetag") as e:
        notetag.Classifier.from_bytes(bytes(newer))
    assert isinstance(e.value, ValueError)
    with pytest.raises(notetag.NotetagTypeError, match="must be bytes"):
        notetag.Classifier.from_bytes("NOTETAG")  # type: ignore[arg-type]


def test_bad_model_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("just some notes\n")
    with pytest.raises(notetag.InvalidModelError, match=r"invalid model .*notes\.txt: .*magic"):
        notetag.Classifier.load(path)


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.ntag"
    with pytest.raises(notetag.NotetagFileNotFoundError) as e:
        notetag.Classifier.load(missing)
    assert isinstance(e.value, FileNotFoundError)
    assert e.value.errno == errno.ENOENT
    assert e.value.filename == str(missing)


def test_directory_is_not_a_model(tmp_path: Path) -> None:
    with pytest.raises(notetag.NotetagOSError) as e:
        notetag.Classifier.load(tmp_path)
    assert isinstance(e.value, OSError)


def test_save_into_missing_folder(trained: notetag.Classifier, tmp_path: Path) -> None:
    with pytest.raises(notetag.NotetagFileNotFoundError):
        trained.save(tmp_path / "no" / "such" / "dir" / "m.ntag")


def test_path_of_wrong_type(trained: notetag.Classifier) -> None:
    with pytest.raises(notetag.NotetagTypeError, match="`path` must be str or os.PathLike"):
        notetag.Classifier.load(42)  # type: ignore[arg-type]
    with pytest.raises(notetag.NotetagTypeError):
        trained.save(None)  # type: ignore[arg-type]
