//! Normalization against data files (`tests/data/{fold,names,dates,documents,name_tables}.tsv`)
//! and the shipped name tables.

mod common;

use docket_link::normalize::{
    BUILTIN_EQUIVALENCES, BUILTIN_PARTICLES, NameRules, fold, normalize_document, parse_date,
};

fn rules() -> &'static NameRules {
    NameRules::builtin().unwrap_or_else(|e| panic!("the shipped name tables must parse: {e}"))
}

#[test]
fn folding() {
    common::check_table("fold.tsv", 1, 60, |a| fold(&a[0]));
}

#[test]
fn names() {
    let rules = rules();
    common::check_table("names.tsv", 1, 40, |a| {
        let n = rules.normalize(&a[0]);
        format!("{}\t{}", n.tokens().join(" "), n.joined())
    });
}

#[test]
fn dates() {
    let part = |p: Option<String>| p.unwrap_or_else(|| "-".to_owned());
    common::check_table("dates.tsv", 1, 40, |a| match parse_date(&a[0]) {
        None => "none".to_owned(),
        Some(d) => format!(
            "{} {} {} {} {}",
            part(d.year().map(|y| y.to_string())),
            part(d.month().map(|m| m.to_string())),
            part(d.day().map(|d| d.to_string())),
            d.digits(),
            if d.digits_known() { "known" } else { "partial" }
        ),
    });
}

#[test]
fn documents() {
    common::check_table("documents.tsv", 1, 12, |a| normalize_document(&a[0]));
}

#[test]
fn name_tables() {
    common::check_table("name_tables.tsv", 2, 10, |a| match NameRules::from_files(&a[0], &a[1]) {
        Ok(r) => {
            format!("ok particles={} groups={} spellings={}", r.particle_count(), r.group_count(), r.spelling_count())
        }
        Err(e) => e.to_string(),
    });
}

#[test]
fn shipped_tables_are_substantial() {
    let rules = rules();
    assert!(rules.particle_count() >= 50, "only {} particles", rules.particle_count());
    assert!(rules.group_count() >= 150, "only {} equivalence groups", rules.group_count());
    assert!(rules.spelling_count() >= 3 * rules.group_count(), "groups average under three spellings");
    // The constants are what builtin() parses.
    let again = NameRules::from_files(BUILTIN_PARTICLES, BUILTIN_EQUIVALENCES).expect("parses");
    assert_eq!(again.spelling_count(), rules.spelling_count());
}

#[test]
fn every_canonical_spelling_maps_to_itself_and_every_variant_to_the_first_of_its_line() {
    let rules = rules();
    for line in BUILTIN_EQUIVALENCES.lines().map(|l| l.split('#').next().unwrap_or_default()) {
        let spellings: Vec<String> = line.split([' ', ',']).filter(|s| !s.is_empty()).map(fold).collect();
        if let Some(first) = spellings.first() {
            for s in &spellings {
                assert_eq!(rules.canonical(s), first, "`{s}` on the line `{line}`");
            }
        }
    }
    assert_eq!(rules.canonical("smith"), "smith");
}

#[test]
fn tokens_agrees_with_normalize_and_clears_its_buffer() {
    let rules = rules();
    let mut out = vec!["left over".to_owned()];
    rules.tokens("Iouri van der GAGARINE", &mut out);
    assert_eq!(out, ["yuri", "gagarine"]);
    assert_eq!(out, rules.normalize("Iouri van der GAGARINE").tokens());
}

#[test]
fn normalized_name_forms() {
    let n = rules().normalize("  Hassan, Mohamed AL-Hassan ");
    assert_eq!(n.folded(), "hassan mohamed al hassan");
    assert_eq!(n.canonical(), "hassan muhammad hassan");
    assert_eq!(n.sorted(), "hassan hassan muhammad");
    assert_eq!(n.joined(), "hassanmohamedalhassan");
    assert!(!n.is_empty());
    assert!(rules().normalize(" -- ").is_empty());
}

#[test]
fn an_empty_particle_table_keeps_given_names_such_as_ben() {
    let given = NameRules::from_files("", BUILTIN_EQUIVALENCES).expect("parses");
    assert_eq!(given.normalize("Ben Mohamed").tokens(), ["ben", "muhammad"]);
    assert_eq!(rules().normalize("Ben Mohamed").tokens(), ["muhammad"]);
}
