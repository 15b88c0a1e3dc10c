//! The `docket` command line's library: file import, the ledger's signing key, `docket link`
//! and the text a person reads. The binary (`main.rs`) only parses arguments and calls into
//! this crate, `docket-core`, `docket-store` and (with the `synth` feature, on by default)
//! `docket-synth` for synthetic data.

pub mod import;
pub mod keys;
pub mod link;
pub mod show;
