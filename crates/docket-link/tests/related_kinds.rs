//! Kinds of related non-match (`[[related]]`), on generated tables: persons with an address,
//! and a second table of their records (a field mistyped now and then), their relatives (the
//! same family name and address, another given name, date of birth and identifier) and
//! strangers. A relative agrees on the family name and every address field, each weighed as
//! rare independent evidence; without a kind that shares them, the model links most relatives
//! to their person, and with one it does not, while the persons' own records stay linked.

mod generated;

use docket_link::link::{self, LinkResult};
use docket_link::model::Model;
use docket_link::settings::Settings;
use docket_link::table::Records;
use generated::Rng;

const SETTINGS: &str = r#"
mode = "link"
id_column = "id"
[columns]
given = "name"
family = "name"
street = "text"
suburb = "text"
postcode = "digits"
dob = "date"
ssid = "digits"
[blocking]
rules = [["ssid"], ["family", "dob"], ["street", "suburb"], ["given", "dob"], ["family", "postcode"]]
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
levels = ["exact", "damerau_levenshtein <= 1", "year"]
[[comparison]]
name = "ssid"
columns = ["ssid"]
levels = ["exact", "damerau_levenshtein <= 1"]
[[comparison]]
name = "street"
columns = ["street"]
levels = ["exact", "jaro_winkler >= 0.9"]
term_frequency = true
[[comparison]]
name = "suburb"
columns = ["suburb"]
levels = ["exact"]
term_frequency = true
[[comparison]]
name = "postcode"
columns = ["postcode"]
levels = ["exact"]
term_frequency = true
[training]
random_pairs = 20000
"#;

/// The kind the tables' relatives are.
const FAMILY: &str = r#"
[[related]]
name = "family"
shared = ["family", "street", "suburb", "postcode"]
"#;

const GIVEN: &[&str] = &[
    "ana", "maria", "jose", "luis", "carmen", "juan", "rosa", "pedro", "elena", "jorge", "lucia", "miguel", "sofia",
    "carlos", "isabel", "diego", "paula", "andres", "laura", "pablo", "marta", "ramon", "teresa", "oscar", "silvia",
    "hugo", "alicia", "ruben", "nora", "ivan", "clara", "felipe", "irene", "mateo", "julia", "tomas", "eva", "raul",
];
const SUBURBS: &[&str] = &[
    "ashfield",
    "burwood",
    "carlton",
    "dapto",
    "epping",
    "fairfield",
    "glebe",
    "hornsby",
    "ingleburn",
    "jannali",
    "kogarah",
    "lidcombe",
    "marrickville",
    "newtown",
    "oatley",
    "penrith",
    "quakers hill",
    "randwick",
    "strathfield",
    "tempe",
];

const PERSONS: usize = 4000;
const MATCHES: usize = 1200;
const RELATIVES: usize = 400;
const STRANGERS: usize = 1200;

#[derive(Clone)]
struct Person {
    given: String,
    family: String,
    street: String,
    suburb: usize,
    dob: String,
    ssid: u32,
}

impl Person {
    fn draw(rng: &mut Rng, ssid: u32) -> Person {
        Person {
            given: GIVEN[rng.below(GIVEN.len())].to_owned(),
            family: rng.word(3),
            street: format!("{} {} street", 1 + rng.below(200), rng.word(2)),
            suburb: rng.below(SUBURBS.len()),
            dob: format!("{}-{:02}-{:02}", 1930 + rng.below(70), 1 + rng.below(12), 1 + rng.below(28)),
            ssid,
        }
    }

    fn row(&self, id: &str) -> String {
        format!(
            "{id},{},{},{},{},{},{},{}\n",
            self.given,
            self.family,
            self.street,
            SUBURBS[self.suburb],
            2000 + self.suburb * 7,
            self.dob,
            self.ssid
        )
    }
}

/// Table A, table B, the true pairs and the (person, relative) pairs.
type Tables = (String, String, Vec<(String, String)>, Vec<(String, String)>);

