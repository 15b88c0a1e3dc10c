//! The calibration against related non-matches (the model's calibration), on generated tables: a
//! docket of persons, most with one of a few common family names, and travellers who are
//! docket persons, twins of docket persons (same family name and date of birth, another given
//! name), namesakes of docket persons (same full name, born another year) or strangers. A
//! twin or a namesake with a rare family name collects the weights of two rare agreements;
//! without the calibration the model links many of them. Travellers whose given and family
//! names are swapped test that a pattern every pair of which is claimed is left alone.

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
dob = "date"
doc = "document"
[blocking]
rules = [["family", "dob"], ["given", "dob"], ["doc"], ["dob"], ["given", "family"]]
[[comparison]]
name = "given"
columns = ["given"]
levels = ["exact", "swapped(family)", "jaro_winkler >= 0.9"]
term_frequency = true
[[comparison]]
name = "family"
columns = ["family"]
levels = ["exact", "swapped(given)", "jaro_winkler >= 0.9"]
term_frequency = true
[[comparison]]
name = "dob"
columns = ["dob"]
levels = ["exact", "year"]
[[comparison]]
name = "doc"
columns = ["doc"]
levels = ["exact"]
[training]
random_pairs = 20000
"#;

const GIVEN: &[&str] = &[
    "ana", "maria", "jose", "luis", "carmen", "juan", "rosa", "pedro", "elena", "jorge", "lucia", "miguel", "sofia",
    "carlos", "isabel", "diego", "paula", "andres", "laura", "pablo", "marta", "ramon", "teresa", "oscar", "silvia",
    "hugo", "alicia", "ruben", "nora", "ivan", "clara", "felipe", "irene", "mateo", "julia", "tomas", "eva", "raul",
    "lorena", "victor",
];
const COMMON_FAMILY: &[&str] = &["garcia", "lopez", "martinez", "hernandez", "gonzalez", "perez"];

const PERSONS: usize = 4000;
const MATCHES: usize = 400;
const TWINS: usize = 400;
const NAMESAKES: usize = 400;
const STRANGERS: usize = 1200;
/// Docket persons whose given and family names the manifest swaps.
const SWAPPED: usize = 100;

struct Person {
    given: String,
    family: String,
    dob: String,
    doc: String,
}

fn person(rng: &mut Rng) -> Person {
    // 60% a common family name, the rest a made-up, nearly unique one.
    let family = if rng.below(10) < 6 { COMMON_FAMILY[rng.below(COMMON_FAMILY.len())].to_owned() } else { rng.word(3) };
    // A quarter of given names made up too, so that some full names are rare twice over.
    let given = if rng.below(4) == 0 { rng.word(2) } else { GIVEN[rng.below(GIVEN.len())].to_owned() };
    Person {
        given,
        family,
        dob: format!("{}-{:02}-{:02}", 1960 + rng.below(40), 1 + rng.below(12), 1 + rng.below(28)),
        doc: format!("D{:08}", rng.next() % 100_000_000),
    }
}

/// Pairs of ids, table A's first.
type Pairs = Vec<(String, String)>;

/// The pairs of the tables: true pairs, twins and namesakes.
struct Truth {
    matches: Pairs,
    twins: Pairs,
    namesakes: Pairs,
}

