//! Synthetic data for Docket's tests, demos and benchmarks; nothing here describes a real
//! person. A production build of the `docket` command line leaves this crate out (its `synth`
//! feature).
//!
//! - This module: a deterministic synthetic docket, persons (`persons.csv`) and their cases'
//!   events (`events.jsonl`) in the store's wire format, with a realistic mix of stages as of a
//!   given date. `docket synth` and `docket demo` write it.
//! - `facts`: the adjudicated facts recorded among each case's events, which agency priority
//!   policies rank on: last entries, convictions, national-security determinations, mitigating
//!   facts, in realistic shares (listed there), drawn from their own random stream; beside
//!   them, the country of removal designated with each order of removal (its own stream too).
//! - [`people`]: the identities those persons carry (names by culture, dates of birth,
//!   nationalities, passports, aliases).
//! - [`linkage`]: record-linkage test data with a truth file (`docket link-data`).
//!
//! Output is a pure function of (number of cases, seed, as-of date): case `i` is generated
//! from its own random stream, so files are identical whatever the thread count. Cases are
//! generated in chunks on all cores and written in order, so memory stays bounded whatever
//! the number of cases.
//!
//! ```
//! use docket_core::Date;
//! use docket_synth::{SynthConfig, case_id, generate};
//!
//! let cfg = SynthConfig { cases: 3, seed: 1, as_of: Date::parse("2026-11-01")?, threads: 2 };
//! let (mut persons, mut events) = (Vec::new(), Vec::new());
//! let totals = generate(cfg, &mut persons, &mut events, &mut |_| {})?;
//! assert_eq!((totals.persons, totals.cases), (3, 3));
//!
//! // A header and a row per person; a JSON object per event, each case opened first.
//! let (persons, events) = (String::from_utf8(persons)?, String::from_utf8(events)?);
//! assert!(persons.starts_with("person_id,a_number,"));
//! assert_eq!(persons.lines().count(), 4);
//! assert_eq!(events.lines().count() as u64, totals.events);
//! assert!(events.lines().next().is_some_and(|e| e.contains(&case_id(0)) && e.contains("case_opened")));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod facts;
pub mod linkage;
pub mod people;

use std::io::Write;
use std::sync::mpsc;

use docket_core::{
    ANumber, ActorId, AppealOutcome, Appellant, CaseId, CitizenshipFinding, CloseReason, Country, CustodyReviewOutcome,
    Date, DecisionOutcome, DocumentKind, Event, EventBody, EventId, HearingKind, IdempotencyKey, MotionBasis, PersonId,
    ProtectionEnd, ProtectionKind, ReleaseKind, ReliefKind, Source, StayKind, TimeZone, Timestamp, TravelDocument,
    VoluntaryDeparturePeriod,
};
use docket_wire::{PERSON_COLUMNS, PersonRow, WireEvent};

use people::{NameOrder, Rng, SynthPerson};

/// Random-stream domain of case histories (persons use their own).
const CASE_DOMAIN: u64 = 0xCA5E;
/// Random-stream domain of the designations of the country of removal.
const DESIGNATION_DOMAIN: u64 = 0xDE57;
/// Sequence numbers of a case's adjudicated facts start above this; its legal path's stay below
/// (a legal path has a few dozen events at most; a case's event ids hold its sequence numbers
/// in 8 bits).
const FACT_SEQ: u64 = 128;
/// Cases generated per chunk handed between threads.
const CHUNK: u64 = 4096;

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct SynthConfig {
    /// Number of cases (one person each).
    pub cases: u64,
    /// Seed.
    pub seed: u64,
    /// The date the docket is as of: no event takes effect after its start.
    pub as_of: Date,
    /// Worker threads.
    pub threads: usize,
}

/// What was written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SynthTotals {
    /// Persons written.
    pub persons: u64,
    /// Cases written.
    pub cases: u64,
    /// Events written.
    pub events: u64,
}

/// The case id of case `i`.
pub fn case_id(i: u64) -> String {
    format!("C{i:09}")
}

/// The person id of person `i`.
pub fn person_id(i: u64) -> String {
    format!("P{i:09}")
}

/// One person's CSV row.
pub fn person_row(seed: u64, i: u64) -> PersonRow {
    let p: SynthPerson = people::person(seed, i);
    let passport = p.passport.as_ref();
    PersonRow {
        person_id: person_id(i),
        a_number: format!("A{}", people::a_number(seed, i)),
        given_names: p.given_names.clone(),
        family_names: p.family_names.clone(),
        name_order: match p.name_order {
            NameOrder::GivenFirst => "given_first",
            NameOrder::FamilyFirst => "family_first",
        }
        .into(),
        aliases: p.aliases.join(";"),
        date_of_birth: p.date_of_birth.clone(),
        sex: p.sex.to_string(),
        nationality: p.nationality.to_owned(),
        passport_number: passport.map(|x| x.number.clone()).unwrap_or_default(),
        passport_country: passport.map(|x| x.issuing_country.to_owned()).unwrap_or_default(),
        passport_expiry: passport.map(|x| x.expiry.clone()).unwrap_or_default(),
    }
}

