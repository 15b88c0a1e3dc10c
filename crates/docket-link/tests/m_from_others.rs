//! A nationality's m fitted from the other comparisons' verdict (`m_from = "others"`), on
//! generated tables: a docket of persons of five nationalities and travellers who are docket
//! persons (a quarter of them on another nationality's passport, as dual nationals travel),
//! namesakes of docket persons (same full name and nationality, born another year) or
//! strangers. The share of true pairs that disagree on the nationality is known, and the
//! fitted `else` m must come out near it.

mod generated;

use docket_link::link::{self, LinkResult};
use docket_link::settings::Settings;
use docket_link::table::Records;
use generated::Rng;

const SETTINGS: &str = r#"
mode = "link"
id_column = "id"
[columns]
given = "name"
family = "name"
dob = "date"
nat = "text"
doc = "document"
[blocking]
rules = [["family", "dob"], ["given", "dob"], ["doc"], ["given", "family"]]
[[comparison]]
name = "given"
columns = ["given"]
levels = ["exact", "jaro_winkler >= 0.9"]
term_frequency = true
[[comparison]]
name = "family"
columns = ["family"]
levels = ["exact", "jaro_winkler >= 0.9"]
term_frequency = true
[[comparison]]
name = "dob"
columns = ["dob"]
levels = ["exact", "year"]
[[comparison]]
name = "nat"
columns = ["nat"]
levels = ["exact"]
[[comparison]]
name = "doc"
columns = ["doc"]
levels = ["exact"]
[training]
random_pairs = 20000
"#;

const NATIONALITIES: &[&str] = &["MEX", "GTM", "HND", "SLV", "COL"];
const PERSONS: usize = 6000;
const MATCHES: usize = 800;
/// One match in this many travels on another nationality's passport.
const OTHER_PASSPORT_EVERY: usize = 4;
const NAMESAKES: usize = 300;
const STRANGERS: usize = 1500;

struct Person {
    given: String,
    family: String,
    dob: String,
    nat: &'static str,
    doc: String,
}

fn person(rng: &mut Rng) -> Person {
    let syllables = 2 + rng.below(2);
    Person {
        given: rng.word(2),
        family: rng.word(syllables),
        dob: format!("{}-{:02}-{:02}", 1950 + rng.below(50), 1 + rng.below(12), 1 + rng.below(28)),
        nat: NATIONALITIES[rng.below(NATIONALITIES.len())],
        doc: format!("D{:08}", rng.next() % 100_000_000),
    }
}

fn row(id: &str, p: &Person) -> String {
    format!("{id},{},{},{},{},{}\n", p.given, p.family, p.dob, p.nat, p.doc)
}

/// Tables A and B as CSV, and the share of true pairs that disagree on the nationality.
fn tables() -> (String, String, f64) {
    let mut rng = Rng(77);
    let docket: Vec<Person> = (0..PERSONS).map(|_| person(&mut rng)).collect();
    let header = "id,given,family,dob,nat,doc\n";
    let mut a = String::from(header);
    for (i, p) in docket.iter().enumerate() {
        a.push_str(&row(&format!("A{i}"), p));
    }
    let mut b = String::from(header);
    let mut other = 0;
    for i in 0..MATCHES {
        let p = &docket[i * 5];
        // A dual national on the other passport: another nationality and another document.
        let (nat, doc) = if i % OTHER_PASSPORT_EVERY == 0 {
            other += 1;
            let at = NATIONALITIES.iter().position(|n| *n == p.nat).expect("listed");
            (NATIONALITIES[(at + 1 + rng.below(NATIONALITIES.len() - 1)) % NATIONALITIES.len()], format!("P{i:08}"))
        } else if i % 2 == 0 {
            (p.nat, p.doc.clone())
        } else {
            (p.nat, format!("R{i:08}"))
        };
        let traveller = Person { given: p.given.clone(), family: p.family.clone(), dob: p.dob.clone(), nat, doc };
        b.push_str(&row(&format!("M{i}"), &traveller));
    }
    for i in 0..NAMESAKES {
        let p = &docket[i * 5 + 2];
        let namesake = Person {
            given: p.given.clone(),
            family: p.family.clone(),
            dob: format!("{}-{}", 1950 + (p.dob[..4].parse::<usize>().expect("year") - 1949) % 50, &p.dob[5..]),
            nat: p.nat,
            doc: format!("N{i:08}"),
        };
        b.push_str(&row(&format!("N{i}"), &namesake));
    }
    for i in 0..STRANGERS {
        b.push_str(&row(&format!("S{i}"), &person(&mut rng)));
    }
    (a, b, other as f64 / MATCHES as f64)
}

fn run(settings: &str) -> (LinkResult, f64) {
    let settings = Settings::parse(settings, "t.toml").expect("settings");
    let (a, b, share) = tables();
    let tables = vec![
        ("a.csv".to_owned(), std::io::Cursor::new(a.into_bytes())),
        ("b.csv".to_owned(), std::io::Cursor::new(b.into_bytes())),
    ];
    let records = Records::from_readers(&settings, tables).expect("read");
    (link::run(&settings, &records, None, None, &mut |_, _, _| {}), share)
}

/// The fitted m of the nationality's `else`.
fn else_m(result: &LinkResult) -> f64 {
    let nat = result.model.comparisons.iter().find(|c| c.name == "nat").expect("nat");
    nat.levels.last().expect("else").m
}

#[test]
fn the_nationality_m_fitted_from_the_others_is_the_share_of_matches_on_another_passport() {
    let with = SETTINGS.replace("name = \"nat\"", "name = \"nat\"\nm_from = \"others\"");
    let (others, share) = run(&with);
    let fitted = else_m(&others);
    assert!((fitted - share).abs() < 0.03, "fitted {fitted}, true share {share}");
    let last = others.model.fit.sessions.last().expect("a report");
    assert!(last.rule.contains("m_from = \"others\"") && last.estimated == ["nat"], "{last:?}");
    assert!(last.pairs > 0 && last.iterations >= 1, "{last:?}");
    // The pairs on another passport keep their link: a near-zero m of `else` would sink them.
    let accepted = others.accepted.len();
    assert!(accepted as f64 >= 0.97 * MATCHES as f64, "{accepted} accepted of {MATCHES}");
    // The setting is what changed it: by the sessions alone the m is another number, and
    // every other comparison's m is the same.
    let (sessions, _) = run(SETTINGS);
    assert!(sessions.model.fit.sessions.iter().all(|s| !s.rule.contains("m_from")));
    assert_ne!(else_m(&sessions), fitted);
    for (x, y) in others.model.comparisons.iter().zip(&sessions.model.comparisons).filter(|(c, _)| c.name != "nat") {
        let (mx, my): (Vec<f64>, Vec<f64>) =
            (x.levels.iter().map(|l| l.m).collect(), y.levels.iter().map(|l| l.m).collect());
        assert_eq!(mx, my, "{}", x.name);
    }
}
