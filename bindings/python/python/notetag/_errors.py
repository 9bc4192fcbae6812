"""The exceptions notetag raises.

Every one derives from :class:`NotetagError`, and also from the built-in that
matches the kind of problem, so ``except ValueError`` and ``except OSError`` work
as they do with any other library.
"""

from __future__ import annotations

__all__ = [
    "NotetagError",
    "InvalidParameterError",
    "InvalidDataError",
    "InvalidModelError",
    "UnsupportedVersionError",
    "NotFittedError",
    "NotetagTypeError",
    "NotetagOSError",
    "NotetagFileNotFoundError",
    "NotetagPermissionError",
    "NotetagIsADirectoryError",
]


class NotetagError(Exception):
    """Root of every exception raised by notetag."""


class InvalidParameterError(NotetagError, ValueError):
    """A parameter is outside its documented range, or unknown."""


class InvalidDataError(NotetagError, ValueError):
    """Training or evaluation data cannot be used as given (no rows, no labels,
    a label outside a fixed label set, texts and labels of different lengths)."""


class InvalidModelError(NotetagError, ValueError):
    """Bytes or a file that are not a valid notetag model (wrong magic bytes,
    truncated, damaged)."""


class UnsupportedVersionError(InvalidModelError):
    """A model written in a format version this build cannot read."""


class NotFittedError(NotetagError, ValueError, AttributeError):
    """The classifier was used before ``fit`` (or ``load``/``default``)."""


class NotetagTypeError(NotetagError, TypeError):
    """An argument of the wrong type (e.g. a number where a note was expected)."""


class NotetagOSError(NotetagError, OSError):
    """A file could not be read or written."""


class NotetagFileNotFoundError(NotetagOSError, FileNotFoundError):
    """A file that does not exist."""


class NotetagPermissionError(NotetagOSError, PermissionError):
    """A file that may not be read or written."""


class NotetagIsADirectoryError(NotetagOSError, IsADirectoryError):
    """A folder where a file was expected."""


for _cls in (
    NotetagError,
    InvalidParameterError,
    InvalidDataError,
    InvalidModelError,
    UnsupportedVersionError,
    NotFittedError,
    NotetagTypeError,
    NotetagOSError,
    NotetagFileNotFoundError,
    NotetagPermissionError,
    NotetagIsADirectoryError,
):
    _cls.__module__ = "notetag"
del _cls
