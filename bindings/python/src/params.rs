//! Keyword parameters <-> [`ClassifierParams`].
//!
//! The Python `Classifier` passes its constructor arguments as one dict; every
//! key is optional (missing ones keep the core's default), unknown keys are an
//! error. The ranges are checked by the core (`ClassifierParams::check`).

use notetag::model::EnsembleParams;
use notetag::{ClassifierParams, LearnerConfig, NbParams, SvmLoss, SvmParams, Tokenization};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict};

use crate::errors::{param_error, type_error};
use crate::input;

/// Every parameter name, in the order of the Python constructor.
pub const NAMES: [&str; 20] = [
    "learner",
    "c",
    "loss",
    "balanced",
    "max_iter",
    "tol",
    "nb_ratio",
    "alpha",
    "nb_weight",
    "word_ngrams",
    "char_ngrams",
    "char_weight",
    "bucket_bits",
    "sublinear_tf",
    "min_df",
    "tokenizer",
    "calibration_folds",
    "seed",
    "quantize",
    "classes",
];

fn type_name(v: &Bound<'_, PyAny>) -> String {
    v.get_type().name().map(|n| n.to_string()).unwrap_or_default()
}

fn float(v: &Bound<'_, PyAny>, key: &str) -> PyResult<f32> {
    if v.is_instance_of::<PyBool>() {
        return Err(type_error(format!("parameter `{key}` must be a number, not bool")));
    }
    v.extract::<f64>()
        .map(|x| x as f32)
        .map_err(|_| type_error(format!("parameter `{key}` must be a number, not {}", type_name(v))))
}

fn int<T: TryFrom<i64>>(v: &Bound<'_, PyAny>, key: &str) -> PyResult<T> {
    if v.is_instance_of::<PyBool>() {
        return Err(type_error(format!("parameter `{key}` must be an int, not bool")));
    }
    let x: i64 = v
        .extract()
        .map_err(|_| type_error(format!("parameter `{key}` must be an int, not {}", type_name(v))))?;
    T::try_from(x).map_err(|_| param_error(format!("invalid parameter `{key}`: {x} is out of range")))
}

fn boolean(v: &Bound<'_, PyAny>, key: &str) -> PyResult<bool> {
    v.extract()
        .map_err(|_| type_error(format!("parameter `{key}` must be a bool, not {}", type_name(v))))
}

fn string(v: &Bound<'_, PyAny>, key: &str) -> PyResult<String> {
    input::text(v, &format!("parameter {key}"))
}

fn pair(v: &Bound<'_, PyAny>, key: &str) -> PyResult<[u8; 2]> {
    let bad = || {
        type_error(format!(
            "parameter `{key}` must be a pair of ints such as (1, 2), not {}",
            type_name(v)
        ))
    };
    let items: Vec<Bound<'_, PyAny>> = v.try_iter().map_err(|_| bad())?.collect::<PyResult<_>>()?;
    match items.as_slice() {
        [a, b] => Ok([int(a, key)?, int(b, key)?]),
        _ => Err(bad()),
    }
}

