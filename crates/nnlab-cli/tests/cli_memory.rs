//! Issue 13: model and data sizes are bounded by the memory they would take. `--hidden 1048576`
//! (the widest layer accepted) aborted on a failed allocation (exit 134), and `--readable` or
//! `--engine autograd` with `--hidden 100000 --samples 1000000` on a 320 GB one; such runs are
//! refused before they allocate, with the estimate, the limit and `--max-memory` (exit 2), by
//! `nnlab_app::engines::check_memory` in `run_training`.

mod common;

use std::time::{Duration, Instant};

use common::{nnlab, text};

/// Runs `nnlab train args` and checks that it is refused at once with status 2; the message.
fn refused(args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let out = nnlab(
        &[&["train", "--out", "run", "--quiet"][..], args].concat(),
        dir.path(),
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{args:?} was refused only after {:?}",
        started.elapsed()
    );
    assert!(!dir.path().join("run/history.csv").exists());
    err
}

#[test]
fn the_widest_layer_is_refused_with_the_estimate_and_the_flag() {
    let err = refused(&["--hidden", "1048576"]);
    assert!(err.contains("this run would need about "), "{err}");
    assert!(
        err.contains(" GB of memory, more than its limit of "),
        "{err}"
    );
    assert!(err.contains("--max-memory GB"), "{err}");
}

#[test]
fn a_million_rows_of_a_hundred_thousand_units_is_refused_at_once() {
    for engine in [&["--readable"][..], &["--engine", "autograd"]] {
        let args = [&["--hidden", "100000", "--samples", "1000000"][..], engine].concat();
        let err = refused(&args);
        assert!(err.contains("800000 rows × 100003 values"), "{err}");
        assert!(err.contains("--engine manual without --readable"), "{err}");
    }
}

#[test]
fn moderate_runs_pass_and_max_memory_sets_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let out = nnlab(
        &[
            "train",
            "--hidden",
            "256",
            "--samples",
            "5000",
            "--engine",
            "autograd",
            "--epochs",
            "2",
            "--quiet",
            "--no-figures",
            "--out",
            "ok",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let err = refused(&[
        "--hidden",
        "256",
        "--samples",
        "5000",
        "--engine",
        "autograd",
        "--max-memory",
        "0.01",
    ]);
    assert!(
        err.contains("more than its limit of 0.010 GB (--max-memory)"),
        "{err}"
    );
    let err = refused(&["--max-memory", "-1"]);
    assert!(err.contains("--max-memory -1: "), "{err}");
}
