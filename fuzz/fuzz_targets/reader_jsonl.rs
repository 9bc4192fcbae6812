//! The jsonl reader on arbitrary bytes: no panic, one item per line (`checks::lines`).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::lines(notetag::io::Format::Jsonl, data));
