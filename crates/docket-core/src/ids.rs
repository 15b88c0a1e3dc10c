//! Identifiers: cases, persons, events, recording actors, idempotency keys and departure
//! records and their sources.

use std::fmt;

use thiserror::Error;

/// Why an identifier was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IdError {
    /// Empty, too long, or holding characters outside the allowed set.
    #[error("`{text}` is not a valid {what}: {why}")]
    Invalid {
        /// The text given.
        text: String,
        /// Which kind of identifier.
        what: &'static str,
        /// What is wrong with it.
        why: &'static str,
    },
}

fn check_token(text: &str, what: &'static str, max: usize) -> Result<(), IdError> {
    let invalid = |why| IdError::Invalid { text: text.to_owned(), what, why };
    if text.is_empty() {
        return Err(invalid("it is empty"));
    }
    if text.len() > max {
        return Err(invalid("it is too long"));
    }
    if !text.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':')) {
        return Err(invalid("only ASCII letters, digits, `-`, `_`, `.` and `:` are allowed"));
    }
    Ok(())
}

macro_rules! token_id {
    ($(#[$doc:meta])* $name:ident, $what:literal, $max:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// Parses the identifier, refusing empty, over-long or oddly spelled ones.
            pub fn parse(text: &str) -> Result<Self, IdError> {
                check_token(text, $what, $max)?;
                Ok(Self(text.to_owned()))
            }

            /// The identifier as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }
    };
}

token_id!(
    /// A removal case, for example `C-00001234`.
    CaseId, "case id", 64
);
token_id!(
    /// A person on the docket, for example `P-00001234`.
    PersonId, "person id", 64
);
token_id!(
    /// Who recorded an event: an officer's user name, an import job or a feed consumer.
    ActorId, "actor id", 128
);
token_id!(
    /// A departure record at its source, for example `APIS-20261207-000123`: the record's
    /// idempotency key.
    DepartureRecordId, "departure record id", 64
);
token_id!(
    /// The system that sent a departure record, for example `cbp.apis`.
    RecordSource, "record source", 64
);
token_id!(
    /// The linkage model a departure match was scored under: the person settings' name and the
    /// SHA-256 prefix of the fitted model in force, as `persons:sha256:0123456789abcdef`.
    ModelVersion, "model version", 128
);
token_id!(
    /// An item of the departure review queue, for example `R-000123`.
    ReviewId, "review id", 64
);
token_id!(
    /// A sender-chosen key that makes re-sending an event harmless: within one case, a second
    /// event with the same key is not stored again.
    IdempotencyKey, "idempotency key", 200
);

token_id!(
    /// Counsel of record: an attorney's or accredited representative's identifier (an EOIR
    /// ID or bar number), never a name.
    CounselId, "counsel id", 64
);
token_id!(
    /// A criminal conviction, by its court's docket or record number, so that a later event
    /// (finality, vacatur) can name it.
    ConvictionId, "conviction id", 128
);
token_id!(
    /// A document a fact rests on, by its reference number (a certification's receipt
    /// number, a service record's number): never the document's text.
    SourceReference, "source reference", 128
);

/// A recorded event's identifier: 128 bits, written as a UUID.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventId(u128);

impl EventId {
    /// The identifier with these 128 bits.
    pub fn from_u128(bits: u128) -> EventId {
        EventId(bits)
    }

    /// The 128 bits.
    pub fn as_u128(self) -> u128 {
        self.0
    }

    /// Reads the UUID text form `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (either case).
    pub fn parse(text: &str) -> Result<EventId, IdError> {
        let invalid = || IdError::Invalid {
            text: text.to_owned(),
            what: "event id",
            why: "expected a UUID like `0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b`",
        };
        let b = text.as_bytes();
        if b.len() != 36 || [8, 13, 18, 23].iter().any(|&i| b[i] != b'-') {
            return Err(invalid());
        }
        let hex: String = text.chars().filter(|c| *c != '-').collect();
        if hex.len() != 32 {
            return Err(invalid());
        }
        u128::from_str_radix(&hex, 16).map(EventId).map_err(|_| invalid())
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // On the hot path of every stored event: format into a buffer, no allocation.
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut buf = [b'-'; 36];
        let mut nibble = 0;
        for (i, slot) in buf.iter_mut().enumerate() {
            if matches!(i, 8 | 13 | 18 | 23) {
                continue;
            }
            *slot = HEX[((self.0 >> (124 - 4 * nibble)) & 0xf) as usize];
            nibble += 1;
        }
        f.write_str(std::str::from_utf8(&buf).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EventId({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_ids_round_trip() {
        let text = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
        assert_eq!(EventId::parse(text).map(|e| e.to_string()), Ok(text.to_owned()));
        assert!(EventId::parse("0190a1b2c3d47e5f8a9b0c1d2e3f4a5b").is_err());
        assert!(EventId::parse("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5g").is_err());
    }

    #[test]
    fn case_ids_refuse_spaces_and_empties() {
        assert!(CaseId::parse("C-00000001").is_ok());
        assert!(CaseId::parse("").is_err());
        assert!(CaseId::parse("C 1").is_err());
        assert!(CaseId::parse(&"x".repeat(65)).is_err());
    }
}
