//! The adjudicated facts of a synthetic case, the only facts an agency's priority policy may
//! read: the person's last entry, criminal convictions (some not final yet, later final or
//! vacated), national-security determinations and mitigating facts.
//!
//! They are drawn from their own random stream, so a case's legal path is the same with or
//! without them; they only read it (when the case was opened and closed, whether a U visa was
//! sought). Shares, per case:
//!
//! - last entry recorded: about 85%, within a month of the opening; without inspection 55%,
//!   admitted 30% (most for a period), paroled 15%; 40% entered within two months of the
//!   opening, the rest one to twenty-five years before it;
//! - at least one conviction: about 12% of persons (15% drawn, but only convictions as an
//!   adult and recorded before as-of are kept); most people convicted have one or two
//!   misdemeanors or petty offences, a fifth have a serious record (felonies, some aggravated
//!   felonies); most are final when recorded, the rest become final or are vacated later, or
//!   are still on appeal; a few final ones are vacated later;
//! - a national-security determination: about 0.15%, by a named official, with its reference;
//! - mitigating facts, each with its document's reference: a crime-victim certification 3%
//!   (and most who seek a U visa: about 4% in all), military service 1.5%, sole caregiver of a
//!   child 4%, a serious illness 2%; military service and caregiving of adults only.

use docket_core::{
    ActorId, ConvictionId, Date, EntryManner, EventBody, MitigatingFact, OffenceClass, ReliefKind, SourceReference,
    Statute, TimeZone, Timestamp,
};
use docket_wire::PersonRow;

use crate::Case;
use crate::people::Rng;

/// Random-stream domain of the adjudicated facts.
const FACTS_DOMAIN: u64 = 0xFAC7;

/// One fact to record, at its instant.
pub(crate) struct FactEvent {
    pub(crate) at: Timestamp,
    pub(crate) body: EventBody,
    pub(crate) reference: Option<String>,
}

/// Statutes of conviction, by offence class in the order of [`OffenceClass::ALL`].
const STATUTES: [&[&str]; 4] = [
    &["21 U.S.C. 841", "8 U.S.C. 1324", "18 U.S.C. 2113", "Cal. Penal Code 211", "Tex. Penal Code 29.03"],
    &["8 U.S.C. 1326", "Cal. Penal Code 459", "Tex. Penal Code 31.03", "Fla. Stat. 893.13", "N.Y. Penal Law 155.30"],
    &[
        "8 U.S.C. 1325",
        "Cal. Vehicle Code 23152",
        "Cal. Penal Code 484",
        "Ariz. Rev. Stat. 28-1381",
        "N.Y. Penal Law 221.10",
    ],
    &["Cal. Vehicle Code 12500", "Tex. Transp. Code 521.021", "Fla. Stat. 322.03", "N.Y. Vehicle and Traffic Law 511"],
];

