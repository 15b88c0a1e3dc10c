//! Legal clocks: appeal windows, finality, automatic stays, voluntary departure, the removal
//! period and post-order custody reviews.
//!
//! Every clock is computed from the events recorded so far and does not depend on the time
//! of asking: a deadline still running has a date; a finality that will arise when a window
//! closes has the instant it arises. Questions "as of" an instant compare against these (see
//! [`crate::summary::CaseSummary`]). Each result names the rule that produced it and the
//! events it rests on.

use crate::event::{AppealOutcome, DecisionOutcome, ProtectionKind, StayKind};
use crate::ids::EventId;
use crate::state::{CaseState, Fact, StandingDecision};
use crate::time::{Date, Timestamp};

/// The rules the clocks apply, each with its citation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    /// Appeal to the Board within 30 calendar days of the decision; a last day on a weekend or
    /// legal holiday moves to the next business day.
    AppealWindow,
    /// Final upon dismissal of an appeal by the Board.
    FinalOnDismissal,
    /// Final upon waiver of appeal.
    FinalOnWaiver,
    /// Final upon expiry of the appeal period without an appeal.
    FinalOnExpiry,
    /// Final upon a removal order of the Board.
    FinalOnBoardOrder,
    /// Final upon entry of an in absentia order.
    FinalInAbsentia,
    /// The alternate order becomes final upon overstay of voluntary departure.
    FinalOnVoluntaryDepartureOverstay,
    /// Filing a petition for review terminates voluntary departure; the alternate order takes
    /// effect.
    VoluntaryDepartureEndedByPetition,
    /// No execution during the appeal window unless waived.
    AutomaticStayAppealWindow,
    /// No execution while an appeal is pending.
    AutomaticStayPendingAppeal,
    /// A motion to reopen an in absentia order stays removal until decided.
    AutomaticStayInAbsentiaMotion,
    /// A protection granted for a period.
    GrantedProtection,
    /// The voluntary departure deadline.
    VoluntaryDepartureDeadline,
    /// The 90-day removal period.
    RemovalPeriod,
    /// Custody review before the removal period expires.
    RemovalPeriodCustodyReview,
    /// Six months after the removal period began: detention beyond is presumptively
    /// unreasonable where removal is not reasonably foreseeable.
    PostOrderSixMonthReview,
}

