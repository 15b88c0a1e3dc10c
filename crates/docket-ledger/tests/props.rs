//! Merkle proofs verify for every tree size up to 2,000, match RFC 9162's
//! recursive definitions, and fail when any single bit of what they prove
//! is changed.
//!
//! One bit of a *size* is the exception RFC 9162 allows: a proof fixes a
//! leaf's (or old tree's) path to the root, and a changed size that gives the
//! same path is accepted, since the root is not the root of any other tree.
//! The tests pin that down exactly: a size flip verifies if and only if the
//! RFC path shape is the same. Sizes are authenticated by signed checkpoints.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::LazyLock;

use docket_ledger::{Hash, Log, MemoryStore, empty_root, root_from_leaf_hashes, verify_consistency, verify_inclusion};
use proptest::prelude::*;
use sha2::{Digest, Sha256};

const MAX_SIZE: u64 = 2_000;
/// Sizes whose every index (inclusion) or old size (consistency) is proved.
const EXHAUSTIVE_INCLUSION_SIZES: u64 = 200;
const EXHAUSTIVE_CONSISTENCY_SIZES: u64 = 100;
/// Sizes whose every proof gets every single-bit change.
const SYSTEMATIC_TAMPER_INCLUSION_SIZES: u64 = 32;
const SYSTEMATIC_TAMPER_CONSISTENCY_SIZES: u64 = 24;

// ---- An independent reference: RFC 9162 §2.1 recursions over raw SHA-256 ----

fn ref_leaf(data: &[u8]) -> Hash {
    Sha256::new().chain_update([0u8]).chain_update(data).finalize().into()
}

fn ref_node(left: &Hash, right: &Hash) -> Hash {
    Sha256::new().chain_update([1u8]).chain_update(left).chain_update(right).finalize().into()
}

/// Largest power of two strictly less than `n` (n >= 2), by counting up.
fn ref_split(n: u64) -> u64 {
    let mut k = 1;
    while k < n - k {
        k *= 2;
    }
    k
}

/// MTH(D[begin:end]) by the recursive definition, memoized across calls.
struct Reference {
    leaves: Vec<Hash>,
    memo: RefCell<HashMap<(u64, u64), Hash>>,
}

impl Reference {
    fn mth(&self, begin: u64, end: u64) -> Hash {
        match end - begin {
            0 => Sha256::digest([]).into(),
            1 => self.leaves[to_usize(begin)],
            n => {
                if let Some(hash) = self.memo.borrow().get(&(begin, end)) {
                    return *hash;
                }
                let k = ref_split(n);
                let hash = ref_node(&self.mth(begin, begin + k), &self.mth(begin + k, end));
                self.memo.borrow_mut().insert((begin, end), hash);
                hash
            }
        }
    }

    /// PATH(m, D[begin:end]) of RFC 9162 §2.1.3.1.
    fn path(&self, m: u64, begin: u64, end: u64) -> Vec<Hash> {
        let n = end - begin;
        if n == 1 {
            return Vec::new();
        }
        let k = ref_split(n);
        if m < k {
            let mut path = self.path(m, begin, begin + k);
            path.push(self.mth(begin + k, end));
            path
        } else {
            let mut path = self.path(m - k, begin + k, end);
            path.push(self.mth(begin, begin + k));
            path
        }
    }

    /// SUBPROOF(m, D[begin:end], b) of RFC 9162 §2.1.4.1.
    fn subproof(&self, m: u64, begin: u64, end: u64, b: bool) -> Vec<Hash> {
        let n = end - begin;
        if m == n {
            return if b { Vec::new() } else { vec![self.mth(begin, end)] };
        }
        let k = ref_split(n);
        if m <= k {
            let mut proof = self.subproof(m, begin, begin + k, b);
            proof.push(self.mth(begin + k, end));
            proof
        } else {
            let mut proof = self.subproof(m - k, begin + k, end, false);
            proof.push(self.mth(begin, begin + k));
            proof
        }
    }
}

/// The sides of an inclusion path, leaf first (`true`: sibling on the
/// left), or `None` when `index` is not in the tree. No hashing.
fn inclusion_shape(index: u64, size: u64) -> Option<Vec<bool>> {
    if index >= size {
        return None;
    }
    let (mut m, mut n, mut sides) = (index, size, Vec::new());
    while n > 1 {
        let k = ref_split(n);
        if m < k {
            sides.push(false);
            n = k;
        } else {
            sides.push(true);
            m -= k;
            n -= k;
        }
    }
    sides.reverse();
    Some(sides)
}