/// The adjudicated facts of `case`, drawn from case `i`'s own stream.
pub(crate) fn adjudicated_facts(seed: u64, i: u64, case: &Case, person: &PersonRow) -> Vec<FactEvent> {
    let Some(opening) = case.events.first() else {
        return Vec::new();
    };
    let mut d = Draw {
        rng: Rng::for_item(seed, FACTS_DOMAIN, i),
        zone: &case.zone,
        opened_at: opening.effective_at,
        facts: Vec::new(),
    };
    let opened_on = case.zone.local_date(d.opened_at);
    // The last day anything may be recorded (later draws are dropped when the case is merged).
    let last_day = case.zone.local_date(case.as_of).max(opened_on);
    let open_days = i64::from(opened_on.days_until(last_day)).max(1);
    let born = born_by(&person.date_of_birth);
    let adult_from = born.map(|b| b.add_months(18 * 12));

    // The last entry, recorded at intake.
    if d.rng.chance(0.85) {
        let manner = [EntryManner::WithoutInspection, EntryManner::Admitted, EntryManner::Paroled]
            [d.rng.weighted(&[55, 30, 15])];
        let days_before = match d.rng.weighted(&[40, 35, 25]) {
            0 => d.rng.range_i64(0, 60),
            1 => d.rng.range_i64(365, 8 * 365),
            _ => d.rng.range_i64(8 * 365, 25 * 365),
        };
        let mut entered_on = opened_on.add_days(-(days_before as i32));
        if let Some(b) = born.filter(|b| entered_on < *b) {
            // Not before birth: brought as a child, some time before the case.
            let b = b.min(opened_on);
            entered_on = b.add_days(d.rng.range_i64(0, i64::from(b.days_until(opened_on))) as i32);
        }
        let admitted_until = (manner == EntryManner::Admitted && d.rng.chance(0.7)).then(|| {
            let months = [6, 12, 24, 48][d.rng.weighted(&[50, 20, 15, 15])];
            entered_on.add_months(months).add_days(-1)
        });
        let day = opened_on.add_days(d.rng.range_i64(0, 30) as i32);
        d.push(day, EventBody::LastEntryRecorded { entered_on, manner, admitted_until }, None);
    }

    // Convictions, of adults only.
    let convicted = d.rng.chance(0.15);
    if let Some(adult_from) = adult_from.filter(|a| convicted && *a < last_day) {
        let serious = d.rng.chance(0.2);
        let count = 1 + d.rng.weighted(&[62, 20, 11, 5, 2]);
        for k in 0..count {
            let class = OffenceClass::ALL[d.rng.weighted(if serious { &[15, 40, 35, 10] } else { &[0, 5, 50, 45] })];
            let during_case = d.rng.chance(0.2);
            let (lo, hi) = if during_case {
                (opened_on, last_day.add_days(-1))
            } else {
                (opened_on.add_days(-12 * 365), opened_on.add_days(-1))
            };
            let lo = lo.max(adult_from);
            if lo > hi {
                continue;
            }
            let convicted_on = lo.add_days(d.rng.range_i64(0, i64::from(lo.days_until(hi))) as i32);
            // Found at intake when convicted before the case, else reported within weeks.
            let recorded = if during_case {
                convicted_on.add_days(d.rng.range_i64(1, 45) as i32)
            } else {
                opened_on.add_days(d.rng.range_i64(0, 60) as i32)
            };
            let statutes = STATUTES[class as usize];
            let statute = statutes[d.rng.below(statutes.len() as u64) as usize];
            // INVARIANT: the statutes above are valid citations, and `CR` with digits and `-`
            // is a valid record number.
            let statute = Statute::parse(statute).unwrap_or_else(|_| unreachable!());
            let number = format!("CR{}-{k}{:05}", convicted_on.year(), d.rng.below(100_000));
            let conviction = ConvictionId::parse(&number).unwrap_or_else(|_| unreachable!());
            let final_now = !d.rng.chance(if during_case { 0.4 } else { 0.08 });
            let record = |final_conviction| EventBody::ConvictionRecorded {
                conviction: conviction.clone(),
                offence_class: class,
                statute: statute.clone(),
                convicted_on,
                final_conviction,
            };
            d.push(recorded, record(final_now), None);
            let vacated = EventBody::ConvictionVacated { conviction: conviction.clone() };
            if final_now {
                // Post-conviction relief, now and then.
                if d.rng.chance(0.02) {
                    let day = recorded.add_days(d.rng.range_i64(90, 900) as i32);
                    d.push(day, vacated, None);
                }
            } else {
                let day = recorded.add_days(d.rng.range_i64(60, 400) as i32);
                match d.rng.weighted(&[65, 20, 15]) {
                    0 => d.push(day, record(true), None),
                    1 => d.push(day, vacated, None),
                    _ => {}
                }
            }
        }
    }

    // National-security determinations: rare, by an authorized official.
    if d.rng.chance(0.0015) {
        let day = opened_on.add_days(d.rng.range_i64(14, open_days.max(15)) as i32);
        let official = format!("ns-official-{:02}", 1 + d.rng.below(12));
        // INVARIANT: letters, digits and `-` make a valid actor id.
        let official = ActorId::parse(&official).unwrap_or_else(|_| unreachable!());
        let reference = format!("NSD-{}-{:05}", day.year(), d.rng.below(100_000));
        d.push(day, EventBody::NationalSecurityDetermination { official }, Some(reference));
    }

    // Mitigating facts, each resting on a document.
    let sought_u_visa =
        case.events.iter().any(|e| matches!(e.body, EventBody::ReliefApplicationFiled { relief: ReliefKind::UVisa }));
    for (fact, share, prefix) in [
        (MitigatingFact::CrimeVictimCertification, if sought_u_visa { 0.6 } else { 0.03 }, "EAC"),
        (MitigatingFact::MilitaryService, 0.015, "DD214-"),
        (MitigatingFact::SoleCaregiverOfChild, 0.04, "BC-"),
        (MitigatingFact::SeriousIllness, 0.02, "MED-"),
    ] {
        if !d.rng.chance(share) {
            continue;
        }
        let day = opened_on.add_days(d.rng.range_i64(0, open_days) as i32);
        let adult = adult_from.is_some_and(|a| a <= day);
        if !adult && matches!(fact, MitigatingFact::MilitaryService | MitigatingFact::SoleCaregiverOfChild) {
            continue;
        }
        let number = format!("{prefix}{:010}", d.rng.below(10_000_000_000));
        // INVARIANT: letters, digits and `-` make a valid source reference.
        let source = SourceReference::parse(&number).unwrap_or_else(|_| unreachable!());
        d.push(day, EventBody::MitigatingFactRecorded { fact, source }, None);
    }
    d.facts
}

/// The draws of one case's facts.
struct Draw<'a> {
    rng: Rng,
    zone: &'a TimeZone,
    opened_at: Timestamp,
    facts: Vec<FactEvent>,
}

impl Draw<'_> {
    /// Records `body` on `day` at a business hour, never before the case was opened.
    fn push(&mut self, day: Date, body: EventBody, reference: Option<String>) {
        let start = self.zone.start_of_day(day).plus_seconds(9 * 3600 + self.rng.below(7 * 3600) as i64);
        let at = self.zone.at(start).max(self.opened_at);
        self.facts.push(FactEvent { at, body, reference });
    }
}

/// The latest date of birth a recorded one allows (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`): the
/// person was surely born by then.
fn born_by(text: &str) -> Option<Date> {
    let mut parts = text.split('-').map(|p| p.parse::<u16>().ok());
    let year = i32::from(parts.next()??);
    match (parts.next(), parts.next()) {
        (None, _) => Date::from_ymd(year, 12, 31).ok(),
        (Some(month), None) => {
            Some(Date::from_ymd(year, u8::try_from(month?).ok()?, 1).ok()?.add_months(1).add_days(-1))
        }
        (Some(month), Some(day)) => Date::from_ymd(year, u8::try_from(month?).ok()?, u8::try_from(day?).ok()?).ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_of_birth_known_in_part_gives_its_latest_day() {
        let d = |s| Date::parse(s).ok();
        assert_eq!(born_by("1990"), d("1990-12-31"));
        assert_eq!(born_by("2000-02"), d("2000-02-29"));
        assert_eq!(born_by("1985-07-14"), d("1985-07-14"));
        assert_eq!(born_by("unknown"), None);
    }
}
