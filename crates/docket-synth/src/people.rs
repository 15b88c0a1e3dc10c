//! Deterministic synthetic PERSON records (identity data only) for a synthetic docket.
//!
//! Every record is a pure function of `(seed, index)`: [`person`] draws from its own [`Rng`] stream
//! ([`Rng::for_item`]), so record `i` is identical whatever order or thread generates it, and the
//! output never changes across dependency upgrades (the generator is implemented here, std only).
//!
//! Names come from per-culture data files under `names/` (`<culture>_given_m.txt`,
//! `<culture>_given_f.txt`, `<culture>_family.txt`, plus a few extras), compiled in with
//! `include_str!` and parsed once on first use. Format: one name per line in natural case with
//! diacritics as recorded, optionally followed by a TAB and a relative weight (default 10); blank
//! lines and lines starting with `#` are ignored. `names/translit_variants.txt` lists groups of
//! spellings of one name, used to build aliases.
//!
//! # Panics
//! Parsing panics only if a bundled data file is malformed (a weight that is not an integer, a
//! `countries.txt` line with a missing column or unknown culture); the tests parse every file, so
//! this is an invariant of the static data, never of the caller's input.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

// ---- Pseudo-random numbers -------------------------------------------------------------------

const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// One SplitMix64 step: advances `state` and returns the next output.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(GOLDEN_GAMMA);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A bijective 64-bit hash (one SplitMix64 step from state `x`).
pub(crate) fn mix(x: u64) -> u64 {
    let mut state = x;
    splitmix64(&mut state)
}

/// Deterministic PRNG: xoshiro256** seeded through SplitMix64, implemented here so that the
/// output never changes across dependency upgrades. Not suitable for cryptography.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// A generator whose four state words are the first four SplitMix64 outputs from `seed`
    /// (never all zero: the SplitMix64 outputs of distinct states are distinct).
    pub fn new(seed: u64) -> Self {
        let mut state = seed;
        Self { s: [splitmix64(&mut state), splitmix64(&mut state), splitmix64(&mut state), splitmix64(&mut state)] }
    }

    /// An independent stream for item `index` of kind `domain` under `seed`: the three values are
    /// hashed together with SplitMix64, so record `i` is the same whatever order generates it.
    pub fn for_item(seed: u64, domain: u64, index: u64) -> Self {
        Self::new(mix(mix(mix(seed) ^ domain) ^ index))
    }

    /// The next 64 uniformly distributed bits (xoshiro256**).
    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// A uniform value in `[0, n)` without modulo bias (Lemire's multiply-and-reject); 0 if `n == 0`.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        let mut m = u128::from(self.next_u64()) * u128::from(n);
        if (m as u64) < n {
            let threshold = n.wrapping_neg() % n;
            while (m as u64) < threshold {
                m = u128::from(self.next_u64()) * u128::from(n);
            }
        }
        (m >> 64) as u64
    }

    /// A uniform value in `[lo, hi_inclusive]` (the bounds are swapped if given in reverse order).
    pub fn range_i64(&mut self, lo: i64, hi_inclusive: i64) -> i64 {
        let (lo, hi) = if lo <= hi_inclusive { (lo, hi_inclusive) } else { (hi_inclusive, lo) };
        let span = hi.wrapping_sub(lo) as u64;
        if span == u64::MAX {
            return self.next_u64() as i64;
        }
        lo.wrapping_add(self.below(span + 1) as i64)
    }

    /// `true` with probability `p` (53-bit resolution; `p <= 0` never, `p >= 1` always).
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64) * (1.0 / (1u64 << 53) as f64) < p
    }

    /// A uniformly chosen element of `items`.
    ///
    /// # Panics
    /// Panics if `items` is empty.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// An index chosen with probability proportional to `weights[i]`; uniform if all weights are
    /// zero, and 0 for an empty slice.
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        if total == 0 {
            return self.below(weights.len() as u64) as usize;
        }
        let mut r = self.below(total);
        for (i, &w) in weights.iter().enumerate() {
            if r < u64::from(w) {
                return i;
            }
            r -= u64::from(w);
        }
        weights.len() - 1
    }
}

/// Picks from a non-empty constant table of `(item, weight)` pairs.
pub(crate) fn choose<T: Copy>(rng: &mut Rng, items: &[(T, u32)]) -> T {
    let total = items.iter().map(|&(_, w)| u64::from(w)).sum();
    let mut r = rng.below(total);
    let mut chosen = items[0].0;
    for &(item, w) in items {
        chosen = item;
        if r < u64::from(w) {
            break;
        }
        r -= u64::from(w);
    }
    chosen
}

// ---- Public record types ---------------------------------------------------------------------

/// The order in which a culture customarily writes a full name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameOrder {
    /// Given names, then family names ("José Hernández López").
    GivenFirst,
    /// Family name, then given names ("Nguyễn Văn An", "Lin Jianguo").
    FamilyFirst,
}

/// A synthetic passport.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthPassport {
    /// Document number in a format typical of the issuing country.
    pub number: String,
    /// ISO 3166-1 alpha-3 code of the issuing country (almost always the nationality).
    pub issuing_country: &'static str,
    /// Expiry date, `YYYY-MM-DD`, between 2020 and 2036.
    pub expiry: String,
}

/// One synthetic person: identity data only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthPerson {
    /// Given names as recorded (several names, diacritics and hyphens kept).
    pub given_names: String,
    /// Family names as recorded, possibly compound ("García López", "de la Cruz", "ould Ahmed").
    pub family_names: String,
    /// Customary order of the name parts for this person's culture.
    pub name_order: NameOrder,
    /// Other recorded spellings, each `GIVEN NAMES|FAMILY NAMES` with a single `|`.
    pub aliases: Vec<String>,
    /// `YYYY-MM-DD`, or `YYYY-MM` / `YYYY` when the day or month is unknown (about 2%).
    pub date_of_birth: String,
    /// `'M'`, `'F'`, `'X'` (rare) or `'U'` (unknown, rare).
    pub sex: char,
    /// ISO 3166-1 alpha-3 nationality.
    pub nationality: &'static str,
    /// Passport, held by about 70% of persons.
    pub passport: Option<SynthPassport>,
}

impl SynthPerson {
    /// The full name in the person's customary order.
    pub fn full_name(&self) -> String {
        match self.name_order {
            NameOrder::GivenFirst => format!("{} {}", self.given_names, self.family_names),
            NameOrder::FamilyFirst => format!("{} {}", self.family_names, self.given_names),
        }
    }
}

// ---- Static data: cultures, countries, name lists --------------------------------------------

/// Naming culture; the discriminant indexes [`CULTURE_FILES`] and [`Tables::cultures`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Culture {
    Hispanic,
    Brazilian,
    Haitian,
    Filipino,
    Indian,
    Chinese,
    Vietnamese,
    Korean,
    Russian,
    Ukrainian,
    Romanian,
    Turkish,
    Arabic,
    Mauritanian,
    Afghan,
    Pakistani,
    Bangladeshi,
    Senegalese,
    Nigerian,
    Ghanaian,
    Eritrean,
}

