//! Rendering the application layer's views as text for people. The JSON output is the views
//! themselves, so every fact shown here is a field there.

use std::fmt::Write as _;

use docket_app::views::{
    AccountingView, BarView, CaseView, DeadlineView, EventRef, PersonView, ReportView, RuleRef, TimelineView,
};
use docket_core::{Rule, Stage};
use docket_store::SCHEMA_VERSION;
use docket_store::migrations::{StepState, StepStatus};

/// The events a result rests on, as their numbers in the case's timeline (`#4, #5`).
fn basis_text(basis: &[EventRef]) -> String {
    let numbers: Vec<String> =
        basis.iter().map(|e| e.number.map_or_else(|| e.event_id.clone(), |n| format!("#{n}"))).collect();
    if numbers.is_empty() { String::new() } else { format!("; events {}", numbers.join(", ")) }
}

fn cite(rule: &RuleRef) -> String {
    rule.citation.unwrap_or(rule.rule).to_owned()
}

fn deadline_text(d: &DeadlineView) -> String {
    let state = if let Some(m) = &d.met_by {
        format!("met by {}", m.number.map_or_else(|| m.event_id.clone(), |n| format!("#{n}")))
    } else if let Some(c) = &d.closed_by {
        format!("closed by {}", c.number.map_or_else(|| c.event_id.clone(), |n| format!("#{n}")))
    } else if d.open {
        format!("{} days left", d.days_left)
    } else if d.overdue {
        "passed, none recorded".to_owned()
    } else {
        "passed".to_owned()
    };
    format!("{} ({}; {}{})", d.due, cite(&d.rule), state, basis_text(&d.basis))
}

fn bar_text(b: &BarView) -> String {
    let citation = b.rule.citation.map(|c| format!(" ({c})")).unwrap_or_default();
    format!("{}{citation}{}", b.reason, basis_text(&b.basis))
}

