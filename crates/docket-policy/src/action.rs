//! The actions a gate answers for: the enforcement actions an officer may take on a case, and
//! release from custody.

use std::fmt;

use docket_core::Country;
use thiserror::Error;

/// An action on a case that a gate answers for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Arrest the person (the event `arrested`).
    Arrest,
    /// Take the person into immigration custody (`custody_began`).
    Detain,
    /// Keep the person in the custody they are in.
    ContinueDetention,
    /// Release the person from custody (`custody_released`).
    Release,
    /// Move the person in custody to another facility (`custody_transferred`).
    Transfer,
    /// Remove the person to a named country (`removal_carried_out`).
    Remove {
        /// The country of removal.
        to: Country,
    },
}

/// Why a text does not name an action.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ActionError {
    /// Not the name of an action.
    #[error(
        "`{0}` is not an action: expected `arrest`, `detain`, `continue_detention`, `release`, `transfer` or `remove`"
    )]
    Unknown(String),
    /// Removal without a country: the bars to removal depend on where to.
    #[error("`remove` needs the country of removal")]
    NoDestination,
    /// A country given for an action that is not removal.
    #[error("`{0}` takes no country; only `remove` does")]
    NotRemoval(&'static str),
}

impl Action {
    /// Every action, removal being to `to`, in the order a case's gates are shown.
    pub fn all(to: Country) -> [Action; 6] {
        [
            Action::Arrest,
            Action::Detain,
            Action::ContinueDetention,
            Action::Transfer,
            Action::Remove { to },
            Action::Release,
        ]
    }

    /// The action's snake-case name (without the country of removal).
    pub fn name(self) -> &'static str {
        match self {
            Action::Arrest => "arrest",
            Action::Detain => "detain",
            Action::ContinueDetention => "continue_detention",
            Action::Release => "release",
            Action::Transfer => "transfer",
            Action::Remove { .. } => "remove",
        }
    }

    /// Reads an action's name and, for removal (only), its country.
    pub fn parse(name: &str, to: Option<Country>) -> Result<Action, ActionError> {
        let action = match name.trim() {
            "arrest" => Action::Arrest,
            "detain" => Action::Detain,
            "continue_detention" => Action::ContinueDetention,
            "release" => Action::Release,
            "transfer" => Action::Transfer,
            "remove" => return to.map(|to| Action::Remove { to }).ok_or(ActionError::NoDestination),
            _ => return Err(ActionError::Unknown(name.to_owned())),
        };
        match to {
            Some(_) => Err(ActionError::NotRemoval(action.name())),
            None => Ok(action),
        }
    }

    /// The country of removal, for removal.
    pub fn destination(self) -> Option<Country> {
        match self {
            Action::Remove { to } => Some(to),
            _ => None,
        }
    }

    /// Whether the action is an enforcement action against the person (every action but
    /// release): each is barred while any claim of the person to US citizenship is
    /// unresolved, and each fails closed on an unknown fact.
    pub fn is_enforcement(self) -> bool {
        !matches!(self, Action::Release)
    }

    /// Whether the action takes or keeps the person in custody (arrest, detention, continued
    /// detention, transfer), which temporary protected status forbids.
    pub fn holds_in_custody(self) -> bool {
        matches!(self, Action::Arrest | Action::Detain | Action::ContinueDetention | Action::Transfer)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Remove { to } => write!(f, "remove to {to}"),
            other => f.write_str(other.name()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back_and_removal_alone_takes_a_country() {
        let slv = Country::parse("SLV").expect("known country");
        for action in Action::all(slv) {
            assert_eq!(Action::parse(action.name(), action.destination()), Ok(action));
        }
        assert_eq!(Action::parse("remove", None), Err(ActionError::NoDestination));
        assert_eq!(Action::parse("arrest", Some(slv)), Err(ActionError::NotRemoval("arrest")));
        assert!(matches!(Action::parse("deport", None), Err(ActionError::Unknown(_))));
    }
}
