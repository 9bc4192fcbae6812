//! `Classifier::from_bytes` on arbitrary bytes (`checks::model_bytes`). Run with
//! `-malloc_limit_mb` to catch large allocations.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::model_bytes(data));