#[derive(Debug, PartialEq)]
enum ConsistencyShape {
    /// Equal sizes: empty proof, equal roots.
    Same,
    /// Whether the proof starts with a seed hash, then the sides of the
    /// following hashes (`true`: on the left, part of the old tree).
    Path(bool, Vec<bool>),
}

/// Shape of SUBPROOF(old, D[new], true), or `None` for sizes RFC 9162
/// defines no proof for.
fn consistency_shape(old: u64, new: u64) -> Option<ConsistencyShape> {
    if old == 0 || old > new {
        return None;
    }
    if old == new {
        return Some(ConsistencyShape::Same);
    }
    let (mut m, mut n, mut b, mut sides) = (old, new, true, Vec::new());
    while m != n {
        let k = ref_split(n);
        if m <= k {
            sides.push(false);
            n = k;
        } else {
            sides.push(true);
            m -= k;
            n -= k;
            b = false;
        }
    }
    sides.reverse();
    Some(ConsistencyShape::Path(!b, sides))
}

// ---- The fixture: one log of 2,000 leaves, shared by every test ----

struct Fixture {
    log: Log<MemoryStore>,
    /// Leaf hashes by the reference hashing, not the crate's.
    leaves: Vec<Hash>,
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let data: Vec<Vec<u8>> = (0..MAX_SIZE).map(|i| format!("event {i}").into_bytes()).collect();
    let mut log = Log::new(MemoryStore::new());
    for leaf in &data {
        log.append(leaf).expect("in-memory append");
    }
    let leaves = data.iter().map(|leaf| ref_leaf(leaf)).collect();
    Fixture { log, leaves }
});

// The reference memoizes in a RefCell, so each test thread has its own.
thread_local! {
    static REFERENCE: Reference = Reference {
        leaves: FIXTURE.leaves.clone(),
        memo: RefCell::default(),
    };
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).expect("fits usize")
}

/// Deterministic sample of indexes below `size`: the edges, the split
/// points, and a spread from a fixed linear congruential sequence.
fn sample_below(size: u64, seed: u64) -> Vec<u64> {
    let mut picks = vec![0, 1, size / 2, size - 2, size - 1];
    let k = ref_split(size);
    picks.extend([k - 1, k, k + 1]);
    let mut x = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    for _ in 0..8 {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        picks.push((x >> 33) % size);
    }
    picks.retain(|&i| i < size);
    picks.sort_unstable();
    picks.dedup();
    picks
}

fn flip(bytes: &Hash, bit: usize) -> Hash {
    let mut flipped = *bytes;
    flipped[bit / 8] ^= 1 << (bit % 8);
    flipped
}

// ---- Roots ----

#[test]
fn incremental_roots_equal_the_recursive_definition_for_every_size() {
    let fixture = &*FIXTURE;
    REFERENCE.with(|reference| {
        assert_eq!(fixture.log.root(0).expect("root"), empty_root());
        for size in 0..=MAX_SIZE {
            let expected = reference.mth(0, size);
            assert_eq!(fixture.log.root(size).expect("root"), expected, "size {size}");
            let streamed = root_from_leaf_hashes(reference.leaves[..to_usize(size)].iter().copied());
            assert_eq!(streamed, expected, "streamed root, size {size}");
        }
    });
}

#[test]
fn batches_of_any_length_store_what_single_appends_store() {
    let fixture = &*FIXTURE;
    let mut log = Log::new(MemoryStore::new());
    let data: Vec<Vec<u8>> = (0..MAX_SIZE).map(|i| format!("event {i}").into_bytes()).collect();
    let (mut next, mut batch_len) = (0usize, 1usize);
    while next < data.len() {
        let end = (next + batch_len).min(data.len());
        let batch: Vec<&[u8]> = data[next..end].iter().map(Vec::as_slice).collect();
        let indexes = log.append_batch(&batch).expect("in-memory append");
        assert_eq!(indexes, next as u64..end as u64);
        next = end;
        batch_len = batch_len % 37 + 1;
    }
    assert_eq!(log.store().node_count(), fixture.log.store().node_count(), "a batch stored another set of nodes");
    for size in 0..=MAX_SIZE {
        assert_eq!(log.root(size).expect("root"), fixture.log.root(size).expect("root"));
    }
}

// ---- Inclusion ----

fn inclusion_indexes(size: u64) -> Vec<u64> {
    if size <= EXHAUSTIVE_INCLUSION_SIZES { (0..size).collect() } else { sample_below(size, size) }
}

