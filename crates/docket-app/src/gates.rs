//! The statutory gates as the shells show them: each action's answer for one case, the whole
//! docket's answers counted, and the worklists built from them (deadlines coming due, cases
//! ready for removal, and every other open case with what blocks its removal, by name).
//!
//! The answers are `docket_policy::gate`'s; this module chooses what to ask and gathers the
//! answers into serializable views. It computes no bar of its own but one the projection
//! cannot answer (a travel document not obtained, for the removal-ready worklist).
//!
//! **The country of removal.** No event designates a country of removal (INA 241(b)), and the
//! projection keeps only whether a travel document was obtained, not for which country. So
//! removal is asked with no country stated, failing closed on country protections: a grant of
//! withholding or CAT protection as to any country (or as to one not recorded) bars it, in the
//! core's words for that case (`CaseSummary::bars_to_removal` with no destination).

use std::collections::{BTreeMap, HashMap};

use docket_core::{Bar, CaseId, CaseSummary, PersonFacts, PersonId, Rule, Timestamp, state::CitizenshipClaim};
use docket_policy::{Action, gate, gate_removal_unstated};
pub use docket_policy::{GateView, ReasonView, Verdict};
use serde::Serialize;

use crate::policies::PolicyView;

/// Every action a case's gates answer for, in the order shown. Removal is asked with no
/// country stated (see the module documentation), so it is not among these.
const CUSTODY_AND_ARREST: [Action; 4] = [Action::Arrest, Action::Detain, Action::ContinueDetention, Action::Transfer];

/// Every bar to removing the person at `t` to a country not stated: the gate's, every grant
/// of country protection barring it (`docket_policy::gate_removal_unstated`).
pub(crate) fn removal_bars(s: &CaseSummary, facts: &PersonFacts, t: Timestamp) -> Vec<Bar> {
    gate_removal_unstated(s, facts, t).bars().to_vec()
}

/// The answer to removal to a country not stated, as a gate view.
fn removal_view(case: &CaseId, s: &CaseSummary, facts: &PersonFacts, t: Timestamp) -> GateView {
    let bars = removal_bars(s, facts, t);
    GateView {
        case_id: case.to_string(),
        action: "remove".to_owned(),
        destination: None,
        at: t.to_string(),
        decision: if bars.is_empty() { Verdict::Allow } else { Verdict::Deny },
        reasons: bars.iter().map(ReasonView::from).collect(),
    }
}

/// Each action's statutory gate for a case at `t`: arrest, detain, continue detention,
/// transfer, removal (to a country not stated) and release.
pub(crate) fn case_gates(s: &CaseSummary, facts: &PersonFacts, t: Timestamp) -> Vec<GateView> {
    let mut out: Vec<GateView> =
        CUSTODY_AND_ARREST.iter().map(|&a| GateView::new(&s.case_id, a, t, &gate(s, facts, a, t))).collect();
    out.push(removal_view(&s.case_id, s, facts, t));
    out.push(GateView::new(&s.case_id, Action::Release, t, &gate(s, facts, Action::Release, t)));
    out
}

/// Each action's statutory gate for a case, as `case show` gives them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseGatesView {
    /// The layer that answered: `statutory` (agency gate policies are not evaluated yet).
    pub layer: &'static str,
    /// The country removal was asked for: none, as no event designates one; removal is
    /// barred by any grant of country protection.
    pub removal_destination: Option<String>,
    /// The agency gate policy adopted and in force at the instant, if any: named so that the
    /// answer says what was in force; it is not evaluated by this release.
    pub agency_policy_in_force: Option<PolicyView>,
    /// One answer per action: arrest, detain, continue detention, transfer, remove, release.
    pub actions: Vec<GateView>,
}

impl CaseGatesView {
    pub(crate) fn of(actions: Vec<GateView>, agency_policy_in_force: Option<PolicyView>) -> CaseGatesView {
        CaseGatesView { layer: "statutory", removal_destination: None, agency_policy_in_force, actions }
    }
}

/// The claims to US citizenship in every case, by person: what a case's gates need to know of
/// the person's other cases.
#[derive(Default)]
pub(crate) struct Claims {
    by_person: HashMap<PersonId, Vec<(CaseId, CitizenshipClaim)>>,
}

impl Claims {
    pub(crate) fn add(&mut self, s: &CaseSummary) {
        if let (Some(person), Some(claim)) = (&s.person_id, s.citizenship_claim) {
            self.by_person.entry(person.clone()).or_default().push((s.case_id.clone(), claim));
        }
    }

    /// What is known of the person of `s` beyond that case.
    pub(crate) fn facts_for(&self, s: &CaseSummary) -> PersonFacts {
        let mut facts = PersonFacts::default();
        if let Some(claims) = s.person_id.as_ref().and_then(|p| self.by_person.get(p)) {
            facts.claims_elsewhere = claims.iter().filter(|(c, _)| *c != s.case_id).cloned().collect();
        }
        facts
    }
}

