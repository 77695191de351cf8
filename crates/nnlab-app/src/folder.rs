//! A run folder belongs to one run at a time.
//!
//! - A folder that already holds a run (any file a run writes: `run.json`, `history.csv`, the
//!   model, the figures) is refused unless the run is told to replace it (`--force`); replacing it
//!   removes every such file first, so no figure of the old run survives beside the new one.
//! - While a run writes, the folder holds a lock file (`.nnlab-lock`, with the process id); a
//!   second run into the same folder is refused while that process lives, so two runs cannot
//!   interleave their files. A lock left by a killed process is taken over.
//! - Temporary files (`.nnlab-*`) that a killed run left behind are removed when the next run
//!   takes the folder.
//! - The default folders, `runs/<UTC time>`, are created with an exclusive create, so two runs
//!   started in the same second get two folders (`…-2`).

use std::io::Write;
use std::ops::Deref;
use std::path::{Path, PathBuf};

use crate::{failed, usage, Result};

/// Every file a run, a sweep or the notebook writes into its folder. Only these are removed when a
/// run replaces another: anything else in the folder is the user's and stays.
pub const RUN_FILES: &[&str] = &[
    "run.json",
    "history.csv",
    "model.safetensors",
    "dataset.png",
    "dataset.svg",
    "training.png",
    "training.svg",
    "boundary.png",
    "boundary.svg",
    "boundary.gif",
    "hidden.png",
    "hidden.svg",
    "runs.csv",
    "summary.csv",
    "sweep.png",
];

/// The lock file's name.
const LOCK: &str = ".nnlab-lock";

/// What to do with a folder that holds another run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Existing {
    /// Refuse, naming `--force`.
    Refuse,
    /// Remove the old run's files first (`--force`; `nnlab notebook`'s own folder).
    Replace,
}

/// A run's folder, locked for it until dropped.
#[derive(Debug)]
pub struct RunFolder {
    path: PathBuf,
    /// This run created the folder: if it ends with nothing written (refused input found after
    /// the folder was made), the folder goes too.
    created: bool,
}

impl Deref for RunFolder {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<Path> for RunFolder {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

impl Drop for RunFolder {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(self.path.join(LOCK));
        if self.created {
            let _ = std::fs::remove_dir(&self.path); // only if empty
        }
    }
}

/// `--out`, or a new folder under `runs/` named `name` (default: the UTC time); created if
/// missing, locked, cleared of a killed run's temporary files, and checked for another run.
pub fn run_folder(out: Option<&Path>, name: Option<&str>, existing: Existing) -> Result<RunFolder> {
    let mut created = true;
    let path = match (out, name) {
        (Some(path), _) => {
            created = !path.exists();
            create(path, true)?;
            path.to_path_buf()
        }
        (None, Some(name)) => fresh(&Path::new("runs").join(name))?,
        (None, None) => {
            let stamp = humantime::format_rfc3339_seconds(std::time::SystemTime::now())
                .to_string()
                .replace(':', "-");
            fresh(&Path::new("runs").join(stamp))?
        }
    };
    lock(&path)?;
    // From here the folder is ours: the lock goes when `folder` is dropped, on any error too.
    let folder = RunFolder { path, created };
    remove_temp_files(&folder)?;
    let old: Vec<&str> = present(&folder, RUN_FILES);
    if !old.is_empty() {
        match existing {
            Existing::Refuse => {
                return Err(usage(format!(
                    "--out {} already holds a run ({}): give another --out, or --force to replace that run (its files are removed first)",
                    folder.display(),
                    old.join(", ")
                )))
            }
            Existing::Replace => clear(&folder)?,
        }
    }
    Ok(folder)
}

/// Removes every file a run writes from `folder` (a sub-folder of a run, such as the notebook's
/// sections, too).
pub fn clear(folder: &Path) -> Result<()> {
    for name in present(folder, RUN_FILES) {
        let path = folder.join(name);
        std::fs::remove_file(&path).map_err(failed(format!("cannot remove {}", path.display())))?;
    }
    Ok(())
}

/// Which of `names` exist in `folder`.
fn present<'a>(folder: &Path, names: &[&'a str]) -> Vec<&'a str> {
    names
        .iter()
        .copied()
        .filter(|name| std::fs::symlink_metadata(folder.join(name)).is_ok())
        .collect()
}

/// Creates `path` and its parents; with `exist_ok` false, fails if it exists.
fn create(path: &Path, exist_ok: bool) -> Result<bool> {
    let created = if exist_ok {
        std::fs::create_dir_all(path).map(|()| true)
    } else {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| cannot_create(parent, e))?;
        }
        match std::fs::create_dir(path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
            Err(e) => Err(e),
        }
    };
    created.map_err(|e| cannot_create(path, e))
}

