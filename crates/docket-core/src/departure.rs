//! Departure records: what a departure manifest or an exit record says of one traveller, and no
//! more. A record names the traveller (names, date of birth, sex, nationality, the document
//! shown) and the departure (date, port, carrier, flight); it holds no seat, no booking, no
//! companions, no address and no itinerary beyond the port left from, and it cannot: the record
//! has no field for them.

use std::fmt;

use thiserror::Error;

use crate::ids::{DepartureRecordId, ModelVersion, RecordSource, ReviewId};
use crate::person::{Country, DateOfBirth, PersonName, Sex, TravelDocument};
use crate::time::Date;

/// Why a departure field was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DepartureError {
    /// Not an IATA location code.
    #[error("`{0}` is not a port of departure: expected an IATA location code of three letters, as `IAH`")]
    Port(String),
    /// Not an airline designator.
    #[error(
        "`{0}` is not a carrier: expected an IATA airline designator (two letters or digits, not both digits, as `AA` or `B6`) or an ICAO one (three letters, as `AAL`)"
    )]
    Carrier(String),
    /// Not a flight number.
    #[error(
        "`{0}` is not a flight number: expected 1 to 4 digits and at most one letter after them, as `1234` or `77A`"
    )]
    Flight(String),
    /// A departure date that cannot be.
    #[error("departure date {date}: {why}")]
    Date {
        /// The date given.
        date: Date,
        /// What is wrong with it.
        why: &'static str,
    },
}

/// The port a traveller departed from: an IATA location code (three letters, upper case).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Port([u8; 3]);

impl Port {
    /// Reads a code in either case.
    pub fn parse(text: &str) -> Result<Port, DepartureError> {
        match text.trim().as_bytes() {
            &[a, b, c] if [a, b, c].iter().all(u8::is_ascii_alphabetic) => {
                Ok(Port([a, b, c].map(|x| x.to_ascii_uppercase())))
            }
            _ => Err(DepartureError::Port(text.to_owned())),
        }
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("ASCII by construction")
    }
}

impl fmt::Display for Port {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Port {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Port({})", self.as_str())
    }
}

/// The carrier: an IATA airline designator (two characters, letters or digits, not both digits)
/// or an ICAO one (three letters), upper case.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Carrier(String);

impl Carrier {
    /// Reads a designator in either case.
    pub fn parse(text: &str) -> Result<Carrier, DepartureError> {
        let code = text.trim().to_ascii_uppercase();
        let b = code.as_bytes();
        let iata = b.len() == 2 && b.iter().all(u8::is_ascii_alphanumeric) && !b.iter().all(u8::is_ascii_digit);
        let icao = b.len() == 3 && b.iter().all(u8::is_ascii_alphabetic);
        if iata || icao { Ok(Carrier(code)) } else { Err(DepartureError::Carrier(text.to_owned())) }
    }

    /// The designator.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Carrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Carrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Carrier({})", self.0)
    }
}

/// A flight number without its carrier: 1 to 4 digits, perhaps one letter after them (an
/// operational suffix), upper case; leading zeros are dropped (`0077` is flight `77`).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FlightNumber(String);

impl FlightNumber {
    /// Reads a flight number in either case.
    pub fn parse(text: &str) -> Result<FlightNumber, DepartureError> {
        let code = text.trim().to_ascii_uppercase();
        let digits = code.bytes().take_while(u8::is_ascii_digit).count();
        let suffix = &code[digits..];
        let ok = (1..=4).contains(&digits)
            && (suffix.is_empty() || (suffix.len() == 1 && suffix.as_bytes()[0].is_ascii_alphabetic()));
        let number = code[..digits].trim_start_matches('0');
        if !ok || number.is_empty() {
            return Err(DepartureError::Flight(text.to_owned()));
        }
        Ok(FlightNumber(format!("{number}{suffix}")))
    }

    /// The flight number.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FlightNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for FlightNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FlightNumber({})", self.0)
    }
}

