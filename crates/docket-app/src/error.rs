//! The application layer's errors: one enum for every use case, each variant saying which
//! record, which field and why, and whether trying again may help.

use docket_core::{AccessPurpose, Refusal, UnknownPurpose};
use docket_store::StoreError;
use thiserror::Error;

/// Why a use case did not complete.
#[derive(Debug, Error)]
pub enum AppError {
    /// A read of a person's record without a stated purpose.
    #[error("reading {what} needs a stated purpose, one of {}", purposes())]
    PurposeRequired {
        /// What was to be read.
        what: String,
    },
    /// A purpose not on the list.
    #[error(transparent)]
    UnknownPurpose(#[from] UnknownPurpose),
    /// An act of record without an actor.
    #[error("{what} needs to know who acts")]
    ActorRequired {
        /// What was to be done.
        what: String,
    },
    /// An input value that is not valid.
    #[error("`{field}`: {reason}")]
    Invalid {
        /// The input at fault.
        field: String,
        /// Why.
        reason: String,
    },
    /// The record asked for does not exist.
    #[error("no {what} `{id}`")]
    NotFound {
        /// Which kind of record.
        what: &'static str,
        /// Its id.
        id: String,
    },
    /// The case's rules refused an event: every rule that bars it, most specific first.
    #[error("event `{event}` of case `{case}` refused: {refusal}")]
    Refused {
        /// The case.
        case: String,
        /// The event.
        event: String,
        /// The rules.
        refusal: Refusal,
    },
    /// The database failed or holds what cannot be read.
    #[error(transparent)]
    Store(StoreError),
    /// No database connection could be had.
    #[error("no database connection is available: {0}")]
    Pool(String),
    /// A file or stream could not be read or written.
    #[error("{what}: {source}")]
    Io {
        /// What was being read or written.
        what: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// An import stopped before its end because its database transactions kept failing:
    /// what it had stored by then is in `report`, and running it again stores the rest.
    #[error(
        "the import stopped at `{file}`, in the batch from line {line}, after {attempts} attempt(s): {source}. \
         Stored before it stopped: {}. Nothing from that batch on was stored; importing the same files \
         again stores the rest (what is already stored is recognized and counted as such)",
        stored_so_far(report)
    )]
    ImportInterrupted {
        /// The source whose batch failed.
        file: String,
        /// The first line of the batch that failed.
        line: u64,
        /// How often that batch was tried.
        attempts: u32,
        /// The last failure.
        source: Box<AppError>,
        /// The counts up to the batch that failed, per source.
        report: Box<crate::ImportReport>,
    },
    /// The directory of checkpoints kept outside the database could not be read or written,
    /// or holds a checkpoint that contradicts the one to keep.
    #[error("checkpoints kept outside the database, `{path}`: {reason}")]
    Checkpoints {
        /// The directory or file.
        path: String,
        /// Why.
        reason: String,
    },
    /// A witness refused to cosign: the ledger is not consistent with the largest checkpoint
    /// the witness holds, or the witness's own files are unusable.
    #[error("witness `{dir}`: {reason}")]
    Witness {
        /// The witness's directory.
        dir: String,
        /// Why.
        reason: String,
    },
    /// A file that would be written over is there already.
    #[error("{what} `{path}` already exists, and is never written over")]
    Exists {
        /// What would have been written.
        what: &'static str,
        /// The file.
        path: String,
    },
    /// A disclosure's packet could not be staged, so the disclosure was not recorded.
    #[error("the disclosure packet could not be written, so nothing was disclosed or recorded")]
    NotDisclosed {
        /// Why the packet could not be staged.
        source: Box<AppError>,
    },
    /// A disclosure is recorded, but its packet could not be released; it is kept where it
    /// was staged, which the source names.
    #[error("disclosure #{id} is recorded, but its packet (sha256 {packet_sha256}) could not be released")]
    NotReleased {
        /// The disclosure's number in the accounting.
        id: i64,
        /// The packet's SHA-256, as recorded.
        packet_sha256: String,
        /// Why, and where the packet is.
        source: Box<AppError>,
    },
    /// A policy file that does not load: where, and what is wrong (a name not in the schema of
    /// adjudicated facts, a syntax error, a header missing).
    #[error(transparent)]
    Policy(#[from] docket_policy::PolicyError),
    /// A directory of policy tests that could not be run (a failing case is not an error).
    #[error(transparent)]
    PolicyTests(#[from] docket_policy::testing::TestError),
    /// The ledger's signing key could not be made, read or used.
    #[error("ledger key `{path}`: {reason}")]
    Key {
        /// The key file.
        path: String,
        /// Why.
        reason: String,
    },
}

fn stored_so_far(report: &crate::ImportReport) -> String {
    report
        .files
        .iter()
        .map(|f| {
            format!(
                "`{}`: {} row(s) read, {} stored, {} already stored, {} rejected",
                f.path, f.rows, f.stored, f.duplicates, f.rejected
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn purposes() -> String {
    AccessPurpose::ALL.map(|p| p.name()).join(", ")
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::Refused { case, event, refusal } => AppError::Refused { case, event, refusal },
            StoreError::Rejected { field, reason, .. } => AppError::Invalid { field, reason },
            other => AppError::Store(other),
        }
    }
}

impl AppError {
    /// Whether the same call may succeed later (the database was busy or unreachable). A
    /// refusal by the rules, invalid input or a missing record will not.
    pub fn is_retryable(&self) -> bool {
        match self {
            AppError::Store(e) => e.is_retryable(),
            AppError::Pool(_) => true,
            AppError::ImportInterrupted { source, .. } => source.is_retryable(),
            _ => false,
        }
    }

    /// The refusal, if the rules refused the act.
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            AppError::Refused { refusal, .. } => Some(refusal),
            _ => None,
        }
    }

    pub(crate) fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> AppError {
        let what = what.into();
        move |source| AppError::Io { what, source }
    }
}
