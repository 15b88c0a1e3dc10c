//! Record linkage: which rows of two tables (or of one table) describe the same
//! person or thing.
//!
//! `docket-link` knows nothing of immigration: the columns, how each is
//! normalized and compared, and how candidates are blocked all come from a
//! settings file. The engine normalizes values ([`normalize`]), compares pairs
//! with string and date measures ([`metrics`], [`phonetic`]), and scores pairs
//! with a Fellegi–Sunter model.

pub mod metrics;
pub mod normalize;
pub mod phonetic;
