//! Normalization of values before comparison: folded text, person names (particles and
//! spelling equivalences from data tables), partial dates, and document numbers.
//!
//! Everything here runs once per record, not once per pair, so it may allocate; the
//! measures in [`crate::metrics`] then compare the normalized values without allocating.
//!
//! # Folding
//!
//! [`fold`] is the common first step: compatibility decomposition (NFKD), diacritics
//! removed, lowercase, letters without a decomposition spelled out in ASCII (`ß`→`ss`,
//! `æ`→`ae`, `ø`→`o`, `ł`→`l`, `đ`/`ð`→`d`, `þ`→`th`, `ı`→`i`, `ŋ`→`n`, `œ`→`oe`,
//! `ħ`→`h`, `ŧ`→`t`, `ə`→`a`), apostrophes removed (`O'Brien` → `obrien`), every other
//! character that is not a letter or digit turned into a space, spaces collapsed and
//! trimmed.
//!
//! Other scripts keep their letters, lowercased: Cyrillic, Greek, Arabic, Hebrew, Han and the
//! rest are *not* transliterated to Latin, so `Юрий` and `Yuri` share nothing after folding.
//! Transliteration is out of scope; the spelling tables of [`NameRules`] cover the common
//! Latin renderings of the same names instead. Diacritics are removed in every script where
//! they are optional marks (Cyrillic `ё` folds to `е`, Greek accents go, Arabic short-vowel
//! marks and Hebrew points disappear). Kept are the marks that make a separate letter:
//! Cyrillic `й` and Belarusian `ў` (written with a breve, but letters of their own, unlike
//! `ё`), and the vowel signs of Indic and other abugida scripts.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

use crate::fx::FxHashMap;

// ---------------------------------------------------------------------------------------------
// Folding
// ---------------------------------------------------------------------------------------------

/// Folds text for comparison: see the [module documentation](self) for the rules.
///
/// ```
/// use docket_link::normalize::fold;
/// assert_eq!(fold("  José  O'Brien-Müller "), "jose obrien muller");
/// assert_eq!(fold("STRAẞE, Łódź"), "strasse lodz");
/// ```
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_into(s, &mut out);
    out
}

/// [`fold`] into a buffer the caller reuses; `out` is cleared first.
pub fn fold_into(s: &str, out: &mut String) {
    out.clear();
    let mut w = Folded { out, gap: false };
    if s.is_ascii() {
        // Fast path: NFKD is the identity on ASCII.
        for &b in s.as_bytes() {
            w.ascii(b);
        }
    } else {
        for c in s.chars() {
            if c.is_ascii() {
                // `c` is ASCII, so the cast is exact.
                w.ascii(c as u8);
            } else if let Some(letter) = cyrillic_letter_with_breve(c) {
                w.letter(letter);
            } else if !is_apostrophe(c) && !is_invisible(c) {
                decompose_compatible(c, |d| w.decomposed(d));
            }
        }
    }
}

/// The writer behind [`fold`]: letters are pushed, separators only mark a gap, and a gap
/// becomes one space when the next letter arrives, so spaces never lead, trail or repeat.
struct Folded<'a> {
    out: &'a mut String,
    gap: bool,
}

impl Folded<'_> {
    fn letter(&mut self, c: char) {
        if self.gap && !self.out.is_empty() {
            self.out.push(' ');
        }
        self.gap = false;
        self.out.push(c);
    }

    fn ascii(&mut self, b: u8) {
        if b.is_ascii_alphanumeric() {
            self.letter(char::from(b.to_ascii_lowercase()));
        } else if b != b'\'' && b != b'`' {
            self.gap = true;
        }
    }

    /// One character of a compatibility decomposition.
    fn decomposed(&mut self, d: char) {
        if d.is_ascii() {
            self.ascii(d as u8);
        } else if is_apostrophe(d) || is_invisible(d) || is_optional_mark(d) {
            // Dropped without a gap: the letters on either side stay one word.
        } else if is_combining_mark(d) {
            // A mark that is part of its letter (an Indic vowel sign): kept as written.
            self.letter(d);
        } else if d.is_alphanumeric() {
            for l in d.to_lowercase() {
                match spelled_out(l) {
                    Some(ascii) => ascii.chars().for_each(|a| self.letter(a)),
                    None => self.letter(final_sigma(l)),
                }
            }
        } else {
            self.gap = true;
        }
    }
}

