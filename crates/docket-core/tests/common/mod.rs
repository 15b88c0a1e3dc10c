//! A small text language for case histories, shared by the data-driven tests.
//!
//! One event a line: `<effective time> <type> [args]`, for example
//! `2025-03-04T10:00:00-05:00 decision voluntary_departure 2025-05-03`. Events are numbered
//! in order; the n-th line gets event id n, written `e<n>` in outputs.
//!
//! Optional words `key=value` follow the positional arguments: `case_opened tz=America/Chicago
//! a=A123456789`, `decision removal_ordered withholding=SLV`, `decision voluntary_departure
//! days=60`, `removal_carried_out to=SLV`. A `case_opened` without `tz=` is a case recorded
//! before time zones were (its deadlines count at the decision's UTC offset); a
//! `protection_granted` without an end is granted indefinitely (`unknown` says the end date was
//! not recorded); an `mtr_filed` without a basis has none recorded.

#![allow(dead_code)]

use docket_core::{
    ANumber, ActorId, AppealOutcome, Appellant, CaseId, CitizenshipFinding, CloseReason, ConvictionId, CounselForm,
    CounselId, Country, CountryProtection, CustodyReviewOutcome, Date, DecisionOutcome, DocumentKind, EntryManner,
    Event, EventBody, EventId, HearingKind, IdempotencyKey, MitigatingFact, MotionBasis, OffenceClass, PersonId,
    ProtectionEnd, ProtectionKind, Reason, ReleaseKind, ReliefKind, Source, SourceReference, Statute, TimeZone,
    Timestamp, TravelDocument, VoluntaryDeparturePeriod,
};

/// The event id as written in outputs: `e<n>` for the small ids the scenarios use.
pub fn short_id(id: EventId) -> String {
    format!("e{}", id.as_u128())
}

pub fn ts(text: &str) -> Result<Timestamp, String> {
    Timestamp::parse(text).map_err(|e| e.to_string())
}

fn date(text: &str) -> Result<Date, String> {
    Date::parse(text).map_err(|e| e.to_string())
}

fn relief(text: &str) -> Result<ReliefKind, String> {
    ReliefKind::from_name(text).ok_or_else(|| format!("unknown relief `{text}`"))
}

fn protection(text: &str) -> Result<ProtectionKind, String> {
    ProtectionKind::from_name(text).ok_or_else(|| format!("unknown protection `{text}`"))
}

fn country(text: &str) -> Result<Country, String> {
    Country::parse(text).map_err(|e| e.to_string())
}

fn zone(text: &str) -> Result<TimeZone, String> {
    TimeZone::parse(text).map_err(|e| e.to_string())
}

fn pick<T: Copy>(text: &str, what: &str, all: &[T], name: impl Fn(T) -> &'static str) -> Result<T, String> {
    all.iter().copied().find(|x| name(*x) == text).ok_or_else(|| format!("unknown {what} `{text}`"))
}

