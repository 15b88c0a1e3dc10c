//! The `manifest` kind: docket persons (table A) and travellers on departure manifests
//! (table B). A share of travellers are docket persons as a manifest records them: another
//! passport, another transliteration, names reordered, truncated or shortened, dates
//! mistyped. The other travellers are different people, and some of them are what makes
//! departure verification hard: twins and siblings of docket persons (same family name, same
//! nationality, for twins the same date of birth) and namesakes (same full name, close or
//! identical date of birth).
//!
//! Every traveller, matching or not, goes through the same recording steps, so nothing but
//! identity tells a match from a non-match.

use std::path::Path;

use anyhow::Result;
use docket_wire::departure::{WireDeparture, departure_json};

use super::{DeparturesSummary, LinkDataOptions, LinkDataSummary, OutFile, Shuffle, csv_row, stream, typo};
use crate::people::{self, Identity, Rng, Variant, choose, days_in_month, mix, passport_number, strip_diacritics};
use crate::person_id;

/// The columns of both tables.
const COLUMNS: [&str; 7] =
    ["record_id", "given_names", "family_names", "date_of_birth", "sex", "nationality", "document_number"];

const DOMAIN_ORDER_B: u64 = 0x3A01;
const DOMAIN_PICK_A: u64 = 0x3A02;
const DOMAIN_MATCH: u64 = 0x3A03;
const DOMAIN_TRAVELLER: u64 = 0x3A04;
const DOMAIN_RELATIVE: u64 = 0x3A05;
const DOMAIN_STRANGERS: u64 = 0x3A06;
// Shifted name fields, a variant's: a stream of its own, so that the default data is unchanged.
const DOMAIN_SHIFT: u64 = 0x3A07;

/// Who a traveller is, relative to table A (indices are A's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Traveller {
    /// Docket person `j`.
    Match(u64),
    /// A twin of docket person `j`: same family names, nationality and date of birth.
    Twin(u64),
    /// A sibling of docket person `j`: same family names and nationality, born 1–8 years apart.
    Sibling(u64),
    /// Someone with docket person `j`'s full name and nationality (usually), born close to them.
    Namesake(u64),
    /// Someone else, drawn from the same population as the docket.
    Stranger,
}

impl Traveller {
    /// The name of the relation, as `travellers.csv` writes it, and the docket person it is to.
    pub(super) fn relation(self) -> (&'static str, Option<u64>) {
        match self {
            Traveller::Match(j) => ("match", Some(j)),
            Traveller::Twin(j) => ("twin", Some(j)),
            Traveller::Sibling(j) => ("sibling", Some(j)),
            Traveller::Namesake(j) => ("namesake", Some(j)),
            Traveller::Stranger => ("stranger", None),
        }
    }
}

/// The kinds of non-matching traveller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Twin,
    Sibling,
    Namesake,
    Stranger,
}

/// Shares of non-matching travellers, in thousandths: 5.5% are near misses of a docket person.
const NON_MATCH_KINDS: [(Kind, u32); 4] =
    [(Kind::Twin, 15), (Kind::Sibling, 15), (Kind::Namesake, 25), (Kind::Stranger, 945)];

/// When a namesake was born, relative to the docket person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NamesakeBirth {
    /// Another day of the same year.
    SameYear,
    /// One to three years earlier or later.
    YearsApart,
}

/// Shares of namesake births. Never the same day: persons who share a full name and a date of
/// birth without being the same person come from the population itself (the strangers), at
/// the rate its names and dates give. Copying a docket person's name and birth date on purpose
/// made ten times as many such pairs as the population does, and pairs that no column tells
/// apart measure the generator, not a linker (docs/linkage-data.md).
const NAMESAKE_BIRTH: [(NamesakeBirth, u32); 2] = [(NamesakeBirth::SameYear, 40), (NamesakeBirth::YearsApart, 60)];
/// Share of namesakes of another nationality than the docket person.
const NAMESAKE_OTHER_NATIONALITY: f64 = 0.10;

/// Name variants a manifest shows, each with its probability where it applies (a second
/// surname to drop, a hyphen to lose, a name with several transliterations...).
const NAME_VARIANTS: [(Variant, f64); 7] = [
    (Variant::AltGiven, 0.30),
    (Variant::Translit, 0.25),
    (Variant::Article, 0.30),
    (Variant::DropSurname, 0.35),
    (Variant::DropMiddle, 0.20),
    (Variant::AddMiddle, 0.03),
    (Variant::Hyphen, 0.10),
];
/// Given and family names swapped, for cultures that write the family name first.
const SWAP_FAMILY_FIRST: f64 = 0.15;
/// Given and family names swapped, for the others.
const SWAP_OTHERS: f64 = 0.03;
/// One word respelled in another romanization of Cyrillic (Dmitriy / Dmitrii, Khar- / Har-).
const CYRILLIC_RESPELLING: f64 = 0.30;
/// One typing error in a name.
const NAME_TYPO: f64 = 0.03;

/// How a manifest writes names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Style {
    /// As in a passport's machine-readable zone: capitals, no diacritics, hyphens and
    /// apostrophes gone ("NGUYEN", "GARCIA LOPEZ", "OBRIEN").
    Mrz,
    /// As typed from the passport's visual zone: natural case, diacritics kept.
    Typed,
    /// Typed on a keyboard without accents: natural case, diacritics dropped.
    Unaccented,
}