/// How often one rule barred an action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleCount {
    /// The rule's stable id.
    pub rule: &'static str,
    /// Its citation, if any.
    pub citation: Option<&'static str>,
    /// Cases where it barred the action.
    pub cases: u64,
}

/// One action's answers over the docket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionCount {
    /// The action.
    pub action: &'static str,
    /// Cases where it is allowed.
    pub allowed: u64,
    /// Cases where it is denied.
    pub denied: u64,
    /// Every rule that denied it, with how many cases, most cases first (a case denied by
    /// several rules counts under each).
    pub by_rule: Vec<RuleCount>,
}

/// The whole docket's gates at an instant, counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvaluationView {
    /// The instant asked about.
    pub as_of: String,
    /// What the read was recorded as (one access of the docket).
    pub recorded_as: String,
    /// The layer that answered: `statutory`.
    pub layer: &'static str,
    /// The country removal was asked for: none (see `case show`).
    pub removal_destination: Option<String>,
    /// The agency gate policy in force at the instant, if any (named, not evaluated).
    pub agency_policy_in_force: Option<PolicyView>,
    /// Cases evaluated.
    pub cases: u64,
    /// Per action: allowed, denied, and by which rules.
    pub actions: Vec<ActionCount>,
    /// Projections that could not be read (listed, not counted).
    pub unreadable: Vec<crate::views::UnreadableCase>,
}

/// Counts of one action's answers while the docket is evaluated.
#[derive(Default)]
pub(crate) struct Tally {
    allowed: u64,
    denied: u64,
    rules: BTreeMap<Rule, u64>,
}

impl Tally {
    pub(crate) fn add(&mut self, bars: &[Bar]) {
        if bars.is_empty() {
            self.allowed += 1;
            return;
        }
        self.denied += 1;
        let mut seen: Vec<Rule> = bars.iter().map(|b| b.rule).collect();
        seen.sort();
        seen.dedup();
        for r in seen {
            *self.rules.entry(r).or_default() += 1;
        }
    }

    pub(crate) fn view(self, action: &'static str) -> ActionCount {
        let mut by_rule: Vec<RuleCount> = self
            .rules
            .into_iter()
            .map(|(r, n)| RuleCount { rule: r.name(), citation: r.citation(), cases: n })
            .collect();
        by_rule.sort_by(|a, b| b.cases.cmp(&a.cases).then(a.rule.cmp(b.rule)));
        ActionCount { action, allowed: self.allowed, denied: self.denied, by_rule }
    }
}

/// Evaluates every action's gate on one case into `tallies` (in the order of `ACTION_NAMES`).
pub(crate) fn tally_case(s: &CaseSummary, facts: &PersonFacts, t: Timestamp, tallies: &mut [Tally; 6]) {
    for (k, &a) in CUSTODY_AND_ARREST.iter().enumerate() {
        tallies[k].add(gate(s, facts, a, t).bars());
    }
    tallies[4].add(&removal_bars(s, facts, t));
    tallies[5].add(gate(s, facts, Action::Release, t).bars());
}

/// The actions counted by an evaluation, in the order of its tallies.
pub(crate) const ACTION_NAMES: [&str; 6] = ["arrest", "detain", "continue_detention", "transfer", "remove", "release"];

/// The worklists. Priority tiers and supervisor review (agency priority policies) are to be
/// added here as kinds of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WorklistKind {
    /// Deadlines and protections ending within the horizon: appeal windows closing,
    /// voluntary-departure deadlines, custody reviews due, protections and stays expiring.
    Deadlines,
    /// Open cases with an administratively final order, a travel document obtained and every
    /// gate allowing removal.
    RemovalReady,
    /// Every other open case, with what blocks its removal, by name.
    Blocked,
}

impl WorklistKind {
    /// The kind's name, as the command line and the JSON write it.
    pub fn name(self) -> &'static str {
        match self {
            WorklistKind::Deadlines => "deadlines",
            WorklistKind::RemovalReady => "removal-ready",
            WorklistKind::Blocked => "blocked",
        }
    }
}

/// What a worklist asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorklistRequest {
    /// Which worklist.
    pub kind: WorklistKind,
    /// `deadlines`: how many days ahead.
    pub within_days: i32,
    /// At most this many rows (the count of all that match is given too).
    pub limit: usize,
}

/// One thing on a worklist row: a deadline coming due, a protection ending, or a blocker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkItem {
    /// The rule's stable id (`no_travel_document` for a travel document not obtained).
    pub rule: &'static str,
    /// Its citation, if any.
    pub citation: Option<&'static str>,
    /// What, in words.
    pub reason: String,
    /// The last day (deadlines, protections ending), in the case's court zone.
    pub due: Option<String>,
    /// The events it rests on.
    pub basis: Vec<String>,
}

