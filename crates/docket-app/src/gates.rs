//! The statutory gates as the shells show them: each action's answer for one case, the whole
//! docket's answers counted, and the worklists built from them (deadlines coming due, cases
//! ready for removal, and every other open case with what blocks its removal, by name).
//!
//! The answers are `docket_policy::gate`'s; this module chooses what to ask and gathers the
//! answers into serializable views. It computes no bar of its own but what removal needs
//! beyond the law's permission, for the removal-ready worklist: a designated country and a
//! travel document valid for it.
//!
//! **The country of removal.** Removal is asked for the country the order of removal
//! directs the person to (`removal_country_designated`, INA 241(b)): a grant of withholding
//! or CAT protection as to that country bars it. Where no country is designated, removal is
//! asked with no country stated, failing closed on country protections: a grant as to any
//! country (or as to one not recorded) bars it, in the core's words for that case
//! (`docket_policy::gate_removal`).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use docket_core::{Bar, CaseId, CaseSummary, Country, PersonFacts, PersonId, Rule, Timestamp, state::CitizenshipClaim};
use docket_policy::{Action, AgencyPolicy, CaseFacts, FactColumns, gate, gate_removal};
pub use docket_policy::{GateView, PolicyReason, PriorityAnswer, ReasonView, Verdict};
use serde::Serialize;

use crate::AppError;
use crate::policies::PolicyView;

/// Every action a case's gates answer for, in the order shown, but removal, which is asked
/// for the designated country (see the module documentation).
const CUSTODY_AND_ARREST: [Action; 4] = [Action::Arrest, Action::Detain, Action::ContinueDetention, Action::Transfer];

/// Every bar to removing the person at `t` to the designated country of removal, or, where
/// none is designated, to a country not stated (`docket_policy::gate_removal`).
pub(crate) fn removal_bars(s: &CaseSummary, facts: &PersonFacts, t: Timestamp) -> Vec<Bar> {
    gate_removal(s, facts, t).bars().to_vec()
}

/// The answer to removal to the designated country (or a country not stated), as a gate view.
fn removal_view(case: &CaseId, s: &CaseSummary, facts: &PersonFacts, t: Timestamp) -> GateView {
    let bars = removal_bars(s, facts, t);
    GateView {
        case_id: case.to_string(),
        action: "remove".to_owned(),
        destination: s.designated_country.map(|(c, _)| c.code().to_owned()),
        at: t.to_string(),
        decision: if bars.is_empty() { Verdict::Allow } else { Verdict::Deny },
        reasons: bars.iter().map(ReasonView::from).collect(),
    }
}

/// Each action's statutory gate for a case at `t`: arrest, detain, continue detention,
/// transfer, removal (to the designated country, else to a country not stated) and release.
pub(crate) fn case_gates(s: &CaseSummary, facts: &PersonFacts, t: Timestamp) -> Vec<GateView> {
    let mut out: Vec<GateView> =
        CUSTODY_AND_ARREST.iter().map(|&a| GateView::new(&s.case_id, a, t, &gate(s, facts, a, t))).collect();
    out.push(removal_view(&s.case_id, s, facts, t));
    out.push(GateView::new(&s.case_id, Action::Release, t, &gate(s, facts, Action::Release, t)));
    out
}

/// The actions of [`ACTION_NAMES`], as docket-policy asks them (removal's country does not
/// matter to an agency policy, whose schema has none).
fn policy_actions() -> Result<[Action; 6], AppError> {
    let any =
        Country::parse("MEX").map_err(|e| AppError::Invalid { field: "country".into(), reason: e.to_string() })?;
    Ok([
        Action::Arrest,
        Action::Detain,
        Action::ContinueDetention,
        Action::Transfer,
        Action::Remove { to: any },
        Action::Release,
    ])
}

pub(crate) fn answer_error(e: docket_policy::AnswerError) -> AppError {
    AppError::Invalid { field: "policy".into(), reason: e.to_string() }
}

/// One action's answer with the agency gate policy in force on top of the statutory gate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgencyGateView {
    /// The action.
    pub action: &'static str,
    /// Allow only when the statutory gate and the agency policy both allow.
    pub decision: Verdict,
    /// The agency policy's bars (its rules, with the facts and events they rest on); the
    /// statutory reasons are the action's in `actions`.
    pub reasons: Vec<PolicyReason>,
}

