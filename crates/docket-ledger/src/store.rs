//! The storage seam: where the log keeps its hashes. This crate implements it
//! in memory; `docket-store` implements it in SQL, inside the transaction that
//! writes the change a leaf records.

use std::collections::HashMap;
use std::convert::Infallible;

use crate::hash::Hash;

/// Where the log keeps its hashes.
///
/// A node is named by its `level` (0 = leaves) and its `index` at that level;
/// node `(level, index)` is the complete subtree over leaves
/// `index * 2^level .. (index + 1) * 2^level`. Only complete subtrees are ever
/// stored, so a stored node never changes once the log has grown past it.
///
/// Each [`Log::append`](crate::Log::append) or
/// [`Log::append_batch`](crate::Log::append_batch) calls [`put`](Self::put)
/// once and then [`set_size`](Self::set_size) once; an implementation backed by
/// a database must commit both in the same transaction as whatever the leaves
/// record, and roll both back together.
pub trait HashStore {
    /// What can go wrong in the backing storage.
    type Error: std::error::Error + Send + Sync + 'static;

    /// Number of leaves.
    fn size(&self) -> Result<u64, Self::Error>;

    /// Hash of the complete subtree at `level` (0 = leaves) and `index`
    /// (position at that level), if stored.
    fn get(&self, level: u8, index: u64) -> Result<Option<Hash>, Self::Error>;

    /// Stores node hashes (the caller commits them atomically with whatever
    /// else it writes).
    fn put(&mut self, nodes: &[(u8, u64, Hash)]) -> Result<(), Self::Error>;

    /// Records the new size.
    fn set_size(&mut self, size: u64) -> Result<(), Self::Error>;
}

/// Lets a [`Log`](crate::Log) borrow a store, such as one bound to a
/// database transaction, instead of owning it.
impl<S: HashStore + ?Sized> HashStore for &mut S {
    type Error = S::Error;

    fn size(&self) -> Result<u64, Self::Error> {
        (**self).size()
    }

    fn get(&self, level: u8, index: u64) -> Result<Option<Hash>, Self::Error> {
        (**self).get(level, index)
    }

    fn put(&mut self, nodes: &[(u8, u64, Hash)]) -> Result<(), Self::Error> {
        (**self).put(nodes)
    }

    fn set_size(&mut self, size: u64) -> Result<(), Self::Error> {
        (**self).set_size(size)
    }
}

/// A [`HashStore`] in a `HashMap`, for tests and for callers that rebuild a
/// tree in memory. It cannot fail.
#[derive(Clone, Debug, Default)]
pub struct MemoryStore {
    size: u64,
    nodes: HashMap<(u8, u64), Hash>,
}

impl MemoryStore {
    /// An empty store: a log of size 0.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of node hashes stored (leaves included).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }
}

impl HashStore for MemoryStore {
    type Error = Infallible;

    fn size(&self) -> Result<u64, Infallible> {
        Ok(self.size)
    }

    fn get(&self, level: u8, index: u64) -> Result<Option<Hash>, Infallible> {
        Ok(self.nodes.get(&(level, index)).copied())
    }

    fn put(&mut self, nodes: &[(u8, u64, Hash)]) -> Result<(), Infallible> {
        self.nodes.extend(nodes.iter().map(|&(level, index, hash)| ((level, index), hash)));
        Ok(())
    }

    fn set_size(&mut self, size: u64) -> Result<(), Infallible> {
        self.size = size;
        Ok(())
    }
}