/// Shares of name styles.
const STYLES: [(Style, u32); 3] = [(Style::Mrz, 55), (Style::Typed, 30), (Style::Unaccented, 15)];
/// How many characters a manifest's name fields hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Width {
    /// No limit.
    Unlimited,
    /// Each field cut at this many characters.
    Field(usize),
    /// One `FAMILY/GIVEN` field of this many characters: the family names are kept (up to the
    /// width), the given names cut to what is left, their initial at least.
    Combined(usize),
}

/// Shares of name field widths.
const WIDTHS: [(Width, u32); 4] =
    [(Width::Unlimited, 60), (Width::Field(20), 15), (Width::Field(15), 10), (Width::Combined(30), 15)];

/// Share of partial docket dates of birth that the passport gives as January 1 (or the 1st of
/// the month); the others show the real date.
const PARTIAL_AS_FIRST: f64 = 0.5;
/// Day and month swapped (where the day can be a month and differs from it).
const DAY_MONTH_SWAP: f64 = 0.025;
/// Year mistyped: one year off (half), last two digits swapped, or last digit wrong.
const YEAR_TYPO: f64 = 0.015;
/// Sex left empty.
const SEX_MISSING: f64 = 0.04;
/// Travelling on another nationality's passport (dual nationals).
const OTHER_NATIONALITY: f64 = 0.03;
/// Second nationalities of dual nationals.
const SECOND_NATIONALITIES: [&str; 10] = ["USA", "ESP", "ITA", "CAN", "FRA", "GBR", "DEU", "PRT", "MEX", "BRA"];

/// What the manifest's document number is, for a traveller whose docket record has a passport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DocumentFate {
    Same,
    Renewed,
    Typo,
}

/// Shares of document fates.
const DOCUMENT_FATES: [(DocumentFate, u32); 3] =
    [(DocumentFate::Same, 55), (DocumentFate::Renewed, 35), (DocumentFate::Typo, 10)];

/// What recording did to a traveller's identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Perturbation {
    /// A name variant (given and family names swapped included).
    Name(Variant),
    /// Another romanization of Cyrillic in one word.
    CyrillicRespelled,
    /// The name style.
    Style(Style),
    /// A name field (or both) cut at the manifest's width.
    Truncated,
    /// A typing error in a name.
    NameTypo,
    /// The docket's partial date of birth given in full.
    PartialDateCompleted,
    /// Day and month swapped.
    DayMonthSwap,
    /// Year mistyped.
    YearTypo,
    /// Sex left empty.
    SexMissing,
    /// Another nationality, and that country's passport.
    OtherNationality,
    /// A renewed passport: another number.
    DocumentRenewed,
    /// One typing error in the document number.
    DocumentTypo,
    /// The docket has no document number; the manifest has one.
    DocumentNew,
    /// A name moved across the boundary between the given and the family names.
    ShiftedNames,
}

/// The matches among `rows_b` travellers.
pub(super) fn match_count(opts: &LinkDataOptions) -> u64 {
    (opts.rows_b as f64 * opts.match_share).round() as u64
}

/// The run's permutations.
pub(super) struct Keys {
    seed: u64,
    rows_a: u64,
    matches: u64,
    order_b: Shuffle,
    pick_a: Shuffle,
    /// The kinds of non-matching traveller with their weights: [`NON_MATCH_KINDS`], unless a
    /// variant sets a share (then in millionths).
    kinds: [(Kind, u32); 4],
    /// The share of dual nationals travelling on their other passport.
    other_nationality: f64,
    /// The share of travellers whose name fields are shifted.
    shifted: f64,
}

impl Keys {
    pub(super) fn new(opts: &LinkDataOptions) -> Self {
        let s = &opts.shares;
        let kinds = if s.twins.is_none() && s.relatives.is_none() && s.namesakes.is_none() {
            NON_MATCH_KINDS
        } else {
            let default = |k: Kind| f64::from(NON_MATCH_KINDS.iter().find(|x| x.0 == k).map_or(0, |x| x.1)) / 1000.0;
            let twin = s.twins.unwrap_or(default(Kind::Twin));
            let sibling = s.relatives.unwrap_or(default(Kind::Sibling));
            let namesake = s.namesakes.unwrap_or(default(Kind::Namesake));
            let stranger = (1.0 - twin - sibling - namesake).max(0.0);
            let millionths = |x: f64| (x * 1e6).round() as u32;
            [
                (Kind::Twin, millionths(twin)),
                (Kind::Sibling, millionths(sibling)),
                (Kind::Namesake, millionths(namesake)),
                (Kind::Stranger, millionths(stranger)),
            ]
        };
        Self {
            seed: opts.seed,
            rows_a: opts.rows_a,
            matches: match_count(opts),
            order_b: Shuffle::new(opts.seed, DOMAIN_ORDER_B, opts.rows_b),
            pick_a: Shuffle::new(opts.seed, DOMAIN_PICK_A, opts.rows_a),
            kinds,
            other_nationality: s.dual_nationals.unwrap_or(OTHER_NATIONALITY),
            shifted: s.shifted_names.unwrap_or(0.0),
        }
    }
}