#[test]
fn inclusion_proofs_verify_and_match_rfc_9162_for_every_size() {
    let fixture = &*FIXTURE;
    REFERENCE.with(|reference| {
        let mut proofs = 0;
        for size in 1..=MAX_SIZE {
            let root = fixture.log.root(size).expect("root");
            for index in inclusion_indexes(size) {
                let proof = fixture.log.inclusion_proof(index, size).expect("proof");
                assert_eq!(proof, reference.path(index, 0, size), "index {index}, size {size}");
                let leaf = reference.leaves[to_usize(index)];
                verify_inclusion(&leaf, index, size, &proof, &root)
                    .unwrap_or_else(|e| panic!("index {index}, size {size}: {e}"));
                proofs += 1;
            }
        }
        // 1 + 2 + ... + 200 exhaustively, then a sample of each larger size.
        assert!(proofs > 20_100 + 1_800 * 8, "only {proofs} proofs checked");
    });
}

/// What a single-bit change applies to.
#[derive(Clone, Copy, Debug)]
enum Part {
    Proof(usize),
    Root,
    LeafHash,
    Index,
    Size,
}

/// Verifies the inclusion proof of `index` in `size` with one bit of `part`
/// flipped, and checks the outcome: rejected, except for a size change that
/// keeps the path shape (see the module docs). Returns whether it verified.
fn check_inclusion_flip(index: u64, size: u64, part: Part, bit: usize) -> bool {
    let fixture = &*FIXTURE;
    let mut proof = fixture.log.inclusion_proof(index, size).expect("proof");
    let mut root = fixture.log.root(size).expect("root");
    let mut leaf = FIXTURE.leaves[to_usize(index)];
    let (mut claimed_index, mut claimed_size) = (index, size);
    match part {
        Part::Proof(i) => proof[i] = flip(&proof[i], bit),
        Part::Root => root = flip(&root, bit),
        Part::LeafHash => leaf = flip(&leaf, bit),
        Part::Index => claimed_index ^= 1 << (bit % 64),
        Part::Size => claimed_size ^= 1 << (bit % 64),
    }
    let verified = verify_inclusion(&leaf, claimed_index, claimed_size, &proof, &root).is_ok();
    let same_shape =
        matches!(part, Part::Size) && inclusion_shape(claimed_index, claimed_size) == inclusion_shape(index, size);
    assert_eq!(
        verified, same_shape,
        "index {index}, size {size}: flipping bit {bit} of {part:?} gave verified = {verified}"
    );
    verified
}

#[test]
fn inclusion_proofs_fail_on_every_single_bit_change_in_small_trees() {
    let (mut checked, mut undetectable_size_changes) = (0, 0);
    for size in 1..=SYSTEMATIC_TAMPER_INCLUSION_SIZES {
        for index in 0..size {
            let proof_len = FIXTURE.log.inclusion_proof(index, size).expect("proof").len();
            let mut parts: Vec<Part> = (0..proof_len).map(Part::Proof).collect();
            parts.extend([Part::Root, Part::LeafHash]);
            for part in parts {
                for bit in 0..256 {
                    assert!(!check_inclusion_flip(index, size, part, bit));
                    checked += 1;
                }
            }
            for bit in 0..64 {
                assert!(!check_inclusion_flip(index, size, Part::Index, bit));
                if check_inclusion_flip(index, size, Part::Size, bit) {
                    undetectable_size_changes += 1;
                }
                checked += 2;
            }
        }
    }
    assert!(checked > 500_000, "only {checked} flips checked");
    // E.g. leaf 0 of 7 leaves has the path shape of leaf 0 of 6 leaves.
    assert!(undetectable_size_changes > 0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]

    #[test]
    fn inclusion_proofs_fail_on_a_random_bit_change_in_large_trees(
        size in (SYSTEMATIC_TAMPER_INCLUSION_SIZES + 1)..=MAX_SIZE,
        index_seed in any::<u64>(),
        part in 0usize..5,
        element_seed in any::<usize>(),
        bit in 0usize..256,
    ) {
        let index = index_seed % size;
        let proof_len = FIXTURE.log.inclusion_proof(index, size).expect("proof").len();
        let part = match part {
            0 => Part::Proof(element_seed % proof_len),
            1 => Part::Root,
            2 => Part::LeafHash,
            3 => Part::Index,
            _ => Part::Size,
        };
        let verified = check_inclusion_flip(index, size, part, bit);
        prop_assert!(!verified || matches!(part, Part::Size));
    }
}

// ---- Consistency ----

fn consistency_old_sizes(new: u64) -> Vec<u64> {
    if new <= EXHAUSTIVE_CONSISTENCY_SIZES {
        (1..=new).collect()
    } else {
        let mut olds: Vec<u64> = sample_below(new, new.wrapping_mul(31)).into_iter().map(|i| i + 1).collect();
        olds.dedup();
        olds
    }
}