/// Parameters from keyword arguments (`None` values mean "not set" except for
/// `char_ngrams`, `tokenizer` and `classes`, where `None` is a setting).
pub fn from_dict(d: &Bound<'_, PyDict>) -> PyResult<ClassifierParams> {
    let mut p = ClassifierParams::default();
    let mut svm = SvmParams::default();
    let mut nb = NbParams::default();
    let mut nb_weight = 1.0f32;
    let mut learner = "svm".to_string();
    for (k, v) in d.iter() {
        let key: String = k.extract().map_err(|_| type_error("parameter names must be str"))?;
        let key = key.as_str();
        if v.is_none() && !matches!(key, "char_ngrams" | "tokenizer" | "classes") {
            continue;
        }
        match key {
            "learner" => learner = string(&v, key)?,
            "c" => svm.c = float(&v, key)?,
            "loss" => {
                svm.loss = match string(&v, key)?.as_str() {
                    "hinge" => SvmLoss::Hinge,
                    "squared_hinge" => SvmLoss::SquaredHinge,
                    other => {
                        return Err(param_error(format!(
                            "invalid parameter `loss`: `{other}`: expected \"hinge\" or \"squared_hinge\""
                        )))
                    }
                }
            }
            "balanced" => svm.balanced = boolean(&v, key)?,
            "max_iter" => svm.max_iter = int(&v, key)?,
            "tol" => svm.tol = float(&v, key)?,
            "nb_ratio" => svm.nb_ratio = boolean(&v, key)?,
            "alpha" => nb.alpha = float(&v, key)?,
            "nb_weight" => nb_weight = float(&v, key)?,
            "word_ngrams" => p.text.word_ngrams = pair(&v, key)?,
            "char_ngrams" => p.text.char_ngrams = if v.is_none() { None } else { Some(pair(&v, key)?) },
            "char_weight" => p.text.char_weight = float(&v, key)?,
            "bucket_bits" => p.text.bucket_bits = int(&v, key)?,
            "sublinear_tf" => p.text.sublinear_tf = boolean(&v, key)?,
            "min_df" => p.text.min_df = int(&v, key)?,
            "tokenizer" => {
                p.text.tokenization = if v.is_none() {
                    Tokenization::Fast
                } else {
                    Tokenization::HuggingFace {
                        config: string(&v, key)?,
                    }
                }
            }
            "calibration_folds" => p.calibration_folds = int(&v, key)?,
            "seed" => p.seed = int(&v, key)?,
            "quantize" => p.quantize = boolean(&v, key)?,
            "classes" => {
                p.labels = if v.is_none() {
                    None
                } else {
                    Some(input::texts(&v, key)?)
                }
            }
            other => {
                return Err(param_error(format!(
                    "unknown parameter `{other}` (known: {})",
                    NAMES.join(", ")
                )))
            }
        }
    }
    p.learner = match learner.as_str() {
        "svm" => LearnerConfig::Svm(svm),
        "nb" | "complement_nb" => LearnerConfig::ComplementNb(nb),
        "svm+nb" => LearnerConfig::Ensemble(EnsembleParams {
            members: vec![
                (LearnerConfig::Svm(svm), 1.0),
                (LearnerConfig::ComplementNb(nb), nb_weight),
            ],
        }),
        other => {
            return Err(param_error(format!(
                "invalid parameter `learner`: `{other}`: expected \"svm\", \"nb\" or \"svm+nb\""
            )))
        }
    };
    p.check().map_err(crate::errors::to_py)?;
    Ok(p)
}

/// An `f32` as the shortest decimal that reads back to it (0.05, not 0.0500000007).
fn decimal(x: f32) -> f64 {
    x.to_string().parse().unwrap_or(f64::from(x))
}

/// Keyword arguments that reproduce `p` (every name in [`NAMES`]).
pub fn to_dict<'py>(py: Python<'py>, p: &ClassifierParams) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    let (name, svm, nb, nb_weight) = match &p.learner {
        LearnerConfig::Svm(s) => ("svm", s.clone(), NbParams::default(), 1.0),
        LearnerConfig::ComplementNb(n) => ("nb", SvmParams::default(), n.clone(), 1.0),
        LearnerConfig::Ensemble(e) => match e.members.as_slice() {
            [(LearnerConfig::Svm(s), w), (LearnerConfig::ComplementNb(n), nw)] => {
                ("svm+nb", s.clone(), n.clone(), nw / w)
            }
            _ => ("unknown", SvmParams::default(), NbParams::default(), 1.0),
        },
        _ => ("unknown", SvmParams::default(), NbParams::default(), 1.0),
    };
    d.set_item("learner", name)?;
    d.set_item("c", decimal(svm.c))?;
    d.set_item(
        "loss",
        match svm.loss {
            SvmLoss::Hinge => "hinge",
            SvmLoss::SquaredHinge => "squared_hinge",
        },
    )?;
    d.set_item("balanced", svm.balanced)?;
    d.set_item("max_iter", svm.max_iter)?;
    d.set_item("tol", decimal(svm.tol))?;
    d.set_item("nb_ratio", svm.nb_ratio)?;
    d.set_item("alpha", decimal(nb.alpha))?;
    d.set_item("nb_weight", decimal(nb_weight))?;
    let t = &p.text;
    d.set_item("word_ngrams", (t.word_ngrams[0], t.word_ngrams[1]))?;
    d.set_item("char_ngrams", t.char_ngrams.map(|[a, b]| (a, b)))?;
    d.set_item("char_weight", decimal(t.char_weight))?;
    d.set_item("bucket_bits", t.bucket_bits)?;
    d.set_item("sublinear_tf", t.sublinear_tf)?;
    d.set_item("min_df", t.min_df)?;
    match &t.tokenization {
        Tokenization::HuggingFace { config } => d.set_item("tokenizer", config)?,
        _ => d.set_item("tokenizer", py.None())?,
    }
    d.set_item("calibration_folds", p.calibration_folds)?;
    d.set_item("seed", p.seed)?;
    d.set_item("quantize", p.quantize)?;
    d.set_item("classes", p.labels.clone())?;
    Ok(d)
}
