//! The shipped `febrl-dedupe` settings propose as candidates the duplicates that mistype both
//! names and the date of birth (made-up records in FEBRL's columns), each by the rule meant
//! for it, and not a stranger who shares only the place.

use docket_link::block;
use docket_link::settings::Settings;
use docket_link::table::Records;

const HEADER: &str =
    "rec_id,given_name,surname,street_number,address_1,address_2,suburb,postcode,state,date_of_birth,soc_sec_id";

/// The rules of the shipped settings that found pair `(a, b)`, as written.
fn rules_finding(settings: &Settings, rows: &[&str], a: u32, b: u32) -> Option<Vec<String>> {
    let text = std::iter::once(HEADER).chain(rows.iter().copied()).collect::<Vec<_>>().join("\n");
    let records = Records::from_readers(settings, vec![("records.csv".into(), text.as_bytes())]).expect("records");
    assert!(records.issues.is_empty(), "{:?}", records.issues);
    let c = block::candidates(settings, &records, None);
    let at = c.pairs.iter().position(|&p| p == (a, b))?;
    let mask = c.masks[at];
    Some(c.rules.iter().enumerate().filter(|(r, _)| mask & 1 << r != 0).map(|(_, rule)| rule.rule.clone()).collect())
}

#[test]
fn a_duplicate_under_other_names_without_a_date_is_found_by_its_number_and_postcode() {
    let settings = Settings::shipped("febrl-dedupe").expect("shipped").expect("parses");
    let rows = [
        "rec-1-org,alice,hartley,12,banksia street,,greenhill,2615,act,19700314,4127351",
        // Another name, no date of birth, the street and suburb mistyped, the number's last two
        // digits transposed.
        "rec-1-dup-0,megan,doyle,,banksia stret,,greenhil,2615,act,,4127315",
        // A stranger in the same place: postcode, suburb and state are no key on their own.
        "rec-2-org,tom,nguyen,5,wattle road,,greenhill,2615,act,19880102,7703221",
    ];
    assert_eq!(rules_finding(&settings, &rows, 0, 1), Some(vec!["prefix(soc_sec_id, 3) & postcode".to_owned()]));
    assert_eq!(rules_finding(&settings, &rows, 0, 2), None);
    assert_eq!(rules_finding(&settings, &rows, 1, 2), None);
}

#[test]
fn a_duplicate_with_both_names_mistyped_is_found_by_its_date_and_street() {
    let settings = Settings::shipped("febrl-dedupe").expect("shipped").expect("parses");
    let rows = [
        "rec-1-org,alice,hartley,12,banksia street,,greenhill,2615,act,19700314,4127351",
        // No given name, the surname, street number, suburb, postcode and number all mistyped:
        // the date of birth and the street are what is left.
        "rec-1-dup-0,,hartlye,21,banksia street,,grenhill,2651,act,19700314,9058836",
        // Born the same day, another name in another street and place: not a candidate.
        "rec-2-org,tom,nguyen,5,wattle road,,tuggeranong,2900,act,19700314,7703221",
    ];
    assert_eq!(rules_finding(&settings, &rows, 0, 1), Some(vec!["date_of_birth & address_1".to_owned()]));
    assert_eq!(rules_finding(&settings, &rows, 0, 2), None);
    assert_eq!(rules_finding(&settings, &rows, 1, 2), None);
}
