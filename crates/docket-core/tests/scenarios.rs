//! Data-driven legal-clock and lifecycle scenarios: `tests/data/clocks/*.case`.
//!
//! Each file has three parts separated by lines holding only `---`:
//!
//! 1. a header of `#` comments, the first naming the rule(s) it exercises
//!    (`# rule: final_on_expiry`), then the case history, one event a line, and optionally a
//!    line `person born=DATE a=A-NUMBER claim_elsewhere=CASE citizen_elsewhere=CASE` saying
//!    what is known of the person beyond this case (any of the words may be left out);
//! 2. questions, one a line (see [`answer`]);
//! 3. the expected answers.
//!
//! Run with `UPDATE_EXPECT=1` to rewrite part 3 from the code's answers; review the diff
//! before committing, because the expectations are the law as we read it.

mod common;

use std::fmt::Write as _;
use std::path::Path;

use common::{parse_body, parse_event, short_id, ts};
use docket_core::state::{CitizenshipClaim, Fact};
use docket_core::{
    ANumber, CaseId, CaseState, CitizenshipFinding, Date, DateOfBirth, Deadline, EventId, PersonFacts, Rule, decide,
};

fn ids(basis: &[docket_core::EventId]) -> String {
    basis.iter().map(|e| short_id(*e)).collect::<Vec<_>>().join(",")
}

fn deadline(d: &Deadline) -> String {
    let mut s = format!("{} ends {} ({}) [{}]", d.due, d.ends_at, d.rule.name(), ids(&d.basis));
    if let Some(e) = d.closed_by {
        s.push_str(&format!(" closed by {}", short_id(e)));
    }
    if let Some(m) = d.met {
        s.push_str(&format!(" met by {} at {}", short_id(m.event), m.at));
    }
    s
}

/// A claim raised in another case long before any scenario's events (event 900), resolved
/// with `finding` (event 901) when one is given.
fn claim(finding: Option<CitizenshipFinding>) -> Result<CitizenshipClaim, String> {
    let at = ts("2000-01-01T00:00:00Z")?;
    Ok(CitizenshipClaim {
        raised: Fact { at, event: EventId::from_u128(900) },
        resolved: finding.map(|f| (f, Fact { at, event: EventId::from_u128(901) })),
    })
}

/// Reads a `person ...` line.
fn person_facts(words: &[&str]) -> Result<PersonFacts, String> {
    let mut p = PersonFacts::default();
    let today = Date::parse("2100-01-01").map_err(|e| e.to_string())?;
    for w in words {
        let (k, v) = w.split_once('=').ok_or_else(|| format!("expected KEY=VALUE, got `{w}`"))?;
        let case = || CaseId::parse(v).map_err(|e| e.to_string());
        match k {
            "born" => p.date_of_birth = Some(DateOfBirth::parse(v, today).map_err(|e| e.to_string())?),
            "a" => p.a_number = Some(ANumber::parse(v).map_err(|e| e.to_string())?),
            "claim_elsewhere" => p.claims_elsewhere.push((case()?, claim(None)?)),
            "citizen_elsewhere" => p.claims_elsewhere.push((case()?, claim(Some(CitizenshipFinding::Citizen))?)),
            other => return Err(format!("unknown person fact `{other}`")),
        }
    }
    Ok(p)
}

