//! The record-linkage test data judged by the files written, through the crate's public
//! API as `docket link-data` calls it: determinism, a truth file consistent with the tables,
//! the documented perturbation rates, hard negatives and crowded common surnames. (What the
//! command itself adds, its arguments, summary line and refusals, is tested in the `docket`
//! crate's `tests/link_data_cli.rs`.)

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use docket_synth::linkage::{self, LinkDataKind, LinkDataOptions, LinkDataSummary};

/// The options of `kind` with these table sizes; two threads, as the output must not depend
/// on them.
fn options(kind: LinkDataKind, rows_a: u64, rows_b: u64) -> LinkDataOptions {
    LinkDataOptions { rows_a, rows_b, threads: 2, ..LinkDataOptions::new(kind) }
}

/// Writes the files of `opts` into `out` and expects success.
#[track_caller]
fn generate(opts: &LinkDataOptions, out: &Path) -> LinkDataSummary {
    linkage::generate(opts, out).unwrap_or_else(|e| panic!("{opts:?}: {e:#}"))
}

/// The name of each table written, and its rows.
fn table_rows(summary: &LinkDataSummary) -> Vec<(String, u64)> {
    summary
        .tables
        .iter()
        .map(|(p, n)| (p.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default(), *n))
        .collect()
}

/// One CSV row: column to value.
type Row = HashMap<String, String>;

/// A CSV file: header and rows.
struct Table {
    header: Vec<String>,
    rows: Vec<Row>,
}

impl Table {
    fn read(path: &Path) -> Table {
        let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("`{}`: {e}", path.display()));
        let header: Vec<String> = r.headers().expect("header").iter().map(String::from).collect();
        let rows = r
            .records()
            .map(|rec| {
                let rec = rec.unwrap_or_else(|e| panic!("`{}`: {e}", path.display()));
                assert_eq!(rec.len(), header.len(), "`{}`: ragged row", path.display());
                header.iter().cloned().zip(rec.iter().map(String::from)).collect()
            })
            .collect();
        Table { header, rows }
    }

    fn column(&self, name: &str) -> Vec<&str> {
        self.rows.iter().map(|r| r[name].as_str()).collect()
    }

    /// Rows by the value of the id column `id`, which must be unique.
    fn by_id(&self, id: &str) -> HashMap<&str, &Row> {
        let map: HashMap<&str, &Row> = self.rows.iter().map(|r| (r[id].as_str(), r)).collect();
        assert_eq!(map.len(), self.rows.len(), "`{id}` is not unique");
        map
    }
}

fn read_all(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("list")
        .map(|e| {
            let p = e.expect("entry").path();
            let bytes = std::fs::read(&p).expect("read");
            (p.file_name().map(PathBuf::from).unwrap_or_default(), bytes)
        })
        .collect();
    files.sort();
    files
}

/// The truth pairs, checked: every id names a row of its table, and appears once.
fn truth_pairs(truth: &Table, a: &HashSet<&str>, b: &HashSet<&str>) -> Vec<(String, String)> {
    let (ca, cb) = (&truth.header[0], &truth.header[1]);
    let pairs: Vec<(String, String)> = truth.rows.iter().map(|r| (r[ca].clone(), r[cb].clone())).collect();
    let (left, right): (HashSet<&str>, HashSet<&str>) =
        (pairs.iter().map(|p| p.0.as_str()).collect(), pairs.iter().map(|p| p.1.as_str()).collect());
    assert_eq!(left.len(), pairs.len(), "an A id appears twice in the truth file");
    assert_eq!(right.len(), pairs.len(), "a B id appears twice in the truth file");
    for (x, y) in &pairs {
        assert!(a.contains(x.as_str()) && b.contains(y.as_str()), "truth pair ({x}, {y}) names a missing row");
    }
    pairs
}

