//! Calendar dates and instants, with the federal calendar that legal deadlines roll over.
//!
//! Legal deadlines are counted in calendar days from the date of a decision as it was
//! entered — the local date where the court sat — so an instant keeps the UTC offset it was
//! recorded with. Two instants compare by the moment they denote, never by their offsets.

use std::cmp::Ordering;
use std::fmt;

use thiserror::Error;

/// Seconds in a civil day.
const DAY_SECS: i64 = 86_400;
/// Earliest and latest years accepted anywhere in Docket.
const MIN_YEAR: i32 = 1800;
const MAX_YEAR: i32 = 2200;

/// Why a date or an instant could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TimeError {
    /// The text is not in the expected layout.
    #[error("`{text}` is not a {expected}")]
    Layout {
        /// What was given.
        text: String,
        /// What layout was expected, in words.
        expected: &'static str,
    },
    /// The parts are in range of the layout but name no real day.
    #[error("`{0}` is not a real calendar date")]
    NoSuchDate(String),
    /// The year is outside the range Docket accepts.
    #[error("year {0} is outside {MIN_YEAR}..={MAX_YEAR}")]
    YearOutOfRange(i32),
    /// An instant whose local date is outside the years Docket accepts.
    #[error("`{0}` is outside the years {MIN_YEAR}–{MAX_YEAR}")]
    InstantOutOfRange(String),
    /// Not a time zone of the IANA time-zone database.
    #[error("`{0}` is not an IANA time zone (for example `America/New_York`)")]
    UnknownZone(String),
}

/// A day of the Gregorian calendar, valid once built.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    // INVARIANT: days since 1970-01-01 of a date whose year is within MIN_YEAR..=MAX_YEAR.
    days: i32,
}

/// Day of the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weekday {
    /// Monday.
    Monday,
    /// Tuesday.
    Tuesday,
    /// Wednesday.
    Wednesday,
    /// Thursday.
    Thursday,
    /// Friday.
    Friday,
    /// Saturday.
    Saturday,
    /// Sunday.
    Sunday,
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u8) -> u8 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

// Howard Hinnant's days_from_civil / civil_from_days.
fn days_from_civil(y: i32, m: u8, d: u8) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i32::from(m);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i32::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i32) -> (i32, u8, u8) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn parse_digits(s: &str) -> Option<i32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

impl Date {
    /// The earliest date Docket accepts, 1800-01-01.
    pub const MIN: Date = Date { days: -62_091 };

