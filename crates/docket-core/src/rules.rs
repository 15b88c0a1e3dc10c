//! The rules Docket applies, each with its citation, and the bars they raise.
//!
//! A [`Rule`] is named wherever a clock is computed (a deadline, a finality, a stay) and
//! wherever an act is refused (a [`Bar`]). Legal rules carry the citation of the statute,
//! regulation or directive; the record-keeping rules that keep a history coherent (events in
//! order, one case per stream) carry none.

use std::fmt;

use crate::ids::EventId;

/// A rule, legal or record-keeping.
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
    /// A motion to reopen an in absentia order (for lack of notice, custody or exceptional
    /// circumstances) stays removal until decided.
    AutomaticStayInAbsentiaMotion,
    /// A stay that arises by regulation, recorded as a grant.
    RecordedAutomaticStay,
    /// An administrative stay of removal granted by DHS or the Board.
    AdministrativeStay,
    /// A stay of removal ordered by a federal court.
    JudicialStay,
    /// Temporary protected status: no removal while it is in force.
    TemporaryProtectedStatus,
    /// Deferred action: removal is deferred while it is in force.
    DeferredAction,
    /// The voluntary departure deadline; no removal while the period runs.
    VoluntaryDepartureDeadline,
    /// At most 120 days of voluntary departure.
    VoluntaryDepartureMaximum,
    /// Failing to depart within the period: a civil penalty and ten years' ineligibility for
    /// cancellation, adjustment, change of status, registry and voluntary departure.
    VoluntaryDepartureOverstayPenalty,
    /// The 90-day removal period.
    RemovalPeriod,
    /// Custody review before the removal period expires.
    RemovalPeriodCustodyReview,
    /// Six months after the removal period began: detention beyond is presumptively
    /// unreasonable where removal is not reasonably foreseeable.
    PostOrderSixMonthReview,
    /// Removal requires an administratively final order.
    NoFinalOrder,
    /// An order entered in absentia is not appealable; only a motion to reopen lies.
    InAbsentiaNotAppealable,
    /// The right to appeal was waived: the decision is final and no appeal lies.
    AppealWaived,
    /// Proceedings begin when the notice to appear is filed with the court.
    NoChargingDocument,
    /// Withholding of removal as to a country bars removal to that country.
    WithholdingAsToCountry,
    /// CAT protection as to a country bars removal to that country.
    CatProtectionAsToCountry,
    /// No removal before a claim for asylum, withholding or CAT protection is decided.
    PendingProtectionClaim,
    /// No enforcement action while a claim to US citizenship is unresolved.
    CitizenshipClaimPending,
    /// A person found to be a US citizen is not subject to immigration enforcement.
    CitizenshipEstablished,
    /// A person with temporary protected status is not detained on the basis of their
    /// immigration status: no arrest, custody or continued custody while it is in force.
    TpsBarsDetention,
    /// The person's departure or removal is already recorded.
    AlreadyLeft,
    /// A gate fails closed: a fact it needs is unknown (the case's opening, the events after
    /// the instant asked about, what an anomalous event changed). Docket's own rule, not law.
    FactUnknown,
    /// The event belongs to another case.
    WrongCase,
    /// A case's first event opens it.
    CaseNotOpened,
    /// A case is opened once.
    CaseAlreadyOpen,
    /// Events are recorded in legal order: none takes effect before the case's latest.
    RecordOrder,
    /// An event records what has happened: it cannot take effect after it was recorded.
    EffectiveAfterRecorded,
    /// A closed case accepts only motions to reopen and citizenship claims.
    CaseClosed,
    /// A date that cannot be: before the person was born or before the case was opened.
    ImpossibleDate,
    /// The event's A-number contradicts the person's recorded A-number.
    ANumberMismatch,
    /// The act needs something the record does not hold (a scheduled hearing, a pending
    /// application, a decision to appeal).
    NothingToActOn,
}