impl Rule {
    /// The legal citation.
    pub fn citation(self) -> &'static str {
        match self {
            Rule::AppealWindow => "8 CFR 1003.38(b)-(c)",
            Rule::FinalOnDismissal => "8 CFR 1241.1(a)",
            Rule::FinalOnWaiver => "8 CFR 1241.1(b)",
            Rule::FinalOnExpiry => "8 CFR 1241.1(c)",
            Rule::FinalOnBoardOrder => "8 CFR 1003.1(d)(7); 8 CFR 1241.1(a)",
            Rule::FinalInAbsentia => "8 CFR 1241.1(e)",
            Rule::FinalOnVoluntaryDepartureOverstay => "8 CFR 1241.1(f)",
            Rule::VoluntaryDepartureEndedByPetition => "8 CFR 1240.26(i)",
            Rule::AutomaticStayAppealWindow | Rule::AutomaticStayPendingAppeal => "8 CFR 1003.6(a)",
            Rule::AutomaticStayInAbsentiaMotion => "8 CFR 1003.23(b)(4)(ii)",
            Rule::GrantedProtection => "recorded grant",
            Rule::VoluntaryDepartureDeadline => "8 CFR 1240.26",
            Rule::RemovalPeriod => "INA 241(a)(1)",
            Rule::RemovalPeriodCustodyReview => "8 CFR 241.4(k)(1)(i)",
            Rule::PostOrderSixMonthReview => "Zadvydas v. Davis, 533 U.S. 678 (2001); 8 CFR 241.4(k)(2)(ii)",
        }
    }

    /// A short snake-case name, stable for files and tests.
    pub fn name(self) -> &'static str {
        match self {
            Rule::AppealWindow => "appeal_window",
            Rule::FinalOnDismissal => "final_on_dismissal",
            Rule::FinalOnWaiver => "final_on_waiver",
            Rule::FinalOnExpiry => "final_on_expiry",
            Rule::FinalOnBoardOrder => "final_on_board_order",
            Rule::FinalInAbsentia => "final_in_absentia",
            Rule::FinalOnVoluntaryDepartureOverstay => "final_on_vd_overstay",
            Rule::VoluntaryDepartureEndedByPetition => "vd_ended_by_petition",
            Rule::AutomaticStayAppealWindow => "automatic_stay_appeal_window",
            Rule::AutomaticStayPendingAppeal => "automatic_stay_pending_appeal",
            Rule::AutomaticStayInAbsentiaMotion => "automatic_stay_in_absentia_motion",
            Rule::GrantedProtection => "granted_protection",
            Rule::VoluntaryDepartureDeadline => "vd_deadline",
            Rule::RemovalPeriod => "removal_period",
            Rule::RemovalPeriodCustodyReview => "removal_period_custody_review",
            Rule::PostOrderSixMonthReview => "post_order_six_month_review",
        }
    }

    /// Every rule.
    pub const ALL: [Rule; 16] = [
        Rule::AppealWindow,
        Rule::FinalOnDismissal,
        Rule::FinalOnWaiver,
        Rule::FinalOnExpiry,
        Rule::FinalOnBoardOrder,
        Rule::FinalInAbsentia,
        Rule::FinalOnVoluntaryDepartureOverstay,
        Rule::VoluntaryDepartureEndedByPetition,
        Rule::AutomaticStayAppealWindow,
        Rule::AutomaticStayPendingAppeal,
        Rule::AutomaticStayInAbsentiaMotion,
        Rule::GrantedProtection,
        Rule::VoluntaryDepartureDeadline,
        Rule::RemovalPeriod,
        Rule::RemovalPeriodCustodyReview,
        Rule::PostOrderSixMonthReview,
    ];

    /// Reads the snake-case name.
    pub fn from_name(name: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.name() == name)
    }
}

/// A deadline: the last day, and the instant it has run out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    /// The last day on which the act is timely.
    pub due: Date,
    /// The instant the deadline has run out: the start of the day after `due`, at the offset
    /// of the event that started the clock, unless an event cut the period short (a petition
    /// for review ends voluntary departure when filed).
    pub ends_at: Timestamp,
    /// The rule that sets it.
    pub rule: Rule,
    /// The events it rests on.
    pub basis: Vec<EventId>,
}

impl Deadline {
    /// Whether the act is still timely at `t`.
    pub fn open_at(&self, t: Timestamp) -> bool {
        t < self.ends_at
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
    /// First instant no longer in force; open-ended if none.
    pub until: Option<Timestamp>,
    /// The rule.
    pub rule: Rule,
    /// The events it rests on.
    pub basis: Vec<EventId>,
}

impl ProtectionPeriod {
    /// Whether the protection is in force at `t`.
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

const DAY: i64 = 86_400;

impl CaseState {
    fn removal_decision(&self) -> Option<&StandingDecision> {
        self.decision.as_ref().filter(|d| d.outcome.orders_removal())
    }

    /// The 30-day window to appeal the standing decision. None for in absentia orders, which
    /// are not appealable (only a motion to reopen lies), and when no decision stands.
    pub fn appeal_deadline(&self) -> Option<Deadline> {
        let d = self.decision.as_ref()?;
        if d.outcome == DecisionOutcome::RemovalOrderedInAbsentia {
            return None;
        }
        let due = d.issued.at.local_date().add_days(30).or_next_business_day();
        Some(Deadline {
            due,
            ends_at: d.issued.at.end_of_day_here(due),
            rule: Rule::AppealWindow,
            basis: vec![d.issued.event],
        })
    }

