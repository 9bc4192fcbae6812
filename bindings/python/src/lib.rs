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
mod learning;
mod model;
mod params;

use pyo3::prelude::*;

/// How many threads the core's parallel work gets with `threads` (as `n_jobs`
/// passes it: `None` for every core); for the tests.
#[pyfunction]
#[pyo3(name = "_threads_in_use", signature = (threads=None))]
fn threads_in_use(py: Python<'_>, threads: Option<usize>) -> PyResult<usize> {
    gil::threads_in_use(py, threads)
}

/// The language of each note: an ISO 639-1 code, or `und` when a note has too
/// little text to tell (on `threads` threads; `None`: every core).
#[pyfunction]
#[pyo3(signature = (texts, threads=None))]
fn predict_lang<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyAny>,
    threads: Option<usize>,
) -> PyResult<Bound<'py, pyo3::types::PyList>> {
    use rayon::prelude::*;
    let codes: Vec<&'static str> = input::with_texts(texts, "texts", |t| {
        gil::detached_on(py, threads, || {
            Ok(t.par_iter()
                .with_min_len(256)
                .map(|s| notetag::text::lang::detect(s))
                .collect())
        })
    })?;
    pyo3::types::PyList::new(py, codes)
}

/// The parameter vocabulary shared with the command line: one dict per
/// parameter (`name`, `kind`, `default`, `range`, `doc`).
#[pyfunction]
#[pyo3(name = "_param_table")]
fn param_table(py: Python<'_>) -> PyResult<Bound<'_, pyo3::types::PyList>> {
    params::table(py)
}

/// The compiled module.
#[pymodule]
fn _notetag(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<model::Model>()?;
    m.add_function(wrap_pyfunction!(threads_in_use, m)?)?;
    m.add_function(wrap_pyfunction!(predict_lang, m)?)?;
    m.add_function(wrap_pyfunction!(param_table, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("FORMAT_VERSION", notetag::persist::FORMAT_VERSION)?;
    Ok(())
}