/// Tables A and B as CSV, and their pairs as ids.
fn tables() -> (String, String, Truth) {
    let mut rng = Rng(2024);
    let docket: Vec<Person> = (0..PERSONS).map(|_| person(&mut rng)).collect();
    let mut a = String::from("id,given,family,dob,doc\n");
    for (i, p) in docket.iter().enumerate() {
        a.push_str(&format!("A{i},{},{},{},{}\n", p.given, p.family, p.dob, p.doc));
    }
    let mut b = String::from("id,given,family,dob,doc\n");
    let (mut truth, mut twins, mut namesakes) = (Vec::new(), Vec::new(), Vec::new());
    let mut row = 0;
    let mut push = |b: &mut String, p: &Person| {
        row += 1;
        b.push_str(&format!("B{row},{},{},{},{}\n", p.given, p.family, p.dob, p.doc));
        format!("B{row}")
    };
    for i in 0..MATCHES {
        let p = &docket[i * 7];
        // Half the travellers show another (renewed) passport; one in fifty a mistyped day of birth.
        let doc = if i % 2 == 0 { p.doc.clone() } else { format!("R{:08}", rng.next() % 100_000_000) };
        let dob = if i % 50 == 1 { mistyped_day(&p.dob) } else { p.dob.clone() };
        let id = push(&mut b, &Person { doc, dob, given: p.given.clone(), family: p.family.clone() });
        truth.push((format!("A{}", i * 7), id));
    }
    for i in 0..TWINS {
        let j = i * 7 + 3;
        let p = &docket[j];
        let mut given = GIVEN[rng.below(GIVEN.len())];
        while given == p.given {
            given = GIVEN[rng.below(GIVEN.len())];
        }
        let twin = Person {
            given: given.to_owned(),
            family: p.family.clone(),
            dob: p.dob.clone(),
            doc: format!("T{:08}", rng.next() % 100_000_000),
        };
        let id = push(&mut b, &twin);
        twins.push((format!("A{j}"), id));
    }
    // A swap changes both name comparisons at once, which independent m probabilities cannot
    // express: the model expects almost none of these pairs, and every one is claimed.
    for i in 0..SWAPPED {
        let j = i * 7 + 5;
        let p = &docket[j];
        let swapped = Person {
            given: p.family.clone(),
            family: p.given.clone(),
            dob: p.dob.clone(),
            doc: format!("S{:08}", rng.next() % 100_000_000),
        };
        let id = push(&mut b, &swapped);
        truth.push((format!("A{j}"), id));
    }
    // Namesakes: a docket person's full name, born another day of the same year, as a few
    // matches show it too.
    for i in 0..NAMESAKES {
        let j = i * 7 + 6;
        let p = &docket[j];
        let namesake = Person {
            dob: format!("{}-{:02}-{:02}", &p.dob[..4], 1 + rng.below(12), 1 + rng.below(28)),
            doc: format!("N{:08}", rng.next() % 100_000_000),
            given: p.given.clone(),
            family: p.family.clone(),
        };
        let id = push(&mut b, &namesake);
        namesakes.push((format!("A{j}"), id));
    }
    for _ in 0..STRANGERS {
        let p = person(&mut rng);
        push(&mut b, &p);
    }
    (a, b, Truth { matches: truth, twins, namesakes })
}

/// `dob` with another day of the month.
fn mistyped_day(dob: &str) -> String {
    let day: usize = dob[8..].parse().expect("day");
    format!("{}{:02}", &dob[..8], day % 28 + 1)
}