#[test]
fn consistency_proofs_verify_and_match_rfc_9162_for_every_size() {
    let fixture = &*FIXTURE;
    REFERENCE.with(|reference| {
        let mut proofs = 0;
        for new in 1..=MAX_SIZE {
            let new_root = fixture.log.root(new).expect("root");
            for old in consistency_old_sizes(new) {
                let old_root = fixture.log.root(old).expect("root");
                let proof = fixture.log.consistency_proof(old, new).expect("proof");
                let expected = if old == new { Vec::new() } else { reference.subproof(old, 0, new, true) };
                assert_eq!(proof, expected, "old {old}, new {new}");
                verify_consistency(old, new, &old_root, &new_root, &proof)
                    .unwrap_or_else(|e| panic!("old {old}, new {new}: {e}"));
                proofs += 1;
            }
        }
        assert!(proofs > 5_050 + 1_900 * 8, "only {proofs} proofs checked");
    });
}

#[derive(Clone, Copy, Debug)]
enum ConsistencyPart {
    Proof(usize),
    OldRoot,
    NewRoot,
    OldSize,
    NewSize,
}

/// Like [`check_inclusion_flip`], for the consistency proof from `old` to `new`.
fn check_consistency_flip(old: u64, new: u64, part: ConsistencyPart, bit: usize) -> bool {
    let fixture = &*FIXTURE;
    let mut proof = fixture.log.consistency_proof(old, new).expect("proof");
    let mut old_root = fixture.log.root(old).expect("root");
    let mut new_root = fixture.log.root(new).expect("root");
    let (mut claimed_old, mut claimed_new) = (old, new);
    match part {
        ConsistencyPart::Proof(i) => proof[i] = flip(&proof[i], bit),
        ConsistencyPart::OldRoot => old_root = flip(&old_root, bit),
        ConsistencyPart::NewRoot => new_root = flip(&new_root, bit),
        ConsistencyPart::OldSize => claimed_old ^= 1 << (bit % 64),
        ConsistencyPart::NewSize => claimed_new ^= 1 << (bit % 64),
    }
    let verified = verify_consistency(claimed_old, claimed_new, &old_root, &new_root, &proof).is_ok();
    let size_changed = matches!(part, ConsistencyPart::OldSize | ConsistencyPart::NewSize);
    let same_shape = size_changed
        && consistency_shape(claimed_old, claimed_new).is_some_and(|shape| Some(shape) == consistency_shape(old, new));
    assert_eq!(verified, same_shape, "old {old}, new {new}: flipping bit {bit} of {part:?} gave verified = {verified}");
    verified
}

#[test]
fn consistency_proofs_fail_on_every_single_bit_change_in_small_trees() {
    let (mut checked, mut undetectable_size_changes) = (0, 0);
    for new in 1..=SYSTEMATIC_TAMPER_CONSISTENCY_SIZES {
        for old in 1..=new {
            let proof_len = FIXTURE.log.consistency_proof(old, new).expect("proof").len();
            let mut parts: Vec<ConsistencyPart> = (0..proof_len).map(ConsistencyPart::Proof).collect();
            parts.extend([ConsistencyPart::OldRoot, ConsistencyPart::NewRoot]);
            for part in parts {
                for bit in 0..256 {
                    assert!(!check_consistency_flip(old, new, part, bit));
                    checked += 1;
                }
            }
            for bit in 0..64 {
                for part in [ConsistencyPart::OldSize, ConsistencyPart::NewSize] {
                    if check_consistency_flip(old, new, part, bit) {
                        undetectable_size_changes += 1;
                    }
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 200_000, "only {checked} flips checked");
    // E.g. from 1 to 7 leaves has the shape of from 1 to 6 leaves.
    assert!(undetectable_size_changes > 0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]

    #[test]
    fn consistency_proofs_fail_on_a_random_bit_change_in_large_trees(
        new in (SYSTEMATIC_TAMPER_CONSISTENCY_SIZES + 1)..=MAX_SIZE,
        old_seed in any::<u64>(),
        part in 0usize..5,
        element_seed in any::<usize>(),
        bit in 0usize..256,
    ) {
        // An old size below the new one, so that the proof is not empty.
        let old = old_seed % (new - 1) + 1;
        let proof_len = FIXTURE.log.consistency_proof(old, new).expect("proof").len();
        let part = match part {
            0 => ConsistencyPart::Proof(element_seed % proof_len),
            1 => ConsistencyPart::OldRoot,
            2 => ConsistencyPart::NewRoot,
            3 => ConsistencyPart::OldSize,
            _ => ConsistencyPart::NewSize,
        };
        let verified = check_consistency_flip(old, new, part, bit);
        prop_assert!(
            !verified || matches!(part, ConsistencyPart::OldSize | ConsistencyPart::NewSize)
        );
    }
}
