//! Legal clocks: appeal windows, finality, automatic stays, voluntary departure, the removal
//! period and post-order custody reviews.
//!
//! Every clock is computed from the events recorded so far and does not depend on the time
//! of asking: a deadline still running has a date; a finality that will arise when a window
//! closes has the instant it arises. Questions "as of" an instant compare against these (see
//! [`crate::summary::CaseSummary`]). Each result names the rule that produced it and the
//! events it rests on.
//!
//! Deadlines are local calendar dates where the decision was made: counted in the IANA time
//! zone of the deciding court or the case's office ([`crate::TimeZone`], daylight-saving
//! changes included). Where no zone was recorded (every case recorded before schema version
//! 2), it is inferred from the decision's UTC offset among the zones of the US immigration
//! courts ([`COURT_ZONES`]); where several fit, the one whose local midnights come last
//! (most negative offset in January, then in July) is taken, so that its deadlines end last
//! (fail closed: a deadline that may still be running is treated as running). An offset no
//! court zone has is counted as a fixed offset.

use crate::event::{AppealOutcome, DecisionOutcome, ProtectionEnd, ProtectionKind, StayKind, VoluntaryDeparturePeriod};
use crate::ids::EventId;
pub use crate::rules::Rule;
use crate::state::{CaseState, Fact, StandingDecision};
use crate::time::{Date, TimeZone, Timestamp};

/// A deadline: the last day, and the instant it has run out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    /// The last day on which the act is timely.
    pub due: Date,
    /// The instant the deadline has run out: the start of the day after `due` where the
    /// decision was made, unless an event cut the period short (a waiver of appeal closes the
    /// appeal window; a petition for review ends voluntary departure when filed).
    pub ends_at: Timestamp,
    /// The rule that sets it.
    pub rule: Rule,
    /// The events it rests on.
    pub basis: Vec<EventId>,
    /// The event that cut the period short, if one did.
    pub closed_by: Option<EventId>,
    /// The act the deadline asks for, once recorded (the appeal filed, the custody review
    /// held, the departure made), and when.
    pub met: Option<Fact>,
}

impl Deadline {
    /// Whether the act is still timely at `t`.
    pub fn open_at(&self, t: Timestamp) -> bool {
        t < self.ends_at
    }

    /// Whether the act was recorded at or before `t`.
    pub fn met_by(&self, t: Timestamp) -> bool {
        self.met.is_some_and(|m| m.at <= t)
    }

    /// Whether the act is still owed and timely at `t`.
    pub fn pending_at(&self, t: Timestamp) -> bool {
        self.open_at(t) && !self.met_by(t)
    }

    /// Whether the deadline passed without the act being recorded by `t`.
    pub fn overdue_at(&self, t: Timestamp) -> bool {
        !self.open_at(t) && self.closed_by.is_none() && !self.met_by(t)
    }
}

/// When an order of removal becomes (or became) administratively final, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finality {
    /// The instant of finality.
    pub at: Timestamp,
    /// The rule.
    pub rule: Rule,
    /// The events it rests on.
    pub basis: Vec<EventId>,
}

/// A period during which removal may not be carried out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtectionPeriod {
    /// What protects.
    pub kind: ProtectionKind,
    /// First instant in force.
    pub from: Timestamp,
    /// First instant no longer in force; none while it runs until an event ends it (a pending
    /// appeal or motion, a grant without an end date) or when its end date is unknown.
    pub until: Option<Timestamp>,
    /// Its end date exists but was not recorded: it is taken to be in force (fail closed).
    pub end_unknown: bool,
    /// The rule.
    pub rule: Rule,
    /// The events it rests on.
    pub basis: Vec<EventId>,
}

impl ProtectionPeriod {
    /// Whether the protection is (or, its end being unknown, may be) in force at `t`.
    pub fn in_force_at(&self, t: Timestamp) -> bool {
        self.from <= t && self.until.is_none_or(|u| t < u)
    }
}

