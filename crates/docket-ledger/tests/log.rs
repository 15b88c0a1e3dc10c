//! The log's contract with its store: what an append writes and reads, what
//! a root or proof reads, and how store failures and damage surface.

use std::cell::Cell;
use std::collections::HashSet;

use docket_ledger::{Hash, HashStore, LedgerError, Log, MemoryStore, VerifyError, empty_root};
use docket_ledger::{leaf_hash, node_hash, verify_consistency, verify_inclusion};

/// A [`MemoryStore`] that counts calls and can hide nodes or fail writes.
#[derive(Default)]
struct ProbeStore {
    inner: MemoryStore,
    gets: Cell<usize>,
    puts: usize,
    nodes_put: usize,
    set_sizes: usize,
    hidden: HashSet<(u8, u64)>,
    fail_puts: bool,
}

#[derive(Debug, thiserror::Error)]
#[error("disk on fire")]
struct DiskOnFire;

impl HashStore for ProbeStore {
    type Error = DiskOnFire;

    fn size(&self) -> Result<u64, DiskOnFire> {
        Ok(self.inner.size().unwrap_or_else(|never| match never {}))
    }

    fn get(&self, level: u8, index: u64) -> Result<Option<Hash>, DiskOnFire> {
        self.gets.set(self.gets.get() + 1);
        if self.hidden.contains(&(level, index)) {
            return Ok(None);
        }
        Ok(self.inner.get(level, index).unwrap_or_else(|never| match never {}))
    }

    fn put(&mut self, nodes: &[(u8, u64, Hash)]) -> Result<(), DiskOnFire> {
        if self.fail_puts {
            return Err(DiskOnFire);
        }
        self.puts += 1;
        self.nodes_put += nodes.len();
        self.inner.put(nodes).unwrap_or_else(|never| match never {});
        Ok(())
    }

    fn set_size(&mut self, size: u64) -> Result<(), DiskOnFire> {
        self.set_sizes += 1;
        self.inner.set_size(size).unwrap_or_else(|never| match never {});
        Ok(())
    }
}

fn bit_length(n: u64) -> usize {
    (64 - n.leading_zeros()) as usize
}

#[test]
fn an_append_writes_the_leaf_and_the_subtrees_it_completes_and_reads_only_their_left_halves() {
    let mut store = ProbeStore::default();
    let mut log = Log::new(&mut store);
    for n in 0u64..1_100 {
        let (gets, nodes) = (log.store().gets.get(), log.store().nodes_put);
        assert_eq!(log.append(&n.to_be_bytes()).expect("append"), n);
        let completed = n.trailing_ones() as usize;
        assert_eq!(log.store().nodes_put - nodes, 1 + completed, "append {n}");
        // One size() read, no node read beyond the merged left siblings.
        assert_eq!(log.store().gets.get() - gets, completed, "append {n}");
    }
    assert_eq!(store.puts, 1_100);
    assert_eq!(store.set_sizes, 1_100);
}

#[test]
fn roots_and_proofs_read_logarithmically_many_nodes() {
    let mut log = Log::new(ProbeStore::default());
    let leaves: Vec<Vec<u8>> = (0u64..1_100).map(|i| i.to_be_bytes().to_vec()).collect();
    let batch: Vec<&[u8]> = leaves.iter().map(Vec::as_slice).collect();
    log.append_batch(&batch).expect("append");
    let reads = |log: &Log<ProbeStore>, f: &dyn Fn(&Log<ProbeStore>)| {
        let before = log.store().gets.get();
        f(log);
        log.store().gets.get() - before
    };
    for size in 1u64..=1_100 {
        let root_reads = reads(&log, &|log| {
            log.root(size).expect("root");
        });
        assert_eq!(root_reads, size.count_ones() as usize, "root of {size}");
        let bound = 2 * bit_length(size) + 1;
        for index in [0, size / 3, size / 2, size - 1] {
            let proof_reads = reads(&log, &|log| {
                log.inclusion_proof(index, size).expect("proof");
            });
            assert!(proof_reads <= bound, "inclusion {index}/{size}: {proof_reads} reads");
            let old = index + 1;
            let proof_reads = reads(&log, &|log| {
                log.consistency_proof(old, size).expect("proof");
            });
            assert!(proof_reads <= bound, "consistency {old}/{size}: {proof_reads} reads");
        }
    }
}