impl Culture {
    fn order(self) -> NameOrder {
        match self {
            Culture::Chinese | Culture::Vietnamese | Culture::Korean => NameOrder::FamilyFirst,
            _ => NameOrder::GivenFirst,
        }
    }

    /// Cultures whose family names differ by sex (Ivanov / Ivanova, ould / mint, Singh / Kaur).
    fn family_marks_sex(self) -> bool {
        matches!(
            self,
            Culture::Russian | Culture::Ukrainian | Culture::Mauritanian | Culture::Indian | Culture::Bangladeshi
        )
    }
}

macro_rules! culture_files {
    ($($culture:ident: $given:literal, $family:literal;)*) => {
        [$((
            Culture::$culture,
            $given,
            include_str!(concat!("names/", $given, "_given_m.txt")),
            include_str!(concat!("names/", $given, "_given_f.txt")),
            include_str!(concat!("names/", $family, ".txt")),
        ),)*]
    };
}

/// Per culture, in enum order: file prefix, male given, female given and family name files. Eritreans and
/// Hassaniya Mauritanians carry their father's name, so their "family" list is the male given list.
const CULTURE_FILES: [(Culture, &str, &str, &str, &str); 21] = culture_files! {
    Hispanic: "hispanic", "hispanic_family";
    Brazilian: "brazilian", "brazilian_family";
    Haitian: "haitian", "haitian_family";
    Filipino: "filipino", "filipino_family";
    Indian: "indian", "indian_family";
    Chinese: "chinese", "chinese_family";
    Vietnamese: "vietnamese", "vietnamese_family";
    Korean: "korean", "korean_family";
    Russian: "east_slavic", "east_slavic_family";
    Ukrainian: "ukrainian", "ukrainian_family";
    Romanian: "romanian", "romanian_family";
    Turkish: "turkish", "turkish_family";
    Arabic: "arabic", "arabic_family";
    Mauritanian: "mauritanian", "mauritanian_given_m";
    Afghan: "afghan", "afghan_family";
    Pakistani: "pakistani", "pakistani_family";
    Bangladeshi: "bangladeshi", "bangladeshi_family";
    Senegalese: "senegalese", "senegalese_family";
    Nigerian: "nigerian", "nigerian_family";
    Ghanaian: "ghanaian", "ghanaian_family";
    Eritrean: "eritrean", "eritrean_given_m";
};

/// A nationality from `names/countries.txt`: code, docket weight, naming culture and passport
/// number patterns (`#` a digit, `@` a capital letter, anything else literal).
struct Country {
    code: &'static str,
    weight: u32,
    culture: Culture,
    passport: Vec<&'static str>,
}

/// Share of persons whose date of birth is recorded as January 1 because the real day is
/// unknown, a practice common for some nationalities.
fn jan_first_share(code: &str) -> f64 {
    match code {
        "AFG" => 0.30,
        "ERI" | "MRT" => 0.15,
        "BGD" | "PAK" | "SEN" => 0.08,
        _ => 0.005,
    }
}

/// Letters used for `@` in passport patterns (I, O and Q avoided, as many issuers do).
const PASSPORT_LETTERS: &[u8] = b"ABCDEFGHJKLMNPRSTUVWXYZ";

/// A weighted name list parsed from one data file.
pub(crate) struct NameList {
    names: Vec<&'static str>,
    cumulative: Vec<u64>,
}

impl NameList {
    /// Parses a name file (the format is described in the module documentation).
    pub(crate) fn parse(text: &'static str) -> Self {
        let mut names = Vec::new();
        let mut cumulative = Vec::new();
        let mut total = 0u64;
        for line in data_lines(text) {
            let (name, weight) = match line.split_once('\t') {
                Some((name, w)) => {
                    (name.trim(), w.trim().parse::<u64>().expect("bundled name file: weight is an integer"))
                }
                None => (line, 10),
            };
            total += weight;
            names.push(name);
            cumulative.push(total);
        }
        Self { names, cumulative }
    }

    /// A name drawn with probability proportional to its weight.
    pub(crate) fn pick(&self, rng: &mut Rng) -> &'static str {
        let r = rng.below(self.cumulative.last().copied().unwrap_or(0));
        self.names.get(self.cumulative.partition_point(|&c| c <= r)).copied().unwrap_or("")
    }
}

struct Lists {
    given_m: NameList,
    given_f: NameList,
    family: NameList,
}

/// Everything parsed from the data files, built once.
struct Tables {
    countries: Vec<Country>,
    cultures: Vec<Lists>,
    maya: NameList,
    sikh_given: NameList,
    sikh_family: NameList,
    vn_middle_m: NameList,
    vn_middle_f: NameList,
    bd_family_f: NameList,
    country_weights: Vec<u32>,
    variant_of: HashMap<&'static str, usize>,
    variant_groups: Vec<Vec<&'static str>>,
    plain: HashMap<char, char>,
}

/// The non-comment, non-blank lines of a data file, trimmed.
fn data_lines(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'))
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let countries: Vec<Country> = data_lines(include_str!("names/countries.txt"))
            .map(|line| {
                let fields: Vec<&'static str> = line.split('\t').collect();
                let culture = CULTURE_FILES.iter().find(|c| c.1 == fields[2]).expect("countries.txt: known culture").0;
                let weight = fields[1].parse().expect("countries.txt: integer weight");
                Country { code: fields[0], weight, culture, passport: fields[3].split(',').collect() }
            })
            .collect();
        let variant_groups: Vec<Vec<&'static str>> = data_lines(include_str!("names/translit_variants.txt"))
            .map(|l| l.split(['\t', ',']).map(str::trim).filter(|n| !n.is_empty()).collect())
            .collect();
        Tables {
            cultures: CULTURE_FILES
                .iter()
                .map(|&(_, _, m, f, fam)| Lists {
                    given_m: NameList::parse(m),
                    given_f: NameList::parse(f),
                    family: NameList::parse(fam),
                })
                .collect(),
            maya: NameList::parse(include_str!("names/maya_family.txt")),
            sikh_given: NameList::parse(include_str!("names/sikh_given.txt")),
            sikh_family: NameList::parse(include_str!("names/sikh_family.txt")),
            vn_middle_m: NameList::parse(include_str!("names/vietnamese_middle_m.txt")),
            vn_middle_f: NameList::parse(include_str!("names/vietnamese_middle_f.txt")),
            bd_family_f: NameList::parse(include_str!("names/bangladeshi_family_f.txt")),
            country_weights: countries.iter().map(|c| c.weight).collect(),
            countries,
            variant_of: variant_groups
                .iter()
                .enumerate()
                .flat_map(|(g, names)| names.iter().map(move |&n| (n, g)))
                .collect(),
            variant_groups,
            plain: data_lines(include_str!("names/diacritics.txt"))
                .filter_map(|l| l.split_once('\t'))
                .flat_map(|(base, chars)| chars.chars().map(move |c| (c, base.chars().next().unwrap_or(c))))
                .collect(),
        }
    })
}

// ---- Names -----------------------------------------------------------------------------------

/// One given name or surname unit; borrowed from the static lists when possible.
type Unit = Cow<'static, str>;

