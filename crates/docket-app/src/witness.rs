//! A witness of the ledger: a party apart from whoever runs the database and holds the
//! ledger's key, which keeps the largest checkpoint of the ledger it has seen and cosigns a
//! newer one only when the ledger proves it consistent with that one (C2SP
//! `tlog-cosignature`, `cosignature/v1`).
//!
//! What it adds to the checkpoints kept outside the database: those are kept by the signer,
//! so an insider who holds the ledger's key (and so the signer's host) can rewrite the
//! ledger, sign the rewrite and replace the kept files. A witness holds its own copies and its
//! own key; it will not cosign the rewrite, and a verifier that trusts the witness's
//! cosigned checkpoints finds the rewrite (`ledger verify --trusted DIR --witness VKEY`).
//!
//! A witness directory holds `witness.key` (the cosigning key, 0600) and `cosigned/`, one
//! cosigned checkpoint per tree size (`<size, 20 digits>.checkpoint`, never replaced), the
//! largest of which is the witness's state.

use std::path::{Path, PathBuf};

use docket_ledger::{Checkpoint, VerifierKey, WitnessKey, WitnessVerifierKey};
use docket_store::ledger::{StoredCheckpoint, TrustedCheckpoint};

use crate::checkpoints::{CheckpointDir, load_trusted};
use crate::{App, AppError};

/// A witness's directory and key.
#[derive(Debug)]
pub struct Witness {
    dir: PathBuf,
    key: WitnessKey,
}

/// What a witness did with a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Cosigned {
    /// The tree size cosigned.
    pub tree_size: u64,
    /// The size the witness held before (0 for none).
    pub previous_size: u64,
    /// Whether the witness had cosigned this very checkpoint already (nothing new signed).
    pub already: bool,
    /// The checkpoint with the witness's cosignature.
    pub note: String,
    /// Where the witness keeps it.
    pub file: String,
}

fn error(dir: &Path, reason: impl std::fmt::Display) -> AppError {
    AppError::Witness { dir: dir.display().to_string(), reason: reason.to_string() }
}

impl Witness {
    fn key_path(dir: &Path) -> PathBuf {
        dir.join("witness.key")
    }

    fn cosigned_dir(&self) -> CheckpointDir {
        CheckpointDir::new(self.dir.join("cosigned"))
    }

