//! The statutory gate over a whole docket: every case's projection turned once into the
//! intervals of time during which each rule bars each action, so that every action's gate for
//! every case is answered at an instant in one pass, without reading a `CaseSummary` again.
//!
//! Each bar of [`gate`] holds over an interval of instants `[from, until)` fixed by the
//! projection and the person's facts — the case's latest event (`fact_unknown` before it), a
//! stay or protection in force, the voluntary-departure period, the instant of finality, a
//! claim to US citizenship raised and resolved, custody begun, the six-month post-order date —
//! or over all time (a case never opened, a pending protection claim, a citizenship claim in
//! this case). An end not recorded is no end: the interval runs for ever, and the action is
//! barred (fail closed), as the core's bars say. A verified departure is a local date, so its
//! interval is on the local calendar of the instant asked about, as the core reads it. Grants
//! of withholding or CAT protection are kept with their country, and each case's designated
//! country of removal, for the destination asked ([`Destination`]).
//!
//! [`StatutoryColumns::evaluate`] gives, per action, the rows denied and how many cases each
//! rule bars; [`StatutoryColumns::rules`] one row's rules; [`StatutoryBatch::answer`] the full
//! decision, with words and events, from the case's projection by [`gate`] itself.
//!
//! INVARIANT: for every case, action and instant, the rows denied and the rules named are
//! exactly [`gate`]'s (removal to a named country), [`gate_removal_unstated`]'s (removal to
//! a country not stated) or [`gate_removal`]'s (removal to each case's designated country). `tests/gate_columns.rs` checks it on random histories at every
//! instant the projections hold, one second either side, and random instants.

use docket_core::{
    CaseSummary, CitizenshipFinding, CitizenshipStatus, Country, PersonFacts, ProtectionKind, Rule, Timestamp,
};

use crate::action::Action;
use crate::facts::Bits;
use crate::gate::{GateDecision, RULES, gate, gate_removal, gate_removal_unstated};

/// The actions a docket is evaluated for, in the order of [`StatutoryBatch::denied`]: removal's
/// destination is given to [`StatutoryColumns::evaluate`].
pub const ACTIONS: [&str; 6] = ["arrest", "detain", "continue_detention", "transfer", "remove", "release"];

const ARREST: u16 = 1;
const DETAIN: u16 = 1 << 1;
const CONTINUE: u16 = 1 << 2;
const TRANSFER: u16 = 1 << 3;
const REMOVE: u16 = 1 << 4;
const RELEASE: u16 = 1 << 5;
/// The actions that hold a person in custody (TPS bars them all).
const CUSTODY: u16 = ARREST | DETAIN | CONTINUE | TRANSFER;
/// Every action but release.
const ENFORCEMENT: u16 = CUSTODY | REMOVE;

/// An interval's code: the rule's index in [`RULES`] (5 bits), the actions it bars (6 bits),
/// and whether its bounds are local seconds (the instant's local date, for a departure).
const RULE_BITS: u16 = 0x1f;
const ACTION_SHIFT: u16 = 5;
const LOCAL: u16 = 1 << 11;

const FOREVER: i64 = i64::MAX;
const ALWAYS: i64 = i64::MIN;

/// The country of removal a docket's removal gate is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination {
    /// A country not stated: every grant of withholding or CAT protection bars removal.
    Unstated,
    /// The same country for every case.
    To(Country),
    /// Each case's designated country of removal, and a country not stated where none is
    /// designated ([`gate_removal`]).
    Designated,
}

impl Destination {
    /// The country asked for `case`; none when not stated.
    pub fn for_case(self, case: &CaseSummary) -> Option<Country> {
        self.resolve(case.designated_country.map(|(c, _)| c))
    }

    fn resolve(self, designated: Option<Country>) -> Option<Country> {
        match self {
            Destination::Unstated => None,
            Destination::To(c) => Some(c),
            Destination::Designated => designated,
        }
    }
}

/// The column of `action` in [`ACTIONS`].
pub fn action_column(action: Action) -> usize {
    match action {
        Action::Arrest => 0,
        Action::Detain => 1,
        Action::ContinueDetention => 2,
        Action::Transfer => 3,
        Action::Remove { .. } => 4,
        Action::Release => 5,
    }
}

/// The index of `rule` in [`RULES`].
fn rule_index(rule: Rule) -> u16 {
    // Every rule the gate names is in `RULES` (property-tested in `tests/gate_props.rs`);
    // should one not be, the columns deny under `fact_unknown`, closed, and the differential
    // test names the disagreement.
    RULES.iter().position(|r| *r == rule).unwrap_or(0) as u16
}