fn cannot_create(path: &Path, e: std::io::Error) -> crate::AppError {
    usage(format!(
        "--out {}: cannot create the folder: {e}",
        path.display()
    ))
}

/// A folder `base`, or `base-2`, `base-3`, … : the first that this process creates itself.
fn fresh(base: &Path) -> Result<PathBuf> {
    let mut path = base.to_path_buf();
    for n in 2.. {
        if create(&path, false)? {
            return Ok(path);
        }
        path = PathBuf::from(format!("{}-{n}", base.display()));
    }
    unreachable!("some suffix is free")
}

/// Takes the folder's lock, or says who holds it.
fn lock(folder: &Path) -> Result<()> {
    let path = folder.join(LOCK);
    for _ in 0..3 {
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut file) => {
                return file
                    .write_all(std::process::id().to_string().as_bytes())
                    .map_err(failed(format!("cannot write {}", path.display())));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let holder = std::fs::read_to_string(&path).unwrap_or_default();
                match holder.trim().parse::<u32>() {
                    Ok(pid) if alive(pid) => {
                        return Err(usage(format!(
                            "--out {}: another nnlab run (process {pid}) is writing into it now; wait for it to finish, or give another --out",
                            folder.display()
                        )))
                    }
                    // Its process is gone (killed), or it is being written this instant: a dead
                    // holder's lock is taken over; an empty one is retried.
                    Ok(_) => {
                        let _ = std::fs::remove_file(&path);
                    }
                    Err(_) => std::thread::sleep(std::time::Duration::from_millis(50)),
                }
            }
            Err(e) => {
                return Err(usage(format!(
                    "--out {}: cannot write into the folder: {e}",
                    folder.display()
                )))
            }
        }
    }
    Err(usage(format!(
        "--out {}: cannot take the folder's lock {LOCK}; if no nnlab run is writing there, remove that file",
        folder.display()
    )))
}

/// Whether process `pid` is running (on systems without /proc, every holder counts as running).
pub(crate) fn alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    let proc = Path::new("/proc");
    if !proc.is_dir() {
        return true;
    }
    proc.join(pid.to_string()).exists()
}

/// Removes the temporary files (`.nnlab-*`, not the lock) that a run killed while writing left.
fn remove_temp_files(folder: &Path) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(".nnlab-") && name != LOCK && entry.path().is_file() {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_with_a_run_is_refused_then_replaced_with_force() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("run");
        {
            let folder = run_folder(Some(&out), None, Existing::Refuse).unwrap();
            std::fs::write(folder.join("run.json"), "{}").unwrap();
            std::fs::write(folder.join("boundary.png"), "old").unwrap();
            std::fs::write(folder.join("notes.txt"), "mine").unwrap();
        }
        let error = run_folder(Some(&out), None, Existing::Refuse).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("--force"), "{message}");
        assert!(message.contains("run.json, boundary.png"), "{message}");
        let _folder = run_folder(Some(&out), None, Existing::Replace).unwrap();
        assert!(!out.join("run.json").exists());
        assert!(
            !out.join("boundary.png").exists(),
            "a stale figure survived"
        );
        assert!(
            out.join("notes.txt").exists(),
            "a file of the user's was removed"
        );
    }

    #[test]
    fn a_locked_folder_is_refused_and_a_dead_lock_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("run");
        std::fs::create_dir(&out).unwrap();
        let held = run_folder(Some(&out), None, Existing::Replace).unwrap();
        let error = run_folder(Some(&out), None, Existing::Replace).unwrap_err();
        assert!(
            error.to_string().contains("is writing into it now"),
            "{error}"
        );
        drop(held);
        assert!(!out.join(LOCK).exists(), "the lock outlived its run");
        // A lock whose process is gone: pid 0 is never a user process and has no /proc entry.
        std::fs::write(out.join(LOCK), "0").unwrap();
        std::fs::write(out.join(".nnlab-abc123"), "half a model").unwrap();
        let _folder = run_folder(Some(&out), None, Existing::Refuse).unwrap();
        assert!(
            !out.join(".nnlab-abc123").exists(),
            "a killed run's temp file stayed"
        );
    }

    #[test]
    fn a_folder_made_for_a_run_that_wrote_nothing_goes() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("refused");
        drop(run_folder(Some(&out), None, Existing::Refuse).unwrap());
        assert!(!out.exists(), "an empty run folder was left");
        // A folder that was there before stays, empty or not.
        std::fs::create_dir(&out).unwrap();
        drop(run_folder(Some(&out), None, Existing::Refuse).unwrap());
        assert!(out.is_dir());
    }

    #[test]
    fn default_folders_never_collide() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().join("runs").join("same-second");
        let first = fresh(&base).unwrap();
        let second = fresh(&base).unwrap();
        assert_ne!(first, second);
        assert!(second.to_string_lossy().ends_with("same-second-2"));
    }
}
