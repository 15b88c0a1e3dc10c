//! Signed checkpoints kept outside the database: a directory where every checkpoint Docket
//! signs is also written, one file per tree size, never overwritten. A verifier that holds
//! these files (or copies of them, or one a witness gave it) can tell a database whose
//! checkpoints were deleted, whose ledger was rewritten with every hash recomputed, or that
//! was rolled back to an earlier state — none of which the database alone can show.

use std::io::Write;
use std::path::{Path, PathBuf};

use docket_store::ledger::{StoredCheckpoint, TrustedCheckpoint};

use crate::AppError;

/// A directory of signed checkpoints, `<tree size, 20 digits>.checkpoint` each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointDir {
    path: PathBuf,
}

fn error(path: &Path, reason: impl std::fmt::Display) -> AppError {
    AppError::Checkpoints { path: path.display().to_string(), reason: reason.to_string() }
}

impl CheckpointDir {
    /// The directory at `path` (created when the first checkpoint is kept).
    pub fn new(path: impl Into<PathBuf>) -> CheckpointDir {
        CheckpointDir { path: path.into() }
    }

    /// The directory kept beside a signing key file: `KEY` with its extension replaced by
    /// `checkpoints` (`docket.db.ledger-key` → `docket.db.checkpoints`). The signer holds both.
    pub fn beside_key(key_path: &Path) -> CheckpointDir {
        CheckpointDir::new(key_path.with_extension("checkpoints"))
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `cp` as the file for its size, completely or not at all (a temporary file
    /// linked into place), never replacing a file. The same checkpoint kept again is no
    /// error; another one for the same size (another root: a fork) is.
    pub fn keep(&self, cp: &StoredCheckpoint) -> Result<PathBuf, AppError> {
        std::fs::create_dir_all(&self.path).map_err(|e| error(&self.path, format!("cannot create it: {e}")))?;
        let file = self.path.join(format!("{:020}.checkpoint", cp.size));
        if let Ok(existing) = std::fs::read_to_string(&file) {
            return if existing == cp.note {
                Ok(file)
            } else {
                Err(error(
                    &file,
                    format!(
                        "holds another checkpoint for tree size {}: the ledger has forked, the file was altered, or the \
                         directory is another ledger's (a database made anew where the old one's checkpoints are \
                         kept: move them away, or give this one its own `--checkpoint-dir`)",
                        cp.size
                    ),
                ))
            };
        }
        let tmp = self.path.join(format!(".{:020}.{}.tmp", cp.size, std::process::id()));
        let written = (|| -> std::io::Result<()> {
            let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp)?;
            f.write_all(cp.note.as_bytes())?;
            f.sync_all()?;
            std::fs::hard_link(&tmp, &file)
        })();
        let _ = std::fs::remove_file(&tmp);
        match written {
            Ok(()) => Ok(file),
            // Kept by a concurrent signer in the meantime: the same check as above.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => self.keep(cp),
            Err(e) => Err(error(&file, format!("cannot write it: {e}"))),
        }
    }

    /// Whether the directory exists.
    pub fn exists(&self) -> bool {
        self.path.is_dir()
    }
}

/// Reads the checkpoints at `path`: a directory of `.checkpoint` files (as kept by
/// [`CheckpointDir::keep`]), or one file holding one signed note.
pub fn load_trusted(path: &Path) -> Result<Vec<TrustedCheckpoint>, AppError> {
    let read = |file: &Path| -> Result<TrustedCheckpoint, AppError> {
        let note = std::fs::read_to_string(file).map_err(|e| error(file, format!("cannot read it: {e}")))?;
        Ok(TrustedCheckpoint { source: file.display().to_string(), note })
    };
    if !path.is_dir() {
        return Ok(vec![read(path)?]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| error(path, format!("cannot read it: {e}")))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "checkpoint"))
        .collect();
    files.sort();
    files.iter().map(|f| read(f)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cp(size: u64, note: &str) -> StoredCheckpoint {
        StoredCheckpoint { size, root: [0; 32], note: note.into() }
    }

    #[test]
    fn a_checkpoint_is_kept_once_and_a_fork_is_refused() {
        let dir = tempfile::tempdir().expect("dir");
        let kept = CheckpointDir::new(dir.path().join("cps"));
        let file = kept.keep(&cp(7, "note seven\n")).expect("kept");
        assert_eq!(file.file_name().and_then(|f| f.to_str()), Some("00000000000000000007.checkpoint"));
        kept.keep(&cp(7, "note seven\n")).expect("the same again");
        let err = kept.keep(&cp(7, "another note\n")).expect_err("a fork").to_string();
        assert!(err.contains("forked"), "{err}");
        assert_eq!(std::fs::read_to_string(&file).expect("file"), "note seven\n", "never replaced");
        kept.keep(&cp(12, "note twelve\n")).expect("kept");
        let loaded = load_trusted(kept.path()).expect("loaded");
        assert_eq!(loaded.iter().map(|t| t.note.as_str()).collect::<Vec<_>>(), ["note seven\n", "note twelve\n"]);
        assert_eq!(load_trusted(&file).expect("one file").len(), 1);
        assert_eq!(std::fs::read_dir(kept.path()).expect("dir").count(), 2, "no temporary file left");
    }
}
