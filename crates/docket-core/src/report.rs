//! The supervisor's overview of a docket as of an instant: cases by stage, detention,
//! protections, deadlines coming due and custody reviews owed. Built by folding
//! [`CaseSummary`] values, so it reads the projections in bulk and never the events.

use std::collections::BTreeMap;

use std::collections::BTreeSet;

use crate::clocks::Rule;
use crate::event::ReliefKind;
use crate::ids::PersonId;
use crate::summary::{CaseSummary, CitizenshipStatus, PersonFacts, Stage};
use crate::time::Timestamp;

/// Counts over a docket as of one instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocketReport {
    /// The instant the report is as of.
    pub as_of: Timestamp,
    /// How far ahead "coming due" looks, in days.
    pub horizon_days: i32,
    /// Cases counted.
    pub cases: u64,
    /// Cases by stage.
    pub by_stage: BTreeMap<Stage, u64>,
    /// Open cases whose person is detained.
    pub detained: u64,
    /// Open cases with a protection or stay in force, by protection name.
    pub protected: BTreeMap<&'static str, u64>,
    /// Open cases with at least one protection or stay in force.
    pub protected_cases: u64,
    /// Pending applications for relief, by kind.
    pub pending_relief: BTreeMap<ReliefKind, u64>,
    /// Claims to US citizenship awaiting resolution.
    pub citizenship_claims_pending: u64,
    /// Deadlines falling due within the horizon, by rule.
    pub deadlines_due: BTreeMap<Rule, u64>,
    /// Custody reviews of detained persons whose date has passed with no review recorded.
    pub custody_reviews_past_due: u64,
    /// Custody reviews of detained persons falling due within the horizon.
    pub custody_reviews_due: u64,
    /// Final orders with a travel document on file and no bar to removal (as
    /// [`CaseSummary::bars_to_removal`] computes them, a citizenship claim in any of the
    /// person's cases included). Complete once [`DocketReport::finish`] has run.
    pub final_orders_unprotected: u64,
    /// Persons with an unresolved citizenship claim in some case.
    claimants: BTreeSet<PersonId>,
    /// Cases without a bar of their own, by person, until the claims of every case are known.
    removable: Vec<Option<PersonId>>,
    /// Cases whose history holds events the fold had to note as anomalies.
    pub with_anomalies: u64,
}

impl DocketReport {
    /// An empty report as of `as_of`, looking `horizon_days` ahead.
    pub fn new(as_of: Timestamp, horizon_days: i32) -> DocketReport {
        DocketReport {
            as_of,
            horizon_days,
            cases: 0,
            by_stage: BTreeMap::new(),
            detained: 0,
            protected: BTreeMap::new(),
            protected_cases: 0,
            pending_relief: BTreeMap::new(),
            citizenship_claims_pending: 0,
            deadlines_due: BTreeMap::new(),
            custody_reviews_past_due: 0,
            custody_reviews_due: 0,
            final_orders_unprotected: 0,
            with_anomalies: 0,
            claimants: BTreeSet::new(),
            removable: Vec::new(),
        }
    }

    /// Counts one case.
    pub fn add(&mut self, s: &CaseSummary) {
        let t = self.as_of;
        self.cases += 1;
        let stage = s.stage_at(t);
        *self.by_stage.entry(stage).or_default() += 1;
        if !s.anomalies.is_empty() {
            self.with_anomalies += 1;
        }
        if !s.open_at(t) {
            return;
        }
        if s.detained_since.is_some_and(|d| d <= t) {
            self.detained += 1;
            let horizon = t.local_date().add_days(self.horizon_days);
            for r in &s.custody_reviews {
                if r.overdue_at(t) {
                    self.custody_reviews_past_due += 1;
                } else if r.pending_at(t) && r.due <= horizon {
                    self.custody_reviews_due += 1;
                }
            }
        }
        let mut any = false;
        let mut seen: Vec<&'static str> = Vec::new();
        for p in s.protections_in_force(t) {
            any = true;
            if !seen.contains(&p.kind.name()) {
                seen.push(p.kind.name());
                *self.protected.entry(p.kind.name()).or_default() += 1;
            }
        }
        if any {
            self.protected_cases += 1;
        }
        for k in &s.pending_relief {
            *self.pending_relief.entry(*k).or_default() += 1;
        }
        if s.citizenship == CitizenshipStatus::Pending {
            self.citizenship_claims_pending += 1;
            if let Some(p) = &s.person_id {
                self.claimants.insert(p.clone());
            }
        }
        for d in s.deadlines_within(t, self.horizon_days) {
            *self.deadlines_due.entry(d.rule).or_default() += 1;
        }
        if stage == Stage::FinalOrder
            && s.travel_document.is_some()
            && s.bars_to_removal(t, &PersonFacts::default(), None).is_empty()
        {
            self.removable.push(s.person_id.clone());
        }
    }

    /// Completes the counts that depend on more than one case of a person: a final order is
    /// not removable while the person has a citizenship claim pending in another case.
    pub fn finish(&mut self) {
        let claimants = &self.claimants;
        self.final_orders_unprotected =
            self.removable.iter().filter(|p| p.as_ref().is_none_or(|p| !claimants.contains(p))).count() as u64;
    }

    /// Open cases (not closed, removed or departed).
    pub fn open_cases(&self) -> u64 {
        let closed: u64 = [Stage::Closed, Stage::Removed, Stage::Departed]
            .iter()
            .map(|s| self.by_stage.get(s).copied().unwrap_or(0))
            .sum();
        self.cases - closed
    }
}
