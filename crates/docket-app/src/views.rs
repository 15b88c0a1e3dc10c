//! What the use cases return: serializable views of a case, its timeline, a person, the
//! accounting of disclosures and the supervisor's report. Every fact a shell shows is a field
//! here, so that a text rendering and a JSON one say the same thing; each legal answer carries
//! its rule, its citation and the events it rests on.
//!
//! These views are for reading, and may grow. The disclosure packet has its own fixed,
//! versioned types ([`crate::packet`]), so that a change here never changes a packet.

use std::collections::BTreeMap;

use docket_core::{
    Bar, CaseState, CaseSummary, CitizenshipStatus, Deadline, DecisionOutcome, DocketReport, Event, EventId,
    OverstayPenalty, Person, ProtectionPeriod, Rule, Stage, Timestamp, VoluntaryDeparturePeriod,
};
use docket_store::wire::WireEvent;
use serde::Serialize;

/// An event a result rests on: its id and its number in the case's timeline (1-based), when
/// it is one of the case's own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventRef {
    /// The event's id.
    pub event_id: String,
    /// Its number in the timeline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<usize>,
}

/// A rule as shown: its name and citation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleRef {
    /// The rule's stable name.
    pub rule: &'static str,
    /// Its legal citation; none for record-keeping rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub citation: Option<&'static str>,
}

impl From<Rule> for RuleRef {
    fn from(r: Rule) -> RuleRef {
        RuleRef { rule: r.name(), citation: r.citation() }
    }
}

/// Numbers event ids by their place in a timeline.
pub(crate) struct Numbering<'a> {
    events: &'a [Event],
}

impl<'a> Numbering<'a> {
    pub(crate) fn new(events: &'a [Event]) -> Numbering<'a> {
        Numbering { events }
    }

    pub(crate) fn refs(&self, ids: &[EventId]) -> Vec<EventRef> {
        ids.iter()
            .map(|id| EventRef {
                event_id: id.to_string(),
                number: self.events.iter().position(|e| e.id == *id).map(|i| i + 1),
            })
            .collect()
    }
}

/// A bar to an act: the rule, why, and the events it rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BarView {
    /// The rule.
    #[serde(flatten)]
    pub rule: RuleRef,
    /// Why, in words.
    pub reason: String,
    /// The events it rests on.
    pub basis: Vec<EventRef>,
}

impl BarView {
    pub(crate) fn of(b: &Bar, n: &Numbering<'_>) -> BarView {
        BarView { rule: b.rule.into(), reason: b.reason.clone(), basis: n.refs(&b.basis) }
    }
}

/// A deadline as of the view's instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadlineView {
    /// What is due, in words.
    pub what: &'static str,
    /// The last day.
    pub due: String,
    /// When it runs out.
    pub ends_at: String,
    /// Whether the act is still timely at the view's instant.
    pub open: bool,
    /// Calendar days left until `due`, where the case's court counts them (0 once past).
    pub days_left: i32,
    /// The event that closed the period early (a waiver, a petition for review).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed_by: Option<EventRef>,
    /// The event that met it, if it has been met by the view's instant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub met_by: Option<EventRef>,
    /// Whether it passed without being met.
    pub overdue: bool,
    /// The rule.
    #[serde(flatten)]
    pub rule: RuleRef,
    /// The events it rests on.
    pub basis: Vec<EventRef>,
}

impl DeadlineView {
    fn of(what: &'static str, d: &Deadline, s: &CaseSummary, t: Timestamp, n: &Numbering<'_>) -> DeadlineView {
        let today = s.local_date(t);
        let one = |id: EventId| n.refs(&[id]).pop();
        DeadlineView {
            what,
            due: d.due.to_string(),
            ends_at: d.ends_at.to_string(),
            open: d.open_at(t),
            days_left: if d.open_at(t) { today.days_until(d.due).max(0) } else { 0 },
            closed_by: d.closed_by.filter(|_| !d.open_at(t)).and_then(one),
            met_by: d.met.filter(|m| m.at <= t).and_then(|m| one(m.event)),
            overdue: d.overdue_at(t),
            rule: d.rule.into(),
            basis: n.refs(&d.basis),
        }
    }
}