/// Apostrophes and the modifier letters used as apostrophes or for Arabic ʿayn and hamza in
/// transliteration: removed without leaving a gap (`O’Brien` → `obrien`, `Saʿid` → `said`).
fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '`'
            | '\u{00B4}' // acute accent, typed as an apostrophe
            | '\u{2018}' // left single quotation mark
            | '\u{2019}' // right single quotation mark
            | '\u{201B}' // single high-reversed-9 quotation mark
            | '\u{2032}' // prime
            | '\u{02B9}' // modifier letter prime (Cyrillic soft sign in transliteration)
            | '\u{02BA}' // modifier letter double prime (hard sign)
            | '\u{02BB}' // modifier letter turned comma (ʻokina, Uzbek oʻ)
            | '\u{02BC}' // modifier letter apostrophe
            | '\u{02BE}' // modifier letter right half ring (hamza)
            | '\u{02BF}' // modifier letter left half ring (ʿayn)
    )
}

/// Characters with no visible form inside a word: zero-width joiners and spaces, direction
/// marks, the soft hyphen, the byte-order mark and the Arabic tatweel.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{0640}' | '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}')
}

/// Combining marks that are optional in their script: Latin, Greek and Cyrillic diacritics
/// (the generic combining blocks), Hebrew points and Arabic short vowels and Quranic marks.
fn is_optional_mark(c: char) -> bool {
    matches!(
        c,
        '\u{0300}'..='\u{036F}'
            | '\u{1AB0}'..='\u{1AFF}'
            | '\u{1DC0}'..='\u{1DFF}'
            | '\u{20D0}'..='\u{20FF}'
            | '\u{FE20}'..='\u{FE2F}'
            // Hebrew accents and points, but not the punctuation among them (maqaf, paseq,
            // sof pasuq, nun hafukha), which separates words.
            | '\u{0591}'..='\u{05BD}'
            | '\u{05BF}'
            | '\u{05C1}'..='\u{05C2}'
            | '\u{05C4}'..='\u{05C5}'
            | '\u{05C7}'
            | '\u{0610}'..='\u{061A}'
            | '\u{064B}'..='\u{065F}'
            | '\u{0670}'
            | '\u{06D6}'..='\u{06ED}'
    )
}

/// Lowercase letters that have no decomposition but a customary ASCII spelling.
fn spelled_out(c: char) -> Option<&'static str> {
    Some(match c {
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        'ø' => "o",
        'ł' => "l",
        'đ' | 'ð' => "d",
        'þ' => "th",
        'ı' => "i",
        'ŋ' => "n",
        'ħ' => "h",
        'ŧ' => "t",
        // Azerbaijani schwa: passports write `Ə` as `A` (Əliyev → Aliyev).
        'ə' => "a",
        _ => return None,
    })
}

/// Cyrillic letters whose breve is part of the letter (`й` is not a decorated `и`),
/// lowercased; decomposing them would drop the breve.
fn cyrillic_letter_with_breve(c: char) -> Option<char> {
    match c {
        'й' | 'Й' => Some('й'),
        'ў' | 'Ў' => Some('ў'),
        _ => None,
    }
}

/// Greek final sigma folds to the ordinary sigma so that word position does not matter.
/// Kept apart from [`spelled_out`] because the result is not ASCII.
fn final_sigma(c: char) -> char {
    if c == 'ς' { 'σ' } else { c }
}

// ---------------------------------------------------------------------------------------------
// Name tables
// ---------------------------------------------------------------------------------------------

/// The built-in particle table (`data/name_particles.txt`).
pub const BUILTIN_PARTICLES: &str = include_str!("../data/name_particles.txt");