/// Generates the docket into `persons` and `events`, calling `progress` with cases done.
pub fn generate(
    cfg: SynthConfig,
    persons: &mut dyn Write,
    events: &mut dyn Write,
    progress: &mut dyn FnMut(u64),
) -> std::io::Result<SynthTotals> {
    let mut totals = SynthTotals::default();
    writeln!(persons, "{}", PERSON_COLUMNS.join(","))?;
    let chunks = cfg.cases.div_ceil(CHUNK);
    let threads = cfg.threads.max(1) as u64;
    std::thread::scope(|scope| -> std::io::Result<()> {
        // One bounded channel per worker; worker w makes chunks w, w+threads, ... so the
        // writer takes them round-robin and output order is the case order.
        let mut receivers = Vec::new();
        for w in 0..threads {
            let (tx, rx) = mpsc::sync_channel::<(Vec<u8>, Vec<u8>, u64)>(2);
            receivers.push(rx);
            scope.spawn(move || {
                let mut c = w;
                while c < chunks {
                    let lo = c * CHUNK;
                    let hi = ((c + 1) * CHUNK).min(cfg.cases);
                    if tx.send(render_chunk(cfg, lo, hi)).is_err() {
                        return;
                    }
                    c += threads;
                }
            });
        }
        for c in 0..chunks {
            let rx = &receivers[(c % threads) as usize];
            let Ok((p, e, n)) = rx.recv() else {
                return Err(std::io::Error::other("a synthesis worker stopped early"));
            };
            persons.write_all(&p)?;
            events.write_all(&e)?;
            totals.events += n;
            totals.cases = ((c + 1) * CHUNK).min(cfg.cases);
            progress(totals.cases);
        }
        Ok(())
    })?;
    totals.persons = totals.cases;
    persons.flush()?;
    events.flush()?;
    Ok(totals)
}

fn render_chunk(cfg: SynthConfig, lo: u64, hi: u64) -> (Vec<u8>, Vec<u8>, u64) {
    let mut p = Vec::with_capacity(((hi - lo) * 160) as usize);
    let mut e = Vec::with_capacity(((hi - lo) * 2400) as usize);
    let mut n = 0;
    for i in lo..hi {
        let row = person_row(cfg.seed, i);
        let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(&mut p);
        // Writing plain strings into memory cannot fail.
        let _ = w.serialize(&row);
        let _ = w.flush();
        drop(w);
        for ev in case_history(cfg.seed, i, cfg.as_of, &row) {
            let _ = serde_json::to_writer(&mut e, &WireEvent::from_event(&ev));
            e.push(b'\n');
            n += 1;
        }
    }
    (p, e, n)
}

/// Builds one case's events in order.
struct Case {
    id: CaseId,
    seed_hi: u64,
    index: u64,
    zone: TimeZone,
    /// The person's nationality: where withholding is granted as to, and removal goes.
    nationality: Option<Country>,
    events: Vec<Event>,
    cursor: Timestamp,
    as_of: Timestamp,
    stopped: bool,
    actor: ActorId,
}

impl Case {
    /// The instant on `date` at a business hour, never before the last event.
    fn at(&mut self, date: Date, rng: &mut Rng) -> Timestamp {
        let t = self.zone.at(self.zone.start_of_day(date).plus_seconds(9 * 3600 + rng.below(7 * 3600) as i64));
        t.max(self.cursor)
    }

    /// Appends an event; once one would take effect at or after as-of, the history stops
    /// there (a prefix of a lawful history is lawful: the case is simply less advanced).
    fn push(&mut self, at: Timestamp, body: EventBody) {
        let at = at.max(self.cursor);
        if self.stopped || at >= self.as_of {
            self.stopped = true;
            return;
        }
        let seq = self.events.len() as u64 + 1;
        self.cursor = at;
        let event = self.event(seq, at, body, None);
        self.events.push(event);
    }

    /// The case's event number `seq` (its id and key follow from it), recorded an hour after
    /// it takes effect.
    fn event(&self, seq: u64, at: Timestamp, body: EventBody, reference: Option<String>) -> Event {
        let id = (u128::from(self.seed_hi) << 64) | (u128::from(self.index) << 8) | u128::from(seq);
        Event {
            id: EventId::from_u128(id),
            case_id: self.id.clone(),
            effective_at: at,
            recorded_at: at.plus_seconds(3600),
            recorded_by: self.actor.clone(),
            source: Source::Import,
            reference,
            idempotency_key: key(seq),
            body,
        }
    }

    /// The legal path with `facts` recorded among its events at their instants. A fact is
    /// recorded while the case is open and before as-of; one at the same instant as events of
    /// the legal path follows them. Facts are numbered from [`FACT_SEQ`], so the legal path's
    /// ids and keys are what they would be without them.
    fn with_facts(self, mut facts: Vec<facts::FactEvent>) -> Vec<Event> {
        let closed = self.events.iter().find(|e| matches!(e.body, EventBody::CaseClosed { .. }));
        let end = closed.map_or(self.as_of, |e| e.effective_at.min(self.as_of));
        // Stable: a fact drawn before another at the same instant is recorded first (a
        // conviction before its becoming final).
        facts.sort_by_key(|f| f.at);
        facts.retain(|f| f.at < end);
        let mut out = Vec::with_capacity(self.events.len() + facts.len());
        let mut legal = self.events.iter().cloned().peekable();
        for (n, f) in facts.into_iter().enumerate() {
            while let Some(e) = legal.next_if(|e| e.effective_at <= f.at) {
                out.push(e);
            }
            out.push(self.event(FACT_SEQ + 1 + n as u64, f.at, f.body, f.reference));
        }
        out.extend(legal);
        out
    }

    fn date(&self) -> Date {
        self.cursor.local_date()
    }
}

fn key(seq: u64) -> IdempotencyKey {
    // INVARIANT: `s` followed by digits is a valid key.
    IdempotencyKey::parse(&format!("s{seq}")).unwrap_or_else(|_| unreachable!())
}