/// A protection or stay in force at the view's instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProtectionView {
    /// Which protection.
    pub kind: &'static str,
    /// In force from.
    pub from: String,
    /// In force until (exclusive), if it has a known end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    /// `date`, `until_decided` (a pending appeal or motion, or a grant without an end date) or
    /// `unknown` (an end date that was not recorded: taken to be in force).
    pub end: &'static str,
    /// The rule.
    #[serde(flatten)]
    pub rule: RuleRef,
    /// The events it rests on.
    pub basis: Vec<EventRef>,
}

impl ProtectionView {
    fn of(p: &ProtectionPeriod, n: &Numbering<'_>) -> ProtectionView {
        ProtectionView {
            kind: p.kind.name(),
            from: p.from.to_string(),
            until: p.until.map(|u| u.to_string()),
            end: match (p.until, p.end_unknown) {
                (Some(_), _) => "date",
                (None, true) => "unknown",
                (None, false) => "until_decided",
            },
            rule: p.rule.into(),
            basis: n.refs(&p.basis),
        }
    }
}

/// The judge's standing decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecisionView {
    /// The outcome's name.
    pub outcome: &'static str,
    /// The outcome in words.
    pub text: String,
    /// When it was issued.
    pub issued_at: String,
    /// Its date where the court sits.
    pub date: String,
}

/// When the order of removal is or becomes final.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FinalityView {
    /// The instant of finality.
    pub at: String,
    /// Whether it is final at the view's instant.
    pub final_now: bool,
    /// The rule.
    #[serde(flatten)]
    pub rule: RuleRef,
    /// The events it rests on.
    pub basis: Vec<EventRef>,
}

/// The 90-day removal period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemovalPeriodView {
    /// When it begins.
    pub starts_at: String,
    /// When it ends.
    pub ends_at: String,
    /// The rule.
    #[serde(flatten)]
    pub rule: RuleRef,
    /// The events it rests on.
    pub basis: Vec<EventRef>,
}

/// The claim to US citizenship.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CitizenshipView {
    /// `pending`, `citizen` or `not_citizen`.
    pub status: &'static str,
    /// In words, with its consequence.
    pub text: &'static str,
    /// The events of the claim.
    pub basis: Vec<EventRef>,
}

/// What overstaying voluntary departure costs the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverstayPenaltyView {
    /// When the period ran out without a timely departure.
    pub since: String,
    /// The last day of the ten years' ineligibility.
    pub ineligible_until: String,
    /// What the person is ineligible for.
    pub ineligible_for: &'static str,
    /// The civil penalty.
    pub civil_penalty: &'static str,
    /// The rule.
    #[serde(flatten)]
    pub rule: RuleRef,
    /// The events it rests on.
    pub basis: Vec<EventRef>,
}

impl OverstayPenaltyView {
    fn of(p: &OverstayPenalty, n: &Numbering<'_>) -> OverstayPenaltyView {
        OverstayPenaltyView {
            since: p.since.to_string(),
            ineligible_until: p.ineligible_until.to_string(),
            ineligible_for: OverstayPenalty::BARRED_RELIEF,
            civil_penalty: "$1,000 to $5,000",
            rule: OverstayPenalty::RULE.into(),
            basis: n.refs(&p.basis),
        }
    }
}

/// The person, as the case view shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonBrief {
    /// The person's id.
    pub person_id: String,
    /// A-number.
    pub a_number: Option<String>,
    /// Name as the person's culture writes it.
    pub name: String,
    /// Date of birth as recorded (possibly partial).
    pub date_of_birth: String,
    /// Nationality.
    pub nationality: Option<String>,
}

impl PersonBrief {
    pub(crate) fn of(p: &Person) -> PersonBrief {
        PersonBrief {
            person_id: p.id.to_string(),
            a_number: p.a_number.map(|a| a.to_string()),
            name: p.name.display(),
            date_of_birth: p.date_of_birth.to_string(),
            nationality: p.nationality.map(|c| c.to_string()),
        }
    }
}

/// A recorded fact that is part of a case's record: a grant as to a country, counsel, a
/// conviction, the last entry, a mitigating circumstance, a national-security determination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FactView {
    /// Which kind of fact.
    pub kind: &'static str,
    /// The fact in words.
    pub text: String,
    /// The event that records it.
    pub basis: Vec<EventRef>,
}

/// Something odd in the history, noted by the fold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnomalyView {
    /// The event.
    pub event: EventRef,
    /// What is odd.
    pub note: &'static str,
}