impl Rule {
    /// Every rule.
    pub const ALL: [Rule; 43] = [
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
        Rule::RecordedAutomaticStay,
        Rule::AdministrativeStay,
        Rule::JudicialStay,
        Rule::TemporaryProtectedStatus,
        Rule::DeferredAction,
        Rule::VoluntaryDepartureDeadline,
        Rule::VoluntaryDepartureMaximum,
        Rule::VoluntaryDepartureOverstayPenalty,
        Rule::RemovalPeriod,
        Rule::RemovalPeriodCustodyReview,
        Rule::PostOrderSixMonthReview,
        Rule::NoFinalOrder,
        Rule::InAbsentiaNotAppealable,
        Rule::AppealWaived,
        Rule::NoChargingDocument,
        Rule::WithholdingAsToCountry,
        Rule::CatProtectionAsToCountry,
        Rule::PendingProtectionClaim,
        Rule::CitizenshipClaimPending,
        Rule::CitizenshipEstablished,
        Rule::TpsBarsDetention,
        Rule::AlreadyLeft,
        Rule::FactUnknown,
        Rule::WrongCase,
        Rule::CaseNotOpened,
        Rule::CaseAlreadyOpen,
        Rule::RecordOrder,
        Rule::EffectiveAfterRecorded,
        Rule::CaseClosed,
        Rule::ImpossibleDate,
        Rule::ANumberMismatch,
        Rule::NothingToActOn,
    ];

