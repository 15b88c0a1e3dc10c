//! The command line's exit statuses: each outcome its own, so that a script can tell them
//! apart (docs/cli.md lists them).

/// Done as asked.
pub const OK: u8 = 0;
/// The command could not do what it was asked: a database that cannot be opened or is not
/// initialized, a file that cannot be read or written, a record not found, a refused input.
pub const FAILED: u8 = 1;
/// The command line itself is wrong: an unknown option, a missing argument, a bad value.
pub const USAGE: u8 = 2;
/// `rebuild`: projections differed from the events and were replaced.
pub const REPAIRED: u8 = 3;
/// `import`, `link`: some rows were rejected or skipped, each reported; every other row was
/// taken.
pub const ROWS_REJECTED: u8 = 4;
/// `ledger verify`: a discrepancy was found (tampering, a rollback, a projection that
/// differs), or no signed checkpoint binds the ledger.
pub const NOT_VERIFIED: u8 = 5;