    /// Makes a witness named `name` in `dir` (created if need be): a new cosigning key,
    /// readable by its owner only. Refuses a directory that already has a key.
    pub fn init(dir: &Path, name: &str) -> Result<Witness, AppError> {
        let path = Self::key_path(dir);
        if path.exists() {
            return Err(error(dir, "already has a witness key (`witness.key`); a witness keeps its key"));
        }
        std::fs::create_dir_all(dir).map_err(|e| error(dir, format!("cannot create it: {e}")))?;
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| error(dir, format!("cannot get randomness: {e}")))?;
        let key = WitnessKey::from_seed(name, &seed).map_err(|e| error(dir, format!("cannot make a key: {e}")))?;
        let mut f = docket_store::wire::owner_only::create_new(&path)
            .map_err(|e| error(dir, format!("cannot write `witness.key`: {e}")))?;
        std::io::Write::write_all(&mut f, format!("{}\n", key.to_skey_text()).as_bytes())
            .and_then(|()| f.sync_all())
            .map_err(|e| error(dir, format!("cannot write `witness.key`: {e}")))?;
        Ok(Witness { dir: dir.to_owned(), key })
    }

    /// The witness in `dir`.
    pub fn open(dir: &Path) -> Result<Witness, AppError> {
        let path = Self::key_path(dir);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| error(dir, format!("cannot read `witness.key` ({e}): make one with `witness init`")))?;
        let key = WitnessKey::from_skey_text(text.trim()).map_err(|e| error(dir, format!("`witness.key`: {e}")))?;
        Ok(Witness { dir: dir.to_owned(), key })
    }

    /// The key that checks this witness's cosignatures.
    pub fn verifier_key(&self) -> WitnessVerifierKey {
        self.key.verifier_key()
    }

    /// The checkpoints this witness cosigned, by size.
    pub fn cosigned(&self) -> Result<Vec<TrustedCheckpoint>, AppError> {
        let dir = self.cosigned_dir();
        if !dir.exists() {
            return Ok(Vec::new());
        }
        load_trusted(dir.path())
    }

    /// Cosigns `note`, a checkpoint of `app`'s ledger, at `now` (seconds since the epoch):
    /// after checking that it is signed by the ledger's key for its size (the chain of
    /// recorded keys from `log_key`, which the witness trusts), and that the ledger proves it
    /// consistent with the largest checkpoint the witness holds. The first checkpoint a
    /// witness sees is taken on trust. Refused: a checkpoint smaller than the one held (the
    /// ledger rolled back), one of the same size with another root (a fork), one the ledger
    /// cannot prove it grew into from the one held (a rewrite).
    pub fn cosign(&self, app: &App, log_key: &VerifierKey, note: &str, now: u64) -> Result<Cosigned, AppError> {
        let refuse = |reason: String| error(&self.dir, reason);
        // Signed by the ledger's key for its size, reached from the trusted key through the
        // ledger's recorded rotations.
        let periods = app.key_periods(log_key)?;
        let cp = docket_store::ledger::open_checkpoint(note, &periods)
            .map_err(|e| refuse(format!("not a checkpoint signed by the ledger's key: {e}")))?;
        let size = cp.size();
        let root = *cp.root();
        let held = self.cosigned()?;
        let latest = held.iter().filter_map(|t| body_of(&t.note)).max_by_key(|c| c.size());
        let previous_size = latest.as_ref().map_or(0, |c| c.size());
        if let Some(latest) = &latest {
            if size < latest.size() {
                return Err(refuse(format!(
                    "the checkpoint is of tree size {size}, below the {} the witness holds: the ledger went back",
                    latest.size()
                )));
            }
            if size == latest.size() && &root != latest.root() {
                return Err(refuse(format!(
                    "another root for tree size {size} than the one the witness holds: the ledger forked or was rewritten"
                )));
            }
            if size > latest.size() && latest.size() > 0 {
                let (_, _, proof) = app.with_store(|s| s.consistency(latest.size(), size))?;
                docket_ledger::verify_consistency(latest.size(), size, latest.root(), &root, &proof).map_err(|e| {
                    refuse(format!(
                        "the ledger does not prove tree size {size} consistent with the {} the witness holds ({e}): it \
                         was rewritten",
                        latest.size()
                    ))
                })?;
            }
        }
        let dir = self.cosigned_dir();
        // The same checkpoint again: the witness's statement stands as made.
        if let Some(same) =
            held.iter().find(|t| body_of(&t.note).is_some_and(|c| c.size() == size && c.root() == &root))
        {
            return Ok(Cosigned {
                tree_size: size,
                previous_size,
                already: true,
                note: same.note.clone(),
                file: same.source.clone(),
            });
        }
        let cosigned = self.key.cosign(note, now).map_err(|e| refuse(format!("cannot cosign: {e}")))?;
        let file = dir.keep(&StoredCheckpoint { size, root, note: cosigned.clone() })?;
        Ok(Cosigned {
            tree_size: size,
            previous_size,
            already: false,
            note: cosigned,
            file: file.display().to_string(),
        })
    }
}

/// A note's checkpoint body, unchecked (the witness checked its own files when it wrote them).
fn body_of(note: &str) -> Option<Checkpoint> {
    let body = note.split("\n\n").next()?;
    Checkpoint::parse_body(&format!("{body}\n")).ok()
}

/// What a verifier requiring `witnesses` finds wrong with the checkpoints it holds: for each
/// witness, a cosignature that does not verify, or no held checkpoint cosigned by it.
pub fn check_cosigned(held: &[TrustedCheckpoint], witnesses: &[WitnessVerifierKey]) -> Vec<String> {
    let mut problems = Vec::new();
    for w in witnesses {
        let mut cosigned = 0;
        for t in held {
            match docket_ledger::verify_cosignature(t.note.as_bytes(), w) {
                Ok(_) => cosigned += 1,
                Err(docket_ledger::CheckpointError::NoSignatureByKey { .. }) => {}
                Err(e) => problems.push(format!(
                    "{}: the cosignature of witness `{}` does not verify: {e}",
                    t.source,
                    w.name()
                )),
            }
        }
        if cosigned == 0 {
            problems.push(format!("no checkpoint held outside the database is cosigned by witness `{}`", w.name()));
        }
    }
    problems
}
