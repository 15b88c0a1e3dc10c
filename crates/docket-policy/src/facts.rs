//! The adjudicated facts an agency policy may read, defined once: their names and types (from
//! which the Cedar schema is generated), one case's facts as of an instant with the events each
//! rests on (`CaseFacts`), and the same facts of many cases as columns (`FactColumns`), which
//! the batch evaluator reads.
//!
//! There is deliberately no fact for race, ethnicity, religion, national origin, nationality,
//! sex or gender, political opinion, associations, social media, location or any record from
//! outside immigration cases: a policy cannot name what is not here (DESIGN.md, "The line
//! Docket does not cross").

use std::fmt;

use docket_core::{
    CaseSummary, Date, EntryManner, EventId, MitigatingFact, OffenceClass, PersonFacts, Stage, Timestamp,
};

/// The type of a fact, as the schema declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactType {
    /// Cedar `Bool`.
    Bool,
    /// Cedar `Long` (a count or a number of whole years; never negative).
    Long,
    /// Cedar `datetime`, always a whole day (midnight UTC of the local date).
    Date,
    /// Cedar `String`, one of the listed names.
    Enum(&'static [&'static str]),
}

/// One fact of the schema.
#[derive(Debug, Clone, Copy)]
pub struct FactDef {
    /// Its attribute name on the Cedar entity `Case`.
    pub name: &'static str,
    /// Its type.
    pub ty: FactType,
    /// Whether it may be absent (a policy must test `resource has NAME` before reading it).
    pub optional: bool,
    /// What it says, for docs/policies.md.
    pub doc: &'static str,
}

const STAGES: &[&str] = &[
    "encountered",
    "notice_served",
    "pending_in_court",
    "order_not_final",
    "voluntary_departure_period",
    "on_appeal",
    "final_order",
    "relief_granted",
    "terminated",
    "departed",
    "removed",
    "closed",
];

const ENTRY_MANNERS: &[&str] = &["admitted", "paroled", "without_inspection"];

/// Names a fact of [`FACTS`]; its discriminant is its index there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[expect(missing_docs, reason = "each fact is documented in FACTS, from which the schema is generated")]
pub enum Fact {
    Stage,
    FinalOrder,
    FinalOrderOn,
    Detained,
    PendingRelief,
    FinalConvictions,
    AggravatedFelonyConvictions,
    FelonyConvictions,
    MisdemeanorConvictions,
    PettyOffenceConvictions,
    LatestConvictionOn,
    LatestSeriousConvictionOn,
    NationalSecurityDetermination,
    EntryManner,
    EnteredOn,
    AdmittedUntil,
    YearsPresent,
    AgeYears,
    CrimeVictimCertification,
    MilitaryService,
    SoleCaregiverOfChild,
    SeriousIllness,
}

