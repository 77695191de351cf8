//! What every CLI test needs: the real binary, its output as text, and the reference fixtures.
#![allow(dead_code, unused_imports)] // each test file uses its own part

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

/// Runs `nnlab args...` in `dir` and waits for it.
pub fn nnlab(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nnlab"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the nnlab binary runs")
}

/// Output bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("nnlab writes UTF-8")
}

pub use nnlab_fixtures::{fixture, fixtures_dir as fixtures};

/// The reference run of the notebook, 20 epochs (`numpy` and `torch` sections).
pub fn reference() -> Value {
    fixture("reference/notebook_20_epochs_runs.json")
}

/// One column of a reference history.
pub fn column(history: &Value, key: &str) -> Vec<f64> {
    serde_json::from_value(history[key].clone()).expect("a column of numbers")
}

/// The lines a section of the notebook prints (epochs 0 and 10): `width` is 4 for the numpy
/// section's `{epoch:4d}`, 3 for the PyTorch section's `{epoch:3d}`.
pub fn notebook_lines(section: &str, width: usize) -> Vec<String> {
    notebook_lines_at(section, width, &[0, 10])
}

/// [`notebook_lines`] at the given epochs.
#[allow(dead_code)]
pub fn notebook_lines_at(section: &str, width: usize, epochs: &[usize]) -> Vec<String> {
    let h = &reference()[section]["history"];
    let (loss, train, test) = (
        column(h, "loss"),
        column(h, "accuracy_train"),
        column(h, "accuracy_test"),
    );
    epochs
        .iter()
        .map(|&e| {
            format!(
                "Epoch {e:width$}, Loss: {:.4}, Train Acc: {:.4}, Test Acc: {:.4}",
                loss[e], train[e], test[e]
            )
        })
        .collect()
}

/// history.csv as rows of numbers, after checking its header.
pub fn read_history(path: &Path, header: &str) -> Vec<Vec<f64>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some(header));
    lines
        .map(|l| l.split(',').map(|v| v.parse().expect("a number")).collect())
        .collect()
}

/// Whether the file is a PNG.
pub fn is_png(path: &Path) -> bool {
    std::fs::read(path).is_ok_and(|b| b.starts_with(b"\x89PNG\r\n\x1a\n"))
}
