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
        let problem = if folder.exists() {
            format!("{} is a file, not a folder", folder.display())
        } else {
            format!(
                "the folder {} does not exist (create it first, or pick another path)",
                folder.display()
            )
        };
        return Err(crate::usage(format!(
            "cannot write {}: {problem}",
            path.display()
        )));
    }
    remove_dead_temp_files(folder);
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

/// The SHA-256 of `bytes`, in lowercase hex: how run.json names the data file and the files of
/// its run.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// `.nnlab-<process id>-`: whose temporary file it is, so that the next write into the folder can
/// tell a killed process's leftovers from a running one's.
static TEMP_PREFIX: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| format!(".nnlab-{}-", std::process::id()));

/// Removes the temporary files in `folder` of processes that are gone (killed while writing).
fn remove_dead_temp_files(folder: &Path) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|name| name.strip_prefix(".nnlab-"))
            .and_then(|rest| rest.split_once('-'))
            .and_then(|(pid, _)| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if !crate::folder::alive(pid) && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Temporary files that become ordinary files: readable by all (0644 before the umask), not 0600.
fn temp_file_builder() -> tempfile::Builder<'static, 'static> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(&*TEMP_PREFIX);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    builder
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_killed_writers_temp_files_go_with_the_next_write() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path();
        // Process 0 is never a user process: its file is a killed writer's leftover.
        let dead = folder.join(".nnlab-0-a1b2c3");
        let ours = folder.join(format!("{}x", *TEMP_PREFIX)); // a live writer's: ours
        let lock = folder.join(".nnlab-lock");
        for path in [&dead, &ours, &lock] {
            std::fs::write(path, "half").unwrap();
        }
        write_atomically(&folder.join("out.csv"), b"x0,label\n").unwrap();
        assert!(!dead.exists(), "a killed writer's temp file stayed");
        assert!(ours.exists() && lock.exists(), "a live file was removed");
        assert_eq!(
            std::fs::read(folder.join("out.csv")).unwrap(),
            b"x0,label\n"
        );
    }
}
