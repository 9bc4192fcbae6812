//! CSV/TSV input: records read by the csv crate, each with the line it starts on,
//! counted in `\n` like the line formats.

use std::io::Read;

use super::{Format, Item, ReadOptions, Record};

/// A CSV/TSV source: the csv reader and the columns its header names.
pub(super) struct CsvInput<R> {
    reader: csv::Reader<LineTracker<R>>,
    text_col: Option<usize>,
    id_col: Option<usize>,
    labels_col: Option<usize>,
    primary_col: Option<usize>,
    /// What was wrong with the header, reported as the first item.
    header_error: Option<String>,
}

impl<R: Read> CsvInput<R> {
    /// Read the header of `input` (`opts.format` is CSV or TSV).
    pub(super) fn new(input: R, opts: &ReadOptions) -> Self {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(if opts.format == Format::Tsv { b'\t' } else { b',' })
            .flexible(true)
            .from_reader(LineTracker::new(input, opts.max_line_bytes));
        let (mut text_col, mut id_col, mut labels_col, mut primary_col, mut header_error) =
            (None, None, None, None, None);
        match reader.headers() {
            Ok(h) => {
                let find = |n: &str| h.iter().position(|c| c.trim_start_matches('\u{feff}') == n);
                text_col = find(&opts.text_field);
                id_col = find("id");
                labels_col = find("labels").or_else(|| find("label"));
                primary_col = find("primary");
                if text_col.is_none() {
                    header_error = Some(format!("header has no `{}` column", opts.text_field));
                }
            }
            Err(e) => header_error = Some(format!("cannot read header: {e}")),
        }
        let end = reader.position().byte();
        reader.get_mut().consume_to(end);
        CsvInput {
            reader,
            text_col,
            id_col,
            labels_col,
            primary_col,
            header_error,
        }
    }

    /// The next record, or `None` at the end.
    pub(super) fn next_item(&mut self, opts: &ReadOptions) -> Option<Item> {
        if let Some(m) = self.header_error.take() {
            // Report once, then stop: no row can be read without the column.
            self.text_col = None;
            return Some(opts.invalid(1, m));
        }
        let col = self.text_col?;
        let mut rec = csv::StringRecord::new();
        let res = self.reader.read_record(&mut rec);
        // The csv crate reports where it started reading (before skipped blank
        // lines, and a line early after `\r\n`): count lines ourselves.
        let start = match &res {
            Ok(_) => rec.position().map(csv::Position::byte),
            Err(e) => e.position().map(csv::Position::byte),
        };
        let line = self.reader.get_ref().line_at(start.unwrap_or(0));
        let end = self.reader.position().byte();
        self.reader.get_mut().consume_to(end);
        match res {
            Ok(false) => None,
            Ok(true) => Some(self.record(&rec, col, line, opts)),
            Err(e) if matches!(e.kind(), csv::ErrorKind::Io(_)) => {
                // An I/O error ends the stream: report it once, then stop.
                self.text_col = None;
                Some(opts.invalid(line, format!("read error: {e}")))
            }
            Err(e) => Some(opts.invalid(line, format!("bad CSV record: {e}"))),
        }
    }

    /// The record of the row `rec`, which starts on `line`; its text is column `col`.
    fn record(&self, rec: &csv::StringRecord, col: usize, line: usize, opts: &ReadOptions) -> Item {
        let Some(text) = rec.get(col) else {
            return opts.invalid(
                line,
                format!("row has {} fields, the text is field {}", rec.len(), col + 1),
            );
        };
        let labels = self.labels_col.and_then(|c| rec.get(c)).map(|s| {
            s.split([',', ';', '|'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        });
        Item::Record(Record {
            line,
            id: self.id_col.and_then(|c| rec.get(c)).map(str::to_string),
            text: text.to_string(),
            labels,
            primary: self
                .primary_col
                .and_then(|c| rec.get(c))
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            ..Record::default()
        })
    }
}

/// Counts lines under the CSV reader: keeps the bytes the CSV reader has taken but
/// not yet finished with (one record, its leading blank lines and one buffer of
/// read-ahead), so that a record's line is that of its first byte, counted in `\n`
/// like the line formats.
struct LineTracker<R> {
    inner: R,
    /// `buf[done..]` are the bytes from offset `kept_from` on; `buf[..done]` are
    /// finished with and dropped at the next read.
    buf: Vec<u8>,
    done: usize,
    kept_from: u64,
    /// 1-based line of the byte at `kept_from`.
    line_at_kept: usize,
    /// Longest record accepted, in bytes.
    limit: usize,
}

impl<R> LineTracker<R> {
    fn new(inner: R, limit: usize) -> Self {
        LineTracker {
            inner,
            buf: Vec::new(),
            done: 0,
            kept_from: 0,
            line_at_kept: 1,
            limit,
        }
    }

    fn kept(&self) -> &[u8] {
        &self.buf[self.done..]
    }

    /// How many kept bytes lie before offset `at` (all of them when `at` is past the end).
    fn kept_before(&self, at: u64) -> usize {
        let kept = self.kept().len();
        usize::try_from(at.saturating_sub(self.kept_from)).map_or(kept, |n| n.min(kept))
    }

    /// Line of the first byte at or after offset `start` that is not a line end.
    fn line_at(&self, start: u64) -> usize {
        let (head, rest) = self.kept().split_at(self.kept_before(start));
        let blank = rest.iter().take_while(|&&b| b == b'\n' || b == b'\r');
        self.line_at_kept + count_newlines(head) + blank.filter(|&&b| b == b'\n').count()
    }

    /// Be done with the bytes before offset `end`.
    fn consume_to(&mut self, end: u64) {
        let n = self.kept_before(end);
        self.line_at_kept += count_newlines(&self.kept()[..n]);
        self.done += n;
        self.kept_from += n as u64;
    }
}

/// Bytes the CSV reader may hold ahead of the record it is parsing (its buffer is 8 KiB).
const CSV_READ_AHEAD: usize = 64 << 10;

fn count_newlines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

impl<R: Read> Read for LineTracker<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        // A run of blank lines holds no record: count it and let it go.
        if self.kept().iter().all(|&b| b == b'\n' || b == b'\r') {
            self.consume_to(self.kept_from + self.kept().len() as u64);
        }
        self.buf.drain(..self.done);
        self.done = 0;
        // One record (or a quote never closed) must not take all memory: past the
        // limit, the stream ends with an error naming the line where the record began.
        if self.buf.len() > self.limit.saturating_add(CSV_READ_AHEAD) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "CSV record from line {} is longer than {} bytes (a quote never closed?)",
                    self.line_at(self.kept_from),
                    self.limit
                ),
            ));
        }
        let n = self.inner.read(out)?;
        self.buf.extend_from_slice(&out[..n]);
        Ok(n)
    }
}