/// A name as units: each given name and each surname unit ("de la Cruz") is one element.
#[derive(Debug, Clone, Default, PartialEq)]
struct Name {
    given: Vec<Unit>,
    family: Vec<Unit>,
    /// Another accepted spelling of the whole given name ("Xiao Ming" for "Xiaoming").
    given_alt: Option<String>,
    /// The middle elements precede the personal name (Vietnamese "Văn An").
    middle_leads: bool,
}

impl Name {
    fn key(&self) -> String {
        let mut key = self.given.join(" ");
        key.push('|');
        key.push_str(&self.family.join(" "));
        key
    }
}

/// Whether two name strings share a capitalized word ("María" and "María del Carmen").
fn shares_word(a: &str, b: &str) -> bool {
    a.split([' ', '-']).any(|w| w.starts_with(char::is_uppercase) && b.split([' ', '-']).any(|v| v == w))
}

/// Appends `name` unless it repeats a word already present; returns whether it was added.
fn push_distinct(units: &mut Vec<Unit>, name: impl Into<Unit>) -> bool {
    let name = name.into();
    let fresh = !name.is_empty() && !units.iter().any(|u| shares_word(u, &name));
    if fresh {
        units.push(name);
    }
    fresh
}

/// Up to `k` distinct names from `list`.
fn draw(list: &NameList, k: usize, rng: &mut Rng) -> Vec<Unit> {
    let mut out = Vec::with_capacity(k);
    for _ in 0..k {
        for _ in 0..4 {
            if push_distinct(&mut out, list.pick(rng)) {
                break;
            }
        }
    }
    out
}

/// Number of names: 1 or 2 with `two` percent of 2.
fn one_or_two(rng: &mut Rng, two: u32) -> usize {
    choose(rng, &[(1, 100 - two), (2, two)])
}

/// East Slavic patronymic from the father's given name (Ivan -> Ivanovich / Ivanovna).
fn patronymic(father: &str, fem: bool, ukrainian: bool) -> String {
    let f = father.split(' ').next().unwrap_or(father);
    let (m_end, f_end) = if ukrainian { ("ovych", "ivna") } else { ("ovich", "ovna") };
    let (stem, m_end, f_end) = match (ukrainian, f) {
        (false, "Pavel") => ("Pavl", m_end, f_end),
        (false, "Lev") => ("Lv", m_end, f_end),
        (false, "Igor") => ("Igor", "evich", "evna"),
        (false, "Ilya") => ("Ily", "ich", "inichna"),
        (true, "Illia") => ("Ill", "ich", "ivna"),
        (true, _) if f.ends_with("ii") => (f, "ovych", "vna"),
        (true, _) if f.ends_with('o') => (&f[..f.len() - 1], m_end, f_end),
        (true, _) if f.ends_with('a') => (f, "iovych", "ivna"),
        (false, _) if f.ends_with('y') => (&f[..f.len() - 1], "evich", "evna"),
        (false, _) if f.ends_with('a') => (&f[..f.len() - 1], "ich", "ichna"),
        _ => (f, m_end, f_end),
    };
    format!("{stem}{}", if fem { f_end } else { m_end })
}

/// Feminine form of an East Slavic surname (Ivanov -> Ivanova, Kovalskyi -> Kovalska).
fn feminize(surname: &str) -> String {
    for (m, f) in [("skiy", "skaya"), ("skyi", "ska"), ("oy", "aya")] {
        if let Some(stem) = surname.strip_suffix(m) {
            return format!("{stem}{f}");
        }
    }
    if ["ov", "ev", "in", "yn"].iter().any(|e| surname.ends_with(e)) {
        return format!("{surname}a");
    }
    surname.to_string()
}

