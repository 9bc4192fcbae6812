//! The CSV and TSV readers on arbitrary bytes (the first byte picks the delimiter):
//! no panic, lines never go backwards and never pass the end of the input.
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use notetag::io::{Format, ReadOptions, Reader};

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&first, data)) = data.split_first() else {
        return;
    };
    let format = if first & 1 == 0 { Format::Csv } else { Format::Tsv };
    let mut opts = ReadOptions::new(format, "fuzz");
    opts.max_line_bytes = common::MAX_LINE;
    let lines = data.iter().filter(|&&b| b == b'\n').count() + 1;
    let mut last = 0;
    for item in Reader::new(Cursor::new(data), opts) {
        let line = common::item_line(&item);
        assert!(
            line >= last && line >= 1 && line <= lines,
            "line {line} after {last} of {lines}: {item:?}"
        );
        last = line;
    }
});
