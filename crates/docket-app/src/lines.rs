//! Physical lines of an import source, each accounted for on its own: a line that is too
//! long, is not UTF-8 or (in CSV) leaves a quote open is one reject, and the next line is read
//! as if nothing had happened.

use std::io::{self, BufRead};

/// The longest line an import reads, in bytes (without its line break). A persons row or an
/// event is a few hundred bytes; the limit keeps one bad line from filling memory or the
/// rejects file.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// How much of an over-long line a reject quotes.
const QUOTED_PREFIX_BYTES: usize = 1024;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One physical line.
#[derive(Debug)]
pub(crate) struct Line {
    /// 1-based line number.
    pub number: u64,
    /// The line's text, or why it cannot be read as text.
    pub text: Result<String, Unreadable>,
}

/// A line that is not text to parse.
#[derive(Debug)]
pub(crate) struct Unreadable {
    /// Why, in words.
    pub reason: String,
    /// The line as read, made printable (bounded for an over-long line).
    pub record: String,
}

/// Reads physical lines (ending in `\n` or `\r\n`) from a `BufRead`, at most
/// [`MAX_LINE_BYTES`] of each, dropping a UTF-8 byte-order mark at the start of the source.
pub(crate) struct Lines<R> {
    reader: R,
    number: u64,
    buf: Vec<u8>,
    bytes: u64,
}

impl<R: BufRead> Lines<R> {
    pub fn new(reader: R) -> Self {
        Lines { reader, number: 0, buf: Vec::new(), bytes: 0 }
    }

    /// Bytes consumed so far, line breaks included.
    pub fn bytes_read(&self) -> u64 {
        self.bytes
    }

    /// The next line, or `None` at the end of the source.
    pub fn next_line(&mut self) -> io::Result<Option<Line>> {
        let Some(len) = self.fill()? else { return Ok(None) };
        self.number += 1;
        if self.number == 1 && self.buf.starts_with(BOM) {
            self.buf.drain(..BOM.len());
        }
        let number = self.number;
        if len > MAX_LINE_BYTES {
            let cut = floor_char_boundary(&self.buf, QUOTED_PREFIX_BYTES);
            let record = format!("{}…", String::from_utf8_lossy(&self.buf[..cut]));
            let reason = format!("the line is {len} bytes long; a line may hold at most {MAX_LINE_BYTES} bytes");
            return Ok(Some(Line { number, text: Err(Unreadable { reason, record }) }));
        }
        let bytes = std::mem::take(&mut self.buf);
        let text = String::from_utf8(bytes).map_err(|e| {
            let at = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            let shown: Vec<String> = bytes[at..]
                .iter()
                .take(e.utf8_error().error_len().unwrap_or(1))
                .map(|b| format!("0x{b:02X}"))
                .collect();
            Unreadable {
                reason: format!(
                    "is not valid UTF-8: byte {} at byte {} of the line (save the file as UTF-8)",
                    shown.join(" "),
                    at + 1
                ),
                record: String::from_utf8_lossy(bytes).into_owned(),
            }
        });
        Ok(Some(Line { number, text }))
    }

    /// Reads one physical line into `buf`, keeping at most `MAX_LINE_BYTES + 1` bytes of it;
    /// returns its whole length without the line break, or `None` at the end.
    fn fill(&mut self) -> io::Result<Option<usize>> {
        self.buf.clear();
        let mut total = 0usize;
        let mut any = false;
        loop {
            let available = match self.reader.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                break;
            }
            any = true;
            let (chunk, used, ended) = match memchr::memchr(b'\n', available) {
                Some(i) => (&available[..i], i + 1, true),
                None => (available, available.len(), false),
            };
            let room = (MAX_LINE_BYTES + 1).saturating_sub(self.buf.len());
            self.buf.extend_from_slice(&chunk[..chunk.len().min(room)]);
            total += chunk.len();
            self.reader.consume(used);
            self.bytes += used as u64;
            if ended {
                break;
            }
        }
        if !any {
            return Ok(None);
        }
        if total <= MAX_LINE_BYTES + 1 && self.buf.last() == Some(&b'\r') {
            self.buf.pop();
            total -= 1;
        }
        Ok(Some(total))
    }
}

/// The largest index `<= at` on a UTF-8 character boundary of `bytes` (as far as they are
/// UTF-8; otherwise `at`).
fn floor_char_boundary(bytes: &[u8], at: usize) -> usize {
    let mut i = at.min(bytes.len());
    // A continuation byte is 0b10xx_xxxx; step back over at most three of them.
    for _ in 0..3 {
        if i == 0 || i == bytes.len() || (bytes[i] & 0xC0) != 0x80 {
            break;
        }
        i -= 1;
    }
    i
}