/// A name for a person of culture `c` (nationality `code`), female if `fem`.
fn gen_name(c: Culture, code: &str, fem: bool, rng: &mut Rng) -> Name {
    let t = tables();
    let l = &t.cultures[c as usize];
    let given = if fem { &l.given_f } else { &l.given_m };
    let mut n = Name::default();
    match c {
        Culture::Hispanic => {
            n.given = draw(given, choose(rng, &[(1, 55), (2, 42), (3, 3)]), rng);
            let units = if rng.chance(HISPANIC_TWO_SURNAMES) { 2 } else { 1 };
            for _ in 0..units {
                let list = if code == "GTM" && rng.chance(0.15) { &t.maya } else { &l.family };
                n.family.push(list.pick(rng).into());
            }
        }
        Culture::Brazilian => {
            n.given = draw(given, one_or_two(rng, 42), rng);
            n.family = draw(&l.family, choose(rng, &[(1, 25), (2, 55), (3, 20)]), rng);
        }
        Culture::Haitian => {
            if rng.chance(0.30) {
                let base = if fem { "Marie" } else { "Jean" };
                let second = (0..8).map(|_| given.pick(rng)).find(|&g| g != base).unwrap_or("Pierre");
                let (hyphen, space) = (format!("{base}-{second}"), format!("{base} {second}"));
                let (primary, alt) = if rng.chance(0.6) { (hyphen, space) } else { (space, hyphen) };
                n.given = vec![primary.into()];
                n.given_alt = Some(alt);
            } else {
                n.given = draw(given, one_or_two(rng, 20), rng);
            }
            n.family = draw(&l.family, one_or_two(rng, 4), rng);
        }
        Culture::Filipino => {
            n.given = draw(given, one_or_two(rng, 15), rng);
            n.family = draw(&l.family, 1, rng);
            if rng.chance(0.55) {
                let maiden = l.family.pick(rng);
                if !n.family.iter().any(|f| f == maiden) {
                    n.given.push(maiden.into());
                }
            }
        }
        Culture::Indian if rng.chance(0.40) => {
            let mark: Unit = if fem { "Kaur" } else { "Singh" }.into();
            n.given = vec![t.sikh_given.pick(rng).into()];
            let clan: Unit = t.sikh_family.pick(rng).into();
            match choose(rng, &[(0u8, 55), (1, 25), (2, 20)]) {
                0 => n.family = vec![mark],
                1 => n.family = vec![mark, clan],
                _ => {
                    n.given.push(mark);
                    n.family = vec![clan];
                }
            }
        }
        Culture::Indian => {
            let mut first: Unit = given.pick(rng).into();
            if !fem && rng.chance(0.10) {
                first.to_mut().push_str("kumar");
            }
            n.given = vec![first];
            if !fem && rng.chance(0.12) {
                n.given.push("Kumar".into());
            }
            n.family = draw(&l.family, 1, rng);
        }
        Culture::Chinese | Culture::Korean => {
            let korean = c == Culture::Korean;
            let first = given.pick(rng);
            if one_or_two(rng, if korean { 96 } else { 85 }) == 1 {
                n.given = vec![first.into()];
            } else {
                let mut second = given.pick(rng);
                if korean && second == first {
                    second = given.pick(rng);
                }
                let low = second.to_lowercase();
                let forms = [format!("{first}{low}"), format!("{first} {second}"), format!("{first}-{low}")];
                let weights: &[(usize, u32)] =
                    if korean { &[(0, 35), (1, 20), (2, 45)] } else { &[(0, 85), (1, 10), (2, 5)] };
                let i = choose(rng, weights);
                let alt = (i + 1 + rng.below(2) as usize) % 3;
                n.given = vec![forms[i].clone().into()];
                n.given_alt = Some(forms[alt].clone());
            }
            n.family = draw(&l.family, 1, rng);
        }
        Culture::Vietnamese => {
            n.middle_leads = true;
            let middles = if fem { &t.vn_middle_f } else { &t.vn_middle_m };
            if rng.chance(0.93) {
                push_distinct(&mut n.given, middles.pick(rng));
            }
            if rng.chance(0.08) {
                push_distinct(&mut n.given, middles.pick(rng));
            }
            for _ in 0..8 {
                if push_distinct(&mut n.given, given.pick(rng)) {
                    break;
                }
            }
            n.family = draw(&l.family, 1, rng);
        }
        Culture::Russian | Culture::Ukrainian => {
            n.given = vec![given.pick(rng).into()];
            if rng.chance(0.35) {
                n.given.push(patronymic(l.given_m.pick(rng), fem, c == Culture::Ukrainian).into());
            }
            let surname = l.family.pick(rng);
            n.family = vec![if fem { feminize(surname).into() } else { surname.into() }];
        }
        Culture::Arabic => {
            n.given = vec![given.pick(rng).into()];
            if rng.chance(0.35) {
                push_distinct(&mut n.given, l.given_m.pick(rng));
            }
            let bin_share = if code == "YEM" { 0.35 } else { 0.02 };
            n.family = vec![if rng.chance(bin_share) {
                format!("{} {}", if rng.chance(0.7) { "bin" } else { "ibn" }, l.given_m.pick(rng)).into()
            } else if rng.chance(0.15) {
                l.given_m.pick(rng).into()
            } else {
                l.family.pick(rng).into()
            }];
        }
        Culture::Mauritanian if rng.chance(0.45) => return gen_name(Culture::Senegalese, code, fem, rng),
        Culture::Mauritanian => {
            n.given = vec![given.pick(rng).into()];
            let particle = match (fem, rng.chance(0.4)) {
                (false, false) => "ould",
                (false, true) => "Ould",
                (true, false) => "mint",
                (true, true) => "Mint",
            };
            n.family = vec![format!("{particle} {}", l.family.pick(rng)).into()];
        }
        Culture::Afghan => {
            n.given = vec![given.pick(rng).into()];
            n.family = vec![if rng.chance(0.25) { l.given_m.pick(rng) } else { l.family.pick(rng) }.into()];
        }
        Culture::Pakistani | Culture::Bangladeshi => {
            if !fem && rng.chance(if c == Culture::Pakistani { 0.40 } else { 0.45 }) {
                let prefix = if c == Culture::Pakistani {
                    "Muhammad"
                } else {
                    choose(rng, &[("Md", 60), ("Mohammad", 25), ("Mohammed", 15)])
                };
                n.given.push(prefix.into());
            }
            n.given.extend(draw(given, 1, rng));
            let list = if c == Culture::Bangladeshi && fem && rng.chance(0.5) { &t.bd_family_f } else { &l.family };
            n.family = vec![list.pick(rng).into()];
        }
        Culture::Eritrean => {
            n.given = draw(given, one_or_two(rng, 10), rng);
            n.family = vec![l.family.pick(rng).into()];
            if rng.chance(0.25) {
                push_distinct(&mut n.family, l.family.pick(rng));
            }
        }
        Culture::Romanian | Culture::Turkish | Culture::Senegalese | Culture::Nigerian | Culture::Ghanaian => {
            let two = match c {
                Culture::Romanian => 35,
                Culture::Turkish => 22,
                Culture::Senegalese => 20,
                Culture::Nigerian => 45,
                _ => 40,
            };
            n.given = draw(given, one_or_two(rng, two), rng);
            n.family = draw(&l.family, 1, rng);
        }
    }
    n
}

// ---- Aliases ---------------------------------------------------------------------------------

/// A way another record may spell the same person's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Variant {
    /// Another transliteration of one word (Mohammed / Muhammad, Yuriy / Iurii).
    Translit,
    /// Second (maternal) surname dropped, or occasionally only the second kept.
    DropSurname,
    /// Diacritics removed.
    Plain,
    /// Given and family names swapped.
    Swap,
    /// A middle given name (or patronymic) dropped.
    DropMiddle,
    /// A middle given name (or patronymic) added.
    AddMiddle,
    /// Compound surnames hyphenated, or hyphens written as spaces.
    Hyphen,
    /// Other accepted spelling of the given name ("Xiao Ming", "Jean Robert").
    AltGiven,
    /// Article or particle variant (Al-Hassan / Alhassan / Hassan, ould / Ould).
    Article,
}

const VARIANT_WEIGHTS: [(Variant, u32); 9] = [
    (Variant::Translit, 30),
    (Variant::DropSurname, 25),
    (Variant::Plain, 25),
    (Variant::Swap, 8),
    (Variant::DropMiddle, 15),
    (Variant::AddMiddle, 8),
    (Variant::Hyphen, 10),
    (Variant::AltGiven, 25),
    (Variant::Article, 25),
];

/// Byte ranges of the words of `s` (separated by spaces or hyphens).
fn words(s: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, ch) in s.char_indices() {
        if ch == ' ' || ch == '-' {
            if i > start {
                out.push((start, i));
            }
            start = i + 1;
        }
    }
    if start < s.len() {
        out.push((start, s.len()));
    }
    out
}

/// `s` with every letter listed in `names/diacritics.txt` replaced by its plain base letter.
pub(crate) fn strip_diacritics(s: &str) -> String {
    if s.is_ascii() {
        return s.to_string();
    }
    let plain = &tables().plain;
    s.chars().map(|c| plain.get(&c).copied().unwrap_or(c)).collect()
}

/// A variant spelling of a family-name unit carrying an article or particle.
fn article_variant(unit: &str, rng: &mut Rng) -> Option<String> {
    let mut options = Vec::new();
    for article in ["Al-", "El-", "al-", "el-", "Al ", "El "] {
        if let Some(rest) = unit.strip_prefix(article) {
            options = vec![
                format!("Al-{rest}"),
                format!("El-{rest}"),
                format!("Al {rest}"),
                format!("Al{}", rest.to_lowercase()),
            ];
            options.push(rest.to_string());
        }
    }
    for particle in ["ould", "Ould", "mint", "Mint", "bin", "Bin", "ibn", "Ibn"] {
        if let Some(rest) = unit.strip_prefix(particle).and_then(|r| r.strip_prefix(' ')) {
            let lower = particle.to_lowercase();
            let upper = format!("{}{}", particle[..1].to_uppercase(), &lower[1..]);
            options =
                vec![format!("{lower} {rest}"), format!("{upper} {rest}"), format!("{upper}-{rest}"), rest.to_string()];
        }
    }
    options.retain(|o| o != unit);
    (!options.is_empty()).then(|| rng.pick(&options).clone())
}