fn tables() -> Tables {
    let mut rng = Rng(21);
    let header = "id,given,family,street,suburb,postcode,dob,ssid\n";
    let persons: Vec<Person> = (0..PERSONS).map(|i| Person::draw(&mut rng, 1_000_000 + i as u32)).collect();
    let mut a = header.to_owned();
    for (i, p) in persons.iter().enumerate() {
        a.push_str(&p.row(&format!("a{i}")));
    }
    let (mut b, mut matches, mut relatives) = (header.to_owned(), Vec::new(), Vec::new());
    // The first MATCHES persons have a record in B, one field in three mistyped.
    for (i, p) in persons.iter().take(MATCHES).enumerate() {
        // Each of given name, date of birth and identifier recorded otherwise one time in four
        // (another value altogether), so that disagreeing on them is weak evidence, as in FEBRL.
        let mut q = p.clone();
        let other = Person::draw(&mut rng, 9_000_000 + i as u32);
        if rng.below(4) == 0 {
            q.given = other.given;
        }
        if rng.below(4) == 0 {
            q.dob = other.dob;
        }
        if rng.below(4) == 0 {
            q.ssid = other.ssid;
        }
        if rng.below(6) == 0 {
            q.street = q.street.replace("street", "st");
        }
        b.push_str(&q.row(&format!("b{i}")));
        matches.push((format!("a{i}"), format!("b{i}")));
    }
    // Relatives of persons without a record in B, so that nothing else claims the person.
    for k in 0..RELATIVES {
        let i = MATCHES + k * 2;
        let mut q = Person::draw(&mut rng, 5_000_000 + k as u32);
        q.family = persons[i].family.clone();
        q.street = persons[i].street.clone();
        q.suburb = persons[i].suburb;
        let id = format!("r{k}");
        b.push_str(&q.row(&id));
        relatives.push((format!("a{i}"), id));
    }
    for k in 0..STRANGERS {
        b.push_str(&Person::draw(&mut rng, 7_000_000 + k as u32).row(&format!("s{k}")));
    }
    (a, b, matches, relatives)
}

fn settings(kinds: &str) -> Settings {
    Settings::parse(&format!("{SETTINGS}{kinds}"), "related kinds test").expect("settings")
}

/// The records, the job's result, the true pairs and the (person, relative) pairs.
type Run = (Records, LinkResult, Vec<(String, String)>, Vec<(String, String)>);

fn run(settings: &Settings) -> Run {
    let (a, b, matches, relatives) = tables();
    let tables = vec![
        ("a.csv".to_owned(), std::io::Cursor::new(a.into_bytes())),
        ("b.csv".to_owned(), std::io::Cursor::new(b.into_bytes())),
    ];
    let records = Records::from_readers(settings, tables).expect("read");
    let result = link::run(settings, &records, None, None, &mut |_, _, _| {});
    (records, result, matches, relatives)
}

fn linked(records: &Records, result: &LinkResult, pairs: &[(String, String)]) -> usize {
    let accepted: std::collections::HashSet<(&str, &str)> = result
        .accepted
        .iter()
        .map(|p| (records.ids[p.a as usize].as_str(), records.ids[p.b as usize].as_str()))
        .collect();
    pairs.iter().filter(|(x, y)| accepted.contains(&(x.as_str(), y.as_str()))).count()
}

#[test]
fn relatives_are_linked_without_a_kind_that_shares_their_fields_and_not_with_one() {
    let (records, plain, matches, relatives) = run(&settings(""));
    assert!(plain.model.kinds.is_empty());
    let wrongly = linked(&records, &plain, &relatives);
    assert!(wrongly > RELATIVES / 2, "without the kind, {wrongly} of {RELATIVES} relatives linked");

    let (records, with, matches_again, _) = run(&settings(FAMILY));
    assert_eq!(matches, matches_again);
    let kind = &with.model.kinds[0];
    assert_eq!((kind.name.as_str(), kind.shared.len()), ("family", 4));
    // The rate counts the relatives that are candidates, not the matches or the strangers.
    assert!(kind.expected_pairs > 0.8 * RELATIVES as f64 && kind.expected_pairs < 1.2 * RELATIVES as f64, "{kind:?}");
    let still = linked(&records, &with, &relatives);
    assert!(still < RELATIVES / 20, "with the kind, {still} of {RELATIVES} relatives linked");
    let found = linked(&records, &with, &matches);
    assert!(found >= MATCHES * 99 / 100, "with the kind, {found} of {MATCHES} matches linked");
    assert!(found + 3 >= linked(&records, &plain, &matches), "the kind costs matches");
}