/// The 90-day removal period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemovalPeriod {
    /// When it began (or will begin).
    pub starts_at: Timestamp,
    /// When it ends.
    pub ends_at: Timestamp,
    /// The events it rests on.
    pub basis: Vec<EventId>,
}

/// What overstaying voluntary departure costs the person (INA 240B(d)(1)): a civil penalty of
/// $1,000 to $5,000 and, for ten years, ineligibility for cancellation of removal,
/// adjustment and change of status, registry and voluntary departure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverstayPenalty {
    /// When the period ran out without a timely departure.
    pub since: Timestamp,
    /// The last day of the ten years' ineligibility.
    pub ineligible_until: Date,
    /// The events it rests on.
    pub basis: Vec<EventId>,
}

impl OverstayPenalty {
    /// The rule.
    pub const RULE: Rule = Rule::VoluntaryDepartureOverstayPenalty;
    /// The forms of relief barred for ten years, as the statute lists them.
    pub const BARRED_RELIEF: &'static str = "cancellation of removal, adjustment of status, change of nonimmigrant status, registry and voluntary departure";

    /// Whether the ineligibility runs at `t`.
    pub fn in_force_at(&self, t: Timestamp) -> bool {
        self.since <= t && t.local_date() <= self.ineligible_until
    }
}

/// How local dates are read for a case's clocks: in its court's IANA zone, or (for cases
/// recorded before time zones were) at the fixed offset the decision was recorded with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalClock {
    /// An IANA time zone.
    Zone(TimeZone),
    /// A fixed UTC offset in minutes.
    Offset(i16),
}

impl LocalClock {
    /// The local date at `t`.
    pub fn date(&self, t: Timestamp) -> Date {
        match self {
            LocalClock::Zone(z) => z.local_date(t),
            LocalClock::Offset(o) => t.at_offset(*o).local_date(),
        }
    }

    /// The instant `date` has run out: the start of the next local day.
    pub fn end_of_day(&self, date: Date) -> Timestamp {
        match self {
            LocalClock::Zone(z) => z.end_of_day(date),
            LocalClock::Offset(o) => date.add_days(1).start_at_offset(*o),
        }
    }

    /// The same local time `days` calendar days after `t`.
    pub fn add_days(&self, t: Timestamp, days: i32) -> Timestamp {
        match self {
            LocalClock::Zone(z) => z.add_days(t, days),
            LocalClock::Offset(_) => t.plus_seconds(i64::from(days) * 86_400),
        }
    }

    /// The zone's name, if the clock is a zone.
    pub fn zone(&self) -> Option<&TimeZone> {
        match self {
            LocalClock::Zone(z) => Some(z),
            LocalClock::Offset(_) => None,
        }
    }
}

/// The time zones of the US immigration courts, east to west: where a case's zone is inferred
/// from an offset when none was recorded.
pub const COURT_ZONES: [&str; 9] = [
    "America/Puerto_Rico",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "Pacific/Saipan",
];

fn court_zones() -> &'static [TimeZone] {
    static ZONES: std::sync::OnceLock<Vec<TimeZone>> = std::sync::OnceLock::new();
    ZONES.get_or_init(|| COURT_ZONES.iter().filter_map(|z| TimeZone::parse(z).ok()).collect())
}

/// The court zone a decision recorded at `at` (with its UTC offset) was made in, if one fits:
/// of the zones whose offset at that instant is `at`'s, the one with the most negative offset
/// in January and, of those tied, in July: the one whose local midnights come last all year
/// (Phoenix over Denver, Los Angeles over Phoenix).
pub fn infer_court_zone(at: Timestamp) -> Option<TimeZone> {
    let year = at.local_date().year();
    let january = Date::from_ymd(year, 1, 15).ok()?.start_at_offset(0);
    let july = Date::from_ymd(year, 7, 15).ok()?.start_at_offset(0);
    court_zones()
        .iter()
        .filter(|z| z.at(at).offset_minutes() == at.offset_minutes())
        .min_by_key(|z| (z.at(january).offset_minutes(), z.at(july).offset_minutes()))
        .cloned()
}