/// Applies one alias variant to `name`, or `None` if it does not apply or changes nothing.
fn apply(v: Variant, name: &Name, c: Culture, fem: bool, rng: &mut Rng) -> Option<Name> {
    let t = tables();
    let mut out = name.clone();
    match v {
        Variant::Translit => {
            let mut spots = Vec::new();
            for (is_family, units) in [(false, &name.given), (true, &name.family)] {
                for (u, unit) in units.iter().enumerate() {
                    for (s, e) in words(unit) {
                        if let Some(&g) = t.variant_of.get(&unit[s..e]) {
                            spots.push((is_family, u, s, e, g));
                        }
                    }
                }
            }
            if spots.is_empty() {
                return None;
            }
            let &(is_family, u, s, e, g) = rng.pick(&spots);
            let unit = if is_family { &mut out.family[u] } else { &mut out.given[u] };
            let others: Vec<&str> = t.variant_groups[g].iter().copied().filter(|&o| o != &unit[s..e]).collect();
            if others.is_empty() {
                return None;
            }
            let replacement = *rng.pick(&others);
            unit.to_mut().replace_range(s..e, replacement);
        }
        Variant::DropSurname if name.family.len() >= 2 => {
            if rng.chance(0.8) {
                out.family.truncate(1);
            } else {
                out.family.drain(..1);
            }
        }
        Variant::Plain => {
            out.given.iter_mut().chain(out.family.iter_mut()).for_each(|u| *u = strip_diacritics(u).into())
        }
        Variant::Swap => std::mem::swap(&mut out.given, &mut out.family),
        Variant::DropMiddle if name.given.len() >= 2 => {
            if name.middle_leads {
                out.given.drain(..1);
            } else {
                out.given.truncate(1);
            }
        }
        Variant::AddMiddle if name.given.len() == 1 && c.order() == NameOrder::GivenFirst => {
            let l = &t.cultures[c as usize];
            let extra: Unit = match c {
                Culture::Russian | Culture::Ukrainian => {
                    patronymic(l.given_m.pick(rng), fem, c == Culture::Ukrainian).into()
                }
                Culture::Filipino => l.family.pick(rng).into(),
                _ => (if fem { &l.given_f } else { &l.given_m }).pick(rng).into(),
            };
            push_distinct(&mut out.given, extra).then_some(())?;
        }
        Variant::Hyphen if name.family.len() >= 2 && !name.family.iter().any(|u| u.contains(' ')) => {
            out.family = vec![name.family.join("-").into()];
        }
        Variant::Hyphen => {
            out.given.iter_mut().chain(out.family.iter_mut()).for_each(|u| *u = u.replace('-', " ").into())
        }
        Variant::AltGiven => out.given = vec![name.given_alt.clone()?.into()],
        Variant::Article => {
            let (i, replacement) =
                name.family.iter().enumerate().find_map(|(i, u)| Some((i, article_variant(u, rng)?)))?;
            out.family[i] = replacement.into();
        }
        Variant::DropSurname | Variant::DropMiddle | Variant::AddMiddle => return None,
    }
    (out.key() != name.key()).then_some(out)
}

/// Target share of persons with at least one alias.
const ALIAS_SHARE: f64 = 0.25;

fn gen_aliases(rng: &mut Rng, name: &Name, c: Culture, fem: bool) -> Vec<String> {
    if !rng.chance(ALIAS_SHARE) {
        return Vec::new();
    }
    let want = choose(rng, &[(1usize, 70), (2, 22), (3, 8)]);
    let primary = name.key();
    let mut out: Vec<String> = Vec::with_capacity(want);
    for _ in 0..16 {
        if out.len() >= want {
            break;
        }
        let Some(mut alias) = apply(choose(rng, &VARIANT_WEIGHTS), name, c, fem, rng) else { continue };
        if rng.chance(0.25) {
            let second = choose(rng, &[(Variant::Plain, 1), (Variant::Translit, 1)]);
            alias = apply(second, &alias, c, fem, rng).unwrap_or(alias);
        }
        let key = alias.key();
        if key != primary && !out.contains(&key) {
            out.push(key);
        }
    }
    if out.is_empty() {
        out.extend(apply(Variant::Swap, name, c, fem, rng).map(|n| n.key()));
    }
    out
}

// ---- Dates and documents ---------------------------------------------------------------------

/// Ages are computed relative to this year.
const REFERENCE_YEAR: i64 = 2026;
/// Share of Hispanic persons recorded with two surnames (paternal + maternal).
const HISPANIC_TWO_SURNAMES: f64 = 0.80;
/// Share of persons who are the sibling of a recent index; among them, share of twins.
const SIBLING_SHARE: f64 = 0.01;
const TWIN_SHARE: f64 = 0.30;

const DOMAIN_PERSON: u64 = 1;
const DOMAIN_SIBLING: u64 = 2;

/// Days in `month` of `year` (Gregorian).
pub(crate) fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD` from one to three parts (formatted by hand: this is hot).
fn date_string(parts: &[i64]) -> String {
    let mut out = String::with_capacity(10);
    for (i, &part) in parts.iter().enumerate() {
        if i > 0 {
            out.push('-');
        }
        for k in (0..if i == 0 { 4 } else { 2 }).rev() {
            out.push(char::from(b'0' + (part / 10i64.pow(k) % 10) as u8));
        }
    }
    out
}

fn random_date(rng: &mut Rng, year: i64) -> String {
    let month = rng.range_i64(1, 12);
    date_string(&[year, month, rng.range_i64(1, days_in_month(year, month))])
}

/// Birth year: about 5% minors aged 10-17, most adults 18-60, a small tail to 75.
fn birth_year(rng: &mut Rng) -> i64 {
    let age = if rng.chance(0.05) {
        rng.range_i64(10, 17)
    } else {
        let (lo, hi) = choose(
            rng,
            &[((18, 24), 22), ((25, 34), 36), ((35, 44), 24), ((45, 54), 11), ((55, 60), 4), ((61, 75), 3)],
        );
        rng.range_i64(lo, hi)
    };
    REFERENCE_YEAR - age
}

/// A date of birth in `year`: about 1.2% `YYYY-MM`, 0.8% `YYYY`, otherwise a full date.
fn date_of_birth(rng: &mut Rng, year: i64, jan_first: f64) -> String {
    match rng.below(1000) {
        0..12 => date_string(&[year, rng.range_i64(1, 12)]),
        12..20 => date_string(&[year]),
        _ if rng.chance(jan_first) => date_string(&[year, 1, 1]),
        _ => random_date(rng, year),
    }
}

/// A passport number in one of `issuer`'s patterns.
fn fill_passport_pattern(rng: &mut Rng, issuer: &Country) -> String {
    let pattern = *rng.pick(&issuer.passport);
    fill_pattern(rng, pattern)
}

/// A document number in `pattern` (`#` a digit, `@` a capital letter, anything else literal).
fn fill_pattern(rng: &mut Rng, pattern: &str) -> String {
    pattern
        .chars()
        .map(|ch| match ch {
            '#' => char::from(b'0' + rng.below(10) as u8),
            '@' => char::from(*rng.pick(PASSPORT_LETTERS)),
            other => other,
        })
        .collect()
}

fn gen_passport(rng: &mut Rng, nationality: &'static Country) -> Option<SynthPassport> {
    if !rng.chance(0.70) {
        return None;
    }
    let issuer = if rng.chance(0.01) { rng.pick(&tables().countries) } else { nationality };
    let number = fill_passport_pattern(rng, issuer);
    let expiry_year = rng.range_i64(2020, 2036);
    Some(SynthPassport { number, issuing_country: issuer.code, expiry: random_date(rng, expiry_year) })
}

