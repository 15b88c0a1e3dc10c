//! The kinds of data Docket must never hold, and the words that name them: the event schema
//! test (`schema.rs`) and the departure schema test (`departure_schema.rs`) check every name of
//! their formats against them.

/// The kinds of data Docket must never hold (`DESIGN.md`, "The line Docket does not cross"),
/// each with the words that would name it, separated by spaces. A word is matched against whole
/// words of a name (split at `_`), words joined by `_` against consecutive ones:
/// `national_security_determination` and `national_id` do not name a national origin, and
/// `travel_document_obtained` is not a travel history.
pub const NEVER_HELD: [(&str, &str); 16] = [
    ("race or ethnicity", "race races racial ethnicity ethnic ancestry tribe tribal caste"),
    ("religion", "religion religions religious faith church mosque synagogue worship"),
    ("national origin as a trait", "nationality nationalities origin origins birthplace"),
    ("sex or gender", "sex gender genders pronoun pronouns transgender"),
    ("sexual orientation", "sexual orientation lgbt lgbtq gay lesbian bisexual homosexual"),
    ("political opinion or activity", "political politics party opinion opinions protest activism activist"),
    (
        "associations or affiliations",
        "association associations associate associates affiliation affiliations affiliate member members \
         membership gang network contacts",
    ),
    ("social media", "media facebook twitter instagram tiktok whatsapp online"),
    (
        "location, address or movement",
        "location locations address addresses street city zip postal postcode coordinates coordinate latitude \
         longitude lat lon lng gps geolocation geospatial whereabouts residence domicile movement movements \
         travel_history itinerary route facility place port license_plate",
    ),
    ("tax records", "tax taxes irs itin"),
    ("social security records", "social_security ssn"),
    ("benefits records", "benefit benefits welfare snap medicaid medicare"),
    ("health or medical records", "health medical diagnosis illness disability hospital pregnancy pregnant medication"),
    ("housing records", "housing rent landlord tenant lease mortgage utility utilities"),
    ("labor or employment records", "labor labour employer employment employee wage wages salary job occupation"),
    ("voter records or data-broker dossiers", "voter vote voting ballot broker dossier credit"),
];

/// The kind of never-held data `name` names, and the word that names it.
pub fn never_held(name: &str) -> Option<(&'static str, &'static str)> {
    let name = name.to_lowercase();
    let words: Vec<&str> = name.split(|c: char| !c.is_alphanumeric()).collect();
    NEVER_HELD.iter().find_map(|(kind, forbidden)| {
        forbidden
            .split_whitespace()
            .find(|f| {
                let f: Vec<&str> = f.split('_').collect();
                words.windows(f.len()).any(|w| w == f.as_slice())
            })
            .map(|f| (*kind, f))
    })
}