/// A case's state as text.
pub fn case_text(v: &CaseView) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Case {}  (version {} of {} events recorded)", v.case_id, v.version, v.events_recorded);
    if let Some(p) = &v.person {
        let _ = writeln!(
            out,
            "Person {}  {}  {}  born {}  {}",
            p.person_id,
            p.a_number.as_deref().unwrap_or("no A-number"),
            p.name,
            p.date_of_birth,
            p.nationality.as_deref().unwrap_or("nationality unknown")
        );
    } else if let Some(pid) = &v.person_id {
        let _ = writeln!(out, "Person {pid} (no person record stored)");
    }
    let _ = writeln!(out, "Stage as of {}: {}", v.as_of, v.stage);
    if v.stage == "not_yet_opened" {
        let _ = writeln!(out, "The case had not been opened at that instant.");
        return out;
    }
    match (&v.time_zone, v.time_zone_inferred) {
        (Some(z), false) => {
            let _ = writeln!(out, "Deadlines counted in {z}");
        }
        (Some(z), true) => {
            let _ = writeln!(
                out,
                "Deadlines counted in {z} (no time zone recorded; inferred from the decision's UTC offset)"
            );
        }
        (None, _) if v.decision.is_some() => {
            let _ =
                writeln!(out, "Deadlines counted at the decision's UTC offset (no time zone recorded or inferable)");
        }
        (None, _) => {}
    }
    if let Some(d) = &v.decision {
        let _ = writeln!(out, "Decision: {} on {}", d.text, d.date);
    }
    if let Some(f) = &v.final_order {
        if f.final_now {
            let _ = writeln!(out, "Final order of removal since {} ({}{})", f.at, cite(&f.rule), basis_text(&f.basis));
        } else {
            let _ = writeln!(
                out,
                "Order becomes final at {} unless appealed ({}{})",
                f.at,
                cite(&f.rule),
                basis_text(&f.basis)
            );
        }
    }
    if let Some(p) = &v.removal_period {
        let _ = writeln!(
            out,
            "Removal period: {} to {} ({}{})",
            p.starts_at,
            p.ends_at,
            cite(&p.rule),
            basis_text(&p.basis)
        );
    }
    let protections: Vec<String> = v
        .protections_in_force
        .iter()
        .map(|p| {
            let until = match (p.end, &p.until) {
                (_, Some(u)) => format!("until {u}"),
                ("unknown", None) => "end date unknown (taken to be in force)".to_owned(),
                _ => "until decided or terminated".to_owned(),
            };
            format!("{} {until} ({}{})", p.kind, cite(&p.rule), basis_text(&p.basis))
        })
        .collect();
    let _ = writeln!(
        out,
        "Protections in force: {}",
        if protections.is_empty() { "none".to_owned() } else { protections.join("; ") }
    );
    let mut deadlines: Vec<&DeadlineView> = Vec::new();
    deadlines.extend(v.appeal_deadline.as_ref());
    deadlines.extend(v.voluntary_departure_deadline.as_ref());
    deadlines.extend(v.custody_reviews.iter());
    if !deadlines.is_empty() {
        let _ = writeln!(out, "Deadlines:");
        for d in deadlines {
            let _ = writeln!(out, "  {}: {}", d.what, deadline_text(d));
        }
    }
    if let Some(p) = &v.overstay_penalty {
        let _ = writeln!(
            out,
            "Voluntary departure overstayed at {}: civil penalty of {}; ineligible until {} for {} ({}{})",
            p.since,
            p.civil_penalty,
            p.ineligible_until,
            p.ineligible_for,
            cite(&p.rule),
            basis_text(&p.basis)
        );
    }
    match &v.designated_country {
        Some(d) => {
            let _ = writeln!(out, "Country of removal: {} (designated{})", d.country, basis_text(&d.basis));
        }
        None => {
            let _ = writeln!(out, "Country of removal: none designated");
        }
    }
    if let Some(d) = &v.travel_document {
        let until = d.expiry.as_deref().map_or_else(|| "no expiry".to_owned(), |e| format!("valid through {e}"));
        let state = match (d.valid, d.for_designated_country) {
            (false, _) => "; expired",
            (true, false) if v.designated_country.is_some() => "; not for the designated country",
            _ => "",
        };
        let _ =
            writeln!(out, "Travel document: issued by {}, {until}{state}{}", d.issuing_country, basis_text(&d.basis));
    }
    if v.removal_bars.is_empty() {
        let _ = writeln!(out, "Removal: no bar on the record");
    } else {
        let _ = writeln!(out, "Removal barred:");
        for b in &v.removal_bars {
            let _ = writeln!(out, "  {}", bar_text(b));
        }
    }
    if let Some(g) = &v.gates {
        out.push_str(&gates_text(g));
    }
    if let Some(p) = &v.priority {
        out.push_str(&priority_text(p));
    }
    if let Some(h) = &v.next_hearing {
        let _ = writeln!(out, "Next hearing: {} on {}", h.kind, h.at);
    }
    if let Some(since) = &v.detained_since {
        let _ = writeln!(out, "Detained since {since}");
    }
    if v.arrests > 0 {
        let _ = writeln!(out, "Arrests recorded: {}", v.arrests);
    }
    if v.appeal_reserved {
        let _ = writeln!(out, "Appeal reserved at the hearing");
    }
    if !v.pending_relief.is_empty() {
        let _ = writeln!(out, "Relief pending: {}", v.pending_relief.join(", "));
    }
    if !v.granted_relief.is_empty() {
        let _ = writeln!(out, "Relief granted: {}", v.granted_relief.join(", "));
    }
    if let Some(c) = &v.citizenship_claim {
        let _ = writeln!(out, "Claim to US citizenship: {}{}", c.text, basis_text(&c.basis));
    }
    for f in &v.facts {
        let _ = writeln!(out, "Recorded: {}{}", f.text, basis_text(&f.basis));
    }
    if let Some(c) = &v.closed {
        let _ = writeln!(out, "Closed: {} at {}", c.reason, c.at);
    }
    for a in &v.anomalies {
        let _ = writeln!(out, "Note: event {} — {}", a.event.event_id, a.note);
    }
    out
}

/// One line per event.
pub fn timeline_text(v: &TimelineView) -> String {
    let mut out = String::new();
    for entry in &v.events {
        let e = &entry.event;
        let mut details = Vec::new();
        if let Ok(serde_json::Value::Object(map)) = serde_json::to_value(e) {
            for (k, val) in map {
                if matches!(
                    k.as_str(),
                    "event_id"
                        | "case_id"
                        | "type"
                        | "schema_version"
                        | "effective_at"
                        | "recorded_at"
                        | "recorded_by"
                        | "source"
                        | "idempotency_key"
                        | "reference"
                ) || val.is_null()
                {
                    continue;
                }
                let shown = val.as_str().map(str::to_owned).unwrap_or_else(|| val.to_string());
                details.push(format!("{k}={shown}"));
            }
        }
        let s = |o: &Option<String>| o.clone().unwrap_or_default();
        let _ = writeln!(
            out,
            "{:>3}  {}  {:<28} {}{}",
            entry.number,
            s(&e.effective_at),
            s(&e.event_type),
            details.join(" "),
            e.reference.as_ref().map(|r| format!("  [ref {r}]")).unwrap_or_default()
        );
        let _ = writeln!(
            out,
            "     event {}  recorded {} by {} ({})",
            s(&e.event_id),
            s(&e.recorded_at),
            s(&e.recorded_by),
            s(&e.source)
        );
    }
    out
}