// ---- Persons ---------------------------------------------------------------------------------

/// A generated person with the context a sibling needs.
struct Draft {
    person: SynthPerson,
    country: &'static Country,
    name: Name,
    birth_year: i64,
    fem: bool,
}

/// If person `index` is the sibling of an earlier index: how far back, and whether a twin.
fn sibling_link(seed: u64, index: u64) -> Option<(u64, bool)> {
    if index == 0 {
        return None;
    }
    let mut rng = Rng::for_item(seed, DOMAIN_SIBLING, index);
    if !rng.chance(SIBLING_SHARE) {
        return None;
    }
    let back = 1 + rng.below(index.min(3));
    Some((back, rng.chance(TWIN_SHARE)))
}

fn draft(seed: u64, index: u64, sibling: Option<(&Draft, bool)>) -> Draft {
    draft_from(Rng::for_item(seed, DOMAIN_PERSON, index), sibling)
}

/// A person drawn from `rng`; a sibling (or twin) of `sibling` when given.
fn draft_from(mut rng: Rng, sibling: Option<(&Draft, bool)>) -> Draft {
    let t = tables();
    let mut country = &t.countries[rng.weighted(&t.country_weights)];
    let mut sex = choose(&mut rng, &[('M', 575), ('F', 414), ('X', 3), ('U', 8)]);
    if let Some((sib, _)) = sibling {
        country = sib.country;
        if country.culture.family_marks_sex() {
            sex = sib.person.sex;
        }
    }
    let fem = match sex {
        'F' => true,
        'M' => false,
        _ => rng.chance(0.5),
    };
    let culture = country.culture;
    let mut name = gen_name(culture, country.code, fem, &mut rng);
    let jan_first = jan_first_share(country.code);
    let (date_of_birth, birth_year) = match sibling {
        None => {
            let year = birth_year(&mut rng);
            (date_of_birth(&mut rng, year, jan_first), year)
        }
        Some((sib, twin)) => {
            for _ in 0..8 {
                if name.given != sib.name.given {
                    break;
                }
                name = gen_name(culture, country.code, fem, &mut rng);
            }
            name.family = sib.name.family.clone();
            if twin {
                (sib.person.date_of_birth.clone(), sib.birth_year)
            } else {
                let gap = rng.range_i64(1, 8);
                let year = if rng.chance(0.5) { sib.birth_year + gap } else { sib.birth_year - gap };
                let year = if year > REFERENCE_YEAR - 10 { sib.birth_year - gap } else { year };
                (date_of_birth(&mut rng, year, jan_first), year)
            }
        }
    };
    let passport = gen_passport(&mut rng, country);
    let aliases = gen_aliases(&mut rng, &name, culture, fem);
    let person = SynthPerson {
        given_names: name.given.join(" "),
        family_names: name.family.join(" "),
        name_order: culture.order(),
        aliases,
        date_of_birth,
        sex,
        nationality: country.code,
        passport,
    };
    Draft { person, country, name, birth_year, fem }
}

/// Person `index` of the synthetic docket generated with `seed`. Pure function of `(seed, index)`.
///
/// About 1% of persons are siblings of a person a few indices earlier: they share the family
/// names and nationality (and, for twins, the date of birth) but have different given names.
pub fn person(seed: u64, index: u64) -> SynthPerson {
    person_draft(seed, index).person
}

/// The draft of person `index`, following the chain of siblings back to its root.
fn person_draft(seed: u64, index: u64) -> Draft {
    let mut chain = Vec::new();
    let mut root = index;
    while let Some((back, twin)) = sibling_link(seed, root) {
        chain.push((root, twin));
        root -= back;
    }
    let mut current = draft(seed, root, None);
    for &(i, twin) in chain.iter().rev() {
        current = draft(seed, i, Some((&current, twin)));
    }
    current
}

/// The 9-digit A-number for person `index`, e.g. `"207345981"`.
///
/// The low eight digits are a seeded permutation of `index mod 10^8` (an affine map followed by
/// a three-round decimal Feistel network); the leading digit is `2 + index / 10^8` (mod 8), so
/// values are distinct for all `index < 8 * 10^8`, always nine digits and never all zeros.
pub fn a_number(seed: u64, index: u64) -> String {
    const BLOCK: u64 = 100_000_000;
    const HALF: u64 = 10_000;
    let key = mix(seed ^ 0xA0A0_5EED_0000_0001);
    let mut multiplier = (key % BLOCK) | 1;
    while multiplier % 5 == 0 {
        multiplier += 2;
    }
    let x = (multiplier * (index % BLOCK) + mix(key) % BLOCK) % BLOCK;
    let (mut left, mut right) = (x / HALF, x % HALF);
    for round in 0..3u64 {
        let f = mix(key ^ (round << 32) ^ right) % HALF;
        (left, right) = (right, (left + f) % HALF);
    }
    let high = 2 + (index / BLOCK) % 8;
    format!("{:09}", high * BLOCK + left * HALF + right)
}

// ---- Access for the other generators of this crate (linkage test data) -------------------------

/// A person together with the structure of their name, so that another record of the same
/// person can spell the name the ways real records do (the variants behind [`SynthPerson::aliases`]).
#[derive(Debug, Clone)]
pub(crate) struct Identity {
    /// The person as the docket records them; `respell` rewrites the two name fields.
    pub(crate) person: SynthPerson,
    name: Name,
    culture: Culture,
    fem: bool,
}

impl Identity {
    fn from_draft(d: Draft) -> Self {
        Self { person: d.person, name: d.name, culture: d.country.culture, fem: d.fem }
    }

    /// Applies `variant` to the name if it applies and changes something; returns whether it did.
    pub(crate) fn respell(&mut self, variant: Variant, rng: &mut Rng) -> bool {
        match apply(variant, &self.name, self.culture, self.fem, rng) {
            Some(name) => {
                self.person.given_names = name.given.join(" ");
                self.person.family_names = name.family.join(" ");
                self.name = name;
                true
            }
            None => false,
        }
    }

    /// Whether the person's culture writes the family name first (Chinese, Korean, Vietnamese).
    pub(crate) fn family_first(&self) -> bool {
        self.culture.order() == NameOrder::FamilyFirst
    }

    /// Whether the name is romanized from Cyrillic (Russian, Ukrainian), where several
    /// romanization systems are in use.
    pub(crate) fn romanized_from_cyrillic(&self) -> bool {
        matches!(self.culture, Culture::Russian | Culture::Ukrainian)
    }
}

/// Person `index` of the docket generated with `seed` (the same as [`person`]), with its name structure.
pub(crate) fn identity(seed: u64, index: u64) -> Identity {
    Identity::from_draft(person_draft(seed, index))
}

/// A new person drawn from `rng`: a sibling of person `of` (same family names and nationality,
/// other given names, birth years 1–8 apart), or a twin (the same date of birth as well).
pub(crate) fn relative(seed: u64, of: u64, rng: Rng, twin: bool) -> Identity {
    let base = person_draft(seed, of);
    Identity::from_draft(draft_from(rng, Some((&base, twin))))
}