/// A case as of an instant: the fold of the events in effect then, and nothing later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseView {
    /// The case.
    pub case_id: String,
    /// Events in effect at the instant (the stream's version then).
    pub version: u64,
    /// Events recorded in all, including any that take effect later.
    pub events_recorded: u64,
    /// The instant the view is as of.
    pub as_of: String,
    /// The case's stage then.
    pub stage: &'static str,
    /// The time zone its deadlines count in.
    pub time_zone: Option<String>,
    /// Whether that zone was inferred from the decision's UTC offset, none being recorded.
    pub time_zone_inferred: bool,
    /// The person, if their record is stored.
    pub person: Option<PersonBrief>,
    /// The person's id.
    pub person_id: Option<String>,
    /// The standing decision.
    pub decision: Option<DecisionView>,
    /// When the order of removal is or becomes final.
    pub final_order: Option<FinalityView>,
    /// The removal period.
    pub removal_period: Option<RemovalPeriodView>,
    /// Protections and stays in force.
    pub protections_in_force: Vec<ProtectionView>,
    /// The appeal window.
    pub appeal_deadline: Option<DeadlineView>,
    /// The voluntary-departure period.
    pub voluntary_departure_deadline: Option<DeadlineView>,
    /// Post-order custody reviews.
    pub custody_reviews: Vec<DeadlineView>,
    /// The country of removal designated for the standing order (INA 241(b)), if any.
    pub designated_country: Option<DesignationView>,
    /// The travel document obtained for removal (the latest), if any.
    pub travel_document: Option<HeldDocumentView>,
    /// Every bar to removing the person now, the most specific first, to the designated
    /// country (where none is designated, to a country not stated: a grant of withholding as
    /// to any country is among them).
    pub removal_bars: Vec<BarView>,
    /// Each action's statutory gate at the instant, with its reasons; none before the case is
    /// opened.
    pub gates: Option<crate::gates::CaseGatesView>,
    /// The case's priority under the agency priority policy in force at the instant, with
    /// every reason and the events behind it; none when no priority policy is in force or
    /// before the case is opened.
    pub priority: Option<crate::gates::CasePriorityView>,
    /// The next hearing.
    pub next_hearing: Option<HearingView>,
    /// Detained since.
    pub detained_since: Option<String>,
    /// Arrests recorded.
    pub arrests: u32,
    /// Relief applications pending.
    pub pending_relief: Vec<&'static str>,
    /// Relief granted.
    pub granted_relief: Vec<&'static str>,
    /// The claim to US citizenship, if any.
    pub citizenship_claim: Option<CitizenshipView>,
    /// What overstaying voluntary departure costs the person, if they overstayed.
    pub overstay_penalty: Option<OverstayPenaltyView>,
    /// Appeal reserved at the hearing.
    pub appeal_reserved: bool,
    /// Recorded facts: grants as to a country, counsel of record, convictions, the last
    /// entry, mitigating circumstances, national-security determinations.
    pub facts: Vec<FactView>,
    /// Closure.
    pub closed: Option<ClosedView>,
    /// Odd events in the history.
    pub anomalies: Vec<AnomalyView>,
}

/// A scheduled hearing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HearingView {
    /// Its kind.
    pub kind: &'static str,
    /// When.
    pub at: String,
}

/// How a case was closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClosedView {
    /// Why.
    pub reason: &'static str,
    /// When.
    pub at: String,
}

/// A judge's decision in words.
pub fn decision_text(o: DecisionOutcome) -> String {
    match o {
        DecisionOutcome::RemovalOrdered => "removal ordered".into(),
        DecisionOutcome::RemovalOrderedInAbsentia => "removal ordered in absentia".into(),
        DecisionOutcome::VoluntaryDeparture { period: VoluntaryDeparturePeriod::Until(d) } => {
            format!("voluntary departure by {d}, with an alternate order of removal")
        }
        DecisionOutcome::VoluntaryDeparture { period: VoluntaryDeparturePeriod::Days(n) } => {
            format!("voluntary departure within {n} days, with an alternate order of removal")
        }
        DecisionOutcome::ReliefGranted(k) => format!("relief granted ({})", k.name()),
        DecisionOutcome::Terminated => "proceedings terminated".into(),
    }
}

fn outcome_name(o: DecisionOutcome) -> &'static str {
    match o {
        DecisionOutcome::RemovalOrdered => "removal_ordered",
        DecisionOutcome::RemovalOrderedInAbsentia => "removal_ordered_in_absentia",
        DecisionOutcome::VoluntaryDeparture { .. } => "voluntary_departure",
        DecisionOutcome::ReliefGranted(_) => "relief_granted",
        DecisionOutcome::Terminated => "terminated",
    }
}

