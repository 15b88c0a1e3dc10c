//! The settings file: which columns, how each is normalized and compared, how candidates are
//! blocked and how the threshold is chosen. TOML, read with unknown keys refused.
//!
//! Levels and blocking keys are small expressions (`"jaro_winkler >= 0.92"`,
//! `"year(date_of_birth)"`) parsed here once, so a typo is reported with the comparison, the
//! level and what was expected before any data is read.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

/// A settings file that cannot be used, with where and why.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The file could not be read.
    #[error("cannot read settings file `{path}`: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The TOML is malformed or names a key that does not exist.
    #[error("settings file `{path}`: {message}")]
    Toml {
        /// The file.
        path: String,
        /// The parser's message, with line and column.
        message: String,
    },
    /// The TOML is well formed but says something impossible.
    #[error("settings file `{path}`: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong, naming the key.
        message: String,
    },
}

/// Link two tables or find duplicates within one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Pairs of one row of table A and one row of table B; each row in at most one pair.
    Link,
    /// Pairs of rows of one table that describe the same entity.
    Dedupe,
}

/// How a column's values are normalized before they are blocked or compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    /// Folded text: case, diacritics, punctuation and spacing removed.
    Text,
    /// A personal name: folded, particles dropped, spellings mapped to one by the equivalence
    /// tables, split into tokens.
    Name,
    /// A date: `YYYY-MM-DD`, `YYYYMMDD`, or partial with `00`/`XX` for unknown parts.
    Date,
    /// A document number: upper-case letters and digits only.
    Document,
    /// Digits only (identifiers, postcodes).
    Digits,
}

/// How the accept threshold is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields, tag = "policy")]
pub enum ThresholdPolicy {
    /// Accept the pairs that maximise the F1 the fitted model expects (from its own match
    /// probabilities; no labels).
    ExpectedF1,
    /// Accept pairs whose match probability is at least this.
    Probability {
        /// The probability, in (0, 1).
        probability: f64,
    },
}

/// EM and sampling settings.
#[derive(Debug, Clone, Copy, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Training {
    /// Random pairs drawn to estimate the u probabilities.
    pub random_pairs: u64,
    /// Seed for the random pairs.
    pub seed: u64,
    /// EM iterations at most, per session.
    pub max_iterations: u32,
    /// EM stops when no m probability moves by more than this.
    pub tolerance: f64,
    /// Calibrate against related non-matches (`calibrate.rs`): weigh down the patterns
    /// whose candidates claim far more matches than the model expects there.
    pub calibrate: bool,
}