#[test]
fn the_same_seed_gives_the_same_bytes_and_another_seed_other_data() {
    let tmp = tempfile::tempdir().expect("temp dir");
    for (kind, files) in [(LinkDataKind::Febrl, 3), (LinkDataKind::Manifest, 4)] {
        let run = |name: &str, seed: u64| {
            let dir = tmp.path().join(format!("{kind:?}-{name}"));
            generate(&LinkDataOptions { seed, ..options(kind, 3000, 2000) }, &dir);
            read_all(&dir)
        };
        let (first, again, other) = (run("1", 5), run("2", 5), run("3", 6));
        assert_eq!(first.len(), files, "{kind:?}: a.csv, b.csv, truth.csv (and travellers.csv)");
        assert!(first == again, "{kind:?}: the same seed gave different files");
        for ((name, x), (_, y)) in first.iter().zip(&other) {
            assert_ne!(x, y, "{kind:?}: {} is the same under another seed", name.display());
        }
    }
}

#[test]
fn febrl_truth_pairs_every_duplicate_with_its_original() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let summary = generate(&LinkDataOptions { seed: 3, ..options(LinkDataKind::Febrl, 4000, 2500) }, tmp.path());
    assert_eq!(table_rows(&summary), [("a.csv".to_owned(), 4000), ("b.csv".to_owned(), 2500)]);
    assert_eq!((summary.true_pairs, summary.travellers), (2500, None));
    let (a, b) = (Table::read(&tmp.path().join("a.csv")), Table::read(&tmp.path().join("b.csv")));
    let truth = Table::read(&tmp.path().join("truth.csv"));
    let columns =
        "rec_id,given_name,surname,street_number,address_1,address_2,suburb,postcode,state,date_of_birth,soc_sec_id";
    assert_eq!(a.header.join(","), columns);
    assert_eq!(b.header.join(","), columns);
    assert_eq!(truth.header, ["rec_id_a", "rec_id_b"]);
    assert_eq!((a.rows.len(), b.rows.len()), (4000, 2500));
    let (ids_a, ids_b) = (a.by_id("rec_id"), b.by_id("rec_id"));
    let pairs = truth_pairs(&truth, &ids_a.keys().copied().collect(), &ids_b.keys().copied().collect());
    assert_eq!(pairs.len(), 2500, "every duplicate has its original");
    for (x, y) in &pairs {
        assert_eq!(x.replace("-org", "-dup-0"), *y);
    }
    // Shuffled: neither table is in id order.
    let in_order = |t: &Table| t.column("rec_id").windows(2).filter(|w| w[0] < w[1]).count();
    assert!(in_order(&a) < 2_500 && in_order(&b) < 1_600);
    for r in a.rows.iter().chain(&b.rows) {
        for (k, v) in r {
            assert!(v.bytes().all(|c| c.is_ascii() && !c.is_ascii_uppercase()), "{k} = {v:?}");
        }
        let dob = &r["date_of_birth"];
        assert!(dob.is_empty() || (dob.len() == 8 && dob.bytes().all(|c| c.is_ascii_digit())), "{dob}");
    }
    let ssid = a.column("soc_sec_id");
    assert_eq!(ssid.iter().collect::<HashSet<_>>().len(), ssid.len(), "soc_sec_id is unique per original");
    assert!(ssid.iter().all(|s| s.len() == 7 && s.bytes().all(|c| c.is_ascii_digit())));
}

#[test]
fn febrl_dedupe_writes_one_table() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let summary = generate(&LinkDataOptions { dedupe: true, ..options(LinkDataKind::Febrl, 3000, 1000) }, tmp.path());
    assert_eq!(table_rows(&summary), [("records.csv".to_owned(), 4000)]);
    let records = Table::read(&tmp.path().join("records.csv"));
    assert!(!tmp.path().join("a.csv").exists());
    let truth = Table::read(&tmp.path().join("truth.csv"));
    assert_eq!(truth.header, ["rec_id_1", "rec_id_2"]);
    assert_eq!(records.rows.len(), 4000);
    let ids: HashSet<&str> = records.by_id("rec_id").keys().copied().collect();
    let pairs = truth_pairs(&truth, &ids, &ids);
    assert_eq!(pairs.len(), 1000);
    assert_eq!(ids.iter().filter(|i| i.ends_with("-dup-0")).count(), 1000);
}

