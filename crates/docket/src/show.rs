//! Rendering a case for people: its state as of an instant, and its timeline.

use std::fmt::Write as _;

use docket_core::{
    CaseState, CaseSummary, CitizenshipStatus, Deadline, DecisionOutcome, Event, EventId, Person, Timestamp,
};
use docket_store::wire::WireEvent;
use serde_json::{Value, json};

/// The events a result rests on, as their numbers in the case's timeline (`#4, #5`).
fn basis_text(basis: &[EventId], events: &[Event]) -> String {
    let numbers: Vec<String> = basis
        .iter()
        .map(|id| events.iter().position(|e| e.id == *id).map_or_else(|| id.to_string(), |i| format!("#{}", i + 1)))
        .collect();
    if numbers.is_empty() { String::new() } else { format!("; events {}", numbers.join(", ")) }
}

fn deadline_text(d: &Deadline, t: Timestamp, events: &[Event]) -> String {
    let state = if d.open_at(t) {
        format!("{} days left", t.local_date().days_until(d.due).max(0))
    } else {
        "passed".to_owned()
    };
    format!("{} ({}; {}{})", d.due, d.rule.citation(), state, basis_text(&d.basis, events))
}

/// A judge's decision in words.
pub fn decision_text(o: DecisionOutcome) -> String {
    match o {
        DecisionOutcome::RemovalOrdered => "removal ordered".into(),
        DecisionOutcome::RemovalOrderedInAbsentia => "removal ordered in absentia".into(),
        DecisionOutcome::VoluntaryDeparture { deadline } => {
            format!("voluntary departure by {deadline}, with an alternate order of removal")
        }
        DecisionOutcome::ReliefGranted(k) => format!("relief granted ({})", k.name()),
        DecisionOutcome::Terminated => "proceedings terminated".into(),
    }
}