impl Default for Training {
    fn default() -> Self {
        Training { random_pairs: 200_000, seed: 42, max_iterations: 100, tolerance: 1e-5, calibrate: true }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    mode: Mode,
    id_column: String,
    columns: BTreeMap<String, ColumnKind>,
    #[serde(default)]
    joined: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    tables: Option<RawTables>,
    blocking: RawBlocking,
    comparison: Vec<RawComparison>,
    #[serde(default)]
    training: Training,
    #[serde(default)]
    threshold: Option<ThresholdPolicy>,
    #[serde(default)]
    related: Vec<RawRelated>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRelated {
    name: String,
    shared: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTables {
    particles: Option<String>,
    equivalences: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBlocking {
    rules: Vec<Vec<String>>,
    #[serde(default = "default_max_block_pairs")]
    max_block_pairs: u64,
    #[serde(default = "default_max_block_records")]
    max_block_records: u64,
    #[serde(default = "default_tokens_budget")]
    tokens_budget: u64,
}

fn default_max_block_pairs() -> u64 {
    10_000
}

/// A one-record query's block cap. Measured at 10,000,000 indexed persons (BENCHMARKS.md): with
/// 300, p99 0.56 ms and the true record first for 1,960 of 2,000 travellers; with 10,000 (the
/// batch cap read as records), p99 4.3 ms and 1,963.
fn default_max_block_records() -> u64 {
    300
}

/// A one-record query's budget for the blocks of its `tokens` rules: measured at 10,000,000
/// indexed persons (BENCHMARKS.md, the one-record index with the token rules).
fn default_tokens_budget() -> u64 {
    200
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawComparison {
    name: String,
    columns: Vec<String>,
    levels: Vec<String>,
    #[serde(default)]
    term_frequency: bool,
    term_frequency_within: Option<String>,
    #[serde(default)]
    m_from: MFrom,
}

/// Validated settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Link or dedupe.
    pub mode: Mode,
    /// The column holding each row's unique id.
    pub id_column: String,
    /// Every column used, with its kind, in name order.
    pub columns: Vec<(String, ColumnKind)>,
    /// The values records are normalized into: one per column (same order), then one per
    /// comparison of several columns joined.
    pub fields: Vec<FieldDef>,
    /// Blocking rules; a pair is a candidate when every key of some rule agrees.
    pub rules: Vec<Rule>,
    /// Blocks with more pairs than this are skipped (and reported): very common values.
    pub max_block_pairs: u64,
    /// For one record at a time ([`crate::index`]): blocks of more table records than this
    /// are skipped (and reported with the answer), which bounds a query's work.
    pub max_block_records: u64,
    /// For one record at a time ([`crate::index`]): the blocks of the rules with a `tokens`
    /// key are taken smallest first, each only while the query's candidates stay within this
    /// many table records; the others are held back (and reported with the answer).
    pub tokens_budget: u64,
    /// The comparisons, in order.
    pub comparisons: Vec<Comparison>,
    /// EM settings.
    pub training: Training,
    /// Threshold policy.
    pub threshold: ThresholdPolicy,
    /// Kinds of related non-match (`[[related]]`): empty, the model has none.
    pub related: Vec<RelatedKind>,
    /// Particle table file, relative paths resolved against the settings file.
    pub particles_file: Option<std::path::PathBuf>,
    /// Equivalence table file.
    pub equivalences_file: Option<std::path::PathBuf>,
}

/// A kind of related non-match (`[[related]]`): records of different entities that agree on
/// the `shared` comparisons as records of one entity do (a family's surname and address, a
/// household's address) and on the others as random records do.
#[derive(Debug, Clone, PartialEq)]
pub struct RelatedKind {
    /// Its name.
    pub name: String,
    /// The comparisons (indices into [`Settings::comparisons`]) it shares, in settings order.
    pub shared: Vec<usize>,
}

/// A normalized value of each record: one column, or several joined.
#[derive(Debug, Clone)]
pub struct FieldDef {
    /// The column's name, or the joining comparison's.
    pub name: String,
    /// Indexes into [`Settings::columns`].
    pub columns: Vec<usize>,
    /// The kind of its columns.
    pub kind: ColumnKind,
    /// Whether a level or a blocking key reads its phonetic code; the code is computed only
    /// then (Double Metaphone is a fifth of the time spent reading a table).
    pub phonetic: bool,
}

/// One blocking rule: keys that must all agree.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// The rule as written.
    pub text: String,
    /// Its keys.
    pub keys: Vec<Key>,
}

impl Rule {
    /// Whether the rule gives a record several keys (it has a `tokens` key, one key per name
    /// token), a pair being a candidate when any of them agree.
    pub fn multi(&self) -> bool {
        self.keys.iter().any(|k| k.function == KeyFunction::Tokens)
    }
}

/// A blocking key: a function of one column.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    /// Index into [`Settings::fields`]: a column, or a comparison that joins columns.
    pub field: usize,
    /// What is taken of the value.
    pub function: KeyFunction,
    /// The columns of the field, for `first_tokens` (in [`Settings::fields`] order).
    pub parts: Vec<usize>,
}

/// What a blocking key takes of a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFunction {
    /// The whole normalized value.
    Value,
    /// The first `n` characters.
    Prefix(usize),
    /// The Double Metaphone primary code.
    Metaphone,
    /// The year of a date.
    Year,
    /// The first token of a name.
    FirstToken,
    /// The tokens of a name in sorted order (order-free).
    SortedTokens,
    /// The first token of each column of a joined name, in sorted order: the same when given
    /// and family names are swapped, a second surname dropped or a middle name added.
    FirstTokens,
    /// Each distinct token of a name, one key apiece: the rule gives a record one key per
    /// token, and a pair agrees when any of them does (a shared given name when the family
    /// names differ, a name recorded in the other column, a second name typed wrong).
    Tokens,
    /// A date with its day and month in either order (the year, then the smaller and the
    /// larger of the two): the same when day and month were swapped; no key unless all three
    /// parts are known.
    UnorderedDate,
    /// The month and day of a date, without the year: the same when the year was mistyped;
    /// no key unless both are known.
    MonthDay,
}

/// One comparison: how two rows' values for some columns are graded into levels.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// Its name, as in the output header.
    pub name: String,
    /// Indexes into [`Settings::columns`]; several columns are joined into one value.
    pub columns: Vec<usize>,
    /// Index into [`Settings::fields`] of the value compared.
    pub field: usize,
    /// The kind of its columns.
    pub kind: ColumnKind,
    /// Levels from most to least similar; a pair that reaches none is at the implicit `else`.
    pub levels: Vec<Level>,
    /// Whether the exact level is adjusted by how common the value is.
    pub term_frequency: bool,
    /// With term frequencies: the comparison (index into [`Settings::comparisons`]) whose
    /// exact agreement makes a pair's frequencies count among the records sharing that value
    /// (a name's frequency among persons of the pair's nationality).
    pub term_frequency_within: Option<usize>,
    /// How its m probabilities are fitted.
    pub m_from: MFrom,
}

/// How a comparison's m probabilities (its levels' shares among matches) are fitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MFrom {
    /// By the EM sessions, one per blocking rule (`fit.rs`).
    #[default]
    Sessions,
    /// After scoring, from the other comparisons' verdict: each level's share of the pairs, as
    /// assigned, that are matches at probability 0.99 or more without this comparison's weight,
    /// each counted once. For
    /// a comparison that says little of identity by itself and that the sessions fit badly (a
    /// nationality: where a rule forces the names or the date, a session takes the matches
    /// that disagree on it for non-matches).
    Others,
}

