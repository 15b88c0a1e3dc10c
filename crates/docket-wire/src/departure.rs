//! Departure records as JSON objects (a JSONL line, a message body) and as CSV rows: the same
//! fields under the same names (`DEPARTURE_FIELDS`), every value a string, empty or absent for
//! an optional one. The JSON Schema is `docs/departures.schema.json`; the format is described in
//! `docs/formats.md`, "Departure records".

use docket_core::{
    Carrier, Country, Date, DateOfBirth, DepartureRecord, DepartureRecordId, DocumentKind, FlightNumber, NameOrder,
    Port, RecordSource, Sex, TravelDocument, check_departure_date,
};
use serde::{Deserialize, Serialize};

use crate::{FieldError, field_err, person_name};

/// The fields of a departure record, in order (the CSV header).
pub const DEPARTURE_FIELDS: [&str; 14] = [
    "record_id",
    "source",
    "given_names",
    "family_names",
    "date_of_birth",
    "sex",
    "nationality",
    "document_type",
    "document_number",
    "document_country",
    "departure_date",
    "port",
    "carrier",
    "flight",
];

/// A departure record as written: every field as text, named as in [`DEPARTURE_FIELDS`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct WireDeparture {
    pub record_id: String,
    pub source: String,
    #[serde(default)]
    pub given_names: String,
    #[serde(default)]
    pub family_names: String,
    pub date_of_birth: String,
    #[serde(default)]
    pub sex: String,
    #[serde(default)]
    pub nationality: String,
    #[serde(default)]
    pub document_type: String,
    #[serde(default)]
    pub document_number: String,
    #[serde(default)]
    pub document_country: String,
    pub departure_date: String,
    pub port: String,
    #[serde(default)]
    pub carrier: String,
    #[serde(default)]
    pub flight: String,
}

/// `text` trimmed, or `None` when that leaves nothing.
fn given(text: &str) -> Option<&str> {
    Some(text.trim()).filter(|t| !t.is_empty())
}

impl WireDeparture {
    /// Converts into a core departure record; `today` bounds the dates.
    pub fn to_departure(&self, today: Date) -> Result<DepartureRecord, FieldError> {
        let id = DepartureRecordId::parse(self.record_id.trim()).map_err(|e| field_err("record_id", e))?;
        let source = RecordSource::parse(self.source.trim()).map_err(|e| field_err("source", e))?;
        let name = person_name(&self.given_names, &self.family_names, NameOrder::GivenFirst)?;
        let date_of_birth =
            DateOfBirth::parse(&self.date_of_birth, today).map_err(|e| field_err("date_of_birth", e))?;
        let sex = Sex::parse(&self.sex).map_err(|e| field_err("sex", e))?;
        let nationality =
            given(&self.nationality).map(Country::parse).transpose().map_err(|e| field_err("nationality", e))?;
        let document = match given(&self.document_number) {
            None => {
                for (field, value) in
                    [("document_type", &self.document_type), ("document_country", &self.document_country)]
                {
                    if given(value).is_some() {
                        return Err(field_err("document_number", format!("is required when `{field}` is given")));
                    }
                }
                None
            }
            Some(number) => {
                let kind = given(&self.document_type)
                    .map(DocumentKind::parse)
                    .transpose()
                    .map_err(|e| field_err("document_type", e))?
                    .unwrap_or(DocumentKind::Passport);
                let country = match given(&self.document_country) {
                    Some(c) => Country::parse(c).map_err(|e| field_err("document_country", e))?,
                    None => return Err(field_err("document_country", "is required with a document number")),
                };
                Some(TravelDocument::new(kind, number, country, None).map_err(|e| field_err("document_number", e))?)
            }
        };
        let departed_on = Date::parse(self.departure_date.trim()).map_err(|e| field_err("departure_date", e))?;
        check_departure_date(departed_on, &date_of_birth, today).map_err(|e| field_err("departure_date", e))?;
        Ok(DepartureRecord {
            id,
            source,
            name,
            date_of_birth,
            sex,
            nationality,
            document,
            departed_on,
            port: Port::parse(&self.port).map_err(|e| field_err("port", e))?,
            carrier: given(&self.carrier).map(Carrier::parse).transpose().map_err(|e| field_err("carrier", e))?,
            flight: given(&self.flight).map(FlightNumber::parse).transpose().map_err(|e| field_err("flight", e))?,
        })
    }

