//! The CSV and TSV readers on arbitrary bytes (`checks::csv`).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::csv(data));
