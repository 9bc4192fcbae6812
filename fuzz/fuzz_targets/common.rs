//! Shared by the reader targets: read `data` in one format and check the reader's
//! guarantee: exactly one item per input line, numbered 1, 2, 3…, every error
//! naming the source and its line.

use std::io::Cursor;

use notetag::io::{Format, Item, ReadOptions, Reader};
use notetag::Error;

/// Small enough that the over-long-line path is reached often.
pub const MAX_LINE: usize = 4096;

pub fn check_lines(format: Format, data: &[u8]) {
    let mut opts = ReadOptions::new(format, "fuzz");
    opts.max_line_bytes = MAX_LINE;
    let lines = data.iter().filter(|&&b| b == b'\n').count() + usize::from(!data.is_empty() && !data.ends_with(b"\n"));
    let mut n = 0;
    for item in Reader::new(Cursor::new(data), opts) {
        n += 1;
        assert_eq!(item_line(&item), n, "item {n} has the wrong line: {item:?}");
    }
    assert_eq!(n, lines, "{n} items for {lines} lines");
}

pub fn item_line(item: &Item) -> usize {
    match item {
        Item::Record(r) => r.line,
        Item::Skipped { line, .. } => *line,
        Item::Invalid(Error::Record { source_name, line, .. }) => {
            assert_eq!(source_name, "fuzz");
            *line
        }
        Item::Invalid(other) => panic!("error without a line: {other:?}"),
    }
}
