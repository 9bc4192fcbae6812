//! Keyword parameters <-> [`ClassifierParams`], by the core's parameter
//! vocabulary ([`PARAMS`]).
//!
//! The Python `Classifier` passes its constructor arguments as one dict; every
//! key is optional (missing ones keep the core's default), unknown keys are an
//! error. Each value is read as its parameter's kind says; the ranges are
//! checked once, by the core (`ClassifierParams::check`).

use notetag::model::{find_param, Kind, Param, ValidParams, Value, PARAMS};
use notetag::ClassifierParams;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyList};

use crate::errors::{param_error, to_py, type_error};
use crate::input;

fn type_name(v: &Bound<'_, PyAny>) -> String {
    v.get_type().name().map(|n| n.to_string()).unwrap_or_default()
}

fn float(v: &Bound<'_, PyAny>, key: &str) -> PyResult<f64> {
    if v.is_instance_of::<PyBool>() {
        return Err(type_error(format!("parameter `{key}` must be a number, not bool")));
    }
    v.extract::<f64>()
        .map_err(|_| type_error(format!("parameter `{key}` must be a number, not {}", type_name(v))))
}

fn int(v: &Bound<'_, PyAny>, key: &str) -> PyResult<i64> {
    if v.is_instance_of::<PyBool>() {
        return Err(type_error(format!("parameter `{key}` must be an int, not bool")));
    }
    v.extract()
        .map_err(|_| type_error(format!("parameter `{key}` must be an int, not {}", type_name(v))))
}

fn boolean(v: &Bound<'_, PyAny>, key: &str) -> PyResult<bool> {
    v.extract()
        .map_err(|_| type_error(format!("parameter `{key}` must be a bool, not {}", type_name(v))))
}

fn pair(v: &Bound<'_, PyAny>, key: &str) -> PyResult<Value> {
    let bad = || {
        type_error(format!(
            "parameter `{key}` must be a pair of ints such as (1, 2), not {}",
            type_name(v)
        ))
    };
    let items: Vec<Bound<'_, PyAny>> = v.try_iter().map_err(|_| bad())?.collect::<PyResult<_>>()?;
    match items.as_slice() {
        [a, b] => Ok(Value::Range(int(a, key)?, int(b, key)?)),
        _ => Err(bad()),
    }
}

/// A Python value as the value of parameter `p`.
fn value(p: &Param, v: &Bound<'_, PyAny>) -> PyResult<Value> {
    let key = p.name;
    let optional = matches!(p.kind, Kind::OptionalRange | Kind::OptionalText | Kind::OptionalList);
    if optional && v.is_none() {
        return Ok(Value::None);
    }
    Ok(match p.kind {
        Kind::Bool => Value::Bool(boolean(v, key)?),
        Kind::Int => Value::Int(int(v, key)?),
        Kind::Float => Value::Float(float(v, key)?),
        Kind::Choice(choices) => {
            let s = input::text(v, &format!("parameter {key}"))?;
            if !choices.contains(&s.as_str()) {
                let expected: Vec<String> = choices.iter().map(|c| format!("\"{c}\"")).collect();
                return Err(param_error(format!(
                    "invalid parameter `{key}`: `{s}`: expected {}",
                    expected.join(", ")
                )));
            }
            Value::Text(s)
        }
        Kind::Range | Kind::OptionalRange => pair(v, key)?,
        Kind::OptionalText => Value::Text(input::text(v, &format!("parameter {key}"))?),
        Kind::OptionalList => Value::List(input::texts(v, key)?),
        _ => {
            return Err(param_error(format!(
                "parameter `{key}` has a kind this build cannot read"
            )))
        }
    })
}

/// Checked parameters from keyword arguments (`None` values mean "not set",
/// except for the optional parameters, where `None` is a setting).
pub fn from_dict(d: &Bound<'_, PyDict>) -> PyResult<ValidParams> {
    let mut values = Vec::with_capacity(d.len());
    for (k, v) in d.iter() {
        let key: String = k.extract().map_err(|_| type_error("parameter names must be str"))?;
        let p = find_param(&key).map_err(|_| {
            let known: Vec<&str> = PARAMS.iter().map(|p| p.name).collect();
            param_error(format!("unknown parameter `{key}` (known: {})", known.join(", ")))
        })?;
        let optional = matches!(p.kind, Kind::OptionalRange | Kind::OptionalText | Kind::OptionalList);
        if v.is_none() && !optional {
            continue;
        }
        values.push((p.name, value(p, &v)?));
    }
    let params = ClassifierParams::from_values(values).map_err(to_py)?;
    params.check().map_err(to_py)
}

/// A parameter value as a Python value.
fn to_py_value<'py>(py: Python<'py>, v: Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Bool(b) => b.into_pyobject(py)?.to_owned().into_any(),
        Value::Int(i) => i.into_pyobject(py)?.into_any(),
        Value::Float(x) => x.into_pyobject(py)?.into_any(),
        Value::Text(s) => s.into_pyobject(py)?.into_any(),
        Value::Range(a, b) => (a, b).into_pyobject(py)?.into_any(),
        Value::List(l) => PyList::new(py, l)?.into_any(),
        _ => py.None().into_bound(py),
    })
}

/// Keyword arguments that reproduce `p` (every name in [`PARAMS`]).
pub fn to_dict<'py>(py: Python<'py>, p: &ClassifierParams) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (name, v) in p.values() {
        d.set_item(name, to_py_value(py, v)?)?;
    }
    Ok(d)
}

/// The parameter vocabulary: one dict per parameter (`name`, `kind`,
/// `default` as a Python value, `range`, `doc`), in the constructor's order.
pub fn table<'py>(py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
    let defaults = ClassifierParams::default().values();
    let out = PyList::empty(py);
    for (p, (_, default)) in PARAMS.iter().zip(defaults) {
        let d = PyDict::new(py);
        d.set_item("name", p.name)?;
        d.set_item("kind", format!("{:?}", p.kind).split('(').next().unwrap_or_default())?;
        d.set_item("default", to_py_value(py, default)?)?;
        d.set_item("range", p.range)?;
        d.set_item("doc", p.doc)?;
        out.append(d)?;
    }
    Ok(out)
}