/// Splits one CSV line (RFC 4180: `,` between fields, `"` around a field that holds `,` or
/// `"`, a `"` inside such a field doubled). A field may not span lines: a line whose quoted
/// field is not closed is refused rather than joined with the next one.
#[cfg(test)]
pub(crate) fn split_csv_line(line: &str) -> Result<csv::StringRecord, String> {
    CsvLine::new().split(line)
}

/// A CSV line splitter, built once and used for every line (building csv-core's reader,
/// a state machine, for each line took 45 % of a persons import's time).
pub(crate) struct CsvLine {
    reader: csv_core::Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
}

impl CsvLine {
    pub(crate) fn new() -> CsvLine {
        CsvLine { reader: csv_core::Reader::new(), out: vec![0; 1024], ends: vec![0; 32] }
    }

    /// Splits one line, as [`split_csv_line`] describes.
    pub(crate) fn split(&mut self, line: &str) -> Result<csv::StringRecord, String> {
        use csv_core::ReadRecordResult;
        if let Some(col) = open_quote(line) {
            return Err(format!(
                "the quote (\") that opens the field at column {col} is not closed on this line; a field may not span lines"
            ));
        }
        self.reader.reset();
        if self.out.len() < line.len() + 1 {
            self.out.resize(line.len() + 1, 0);
        }
        let mut input = line.as_bytes();
        let (mut written, mut fields) = (0, 0);
        loop {
            let (result, read, wrote, ended) =
                self.reader.read_record(input, &mut self.out[written..], &mut self.ends[fields..]);
            input = &input[read..];
            // (csv-core counts field ends from the start of the record, across calls.)
            written += wrote;
            fields += ended;
            match result {
                // The line is all the input there is: an empty input ends the record.
                ReadRecordResult::InputEmpty => {
                    if input.is_empty() && read == 0 {
                        break;
                    }
                }
                ReadRecordResult::OutputFull => self.out.resize(self.out.len() * 2, 0),
                ReadRecordResult::OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                ReadRecordResult::Record | ReadRecordResult::End => break,
            }
        }
        let text = std::str::from_utf8(&self.out[..written]).map_err(|e| e.to_string())?;
        let mut record = csv::StringRecord::with_capacity(text.len(), fields);
        let mut start = 0;
        for &end in &self.ends[..fields] {
            record.push_field(&text[start..end]);
            start = end;
        }
        Ok(record)
    }
}

