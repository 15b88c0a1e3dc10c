//! Where a disclosure packet goes, in two steps around the recording of its disclosure
//! ([`crate::App::disclose`]): the packet is **staged** — made ready to be released, where no
//! one is given it — before the disclosure is recorded, and **released** after. Whatever can
//! fail before the recording fails while staging, so a packet that cannot be written is never
//! recorded as disclosed; and a packet whose disclosure is recorded is never thrown away.
//!
//! [`PacketFile`] delivers a packet as a new file (the command line's `--out`), never over
//! another; [`PacketBuffer`] keeps it in memory (a service that sends it in a response, tests).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use docket_store::wire::owner_only;

use crate::AppError;

/// Where a disclosure packet goes; see the module's documentation.
pub trait PacketDelivery {
    /// Makes `packet` ready to be released without releasing it. Everything that may fail
    /// before the disclosure is recorded — no room, no right to write, a file in the way —
    /// fails here, and leaves nothing staged.
    fn stage(&mut self, packet: &[u8]) -> Result<(), AppError>;

    /// Releases the staged packet, its disclosure being recorded. If this fails, the staged
    /// packet is kept, not thrown away, and the error says where it is.
    fn release(&mut self) -> Result<(), AppError>;

    /// Throws the staged packet away: its disclosure could not be recorded.
    fn discard(&mut self);
}

/// A packet delivered as a new file at a path: staged as a hidden temporary file beside it
/// (`.NAME.XXXXXX.partial`, owner-only, synced to disk), released by renaming it to the path
/// without replacing anything there. A file at the path is refused when staging, and a file
/// that appears there before the release is never overwritten.
#[derive(Debug)]
pub struct PacketFile {
    path: PathBuf,
    staged: Option<tempfile::NamedTempFile>,
}

impl PacketFile {
    /// A delivery to a new file at `path`.
    pub fn new(path: impl Into<PathBuf>) -> PacketFile {
        PacketFile { path: path.into(), staged: None }
    }

    /// Where the packet goes.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The staged packet's temporary file, while there is one.
    pub fn staged_path(&self) -> Option<&Path> {
        self.staged.as_ref().map(|t| t.path())
    }

    /// The directory the packet goes in.
    fn dir(&self) -> &Path {
        match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        }
    }
}

impl PacketDelivery for PacketFile {
    fn stage(&mut self, packet: &[u8]) -> Result<(), AppError> {
        let shown = self.path.display().to_string();
        // INVARIANT: a packet never replaces a file; refused here, before anything is recorded
        // (the release refuses again, atomically, a file that appears in between).
        if self.path.symlink_metadata().is_ok() {
            return Err(AppError::Exists { what: "disclosure packet", path: shown });
        }
        let Some(name) = self.path.file_name() else {
            return Err(AppError::Invalid { field: "packet file".into(), reason: format!("`{shown}` names no file") });
        };
        let dir = self.dir();
        let mut staged = tempfile::Builder::new()
            .prefix(&format!(".{}.", name.to_string_lossy()))
            .suffix(".partial")
            .make_in(dir, owner_only::create_new)
            .map_err(AppError::io(format!("cannot create a file in `{}`", dir.display())))?;
        staged
            .write_all(packet)
            .and_then(|()| staged.as_file().sync_all())
            .map_err(AppError::io(format!("cannot write `{}`", staged.path().display())))?;
        self.staged = Some(staged);
        Ok(())
    }

    fn release(&mut self) -> Result<(), AppError> {
        let Some(staged) = self.staged.take() else {
            return Err(AppError::Invalid { field: "packet file".into(), reason: "no packet is staged".into() });
        };
        match staged.persist_noclobber(&self.path) {
            Ok(_) => sync_dir(self.dir()).map_err(AppError::io(format!(
                "the packet is at `{}`, but its directory could not be synced to disk",
                self.path.display()
            ))),
            Err(e) => {
                // The disclosure is recorded: its packet is kept where it was staged.
                let kept = match e.file.keep() {
                    Ok((_, path)) => format!("it is kept at `{}`", path.display()),
                    Err(k) => format!("and it could not be kept at `{}` either", k.file.path().display()),
                };
                Err(AppError::Io {
                    what: format!("cannot put the packet at `{}`; {kept}", self.path.display()),
                    source: e.error,
                })
            }
        }
    }

