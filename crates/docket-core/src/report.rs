//! The supervisor's overview of a docket as of an instant: cases by stage, detention,
//! protections, deadlines coming due and custody reviews owed. Built by folding
//! [`CaseSummary`] values, so it reads the projections in bulk and never the events.

use std::collections::BTreeMap;

use crate::clocks::Rule;
use crate::event::ReliefKind;
use crate::summary::{CaseSummary, CitizenshipStatus, Stage};
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
    /// Custody reviews of detained persons whose date has passed without the person being
    /// released (the review may have been held: Docket counts the clock, not the review).
    pub custody_reviews_past_due: u64,
    /// Custody reviews of detained persons falling due within the horizon.
    pub custody_reviews_due: u64,
    /// Final orders with a travel document on file and nothing in force to stop removal.
    pub final_orders_unprotected: u64,
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
        }
    }

    /// Counts one case.
    pub fn add(&mut self, s: &CaseSummary) {
        let t = self.as_of;
        self.cases += 1;
        let stage = s.stage_at(t);
        *self.by_stage.entry(stage).or_default() += 1;
        if s.anomalies > 0 {
            self.with_anomalies += 1;
        }
        if !s.open_at(t) {
            return;
        }
        if s.detained_since.is_some_and(|d| d <= t) {
            self.detained += 1;
            let horizon = t.local_date().add_days(self.horizon_days);
            for r in &s.custody_reviews {
                if !r.open_at(t) {
                    self.custody_reviews_past_due += 1;
                } else if r.due <= horizon {
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
        }
        for d in s.deadlines_within(t, self.horizon_days) {
            *self.deadlines_due.entry(d.rule).or_default() += 1;
        }
        if stage == Stage::FinalOrder && !any && s.travel_document && s.citizenship != CitizenshipStatus::Pending {
            self.final_orders_unprotected += 1;
        }
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
