//! Proof verification, RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2
//! (consistency), step by step. Pure functions: no store, no key.
//!
//! The verifiers take byte strings, not [`Hash`]es, because they judge
//! untrusted input: a hash that is not 32 bytes is the verifier's to reject
//! (with a precise error), not a decoder's to lose on the way in. A
//! [`Hash`] (or a `Vec<Hash>`) passes as is.

use crate::hash::{HASH_LEN, Hash, node_hash_bytes};

/// Why a proof does not verify.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The leaf index is not inside the tree.
    #[error("leaf index {index} is not in a tree of size {size}")]
    IndexBeyondSize {
        /// The claimed leaf index.
        index: u64,
        /// The claimed tree size.
        size: u64,
    },
    /// The old tree is larger than the new one.
    #[error("old tree size {old_size} is larger than new tree size {new_size}")]
    OldSizeBeyondNewSize {
        /// The claimed old size.
        old_size: u64,
        /// The claimed new size.
        new_size: u64,
    },
    /// Every tree extends the empty tree, so a proof from it proves nothing;
    /// it is refused rather than accepted vacuously.
    #[error("a consistency proof from the empty tree proves nothing (new tree size {new_size})")]
    EmptyOldTree {
        /// The claimed new size.
        new_size: u64,
    },
    /// The leaf hash is not a SHA-256 hash.
    #[error("leaf hash is {len} bytes, not 32")]
    LeafHashLength {
        /// Its length.
        len: usize,
    },
    /// A proof element is not a SHA-256 hash.
    #[error("proof hash at position {position} is {len} bytes, not 32")]
    ProofHashLength {
        /// Its position in the proof, from 0.
        position: usize,
        /// Its length.
        len: usize,
    },
    /// The proof has the wrong number of hashes for the claimed sizes.
    #[error("proof has {got} hashes, but these tree sizes need {expected}")]
    ProofLength {
        /// Hashes in the proof.
        got: usize,
        /// Hashes a proof for these sizes has.
        expected: usize,
    },
    /// The inclusion proof leads to another root.
    #[error("inclusion proof does not lead to the expected root")]
    RootMismatch,
    /// The consistency proof does not lead to the old root.
    #[error("consistency proof does not lead to the old root")]
    OldRootMismatch,
    /// The consistency proof does not lead to the new root.
    #[error("consistency proof does not lead to the new root")]
    NewRootMismatch,
    /// Two different roots claimed for trees of the same size.
    #[error("roots differ for the same tree size {size}")]
    RootsDifferForSameSize {
        /// The tree size of both roots.
        size: u64,
    },
}

