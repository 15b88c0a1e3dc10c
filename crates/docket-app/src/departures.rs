//! Departure records read from a file (`docket departures ingest FILE`, to come) or a message
//! body: CSV with a header, or JSON lines, each line accounted for on its own. A bad line is a
//! [`Reject`] naming its field and why, and the next line is read as if nothing had happened;
//! only a header that cannot be read (an unknown column, a required one missing) stops the file
//! before any row, as for a persons file.

use std::io::Read;
use std::path::Path;

use docket_core::{Date, DepartureRecord};
use docket_store::wire::departure::{DEPARTURE_FIELDS, REQUIRED_FIELDS, departure_from_row, parse_departure_line};

use crate::error::AppError;
use crate::import::Reject;
use crate::lines::{CsvLine, Lines};

/// How a departure file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DepartureFormat {
    /// CSV with a header line naming the fields (`docs/formats.md`, "Departure records").
    Csv,
    /// One JSON object a line.
    Jsonl,
}

impl DepartureFormat {
    /// The format a file's extension says: `.csv`, or `.jsonl` / `.ndjson`.
    pub fn of_path(path: &Path) -> Result<DepartureFormat, AppError> {
        match path.extension().and_then(|e| e.to_str()) {
            Some("csv") => Ok(DepartureFormat::Csv),
            Some("jsonl" | "ndjson") => Ok(DepartureFormat::Jsonl),
            _ => Err(AppError::Invalid {
                field: path.display().to_string(),
                reason: "expected departure records as CSV (`.csv`) or JSON lines (`.jsonl`)".into(),
            }),
        }
    }
}

/// What reading a source of departure records gave, in line order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DepartureLine {
    /// A record, with its 1-based line number.
    Record(u64, DepartureRecord),
    /// A line refused, naming the field and why.
    Rejected(Reject),
}

/// Reads the departure records of `reader` (reported as `name`), calling `each` with every
/// record and every refused line in line order; `today` bounds the dates. Blank lines are
/// skipped. Returns the lines read. Fails only when the source cannot be read, when a CSV
/// header names a column that is not a field or lacks a required one (before any row is
/// read), or when `each` fails.
pub fn read_departures(
    name: &str,
    format: DepartureFormat,
    reader: impl Read,
    today: Date,
    mut each: impl FnMut(DepartureLine) -> Result<(), AppError>,
) -> Result<u64, AppError> {
    let mut lines = Lines::new(std::io::BufReader::with_capacity(1 << 16, reader));
    let mut splitter = CsvLine::new();
    let mut header: Option<Vec<String>> = None;
    let mut read = 0;
    let reject = |line: u64, field: &str, reason: &str, record: &str| {
        DepartureLine::Rejected(Reject::new(name, line, field, reason, None, record.to_owned()))
    };
    while let Some(line) = lines.next_line().map_err(AppError::io(format!("cannot read `{name}`")))? {
        read = line.number;
        let text = match line.text {
            Ok(text) => text,
            Err(u) => {
                each(reject(line.number, "(record)", &u.reason, &u.record))?;
                continue;
            }
        };
        if text.trim().is_empty() {
            continue;
        }
        let result = match format {
            DepartureFormat::Jsonl => parse_departure_line(&text, today),
            DepartureFormat::Csv => {
                let fields = match splitter.split(&text) {
                    Ok(fields) => fields,
                    Err(reason) if header.is_some() => {
                        each(reject(line.number, "(record)", &reason, &text))?;
                        continue;
                    }
                    Err(reason) => {
                        return Err(AppError::Invalid { field: format!("{name} line {}", line.number), reason });
                    }
                };
                let Some(columns) = &header else {
                    header = Some(csv_header(name, line.number, &fields)?);
                    continue;
                };
                let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
                let values: Vec<&str> = fields.iter().collect();
                departure_from_row(&columns, &values, today)
            }
        };
        match result {
            Ok(record) => each(DepartureLine::Record(line.number, record))?,
            Err(e) => each(reject(line.number, &e.field, &e.reason, &text))?,
        }
    }
    Ok(read)
}