/// The recorded facts of a case, in words.
pub(crate) fn facts(s: &CaseSummary, n: &Numbering<'_>) -> Vec<FactView> {
    let mut out = Vec::new();
    for g in &s.country_protections {
        let country = g.protection.country.map_or_else(|| "a country not recorded".to_owned(), |c| c.to_string());
        out.push(FactView {
            kind: "country_protection",
            text: format!("{} granted as to {country}: no removal there", g.protection.relief.name()),
            basis: n.refs(&[g.granted.event]),
        });
    }
    for c in &s.counsel {
        out.push(FactView {
            kind: "counsel",
            text: format!("counsel of record `{}` ({}) since {}", c.counsel, c.form.name(), c.appeared.at.local_date()),
            basis: n.refs(&[c.appeared.event]),
        });
    }
    for c in &s.convictions {
        let status = match (c.vacated, c.final_conviction) {
            (Some(_), _) => "vacated",
            (None, true) => "final",
            (None, false) => "not final",
        };
        let mut basis = vec![c.recorded.event];
        basis.extend(c.vacated.map(|v| v.event));
        out.push(FactView {
            kind: "conviction",
            text: format!(
                "conviction `{}`: {} under {} on {} ({status})",
                c.conviction,
                c.offence_class.name(),
                c.statute,
                c.convicted_on
            ),
            basis: n.refs(&basis),
        });
    }
    if let Some(e) = &s.last_entry {
        let until = e.admitted_until.map(|u| format!(", admitted until {u}")).unwrap_or_default();
        out.push(FactView {
            kind: "last_entry",
            text: format!("last entry on {} ({}{until})", e.entered_on, e.manner.name()),
            basis: n.refs(&[e.recorded.event]),
        });
    }
    for m in &s.mitigations {
        out.push(FactView {
            kind: "mitigating_fact",
            text: format!("{} (document `{}`)", m.fact.name(), m.source),
            basis: n.refs(&[m.recorded.event]),
        });
    }
    for d in &s.security_determinations {
        out.push(FactView {
            kind: "national_security_determination",
            text: format!(
                "national-security determination by `{}`{}",
                d.official,
                d.reference.as_ref().map(|r| format!(" (reference {r})")).unwrap_or_default()
            ),
            basis: n.refs(&[d.made.event]),
        });
    }
    out
}

impl CaseView {
    /// The view of a case as of an instant before it was opened: nothing had happened yet.
    pub(crate) fn not_yet_opened(
        case: &docket_core::CaseId,
        total: u64,
        t: Timestamp,
        person: Option<&Person>,
        person_id: Option<&docket_core::PersonId>,
    ) -> CaseView {
        CaseView {
            case_id: case.to_string(),
            version: 0,
            events_recorded: total,
            as_of: t.to_string(),
            stage: "not_yet_opened",
            time_zone: None,
            time_zone_inferred: false,
            person: person.map(PersonBrief::of),
            person_id: person_id.map(ToString::to_string),
            decision: None,
            final_order: None,
            removal_period: None,
            protections_in_force: Vec::new(),
            appeal_deadline: None,
            voluntary_departure_deadline: None,
            custody_reviews: Vec::new(),
            designated_country: None,
            travel_document: None,
            removal_bars: Vec::new(),
            gates: None,
            priority: None,
            next_hearing: None,
            detained_since: None,
            arrests: 0,
            pending_relief: Vec::new(),
            granted_relief: Vec::new(),
            citizenship_claim: None,
            overstay_penalty: None,
            appeal_reserved: false,
            facts: Vec::new(),
            closed: None,
            anomalies: Vec::new(),
        }
    }

