//! The `febrl` kind: person records laid out as in the FEBRL 4 benchmark (name, a fictitious
//! Australian address, date of birth, social security number), lower-case ASCII, and
//! duplicates carrying the kinds of errors FEBRL's generator makes, at rates calibrated on
//! FEBRL 4 (its B table differs from A in about 2.2 fields per record).
//!
//! Original `i` is a pure function of `(seed, i)`; its duplicate of `(seed, i)` and the
//! original. The addresses are made up from word lists (`../places/`) and exist only because
//! the benchmark layout has them: no address is a real person's.

use std::path::Path;
use std::sync::OnceLock;

use anyhow::Result;

use super::{LinkDataOptions, LinkDataSummary, OutFile, Shuffle, csv_row, stream, typo};
use crate::people::{NameList, Rng, choose, culture_lists, days_in_month, mix, strip_diacritics};

/// The columns of both tables, as FEBRL names them.
const COLUMNS: [&str; 11] = [
    "rec_id",
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "address_2",
    "suburb",
    "postcode",
    "state",
    "date_of_birth",
    "soc_sec_id",
];

/// The most originals: `soc_sec_id` is seven digits and unique per original.
pub(super) const MAX_ORIGINALS: u64 = 9_000_000;

const DOMAIN_ORIGINAL: u64 = 0xFEB1;
const DOMAIN_DUPLICATE: u64 = 0xFEB2;
const DOMAIN_SSID: u64 = 0xFEB3;
const DOMAIN_ORDER_A: u64 = 0xFEB4;
const DOMAIN_PICK_B: u64 = 0xFEB5;
const DOMAIN_ORDER_DEDUPE: u64 = 0xFEB6;
// The variants' streams, apart from the ones above, so that the default data is unchanged.
const DOMAIN_ORDER_B: u64 = 0xFEB7;
const DOMAIN_OTHER: u64 = 0xFEB8;
const DOMAIN_OTHER_PERSON: u64 = 0xFEB9;
const DOMAIN_OTHER_RECORDING: u64 = 0xFEBA;
const DOMAIN_SHIFT: u64 = 0xFEBB;

/// A field of a record (the columns after `rec_id`); the discriminant indexes [`Record`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Field {
    GivenName,
    Surname,
    StreetNumber,
    Address1,
    Address2,
    Suburb,
    Postcode,
    State,
    DateOfBirth,
    SocSecId,
}

/// One record's values in column order, `rec_id` left out.
pub(super) type Record = [String; 10];

/// Share of originals with each field blank, in thousandths, as in FEBRL 4's table A.
const BLANK_IN_ORIGINALS: [(Field, u32); 10] = [
    (Field::GivenName, 22),
    (Field::Surname, 10),
    (Field::StreetNumber, 32),
    (Field::Address1, 20),
    (Field::Address2, 84),
    (Field::Suburb, 11),
    (Field::Postcode, 0),
    (Field::State, 10),
    (Field::DateOfBirth, 19),
    (Field::SocSecId, 0),
];

/// Modifications per duplicate and their weights (mean 2.36: since two may hit one field,
/// duplicates then differ from their original in as many fields as FEBRL 4's do).
const MODIFICATIONS_PER_RECORD: [(usize, u32); 6] = [(1, 26), (2, 29), (3, 25), (4, 14), (5, 5), (6, 1)];

/// Share of duplicates whose given name and surname are swapped (one of their modifications).
const NAME_SWAP_SHARE: f64 = 0.015;

/// How often each field takes a modification, calibrated so that each field differs between
/// duplicate and original about as often as in FEBRL 4.
const FIELD_WEIGHTS: [(Field, u32); 10] = [
    (Field::GivenName, 38),
    (Field::Surname, 38),
    (Field::StreetNumber, 19),
    (Field::Address1, 49),
    (Field::Address2, 62),
    (Field::Suburb, 30),
    (Field::Postcode, 17),
    (Field::State, 6),
    (Field::DateOfBirth, 11),
    (Field::SocSecId, 10),
];

/// The most modifications of one field.
const MAX_PER_FIELD: u8 = 2;

/// A modification of a duplicate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Modification {
    /// A letter replaced by a neighbouring key, or a digit by a neighbouring or any other digit.
    Substitute,
    /// A neighbouring key hit as well.
    Insert,
    /// A character left out.
    Delete,
    /// Two adjacent characters swapped.
    Transpose,
    /// An OCR misreading (`m` / `rn`, `s` / `5`).
    Ocr,
    /// A respelling that sounds alike (`ph` / `f`, `ie` / `y`).
    Phonetic,
    /// A space lost or added.
    Space,
    /// The value left out.
    Blank,
    /// Another value of the same kind (another given name, another street).
    NewValue,
    /// Day and month of the date of birth swapped.
    DayMonthSwap,
    /// Given name and surname swapped (record level).
    NameSwap,
}

use Modification as M;

/// Modifications of names and address words, but leaving them out (see [`BLANK_WEIGHTS`]).
const TEXT_MODS: [(Modification, u32); 8] = [
    (M::Substitute, 18),
    (M::Insert, 14),
    (M::Delete, 16),
    (M::Transpose, 14),
    (M::Ocr, 8),
    (M::Phonetic, 8),
    (M::Space, 6),
    (M::NewValue, 8),
];
/// The weight of leaving a text field out, beside [`TEXT_MODS`]: FEBRL 4's duplicates lose
/// `address_2` much more often than a surname.
const BLANK_WEIGHTS: [(Field, u32); 5] =
    [(Field::GivenName, 8), (Field::Surname, 3), (Field::Address1, 7), (Field::Address2, 22), (Field::Suburb, 4)];
