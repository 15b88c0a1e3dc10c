//! The Cedar schema of the facts a policy may use, generated from [`crate::facts::FACTS`] so
//! that the schema, the columns and the test-file facts cannot drift apart.
//!
//! Entities: `Agency` (the principal, no attributes) and `Case` (the resource, one attribute a
//! fact). Actions: the gate actions (`arrest`, `detain`, `continue_detention`, `release`,
//! `transfer`, `remove`) and `prioritize`, each applying to `Agency` and `Case`. The context is
//! empty: every fact is a fact of the case as of the instant asked.

use std::fmt::Write;

use crate::facts::{FACTS, FactType};

/// The Cedar actions the schema declares, gate actions first.
pub const ACTIONS: [&str; 7] =
    ["arrest", "detain", "continue_detention", "release", "transfer", "remove", "prioritize"];

/// Attribute names a policy must never be able to use, and which the schema therefore lacks
/// (DESIGN.md, "The line Docket does not cross"). A test holds the schema to it, and checks
/// that a policy naming any of them fails validation with an error naming it.
pub const NEVER_FACTS: [&str; 24] = [
    "race",
    "ethnicity",
    "religion",
    "national_origin",
    "nationality",
    "citizenship_country",
    "country_of_citizenship",
    "country_of_birth",
    "sex",
    "gender",
    "sexual_orientation",
    "political_opinion",
    "political_activity",
    "associations",
    "affiliations",
    "gang_affiliation",
    "social_media",
    "location",
    "address",
    "language",
    "tax_records",
    "benefits",
    "health_records",
    "data_broker",
];

/// The schema in Cedar's schema syntax.
pub fn schema_text() -> String {
    let mut s = String::from(
        "// Generated from docket_policy::facts::FACTS: the adjudicated facts a policy may use.\nentity Agency;\nentity Case = {\n",
    );
    for f in &FACTS {
        let ty = match f.ty {
            FactType::Bool => "Bool",
            FactType::Long => "Long",
            FactType::Date => "datetime",
            FactType::Enum(_) => "String",
        };
        let _ = writeln!(s, "  {}{}: {ty},", f.name, if f.optional { "?" } else { "" });
    }
    s.push_str("};\n");
    for a in ACTIONS {
        let _ = writeln!(s, "action {a} appliesTo {{ principal: [Agency], resource: [Case] }};");
    }
    s
}

/// The schema, parsed.
pub fn schema() -> &'static cedar_policy::Schema {
    static SCHEMA: std::sync::OnceLock<cedar_policy::Schema> = std::sync::OnceLock::new();
    SCHEMA.get_or_init(|| {
        // INVARIANT: the generated text is a valid schema (the unit test below parses it).
        match cedar_policy::Schema::from_cedarschema_str(&schema_text()) {
            Ok((schema, _warnings)) => schema,
            Err(e) => panic!("the generated schema is invalid: {e}"),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generated_schema_parses_and_has_no_forbidden_attribute() {
        let text = schema_text();
        assert!(cedar_policy::Schema::from_cedarschema_str(&text).is_ok(), "{text}");
        for f in &FACTS {
            for never in NEVER_FACTS {
                assert!(!f.name.contains(never), "fact `{}` looks like `{never}`", f.name);
            }
        }
    }
}