/// A passport number in a format the country `code` issues (a made-up pattern for codes the
/// generator does not know).
pub(crate) fn passport_number(rng: &mut Rng, code: &str) -> String {
    match tables().countries.iter().find(|c| c.code == code) {
        Some(country) => fill_passport_pattern(rng, country),
        None => fill_pattern(rng, "@@#######"),
    }
}

/// The male given, female given and family name lists of the culture whose files are named
/// `<prefix>_given_m.txt` etc. (`"hispanic"`, `"chinese"`, `"east_slavic"`, ...).
pub(crate) fn culture_lists(prefix: &str) -> Option<(&'static NameList, &'static NameList, &'static NameList)> {
    let i = CULTURE_FILES.iter().position(|c| c.1 == prefix)?;
    let l = &tables().cultures[i];
    Some((&l.given_m, &l.given_f, &l.family))
}

/// ISO 3166-1 alpha-3 codes of every nationality the generator produces.
pub fn nationalities() -> impl Iterator<Item = &'static str> {
    tables().countries.iter().map(|c| c.code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};

    const SEED: u64 = 20_260_101;

    fn sample(n: u64) -> Vec<SynthPerson> {
        (0..n).map(|i| person(SEED, i)).collect()
    }

    /// `YYYY`, `YYYY-MM` or a valid calendar `YYYY-MM-DD`.
    fn valid_date(s: &str) -> bool {
        let parts: Vec<&str> = s.split('-').collect();
        let widths = parts[0].len() == 4 && parts[1..].iter().all(|p| p.len() == 2);
        let nums: Option<Vec<i64>> = parts.iter().map(|p| p.parse().ok()).collect();
        match (widths, nums.as_deref()) {
            (true, Some([_])) => true,
            (true, Some([_, m])) => (1..=12).contains(m),
            (true, Some([y, m, d])) => (1..=12).contains(m) && (1..=days_in_month(*y, *m)).contains(d),
            _ => false,
        }
    }

    /// Whether `alias` replaces a word of `primary` by another spelling of the same name.
    fn is_transliteration(primary: &str, alias: &str) -> bool {
        let variant_of = &tables().variant_of;
        let (a, b): (Vec<&str>, Vec<&str>) =
            (primary.split([' ', '-', '|']).collect(), alias.split([' ', '-', '|']).collect());
        a.len() == b.len()
            && a.iter()
                .zip(&b)
                .filter(|(x, y)| x != y)
                .all(|(x, y)| variant_of.get(x).is_some_and(|g| variant_of.get(y) == Some(g)))
            && a != b
    }

    fn year_of(date: &str) -> i64 {
        date[..4].parse().expect("date starts with a year")
    }

    #[test]
    fn rng_matches_reference_vectors() {
        let mut state = 0;
        assert_eq!(splitmix64(&mut state), 0xE220_A839_7B1D_CDAF);
        let mut rng = Rng { s: [1, 2, 3, 4] };
        assert_eq!([rng.next_u64(), rng.next_u64(), rng.next_u64()], [11_520, 0, 1_509_978_240]);
    }

    #[test]
    fn rng_helpers_stay_in_range_and_follow_weights() {
        let mut rng = Rng::new(7);
        let mut counts = [0u32; 3];
        let mut thirds = [0u32; 3];
        for _ in 0..60_000 {
            assert!((-3..=3).contains(&rng.range_i64(-3, 3)));
            counts[rng.weighted(&[1, 2, 3])] += 1;
            thirds[rng.below(3) as usize] += 1;
        }
        for (count, expected) in counts.iter().zip([10_000.0, 20_000.0, 30_000.0]) {
            assert!((f64::from(*count) - expected).abs() < expected * 0.05, "{counts:?}");
        }
        assert!(thirds.iter().all(|&c| (19_000..21_000).contains(&c)), "{thirds:?}");
        assert_eq!((rng.below(0), rng.range_i64(5, 5), rng.weighted(&[0, 0, 5])), (0, 5, 2));
        let mut twin = rng.clone();
        assert_eq!(twin.range_i64(3, -3), rng.range_i64(-3, 3));
        assert!(!rng.chance(0.0) && rng.chance(1.0));
        assert!(["a", "b"].contains(rng.pick(&["a", "b"])));
    }

    #[test]
    fn records_are_deterministic_and_order_independent() {
        let forward = sample(3_000);
        let mut backward: Vec<SynthPerson> = (0..3_000).rev().map(|i| person(SEED, i)).collect();
        backward.reverse();
        assert_eq!(forward, backward);
        let differ = (0..3_000u64).filter(|&i| person(SEED + 1, i) != forward[i as usize]).count();
        assert!(differ > 2_990, "only {differ} of 3000 records changed with the seed");
        assert_ne!(Rng::for_item(1, 1, 5).next_u64(), Rng::for_item(1, 2, 5).next_u64());
    }

    #[test]
    fn a_numbers_are_unique_nine_digit_strings() {
        let mut seen = HashSet::with_capacity(1_000_000);
        for i in 0..1_000_000 {
            let a = a_number(SEED, i);
            assert!(a.len() == 9 && a.bytes().all(|b| b.is_ascii_digit()) && a != "000000000", "{a}");
            assert!(seen.insert(a.parse::<u32>().expect("nine digits")), "duplicate A-number {a} at index {i}");
        }
        assert_eq!(a_number(SEED, 42), a_number(SEED, 42));
        assert_ne!(a_number(SEED, 42), a_number(SEED + 1, 42));
        assert_ne!(a_number(SEED, 5), a_number(SEED, 100_000_005));
    }

    #[test]
    fn records_are_well_formed() {
        let codes: HashSet<&str> = nationalities().collect();
        assert!(codes.len() >= 25);
        for p in sample(50_000) {
            assert!(p.nationality.len() == 3 && p.nationality.bytes().all(|b| b.is_ascii_uppercase()));
            assert!(codes.contains(p.nationality));
            assert!(valid_date(&p.date_of_birth), "{}", p.date_of_birth);
            assert!((1900..=REFERENCE_YEAR - 10).contains(&year_of(&p.date_of_birth)));
            assert!(matches!(p.sex, 'M' | 'F' | 'X' | 'U'));
            let key = format!("{}|{}", p.given_names, p.family_names);
            for part in [&p.given_names, &p.family_names] {
                assert!(
                    !part.is_empty() && part.trim() == part && !part.contains("  ") && !part.contains('|'),
                    "{p:?}"
                );
            }
            let family_first = matches!(p.nationality, "CHN" | "VNM" | "KOR");
            assert_eq!(p.name_order == NameOrder::FamilyFirst, family_first);
            if let Some(pp) = &p.passport {
                assert!(valid_date(&pp.expiry) && pp.expiry.len() == 10, "{}", pp.expiry);
                assert!((2020..=2036).contains(&year_of(&pp.expiry)));
                assert!(codes.contains(pp.issuing_country));
                assert!(
                    pp.number.len() >= 7 && pp.number.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
                );
            }
            assert!(p.aliases.len() <= 3);
            for alias in &p.aliases {
                let (given, family) = alias.split_once('|').expect("alias has a separator");
                assert!(!given.is_empty() && !family.is_empty() && !family.contains('|'), "{alias}");
                assert_ne!(alias, &key);
            }
        }
    }

    #[test]
    fn distributions_match_targets() {
        let people = sample(100_000);
        let share = |count: usize| count as f64 / people.len() as f64;
        let aliased = share(people.iter().filter(|p| !p.aliases.is_empty()).count());
        assert!((aliased - ALIAS_SHARE).abs() < 0.05, "alias share {aliased}");

        let t = tables();
        let hispanic: HashSet<&str> =
            t.countries.iter().filter(|c| c.culture == Culture::Hispanic).map(|c| c.code).collect();
        let units = |f: &str| f.split(' ').filter(|w| w.starts_with(char::is_uppercase)).count();
        let hisp: Vec<&SynthPerson> = people.iter().filter(|p| hispanic.contains(p.nationality)).collect();
        let two = hisp.iter().filter(|p| units(&p.family_names) == 2).count() as f64 / hisp.len() as f64;
        assert!((two - HISPANIC_TWO_SURNAMES).abs() < 0.05, "two-surname share {two}");
        assert!((0.70..0.85).contains(&share(hisp.len())), "Hispanic share {}", share(hisp.len()));

        let mut holders: HashMap<&str, usize> = HashMap::new();
        let mut combos: HashMap<(&str, &str, &str), usize> = HashMap::new();
        for p in &people {
            let words: HashSet<&str> =
                p.family_names.split(' ').filter(|w| w.starts_with(char::is_uppercase)).collect();
            words.into_iter().for_each(|w| *holders.entry(w).or_default() += 1);
            let given = p.given_names.split(' ').next().unwrap_or_default();
            let family = p.family_names.split(' ').find(|w| w.starts_with(char::is_uppercase)).unwrap_or_default();
            *combos.entry((given, family, &p.date_of_birth[..4])).or_default() += 1;
        }
        let (top, count) = holders.iter().max_by_key(|(_, c)| **c).expect("some surnames");
        assert!(share(*count) > 0.01, "most common surname {top} held by {count}");
        let (combo, repeats) = combos.iter().max_by_key(|(_, c)| **c).expect("some names");
        assert!(*repeats >= 3, "no recurring given + family + birth year: {combo:?}");

        let ages: Vec<i64> = people.iter().map(|p| REFERENCE_YEAR - year_of(&p.date_of_birth)).collect();
        let minors = share(ages.iter().filter(|&&a| a < 18).count());
        assert!((0.03..0.07).contains(&minors), "minors {minors}");
        assert!(share(ages.iter().filter(|&&a| (18..=60).contains(&a)).count()) > 0.85);
        let partial = share(people.iter().filter(|p| p.date_of_birth.len() < 10).count());
        assert!((0.01..0.035).contains(&partial), "partial dates {partial}");
        let passports = share(people.iter().filter(|p| p.passport.is_some()).count());
        assert!((0.67..0.73).contains(&passports), "passports {passports}");
        let rare_sex = share(people.iter().filter(|p| matches!(p.sex, 'X' | 'U')).count());
        assert!(rare_sex > 0.0 && rare_sex < 0.03);
        let seen: HashSet<&str> = people.iter().map(|p| p.nationality).collect();
        assert!(seen.len() >= 30, "{} nationalities", seen.len());
    }

    #[test]
    fn siblings_share_family_names_not_given_names() {
        let (mut siblings, mut twins) = (0, 0);
        for i in 0..100_000 {
            let Some((back, twin)) = sibling_link(SEED, i) else { continue };
            let (p, s) = (person(SEED, i), person(SEED, i - back));
            assert_eq!((&p.family_names, p.nationality), (&s.family_names, s.nationality));
            assert_ne!(p.given_names, s.given_names);
            siblings += 1;
            if twin {
                twins += 1;
                assert_eq!(p.date_of_birth, s.date_of_birth);
            }
        }
        assert!((700..=1_300).contains(&siblings) && twins > 150, "{siblings} siblings, {twins} twins");
    }

    #[test]
    fn names_show_cultural_variety() {
        let people = sample(50_000);
        let any = |pred: &dyn Fn(&SynthPerson) -> bool| people.iter().any(pred);
        assert!(any(&|p| p.family_names.contains("de la ") && p.family_names.contains(' ')));
        assert!(any(&|p| p.family_names.starts_with("dos Santos ")));
        assert!(any(&|p| p.family_names.starts_with("Al-") || p.family_names.starts_with("El-")));
        assert!(any(&|p| p.family_names.starts_with("ould ") && p.nationality == "MRT"));
        assert!(any(&|p| p.given_names.starts_with("Jean-") || p.given_names.starts_with("Marie-")));
        assert!(any(&|p| p.family_names == "Nguyễn" && p.given_names.starts_with("Văn ")));
        assert!(any(&|p| p.given_names.ends_with("ovich") || p.given_names.ends_with("ivna")));
        assert!(any(&|p| p.family_names.ends_with("ova") && p.sex == 'F'));
        assert!(any(&|p| p.given_names == "José Luis" || p.given_names == "María José"));
        assert!(any(&|p| p
            .aliases
            .iter()
            .any(|a| is_transliteration(&format!("{}|{}", p.given_names, p.family_names), a))));
        assert!(any(&|p| p.aliases.contains(&strip_diacritics(&format!("{}|{}", p.given_names, p.family_names)))
            && p.family_names.contains('á')));
    }

    #[test]
    fn data_files_are_clean() {
        let t = tables();
        for (i, (culture, prefix, ..)) in CULTURE_FILES.iter().enumerate() {
            assert_eq!(*culture as usize, i, "{prefix} out of order");
        }
        let extras = [&t.maya, &t.sikh_given, &t.sikh_family, &t.vn_middle_m, &t.vn_middle_f, &t.bd_family_f];
        let lists = t.cultures.iter().flat_map(|l| [&l.given_m, &l.given_f, &l.family]).chain(extras);
        for list in lists {
            assert!(!list.names.is_empty());
            assert!(list.cumulative.windows(2).all(|w| w[0] < w[1]), "zero weight in {:?}", list.names[0]);
            for name in &list.names {
                assert!(!name.contains(['|', '\t']) && name.trim() == *name && !name.contains("  "), "{name:?}");
                assert!(strip_diacritics(name).is_ascii(), "unmapped diacritic in {name}");
            }
            let unique: HashSet<_> = list.names.iter().collect();
            assert_eq!(unique.len(), list.names.len(), "duplicate in list starting {}", list.names[0]);
        }
        let hispanic = &t.cultures[Culture::Hispanic as usize];
        assert!(hispanic.given_m.names.len() >= 200 && hispanic.given_f.names.len() >= 200);
        assert!(hispanic.family.names.len() >= 300);
        assert!(t.variant_groups.iter().all(|g| g.len() >= 2));
        assert_eq!(t.variant_of.len(), t.variant_groups.iter().map(Vec::len).sum::<usize>(), "name in two groups");
        let codes: HashSet<&str> = nationalities().collect();
        assert_eq!(codes.len(), t.countries.len());
        assert!(t.countries.iter().all(|c| c.weight > 0 && !c.passport.is_empty()));
    }
}
