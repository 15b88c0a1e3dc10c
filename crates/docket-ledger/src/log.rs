//! The append-only log: appends store only new complete subtrees; roots and
//! proofs for any past size are read back from them in O(log n) lookups.

use std::ops::Range;

use crate::hash::{Hash, empty_root, leaf_hash, node_hash, split_point};
use crate::store::HashStore;

/// What can go wrong reading or writing the log.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError<E> {
    /// The backing [`HashStore`] failed.
    #[error("hash store failed")]
    Store(#[source] E),
    /// A tree size larger than the log was asked for.
    #[error("tree size {requested} is beyond the log's size {size}")]
    SizeBeyondLog {
        /// The size asked for.
        requested: u64,
        /// The log's size.
        size: u64,
    },
    /// An inclusion proof was asked for a leaf outside the tree.
    #[error("leaf index {index} is not in a tree of size {size}")]
    IndexBeyondSize {
        /// The leaf index asked for.
        index: u64,
        /// The tree size asked for.
        size: u64,
    },
    /// A consistency proof was asked for sizes outside `0 < old <= new`.
    #[error("no consistency proof from size {old_size} to size {new_size}: it needs 0 < old size <= new size")]
    InvalidConsistencySizes {
        /// The older tree size.
        old_size: u64,
        /// The newer tree size.
        new_size: u64,
    },
    /// The store lacks a node that its size says it has: it was truncated or
    /// tampered with.
    #[error("hash store has no node at level {level}, index {index}, though its size covers it")]
    MissingNode {
        /// Level of the missing node (0 = leaves).
        level: u8,
        /// Index of the missing node at its level.
        index: u64,
    },
    /// The log holds 2^64 - 1 leaves and can take no more.
    #[error("log is full")]
    Full,
}

/// A tamper-evident append-only Merkle log (RFC 9162 hashing) over a
/// [`HashStore`].
///
/// `Log` keeps no state of its own: every call reads the store, so a `Log`
/// can be built for the length of one database transaction
/// (`Log::new(&mut tx_store)`) and what a rolled-back transaction wrote
/// leaves no trace in it.
#[derive(Debug)]
pub struct Log<S> {
    store: S,
}

impl<S: HashStore> Log<S> {
    /// A log over `store`, whatever size the store already has.
    pub fn new(store: S) -> Self {
        Self { store }
    }

    /// The backing store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Gives the backing store back.
    pub fn into_store(self) -> S {
        self.store
    }

    /// Number of leaves in the log.
    pub fn size(&self) -> Result<u64, LedgerError<S::Error>> {
        self.store.size().map_err(LedgerError::Store)
    }

    /// Appends one leaf and returns its index.
    ///
    /// Stores the leaf hash and the hash of every complete subtree the leaf
    /// completes (one per trailing one bit of the old size, so at most
    /// log2(n)), reading only the left siblings it merges with.
    pub fn append(&mut self, leaf_data: &[u8]) -> Result<u64, LedgerError<S::Error>> {
        self.append_leaf_hashes([leaf_hash(leaf_data)]).map(|indexes| indexes.start)
    }

    /// Appends leaves in order and returns the range of their indexes, with
    /// one [`HashStore::put`] and one [`HashStore::set_size`] for the batch.
    /// An empty batch writes nothing.
    pub fn append_batch(&mut self, leaves: &[&[u8]]) -> Result<Range<u64>, LedgerError<S::Error>> {
        self.append_leaf_hashes(leaves.iter().map(|data| leaf_hash(data)))
    }

    /// Appends leaves by their hashes (`leaf_hash` of each leaf's bytes), for callers that
    /// already hashed them; see [`Log::append_batch`].
    pub fn append_leaf_hashes<I>(&mut self, leaf_hashes: I) -> Result<Range<u64>, LedgerError<S::Error>>
    where
        I: IntoIterator<Item = Hash>,
    {
        let start = self.size()?;
        let mut size = start;
        // Right-edge subtrees known without a lookup: `frontier[level]` is the
        // complete subtree at `level` that ends at `size`, when bit `level` of
        // `size` is set. Those from before the batch are read on first use.
        let mut frontier: [Option<Hash>; 64] = [None; 64];
        let leaf_hashes = leaf_hashes.into_iter();
        // A batch of n leaves completes fewer than 2n nodes, leaves included.
        let mut nodes = Vec::with_capacity(leaf_hashes.size_hint().0.saturating_mul(2));
        for leaf in leaf_hashes {
            // Checked first: below 2^64 - 1, `size` has at most 63 trailing
            // ones, so `level` stays inside `frontier`.
            let next = size.checked_add(1).ok_or(LedgerError::Full)?;
            let mut hash = leaf;
            let mut level = 0u8;
            let mut index = size;
            nodes.push((level, index, hash));
            while index & 1 == 1 {
                let left = match frontier[usize::from(level)].take() {
                    Some(left) => left,
                    None => self.node(level, index - 1)?,
                };
                hash = node_hash(&left, &hash);
                level += 1;
                index >>= 1;
                nodes.push((level, index, hash));
            }
            frontier[usize::from(level)] = Some(hash);
            size = next;
        }
        if size == start {
            return Ok(start..start);
        }
        self.store.put(&nodes).map_err(LedgerError::Store)?;
        self.store.set_size(size).map_err(LedgerError::Store)?;
        Ok(start..size)
    }