    /// The wire form of a core departure record.
    pub fn from_departure(d: &DepartureRecord) -> WireDeparture {
        let part = |given: bool| {
            if given { d.name.given() } else { d.name.family() }.map(|p| p.original().to_owned()).unwrap_or_default()
        };
        WireDeparture {
            record_id: d.id.to_string(),
            source: d.source.to_string(),
            given_names: part(true),
            family_names: part(false),
            date_of_birth: d.date_of_birth.to_string(),
            sex: d.sex.code().into(),
            nationality: d.nationality.map(|c| c.to_string()).unwrap_or_default(),
            document_type: d.document.as_ref().map(|x| x.kind().name().to_owned()).unwrap_or_default(),
            document_number: d.document.as_ref().map(|x| x.number().to_owned()).unwrap_or_default(),
            document_country: d.document.as_ref().map(|x| x.issuing_country().to_string()).unwrap_or_default(),
            departure_date: d.departed_on.to_string(),
            port: d.port.to_string(),
            carrier: d.carrier.as_ref().map(ToString::to_string).unwrap_or_default(),
            flight: d.flight.as_ref().map(ToString::to_string).unwrap_or_default(),
        }
    }
}

/// Reads one departure record from a JSON object (a JSONL line or a message body); `today`
/// bounds the dates. A line that is not an object of the format's fields is refused in field
/// `(record)`; a field that is missing, not a string or unknown, in that field.
pub fn parse_departure_line(line: &str, today: Date) -> Result<DepartureRecord, FieldError> {
    let value: serde_json::Value =
        serde_json::from_str(line).map_err(|e| field_err("(record)", format!("not JSON: {e}")))?;
    let serde_json::Value::Object(obj) = value else {
        return Err(field_err("(record)", "not a JSON object"));
    };
    from_fields(obj, today)
}

/// Reads one departure record from a CSV row already split into fields, under `header` (the
/// file's column names, in any order); `today` bounds the dates. A column that is not a field of
/// the format is refused in that column, a missing required one in its field, and a row with
/// another number of fields than the header in `(record)`.
pub fn departure_from_row(header: &[&str], row: &[&str], today: Date) -> Result<DepartureRecord, FieldError> {
    if row.len() != header.len() {
        return Err(field_err("(record)", format!("the row has {} fields and the header {}", row.len(), header.len())));
    }
    let mut obj = serde_json::Map::new();
    for (&column, &value) in header.iter().zip(row) {
        let column = column.trim();
        if obj.insert(column.to_owned(), serde_json::Value::String(value.to_owned())).is_some() {
            return Err(field_err(column, "is given twice in the header"));
        }
    }
    from_fields(obj, today)
}

/// The fields a record must give.
pub const REQUIRED_FIELDS: [&str; 5] = ["record_id", "source", "date_of_birth", "departure_date", "port"];

/// A record from its fields by name, whether a JSON object's or a CSV row's: every name a field
/// of the format, every value a string, the required ones present.
fn from_fields(obj: serde_json::Map<String, serde_json::Value>, today: Date) -> Result<DepartureRecord, FieldError> {
    for (key, v) in &obj {
        if !DEPARTURE_FIELDS.contains(&key.as_str()) {
            return Err(field_err(key, "is not a field of a departure record"));
        }
        if !v.is_string() {
            return Err(field_err(key, "must be a string"));
        }
    }
    if let Some(missing) = REQUIRED_FIELDS.into_iter().find(|f| !obj.contains_key(*f)) {
        return Err(field_err(missing, "is required"));
    }
    let wire: WireDeparture = serde_json::from_value(serde_json::Value::Object(obj))
        .map_err(|e| field_err("(record)", format!("not a departure record: {e}")))?;
    wire.to_departure(today)
}