fn secs(t: Timestamp) -> i64 {
    t.unix_seconds()
}

/// A docket's statutory bars as intervals of time, row by row in the order pushed.
#[derive(Debug, Clone, Default)]
pub struct StatutoryColumns {
    /// Row `r`'s intervals are `starts[r]..starts[r + 1]`.
    starts: Vec<usize>,
    from: Vec<i64>,
    until: Vec<i64>,
    code: Vec<u16>,
    /// Grants of country protection: the row (ascending), the rule's index, the country.
    grant_rows: Vec<usize>,
    grant_rules: Vec<u16>,
    grant_countries: Vec<Option<Country>>,
    /// Each row's designated country of removal.
    designated: Vec<Option<Country>>,
}

impl StatutoryColumns {
    /// Empty columns with room for `rows` cases.
    pub fn with_capacity(rows: usize) -> StatutoryColumns {
        let mut starts = Vec::with_capacity(rows + 1);
        starts.push(0);
        StatutoryColumns {
            starts,
            from: Vec::with_capacity(rows * 5),
            until: Vec::with_capacity(rows * 5),
            code: Vec::with_capacity(rows * 5),
            designated: Vec::with_capacity(rows),
            ..StatutoryColumns::default()
        }
    }

    /// Cases held.
    pub fn len(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    /// Whether no case is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Intervals held, over every row.
    pub fn intervals(&self) -> usize {
        self.code.len()
    }

    fn bar(&mut self, rule: Rule, actions: u16, from: i64, until: i64) {
        if from < until {
            self.from.push(from);
            self.until.push(until);
            self.code.push(rule_index(rule) | actions << ACTION_SHIFT);
        }
    }

    /// Adds a case: its projection and what is known of its person beyond it (as [`gate`]
    /// takes them). Its row is the number of cases pushed before it.
    pub fn push(&mut self, case: &CaseSummary, person: &PersonFacts) {
        if self.starts.is_empty() {
            self.starts.push(0);
        }
        let row = self.len();
        let detained = case.detained_since.map(secs);
        self.designated.push(case.designated_country.map(|(c, _)| c));

        // Release, and continued detention or transfer, of nobody in custody; detention of
        // somebody already in custody.
        self.bar(Rule::NothingToActOn, RELEASE | CONTINUE | TRANSFER, ALWAYS, detained.unwrap_or(FOREVER));
        if let Some(d) = detained {
            self.bar(Rule::NothingToActOn, DETAIN, d, FOREVER);
        }

        // What the gate cannot know: once for all time, else before the latest event.
        if case.opened_at.is_none() || case.person_id.is_none() || !case.anomalies.is_empty() {
            self.bar(Rule::FactUnknown, ENFORCEMENT, ALWAYS, FOREVER);
        } else if let Some(latest) = case.last_effective_at {
            self.bar(Rule::FactUnknown, ENFORCEMENT, ALWAYS, secs(latest));
        }
        if let Some((_, at)) = case.closed {
            self.bar(Rule::CaseClosed, ENFORCEMENT, secs(at), FOREVER);
        }

        // The bars on the person (`CaseSummary::bars_to_enforcement`).
        match case.citizenship {
            CitizenshipStatus::Citizen => self.bar(Rule::CitizenshipEstablished, ENFORCEMENT, ALWAYS, FOREVER),
            CitizenshipStatus::Pending => self.bar(Rule::CitizenshipClaimPending, ENFORCEMENT, ALWAYS, FOREVER),
            CitizenshipStatus::NoClaim | CitizenshipStatus::NotCitizen => {}
        }
        for (_, claim) in &person.claims_elsewhere {
            let resolved = claim.resolved.map_or(FOREVER, |(_, f)| secs(f.at));
            self.bar(Rule::CitizenshipClaimPending, ENFORCEMENT, secs(claim.raised.at), resolved);
            if claim.resolved.is_some_and(|(finding, _)| finding == CitizenshipFinding::Citizen) {
                self.bar(Rule::CitizenshipEstablished, ENFORCEMENT, resolved, FOREVER);
            }
        }
        if let Some(at) = case.removed_at {
            self.bar(Rule::AlreadyLeft, ENFORCEMENT, secs(at), FOREVER);
        }
        if let Some(day) = case.departed_on {
            // From the start of the departure's date on the local calendar of the instant asked
            // about (`departed_on <= t.local_date()`).
            self.from.push(i64::from(day.days_since_epoch()) * 86_400);
            self.until.push(FOREVER);
            self.code.push(rule_index(Rule::AlreadyLeft) | ENFORCEMENT << ACTION_SHIFT | LOCAL);
        }

        // The bars to removal (`CaseSummary::bars_to_removal`).
        for p in &case.protections {
            self.bar(p.rule, REMOVE, secs(p.from), p.until.map_or(FOREVER, secs));
        }
        if let Some(vd) = &case.voluntary_departure {
            // Open and not yet met: before it ends and before the departure.
            let until = vd.met.map_or(FOREVER, |m| secs(m.at)).min(secs(vd.ends_at));
            self.bar(vd.rule, REMOVE, ALWAYS, until);
        }
        if !case.pending_protection_claims.is_empty() {
            self.bar(Rule::PendingProtectionClaim, REMOVE, ALWAYS, FOREVER);
        }
        for g in &case.country_protections {
            let rule = match g.protection.relief {
                docket_core::ReliefKind::Cat => Rule::CatProtectionAsToCountry,
                _ => Rule::WithholdingAsToCountry,
            };
            self.grant_rows.push(row);
            self.grant_rules.push(rule_index(rule));
            self.grant_countries.push(g.protection.country);
        }
        let finality = case.final_order.as_ref().map_or(FOREVER, |f| secs(f.at));
        self.bar(Rule::NoFinalOrder, REMOVE, ALWAYS, finality);

        // The custody bars (the gate's own).
        for p in case.protections.iter().filter(|p| p.kind == ProtectionKind::Tps) {
            self.bar(Rule::TpsBarsDetention, CUSTODY, secs(p.from), p.until.map_or(FOREVER, secs));
        }
        if let Some(d) = detained {
            for review in
                case.custody_reviews.iter().filter(|r| r.rule == Rule::PostOrderSixMonthReview && r.closed_by.is_none())
            {
                // Overdue once past, until reviewed; and only of a person in custody.
                let until = review.met.map_or(FOREVER, |m| secs(m.at));
                self.bar(Rule::PostOrderSixMonthReview, CONTINUE | TRANSFER, secs(review.ends_at).max(d), until);
            }
        }
        self.starts.push(self.code.len());
    }

    /// The rules barring each action on `row` at `at` (with `local`, the instant's local
    /// seconds), as bit sets over [`RULES`], one per action in the order of [`ACTIONS`].
    fn row_rules(&self, row: usize, at: i64, local: i64, destination: Destination, grant: &mut usize) -> [u32; 6] {
        let destination = destination.resolve(self.designated[row]);
        let mut rules = [0u32; 6];
        for k in self.starts[row]..self.starts[row + 1] {
            let code = self.code[k];
            let t = if code & LOCAL == 0 { at } else { local };
            if self.from[k] <= t && t < self.until[k] {
                let bit = 1u32 << (code & RULE_BITS);
                let actions = code >> ACTION_SHIFT;
                for (a, r) in rules.iter_mut().enumerate() {
                    // Branch-free: all ones when the interval bars action `a`.
                    *r |= bit & 0u32.wrapping_sub(u32::from(actions >> a & 1));
                }
            }
        }
        while *grant < self.grant_rows.len() && self.grant_rows[*grant] == row {
            let country = self.grant_countries[*grant];
            // A grant as to a country not recorded bars removal anywhere; any grant bars
            // removal to a country not stated.
            if country.is_none() || destination.is_none() || country == destination {
                rules[4] |= 1 << self.grant_rules[*grant];
            }
            *grant += 1;
        }
        rules
    }

    /// The rules, in the order of [`RULES`], that bar the action of column `action` (see
    /// [`ACTIONS`]) on `row` at `at`, removal being to `destination`. Empty when the action is
    /// allowed.
    pub fn rules(&self, row: usize, action: usize, destination: Destination, at: Timestamp) -> Vec<Rule> {
        let mut grant = self.grant_rows.partition_point(|r| *r < row);
        let set = self.row_rules(row, secs(at), local_seconds(at), destination, &mut grant)[action];
        RULES.iter().enumerate().filter(|(i, _)| set >> i & 1 == 1).map(|(_, r)| *r).collect()
    }

    /// Every action's gate on every row at `at`, removal being to `destination` (docket-app
    /// asks [`Destination::Designated`]), on up to `threads` threads.
    pub fn evaluate(&self, at: Timestamp, destination: Destination, threads: usize) -> StatutoryBatch {
        let rows = self.len();
        let words = rows.div_ceil(64);
        let mut denied: [Bits; 6] = std::array::from_fn(|_| Bits::zeros(rows));
        let threads = threads.clamp(1, 64);
        let per = words.div_ceil(threads).max(1);
        // Each thread fills its own range of words of every action's set, and counts apart.
        let mut parts: Vec<Vec<&mut [u64]>> = (0..threads).map(|_| Vec::new()).collect();
        for bits in denied.iter_mut() {
            for (t, chunk) in bits.words_mut().chunks_mut(per).enumerate() {
                parts[t].push(chunk);
            }
        }
        let (t, local) = (secs(at), local_seconds(at));
        let counts: Vec<[[u64; RULES.len()]; 6]> = std::thread::scope(|scope| {
            let handles: Vec<_> = parts
                .into_iter()
                .enumerate()
                .filter(|(_, p)| !p.is_empty())
                .map(|(n, mut out)| {
                    scope.spawn(move || {
                        let first = n * per * 64;
                        let last = (first + per * 64).min(rows);
                        let mut counts = [[0u64; RULES.len()]; 6];
                        let mut grant = self.grant_rows.partition_point(|r| *r < first);
                        for row in first..last {
                            let rules = self.row_rules(row, t, local, destination, &mut grant);
                            let (w, b) = ((row - first) / 64, row % 64);
                            for (a, set) in rules.iter().enumerate() {
                                out[a][w] |= u64::from(*set != 0) << b;
                                let mut s = *set;
                                while s != 0 {
                                    counts[a][s.trailing_zeros() as usize] += 1;
                                    s &= s - 1;
                                }
                            }
                        }
                        counts
                    })
                })
                .collect();
            // A worker that panicked is a bug in this module, not a fact of the docket.
            handles.into_iter().map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
        });
        let mut by_rule = [[0u64; RULES.len()]; 6];
        for c in counts {
            for (a, row) in c.iter().enumerate() {
                for (r, n) in row.iter().enumerate() {
                    by_rule[a][r] += n;
                }
            }
        }
        StatutoryBatch { at, destination, denied, by_rule }
    }
}

/// The instant's seconds on its own local calendar: what a local date is compared against.
fn local_seconds(at: Timestamp) -> i64 {
    secs(at) + i64::from(at.offset_minutes()) * 60
}

/// Every action's statutory gate on every row of a docket at one instant.
#[derive(Debug, Clone)]
pub struct StatutoryBatch {
    /// The instant asked about.
    pub at: Timestamp,
    /// The country of removal asked about.
    pub destination: Destination,
    /// Per action, in the order of [`ACTIONS`], the rows where it is denied.
    pub denied: [Bits; 6],
    /// Per action, per rule of [`RULES`], the cases where the rule bars the action (a case
    /// barred by several rules counts under each).
    pub by_rule: [[u64; RULES.len()]; 6],
}

impl StatutoryBatch {
    /// The full decision for one row, with every bar's words and events: [`gate`] asked of
    /// the row's projection and person (the columns keep neither). Its allow or deny, and
    /// its rules, are the batch's for that row.
    pub fn answer(&self, case: &CaseSummary, person: &PersonFacts, action: usize) -> GateDecision {
        decision(case, person, action, self.destination, self.at)
    }

    /// The rows denied under `rule` for the action of column `action`: how many.
    pub fn barred_by(&self, action: usize, rule: Rule) -> u64 {
        RULES.iter().position(|r| *r == rule).map_or(0, |i| self.by_rule[action][i])
    }
}

/// The statutory gate for the action of column `action` (see [`ACTIONS`]), removal being to
/// `destination`: [`gate`], [`gate_removal_unstated`] or [`gate_removal`].
pub fn decision(
    case: &CaseSummary,
    person: &PersonFacts,
    action: usize,
    destination: Destination,
    at: Timestamp,
) -> GateDecision {
    let action = match action {
        0 => Action::Arrest,
        1 => Action::Detain,
        2 => Action::ContinueDetention,
        3 => Action::Transfer,
        4 => match destination {
            Destination::To(to) => Action::Remove { to },
            Destination::Unstated => return gate_removal_unstated(case, person, at),
            Destination::Designated => return gate_removal(case, person, at),
        },
        _ => Action::Release,
    };
    gate(case, person, action, at)
}