/// Every fact a policy may read, in the order of [`Fact`].
pub const FACTS: [FactDef; 22] = [
    FactDef {
        name: "stage",
        ty: FactType::Enum(STAGES),
        optional: false,
        doc: "the case's stage at the instant asked (docket-core's `Stage`)",
    },
    FactDef {
        name: "final_order",
        ty: FactType::Bool,
        optional: false,
        doc: "an order of removal is administratively final",
    },
    FactDef {
        name: "final_order_on",
        ty: FactType::Date,
        optional: true,
        doc: "the local date the order became final, when it is",
    },
    FactDef { name: "detained", ty: FactType::Bool, optional: false, doc: "the person is in immigration custody" },
    FactDef {
        name: "pending_relief",
        ty: FactType::Bool,
        optional: false,
        doc: "an application for relief from removal is pending (mitigating)",
    },
    FactDef {
        name: "final_convictions",
        ty: FactType::Long,
        optional: false,
        doc: "final convictions (appeals exhausted or waived, not vacated), of any class",
    },
    FactDef {
        name: "aggravated_felony_convictions",
        ty: FactType::Long,
        optional: false,
        doc: "final convictions of an aggravated felony (INA 101(a)(43))",
    },
    FactDef {
        name: "felony_convictions",
        ty: FactType::Long,
        optional: false,
        doc: "final convictions of a felony other than an aggravated felony",
    },
    FactDef {
        name: "misdemeanor_convictions",
        ty: FactType::Long,
        optional: false,
        doc: "final convictions of a misdemeanor",
    },
    FactDef {
        name: "petty_offence_convictions",
        ty: FactType::Long,
        optional: false,
        doc: "final convictions of a petty offence or infraction",
    },
    FactDef {
        name: "latest_conviction_on",
        ty: FactType::Date,
        optional: true,
        doc: "the date of the latest final conviction, of any class",
    },
    FactDef {
        name: "latest_serious_conviction_on",
        ty: FactType::Date,
        optional: true,
        doc: "the date of the latest final conviction of a felony or an aggravated felony",
    },
    FactDef {
        name: "national_security_determination",
        ty: FactType::Bool,
        optional: false,
        doc: "a national-security determination by an authorized official is recorded",
    },
    FactDef {
        name: "entry_manner",
        ty: FactType::Enum(ENTRY_MANNERS),
        optional: true,
        doc: "how the person last entered: `admitted`, `paroled` or `without_inspection`",
    },
    FactDef { name: "entered_on", ty: FactType::Date, optional: true, doc: "the date of the person's last entry" },
    FactDef {
        name: "admitted_until",
        ty: FactType::Date,
        optional: true,
        doc: "the last day of the period of admission, when admitted for one",
    },
    FactDef {
        name: "years_present",
        ty: FactType::Long,
        optional: true,
        doc: "whole years from the last entry to the instant asked (long presence is mitigating)",
    },
    FactDef {
        name: "age_years",
        ty: FactType::Long,
        optional: true,
        doc: "the person's age in whole years, from the recorded date of birth (the youngest it can be when only the year or month is known)",
    },
    FactDef {
        name: "crime_victim_certification",
        ty: FactType::Bool,
        optional: false,
        doc: "certified as the victim of a qualifying crime (Form I-918 Supplement B) (mitigating)",
    },
    FactDef {
        name: "military_service",
        ty: FactType::Bool,
        optional: false,
        doc: "served in the US armed forces (mitigating)",
    },
    FactDef {
        name: "sole_caregiver_of_child",
        ty: FactType::Bool,
        optional: false,
        doc: "sole caregiver of a child (mitigating)",
    },
    FactDef {
        name: "serious_illness",
        ty: FactType::Bool,
        optional: false,
        doc: "a serious illness, as certified; the fact only, no medical detail (mitigating)",
    },
];

impl Fact {
    /// Every fact, in schema order.
    pub const ALL: [Fact; 22] = [
        Fact::Stage,
        Fact::FinalOrder,
        Fact::FinalOrderOn,
        Fact::Detained,
        Fact::PendingRelief,
        Fact::FinalConvictions,
        Fact::AggravatedFelonyConvictions,
        Fact::FelonyConvictions,
        Fact::MisdemeanorConvictions,
        Fact::PettyOffenceConvictions,
        Fact::LatestConvictionOn,
        Fact::LatestSeriousConvictionOn,
        Fact::NationalSecurityDetermination,
        Fact::EntryManner,
        Fact::EnteredOn,
        Fact::AdmittedUntil,
        Fact::YearsPresent,
        Fact::AgeYears,
        Fact::CrimeVictimCertification,
        Fact::MilitaryService,
        Fact::SoleCaregiverOfChild,
        Fact::SeriousIllness,
    ];

    /// Its definition.
    pub fn def(self) -> &'static FactDef {
        &FACTS[self as usize]
    }

    /// Its attribute name.
    pub fn name(self) -> &'static str {
        self.def().name
    }

    /// The fact of that attribute name, if the schema has one.
    pub fn by_name(name: &str) -> Option<Fact> {
        Fact::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// One fact's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactValue {
    /// Not recorded (only for an optional fact).
    Absent,
    /// A `Bool` fact.
    Bool(bool),
    /// A `Long` fact.
    Long(u16),
    /// A `Date` fact.
    Date(Date),
    /// An `Enum` fact: the index of its name in the type's list.
    Enum(u8),
}

