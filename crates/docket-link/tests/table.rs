//! Reading CSV tables: rows are parsed on one thread and normalized on others in chunks that
//! come back in any order; the stored records must still follow the file, and bad rows far
//! apart in a long file must be found and named by their line.

use docket_link::settings::Settings;
use docket_link::table::Records;

const SETTINGS: &str = r#"
mode = "dedupe"
id_column = "id"
[columns]
name = "name"
born = "date"
doc = "document"
[blocking]
rules = [["doc"]]
[[comparison]]
name = "name"
columns = ["name"]
levels = ["exact"]
[[comparison]]
name = "born"
columns = ["born"]
levels = ["exact"]
[[comparison]]
name = "doc"
columns = ["doc"]
levels = ["exact"]
"#;

const NAMES: [&str; 5] = ["Ana García", "Li Wei", "Mohammed al-Amin", "Iurii Petrov", "Zoë van der Berg"];

/// A file of `rows` rows (several reading chunks), with a bad row, a bad date and a repeated
/// id placed in different chunks. Returns the text and the row numbers expected to be kept.
fn long_file(rows: usize) -> (String, Vec<usize>) {
    let mut text = String::from("id,name,born,doc\n");
    let mut kept = Vec::new();
    for k in 0..rows {
        match k {
            // One field too many (line 9,002).
            9_000 => text.push_str(&format!("r{k},{},1980-01-01,d-{k},extra\n", NAMES[k % 5])),
            // The id of row 3 again (line 25,002; row 3 is on line 5).
            25_000 => text.push_str(&format!("r3,{},1980-01-01,d-{k}\n", NAMES[k % 5])),
            _ => {
                // A date that cannot be read on line 30,002: the value is missing, the row kept.
                let born = if k == 30_000 { "31/31/1980".to_owned() } else { format!("19{:02}-01-02", k % 100) };
                text.push_str(&format!("r{k},{},{born},d-{k}\n", NAMES[k % 5]));
                kept.push(k);
            }
        }
    }
    (text, kept)
}

#[test]
fn rows_of_many_chunks_are_stored_in_the_order_of_the_file() {
    let settings = Settings::parse(SETTINGS, "table test").expect("settings");
    let (text, kept) = long_file(40_000);
    let records = Records::from_readers(&settings, vec![("long.csv".into(), text.as_bytes())]).expect("read");
    assert_eq!(records.len(), kept.len());
    let field = |name: &str| settings.fields.iter().position(|f| f.name == name).expect("field");
    let (doc, name, born) = (field("doc"), field("name"), field("born"));
    for (i, &k) in kept.iter().enumerate() {
        assert_eq!(records.ids[i], format!("r{k}"), "record {i}");
        assert_eq!(records.text(doc, i), format!("D{k}"), "record {i}'s document");
        assert!(!records.text(name, i).is_empty(), "record {i}'s name");
        if k != 30_000 {
            assert_eq!(records.date(born, i).year, 1900 + (k % 100) as u16, "record {i}'s birth year");
        }
    }
    let issues: Vec<String> =
        records.issues.iter().map(|i| format!("{}:{}: {:?}: {}", i.file, i.line, i.column, i.reason)).collect();
    assert_eq!(issues.len(), 3, "{issues:#?}");
    for expected in [
        "long.csv:9002: None: the row has 5 fields, the header 4",
        "long.csv:25002: Some(\"id\"): id `r3` is not unique (first seen on line 5)",
        "long.csv:30002: Some(\"born\"): `31/31/1980` is not a date",
    ] {
        assert!(issues.iter().any(|i| i.starts_with(expected)), "`{expected}` in {issues:#?}");
    }
}

#[test]
fn every_repeated_id_is_found_however_alike_the_ids() {
    // Ids that differ only past their first eight bytes, many times over: the repeated ones
    // must be found exactly, none taken for another.
    let settings = Settings::parse(SETTINGS, "table test").expect("settings");
    let mut text = String::from("id,name,born,doc\n");
    let n = 20_000;
    for k in 0..n {
        text.push_str(&format!("rec-{k}-org,Ana,1980-01-01,{k}\n"));
    }
    for k in (0..n).step_by(1_000) {
        text.push_str(&format!("rec-{k}-org,Ana,1980-01-01,{k}\n"));
    }
    let records = Records::from_readers(&settings, vec![("ids.csv".into(), text.as_bytes())]).expect("read");
    assert_eq!(records.len(), n);
    assert_eq!(records.issues.len(), n / 1_000);
    for (j, issue) in records.issues.iter().enumerate() {
        let k = j * 1_000;
        assert_eq!(issue.line, (n + j + 2) as u64);
        assert_eq!(issue.reason, format!("id `rec-{k}-org` is not unique (first seen on line {})", k + 2));
    }
}
