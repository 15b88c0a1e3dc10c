//! Property tests of the whole job on small generated tables: the score of a pair does not
//! depend on the order of the input rows, and one-to-one output never uses a record twice.

use docket_link::link;
use docket_link::settings::Settings;
use docket_link::table::Records;
use proptest::prelude::*;

const SETTINGS: &str = r#"
mode = "link"
id_column = "id"
[columns]
given = "name"
family = "name"
dob = "date"
doc = "document"
[blocking]
max_block_pairs = 50
rules = [["family"], ["dob"], ["doc"]]
[[comparison]]
name = "given"
columns = ["given"]
levels = ["exact", "jaro_winkler >= 0.9", "phonetic"]
term_frequency = true
[[comparison]]
name = "family"
columns = ["family"]
levels = ["exact", "jaro_winkler >= 0.9"]
term_frequency = true
[[comparison]]
name = "dob"
columns = ["dob"]
levels = ["exact", "day_month_swapped", "year"]
[[comparison]]
name = "doc"
columns = ["doc"]
levels = ["exact", "damerau_levenshtein <= 1"]
[training]
random_pairs = 2000
"#;

const GIVEN: &[&str] = &["ana", "maria", "jose", "yuri", "mohammed", "li", "anna", "mario", "josef", "iurii"];
const FAMILY: &[&str] = &["garcia", "ivanov", "chen", "smith", "garcia lopez", "ivanova", "chan", "smyth"];

/// A row: (given, family, year, month, day, document).
type Row = (usize, usize, u16, u8, u8, u32);

fn row() -> impl Strategy<Value = Row> {
    (0..GIVEN.len(), 0..FAMILY.len(), 1950u16..1960, 1u8..13, 1u8..29, 0u32..40)
}

fn csv(rows: &[(String, Row)]) -> String {
    let mut s = String::from("id,given,family,dob,doc\n");
    for (id, (g, f, y, m, d, doc)) in rows {
        s.push_str(&format!("{id},{},{},{y:04}-{m:02}-{d:02},X{doc:05}\n", GIVEN[*g], FAMILY[*f]));
    }
    s
}

fn scores(settings: &Settings, a: &[(String, Row)], b: &[(String, Row)]) -> Vec<(String, String, u64)> {
    let tables = vec![("a.csv".to_owned(), csv(a).into_bytes()), ("b.csv".to_owned(), csv(b).into_bytes())];
    let tables = tables.into_iter().map(|(n, bytes)| (n, std::io::Cursor::new(bytes))).collect();
    let records = Records::from_readers(settings, tables).expect("read");
    let result = link::run(settings, &records, None, None, &mut |_, _, _| {});
    let mut used = std::collections::HashSet::new();
    for p in &result.accepted {
        assert!(used.insert(p.a) && used.insert(p.b), "a record is in two accepted pairs");
    }
    let mut out: Vec<(String, String, u64)> = result
        .accepted
        .iter()
        .map(|p| (records.ids[p.a as usize].clone(), records.ids[p.b as usize].clone(), p.weight.to_bits()))
        .collect();
    out.sort();
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn scores_do_not_depend_on_row_order(
        a in prop::collection::vec(row(), 5..40),
        b in prop::collection::vec(row(), 5..40),
        copies in 1usize..5,
        rotate_a in 0usize..40,
        rotate_b in 0usize..40,
    ) {
        let settings = Settings::parse(SETTINGS, "props.toml").expect("settings");
        let a: Vec<(String, Row)> = a.into_iter().enumerate().map(|(i, r)| (format!("a{i}"), r)).collect();
        let mut b: Vec<(String, Row)> = b.into_iter().enumerate().map(|(i, r)| (format!("b{i}"), r)).collect();
        // Some of A again in B, one with a day/month swap: pairs worth accepting.
        for (i, (_, r)) in a.iter().take(copies).enumerate() {
            let mut r = *r;
            if i == 0 && r.4 <= 12 {
                (r.3, r.4) = (r.4, r.3);
            }
            b.push((format!("copy{i}"), r));
        }
        let first = scores(&settings, &a, &b);
        prop_assert!(!first.is_empty(), "copies are linked");
        let (mut a2, mut b2) = (a.clone(), b.clone());
        let (ra, rb) = (rotate_a % a2.len(), rotate_b % b2.len());
        a2.rotate_left(ra);
        b2.reverse();
        b2.rotate_left(rb);
        prop_assert_eq!(first, scores(&settings, &a2, &b2));
    }
}