/// The stages the generator aims for, with their shares in thousandths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Plan {
    Encountered,
    NoticeServed,
    PendingInCourt,
    OrderNotFinal,
    OnAppeal,
    FinalOrder,
    VoluntaryDeparture,
    ReliefGranted,
    Terminated,
    Removed,
    Departed,
    CitizenFound,
}

const PLANS: [(Plan, u32); 12] = [
    (Plan::Encountered, 25),
    (Plan::NoticeServed, 45),
    (Plan::PendingInCourt, 560),
    (Plan::OrderNotFinal, 35),
    (Plan::OnAppeal, 60),
    (Plan::FinalOrder, 130),
    (Plan::VoluntaryDeparture, 20),
    (Plan::ReliefGranted, 45),
    (Plan::Terminated, 25),
    (Plan::Removed, 30),
    (Plan::Departed, 22),
    (Plan::CitizenFound, 3),
];

const TPS_COUNTRIES: [&str; 8] = ["SLV", "HND", "NIC", "HTI", "VEN", "UKR", "AFG", "SOM"];

/// The events of case `i`, as of `as_of`: its legal path, with the adjudicated facts
/// (entry, convictions, national-security determinations, mitigating facts) recorded at their
/// instants among them.
pub fn case_history(seed: u64, i: u64, as_of: Date, person: &PersonRow) -> Vec<Event> {
    let case = legal_path(seed, i, as_of, person);
    let mut facts = facts::adjudicated_facts(seed, i, &case, person);
    facts.extend(designations(seed, i, &case));
    case.with_facts(facts)
}

/// The country of removal designated with each order of removal of `case` (INA 241(b)), at
/// the order's instant: the person's nationality, and for about 3% of orders a third country
/// (Mexico, or Guatemala for Mexicans), for which the travel documents the generator issues
/// (by the nationality's country) are not valid. Drawn from case `i`'s own stream, so the
/// legal path is the same with or without them.
fn designations(seed: u64, i: u64, case: &Case) -> Vec<facts::FactEvent> {
    let mut rng = Rng::for_item(seed, DESIGNATION_DOMAIN, i);
    let Some(nationality) = case.nationality else { return Vec::new() };
    case.events
        .iter()
        .filter(|e| matches!(&e.body, EventBody::DecisionIssued { outcome, .. } if outcome.orders_removal()))
        .filter_map(|e| {
            let third = if nationality.code() == "MEX" { "GTM" } else { "MEX" };
            let country = if rng.chance(0.03) { Country::parse(third).ok()? } else { nationality };
            Some(facts::FactEvent {
                at: e.effective_at,
                body: EventBody::RemovalCountryDesignated { country },
                reference: None,
            })
        })
        .collect()
}

