//! Writing output without ever leaving a half-written file: a temporary file in the same folder,
//! renamed over the target once complete — for regular files. Anything else is written through,
//! never replaced: a symlink's target (itself atomically, if it is a regular file), a device, a
//! FIFO; their write errors are reported with the path.

use std::io::{self, Write};
use std::path::Path;

use crate::{failed, Result};

/// Writes `bytes` to `path` atomically (temp file + rename), or to stdout if `path` is `None`.
pub fn write_output(path: Option<&Path>, bytes: &[u8]) -> Result<()> {
    match path {
        None => {
            let mut stdout = io::stdout().lock();
            stdout
                .write_all(bytes)
                .and_then(|()| stdout.flush())
                .map_err(failed("writing to standard output"))
        }
        Some(path) => write_atomically(path, bytes),
    }
}

/// Writes `bytes` to `path`: a regular file (or a new one) atomically, through a temporary file
/// beside it renamed over it; a symlink by writing what it points to; a device or FIFO by writing
/// into it. A folder is refused.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            return match std::fs::canonicalize(path) {
                Ok(target) => write_atomically(&target, bytes),
                Err(_) => write_through(path, bytes), // dangling: create its target
            };
        }
        Ok(meta) if meta.is_dir() => {
            return Err(crate::usage(format!(
                "cannot write {}: it is a folder (give a file's path)",
                path.display()
            )));
        }
        Ok(meta) if !meta.is_file() => return write_through(path, bytes), // device, FIFO, socket
        _ => {}
    }
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    if !folder.is_dir() {
        return Err(crate::usage(format!(
            "cannot write {}: the folder {} does not exist (create it first, or pick another path)",
            path.display(),
            folder.display()
        )));
    }
    let mut file = temp_file_builder()
        .tempfile_in(folder)
        .map_err(failed(format!(
            "cannot create a file in {}",
            folder.display()
        )))?;
    file.write_all(bytes)
        .and_then(|()| file.flush())
        .map_err(failed(format!("cannot write {}", path.display())))?;
    file.persist(path)
        .map_err(|e| failed(format!("cannot write {}", path.display()))(e.error))?;
    Ok(())
}

/// Writes `bytes` into `path` as it is (opened for writing, created if missing), reporting errors.
fn write_through(path: &Path, bytes: &[u8]) -> Result<()> {
    let cannot = || failed(format!("cannot write {}", path.display()));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(cannot())?;
    file.write_all(bytes)
        .and_then(|()| file.flush())
        .map_err(cannot())
}

/// Temporary files that become ordinary files: readable by all (0644 before the umask), not 0600.
fn temp_file_builder() -> tempfile::Builder<'static, 'static> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".nnlab-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    builder
}