    /// The view of a case folded from `events` (those in effect at `t`), with `total` events
    /// recorded in all, and every bar to removal as `bars` gives them.
    pub(crate) fn build(
        state: &CaseState,
        s: &CaseSummary,
        events: &[Event],
        total: u64,
        person: Option<&Person>,
        t: Timestamp,
        bars: &[Bar],
    ) -> CaseView {
        let n = Numbering::new(events);
        let open = s.open_at(t);
        let review_what = |d: &Deadline| match d.rule {
            Rule::PostOrderSixMonthReview => "six-month post-order custody review",
            _ => "custody review before the removal period ends",
        };
        CaseView {
            case_id: s.case_id.to_string(),
            version: s.version,
            events_recorded: total,
            as_of: t.to_string(),
            stage: s.stage_at(t).name(),
            time_zone: s.time_zone.as_ref().map(|z| z.name().to_owned()),
            time_zone_inferred: s.time_zone_inferred,
            person: person.map(PersonBrief::of),
            person_id: s.person_id.as_ref().map(ToString::to_string),
            decision: s.decision.map(|(o, at)| DecisionView {
                outcome: outcome_name(o),
                text: decision_text(o),
                issued_at: at.to_string(),
                date: s.local_date(at).to_string(),
            }),
            final_order: s.final_order.as_ref().map(|f| FinalityView {
                at: f.at.to_string(),
                final_now: f.at <= t,
                rule: f.rule.into(),
                basis: n.refs(&f.basis),
            }),
            removal_period: s.removal_period.as_ref().map(|p| RemovalPeriodView {
                starts_at: p.starts_at.to_string(),
                ends_at: p.ends_at.to_string(),
                rule: Rule::RemovalPeriod.into(),
                basis: n.refs(&p.basis),
            }),
            protections_in_force: s.protections_in_force(t).map(|p| ProtectionView::of(p, &n)).collect(),
            // A closed case's deadlines are history; the timeline has them.
            appeal_deadline: s
                .appeal_deadline
                .as_ref()
                .filter(|_| open)
                .map(|d| DeadlineView::of("appeal window closes", d, s, t, &n)),
            voluntary_departure_deadline: s
                .voluntary_departure
                .as_ref()
                .filter(|_| open)
                .map(|d| DeadlineView::of("voluntary departure by", d, s, t, &n)),
            custody_reviews: if open {
                s.custody_reviews.iter().map(|d| DeadlineView::of(review_what(d), d, s, t, &n)).collect()
            } else {
                Vec::new()
            },
            designated_country: s
                .designated_country
                .map(|(c, e)| DesignationView { country: c.code().to_owned(), basis: n.refs(&[e]) }),
            travel_document: s.travel_document.map(|d| HeldDocumentView {
                issuing_country: d.issuing_country.code().to_owned(),
                expiry: d.expiry.map(|e| e.to_string()),
                valid: d.valid_on(s.local_date(t)),
                for_designated_country: s.designated_country.is_some_and(|(c, _)| c == d.issuing_country),
                basis: n.refs(&[d.event]),
            }),
            removal_bars: bars.iter().map(|b| BarView::of(b, &n)).collect(),
            gates: None,
            priority: None,
            next_hearing: s.next_hearing.map(|(k, at)| HearingView { kind: k.name(), at: at.to_string() }),
            detained_since: s.detained_since.map(|d| d.to_string()),
            arrests: s.arrests,
            pending_relief: s.pending_relief.iter().map(|k| k.name()).collect(),
            granted_relief: s.granted_relief.iter().map(|k| k.name()).collect(),
            citizenship_claim: match s.citizenship {
                CitizenshipStatus::NoClaim => None,
                status => Some(CitizenshipView {
                    status: match status {
                        CitizenshipStatus::Pending => "pending",
                        CitizenshipStatus::Citizen => "citizen",
                        _ => "not_citizen",
                    },
                    text: match status {
                        CitizenshipStatus::Pending => {
                            "pending: no enforcement action on any of the person's cases while it is"
                        }
                        CitizenshipStatus::Citizen => "found to be a US citizen",
                        _ => "not substantiated",
                    },
                    basis: n.refs(&s.citizenship_basis),
                }),
            },
            overstay_penalty: s.overstay_penalty.as_ref().map(|p| OverstayPenaltyView::of(p, &n)),
            appeal_reserved: s.appeal_reserved,
            facts: facts(s, &n),
            closed: s.closed.map(|(r, at)| ClosedView { reason: r.name(), at: at.to_string() }),
            anomalies: state
                .anomalies
                .iter()
                .map(|a| AnomalyView {
                    event: n.refs(&[a.event]).pop().unwrap_or(EventRef { event_id: a.event.to_string(), number: None }),
                    note: a.note,
                })
                .collect(),
        }
    }
}

/// One event of a timeline: its number and its wire form.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineEntry {
    /// Its number in the timeline, from 1.
    pub number: usize,
    /// The event as written in the event format.
    #[serde(flatten)]
    pub event: WireEvent,
}