impl Comparison {
    /// Number of levels including the final `else`.
    pub fn level_count(&self) -> usize {
        self.levels.len() + 1
    }

    /// The label of level `l` (`else` for the last).
    pub fn level_label(&self, l: usize) -> String {
        self.levels.get(l).map_or_else(|| "else".to_owned(), ToString::to_string)
    }
}

/// Whose value a token level asks to be the shorter: when linking, one table may hold names
/// in full and the other shortened, and a name shortened the other way is rarer among matches
/// than among non-matches (`token_subset(b)`: B's value holds fewer tokens).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shorter {
    /// Either value.
    Either,
    /// Table A's.
    A,
    /// Table B's.
    B,
}

/// A comparison level: a predicate on two values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Level {
    /// Normalized values equal.
    Exact,
    /// This comparison's value equals the other row's value of another column, and this row's
    /// value of that column equals the other row's value here or shares its tokens as
    /// `SwappedTokens` does (given and family names swapped, the other one perhaps shortened).
    Swapped(usize),
    /// This value and the other record's value of column `.0` agree both ways as token sets
    /// do, one holding every token of the other (swapped, and a name dropped or added).
    SwappedTokens(usize),
    /// Same tokens in any order.
    SameTokens,
    /// Every token of the shorter value is a token of the longer (a dropped second surname,
    /// an added middle name); with a side, only where that side's value is the shorter.
    TokenSubset(Shorter),
    /// The shorter value's tokens are the longer's first tokens, in order (a trailing middle
    /// name or second surname dropped; the first given name kept); with a side, only where
    /// that side's value is the shorter.
    LeadingTokens(Shorter),
    /// Every token of the shorter value matches a distinct token of the longer with at least
    /// this Jaro-Winkler similarity.
    TokensFuzzy(f64),
    /// Jaro-Winkler similarity at least this.
    JaroWinkler(f64),
    /// Damerau-Levenshtein distance at most this.
    DamerauLevenshtein(u32),
    /// Double Metaphone codes share a code.
    Phonetic,
    /// Dates: day and month swapped, year equal.
    DayMonthSwapped,
    /// Dates: year and month equal.
    YearMonth,
    /// Dates: month and day equal, whatever the year (a mistyped or misremembered year).
    MonthDay,
    /// Dates: year equal.
    Year,
    /// Dates: every part known on both sides agrees (a partial date consistent with a full one).
    PartialMatch,
    /// Dates: years at most this far apart.
    YearsApart(u32),
}

/// How a token level's side is written after its name.
fn side_label(side: Shorter) -> &'static str {
    match side {
        Shorter::Either => "",
        Shorter::A => "(a)",
        Shorter::B => "(b)",
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Level::Exact => write!(f, "exact"),
            Level::Swapped(_) => write!(f, "swapped"),
            Level::SwappedTokens(_) => write!(f, "swapped_tokens"),
            Level::SameTokens => write!(f, "same_tokens"),
            Level::TokenSubset(side) => write!(f, "token_subset{}", side_label(*side)),
            Level::LeadingTokens(side) => write!(f, "leading_tokens{}", side_label(*side)),
            Level::TokensFuzzy(t) => write!(f, "tokens_fuzzy >= {t}"),
            Level::JaroWinkler(t) => write!(f, "jaro_winkler >= {t}"),
            Level::DamerauLevenshtein(k) => write!(f, "damerau_levenshtein <= {k}"),
            Level::Phonetic => write!(f, "phonetic"),
            Level::DayMonthSwapped => write!(f, "day_month_swapped"),
            Level::YearMonth => write!(f, "year_month"),
            Level::MonthDay => write!(f, "month_day"),
            Level::Year => write!(f, "year"),
            Level::PartialMatch => write!(f, "partial_match"),
            Level::YearsApart(n) => write!(f, "years_apart <= {n}"),
        }
    }
}

/// The settings shipped with the engine, each a commented file in this crate's `settings/`,
/// built into the program so that they can be chosen by name where no source tree is (the
/// command line's `--settings persons`). None names a file of its own (`[tables]`), so none
/// depends on where it is run.
pub const SHIPPED: [(&str, &str); 3] = [
    ("febrl-link", include_str!("../settings/febrl-link.toml")),
    ("febrl-dedupe", include_str!("../settings/febrl-dedupe.toml")),
    ("persons", include_str!("../settings/persons.toml")),
];

impl Settings {
    /// The shipped settings of that name ([`SHIPPED`]), parsed, or `None` when none has that
    /// name. Errors name them `NAME (shipped)`.
    pub fn shipped(name: &str) -> Option<Result<Settings, SettingsError>> {
        let (_, text) = SHIPPED.iter().find(|(n, _)| *n == name)?;
        Some(Settings::parse(text, &format!("{name} (shipped)")))
    }