impl CaseState {
    fn removal_decision(&self) -> Option<&StandingDecision> {
        self.decision.as_ref().filter(|d| d.outcome.orders_removal())
    }

    /// The clock the standing decision's deadlines run on: the recorded zone, else one
    /// inferred from the decision's offset, else that fixed offset.
    pub fn clock(&self) -> Option<LocalClock> {
        let d = self.decision.as_ref()?;
        Some(match self.decision_zone().or(self.inferred_time_zone.as_ref()) {
            Some(z) => LocalClock::Zone(z.clone()),
            None => LocalClock::Offset(d.issued.at.offset_minutes()),
        })
    }

    /// Whether the clock's zone was inferred rather than recorded.
    pub fn zone_inferred(&self) -> bool {
        self.decision.is_some() && self.decision_zone().is_none()
    }

    /// The 30-day window to appeal the standing decision. None for in absentia orders, which
    /// are not appealable (only a motion to reopen lies), and when no decision stands. A
    /// waiver closes it at once; an appeal meets it.
    pub fn appeal_deadline(&self) -> Option<Deadline> {
        let d = self.decision.as_ref()?;
        if d.outcome == DecisionOutcome::RemovalOrderedInAbsentia {
            return None;
        }
        let clock = self.clock()?;
        let due = clock.date(d.issued.at).add_days(30).or_next_business_day();
        let mut deadline = Deadline {
            due,
            ends_at: clock.end_of_day(due),
            rule: Rule::AppealWindow,
            basis: vec![d.issued.event],
            closed_by: None,
            met: self.appeal.map(|a| a.filed),
        };
        if let Some(w) = self.appeal_waived.filter(|w| w.at < deadline.ends_at) {
            deadline.ends_at = w.at;
            deadline.closed_by = Some(w.event);
            deadline.basis.push(w.event);
        }
        Some(deadline)
    }

    /// The voluntary-departure period in force, if any: set by the judge or reinstated by the
    /// Board. A Board decision that reinstates no period ends the judge's grant. A petition
    /// for review filed before departing ends the period at its filing (8 CFR 1240.26(i)):
    /// the deadline then runs out at the petition, before the end of `due`. A departure by
    /// the last day meets it.
    pub fn voluntary_departure_deadline(&self) -> Option<Deadline> {
        let (due, mut basis) = self.voluntary_departure_due()?;
        let clock = self.clock()?;
        let mut ends_at = clock.end_of_day(due);
        let mut closed_by = None;
        if let Some(p) = self.petition_ending_voluntary_departure(ends_at) {
            ends_at = p.at;
            basis.push(p.event);
            closed_by = Some(p.event);
        }
        let met = self.departure_verified.filter(|(on, _)| *on <= due).map(|(_, f)| f);
        Some(Deadline { due, ends_at, rule: Rule::VoluntaryDepartureDeadline, basis, closed_by, met })
    }

    /// The last day of the voluntary-departure period in force and the events it rests on.
    fn voluntary_departure_due(&self) -> Option<(Date, Vec<EventId>)> {
        let d = self.decision.as_ref()?;
        let clock = self.clock()?;
        let last_day = |period: VoluntaryDeparturePeriod, from: Timestamp| match period {
            VoluntaryDeparturePeriod::Until(date) => date,
            VoluntaryDeparturePeriod::Days(n) => clock.date(from).add_days(i32::from(n)),
        };
        match (d.outcome, self.appeal.as_ref()) {
            (_, Some(a)) if a.voluntary_departure.is_some() => {
                let period = a.voluntary_departure?;
                // A period the Board grants runs from the Board's order.
                let from = a.decided.map_or(d.issued.at, |(_, f)| f.at);
                let decided = a.decided.map(|(_, f)| f.event);
                Some((last_day(period, from), [Some(d.issued.event), decided].into_iter().flatten().collect()))
            }
            // Dismissal or a Board order of removal makes the alternate order final
            // (8 CFR 1241.1(a), (f)); a grant of relief by the Board leaves nothing to depart
            // under.
            (_, Some(a)) if a.decided.is_some() => None,
            (DecisionOutcome::VoluntaryDeparture { period }, _) => {
                Some((last_day(period, d.issued.at), vec![d.issued.event]))
            }
            _ => None,
        }
    }

