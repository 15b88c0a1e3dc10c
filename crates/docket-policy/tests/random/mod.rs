//! Random case facts for the differential test and the benchmark: a seeded generator, and
//! facts drawn around the values the policies test.

#![allow(dead_code, reason = "each includer uses part of it")]

use docket_policy::facts::{CaseFacts, Fact, FactType, FactValue};

/// splitmix64: a seeded generator, so a failure is reproducible.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

pub fn date(rng: &mut Rng) -> docket_core::Date {
    // 2010..2026, so that the policies' thresholds (2014, 2019, 2020-11-01) fall inside.
    let base = docket_core::Date::parse("2010-01-01").expect("date");
    base.add_days(rng.below(16 * 365) as i32)
}

/// A random case: every fact drawn around the values policies test.
pub fn random_facts(rng: &mut Rng) -> CaseFacts {
    let mut f = CaseFacts::default();
    for fact in Fact::ALL {
        let def = fact.def();
        if def.optional && rng.chance(35) {
            continue;
        }
        let v = match def.ty {
            FactType::Bool => FactValue::Bool(rng.chance(25)),
            FactType::Long => FactValue::Long(match fact {
                Fact::AgeYears => 10 + rng.below(75) as u16,
                Fact::YearsPresent => rng.below(25) as u16,
                _ if rng.chance(60) => 0,
                _ => rng.below(5) as u16,
            }),
            FactType::Date => FactValue::Date(date(rng)),
            FactType::Enum(names) => FactValue::Enum(rng.below(names.len() as u64) as u8),
        };
        f = f.with(fact, v).expect("a value of the fact's type");
    }
    f
}