/// Share of B rows whose `column` differs from the original's, by the truth file.
fn febrl_differ_rates(dir: &Path) -> HashMap<String, f64> {
    let (a, b) = (Table::read(&dir.join("a.csv")), Table::read(&dir.join("b.csv")));
    let truth = Table::read(&dir.join("truth.csv"));
    let (ids_a, ids_b) = (a.by_id("rec_id"), b.by_id("rec_id"));
    let mut differ: HashMap<String, usize> = HashMap::new();
    for t in &truth.rows {
        let (x, y) = (ids_a[t["rec_id_a"].as_str()], ids_b[t["rec_id_b"].as_str()]);
        for c in &a.header[1..] {
            *differ.entry(c.clone()).or_default() += usize::from(x[c] != y[c]);
        }
    }
    differ.into_iter().map(|(c, n)| (c, n as f64 / truth.rows.len() as f64)).collect()
}

#[test]
fn febrl_fields_differ_as_often_as_documented() {
    let tmp = tempfile::tempdir().expect("temp dir");
    generate(&LinkDataOptions { seed: 11, ..options(LinkDataKind::Febrl, 20_000, 20_000) }, tmp.path());
    let rates = febrl_differ_rates(tmp.path());
    // docs/linkage-data.md: each field differs between duplicate and original about as often as
    // in FEBRL 4 (the second figure), within these ranges.
    let documented = [
        ("given_name", 0.29, 0.34),
        ("surname", 0.29, 0.35),
        ("street_number", 0.13, 0.17),
        ("address_1", 0.34, 0.40),
        ("address_2", 0.38, 0.45),
        ("suburb", 0.22, 0.27),
        ("postcode", 0.13, 0.17),
        ("state", 0.04, 0.06),
        ("date_of_birth", 0.07, 0.10),
        ("soc_sec_id", 0.08, 0.105),
    ];
    for (column, lo, hi) in documented {
        let r = rates[column];
        assert!((lo..=hi).contains(&r), "{column} differs in {r:.3} of duplicates, documented {lo}..{hi}");
    }
}

