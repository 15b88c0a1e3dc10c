//! A fast, non-cryptographic hasher for the engine's hash maps (value counts, ids, patterns).
//!
//! The keys are the engine's own data, hashed millions of times per job; SipHash's resistance
//! to chosen keys buys nothing here and costs several times the time. This is the "Fx" hash
//! of the Rust compiler and Firefox: a rotate, a xor and a multiply per word, and a final
//! rotate (as in rustc-hash 2).

use std::hash::{BuildHasherDefault, Hasher};

/// A `HashMap` with [`FxHasher`].
pub type FxHashMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<FxHasher>>;
/// A `HashSet` with [`FxHasher`].
pub type FxHashSet<K> = std::collections::HashSet<K, BuildHasherDefault<FxHasher>>;

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

/// The Fx hasher.
#[derive(Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 56));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u16(&mut self, i: u16) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    /// The state turned so that its best-mixed bits come out lowest. A multiply carries
    /// every input bit only upwards: the low bits of the state hold nothing of the high bits
    /// of the last word, and hash tables pick a bucket by the low bits. Ids such as
    /// `rec-1234-org`, whose first eight bytes differ only in their high half, put a
    /// million rows into a few dozen buckets without this turn.
    #[inline]
    fn finish(&self) -> u64 {
        self.hash.rotate_left(26)
    }
}

/// The 64-bit hash values are grouped and looked up by.
pub(crate) fn hash_str(v: &str) -> u64 {
    let mut h = crate::fx::FxHasher::default();
    std::hash::Hasher::write(&mut h, v.as_bytes());
    std::hash::Hasher::finish(&h)
}

#[cfg(test)]
mod tests {
    use std::hash::{BuildHasher, BuildHasherDefault};

    use super::FxHasher;

    /// Hash tables take a bucket from the low bits: keys that differ only in the high bytes of
    /// a word must still spread over them.
    #[test]
    fn ids_alike_in_their_first_word_spread_over_the_low_bits() {
        let build = BuildHasherDefault::<FxHasher>::default();
        let n = 10_000;
        let id = |k: u64| format!("rec-{k}-org");
        // Both as a string key and as the `u64` of a string's hash used as a key again.
        let low: std::collections::HashSet<u64> = (0..n).map(|k| build.hash_one(id(k).as_str()) & 0xffff).collect();
        let twice: std::collections::HashSet<u64> =
            (0..n).map(|k| build.hash_one(build.hash_one(id(k).as_str())) & 0xffff).collect();
        // 10,000 keys thrown at 65,536 buckets at random fill about 9,300 of them; without the
        // final turn these fill 1,744.
        for (how, filled) in [("once", low.len()), ("twice", twice.len())] {
            assert!(filled > 7_500, "hashed {how}: {filled} distinct low 16 bits of {n} keys");
        }
    }
}