/// The built-in spelling-equivalence table (`data/name_equivalences.txt`).
pub const BUILTIN_EQUIVALENCES: &str = include_str!("../data/name_equivalences.txt");

/// Which name table an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// The particle table: one particle (one or more words) a line.
    Particles,
    /// The equivalence table: one group of spellings a line, the canonical spelling first.
    Equivalences,
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Table::Particles => "name particle table",
            Table::Equivalences => "name equivalence table",
        })
    }
}

/// A name table that cannot be used, with the line at fault (lines count from 1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameTableError {
    /// An entry folds to nothing (it held only punctuation).
    #[error("{table} line {line}: `{entry}` has no letters or digits")]
    Empty {
        /// The table.
        table: Table,
        /// The line.
        line: usize,
        /// The entry as written.
        entry: String,
    },
    /// A spelling in the equivalence table is more than one word once folded.
    #[error("{table} line {line}: `{entry}` folds to `{folded}`, more than one word; spellings are single words")]
    NotOneWord {
        /// The table.
        table: Table,
        /// The line.
        line: usize,
        /// The entry as written.
        entry: String,
        /// The entry folded.
        folded: String,
    },
    /// An entry appears twice (once folded): a spelling may belong to one group only.
    #[error("{table} line {line}: `{entry}` is already on line {first_line}")]
    Duplicate {
        /// The table.
        table: Table,
        /// The line of the second occurrence.
        line: usize,
        /// The line of the first occurrence (equal to `line` within one group).
        first_line: usize,
        /// The entry folded.
        entry: String,
    },
}

/// The words of a particle after its first (empty for a one-word particle).
type Continuation = Box<[Box<str>]>;

/// Rules for normalizing person names: which words are particles (`van der`, `de la`, `al`,
/// `bin`) and which spellings are the same name (`mohamed` = `muhammad`).
///
/// Both come from data tables: [`NameRules::builtin`] uses the tables shipped in
/// `crates/docket-link/data/`, [`NameRules::from_files`] parses tables a settings file
/// points at. Entries are folded when loaded, so the tables may be written with diacritics
/// and capitals.
///
/// Particles are removed only when at least one other word remains, so `Van` alone or
/// `De La` alone is kept. For given-name columns, where `Ben` and `Van` are names rather than
/// particles, build rules with an empty particle table: `NameRules::from_files("",
/// BUILTIN_EQUIVALENCES)`.
///
/// There is deliberately no `Default`: empty rules and the built-in rules are both plausible
/// readings of "default", and the difference matters.
#[derive(Debug, Clone)]
pub struct NameRules {
    /// Particles by first word: the words after the first, for each particle starting with
    /// it, longest first.
    particles: FxHashMap<Box<str>, Vec<Continuation>>,
    particle_count: usize,
    /// Spelling → index into `canonical`.
    spelling: FxHashMap<Box<str>, u32>,
    canonical: Vec<Box<str>>,
}

impl NameRules {
    /// The rules from the tables shipped with the crate, parsed once.
    ///
    /// # Errors
    ///
    /// Only if the shipped tables are broken, which the crate's tests rule out.
    pub fn builtin() -> Result<&'static NameRules, NameTableError> {
        static RULES: OnceLock<Result<NameRules, NameTableError>> = OnceLock::new();
        RULES
            .get_or_init(|| NameRules::from_files(BUILTIN_PARTICLES, BUILTIN_EQUIVALENCES))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Rules from the text of a particle table and an equivalence table.
    ///
    /// Both formats are line based: `#` starts a comment, blank lines are skipped. The
    /// particle table has one particle a line (`van der` is one particle of two words). The
    /// equivalence table has one group a line, spellings separated by spaces or commas, the
    /// first being the canonical spelling the others map to.
    ///
    /// # Errors
    ///
    /// A [`NameTableError`] naming the table and line when an entry has no letters, a spelling is
    /// more than one word, or an entry appears twice (a spelling in two groups is reported
    /// with both line numbers).
    pub fn from_files(particles: &str, equivalences: &str) -> Result<Self, NameTableError> {
        let mut rules = NameRules {
            particles: FxHashMap::default(),
            particle_count: 0,
            spelling: FxHashMap::default(),
            canonical: Vec::new(),
        };
        rules.load_particles(particles)?;
        rules.load_equivalences(equivalences)?;
        Ok(rules)
    }