/// The legal path of case `i`: opening, charging, hearings, relief, decision and what follows.
fn legal_path(seed: u64, i: u64, as_of: Date, person: &PersonRow) -> Case {
    let mut rng = Rng::for_item(seed, CASE_DOMAIN, i);
    // The court's time zone: Eastern, Central, Mountain or Pacific.
    let zone = court_zone(rng.weighted(&[50, 30, 8, 12]));
    // Every event takes effect before as-of begins in UTC, so a docket as of today holds no
    // event later than now, whatever the court's offset.
    let as_of_ts = as_of.start_at_offset(0);
    let plan = PLANS[rng.weighted(&PLANS.map(|(_, w)| w))].0;
    let mut case = Case {
        // INVARIANT: generated ids are valid.
        id: CaseId::parse(&case_id(i)).unwrap_or_else(|_| unreachable!()),
        seed_hi: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x000D_0CE7,
        index: i,
        events: Vec::with_capacity(12),
        cursor: zone.start_of_day(as_of.add_days(-4000)),
        zone,
        nationality: Country::parse(&person.nationality).ok(),
        as_of: as_of_ts,
        stopped: false,
        actor: ActorId::parse("synth").unwrap_or_else(|_| unreachable!()),
    };
    // How long ago the case was opened: recent encounters for early stages, a long backlog tail
    // otherwise.
    let age_days = match plan {
        Plan::Encountered => rng.range_i64(1, 40),
        Plan::NoticeServed => rng.range_i64(20, 150),
        Plan::OrderNotFinal | Plan::OnAppeal | Plan::VoluntaryDeparture => rng.range_i64(300, 1800),
        _ => {
            let u = rng.below(1_000_000) as f64 / 1_000_000.0;
            90 + (u.powf(1.4) * 2100.0) as i64
        }
    };
    let opened_on = as_of.add_days(-(age_days as i32));
    let t = case.at(opened_on, &mut rng);
    let a_number = ANumber::parse(&person.a_number).ok();
    case.push(
        t,
        EventBody::CaseOpened {
            person_id: PersonId::parse(&person.person_id).unwrap_or_else(|_| unreachable!()),
            a_number,
            time_zone: Some(case.zone.clone()),
        },
    );
    if plan == Plan::Encountered {
        return case;
    }
    let d = case.date().add_days(rng.range_i64(1, 15) as i32);
    let t = case.at(d, &mut rng);
    case.push(t, EventBody::NoticeToAppearServed);
    if plan == Plan::NoticeServed {
        return case;
    }
    let d = case.date().add_days(rng.range_i64(5, 45) as i32);
    let t = case.at(d, &mut rng);
    case.push(t, EventBody::NoticeToAppearFiled);

    // Detention at the start for some: border cases are often detained first.
    let detained_early = rng.chance(if plan == Plan::Removed { 0.5 } else { 0.05 });
    if detained_early {
        let t = case.at(case.date(), &mut rng);
        case.push(t, EventBody::CustodyBegan);
        if plan != Plan::Removed && rng.chance(0.7) {
            let d = case.date().add_days(rng.range_i64(10, 60) as i32);
            let t = case.at(d, &mut rng);
            let release = match rng.weighted(&[45, 15, 10, 30]) {
                0 => ReleaseKind::Bond { amount_usd: 1500 + 500 * rng.below(20) as u32 },
                1 => ReleaseKind::Recognizance,
                2 => ReleaseKind::Parole,
                _ => ReleaseKind::AlternativesToDetention,
            };
            case.push(t, EventBody::CustodyReleased { release });
        }
    }

    // Master calendar hearings held so far.
    let held = rng.below(3);
    for _ in 0..held {
        let d = case.date().add_days(rng.range_i64(30, 200) as i32);
        if d >= as_of.add_days(-30) {
            break;
        }
        let at = case.at(d, &mut rng);
        let t = case.at(d.add_days(-(rng.range_i64(20, 60) as i32)), &mut rng);
        case.push(t, EventBody::HearingScheduled { kind: HearingKind::Master, at });
        case.push(at, EventBody::HearingHeld { kind: HearingKind::Master });
    }

    // Applications for relief.
    let minor_sij =
        person.date_of_birth.get(0..4).and_then(|y| y.parse::<i32>().ok()).is_some_and(|y| as_of.year() - y < 21);
    let mut pending: Vec<ReliefKind> = Vec::new();
    if rng.chance(0.5) {
        let first = if minor_sij && rng.chance(0.5) {
            ReliefKind::Sij
        } else {
            match rng.weighted(&[70, 10, 6, 5, 4, 2, 3]) {
                0 => ReliefKind::Asylum,
                1 => ReliefKind::Cancellation,
                2 => ReliefKind::Adjustment,
                3 => ReliefKind::UVisa,
                4 => ReliefKind::Vawa,
                5 => ReliefKind::TVisa,
                _ => ReliefKind::DeferredAction,
            }
        };
        let t = case.at(case.date().add_days(rng.range_i64(10, 300) as i32), &mut rng);
        case.push(t, EventBody::ReliefApplicationFiled { relief: first });
        pending.push(first);
        if first == ReliefKind::Asylum {
            for k in [ReliefKind::Withholding, ReliefKind::Cat] {
                case.push(t, EventBody::ReliefApplicationFiled { relief: k });
                pending.push(k);
            }
        }
    }

    let remaining = (as_of.days_since_epoch() - case.date().days_since_epoch()).max(2);
    match plan {
        Plan::Encountered | Plan::NoticeServed => {}
        Plan::PendingInCourt => {
            if rng.chance(0.006) {
                let t = case.at(as_of.add_days(-(rng.range_i64(1, remaining.min(90) as i64) as i32)), &mut rng);
                case.push(t, EventBody::CitizenshipClaimRaised);
            }
            if rng.chance(0.03) {
                let t = case.at(as_of.add_days(-(rng.range_i64(1, remaining.min(200) as i64) as i32)), &mut rng);
                // No one is taken into custody while their claim to citizenship is pending.
                let claim_pending = case.events.iter().any(|e| matches!(e.body, EventBody::CitizenshipClaimRaised));
                if !case_detained(&case.events) && !claim_pending {
                    case.push(t, EventBody::CustodyBegan);
                }
            }
            let t = case.at(as_of.add_days(-(rng.range_i64(1, remaining.min(120) as i64) as i32)), &mut rng);
            let at = as_of.add_days(rng.range_i64(1, 700) as i32);
            let at = case.zone.at(case.zone.start_of_day(at).plus_seconds(9 * 3600));
            let kind = if rng.chance(0.3) { HearingKind::Individual } else { HearingKind::Master };
            case.push(t, EventBody::HearingScheduled { kind, at });
        }
        Plan::CitizenFound => {
            let t = case.at(as_of.add_days(-(rng.range_i64(60, remaining.max(61) as i64) as i32)), &mut rng);
            case.push(t, EventBody::CitizenshipClaimRaised);
            let t = case.at(case.date().add_days(rng.range_i64(14, 50) as i32), &mut rng);
            case.push(t, EventBody::CitizenshipClaimResolved { finding: CitizenshipFinding::Citizen });
            if case_detained(&case.events) {
                case.push(t, EventBody::CustodyReleased { release: ReleaseKind::Recognizance });
            }
            case.push(t, EventBody::CaseClosed { reason: CloseReason::CitizenshipEstablished });
        }
        Plan::OrderNotFinal => {
            let d = as_of.add_days(-(rng.range_i64(1, 28) as i32));
            let t = case.at(d, &mut rng);
            resolve_pending(&mut case, &mut rng, &mut pending, t, false);
            case.push(t, decision(DecisionOutcome::RemovalOrdered));
        }
        Plan::OnAppeal => {
            let d = as_of.add_days(-(rng.range_i64(40, 400) as i32));
            let t = case.at(d, &mut rng);
            let d = t.local_date();
            let dhs = rng.chance(0.12);
            resolve_pending(&mut case, &mut rng, &mut pending, t, dhs);
            let outcome =
                if dhs { DecisionOutcome::ReliefGranted(ReliefKind::Asylum) } else { DecisionOutcome::RemovalOrdered };
            case.push(t, decision(outcome));
            let t = case.at(d.add_days(rng.range_i64(5, 29) as i32), &mut rng);
            let by = if dhs { Appellant::Dhs } else { Appellant::Respondent };
            case.push(t, EventBody::AppealFiled { by, late_filing_basis: None });
        }
        Plan::VoluntaryDeparture => {
            let d = as_of.add_days(-(rng.range_i64(2, 55) as i32));
            let t = case.at(d, &mut rng);
            resolve_pending(&mut case, &mut rng, &mut pending, t, false);
            case.push(t, decision(DecisionOutcome::VoluntaryDeparture { period: VoluntaryDeparturePeriod::Days(60) }));
            if rng.chance(0.6) {
                case.push(t, EventBody::AppealWaived);
            }
        }
        Plan::ReliefGranted => {
            let d = as_of.add_days(-(rng.range_i64(35, remaining.max(36) as i64) as i32));
            let t = case.at(d, &mut rng);
            let d = t.local_date();
            let kind = pending
                .first()
                .copied()
                .filter(|k| *k != ReliefKind::DeferredAction)
                .unwrap_or(ReliefKind::Cancellation);
            resolve_pending(&mut case, &mut rng, &mut pending, t, true);
            case.push(t, decision(DecisionOutcome::ReliefGranted(kind)));
            if case_detained(&case.events) {
                case.push(t, EventBody::CustodyReleased { release: ReleaseKind::Recognizance });
            }
            if rng.chance(0.85) {
                let t = case.at(d.add_days(rng.range_i64(31, 34) as i32), &mut rng);
                case.push(t, EventBody::CaseClosed { reason: CloseReason::ReliefGranted });
            }
        }
        Plan::Terminated => {
            let d = as_of.add_days(-(rng.range_i64(35, remaining.max(36) as i64) as i32));
            let t = case.at(d, &mut rng);
            let d = t.local_date();
            resolve_pending(&mut case, &mut rng, &mut pending, t, false);
            case.push(t, decision(DecisionOutcome::Terminated));
            if case_detained(&case.events) {
                case.push(t, EventBody::CustodyReleased { release: ReleaseKind::Recognizance });
            }
            let t = case.at(d.add_days(rng.range_i64(31, 34) as i32), &mut rng);
            case.push(t, EventBody::CaseClosed { reason: CloseReason::Terminated });
        }
        Plan::FinalOrder | Plan::Removed | Plan::Departed => {
            final_order(&mut case, &mut rng, &mut pending, plan, as_of, remaining, person);
        }
    }
    // Temporary protected status for nationals of designated countries, granted last so that
    // it never holds back the rest of the history.
    let open =
        !matches!(plan, Plan::Removed | Plan::Departed | Plan::CitizenFound | Plan::ReliefGranted | Plan::Terminated);
    if open && TPS_COUNTRIES.contains(&person.nationality.as_str()) && rng.chance(0.35) {
        let span = (as_of.days_since_epoch() - case.date().days_since_epoch()).max(1) as i64;
        let from_d = case.date().add_days(rng.range_i64(0, span - 1) as i32);
        let from = case.at(from_d, &mut rng);
        let lapsed = rng.chance(0.2);
        let until_d = if lapsed {
            as_of.add_days(-(rng.range_i64(1, 90) as i32))
        } else {
            as_of.add_days(rng.range_i64(20, 540) as i32)
        };
        let until = case.zone.start_of_day(until_d.max(from.local_date().add_days(1)));
        case.push(
            from,
            EventBody::ProtectionGranted { protection: ProtectionKind::Tps, from, until: ProtectionEnd::At(until) },
        );
    }
    case
}

