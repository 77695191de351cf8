//! Writing output without ever leaving a half-written file: a temporary file in the same folder,
//! renamed over the target once complete.

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

/// Writes `bytes` to a temporary file beside `path`, then renames it to `path`.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
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