/// Each action's gate for a case, as `case show` gives them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseGatesView {
    /// The layers that answered: `statutory`, or `statutory+agency` when an agency gate
    /// policy is in force.
    pub layer: &'static str,
    /// The country removal was asked for: the designated country of removal; none where no
    /// country is designated, and then any grant of country protection bars removal.
    pub removal_destination: Option<String>,
    /// The agency gate policy adopted and in force at the instant, if any.
    pub agency_policy_in_force: Option<PolicyView>,
    /// The statutory gate's answer per action: arrest, detain, continue detention, transfer,
    /// remove, release.
    pub actions: Vec<GateView>,
    /// With an agency gate policy in force, each action's answer under both layers and the
    /// agency's bars, in the same order; empty without one.
    pub agency: Vec<AgencyGateView>,
}

impl CaseGatesView {
    /// The gates of a case at `t`: the statutory layer, and the agency gate policy in force on
    /// top of it, if any.
    pub(crate) fn of(
        s: &CaseSummary,
        facts: &PersonFacts,
        t: Timestamp,
        policy: Option<(PolicyView, &AgencyPolicy)>,
    ) -> Result<CaseGatesView, AppError> {
        let actions = case_gates(s, facts, t);
        let mut agency = Vec::new();
        if let Some((_, p)) = &policy {
            for ((a, name), statutory) in policy_actions()?.into_iter().zip(ACTION_NAMES).zip(&actions) {
                let reasons = docket_policy::gate_under(Some(p), s, facts, a, t).map_err(answer_error)?.agency;
                let allowed = statutory.decision == Verdict::Allow && reasons.is_empty();
                agency.push(AgencyGateView {
                    action: name,
                    decision: if allowed { Verdict::Allow } else { Verdict::Deny },
                    reasons,
                });
            }
        }
        Ok(CaseGatesView {
            layer: if policy.is_some() { "statutory+agency" } else { "statutory" },
            removal_destination: s.designated_country.map(|(c, _)| c.code().to_owned()),
            agency_policy_in_force: policy.map(|(v, _)| v),
            actions,
            agency,
        })
    }
}

/// A case's priority under the agency priority policy in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CasePriorityView {
    /// The policy, as adopted.
    pub policy: PolicyView,
    /// Its answer: the tier, supervisor review, every rule that counted with its facts and
    /// events.
    pub answer: PriorityAnswer,
}

impl CasePriorityView {
    pub(crate) fn of(
        s: &CaseSummary,
        facts: &PersonFacts,
        t: Timestamp,
        policy: (PolicyView, &AgencyPolicy),
    ) -> Result<CasePriorityView, AppError> {
        let answer = docket_policy::priority(policy.1, s, facts, t).map_err(answer_error)?;
        Ok(CasePriorityView { policy: policy.0, answer })
    }
}

/// The claims to US citizenship in every case, by person: what a case's gates need to know of
/// the person's other cases; and, for the agency policies, each person's date of birth.
#[derive(Default)]
pub(crate) struct Claims {
    by_person: HashMap<PersonId, Vec<(CaseId, CitizenshipClaim)>>,
    pub(crate) dates_of_birth: HashMap<PersonId, docket_core::DateOfBirth>,
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
        facts.date_of_birth = s.person_id.as_ref().and_then(|p| self.dates_of_birth.get(p)).copied();
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

/// How often one rule of an agency policy counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyRuleCount {
    /// The rule's `@id`.
    pub rule: String,
    /// `bar`, `tier`, `aggravating` or `mitigating`.
    pub role: &'static str,
    /// Cases where it was satisfied.
    pub cases: u64,
    /// Cases where it could not be evaluated (which denies, or routes to supervisor review).
    pub errors: u64,
}

/// One action's answers over the docket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionCount {
    /// The action.
    pub action: &'static str,
    /// Cases where it is allowed (by every layer that answered).
    pub allowed: u64,
    /// Cases where it is denied.
    pub denied: u64,
    /// Every statutory rule that denied it, with how many cases, most cases first (a case
    /// denied by several rules counts under each).
    pub by_rule: Vec<RuleCount>,
    /// With an agency gate policy in force, each of its rules that bears on the action, with
    /// the cases it bars (whatever the statutory gate says of them).
    pub by_agency_rule: Vec<PolicyRuleCount>,
}