/// Verifies that `leaf_hash` is leaf `index` of the tree of `size` leaves
/// whose root is `root` (RFC 9162 §2.1.3.2).
///
/// The proof authenticates the leaf against the root, not the size: take
/// `size` and `root` together from a verified [`Checkpoint`](crate::Checkpoint).
pub fn verify_inclusion<P: AsRef<[u8]>>(
    leaf_hash: &[u8],
    index: u64,
    size: u64,
    proof: &[P],
    root: &[u8],
) -> Result<(), VerifyError> {
    // Step 1.
    if index >= size {
        return Err(VerifyError::IndexBeyondSize { index, size });
    }
    let leaf_hash: &Hash = leaf_hash.try_into().map_err(|_| VerifyError::LeafHashLength { len: leaf_hash.len() })?;
    check_hash_lengths(proof)?;
    let wrong_length = || VerifyError::ProofLength { got: proof.len(), expected: inclusion_proof_len(index, size) };
    // Steps 2 and 3.
    let (mut fnode, mut snode) = (index, size - 1);
    let mut r = *leaf_hash;
    // Step 4.
    for p in proof {
        let p = p.as_ref();
        if snode == 0 {
            return Err(wrong_length());
        }
        if fnode & 1 == 1 || fnode == snode {
            r = node_hash_bytes(p, &r);
            if fnode & 1 == 0 {
                while fnode & 1 == 0 && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            r = node_hash_bytes(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    // Step 5.
    if snode != 0 {
        return Err(wrong_length());
    }
    if r.as_slice() != root {
        return Err(VerifyError::RootMismatch);
    }
    Ok(())
}

/// Verifies that the tree of `old_size` leaves with root `old_root` is a
/// prefix of the tree of `new_size` leaves with root `new_root`
/// (RFC 9162 §2.1.4.2).
///
/// Edge cases: `old_size > new_size` and `old_size == 0` fail; equal sizes
/// verify only with an empty proof and equal roots.
pub fn verify_consistency<P: AsRef<[u8]>>(
    old_size: u64,
    new_size: u64,
    old_root: &[u8],
    new_root: &[u8],
    proof: &[P],
) -> Result<(), VerifyError> {
    if old_size > new_size {
        return Err(VerifyError::OldSizeBeyondNewSize { old_size, new_size });
    }
    if old_size == 0 {
        return Err(VerifyError::EmptyOldTree { new_size });
    }
    if old_size == new_size {
        if !proof.is_empty() {
            return Err(VerifyError::ProofLength { got: proof.len(), expected: 0 });
        }
        if old_root != new_root {
            return Err(VerifyError::RootsDifferForSameSize { size: old_size });
        }
        return Ok(());
    }
    check_hash_lengths(proof)?;
    let wrong_length =
        || VerifyError::ProofLength { got: proof.len(), expected: consistency_proof_len(old_size, new_size) };
    // Step 1.
    if proof.is_empty() {
        return Err(wrong_length());
    }
    // Step 2: a power-of-two old tree is itself a node of the new tree, so
    // its root starts the path instead of a proof element.
    let mut path = proof.iter().map(AsRef::as_ref);
    let first: &[u8] = if old_size.is_power_of_two() { old_root } else { path.next().unwrap_or_default() };
    // Step 3.
    let (mut fnode, mut snode) = (old_size - 1, new_size - 1);
    // Step 4.
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    // Step 5. Proof elements are 32 bytes by now; an old root that is not
    // cannot equal the SHA-256 output step 7 compares it with, so it fails
    // here already.
    let first: Hash = first.try_into().map_err(|_| VerifyError::OldRootMismatch)?;
    let (mut fr, mut sr) = (first, first);
    // Step 6.
    for c in path {
        if snode == 0 {
            return Err(wrong_length());
        }
        if fnode & 1 == 1 || fnode == snode {
            fr = node_hash_bytes(c, &fr);
            sr = node_hash_bytes(c, &sr);
            if fnode & 1 == 0 {
                while fnode & 1 == 0 && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            sr = node_hash_bytes(&sr, c);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    // Step 7.
    if snode != 0 {
        return Err(wrong_length());
    }
    if fr.as_slice() != old_root {
        return Err(VerifyError::OldRootMismatch);
    }
    if sr.as_slice() != new_root {
        return Err(VerifyError::NewRootMismatch);
    }
    Ok(())
}

fn check_hash_lengths<P: AsRef<[u8]>>(proof: &[P]) -> Result<(), VerifyError> {
    match proof.iter().position(|p| p.as_ref().len() != HASH_LEN) {
        Some(position) => Err(VerifyError::ProofHashLength { position, len: proof[position].as_ref().len() }),
        None => Ok(()),
    }
}

/// Number of hashes in the inclusion proof for leaf `index` of a tree of
/// `size` leaves (`index < size`): the siblings below the point where the
/// leaf's path leaves the right edge of the tree, plus one per complete
/// subtree to the left of the leaf above that point.
pub(crate) fn inclusion_proof_len(index: u64, size: u64) -> usize {
    let inner = 64 - (index ^ (size - 1)).leading_zeros();
    let border = index.checked_shr(inner).unwrap_or(0).count_ones();
    (inner + border) as usize
}

/// Number of hashes in the consistency proof from `old_size` to `new_size`
/// (`0 < old_size < new_size`): the inclusion proof of the old tree's last
/// leaf, less the levels inside the old tree's last complete subtree, plus
/// that subtree's root unless it is the whole old tree.
pub(crate) fn consistency_proof_len(old_size: u64, new_size: u64) -> usize {
    let shift = old_size.trailing_zeros() as usize;
    let seed = usize::from(!old_size.is_power_of_two());
    inclusion_proof_len(old_size - 1, new_size) - shift + seed
}