    /// The date `year-month-day`, if it exists.
    pub fn from_ymd(year: i32, month: u8, day: u8) -> Result<Date, TimeError> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(TimeError::YearOutOfRange(year));
        }
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return Err(TimeError::NoSuchDate(format!("{year:04}-{month:02}-{day:02}")));
        }
        Ok(Date { days: days_from_civil(year, month, day) })
    }

    /// Reads `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Result<Date, TimeError> {
        let layout = || TimeError::Layout { text: text.to_owned(), expected: "date `YYYY-MM-DD`" };
        let b = text.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(layout());
        }
        let y = parse_digits(&text[0..4]).ok_or_else(layout)?;
        let m = parse_digits(&text[5..7]).ok_or_else(layout)?;
        let d = parse_digits(&text[8..10]).ok_or_else(layout)?;
        Date::from_ymd(y, m as u8, d as u8).map_err(|e| match e {
            TimeError::NoSuchDate(_) => TimeError::NoSuchDate(text.to_owned()),
            other => other,
        })
    }

    /// Calendar year.
    pub fn year(self) -> i32 {
        civil_from_days(self.days).0
    }

    /// Calendar month, 1–12.
    pub fn month(self) -> u8 {
        civil_from_days(self.days).1
    }

    /// Day of the month, 1–31.
    pub fn day(self) -> u8 {
        civil_from_days(self.days).2
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days_since_epoch(self) -> i32 {
        self.days
    }

    /// The date `n` calendar days later (earlier when negative), clamped to Docket's range.
    pub fn add_days(self, n: i32) -> Date {
        let lo = days_from_civil(MIN_YEAR, 1, 1);
        let hi = days_from_civil(MAX_YEAR, 12, 31);
        Date { days: self.days.saturating_add(n).clamp(lo, hi) }
    }

    /// The same day `n` months later; the last day of the month when that day does not exist
    /// (January 31 plus one month is February 28 or 29).
    pub fn add_months(self, n: i32) -> Date {
        let (y, m, d) = civil_from_days(self.days);
        let total = y * 12 + i32::from(m) - 1 + n;
        let (ny, nm) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u8);
        let ny = ny.clamp(MIN_YEAR, MAX_YEAR);
        let nd = d.min(days_in_month(ny, nm));
        Date { days: days_from_civil(ny, nm, nd) }
    }

    /// Calendar days from `self` to `later` (negative if `later` is earlier).
    pub fn days_until(self, later: Date) -> i32 {
        later.days - self.days
    }

    /// Day of the week.
    pub fn weekday(self) -> Weekday {
        // 1970-01-01 was a Thursday.
        match (self.days + 3).rem_euclid(7) {
            0 => Weekday::Monday,
            1 => Weekday::Tuesday,
            2 => Weekday::Wednesday,
            3 => Weekday::Thursday,
            4 => Weekday::Friday,
            5 => Weekday::Saturday,
            _ => Weekday::Sunday,
        }
    }

    /// Whether the date is a Saturday or Sunday.
    pub fn is_weekend(self) -> bool {
        matches!(self.weekday(), Weekday::Saturday | Weekday::Sunday)
    }

    /// Whether the date is a legal public holiday of the United States (5 U.S.C. 6103), as
    /// observed: a holiday on a Saturday is observed the Friday before, on a Sunday the Monday
    /// after.
    pub fn is_federal_holiday(self) -> bool {
        let y = self.year();
        // The observed day of a holiday may fall in the neighbouring year (New Year's Day on a
        // Saturday is observed on December 31), so look at both years.
        [y - 1, y, y + 1]
            .into_iter()
            .filter(|yy| (MIN_YEAR..=MAX_YEAR).contains(yy))
            .any(|yy| federal_holidays(yy).contains(&self))
    }

    /// Whether federal offices are open: not a weekend and not a federal holiday.
    pub fn is_business_day(self) -> bool {
        !self.is_weekend() && !self.is_federal_holiday()
    }

    /// This date if it is a business day, else the next business day.
    pub fn or_next_business_day(self) -> Date {
        let mut d = self;
        while !d.is_business_day() {
            d = d.add_days(1);
        }
        d
    }

    /// The instant this date begins at the given UTC offset.
    pub fn start_at_offset(self, offset_minutes: i16) -> Timestamp {
        Timestamp { secs: i64::from(self.days) * DAY_SECS - i64::from(offset_minutes) * 60, offset_minutes }
    }
}

fn nth_weekday(y: i32, m: u8, weekday: Weekday, n: u8) -> Date {
    let mut d = Date { days: days_from_civil(y, m, 1) };
    while d.weekday() != weekday {
        d = d.add_days(1);
    }
    d.add_days(7 * (i32::from(n) - 1))
}

fn last_weekday(y: i32, m: u8, weekday: Weekday) -> Date {
    let mut d = Date { days: days_from_civil(y, m, days_in_month(y, m)) };
    while d.weekday() != weekday {
        d = d.add_days(-1);
    }
    d
}

fn observed(d: Date) -> Date {
    match d.weekday() {
        Weekday::Saturday => d.add_days(-1),
        Weekday::Sunday => d.add_days(1),
        _ => d,
    }
}

/// The observed federal holidays of year `y` (5 U.S.C. 6103; Juneteenth from 2021).
fn federal_holidays(y: i32) -> Vec<Date> {
    let fixed = |m, d| observed(Date { days: days_from_civil(y, m, d) });
    let mut days = vec![
        fixed(1, 1),
        nth_weekday(y, 1, Weekday::Monday, 3),
        nth_weekday(y, 2, Weekday::Monday, 3),
        last_weekday(y, 5, Weekday::Monday),
        fixed(7, 4),
        nth_weekday(y, 9, Weekday::Monday, 1),
        nth_weekday(y, 10, Weekday::Monday, 2),
        fixed(11, 11),
        nth_weekday(y, 11, Weekday::Thursday, 4),
        fixed(12, 25),
    ];
    if y >= 2021 {
        days.push(fixed(6, 19));
    }
    days
}