#[test]
fn a_batch_writes_once_and_an_empty_batch_not_at_all() {
    let mut store = ProbeStore::default();
    let mut log = Log::new(&mut store);
    assert_eq!(log.append_batch(&[]).expect("append"), 0..0);
    assert_eq!(log.append_batch(&[b"a", b"b", b"c"]).expect("append"), 0..3);
    assert_eq!(log.append_batch(&[]).expect("append"), 3..3);
    assert_eq!(log.append_batch(&[b"d", b"e"]).expect("append"), 3..5);
    assert_eq!((store.puts, store.set_sizes), (2, 2));
    // Leaves 0..5 store leaves, (1,0), (1,1) and (2,0): 5 + 3 nodes.
    assert_eq!(store.nodes_put, 8);
    assert_eq!(store.inner.node_count(), 8);
}

#[test]
fn roots_of_small_trees_follow_rfc_9162_shape() {
    let mut log = Log::new(MemoryStore::new());
    let l: Vec<Hash> = (0u8..5).map(|i| leaf_hash(&[i])).collect();
    for i in 0u8..5 {
        log.append(&[i]).expect("append");
    }
    let n01 = node_hash(&l[0], &l[1]);
    let n23 = node_hash(&l[2], &l[3]);
    assert_eq!(log.root(0).expect("root"), empty_root());
    assert_eq!(log.root(1).expect("root"), l[0]);
    assert_eq!(log.root(3).expect("root"), node_hash(&n01, &l[2]));
    assert_eq!(log.root(5).expect("root"), node_hash(&node_hash(&n01, &n23), &l[4]));
}

#[test]
fn requests_outside_the_log_are_refused() {
    let mut log = Log::new(MemoryStore::new());
    log.append_batch(&[b"a", b"b", b"c"]).expect("append");
    assert!(matches!(log.root(4), Err(LedgerError::SizeBeyondLog { requested: 4, size: 3 })));
    assert!(matches!(log.inclusion_proof(3, 3), Err(LedgerError::IndexBeyondSize { index: 3, size: 3 })));
    assert!(matches!(log.inclusion_proof(0, 4), Err(LedgerError::SizeBeyondLog { .. })));
    assert!(matches!(
        log.consistency_proof(0, 3),
        Err(LedgerError::InvalidConsistencySizes { old_size: 0, new_size: 3 })
    ));
    assert!(matches!(
        log.consistency_proof(3, 2),
        Err(LedgerError::InvalidConsistencySizes { old_size: 3, new_size: 2 })
    ));
    assert!(matches!(log.consistency_proof(2, 4), Err(LedgerError::SizeBeyondLog { .. })));
    assert_eq!(log.consistency_proof(3, 3).expect("proof"), Vec::<Hash>::new());
    let root = log.root(3).expect("root");
    verify_consistency(3, 3, &root, &root, &log.consistency_proof(3, 3).expect("proof")).expect("equal sizes verify");
    assert_eq!(log.root(4).expect_err("beyond").to_string(), "tree size 4 is beyond the log's size 3");
}

#[test]
fn a_store_missing_a_node_is_reported_not_papered_over() {
    let mut log = Log::new(ProbeStore::default());
    log.append_batch(&[b"a", b"b", b"c", b"d", b"e"]).expect("append");
    let mut store = log.into_store();
    store.hidden.insert((2, 0));
    let mut log = Log::new(store);
    assert!(matches!(log.root(5), Err(LedgerError::MissingNode { level: 2, index: 0 })));
    assert!(matches!(log.inclusion_proof(4, 5), Err(LedgerError::MissingNode { level: 2, index: 0 })));
    // Appending leaf 7 needs the hidden subtree (2, 0) to build (3, 0).
    log.append_batch(&[b"f", b"g"]).expect("append");
    assert!(matches!(log.append(b"h"), Err(LedgerError::MissingNode { level: 2, index: 0 })));
    assert_eq!(log.size().expect("size"), 7, "a failed append must not move the size");
}

