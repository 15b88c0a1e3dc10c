//! A day of departures for the synthetic docket, judged by the files written: every record is
//! one the departure reader accepts; who each traveller is agrees with the `manifest` linkage
//! data of the same options (the same travellers, the same truth); a docket person's record
//! names a person `docket synth` writes; travellers on one flight share its port, carrier and
//! flight; and the files are a function of the options, not of the threads.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use docket_core::Date;
use docket_synth::linkage::{self, LinkDataKind, LinkDataOptions};
use docket_wire::departure::parse_departure_line;

fn options(rows_a: u64, rows_b: u64, threads: usize) -> LinkDataOptions {
    LinkDataOptions { rows_a, rows_b, match_share: 0.05, threads, ..LinkDataOptions::new(LinkDataKind::Manifest) }
}

fn day() -> Date {
    Date::parse("2026-12-06").expect("date")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("`{}`: {e}", path.display()))
}

/// `(record_id, who, person_id)` rows of a truth file.
fn truth(path: &Path) -> Vec<(String, String, String)> {
    let mut r = csv::Reader::from_path(path).expect("truth");
    assert_eq!(r.headers().expect("header").iter().collect::<Vec<_>>(), ["record_id", "who", "person_id"]);
    r.records()
        .map(|x| {
            let x = x.expect("row");
            (x[0].to_owned(), x[1].to_owned(), x[2].to_owned())
        })
        .collect()
}

#[test]
fn a_day_of_departures_is_readable_and_agrees_with_the_manifest_data() {
    let dir = tempfile::tempdir().expect("tempdir");
    let opts = options(5_000, 4_000, 2);
    let summary = linkage::departures(&opts, day(), dir.path()).expect("departures");
    assert_eq!((summary.rows, summary.matches), (4_000, 200));
    let text = read(&summary.records);
    let (mut records, mut refused) = (Vec::new(), 0u64);
    for line in text.lines() {
        match parse_departure_line(line, day().add_days(1)) {
            Ok(r) => records.push(r),
            // A manifest's mistyped year of birth may fall in the future: written as a feed
            // would deliver it, refused in its field.
            Err(e) => {
                assert!(e.field == "date_of_birth" && e.reason.contains("in the future"), "{line}: {e}");
                refused += 1;
            }
        }
    }
    assert_eq!(records.len() as u64 + refused, summary.rows);
    assert_eq!(refused, summary.refused);
    assert!(refused * 200 < summary.rows, "{refused} refused of {}", summary.rows);
    assert!(records.iter().all(|r| r.departed_on == day() && r.source.as_str() == "synth.manifest"));
    let ids: HashSet<&str> = records.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len(), records.len(), "record ids are unique");

    // The same travellers and the same truth as the linkage data of these options.
    let link = tempfile::tempdir().expect("tempdir");
    let link_summary = linkage::generate(&opts, link.path()).expect("link-data");
    let who = truth(&summary.truth);
    let travellers = {
        let mut r = csv::Reader::from_path(link_summary.travellers.as_ref().expect("travellers")).expect("travellers");
        r.records()
            .map(|x| {
                let x = x.expect("row");
                (x[0].to_owned(), x[1].to_owned(), x[2].to_owned())
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(who, travellers);
    let matches: Vec<_> = who.iter().filter(|(_, w, _)| w == "match").collect();
    assert_eq!(matches.len(), 200);
    // A match's record is that docket person as the manifest records them: the person exists in
    // the docket `docket synth` writes (table A holds the same persons under the same ids).
    let docket: HashSet<String> = {
        let mut r = csv::Reader::from_path(link.path().join("a.csv")).expect("a.csv");
        r.records().map(|x| x.expect("row")[0].to_owned()).collect()
    };
    assert!(matches.iter().all(|(_, _, p)| docket.contains(p)));
    let kinds: HashSet<&str> = who.iter().map(|(_, w, _)| w.as_str()).collect();
    assert!(kinds.is_superset(&HashSet::from(["match", "stranger", "twin", "sibling", "namesake"])), "{kinds:?}");

    // Travellers on one flight (150 consecutive records) share its port, carrier and number.
    let mut flights: HashMap<u64, HashSet<String>> = HashMap::new();
    for r in &records {
        let q: u64 = r.id.as_str().trim_start_matches('T').parse().expect("T and the traveller's number");
        let flight = format!("{} {:?} {:?}", r.port, r.carrier, r.flight);
        flights.entry(q / 150).or_default().insert(flight);
    }
    assert!(flights.values().all(|f| f.len() == 1));
    assert!(flights.values().flatten().collect::<HashSet<_>>().len() > 10, "flights differ from each other");
    // The document travelled on is issued by the nationality travelled under.
    assert!(
        records
            .iter()
            .filter_map(|r| r.document.as_ref().map(|d| (d, r.nationality)))
            .all(|(d, n)| Some(d.issuing_country()) == n)
    );
}

#[test]
fn the_files_do_not_depend_on_the_threads() {
    let (one, two) = (tempfile::tempdir().expect("tempdir"), tempfile::tempdir().expect("tempdir"));
    let a = linkage::departures(&options(3_000, 20_000, 1), day(), one.path()).expect("one thread");
    let b = linkage::departures(&options(3_000, 20_000, 2), day(), two.path()).expect("two threads");
    assert_eq!(read(&a.records), read(&b.records));
    assert_eq!(read(&a.truth), read(&b.truth));
}