/// A person's record as text: identity facts as recorded, then the person's cases.
pub fn person_text(p: &PersonView) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Person {}", p.person_id);
    let _ = writeln!(out, "  A-number: {}", p.a_number.as_deref().unwrap_or("none assigned"));
    let _ = writeln!(out, "  Name: {}", p.name);
    for a in &p.aliases {
        let _ = writeln!(out, "  Also recorded as: {a}");
    }
    let _ = writeln!(out, "  Born: {}", p.date_of_birth);
    let _ = writeln!(out, "  Sex: {}", p.sex);
    let _ = writeln!(out, "  Nationality: {}", p.nationality.as_deref().unwrap_or("unknown"));
    for d in &p.documents {
        let _ = writeln!(
            out,
            "  {} {} issued by {}{}",
            d.kind,
            d.number,
            d.issuing_country,
            d.expiry.as_ref().map(|e| format!(", expires {e}")).unwrap_or_default()
        );
    }
    let _ = writeln!(out, "Cases as of {}: {}", p.as_of, p.cases.len());
    for c in &p.cases {
        let _ = writeln!(out, "  {}  {} (version {})", c.case_id, c.stage, c.version);
    }
    let _ = writeln!(out, "Identity recorded:");
    for v in &p.history {
        let what = if v.changed.is_empty() { String::new() } else { format!(", corrected {}", v.changed.join(", ")) };
        let _ = writeln!(out, "  version {} on {} by {}{what} ({})", v.version, v.recorded_at, v.recorded_by, v.reason);
    }
    out
}

/// The accounting of disclosures as text.
pub fn accounting_text(a: &AccountingView) -> String {
    let mut s = format!(
        "Accounting of disclosures of {} (5 U.S.C. 552a(c)): {}{}\n",
        a.person_id,
        a.disclosures.len(),
        if a.law_enforcement_withheld {
            " (disclosures to law enforcement under 5 U.S.C. 552a(b)(7) are not listed, as 552a(c)(3) allows)"
        } else {
            ""
        }
    );
    for d in &a.disclosures {
        let _ = write!(
            s,
            "  #{} {}  to {}, {}\n      purpose: {}\n      nature: {}{}\n",
            d.id,
            d.date,
            d.recipient_name,
            d.recipient_address.replace('\n', ", "),
            d.purpose,
            d.nature,
            if d.law_enforcement_b7 { "\n      law-enforcement disclosure under 5 U.S.C. 552a(b)(7)" } else { "" }
        );
    }
    s
}

/// The supervisor's report as text.
pub fn report_text(r: &ReportView) -> String {
    let pct = |n: u64| if r.cases == 0 { 0.0 } else { 100.0 * n as f64 / r.cases as f64 };
    let mut s = format!("Docket as of {}: {} cases, {} open\n\nCases by stage\n", r.as_of, r.cases, r.open_cases);
    for stage in Stage::ALL {
        let n = r.by_stage.get(stage.name()).copied().unwrap_or(0);
        let _ = writeln!(s, "  {:<28} {:>9}  {:>5.1}%", stage.name(), n, pct(n));
    }
    let _ = write!(s, "\nDetained (open cases)          {:>9}\n", r.detained);
    let _ = writeln!(s, "Protected now (open cases)     {:>9}", r.protected_cases);
    for (k, n) in &r.protections {
        let _ = writeln!(s, "  {k:<28} {n:>9}");
    }
    let _ = writeln!(s, "Citizenship claims pending     {:>9}", r.citizenship_claims_pending);
    s.push_str("Relief applications pending\n");
    for (k, n) in &r.pending_relief {
        let _ = writeln!(s, "  {k:<28} {n:>9}");
    }
    let _ = write!(s, "\nDeadlines in the next {} days\n", r.horizon_days);
    if r.deadlines_due.is_empty() {
        s.push_str("  none\n");
    }
    for (rule, n) in &r.deadlines_due {
        let citation = Rule::from_name(rule).and_then(Rule::citation).unwrap_or_default();
        let _ = writeln!(s, "  {rule:<28} {n:>9}  ({citation})");
    }
    let _ = write!(
        s,
        "\nPost-order custody reviews (detained)\n  due in the next {} days       {:>9}\n  date passed, none recorded    {:>9}\n",
        r.horizon_days, r.custody_reviews_due, r.custody_reviews_past_due
    );
    let _ = write!(
        s,
        "\nFinal orders with a travel document and no bar to removal: {}\n",
        r.final_orders_with_travel_document_unprotected
    );
    if r.cases_with_anomalies > 0 {
        let _ = writeln!(s, "Cases with anomalous histories: {}", r.cases_with_anomalies);
    }
    if !r.unreadable.is_empty() {
        let _ = writeln!(s, "Projections that could not be read (not counted): {}", r.unreadable.len());
        for u in r.unreadable.iter().take(10) {
            let _ = writeln!(s, "  {}", u.error);
        }
    }
    s
}

