//! The one helper that releases the GIL around heavy calls into the core.

use pyo3::prelude::*;

use crate::errors;

/// Run `f` detached from the interpreter (other Python threads run meanwhile) and
/// turn a core error into the matching Python exception.
///
/// `f` must not touch Python objects: convert inputs before and outputs after.
pub fn detached<T, F>(py: Python<'_>, f: F) -> PyResult<T>
where
    T: Send,
    F: Send + FnOnce() -> notetag::Result<T>,
{
    py.detach(f).map_err(errors::to_py)
}
