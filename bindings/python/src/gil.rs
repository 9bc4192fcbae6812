//! The helpers that release the GIL around heavy calls into the core.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use pyo3::prelude::*;
use rayon::ThreadPool;

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

/// [`detached`], with the core's parallel work on `threads` threads: `None` uses
/// rayon's global pool (every core, or `RAYON_NUM_THREADS`), `Some(n)` a pool of
/// `n` threads, made at its first use and kept for the next calls.
pub fn detached_on<T, F>(py: Python<'_>, threads: Option<usize>, f: F) -> PyResult<T>
where
    T: Send,
    F: Send + FnOnce() -> notetag::Result<T>,
{
    match threads {
        None => detached(py, f),
        Some(n) => {
            let pool = pool(n)?;
            detached(py, || pool.install(f))
        }
    }
}

/// The kept pool of `n` threads.
fn pool(n: usize) -> PyResult<Arc<ThreadPool>> {
    static POOLS: Mutex<BTreeMap<usize, Arc<ThreadPool>>> = Mutex::new(BTreeMap::new());
    let mut pools = POOLS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(p) = pools.get(&n) {
        return Ok(p.clone());
    }
    let p = rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .thread_name(move |i| format!("notetag-{n}-{i}"))
        .build()
        .map_err(|e| {
            errors::to_py(notetag::Error::InvalidParam {
                name: "n_jobs",
                reason: format!("cannot start {n} threads: {e}"),
            })
        })?;
    let p = Arc::new(p);
    pools.insert(n, p.clone());
    Ok(p)
}

/// How many threads the core's parallel work gets under [`detached_on`] with
/// `threads` (for the tests).
pub fn threads_in_use(py: Python<'_>, threads: Option<usize>) -> PyResult<usize> {
    detached_on(py, threads, || Ok(rayon::current_num_threads()))
}