/// One tier's cases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TierCount {
    /// The tier.
    pub tier: String,
    /// Cases in it.
    pub cases: u64,
}

/// The docket's priorities under the priority policy in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PriorityCount {
    /// The policy, as adopted.
    pub policy: PolicyView,
    /// Each tier, highest first, with its cases.
    pub tiers: Vec<TierCount>,
    /// Cases in no tier.
    pub no_tier: u64,
    /// Cases routed to supervisor review (a mitigating factor, or a rule that could not be
    /// evaluated), whatever their tier.
    pub supervisor_review: u64,
    /// Each rule of the policy, with the cases it counted in.
    pub by_rule: Vec<PolicyRuleCount>,
}

/// The whole docket's gates at an instant, counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvaluationView {
    /// The instant asked about.
    pub as_of: String,
    /// What the read was recorded as (one access of the docket).
    pub recorded_as: String,
    /// The layers that answered: `statutory`, or `statutory+agency`.
    pub layer: &'static str,
    /// Where removal was asked for: `designated`, each case's designated country of removal
    /// (a country not stated where none is designated, as `case show` asks).
    pub removal_destination: &'static str,
    /// The agency gate policy in force at the instant, if any.
    pub agency_policy_in_force: Option<PolicyView>,
    /// Cases evaluated.
    pub cases: u64,
    /// Per action: allowed, denied, and by which rules.
    pub actions: Vec<ActionCount>,
    /// The priority tiers under the priority policy in force, if any.
    pub priority: Option<PriorityCount>,
    /// Projections that could not be read (listed, not counted).
    pub unreadable: Vec<crate::views::UnreadableCase>,
}

/// The docket as the agency policies read it: each case's id, its adjudicated facts as
/// columns, and which actions the statutory gate allows it.
#[derive(Default)]
pub(crate) struct Docket {
    pub(crate) ids: Vec<String>,
    pub(crate) cols: FactColumns,
    /// Per case, bit `k` set when the statutory gate allows action `k` of [`ACTION_NAMES`].
    pub(crate) allowed: Vec<u8>,
}

impl Docket {
    pub(crate) fn push(&mut self, s: &CaseSummary, facts: &PersonFacts, t: Timestamp, allowed: u8) {
        self.ids.push(s.case_id.to_string());
        self.cols.push(&CaseFacts::from_summary(s, facts, t));
        self.allowed.push(allowed);
    }
}

/// The threads a whole-docket evaluation runs on.
pub(crate) fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

fn rule_counts(policy: &AgencyPolicy, outcome: &docket_policy::policy::BatchOutcome) -> Vec<PolicyRuleCount> {
    outcome
        .rules
        .iter()
        .enumerate()
        .map(|(k, r)| PolicyRuleCount {
            rule: policy.rules[*r].id.clone(),
            role: policy.rules[*r].role.name(),
            cases: outcome.outcomes.satisfied[k].count() as u64,
            errors: outcome.outcomes.errored[k].count() as u64,
        })
        .collect()
}

/// Puts the agency gate policy's bars into `actions` (in the order of [`ACTION_NAMES`]): an
/// action is allowed only where the statutory gate allows it and no rule of the policy bars it.
pub(crate) fn add_agency_gate(
    policy: &AgencyPolicy,
    docket: &Docket,
    actions: &mut [ActionCount],
) -> Result<(), AppError> {
    for (k, (a, count)) in policy_actions()?.into_iter().zip(actions.iter_mut()).enumerate() {
        let (barred, outcome) = docket_policy::gate_batch(policy, &docket.cols, a, threads()).map_err(answer_error)?;
        let allowed =
            docket.allowed.iter().enumerate().filter(|(i, m)| *m & (1 << k) != 0 && !barred.get(*i)).count() as u64;
        count.denied = docket.allowed.len() as u64 - allowed;
        count.allowed = allowed;
        count.by_agency_rule = rule_counts(policy, &outcome);
        count.by_agency_rule.iter_mut().for_each(|c| c.role = "bar");
    }
    Ok(())
}