    /// The voluntary-departure period in force, if any: set by the judge or reinstated by the
    /// Board. A Board decision that reinstates no period ends the judge's grant. A petition
    /// for review filed before departing ends the period at its filing (8 CFR 1240.26(i)):
    /// the deadline then runs out at the petition, before the end of `due`.
    pub fn voluntary_departure_deadline(&self) -> Option<Deadline> {
        let d = self.decision.as_ref()?;
        let (due, mut basis) = match (d.outcome, self.appeal.as_ref()) {
            (_, Some(a)) if a.voluntary_departure_until.is_some() => {
                let until = a.voluntary_departure_until?;
                let decided = a.decided.map(|(_, f)| f.event);
                (until, [Some(d.issued.event), decided].into_iter().flatten().collect())
            }
            // Dismissal or a Board order of removal makes the alternate order final
            // (8 CFR 1241.1(a), (f)); a grant of relief by the Board leaves nothing to depart
            // under.
            (_, Some(a)) if a.decided.is_some() => return None,
            (DecisionOutcome::VoluntaryDeparture { deadline }, _) => (deadline, vec![d.issued.event]),
            _ => return None,
        };
        let mut ends_at = d.issued.at.end_of_day_here(due);
        if let Some(p) = self.petition_ending_voluntary_departure(ends_at) {
            ends_at = p.at;
            basis.push(p.event);
        }
        Some(Deadline { due, ends_at, rule: Rule::VoluntaryDepartureDeadline, basis })
    }

    /// The petition for review that ends a voluntary-departure period running out at
    /// `ends_at` (8 CFR 1240.26(i)): one filed before the period ran out and "prior to
    /// departing". A departure verified for the petition's own date or earlier counts as
    /// first, since departure is recorded by day only.
    fn petition_ending_voluntary_departure(&self, ends_at: Timestamp) -> Option<Fact> {
        self.petition_for_review.filter(|p| {
            p.at < ends_at && self.departure_verified.is_none_or(|(departed_on, _)| departed_on > p.at.local_date())
        })
    }

    /// When the standing order of removal becomes administratively final (8 CFR 1241.1), if
    /// it does on the events recorded so far. None while an appeal is pending, when no
    /// removal is ordered, and when the person departed within a voluntary-departure period.
    pub fn final_order(&self) -> Option<Finality> {
        if self.citizenship_established() {
            return None;
        }
        let d = self.decision.as_ref()?;
        let issued = d.issued;
        if let Some(a) = &self.appeal {
            let (outcome, decided) = a.decided?;
            let board_vd = a.voluntary_departure_until.is_some();
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
                    let window = self.appeal_deadline()?;
                    Some(Finality { at: window.ends_at, rule: Rule::FinalOnExpiry, basis: window.basis })
                }
            },
            DecisionOutcome::ReliefGranted(_) | DecisionOutcome::Terminated => None,
        }
    }

    /// Finality of the alternate order that accompanies voluntary departure.
    fn overstay_finality(&self) -> Option<Finality> {
        let d = self.decision.as_ref()?;
        let judge_due = match d.outcome {
            DecisionOutcome::VoluntaryDeparture { deadline } => Some(deadline),
            _ => None,
        };
        let board = self.appeal.as_ref().and_then(|a| a.voluntary_departure_until.map(|u| (u, a)));
        let (due, mut basis) = match board {
            Some((u, a)) => {
                (u, [Some(d.issued.event), a.decided.map(|(_, f)| f.event)].into_iter().flatten().collect())
            }
            None => (judge_due?, vec![d.issued.event]),
        };
        let ends_at = d.issued.at.end_of_day_here(due);
        if let Some(p) = self.petition_ending_voluntary_departure(ends_at) {
            basis.push(p.event);
            return Some(Finality { at: p.at, rule: Rule::VoluntaryDepartureEndedByPetition, basis });
        }
        if let Some((departed_on, f)) = self.departure_verified {
            if departed_on <= due {
                // Timely departure: the alternate order never takes effect.
                let _ = f;
                return None;
            }
        }
        Some(Finality { at: ends_at, rule: Rule::FinalOnVoluntaryDepartureOverstay, basis })
    }