/// Answers one question about the case.
fn answer(state: &CaseState, person: &PersonFacts, next_id: u128, question: &str) -> Result<String, String> {
    let words: Vec<&str> = question.split_whitespace().collect();
    let summary = state.summary().ok_or("no events")?;
    Ok(match words.as_slice() {
        ["appeal_deadline"] => state.appeal_deadline().as_ref().map_or("none".into(), deadline),
        ["vd_deadline"] => state.voluntary_departure_deadline().as_ref().map_or("none".into(), deadline),
        ["final_order"] => {
            state.final_order().map_or("none".into(), |f| format!("{} ({}) [{}]", f.at, f.rule.name(), ids(&f.basis)))
        }
        ["removal_period"] => state
            .removal_period()
            .map_or("none".into(), |p| format!("{} to {} [{}]", p.starts_at, p.ends_at, ids(&p.basis))),
        ["custody_reviews"] => {
            let r = state.post_order_custody_reviews();
            if r.is_empty() { "none".into() } else { r.iter().map(deadline).collect::<Vec<_>>().join("; ") }
        }
        ["departure_outcome"] => summary.departure_outcome().map_or("none", |o| o.name()).to_owned(),
        ["stage", at] => summary.stage_at(ts(at)?).name().to_owned(),
        ["protections", at] => {
            let t = ts(at)?;
            let mut v: Vec<String> = summary
                .protections_in_force(t)
                .map(|p| {
                    let until = match (p.until, p.end_unknown) {
                        (Some(u), _) => u.to_string(),
                        (None, true) => "unknown".to_owned(),
                        (None, false) => "open".to_owned(),
                    };
                    format!("{} until {} ({}) [{}]", p.kind.name(), until, p.rule.name(), ids(&p.basis))
                })
                .collect();
            if v.is_empty() {
                v.push("none".into());
            }
            v.join("; ")
        }
        ["deadlines", at, days] => {
            let days: i32 = days.parse().map_err(|_| format!("bad day count `{days}`"))?;
            let v: Vec<String> = summary.deadlines_within(ts(at)?, days).into_iter().map(deadline).collect();
            if v.is_empty() { "none".into() } else { v.join("; ") }
        }
        ["anomalies"] => {
            if state.anomalies.is_empty() {
                "none".into()
            } else {
                state
                    .anomalies
                    .iter()
                    .map(|a| format!("{}: {}", short_id(a.event), a.note))
                    .collect::<Vec<_>>()
                    .join("; ")
            }
        }
        ["decide", at, rest @ ..] => {
            let event = common::event(next_id, ts(at)?, parse_body(rest)?)?;
            match decide(state, &event, person) {
                Ok(()) => "accepted".into(),
                Err(r) => format!("refused: {r}"),
            }
        }
        ["bars", at, rest @ ..] => {
            let to = match rest {
                [] => None,
                [c] => Some(docket_core::Country::parse(c).map_err(|e| e.to_string())?),
                _ => return Err("expected `bars TIME [COUNTRY]`".into()),
            };
            let bars = summary.bars_to_removal(ts(at)?, person, to);
            if bars.is_empty() {
                "none".into()
            } else {
                bars.iter().map(|b| format!("{} [{}]", b.rule.name(), ids(&b.basis))).collect::<Vec<_>>().join("; ")
            }
        }
        ["reviews_overdue", at] => {
            let t = ts(at)?;
            let v: Vec<String> = summary.custody_reviews.iter().filter(|d| d.overdue_at(t)).map(deadline).collect();
            if v.is_empty() { "none".into() } else { v.join("; ") }
        }
        ["overstay_penalty"] => summary.overstay_penalty.as_ref().map_or("none".into(), |p| {
            format!("since {} ineligible until {} [{}]", p.since, p.ineligible_until, ids(&p.basis))
        }),
        ["designated"] => summary.designated_country.map_or("none".into(), |(c, e)| format!("{c} [{}]", short_id(e))),
        ["travel_document"] => summary.travel_document.map_or("none".into(), |d| {
            let expiry = d.expiry.map_or("no expiry".to_owned(), |e| format!("valid through {e}"));
            format!("{} {expiry} [{}]", d.issuing_country, short_id(d.event))
        }),
        _ => return Err(format!("unknown question `{question}`")),
    })
}

fn run(path: &Path) -> Result<(String, String), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let parts: Vec<&str> = text.split("\n---\n").collect();
    if parts.len() != 3 {
        return Err("expected three parts separated by `---` lines".into());
    }
    let mut rule_named = false;
    let mut state = CaseState::default();
    let mut person = PersonFacts::default();
    let mut n = 0u128;
    for line in parts[0].lines() {
        let line = line.trim();
        if let Some(rules) = line.strip_prefix("# rule:") {
            for r in rules.split(',') {
                Rule::from_name(r.trim()).ok_or_else(|| format!("unknown rule `{}`", r.trim()))?;
            }
            rule_named = true;
        }
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(rest) = line.strip_prefix("person ") {
            person = person_facts(&rest.split_whitespace().collect::<Vec<_>>())?;
            continue;
        }
        n += 1;
        let event = parse_event(n, line).map_err(|e| format!("line `{line}`: {e}"))?;
        // Histories must be lawful: every event passes the rules before it is applied.
        decide(&state, &event, &person).map_err(|r| format!("history line `{line}` refused: {r}"))?;
        state.apply(&event);
    }
    if !rule_named {
        return Err("the header must name the rule exercised (`# rule: NAME`)".into());
    }
    let mut out = String::new();
    for q in parts[1].lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let a = answer(&state, &person, n + 1, q).map_err(|e| format!("question `{q}`: {e}"))?;
        let _ = writeln!(out, "{q} => {a}");
    }
    let rewritten = format!("{}\n---\n{}\n---\n{}", parts[0], parts[1], out);
    Ok((out, rewritten))
}

#[test]
fn legal_clock_scenarios() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/clocks");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("scenario directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "case"))
        .collect();
    files.sort();
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failures = Vec::new();
    for path in &files {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        match run(path) {
            Err(e) => failures.push(format!("{name}: {e}")),
            Ok((got, rewritten)) => {
                let text = std::fs::read_to_string(path).unwrap_or_default();
                let want = text.split("\n---\n").nth(2).unwrap_or("");
                if update {
                    std::fs::write(path, rewritten).expect("write scenario");
                } else if want.trim_end() != got.trim_end() {
                    failures.push(format!("{name}:\n--- want\n{want}\n--- got\n{got}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} scenario(s) failed:\n\n{}", failures.len(), failures.join("\n\n"));
    assert!(files.len() >= 40, "expected at least 40 scenarios, found {}", files.len());
}
