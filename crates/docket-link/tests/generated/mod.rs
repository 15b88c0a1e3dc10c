//! A small deterministic generator for the tests that build tables of made-up people
//! (`calibration.rs`, `related_kinds.rs`): splitmix64, and words made of syllables.

const SYLLABLES: &[&str] = &[
    "ba", "ce", "di", "fo", "gu", "ka", "le", "mi", "no", "pu", "ra", "se", "ti", "vo", "zu", "bre", "clo", "dra",
    "fli", "gro", "tla", "xen", "yor", "que", "hua",
];

/// splitmix64 from a seed.
pub struct Rng(pub u64);

impl Rng {
    /// The next number.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// A made-up word of `syllables` syllables.
    pub fn word(&mut self, syllables: usize) -> String {
        (0..syllables).map(|_| SYLLABLES[self.below(SYLLABLES.len())]).collect()
    }
}
