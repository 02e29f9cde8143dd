//! An RFC 4180 record splitter over any `BufRead`: quoted fields with embedded delimiters,
//! newlines and doubled quotes; `\n`, `\r\n` and `\r` line ends; 1-based line numbers.
//!
//! Bytes are consumed chunk by chunk from the reader; only the current record is held.

use std::io::BufRead;

/// A record's fields as raw bytes: field `i` is `bytes[ends[i-1]..ends[i]]`.
#[derive(Debug, Default)]
pub(crate) struct RawRecord {
    pub(crate) bytes: Vec<u8>,
    pub(crate) ends: Vec<usize>,
    /// 1-based line where the record starts.
    pub(crate) line: u64,
}

impl RawRecord {
    /// Number of fields.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The bytes of field `i`.
    pub(crate) fn field(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.bytes[start..self.ends[i]]
    }
}

/// Outcome of reading one record.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum RecordStatus {
    /// A well-formed record is in the buffer.
    Record,
    /// The line was empty (no bytes before its line end).
    Blank,
    /// The record was malformed: text after a closing quote. The rest of the physical line
    /// was consumed.
    MalformedQuote,
    /// End of input inside a quoted field; everything up to the end was consumed.
    UnterminatedQuote,
    /// No more input.
    Eof,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    FieldStart,
    Unquoted,
    Quoted,
    /// Just read a quote inside a quoted field: a second quote is a literal quote.
    QuoteInQuoted,
    /// Skipping to the end of a malformed line.
    SkipLine,
}

/// Splits records off a byte stream.
pub(crate) struct RecordReader<R> {
    reader: R,
    delimiter: u8,
    quote: u8,
    /// The physical line the next byte belongs to (1-based).
    line: u64,
    /// The previous byte was a `\r` line end, so a following `\n` belongs to it.
    after_cr: bool,
    started: bool,
}

impl<R: BufRead> RecordReader<R> {
    pub(crate) fn new(reader: R, delimiter: u8, quote: u8) -> Self {
        RecordReader {
            reader,
            delimiter,
            quote,
            line: 1,
            after_cr: false,
            started: false,
        }
    }

    /// Reads the next record into `record` (cleared first); a UTF-8 byte-order mark at the
    /// start of the input is dropped.
    pub(crate) fn read(&mut self, record: &mut RawRecord) -> std::io::Result<RecordStatus> {
        let status = self.read_raw(record)?;
        if !self.started {
            self.started = true;
            if status == RecordStatus::Record && record.bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
                record.bytes.drain(..3);
                for end in &mut record.ends {
                    *end -= 3;
                }
            }
        }
        Ok(status)
    }

    fn read_raw(&mut self, record: &mut RawRecord) -> std::io::Result<RecordStatus> {
        record.bytes.clear();
        record.ends.clear();
        record.line = self.line;
        let mut state = State::FieldStart;
        let mut any_byte = false;
        loop {
            let buf = self.reader.fill_buf()?;
            if buf.is_empty() {
                return Ok(self.finish(state, any_byte, record));
            }
            let mut used = buf.len();
            let mut done = None;
            let mut i = 0;
            while i < buf.len() {
                // Fast path: copy a run of ordinary bytes inside a field in one go (inside
                // quotes the delimiter is ordinary too).
                if !self.after_cr && matches!(state, State::Unquoted | State::Quoted) {
                    let quoted = state == State::Quoted;
                    let (quote, delimiter) = (self.quote, self.delimiter);
                    let run = buf[i..]
                        .iter()
                        .position(|&c| {
                            c == b'\n' || c == b'\r' || c == quote || (!quoted && c == delimiter)
                        })
                        .unwrap_or(buf.len() - i);
                    if run > 0 {
                        record.bytes.extend_from_slice(&buf[i..i + run]);
                        any_byte = true;
                        i += run;
                        continue;
                    }
                }
                let b = buf[i];
                i += 1;
                if self.after_cr {
                    self.after_cr = false;
                    if b == b'\n' {
                        if state == State::Quoted {
                            record.bytes.push(b);
                        }
                        continue;
                    }
                }
                let newline = b == b'\n' || b == b'\r';
                if newline {
                    self.after_cr = b == b'\r';
                    self.line += 1;
                }
                match state {
                    State::Quoted => {
                        if b == self.quote {
                            state = State::QuoteInQuoted;
                        } else {
                            record.bytes.push(b);
                        }
                    }
                    State::QuoteInQuoted if b == self.quote => {
                        record.bytes.push(b);
                        state = State::Quoted;
                    }
                    State::SkipLine => {
                        if newline {
                            done = Some(RecordStatus::MalformedQuote);
                        }
                    }
                    State::QuoteInQuoted | State::Unquoted | State::FieldStart => {
                        if newline {
                            if any_byte {
                                record.ends.push(record.bytes.len());
                                done = Some(RecordStatus::Record);
                            } else {
                                done = Some(RecordStatus::Blank);
                            }
                        } else if b == self.delimiter {
                            record.ends.push(record.bytes.len());
                            state = State::FieldStart;
                        } else if state == State::QuoteInQuoted {
                            state = State::SkipLine;
                        } else if state == State::FieldStart && b == self.quote {
                            state = State::Quoted;
                        } else {
                            // A quote inside an unquoted field is kept as text, as Python's
                            // csv module does.
                            record.bytes.push(b);
                            state = State::Unquoted;
                        }
                    }
                }
                any_byte = true;
                if done.is_some() {
                    used = i;
                    break;
                }
            }
            self.reader.consume(used);
            if let Some(status) = done {
                return Ok(status);
            }
        }
    }

    fn finish(&mut self, state: State, any_byte: bool, record: &mut RawRecord) -> RecordStatus {
        match state {
            State::Quoted => RecordStatus::UnterminatedQuote,
            State::SkipLine => RecordStatus::MalformedQuote,
            _ if !any_byte => RecordStatus::Eof,
            _ => {
                record.ends.push(record.bytes.len());
                RecordStatus::Record
            }
        }
    }
}
