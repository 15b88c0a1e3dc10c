//! Streaming root computation: a tree recomputed from its leaves with an
//! O(log n) stack and no store, for `ledger verify` over millions of leaves.

use crate::hash::{Hash, empty_root, node_hash};

/// Computes tree roots while leaf hashes stream past, keeping only the roots
/// of the complete subtrees on the tree's right edge (at most 64 hashes).
///
/// Push every leaf hash in index order; [`root`](Self::root) is then the
/// RFC 9162 root of the leaves pushed so far, so a verifier can compare it
/// with each signed checkpoint as the stream passes the checkpoint's size.
#[derive(Clone, Debug, Default)]
pub struct RootAccumulator {
    size: u64,
    // INVARIANT: `frontier` holds one hash per set bit of `size`, from the
    // highest bit (leftmost, largest subtree) to the lowest.
    frontier: Vec<Hash>,
}

impl RootAccumulator {
    /// An accumulator over no leaves.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of leaves pushed so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends the next leaf hash (see [`leaf_hash`](crate::leaf_hash)).
    pub fn push(&mut self, leaf_hash: Hash) {
        self.push_reporting(leaf_hash, |_, _, _| {});
    }

    /// Appends the next leaf hash and calls `completed(level, index, hash)`
    /// for each complete subtree above the leaf that it completes, lowest
    /// first (node `(level, index)` covers leaves `index * 2^level ..
    /// (index + 1) * 2^level`): what a store of subtree hashes should hold.
    pub fn push_reporting(&mut self, leaf_hash: Hash, mut completed: impl FnMut(u8, u64, &Hash)) {
        // Each trailing one bit of `size` is a complete subtree that the new
        // leaf completes into a subtree twice its size.
        let merges = self.size.trailing_ones() as usize;
        let keep = self.frontier.len() - merges;
        let mut hash = leaf_hash;
        let mut level = 0u8;
        for left in self.frontier.drain(keep..).rev() {
            hash = node_hash(&left, &hash);
            level += 1;
            completed(level, self.size >> level, &hash);
        }
        self.frontier.push(hash);
        self.size += 1;
    }

    /// Root of the tree over the leaves pushed so far, in O(log n) hashes.
    pub fn root(&self) -> Hash {
        let mut subtrees = self.frontier.iter().rev();
        let Some(last) = subtrees.next() else {
            return empty_root();
        };
        subtrees.fold(*last, |right, left| node_hash(left, &right))
    }
}

/// Root of the tree over `leaf_hashes`, streamed in index order with an
/// O(log n) stack: no store, one interior hash per leaf on average.
pub fn root_from_leaf_hashes<I>(leaf_hashes: I) -> Hash
where
    I: IntoIterator<Item = Hash>,
{
    let mut accumulator = RootAccumulator::new();
    for leaf_hash in leaf_hashes {
        accumulator.push(leaf_hash);
    }
    accumulator.root()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::leaf_hash;

    #[test]
    fn frontier_holds_one_hash_per_set_bit_of_size() {
        let mut accumulator = RootAccumulator::new();
        for i in 0u64..300 {
            accumulator.push(leaf_hash(&i.to_be_bytes()));
            assert_eq!(accumulator.frontier.len(), accumulator.size.count_ones() as usize);
        }
    }

    #[test]
    fn reported_subtrees_are_the_ones_a_log_stores() {
        let mut store = crate::MemoryStore::new();
        let mut log = crate::Log::new(&mut store);
        let mut accumulator = RootAccumulator::new();
        let mut reported = Vec::new();
        for i in 0u64..300 {
            let leaf = leaf_hash(&i.to_be_bytes());
            log.append_leaf_hashes([leaf]).expect("append");
            accumulator.push_reporting(leaf, |level, index, hash| reported.push((level, index, *hash)));
        }
        // Every complete subtree above the leaves, each once, with the log's own hash.
        let expected: usize = (1..=8).map(|level| 300usize >> level).sum();
        assert_eq!(reported.len(), expected);
        for (level, index, hash) in reported {
            assert_eq!(crate::HashStore::get(&store, level, index).expect("get"), Some(hash), "({level}, {index})");
        }
    }

    #[test]
    fn empty_stream_has_the_empty_root() {
        assert_eq!(root_from_leaf_hashes([]), empty_root());
    }

    #[test]
    fn small_trees_follow_rfc_shape() {
        let l: Vec<Hash> = (0u8..3).map(|i| leaf_hash(&[i])).collect();
        assert_eq!(root_from_leaf_hashes([l[0]]), l[0]);
        assert_eq!(root_from_leaf_hashes([l[0], l[1]]), node_hash(&l[0], &l[1]));
        assert_eq!(root_from_leaf_hashes(l.iter().copied()), node_hash(&node_hash(&l[0], &l[1]), &l[2]));
    }
}
