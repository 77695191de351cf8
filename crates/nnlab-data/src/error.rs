//! The errors of `nnlab-data`: each variant carries what a person needs to fix the input.

use thiserror::Error;

/// Everything that can go wrong while making, splitting, scaling or reading a dataset.
#[derive(Debug, Error, PartialEq)]
pub enum DataError {
    /// A parameter outside its valid range; `expected` says what would be valid.
    #[error("invalid {name} = {value}: {expected}")]
    InvalidParameter {
        name: &'static str,
        value: String,
        expected: String,
    },

    /// Two arrays that must agree in shape do not.
    #[error("shape mismatch: expected {expected}, got {got}")]
    ShapeMismatch { expected: String, got: String },

    /// A CSV file that cannot be used as a dataset; `line` is 1-based (the header is line 1).
    #[error("line {line}: {problem}")]
    Csv { line: u64, problem: CsvProblem },

    /// A CSV file with no data rows at all.
    #[error(
        "the file is empty: it needs a header line (x0,x1,...,label) and at least one data row"
    )]
    CsvEmpty,

    /// A CSV file whose rows all carry one label: nothing to classify.
    #[error(
        "every row has label {label}: a classifier needs at least two classes (labels 0 and 1 for binary)"
    )]
    CsvOneClass { label: usize },

    /// The reader or writer underneath failed (I/O, invalid UTF-8).
    #[error("{0}")]
    Io(String),
}

/// What is wrong with one line of a CSV file.
#[derive(Clone, Debug, Error, PartialEq)]
pub enum CsvProblem {
    #[error("expected {expected} columns like the header, found {found}")]
    ColumnCount { expected: usize, found: usize },
    #[error("column {column} is {value:?}, which is not a number")]
    NotANumber { column: String, value: String },
    #[error("column {column} is {value}; features must be finite numbers")]
    NotFinite { column: String, value: String },
    #[error("the label {value:?} is not a number: use classes 0, 1, 2, ... or real values for a regression")]
    BadLabel { value: String },
    #[error("the label {label} is a class number, but the file has only {rows} rows: classes are numbered 0, 1, ..., K-1 and every class needs rows, so each label must be below {rows}; renumber the classes, or, for real-valued targets, write them with a decimal point ({label}.0) to train a regression")]
    ClassPastRows { label: usize, rows: usize },
    #[error("the split {value:?} must be \"train\" or \"test\"")]
    BadSplit { value: String },
    #[error("the header needs at least one feature column and a label column, found {found:?}")]
    BadHeader { found: String },
    #[error("the first line is {found:?}, numbers rather than column names: add a header such as x0,x1,label as the first line (else that row would be taken for it)")]
    NoHeader { found: String },
    #[error("no column is named label in the header {found:?}: name the column the network should predict `label`, with commas between the columns (x0,x1,label)")]
    NoLabel { found: String },
}

impl DataError {
    /// Shorthand for [`DataError::InvalidParameter`].
    pub(crate) fn invalid(
        name: &'static str,
        value: impl ToString,
        expected: impl ToString,
    ) -> DataError {
        DataError::InvalidParameter {
            name,
            value: shortest(value.to_string()),
            expected: expected.to_string(),
        }
    }
}

/// A number as a person would write it: `1e308` rather than its 309 digits, `1e-8` rather than
/// `0.00000001`; anything else as it is.
fn shortest(text: String) -> String {
    match text.parse::<f64>() {
        Ok(value) if format!("{value:?}").len() < text.len() => format!("{value:?}"),
        _ => text,
    }
}
