//! The statutory gate: the bars the law puts on each action, read from a case's projection
//! as of an instant. No agency policy can switch any of them off.
//!
//! The bars to removal and the bars on the person (a claim to US citizenship in any of the
//! person's cases, a departure or removal already recorded) are computed in docket-core, in
//! one place ([`CaseSummary::bars_to_removal`], [`CaseSummary::bars_to_enforcement`]); this
//! module adds what concerns custody and what the gate must not assume.

use std::fmt;

use docket_core::{Bar, CaseSummary, PersonFacts, ProtectionKind, Rule, Timestamp};

use crate::action::Action;

/// Every rule the statutory gate may name, in the order docs/gates.md lists them.
pub const RULES: [Rule; 21] = [
    Rule::FactUnknown,
    Rule::CaseClosed,
    Rule::CitizenshipEstablished,
    Rule::CitizenshipClaimPending,
    Rule::AlreadyLeft,
    Rule::AutomaticStayPendingAppeal,
    Rule::AutomaticStayAppealWindow,
    Rule::AutomaticStayInAbsentiaMotion,
    Rule::RecordedAutomaticStay,
    Rule::JudicialStay,
    Rule::AdministrativeStay,
    Rule::TemporaryProtectedStatus,
    Rule::DeferredAction,
    Rule::VoluntaryDepartureDeadline,
    Rule::PendingProtectionClaim,
    Rule::WithholdingAsToCountry,
    Rule::CatProtectionAsToCountry,
    Rule::NoFinalOrder,
    Rule::TpsBarsDetention,
    Rule::PostOrderSixMonthReview,
    Rule::NothingToActOn,
];

/// A gate's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GateDecision {
    /// Nothing on the record bars the action.
    Allow,
    /// The action is barred.
    Deny(Denial),
}

/// Why an action is barred: every rule that bars it, each with its citation and the events it
/// rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denial {
    // INVARIANT: never empty.
    bars: Vec<Bar>,
}

impl Denial {
    /// The bars, the facts the gate could not know first, then the bars on the person, then
    /// those of the case, the most specific first.
    pub fn bars(&self) -> &[Bar] {
        &self.bars
    }

    /// Every rule that bars the action, in the order of [`Denial::bars`].
    pub fn rules(&self) -> impl Iterator<Item = Rule> + '_ {
        self.bars.iter().map(|b| b.rule)
    }
}

impl GateDecision {
    fn from_bars(bars: Vec<Bar>) -> GateDecision {
        if bars.is_empty() { GateDecision::Allow } else { GateDecision::Deny(Denial { bars }) }
    }

    /// Whether the action is allowed.
    pub fn is_allowed(&self) -> bool {
        matches!(self, GateDecision::Allow)
    }

    /// The bars; none when allowed.
    pub fn bars(&self) -> &[Bar] {
        match self {
            GateDecision::Allow => &[],
            GateDecision::Deny(d) => d.bars(),
        }
    }

    /// Whether `rule` is among the bars.
    pub fn denied_by(&self, rule: Rule) -> bool {
        self.bars().iter().any(|b| b.rule == rule)
    }
}

impl fmt::Display for GateDecision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GateDecision::Allow => f.write_str("allowed"),
            GateDecision::Deny(d) => {
                f.write_str("denied: ")?;
                for (i, bar) in d.bars.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{bar}")?;
                }
                Ok(())
            }
        }
    }
}

/// Whether `action` may be taken at `t` on the case whose projection is `case`, given what is
/// known of its person beyond this case (`person`: the claims to US citizenship of every other
/// case of theirs; the caller must supply them all, as the store does for `decide`).
///
/// The projection must describe the case at `t`: for an enforcement action, one holding events
/// effective after `t` is a fact the gate does not know, and denies. Every enforcement action
/// (all but release) fails closed on an unknown fact. Release is denied only when the record
/// has the person out of custody at `t`, never for want of a fact: doubt does not keep a
/// person in custody (docs/gates.md says why).
pub fn gate(case: &CaseSummary, person: &PersonFacts, action: Action, t: Timestamp) -> GateDecision {
    let mut bars = Vec::new();
    if !action.is_enforcement() {
        if !detained_at(case, t) {
            bars.push(Bar::new(Rule::NothingToActOn, "the person is not in custody", vec![]));
        }
        return GateDecision::from_bars(bars);
    }
    unknown_or_closed(case, t, &mut bars);
    match action {
        Action::Remove { to } => bars.extend(case.bars_to_removal(t, person, Some(to))),
        _ => bars.extend(case.bars_to_enforcement(t, person)),
    }
    if action.holds_in_custody() {
        custody(case, action, t, &mut bars);
    }
    GateDecision::from_bars(bars)
}

