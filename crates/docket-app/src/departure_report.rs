//! The departure report (`App::departure_report`): what the feed did with the records it
//! received, by day of departure and port; and what the docket shows of the persons who were to
//! leave — for cases with voluntary departure, departed on time, late or not recorded; for cases
//! under a final order, departed versus no departure recorded (suspected still in the country),
//! the distinction the DHS Entry/Exit Overstay Report makes, with the linkage's estimated recall
//! beside it, since a missed link counts someone who left as still here.
//!
//! The feed's figures are the `departure_counts` rows, which outlive the records; the case
//! figures are a scan of the case projections as of the report's instant. What each figure
//! means is in docs/departures.md, "The report".

use std::collections::BTreeMap;
use std::ops::ControlFlow;

use docket_core::{CaseSummary, CloseReason, Date, DepartureOutcome, Timestamp};
use serde::Serialize;

use crate::App;
use crate::error::AppError;
use crate::matching::RecallEstimate;
use crate::views::UnreadableCase;

/// The days a report covers: each bound inclusive, none meaning unbounded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReportWindow {
    /// The first day.
    pub from: Option<Date>,
    /// The last day.
    pub to: Option<Date>,
}

impl ReportWindow {
    /// The window, refused when `from` is after `to`.
    pub fn new(from: Option<Date>, to: Option<Date>) -> Result<ReportWindow, AppError> {
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            return Err(AppError::Invalid { field: "from".into(), reason: format!("{f} is after `to` ({t})") });
        }
        Ok(ReportWindow { from, to })
    }

    /// Whether `day` is inside.
    pub fn contains(&self, day: Date) -> bool {
        self.from.is_none_or(|f| f <= day) && self.to.is_none_or(|t| day <= t)
    }
}

/// What the feed did with the records of one day and port (or of all of them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct FeedCounts {
    /// Records received (each once by its key).
    pub received: i64,
    /// Matched to a person of an open case: clearly, or accepted on review.
    pub verified: i64,
    /// Waiting in the review queue, undecided.
    pub in_review: i64,
    /// Matched to no one, or rejected on review (purged ones included).
    pub unmatched: i64,
    /// Of the unmatched, deleted after the retention window.
    pub purged: i64,
}

impl FeedCounts {
    fn add(&mut self, other: &FeedCounts) {
        self.received += other.received;
        self.verified += other.verified;
        self.in_review += other.in_review;
        self.unmatched += other.unmatched;
        self.purged += other.purged;
    }
}

/// One day and port of the feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayPortRow {
    /// The day of departure.
    pub day: String,
    /// The port.
    pub port: String,
    /// Its counts.
    #[serde(flatten)]
    pub counts: FeedCounts,
}

/// Cases in which voluntary departure was granted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct VoluntaryDepartureFigures {
    /// Cases with a voluntary-departure deadline (in the window, by its last day).
    pub cases: u64,
    /// A verified departure within the period.
    pub on_time: u64,
    /// A verified departure after the period ran out.
    pub late: u64,
    /// No departure verified and the period has run out.
    pub not_recorded: u64,
    /// No departure verified yet, and the period is still running.
    pub still_within_period: u64,
    /// Removed (the alternate order executed) with no departure verified.
    pub removed: u64,
    /// Neither, and the case closed for another reason (the person died, was found a
    /// citizen, relief, termination, administrative closure): not expected to leave.
    pub closed_otherwise: u64,
}

/// Cases under an administratively final order of removal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FinalOrderFigures {
    /// Cases whose order is final (in the window, by the day it became final).
    pub cases: u64,
    /// Out of the country: a verified departure.
    pub departed: u64,
    /// Out of the country: removal carried out.
    pub removed: u64,
    /// No departure or removal recorded, the case not closed otherwise: suspected still in
    /// the country.
    pub no_departure_recorded: u64,
    /// Neither, and the case closed for another reason (as for voluntary departure).
    pub closed_otherwise: u64,
    /// The linkage's estimated recall under the model in force; none before a model was
    /// adopted with one.
    pub estimated_recall: Option<RecallEstimate>,
    /// The model in force, if one is.
    pub model: Option<String>,
}

/// The departure report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DepartureReport {
    /// The instant the case figures are as of.
    pub as_of: String,
    /// The first day covered, if bounded.
    pub from: Option<String>,
    /// The last day covered, if bounded.
    pub to: Option<String>,
    /// The feed, by day of departure and port.
    pub days: Vec<DayPortRow>,
    /// The feed, all days and ports of the window.
    pub totals: FeedCounts,
    /// Cases with voluntary departure.
    pub voluntary_departure: VoluntaryDepartureFigures,
    /// Cases with a final order.
    pub final_order: FinalOrderFigures,
    /// Projections that could not be read (in no figure).
    pub unreadable: Vec<UnreadableCase>,
}