/// Modifications of the street number.
const STREET_NUMBER_MODS: [(Modification, u32); 6] =
    [(M::Substitute, 40), (M::Transpose, 20), (M::Insert, 8), (M::Delete, 8), (M::NewValue, 14), (M::Blank, 18)];
/// Modifications of the postcode.
const POSTCODE_MODS: [(Modification, u32); 4] =
    [(M::Substitute, 55), (M::Transpose, 30), (M::NewValue, 13), (M::Blank, 2)];
/// Modifications of the social security number.
const SOC_SEC_ID_MODS: [(Modification, u32); 4] =
    [(M::Substitute, 45), (M::Transpose, 25), (M::NewValue, 18), (M::Blank, 12)];
/// Modifications of the state.
const STATE_MODS: [(Modification, u32); 4] =
    [(M::NewValue, 55), (M::Substitute, 12), (M::Transpose, 8), (M::Blank, 25)];
/// Modifications of the date of birth.
const DATE_MODS: [(Modification, u32); 5] =
    [(M::Substitute, 28), (M::DayMonthSwap, 18), (M::Transpose, 14), (M::NewValue, 18), (M::Blank, 22)];

/// The modifications of field `f` with their weights.
fn mods_for(f: Field) -> Vec<(Modification, u32)> {
    let table: &[(Modification, u32)] = match f {
        Field::StreetNumber => &STREET_NUMBER_MODS,
        Field::Postcode => &POSTCODE_MODS,
        Field::SocSecId => &SOC_SEC_ID_MODS,
        Field::State => &STATE_MODS,
        Field::DateOfBirth => &DATE_MODS,
        Field::GivenName | Field::Surname | Field::Address1 | Field::Address2 | Field::Suburb => {
            let blank = BLANK_WEIGHTS.iter().find(|b| b.0 == f).map_or(0, |b| b.1);
            return TEXT_MODS.iter().copied().chain([(M::Blank, blank)]).collect();
        }
    };
    table.to_vec()
}

/// Naming cultures of the population and their weights, roughly Australia's: three quarters
/// English-language names, then the cultures of `names/` Australia has large communities of.
const CULTURE_MIX: [(&str, u32); 19] = [
    ("anglo", 720),
    ("chinese", 45),
    ("indian", 35),
    ("vietnamese", 25),
    ("arabic", 25),
    ("filipino", 20),
    ("hispanic", 15),
    ("korean", 10),
    ("east_slavic", 10),
    ("turkish", 10),
    ("nigerian", 10),
    ("pakistani", 10),
    ("romanian", 5),
    ("brazilian", 5),
    ("ghanaian", 5),
    ("bangladeshi", 5),
    ("afghan", 5),
    ("ukrainian", 5),
    ("senegalese", 5),
];

/// Share of persons whose given name comes from another culture than their surname.
const MIXED_NAMES: f64 = 0.08;
/// Where English-language surnames come from: the list of common surnames, a stem and an
/// ending ("ashworth"), or the invented long tail ("kavelski").
const ANGLO_SURNAME_SOURCES: [(SurnameSource, u32); 3] =
    [(SurnameSource::Common, 55), (SurnameSource::Composed, 20), (SurnameSource::Invented, 25)];