    fn discard(&mut self) {
        // Dropping the temporary file removes it.
        self.staged = None;
    }
}

/// Makes a directory's entries (a file renamed into it) durable.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

/// A packet delivered in memory: staged, then released to [`PacketBuffer::released`].
#[derive(Debug, Default)]
pub struct PacketBuffer {
    staged: Option<Vec<u8>>,
    released: Option<Vec<u8>>,
}

impl PacketBuffer {
    /// An empty buffer.
    pub fn new() -> PacketBuffer {
        PacketBuffer::default()
    }

    /// The released packet's bytes, exactly as hashed; `None` until a packet is released.
    pub fn released(&self) -> Option<&[u8]> {
        self.released.as_deref()
    }
}

impl PacketDelivery for PacketBuffer {
    fn stage(&mut self, packet: &[u8]) -> Result<(), AppError> {
        self.staged = Some(packet.to_vec());
        Ok(())
    }

    fn release(&mut self) -> Result<(), AppError> {
        match self.staged.take() {
            Some(p) => {
                self.released = Some(p);
                Ok(())
            }
            None => Err(AppError::Invalid { field: "packet".into(), reason: "no packet is staged".into() }),
        }
    }

    fn discard(&mut self) {
        self.staged = None;
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut n: Vec<String> = std::fs::read_dir(dir)
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        n.sort();
        n
    }

    #[test]
    fn a_packet_file_is_staged_out_of_sight_and_released_into_place() {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("packet.json");
        let mut f = PacketFile::new(&out);
        f.stage(b"{}").expect("stage");
        assert!(!out.exists(), "nothing at the path before the release");
        let staged = f.staged_path().expect("staged").to_owned();
        let name = staged.file_name().unwrap_or_default().to_string_lossy().into_owned();
        assert!(name.starts_with(".packet.json.") && name.ends_with(".partial"), "{name}");
        assert_eq!(std::fs::metadata(&staged).expect("staged").permissions().mode() & 0o777, 0o600);
        f.release().expect("release");
        assert_eq!(std::fs::read(&out).expect("released"), b"{}");
        assert_eq!(std::fs::metadata(&out).expect("released").permissions().mode() & 0o777, 0o600);
        assert_eq!(names(dir.path()), ["packet.json"], "the temporary file is gone");
    }

    #[test]
    fn a_discarded_packet_leaves_nothing() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut f = PacketFile::new(dir.path().join("packet.json"));
        f.stage(b"{}").expect("stage");
        f.discard();
        assert_eq!(names(dir.path()), Vec::<String>::new());
    }

    #[test]
    fn a_file_in_the_way_is_refused_when_staging_and_never_overwritten_when_releasing() {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("packet.json");
        std::fs::write(&out, "earlier").expect("write");
        let err = PacketFile::new(&out).stage(b"{}").expect_err("a file is there");
        assert!(matches!(err, AppError::Exists { .. }), "{err}");
        assert_eq!(names(dir.path()), ["packet.json"], "nothing staged");

        // A file that appears between the staging and the release stays as it was, and the
        // packet (its disclosure recorded by then) is kept where it was staged.
        std::fs::remove_file(&out).expect("remove");
        let mut f = PacketFile::new(&out);
        f.stage(b"{\"packet\":1}").expect("stage");
        let staged = f.staged_path().expect("staged").to_owned();
        std::fs::write(&out, "someone else's").expect("write");
        let err = f.release().expect_err("a file appeared");
        assert!(err.to_string().contains(&format!("it is kept at `{}`", staged.display())), "{err}");
        assert_eq!(std::fs::read_to_string(&out).expect("read"), "someone else's");
        assert_eq!(std::fs::read(&staged).expect("kept"), b"{\"packet\":1}");
    }
}