/// Upper case, no diacritics, hyphens and apostrophes as the manifest's MRZ style writes them:
/// enough to compare names across styles in a test.
fn fold(s: &str) -> String {
    let plain: String = s
        .chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'ă' | 'ạ' => 'a',
            'é' | 'è' | 'ê' | 'ë' | 'ế' | 'ệ' | 'ể' => 'e',
            'í' | 'ì' | 'î' | 'ï' | 'ị' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ơ' | 'ố' | 'ộ' | 'ồ' | 'ờ' => 'o',
            'ú' | 'ù' | 'û' | 'ü' | 'ư' | 'ũ' | 'ụ' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            '-' => ' ',
            other => other,
        })
        .collect();
    plain.to_uppercase().replace('\'', "").split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn manifest_truth_hard_negatives_and_common_names() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let summary =
        generate(&LinkDataOptions { match_share: 0.05, ..options(LinkDataKind::Manifest, 20_000, 20_000) }, tmp.path());
    assert_eq!(summary.true_pairs, 1000);
    assert_eq!(summary.travellers, Some(tmp.path().join("travellers.csv")));
    let (a, b) = (Table::read(&tmp.path().join("a.csv")), Table::read(&tmp.path().join("b.csv")));
    let truth = Table::read(&tmp.path().join("truth.csv"));
    let columns = "record_id,given_names,family_names,date_of_birth,sex,nationality,document_number";
    assert_eq!((a.header.join(","), b.header.join(",")), (columns.to_string(), columns.to_string()));
    assert_eq!(truth.header, ["record_id_a", "record_id_b"]);
    let (ids_a, ids_b) = (a.by_id("record_id"), b.by_id("record_id"));
    let pairs = truth_pairs(&truth, &ids_a.keys().copied().collect(), &ids_b.keys().copied().collect());
    let share = pairs.len() as f64 / b.rows.len() as f64;
    assert!((share - 0.05).abs() < 0.001, "match share {share}");
    assert!(ids_a.keys().all(|id| id.starts_with('P')) && ids_b.keys().all(|id| id.starts_with('T')));

    // Formats: ISO dates (partial ones in A only), sex M/F/X or empty, alpha-3 nationality.
    for (t, partial_allowed) in [(&a, true), (&b, false)] {
        for r in &t.rows {
            let d = &r["date_of_birth"];
            assert!(d.len() == 10 && &d[4..5] == "-" && &d[7..8] == "-", "{d}");
            assert!(partial_allowed || !d.ends_with("-00"), "{d}");
            assert!(["M", "F", "X", ""].contains(&r["sex"].as_str()));
            assert!(r["nationality"].len() == 3 && r["nationality"].bytes().all(|c| c.is_ascii_uppercase()));
        }
    }
    assert!(a.rows.iter().any(|r| r["date_of_birth"].ends_with("-00-00")));
    assert!(a.rows.iter().any(|r| r["date_of_birth"].ends_with("-00") && !r["date_of_birth"].ends_with("-00-00")));

    // Matching travellers: many keep the docket's names and date, but far from all.
    let same = |f: &dyn Fn(&Row, &Row) -> bool| {
        pairs.iter().filter(|(x, y)| f(ids_a[x.as_str()], ids_b[y.as_str()])).count() as f64 / pairs.len() as f64
    };
    let family = same(&|x, y| fold(&x["family_names"]) == fold(&y["family_names"]));
    let document = same(&|x, y| x["document_number"] == y["document_number"]);
    let dob = same(&|x, y| x["date_of_birth"] == y["date_of_birth"]);
    assert!((0.62..0.82).contains(&family), "family names kept by {family}");
    assert!((0.30..0.45).contains(&document), "document number kept by {document}");
    assert!((0.93..0.99).contains(&dob), "date of birth kept by {dob}");

    // Hard negatives: travellers who are not the docket person sharing family name and date of
    // birth with one (twins), or full name and a close birth date (namesakes), so that a rule
    // on names and date alone links the wrong people.
    let matched: HashSet<&str> = pairs.iter().map(|p| p.1.as_str()).collect();
    let mut by_family_dob: HashMap<(String, &str), Vec<&str>> = HashMap::new();
    let mut by_name: HashMap<(String, String), Vec<&str>> = HashMap::new();
    for r in &a.rows {
        let d = r["date_of_birth"].as_str();
        by_family_dob.entry((fold(&r["family_names"]), d)).or_default().push(&r["record_id"]);
        by_name.entry((fold(&r["given_names"]), fold(&r["family_names"]))).or_default().push(&r["date_of_birth"]);
    }
    let year = |d: &str| d[..4].parse::<i32>().expect("year");
    let (mut family_dob, mut name_close) = (0, 0);
    for r in b.rows.iter().filter(|r| !matched.contains(r["record_id"].as_str())) {
        let d = r["date_of_birth"].as_str();
        family_dob += usize::from(by_family_dob.contains_key(&(fold(&r["family_names"]), d)));
        let same_name = by_name.get(&(fold(&r["given_names"]), fold(&r["family_names"])));
        name_close += usize::from(same_name.is_some_and(|ds| ds.iter().any(|x| (year(x) - year(d)).abs() <= 3)));
    }
    assert!(
        family_dob > 150,
        "{family_dob} non-matching travellers share family name and birth date with a docket person"
    );
    assert!(name_close > 100, "{name_close} non-matching travellers share a full name and a close birth year");

    // travellers.csv says who each traveller is; it agrees with truth.csv, and a namesake is
    // never born the same day as the docket person whose name they carry.
    let travellers = Table::read(&tmp.path().join("travellers.csv"));
    assert_eq!(travellers.header, ["record_id_b", "who", "record_id_a"]);
    assert_eq!(travellers.rows.len(), b.rows.len());
    let truth_by_b: HashMap<&str, &str> = pairs.iter().map(|(x, y)| (y.as_str(), x.as_str())).collect();
    let mut kinds: HashMap<&str, usize> = HashMap::new();
    for t in &travellers.rows {
        let (who, of) = (t["who"].as_str(), t["record_id_a"].as_str());
        *kinds.entry(who).or_default() += 1;
        match who {
            "match" => assert_eq!(truth_by_b.get(t["record_id_b"].as_str()), Some(&of)),
            "stranger" => assert!(of.is_empty() && !truth_by_b.contains_key(t["record_id_b"].as_str())),
            "twin" | "sibling" | "namesake" => assert!(ids_a.contains_key(of), "{t:?}"),
            other => panic!("unknown relation {other}"),
        }
        if who == "namesake" {
            let (x, y) = (ids_a[of], ids_b[t["record_id_b"].as_str()]);
            assert_ne!(x["date_of_birth"], y["date_of_birth"], "a namesake born the same day: {y:?}");
        }
    }
    assert_eq!(kinds["match"], pairs.len());
    assert!(kinds["twin"] > 150 && kinds["sibling"] > 150 && kinds["namesake"] > 300, "{kinds:?}");

    // Common names are common: the most frequent surname word is held by thousands per million.
    let mut words: HashMap<String, usize> = HashMap::new();
    for r in &a.rows {
        for w in fold(&r["family_names"]).split(' ').collect::<HashSet<_>>() {
            *words.entry(w.to_string()).or_default() += 1;
        }
    }
    let top = words.values().copied().max().unwrap_or(0);
    assert!(top as f64 / a.rows.len() as f64 > 0.03, "the most common surname is on {top} rows");
}