/// One traveller's departure, as a manifest or an exit record gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepartureRecord {
    /// The record's id at its source: applying a record twice changes nothing.
    pub id: DepartureRecordId,
    /// The system that sent it.
    pub source: RecordSource,
    /// The name as the document gives it (given names first).
    pub name: PersonName,
    /// Date of birth; partial where the document's is.
    pub date_of_birth: DateOfBirth,
    /// Sex marker.
    pub sex: Sex,
    /// Nationality, when given.
    pub nationality: Option<Country>,
    /// The document travelled on, when given.
    pub document: Option<TravelDocument>,
    /// The day of departure (local to the port).
    pub departed_on: Date,
    /// The port departed from.
    pub port: Port,
    /// The carrier, when given (a land or sea exit may have none).
    pub carrier: Option<Carrier>,
    /// The flight, when given.
    pub flight: Option<FlightNumber>,
}

/// Checks a departure date against the traveller's date of birth and today: a departure is
/// not before the year of birth nor more than one day after today (a port ahead of UTC is
/// already on the next day).
pub fn check_departure_date(departed_on: Date, date_of_birth: &DateOfBirth, today: Date) -> Result<(), DepartureError> {
    if departed_on > today.add_days(1) {
        return Err(DepartureError::Date { date: departed_on, why: "it is in the future" });
    }
    if departed_on.year() < date_of_birth.year() {
        return Err(DepartureError::Date { date: departed_on, why: "it is before the traveller's year of birth" });
    }
    Ok(())
}

/// A match probability, kept to the millionth so that events compare exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Probability(u32);

impl Probability {
    /// Millionths in one.
    pub const SCALE: u32 = 1_000_000;

    /// The probability `p`, rounded to the millionth; `None` outside `[0, 1]` or not a number.
    pub fn from_f64(p: f64) -> Option<Probability> {
        (0.0..=1.0).contains(&p).then(|| Probability((p * f64::from(Self::SCALE)).round() as u32))
    }

    /// Parses a decimal such as `0.999912`, refusing more than six decimals.
    pub fn parse(text: &str) -> Option<Probability> {
        let text = text.trim();
        let (whole, frac) = text.split_once('.').unwrap_or((text, "0"));
        if frac.is_empty() || frac.len() > 6 || !frac.bytes().all(|b| b.is_ascii_digit()) || !matches!(whole, "0" | "1")
        {
            return None;
        }
        let frac: u32 = format!("{frac:0<6}").parse().ok()?;
        let millionths = if whole == "1" { Self::SCALE + frac } else { frac };
        (millionths <= Self::SCALE).then_some(Probability(millionths))
    }

    /// Millionths.
    pub fn millionths(self) -> u32 {
        self.0
    }

    /// As a float.
    pub fn as_f64(self) -> f64 {
        f64::from(self.0) / f64::from(Self::SCALE)
    }
}

impl fmt::Display for Probability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:06}", self.0 / Self::SCALE, self.0 % Self::SCALE)
    }
}

/// Why a piece of match evidence was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EvidenceError {
    /// A label that is empty, too long or not printable.
    #[error("`{text}` is not a valid {what}: {why}")]
    Label {
        /// The text given.
        text: String,
        /// Which label.
        what: &'static str,
        /// What is wrong with it.
        why: &'static str,
    },
}

fn check_label(text: &str, what: &'static str, max: usize) -> Result<String, EvidenceError> {
    let bad = |why| EvidenceError::Label { text: text.to_owned(), what, why };
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(bad("it is empty"));
    }
    if trimmed.chars().count() > max {
        return Err(bad("it is too long"));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(bad("it holds a control character"));
    }
    Ok(trimmed.to_owned())
}

/// One comparison's part in a match: the comparison's name in the settings, the level the
/// pair reached and the weight that level carried (log2 of its Bayes factor, in millionths).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComparisonEvidence {
    comparison: String,
    level: String,
    weight_micro: i64,
}

impl ComparisonEvidence {
    /// The evidence of one comparison; names and labels of at most 64 characters.
    pub fn new(comparison: &str, level: &str, weight_bits: f64) -> Result<ComparisonEvidence, EvidenceError> {
        let weight_micro = if weight_bits.is_finite() { (weight_bits * 1e6).round() as i64 } else { 0 };
        Ok(ComparisonEvidence {
            comparison: check_label(comparison, "comparison name", 64)?,
            level: check_label(level, "comparison level", 64)?,
            weight_micro,
        })
    }

    /// The comparison's name in the settings (`family_names`).
    pub fn comparison(&self) -> &str {
        &self.comparison
    }