/// The JSON object of a departure record, every optional field left out when empty.
pub fn departure_json(d: &DepartureRecord) -> serde_json::Value {
    let wire = WireDeparture::from_departure(d);
    let mut obj = serde_json::Map::new();
    let serde_json::Value::Object(all) = serde_json::to_value(&wire).expect("strings serialize") else {
        unreachable!("a struct serializes to an object")
    };
    for field in DEPARTURE_FIELDS {
        if let Some(v) = all.get(field).filter(|v| v.as_str().is_some_and(|s| !s.is_empty())) {
            obj.insert(field.to_owned(), v.clone());
        }
    }
    serde_json::Value::Object(obj)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::parse("2026-12-07").expect("date")
    }

    const LINE: &str = r#"{"record_id":"APIS-20261206-000123","source":"cbp.apis","given_names":"Ana María","family_names":"Choc Hernández","date_of_birth":"2001-XX-XX","sex":"F","nationality":"GTM","document_number":"p-572379026","document_country":"gtm","departure_date":"2026-12-06","port":"iah","carrier":"ua","flight":"0077"}"#;

    #[test]
    fn a_record_reads_normalized_and_writes_back_the_same() {
        let d = parse_departure_line(LINE, today()).expect("valid");
        assert_eq!(d.id.as_str(), "APIS-20261206-000123");
        assert_eq!(d.document.as_ref().expect("document").number(), "P572379026");
        assert_eq!((d.port.as_str(), d.flight.as_ref().expect("flight").as_str()), ("IAH", "77"));
        let again = parse_departure_line(&departure_json(&d).to_string(), today()).expect("round trip");
        assert_eq!(again, d);
    }

    #[test]
    fn every_refusal_names_its_field() {
        let with = |k: &str, v: &str| {
            let mut obj: serde_json::Map<String, serde_json::Value> = serde_json::from_str(LINE).expect("object");
            if v == "<absent>" {
                obj.remove(k);
            } else {
                obj.insert(k.to_owned(), serde_json::Value::String(v.to_owned()));
            }
            serde_json::Value::Object(obj).to_string()
        };
        let cases = [
            ("record_id", "", "empty"),
            ("record_id", "<absent>", "required"),
            ("source", "cbp apis", "only ASCII"),
            ("family_names", "", ""),
            ("date_of_birth", "2001-13-01", "date of birth"),
            ("sex", "Q", "sex marker"),
            ("nationality", "ZZZ", "alpha-3"),
            ("document_type", "visa", "travel document type"),
            ("document_number", "12", "5 to 20"),
            ("document_country", "<absent>", "required with a document number"),
            ("departure_date", "2026-12-31", "future"),
            ("departure_date", "1999-01-01", "year of birth"),
            ("departure_date", "06/12/2026", ""),
            ("port", "IA", "IATA location code"),
            ("carrier", "123", "airline designator"),
            ("flight", "12345", "flight number"),
        ];
        for (field, value, reason) in cases {
            let mut line = with(field, value);
            if field == "family_names" {
                line = with("given_names", "").replace(r#""family_names":"Choc Hernández""#, r#""family_names":"""#);
            }
            let err = parse_departure_line(&line, today()).expect_err(field);
            assert_eq!(err.field, field, "{field} = {value}: {err}");
            assert!(err.reason.contains(reason), "{field} = {value}: {err}");
        }
        let err = parse_departure_line(&LINE.replace("\"flight\"", "\"seat\""), today()).expect_err("unknown");
        assert_eq!((err.field.as_str(), err.reason.as_str()), ("seat", "is not a field of a departure record"));
        let err = parse_departure_line(&LINE.replace("\"0077\"", "77"), today()).expect_err("number");
        assert_eq!((err.field.as_str(), err.reason.as_str()), ("flight", "must be a string"));
        let no_number = with("document_number", "<absent>");
        let err = parse_departure_line(&no_number, today()).expect_err("country without number");
        assert_eq!(err.field, "document_number");
        assert_eq!(parse_departure_line("[1]", today()).expect_err("array").field, "(record)");
        assert_eq!(parse_departure_line("{", today()).expect_err("broken").field, "(record)");
    }

    #[test]
    fn a_csv_row_reads_as_the_same_record_as_its_json_object() {
        let json = parse_departure_line(LINE, today()).expect("valid");
        let header = [
            "port",
            "record_id",
            "source",
            "given_names",
            "family_names",
            "date_of_birth",
            "sex",
            "nationality",
            "document_number",
            "document_country",
            "departure_date",
            "carrier",
            "flight",
        ];
        let row = [
            "IAH",
            "APIS-20261206-000123",
            "cbp.apis",
            "Ana María",
            "Choc Hernández",
            "2001-XX-XX",
            "F",
            "GTM",
            "P572379026",
            "GTM",
            "2026-12-06",
            "UA",
            "77",
        ];
        assert_eq!(departure_from_row(&header, &row, today()).expect("row"), json);
        let err = departure_from_row(&["record_id", "seat"], &["a", "1"], today()).expect_err("unknown column");
        assert_eq!((err.field.as_str(), err.reason.as_str()), ("seat", "is not a field of a departure record"));
        let err = departure_from_row(&header[1..], &row[1..], today()).expect_err("no port");
        assert_eq!((err.field.as_str(), err.reason.as_str()), ("port", "is required"));
        assert_eq!(departure_from_row(&header, &row[1..], today()).expect_err("short").field, "(record)");
        let twice = ["port", "port"];
        assert_eq!(departure_from_row(&twice, &["IAH", "JFK"], today()).expect_err("twice").field, "port");
    }

    #[test]
    fn optional_fields_may_be_absent_or_empty() {
        let line = r#"{"record_id":"X-1","source":"cbp.exit","family_names":"Diallo","date_of_birth":"1980","departure_date":"2026-12-07","port":"JFK","carrier":""}"#;
        let d = parse_departure_line(line, today()).expect("valid");
        assert_eq!(
            (d.nationality, d.document.is_none(), d.carrier.is_none(), d.flight.is_none()),
            (None, true, true, true)
        );
        assert_eq!(d.sex, Sex::Unknown);
    }
}
