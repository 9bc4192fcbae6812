//! `_Model`: a trained core `Classifier`, immutable and shared between threads.

use std::path::PathBuf;

use notetag::{Classifier, PredictOptions};
use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyArray2};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};

use crate::errors::{param_error, to_py};
use crate::gil::{detached, detached_on};
use crate::{input, learning, params};

/// A trained notetag model (the core `Classifier`). Use `notetag.Classifier`.
#[pyclass(frozen, module = "notetag._notetag", name = "_Model")]
pub struct Model {
    clf: Classifier,
    /// The label names as Python strings, made once and shared by every result.
    labels: Vec<Py<PyString>>,
}

impl Model {
    fn new(py: Python<'_>, clf: Classifier) -> Self {
        let labels = clf.labels().iter().map(|l| PyString::new(py, l).unbind()).collect();
        Model { clf, labels }
    }

    fn label<'py>(&self, py: Python<'py>, i: usize) -> &Bound<'py, PyString> {
        self.labels[i].bind(py)
    }
}

fn options(threshold: Option<f64>, top_k: Option<i64>) -> PyResult<PredictOptions> {
    let top_k = top_k
        .map(|k| usize::try_from(k).map_err(|_| param_error(format!("invalid parameter `top_k`: {k}: need >= 0"))))
        .transpose()?;
    let opts = PredictOptions {
        threshold: threshold.map(|t| t as f32),
        top_k,
    };
    opts.check().map_err(to_py)?;
    Ok(opts)
}

#[pymethods]
impl Model {
    /// The embedded default model.
    #[staticmethod]
    fn default(py: Python<'_>) -> PyResult<Self> {
        let clf = detached(py, Classifier::default_model)?;
        Ok(Model::new(py, clf))
    }

    /// Train on `texts` and `labels` with keyword parameters `params`, on
    /// `threads` threads (`None`: every core).
    #[staticmethod]
    #[pyo3(signature = (texts, labels, params, threads=None))]
    fn fit(
        py: Python<'_>,
        texts: &Bound<'_, PyAny>,
        labels: &Bound<'_, PyAny>,
        params: &Bound<'_, PyDict>,
        threads: Option<usize>,
    ) -> PyResult<Self> {
        let p = params::from_dict(params)?;
        let clf = input::with_texts(texts, "texts", |texts| {
            let labels = input::label_lists(labels, "labels")?;
            detached_on(py, threads, || p.fit_texts(texts, &labels))
        })?;
        Ok(Model::new(py, clf))
    }