impl WorkItem {
    fn of_bar(b: &Bar) -> WorkItem {
        WorkItem {
            rule: b.rule.name(),
            citation: b.rule.citation(),
            reason: b.reason.clone(),
            due: None,
            basis: b.basis.iter().map(ToString::to_string).collect(),
        }
    }
}

/// One case on a worklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorklistRow {
    /// The case.
    pub case_id: String,
    /// Its stage at the instant.
    pub stage: &'static str,
    /// Deadlines coming due (earliest first), or what blocks removal (in the gate's order);
    /// for a case ready for removal, the final order it rests on.
    pub items: Vec<WorkItem>,
}

/// A worklist at an instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorklistView {
    /// Which worklist.
    pub kind: WorklistKind,
    /// The instant asked about.
    pub as_of: String,
    /// What the read was recorded as (one access of the docket's cases).
    pub recorded_as: String,
    /// How many cases are on it (the rows may be fewer: the limit).
    pub matching: u64,
    /// The cases: `deadlines` by the earliest due date, the others by case id.
    pub rows: Vec<WorklistRow>,
    /// Projections that could not be read (listed, not counted).
    pub unreadable: Vec<crate::views::UnreadableCase>,
}

/// A case's row on worklist `kind`, if it is on it.
pub(crate) fn worklist_row(
    kind: WorklistKind,
    s: &CaseSummary,
    facts: &PersonFacts,
    t: Timestamp,
    within_days: i32,
) -> Option<(Option<docket_core::Date>, WorklistRow)> {
    if !s.open_at(t) {
        return None;
    }
    let zone_date = |at: Timestamp| s.time_zone.as_ref().map_or_else(|| at.local_date(), |z| z.local_date(at));
    let row = |items| WorklistRow { case_id: s.case_id.to_string(), stage: s.stage_at(t).name(), items };
    match kind {
        WorklistKind::Deadlines => {
            let horizon = zone_date(t).add_days(within_days);
            let mut items: Vec<(docket_core::Date, WorkItem)> = s
                .deadlines_within(t, within_days)
                .into_iter()
                .map(|d| {
                    let what = match d.rule {
                        Rule::AppealWindow => "the appeal window closes",
                        Rule::VoluntaryDepartureDeadline => "the voluntary-departure period ends",
                        Rule::PostOrderSixMonthReview => "the six-month post-order custody review is due",
                        _ => "a custody review is due",
                    };
                    (
                        d.due,
                        WorkItem {
                            rule: d.rule.name(),
                            citation: d.rule.citation(),
                            reason: what.to_owned(),
                            due: Some(d.due.to_string()),
                            basis: d.basis.iter().map(ToString::to_string).collect(),
                        },
                    )
                })
                .collect();
            // The appeal window's stay ends with the window, already listed.
            for p in s.protections_in_force(t).filter(|p| p.rule != Rule::AutomaticStayAppealWindow) {
                let Some(until) = p.until else { continue };
                // The last day in force is the day of the last second before the instant it
                // ends (the day before, for a protection ending at midnight).
                let last = zone_date(until.plus_seconds(-1));
                if last <= horizon {
                    items.push((
                        last,
                        WorkItem {
                            rule: p.rule.name(),
                            citation: p.rule.citation(),
                            reason: format!("in force until {until}"),
                            due: Some(last.to_string()),
                            basis: p.basis.iter().map(ToString::to_string).collect(),
                        },
                    ));
                }
            }
            if items.is_empty() {
                return None;
            }
            items.sort_by_key(|(due, _)| *due);
            let first = items.first().map(|(d, _)| *d);
            Some((first, row(items.into_iter().map(|(_, i)| i).collect())))
        }
        WorklistKind::RemovalReady | WorklistKind::Blocked => {
            let mut blockers: Vec<WorkItem> = removal_bars(s, facts, t).iter().map(WorkItem::of_bar).collect();
            if !s.travel_document {
                blockers.push(WorkItem {
                    rule: "no_travel_document",
                    citation: None,
                    reason: "no travel document has been obtained".into(),
                    due: None,
                    basis: vec![],
                });
            }
            match (kind, blockers.is_empty()) {
                (WorklistKind::RemovalReady, true) => {
                    let final_order = s.final_order.as_ref().map(|f| WorkItem {
                        rule: f.rule.name(),
                        citation: f.rule.citation(),
                        reason: format!("the order of removal is final since {}", f.at),
                        due: None,
                        basis: f.basis.iter().map(ToString::to_string).collect(),
                    });
                    Some((None, row(final_order.into_iter().collect())))
                }
                (WorklistKind::Blocked, false) => Some((None, row(blockers))),
                _ => None,
            }
        }
    }
}
