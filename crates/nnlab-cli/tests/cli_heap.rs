//! The heap in 2 MiB pages (`crates/nnlab-cli/src/heap.rs`): `nnlab train` touches its memory in
//! large pages, so it makes far fewer page faults than with glibc's usual heap.
#![cfg(all(target_os = "linux", target_env = "gnu"))]

use std::process::{Command, Stdio};

/// Minor page faults of one `nnlab args...` run in `dir` (from `wait4`'s resource usage of that
/// child alone: other tests' children do not count), after checking that it succeeded.
fn page_faults(args: &[&str], dir: &std::path::Path) -> i64 {
    #[allow(clippy::zombie_processes)] // reaped by `wait4` below, which also gives its usage
    let child = Command::new(env!("CARGO_BIN_EXE_nnlab"))
        .args(args)
        // two threads whatever the machine: each thread's stack and buffers are faults too
        .env("RAYON_NUM_THREADS", "2")
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the nnlab binary runs");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: `rusage` is plain data that `wait4` fills in; the child is ours and not waited
    // for elsewhere (`child` is dropped without `wait`, which does not kill or reap it).
    let usage = unsafe {
        let mut usage = std::mem::zeroed::<libc::rusage>();
        assert_eq!(libc::wait4(pid, &mut status, 0, &mut usage), pid);
        usage
    };
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "nnlab {args:?} failed: {status}"
    );
    usage.ru_minflt
}

/// Whether this kernel gives 2 MiB pages to memory that asks for them.
fn large_pages_on_request() -> bool {
    std::fs::read_to_string("/sys/kernel/mm/transparent_hugepage/enabled")
        .is_ok_and(|mode| mode.contains("[always]") || mode.contains("[madvise]"))
}

#[test]
fn training_on_100000_rows_touches_its_memory_in_large_pages() {
    if !large_pages_on_request() {
        eprintln!("skipped: this kernel has no transparent huge pages");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let args: Vec<&str> = "train --samples 100000 --hidden 64 --epochs 5 --dtype f32 \
         --threads 2 --no-figures --quiet --out run"
        .split_whitespace()
        .collect();
    let faults = page_faults(&args, dir.path());
    // Measured with this command on a 2-core Linux 6.18 machine, glibc 2.36, the test build of
    // nnlab: 2,618 and 2,639 page faults with the call to `use_large_pages` taken out (the data
    // alone is about 10 MiB of 4 KiB pages), 692 to 1,098 in six runs with it. The limit lies
    // between, some 700 faults from each. (Where the kernel has no 2 MiB page free it falls back
    // to small ones, and this fails: on a machine whose memory is that fragmented, so is the
    // speed-up.)
    assert!(
        faults < 1_800,
        "{faults} page faults: the heap is not in large pages (about 2,600 when it is not)"
    );
    assert!(dir.path().join("run/model.safetensors").is_file());
}
