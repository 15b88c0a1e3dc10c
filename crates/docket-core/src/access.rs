//! Why a person's record is read. Every read by a person names one of these purposes, from
//! a fixed list, and is recorded; a read without a purpose is refused before it happens.

use std::fmt;

/// The purposes for which a case or person record may be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccessPurpose {
    /// Ordinary work on the case by its officers.
    CaseWork,
    /// Deciding whether an enforcement action may be taken.
    EnforcementDecision,
    /// Answering the person's counsel of record.
    CounselRequest,
    /// Oversight: inspectors general, privacy and civil-rights offices.
    Oversight,
    /// A Privacy Act or FOIA request by the person.
    PrivacyActRequest,
    /// Correcting a record found to be wrong.
    DataCorrection,
    /// Litigation concerning the case.
    Litigation,
}

impl AccessPurpose {
    /// Every purpose.
    pub const ALL: [AccessPurpose; 7] = [
        AccessPurpose::CaseWork,
        AccessPurpose::EnforcementDecision,
        AccessPurpose::CounselRequest,
        AccessPurpose::Oversight,
        AccessPurpose::PrivacyActRequest,
        AccessPurpose::DataCorrection,
        AccessPurpose::Litigation,
    ];

    /// Snake-case name.
    pub fn name(self) -> &'static str {
        match self {
            AccessPurpose::CaseWork => "case_work",
            AccessPurpose::EnforcementDecision => "enforcement_decision",
            AccessPurpose::CounselRequest => "counsel_request",
            AccessPurpose::Oversight => "oversight",
            AccessPurpose::PrivacyActRequest => "privacy_act_request",
            AccessPurpose::DataCorrection => "data_correction",
            AccessPurpose::Litigation => "litigation",
        }
    }

    /// Reads the snake-case name; the error lists the accepted ones.
    pub fn parse(text: &str) -> Result<AccessPurpose, UnknownPurpose> {
        AccessPurpose::ALL.into_iter().find(|p| p.name() == text.trim()).ok_or_else(|| UnknownPurpose(text.to_owned()))
    }
}

impl fmt::Display for AccessPurpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A purpose not on the list.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a purpose for reading a record; expected one of case_work, enforcement_decision, counsel_request, oversight, privacy_act_request, data_correction, litigation"
)]
pub struct UnknownPurpose(pub String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purposes_round_trip_and_unknown_ones_are_named() {
        for p in AccessPurpose::ALL {
            assert_eq!(AccessPurpose::parse(p.name()), Ok(p));
        }
        let e = AccessPurpose::parse("curiosity").expect_err("not a purpose");
        assert!(e.to_string().contains("`curiosity`"));
    }
}