/// Whether the case was closed at `at` for a reason other than the person's leaving: they are
/// not expected to leave, and are counted apart rather than as suspected still here.
fn closed_otherwise(s: &CaseSummary, at: Timestamp) -> bool {
    s.closed
        .is_some_and(|(why, when)| when <= at && !matches!(why, CloseReason::DepartureVerified | CloseReason::Removed))
}

impl VoluntaryDepartureFigures {
    fn add(&mut self, s: &CaseSummary, at: Timestamp, window: &ReportWindow) {
        let Some(vd) = &s.voluntary_departure else { return };
        if !window.contains(vd.due) {
            return;
        }
        self.cases += 1;
        let departed = s.departed_on.filter(|d| *d <= s.local_date(at));
        match (departed.and(s.departure_outcome()), s.removed_at.filter(|r| *r <= at)) {
            (Some(DepartureOutcome::VoluntaryDepartureOnTime), _) => self.on_time += 1,
            (Some(_), _) => self.late += 1,
            (None, Some(_)) => self.removed += 1,
            (None, None) if closed_otherwise(s, at) => self.closed_otherwise += 1,
            (None, None) if vd.open_at(at) => self.still_within_period += 1,
            (None, None) => self.not_recorded += 1,
        }
    }
}

impl FinalOrderFigures {
    fn add(&mut self, s: &CaseSummary, at: Timestamp, window: &ReportWindow) {
        let Some(f) = s.final_order.as_ref().filter(|f| f.at <= at) else { return };
        if !window.contains(s.local_date(f.at)) {
            return;
        }
        self.cases += 1;
        if s.departed_on.is_some_and(|d| d <= s.local_date(at)) {
            self.departed += 1;
        } else if s.removed_at.is_some_and(|r| r <= at) {
            self.removed += 1;
        } else if closed_otherwise(s, at) {
            self.closed_otherwise += 1;
        } else {
            self.no_departure_recorded += 1;
        }
    }
}

impl App {
    /// The departure report over `window`: the feed's counts of the days of departure in it,
    /// and the case figures as of now, of the voluntary-departure deadlines and the final
    /// orders falling in it.
    pub fn departure_report(&self, window: ReportWindow) -> Result<DepartureReport, AppError> {
        let at = self.now();
        let bound = |d: Option<Date>, none: &str| d.map_or_else(|| none.to_owned(), |d| d.to_string());
        let rows =
            self.store()?.departure_counts(&bound(window.from, "0000-01-01"), &bound(window.to, "9999-12-31"))?;
        let mut per: BTreeMap<(String, String), FeedCounts> = BTreeMap::new();
        for r in rows {
            let c = per.entry((r.day.clone(), r.port.clone())).or_default();
            let slot = match r.outcome.as_str() {
                "received" => &mut c.received,
                "verified" => &mut c.verified,
                "review" => &mut c.in_review,
                "unmatched" => &mut c.unmatched,
                "purged" => &mut c.purged,
                other => {
                    return Err(AppError::Invalid {
                        field: "departure_counts".into(),
                        reason: format!("unknown outcome `{other}` on {} at {}", r.day, r.port),
                    });
                }
            };
            *slot += r.n;
        }
        let mut totals = FeedCounts::default();
        let days = per
            .into_iter()
            .map(|((day, port), counts)| {
                totals.add(&counts);
                DayPortRow { day, port, counts }
            })
            .collect();
        let (model, estimated_recall) = match self.departure_model_recall()? {
            Some((model, recall)) => (Some(model), recall),
            None => (None, None),
        };
        let mut vd = VoluntaryDepartureFigures::default();
        let mut fo = FinalOrderFigures {
            cases: 0,
            departed: 0,
            removed: 0,
            no_departure_recorded: 0,
            closed_otherwise: 0,
            estimated_recall,
            model,
        };
        let mut unreadable = Vec::new();
        self.store()?.scan_summaries(&mut |s| {
            match s {
                Ok(s) => {
                    vd.add(&s, at, &window);
                    fo.add(&s, at, &window);
                }
                Err(e) => unreadable.push(UnreadableCase { error: e.to_string() }),
            }
            ControlFlow::Continue(())
        })?;
        Ok(DepartureReport {
            as_of: at.to_string(),
            from: window.from.map(|d| d.to_string()),
            to: window.to.map(|d| d.to_string()),
            days,
            totals,
            voluntary_departure: vd,
            final_order: fo,
            unreadable,
        })
    }
}
