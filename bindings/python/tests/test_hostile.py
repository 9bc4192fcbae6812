"""Hostile input and damaged models through the Python API: odd text
is tagged, bad training data and damaged model bytes raise notetag's exceptions,
and unpickling a damaged payload raises, never crashes."""

from __future__ import annotations

import pickle
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, List, Tuple

import numpy as np
import pytest

import notetag

HEADER = 24  # magic 8 + version 4 + length 8 + CRC-32 4

HOSTILE_TEXTS: List[str] = [
    "",
    " \t \u00a0\u2003 ",
    "\0",
    "gm\0friends\0\0",
    "\ufeffwith a byte order mark",
    "line one\r\nline two\r\n",
    "مرحبا بالعالم، البنك المركزي رفع الفائدة",
    "\u202ertl override\u202c \u200fשלום\u200e",
    "\u200b\u200c\u200d\u2060\ufeff",
    "👨\u200d👩\u200d👧\u200d👦 🏳\ufe0f\u200d🌈 👍🏽 🇺🇦",
    "\U0001f468\u200d" * 5000,
    "e\u0301\u0301\u0301" * 1000,
    "x" * 100_000,
    "#" + "y" * 100_000,
    "1." * 50_000,
    "\U0010ffff\ufffd\ue000",
]


def _checksum(payload: bytes) -> bytes:
    """The header's checksum of a payload in the current format: CRC-32 of the
    version's four bytes, then the payload."""
    import zlib

    version = notetag.FORMAT_VERSION.to_bytes(4, "little")
    return (zlib.crc32(version + payload) & 0xFFFFFFFF).to_bytes(4, "little")


def _with_crc(model: bytes) -> bytes:
    return model[:20] + _checksum(model[HEADER:]) + model[HEADER:]


# --------------------------------------------------------------------- text


def test_hostile_texts_are_tagged(default: notetag.Classifier) -> None:
    pred = default.predict(HOSTILE_TEXTS)
    proba = default.predict_proba(HOSTILE_TEXTS)
    tags = default.tag(HOSTILE_TEXTS)
    assert len(pred) == len(tags) == len(HOSTILE_TEXTS)
    assert proba.shape == (len(HOSTILE_TEXTS), 4)
    assert np.all((proba >= 0) & (proba <= 1))
    assert set(pred) <= set(default.classes_)
    for text in HOSTILE_TEXTS:
        assert default.explain(text, k=2)["primary"] in default.classes_


def test_invisible_characters_do_not_change_the_tags(default: notetag.Classifier) -> None:
    plain = "the central bank held interest rates"
    variants = [
        "\ufeff" + plain,
        plain + "\r\n",
        plain.replace(" ", " \u200b"),
        "\u202e" + plain + "\u202c",
        plain.replace(" ", "\0"),
    ]
    want = default.predict_proba([plain])
    got = default.predict_proba(variants)
    assert np.array_equal(got, np.repeat(want, len(variants), axis=0))