    /// Reads and validates a settings file.
    pub fn from_file(path: &Path) -> Result<Settings, SettingsError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| SettingsError::Read { path: path.display().to_string(), source })?;
        let mut s = Settings::parse(&text, &path.display().to_string())?;
        let base = path.parent().unwrap_or(Path::new("."));
        s.particles_file = s.particles_file.map(|p| base.join(p));
        s.equivalences_file = s.equivalences_file.map(|p| base.join(p));
        Ok(s)
    }

    /// Parses settings text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Settings, SettingsError> {
        let raw: RawSettings = toml::from_str(text)
            .map_err(|e| SettingsError::Toml { path: origin.to_owned(), message: e.to_string().trim().to_owned() })?;
        let invalid = |message: String| SettingsError::Invalid { path: origin.to_owned(), message };
        let columns: Vec<(String, ColumnKind)> = raw.columns.into_iter().collect();
        let column = |name: &str, context: &str| {
            columns
                .iter()
                .position(|(c, _)| c == name)
                .ok_or_else(|| invalid(format!("{context}: column `{name}` is not declared under [columns]")))
        };
        if columns.iter().any(|(c, _)| *c == raw.id_column) {
            return Err(invalid(format!("`id_column` `{}` must not also be a compared column", raw.id_column)));
        }
        if raw.comparison.is_empty() {
            return Err(invalid("no [[comparison]] given".into()));
        }
        if raw.comparison.len() > 16 {
            return Err(invalid("at most 16 comparisons".into()));
        }
        let mut fields: Vec<FieldDef> = columns
            .iter()
            .enumerate()
            .map(|(i, (n, k))| FieldDef { name: n.clone(), columns: vec![i], kind: *k, phonetic: false })
            .collect();
        for (name, parts) in &raw.joined {
            let context = format!("[joined] `{name}`");
            if fields.iter().any(|f| f.name == *name) {
                return Err(invalid(format!("{context}: a column of that name exists")));
            }
            if parts.len() < 2 {
                return Err(invalid(format!("{context}: join at least two columns")));
            }
            let cols = parts.iter().map(|c| column(c, &context)).collect::<Result<Vec<_>, _>>()?;
            let kind = columns[cols[0]].1;
            if cols.iter().any(|&c| columns[c].1 != kind) || !matches!(kind, ColumnKind::Name | ColumnKind::Text) {
                return Err(invalid(format!("{context}: only name columns, or only text columns, can be joined")));
            }
            fields.push(FieldDef { name: name.clone(), columns: cols, kind, phonetic: false });
        }
        let mut comparisons = Vec::new();
        let mut within: Vec<Option<String>> = Vec::new();
        for rc in raw.comparison {
            let context = format!("comparison `{}`", rc.name);
            if comparisons.iter().any(|c: &Comparison| c.name == rc.name) {
                return Err(invalid(format!("{context} is defined twice")));
            }
            if rc.columns.is_empty() {
                return Err(invalid(format!("{context}: `columns` is empty")));
            }
            // One name from [joined] compares that joined value.
            let joined = match rc.columns.as_slice() {
                [one] => fields.iter().position(|f| f.name == *one && f.columns.len() > 1),
                _ => None,
            };
            let cols = match joined {
                Some(f) => fields[f].columns.clone(),
                None => rc.columns.iter().map(|c| column(c, &context)).collect::<Result<Vec<_>, _>>()?,
            };
            let kind = columns[cols[0]].1;
            if cols.iter().any(|&c| columns[c].1 != kind) {
                return Err(invalid(format!("{context}: its columns are of different kinds")));
            }
            if cols.len() > 1 && !matches!(kind, ColumnKind::Name | ColumnKind::Text) {
                return Err(invalid(format!("{context}: only name or text columns can be joined")));
            }
            if rc.levels.is_empty() || rc.levels.len() > 14 {
                return Err(invalid(format!("{context}: between 1 and 14 levels are needed")));
            }
            let mut levels = Vec::new();
            for (i, l) in rc.levels.iter().enumerate() {
                let lcontext = format!("{context} level {} `{l}`", i + 1);
                let level = parse_level(l, kind).map_err(|m| invalid(format!("{lcontext}: {m}")))?;
                let level = match level {
                    ParsedLevel::Level(Level::TokenSubset(side) | Level::LeadingTokens(side))
                        if side != Shorter::Either && raw.mode == Mode::Dedupe =>
                    {
                        return Err(invalid(format!(
                            "{lcontext}: a side (a or b) needs two tables; in dedupe mode a pair has no sides"
                        )));
                    }
                    ParsedLevel::Level(level) => level,
                    ParsedLevel::Swapped(other, tokens) => {
                        if cols.len() != 1 {
                            return Err(invalid(format!("{lcontext}: only a one-column comparison can swap")));
                        }
                        let o = column(other, &lcontext)?;
                        if columns[o].1 != kind {
                            return Err(invalid(format!("{lcontext}: `{other}` is of another kind")));
                        }
                        if tokens && !matches!(kind, ColumnKind::Name | ColumnKind::Text) {
                            return Err(invalid(format!("{lcontext}: defined for name and text columns only")));
                        }
                        if tokens { Level::SwappedTokens(o) } else { Level::Swapped(o) }
                    }
                };
                levels.push(level);
            }
            if rc.term_frequency && levels.first() != Some(&Level::Exact) {
                return Err(invalid(format!("{context}: `term_frequency` needs `exact` as the first level")));
            }
            let field = if let Some(f) = joined {
                f
            } else if cols.len() == 1 {
                cols[0]
            } else {
                fields.push(FieldDef { name: rc.name.clone(), columns: cols.clone(), kind, phonetic: false });
                fields.len() - 1
            };
            if rc.term_frequency_within.is_some() && !rc.term_frequency {
                return Err(invalid(format!("{context}: `term_frequency_within` needs `term_frequency = true`")));
            }
            if rc.m_from == MFrom::Others && rc.term_frequency {
                return Err(invalid(format!(
                    "{context}: `m_from = \"others\"` is for a comparison without term frequencies"
                )));
            }
            comparisons.push(Comparison {
                name: rc.name,
                field,
                columns: cols,
                kind,
                levels,
                term_frequency: rc.term_frequency,
                term_frequency_within: None,
                m_from: rc.m_from,
            });
            within.push(rc.term_frequency_within);
        }
        // A context is a comparison whose only level is `exact`, so that a pair's agreement on it
        // is settled by string equality alone (the one-record index relies on this).
        for (c, name) in within.into_iter().enumerate() {
            let Some(name) = name else { continue };
            let context = format!("comparison `{}`: `term_frequency_within = \"{name}\"`", comparisons[c].name);
            let Some(k) = comparisons.iter().position(|o| o.name == name) else {
                return Err(invalid(format!("{context}: there is no comparison of that name")));
            };
            if k == c || comparisons[k].levels != [Level::Exact] {
                return Err(invalid(format!(
                    "{context}: the context must be another comparison whose only level is `exact`"
                )));
            }
            comparisons[c].term_frequency_within = Some(k);
        }
        let field = |name: &str, context: &str| {
            fields.iter().position(|f| f.name == name).ok_or_else(|| {
                invalid(format!(
                    "{context}: `{name}` is neither a column under [columns] nor a comparison of several columns"
                ))
            })
        };
        if raw.blocking.rules.is_empty() {
            return Err(invalid("[blocking] `rules` is empty: at least one rule is needed".into()));
        }
        if raw.blocking.rules.len() > 16 {
            return Err(invalid("[blocking] `rules`: at most 16 rules".into()));
        }
        let mut rules = Vec::new();
        for (i, keys) in raw.blocking.rules.iter().enumerate() {
            if keys.is_empty() {
                return Err(invalid(format!("[blocking] rule {} has no keys", i + 1)));
            }
            let mut parsed = Vec::new();
            for k in keys {
                let context = format!("[blocking] rule {} key `{k}`", i + 1);
                let (function, col) = parse_key(k).map_err(|m| invalid(format!("{context}: {m}")))?;
                let c = field(col, &context)?;
                let kind = fields[c].kind;
                let fits = match function {
                    KeyFunction::Year | KeyFunction::UnorderedDate | KeyFunction::MonthDay => kind == ColumnKind::Date,
                    KeyFunction::FirstToken | KeyFunction::SortedTokens | KeyFunction::Tokens => {
                        matches!(kind, ColumnKind::Name | ColumnKind::Text)
                    }
                    KeyFunction::FirstTokens => {
                        if fields[c].columns.len() < 2 {
                            return Err(invalid(format!("{context}: `first_tokens` takes a [joined] value")));
                        }
                        matches!(kind, ColumnKind::Name | ColumnKind::Text)
                    }
                    _ => true,
                };
                if !fits {
                    return Err(invalid(format!("{context}: not defined for a {kind:?} column")));
                }
                let parts = if function == KeyFunction::FirstTokens { fields[c].columns.clone() } else { Vec::new() };
                parsed.push(Key { field: c, function, parts });
            }
            if parsed.iter().filter(|k| k.function == KeyFunction::Tokens).count() > 1 {
                return Err(invalid(format!(
                    "[blocking] rule {}: at most one `tokens` key a rule (its keys are one per token)",
                    i + 1
                )));
            }
            rules.push(Rule { text: keys.join(" & "), keys: parsed });
        }
        let threshold = raw.threshold.unwrap_or(ThresholdPolicy::ExpectedF1);
        if let ThresholdPolicy::Probability { probability } = threshold
            && !(probability > 0.0 && probability < 1.0)
        {
            return Err(invalid(format!("[threshold] `probability` {probability} must be between 0 and 1")));
        }
        if raw.training.random_pairs < 1000 {
            return Err(invalid("[training] `random_pairs` must be at least 1000".into()));
        }
        let mut related: Vec<RelatedKind> = Vec::new();
        for r in &raw.related {
            let context = format!("[[related]] `{}`", r.name);
            if related.iter().any(|k| k.name == r.name) {
                return Err(invalid(format!("{context}: the name is used twice")));
            }
            let mut shared = Vec::new();
            for name in &r.shared {
                let Some(c) = comparisons.iter().position(|c| &c.name == name) else {
                    return Err(invalid(format!("{context}: no comparison `{name}`")));
                };
                if !shared.contains(&c) {
                    shared.push(c);
                }
            }
            shared.sort_unstable();
            if shared.is_empty() || shared.len() == comparisons.len() {
                return Err(invalid(format!(
                    "{context}: `shared` must name some comparisons and leave at least one out"
                )));
            }
            related.push(RelatedKind { name: r.name.clone(), shared });
        }
        if related.len() > 8 {
            return Err(invalid("at most 8 [[related]] kinds".into()));
        }
        let (particles_file, equivalences_file) = match raw.tables {
            Some(t) => (t.particles.map(Into::into), t.equivalences.map(Into::into)),
            None => (None, None),
        };
        for c in &comparisons {
            if c.levels.contains(&Level::Phonetic) {
                fields[c.field].phonetic = true;
            }
        }
        for key in rules.iter().flat_map(|r| &r.keys) {
            if key.function == KeyFunction::Metaphone {
                fields[key.field].phonetic = true;
            }
        }
        Ok(Settings {
            mode: raw.mode,
            id_column: raw.id_column,
            columns,
            fields,
            rules,
            max_block_pairs: raw.blocking.max_block_pairs.max(1),
            max_block_records: raw.blocking.max_block_records.max(1),
            tokens_budget: raw.blocking.tokens_budget,
            comparisons,
            training: raw.training,
            threshold,
            related,
            particles_file,
            equivalences_file,
        })
    }
}

