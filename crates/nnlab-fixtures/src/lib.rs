//! Test support for nnlab's crates: the reference vectors kept in the repository's `fixtures/`
//! folder (made by scikit-learn, numpy and PyTorch; see the README), read as JSON values and
//! turned into arrays. It depends on no nnlab crate, so every crate's tests can use it.

use std::path::PathBuf;

pub mod fuzz;

use ndarray::Array2;
use serde_json::Value;

/// The repository's `fixtures/` folder.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// A JSON fixture by its path under `fixtures/`, e.g. `"reference/datasets.json"`.
pub fn fixture(name: &str) -> Value {
    let path = fixtures_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A list of rows of numbers as a matrix.
pub fn matrix(value: &Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = serde_json::from_value(value.clone()).expect("rows of numbers");
    let d = rows.first().map_or(0, Vec::len);
    Array2::from_shape_vec((rows.len(), d), rows.concat()).expect("rows of equal length")
}

/// Every number in a value, nested lists flattened in order.
pub fn numbers(value: &Value) -> Vec<f64> {
    match value {
        Value::Array(items) => items.iter().flat_map(numbers).collect(),
        Value::Number(n) => vec![n.as_f64().expect("a finite number")],
        other => panic!("not a number: {other}"),
    }
}

/// A list of class labels.
pub fn labels(value: &Value) -> Vec<usize> {
    serde_json::from_value(value.clone()).expect("a list of labels")
}

/// The notebook's scaled split as the reference recorded it (`reference/notebook_data.json`).
pub struct NotebookSplit {
    pub x_train: Array2<f64>,
    pub y_train: Vec<usize>,
    pub x_test: Array2<f64>,
    pub y_test: Vec<usize>,
}

/// `X_train_scaled`, `Y_train`, `X_test_scaled`, `Y_test` of the notebook's data cell.
pub fn notebook_split() -> NotebookSplit {
    let nb = fixture("reference/notebook_data.json");
    NotebookSplit {
        x_train: matrix(&nb["X_train_scaled"]),
        y_train: labels(&nb["Y_train"]),
        x_test: matrix(&nb["X_test_scaled"]),
        y_test: labels(&nb["Y_test"]),
    }
}
