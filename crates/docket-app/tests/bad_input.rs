//! Input that never loses a row: every physical line of an import is stored, found already
//! stored, skipped as blank, or one reject naming its line, field and reason, whatever the
//! line before it was. The reader is the same for both databases; these run on SQLite, and
//! the key reused with other content (decided by the store) on both.

mod common;

use common::{Db, PERSONS, import, import_bytes, line};
use docket_app::{MAX_LINE_BYTES, Reject};

const HEADER: &str = "person_id,a_number,given_names,family_names,name_order,aliases,date_of_birth,sex,nationality,passport_number,passport_country,passport_expiry";

fn rejects(sink: &common::Collect) -> Vec<(u64, &str)> {
    sink.rejects.iter().map(|r| (r.line, r.field.as_str())).collect()
}

fn person_stored(app: &docket_app::App, id: &str) -> bool {
    let id = docket_core::PersonId::parse(id).expect("id");
    app.with_store(|s| s.person(&id)).expect("person").is_some()
}

fn opened(n: u32, case: &str, person: &str) -> String {
    line(n, case, "case_opened", "2025-05-20T10:00:00-04:00", &format!(r#","person_id":"{person}""#))
}

#[test]
fn invalid_utf8_rejects_its_line_and_the_next_lines_are_read() {
    let db = Db::sqlite();
    let app = db.app("2026-12-01T12:00:00Z");
    let mut events = Vec::new();
    events.extend_from_slice(opened(1, "U1", "P-1").as_bytes());
    events.push(b'\n');
    // Latin-1 "é" in a reference: not UTF-8.
    events.extend_from_slice(
        line(2, "U1", "notice_to_appear_filed", "2025-06-01T10:00:00-04:00", r#","reference":"caf"#).as_bytes(),
    );
    events.truncate(events.len() - 1);
    events.extend_from_slice(b"\xE9\"}\n");
    events.extend_from_slice(opened(3, "U2", "P-2").as_bytes());
    events.push(b'\n');
    let (report, sink) = import_bytes(&app, PERSONS.as_bytes(), &events);
    assert_eq!((report.files[1].rows, report.files[1].stored, report.files[1].rejected), (3, 2, 1));
    let r: &Reject = &sink.rejects[0];
    assert_eq!((r.line, r.field.as_str()), (2, "(record)"));
    assert!(r.reason.contains("not valid UTF-8") && r.reason.contains("0xE9"), "{}", r.reason);
    assert!(r.record.contains("caf\u{FFFD}"), "the record shows the line as read: {}", r.record);
}

#[test]
fn a_byte_order_mark_does_not_cost_the_first_line() {
    let db = Db::sqlite();
    let app = db.app("2026-12-01T12:00:00Z");
    let events = format!(
        "\u{FEFF}{}\n{}\n",
        opened(1, "B1", "P-1"),
        line(2, "B1", "notice_to_appear_filed", "2025-06-01T10:00:00-04:00", "")
    );
    let persons = format!("\u{FEFF}{PERSONS}");
    let (report, sink) = import(&app, &persons, &events);
    assert!(sink.rejects.is_empty(), "{:?}", sink.rejects);
    assert_eq!((report.files[0].stored, report.files[1].stored), (2, 2));
}

#[test]
fn an_unclosed_quote_rejects_one_line_and_swallows_nothing() {
    let db = Db::sqlite();
    let app = db.app("2026-12-01T12:00:00Z");
    let persons = format!(
        "{HEADER}\nP-1,,Ana,Uno,,,1990-01-01,F,,,,\nP-2,,\"Ben,Dos,,,1985-05-05,M,,,,\nP-3,,Cal,Tres,,,1970-03-03,M,,,,\nP-4,,Dee,Cuatro,,,1960-04-04,F,,,,,\n"
    );
    let (report, sink) = import(&app, &persons, "");
    let f = &report.files[0];
    assert_eq!((f.rows, f.stored, f.rejected), (4, 2, 2), "every line is stored or a reject");
    assert_eq!(rejects(&sink), vec![(3, "(record)"), (5, "(record)")]);
    assert!(sink.rejects[0].reason.contains("is not closed on this line"), "{}", sink.rejects[0].reason);
    assert_eq!(sink.rejects[0].record, "P-2,,\"Ben,Dos,,,1985-05-05,M,,,,", "the record is the line as read");
    assert!(sink.rejects[1].reason.contains("has 13 fields; the header has 12"), "{}", sink.rejects[1].reason);
    assert_eq!(sink.rejects[1].record, "P-4,,Dee,Cuatro,,,1960-04-04,F,,,,,");
    assert!(person_stored(&app, "P-3"), "the line after the open quote is a row of its own");
    assert!(!person_stored(&app, "P-2"));
}

#[test]
fn over_long_lines_and_fields_are_refused_quoting_only_a_prefix() {
    let db = Db::sqlite();
    let app = db.app("2026-12-01T12:00:00Z");
    let ten_mb = "N".repeat(10 << 20);
    let long_name = "Ñ".repeat(5_000);
    let huge_row = format!("P-1,,{ten_mb},Uno,,,1990-01-01,F,,,,");
    let persons =
        format!("{HEADER}\n{huge_row}\nP-2,,{long_name},Dos,,,1985-05-05,M,,,,\nP-3,,Cal,Tres,,,1970-03-03,M,,,,\n");
    let long_reference = "R".repeat(1_000);
    let events = format!(
        "{}\n{}\n{}\n",
        opened(1, "L1", "P-3"),
        line(
            2,
            "L1",
            "notice_to_appear_filed",
            "2025-06-01T10:00:00-04:00",
            &format!(r#","reference":"{long_reference}""#)
        ),
        line(3, "L1", "notice_to_appear_filed", "2025-06-01T10:00:00-04:00", r#","reference":"NTA-1""#),
    );
    let (report, sink) = import(&app, &persons, &events);
    assert_eq!((report.files[0].stored, report.files[1].stored), (1, 2));
    assert_eq!(rejects(&sink), vec![(2, "(record)"), (3, "given_names"), (2, "reference")]);
    let too_long = &sink.rejects[0];
    assert!(too_long.reason.contains(&format!("{} bytes long", huge_row.len())), "{}", too_long.reason);
    assert!(too_long.reason.contains(&MAX_LINE_BYTES.to_string()), "{}", too_long.reason);
    assert!(too_long.record.len() <= 1024 + 3, "{}", too_long.record.len());
    let name = &sink.rejects[1];
    assert!(name.reason.contains("(5000 characters in all)"), "{}", name.reason);
    assert!(name.reason.chars().count() < 300, "{}", name.reason);
    assert!(sink.rejects[2].reason.contains("is 1000 characters long"), "{}", sink.rejects[2].reason);
    let written: usize = sink.rejects.iter().map(|r| serde_json::to_string(r).expect("json").len()).sum();
    assert!(written < 40_000, "the rejects hold {written} bytes");
}

on_both!(a_key_reused_with_other_content_is_a_reject_naming_both);

fn a_key_reused_with_other_content_is_a_reject_naming_both(db: &Db) {
    let app = db.app("2026-12-01T12:00:00Z");
    let first = line(2, "K1", "notice_to_appear_filed", "2025-06-01T10:00:00-04:00", "");
    // The same key (k2) on another event id, a day later.
    let other = line(3, "K1", "notice_to_appear_filed", "2025-06-02T10:00:00-04:00", "").replace("\"k3\"", "\"k2\"");
    let events = format!("{}\n{first}\n{other}\n{first}\n", opened(1, "K1", "P-1"));
    let (report, sink) = import(&app, PERSONS, &events);
    let f = &report.files[1];
    assert_eq!((f.rows, f.stored, f.duplicates, f.rejected), (4, 2, 1, 1));
    assert_eq!(rejects(&sink), vec![(3, "idempotency_key")]);
    let reason = &sink.rejects[0].reason;
    assert!(
        reason.contains("00000000-0000-4000-8000-000000000003")
            && reason.contains("00000000-0000-4000-8000-000000000002"),
        "names both events: {reason}"
    );
    assert!(reason.contains("effective_at"), "{reason}");
}

/// Re-importing a persons file neither replaces nor drops a stored identity: a row that
/// differs is a reject naming the field; a correction is its own act, with a reason and an
/// actor, and both versions stay on record.
fn another_identity_under_a_stored_id_is_a_reject_and_a_correction_keeps_history(db: &Db) {
    let app = db.app("2026-12-01T12:00:00Z");
    let (first, _) = import(&app, PERSONS, "");
    assert_eq!((first.files[0].stored, first.files[0].rejected), (2, 0));
    // Ana's name and nationality changed, her A-number dropped; Ben as stored.
    let changed =
        format!("{HEADER}\nP-1,,Anna,Uno,,,1990-01-01,F,MEX,,,\nP-2,A222222222,Ben,Dos,,,1985-05-05,M,GTM,,,\n");
    let (again, sink) = import(&app, &changed, "");
    let f = &again.files[0];
    assert_eq!((f.rows, f.stored, f.duplicates, f.rejected), (2, 0, 1, 1));
    assert_eq!(rejects(&sink), [(2, "a_number")]);
    assert!(
        sink.rejects[0].reason.contains("person `P-1` is stored with a_number `A111111111`, not ``")
            && sink.rejects[0].reason.contains("a change is a correction"),
        "{}",
        sink.rejects[0].reason
    );
    let ctx = docket_app::ReadContext::new(Some("officer.a"), Some("case_work")).expect("ctx");
    let p = app.read_person(&ctx, "P-1", None).expect("read");
    assert_eq!(
        (p.name.as_str(), p.a_number.as_deref()),
        ("Ana Uno", Some("A111111111")),
        "the stored identity is kept"
    );
    // The correction, with its reason and actor.
    let actor = docket_core::ActorId::parse("officer.b").expect("actor");
    let changes = [("given_names".to_owned(), "Anna".to_owned()), ("nationality".to_owned(), "MEX".to_owned())];
    let (version, changed) =
        app.correct_person(&actor, "P-1", &changes, "request of 2026-11-30, birth certificate").expect("corrected");
    assert_eq!((version, changed), (2, vec!["given_names", "nationality"]));
    let p = app.read_person(&ctx, "P-1", None).expect("read");
    assert_eq!((p.name.as_str(), p.nationality.as_deref()), ("Anna Uno", Some("MEX")));
    let history: Vec<_> = p.history.iter().map(|v| (v.version, v.recorded_by.as_str(), v.changed.clone())).collect();
    assert_eq!(history, [(1, "clerk.import", vec![]), (2, "officer.b", vec!["given_names", "nationality"])]);
    // Nothing to change, an unknown field, no reason: refused, with the field named.
    let same = app.correct_person(&actor, "P-1", &changes, "again").expect_err("no change");
    assert!(same.to_string().contains("nothing would change"), "{same}");
    let bad = app.correct_person(&actor, "P-1", &[("voter_id".into(), "1".into())], "x").expect_err("unknown field");
    assert!(bad.to_string().contains("`voter_id`"), "{bad}");
    let bad =
        app.correct_person(&actor, "P-1", &[("date_of_birth".into(), "1990-13-01".into())], "x").expect_err("bad date");
    assert!(bad.to_string().contains("date_of_birth"), "{bad}");
    let bad = app.correct_person(&actor, "P-1", &changes, " ").expect_err("no reason");
    assert!(bad.to_string().contains("reason"), "{bad}");
    // The persons file of the first import is now the one that differs.
    let (third, sink) = import(&app, PERSONS, "");
    assert_eq!((third.files[0].duplicates, third.files[0].rejected), (1, 1));
    assert_eq!(rejects(&sink), [(2, "given_names")]);
}

on_both!(another_identity_under_a_stored_id_is_a_reject_and_a_correction_keeps_history);