    /// The petition for review that ends a voluntary-departure period running out at
    /// `ends_at` (8 CFR 1240.26(i)): one filed before the period ran out and "prior to
    /// departing". A departure verified for the petition's own date or earlier counts as
    /// first, since departure is recorded by day only.
    fn petition_ending_voluntary_departure(&self, ends_at: Timestamp) -> Option<Fact> {
        let clock = self.clock()?;
        self.petition_for_review.filter(|p| {
            p.at < ends_at && self.departure_verified.is_none_or(|(departed_on, _)| departed_on > clock.date(p.at))
        })
    }

    /// When the standing order of removal becomes administratively final (8 CFR 1241.1), if
    /// it does on the events recorded so far. None while an appeal is pending, when no
    /// removal is ordered, and when the person departed within a voluntary-departure period.
    pub fn final_order(&self) -> Option<Finality> {
        self.final_order_given(self.appeal_deadline().as_ref())
    }

    /// [`CaseState::final_order`], the appeal window already computed.
    pub(crate) fn final_order_given(&self, window: Option<&Deadline>) -> Option<Finality> {
        if self.citizenship_established() {
            return None;
        }
        let d = self.decision.as_ref()?;
        let issued = d.issued;
        if let Some(a) = &self.appeal {
            let (outcome, decided) = a.decided?;
            let board_vd = a.voluntary_departure.is_some();
            return match outcome {
                AppealOutcome::Dismissed if d.outcome.orders_removal() && !board_vd => Some(Finality {
                    at: decided.at,
                    rule: Rule::FinalOnDismissal,
                    basis: vec![issued.event, a.filed.event, decided.event],
                }),
                AppealOutcome::RemovalOrdered if !board_vd => Some(Finality {
                    at: decided.at,
                    rule: Rule::FinalOnBoardOrder,
                    basis: vec![a.filed.event, decided.event],
                }),
                AppealOutcome::Dismissed | AppealOutcome::RemovalOrdered if board_vd => self.overstay_finality(),
                _ => None,
            };
        }
        match d.outcome {
            DecisionOutcome::RemovalOrderedInAbsentia => {
                Some(Finality { at: issued.at, rule: Rule::FinalInAbsentia, basis: vec![issued.event] })
            }
            DecisionOutcome::VoluntaryDeparture { .. } => self.overstay_finality(),
            DecisionOutcome::RemovalOrdered => match self.appeal_waived {
                Some(w) => Some(Finality { at: w.at, rule: Rule::FinalOnWaiver, basis: vec![issued.event, w.event] }),
                None => {
                    let window = window?;
                    Some(Finality { at: window.ends_at, rule: Rule::FinalOnExpiry, basis: window.basis.clone() })
                }
            },
            DecisionOutcome::ReliefGranted(_) | DecisionOutcome::Terminated => None,
        }
    }

    /// Finality of the alternate order that accompanies voluntary departure.
    fn overstay_finality(&self) -> Option<Finality> {
        let (due, mut basis) = self.voluntary_departure_due()?;
        let ends_at = self.clock()?.end_of_day(due);
        if let Some(p) = self.petition_ending_voluntary_departure(ends_at) {
            basis.push(p.event);
            return Some(Finality { at: p.at, rule: Rule::VoluntaryDepartureEndedByPetition, basis });
        }
        if let Some((departed_on, f)) = self.departure_verified {
            if departed_on <= due {
                // Timely departure: the alternate order never takes effect.
                return None;
            }
            basis.push(f.event);
        }
        Some(Finality { at: ends_at, rule: Rule::FinalOnVoluntaryDepartureOverstay, basis })
    }

    /// What overstaying voluntary departure costs the person, once the period ran out with no
    /// timely departure (and was not ended by a petition for review, which spares the penalty:
    /// 8 CFR 1240.26(i)).
    pub fn overstay_penalty(&self) -> Option<OverstayPenalty> {
        self.overstay_penalty_given(self.final_order().as_ref())
    }