/// Share of other surnames from the invented long tail, except in cultures where a few
/// surnames are held by nearly everyone (Chinese, Korean, Vietnamese).
const INVENTED_OTHER_SURNAMES: f64 = 0.15;
/// Substrings an invented surname must not contain, lest random syllables spell an insult.
const BLOCKED: [&str; 14] =
    ["shit", "fuk", "fuc", "cunt", "dick", "cock", "piss", "twat", "slut", "nig", "fag", "rape", "nazi", "porn"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SurnameSource {
    Common,
    Composed,
    Invented,
}

/// States with their weights (FEBRL 4's shares) and postcode ranges.
const STATES: [(&str, u32, u32, u32); 8] = [
    ("nsw", 1686, 2000, 2599),
    ("vic", 1238, 3000, 3999),
    ("qld", 939, 4000, 4999),
    ("wa", 471, 6000, 6797),
    ("sa", 384, 5000, 5799),
    ("tas", 128, 7000, 7470),
    ("act", 72, 2600, 2618),
    ("nt", 32, 800, 899),
];

/// Forms of a suburb name besides the plain one, `{}` standing for it.
const SUBURB_FORMS: [&str; 14] = [
    "{} north",
    "{} south",
    "{} east",
    "{} west",
    "north {}",
    "south {}",
    "east {}",
    "west {}",
    "{} heights",
    "{} park",
    "{} beach",
    "{} vale",
    "{} hills",
    "mount {}",
];

/// Name lists of one culture.
struct NameSet {
    given_m: &'static NameList,
    given_f: &'static NameList,
    family: &'static NameList,
    /// Given names are syllables joined in one or two (Chinese, Korean).
    syllables: bool,
    /// A few surnames are held by nearly everyone, so there is no long tail to invent.
    concentrated: bool,
}

/// Parts of invented surnames, from `names/invented_surname_parts.txt`.
#[derive(Default)]
struct Syllables {
    onsets: Vec<&'static str>,
    nuclei: Vec<&'static str>,
    codas: Vec<&'static str>,
    endings: Vec<&'static str>,
}

/// Everything parsed from the data files, built once.
struct Tables {
    cultures: Vec<NameSet>,
    culture_weights: Vec<u32>,
    stems: NameList,
    endings: NameList,
    syllables: Syllables,
    street_types: NameList,
    street_words: NameList,
    property_kinds: NameList,
    suburbs: Vec<Vec<&'static str>>,
    state_weights: Vec<u32>,
}

fn anglo() -> &'static [NameList; 3] {
    static ANGLO: OnceLock<[NameList; 3]> = OnceLock::new();
    ANGLO.get_or_init(|| {
        [
            NameList::parse(include_str!("../names/anglo_given_m.txt")),
            NameList::parse(include_str!("../names/anglo_given_f.txt")),
            NameList::parse(include_str!("../names/anglo_family.txt")),
        ]
    })
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let [given_m, given_f, family] = anglo();
        let mut cultures = Vec::new();
        let mut culture_weights = Vec::new();
        for (prefix, weight) in CULTURE_MIX {
            let set = if prefix == "anglo" {
                Some(NameSet { given_m, given_f, family, syllables: false, concentrated: false })
            } else {
                culture_lists(prefix).map(|(given_m, given_f, family)| NameSet {
                    given_m,
                    given_f,
                    family,
                    syllables: matches!(prefix, "chinese" | "korean"),
                    concentrated: matches!(prefix, "chinese" | "korean" | "vietnamese"),
                })
            };
            if let Some(set) = set {
                cultures.push(set);
                culture_weights.push(weight);
            }
        }
        let mut suburbs = vec![Vec::new(); STATES.len()];
        for line in data_lines(include_str!("../places/suburbs.txt")) {
            if let Some((name, state)) = line.split_once('\t') {
                if let Some(s) = STATES.iter().position(|st| st.0 == state.trim()) {
                    suburbs[s].push(name.trim());
                }
            }
        }
        let mut syllables = Syllables::default();
        for line in data_lines(include_str!("../names/invented_surname_parts.txt")) {
            let Some((kind, parts)) = line.split_once('\t') else { continue };
            let list = match kind {
                "onset" => &mut syllables.onsets,
                "nucleus" => &mut syllables.nuclei,
                "coda" => &mut syllables.codas,
                "ending" => &mut syllables.endings,
                _ => continue,
            };
            list.extend(parts.split_whitespace());
        }
        Tables {
            syllables,
            cultures,
            culture_weights,
            stems: NameList::parse(include_str!("../names/anglo_family_stems.txt")),
            endings: NameList::parse(include_str!("../names/anglo_family_endings.txt")),
            street_types: NameList::parse(include_str!("../places/street_types.txt")),
            street_words: NameList::parse(include_str!("../places/street_words.txt")),
            property_kinds: NameList::parse(include_str!("../places/property_kinds.txt")),
            suburbs,
            state_weights: STATES.iter().map(|s| s.1).collect(),
        }
    })
}

/// The non-comment, non-blank lines of a data file, trimmed.
fn data_lines(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// Lower-case ASCII as FEBRL records names: diacritics dropped, only letters, digits,
/// apostrophes and single spaces kept (hyphens become spaces).
fn febrl_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in strip_diacritics(s).chars() {
        match c {
            'a'..='z' | '0'..='9' | '\'' => out.push(c),
            'A'..='Z' => out.push(c.to_ascii_lowercase()),
            ' ' | '-' if !out.is_empty() && !out.ends_with(' ') => out.push(' '),
            _ => {}
        }
    }
    while out.ends_with(' ') {
        out.pop();
    }
    out
}

fn given_name(culture: usize, fem: bool, rng: &mut Rng) -> String {
    let set = &tables().cultures[culture];
    let list = if fem { set.given_f } else { set.given_m };
    let first = list.pick(rng);
    let first = first.split(' ').next().unwrap_or(first);
    if set.syllables && rng.chance(0.6) { febrl_text(&format!("{first}{}", list.pick(rng))) } else { febrl_text(first) }
}

/// A rare English-language surname: stem and ending ("ashworth", "thornbury").
fn rare_anglo_surname(rng: &mut Rng) -> String {
    let t = tables();
    febrl_text(&format!("{}{}", t.stems.pick(rng), t.endings.pick(rng)))
}