/// Parses the part of an event line after the effective time.
pub fn parse_body(all_words: &[&str]) -> Result<EventBody, String> {
    // Positional words first, then `key=value` options (except the old `vd=`, `late=` and
    // `bond=` spellings, which are positional).
    let is_option = |w: &&str| w.split_once('=').is_some_and(|(k, _)| !matches!(k, "vd" | "late" | "bond"));
    let words: Vec<&str> = all_words.iter().copied().filter(|w| !is_option(w)).collect();
    let options: Vec<(&str, &str)> =
        all_words.iter().filter(|w| is_option(w)).filter_map(|w| w.split_once('=')).collect();
    let opt = |key: &str| options.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
    let words = words.as_slice();
    let arg = |i: usize| words.get(i).copied().ok_or_else(|| format!("`{}` needs more arguments", words.join(" ")));
    let kind = *words.first().ok_or("empty event")?;
    Ok(match kind {
        "case_opened" => EventBody::CaseOpened {
            person_id: PersonId::parse(opt("person").unwrap_or("P-1")).map_err(|e| e.to_string())?,
            a_number: opt("a").map(|a| ANumber::parse(a).map_err(|e| e.to_string())).transpose()?,
            time_zone: opt("tz").map(zone).transpose()?,
        },
        "arrested" => EventBody::Arrested,
        "appeal_reserved" => EventBody::AppealReserved,
        "counsel_appeared" => EventBody::CounselAppeared {
            counsel: CounselId::parse(arg(1)?).map_err(|e| e.to_string())?,
            form: pick(arg(2)?, "form", &CounselForm::ALL, CounselForm::name)?,
        },
        "counsel_withdrew" => {
            EventBody::CounselWithdrew { counsel: CounselId::parse(arg(1)?).map_err(|e| e.to_string())? }
        }
        "conviction" => EventBody::ConvictionRecorded {
            conviction: ConvictionId::parse(arg(1)?).map_err(|e| e.to_string())?,
            offence_class: pick(arg(2)?, "offence class", &OffenceClass::ALL, OffenceClass::name)?,
            statute: Statute::parse(&arg(3)?.replace('_', " ")).map_err(|e| e.to_string())?,
            convicted_on: date(arg(4)?)?,
            final_conviction: match arg(5)? {
                "final" => true,
                "not_final" => false,
                other => return Err(format!("expected final or not_final, got `{other}`")),
            },
        },
        "conviction_vacated" => {
            EventBody::ConvictionVacated { conviction: ConvictionId::parse(arg(1)?).map_err(|e| e.to_string())? }
        }
        "ns_determination" => {
            EventBody::NationalSecurityDetermination { official: ActorId::parse(arg(1)?).map_err(|e| e.to_string())? }
        }
        "entry" => EventBody::LastEntryRecorded {
            entered_on: date(arg(1)?)?,
            manner: pick(arg(2)?, "manner", &EntryManner::ALL, EntryManner::name)?,
            admitted_until: opt("until").map(date).transpose()?,
        },
        "mitigating" => EventBody::MitigatingFactRecorded {
            fact: pick(arg(1)?, "mitigating fact", &MitigatingFact::ALL, MitigatingFact::name)?,
            source: SourceReference::parse(arg(2)?).map_err(|e| e.to_string())?,
        },
        "nta_served" => EventBody::NoticeToAppearServed,
        "nta_filed" => EventBody::NoticeToAppearFiled,
        "hearing_scheduled" => EventBody::HearingScheduled { kind: hearing_kind(arg(1)?)?, at: ts(arg(2)?)? },
        "hearing_held" => EventBody::HearingHeld { kind: hearing_kind(arg(1)?)? },
        "hearing_adjourned" => EventBody::HearingAdjourned { until: words.get(1).map(|w| ts(w)).transpose()? },
        "relief_filed" => EventBody::ReliefApplicationFiled { relief: relief(arg(1)?)? },
        "relief_granted" => EventBody::ReliefApplicationGranted {
            relief: relief(arg(1)?)?,
            country: words.get(2).map(|c| country(c)).transpose()?,
        },
        "relief_denied" => EventBody::ReliefApplicationDenied { relief: relief(arg(1)?)? },
        "relief_withdrawn" => EventBody::ReliefApplicationWithdrawn { relief: relief(arg(1)?)? },
        "protection_granted" => EventBody::ProtectionGranted {
            protection: protection(arg(1)?)?,
            from: ts(arg(2)?)?,
            until: match words.get(3).copied() {
                None | Some("indefinite") => ProtectionEnd::Indefinite,
                Some("unknown") => ProtectionEnd::Unknown,
                Some(w) => ProtectionEnd::At(ts(w)?),
            },
        },
        "protection_expired" => EventBody::ProtectionExpired { protection: protection(arg(1)?)? },
        "protection_terminated" => EventBody::ProtectionTerminated { protection: protection(arg(1)?)? },
        "decision" => {
            let outcome = match arg(1)? {
                "removal_ordered" => DecisionOutcome::RemovalOrdered,
                "in_absentia" => DecisionOutcome::RemovalOrderedInAbsentia,
                "voluntary_departure" => DecisionOutcome::VoluntaryDeparture {
                    period: match opt("days") {
                        Some(n) => VoluntaryDeparturePeriod::Days(n.parse().map_err(|_| format!("bad days `{n}`"))?),
                        None => VoluntaryDeparturePeriod::Until(date(arg(2)?)?),
                    },
                },
                "relief_granted" => DecisionOutcome::ReliefGranted(relief(arg(2)?)?),
                "terminated" => DecisionOutcome::Terminated,
                other => return Err(format!("unknown decision `{other}`")),
            };
            let country_protection = match (opt("withholding"), opt("cat")) {
                (Some(c), _) => Some(CountryProtection { relief: ReliefKind::Withholding, country: Some(country(c)?) }),
                (None, Some(c)) => Some(CountryProtection { relief: ReliefKind::Cat, country: Some(country(c)?) }),
                (None, None) => None,
            };
            EventBody::DecisionIssued { outcome, time_zone: opt("tz").map(zone).transpose()?, country_protection }
        }
        "appeal_filed" => {
            let mut by = Appellant::Respondent;
            let mut late = None;
            for w in &words[1..] {
                match *w {
                    "dhs" => by = Appellant::Dhs,
                    w if w.starts_with("late=") => late = Some(w["late=".len()..].replace('_', " ")),
                    other => return Err(format!("unknown appeal argument `{other}`")),
                }
            }
            EventBody::AppealFiled { by, late_filing_basis: late }
        }
        "appeal_waived" => EventBody::AppealWaived,
        "appeal_decided" => EventBody::AppealDecided {
            outcome: match arg(1)? {
                "dismissed" => AppealOutcome::Dismissed,
                "removal_ordered" => AppealOutcome::RemovalOrdered,
                "relief_granted" => AppealOutcome::ReliefGranted,
                "remanded" => AppealOutcome::Remanded,
                other => return Err(format!("unknown appeal outcome `{other}`")),
            },
            voluntary_departure: match (words.get(2), opt("vd_days")) {
                (_, Some(n)) => Some(VoluntaryDeparturePeriod::Days(n.parse().map_err(|_| format!("bad days `{n}`"))?)),
                (Some(w), None) => Some(VoluntaryDeparturePeriod::Until(
                    w.strip_prefix("vd=").ok_or(format!("expected vd=DATE, got `{w}`")).and_then(date)?,
                )),
                (None, None) => None,
            },
        },
        "pfr_filed" => EventBody::PetitionForReviewFiled,
        "mtr_filed" => EventBody::MotionToReopenFiled {
            basis: words.get(1).map(|b| pick(b, "motion basis", &MotionBasis::ALL, MotionBasis::name)).transpose()?,
        },
        "mtr_decided" => EventBody::MotionToReopenDecided {
            granted: match arg(1)? {
                "granted" => true,
                "denied" => false,
                other => return Err(format!("expected granted or denied, got `{other}`")),
            },
        },
        "citizenship_raised" => EventBody::CitizenshipClaimRaised,
        "citizenship_resolved" => EventBody::CitizenshipClaimResolved {
            finding: match arg(1)? {
                "citizen" => CitizenshipFinding::Citizen,
                "not_citizen" => CitizenshipFinding::NotCitizen,
                other => return Err(format!("unknown finding `{other}`")),
            },
        },
        "custody_began" => EventBody::CustodyBegan,
        "custody_reviewed" => EventBody::CustodyReviewed {
            outcome: match arg(1)? {
                "continued" => CustodyReviewOutcome::Continued,
                "release_ordered" => CustodyReviewOutcome::ReleaseOrdered,
                other => return Err(format!("unknown review outcome `{other}`")),
            },
        },
        "custody_released" => EventBody::CustodyReleased {
            release: match arg(1)? {
                "recognizance" => ReleaseKind::Recognizance,
                "parole" => ReleaseKind::Parole,
                "atd" => ReleaseKind::AlternativesToDetention,
                w if w.starts_with("bond=") => {
                    ReleaseKind::Bond { amount_usd: w["bond=".len()..].parse().map_err(|_| format!("bad bond `{w}`"))? }
                }
                other => return Err(format!("unknown release `{other}`")),
            },
        },
        "custody_transferred" => EventBody::CustodyTransferred,
        "travel_document" => EventBody::TravelDocumentObtained {
            document: TravelDocument::new(
                DocumentKind::Passport,
                arg(1)?,
                Country::parse(arg(2)?).map_err(|e| e.to_string())?,
                words.get(3).map(|w| date(w)).transpose()?,
            )
            .map_err(|e| e.to_string())?,
        },
        "designate" => EventBody::RemovalCountryDesignated { country: country(arg(1)?)? },
        "departure_verified" => EventBody::DepartureVerified { departed_on: date(arg(1)?)?, evidence: None },
        "departure_withdrawn" => EventBody::DepartureVerificationWithdrawn {
            reason: Reason::parse(&words[1..].join(" ")).map_err(|e| e.to_string())?,
        },
        "removal_carried_out" => EventBody::RemovalCarriedOut { country: opt("to").map(country).transpose()? },
        "case_closed" => EventBody::CaseClosed {
            reason: CloseReason::ALL
                .into_iter()
                .find(|r| r.name() == arg(1).unwrap_or(""))
                .ok_or_else(|| format!("unknown close reason in `{}`", words.join(" ")))?,
        },
        other => return Err(format!("unknown event type `{other}`")),
    })
}