    /// The legal citation; none for the record-keeping rules.
    pub fn citation(self) -> Option<&'static str> {
        Some(match self {
            Rule::AppealWindow => "8 CFR 1003.38(b)-(c)",
            Rule::FinalOnDismissal => "8 CFR 1241.1(a)",
            Rule::FinalOnWaiver => "8 CFR 1241.1(b)",
            Rule::FinalOnExpiry => "8 CFR 1241.1(c)",
            Rule::FinalOnBoardOrder => "8 CFR 1003.1(d)(7); 8 CFR 1241.1(a)",
            Rule::FinalInAbsentia => "8 CFR 1241.1(e)",
            Rule::FinalOnVoluntaryDepartureOverstay => "8 CFR 1241.1(f)",
            Rule::VoluntaryDepartureEndedByPetition => "8 CFR 1240.26(i)",
            Rule::AutomaticStayAppealWindow | Rule::AutomaticStayPendingAppeal => "8 CFR 1003.6(a)",
            Rule::AutomaticStayInAbsentiaMotion => "INA 240(b)(5)(C); 8 CFR 1003.23(b)(4)(ii)",
            Rule::RecordedAutomaticStay => "8 CFR 1003.6; recorded grant",
            Rule::AdministrativeStay => "8 CFR 241.6; 8 CFR 1003.2(f)",
            Rule::JudicialStay => "INA 242(b)(3)(B); order of the court",
            Rule::TemporaryProtectedStatus => "INA 244(a)(1)(A)",
            Rule::DeferredAction => "recorded grant of deferred action",
            Rule::VoluntaryDepartureDeadline => "8 CFR 1240.26",
            Rule::VoluntaryDepartureMaximum => "INA 240B(a)(2)(A)",
            Rule::VoluntaryDepartureOverstayPenalty => "INA 240B(d)(1); 8 CFR 1240.26(j)",
            Rule::RemovalPeriod => "INA 241(a)(1)",
            Rule::RemovalPeriodCustodyReview => "8 CFR 241.4(k)(1)(i)",
            Rule::PostOrderSixMonthReview => "Zadvydas v. Davis, 533 U.S. 678 (2001); 8 CFR 241.4(k)(2)(ii)",
            Rule::NoFinalOrder => "INA 241(a)(1); 8 CFR 1241.1",
            Rule::InAbsentiaNotAppealable => "INA 240(b)(5)(C); 8 CFR 1003.23(b)(4)(ii)",
            Rule::AppealWaived => "8 CFR 1003.39; 8 CFR 1241.1(b)",
            Rule::NoChargingDocument => "8 CFR 1003.14(a)",
            Rule::WithholdingAsToCountry => "INA 241(b)(3); 8 CFR 1208.16(b), (d)",
            Rule::CatProtectionAsToCountry => "8 CFR 1208.16(c), 1208.17",
            Rule::PendingProtectionClaim => "INA 241(b)(3); 8 CFR 208.31; 8 CFR 1208.16-18",
            Rule::CitizenshipClaimPending => "ICE Directive 16001.2 (2015); INA 287(a)",
            Rule::CitizenshipEstablished => "INA 240(a)(1)",
            Rule::TpsBarsDetention => "INA 244(d)(4)",
            Rule::AlreadyLeft
            | Rule::FactUnknown
            | Rule::WrongCase
            | Rule::CaseNotOpened
            | Rule::CaseAlreadyOpen
            | Rule::RecordOrder
            | Rule::EffectiveAfterRecorded
            | Rule::CaseClosed
            | Rule::ImpossibleDate
            | Rule::ANumberMismatch
            | Rule::NothingToActOn => return None,
        })
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
            Rule::RecordedAutomaticStay => "recorded_automatic_stay",
            Rule::AdministrativeStay => "administrative_stay",
            Rule::JudicialStay => "judicial_stay",
            Rule::TemporaryProtectedStatus => "temporary_protected_status",
            Rule::DeferredAction => "deferred_action",
            Rule::VoluntaryDepartureDeadline => "vd_deadline",
            Rule::VoluntaryDepartureMaximum => "vd_maximum",
            Rule::VoluntaryDepartureOverstayPenalty => "vd_overstay_penalty",
            Rule::RemovalPeriod => "removal_period",
            Rule::RemovalPeriodCustodyReview => "removal_period_custody_review",
            Rule::PostOrderSixMonthReview => "post_order_six_month_review",
            Rule::NoFinalOrder => "no_final_order",
            Rule::InAbsentiaNotAppealable => "in_absentia_not_appealable",
            Rule::AppealWaived => "appeal_waived",
            Rule::NoChargingDocument => "no_charging_document",
            Rule::WithholdingAsToCountry => "withholding_as_to_country",
            Rule::CatProtectionAsToCountry => "cat_protection_as_to_country",
            Rule::PendingProtectionClaim => "pending_protection_claim",
            Rule::CitizenshipClaimPending => "citizenship_claim_pending",
            Rule::CitizenshipEstablished => "citizenship_established",
            Rule::TpsBarsDetention => "tps_bars_detention",
            Rule::AlreadyLeft => "already_left",
            Rule::FactUnknown => "fact_unknown",
            Rule::WrongCase => "wrong_case",
            Rule::CaseNotOpened => "case_not_opened",
            Rule::CaseAlreadyOpen => "case_already_open",
            Rule::RecordOrder => "record_order",
            Rule::EffectiveAfterRecorded => "effective_after_recorded",
            Rule::CaseClosed => "case_closed",
            Rule::ImpossibleDate => "impossible_date",
            Rule::ANumberMismatch => "a_number_mismatch",
            Rule::NothingToActOn => "nothing_to_act_on",
        }
    }

    /// Reads the snake-case name.
    pub fn from_name(name: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.name() == name)
    }

    /// Whether the rule is a legal one (it has a citation), as opposed to record-keeping.
    pub fn is_legal(self) -> bool {
        self.citation().is_some()
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.citation() {
            Some(c) => write!(f, "{} ({c})", self.name()),
            None => f.write_str(self.name()),
        }
    }
}

/// One rule that bars an act, why in words, and the recorded events it rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    /// The rule.
    pub rule: Rule,
    /// What bars the act, in words.
    pub reason: String,
    /// The events the bar rests on (empty when it rests on the absence of an event).
    pub basis: Vec<EventId>,
}

impl Bar {
    /// A bar by `rule`, for `reason`, resting on `basis`.
    pub fn new(rule: Rule, reason: impl Into<String>, basis: Vec<EventId>) -> Bar {
        Bar { rule, reason: reason.into(), basis }
    }
}

impl fmt::Display for Bar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)?;
        if let Some(c) = self.rule.citation() {
            write!(f, " ({c})")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut names: Vec<&str> = Rule::ALL.iter().map(|r| r.name()).collect();
        for r in Rule::ALL {
            assert_eq!(Rule::from_name(r.name()), Some(r));
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Rule::ALL.len());
    }
}