/// An invented surname of two to four syllables, sometimes with a surname ending
/// ("kavelski", "drounis", "mabrek").
fn invented_surname(rng: &mut Rng) -> String {
    let sy = &tables().syllables;
    let part = |list: &[&'static str], rng: &mut Rng| list.get(rng.below(list.len() as u64) as usize).copied();
    let vowel = |c: Option<char>| c.is_some_and(|c| "aeiou".contains(c));
    for _ in 0..8 {
        let mut s = String::new();
        for _ in 0..choose(rng, &[(2usize, 60), (3, 35), (4, 5)]) {
            // Vowels meet only across a consonant: no "ruraiu".
            if vowel(s.chars().last()) || s.is_empty() || rng.chance(0.7) {
                s.extend(part(&sy.onsets, rng));
            }
            s.extend(part(&sy.nuclei, rng));
            if rng.chance(0.3) {
                s.extend(part(&sy.codas, rng));
            }
        }
        if rng.chance(0.35) {
            let ending = part(&sy.endings, rng).unwrap_or("");
            if !(vowel(s.chars().last()) && vowel(ending.chars().next())) {
                s.push_str(ending);
            }
        }
        if !s.is_empty() && !BLOCKED.iter().any(|b| s.contains(b)) {
            return s;
        }
    }
    rare_anglo_surname(rng)
}

fn surname(culture: usize, rng: &mut Rng) -> String {
    let set = &tables().cultures[culture];
    let source = if culture == 0 {
        choose(rng, &ANGLO_SURNAME_SOURCES)
    } else if !set.concentrated && rng.chance(INVENTED_OTHER_SURNAMES) {
        SurnameSource::Invented
    } else {
        SurnameSource::Common
    };
    match source {
        SurnameSource::Common => febrl_text(set.family.pick(rng)),
        SurnameSource::Composed => rare_anglo_surname(rng),
        SurnameSource::Invented => invented_surname(rng),
    }
}

fn culture(rng: &mut Rng) -> usize {
    rng.weighted(&tables().culture_weights)
}

fn street_number(rng: &mut Rng) -> String {
    let (lo, hi) = choose(rng, &[((1, 9), 24), ((10, 99), 58), ((100, 999), 14), ((1000, 1999), 1)]);
    rng.range_i64(lo, hi).to_string()
}

/// A street: a surname or another street word, then a street type ("stanley street").
fn street(rng: &mut Rng) -> String {
    let t = tables();
    let stem = match choose(rng, &[(0u8, 45), (1, 15), (2, 25), (3, 15)]) {
        0 => febrl_text(anglo()[2].pick(rng)),
        1 => rare_anglo_surname(rng),
        2 => t.street_words.pick(rng).to_string(),
        _ => {
            let c = 1 + rng.below(t.cultures.len() as u64 - 1) as usize;
            febrl_text(t.cultures[c].family.pick(rng))
        }
    };
    format!("{stem} {}", t.street_types.pick(rng))
}

/// A property or building name, FEBRL's `address_2` ("broadbridge manor", "kela").
fn property(rng: &mut Rng) -> String {
    let t = tables();
    let base = match choose(rng, &[(0u8, 40), (1, 25), (2, 20), (3, 15)]) {
        0 => rare_anglo_surname(rng),
        1 => t.street_words.pick(rng).to_string(),
        2 => locality(rng).0,
        _ => febrl_text(anglo()[2].pick(rng)),
    };
    if rng.chance(0.55) { format!("{base} {}", t.property_kinds.pick(rng)) } else { base }
}

/// Suburb, postcode and state. A suburb's postcode is fixed (a hash of the suburb), in its
/// state's range.
fn locality(rng: &mut Rng) -> (String, String, &'static str) {
    let t = tables();
    let s = rng.weighted(&t.state_weights);
    let list = &t.suburbs[s];
    let k = rng.below(list.len() as u64);
    let base = list.get(k as usize).copied().unwrap_or("");
    let form = if rng.chance(0.2) { 1 + rng.below(SUBURB_FORMS.len() as u64) } else { 0 };
    let name = match form {
        0 => base.to_string(),
        f => SUBURB_FORMS[f as usize - 1].replace("{}", base),
    };
    let (state, _, lo, hi) = STATES[s];
    let postcode = u64::from(lo) + mix(0x5B_0000 ^ ((s as u64) << 40) ^ (k << 8) ^ form) % u64::from(hi - lo + 1);
    (name, format!("{postcode:04}"), state)
}

/// A date of birth, `YYYYMMDD`, between 1920 and 2008.
fn date_of_birth(rng: &mut Rng) -> String {
    let year = rng.range_i64(1920, 2008);
    let month = rng.range_i64(1, 12);
    let day = rng.range_i64(1, days_in_month(year, month));
    format!("{year:04}{month:02}{day:02}")
}

fn soc_sec_id(ssid: &Shuffle, i: u64) -> String {
    (1_000_000 + ssid.at(i)).to_string()
}

/// Original `i`.
pub(super) fn original(seed: u64, i: u64, ssid: &Shuffle) -> Record {
    person(Rng::for_item(seed, DOMAIN_ORIGINAL, i), soc_sec_id(ssid, i))
}

/// The naming culture of original `i`'s surname (the first draw of its stream).
fn family_culture(seed: u64, i: u64) -> usize {
    culture(&mut Rng::for_item(seed, DOMAIN_ORIGINAL, i))
}

/// A person drawn from `rng`, with the social security number `ssid`.
fn person(mut rng: Rng, ssid: String) -> Record {
    let family_culture = culture(&mut rng);
    let given_culture = if rng.chance(MIXED_NAMES) { culture(&mut rng) } else { family_culture };
    let fem = rng.chance(0.5);
    let given = given_name(given_culture, fem, &mut rng);
    let surname = surname(family_culture, &mut rng);
    let number = street_number(&mut rng);
    let street = street(&mut rng);
    let property = property(&mut rng);
    let (suburb, postcode, state) = locality(&mut rng);
    let dob = date_of_birth(&mut rng);
    let mut rec: Record = [given, surname, number, street, property, suburb, postcode, state.to_string(), dob, ssid];
    for (f, per_mille) in BLANK_IN_ORIGINALS {
        if per_mille > 0 && rng.below(1000) < u64::from(per_mille) {
            rec[f as usize].clear();
        }
    }
    rec
}

/// Another value for field `f`.
fn new_value(f: Field, rng: &mut Rng) -> String {
    match f {
        Field::GivenName => {
            let c = culture(rng);
            given_name(c, rng.chance(0.5), rng)
        }
        Field::Surname => {
            let c = culture(rng);
            surname(c, rng)
        }
        Field::StreetNumber => street_number(rng),
        Field::Address1 => street(rng),
        Field::Address2 => property(rng),
        Field::Suburb => locality(rng).0,
        Field::Postcode => locality(rng).1,
        Field::State => STATES[rng.weighted(&tables().state_weights)].0.to_string(),
        Field::DateOfBirth => date_of_birth(rng),
        Field::SocSecId => (1_000_000 + rng.below(MAX_ORIGINALS)).to_string(),
    }
}

/// `YYYYMMDD` with day and month swapped, when the day can be a month and differs from it.
fn day_month_swap(v: &str) -> Option<String> {
    if v.len() != 8 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (month, day) = (&v[4..6], &v[6..8]);
    let d: u32 = day.parse().ok()?;
    ((1..=12).contains(&d) && day != month).then(|| format!("{}{day}{month}", &v[..4]))
}

fn is_numeric(f: Field) -> bool {
    matches!(f, Field::StreetNumber | Field::Postcode | Field::DateOfBirth | Field::SocSecId)
}

/// `m` applied to the value `v` of field `f`, or `None` if it does not apply or changes nothing.
fn modify(f: Field, m: Modification, v: &str, rng: &mut Rng) -> Option<String> {
    let out = match m {
        M::Substitute if is_numeric(f) => typo::substitute_digit(v, rng),
        M::Substitute => typo::substitute(v, rng),
        M::Insert => typo::insert(v, rng),
        M::Delete => typo::delete(v, rng),
        M::Transpose => typo::transpose(v, rng),
        M::Ocr => typo::ocr(v, rng),
        M::Phonetic => typo::phonetic(v, rng),
        M::Space => typo::space(v, rng),
        M::Blank => Some(String::new()),
        M::NewValue => Some(new_value(f, rng)),
        M::DayMonthSwap => day_month_swap(v),
        M::NameSwap => None,
    }?;
    (out != v).then_some(out)
}

/// What was done to a duplicate: the field (`None` for a name swap) and the modification.
pub(super) type Trace = Vec<(Option<Field>, Modification)>;

/// The duplicate of original `i` (whose record is `original`), and what was done to it.
pub(super) fn duplicate(seed: u64, i: u64, original: &Record) -> (Record, Trace) {
    recorded(Rng::for_item(seed, DOMAIN_DUPLICATE, i), original)
}

/// `original` as a second recording of it comes out, with what was done to it: a duplicate's
/// modifications, drawn from `rng`.
fn recorded(mut rng: Rng, original: &Record) -> (Record, Trace) {
    let mut rec = original.clone();
    let want = choose(&mut rng, &MODIFICATIONS_PER_RECORD);
    let mut trace = Vec::with_capacity(want);
    if rng.chance(NAME_SWAP_SHARE) && rec[0] != rec[1] {
        rec.swap(Field::GivenName as usize, Field::Surname as usize);
        trace.push((None, M::NameSwap));
    }
    let mut per_field = [0u8; 10];
    // A modification that does not apply (a blank left blank, nothing to transpose) is drawn
    // again; the bound only guards against a record where almost nothing applies.
    for _ in 0..64 {
        if trace.len() >= want {
            break;
        }
        let f = choose(&mut rng, &FIELD_WEIGHTS);
        if per_field[f as usize] >= MAX_PER_FIELD {
            continue;
        }
        let m = choose(&mut rng, &mods_for(f));
        if let Some(v) = modify(f, m, &rec[f as usize], &mut rng) {
            rec[f as usize] = v;
            per_field[f as usize] += 1;
            trace.push((Some(f), m));
        }
    }
    (rec, trace)
}

fn org_id(i: u64) -> String {
    format!("rec-{i}-org")
}

fn dup_id(i: u64) -> String {
    format!("rec-{i}-dup-0")
}

fn push_record(buf: &mut Vec<u8>, id: &str, rec: &Record) {
    let mut fields = [""; 11];
    fields[0] = id;
    for (slot, v) in fields[1..].iter_mut().zip(rec) {
        *slot = v;
    }
    csv_row(buf, &fields);
}

/// The duplicates among `rows_b` B rows.
pub(super) fn match_count(opts: &LinkDataOptions) -> u64 {
    (opts.rows_b as f64 * opts.match_share).round() as u64
}

/// Who a B row is, relative to table A (indices are A's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Who {
    /// A duplicate of original `i`.
    Match(u64),
    /// Someone of original `i`'s family: the same surname and address, another given name, date
    /// of birth and identifier.
    Relative(u64),
    /// A relative born the same day as original `i`.
    Twin(u64),
    /// Someone at original `i`'s address under another surname.
    Household(u64),
    /// Someone of original `i`'s given name and surname, born another day, living elsewhere.
    Namesake(u64),
    /// Someone else, from the same population.
    Stranger,
}

