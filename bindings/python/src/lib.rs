//! `notetag._notetag`: the compiled half of the `notetag` Python package.
//!
//! The bindings only translate: Python values in ([`input`], [`params`]), a call
//! into the core with the GIL released ([`gil::detached`]), Python values out, and
//! core errors to Python exceptions ([`errors::to_py`]). The user-facing API
//! (`notetag.Classifier`, scikit-learn conventions, docstrings) is pure Python in
//! `python/notetag/`.

mod errors;
mod gil;
mod input;
mod model;
mod params;

use pyo3::prelude::*;

/// The compiled module.
#[pymodule]
fn _notetag(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<model::Model>()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("FORMAT_VERSION", notetag::persist::FORMAT_VERSION)?;
    Ok(())
}
