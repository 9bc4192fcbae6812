//! Python values in: texts and labels from any iterable (lists, tuples, numpy
//! string arrays, pandas Series, generators), with type errors that name the item.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

use crate::errors::{raise, type_error};

/// The UTF-8 of a Python `str`, borrowed from the string (no copy); one with
/// lone surrogates (which UTF-8 cannot hold) is `InvalidDataError` naming the item.
fn utf8<'a>(s: &'a Bound<'_, PyString>, what: impl FnOnce() -> String) -> PyResult<&'a str> {
    s.to_str().map_err(|e| {
        let reason = e.value(s.py()).to_string();
        raise("InvalidDataError", format!("`{}` is not valid text: {reason}", what()))
    })
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}

/// One note.
pub fn text(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    match obj.cast::<PyString>() {
        Ok(s) => utf8(s, || what.to_string()).map(str::to_owned),
        Err(_) => Err(type_error(format!("`{what}` must be str, not {}", type_name(obj)))),
    }
}

/// Iterate `obj`, refusing a lone string (a common slip for `[text]`).
fn items<'py>(obj: &Bound<'py, PyAny>, what: &str) -> PyResult<Bound<'py, pyo3::types::PyIterator>> {
    if obj.is_instance_of::<PyString>() || obj.is_instance_of::<PyBytes>() {
        return Err(type_error(format!(
            "`{what}` must be an iterable of str, not a single {}; wrap one note in a list",
            type_name(obj)
        )));
    }
    obj.try_iter().map_err(|_| {
        type_error(format!(
            "`{what}` must be an iterable of str (list, numpy array, pandas Series), not {}",
            type_name(obj)
        ))
    })
}

/// Notes: every item must be a `str` (numpy `str_` counts). Borrow their text
/// with [`strs`].
fn str_items<'py>(obj: &Bound<'py, PyAny>, what: &str) -> PyResult<Vec<Bound<'py, PyString>>> {
    let mut out = Vec::with_capacity(obj.len().unwrap_or(0));
    for (i, item) in items(obj, what)?.enumerate() {
        let item = item?;
        match item.cast_into::<PyString>() {
            Ok(s) => out.push(s),
            Err(e) => {
                return Err(type_error(format!(
                    "`{what}[{i}]` is {}, not str (drop or fill missing notes first)",
                    type_name(e.into_inner().as_any())
                )))
            }
        }
    }
    Ok(out)
}

/// The text of each of `items` ([`str_items`]), borrowed from the Python strings.
fn strs<'a>(items: &'a [Bound<'_, PyString>], what: &str) -> PyResult<Vec<&'a str>> {
    items
        .iter()
        .enumerate()
        .map(|(i, s)| utf8(s, || format!("{what}[{i}]")))
        .collect()
}

/// Call `f` with the notes of `obj`, borrowed from their Python strings (see
/// [`str_items`]).
pub fn with_texts<R>(obj: &Bound<'_, PyAny>, what: &str, f: impl FnOnce(&[&str]) -> PyResult<R>) -> PyResult<R> {
    let items = str_items(obj, what)?;
    f(&strs(&items, what)?)
}

/// Notes, copied out of Python (for values kept beyond the call).
pub fn texts(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<String>> {
    Ok(strs(&str_items(obj, what)?, what)?
        .into_iter()
        .map(str::to_owned)
        .collect())
}

/// Labels, one entry per note: a `str` (one label) or an iterable of `str`
/// (several, the first being the primary; empty for none).
pub fn label_lists(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<Vec<String>>> {
    let mut out = Vec::with_capacity(obj.len().unwrap_or(0));
    for (i, item) in items(obj, what)?.enumerate() {
        let item = item?;
        if let Ok(s) = item.cast::<PyString>() {
            out.push(vec![utf8(s, || format!("{what}[{i}]"))?.to_owned()]);
            continue;
        }
        let inner = items(&item, &format!("{what}[{i}]")).map_err(|_| {
            type_error(format!(
                "`{what}[{i}]` is {}: each entry must be a str label or a list of str labels",
                type_name(&item)
            ))
        })?;
        let mut set = Vec::new();
        for (j, l) in inner.enumerate() {
            let l = l?;
            match l.cast::<PyString>() {
                Ok(s) => set.push(utf8(s, || format!("{what}[{i}][{j}]"))?.to_owned()),
                Err(_) => {
                    return Err(type_error(format!(
                        "`{what}[{i}][{j}]` is {}, not a str label",
                        type_name(&l)
                    )))
                }
            }
        }
        out.push(set);
    }
    Ok(out)
}