    fn load_particles(&mut self, text: &str) -> Result<(), NameTableError> {
        let table = Table::Particles;
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (line, entry) in entries(text) {
            let folded = fold(entry);
            if folded.is_empty() {
                return Err(NameTableError::Empty { table, line, entry: entry.to_owned() });
            }
            if let Some(&first_line) = seen.get(&folded) {
                return Err(NameTableError::Duplicate { table, line, first_line, entry: folded });
            }
            let mut words = folded.split(' ');
            let first: Box<str> = words.next().unwrap_or_default().into();
            let rest: Continuation = words.map(Box::from).collect();
            let list = self.particles.entry(first).or_default();
            list.push(rest);
            // Longest first, so that `van der` wins over `van`.
            list.sort_by_key(|rest| std::cmp::Reverse(rest.len()));
            self.particle_count += 1;
            seen.insert(folded, line);
        }
        Ok(())
    }

    fn load_equivalences(&mut self, text: &str) -> Result<(), NameTableError> {
        let table = Table::Equivalences;
        let mut seen: HashMap<Box<str>, usize> = HashMap::new();
        for (line, group) in entries(text) {
            let index = u32::try_from(self.canonical.len()).unwrap_or(u32::MAX);
            let mut first = true;
            for entry in group.split([' ', ',', '\t']).filter(|s| !s.is_empty()) {
                let folded = fold(entry);
                if folded.is_empty() {
                    return Err(NameTableError::Empty { table, line, entry: entry.to_owned() });
                }
                if folded.contains(' ') {
                    return Err(NameTableError::NotOneWord { table, line, entry: entry.to_owned(), folded });
                }
                let folded: Box<str> = folded.into();
                if let Some(&first_line) = seen.get(&folded) {
                    return Err(NameTableError::Duplicate { table, line, first_line, entry: folded.into() });
                }
                if first {
                    self.canonical.push(folded.clone());
                    first = false;
                }
                seen.insert(folded.clone(), line);
                self.spelling.insert(folded, index);
            }
        }
        Ok(())
    }

    /// How many particles the rules know.
    pub fn particle_count(&self) -> usize {
        self.particle_count
    }

    /// How many groups of equivalent spellings the rules know.
    pub fn group_count(&self) -> usize {
        self.canonical.len()
    }

    /// How many spellings (canonical ones included) the rules know.
    pub fn spelling_count(&self) -> usize {
        self.spelling.len()
    }

    /// The canonical spelling of a folded token, or the token itself when no group has it.
    ///
    /// ```
    /// # fn main() -> Result<(), docket_link::normalize::NameTableError> {
    /// let rules = docket_link::normalize::NameRules::builtin()?;
    /// assert_eq!(rules.canonical("mohamed"), "muhammad");
    /// assert_eq!(rules.canonical("smith"), "smith");
    /// # Ok(()) }
    /// ```
    pub fn canonical<'a>(&'a self, token: &'a str) -> &'a str {
        match self.spelling.get(token) {
            Some(&i) => self.canonical.get(i as usize).map_or(token, |c| c),
            None => token,
        }
    }

    /// Whether the words starting at `words[at]` begin with a particle; returns how many
    /// words it spans (0 when none).
    fn particle_at(&self, words: &[&str], at: usize) -> usize {
        let Some(list) = words.get(at).and_then(|w| self.particles.get(*w)) else { return 0 };
        for rest in list {
            let following = words.get(at + 1..at + 1 + rest.len());
            if following.is_some_and(|f| f.iter().zip(rest.iter()).all(|(w, p)| *w == &**p)) {
                return 1 + rest.len();
            }
        }
        0
    }