def test_a_ten_megabyte_note(default: notetag.Classifier) -> None:
    unit = "Bond yields rose as the central bank signalled more rate rises. "
    text = unit * ((10 << 20) // len(unit) + 1)
    start = time.perf_counter()
    assert default.predict([text]) == ["trade_finance"]
    assert time.perf_counter() - start < 60


def test_lone_surrogates_raise_invalid_data_naming_the_item(default: notetag.Classifier) -> None:
    # Python str can hold lone surrogates; UTF-8 cannot.
    with pytest.raises(notetag.InvalidDataError, match=r"`texts\[1\]`.*surrogate"):
        default.predict(["fine", "bad \ud800 text"])
    with pytest.raises(notetag.InvalidDataError, match=r"`labels\[0\]`.*surrogate"):
        notetag.Classifier().fit(["a", "b"], ["\udfff", "x"])
    with pytest.raises(notetag.InvalidDataError, match=r"`text`.*surrogate"):
        default.explain("\ud83d")


# ------------------------------------------------------------ training data


def test_zero_rows_and_only_empty_label_lists() -> None:
    with pytest.raises(notetag.InvalidDataError, match="no training rows"):
        notetag.Classifier().fit([], [])
    with pytest.raises(notetag.InvalidDataError, match="none of the 3 rows carries a label"):
        notetag.Classifier().fit(["a", "b", "c"], [[], [], []])


def test_one_class_only() -> None:
    with pytest.raises(notetag.InvalidDataError, match="at least two classes"):
        notetag.Classifier(calibration_folds=2).fit([f"note {i}" for i in range(6)], ["only"] * 6)
    # One label and notes with no topic are two classes.
    clf = notetag.Classifier(calibration_folds=2).fit([f"note {i}" for i in range(8)], [["only"], []] * 4)
    assert clf.classes_.tolist() == ["only"]
    assert np.all(np.isfinite(clf.predict_proba(["anything"])))


def test_unknown_and_blank_labels(corpus) -> None:
    texts, labels = corpus
    bad = list(labels)
    bad[7] = "astrology"
    with pytest.raises(notetag.InvalidDataError, match=r"<training data>:8: .*unknown label `astrology`"):
        notetag.Classifier(classes=sorted(set(labels))).fit(texts, bad)
    with pytest.raises(notetag.InvalidParameterError, match="blank"):
        notetag.Classifier().fit(["a", "b"], ["x", "  "])


def test_conflicting_duplicates_and_a_single_example(corpus) -> None:
    texts, labels = corpus
    texts = list(texts) + ["the same words"] * 6 + ["a lonely note about knitting"]
    labels = list(labels) + ["tech", "personal", "finance"] * 2 + ["crafts"]
    clf = notetag.Classifier(calibration_folds=3).fit(texts, labels)
    assert "crafts" in clf.classes_.tolist()
    proba = clf.predict_proba(["the same words"])
    assert np.all((proba >= 0) & (proba <= 1))


def test_hostile_training_texts() -> None:
    texts = HOSTILE_TEXTS * 2
    labels = ["a", "b"] * len(HOSTILE_TEXTS)
    clf = notetag.Classifier(calibration_folds=2, bucket_bits=12).fit(texts, labels)
    back = notetag.Classifier.from_bytes(clf.to_bytes())
    assert np.array_equal(back.predict_proba(HOSTILE_TEXTS), clf.predict_proba(HOSTILE_TEXTS))


# ------------------------------------------------------------- model bytes


@pytest.fixture(scope="module")
def small_model_bytes(trained: notetag.Classifier) -> bytes:
    return trained.to_bytes()


def test_truncated_at_every_header_byte(small_model_bytes: bytes) -> None:
    for n in range(HEADER):
        with pytest.raises(notetag.InvalidModelError, match="truncated header|wrong magic"):
            notetag.Classifier.from_bytes(small_model_bytes[:n])
    for n in range(HEADER, len(small_model_bytes), max(1, len(small_model_bytes) // 50)):
        with pytest.raises(notetag.InvalidModelError, match="truncated or padded"):
            notetag.Classifier.from_bytes(small_model_bytes[:n])


def test_every_header_bit_flip(small_model_bytes: bytes) -> None:
    for bit in range(HEADER * 8):
        b = bytearray(small_model_bytes)
        b[bit // 8] ^= 1 << (bit % 8)
        with pytest.raises(notetag.InvalidModelError):
            notetag.Classifier.from_bytes(bytes(b))


def test_wrong_magic_and_newer_version(small_model_bytes: bytes) -> None:
    with pytest.raises(notetag.InvalidModelError, match="wrong magic"):
        notetag.Classifier.from_bytes(b"\x89PNG\r\n\x1a\n" + small_model_bytes[8:])
    newer = small_model_bytes[:8] + (notetag.FORMAT_VERSION + 1).to_bytes(4, "little") + small_model_bytes[12:]
    with pytest.raises(notetag.UnsupportedVersionError, match=f"version {notetag.FORMAT_VERSION + 1}"):
        notetag.Classifier.from_bytes(newer)


def test_declared_sizes_larger_than_the_data_fail_fast(small_model_bytes: bytes) -> None:
    tiny = bytearray(small_model_bytes[:1024])
    tiny[12:20] = (8 << 30).to_bytes(8, "little")
    start = time.perf_counter()
    with pytest.raises(notetag.InvalidModelError, match="declared payload of 8589934592 bytes"):
        notetag.Classifier.from_bytes(bytes(tiny))
    # A payload whose first length prefix (the label count) claims 2^62 entries.
    body = bytes([0xFF] * 8 + [0x3F]) + b"a" * 991
    header = b"NOTETAG\0" + notetag.FORMAT_VERSION.to_bytes(4, "little") + len(body).to_bytes(8, "little")
    with pytest.raises(notetag.InvalidModelError, match="cannot decode payload"):
        notetag.Classifier.from_bytes(header + _checksum(body) + body)
    assert time.perf_counter() - start < 1.0


def test_payload_bit_flips_behind_a_valid_checksum(small_model_bytes: bytes) -> None:
    good = small_model_bytes
    step = max(1, (len(good) - HEADER) * 8 // 3000)
    rejected = 0
    for bit in range(0, (len(good) - HEADER) * 8, step):
        b = bytearray(good)
        b[HEADER + bit // 8] ^= 1 << (bit % 8)
        try:
            m = notetag.Classifier.from_bytes(_with_crc(bytes(b)))
        except notetag.InvalidModelError:
            rejected += 1
            continue
        assert len(m.predict(["rates and chips"])) == 1
    assert rejected > 0


def test_damaged_model_file_names_the_file(small_model_bytes: bytes, tmp_path: Path) -> None:
    path = tmp_path / "damaged.ntag"
    path.write_bytes(small_model_bytes[: len(small_model_bytes) // 2])
    with pytest.raises(notetag.InvalidModelError, match=r"damaged\.ntag: .*truncated"):
        notetag.Classifier.load(path)


# ----------------------------------------------------------------- pickling


class _Reduced:
    """Pickles as a `Classifier` with a chosen state, as a damaged or forged file would."""

    def __init__(self, state: Dict[str, Any]) -> None:
        self.state = state

    def __reduce__(self) -> Tuple[Any, ...]:
        return (notetag.Classifier.__new__, (notetag.Classifier,), self.state)


def _pickle_with_model(clf: notetag.Classifier, payload: Any) -> bytes:
    state = clf.__getstate__()
    state["_model"] = payload
    return pickle.dumps(_Reduced(state))


def test_pickle_round_trip_still_works(trained: notetag.Classifier) -> None:
    back = pickle.loads(pickle.dumps(trained))
    assert np.array_equal(back.predict_proba(["gpu rates"]), trained.predict_proba(["gpu rates"]))
    forged = pickle.loads(_pickle_with_model(trained, trained.to_bytes()))
    assert forged.predict(["gpu rates"]) == trained.predict(["gpu rates"])


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda b: b[: len(b) // 2], "truncated or padded"),
        (lambda b: b[:10], "truncated header"),
        (lambda b: b"", "truncated header"),
        (lambda b: b[: len(b) // 2] + bytes([b[len(b) // 2] ^ 1]) + b[len(b) // 2 + 1 :], "checksum"),
        (lambda b: b"GIF89a" + b[6:], "wrong magic"),
        (lambda b: b[:8] + (2**32 - 1).to_bytes(4, "little") + b[12:], "version"),
    ],
)
def test_unpickling_a_damaged_model_raises(trained: notetag.Classifier, damage, message: str) -> None:
    data = _pickle_with_model(trained, damage(trained.to_bytes()))
    with pytest.raises(notetag.InvalidModelError, match=message):
        pickle.loads(data)


def test_unpickling_a_model_of_the_wrong_type_raises(trained: notetag.Classifier) -> None:
    with pytest.raises(notetag.NotetagTypeError, match="pickled model must be bytes, not str"):
        pickle.loads(_pickle_with_model(trained, "not bytes"))


# ------------------------------------------------------------------ threads


def test_eight_threads_predict_like_one(default: notetag.Classifier) -> None:
    texts = [f"note {i} about rates, chips and family \u200b👍🏽" for i in range(2000)] + HOSTILE_TEXTS
    want = default.predict_proba(texts)
    want_tags = default.tag(texts)

    def work(k: int):
        order = list(range(k * 251 % len(texts), len(texts))) + list(range(k * 251 % len(texts)))
        return order, default.predict_proba([texts[i] for i in order]), default.tag([texts[i] for i in order])

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(8)))
    for order, proba, tags in results:
        assert np.array_equal(proba, want[order])
        assert tags == [want_tags[i] for i in order]