fn case_detained(events: &[Event]) -> bool {
    let mut detained = false;
    for e in events {
        match e.body {
            EventBody::CustodyBegan => detained = true,
            EventBody::CustodyReleased { .. }
            | EventBody::RemovalCarriedOut { .. }
            | EventBody::DepartureVerified { .. } => {
                detained = false;
            }
            _ => {}
        }
    }
    detained
}

/// A judge's decision, counted in the case's own time zone.
fn decision(outcome: DecisionOutcome) -> EventBody {
    EventBody::DecisionIssued { outcome, time_zone: None, country_protection: None }
}

/// The time zones of the courts the synthetic docket's cases are heard in.
fn court_zone(i: usize) -> TimeZone {
    static ZONES: std::sync::OnceLock<Vec<TimeZone>> = std::sync::OnceLock::new();
    let zones = ZONES.get_or_init(|| {
        ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"]
            .into_iter()
            // INVARIANT: these zones are in the time-zone database built into Docket.
            .map(|z| TimeZone::parse(z).unwrap_or_else(|_| unreachable!()))
            .collect()
    });
    zones[i.min(zones.len() - 1)].clone()
}

/// Decides pending applications at the decision: denied (or granted when `grant`).
/// Withholding and CAT protection are granted as to the person's country of nationality.
fn resolve_pending(case: &mut Case, rng: &mut Rng, pending: &mut Vec<ReliefKind>, t: Timestamp, grant: bool) {
    for k in pending.drain(..) {
        let body = if grant {
            let country = matches!(k, ReliefKind::Withholding | ReliefKind::Cat).then(|| case.nationality).flatten();
            EventBody::ReliefApplicationGranted { relief: k, country }
        } else if rng.chance(0.1) {
            EventBody::ReliefApplicationWithdrawn { relief: k }
        } else {
            EventBody::ReliefApplicationDenied { relief: k }
        };
        case.push(t, body);
    }
}