/// Who each B row of a variant is, from `who.csv` or `travellers.csv`: (B id, relation, A id).
fn relations(path: &Path) -> Vec<(String, String, String)> {
    let t = Table::read(path);
    t.rows.iter().map(|r| (r[&t.header[0]].clone(), r[&t.header[1]].clone(), r[&t.header[2]].clone())).collect()
}

/// The share of `rows` for which `test` holds.
fn share_of<T>(rows: &[T], test: impl Fn(&T) -> bool) -> f64 {
    rows.iter().filter(|r| test(r)).count() as f64 / rows.len().max(1) as f64
}

/// A `febrl` variant with non-matching B rows: the duplicates are the match share, the near
/// misses their shares of the others, and each kind shares with its A original what it should
/// (after the errors of a second recording, which change a field in a third of duplicates).
#[test]
fn febrl_variants_hold_relatives_twins_households_and_namesakes() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut opts = options(LinkDataKind::Febrl, 20_000, 20_000);
    opts.match_share = 0.5;
    opts.shares = linkage::VariantShares {
        relatives: Some(0.2),
        twins: Some(0.1),
        households: Some(0.1),
        namesakes: Some(0.1),
        ..Default::default()
    };
    let summary = generate(&opts, tmp.path());
    assert_eq!(summary.true_pairs, 10_000);
    assert_eq!(summary.travellers, Some(tmp.path().join("who.csv")));
    let a = Table::read(&tmp.path().join("a.csv"));
    let b = Table::read(&tmp.path().join("b.csv"));
    let (a_by, b_by) = (a.by_id("rec_id"), b.by_id("rec_id"));
    let who = relations(&tmp.path().join("who.csv"));
    assert_eq!(who.len(), 20_000);
    let truth = Table::read(&tmp.path().join("truth.csv"));
    let matches: HashSet<&str> = truth.column("rec_id_b").into_iter().collect();
    let others: Vec<_> = who.iter().filter(|w| w.1 != "match").collect();
    assert_eq!(others.len(), 10_000);
    assert!(who.iter().all(|w| (w.1 == "match") == matches.contains(w.0.as_str())), "who.csv agrees with truth.csv");
    let kind = |k: &str| {
        others.iter().filter(|w| w.1 == k).map(|w| (a_by[w.2.as_str()], b_by[w.0.as_str()])).collect::<Vec<_>>()
    };
    for (k, want) in [("relative", 0.2), ("twin", 0.1), ("household", 0.1), ("namesake", 0.1)] {
        let got = share_of(&others, |w| w.1 == k);
        assert!((got - want).abs() < 0.02, "{k}: {got:.3} of the non-matching rows, want {want}");
    }
    let same = |f: &'static str| move |(x, y): &(&Row, &Row)| x[f] == y[f] && !x[f].is_empty();
    let differs = |f: &'static str| move |(x, y): &(&Row, &Row)| x[f] != y[f];
    let (relatives, twins, households, namesakes) =
        (kind("relative"), kind("twin"), kind("household"), kind("namesake"));
    for (name, rows) in [("relatives", &relatives), ("twins", &twins)] {
        assert!(share_of(rows, same("surname")) > 0.6, "{name} share the surname");
        assert!(share_of(rows, same("suburb")) > 0.7 && share_of(rows, same("postcode")) > 0.8, "{name}: the address");
        assert!(share_of(rows, differs("given_name")) > 0.95, "{name} have given names of their own");
        assert!(share_of(rows, differs("soc_sec_id")) > 0.99, "{name} have identifiers of their own");
    }
    assert!(share_of(&relatives, differs("date_of_birth")) > 0.97, "relatives are born another day");
    assert!(share_of(&twins, same("date_of_birth")) > 0.85, "twins are born the same day");
    assert!(share_of(&households, same("postcode")) > 0.8 && share_of(&households, differs("surname")) > 0.95);
    assert!(share_of(&namesakes, same("given_name")) > 0.6 && share_of(&namesakes, same("surname")) > 0.6);
    assert!(share_of(&namesakes, differs("postcode")) > 0.9 && share_of(&namesakes, differs("soc_sec_id")) > 0.99);
    // Strangers share little with the A row `who.csv` names (none).
    assert!(others.iter().filter(|w| w.1 == "stranger").all(|w| w.2.is_empty()));
    // Ids do not collide with A's and look like the duplicates'.
    assert!(
        others.iter().all(|w| w.0.starts_with("rec-") && w.0.ends_with("-dup-0") && !a_by.contains_key(w.0.as_str()))
    );
}