/// The docket's tiers under a priority policy.
pub(crate) fn priority_count(
    view: PolicyView,
    policy: &AgencyPolicy,
    docket: &Docket,
) -> Result<PriorityCount, AppError> {
    let ranked = docket_policy::priority_batch(policy, &docket.cols, threads()).map_err(answer_error)?;
    let mut per_tier = vec![0u64; policy.tiers.len()];
    let mut no_tier = 0;
    for t in &ranked.tiers {
        match per_tier.get_mut(usize::from(*t)) {
            Some(n) => *n += 1,
            None => no_tier += 1,
        }
    }
    Ok(PriorityCount {
        policy: view,
        tiers: policy.tiers.iter().zip(per_tier).map(|(tier, cases)| TierCount { tier: tier.clone(), cases }).collect(),
        no_tier,
        supervisor_review: ranked.supervisor_review.count() as u64,
        by_rule: rule_counts(policy, &ranked.outcome),
    })
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
        ActionCount { action, allowed: self.allowed, denied: self.denied, by_rule, by_agency_rule: vec![] }
    }
}

/// Evaluates every action's gate on one case into `tallies` (in the order of `ACTION_NAMES`);
/// bit `k` of the answer is set when action `k` is allowed.
pub(crate) fn tally_case(s: &CaseSummary, facts: &PersonFacts, t: Timestamp, tallies: &mut [Tally; 6]) -> u8 {
    let mut allowed = 0u8;
    let mut add = |k: usize, bars: &[Bar]| {
        allowed |= u8::from(bars.is_empty()) << k;
        tallies[k].add(bars);
    };
    for (k, &a) in CUSTODY_AND_ARREST.iter().enumerate() {
        add(k, gate(s, facts, a, t).bars());
    }
    add(4, &removal_bars(s, facts, t));
    add(5, gate(s, facts, Action::Release, t).bars());
    allowed
}

/// The actions counted by an evaluation, in the order of its tallies.
pub(crate) const ACTION_NAMES: [&str; 6] = ["arrest", "detain", "continue_detention", "transfer", "remove", "release"];

/// The worklists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WorklistKind {
    /// Deadlines and protections ending within the horizon: appeal windows closing,
    /// voluntary-departure deadlines, custody reviews due, protections and stays expiring.
    Deadlines,
    /// Open cases with an administratively final order, a designated country of removal, a
    /// travel document issued by it and valid on the day, and the gate allowing removal there.
    RemovalReady,
    /// Every other open case, with what blocks its removal, by name.
    Blocked,
    /// Open cases in a tier of the priority policy in force, the highest tier first, each with
    /// the rules that placed it and every factor.
    Priority,
    /// Open cases the priority policy in force routes to supervisor review (a mitigating
    /// factor, or a rule that could not be evaluated), the highest tier first.
    Review,
}