impl Who {
    /// The relation as `who.csv` writes it, and the original it is to.
    fn relation(self) -> (&'static str, Option<u64>) {
        match self {
            Who::Match(i) => ("match", Some(i)),
            Who::Relative(i) => ("relative", Some(i)),
            Who::Twin(i) => ("twin", Some(i)),
            Who::Household(i) => ("household", Some(i)),
            Who::Namesake(i) => ("namesake", Some(i)),
            Who::Stranger => ("stranger", None),
        }
    }
}

/// The address fields, which relatives and households share.
const ADDRESS: [Field; 6] =
    [Field::StreetNumber, Field::Address1, Field::Address2, Field::Suburb, Field::Postcode, Field::State];

/// The run's permutations: social security numbers, which originals the duplicates copy, and
/// (in a variant with non-matching B rows) the order of B.
struct Keys {
    seed: u64,
    rows_a: u64,
    matches: u64,
    ssid: Shuffle,
    pick: Shuffle,
    order_b: Option<Shuffle>,
    /// Cumulative shares of relatives, twins, households and namesakes among the other rows.
    near: [f64; 4],
    shifted: f64,
}

impl Keys {
    fn new(opts: &LinkDataOptions) -> Self {
        let matches = match_count(opts);
        let s = &opts.shares;
        let mut near = [s.relatives, s.twins, s.households, s.namesakes].map(|x| x.unwrap_or(0.0));
        let mut edge = 0.0;
        for x in &mut near {
            edge += *x;
            *x = edge;
        }
        Self {
            seed: opts.seed,
            rows_a: opts.rows_a,
            matches,
            ssid: Shuffle::new(opts.seed, DOMAIN_SSID, MAX_ORIGINALS),
            pick: Shuffle::new(opts.seed, DOMAIN_PICK_B, opts.rows_a),
            // Every B row a duplicate (the default): B in the order of `pick`, as always.
            order_b: (matches < opts.rows_b).then(|| Shuffle::new(opts.seed, DOMAIN_ORDER_B, opts.rows_b)),
            near,
            shifted: s.shifted_names.unwrap_or(0.0),
        }
    }

