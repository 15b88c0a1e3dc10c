//! Record linkage: which rows of two tables (or of one table) describe the same
//! person or thing.
//!
//! `docket-link` knows nothing of immigration: the columns, how each is
//! normalized and compared, and how candidates are blocked all come from a
//! settings file ([`settings`]). The engine reads and normalizes rows once
//! ([`table`], [`normalize`]), finds candidate pairs with blocking rules
//! ([`block`]), grades each pair into comparison levels ([`compare`], built on
//! [`metrics`] and [`phonetic`]), fits a Fellegi–Sunter model without labels
//! ([`model`] is what is saved; `fit.rs`: u from random pairs, m by EM; `calibrate.rs`: the
//! ceilings on related non-matches; `weights.rs`: the weights a model gives, re-exported as
//! [`Weights`]), then scores, assigns one-to-one, chooses a threshold and explains ([`link`]);
//! with known true pairs, [`evaluation`] scores the result (F1 at the job's threshold and the
//! best one, calibration, the three-way split).
//!
//! Normalization runs once per record and may allocate; the measures run once per
//! candidate pair and do not allocate on ASCII input.
//!
//! ```
//! use docket_link::{link, settings::Settings, table::Records};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let settings = Settings::parse(r#"
//!     mode = "link"
//!     id_column = "id"
//!     [columns]
//!     name = "name"
//!     born = "date"
//!     [blocking]
//!     rules = [["born"], ["name"]]
//!     [[comparison]]
//!     name = "name"
//!     columns = ["name"]
//!     levels = ["exact", "same_tokens", "jaro_winkler >= 0.9"]
//!     [[comparison]]
//!     name = "born"
//!     columns = ["born"]
//!     levels = ["exact", "day_month_swapped", "year"]
//!     [training]
//!     random_pairs = 1000
//! "#, "example")?;
//! let a = "id,name,born\n1,Mohamed AL-Hassan,1980-05-12\n2,Ana Garcia,1990-01-02\n3,Li Wei,1975-03-04\n";
//! let b = "id,name,born\nx,\"Hassan, Muhammad\",1980-12-05\ny,Wei Li,1975-03-04\nz,Ivan Petrov,1966-06-06\n";
//! let records = Records::from_readers(&settings, vec![("a".into(), a.as_bytes()), ("b".into(), b.as_bytes())])?;
//! let result = link::run(&settings, &records, None, None, &mut |_, _, _| {});
//! for pair in &result.accepted {
//!     let e = link::explain(&settings, &records, &result.weights, pair.a as usize, pair.b as usize);
//!     println!("{} ~ {}: {:.3}", e.ids.0, e.ids.1, e.probability);
//! }
//! # Ok(()) }
//! ```

pub mod block;
mod calibrate;
pub mod compare;
pub mod evaluation;
mod fit;
pub(crate) mod fx;
pub mod index;
pub mod link;
pub mod metrics;
pub mod model;
pub mod normalize;
pub mod phonetic;
pub mod settings;
pub mod table;
mod weights;

pub use weights::{Side, SideBuf, Weights, capped, probability};