    /// Every period during which removal may not be carried out: granted protections (TPS,
    /// deferred action, stays) and the stays that arise by regulation.
    pub fn protection_periods(&self) -> Vec<ProtectionPeriod> {
        let mut out: Vec<ProtectionPeriod> = self
            .protections
            .iter()
            .map(|p| ProtectionPeriod {
                kind: p.kind,
                from: p.from,
                until: p.ends_at(),
                rule: Rule::GrantedProtection,
                basis: [Some(p.granted_by), p.terminated.map(|t| t.event)].into_iter().flatten().collect(),
            })
            .collect();
        let automatic = ProtectionKind::Stay(StayKind::Automatic);
        if let Some(d) = self.removal_decision() {
            if let Some(window) = self.appeal_deadline() {
                let mut until = window.ends_at;
                let mut basis = vec![d.issued.event];
                if let Some(w) = self.appeal_waived.filter(|w| w.at < until) {
                    until = w.at;
                    basis.push(w.event);
                }
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
                        rule: Rule::AutomaticStayAppealWindow,
                        basis,
                    });
                }
            }
            if d.outcome == DecisionOutcome::RemovalOrderedInAbsentia {
                for m in &self.motions_to_reopen {
                    out.push(ProtectionPeriod {
                        kind: automatic,
                        from: m.filed.at,
                        until: m.decided.map(|(_, f)| f.at),
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
                rule: Rule::AutomaticStayPendingAppeal,
                basis: [Some(a.filed.event), a.decided.map(|(_, f)| f.event)].into_iter().flatten().collect(),
            });
        }
        out
    }

    /// The 90-day removal period (INA 241(a)(1)(B)): it begins on the latest of the date the
    /// order becomes administratively final and the end of a judicial stay. None while an
    /// open-ended judicial stay is in force or no order is final on the events so far.
    ///
    /// Release from non-immigration detention (INA 241(a)(1)(B)(iii)) is not a fact Docket
    /// records, so it never moves the start.
    pub fn removal_period(&self) -> Option<RemovalPeriod> {
        let fin = self.final_order()?;
        let mut start = fin.at;
        let mut basis = fin.basis.clone();
        for p in self.protections.iter().filter(|p| p.kind == ProtectionKind::Stay(StayKind::Judicial)) {
            match p.ends_at() {
                None => return None,
                Some(end) if end > start => {
                    start = end;
                    basis.push(p.granted_by);
                    basis.extend(p.terminated.map(|t| t.event));
                }
                Some(_) => {}
            }
        }
        Some(RemovalPeriod { starts_at: start, ends_at: start.plus_seconds(90 * DAY), basis })
    }

    /// Custody reviews owed while the person is detained under a final order: the review before
    /// the removal period expires (8 CFR 241.4(k)(1)(i)) and the six-month review (Zadvydas).
    pub fn post_order_custody_reviews(&self) -> Vec<Deadline> {
        let (Some(detained), Some(period)) = (self.custody.detained_since, self.removal_period()) else {
            return Vec::new();
        };
        let mut basis = period.basis.clone();
        basis.push(detained.event);
        // The review is owed before the removal period expires (8 CFR 241.4(k)(1)(i)): its last
        // day is the last day on which the period is still running. A period ending at
        // midnight has already expired on the date of its end instant.
        let ninety_due = period.ends_at.plus_seconds(-1).local_date();
        let six_due = period.starts_at.local_date().add_months(6);
        vec![
            Deadline {
                due: ninety_due,
                ends_at: period.ends_at.end_of_day_here(ninety_due),
                rule: Rule::RemovalPeriodCustodyReview,
                basis: basis.clone(),
            },
            Deadline {
                due: six_due,
                ends_at: period.starts_at.end_of_day_here(six_due),
                rule: Rule::PostOrderSixMonthReview,
                basis,
            },
        ]
    }
}