    /// Root of the tree over the first `size` leaves, for any `size` up to the
    /// log's: one lookup per set bit of `size`.
    pub fn root(&self, size: u64) -> Result<Hash, LedgerError<S::Error>> {
        self.check_size(size)?;
        if size == 0 {
            return Ok(empty_root());
        }
        self.range_hash(0, size)
    }

    /// Inclusion proof (RFC 9162 §2.1.3.1) for leaf `index` in the tree of the
    /// first `size` leaves: the sibling hashes from the leaf up to the root.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, LedgerError<S::Error>> {
        self.check_size(size)?;
        if index >= size {
            return Err(LedgerError::IndexBeyondSize { index, size });
        }
        // Walk down from the root, noting each sibling's leaf range.
        let mut siblings = Vec::new();
        let (mut begin, mut end) = (0, size);
        while end - begin > 1 {
            let split = begin + split_point(end - begin);
            if index < split {
                siblings.push((split, end));
                end = split;
            } else {
                siblings.push((begin, split));
                begin = split;
            }
        }
        // At most one sibling is incomplete (the first right sibling taken),
        // so this costs O(log n) lookups in all.
        siblings.iter().rev().map(|&(begin, end)| self.range_hash(begin, end)).collect()
    }

    /// Consistency proof (RFC 9162 §2.1.4.1) that the tree of the first
    /// `old_size` leaves is a prefix of the tree of the first `new_size`.
    /// Empty when the sizes are equal; an error for `old_size == 0`, which
    /// every tree extends and which [`verify_consistency`](crate::verify_consistency)
    /// rejects.
    pub fn consistency_proof(&self, old_size: u64, new_size: u64) -> Result<Vec<Hash>, LedgerError<S::Error>> {
        self.check_size(new_size)?;
        if old_size == 0 || old_size > new_size {
            return Err(LedgerError::InvalidConsistencySizes { old_size, new_size });
        }
        // SUBPROOF(m, D[begin:end], b), unrolled: `old_size` is the absolute
        // end of the old tree and `b` says whether D[begin:old_size] is
        // itself a root the verifier already knows.
        let mut known_old_root = true;
        let mut seed = None;
        let mut siblings = Vec::new();
        let (mut begin, mut end) = (0, new_size);
        while old_size != end {
            let split = begin + split_point(end - begin);
            if old_size <= split {
                siblings.push((split, end));
                end = split;
            } else {
                siblings.push((begin, split));
                begin = split;
                known_old_root = false;
            }
        }
        if !known_old_root {
            seed = Some((begin, end));
        }
        seed.into_iter().chain(siblings.into_iter().rev()).map(|(begin, end)| self.range_hash(begin, end)).collect()
    }

    fn check_size(&self, requested: u64) -> Result<(), LedgerError<S::Error>> {
        let size = self.size()?;
        if requested > size {
            return Err(LedgerError::SizeBeyondLog { requested, size });
        }
        Ok(())
    }

    /// Hash of a stored complete subtree; its absence means a damaged store.
    fn node(&self, level: u8, index: u64) -> Result<Hash, LedgerError<S::Error>> {
        self.store.get(level, index).map_err(LedgerError::Store)?.ok_or(LedgerError::MissingNode { level, index })
    }

    /// Hash of the RFC 9162 subtree over leaves `begin..end`, where `begin` is
    /// a multiple of the smallest power of two not below `end - begin` (every
    /// node of an RFC 9162 tree, complete or not, has this form). The range
    /// splits into complete stored subtrees of decreasing size, which fold
    /// from the right exactly as the recursive definition nests them.
    fn range_hash(&self, begin: u64, end: u64) -> Result<Hash, LedgerError<S::Error>> {
        debug_assert!(begin < end, "empty range {begin}..{end}");
        let mut parts = Vec::new();
        let mut position = begin;
        while position < end {
            let level = position.trailing_zeros().min(63 - (end - position).leading_zeros());
            // `level` is at most 63, so it fits in a u8.
            parts.push(self.node(level as u8, position >> level)?);
            position += 1 << level;
        }
        let mut parts = parts.into_iter().rev();
        let mut hash = parts.next().unwrap_or_else(empty_root);
        for left in parts {
            hash = node_hash(&left, &hash);
        }
        Ok(hash)
    }
}