/// Shifted name fields, as a variant writes them: the whole name in one field, the other
/// blank; and a variant's rows are a pure function of its options, whatever the thread count.
#[test]
fn febrl_shifted_names_and_variants_are_deterministic() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut opts = options(LinkDataKind::Febrl, 5_000, 5_000);
    opts.shares.shifted_names = Some(0.2);
    generate(&opts, &tmp.path().join("shifted"));
    let plain = Table::read(&tmp.path().join("shifted/b.csv"));
    let one_blank = share_of(&plain.rows, |r| r["given_name"].is_empty() != r["surname"].is_empty());
    let spaced = share_of(&plain.rows, |r| r["given_name"].contains(' ') || r["surname"].contains(' '));
    // Blank in one field: about 20% shifted, plus the blanks of FEBRL's own (about 7%).
    assert!((0.2..0.33).contains(&one_blank), "{one_blank:.3} with one name field blank");
    assert!(spaced > 0.15, "{spaced:.3} with two names in a field");

    let mut v = options(LinkDataKind::Febrl, 20_000, 9_000);
    linkage::Variant::Mixed.apply(&mut v).expect("a febrl variant");
    let mut one = v.clone();
    one.threads = 1;
    generate(&v, &tmp.path().join("two"));
    generate(&one, &tmp.path().join("one"));
    assert_eq!(read_all(&tmp.path().join("two")), read_all(&tmp.path().join("one")));
    let names: Vec<_> = read_all(&tmp.path().join("one")).into_iter().map(|f| f.0).collect();
    assert_eq!(names, ["a.csv", "b.csv", "truth.csv", "who.csv"].map(PathBuf::from));
}

/// `manifest` variants: the near-miss shares and dual nationals move as asked.
#[test]
fn manifest_variants_set_their_shares() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut opts = options(LinkDataKind::Manifest, 50_000, 20_000);
    linkage::Variant::Relatives.apply(&mut opts).expect("a manifest variant");
    opts.shares.twins = Some(0.05);
    opts.shares.dual_nationals = Some(0.2);
    generate(&opts, tmp.path());
    let who = relations(&tmp.path().join("travellers.csv"));
    let others: Vec<_> = who.iter().filter(|w| w.1 != "match").collect();
    for (k, want) in [("sibling", 0.10), ("twin", 0.05), ("namesake", 0.025)] {
        let got = share_of(&others, |w| w.1 == k);
        assert!((got - want).abs() < 0.012, "{k}: {got:.3} of the non-matching travellers, want {want}");
    }
    let a = Table::read(&tmp.path().join("a.csv"));
    let b = Table::read(&tmp.path().join("b.csv"));
    let a_by = a.by_id("record_id");
    let b_by = b.by_id("record_id");
    let matches: Vec<_> = who.iter().filter(|w| w.1 == "match").collect();
    let other_nationality =
        share_of(&matches, |w| a_by[w.2.as_str()]["nationality"] != b_by[w.0.as_str()]["nationality"]);
    // 20% asked; a dual national's other nationality is never their own.
    assert!((0.16..0.24).contains(&other_nationality), "{other_nationality:.3} of matches on another passport");
    assert!(linkage::Variant::Households.apply(&mut options(LinkDataKind::Manifest, 10, 10)).is_err());
    assert!(linkage::Variant::DualNationals.apply(&mut options(LinkDataKind::Febrl, 10, 10)).is_err());
}
