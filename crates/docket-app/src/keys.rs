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

/// The text both keys sign when `new` replaces `old` as the ledger's key at tree size `size`.
fn rotation_text(old: &VerifierKey, new: &VerifierKey, size: u64) -> String {
    format!("docket-key-rotation/1\n{old}\n{new}\n{size}\n")
}

/// The rotation statement: its text signed by the old key and by the new one (a C2SP note
/// with two signature lines), so that whoever trusts either key can reach the other.
pub(crate) fn rotation_note(old: &SigningKey, new: &SigningKey, size: u64) -> Result<String> {
    let text = rotation_text(&old.verifier_key(), &new.verifier_key(), size);
    let err = |e: docket_ledger::CheckpointError| key_error(Path::new(old.name()), e);
    let by_old = docket_ledger::sign_note(&text, old).map_err(err)?;
    let by_new = docket_ledger::sign_note(&text, new).map_err(err)?;
    let new_line = by_new.rsplit_once("\n\n").map(|(_, sig)| sig).unwrap_or_default();
    Ok(format!("{by_old}{new_line}"))
}

/// The ledger's keys, each from the size it took over, checked as a chain from `trusted`: each
/// key after the first must be named by a rotation statement that it and the key before it
/// signed, for the size it took over at, and `trusted` must be one of them. A ledger with no
/// recorded key (made before keys were recorded) has `trusted` alone, from size 0.
pub fn key_periods(
    recorded: &[docket_store::ledger::LedgerKey],
    trusted: &VerifierKey,
) -> Result<Vec<(u64, VerifierKey)>> {
    let invalid = |reason: String| AppError::Invalid { field: "ledger keys".into(), reason };
    if recorded.is_empty() {
        return Ok(vec![(0, trusted.clone())]);
    }
    let mut periods: Vec<(u64, VerifierKey)> = Vec::with_capacity(recorded.len());
    for (k, r) in recorded.iter().enumerate() {
        let key = VerifierKey::from_text(&r.verifier_key)
            .map_err(|e| invalid(format!("recorded key `{}` is not a verifier key: {e}", r.verifier_key)))?;
        if let Some((_, before)) = periods.last() {
            let Some(note) = &r.rotation else {
                return Err(invalid(format!(
                    "key `{}` replaced `{before}` with no rotation statement",
                    r.verifier_key
                )));
            };
            let expected = rotation_text(before, &key, r.from_size);
            for signer in [before, &key] {
                let text = docket_ledger::open_note(note.as_bytes(), signer).map_err(|e| {
                    invalid(format!("the rotation to key `{}` is not signed by `{signer}`: {e}", r.verifier_key))
                })?;
                if text != expected {
                    return Err(invalid(format!(
                        "the rotation statement of key `{}` does not name the keys and size it was recorded with",
                        r.verifier_key
                    )));
                }
            }
        } else if k == 0 && r.from_size != 0 {
            return Err(invalid(format!("the first key `{}` starts at size {}, not 0", r.verifier_key, r.from_size)));
        }
        periods.push((r.from_size, key));
    }
    if !periods.iter().any(|(_, k)| k.to_string() == trusted.to_string()) {
        return Err(invalid(format!(
            "the verifier key `{trusted}` is not one of this ledger's keys ({})",
            recorded.iter().map(|r| format!("`{}`", r.verifier_key)).collect::<Vec<_>>().join(", ")
        )));
    }
    Ok(periods)
}