impl fmt::Display for FactValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FactValue::Absent => f.write_str("absent"),
            FactValue::Bool(b) => write!(f, "{b}"),
            FactValue::Long(n) => write!(f, "{n}"),
            FactValue::Date(d) => write!(f, "{d}"),
            FactValue::Enum(i) => write!(f, "{i}"),
        }
    }
}

/// Why a fact could not be set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FactError {
    /// Not a fact of the schema.
    #[error(
        "`{0}` is not a fact a policy may use: the schema declares only adjudicated facts of immigration cases (docs/policies.md)"
    )]
    Unknown(String),
    /// A value of the wrong type or outside the fact's names.
    #[error("fact `{fact}`: {why}")]
    Invalid {
        /// The fact.
        fact: &'static str,
        /// Why.
        why: String,
    },
}

/// One case's facts as of an instant, and the recorded events each rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFacts {
    // INVARIANT: each value has its fact's type; only optional facts are `Absent`.
    values: [FactValue; FACTS.len()],
    basis: [Vec<EventId>; FACTS.len()],
}

impl Default for CaseFacts {
    /// A case with nothing recorded: encountered, no convictions, no entry, no mitigation.
    fn default() -> CaseFacts {
        let values = FACTS.map(|d| match d.ty {
            _ if d.optional => FactValue::Absent,
            FactType::Bool => FactValue::Bool(false),
            FactType::Long => FactValue::Long(0),
            FactType::Enum(_) => FactValue::Enum(0),
            // No date fact is required; this arm is not reached.
            FactType::Date => FactValue::Absent,
        });
        CaseFacts { values, basis: Default::default() }
    }
}

fn years_between(from: Date, to: Date) -> u16 {
    let mut years = to.year() - from.year();
    if (to.month(), to.day()) < (from.month(), from.day()) {
        years -= 1;
    }
    years.clamp(0, i32::from(u16::MAX)) as u16
}