    /// The level reached (`exact`, `else`).
    pub fn level(&self) -> &str {
        &self.level
    }

    /// The weight in bits (log2 of the Bayes factor), to the millionth.
    pub fn weight_bits(&self) -> f64 {
        self.weight_micro as f64 / 1e6
    }
}

/// A reason given in words by whoever accepts, rejects or withdraws a departure match:
/// 1 to 500 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reason(String);

impl Reason {
    /// Parses a reason.
    pub fn parse(text: &str) -> Result<Reason, EvidenceError> {
        check_label(text, "reason", 500).map(Reason)
    }

    /// The reason as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How a departure match came to be recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MatchDecision {
    /// Clear: high probability and no close competitor among the candidates; recorded by the
    /// feed without review.
    Clear,
    /// Accepted by a reviewer (the event's recorder) from the review queue.
    Reviewed {
        /// The review item.
        review: ReviewId,
        /// The reviewer's reason.
        reason: Reason,
    },
}

/// The evidence behind a verified departure: which record, how well it matched this person
/// and under which model, and who decided. A match is evidence, never by itself a finding of
/// status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepartureEvidence {
    /// The departure record matched.
    pub record: DepartureRecordId,
    /// Its source.
    pub source: RecordSource,
    /// The calibrated probability that the record and the person are the same.
    pub probability: Probability,
    /// Each comparison's level and weight.
    pub comparisons: Vec<ComparisonEvidence>,
    /// The model in force when it was scored.
    pub model: ModelVersion,
    /// Clear, or accepted on review.
    pub decision: MatchDecision,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probabilities_keep_six_decimals() {
        assert_eq!(Probability::parse("0.999912").map(|p| p.to_string()), Some("0.999912".to_owned()));
        assert_eq!(Probability::parse("1").map(|p| p.millionths()), Some(1_000_000));
        assert_eq!(Probability::parse("0.5").map(|p| p.to_string()), Some("0.500000".to_owned()));
        for bad in ["1.1", "2", "-0.1", "0.", "1.", "0.1234567", "abc", "0.x"] {
            assert_eq!(Probability::parse(bad), None, "{bad}");
        }
        assert_eq!(Probability::from_f64(0.9999996).map(|p| p.to_string()), Some("1.000000".to_owned()));
        assert_eq!(Probability::from_f64(f64::NAN), None);
    }

    #[test]
    fn ports_are_three_letters_upper_cased() {
        assert_eq!(Port::parse("iah").expect("port").as_str(), "IAH");
        assert_eq!(Port::parse(" MEX ").expect("port").to_string(), "MEX");
        for bad in ["", "IA", "IAHX", "I4H", "ÅAA"] {
            assert_eq!(Port::parse(bad), Err(DepartureError::Port(bad.to_owned())), "{bad}");
        }
    }

    #[test]
    fn carriers_are_iata_or_icao_designators() {
        for (text, want) in [("aa", "AA"), ("B6", "B6"), ("9w", "9W"), ("AAL", "AAL")] {
            assert_eq!(Carrier::parse(text).expect("carrier").as_str(), want, "{text}");
        }
        for bad in ["", "A", "12", "A1B", "AAAA", "A-"] {
            assert!(Carrier::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn flight_numbers_drop_leading_zeros_and_keep_one_suffix_letter() {
        for (text, want) in [("1234", "1234"), ("0077", "77"), ("77a", "77A"), ("5", "5")] {
            assert_eq!(FlightNumber::parse(text).expect("flight").as_str(), want, "{text}");
        }
        for bad in ["", "0", "00", "12345", "A12", "12AB", "12-", "AA123"] {
            assert!(FlightNumber::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_departure_is_not_in_the_future_nor_before_birth() {
        let today = Date::parse("2026-12-07").expect("date");
        let dob = DateOfBirth::parse("1990-XX-XX", today).expect("dob");
        let on = |d: &str| check_departure_date(Date::parse(d).expect("date"), &dob, today);
        assert!(on("2026-12-07").is_ok() && on("2026-12-08").is_ok() && on("1990-01-01").is_ok());
        assert!(matches!(on("2026-12-09"), Err(DepartureError::Date { why: "it is in the future", .. })));
        assert!(matches!(on("1989-12-31"), Err(DepartureError::Date { .. })));
    }
}
