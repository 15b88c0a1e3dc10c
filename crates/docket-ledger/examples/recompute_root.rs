//! Times a full recomputation of a log's root from its leaves, as
//! `docket ledger verify` does: hash every leaf, stream the hashes through
//! [`root_from_leaf_hashes`], no store.
//!
//! `cargo run --release -p docket-ledger --example recompute_root -- 10000000`

use std::time::Instant;

use docket_ledger::{leaf_hash, root_from_leaf_hashes};

fn main() {
    let leaves: u64 = std::env::args().nth(1).map(|arg| arg.parse().expect("leaf count")).unwrap_or(10_000_000);
    // Leaves of about the size of an audit record.
    let record =
        |i: u64| format!("{{\"seq\":{i},\"kind\":\"record_read\",\"case\":\"C-{i:09}\",\"actor\":\"officer-17\"}}");
    let start = Instant::now();
    let root = root_from_leaf_hashes((0..leaves).map(|i| leaf_hash(record(i).as_bytes())));
    let elapsed = start.elapsed();
    let hex: String = root.iter().map(|b| format!("{b:02x}")).collect();
    println!("{leaves} leaves in {elapsed:.2?} (leaf hashing included): root {hex}");
}