    fn original(&self, i: u64) -> Record {
        original(self.seed, i, &self.ssid)
    }

    /// The original copied by duplicate `d`, and the duplicate.
    fn duplicate(&self, d: u64) -> (u64, Record) {
        let i = self.pick.at(d);
        (i, duplicate(self.seed, i, &self.original(i)).0)
    }

    /// B row `q`: who it is, its id and its values.
    fn b_row(&self, q: u64) -> (Who, String, Record) {
        let v = self.order_b.as_ref().map_or(q, |o| o.at(q));
        let (who, person, mut rec) = if v < self.matches {
            let (i, rec) = self.duplicate(v);
            (Who::Match(i), i, rec)
        } else {
            let u = v - self.matches;
            let (who, rec) = self.other(u);
            (who, MAX_ORIGINALS + u, rec)
        };
        if self.shifted > 0.0 {
            shift_names(&mut rec, Rng::for_item(self.seed, DOMAIN_SHIFT, person), self.shifted);
        }
        (who, dup_id(person), rec)
    }

    /// Non-matching B row `u` (counted among the non-matching rows) as recorded: a person of
    /// their own, perhaps of an original's family, household or name, and the errors of a
    /// second recording, as a duplicate has them.
    fn other(&self, u: u64) -> (Who, Record) {
        let mut rng = Rng::for_item(self.seed, DOMAIN_OTHER, u);
        let x = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let i = rng.below(self.rows_a);
        // Social security numbers from the end of the permutation: none is an original's.
        let own = person(
            Rng::for_item(self.seed, DOMAIN_OTHER_PERSON, u),
            (1_000_000 + self.ssid.at(MAX_ORIGINALS - 1 - u)).to_string(),
        );
        let kind = self.near.iter().position(|&edge| x < edge);
        let (who, rec) = match kind {
            Some(k) if self.rows_a > 0 => {
                let of = self.original(i);
                let mut rec = own;
                let copy = |rec: &mut Record, fields: &[Field]| {
                    for &f in fields {
                        rec[f as usize] = of[f as usize].clone();
                    }
                };
                let who = match k {
                    0 | 1 => {
                        copy(&mut rec, &ADDRESS);
                        copy(&mut rec, &[Field::Surname]);
                        // A given name of the family's culture, not the original's own.
                        let c = family_culture(self.seed, i);
                        for _ in 0..8 {
                            rec[Field::GivenName as usize] = given_name(c, rng.chance(0.5), &mut rng);
                            if rec[Field::GivenName as usize] != of[Field::GivenName as usize] {
                                break;
                            }
                        }
                        if k == 1 {
                            copy(&mut rec, &[Field::DateOfBirth]);
                            Who::Twin(i)
                        } else {
                            Who::Relative(i)
                        }
                    }
                    2 => {
                        copy(&mut rec, &ADDRESS);
                        Who::Household(i)
                    }
                    _ => {
                        copy(&mut rec, &[Field::GivenName, Field::Surname]);
                        Who::Namesake(i)
                    }
                };
                // Another person: not born the same day (twins aside), nor of the same surname
                // in another household.
                let dob = Field::DateOfBirth as usize;
                while who != Who::Twin(i) && !rec[dob].is_empty() && rec[dob] == of[dob] {
                    rec[dob] = date_of_birth(&mut rng);
                }
                let sur = Field::Surname as usize;
                for _ in 0..8 {
                    if who != Who::Household(i) || rec[sur] != of[sur] {
                        break;
                    }
                    rec[sur] = surname(culture(&mut rng), &mut rng);
                }
                (who, rec)
            }
            _ => (Who::Stranger, own),
        };
        (who, recorded(Rng::for_item(self.seed, DOMAIN_OTHER_RECORDING, u), &rec).0)
    }
}