impl CaseFacts {
    /// The facts of `case` at `t`: what was recorded (and not vacated) by then. `person` gives
    /// the date of birth.
    pub fn from_summary(case: &CaseSummary, person: &PersonFacts, t: Timestamp) -> CaseFacts {
        let mut f = CaseFacts::default();
        let today = t.local_date();
        let stage: Stage = case.stage_at(t);
        f.values[Fact::Stage as usize] = FactValue::Enum(stage as u8);
        if let Some(fin) = case.final_order.as_ref().filter(|fin| fin.at <= t) {
            f.set(Fact::FinalOrder, FactValue::Bool(true), &fin.basis);
            f.set(Fact::FinalOrderOn, FactValue::Date(fin.at.local_date()), &fin.basis);
        }
        if case.detained_since.is_some_and(|s| s <= t) {
            f.set(Fact::Detained, FactValue::Bool(true), &[]);
        }
        if !case.pending_relief.is_empty() {
            let basis: Vec<EventId> = case.pending_protection_claims.iter().map(|(_, e)| *e).collect();
            f.set(Fact::PendingRelief, FactValue::Bool(true), &basis);
        }
        let mut counts = [0u16; 4];
        let mut bases: [Vec<EventId>; 4] = Default::default();
        let mut latest: Option<(Date, EventId)> = None;
        let mut latest_serious: Option<(Date, EventId)> = None;
        for c in &case.convictions {
            let standing = c.final_conviction
                && c.recorded.at <= t
                && c.convicted_on <= today
                && c.vacated.is_none_or(|v| v.at > t);
            if !standing {
                continue;
            }
            let class = match c.offence_class {
                OffenceClass::AggravatedFelony => 0,
                OffenceClass::Felony => 1,
                OffenceClass::Misdemeanor => 2,
                OffenceClass::PettyOffence => 3,
            };
            counts[class] = counts[class].saturating_add(1);
            bases[class].push(c.recorded.event);
            if latest.is_none_or(|(d, _)| c.convicted_on > d) {
                latest = Some((c.convicted_on, c.recorded.event));
            }
            if class <= 1 && latest_serious.is_none_or(|(d, _)| c.convicted_on > d) {
                latest_serious = Some((c.convicted_on, c.recorded.event));
            }
        }
        let all: Vec<EventId> = bases.iter().flatten().copied().collect();
        let total = counts.iter().fold(0u16, |a, n| a.saturating_add(*n));
        f.set(Fact::FinalConvictions, FactValue::Long(total), &all);
        for (i, fact) in [
            Fact::AggravatedFelonyConvictions,
            Fact::FelonyConvictions,
            Fact::MisdemeanorConvictions,
            Fact::PettyOffenceConvictions,
        ]
        .into_iter()
        .enumerate()
        {
            f.set(fact, FactValue::Long(counts[i]), &bases[i]);
        }
        if let Some((d, e)) = latest {
            f.set(Fact::LatestConvictionOn, FactValue::Date(d), &[e]);
        }
        if let Some((d, e)) = latest_serious {
            f.set(Fact::LatestSeriousConvictionOn, FactValue::Date(d), &[e]);
        }
        let security: Vec<EventId> =
            case.security_determinations.iter().filter(|s| s.made.at <= t).map(|s| s.made.event).collect();
        if !security.is_empty() {
            f.set(Fact::NationalSecurityDetermination, FactValue::Bool(true), &security);
        }
        if let Some(entry) = case.last_entry.filter(|e| e.recorded.at <= t && e.entered_on <= today) {
            let basis = [entry.recorded.event];
            let manner = match entry.manner {
                EntryManner::Admitted => 0,
                EntryManner::Paroled => 1,
                EntryManner::WithoutInspection => 2,
            };
            f.set(Fact::EntryManner, FactValue::Enum(manner), &basis);
            f.set(Fact::EnteredOn, FactValue::Date(entry.entered_on), &basis);
            if let Some(until) = entry.admitted_until {
                f.set(Fact::AdmittedUntil, FactValue::Date(until), &basis);
            }
            f.set(Fact::YearsPresent, FactValue::Long(years_between(entry.entered_on, today)), &basis);
        }
        if let Some(dob) = &person.date_of_birth {
            // The youngest the person can be: the latest birthday the recorded date allows.
            let month = dob.month().unwrap_or(12);
            let day = dob.day().unwrap_or(match month {
                2 => 28,
                4 | 6 | 9 | 11 => 30,
                _ => 31,
            });
            if let Ok(born) = Date::from_ymd(dob.year(), month, day) {
                if born <= today {
                    f.set(Fact::AgeYears, FactValue::Long(years_between(born, today)), &[]);
                }
            }
        }
        for m in case.mitigations.iter().filter(|m| m.recorded.at <= t) {
            let fact = match m.fact {
                MitigatingFact::CrimeVictimCertification => Fact::CrimeVictimCertification,
                MitigatingFact::MilitaryService => Fact::MilitaryService,
                MitigatingFact::SoleCaregiverOfChild => Fact::SoleCaregiverOfChild,
                MitigatingFact::SeriousIllness => Fact::SeriousIllness,
            };
            f.set(fact, FactValue::Bool(true), &[m.recorded.event]);
        }
        f
    }

    fn set(&mut self, fact: Fact, value: FactValue, basis: &[EventId]) {
        self.values[fact as usize] = value;
        self.basis[fact as usize].extend_from_slice(basis);
    }

