"""notetag: fast, calibrated, multi-label topic tagging for short notes.

Nostr posts, tweets, micro-blog entries, newsletter paragraphs: use the embedded
default model (``geopolitics``, ``personal``, ``tech``, ``trade_finance``) or train
on your own labels in seconds. The work is done by notetag's Rust core, with the
GIL released, so several Python threads can predict at once.

Examples
--------
>>> import notetag
>>> clf = notetag.Classifier.default()
>>> clf.predict(["New GPU drivers and an open source compiler release."])
['tech']
"""

from ._classifier import Classifier
from ._errors import (
    InvalidDataError,
    InvalidModelError,
    InvalidParameterError,
    NotetagError,
    NotetagFileNotFoundError,
    NotetagIsADirectoryError,
    NotetagOSError,
    NotetagPermissionError,
    NotetagTypeError,
    NotFittedError,
    UnsupportedVersionError,
)
from ._notetag import FORMAT_VERSION, __version__

__all__ = [
    "Classifier",
    "FORMAT_VERSION",
    "InvalidDataError",
    "InvalidModelError",
    "InvalidParameterError",
    "NotFittedError",
    "NotetagError",
    "NotetagFileNotFoundError",
    "NotetagIsADirectoryError",
    "NotetagOSError",
    "NotetagPermissionError",
    "NotetagTypeError",
    "UnsupportedVersionError",
    "__version__",
]