/// The columns of a CSV header, refused whole when one is not a field of a departure record or
/// a required field is missing.
fn csv_header(name: &str, line: u64, fields: &csv::StringRecord) -> Result<Vec<String>, AppError> {
    let columns: Vec<String> = fields.iter().map(|c| c.trim().to_owned()).collect();
    let at = format!("{name} line {line} (the header)");
    for c in &columns {
        if !DEPARTURE_FIELDS.contains(&c.as_str()) {
            return Err(AppError::Invalid {
                field: at,
                reason: format!(
                    "`{c}` is not a field of a departure record (expected: {})",
                    DEPARTURE_FIELDS.join(", ")
                ),
            });
        }
    }
    for required in REQUIRED_FIELDS {
        if !columns.iter().any(|c| c == required) {
            return Err(AppError::Invalid { field: at, reason: format!("the column `{required}` is required") });
        }
    }
    Ok(columns)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::parse("2026-12-07").expect("date")
    }

    /// Records as (line, record id), and the rejects.
    type Read = (Vec<(u64, String)>, Vec<Reject>);

    fn read(format: DepartureFormat, text: &str) -> Result<Read, AppError> {
        let (mut records, mut rejects) = (Vec::new(), Vec::new());
        read_departures("day.x", format, text.as_bytes(), today(), |l| {
            match l {
                DepartureLine::Record(n, r) => records.push((n, r.id.to_string())),
                DepartureLine::Rejected(r) => rejects.push(r),
            }
            Ok(())
        })?;
        Ok((records, rejects))
    }

    const CSV: &str = "\u{feff}record_id,source,family_names,date_of_birth,departure_date,port,carrier,flight\r
A-1,cbp.apis,Diallo,1980,2026-12-06,JFK,AF,7\r
\r
A-2,cbp.apis,Lin,1999-02-30,2026-12-06,JFK,AF,7\r
A-3,cbp.apis,\"Ruiz, Jr\",1975,2026-12-06,MIA,,\r
A-4,cbp.apis,\"Open,1975,2026-12-06,MIA,,\r
A-5,cbp.apis,Ng,1975,2026-12-06,MIA\r
A-6,cbp.apis,Ng,1975,2026-12-06,M1A,,\r
";

    #[test]
    fn a_csv_file_keeps_its_good_rows_and_names_the_field_of_each_bad_one() {
        let (records, rejects) = read(DepartureFormat::Csv, CSV).expect("read");
        assert_eq!(records, [(2, "A-1".to_owned()), (5, "A-3".to_owned())]);
        let got: Vec<(u64, &str)> = rejects.iter().map(|r| (r.line, r.field.as_str())).collect();
        assert_eq!(got, [(4, "date_of_birth"), (6, "(record)"), (7, "(record)"), (8, "port")]);
        assert!(rejects[1].reason.contains("is not closed"), "{}", rejects[1].reason);
        assert!(rejects[2].reason.contains("has 6 fields and the header 8"), "{}", rejects[2].reason);
        assert!(rejects.iter().all(|r| r.file == "day.x" && !r.record.is_empty()));
    }

    #[test]
    fn a_header_that_cannot_be_read_stops_the_file_before_any_row() {
        for (header, fragment) in [
            ("record_id,source,family_names,date_of_birth,departure_date,port,seat", "`seat` is not a field"),
            ("record_id,source,family_names,date_of_birth,departure_date", "`port` is required"),
        ] {
            let text = format!("{header}\nA-1,s,Ng,1975,2026-12-06,JFK,1A\n");
            let mut called = false;
            let err = read_departures("day.csv", DepartureFormat::Csv, text.as_bytes(), today(), |_| {
                called = true;
                Ok(())
            })
            .expect_err(header);
            assert!(!called, "no row is read after a bad header");
            assert!(err.to_string().contains(fragment) && err.to_string().contains("line 1"), "{err}");
        }
    }

    #[test]
    fn json_lines_are_read_one_by_one() {
        let text = concat!(
            r#"{"record_id":"J-1","source":"s","family_names":"Ng","date_of_birth":"1975","departure_date":"2026-12-06","port":"JFK"}"#,
            "\n\n",
            r#"{"record_id":"J-2","source":"s","family_names":"Ng","date_of_birth":"1975","departure_date":"2026-12-06","port":"JFK","seat":"1A"}"#,
            "\nnot json\n\u{ff}\n",
            r#"{"record_id":"J-3","source":"s","family_names":"Ng","date_of_birth":"1975","departure_date":"2026-12-06","port":"JFK"}"#,
        );
        let (records, rejects) = read(DepartureFormat::Jsonl, text).expect("read");
        assert_eq!(records, [(1, "J-1".to_owned()), (6, "J-3".to_owned())]);
        let got: Vec<(u64, &str)> = rejects.iter().map(|r| (r.line, r.field.as_str())).collect();
        assert_eq!(got, [(3, "seat"), (4, "(record)"), (5, "(record)")]);
    }

    #[test]
    fn the_format_is_told_by_the_extension() {
        assert_eq!(DepartureFormat::of_path(Path::new("a/day.csv")).expect("csv"), DepartureFormat::Csv);
        assert_eq!(DepartureFormat::of_path(Path::new("day.ndjson")).expect("jsonl"), DepartureFormat::Jsonl);
        assert!(DepartureFormat::of_path(Path::new("day.xlsx")).is_err());
    }
}
