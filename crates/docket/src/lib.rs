//! The `docket` command line's library: `docket link` and the text a person reads. The binary
//! (`main.rs`) only parses arguments, calls `docket-app` (and, with the `synth` feature, on by
//! default, `docket-synth` for synthetic data) and renders what comes back.

pub mod exit;
pub mod link;
pub mod out;
pub mod show;