    /// The canonical tokens of a raw name, in order, with particles removed; `out` is cleared
    /// first.
    pub fn tokens(&self, raw: &str, out: &mut Vec<String>) {
        out.clear();
        let folded = fold(raw);
        self.tokens_of_folded(&folded, out);
    }

    fn tokens_of_folded(&self, folded: &str, out: &mut Vec<String>) {
        let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
        let mut particle = vec![false; words.len()];
        let mut at = 0;
        while at < words.len() {
            match self.particle_at(&words, at) {
                0 => at += 1,
                n => {
                    particle[at..at + n].iter_mut().for_each(|p| *p = true);
                    at += n;
                }
            }
        }
        let strip = particle.iter().any(|p| !p);
        for (word, is_particle) in words.iter().zip(&particle) {
            if !(strip && *is_particle) {
                out.push(self.canonical(word).to_owned());
            }
        }
    }

    /// Normalizes a raw name: see [`NormalizedName`].
    ///
    /// ```
    /// # fn main() -> Result<(), docket_link::normalize::NameTableError> {
    /// let rules = docket_link::normalize::NameRules::builtin()?;
    /// let n = rules.normalize("Mohamed AL-Hassan");
    /// assert_eq!(n.tokens(), ["muhammad", "hassan"]);
    /// assert_eq!(n.sorted(), "hassan muhammad");
    /// assert_eq!(n.joined(), "mohamedalhassan");
    /// # Ok(()) }
    /// ```
    pub fn normalize(&self, raw: &str) -> NormalizedName {
        let folded = fold(raw);
        let mut tokens = Vec::new();
        self.tokens_of_folded(&folded, &mut tokens);
        let canonical = tokens.join(" ");
        let mut sorted: Vec<&str> = tokens.iter().map(String::as_str).collect();
        sorted.sort_unstable();
        let sorted = sorted.join(" ");
        let joined = folded.split(' ').collect();
        NormalizedName { folded, tokens, canonical, sorted, joined }
    }
}

/// The non-empty lines of a table with comments removed, numbered from 1.
fn entries(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().filter_map(|(i, l)| {
        let l = l.split('#').next().unwrap_or_default().trim();
        (!l.is_empty()).then_some((i + 1, l))
    })
}

/// A name normalized for comparison by [`NameRules::normalize`].
///
/// The forms answer different questions: [`tokens`](Self::tokens) for part-by-part
/// comparison (see [`crate::metrics::token_match`]), [`canonical`](Self::canonical) for
/// exact comparison of the whole name, [`sorted`](Self::sorted) for comparison regardless of
/// the order of the parts, and [`joined`](Self::joined) for names written with and without
/// spaces (`Vanderberg` / `van der Berg`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizedName {
    folded: String,
    tokens: Vec<String>,
    canonical: String,
    sorted: String,
    joined: String,
}

impl NormalizedName {
    /// The raw name folded ([`fold`]): every word, particles included, as spelled.
    pub fn folded(&self) -> &str {
        &self.folded
    }

    /// The canonical tokens in their original order, particles removed.
    pub fn tokens(&self) -> &[String] {
        &self.tokens
    }

    /// The canonical tokens joined by single spaces, in their original order.
    pub fn canonical(&self) -> &str {
        &self.canonical
    }

    /// The canonical tokens sorted and joined by single spaces.
    pub fn sorted(&self) -> &str {
        &self.sorted
    }

    /// The folded name without spaces: particles kept and spellings as written (not
    /// canonical), so that `van der Berg` and `Vanderberg` give the same string.
    pub fn joined(&self) -> &str {
        &self.joined
    }

    /// Whether the name had no letters or digits at all.
    pub fn is_empty(&self) -> bool {
        self.folded.is_empty()
    }
}

// ---------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------

/// A date of which some parts may be unknown or out of range, as written in a record.
///
/// Built by [`parse_date`] only. A part is `None` when it was unknown (written as `00`, `XX`,
/// `??` or `UU`) or when it was out of range (month 13, day 32, 30 February). The digits
/// written are kept in [`digits`](Self::digits) either way, because a typo such as
/// `19151311` (day and month swapped) is best compared by edit distance on the digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateParts {
    year: Option<u16>,
    month: Option<u8>,
    day: Option<u8>,
    // INVARIANT: eight ASCII digits, `0` where a part was unknown or absent.
    digits: [u8; 8],
    digits_known: bool,
}

