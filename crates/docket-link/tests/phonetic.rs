//! Double Metaphone against a published reference list and against cases worked out by hand
//! from the rules (`tests/data/double_metaphone*.tsv`).

mod common;

use docket_link::phonetic::double_metaphone;

fn codes(args: &[String]) -> String {
    let (primary, alternate) = double_metaphone(&args[0]);
    format!("{primary}\t{alternate}")
}

#[test]
fn reference_surnames() {
    common::check_table("double_metaphone.tsv", 1, 1200, codes);
}

#[test]
fn rules_worked_by_hand() {
    common::check_table("double_metaphone_rules.tsv", 1, 14, codes);
}
