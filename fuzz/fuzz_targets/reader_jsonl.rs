//! The jsonl reader on arbitrary bytes: no panic, one item per line.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    common::check_lines(notetag::io::Format::Jsonl, data);
});