impl DateParts {
    /// The year, if known.
    pub fn year(&self) -> Option<u16> {
        self.year
    }

    /// The month (1–12), if known and in range.
    pub fn month(&self) -> Option<u8> {
        self.month
    }

    /// The day, if known and in range for the month (and year, for 29 February).
    pub fn day(&self) -> Option<u8> {
        self.day
    }

    /// Whether year, month and day are all known and valid.
    pub fn is_complete(&self) -> bool {
        self.year.is_some() && self.month.is_some() && self.day.is_some()
    }

    /// The eight digits `YYYYMMDD` as written, `0`s standing for unknown or absent parts.
    pub fn digits(&self) -> &str {
        std::str::from_utf8(&self.digits).unwrap_or_default()
    }

    /// Whether all eight digits were written (no part unknown, absent or zero), so that an
    /// edit distance on [`digits`](Self::digits) means something even when a part is out of
    /// range.
    pub fn digits_known(&self) -> bool {
        self.digits_known
    }
}

/// Parses a date of birth or similar as written in a record.
///
/// Accepted forms, year first only: `YYYY-MM-DD`, `YYYY-MM`, `YYYY`, `YYYYMMDD`, with `-`,
/// `/` or `.` as separators and one- or two-digit months and days when separated. A time
/// after `T` or a space is ignored (`1980-05-12T00:00:00`). Unknown parts may be written
/// `00`, `XX`, `??` or `UU` (`1980-00-00`, `1980-XX-XX` are the year alone).
///
/// Day-first and month-first forms such as `12/05/1980` are refused (`None`) rather than
/// guessed: `05/12` is 5 December in most of the world and 12 May in the United States, and a
/// wrong guess would make two records agree or disagree for no reason. Normalize such columns
/// with their known order before linking. Six digits are refused too (`YYMMDD` or `YYYYMM`?).
///
/// ```
/// use docket_link::normalize::parse_date;
/// let d = parse_date("19151311").expect("eight digits");
/// assert_eq!((d.year(), d.month(), d.day()), (Some(1915), None, Some(11)));
/// assert_eq!(d.digits(), "19151311");
/// assert!(parse_date("12/05/1980").is_none());
/// ```
pub fn parse_date(s: &str) -> Option<DateParts> {
    let s = s.trim();
    // Drop a time of day after the date.
    let s = match s.find(['T', 't', ' ']) {
        Some(at) if at >= 8 => &s[..at],
        Some(_) => return None,
        None => s,
    };
    let mut parts = [""; 3];
    let count = if s.contains(['-', '/', '.']) {
        let mut n = 0;
        for p in s.split(['-', '/', '.']) {
            *parts.get_mut(n)? = p;
            n += 1;
        }
        if parts[0].len() != 4 || n < 2 {
            return None;
        }
        n
    } else {
        match s.len() {
            4 => {
                parts[0] = s;
                1
            }
            8 if s.is_ascii() => {
                parts = [&s[..4], &s[4..6], &s[6..]];
                3
            }
            _ => return None,
        }
    };

    let mut digits = [b'0'; 8];
    let year = part(parts[0], 4, &mut digits[..4])?;
    let month = if count >= 2 { part(parts[1], 2, &mut digits[4..6])? } else { Part::Absent };
    let day = if count >= 3 { part(parts[2], 2, &mut digits[6..])? } else { Part::Absent };
    let digits_known = [year, month, day].iter().all(|p| matches!(p, Part::Written(_)));

    let year = year.value().and_then(|y| u16::try_from(y).ok());
    let month = month.value().filter(|m| (1..=12).contains(m)).and_then(|m| u8::try_from(m).ok());
    let day_limit = match month {
        Some(m) => days_in_month(year, m),
        None => 31,
    };
    let day = day.value().filter(|d| (1..=u32::from(day_limit)).contains(d)).and_then(|d| u8::try_from(d).ok());
    Some(DateParts { year, month, day, digits, digits_known })
}