/// A case's events, in order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineView {
    /// The case.
    pub case_id: String,
    /// Its events.
    pub events: Vec<TimelineEntry>,
}

impl TimelineView {
    pub(crate) fn of(case_id: &str, events: &[Event]) -> TimelineView {
        TimelineView {
            case_id: case_id.to_owned(),
            events: events
                .iter()
                .enumerate()
                .map(|(i, e)| TimelineEntry { number: i + 1, event: WireEvent::from_event(e) })
                .collect(),
        }
    }
}

/// The country of removal designated, and the event that did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DesignationView {
    /// The country (ISO 3166-1 alpha-3).
    pub country: String,
    /// The event that designated it.
    pub basis: Vec<EventRef>,
}

/// The travel document held for removal: for which country, until when, whether it is valid
/// on the view's day (the case's local date), and its event (whose number the timeline
/// gives).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeldDocumentView {
    /// The issuing country (ISO 3166-1 alpha-3).
    pub issuing_country: String,
    /// Its last day of validity, if it has one.
    pub expiry: Option<String>,
    /// Whether it is valid on the view's day.
    pub valid: bool,
    /// Whether it was issued by the designated country (false when none is designated).
    pub for_designated_country: bool,
    /// The event that recorded it.
    pub basis: Vec<EventRef>,
}

/// A travel document as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentView {
    /// Its kind.
    pub kind: &'static str,
    /// Its number.
    pub number: String,
    /// Issuing country.
    pub issuing_country: String,
    /// Expiry.
    pub expiry: Option<String>,
}

/// One of a person's cases, as of the view's instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonCase {
    /// The case.
    pub case_id: String,
    /// Its stage.
    pub stage: &'static str,
    /// Its version.
    pub version: u64,
}

/// A person's record: identity as recorded, and their cases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonView {
    /// The person's id.
    pub person_id: String,
    /// A-number.
    pub a_number: Option<String>,
    /// Name.
    pub name: String,
    /// Other recorded names.
    pub aliases: Vec<String>,
    /// Date of birth as recorded.
    pub date_of_birth: String,
    /// Sex marker as recorded (identity only; never a factor in any decision).
    pub sex: &'static str,
    /// Nationality.
    pub nationality: Option<String>,
    /// Travel documents.
    pub documents: Vec<DocumentView>,
    /// The person's cases.
    pub cases: Vec<PersonCase>,
    /// Every recorded version of the identity, oldest first: when, by whom, why, and what
    /// each correction changed.
    pub history: Vec<IdentityVersionView>,
    /// The instant the stages are as of.
    pub as_of: String,
}

/// One recorded version of a person's identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdentityVersionView {
    /// 1 when first stored, one more per correction.
    pub version: u64,
    /// When it was recorded.
    pub recorded_at: String,
    /// By whom.
    pub recorded_by: String,
    /// Why.
    pub reason: String,
    /// The fields that differ from the version before (none for version 1).
    pub changed: Vec<&'static str>,
}

impl IdentityVersionView {
    pub(crate) fn list(versions: &[docket_store::persons::PersonVersion]) -> Vec<IdentityVersionView> {
        let mut out = Vec::with_capacity(versions.len());
        for (k, v) in versions.iter().enumerate() {
            let changed = match k.checked_sub(1).map(|j| &versions[j]) {
                Some(before) => docket_store::persons::differences(&before.person, &v.person),
                None => Vec::new(),
            };
            out.push(IdentityVersionView {
                version: v.version,
                recorded_at: v.recorded_at.clone(),
                recorded_by: v.recorded_by.clone(),
                reason: v.reason.clone(),
                changed,
            });
        }
        out
    }
}

impl PersonView {
    pub(crate) fn of(
        p: &Person,
        cases: Vec<PersonCase>,
        history: Vec<IdentityVersionView>,
        t: Timestamp,
    ) -> PersonView {
        PersonView {
            person_id: p.id.to_string(),
            a_number: p.a_number.map(|a| a.to_string()),
            name: p.name.display(),
            aliases: p.aliases.iter().map(|a| a.display()).collect(),
            date_of_birth: p.date_of_birth.to_string(),
            sex: p.sex.code(),
            nationality: p.nationality.map(|c| c.to_string()),
            documents: p
                .documents
                .iter()
                .map(|d| DocumentView {
                    kind: d.kind().name(),
                    number: d.number().to_owned(),
                    issuing_country: d.issuing_country().to_string(),
                    expiry: d.expiry().map(|e| e.to_string()),
                })
                .collect(),
            cases,
            history,
            as_of: t.to_string(),
        }
    }
}