/// The deadlines worth showing for a case: appeal window, voluntary departure, removal
/// period, custody reviews.
fn deadlines(s: &CaseSummary) -> Vec<(&'static str, &Deadline)> {
    let mut v: Vec<(&'static str, &Deadline)> = Vec::new();
    if let Some(d) = &s.appeal_deadline {
        v.push(("appeal window closes", d));
    }
    if let Some(d) = &s.voluntary_departure {
        v.push(("voluntary departure by", d));
    }
    for d in &s.custody_reviews {
        v.push((
            match d.rule {
                docket_core::Rule::PostOrderSixMonthReview => "six-month post-order custody review",
                _ => "custody review before removal period ends",
            },
            d,
        ));
    }
    v
}

/// A case's state as text.
pub fn case_text(
    s: &CaseSummary,
    state: &CaseState,
    events: &[Event],
    person: Option<&Person>,
    t: Timestamp,
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Case {}  (version {})", s.case_id, s.version);
    if let Some(p) = person {
        let _ = writeln!(
            out,
            "Person {}  {}  {}  born {}  {}",
            p.id,
            p.a_number.map(|a| a.to_string()).unwrap_or_else(|| "no A-number".into()),
            p.name.display(),
            p.date_of_birth,
            p.nationality.map(|c| c.to_string()).unwrap_or_else(|| "nationality unknown".into())
        );
    } else if let Some(pid) = &s.person_id {
        let _ = writeln!(out, "Person {pid} (no person record stored)");
    }
    let _ = writeln!(out, "Stage as of {t}: {}", s.stage_at(t).name());
    if let Some((o, at)) = s.decision {
        let _ = writeln!(out, "Decision: {} on {}", decision_text(o), at.local_date());
    }
    match &s.final_order {
        Some(f) if f.at <= t => {
            let _ = writeln!(
                out,
                "Final order of removal since {} ({}{})",
                f.at,
                f.rule.citation(),
                basis_text(&f.basis, events)
            );
        }
        Some(f) => {
            let _ = writeln!(
                out,
                "Order becomes final at {} unless appealed ({}{})",
                f.at,
                f.rule.citation(),
                basis_text(&f.basis, events)
            );
        }
        None => {}
    }
    if let Some(p) = &s.removal_period {
        let _ =
            writeln!(out, "Removal period: {} to {} (INA 241(a)(1))", p.starts_at.local_date(), p.ends_at.local_date());
    }
    let protections: Vec<String> = s
        .protections_in_force(t)
        .map(|p| {
            let until = p.until.map_or("open-ended".to_owned(), |u| format!("until {}", u.local_date()));
            format!("{} {until} ({}{})", p.kind.name(), p.rule.citation(), basis_text(&p.basis, events))
        })
        .collect();
    let _ = writeln!(
        out,
        "Protections in force: {}",
        if protections.is_empty() { "none".to_owned() } else { protections.join("; ") }
    );
    // A closed case's deadlines are history; the timeline has them.
    let ds = if s.open_at(t) { deadlines(s) } else { Vec::new() };
    if !ds.is_empty() {
        let _ = writeln!(out, "Deadlines:");
        for (what, d) in ds {
            let _ = writeln!(out, "  {what}: {}", deadline_text(d, t, events));
        }
    }
    if let Some((k, at)) = s.next_hearing {
        let _ = writeln!(out, "Next hearing: {} on {}", k.name(), at);
    }
    if let Some(since) = s.detained_since {
        let _ = writeln!(out, "Detained since {}", since.local_date());
    }
    if !s.pending_relief.is_empty() {
        let names: Vec<&str> = s.pending_relief.iter().map(|k| k.name()).collect();
        let _ = writeln!(out, "Relief pending: {}", names.join(", "));
    }
    if !s.granted_relief.is_empty() {
        let names: Vec<&str> = s.granted_relief.iter().map(|k| k.name()).collect();
        let _ = writeln!(out, "Relief granted: {}", names.join(", "));
    }
    match s.citizenship {
        CitizenshipStatus::NoClaim => {}
        CitizenshipStatus::Pending => {
            let _ = writeln!(out, "Claim to US citizenship: pending — no enforcement action while it is");
        }
        CitizenshipStatus::Citizen => {
            let _ = writeln!(out, "Claim to US citizenship: found to be a US citizen");
        }
        CitizenshipStatus::NotCitizen => {
            let _ = writeln!(out, "Claim to US citizenship: not substantiated");
        }
    }
    if let Some((r, at)) = s.closed {
        let _ = writeln!(out, "Closed: {} on {}", r.name(), at.local_date());
    }
    for a in &state.anomalies {
        let _ = writeln!(out, "Note: event {} — {}", a.event, a.note);
    }
    out
}

/// A case's state as JSON.
pub fn case_json(s: &CaseSummary, person: Option<&Person>, t: Timestamp) -> Value {
    let d = |d: &Deadline| {
        json!({"due": d.due.to_string(), "ends_at": d.ends_at.to_string(), "open": d.open_at(t),
               "rule": d.rule.name(), "citation": d.rule.citation(),
               "basis": d.basis.iter().map(ToString::to_string).collect::<Vec<_>>()})
    };
    json!({
        "case_id": s.case_id.to_string(),
        "version": s.version,
        "as_of": t.to_string(),
        "stage": s.stage_at(t).name(),
        "person": person.map(|p| json!({
            "person_id": p.id.to_string(),
            "a_number": p.a_number.map(|a| a.to_string()),
            "name": p.name.display(),
            "date_of_birth": p.date_of_birth.to_string(),
            "nationality": p.nationality.map(|c| c.to_string()),
        })),
        "final_order": s.final_order.as_ref().map(|f| json!({
            "at": f.at.to_string(), "final_now": f.at <= t, "rule": f.rule.name(), "citation": f.rule.citation(),
            "basis": f.basis.iter().map(ToString::to_string).collect::<Vec<_>>()})),
        "protections_in_force": s.protections_in_force(t).map(|p| json!({
            "kind": p.kind.name(), "from": p.from.to_string(), "until": p.until.map(|u| u.to_string()),
            "rule": p.rule.name(), "citation": p.rule.citation(),
            "basis": p.basis.iter().map(ToString::to_string).collect::<Vec<_>>()})).collect::<Vec<_>>(),
        "appeal_deadline": s.appeal_deadline.as_ref().map(d),
        "voluntary_departure_deadline": s.voluntary_departure.as_ref().map(d),
        "custody_reviews": s.custody_reviews.iter().map(d).collect::<Vec<_>>(),
        "detained_since": s.detained_since.map(|x| x.to_string()),
        "next_hearing": s.next_hearing.map(|(k, at)| json!({"kind": k.name(), "at": at.to_string()})),
        "pending_relief": s.pending_relief.iter().map(|k| k.name()).collect::<Vec<_>>(),
        "granted_relief": s.granted_relief.iter().map(|k| k.name()).collect::<Vec<_>>(),
        "closed": s.closed.map(|(r, at)| json!({"reason": r.name(), "at": at.to_string()})),
    })
}

/// One line per event.
pub fn timeline_text(events: &[Event]) -> String {
    let mut out = String::new();
    for (i, e) in events.iter().enumerate() {
        let w = WireEvent::from_event(e);
        let mut details = Vec::new();
        let v = serde_json::to_value(&w).unwrap_or(Value::Null);
        if let Value::Object(map) = v {
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
        let _ = writeln!(
            out,
            "{:>3}  {}  {:<28} {}{}",
            i + 1,
            e.effective_at,
            e.body.type_name(),
            details.join(" "),
            e.reference.as_ref().map(|r| format!("  [ref {r}]")).unwrap_or_default()
        );
        let _ =
            writeln!(out, "     event {}  recorded {} by {} ({})", e.id, e.recorded_at, e.recorded_by, e.source.name());
    }
    out
}

/// The timeline as JSON: the events in their wire form.
pub fn timeline_json(events: &[Event]) -> Value {
    Value::Array(events.iter().map(|e| serde_json::to_value(WireEvent::from_event(e)).unwrap_or(Value::Null)).collect())
}

/// One line of a person's case list: the case, its stage now and whether it is closed.
pub struct PersonCase {
    /// The case's id.
    pub case_id: String,
    /// Its stage at the time of reading.
    pub stage: &'static str,
    /// Its version (number of events).
    pub version: u64,
}

/// A person's record as text: identity facts as recorded, then the person's cases.
pub fn person_text(p: &Person, cases: &[PersonCase]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Person {}", p.id);
    let _ =
        writeln!(out, "  A-number: {}", p.a_number.map(|a| a.to_string()).unwrap_or_else(|| "none assigned".into()));
    let _ = writeln!(out, "  Name: {}", p.name.display());
    for a in &p.aliases {
        let _ = writeln!(out, "  Also recorded as: {}", a.display());
    }
    let _ = writeln!(out, "  Born: {}", p.date_of_birth);
    let _ = writeln!(out, "  Sex: {}", p.sex.code());
    let _ =
        writeln!(out, "  Nationality: {}", p.nationality.map(|c| c.to_string()).unwrap_or_else(|| "unknown".into()));
    for d in &p.documents {
        let _ = writeln!(
            out,
            "  {} {} issued by {}{}",
            d.kind().name(),
            d.number(),
            d.issuing_country(),
            d.expiry().map(|e| format!(", expires {e}")).unwrap_or_default()
        );
    }
    let _ = writeln!(out, "Cases: {}", cases.len());
    for c in cases {
        let _ = writeln!(out, "  {}  {} (version {})", c.case_id, c.stage, c.version);
    }
    out
}

/// A person's record as JSON.
pub fn person_json(p: &Person, cases: &[PersonCase]) -> Value {
    json!({
        "person_id": p.id.to_string(),
        "a_number": p.a_number.map(|a| a.to_string()),
        "name": p.name.display(),
        "aliases": p.aliases.iter().map(|a| a.display()).collect::<Vec<_>>(),
        "date_of_birth": p.date_of_birth.to_string(),
        "sex": p.sex.code(),
        "nationality": p.nationality.map(|c| c.to_string()),
        "documents": p.documents.iter().map(|d| json!({
            "kind": d.kind().name(), "number": d.number(), "issuing_country": d.issuing_country().to_string(),
            "expiry": d.expiry().map(|e| e.to_string())})).collect::<Vec<_>>(),
        "cases": cases.iter().map(|c| json!({"case_id": c.case_id, "stage": c.stage, "version": c.version}))
            .collect::<Vec<_>>(),
    })
}