    /// The best model a search of `seconds` finds (by cross-validation on
    /// `texts` and `labels`, for `metric`) from the keyword parameters `params`,
    /// and the candidates tried, best first: `(model, leaderboard)`.
    #[staticmethod]
    #[pyo3(signature = (texts, labels, params, seconds, metric="macro_f1", threads=None))]
    fn autotune<'py>(
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        labels: &Bound<'py, PyAny>,
        params: &Bound<'py, PyDict>,
        seconds: f64,
        metric: &str,
        threads: Option<usize>,
    ) -> PyResult<(Self, Bound<'py, PyList>)> {
        let (clf, trials) = learning::autotune(py, texts, labels, (params, seconds, metric), threads)?;
        Ok((Model::new(py, clf), learning::leaderboard(py, &trials)?))
    }

    /// This model corrected by `texts` with their right `labels`, and what the
    /// update did: `(model, report)`. This model is unchanged.
    #[pyo3(signature = (texts, labels, threads=None))]
    fn update<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        labels: &Bound<'py, PyAny>,
        threads: Option<usize>,
    ) -> PyResult<(Self, Bound<'py, PyDict>)> {
        let (clf, report) = learning::update(py, &self.clf, texts, labels, threads)?;
        Ok((Model::new(py, clf), learning::report(py, &report)?))
    }

    /// This model with the thresholds of some labels set, `[(label, p)]`, for
    /// notes in every language. This model is unchanged.
    fn with_thresholds(&self, py: Python<'_>, thresholds: Vec<(String, f32)>) -> PyResult<Self> {
        let mut clf = self.clf.clone();
        clf.set_thresholds(&thresholds).map_err(to_py)?;
        Ok(Model::new(py, clf))
    }

    /// This model with another short-note floor. This model is unchanged.
    fn with_short_note_floor(&self, py: Python<'_>, floor: f32) -> PyResult<Self> {
        let mut clf = self.clf.clone();
        clf.set_short_note_floor(floor).map_err(to_py)?;
        Ok(Model::new(py, clf))
    }

    /// Read a model file.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let clf = detached(py, || Classifier::load(&path))?;
        Ok(Model::new(py, clf))
    }

    /// Read a model from its bytes (the versioned model format).
    #[staticmethod]
    fn from_bytes(py: Python<'_>, data: &[u8]) -> PyResult<Self> {
        let clf = Classifier::from_bytes(data).map_err(to_py)?;
        Ok(Model::new(py, clf))
    }

    /// Write the model file (atomically).
    fn save(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        detached(py, || self.clf.save(&path))
    }

    /// The model in the versioned model format.
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = detached(py, || self.clf.to_bytes())?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// Label names, sorted; the column order of every score array.
    #[getter]
    fn labels<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.labels.iter().map(|l| l.bind(py)))
    }

    /// Memory held by the model, in bytes (its bucket table, per-label tables): what
    /// `sys.getsizeof` and Dask's memory accounting should count for it.
    #[getter]
    fn nbytes(&self) -> usize {
        let f32s = self.clf.thresholds().len() + 2 * self.clf.calibration().len();
        let labels: usize = self.clf.labels().iter().map(|l| l.len()).sum();
        std::mem::size_of::<Classifier>() + self.clf.table().memory_bytes() + f32s * std::mem::size_of::<f32>() + labels
    }

    /// Per-label probability thresholds tuned in training.
    #[getter]
    fn thresholds(&self) -> Vec<f32> {
        self.clf.thresholds().to_vec()
    }

    /// The training parameters as keyword arguments.
    fn params<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        params::to_dict(py, self.clf.params())
    }

    /// What the model records about its training, as JSON.
    fn meta_json(&self) -> PyResult<String> {
        serde_json::to_string(self.clf.meta()).map_err(|e| to_py(e.into()))
    }

    /// The primary label of each note (on `threads` threads; `None`: every core).
    #[pyo3(signature = (texts, threads=None))]
    fn predict<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyList>> {
        let primaries = input::with_texts(texts, "texts", |t| {
            detached_on(py, threads, || Ok(self.clf.primary_batch(t)))
        })?;
        PyList::new(py, primaries.into_iter().map(|i| self.label(py, i)))
    }

    /// Calibrated probabilities, shape `(len(texts), len(labels))`, float32 (on
    /// `threads` threads; `None`: every core).
    #[pyo3(signature = (texts, threads=None))]
    fn predict_proba<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyArray2<f32>>> {
        let l = self.labels.len();
        let probs = input::with_texts(texts, "texts", |t| {
            detached_on(py, threads, || Ok(self.clf.predict_proba_batch(t)))
        })?;
        let n = probs.len() / l;
        let array = Array2::from_shape_vec((n, l), probs)
            .map_err(|e| to_py(notetag::Error::InvalidData(format!("probability table: {e}"))))?;
        Ok(array.into_pyarray(py))
    }

    /// One dict per note: `primary`, `labels` (those at or above their threshold,
    /// most probable first), `scores` (label -> probability) and `lang`; on `threads`
    /// threads (`None`: every core).
    #[pyo3(signature = (texts, threshold=None, top_k=None, threads=None))]
    fn tag<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        threshold: Option<f64>,
        top_k: Option<i64>,
        threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyList>> {
        let preds = input::with_texts(texts, "texts", |t| {
            let opts = options(threshold, top_k)?;
            detached_on(py, threads, || Ok(self.clf.predict_batch(t, &opts)))
        })?;
        let keys = (
            PyString::intern(py, "primary"),
            PyString::intern(py, "labels"),
            PyString::intern(py, "scores"),
            PyString::intern(py, "lang"),
        );
        let out = PyList::empty(py);
        for p in &preds {
            let d = PyDict::new(py);
            d.set_item(&keys.0, self.label(py, p.primary_index()))?;
            let set = PyList::new(py, p.scored().set.iter().map(|&i| self.label(py, i)))?;
            d.set_item(&keys.1, set)?;
            let scores = PyDict::new(py);
            for (i, &s) in p.probabilities().iter().enumerate() {
                scores.set_item(self.label(py, i), s)?;
            }
            d.set_item(&keys.2, scores)?;
            d.set_item(&keys.3, p.lang())?;
            out.append(d)?;
        }
        Ok(out)
    }

    /// The `k` n-grams that pushed each label's score most (either way).
    #[pyo3(signature = (text, k=5))]
    fn explain<'py>(&self, py: Python<'py>, text: &Bound<'py, PyAny>, k: i64) -> PyResult<Bound<'py, PyDict>> {
        let text = input::text(text, "text")?;
        let k = usize::try_from(k).map_err(|_| param_error(format!("invalid parameter `k`: {k}: need >= 0")))?;
        let e = detached(py, || Ok(self.clf.explain(&text, k)))?;
        let out = PyDict::new(py);
        out.set_item("primary", self.label(py, e.prediction.primary_index()))?;
        out.set_item(
            "labels",
            PyList::new(py, e.prediction.scored().set.iter().map(|&i| self.label(py, i)))?,
        )?;
        let per_label = PyList::empty(py);
        for (i, l) in e.per_label.iter().enumerate() {
            let d = PyDict::new(py);
            d.set_item("label", self.label(py, i))?;
            d.set_item("probability", l.probability)?;
            d.set_item("score", l.score)?;
            d.set_item("bias", l.bias)?;
            let top = PyList::empty(py);
            for c in &l.top {
                top.append(PyTuple::new(
                    py,
                    [
                        c.feature.clone().into_pyobject(py)?.into_any(),
                        c.weight.into_pyobject(py)?.into_any(),
                    ],
                )?)?;
            }
            d.set_item("top", top)?;
            per_label.append(d)?;
        }
        out.set_item("per_label", per_label)?;
        Ok(out)
    }
}
