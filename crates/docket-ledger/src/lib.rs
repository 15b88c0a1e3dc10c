//! Docket's audit ledger: a tamper-evident, append-only Merkle log.
//!
//! Every write, every read of a person's record and every disclosure in
//! Docket becomes a leaf of this log, committed in the same transaction as
//! the change it records. The log hashes leaves into an RFC 9162 (Certificate
//! Transparency v2) Merkle tree, so that anyone holding a signed checkpoint
//! (a tree size and root, signed by the log's key) can check with SHA-256
//! alone that a record is in the log (an *inclusion proof*) and that the log
//! only ever grew, never rewrote its past (a *consistency proof*).
//!
//! This crate knows no SQL: the log keeps its hashes behind the [`HashStore`]
//! trait, which `docket-store` implements inside its transactions and
//! [`MemoryStore`] implements in memory. It does no IO of its own.
//!
//! * [`Log`] appends leaves, storing only new complete subtrees (at most
//!   log2 n hashes per append), and serves [`Log::root`],
//!   [`Log::inclusion_proof`] and [`Log::consistency_proof`] for any past size
//!   in O(log n) store lookups.
//! * [`verify_inclusion`] and [`verify_consistency`] are pure functions
//!   following RFC 9162 §2.1.3.2 and §2.1.4.2.
//! * [`root_from_leaf_hashes`] and [`RootAccumulator`] recompute a root from
//!   a stream of leaf hashes with an O(log n) stack, for a full audit.
//! * [`Checkpoint`], [`SigningKey`] and [`verify_note`] make and check signed
//!   checkpoints: C2SP `tlog-checkpoint` bodies in C2SP `signed-note`s, signed
//!   with Ed25519.
//!
//! # Example
//!
//! ```
//! use docket_ledger::{
//!     Checkpoint, Log, MemoryStore, SigningKey, leaf_hash, verify_consistency,
//!     verify_inclusion, verify_note,
//! };
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut log = Log::new(MemoryStore::new());
//! for record in ["case opened", "hearing scheduled", "record read by officer 17"] {
//!     log.append(record.as_bytes())?;
//! }
//! log.append_batch(&[b"order issued".as_slice(), b"appeal filed".as_slice()])?;
//!
//! // The log signs a checkpoint of its current size...
//! let key = SigningKey::generate("docket.example.gov/ledger", &mut getrandom::SysRng)?;
//! let size = log.size()?;
//! let note = Checkpoint::new("docket.example.gov/ledger", size, log.root(size)?)?.sign(&key);
//!
//! // ...and anyone holding its public key checks it,
//! let checkpoint = verify_note(&note, &key.verifier_key_text())?;
//! assert_eq!(checkpoint.size(), 5);
//!
//! // then checks that leaf 1 is in that tree,
//! let proof = log.inclusion_proof(1, checkpoint.size())?;
//! verify_inclusion(
//!     &leaf_hash(b"hearing scheduled"),
//!     1,
//!     checkpoint.size(),
//!     &proof,
//!     checkpoint.root(),
//! )?;
//!
//! // and that the tree of size 3 they saw earlier is a prefix of it.
//! let earlier_root = log.root(3)?;
//! let proof = log.consistency_proof(3, checkpoint.size())?;
//! verify_consistency(3, checkpoint.size(), &earlier_root, checkpoint.root(), &proof)?;
//! # Ok(())
//! # }
//! ```
//!
//! # How an outside party verifies
//!
//! An auditor needs no Docket code: SHA-256, Ed25519 (RFC 8032) and base64
//! (RFC 4648 §4, with padding) are enough. `||` is concatenation; all sizes
//! and indexes are leaf counts, from 0.
//!
//! **1. The log's public key.** Docket publishes one line,
//! `<name>+<key id>+<key>`: `<key id>` is 8 lowercase hex digits, `<key>` is
//! the base64 of 33 bytes, `0x01 || public key` (0x01 = Ed25519, then the
//! 32-byte RFC 8032 public key). Check that the key id is the first 4 bytes of
//! `SHA-256(name || 0x0A || 0x01 || public key)`. Obtain this line out of band
//! (not from the log) and keep it.
//!
//! **2. A signed checkpoint.** A UTF-8 text with no control characters but
//! newlines (0x0A):
//!
//! ```text
//! <origin>\n
//! <tree size, decimal, no leading zeros>\n
//! <base64 of the 32-byte root>\n
//! \n
//! — <name> <base64 of: key id (4 bytes) || Ed25519 signature (64 bytes)>\n
//! ```
//!
//! The dash is U+2014 (bytes `E2 80 94`), followed by one space. The signed
//! message is the *body*: every byte up to and including the newline that
//! precedes the last empty line (here, the first three lines). Find the
//! signature line whose name and key id match the key, check the Ed25519
//! signature of the body with the public key, and ignore other signature
//! lines (they may be witnesses'). Then read the size and root from the body.
//! Take size and root together from a verified checkpoint and nowhere else:
//! an inclusion proof authenticates a leaf against a root, and only the
//! signature binds that root to its size.
//!
//! **3. Hashes.** A leaf hash is `SHA-256(0x00 || leaf bytes)`, where the
//! leaf bytes are the record exactly as Docket exported it (their layout is
//! the writer's, `docket-store`'s, not this crate's); an interior node is
//! `SHA-256(0x01 || left hash || right hash)`, 65 bytes hashed. The
//! tree over n leaves splits at k, the largest power of two below n: its root
//! is the node of the tree over the first k leaves and the tree over the
//! rest. The empty tree's root is `SHA-256("")`.
//!
//! **4. Inclusion of leaf `index` in the checkpoint's tree** (RFC 9162
//! §2.1.3.2). Given the leaf hash `h` and the proof, a list of hashes:
//!
//! ```text
//! fail unless index < size
//! fail unless h and every proof element are 32 bytes
//! fn = index; sn = size - 1; r = h
//! for each p in proof:
//!     fail if sn == 0                                   (proof too long)
//!     if fn is odd or fn == sn:
//!         r = SHA-256(0x01 || p || r)
//!         if fn is even: shift fn and sn right until fn is odd or fn == 0
//!     else:
//!         r = SHA-256(0x01 || r || p)
//!     shift fn and sn right by one
//! succeed if sn == 0 and r == root
//! ```
//!
//! **5. Consistency of an old checkpoint (size m, root R1) with a new one
//! (size n, root R2)** (RFC 9162 §2.1.4.2):
//!
//! ```text
//! fail if m > n, or m == 0
//! if m == n: succeed if the proof is empty and R1 == R2
//! fail if the proof is empty, or any element is not 32 bytes
//! if m is a power of two: put R1 in front of the proof
//! fn = m - 1; sn = n - 1
//! while fn is odd: shift fn and sn right by one
//! fr = sr = first element of the proof
//! for each following element c:
//!     fail if sn == 0                                   (proof too long)
//!     if fn is odd or fn == sn:
//!         fr = SHA-256(0x01 || c || fr); sr = SHA-256(0x01 || c || sr)
//!         if fn is even: shift fn and sn right until fn is odd or fn == 0
//!     else:
//!         sr = SHA-256(0x01 || sr || c)
//!     shift fn and sn right by one
//! succeed if sn == 0 and fr == R1 and sr == R2
//! ```
//!
//! A log that shows two checkpoints for which no consistency proof verifies
//! has rewritten its history; keeping the signed notes is the evidence.

mod accumulator;
mod checkpoint;
mod cosignature;
mod hash;
mod log;
mod store;
mod verify;

pub use accumulator::{RootAccumulator, root_from_leaf_hashes};
pub use checkpoint::{Checkpoint, CheckpointError, SigningKey, VerifierKey, key_id, open_note, sign_note, verify_note};
pub use cosignature::{ALG_COSIGNATURE_V1, WitnessKey, WitnessVerifierKey, verify_cosignature, witness_key_id};
pub use hash::{HASH_LEN, Hash, empty_root, leaf_hash, node_hash};
pub use log::{LedgerError, Log};
pub use store::{HashStore, MemoryStore};
pub use verify::{VerifyError, verify_consistency, verify_inclusion};