enum ParsedLevel<'a> {
    Level(Level),
    /// The other column, and whether token sets are compared (`swapped_tokens`).
    Swapped(&'a str, bool),
}

fn parse_key(text: &str) -> Result<(KeyFunction, &str), String> {
    let t = text.trim();
    let Some(open) = t.find('(') else { return Ok((KeyFunction::Value, t)) };
    let Some(inner) = t[open + 1..].strip_suffix(')') else { return Err("missing `)`".into()) };
    let name = t[..open].trim();
    let args: Vec<&str> = inner.split(',').map(str::trim).collect();
    let one = |f: KeyFunction| {
        if args.len() == 1 { Ok((f, args[0])) } else { Err(format!("`{name}` takes one column")) }
    };
    match name {
        "metaphone" => one(KeyFunction::Metaphone),
        "year" => one(KeyFunction::Year),
        "first_token" => one(KeyFunction::FirstToken),
        "sorted_tokens" => one(KeyFunction::SortedTokens),
        "first_tokens" => one(KeyFunction::FirstTokens),
        "tokens" => one(KeyFunction::Tokens),
        "unordered_date" => one(KeyFunction::UnorderedDate),
        "month_day" => one(KeyFunction::MonthDay),
        "prefix" => match args.as_slice() {
            [col, n] => {
                let n: usize = n.parse().map_err(|_| format!("`{n}` is not a length"))?;
                if n == 0 {
                    return Err("a prefix of length 0 is no key".into());
                }
                Ok((KeyFunction::Prefix(n), col))
            }
            _ => Err("`prefix` takes a column and a length: `prefix(COLUMN, N)`".into()),
        },
        _ => Err(format!(
            "unknown function `{name}`: expected metaphone, year, unordered_date, month_day, first_token, first_tokens, sorted_tokens, tokens or prefix"
        )),
    }
}