/// Writes `n` as `width` zero-padded ASCII digits into `out`.
fn put_digits(out: &mut [u8], mut n: u32) {
    for slot in out.iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

fn put_date(out: &mut [u8], days: i32) {
    // Years are within MIN_YEAR..=MAX_YEAR, so four digits always suffice.
    let (y, m, d) = civil_from_days(days);
    put_digits(&mut out[0..4], y as u32);
    out[4] = b'-';
    put_digits(&mut out[5..7], u32::from(m));
    out[7] = b'-';
    put_digits(&mut out[8..10], u32::from(d));
}

// Display is on hot paths (every stored event and projection writes several), so it
// formats into a byte buffer rather than through `write!`.
impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; 10];
        put_date(&mut buf, self.days);
        f.write_str(std::str::from_utf8(&buf).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// An instant, with the UTC offset it was recorded at.
///
/// Equality and order are by the instant alone: `2025-03-04T10:00:00-05:00` equals
/// `2025-03-04T15:00:00Z`.
#[derive(Clone, Copy)]
pub struct Timestamp {
    secs: i64,
    offset_minutes: i16,
}

impl PartialEq for Timestamp {
    fn eq(&self, other: &Self) -> bool {
        self.secs == other.secs
    }
}
impl Eq for Timestamp {}
impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Timestamp {
    fn cmp(&self, other: &Self) -> Ordering {
        self.secs.cmp(&other.secs)
    }
}
impl std::hash::Hash for Timestamp {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.secs.hash(state);
    }
}

impl Timestamp {
    /// The instant `secs` seconds after 1970-01-01T00:00:00Z, written at `offset_minutes`.
    /// Its local date (at that offset) must be within the years 1800–2200.
    pub fn from_unix(secs: i64, offset_minutes: i16) -> Result<Timestamp, TimeError> {
        let out_of_range = || {
            let text = jiff::Timestamp::from_second(secs).map_or_else(|_| format!("{secs} s"), |t| t.to_string());
            TimeError::InstantOutOfRange(text)
        };
        if offset_minutes.abs() > 18 * 60 {
            return Err(TimeError::Layout {
                text: format!("{offset_minutes:+} minutes"),
                expected: "UTC offset within ±18:00",
            });
        }
        let lo = i64::from(days_from_civil(MIN_YEAR, 1, 1));
        let hi = i64::from(days_from_civil(MAX_YEAR, 12, 31));
        let local_day = secs.checked_add(i64::from(offset_minutes) * 60).ok_or_else(out_of_range)?.div_euclid(DAY_SECS);
        if !(lo..=hi).contains(&local_day) {
            return Err(out_of_range());
        }
        Ok(Timestamp { secs, offset_minutes })
    }