#[test]
fn a_kind_is_explained_saved_and_applied_when_the_model_is_reused() {
    let settings = settings(FAMILY);
    let (records, result, matches, relatives) = run(&settings);
    let index = |id: &str| records.ids.iter().position(|x| x == id).expect("id");
    // A relative's explanation names the kind's ceiling, which holds it down, and adds up.
    let (x, y) = &relatives[0];
    let e = link::explain(&settings, &records, &result.weights, index(x), index(y));
    assert_eq!(e.related_kinds.len(), 1, "{e:?}");
    let kind = &e.related_kinds[0];
    assert_eq!(kind.name, "family");
    assert_eq!(e.related_ceiling, Some(kind.ceiling));
    let comparisons: f64 = e.comparisons.iter().map(|c| c.weight).sum();
    assert!(comparisons > kind.ceiling && e.related_weight < 0.0, "{e:?}");
    assert!((e.prior_weight + e.related_weight + comparisons - e.total_weight).abs() < 1e-9, "{e:?}");
    assert!(e.probability < 0.5, "{e:?}");
    // The kind's ceiling is the weights of the comparisons it does not share, less log2(rate).
    let outside: f64 =
        e.comparisons.iter().filter(|c| ["given", "dob", "ssid"].contains(&c.name.as_str())).map(|c| c.weight).sum();
    assert!((kind.ceiling - (outside - result.model.kinds[0].rate.log2())).abs() < 1e-9, "{e:?}");
    // A match agreeing on everything keeps nearly all its weight.
    let (x, y) = &matches[1];
    let m = link::explain(&settings, &records, &result.weights, index(x), index(y));
    assert!(m.probability > 0.999, "{m:?}");

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("model.json");
    result.model.save(&path).expect("save");
    let loaded = Model::load(&path, &settings).expect("load");
    assert_eq!(loaded.kinds.len(), 1);
    let again = link::run(&settings, &records, Some(loaded), None, &mut |_, _, _| {});
    assert_eq!(linked(&records, &again, &relatives), linked(&records, &result, &relatives));
    assert_eq!(linked(&records, &again, &matches), linked(&records, &result, &matches));
    // The fitting job weighed its pairs from the sums it kept while settling the kinds; the
    // reused model weighs every comparison afresh: the same pairs, with the same weights.
    let pairs = |r: &LinkResult| r.accepted.iter().chain(&r.review).map(|p| (p.a, p.b, p.weight)).collect::<Vec<_>>();
    assert_eq!(pairs(&again), pairs(&result));

    // A model whose kind the settings do not have, as it is there, is refused.
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("read model")).expect("json");
    json["kinds"][0]["shared"][0] = "given".into();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, json.to_string()).expect("write");
    let err = Model::load(&bad, &settings).expect_err("another kind");
    assert!(err.to_string().contains("family"), "{err}");
}

#[test]
fn kinds_are_checked_when_the_settings_are_read() {
    let err = |kinds: &str| Settings::parse(&format!("{SETTINGS}{kinds}"), "t").expect_err(kinds).to_string();
    assert!(err("[[related]]\nname = \"k\"\nshared = [\"address\"]\n").contains("no comparison `address`"));
    let all = "[[related]]\nname = \"k\"\nshared = [\"given\", \"family\", \"dob\", \"ssid\", \"street\", \"suburb\", \"postcode\"]\n";
    assert!(err(all).contains("leave at least one out"));
    assert!(err("[[related]]\nname = \"k\"\nshared = []\n").contains("leave at least one out"));
    let twice = format!("{FAMILY}{FAMILY}");
    assert!(err(&twice).contains("used twice"));
    let s = settings(FAMILY);
    assert_eq!(s.related[0].shared, vec![1, 4, 5, 6]);
}