fn final_order(
    case: &mut Case,
    rng: &mut Rng,
    pending: &mut Vec<ReliefKind>,
    plan: Plan,
    as_of: Date,
    remaining: i32,
    person: &PersonRow,
) {
    // Finality must be reached well before as-of, leaving room for what follows.
    let span = remaining.max(200) as i64;
    let d = as_of.add_days(-(rng.range_i64(120, span) as i32));
    let t = case.at(d, rng);
    let d = t.local_date();
    resolve_pending(case, rng, pending, t, false);
    let kind = rng.weighted(&[40, 35, 15, 10]);
    let final_day = match kind {
        0 => {
            case.push(t, decision(DecisionOutcome::RemovalOrderedInAbsentia));
            if plan == Plan::FinalOrder && rng.chance(0.08) {
                let t = case.at(d.add_days(rng.range_i64(20, 100) as i32), rng);
                let basis = [MotionBasis::LackOfNotice, MotionBasis::ExceptionalCircumstances, MotionBasis::InCustody]
                    [rng.weighted(&[60, 35, 5])];
                case.push(t, EventBody::MotionToReopenFiled { basis: Some(basis) });
            }
            d
        }
        1 => {
            case.push(t, decision(DecisionOutcome::RemovalOrdered));
            if rng.chance(0.3) {
                case.push(t, EventBody::AppealWaived);
                d
            } else {
                d.add_days(35)
            }
        }
        2 => {
            case.push(t, decision(DecisionOutcome::RemovalOrdered));
            let t = case.at(d.add_days(rng.range_i64(10, 28) as i32), rng);
            case.push(t, EventBody::AppealFiled { by: Appellant::Respondent, late_filing_basis: None });
            let dd = d.add_days(rng.range_i64(60, 100) as i32);
            let t = case.at(dd, rng);
            case.push(t, EventBody::AppealDecided { outcome: AppealOutcome::Dismissed, voluntary_departure: None });
            if plan == Plan::FinalOrder && rng.chance(0.15) {
                let t = case.at(dd.add_days(rng.range_i64(5, 29) as i32), rng);
                case.push(t, EventBody::PetitionForReviewFiled);
                if rng.chance(0.4) {
                    case.push(
                        t,
                        EventBody::ProtectionGranted {
                            protection: ProtectionKind::Stay(StayKind::Judicial),
                            from: t,
                            until: ProtectionEnd::Indefinite,
                        },
                    );
                }
            }
            dd.add_days(35)
        }
        _ => {
            // Voluntary departure; those who leave in time are verified, the rest overstay.
            let deadline = d.add_days(60);
            case.push(t, decision(DecisionOutcome::VoluntaryDeparture { period: VoluntaryDeparturePeriod::Days(60) }));
            case.push(t, EventBody::AppealWaived);
            if plan == Plan::Departed {
                let dep = d.add_days(rng.range_i64(10, 59) as i32);
                let t = case.at(dep.add_days(rng.range_i64(1, 20) as i32), rng);
                let dep = dep.min(t.local_date());
                release_if_detained(case, t);
                case.push(t, EventBody::DepartureVerified { departed_on: dep, evidence: None });
                case.push(t, EventBody::CaseClosed { reason: CloseReason::DepartureVerified });
                return;
            }
            deadline.add_days(2)
        }
    };
    let after = final_day.add_days(1).max(case.date());
    if after >= as_of.add_days(-2) {
        return;
    }
    let room = (as_of.days_since_epoch() - after.days_since_epoch()).max(1) as i64;
    let detain = match plan {
        Plan::Removed => true,
        Plan::FinalOrder => rng.chance(0.22),
        _ => false,
    };
    if rng.chance(if plan == Plan::Removed { 0.9 } else { 0.3 }) {
        if let Some(doc) = travel_document(person, rng, as_of) {
            let t = case.at(after.add_days(rng.range_i64(0, room.min(60)) as i32), rng);
            case.push(t, EventBody::TravelDocumentObtained { document: doc });
        }
    }
    let protected_by_stay = case.events.iter().any(|e| {
        matches!(
            e.body,
            EventBody::ProtectionGranted { protection: ProtectionKind::Stay(_), .. }
                | EventBody::MotionToReopenFiled { .. }
        )
    });
    if detain && !case_detained(&case.events) && !protected_by_stay {
        // Detention after the order: post-order custody clocks run from here.
        let lo = if plan == Plan::FinalOrder { (room - 240).max(0) } else { 0 };
        let t = case.at(after.add_days(rng.range_i64(lo, room - 1) as i32), rng);
        case.push(t, EventBody::CustodyBegan);
        if rng.chance(0.4) {
            let t = case.at(case.date().add_days(rng.range_i64(20, 90) as i32), rng);
            case.push(t, EventBody::CustodyReviewed { outcome: CustodyReviewOutcome::Continued });
        }
    }
    match plan {
        Plan::Removed if !protected_by_stay && !tps_in_force(&case.events, case.cursor) => {
            let t = case.at(case.date().max(after).add_days(rng.range_i64(5, 60) as i32), rng);
            case.push(t, EventBody::RemovalCarriedOut { country: case.nationality });
            case.push(t, EventBody::CaseClosed { reason: CloseReason::Removed });
        }
        Plan::Departed => {
            let t = case.at(case.date().max(after).add_days(rng.range_i64(5, 200) as i32), rng);
            release_if_detained(case, t);
            let dep = t.local_date().add_days(-(rng.range_i64(1, 5) as i32)).max(after);
            case.push(t, EventBody::DepartureVerified { departed_on: dep.min(t.local_date()), evidence: None });
            case.push(t, EventBody::CaseClosed { reason: CloseReason::DepartureVerified });
        }
        _ => {}
    }
}