/// The 1-based character column of a quoted field that is still open at the end of `line`.
fn open_quote(line: &str) -> Option<usize> {
    #[derive(PartialEq)]
    enum State {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let mut state = State::FieldStart;
    let mut opened_at = 0;
    for (col, c) in line.chars().enumerate() {
        state = match (state, c) {
            (State::FieldStart, '"') => {
                opened_at = col + 1;
                State::Quoted
            }
            (State::FieldStart | State::Unquoted, ',') => State::FieldStart,
            (State::FieldStart | State::Unquoted, _) => State::Unquoted,
            (State::Quoted, '"') => State::QuoteInQuoted,
            (State::Quoted, _) => State::Quoted,
            // `""` inside a quoted field is one quote; a lone `"` closes the field.
            (State::QuoteInQuoted, '"') => State::Quoted,
            (State::QuoteInQuoted, ',') => State::FieldStart,
            (State::QuoteInQuoted, _) => State::Unquoted,
        };
    }
    (state == State::Quoted).then_some(opened_at)
}

/// The most characters of one quoted value (between backticks) a reason repeats.
const QUOTED_VALUE_CHARS: usize = 80;
/// The most characters a reason holds.
const REASON_CHARS: usize = 1000;

/// `reason` with every value quoted in backticks cut to its first characters, and the whole
/// bounded: a reject must not repeat a ten-megabyte value.
pub(crate) fn bounded(reason: &str) -> String {
    let parts: Vec<&str> = reason.split('`').collect();
    let mut out = String::with_capacity(reason.len().min(REASON_CHARS + 32));
    let mut note = None;
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push('`');
        }
        if let Some(n) = note.take() {
            out.push_str(&format!(" ({n} characters in all)"));
        }
        // A part at an odd index is inside a pair of backticks, if a closing one follows.
        let quoted = i % 2 == 1 && i + 1 < parts.len();
        let n = part.chars().count();
        if quoted && n > QUOTED_VALUE_CHARS {
            out.extend(part.chars().take(QUOTED_VALUE_CHARS));
            out.push('…');
            note = Some(n);
        } else {
            out.push_str(part);
        }
    }
    if out.chars().count() > REASON_CHARS {
        let mut cut: String = out.chars().take(REASON_CHARS).collect();
        cut.push_str("… (reason shortened)");
        return cut;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8]) -> Vec<(u64, Result<String, String>)> {
        let mut l = Lines::new(input);
        let mut out = Vec::new();
        while let Some(line) = l.next_line().expect("read") {
            out.push((line.number, line.text.map_err(|u| u.reason)));
        }
        out
    }

    #[test]
    fn each_line_is_read_on_its_own_whatever_the_one_before() {
        let got = lines(b"\xEF\xBB\xBFfirst\r\nbad \xFF byte\n\nlast");
        assert_eq!(got[0], (1, Ok("first".into())));
        assert_eq!(got[1].0, 2);
        let reason = got[1].1.as_ref().expect_err("not UTF-8");
        assert!(reason.contains("0xFF") && reason.contains("byte 5"), "{reason}");
        assert_eq!(got[2], (3, Ok(String::new())));
        assert_eq!(got[3], (4, Ok("last".into())));
        assert_eq!(got.len(), 4);
    }

    #[test]
    fn an_over_long_line_is_one_reject_quoted_in_part() {
        let mut input = vec![b'x'; MAX_LINE_BYTES + 10];
        input.extend_from_slice(b"\nnext\n");
        let mut l = Lines::new(&input[..]);
        let first = l.next_line().expect("read").expect("line");
        let u = first.text.expect_err("too long");
        assert!(u.reason.contains(&format!("{} bytes long", MAX_LINE_BYTES + 10)), "{}", u.reason);
        assert!(u.record.len() < 1100, "{}", u.record.len());
        let next = l.next_line().expect("read").expect("line");
        assert_eq!((next.number, next.text.expect("text")), (2, "next".to_owned()));
        assert!(l.next_line().expect("read").is_none());
        // A line of exactly the limit is read.
        let exact = vec![b'y'; MAX_LINE_BYTES];
        assert_eq!(lines(&exact)[0].1.as_ref().map(String::len), Ok(MAX_LINE_BYTES));
    }

    #[test]
    fn reasons_quote_a_bounded_prefix_of_a_value() {
        let long = "n".repeat(10_000);
        let r = bounded(&format!("`{long}` is not a usable given name: longer than 200 characters"));
        assert_eq!(
            r,
            format!(
                "`{}…` (10000 characters in all) is not a usable given name: longer than 200 characters",
                "n".repeat(80)
            )
        );
        assert_eq!(bounded("`A12345` is not an A-number"), "`A12345` is not an A-number");
        assert_eq!(bounded("no quotes at all"), "no quotes at all");
        assert_eq!(bounded("`a` and `b`"), "`a` and `b`");
        assert_eq!(bounded("an unpaired ` backtick"), "an unpaired ` backtick");
        let plain = "x".repeat(5000);
        assert!(bounded(&plain).ends_with("… (reason shortened)"));
        assert!(bounded(&plain).chars().count() < 1100);
    }

    #[test]
    fn a_quote_left_open_is_refused_and_quoted_fields_split() {
        let r = split_csv_line(r#"P-1,"García, José","say ""hi""",x"y"#).expect("fine");
        assert_eq!(r.iter().collect::<Vec<_>>(), vec!["P-1", "García, José", r#"say "hi""#, r#"x"y"#]);
        let e = split_csv_line(r#"P-2,"unclosed,1990-01-01"#).expect_err("open quote");
        assert!(e.contains("column 5"), "{e}");
        assert!(split_csv_line(r#"P-3,"a""b"#).is_err());
        assert!(split_csv_line("P-4,\"\"\"").is_err());
        assert_eq!(split_csv_line(r#"P-4,"""#).expect("an empty quoted field").get(1), Some(""));
        assert_eq!(split_csv_line(r#"P-5,"""""#).expect("a quote").get(1), Some(r#"""#));
        // More fields than the splitter first has room for, and a splitter used again.
        let wide: Vec<String> = (0..100).map(|i| format!("f{i}")).collect();
        let mut splitter = CsvLine::new();
        for _ in 0..2 {
            let r = splitter.split(&wide.join(",")).expect("wide");
            assert_eq!(r.iter().collect::<Vec<_>>(), wide.iter().map(String::as_str).collect::<Vec<_>>());
            let r = splitter.split(r#"a,"b,c",d"#).expect("short");
            assert_eq!(r.iter().collect::<Vec<_>>(), ["a", "b,c", "d"]);
        }
        assert_eq!(splitter.split("").expect("empty").len(), 0);
    }
}