impl WorklistKind {
    /// The kind's name, as the command line and the JSON write it.
    pub fn name(self) -> &'static str {
        match self {
            WorklistKind::Deadlines => "deadlines",
            WorklistKind::RemovalReady => "removal-ready",
            WorklistKind::Blocked => "blocked",
            WorklistKind::Priority => "priority",
            WorklistKind::Review => "review",
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
    /// The rule's stable id: a statutory rule's; what removal needs beyond the gate
    /// (`no_designated_country`, `no_travel_document`,
    /// `travel_document_not_for_designated_country`, `travel_document_expired`); on a
    /// removal-ready row, `designated_country` and `travel_document` beside the final order's
    /// rule; a policy rule's `@id` on the priority worklists.
    pub rule: Cow<'static, str>,
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
            rule: b.rule.name().into(),
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
    /// for a case ready for removal, the final order it rests on; on the priority worklists,
    /// every rule of the policy that counted.
    pub items: Vec<WorkItem>,
    /// On the priority worklists: the case's tier (none: in no tier).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// On the priority worklists: whether a supervisor decides.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supervisor_review: Option<bool>,
}

impl WorklistRow {
    /// A case's row on a priority worklist: its tier, review and every reason.
    pub(crate) fn of_priority(s: &CaseSummary, t: Timestamp, answer: &PriorityAnswer) -> WorklistRow {
        WorklistRow {
            case_id: s.case_id.to_string(),
            stage: s.stage_at(t).name(),
            items: answer
                .reasons
                .iter()
                .map(|r| WorkItem {
                    rule: r.rule.clone().into(),
                    citation: None,
                    reason: match &r.tier {
                        Some(tier) => format!("{} ({}, {tier})", r.reason, r.role),
                        None => format!("{} ({})", r.reason, r.role),
                    },
                    due: None,
                    basis: r.basis.clone(),
                })
                .collect(),
            tier: answer.tier.clone(),
            supervisor_review: Some(answer.supervisor_review),
        }
    }
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

/// Where the law on designating the country of removal is.
const DESIGNATION_CITATION: &str = "INA 241(b); 8 CFR 1240.12(d)";

/// What removal needs beyond the gate, on `today` (the case's local date): a designated
/// country of removal, and a travel document issued by that country and valid that day.
fn travel_blockers(s: &CaseSummary, today: docket_core::Date) -> Vec<WorkItem> {
    let item = |rule: &'static str, citation, reason: String, basis: Vec<String>| WorkItem {
        rule: rule.into(),
        citation,
        reason,
        due: None,
        basis,
    };
    let mut out = Vec::new();
    let designated = s.designated_country;
    if designated.is_none() {
        out.push(item(
            "no_designated_country",
            Some(DESIGNATION_CITATION),
            "no country of removal has been designated".into(),
            vec![],
        ));
    }
    match s.travel_document {
        None => out.push(item("no_travel_document", None, "no travel document has been obtained".into(), vec![])),
        Some(d) => {
            if let Some((c, e)) = designated.filter(|(c, _)| *c != d.issuing_country) {
                out.push(item(
                    "travel_document_not_for_designated_country",
                    None,
                    format!(
                        "the travel document was issued by {}, not by {c}, the designated country",
                        d.issuing_country
                    ),
                    vec![d.event.to_string(), e.to_string()],
                ));
            }
            if !d.valid_on(today) {
                let expiry = d.expiry.map(|e| e.to_string()).unwrap_or_default();
                out.push(item(
                    "travel_document_expired",
                    None,
                    format!("the travel document expired on {expiry}"),
                    vec![d.event.to_string()],
                ));
            }
        }
    }
    out
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
    let row = |items| WorklistRow {
        case_id: s.case_id.to_string(),
        stage: s.stage_at(t).name(),
        items,
        tier: None,
        supervisor_review: None,
    };
    match kind {
        WorklistKind::Deadlines => {
            let horizon = s.local_date(t).add_days(within_days);
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
                            rule: d.rule.name().into(),
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
                let last = s.local_date(until.plus_seconds(-1));
                if last <= horizon {
                    items.push((
                        last,
                        WorkItem {
                            rule: p.rule.name().into(),
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
        // The priority worklists are answered over the whole docket at once (`App::worklist`).
        WorklistKind::Priority | WorklistKind::Review => None,
        WorklistKind::RemovalReady | WorklistKind::Blocked => {
            let mut blockers: Vec<WorkItem> = removal_bars(s, facts, t).iter().map(WorkItem::of_bar).collect();
            blockers.extend(travel_blockers(s, s.local_date(t)));
            match (kind, blockers.is_empty()) {
                (WorklistKind::RemovalReady, true) => {
                    let final_order = s.final_order.as_ref().map(|f| WorkItem {
                        rule: f.rule.name().into(),
                        citation: f.rule.citation(),
                        reason: format!("the order of removal is final since {}", f.at),
                        due: None,
                        basis: f.basis.iter().map(ToString::to_string).collect(),
                    });
                    let designated = s.designated_country.map(|(c, e)| WorkItem {
                        rule: "designated_country".into(),
                        citation: Some(DESIGNATION_CITATION),
                        reason: format!("removal is to {c}, the designated country"),
                        due: None,
                        basis: vec![e.to_string()],
                    });
                    let document = s.travel_document.map(|d| WorkItem {
                        rule: "travel_document".into(),
                        citation: None,
                        reason: match d.expiry {
                            Some(e) => {
                                format!("a travel document issued by {} is valid through {e}", d.issuing_country)
                            }
                            None => format!("a travel document issued by {} bears no expiry", d.issuing_country),
                        },
                        due: d.expiry.map(|e| e.to_string()),
                        basis: vec![d.event.to_string()],
                    });
                    Some((None, row(final_order.into_iter().chain(designated).chain(document).collect())))
                }
                (WorklistKind::Blocked, false) => Some((None, row(blockers))),
                _ => None,
            }
        }
    }
}