#[test]
fn a_failing_store_fails_the_append_and_keeps_the_size() {
    let mut store = ProbeStore::default();
    let mut log = Log::new(&mut store);
    log.append(b"a").expect("append");
    let store = log.into_store();
    store.fail_puts = true;
    let mut log = Log::new(&mut *store);
    let error = log.append(b"b").expect_err("put fails");
    assert!(matches!(error, LedgerError::Store(DiskOnFire)));
    assert_eq!(error.to_string(), "hash store failed");
    let source = std::error::Error::source(&error).expect("source");
    assert_eq!(source.to_string(), "disk on fire");
    assert_eq!(log.size().expect("size"), 1);
    assert_eq!(store.set_sizes, 1);
}

#[test]
fn proofs_of_the_wrong_length_say_which_length_was_expected() {
    let mut log = Log::new(MemoryStore::new());
    let leaves: Vec<Vec<u8>> = (0u64..300).map(|i| i.to_be_bytes().to_vec()).collect();
    let batch: Vec<&[u8]> = leaves.iter().map(Vec::as_slice).collect();
    log.append_batch(&batch).expect("append");
    for size in 1u64..=300 {
        let root = log.root(size).expect("root");
        for index in [0, size / 2, size - 1] {
            let leaf = leaf_hash(&leaves[usize::try_from(index).expect("small")]);
            let mut proof = log.inclusion_proof(index, size).expect("proof");
            let expected = proof.len();
            proof.push(root);
            assert_eq!(
                verify_inclusion(&leaf, index, size, &proof, &root),
                Err(VerifyError::ProofLength { got: expected + 1, expected })
            );
            proof.truncate(expected.saturating_sub(1));
            if expected > 0 {
                assert_eq!(
                    verify_inclusion(&leaf, index, size, &proof, &root),
                    Err(VerifyError::ProofLength { got: expected - 1, expected })
                );
            }
        }
        for old in [1, size / 2, size - 1].into_iter().filter(|&old| old > 0 && old < size) {
            let old_root = log.root(old).expect("root");
            let mut proof = log.consistency_proof(old, size).expect("proof");
            let expected = proof.len();
            proof.push(root);
            assert_eq!(
                verify_consistency(old, size, &old_root, &root, &proof),
                Err(VerifyError::ProofLength { got: expected + 1, expected })
            );
            proof.truncate(expected - 1);
            assert_eq!(
                verify_consistency(old, size, &old_root, &root, &proof),
                Err(VerifyError::ProofLength { got: expected - 1, expected })
            );
        }
    }
}

#[test]
fn verifiers_name_the_hash_that_is_not_32_bytes() {
    let mut log = Log::new(MemoryStore::new());
    log.append_batch(&[b"a", b"b", b"c"]).expect("append");
    let root = log.root(3).expect("root");
    let proof: Vec<Vec<u8>> = log.inclusion_proof(0, 3).expect("proof").iter().map(|hash| hash.to_vec()).collect();
    assert_eq!(verify_inclusion(&[0u8; 31], 0, 3, &proof, &root), Err(VerifyError::LeafHashLength { len: 31 }));
    let mut short = proof.clone();
    short[1].pop();
    assert_eq!(
        verify_inclusion(&leaf_hash(b"a"), 0, 3, &short, &root),
        Err(VerifyError::ProofHashLength { position: 1, len: 31 })
    );
    verify_inclusion(&leaf_hash(b"a"), 0, 3, &proof, &root).expect("byte-string proof verifies");
}

#[test]
fn a_full_log_refuses_appends_without_panicking() {
    let mut store = MemoryStore::new();
    store.set_size(u64::MAX).unwrap_or_else(|never| match never {});
    let mut log = Log::new(store);
    assert!(matches!(log.append(b"one too many"), Err(LedgerError::Full)));
    // A store claiming a size it does not hold is reported as damaged.
    assert!(matches!(log.root(u64::MAX), Err(LedgerError::MissingNode { level: 63, index: 0 })));
}
