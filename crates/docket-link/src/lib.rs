//! Record linkage: which rows of two tables (or of one table) describe the same
//! person or thing.
//!
//! `docket-link` knows nothing of immigration: the columns, how each is
//! normalized and compared, and how candidates are blocked all come from a
//! settings file. The engine normalizes values ([`normalize`]), compares pairs
//! with string and date measures ([`metrics`], [`phonetic`]), and scores pairs
//! with a Fellegi–Sunter model.
//!
//! Normalization runs once per record and may allocate; the measures run once per
//! candidate pair and do not allocate on ASCII input.
//!
//! ```
//! use docket_link::metrics::{jaro_winkler, token_match};
//! use docket_link::normalize::NameRules;
//!
//! # fn main() -> Result<(), docket_link::normalize::TableError> {
//! let rules = NameRules::builtin()?;
//! let a = rules.normalize("Mohamed AL-Hassan");
//! let b = rules.normalize("Hassan, Muhammad");
//! // Spelling variants and the particle are gone; the order differs.
//! assert!(token_match(a.tokens(), b.tokens()).same_tokens());
//! assert_eq!(a.sorted(), b.sorted());
//! assert!(jaro_winkler("martha", "marhta") > 0.96);
//! # Ok(()) }
//! ```

pub mod metrics;
pub mod normalize;
pub mod phonetic;