    /// [`CaseState::overstay_penalty`], finality already computed.
    pub(crate) fn overstay_penalty_given(&self, fin: Option<&Finality>) -> Option<OverstayPenalty> {
        let f = fin.filter(|f| f.rule == Rule::FinalOnVoluntaryDepartureOverstay)?.clone();
        let clock = self.clock()?;
        let start = clock.date(f.at);
        Some(OverstayPenalty { since: f.at, ineligible_until: start.add_months(120).add_days(-1), basis: f.basis })
    }

    /// Every period during which removal may not be carried out: granted protections (TPS,
    /// deferred action, stays) and the stays that arise by regulation.
    pub fn protection_periods(&self) -> Vec<ProtectionPeriod> {
        self.protection_periods_given(self.appeal_deadline().as_ref())
    }

    /// [`CaseState::protection_periods`], the appeal window already computed.
    pub(crate) fn protection_periods_given(&self, window: Option<&Deadline>) -> Vec<ProtectionPeriod> {
        let mut out: Vec<ProtectionPeriod> = self
            .protections
            .iter()
            .map(|p| {
                let (until, end_unknown) = match p.end() {
                    ProtectionEnd::At(t) => (Some(t), false),
                    ProtectionEnd::Indefinite => (None, false),
                    ProtectionEnd::Unknown => (None, true),
                };
                ProtectionPeriod {
                    kind: p.kind,
                    from: p.from,
                    until,
                    end_unknown,
                    rule: granted_rule(p.kind),
                    basis: [Some(p.granted_by), p.terminated.map(|t| t.event), p.lapsed.map(|t| t.event)]
                        .into_iter()
                        .flatten()
                        .collect(),
                }
            })
            .collect();
        let automatic = ProtectionKind::Stay(StayKind::Automatic);
        if let Some(d) = self.removal_decision() {
            if let Some(window) = window {
                let mut until = window.ends_at;
                let mut basis = window.basis.clone();
                if let Some(a) = self.appeal.as_ref().filter(|a| a.filed.at < until) {
                    // The window stay runs into the pending-appeal stay below.
                    until = a.filed.at;
                    basis.push(a.filed.event);
                }
                if until > d.issued.at {
                    out.push(ProtectionPeriod {
                        kind: automatic,
                        from: d.issued.at,
                        until: Some(until),
                        end_unknown: false,
                        rule: Rule::AutomaticStayAppealWindow,
                        basis,
                    });
                }
            }
            if d.outcome == DecisionOutcome::RemovalOrderedInAbsentia {
                // A motion whose basis was not recorded (before schema version 2) is taken to
                // stay removal, as every such motion did then: fail closed.
                for m in self.motions_to_reopen.iter().filter(|m| m.basis.is_none_or(|b| b.stays_in_absentia_order())) {
                    out.push(ProtectionPeriod {
                        kind: automatic,
                        from: m.filed.at,
                        until: m.decided.map(|(_, f)| f.at),
                        end_unknown: false,
                        rule: Rule::AutomaticStayInAbsentiaMotion,
                        basis: [Some(m.filed.event), m.decided.map(|(_, f)| f.event)].into_iter().flatten().collect(),
                    });
                }
            }
        }
        if let (Some(_), Some(a)) = (self.decision.as_ref(), self.appeal.as_ref()) {
            // A pending appeal by either party stays execution of the decision, whatever it
            // decided. The period is kept once the Board has decided: it is also the record of
            // when the case was before the Board (see `CaseSummary::stage_at`).
            out.push(ProtectionPeriod {
                kind: automatic,
                from: a.filed.at,
                until: a.decided.map(|(_, f)| f.at),
                end_unknown: false,
                rule: Rule::AutomaticStayPendingAppeal,
                basis: [Some(a.filed.event), a.decided.map(|(_, f)| f.event)].into_iter().flatten().collect(),
            });
        }
        out
    }