#[derive(Debug, Clone, Copy)]
enum Part {
    /// Written with digits, not all zero.
    Written(u32),
    /// Written as zeros or a placeholder.
    Unknown,
    /// Not written at all (`YYYY-MM` has no day).
    Absent,
}

impl Part {
    fn value(self) -> Option<u32> {
        match self {
            Part::Written(v) => Some(v),
            Part::Unknown | Part::Absent => None,
        }
    }
}

/// Reads one part of a date of at most `width` characters into `slot` (right-aligned digits).
/// `None` when the part is neither digits nor a placeholder.
fn part(p: &str, width: usize, slot: &mut [u8]) -> Option<Part> {
    if p.is_empty() || p.len() > width || (width == 4 && p.len() != 4) {
        return None;
    }
    if p.bytes().all(|b| matches!(b, b'X' | b'x' | b'?' | b'U' | b'u')) {
        return Some(Part::Unknown);
    }
    if !p.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let offset = width - p.len();
    slot[offset..].copy_from_slice(p.as_bytes());
    let v = p.bytes().fold(0u32, |acc, b| acc * 10 + u32::from(b - b'0'));
    Some(if v == 0 { Part::Unknown } else { Part::Written(v) })
}

fn days_in_month(year: Option<u16>, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        // An unknown year may be a leap year.
        2 => match year {
            Some(y) if !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) => 28,
            _ => 29,
        },
        _ => 31,
    }
}

// ---------------------------------------------------------------------------------------------
// Document numbers
// ---------------------------------------------------------------------------------------------

/// Normalizes a passport, identity-card or other document number: letters and digits only,
/// uppercase, with spaces, dashes, dots, the machine-readable-zone filler `<` and the numero
/// sign `№` removed.
///
/// Outside ASCII the value is decomposed (NFKD, so full-width digits become ASCII digits),
/// diacritics are dropped, and Cyrillic and Greek capitals that look like Latin ones (`А`,
/// `В`, `Е`, `К`, `М`, `Н`, `О`, `Р`, `С`, `Т`, `Х`, `У`…) become those Latin letters,
/// because in a document number they are almost always a keyboard-layout slip. Confusions
/// such as `O`/`0` are left for the comparison to judge.
///
/// ```
/// use docket_link::normalize::normalize_document;
/// assert_eq!(normalize_document("ab-123 456<<"), "AB123456");
/// ```
pub fn normalize_document(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    if s.is_ascii() {
        out.extend(s.bytes().filter(u8::is_ascii_alphanumeric).map(|b| char::from(b.to_ascii_uppercase())));
        return out;
    }
    // The numero sign would otherwise decompose to the letters `No`.
    for c in s.chars().filter(|&c| c != '№') {
        decompose_compatible(c, |d| {
            if d.is_alphanumeric() && !is_combining_mark(d) {
                for u in d.to_uppercase() {
                    out.push(latin_lookalike(u));
                }
            }
        });
    }
    out
}

/// The Latin capital a Cyrillic or Greek capital is visually identical to, or `c` itself.
fn latin_lookalike(c: char) -> char {
    match c {
        'А' | 'Α' => 'A',
        'В' | 'Β' => 'B',
        'Е' | 'Ε' => 'E',
        'Ζ' => 'Z',
        'Н' | 'Η' => 'H',
        'І' | 'Ι' => 'I',
        'Ј' => 'J',
        'К' | 'Κ' => 'K',
        'М' | 'Μ' => 'M',
        'Ν' => 'N',
        'О' | 'Ο' => 'O',
        'Р' | 'Ρ' => 'P',
        'Ѕ' => 'S',
        'С' => 'C',
        'Т' | 'Τ' => 'T',
        'У' | 'Υ' => 'Y',
        'Х' | 'Χ' => 'X',
        _ => c,
    }
}