    /// Reads RFC 3339: `YYYY-MM-DDTHH:MM:SS` with optional fraction (dropped) and `Z` or
    /// `±HH:MM`. A bare date `YYYY-MM-DD` means the start of that day in UTC.
    pub fn parse(text: &str) -> Result<Timestamp, TimeError> {
        let layout =
            || TimeError::Layout { text: text.to_owned(), expected: "timestamp `YYYY-MM-DDTHH:MM:SS±HH:MM` (or `Z`)" };
        if text.len() == 10 {
            return Ok(Date::parse(text)?.start_at_offset(0));
        }
        if text.len() < 20 || !text.is_ascii() {
            return Err(layout());
        }
        let date = Date::parse(&text[0..10]).map_err(|e| match e {
            TimeError::Layout { .. } => layout(),
            TimeError::YearOutOfRange(_) => TimeError::InstantOutOfRange(text.to_owned()),
            other => other,
        })?;
        let b = text.as_bytes();
        if !matches!(b[10], b'T' | b't' | b' ') || b[13] != b':' || b[16] != b':' {
            return Err(layout());
        }
        let hh = parse_digits(&text[11..13]).ok_or_else(layout)?;
        let mm = parse_digits(&text[14..16]).ok_or_else(layout)?;
        let ss = parse_digits(&text[17..19]).ok_or_else(layout)?;
        if hh > 23 || mm > 59 || ss > 60 {
            return Err(layout());
        }
        let mut rest = &text[19..];
        if let Some(frac) = rest.strip_prefix('.') {
            let n = frac.bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 {
                return Err(layout());
            }
            rest = &frac[n..];
        }
        let offset_minutes: i16 = match rest {
            "Z" | "z" => 0,
            _ => {
                let rb = rest.as_bytes();
                if rb.len() != 6 || !matches!(rb[0], b'+' | b'-') || rb[3] != b':' {
                    return Err(layout());
                }
                let oh = parse_digits(&rest[1..3]).ok_or_else(layout)?;
                let om = parse_digits(&rest[4..6]).ok_or_else(layout)?;
                if oh > 18 || om > 59 {
                    return Err(layout());
                }
                let v = (oh * 60 + om) as i16;
                if rb[0] == b'-' { -v } else { v }
            }
        };
        let local = i64::from(date.days) * DAY_SECS + i64::from(hh) * 3600 + i64::from(mm) * 60 + i64::from(ss.min(59));
        Timestamp::from_unix(local - i64::from(offset_minutes) * 60, offset_minutes).map_err(|e| match e {
            TimeError::InstantOutOfRange(_) => TimeError::InstantOutOfRange(text.to_owned()),
            other => other,
        })
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    pub fn unix_seconds(self) -> i64 {
        self.secs
    }

    /// The UTC offset this instant was recorded at, in minutes.
    pub fn offset_minutes(self) -> i16 {
        self.offset_minutes
    }

    /// The calendar date at the recorded offset — the date a court or office would write.
    pub fn local_date(self) -> Date {
        let local = self.secs + i64::from(self.offset_minutes) * 60;
        Date { days: local.div_euclid(DAY_SECS) as i32 }
    }

    /// The same instant, written at another UTC offset (kept as it is if the local date there
    /// would fall outside Docket's range).
    pub fn at_offset(self, offset_minutes: i16) -> Timestamp {
        Timestamp::from_unix(self.secs, offset_minutes).unwrap_or(self)
    }

    /// The same instant `secs` seconds later, keeping the offset.
    pub fn plus_seconds(self, secs: i64) -> Timestamp {
        Timestamp { secs: self.secs.saturating_add(secs), offset_minutes: self.offset_minutes }
    }

    /// The instant `date` ends at this instant's offset (the start of the next day), which is
    /// when a deadline falling on `date` has run out.
    pub fn end_of_day_here(self, date: Date) -> Timestamp {
        date.add_days(1).start_at_offset(self.offset_minutes)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let local = self.secs + i64::from(self.offset_minutes) * 60;
        let s = local.rem_euclid(DAY_SECS) as u32;
        let mut buf = [0u8; 25];
        put_date(&mut buf[0..10], local.div_euclid(DAY_SECS) as i32);
        buf[10] = b'T';
        put_digits(&mut buf[11..13], s / 3600);
        buf[13] = b':';
        put_digits(&mut buf[14..16], s / 60 % 60);
        buf[16] = b':';
        put_digits(&mut buf[17..19], s % 60);
        let len = if self.offset_minutes == 0 {
            buf[19] = b'Z';
            20
        } else {
            buf[19] = if self.offset_minutes < 0 { b'-' } else { b'+' };
            let o = u32::from(self.offset_minutes.unsigned_abs());
            put_digits(&mut buf[20..22], o / 60);
            buf[22] = b':';
            put_digits(&mut buf[23..25], o % 60);
            25
        };
        f.write_str(std::str::from_utf8(&buf[..len]).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// An IANA time zone (`America/New_York`, `Pacific/Saipan`), read from the time-zone
/// database built into Docket (so every machine counts the same way, whatever its own
/// database says). Legal deadlines are local calendar dates where the decision was made;
/// this is how an instant becomes such a date, daylight-saving changes included.
#[derive(Clone)]
pub struct TimeZone {
    name: std::sync::Arc<str>,
    zone: jiff::tz::TimeZone,
}

impl TimeZone {
    /// Looks a zone up by its IANA name.
    pub fn parse(name: &str) -> Result<TimeZone, TimeError> {
        let unknown = || TimeError::UnknownZone(name.to_owned());
        let trimmed = name.trim();
        // Fixed offsets and POSIX strings are not places; a deadline needs a court's zone.
        if trimmed.is_empty() || trimmed.starts_with(['+', '-']) || trimmed.contains(',') {
            return Err(unknown());
        }
        let zone = jiff::tz::db().get(trimmed).map_err(|_| unknown())?;
        // A place has an `Area/Location` name; `UTC`, `EST`, `Etc/GMT+5`, `Etc/Unknown` and
        // `Factory` are offsets or placeholders, not where a court sits.
        let canonical: std::sync::Arc<str> = zone.iana_name().ok_or_else(unknown)?.into();
        if !canonical.contains('/') || canonical.starts_with("Etc/") || &*canonical == "Factory" {
            return Err(unknown());
        }
        Ok(TimeZone { name: canonical, zone })
    }

    /// The zone's IANA name.
    pub fn name(&self) -> &str {
        &self.name
    }

    fn jiff_date(d: Date) -> Option<jiff::civil::Date> {
        jiff::civil::Date::new(d.year() as i16, d.month() as i8, d.day() as i8).ok()
    }

    /// The instant `t`, written at this zone's UTC offset at that instant.
    pub fn at(&self, t: Timestamp) -> Timestamp {
        let offset = jiff::Timestamp::from_second(t.secs)
            .map(|j| self.zone.to_offset(j).seconds() / 60)
            .unwrap_or(i32::from(t.offset_minutes));
        Timestamp::from_unix(t.secs, offset as i16).unwrap_or(t)
    }

    /// The calendar date at `t` in this zone.
    pub fn local_date(&self, t: Timestamp) -> Date {
        self.at(t).local_date()
    }

    /// The first instant of `date` in this zone (midnight, or the end of a daylight-saving
    /// gap that swallows midnight), written at the zone's offset then.
    pub fn start_of_day(&self, date: Date) -> Timestamp {
        let start = Self::jiff_date(date)
            .and_then(|d| d.to_zoned_datetime(self.zone.clone()).ok())
            .and_then(|z| z.start_of_day().ok())
            .map(|z| z.timestamp().as_second());
        match start {
            Some(secs) => self.at(Timestamp { secs, offset_minutes: 0 }),
            None => date.start_at_offset(0),
        }
    }

    /// The instant a deadline falling on `date` has run out: the start of the next day here.
    pub fn end_of_day(&self, date: Date) -> Timestamp {
        self.start_of_day(date.add_days(1))
    }

    /// The same local wall-clock time `days` calendar days after `t`, in this zone.
    pub fn add_days(&self, t: Timestamp, days: i32) -> Timestamp {
        let later = jiff::Timestamp::from_second(t.secs)
            .ok()
            .map(|j| j.to_zoned_datetime(self.zone.clone()))
            .and_then(|z| z.checked_add(jiff::Span::new().days(days)).ok())
            .map(|z| z.timestamp().as_second());
        match later {
            Some(secs) => self.at(Timestamp { secs, offset_minutes: 0 }),
            None => t.plus_seconds(i64::from(days) * DAY_SECS),
        }
    }
}

impl PartialEq for TimeZone {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}
impl Eq for TimeZone {}
impl std::hash::Hash for TimeZone {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

impl fmt::Display for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl fmt::Debug for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TimeZone({})", self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_through_text() {
        for text in ["1970-01-01", "2000-02-29", "2024-12-31", "1800-01-01", "2199-07-04"] {
            assert_eq!(Date::parse(text).map(|d| d.to_string()), Ok(text.to_owned()));
        }
    }

    #[test]
    fn impossible_dates_are_refused() {
        assert!(matches!(Date::parse("2023-02-29"), Err(TimeError::NoSuchDate(_))));
        assert!(matches!(Date::parse("2023-13-01"), Err(TimeError::NoSuchDate(_))));
        assert!(matches!(Date::parse("2023-1-01"), Err(TimeError::Layout { .. })));
        assert!(matches!(Date::parse("1700-01-01"), Err(TimeError::YearOutOfRange(1700))));
    }

    #[test]
    fn the_earliest_date_is_the_first_of_1800() {
        assert_eq!(Date::MIN, Date::parse("1800-01-01").expect("valid"));
    }

    #[test]
    fn month_arithmetic_clamps_to_the_last_day() {
        let d = Date::parse("2024-01-31").expect("valid");
        assert_eq!(d.add_months(1).to_string(), "2024-02-29");
        assert_eq!(d.add_months(6).to_string(), "2024-07-31");
        assert_eq!(d.add_months(-2).to_string(), "2023-11-30");
    }

    #[test]
    fn federal_holidays_are_observed_on_weekdays() {
        let holiday = |s| Date::parse(s).expect("valid").is_federal_holiday();
        assert!(holiday("2025-01-20")); // MLK day
        assert!(holiday("2025-11-27")); // Thanksgiving
        assert!(holiday("2026-07-03")); // July 4 2026 is a Saturday
        assert!(holiday("2021-12-31")); // New Year 2022 is a Saturday
        assert!(holiday("2023-06-19")); // Juneteenth
        assert!(!holiday("2020-06-19")); // before Juneteenth became a holiday
        assert!(!holiday("2025-03-04"));
    }

    #[test]
    fn timestamps_keep_their_offset_and_compare_by_instant() {
        let a = Timestamp::parse("2025-03-04T22:30:00-05:00").expect("valid");
        let b = Timestamp::parse("2025-03-05T03:30:00Z").expect("valid");
        assert_eq!(a, b);
        assert_eq!(a.local_date().to_string(), "2025-03-04");
        assert_eq!(b.local_date().to_string(), "2025-03-05");
        assert_eq!(a.to_string(), "2025-03-04T22:30:00-05:00");
        assert_eq!(
            Timestamp::parse("2025-03-04T10:00:00.123Z").map(|t| t.to_string()),
            Ok("2025-03-04T10:00:00Z".into())
        );
        assert!(Timestamp::parse("2025-03-04 10:00").is_err());
    }

    #[test]
    fn the_whole_documented_range_of_years_is_accepted() {
        for text in
            ["1800-01-01T00:00:00Z", "1800-01-01T00:00:00+05:00", "2200-12-31T23:59:59Z", "2200-12-31T23:59:59-12:00"]
        {
            let t = Timestamp::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(t.to_string().replace("+00:00", "Z"), text);
        }
        for text in ["1799-12-31T23:59:59Z", "2201-01-01T00:00:00Z", "1800-01-01T00:00:00+05:00x"] {
            assert!(Timestamp::parse(text).is_err(), "{text}");
        }
        let e = Timestamp::parse("1799-12-31T23:59:59Z").expect_err("out of range");
        assert!(e.to_string().contains("1799-12-31"), "{e}");
        let e = Timestamp::parse("2201-01-01T00:00:00Z").expect_err("out of range");
        assert!(e.to_string().contains("`2201-01-01T00:00:00Z`"), "{e}");
    }

    #[test]
    fn zones_count_local_days_across_daylight_saving() {
        let ny = TimeZone::parse("America/New_York").expect("zone");
        // 2026-03-08: clocks go from 02:00 EST to 03:00 EDT.
        let due = Date::parse("2026-04-01").expect("date");
        let end = ny.end_of_day(due);
        assert_eq!(end.to_string(), "2026-04-02T00:00:00-04:00");
        // 00:30 EDT on April 2 is past the deadline, though it is still April 1 at -05:00.
        let filed = Timestamp::parse("2026-04-02T00:30:00-04:00").expect("ts");
        assert!(filed >= end);
        assert_eq!(ny.local_date(Timestamp::parse("2026-04-02T04:30:00Z").expect("ts")).to_string(), "2026-04-02");
        assert_eq!(ny.start_of_day(Date::parse("2026-03-08").expect("date")).to_string(), "2026-03-08T00:00:00-05:00");
        assert!(TimeZone::parse("Mars/Olympus_Mons").is_err());
        assert!(TimeZone::parse("-05:00").is_err());
        for placeholder in ["Etc/Unknown", "Factory", "UTC", "EST", "Etc/GMT+5"] {
            assert!(TimeZone::parse(placeholder).is_err(), "{placeholder} is not a court's place");
        }
        assert_eq!(TimeZone::parse("America/New_York").expect("zone"), ny);
    }
}