    /// The 90-day removal period (INA 241(a)(1)(B)): it begins on the latest of the date the
    /// order becomes administratively final and the end of a judicial stay. None while a
    /// judicial stay with no end (or an unknown one) is in force or no order is final on the
    /// events so far.
    ///
    /// Release from non-immigration detention (INA 241(a)(1)(B)(iii)) is not a fact Docket
    /// records, so it never moves the start.
    pub fn removal_period(&self) -> Option<RemovalPeriod> {
        self.removal_period_given(self.final_order().as_ref())
    }

    /// [`CaseState::removal_period`], finality already computed.
    pub(crate) fn removal_period_given(&self, fin: Option<&Finality>) -> Option<RemovalPeriod> {
        let fin = fin?;
        let clock = self.clock()?;
        let mut start = fin.at;
        let mut basis = fin.basis.clone();
        for p in self.protections.iter().filter(|p| p.kind == ProtectionKind::Stay(StayKind::Judicial)) {
            match p.end() {
                ProtectionEnd::Indefinite | ProtectionEnd::Unknown => return None,
                ProtectionEnd::At(end) if end > start => {
                    start = end;
                    basis.push(p.granted_by);
                    basis.extend(p.terminated.map(|t| t.event));
                    basis.extend(p.lapsed.map(|t| t.event));
                }
                ProtectionEnd::At(_) => {}
            }
        }
        Some(RemovalPeriod { starts_at: start, ends_at: clock.add_days(start, 90), basis })
    }

    /// Custody reviews owed while the person is detained under a final order: the review before
    /// the removal period expires (8 CFR 241.4(k)(1)(i)) and the six-month review (Zadvydas).
    ///
    /// A custody review of the current detention held once the removal period has begun meets
    /// the first; a later one held once the removal period has ended meets the second
    /// (8 CFR 241.4(k)(2)(ii): about three months after the first). A review held after its
    /// deadline still meets it, late.
    pub fn post_order_custody_reviews(&self) -> Vec<Deadline> {
        self.post_order_custody_reviews_given(self.removal_period().as_ref())
    }

    /// [`CaseState::post_order_custody_reviews`], the removal period already computed.
    pub(crate) fn post_order_custody_reviews_given(&self, period: Option<&RemovalPeriod>) -> Vec<Deadline> {
        let (Some(detained), Some(period), Some(clock)) = (self.custody.detained_since, period, self.clock()) else {
            return Vec::new();
        };
        let mut basis = period.basis.clone();
        basis.push(detained.event);
        // The review is owed before the removal period expires (8 CFR 241.4(k)(1)(i)): its last
        // day is the last day on which the period is still running. A period ending at
        // midnight has already expired on the date of its end instant.
        let ninety_due = clock.date(period.ends_at.plus_seconds(-1));
        let six_due = clock.date(period.starts_at).add_months(6);
        let first = self.custody.reviews.iter().find(|r| r.at >= period.starts_at).copied();
        let second = self
            .custody
            .reviews
            .iter()
            .find(|r| r.at >= period.ends_at && first.is_none_or(|f| r.event != f.event && r.at >= f.at))
            .copied();
        vec![
            Deadline {
                due: ninety_due,
                ends_at: clock.end_of_day(ninety_due),
                rule: Rule::RemovalPeriodCustodyReview,
                basis: basis.clone(),
                closed_by: None,
                met: first,
            },
            Deadline {
                due: six_due,
                ends_at: clock.end_of_day(six_due),
                rule: Rule::PostOrderSixMonthReview,
                basis,
                closed_by: None,
                met: second,
            },
        ]
    }
}

/// The rule behind a granted protection of this kind.
pub fn granted_rule(kind: ProtectionKind) -> Rule {
    match kind {
        ProtectionKind::Tps => Rule::TemporaryProtectedStatus,
        ProtectionKind::DeferredAction => Rule::DeferredAction,
        ProtectionKind::Stay(StayKind::Automatic) => Rule::RecordedAutomaticStay,
        ProtectionKind::Stay(StayKind::Administrative) => Rule::AdministrativeStay,
        ProtectionKind::Stay(StayKind::Judicial) => Rule::JudicialStay,
    }
}