    /// Sets `fact` to `value` (for tests and test files), checking its type.
    pub fn with(mut self, fact: Fact, value: FactValue) -> Result<CaseFacts, FactError> {
        let def = fact.def();
        let ok = match (def.ty, value) {
            (_, FactValue::Absent) => def.optional,
            (FactType::Bool, FactValue::Bool(_))
            | (FactType::Long, FactValue::Long(_))
            | (FactType::Date, FactValue::Date(_)) => true,
            (FactType::Enum(names), FactValue::Enum(i)) => usize::from(i) < names.len(),
            _ => false,
        };
        if !ok {
            return Err(FactError::Invalid { fact: def.name, why: format!("`{value}` is not a value of its type") });
        }
        self.values[fact as usize] = value;
        Ok(self)
    }

    /// Sets the fact named `name` from a textual value: `true`/`false`, a whole number, a date
    /// `YYYY-MM-DD`, or one of an enumeration's names.
    pub fn with_text(self, name: &str, text: &str) -> Result<CaseFacts, FactError> {
        let fact = Fact::by_name(name).ok_or_else(|| FactError::Unknown(name.to_owned()))?;
        let def = fact.def();
        let bad = |why: String| FactError::Invalid { fact: def.name, why };
        let value = match def.ty {
            FactType::Bool => match text {
                "true" => FactValue::Bool(true),
                "false" => FactValue::Bool(false),
                _ => return Err(bad(format!("`{text}` is not `true` or `false`"))),
            },
            FactType::Long => {
                FactValue::Long(text.parse().map_err(|_| bad(format!("`{text}` is not a whole number 0..=65535")))?)
            }
            FactType::Date => FactValue::Date(Date::parse(text).map_err(|e| bad(e.to_string()))?),
            FactType::Enum(names) => match names.iter().position(|n| *n == text) {
                Some(i) => FactValue::Enum(i as u8),
                None => return Err(bad(format!("`{text}` is not one of {names:?}"))),
            },
        };
        self.with(fact, value)
    }

    /// The value of `fact`.
    pub fn get(&self, fact: Fact) -> FactValue {
        self.values[fact as usize]
    }

    /// The recorded events `fact` rests on (none when it rests on an absence).
    pub fn basis(&self, fact: Fact) -> &[EventId] {
        &self.basis[fact as usize]
    }

    /// The name of an enumeration fact's value.
    pub fn enum_name(fact: Fact, value: FactValue) -> Option<&'static str> {
        match (fact.def().ty, value) {
            (FactType::Enum(names), FactValue::Enum(i)) => names.get(usize::from(i)).copied(),
            _ => None,
        }
    }
}

/// A set of rows as 64-bit words, one bit a row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bits {
    words: Vec<u64>,
}

impl Bits {
    /// `n` rows, all clear.
    pub fn zeros(n: usize) -> Bits {
        Bits { words: vec![0; n.div_ceil(64)] }
    }

    /// Whether row `i` is set.
    pub fn get(&self, i: usize) -> bool {
        self.words.get(i / 64).is_some_and(|w| w >> (i % 64) & 1 == 1)
    }

    /// Sets row `i` (growing as needed).
    pub fn set(&mut self, i: usize, v: bool) {
        if self.words.len() <= i / 64 {
            self.words.resize(i / 64 + 1, 0);
        }
        if v {
            self.words[i / 64] |= 1 << (i % 64);
        } else {
            self.words[i / 64] &= !(1 << (i % 64));
        }
    }

    /// The words.
    pub fn words(&self) -> &[u64] {
        &self.words
    }

    /// The words, to write.
    pub(crate) fn words_mut(&mut self) -> &mut [u64] {
        &mut self.words
    }

    /// The number of rows set.
    pub fn count(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }
}

/// One fact of many cases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Column {
    /// A `Bool` fact.
    Bool(Bits),
    /// A `Long` fact.
    Long(Vec<u16>),
    /// A `Date` fact, as days since 1970-01-01.
    Date(Vec<i32>),
    /// An `Enum` fact, as indexes into its names.
    Enum(Vec<u8>),
}

/// The facts of many cases as a struct of arrays: one column per fact, and for an optional
/// fact which rows have it. Rows are in the caller's order (the caller keeps the case ids).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactColumns {
    len: usize,
    columns: Vec<Column>,
    present: Vec<Bits>,
}