fn run(calibrate: bool) -> (Records, LinkResult, Truth) {
    let settings = settings(calibrate);
    let (a, b, truth) = tables();
    let tables = vec![
        ("a.csv".to_owned(), std::io::Cursor::new(a.into_bytes())),
        ("b.csv".to_owned(), std::io::Cursor::new(b.into_bytes())),
    ];
    let records = Records::from_readers(&settings, tables).expect("read");
    let result = link::run(&settings, &records, None, None, &mut |_, _, _| {});
    (records, result, truth)
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
fn twins_and_namesakes_are_not_linked_once_calibrated_and_swapped_names_still_are() {
    let (records, plain, truth) = run(false);
    let plain_true = linked(&records, &plain, &truth.matches);
    let plain_twins = linked(&records, &plain, &truth.twins);
    let plain_namesakes = linked(&records, &plain, &truth.namesakes);
    let (records, calibrated, truth) = run(true);
    let true_links = linked(&records, &calibrated, &truth.matches);
    let twin_links = linked(&records, &calibrated, &truth.twins);
    let namesake_links = linked(&records, &calibrated, &truth.namesakes);
    eprintln!(
        "without calibration: {plain_true} true, {plain_twins} twins, {plain_namesakes} namesakes; \
         with: {true_links} true, {twin_links} twins, {namesake_links} namesakes"
    );
    // Without the calibration the model links the twins whose family name is rare (about 40%
    // of them) and the namesakes whose given name is rare too: the test would fail if the
    // calibration did nothing.
    assert!(plain_twins >= TWINS / 5, "{plain_twins} twins linked without calibration");
    assert!(plain_namesakes >= NAMESAKES / 10, "{plain_namesakes} namesakes linked without calibration");
    assert!(twin_links <= TWINS / 40, "{twin_links} twins linked with calibration");
    assert!(namesake_links <= NAMESAKES / 100, "{namesake_links} namesakes linked with calibration");
    // Every traveller who is a docket person is still linked, the swapped ones included: their
    // pattern claims far more matches than the model expects, but every pair of it is claimed,
    // and the calibration leaves such a pattern alone. (The matches with a mistyped day all
    // show a renewed passport, and are not linked with or without the calibration.)
    let expected = MATCHES - MATCHES / 50 + SWAPPED;
    assert!(true_links >= plain_true && true_links >= expected * 99 / 100, "{true_links} of {expected} true pairs");
    assert!(
        calibrated.model.related.iter().all(|r| r.levels[..2] != ["swapped", "swapped"]),
        "the swapped names' pattern was weighed down: {:?}",
        calibrated.model.related
    );
    assert!(!calibrated.model.related.is_empty() && plain.model.related.is_empty());

    // The twins' and the namesakes' patterns are calibrated, and their ceilings hold the
    // pairs' comparisons down: a sum far above the ceiling comes to the ceiling, a sum far
    // below it keeps its weight.
    let settings = settings(true);
    let index = |id: &str| records.ids.iter().position(|x| x == id).expect("id");
    for (pairs, levels) in
        [(&truth.twins, ["else", "exact", "exact", "else"]), (&truth.namesakes, ["exact", "exact", "year", "else"])]
    {
        let pattern = calibrated.model.related.iter().find(|r| r.levels == levels).expect("the pattern is calibrated");
        assert!(pattern.claimed > pattern.expected, "{pattern:?}");
        let (mut above, mut below) = (0, 0);
        for (x, y) in pairs {
            let e = link::explain(&settings, &records, &calibrated.weights, index(x), index(y));
            if !e.comparisons.iter().map(|c| c.level.as_str()).eq(levels) {
                continue;
            }
            assert_eq!(e.related_ceiling, Some(pattern.ceiling), "the explanation names the ceiling: {e:?}");
            let sum: f64 = e.comparisons.iter().map(|c| c.weight).sum();
            let held = e.total_weight - e.prior_weight;
            assert!(held <= sum.min(pattern.ceiling) + 1e-9 && (held - e.related_weight - sum).abs() < 1e-9, "{e:?}");
            // Five bits from the ceiling, the two differ by log2(1 + 2^-5) < 0.045 bits.
            if sum > pattern.ceiling + 5.0 {
                above += 1;
                assert!((held - pattern.ceiling).abs() < 0.045, "{e:?} under {pattern:?}");
            } else if sum < pattern.ceiling - 5.0 {
                below += 1;
                assert!(e.related_weight.abs() < 0.045, "{e:?} under {pattern:?}");
            }
        }
        eprintln!("{levels:?}: {above} pairs far above the ceiling, {below} far below");
        // Pairs of rare and of common names alike: a weight taken off every pair alike would
        // leave them apart, not all at the ceiling.
        assert!(above > 10, "{levels:?}: {above} pairs far above the ceiling");
    }
}

/// The calibration's weight of a pair: the comparisons' sum `x` held under a ceiling `c`.
#[test]
fn a_ceiling_holds_a_sum_under_it_and_leaves_a_low_one_nearly_alone() {
    use docket_link::capped;
    for (x, c) in [(0.0, 0.0), (-30.0, 12.5), (12.5, -30.0), (40.0, 20.0), (20.0, 40.0), (19.0, 20.0), (-3.5, -3.0)] {
        let held = capped(x, c);
        // -log2(2^-x + 2^-c), worked out the plain way where it is representable.
        let plain = -((-x).exp2() + (-c).exp2()).log2();
        assert!((held - plain).abs() < 1e-9, "capped({x}, {c}) = {held}, expected {plain}");
        assert!(held <= x.min(c) && held >= x.min(c) - 1.0, "capped({x}, {c}) = {held}");
        assert_eq!(held, capped(c, x), "symmetric");
    }
    // Far apart, the lower one stands; equal, one bit comes off.
    assert!((capped(-10.0, 60.0) + 10.0).abs() < 1e-15);
    assert!((capped(5.0, 5.0) - 4.0).abs() < 1e-12);
    // No overflow where the plain formula would give infinity.
    assert!((capped(-2000.0, 3000.0) + 2000.0).abs() < 1e-9);
}

/// The test's settings, calibrating or not.
fn settings(calibrate: bool) -> Settings {
    let text = SETTINGS.replace("[training]", &format!("[training]\ncalibrate = {calibrate}"));
    Settings::parse(&text, "calibration test").expect("settings")
}

#[test]
fn the_calibration_is_saved_with_the_model_and_applies_when_it_is_reused() {
    let (records, result, truth) = run(true);
    let twins = &truth.twins;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("model.json");
    result.model.save(&path).expect("save");
    let settings = settings(true);
    let loaded = Model::load(&path, &settings).expect("load");
    assert_eq!(loaded.related.len(), result.model.related.len());
    let again = link::run(&settings, &records, Some(loaded), None, &mut |_, _, _| {});
    assert_eq!(linked(&records, &again, twins), linked(&records, &result, twins));
    assert_eq!(linked(&records, &again, &truth.matches), linked(&records, &result, &truth.matches));
    // The explanation of a twin pair carries the related weight, and the weights add up.
    let index = |id: &str| records.ids.iter().position(|x| x == id).expect("id");
    let explained = twins
        .iter()
        .map(|(x, y)| link::explain(&settings, &records, &result.weights, index(x), index(y)))
        .find(|e| e.related_weight < 0.0)
        .expect("a twin pair with a related weight");
    let sum =
        explained.prior_weight + explained.related_weight + explained.comparisons.iter().map(|c| c.weight).sum::<f64>();
    assert!((sum - explained.total_weight).abs() < 1e-9, "{explained:?}");
    // A true pair of the usual pattern has no ceiling, and nothing taken off.
    let (x, y) = &truth.matches[0];
    let plain = link::explain(&settings, &records, &result.weights, index(x), index(y));
    assert!(plain.related_ceiling.is_none() && plain.related_weight == 0.0, "{plain:?}");

    // A related pattern naming a level the settings do not have is refused.
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("read model")).expect("json");
    json["related"][0]["levels"][0] = "nearly".into();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, json.to_string()).expect("write");
    let err = Model::load(&bad, &settings).expect_err("an unknown level");
    assert!(err.to_string().contains("nearly"), "{err}");

    // A related pattern without a ceiling is refused, naming the field.
    json["related"][0]["levels"][0] = "else".into();
    json["related"][0].as_object_mut().expect("pattern").remove("ceiling");
    std::fs::write(&bad, json.to_string()).expect("write");
    let err = Model::load(&bad, &settings).expect_err("a pattern without a ceiling");
    assert!(err.to_string().contains("ceiling"), "{err}");

    // A model saved before the ceiling (format 1, a weight per pattern) is refused by format.
    json["related"][0]["ceiling"] = 20.0.into();
    json["format"] = "docket-link model 1".into();
    std::fs::write(&bad, json.to_string()).expect("write");
    let err = Model::load(&bad, &settings).expect_err("an older format");
    assert!(err.to_string().contains("format `docket-link model 1`"), "{err}");
}