/// A docket date of birth as table A writes it: unknown parts as `00`.
fn docket_date(dob: &str) -> String {
    match dob.len() {
        4 => format!("{dob}-00-00"),
        7 => format!("{dob}-00"),
        _ => dob.to_string(),
    }
}

/// Row `i` of table A: docket person `i`.
pub(super) fn docket_row(seed: u64, i: u64) -> [String; 7] {
    let p = people::person(seed, i);
    [
        person_id(i),
        p.given_names,
        p.family_names,
        docket_date(&p.date_of_birth),
        sex_text(p.sex),
        p.nationality.to_string(),
        p.passport.map(|x| x.number).unwrap_or_default(),
    ]
}

fn sex_text(sex: char) -> String {
    match sex {
        'M' | 'F' | 'X' => sex.to_string(),
        _ => String::new(),
    }
}

/// The year, month and day of a `YYYY[-MM[-DD]]` date (0 for unknown parts).
fn date_parts(dob: &str) -> (i64, i64, i64) {
    let mut parts = dob.split('-').map(|p| p.parse::<i64>().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

fn date_text(y: i64, m: i64, d: i64) -> String {
    format!("{y:04}-{m:02}-{d:02}")
}

/// Who traveller `q` is, and their identity before the manifest records it.
fn who(keys: &Keys, q: u64) -> (Traveller, Identity, Rng) {
    let v = keys.order_b.at(q);
    if v < keys.matches {
        let j = keys.pick_a.at(v);
        return (Traveller::Match(j), people::identity(keys.seed, j), Rng::for_item(keys.seed, DOMAIN_MATCH, j));
    }
    let u = v - keys.matches;
    let mut rng = Rng::for_item(keys.seed, DOMAIN_TRAVELLER, u);
    let j = rng.below(keys.rows_a);
    let relative = |twin| people::relative(keys.seed, j, Rng::for_item(keys.seed, DOMAIN_RELATIVE, u), twin);
    match choose(&mut rng, &keys.kinds) {
        Kind::Twin if keys.rows_a > 0 => (Traveller::Twin(j), relative(true), rng),
        Kind::Sibling if keys.rows_a > 0 => (Traveller::Sibling(j), relative(false), rng),
        Kind::Namesake if keys.rows_a > 0 => {
            let mut ident = people::identity(keys.seed, j);
            namesake(&mut ident, &mut rng);
            (Traveller::Namesake(j), ident, rng)
        }
        _ => (Traveller::Stranger, people::identity(mix(keys.seed ^ DOMAIN_STRANGERS), u), rng),
    }
}

/// Turns docket person `ident` into someone else of the same name: another date of birth
/// close to theirs (never the same), usually the same nationality, and no passport in common.
fn namesake(ident: &mut Identity, rng: &mut Rng) {
    let p = &mut ident.person;
    let (year, month, day) = date_parts(&p.date_of_birth);
    let y = match choose(rng, &NAMESAKE_BIRTH) {
        NamesakeBirth::SameYear => year,
        NamesakeBirth::YearsApart => year + rng.range_i64(1, 3) * if rng.chance(0.5) { 1 } else { -1 },
    };
    p.date_of_birth = loop {
        let m = rng.range_i64(1, 12);
        let d = rng.range_i64(1, days_in_month(y, m));
        if (y, m, d) != (year, month, day) {
            break date_text(y, m, d);
        }
    };
    if rng.chance(NAMESAKE_OTHER_NATIONALITY) {
        let codes: Vec<&'static str> = people::nationalities().collect();
        p.nationality = *rng.pick(&codes);
    }
    p.passport = None;
}

/// A name written in `style`.
fn styled(s: &str, style: Style) -> String {
    match style {
        Style::Typed => s.to_string(),
        Style::Unaccented => strip_diacritics(s),
        Style::Mrz => {
            let mut out = String::with_capacity(s.len());
            for c in strip_diacritics(s).chars() {
                match c {
                    'a'..='z' | 'A'..='Z' => out.push(c.to_ascii_uppercase()),
                    ' ' | '-' if !out.is_empty() && !out.ends_with(' ') => out.push(' '),
                    _ => {}
                }
            }
            out.truncate(out.trim_end().len());
            out
        }
    }
}

/// `s` cut to `width` characters, without a trailing space.
fn cut(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    s.chars().take(width).collect::<String>().trim_end().to_string()
}

/// Given and family names as a manifest of `width` holds them.
fn fit(names: &[String; 2], width: Width) -> [String; 2] {
    let [given, family] = names;
    match width {
        Width::Unlimited => names.clone(),
        Width::Field(w) => [cut(given, w), cut(family, w)],
        Width::Combined(w) => {
            let family = cut(family, w);
            let room = w.saturating_sub(family.chars().count() + 1).max(1);
            [cut(given, room), family]
        }
    }
}

/// Romanizations of Cyrillic that differ between systems and eras, as (from, to, only at the
/// end of a word). Matched in lower case; the case of the first letter is kept.
const CYRILLIC: [(&str, &str, bool); 20] = [
    ("iy", "y", true),
    ("iy", "ii", true),
    ("ii", "iy", true),
    ("yi", "iy", true),
    ("kh", "h", false),
    ("ye", "e", false),
    ("yu", "iu", false),
    ("iu", "yu", false),
    ("ya", "ia", false),
    ("ia", "ya", false),
    ("ts", "tz", false),
    ("zh", "j", false),
    ("ks", "x", false),
    ("shch", "sch", false),
    ("ov", "off", true),
    ("ev", "eff", true),
    ("ova", "ow", true),
    ("y", "i", true),
    ("ei", "ey", false),
    ("yo", "e", false),
];

/// Respells one word of `names` by a Cyrillic romanization rule; `false` if none applies.
fn cyrillic_respelling(names: &mut [String; 2], rng: &mut Rng) -> bool {
    let mut hits: Vec<(usize, usize, &str, &str)> = Vec::new();
    for (k, s) in names.iter().enumerate() {
        if !s.is_ascii() {
            continue;
        }
        let lower = s.to_ascii_lowercase();
        for (from, to, at_end) in CYRILLIC {
            for (i, _) in lower.match_indices(from) {
                let end = i + from.len();
                let word_end = end == s.len() || matches!(s.as_bytes()[end], b' ' | b'-');
                if !at_end || word_end {
                    hits.push((k, i, from, to));
                }
            }
        }
    }
    if hits.is_empty() {
        return false;
    }
    let (k, i, from, to) = hits[rng.below(hits.len() as u64) as usize];
    let s = &names[k];
    let mut to = to.to_string();
    if s.as_bytes()[i].is_ascii_uppercase() {
        to[..1].make_ascii_uppercase();
    }
    let out = format!("{}{to}{}", &s[..i], &s[i + from.len()..]);
    let changed = out != *s && !out.is_empty();
    if changed {
        names[k] = out;
    }
    changed
}

/// A document number with one typing or reading error.
fn document_typo(number: &str, rng: &mut Rng) -> String {
    let out = match choose(rng, &[(0u8, 25), (1, 15), (2, 30), (3, 15), (4, 15)]) {
        0 => typo::substitute(number, rng),
        1 => confusable(number, rng),
        2 => typo::transpose(number, rng),
        3 => typo::delete(number, rng),
        _ => typo::insert(number, rng),
    };
    out.or_else(|| typo::substitute(number, rng)).unwrap_or_else(|| number.to_string())
}

/// Letters and digits a reader or a typist confuses.
const CONFUSABLE: [(char, char); 12] = [
    ('0', 'O'),
    ('O', '0'),
    ('1', 'I'),
    ('I', '1'),
    ('5', 'S'),
    ('S', '5'),
    ('8', 'B'),
    ('B', '8'),
    ('2', 'Z'),
    ('Z', '2'),
    ('6', 'G'),
    ('G', '6'),
];

fn confusable(s: &str, rng: &mut Rng) -> Option<String> {
    let chars: Vec<char> = s.chars().collect();
    let spots: Vec<(usize, char)> = chars
        .iter()
        .enumerate()
        .filter_map(|(i, c)| CONFUSABLE.iter().find(|(from, _)| from == c).map(|&(_, to)| (i, to)))
        .collect();
    if spots.is_empty() {
        return None;
    }
    let (i, to) = spots[rng.below(spots.len() as u64) as usize];
    let mut chars = chars;
    chars[i] = to;
    Some(chars.into_iter().collect())
}

/// The date of birth on the manifest.
fn manifest_date(dob: &str, rng: &mut Rng, trace: &mut Vec<Perturbation>) -> String {
    let (mut y, mut m, mut d) = date_parts(dob);
    if m == 0 || d == 0 {
        trace.push(Perturbation::PartialDateCompleted);
        let first = rng.chance(PARTIAL_AS_FIRST);
        if m == 0 {
            m = if first { 1 } else { rng.range_i64(1, 12) };
        }
        d = if first { 1 } else { rng.range_i64(1, days_in_month(y, m)) };
    }
    if rng.chance(DAY_MONTH_SWAP) && d <= 12 && d != m {
        (m, d) = (d, m);
        trace.push(Perturbation::DayMonthSwap);
    }
    if rng.chance(YEAR_TYPO) {
        let before = y;
        y = match choose(rng, &[(0u8, 50), (1, 25), (2, 25)]) {
            0 => y + if rng.chance(0.5) { 1 } else { -1 },
            1 => y - y % 100 + (y % 10) * 10 + (y / 10) % 10,
            _ => y - y % 10 + (y % 10 + 1 + rng.range_i64(0, 8)) % 10,
        };
        if y != before {
            d = d.min(days_in_month(y, m));
            trace.push(Perturbation::YearTypo);
        }
    }
    date_text(y, m, d)
}

/// Traveller `q`: who they are, their row of table B, and what recording did to it.
pub(super) fn traveller_row(keys: &Keys, q: u64) -> (Traveller, [String; 7], Vec<Perturbation>) {
    let (who, mut ident, mut rng) = who(keys, q);
    let mut trace = Vec::new();
    for (variant, p) in NAME_VARIANTS {
        if rng.chance(p) && ident.respell(variant, &mut rng) {
            trace.push(Perturbation::Name(variant));
        }
    }
    let swap = if ident.family_first() { SWAP_FAMILY_FIRST } else { SWAP_OTHERS };
    if rng.chance(swap) && ident.respell(Variant::Swap, &mut rng) {
        trace.push(Perturbation::Name(Variant::Swap));
    }
    let from_cyrillic = ident.romanized_from_cyrillic();
    let p = ident.person;
    let mut names = [p.given_names, p.family_names];
    if from_cyrillic && rng.chance(CYRILLIC_RESPELLING) && cyrillic_respelling(&mut names, &mut rng) {
        trace.push(Perturbation::CyrillicRespelled);
    }
    let style = choose(&mut rng, &STYLES);
    trace.push(Perturbation::Style(style));
    let written = names.each_ref().map(|n| styled(n, style));
    names = fit(&written, choose(&mut rng, &WIDTHS));
    if names != written {
        trace.push(Perturbation::Truncated);
    }
    if rng.chance(NAME_TYPO) {
        let k = usize::from(names[0].is_empty() || rng.chance(0.5));
        let edit = match rng.below(4) {
            0 => typo::substitute(&names[k], &mut rng),
            1 => typo::insert(&names[k], &mut rng),
            2 => typo::delete(&names[k], &mut rng),
            _ => typo::transpose(&names[k], &mut rng),
        };
        if let Some(edited) = edit {
            names[k] = edited;
            trace.push(Perturbation::NameTypo);
        }
    }
    let dob = manifest_date(&p.date_of_birth, &mut rng, &mut trace);
    let mut sex = sex_text(p.sex);
    if rng.chance(SEX_MISSING) && !sex.is_empty() {
        sex.clear();
        trace.push(Perturbation::SexMissing);
    }
    let mut nationality = p.nationality;
    let document = if rng.chance(keys.other_nationality) {
        let others: Vec<&str> = SECOND_NATIONALITIES.iter().copied().filter(|&c| c != nationality).collect();
        nationality = *rng.pick(&others);
        trace.push(Perturbation::OtherNationality);
        passport_number(&mut rng, nationality)
    } else {
        match p.passport {
            None => {
                trace.push(Perturbation::DocumentNew);
                passport_number(&mut rng, nationality)
            }
            Some(passport) => match choose(&mut rng, &DOCUMENT_FATES) {
                DocumentFate::Same => passport.number,
                DocumentFate::Renewed => {
                    trace.push(Perturbation::DocumentRenewed);
                    let mut renewed = passport_number(&mut rng, nationality);
                    while renewed == passport.number {
                        renewed = passport_number(&mut rng, nationality);
                    }
                    renewed
                }
                DocumentFate::Typo => {
                    trace.push(Perturbation::DocumentTypo);
                    document_typo(&passport.number, &mut rng)
                }
            },
        }
    };
    if keys.shifted > 0.0 {
        let mut shift = Rng::for_item(keys.seed, DOMAIN_SHIFT, q);
        if shift.chance(keys.shifted) && shift_names(&mut names, &mut shift) {
            trace.push(Perturbation::ShiftedNames);
        }
    }
    let [given, family] = names;
    (who, [format!("T{q:09}"), given, family, dob, sex, nationality.to_string(), document], trace)
}

/// Moves one name across the boundary between the given and the family names, as a form
/// whose fields were misread does: the last given name to the front of the family names
/// (`Maria José` `García` → `Maria` `José García`), or the first family name to the end of the
/// given names (`Ana` `García López` → `Ana García` `López`). Only from a field of two names or
/// more; `false` if neither has two.
fn shift_names(names: &mut [String; 2], rng: &mut Rng) -> bool {
    let mut given: Vec<&str> = names[0].split(' ').filter(|t| !t.is_empty()).collect();
    let mut family: Vec<&str> = names[1].split(' ').filter(|t| !t.is_empty()).collect();
    let from_given = match (given.len() >= 2, family.len() >= 2) {
        (false, false) => return false,
        (true, true) => rng.chance(0.5),
        (g, _) => g,
    };
    if from_given {
        if let Some(moved) = given.pop() {
            family.insert(0, moved);
        }
    } else if !family.is_empty() {
        given.push(family.remove(0));
    }
    *names = [given.join(" "), family.join(" ")];
    true
}

/// Tables `a.csv` (docket persons), `b.csv` (travellers) and `truth.csv`.
pub(super) fn write(opts: &LinkDataOptions, dir: &Path) -> Result<LinkDataSummary> {
    let keys = Keys::new(opts);
    let mut a = OutFile::create(dir, "a.csv")?;
    a.header(&COLUMNS)?;
    stream(
        opts.rows_a,
        opts.threads,
        &|i, [buf]| {
            let row = docket_row(opts.seed, i);
            csv_row(buf, &row.each_ref().map(String::as_str));
        },
        &mut [&mut a],
    )?;
    let mut b = OutFile::create(dir, "b.csv")?;
    b.header(&COLUMNS)?;
    let mut truth = OutFile::create(dir, "truth.csv")?;
    truth.header(&["record_id_a", "record_id_b"])?;
    let mut travellers = OutFile::create(dir, "travellers.csv")?;
    travellers.header(&["record_id_b", "who", "record_id_a"])?;
    stream(
        opts.rows_b,
        opts.threads,
        &|q, [buf, tbuf, wbuf]| {
            let (who, row, _) = traveller_row(&keys, q);
            csv_row(buf, &row.each_ref().map(String::as_str));
            if let Traveller::Match(j) = who {
                csv_row(tbuf, &[&person_id(j), &row[0]]);
            }
            let (kind, of) = who.relation();
            csv_row(wbuf, &[&row[0], kind, &of.map(person_id).unwrap_or_default()]);
        },
        &mut [&mut b, &mut truth, &mut travellers],
    )?;
    Ok(LinkDataSummary {
        tables: vec![(a.finish()?, opts.rows_a), (b.finish()?, opts.rows_b)],
        truth: truth.finish()?,
        true_pairs: keys.matches,
        travellers: Some(travellers.finish()?),
    })
}

// A day of departures: flights, a stream of their own.
const DOMAIN_FLIGHT: u64 = 0x3A08;

/// Travellers per flight: consecutive travellers share a port, a carrier and a flight.
const PER_FLIGHT: u64 = 150;

/// US ports of international departure and their weights (a day's share, roughly).
const PORTS: [(&str, u32); 12] = [
    ("JFK", 17),
    ("MIA", 13),
    ("LAX", 12),
    ("EWR", 8),
    ("IAH", 8),
    ("ORD", 7),
    ("SFO", 7),
    ("ATL", 7),
    ("DFW", 6),
    ("IAD", 6),
    ("BOS", 5),
    ("SEA", 4),
];

/// Carriers (IATA designators) and their weights.
const CARRIERS: [(&str, u32); 12] = [
    ("AA", 18),
    ("UA", 16),
    ("DL", 15),
    ("B6", 6),
    ("AM", 6),
    ("AV", 5),
    ("CM", 5),
    ("BA", 5),
    ("LH", 5),
    ("AF", 4),
    ("IB", 4),
    ("Y4", 4),
];

/// Who each departure is and the record the feed receives, for a day of departures from the
/// docket of `opts.rows_a` persons: traveller `q` of the manifest data as a departure record of
/// `source` on `day` (its document issued by its nationality, its port, carrier and flight
/// those of its flight).
pub(super) fn departure(keys: &Keys, q: u64, day: docket_core::Date) -> (Traveller, WireDeparture) {
    let (who, [record_id, given_names, family_names, date_of_birth, sex, nationality, document], _) =
        traveller_row(keys, q);
    let mut flight = Rng::for_item(keys.seed, DOMAIN_FLIGHT, q / PER_FLIGHT);
    let port = choose(&mut flight, &PORTS);
    let carrier = choose(&mut flight, &CARRIERS);
    let number = 1 + flight.below(2999);
    let has_document = !document.is_empty() && !nationality.is_empty();
    let record = WireDeparture {
        record_id,
        source: "synth.manifest".into(),
        given_names,
        family_names,
        date_of_birth,
        sex,
        document_country: if has_document { nationality.clone() } else { String::new() },
        document_number: if has_document { document } else { String::new() },
        nationality,
        document_type: String::new(),
        departure_date: day.to_string(),
        port: port.into(),
        carrier: carrier.into(),
        flight: number.to_string(),
    };
    (who, record)
}

/// Writes a day of departures (`departures.jsonl`, one record a line) for the docket of
/// `opts.rows_a` persons, and who each traveller is (`departures-truth.csv`: record id, relation,
/// person id), into `dir`. A record is written as the departure reader writes it back; one the
/// reader refuses (a mistyped year of birth in the future) is written as generated, every field
/// as given, as a feed would deliver it, and counted in the summary.
pub(super) fn write_departures(
    opts: &LinkDataOptions,
    day: docket_core::Date,
    dir: &Path,
) -> Result<DeparturesSummary> {
    let keys = Keys::new(opts);
    let mut records = OutFile::create(dir, "departures.jsonl")?;
    let mut truth = OutFile::create(dir, "departures-truth.csv")?;
    truth.header(&["record_id", "who", "person_id"])?;
    let today = day.add_days(1);
    let refused = std::sync::atomic::AtomicU64::new(0);
    stream(
        opts.rows_b,
        opts.threads,
        &|q, [buf, tbuf]| {
            let (who, record) = departure(&keys, q, day);
            let line = match record.to_departure(today) {
                Ok(d) => departure_json(&d).to_string(),
                Err(_) => {
                    refused.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    serde_json::to_string(&record).expect("strings serialize")
                }
            };
            buf.extend_from_slice(line.as_bytes());
            buf.push(b'\n');
            let (kind, of) = who.relation();
            csv_row(tbuf, &[&record.record_id, kind, &of.map(person_id).unwrap_or_default()]);
        },
        &mut [&mut records, &mut truth],
    )?;
    Ok(DeparturesSummary {
        records: records.finish()?,
        truth: truth.finish()?,
        rows: opts.rows_b,
        matches: keys.matches,
        refused: refused.into_inner(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linkage::LinkDataKind;
    use std::collections::HashMap;

    const SEED: u64 = 31;
    const SAMPLE: u64 = 20_000;

    fn keys(rows_a: u64, rows_b: u64, match_share: f64) -> Keys {
        Keys::new(&LinkDataOptions {
            rows_a,
            rows_b,
            seed: SEED,
            match_share,
            ..LinkDataOptions::new(LinkDataKind::Manifest)
        })
    }

    /// Each perturbation's share of matching travellers, as `docs/linkage-data.md` states it.
    const DOCUMENTED: [(Perturbation, f64); 22] = [
        (Perturbation::Name(Variant::DropSurname), 0.23),
        (Perturbation::Name(Variant::DropMiddle), 0.08),
        (Perturbation::Name(Variant::Translit), 0.06),
        (Perturbation::Name(Variant::Hyphen), 0.04),
        (Perturbation::Name(Variant::Swap), 0.03),
        (Perturbation::Name(Variant::AddMiddle), 0.02),
        (Perturbation::Name(Variant::AltGiven), 0.01),
        (Perturbation::Name(Variant::Article), 0.002),
        (Perturbation::CyrillicRespelled, 0.005),
        (Perturbation::Style(Style::Mrz), 0.55),
        (Perturbation::Style(Style::Typed), 0.30),
        (Perturbation::Style(Style::Unaccented), 0.15),
        (Perturbation::Truncated, 0.03),
        (Perturbation::NameTypo, 0.03),
        (Perturbation::PartialDateCompleted, 0.02),
        (Perturbation::DayMonthSwap, 0.009),
        (Perturbation::YearTypo, 0.014),
        (Perturbation::SexMissing, 0.04),
        (Perturbation::OtherNationality, 0.03),
        (Perturbation::DocumentNew, 0.29),
        (Perturbation::DocumentRenewed, 0.24),
        (Perturbation::DocumentTypo, 0.07),
    ];

    #[test]
    fn matching_travellers_carry_the_documented_perturbations() {
        let keys = keys(SAMPLE, SAMPLE, 1.0);
        let mut counts: HashMap<Perturbation, usize> = HashMap::new();
        for q in 0..SAMPLE {
            let (who, _, trace) = traveller_row(&keys, q);
            assert!(matches!(who, Traveller::Match(_)), "{who:?}");
            for p in trace {
                *counts.entry(p).or_default() += 1;
            }
        }
        let n = SAMPLE as f64;
        let mut wrong = Vec::new();
        for (p, documented) in DOCUMENTED {
            let got = counts.get(&p).copied().unwrap_or(0) as f64 / n;
            // Four standard deviations of a binomial share, and the rounding of the document.
            let tolerance = 4.0 * (documented * (1.0 - documented) / n).sqrt() + documented * 0.15;
            if (got - documented).abs() > tolerance {
                wrong.push(format!("{p:?}: {got:.4}, documented {documented}"));
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    #[test]
    fn non_matching_travellers_include_twins_siblings_and_namesakes() {
        let keys = keys(SAMPLE, SAMPLE, 0.0);
        let mut kinds: HashMap<&str, usize> = HashMap::new();
        for q in 0..SAMPLE {
            let (who, ident, _) = who(&keys, q);
            let them = |j| people::person(SEED, j);
            let p = &ident.person;
            let kind = match who {
                Traveller::Match(_) => panic!("no matches were asked for"),
                Traveller::Stranger => "stranger",
                Traveller::Twin(j) => {
                    let a = them(j);
                    assert_eq!(
                        (&p.family_names, &p.date_of_birth, p.nationality),
                        (&a.family_names, &a.date_of_birth, a.nationality)
                    );
                    assert_ne!(p.given_names, a.given_names);
                    "twin"
                }
                Traveller::Sibling(j) => {
                    let a = them(j);
                    assert_eq!((&p.family_names, p.nationality), (&a.family_names, a.nationality));
                    assert_ne!(p.given_names, a.given_names);
                    let gap = (date_parts(&p.date_of_birth).0 - date_parts(&a.date_of_birth).0).abs();
                    assert!((1..=8).contains(&gap), "{} / {}", p.date_of_birth, a.date_of_birth);
                    "sibling"
                }
                Traveller::Namesake(j) => {
                    let a = them(j);
                    assert_eq!((&p.given_names, &p.family_names), (&a.given_names, &a.family_names));
                    let gap = (date_parts(&p.date_of_birth).0 - date_parts(&a.date_of_birth).0).abs();
                    assert!(gap <= 3 && p.passport.is_none(), "{p:?} / {a:?}");
                    assert_ne!(p.date_of_birth, a.date_of_birth, "a namesake is born another day");
                    "namesake"
                }
            };
            *kinds.entry(kind).or_default() += 1;
        }
        let share = |k| kinds.get(k).copied().unwrap_or(0) as f64 / SAMPLE as f64;
        assert!((0.010..0.020).contains(&share("twin")), "{kinds:?}");
        assert!((0.010..0.020).contains(&share("sibling")), "{kinds:?}");
        assert!((0.019..0.031).contains(&share("namesake")), "{kinds:?}");
    }

    #[test]
    fn shifted_names_move_one_name_across_the_boundary() {
        let mut rng = Rng::new(5);
        let shift = |given: &str, family: &str, rng: &mut Rng| {
            let mut names = [given.to_string(), family.to_string()];
            shift_names(&mut names, rng).then_some(names)
        };
        let pair = |g: &str, f: &str| Some([g.to_string(), f.to_string()]);
        assert_eq!(shift("Maria José", "García", &mut rng), pair("Maria", "José García"));
        assert_eq!(shift("Ana", "García López", &mut rng), pair("Ana García", "López"));
        assert_eq!(shift("Ana", "García", &mut rng), None);
        // With two names on both sides, either way; the words and their order are kept.
        for _ in 0..20 {
            let names = shift("Iris María", "Pérez Soto", &mut rng).expect("shifted");
            assert!(names == ["Iris", "María Pérez Soto"] || names == ["Iris María Pérez", "Soto"], "{names:?}");
        }
    }

    #[test]
    fn a_variant_shifts_names_of_its_share_of_travellers_and_leaves_the_rest() {
        let opts = |shifted| LinkDataOptions {
            rows_a: 50_000,
            rows_b: 10_000,
            seed: SEED,
            match_share: 0.2,
            shares: crate::linkage::VariantShares { shifted_names: shifted, ..Default::default() },
            ..LinkDataOptions::new(LinkDataKind::Manifest)
        };
        let (plain, shifted) = (Keys::new(&opts(None)), Keys::new(&opts(Some(0.3))));
        let mut moved = 0;
        for q in 0..10_000 {
            let (who, row, _) = traveller_row(&plain, q);
            let (who2, row2, trace) = traveller_row(&shifted, q);
            assert_eq!(who, who2);
            let was_shifted = trace.contains(&Perturbation::ShiftedNames);
            moved += usize::from(was_shifted);
            if was_shifted {
                assert_ne!(row[1..3], row2[1..3]);
                let words =
                    |r: &[String; 7]| format!("{} {}", r[1], r[2]).split_whitespace().collect::<Vec<_>>().join(" ");
                assert_eq!(words(&row), words(&row2), "the same words in order");
            } else {
                assert_eq!(row, row2, "only the names of the shifted travellers change");
            }
        }
        // 30% asked, of those with two names in a field (most of this mostly Hispanic docket).
        assert!((1_500..3_000).contains(&moved), "{moved} of 10,000 shifted");
    }

    #[test]
    fn docket_rows_are_the_synthetic_docket_persons() {
        for i in 0..2_000 {
            let row = docket_row(SEED, i);
            let p = crate::person_row(SEED, i);
            assert_eq!(row[0], p.person_id);
            assert_eq!((&row[1], &row[2], &row[5]), (&p.given_names, &p.family_names, &p.nationality));
            assert_eq!(row[6], p.passport_number);
            assert!(row[3].len() == 10 && row[3].starts_with(&p.date_of_birth), "{} / {}", row[3], p.date_of_birth);
        }
        assert_eq!(docket_date("1985"), "1985-00-00");
        assert_eq!(docket_date("1985-07"), "1985-07-00");
    }

    #[test]
    fn manifests_write_names_as_passports_and_systems_do() {
        assert_eq!(styled("Nguyễn Văn-An O'Neil", Style::Mrz), "NGUYEN VAN AN ONEIL");
        assert_eq!(styled("José Ñúñez", Style::Unaccented), "Jose Nunez");
        assert_eq!(styled("José", Style::Typed), "José");
        let names = ["MARIA DEL CARMEN GUADALUPE".to_string(), "HERNANDEZ DE LA CRUZ".to_string()];
        assert_eq!(fit(&names, Width::Field(15)), ["MARIA DEL CARME", "HERNANDEZ DE LA"]);
        assert_eq!(fit(&names, Width::Combined(30)), ["MARIA DEL", "HERNANDEZ DE LA CRUZ"]);
        let long = ["ANA".to_string(), "X".repeat(40)];
        assert_eq!(fit(&long, Width::Combined(30))[0], "A");
    }

    proptest::proptest! {
        #[test]
        fn recording_any_name_never_panics(given in "\\PC{0,30}", family in "\\PC{0,30}", seed: u64) {
            let mut rng = Rng::new(seed);
            let mut names = [given.clone(), family.clone()];
            cyrillic_respelling(&mut names, &mut rng);
            for style in [Style::Mrz, Style::Typed, Style::Unaccented] {
                let written = names.each_ref().map(|n| styled(n, style));
                for width in [Width::Unlimited, Width::Field(15), Width::Combined(30)] {
                    let [g, f] = fit(&written, width);
                    proptest::prop_assert!(g.chars().count() <= written[0].chars().count());
                    proptest::prop_assert!(f.chars().count() <= written[1].chars().count());
                }
            }
            let _ = document_typo(&given, &mut rng);
        }
    }

    #[test]
    fn cyrillic_names_get_other_romanizations() {
        let mut rng = Rng::new(8);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..400 {
            let mut names = ["Dmitriy".to_string(), "Kharitonov".to_string()];
            assert!(cyrillic_respelling(&mut names, &mut rng));
            seen.insert(names.join(" "));
        }
        for expected in ["Dmitry Kharitonov", "Dmitrii Kharitonov", "Dmitriy Haritonov", "Dmitriy Kharitonoff"] {
            assert!(seen.contains(expected), "{expected} never produced: {seen:?}");
        }
        let mut plain = ["Ana".to_string(), "Lopez".to_string()];
        assert!(!cyrillic_respelling(&mut plain, &mut rng));
    }

    #[test]
    fn document_typos_are_one_edit_away() {
        let mut rng = Rng::new(9);
        for _ in 0..500 {
            let out = document_typo("G12345678", &mut rng);
            assert_ne!(out, "G12345678");
            assert!((8..=10).contains(&out.len()) && out.chars().all(|c| c.is_ascii_alphanumeric()), "{out}");
        }
    }
}