impl Default for FactColumns {
    fn default() -> FactColumns {
        FactColumns::with_capacity(0)
    }
}

impl FactColumns {
    /// No rows, room for `n`.
    pub fn with_capacity(n: usize) -> FactColumns {
        let columns = FACTS
            .iter()
            .map(|d| match d.ty {
                FactType::Bool => Column::Bool(Bits::zeros(n)),
                FactType::Long => Column::Long(Vec::with_capacity(n)),
                FactType::Date => Column::Date(Vec::with_capacity(n)),
                FactType::Enum(_) => Column::Enum(Vec::with_capacity(n)),
            })
            .collect();
        FactColumns { len: 0, columns, present: FACTS.iter().map(|_| Bits::zeros(n)).collect() }
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends one case's facts as the next row.
    pub fn push(&mut self, facts: &CaseFacts) {
        let row = self.len;
        for (i, col) in self.columns.iter_mut().enumerate() {
            let v = facts.values[i];
            self.present[i].set(row, v != FactValue::Absent);
            match col {
                Column::Bool(b) => b.set(row, matches!(v, FactValue::Bool(true))),
                Column::Long(c) => c.push(if let FactValue::Long(n) = v { n } else { 0 }),
                Column::Date(c) => c.push(if let FactValue::Date(d) = v { d.days_since_epoch() } else { 0 }),
                Column::Enum(c) => c.push(if let FactValue::Enum(n) = v { n } else { 0 }),
            }
        }
        self.len += 1;
    }

    /// The column of `fact`.
    pub fn column(&self, fact: Fact) -> &Column {
        &self.columns[fact as usize]
    }

    /// Which rows have `fact` (every row, for a required fact).
    pub fn present(&self, fact: Fact) -> &Bits {
        &self.present[fact as usize]
    }

    /// Row `row` back as facts (without their basis, which columns do not keep).
    pub fn row(&self, row: usize) -> CaseFacts {
        let mut f = CaseFacts::default();
        for (i, col) in self.columns.iter().enumerate() {
            f.values[i] = if !self.present[i].get(row) {
                FactValue::Absent
            } else {
                match col {
                    Column::Bool(b) => FactValue::Bool(b.get(row)),
                    Column::Long(c) => FactValue::Long(c[row]),
                    Column::Date(c) => FactValue::Date(Date::MIN.add_days(c[row] - Date::MIN.days_since_epoch())),
                    Column::Enum(c) => FactValue::Enum(c[row]),
                }
            };
        }
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_and_their_enum_are_in_one_order() {
        for (i, f) in Fact::ALL.iter().enumerate() {
            assert_eq!(*f as usize, i);
            assert_eq!(Fact::by_name(f.name()), Some(*f));
        }
        for (i, s) in Stage::ALL.iter().enumerate() {
            assert_eq!(STAGES[i], s.name(), "stage {i}");
            assert_eq!(*s as usize, i);
        }
        for (i, m) in EntryManner::ALL.iter().enumerate() {
            assert_eq!(ENTRY_MANNERS[i], m.name());
        }
    }

    #[test]
    fn a_row_reads_back_as_pushed() {
        let f = CaseFacts::default()
            .with_text("entered_on", "2015-03-02")
            .and_then(|f| f.with_text("entry_manner", "paroled"))
            .and_then(|f| f.with_text("felony_convictions", "2"))
            .and_then(|f| f.with_text("military_service", "true"))
            .expect("valid facts");
        let mut cols = FactColumns::default();
        cols.push(&CaseFacts::default());
        cols.push(&f);
        assert_eq!(cols.row(1), CaseFacts { basis: Default::default(), ..f });
        assert_eq!(cols.row(0), CaseFacts::default());
        assert!(matches!(CaseFacts::default().with_text("race", "x"), Err(FactError::Unknown(n)) if n == "race"));
    }
}