/// The schema's migration steps in a database, one line each, and what follows from them.
pub fn migrations_text(db: &str, steps: &[StepStatus]) -> String {
    let version = steps.iter().filter(|s| s.applied_at.is_some()).map(|s| s.version).max().unwrap_or(0);
    let mut out = format!("database `{db}` is at schema version {version} (this program's: {SCHEMA_VERSION})");
    let width = steps.iter().map(|s| s.name.len()).max().unwrap_or(0);
    let none = || "none".to_owned();
    for s in steps {
        let expected = s.expected_checksum.clone().unwrap_or_else(none);
        let recorded = s.recorded_checksum.clone().unwrap_or_else(none);
        let at = s.applied_at.clone().unwrap_or_default();
        let state = match s.state {
            StepState::Applied => format!("applied {at}, checksum {expected}"),
            StepState::Pending => format!("pending, checksum {expected}"),
            StepState::Changed => {
                format!("CHANGED: applied {at} with checksum {recorded}; this program's checksum is {expected}")
            }
            StepState::Unknown => format!(
                "unknown: applied {at}, before checksums were recorded, so what it applied cannot be checked; this \
                 program's checksum is {expected}"
            ),
            StepState::Missing => format!("MISSING: not recorded, though a later step is; checksum {expected}"),
            StepState::Unrecognized => {
                format!("UNRECOGNIZED: applied {at} with checksum {recorded}, and not a step of this program")
            }
        };
        let renamed = s.recorded_name.as_ref().map(|n| format!(" (recorded as `{n}`)")).unwrap_or_default();
        let _ = write!(out, "\n  {:>2} {:<width$}  {state}{renamed}", s.version, s.name);
    }
    let count = |state: StepState| steps.iter().filter(|s| s.state == state).count();
    let refused: Vec<String> = steps
        .iter()
        .filter(|s| s.state.is_refused())
        .map(|s| format!("step {} `{}` is {}", s.version, s.name, s.state.name()))
        .collect();
    if !refused.is_empty() {
        let _ =
            write!(out, "\nrefused: {}; this program will neither open nor migrate the database", refused.join(", "));
    } else if count(StepState::Pending) > 0 {
        let _ = write!(out, "\n{} step(s) pending: `docket init` applies them", count(StepState::Pending));
    }
    if count(StepState::Unknown) > 0 && refused.is_empty() {
        let _ = write!(
            out,
            "\n{} step(s) applied before checksums were recorded: reported as unknown, not as matching",
            count(StepState::Unknown)
        );
    }
    out
}

/// A reason a gate gives, as one line: the reason, its rule and citation, its events.
fn reason_text(r: &docket_app::gates::ReasonView) -> String {
    let citation = r.citation.as_deref().map(|c| format!("; {c}")).unwrap_or_default();
    let basis = if r.basis.is_empty() { String::new() } else { format!("; events {}", r.basis.join(", ")) };
    format!("{} ({}{citation}{basis})", r.reason, r.rule)
}