/// With probability `share`, the whole name written in one of the two name fields, the other
/// left blank (a form whose fields were shifted): `given surname` as the given name, or as
/// the surname.
fn shift_names(rec: &mut Record, mut rng: Rng, share: f64) {
    let (g, s) = (Field::GivenName as usize, Field::Surname as usize);
    if !rng.chance(share) || rec[g].is_empty() || rec[s].is_empty() {
        return;
    }
    let whole = format!("{} {}", rec[g], rec[s]);
    let (to, from) = if rng.chance(0.5) { (g, s) } else { (s, g) };
    rec[to] = whole;
    rec[from].clear();
}

/// Two tables: `a.csv` (originals), `b.csv` (duplicates of distinct originals, and in a variant
/// other persons) and `truth.csv`; in a variant with non-matching B rows, `who.csv` too.
pub(super) fn write_linkage(opts: &LinkDataOptions, dir: &Path) -> Result<LinkDataSummary> {
    let keys = Keys::new(opts);
    let order_a = Shuffle::new(opts.seed, DOMAIN_ORDER_A, opts.rows_a);
    let mut a = OutFile::create(dir, "a.csv")?;
    a.header(&COLUMNS)?;
    stream(
        opts.rows_a,
        opts.threads,
        &|p, [buf]| {
            let i = order_a.at(p);
            push_record(buf, &org_id(i), &keys.original(i));
        },
        &mut [&mut a],
    )?;
    let mut b = OutFile::create(dir, "b.csv")?;
    b.header(&COLUMNS)?;
    let mut truth = OutFile::create(dir, "truth.csv")?;
    truth.header(&["rec_id_a", "rec_id_b"])?;
    if keys.order_b.is_none() {
        stream(
            opts.rows_b,
            opts.threads,
            &|q, [buf, tbuf]| {
                let (who, id, rec) = keys.b_row(q);
                push_record(buf, &id, &rec);
                if let Who::Match(i) = who {
                    csv_row(tbuf, &[&org_id(i), &id]);
                }
            },
            &mut [&mut b, &mut truth],
        )?;
        return Ok(LinkDataSummary {
            tables: vec![(a.finish()?, opts.rows_a), (b.finish()?, opts.rows_b)],
            truth: truth.finish()?,
            true_pairs: keys.matches,
            travellers: None,
        });
    }
    let mut who_file = OutFile::create(dir, "who.csv")?;
    who_file.header(&["rec_id_b", "who", "rec_id_a"])?;
    stream(
        opts.rows_b,
        opts.threads,
        &|q, [buf, tbuf, wbuf]| {
            let (who, id, rec) = keys.b_row(q);
            push_record(buf, &id, &rec);
            if let Who::Match(i) = who {
                csv_row(tbuf, &[&org_id(i), &id]);
            }
            let (kind, of) = who.relation();
            csv_row(wbuf, &[&id, kind, &of.map(org_id).unwrap_or_default()]);
        },
        &mut [&mut b, &mut truth, &mut who_file],
    )?;
    Ok(LinkDataSummary {
        tables: vec![(a.finish()?, opts.rows_a), (b.finish()?, opts.rows_b)],
        truth: truth.finish()?,
        true_pairs: keys.matches,
        travellers: Some(who_file.finish()?),
    })
}