fn release_if_detained(case: &mut Case, t: Timestamp) {
    if case_detained(&case.events) {
        case.push(t, EventBody::CustodyReleased { release: ReleaseKind::Recognizance });
    }
}

fn tps_in_force(events: &[Event], t: Timestamp) -> bool {
    events.iter().any(|e| match e.body {
        EventBody::ProtectionGranted { from, until, .. } => {
            from <= t
                && match until {
                    ProtectionEnd::At(u) => t < u,
                    ProtectionEnd::Indefinite | ProtectionEnd::Unknown => true,
                }
        }
        _ => false,
    })
}

fn travel_document(person: &PersonRow, rng: &mut Rng, as_of: Date) -> Option<TravelDocument> {
    let country = Country::parse(&person.nationality).ok()?;
    if !person.passport_number.is_empty() && rng.chance(0.6) {
        let expiry = Date::parse(&person.passport_expiry).ok();
        if expiry.is_some_and(|e| e > as_of) {
            return TravelDocument::new(DocumentKind::Passport, &person.passport_number, country, expiry).ok();
        }
    }
    let number = format!("LP{:07}", rng.below(10_000_000));
    TravelDocument::new(DocumentKind::LaissezPasser, &number, country, Some(as_of.add_days(180))).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn as_of() -> Date {
        Date::parse("2026-11-01").expect("date")
    }

    #[test]
    fn every_generated_history_is_lawful() {
        // Each event of each synthetic case passes the same rules an import applies, with what
        // the import knows of the person (no conviction or entry before their birth).
        for i in 0..5000 {
            let row = person_row(7, i);
            let events = case_history(7, i, as_of(), &row);
            let person = docket_core::PersonFacts {
                date_of_birth: Some(docket_core::DateOfBirth::parse(&row.date_of_birth, as_of()).expect("birth")),
                a_number: Some(ANumber::parse(&row.a_number).expect("A-number")),
                ..Default::default()
            };
            let mut state = docket_core::CaseState::default();
            for e in &events {
                if let Err(r) = docket_core::decide(&state, e, &person) {
                    panic!("case {i}: {r}\n{events:#?}");
                }
                state.apply(e);
                assert!(e.effective_at < as_of().start_at_offset(0), "case {i} event in the future");
            }
            assert!(state.anomalies.is_empty(), "case {i}: {:?}", state.anomalies);
        }
    }

    #[test]
    fn the_facts_leave_the_legal_path_as_it_is_drawn() {
        // The facts come from their own stream: without them, a history is its legal path,
        // event for event, ids and keys included.
        for i in 0..2000 {
            let row = person_row(5, i);
            let legal = legal_path(5, i, as_of(), &row).events;
            let history = case_history(5, i, as_of(), &row);
            let fact_seq = |e: &Event| (e.id.as_u128() & 0xFF) as u64 > FACT_SEQ;
            let without: Vec<Event> = history.iter().filter(|e| !fact_seq(e)).cloned().collect();
            assert_eq!(without, legal, "case {i}");
            let facts = history.iter().filter(|e| fact_seq(e));
            assert!(
                facts.clone().all(|e| matches!(
                    e.body,
                    EventBody::LastEntryRecorded { .. }
                        | EventBody::ConvictionRecorded { .. }
                        | EventBody::ConvictionVacated { .. }
                        | EventBody::NationalSecurityDetermination { .. }
                        | EventBody::MitigatingFactRecorded { .. }
                        | EventBody::RemovalCountryDesignated { .. }
                )),
                "case {i}"
            );
            assert_eq!(facts.count() + legal.len(), history.len(), "case {i}");
        }
    }

    #[test]
    fn every_order_of_removal_designates_a_country() {
        let (mut orders, mut nationality) = (0, 0);
        for i in 0..4000 {
            let row = person_row(5, i);
            let history = case_history(5, i, as_of(), &row);
            for (k, e) in history.iter().enumerate() {
                let EventBody::DecisionIssued { outcome, .. } = &e.body else { continue };
                if !outcome.orders_removal() {
                    continue;
                }
                orders += 1;
                // At the order's instant, after what the legal path records then.
                let designation =
                    history[k + 1..].iter().take_while(|d| d.effective_at == e.effective_at).find_map(|d| {
                        match d.body {
                            EventBody::RemovalCountryDesignated { country } => Some(country),
                            _ => None,
                        }
                    });
                let Some(country) = designation else { panic!("case {i}: an order without a designation") };
                nationality += usize::from(country.code() == row.nationality);
            }
        }
        let share = nationality as f64 / orders as f64;
        assert!(orders > 400, "{orders} orders");
        assert!((0.94..0.995).contains(&share), "{share} of designations are of the nationality");
    }

    #[test]
    fn adjudicated_facts_come_in_plausible_shares() {
        use docket_core::{EntryManner, MitigatingFact, OffenceClass};
        const N: u64 = 5000;
        let (mut entries, mut manners, mut admitted_for_a_period) = (0, [0u32; 3], 0);
        let (mut convicted, mut security) = (0, 0);
        let (mut classes, mut not_final_at_first, mut later_final, mut vacated) = ([0u32; 4], 0, 0, 0);
        let (mut before_case, mut during_case) = (0, 0);
        let mut mitigating = [0u32; 4];
        for i in 0..N {
            let row = person_row(13, i);
            let events = case_history(13, i, as_of(), &row);
            let opened_on = events[0].effective_at.local_date();
            let mut seen = std::collections::HashSet::new();
            for e in &events {
                match &e.body {
                    EventBody::LastEntryRecorded { entered_on, manner, admitted_until } => {
                        assert!(*entered_on <= opened_on, "case {i}: entry after the case opened");
                        entries += 1;
                        manners[EntryManner::ALL.iter().position(|m| m == manner).unwrap_or(0)] += 1;
                        admitted_for_a_period += u32::from(admitted_until.is_some());
                    }
                    EventBody::ConvictionRecorded {
                        conviction, offence_class, convicted_on, final_conviction, ..
                    } => {
                        if seen.insert(conviction.clone()) {
                            classes[OffenceClass::ALL.iter().position(|c| c == offence_class).unwrap_or(0)] += 1;
                            not_final_at_first += u32::from(!final_conviction);
                            if *convicted_on < opened_on {
                                before_case += 1;
                            } else {
                                during_case += 1;
                            }
                        } else {
                            later_final += 1;
                        }
                    }
                    EventBody::ConvictionVacated { .. } => vacated += 1,
                    EventBody::NationalSecurityDetermination { .. } => {
                        assert!(e.reference.is_some(), "case {i}: a determination without its reference");
                        security += 1;
                    }
                    EventBody::MitigatingFactRecorded { fact, .. } => {
                        mitigating[MitigatingFact::ALL.iter().position(|f| f == fact).unwrap_or(0)] += 1;
                    }
                    _ => {}
                }
            }
            convicted += u32::from(!seen.is_empty());
        }
        let share = |n: u32, of: u32| f64::from(n) / f64::from(of.max(1));
        let n = N as u32;
        let convictions: u32 = classes.iter().sum();
        let report = format!(
            "entries {entries} {manners:?} period {admitted_for_a_period}; convicted {convicted}, classes \
             {classes:?}, not final {not_final_at_first}, later final {later_final}, vacated {vacated}, before \
             {before_case} during {during_case}; security {security}; mitigating {mitigating:?}"
        );
        // Most cases have an entry recorded; without inspection the commonest manner.
        assert!((0.75..0.9).contains(&share(entries, n)), "{report}");
        assert!((0.45..0.65).contains(&share(manners[2], entries)), "{report}");
        assert!((0.2..0.4).contains(&share(manners[0], entries)), "{report}");
        assert!((0.08..0.22).contains(&share(manners[1], entries)), "{report}");
        assert!((0.5..0.9).contains(&share(admitted_for_a_period, manners[0])), "{report}");
        // A minority convicted, mostly of misdemeanors and petty offences, a few aggravated
        // felonies; most convictions predate the case; some not final, later final or vacated.
        assert!((0.10..0.20).contains(&share(convicted, n)), "{report}");
        assert!(share(classes[2] + classes[3], convictions) > 0.7, "{report}");
        assert!((0.01..0.08).contains(&share(classes[0], convictions)), "{report}");
        assert!((0.05..0.2).contains(&share(classes[1], convictions)), "{report}");
        assert!((0.6..0.95).contains(&share(before_case, convictions)), "{report}");
        assert!((0.05..0.3).contains(&share(not_final_at_first, convictions)), "{report}");
        assert!(later_final > 10 && vacated > 5 && later_final > vacated, "{report}");
        // National-security determinations are rare; mitigating facts a few percent each.
        assert!((1..=20).contains(&security), "{report}");
        for m in mitigating {
            assert!((0.005..0.06).contains(&share(m, n)), "{report}");
        }
    }

    #[test]
    fn output_does_not_depend_on_thread_count() {
        let run = |threads| {
            let (mut p, mut e) = (Vec::new(), Vec::new());
            let cfg = SynthConfig { cases: 10_000, seed: 3, as_of: as_of(), threads };
            let totals = generate(cfg, &mut p, &mut e, &mut |_| {}).expect("generate");
            (p, e, totals)
        };
        let one = run(1);
        let three = run(3);
        assert_eq!(one.2, three.2);
        assert!(one.0 == three.0 && one.1 == three.1, "outputs differ");
        assert_eq!(one.2.cases, 10_000);
        assert!(one.2.events > 50_000, "{:?}", one.2);
    }

    #[test]
    fn the_mix_of_stages_is_realistic() {
        let t = as_of().start_at_offset(-300);
        let mut report = docket_core::DocketReport::new(t, 30);
        for i in 0..20_000 {
            let row = person_row(11, i);
            let state = docket_core::CaseState::from_events(&case_history(11, i, as_of(), &row));
            report.add(&state.summary().expect("summary"));
        }
        let share = |s: docket_core::Stage| report.by_stage.get(&s).copied().unwrap_or(0) as f64 / 20_000.0;
        // Most cases are pending in court; some hold final orders; some are detained.
        assert!(share(docket_core::Stage::PendingInCourt) > 0.45, "{report:#?}");
        assert!(share(docket_core::Stage::FinalOrder) > 0.05, "{report:#?}");
        assert!(share(docket_core::Stage::OnAppeal) > 0.03, "{report:#?}");
        assert!(report.detained > 200, "{report:#?}");
        assert!(report.protected_cases > 300, "{report:#?}");
        assert!(report.citizenship_claims_pending > 10, "{report:#?}");
        assert!(report.pending_relief.get(&ReliefKind::Asylum).copied().unwrap_or(0) > 2000, "{report:#?}");
        assert!(report.custody_reviews_due + report.custody_reviews_past_due > 20, "{report:#?}");
        assert!(report.deadlines_due.values().sum::<u64>() > 300, "{report:#?}");
    }
}