/// An agency policy's reason, as one line: the reason, its rule and role, its events.
fn policy_reason_text(r: &docket_app::gates::PolicyReason) -> String {
    let tier = r.tier.as_deref().map(|t| format!(" {t}")).unwrap_or_default();
    let basis = if r.basis.is_empty() { String::new() } else { format!("; events {}", r.basis.join(", ")) };
    format!("{} ({}; {}{tier}{basis})", r.reason, r.rule, r.role)
}

/// A case's gates as text: each action allowed, or denied with every reason, the statutory
/// layer's and the agency policy's.
pub fn gates_text(g: &docket_app::gates::CaseGatesView) -> String {
    let mut out = String::new();
    match &g.removal_destination {
        Some(c) => {
            let _ = writeln!(out, "Gates ({} layer; removal to {c}, the designated country):", g.layer);
        }
        None => {
            let _ = writeln!(out, "Gates ({} layer; removal to a country not stated: none is designated):", g.layer);
        }
    }
    for (k, a) in g.actions.iter().enumerate() {
        let agency = g.agency.get(k);
        let decision = agency.map_or(a.decision, |x| x.decision);
        match decision {
            docket_app::gates::Verdict::Allow => {
                let _ = writeln!(out, "  {:<19} allowed", a.action);
            }
            docket_app::gates::Verdict::Deny => {
                let _ = writeln!(out, "  {:<19} denied", a.action);
                for r in &a.reasons {
                    let _ = writeln!(out, "      {}", reason_text(r));
                }
                for r in agency.map(|x| x.reasons.as_slice()).unwrap_or_default() {
                    let _ = writeln!(out, "      agency: {}", policy_reason_text(r));
                }
            }
        }
    }
    if let Some(p) = &g.agency_policy_in_force {
        let _ = writeln!(out, "  agency gate policy in force: `{}` version `{}` ({})", p.policy_id, p.version, p.leaf);
    }
    out
}

/// A case's priority as text: the tier, supervisor review, every reason.
pub fn priority_text(p: &docket_app::gates::CasePriorityView) -> String {
    let mut out = String::new();
    let a = &p.answer;
    let _ = writeln!(
        out,
        "Priority under `{}` version `{}` ({}): {}{}",
        p.policy.policy_id,
        p.policy.version,
        p.policy.leaf,
        a.tier.as_deref().unwrap_or("no tier"),
        if a.supervisor_review { ", to supervisor review" } else { "" }
    );
    for r in &a.reasons {
        let _ = writeln!(out, "      {}", policy_reason_text(r));
    }
    out
}

/// A whole-docket evaluation as text.
pub fn evaluation_text(v: &docket_app::gates::EvaluationView) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Gates of {} cases as of {} ({} layer; removal to each case's designated country)",
        v.cases, v.as_of, v.layer
    );
    for a in &v.actions {
        let _ = writeln!(out, "  {:<19} allowed {:>9}  denied {:>9}", a.action, a.allowed, a.denied);
        for r in &a.by_rule {
            let citation = r.citation.map(|c| format!(" ({c})")).unwrap_or_default();
            let _ = writeln!(out, "      {:>9}  {}{citation}", r.cases, r.rule);
        }
        for r in &a.by_agency_rule {
            let errors = if r.errors > 0 { format!(", {} not evaluable", r.errors) } else { String::new() };
            let _ = writeln!(out, "      {:>9}  agency: {}{errors}", r.cases, r.rule);
        }
    }
    if let Some(p) = &v.agency_policy_in_force {
        let _ = writeln!(out, "Agency gate policy in force: `{}` version `{}` ({})", p.policy_id, p.version, p.leaf);
    }
    if let Some(p) = &v.priority {
        let _ = writeln!(
            out,
            "Priority under `{}` version `{}` ({}): {} to supervisor review",
            p.policy.policy_id, p.policy.version, p.policy.leaf, p.supervisor_review
        );
        for t in &p.tiers {
            let _ = writeln!(out, "  {:<19} {:>9}", t.tier, t.cases);
        }
        let _ = writeln!(out, "  {:<19} {:>9}", "no tier", p.no_tier);
        for r in &p.by_rule {
            let errors = if r.errors > 0 { format!(", {} not evaluable", r.errors) } else { String::new() };
            let _ = writeln!(out, "      {:>9}  {} ({}{errors})", r.cases, r.rule, r.role);
        }
    }
    if !v.unreadable.is_empty() {
        let _ = writeln!(out, "Unreadable projections: {}", v.unreadable.len());
    }
    let _ = writeln!(out, "Recorded as a read of the docket: {}", v.recorded_as);
    out
}

