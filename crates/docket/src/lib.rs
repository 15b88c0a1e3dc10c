//! The `docket` command line's library: synthetic dockets, file import and the text a
//! person reads. The binary (`main.rs`) only parses arguments and calls into this crate,
//! `docket-core` and `docket-store`.

pub mod import;
pub mod keys;
pub mod link;
pub mod show;
pub mod synth;