/// One disclosure in the accounting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DisclosureView {
    /// Its number.
    pub id: i64,
    /// When.
    pub date: String,
    /// What was disclosed.
    pub nature: String,
    /// Why.
    pub purpose: String,
    /// To whom.
    pub recipient_name: String,
    /// Their address.
    pub recipient_address: String,
    /// Whether it was to a law-enforcement agency under 5 U.S.C. 552a(b)(7).
    pub law_enforcement_b7: bool,
    /// Who recorded it.
    pub recorded_by: String,
    /// The SHA-256 of the packet disclosed.
    pub packet_sha256: String,
}

/// The accounting of disclosures of a person's record (5 U.S.C. 552a(c)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountingView {
    /// The person.
    pub person_id: String,
    /// Whether disclosures under 552a(b)(7) were left out, as the accounting made available to
    /// the person leaves them out (5 U.S.C. 552a(c)(3)).
    pub law_enforcement_withheld: bool,
    /// The disclosures, oldest first.
    pub disclosures: Vec<DisclosureView>,
}

/// A projection that could not be read, reported beside the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnreadableCase {
    /// The error, naming the row.
    pub error: String,
}

/// The supervisor's report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportView {
    /// As of.
    pub as_of: String,
    /// Days ahead for deadlines.
    pub horizon_days: i32,
    /// Cases counted.
    pub cases: u64,
    /// Open cases.
    pub open_cases: u64,
    /// Cases by stage.
    pub by_stage: BTreeMap<&'static str, u64>,
    /// Open cases whose person is detained.
    pub detained: u64,
    /// Open cases with a protection or stay in force.
    pub protected_cases: u64,
    /// By protection.
    pub protections: BTreeMap<&'static str, u64>,
    /// Pending relief applications by kind.
    pub pending_relief: BTreeMap<&'static str, u64>,
    /// Citizenship claims pending.
    pub citizenship_claims_pending: u64,
    /// Deadlines coming due, by rule.
    pub deadlines_due: BTreeMap<&'static str, u64>,
    /// Custody reviews coming due.
    pub custody_reviews_due: u64,
    /// Custody reviews past due with none recorded.
    pub custody_reviews_past_due: u64,
    /// Final orders with a travel document and no bar to removal.
    pub final_orders_with_travel_document_unprotected: u64,
    /// Cases with anomalies.
    pub cases_with_anomalies: u64,
    /// Projections that could not be read (not counted above).
    pub unreadable: Vec<UnreadableCase>,
}

impl ReportView {
    pub(crate) fn of(r: &DocketReport, unreadable: Vec<UnreadableCase>) -> ReportView {
        ReportView {
            as_of: r.as_of.to_string(),
            horizon_days: r.horizon_days,
            cases: r.cases,
            open_cases: r.open_cases(),
            by_stage: Stage::ALL.iter().map(|s| (s.name(), r.by_stage.get(s).copied().unwrap_or(0))).collect(),
            detained: r.detained,
            protected_cases: r.protected_cases,
            protections: r.protected.iter().map(|(k, n)| (*k, *n)).collect(),
            pending_relief: r.pending_relief.iter().map(|(k, n)| (k.name(), *n)).collect(),
            citizenship_claims_pending: r.citizenship_claims_pending,
            deadlines_due: r.deadlines_due.iter().map(|(k, n)| (k.name(), *n)).collect(),
            custody_reviews_due: r.custody_reviews_due,
            custody_reviews_past_due: r.custody_reviews_past_due,
            final_orders_with_travel_document_unprotected: r.final_orders_unprotected,
            cases_with_anomalies: r.with_anomalies,
            unreadable,
        }
    }
}

/// One case of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseListRow {
    /// The case id.
    pub case_id: String,
    /// Its stage.
    pub stage: &'static str,
    /// Its version (events recorded).
    pub version: u64,
    /// The next deadline, if one falls due (within the filter's days, if it has them).
    pub next_deadline: Option<DeadlineRow>,
}

/// A deadline in a list: when, and the rule that sets it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadlineRow {
    /// The last day the act is timely.
    pub due: String,
    /// The rule.
    pub rule: &'static str,
    /// Its citation, if it has one.
    pub citation: Option<&'static str>,
}