/// Whether the person may be removed at `t` to a country not stated: [`gate`] for removal,
/// but every grant of withholding or CAT protection bars it, whatever its country (the core's
/// bars for an unstated destination). [`gate_removal`] asks this of a case with no country
/// of removal designated.
pub fn gate_removal_unstated(case: &CaseSummary, person: &PersonFacts, t: Timestamp) -> GateDecision {
    let mut bars = Vec::new();
    unknown_or_closed(case, t, &mut bars);
    bars.extend(case.bars_to_removal(t, person, None));
    GateDecision::from_bars(bars)
}

/// Whether the person may be removed at `t` to the case's designated country of removal
/// ([`CaseSummary::designated_country`]): [`gate`] for removal to it, or
/// [`gate_removal_unstated`] where none is designated. This is the removal gate docket-app's
/// `case show`, `evaluate` and worklists ask.
pub fn gate_removal(case: &CaseSummary, person: &PersonFacts, t: Timestamp) -> GateDecision {
    match case.designated_country {
        Some((to, _)) => gate(case, person, Action::Remove { to }, t),
        None => gate_removal_unstated(case, person, t),
    }
}

/// The bars every enforcement action shares before the person's and the case's: the facts
/// the gate cannot know, and the case's closure.
fn unknown_or_closed(case: &CaseSummary, t: Timestamp, bars: &mut Vec<Bar>) {
    unknown_facts(case, t, bars);
    if let Some((reason, at)) = case.closed.filter(|(_, at)| *at <= t) {
        bars.push(Bar::new(
            Rule::CaseClosed,
            format!("the case was closed ({}) at {at}", reason.name()),
            case.closed_by.into_iter().collect(),
        ));
    }
}

/// What the gate cannot know from the projection: the case at an instant before its latest
/// event, whose case it is, and what an event the fold could not fit into the record changed.
fn unknown_facts(case: &CaseSummary, t: Timestamp, bars: &mut Vec<Bar>) {
    if let Some(latest) = case.last_effective_at.filter(|latest| *latest > t) {
        bars.push(Bar::new(
            Rule::FactUnknown,
            format!(
                "the case as of {t} is unknown: its record holds events effective after then (the latest at {latest})"
            ),
            vec![],
        ));
    }
    if case.opened_at.is_none() || case.person_id.is_none() {
        bars.push(Bar::new(
            Rule::FactUnknown,
            "the case's opening is not recorded: whose case it is, and so the person's claims to US citizenship in other cases, is unknown",
            vec![],
        ));
    }
    if !case.anomalies.is_empty() {
        bars.push(Bar::new(
            Rule::FactUnknown,
            format!(
                "the case's history holds {} event(s) that do not fit the record (anomalies); what they change is unknown",
                case.anomalies.len()
            ),
            case.anomalies.clone(),
        ));
    }
}

/// Whether the record has the person in custody at `t`.
fn detained_at(case: &CaseSummary, t: Timestamp) -> bool {
    case.detained_since.is_some_and(|since| since <= t)
}

/// The bars on taking or keeping the person in custody.
fn custody(case: &CaseSummary, action: Action, t: Timestamp, bars: &mut Vec<Bar>) {
    for p in case.protections_in_force(t).filter(|p| p.kind == ProtectionKind::Tps) {
        let until = match (p.until, p.end_unknown) {
            (Some(u), _) => format!(" until {u}"),
            (None, true) => ", its end date unknown".to_owned(),
            (None, false) => String::new(),
        };
        bars.push(Bar::new(
            Rule::TpsBarsDetention,
            format!(
                "temporary protected status is in force{until}: the person may not be held on the basis of their immigration status"
            ),
            p.basis.clone(),
        ));
    }
    let detained = detained_at(case, t);
    match action {
        Action::Detain if detained => {
            bars.push(Bar::new(
                Rule::NothingToActOn,
                "the person is already in custody",
                case.detained_by.into_iter().collect(),
            ));
        }
        Action::ContinueDetention | Action::Transfer if !detained => {
            bars.push(Bar::new(Rule::NothingToActOn, "the person is not in custody", vec![]));
        }
        // A transfer keeps the person in custody, so it is barred wherever continued
        // detention is.
        Action::ContinueDetention | Action::Transfer => {
            for review in
                case.custody_reviews.iter().filter(|d| d.rule == Rule::PostOrderSixMonthReview && d.overdue_at(t))
            {
                bars.push(Bar::new(
                    Rule::PostOrderSixMonthReview,
                    format!(
                        "detention has gone past the six-month post-order date ({}) without a recorded custody review; it may continue only once reviewed",
                        review.due
                    ),
                    review.basis.clone(),
                ));
            }
        }
        _ => {}
    }
}
