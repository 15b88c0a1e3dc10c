//! The `docket` command line's library: `docket link`, the text a person reads, and the
//! completion scripts and manual pages. The binary
//! (`main.rs`) only parses arguments, calls `docket-app` (and, with the `synth` feature, on by
//! default, `docket-synth` for synthetic data) and renders what comes back.

pub mod consume;
pub mod exit;
pub mod link;
pub mod manual;
pub mod out;
pub mod show;