fn parse_level(text: &str, kind: ColumnKind) -> Result<ParsedLevel<'_>, String> {
    let t = text.trim();
    let for_dates = |l: Level| {
        if kind == ColumnKind::Date { Ok(ParsedLevel::Level(l)) } else { Err("defined for date columns only".into()) }
    };
    let for_names = |l: Level| {
        if matches!(kind, ColumnKind::Name | ColumnKind::Text) {
            Ok(ParsedLevel::Level(l))
        } else {
            Err("defined for name and text columns only".into())
        }
    };
    match t {
        "exact" => return Ok(ParsedLevel::Level(Level::Exact)),
        "same_tokens" => return for_names(Level::SameTokens),
        "token_subset" => return for_names(Level::TokenSubset(Shorter::Either)),
        "token_subset(a)" => return for_names(Level::TokenSubset(Shorter::A)),
        "token_subset(b)" => return for_names(Level::TokenSubset(Shorter::B)),
        "leading_tokens" => return for_names(Level::LeadingTokens(Shorter::Either)),
        "leading_tokens(a)" => return for_names(Level::LeadingTokens(Shorter::A)),
        "leading_tokens(b)" => return for_names(Level::LeadingTokens(Shorter::B)),
        "phonetic" => return for_names(Level::Phonetic),
        "day_month_swapped" => return for_dates(Level::DayMonthSwapped),
        "year_month" => return for_dates(Level::YearMonth),
        "month_day" => return for_dates(Level::MonthDay),
        "year" => return for_dates(Level::Year),
        "partial_match" => return for_dates(Level::PartialMatch),
        _ => {}
    }
    if let Some(inner) = t.strip_prefix("swapped(").and_then(|r| r.strip_suffix(')')) {
        return Ok(ParsedLevel::Swapped(inner.trim(), false));
    }
    if let Some(inner) = t.strip_prefix("swapped_tokens(").and_then(|r| r.strip_suffix(')')) {
        return Ok(ParsedLevel::Swapped(inner.trim(), true));
    }
    let (name, op, value) = {
        let Some(pos) = t.find(['<', '>']) else {
            return Err(
                "unknown level: expected exact, swapped(COLUMN), swapped_tokens(COLUMN), same_tokens, token_subset[(a|b)], \
                        leading_tokens[(a|b)], \
                        tokens_fuzzy >= X, jaro_winkler >= X, damerau_levenshtein <= K, phonetic, \
                        day_month_swapped, year_month, month_day, year, partial_match or years_apart <= N"
                    .into(),
            );
        };
        let rest = &t[pos..];
        let (op, value) = if let Some(v) = rest.strip_prefix(">=") {
            (">=", v)
        } else if let Some(v) = rest.strip_prefix("<=") {
            ("<=", v)
        } else {
            return Err("expected `>=` or `<=`".into());
        };
        (t[..pos].trim(), op, value.trim())
    };
    let similarity = |op_ok: bool| -> Result<f64, String> {
        if !op_ok {
            return Err(format!("`{name}` is compared with `>=`"));
        }
        match value.parse::<f64>() {
            Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
            _ => Err(format!("`{value}` is not a similarity between 0 and 1")),
        }
    };
    let distance = |op_ok: bool| -> Result<u32, String> {
        if !op_ok {
            return Err(format!("`{name}` is compared with `<=`"));
        }
        value.parse::<u32>().map_err(|_| format!("`{value}` is not a whole number"))
    };
    match name {
        "jaro_winkler" => Ok(ParsedLevel::Level(Level::JaroWinkler(similarity(op == ">=")?))),
        "tokens_fuzzy" => for_names(Level::TokensFuzzy(similarity(op == ">=")?)),
        "damerau_levenshtein" => Ok(ParsedLevel::Level(Level::DamerauLevenshtein(distance(op == "<=")?))),
        "years_apart" => for_dates(Level::YearsApart(distance(op == "<=")?)),
        _ => Err(format!("unknown measure `{name}`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
mode = "link"
id_column = "id"
[columns]
given = "name"
family = "name"
dob = "date"
[blocking]
rules = [["family", "year(dob)"], ["metaphone(given)"]]
[[comparison]]
name = "given"
columns = ["given"]
levels = ["exact", "swapped(family)", "jaro_winkler >= 0.9"]
term_frequency = true
[[comparison]]
name = "dob"
columns = ["dob"]
levels = ["exact", "day_month_swapped", "years_apart <= 1"]
"#;

    #[test]
    fn phonetic_codes_are_kept_only_for_fields_that_read_them() {
        let s = Settings::parse(MINIMAL, "t.toml").expect("minimal");
        let flag = |name: &str| s.fields.iter().find(|f| f.name == name).map(|f| f.phonetic);
        // `given`: a metaphone key; `family`, `dob`: neither a key nor a level reads one.
        assert_eq!((flag("given"), flag("family"), flag("dob")), (Some(true), Some(false), Some(false)));
        let with_level = MINIMAL.replace(r#"["metaphone(given)"]"#, r#"["given"]"#).replace(
            r#"levels = ["exact", "swapped(family)", "jaro_winkler >= 0.9"]"#,
            r#"levels = ["exact", "swapped(family)", "phonetic"]"#,
        );
        let s = Settings::parse(&with_level, "t.toml").expect("phonetic level");
        let flag = |name: &str| s.fields.iter().find(|f| f.name == name).map(|f| f.phonetic);
        assert_eq!((flag("given"), flag("family"), flag("dob")), (Some(true), Some(false), Some(false)));
    }

    fn err(text: &str) -> String {
        match Settings::parse(text, "t.toml") {
            Ok(_) => panic!("accepted: {text}"),
            Err(e) => e.to_string(),
        }
    }

    /// Every file in `settings/` is shipped under its name, and every shipped one parses and
    /// reads no file of its own: a new file there cannot be left out of the program, and none
    /// works only inside a checkout.
    #[test]
    fn every_settings_file_is_shipped_and_stands_alone() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("settings");
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .expect("settings dir")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .map(|p| p.file_stem().expect("stem").to_string_lossy().into_owned())
            .collect();
        files.sort();
        let mut shipped: Vec<String> = SHIPPED.iter().map(|(n, _)| (*n).to_owned()).collect();
        shipped.sort();
        assert_eq!(files, shipped);
        for (name, _) in SHIPPED {
            let s = Settings::shipped(name).expect("shipped").unwrap_or_else(|e| panic!("`{name}`: {e}"));
            assert!(s.particles_file.is_none() && s.equivalences_file.is_none(), "`{name}` reads a file of its own");
        }
        assert!(Settings::shipped("persons.toml").is_none() && Settings::shipped("").is_none());
    }

    #[test]
    fn a_minimal_file_parses() {
        let s = Settings::parse(MINIMAL, "t.toml").expect("valid");
        assert_eq!(s.rules.len(), 2);
        assert_eq!(s.rules[0].keys[1].function, KeyFunction::Year);
        assert_eq!(s.rules[0].keys[0].field, 1);
        assert_eq!(s.comparisons[0].levels[1], Level::Swapped(1));
        assert_eq!(s.comparisons[1].levels[2], Level::YearsApart(1));
        assert_eq!(s.comparisons[0].level_label(3), "else");
        assert_eq!(s.threshold, ThresholdPolicy::ExpectedF1);
        // The batch cap counts pairs, the one-record cap records; each has its own default.
        assert_eq!((s.max_block_pairs, s.max_block_records, s.tokens_budget), (10_000, 300, 200));
    }

    #[test]
    fn mistakes_are_named() {
        let e = err(&MINIMAL.replace("mode = \"link\"", "mode = \"link\"\nblockign = 1"));
        assert!(e.contains("blockign"), "{e}");
        let e = err(&MINIMAL.replace("jaro_winkler >= 0.9", "jaro_winkler > 0.9"));
        assert!(e.contains("comparison `given` level 3") && e.contains("`>=`"), "{e}");
        let e = err(&MINIMAL.replace("year(dob)", "year(family)"));
        assert!(e.contains("rule 1") && e.contains("not defined"), "{e}");
        let e = err(&MINIMAL.replace("swapped(family)", "swapped(surname)"));
        assert!(e.contains("`surname` is not declared"), "{e}");
        let e = err(&MINIMAL.replace("\"day_month_swapped\"", "\"token_subset\""));
        assert!(e.contains("name and text columns only"), "{e}");
        let e = err(&MINIMAL.replace("\"day_month_swapped\"", "\"leading_tokens\""));
        assert!(e.contains("comparison `dob` level 2") && e.contains("name and text columns only"), "{e}");
        let e = err(&MINIMAL.replace("\"swapped(family)\"", "\"month_day\""));
        assert!(e.contains("comparison `given` level 2") && e.contains("date columns only"), "{e}");
        let e = err(&MINIMAL.replace("\"exact\", \"swapped", "\"swapped"));
        assert!(e.contains("term_frequency"), "{e}");
        for budget in ["\"many\"", "-3"] {
            let e = err(&MINIMAL.replace("[blocking]", &format!("[blocking]\ntokens_budget = {budget}")));
            assert!(e.contains("tokens_budget") && e.contains("expected u64"), "{e}");
        }
    }

    #[test]
    fn m_from_others_is_for_a_comparison_without_term_frequencies() {
        let s = Settings::parse(MINIMAL, "t.toml").expect("minimal");
        assert!(s.comparisons.iter().all(|c| c.m_from == MFrom::Sessions));
        let dob = MINIMAL.replace("name = \"dob\"", "name = \"dob\"\nm_from = \"others\"");
        let s = Settings::parse(&dob, "t.toml").expect("valid");
        let dob_at = s.comparisons.iter().position(|c| c.name == "dob").expect("dob");
        assert_eq!(s.comparisons[dob_at].m_from, MFrom::Others);
        let given = MINIMAL.replacen("term_frequency = true", "term_frequency = true\nm_from = \"others\"", 1);
        let e = err(&given);
        assert!(e.contains("comparison `given`") && e.contains("`m_from = \"others\"`"), "{e}");
        let e = err(&MINIMAL.replace("name = \"dob\"", "name = \"dob\"\nm_from = \"elsewhere\""));
        assert!(e.contains("elsewhere") && e.contains("others"), "{e}");
    }

    #[test]
    fn a_frequency_context_is_another_comparison_whose_only_level_is_exact() {
        let with = |context: &str| {
            MINIMAL.replace(
                "term_frequency = true",
                &format!("term_frequency = true\nterm_frequency_within = \"{context}\""),
            )
        };
        let nationality = with("nat").replace("dob = \"date\"", "dob = \"date\"\nnat = \"text\"").replace(
            "name = \"dob\"",
            "name = \"nat\"\ncolumns = [\"nat\"]\nlevels = [\"exact\"]\n[[comparison]]\nname = \"dob\"",
        );
        let s = Settings::parse(&nationality, "t.toml").expect("valid");
        assert_eq!(s.comparisons[0].term_frequency_within, Some(1));
        assert!(
            err(&with("passport"))
                .contains("`term_frequency_within = \"passport\"`: there is no comparison of that name")
        );
        assert!(err(&with("dob")).contains("whose only level is `exact`"));
        assert!(err(&with("given")).contains("another comparison"));
        let without = nationality.replace("term_frequency = true\n", "");
        assert!(err(&without).contains("`term_frequency_within` needs `term_frequency = true`"));
    }
}
