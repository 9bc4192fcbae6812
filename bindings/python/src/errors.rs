//! The one conversion from the core's error to a Python exception.
//!
//! The exception classes are defined in Python (`notetag/_errors.py`) because each
//! subclasses both `notetag.NotetagError` and the matching built-in (`ValueError`,
//! `TypeError`, `OSError`, ...), which needs multiple inheritance.

use std::io::ErrorKind;

use notetag::Error;
use pyo3::prelude::*;
use pyo3::types::PyType;

/// The Python exception class `name` of `notetag._errors`.
fn class<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyType>> {
    Ok(py.import("notetag._errors")?.getattr(name)?.cast_into::<PyType>()?)
}

/// An exception of class `name` (from `notetag._errors`) with one message.
pub fn raise(name: &str, message: impl Into<String>) -> PyErr {
    let message = message.into();
    Python::attach(|py| match class(py, name) {
        Ok(t) => PyErr::from_type(t, (message,)),
        Err(e) => e,
    })
}

/// `notetag.NotetagTypeError` (also a `TypeError`).
pub fn type_error(message: impl Into<String>) -> PyErr {
    raise("NotetagTypeError", message)
}

/// `notetag.InvalidParameterError` (also a `ValueError`).
pub fn param_error(message: impl Into<String>) -> PyErr {
    raise("InvalidParameterError", message)
}

/// The Python exception for a core error: the class says what kind of problem,
/// the message (the core's) says what and where.
pub fn to_py(e: Error) -> PyErr {
    let name = match &e {
        Error::InvalidParam { .. } | Error::Tokenizer(_) => "InvalidParameterError",
        Error::InvalidData(_) | Error::OneClass { .. } | Error::Record { .. } | Error::UnknownLabel(_) => {
            "InvalidDataError"
        }
        Error::InvalidModel { .. } | Error::Json(_) => "InvalidModelError",
        Error::UnsupportedVersion { .. } => "UnsupportedVersionError",
        Error::Io { path, source } => return os_error(path.as_deref(), source),
        _ => "NotetagError",
    };
    raise(name, e.to_string())
}

/// OSError subclasses take `(errno, strerror, filename)` so that `.errno` and
/// `.filename` are set as for the built-in ones.
fn os_error(path: Option<&std::path::Path>, source: &std::io::Error) -> PyErr {
    let name = match source.kind() {
        ErrorKind::NotFound => "NotetagFileNotFoundError",
        ErrorKind::PermissionDenied => "NotetagPermissionError",
        ErrorKind::IsADirectory => "NotetagIsADirectoryError",
        _ => "NotetagOSError",
    };
    let errno = source.raw_os_error().unwrap_or(0);
    let filename = path.map(|p| p.display().to_string());
    Python::attach(|py| match class(py, name) {
        Ok(t) => PyErr::from_type(t, (errno, source.to_string(), filename)),
        Err(e) => e,
    })
}
