//! How a file that holds personal data is created: readable and writable by its owner alone
//! (mode 0600 on Unix), whatever the process's umask would allow. The persons and events files,
//! an import's rejects and commit log, disclosure packets, linkage output and the SQLite
//! database are all created here, so that no writer can forget it.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// The permission bits of a file that holds personal data.
pub const MODE: u32 = 0o600;

/// Creates a new file at `path`, owner-only; fails if anything is there already.
pub fn create_new(path: &Path) -> io::Result<File> {
    options().write(true).create_new(true).open(path)
}

/// Creates `path` owner-only, or truncates the file there. A regular file that others could
/// read is narrowed to its owner first: what it is about to hold is new, and personal.
pub fn create(path: &Path) -> io::Result<File> {
    let file = options().write(true).create(true).truncate(true).open(path)?;
    narrow(&file)?;
    Ok(file)
}

/// Opens `path` to append to it, creating it owner-only if it is not there. An existing file
/// keeps the mode its owner gave it: it may be read by others on purpose (a log that a monitor
/// follows), and what Docket appends is of the same kind as what it holds.
pub fn append(path: &Path) -> io::Result<File> {
    options().append(true).create(true).open(path)
}

#[cfg(unix)]
fn options() -> OpenOptions {
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut o = OpenOptions::new();
    o.mode(MODE);
    o
}

#[cfg(not(unix))]
fn options() -> OpenOptions {
    OpenOptions::new()
}

/// Takes the group's and others' permissions off a regular file (never off a device such as
/// `/dev/stdout`, which is not Docket's to change).
#[cfg(unix)]
fn narrow(file: &File) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    let meta = file.metadata()?;
    let mode = meta.permissions().mode() & 0o7777;
    if meta.is_file() && mode & 0o077 != 0 {
        file.set_permissions(std::fs::Permissions::from_mode(mode & !0o077))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn narrow(_file: &File) -> io::Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).map(|m| m.permissions().mode() & 0o777).unwrap_or_default()
    }

    #[test]
    fn files_are_created_for_their_owner_alone_and_a_replaced_one_is_narrowed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (new, replaced, appended) =
            (dir.path().join("new"), dir.path().join("replaced"), dir.path().join("appended"));
        create_new(&new).expect("create");
        assert_eq!(mode(&new), MODE);
        assert_eq!(create_new(&new).expect_err("exists").kind(), io::ErrorKind::AlreadyExists);
        std::fs::write(&replaced, "old").expect("write");
        std::fs::set_permissions(&replaced, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        create(&replaced).expect("replace");
        assert_eq!(mode(&replaced), MODE);
        assert_eq!(std::fs::read(&replaced).expect("read"), b"", "truncated");
        append(&appended).expect("append");
        assert_eq!(mode(&appended), MODE);
    }
}