/// One table: `records.csv` (originals and duplicates, shuffled together) and `truth.csv`.
pub(super) fn write_dedupe(opts: &LinkDataOptions, dir: &Path) -> Result<LinkDataSummary> {
    let keys = Keys::new(opts);
    let total = opts.rows_a + opts.rows_b;
    let order = Shuffle::new(opts.seed, DOMAIN_ORDER_DEDUPE, total);
    let mut records = OutFile::create(dir, "records.csv")?;
    records.header(&COLUMNS)?;
    stream(
        total,
        opts.threads,
        &|r, [buf]| {
            let v = order.at(r);
            if v < opts.rows_a {
                push_record(buf, &org_id(v), &keys.original(v));
            } else {
                let (i, dup) = keys.duplicate(v - opts.rows_a);
                push_record(buf, &dup_id(i), &dup);
            }
        },
        &mut [&mut records],
    )?;
    let mut truth = OutFile::create(dir, "truth.csv")?;
    truth.header(&["rec_id_1", "rec_id_2"])?;
    stream(
        opts.rows_b,
        opts.threads,
        &|d, [buf]| {
            let i = keys.pick.at(d);
            csv_row(buf, &[&org_id(i), &dup_id(i)]);
        },
        &mut [&mut truth],
    )?;
    Ok(LinkDataSummary {
        tables: vec![(records.finish()?, total)],
        truth: truth.finish()?,
        true_pairs: opts.rows_b,
        travellers: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const SEED: u64 = 77;
    const SAMPLE: u64 = 20_000;

    fn ssid() -> Shuffle {
        Shuffle::new(SEED, DOMAIN_SSID, MAX_ORIGINALS)
    }

    #[test]
    fn data_files_parse_and_every_culture_is_found() {
        let t = tables();
        assert_eq!(t.cultures.len(), CULTURE_MIX.len(), "a culture prefix in CULTURE_MIX has no name files");
        assert!(t.suburbs.iter().all(|s| s.len() >= 10), "every state has suburbs");
        assert!(t.suburbs.iter().map(Vec::len).sum::<usize>() >= 300);
        for line in data_lines(include_str!("../places/suburbs.txt")) {
            let state = line.split_once('\t').map(|(_, s)| s);
            assert!(STATES.iter().any(|s| Some(s.0) == state), "unknown state in {line:?}");
        }
        let [m, f, fam] = anglo();
        for list in [m, f, fam] {
            let mut rng = Rng::new(1);
            assert!((0..100).all(|_| !list.pick(&mut rng).is_empty()));
        }
    }

    #[test]
    fn originals_look_like_febrl() {
        let ssid = ssid();
        let mut seen_ssid = std::collections::HashSet::new();
        for i in 0..SAMPLE {
            let r = original(SEED, i, &ssid);
            for v in &r {
                assert!(v.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b" '".contains(&b)), "{r:?}");
                assert_eq!(v.trim(), v, "{r:?}");
            }
            assert!(r[Field::Postcode as usize].len() == 4, "{r:?}");
            let dob = &r[Field::DateOfBirth as usize];
            assert!(dob.is_empty() || dob.len() == 8, "{r:?}");
            assert!(STATES.iter().any(|s| s.0 == r[Field::State as usize]) || r[Field::State as usize].is_empty());
            let id = &r[Field::SocSecId as usize];
            assert_eq!(id.len(), 7);
            assert!(seen_ssid.insert(id.clone()), "duplicate soc_sec_id {id}");
        }
    }

    /// The share of `count` in `total`.
    fn share(count: usize, total: usize) -> f64 {
        count as f64 / total as f64
    }

    #[test]
    fn duplicates_carry_the_documented_modifications() {
        let ssid = ssid();
        let mut per_field: HashMap<Field, usize> = HashMap::new();
        let mut text_kinds: HashMap<Modification, usize> = HashMap::new();
        let (mut total, mut swaps, mut unchanged, mut text) = (0, 0, 0, 0);
        let mut day_month = 0;
        for i in 0..SAMPLE {
            let orig = original(SEED, i, &ssid);
            let (dup, trace) = duplicate(SEED, i, &orig);
            assert!((1..=6).contains(&trace.len()), "{trace:?}");
            unchanged += usize::from(dup == orig);
            total += trace.len();
            for &(f, m) in &trace {
                day_month += usize::from(m == M::DayMonthSwap);
                let Some(f) = f else {
                    swaps += 1;
                    continue;
                };
                *per_field.entry(f).or_default() += 1;
                if BLANK_WEIGHTS.iter().any(|b| b.0 == f) {
                    text += 1;
                    *text_kinds.entry(m).or_default() += 1;
                }
            }
        }
        let want_mean = MODIFICATIONS_PER_RECORD.iter().map(|&(k, w)| k as f64 * f64::from(w)).sum::<f64>()
            / f64::from(MODIFICATIONS_PER_RECORD.iter().map(|m| m.1).sum::<u32>());
        let mean = total as f64 / SAMPLE as f64;
        assert!((mean - want_mean).abs() < 0.05, "mean modifications {mean}, want {want_mean}");
        // Two modifications of one field may undo each other (a transposition and its reverse);
        // rarely, as in FEBRL 4.
        assert!(unchanged < 60, "{unchanged} duplicates equal their original");
        let swap = share(swaps, SAMPLE as usize);
        assert!((swap - NAME_SWAP_SHARE).abs() < 0.004, "name swaps {swap}");
        let weight_total: u32 = FIELD_WEIGHTS.iter().map(|w| w.1).sum();
        for (f, w) in FIELD_WEIGHTS {
            let got = share(per_field.get(&f).copied().unwrap_or(0), total - swaps);
            let want = f64::from(w) / f64::from(weight_total);
            assert!((got - want).abs() < 0.02, "{f:?}: {got:.3} of modifications, want {want:.3}");
        }
        // Within names and address words, each kind of error occurs about as often as its
        // weight says (leaving a value out weighs 3 to 22 depending on the field).
        for (m, w) in TEXT_MODS {
            let got = share(text_kinds.get(&m).copied().unwrap_or(0), text);
            let want = f64::from(w) / 100.0;
            assert!((got - want).abs() < 0.03, "{m:?}: {got:.3} of text modifications, want about {want:.2}");
        }
        assert!(day_month > 20, "{day_month} day/month swaps");
    }

    #[test]
    fn common_surnames_are_shared_by_many() {
        let ssid = ssid();
        let mut counts: HashMap<String, usize> = HashMap::new();
        for i in 0..SAMPLE {
            *counts.entry(original(SEED, i, &ssid)[Field::Surname as usize].clone()).or_default() += 1;
        }
        let top = counts.iter().filter(|(s, _)| !s.is_empty()).map(|(_, &c)| c).max().unwrap_or(0);
        // At least 1.5% of rows (tens of thousands in a million), as Smith is in Australia.
        assert!(share(top, SAMPLE as usize) > 0.015, "most common surname on {top} rows");
        // And a long tail: a fifth of the rows hold a surname no other row in 20,000 has.
        let once = counts.values().filter(|&&c| c == 1).count();
        assert!(share(once, SAMPLE as usize) > 0.15, "{once} surnames held once");
    }

    #[test]
    fn day_month_swaps_only_where_the_day_can_be_a_month() {
        assert_eq!(day_month_swap("19870412").as_deref(), Some("19871204"));
        assert_eq!(day_month_swap("19870420"), None);
        assert_eq!(day_month_swap("19870404"), None);
        assert_eq!(day_month_swap(""), None);
    }
}
