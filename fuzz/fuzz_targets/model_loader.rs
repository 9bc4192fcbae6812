//! `Classifier::from_bytes` on arbitrary bytes: a typed error or a model that
//! predicts, never a panic. Run with `-malloc_limit_mb` to catch large allocations.
#![no_main]

use libfuzzer_sys::fuzz_target;
use notetag::{Classifier, Error};

fuzz_target!(|data: &[u8]| {
    match Classifier::from_bytes(data) {
        Ok(m) => {
            let _ = m.predict("the central bank raised rates");
        }
        Err(Error::InvalidModel { .. } | Error::UnsupportedVersion { .. }) => {}
        Err(other) => panic!("unexpected error kind: {other:?}"),
    }
});
