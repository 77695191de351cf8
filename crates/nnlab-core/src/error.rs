//! The errors of `nnlab-core`, with the data a message needs.

use thiserror::Error;

/// Everything that can go wrong while building or training a model.
#[derive(Debug, Error, PartialEq)]
pub enum CoreError {
    /// A setting outside its valid range; `expected` says what would be valid.
    #[error("invalid {name} = {value}: {expected}")]
    InvalidParameter {
        name: &'static str,
        value: String,
        expected: String,
    },

    /// Arrays whose shapes do not fit together.
    #[error("shape mismatch for {what}: expected {expected}, got {got}")]
    ShapeMismatch {
        what: String,
        expected: String,
        got: String,
    },

    /// A parameter that `set_parameters` expected and did not get.
    #[error("missing parameter {name}")]
    MissingParameter { name: String },

    /// A `history.csv` that cannot be read back; `line` is 1-based.
    #[error("history.csv line {line}: {problem}")]
    HistoryFile { line: usize, problem: String },

    /// A step stopped before changing any weight, because a stop was asked for
    /// ([`crate::cancel`]).
    #[error("the step was stopped before it finished (a stop was asked for)")]
    Cancelled,

    /// The engine's numerical backend failed (e.g. candle).
    #[error("the engine's backend failed: {0}")]
    Backend(String),

    /// A target that does not fit the task (a class index out of range, a NaN value).
    #[error("target {value} does not fit the task: expected {expected}")]
    BadTarget { value: f64, expected: String },

    /// Labels that a binary classifier cannot train on.
    #[error("labels must be 0 or 1 for a binary classifier; found label {label}")]
    NotBinary { label: usize },
}

impl CoreError {
    /// Shorthand for [`CoreError::InvalidParameter`].
    pub(crate) fn invalid(
        name: &'static str,
        value: impl ToString,
        expected: impl ToString,
    ) -> CoreError {
        CoreError::InvalidParameter {
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
