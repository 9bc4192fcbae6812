//! Learning past one fit: autotune (a parameter search within a time budget) and
//! updates from corrections. `model.rs` wraps the results in `_Model`.

use notetag::model::autotune::Trial;
use notetag::{AutotuneOptions, Classifier, Error, Example, TuneMetric, UpdateReport};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::errors::raise;
use crate::gil::detached_on;
use crate::{input, params};

/// Core examples from `texts` and label lists, one entry each.
fn examples(texts: &[&str], labels: Vec<Vec<String>>) -> PyResult<Vec<Example>> {
    if texts.len() != labels.len() {
        return Err(raise(
            "InvalidDataError",
            format!("{} texts but {} label entries", texts.len(), labels.len()),
        ));
    }
    Ok(texts.iter().zip(labels).map(|(t, l)| Example::multi(*t, l)).collect())
}

/// An error about the update's `row`-th example (1-based), named by its Python
/// position (`labels[i]`) instead.
fn at_position(e: Error) -> Error {
    match e {
        Error::Record { line, message, .. } => {
            let message = message.trim_start_matches("field `labels`: ");
            Error::InvalidData(format!("labels[{}]: {message}", line.saturating_sub(1)))
        }
        other => other,
    }
}

/// `clf` corrected by `texts` with their right `labels` (on `threads` threads).
pub fn update(
    py: Python<'_>,
    clf: &Classifier,
    texts: &Bound<'_, PyAny>,
    labels: &Bound<'_, PyAny>,
    threads: Option<usize>,
) -> PyResult<(Classifier, UpdateReport)> {
    input::with_texts(texts, "texts", |texts| {
        let ex = examples(texts, input::label_lists(labels, "labels")?)?;
        detached_on(py, threads, || clf.updated(&ex).map_err(at_position))
    })
}

/// What an update did, as a dict.
pub fn report<'py>(py: Python<'py>, r: &UpdateReport) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("examples", r.examples)?;
    d.set_item("wrong_before", r.wrong_before)?;
    d.set_item("wrong_after", r.wrong_after)?;
    d.set_item("unlearnable", r.unlearnable)?;
    d.set_item("passes", r.passes)?;
    Ok(d)
}

/// The best model a search of `seconds` finds for `metric` from the keyword
/// parameters `params`, and every candidate tried (best first).
pub fn autotune(
    py: Python<'_>,
    texts: &Bound<'_, PyAny>,
    labels: &Bound<'_, PyAny>,
    search: (&Bound<'_, PyDict>, f64, &str),
    threads: Option<usize>,
) -> PyResult<(Classifier, Vec<Trial>)> {
    let (params, seconds, metric) = search;
    let p = params::from_dict(params)?;
    let options = metric
        .parse::<TuneMetric>()
        .and_then(|m| Ok(AutotuneOptions::new(seconds)?.metric(m)))
        .map_err(crate::errors::to_py)?;
    input::with_texts(texts, "texts", |texts| {
        let ex = examples(texts, input::label_lists(labels, "labels")?)?;
        let tuned = detached_on(py, threads, || p.autotune(&ex, &options))?;
        Ok((tuned.classifier, tuned.leaderboard))
    })
}

/// The leaderboard as a list of dicts: `params` (keyword arguments), `score`,
/// `macro_f1`, `seconds`.
pub fn leaderboard<'py>(py: Python<'py>, trials: &[Trial]) -> PyResult<Bound<'py, PyList>> {
    let out = PyList::empty(py);
    for t in trials {
        let d = PyDict::new(py);
        d.set_item("params", params::to_dict(py, &t.params)?)?;
        d.set_item("score", t.score)?;
        d.set_item("macro_f1", t.macro_f1)?;
        d.set_item("seconds", t.seconds)?;
        out.append(d)?;
    }
    Ok(out)
}
