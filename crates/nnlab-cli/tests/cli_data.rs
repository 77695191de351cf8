//! `nnlab data` run as a user would: the real binary, real files, real bad input.

use std::path::Path;
use std::process::{Command, Output};

use nnlab_data::csv_io::read_csv;
use serde_json::Value;

fn nnlab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nnlab"))
        .args(args)
        .output()
        .expect("the nnlab binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn reference_case(index: usize) -> Value {
    let path = format!(
        "{}/../../fixtures/reference/datasets.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let all: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    all["cases"][index].clone()
}

/// Asserts the CSV holds exactly the reference case's X and y, bit for bit.
fn assert_csv_is_case(csv: &str, case: &Value) {
    let data = read_csv(csv.as_bytes()).unwrap().dataset;
    let x: Vec<Vec<f64>> = serde_json::from_value(case["X"].clone()).unwrap();
    let y: Vec<usize> = serde_json::from_value(case["y"].clone()).unwrap();
    assert_eq!(data.labels, y);
    assert_eq!(data.features.nrows(), x.len());
    for (row, want) in data.features.rows().into_iter().zip(&x) {
        for (g, w) in row.iter().zip(want) {
            assert_eq!(g.to_bits(), w.to_bits(), "got {g:?}, want {w:?}");
        }
    }
}

#[test]
fn five_rows_of_the_notebooks_moons() {
    let out = nnlab(&["data", "--samples", "5"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // scikit-learn 1.9.1: make_moons(n_samples=5, noise=0.125, random_state=42)
    assert_eq!(
        stdout(&out),
        "x0,x1,label\n\
         -0.9407673957818972,0.1710562654082195,0\n\
         1.8853966445227035,0.4844816024659038,1\n\
         -0.2513703612180785,0.43839957187957146,1\n\
         1.0490724688003075,-0.11614808336631989,0\n\
         1.009978976526963,-0.5199395627071344,1\n"
    );
}

#[test]
fn defaults_are_the_notebooks_dataset() {
    // reference case 0: make_moons(n_samples=1000, noise=0.125, random_state=42)
    let out = nnlab(&["data"]);
    assert!(out.status.success());
    assert_csv_is_case(&stdout(&out), &reference_case(0));
}

#[test]
fn circles_and_blobs_match_the_reference() {
    // case 4: make_circles(n_samples=200, factor=0.6, noise=0.05, random_state=1)
    let out = nnlab(&[
        "data",
        "circles",
        "--samples",
        "200",
        "--factor",
        "0.6",
        "--noise",
        "0.05",
        "--seed",
        "1",
    ]);
    assert_csv_is_case(&stdout(&out), &reference_case(4));
    // case 5: make_circles(n_samples=9, noise=None, shuffle=False); --noise 0 adds only zeros
    let out = nnlab(&[
        "data",
        "circles",
        "--samples",
        "9",
        "--noise",
        "0",
        "--no-shuffle",
    ]);
    assert_csv_is_case(&stdout(&out), &reference_case(5));
    // case 6: make_blobs(n_samples=150, centers=3, n_features=2, random_state=5)
    let out = nnlab(&[
        "data",
        "blobs",
        "--samples",
        "150",
        "--centers",
        "3",
        "--seed",
        "5",
    ]);
    assert_csv_is_case(&stdout(&out), &reference_case(6));
}

#[test]
fn test_size_adds_the_split_of_train_test_split() {
    let out = nnlab(&["data", "--test-size", "0.2"]);
    assert!(out.status.success());
    let read = read_csv(stdout(&out).as_bytes()).unwrap();
    let split = read.split.expect("a split column");
    // train_test_split(X, Y, test_size=0.2, random_state=42) on the notebook's 1000 rows
    let mut want =
        nnlab_data::train_test_split(1000, nnlab_data::TestSize::Fraction(0.2), true, 42).unwrap();
    want.test.sort_unstable();
    want.train.sort_unstable();
    assert_eq!(split, want);
    assert_eq!(split.test.len(), 200);
}

#[test]
fn output_file_is_written_and_stdout_stays_empty() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("moons.csv");
    let out = nnlab(&["data", "--samples", "7", "-o", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    // says where the rows went (on stderr: stdout carries data when there is no -o)
    assert_eq!(
        stderr(&out).trim_end(),
        format!("Wrote 7 rows (x0,x1,...,label) to {}", path.display())
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 8);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temporary file is left"
    );
}

/// Bad input: exit status 2, a one-line reason on stderr that names the problem, nothing on stdout.
fn assert_refused(args: &[&str], mention: &str) {
    let out = nnlab(args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert!(out.stdout.is_empty(), "{args:?} printed data");
    assert!(err.starts_with("error: "), "{args:?}: {err}");
    assert!(
        err.contains(mention),
        "{args:?}: {err:?} should mention {mention:?}"
    );
    assert!(!err.contains("panicked"), "{args:?}: {err}");
}

#[test]
fn bad_input_exits_with_status_2_and_a_reason() {
    assert_refused(&["data", "--samples", "0"], "--samples");
    assert_refused(&["data", "--samples", "-5"], "--samples");
    assert_refused(&["data", "--samples", "many"], "--samples");
    assert_refused(&["data", "--noise", "-0.1"], "--noise");
    assert_refused(&["data", "--noise", "NaN"], "--noise");
    assert_refused(&["data", "--noise", "inf"], "--noise");
    assert_refused(&["data", "--seed", "-1"], "--seed");
    assert_refused(&["data", "--seed", "4294967296"], "--seed");
    assert_refused(&["data", "--test-size", "0"], "--test-size");
    assert_refused(&["data", "--test-size", "1.0"], "--test-size");
    assert_refused(&["data", "--test-size", "nan"], "--test-size");
    assert_refused(&["data", "--test-size", "1000"], "--test-size");
    assert_refused(
        &["data", "--samples", "1", "--test-size", "0.5"],
        "--test-size",
    );
    assert_refused(&["data", "spirals"], "spirals");
    assert_refused(&["data", "circles", "--factor", "1"], "factor");
    assert_refused(&["data", "moons", "--factor", "0.5"], "--factor");
    assert_refused(&["data", "blobs", "--noise", "0.1"], "--cluster-std");
    assert_refused(&["data", "blobs", "--centers", "0"], "--centers");
    assert_refused(
        &["data", "--samples", "5", "-o", "/no/such/folder/x.csv"],
        "/no/such/folder",
    );
}

#[test]
fn a_failed_write_keeps_the_existing_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keep.csv");
    std::fs::write(&path, "precious").unwrap();
    let out = nnlab(&["data", "--samples", "0", "-o", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(Path::new(&path)).unwrap(),
        "precious"
    );
}

#[test]
fn help_shows_an_example() {
    let out = nnlab(&["data", "--help"]);
    assert!(out.status.success());
    assert!(stdout(&out).contains("Examples:"));
    assert!(stdout(&out).contains("nnlab data --samples 5"));
}

/// Issue 13: what is not a regular file is written through, never replaced — a symlink keeps
/// pointing at its file (which gets the data), a FIFO stays a FIFO (its reader gets the data),
/// a folder is refused with exit 2.
#[cfg(unix)]
#[test]
fn outputs_that_are_not_regular_files_are_written_through() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let at = |name: &str| d.join(name).to_str().unwrap().to_string();
    let want = nnlab(&["data", "--samples", "3"]).stdout;

    std::fs::write(d.join("real.csv"), "old").unwrap();
    std::os::unix::fs::symlink("real.csv", d.join("link.csv")).unwrap();
    let out = nnlab(&["data", "--samples", "3", "-o", &at("link.csv")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(std::fs::symlink_metadata(d.join("link.csv"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(std::fs::read(d.join("real.csv")).unwrap(), want);

    let fifo = d.join("pipe");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    let out = nnlab(&["data", "--samples", "3", "-o", &at("pipe")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // (checked before joining: a FIFO replaced by a file would leave the reader waiting)
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::symlink_metadata(&fifo)
        .unwrap()
        .file_type()
        .is_fifo());
    assert_eq!(reader.join().unwrap(), want);

    std::fs::create_dir(d.join("folder")).unwrap();
    let out = nnlab(&["data", "-o", &at("folder")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("folder: it is a folder"),
        "{}",
        stderr(&out)
    );
}