fn hearing_kind(text: &str) -> Result<HearingKind, String> {
    match text {
        "master" => Ok(HearingKind::Master),
        "individual" => Ok(HearingKind::Individual),
        "bond" => Ok(HearingKind::Bond),
        other => Err(format!("unknown hearing kind `{other}`")),
    }
}

/// Builds event number `n` of case `C-1` from a line `<time> <type> [args]`.
pub fn parse_event(n: u128, line: &str) -> Result<Event, String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let (at, rest) = words.split_first().ok_or("empty line")?;
    event(n, ts(at)?, parse_body(rest)?)
}

pub fn event(n: u128, at: Timestamp, body: EventBody) -> Result<Event, String> {
    // A national-security determination carries its reference on the envelope.
    let reference = matches!(body, EventBody::NationalSecurityDetermination { .. }).then(|| format!("NS-{n}"));
    Ok(Event {
        id: EventId::from_u128(n),
        case_id: CaseId::parse("C-1").map_err(|e| e.to_string())?,
        effective_at: at,
        recorded_at: at,
        recorded_by: ActorId::parse("test").map_err(|e| e.to_string())?,
        source: Source::Officer,
        reference,
        idempotency_key: IdempotencyKey::parse(&format!("k{n}")).map_err(|e| e.to_string())?,
        body,
    })
}