/// A worklist as text.
pub fn worklist_text(v: &docket_app::gates::WorklistView) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Worklist {}: {} case(s) as of {}{}",
        v.kind.name(),
        v.matching,
        v.as_of,
        if (v.rows.len() as u64) < v.matching { format!(", the first {} shown", v.rows.len()) } else { String::new() }
    );
    for row in &v.rows {
        let tier = match (&row.tier, row.supervisor_review) {
            (Some(t), Some(true)) => format!("  {t}, to supervisor review"),
            (Some(t), _) => format!("  {t}"),
            (None, Some(true)) => "  no tier, to supervisor review".to_owned(),
            _ => String::new(),
        };
        let _ = writeln!(out, "{}  {}{tier}", row.case_id, row.stage);
        for i in &row.items {
            let due = i.due.as_deref().map(|d| format!("{d}  ")).unwrap_or_default();
            let citation = i.citation.map(|c| format!("; {c}")).unwrap_or_default();
            let basis = if i.basis.is_empty() { String::new() } else { format!(", event {}", i.basis.join(", ")) };
            let _ = writeln!(out, "    {due}{}{basis} ({}{citation})", i.reason, i.rule);
        }
    }
    if !v.unreadable.is_empty() {
        let _ = writeln!(out, "Unreadable projections: {}", v.unreadable.len());
    }
    out
}

/// A policy file checked, as text.
pub fn policy_check_text(v: &docket_app::policies::PolicyCheckView) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} policy `{}` version `{}`, dated {}, valid against the schema of adjudicated facts",
        v.file,
        v.kind.name(),
        v.policy_id,
        v.version,
        v.effective
    );
    if !v.tiers.is_empty() {
        let _ = writeln!(out, "tiers, highest first: {}", v.tiers.join(", "));
    }
    for r in &v.rules {
        let tier = r.tier.as_deref().map(|t| format!(" {t}")).unwrap_or_default();
        let actions = if r.actions.is_empty() { String::new() } else { format!(" on {}", r.actions.join(", ")) };
        let _ = writeln!(out, "  {} ({}{tier}{actions}): {}", r.id, r.role, r.reason);
        let _ = writeln!(out, "      reads {}", r.facts.join(", "));
    }
    let _ = writeln!(out, "sha256 {}", v.sha256);
    out
}

/// Policy tests run, as text: each failure with what differed, then the totals.
pub fn policy_tests_text(r: &docket_app::policies::TestReport) -> String {
    let mut out = String::new();
    for c in &r.cases {
        if c.passed {
            let _ = writeln!(out, "ok    {}: {}", c.file, c.name);
        } else {
            let _ = writeln!(out, "FAIL  {}: {}", c.file, c.name);
            for f in &c.failures {
                let _ = writeln!(out, "      {f}");
            }
        }
    }
    if r.cases.is_empty() {
        let _ = writeln!(out, "no test cases found: a test file is named `*.test.toml`");
    }
    let _ = writeln!(out, "{} passed, {} failed", r.passed(), r.failed());
    out
}

/// A policy diff as text: the counts, then each kind of move with its rule and examples.
pub fn policy_diff_text(v: &docket_app::policies::PolicyDiffView, examples: usize) -> String {
    let d = &v.diff;
    let mut out = String::new();
    let _ = writeln!(out, "{} -> {} over {} cases as of {}", d.old, d.new, d.cases, v.as_of);
    let _ = writeln!(
        out,
        "tier changed: {}  supervisor review changed: {}  gate changed: {}",
        d.tier_changed, d.review_changed, d.gate_changed
    );
    for c in &d.changes {
        let action = c.action.as_deref().map(|a| format!(" {a}:")).unwrap_or_default();
        let shown: Vec<String> = c
            .examples
            .iter()
            .take(examples)
            .map(|e| e.case_id.clone().unwrap_or_else(|| format!("row {}", e.row)))
            .collect();
        let _ = writeln!(
            out,
            "  {:>9}{action} {} -> {} by {}{}",
            c.cases,
            c.from,
            c.to,
            c.rule,
            if shown.is_empty() { String::new() } else { format!("  e.g. {}", shown.join(", ")) }
        );
    }
    if !v.unreadable.is_empty() {
        let _ = writeln!(out, "Unreadable projections: {}", v.unreadable.len());
    }
    let _ = writeln!(out, "Recorded as a read of the docket: {}", v.recorded_as);
    out
}
