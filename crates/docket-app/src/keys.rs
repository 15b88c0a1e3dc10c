//! The ledger's signing key: where it lives, creating it once, and reading it. The private
//! key is written only to its file (readable by the owner alone) and never printed.

use std::path::{Path, PathBuf};

use docket_ledger::{SigningKey, VerifierKey};

use crate::AppError;

type Result<T> = std::result::Result<T, AppError>;

fn key_error(path: &Path, reason: impl ToString) -> AppError {
    AppError::Key { path: path.display().to_string(), reason: reason.to_string() }
}

/// The key file for a database: beside a SQLite file, else in the working directory.
pub fn default_key_path(db_url: &str) -> PathBuf {
    match db_url.strip_prefix("sqlite://") {
        Some(path) => PathBuf::from(format!("{path}.ledger-key")),
        None => PathBuf::from("docket-ledger.key"),
    }
}

/// Creates a new key at `path` unless one exists. Returns whether it created one.
pub fn ensure_key(path: &Path) -> Result<bool> {
    if path.exists() {
        read_key(path)?;
        return Ok(false);
    }
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| key_error(path, format!("cannot get randomness: {e}")))?;
    let mut id = [0u8; 4];
    getrandom::fill(&mut id).map_err(|e| key_error(path, format!("cannot get randomness: {e}")))?;
    let name = format!("docket-{}", id.iter().map(|b| format!("{b:02x}")).collect::<String>());
    let key = SigningKey::from_seed(&name, &seed).map_err(|e| key_error(path, e))?;
    write_private(path, &key.to_skey_text()).map_err(|e| key_error(path, format!("cannot write it: {e}")))?;
    Ok(true)
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut f = docket_store::wire::owner_only::create_new(path)?;
    f.write_all(text.as_bytes())?;
    f.write_all(b"\n")
}

/// Reads the signing key.
pub fn read_key(path: &Path) -> Result<SigningKey> {
    let text = std::fs::read_to_string(path).map_err(|e| key_error(path, format!("cannot read it: {e}")))?;
    SigningKey::from_skey_text(text.trim()).map_err(|e| key_error(path, format!("not a ledger signing key: {e}")))
}

/// The verifier key: given as text, or derived from the key file.
pub fn verifier(vkey: Option<&str>, key_path: &Path) -> Result<VerifierKey> {
    match vkey {
        Some(text) => VerifierKey::from_text(text.trim())
            .map_err(|e| AppError::Invalid { field: "verifier key".into(), reason: e.to_string() }),
        None => Ok(read_key(key_path)?.verifier_key()),
    }
}

/// The log's origin line for checkpoints signed with `key`.
pub fn origin(key: &SigningKey) -> String {
    format!("docket.ledger/{}", key.name())
}
