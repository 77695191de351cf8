//! Telling bad input (exit 2) apart from failures at run time (exit 1) and from a run the person
//! stopped with Ctrl-C (exit 130).

use std::fmt;

/// An error caused by what the user asked for: a flag, a file or a value. Exits with status 2.
#[derive(Debug)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// A run stopped by Ctrl-C, after writing what it had done. Exits with status 130.
#[derive(Debug)]
pub struct Interrupted(pub String);

impl fmt::Display for Interrupted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Interrupted {}

/// Wraps a message as a [`UsageError`] inside an `anyhow::Error`.
pub fn usage(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(UsageError(message.into()))
}

/// 2 for bad input, 130 for Ctrl-C, else 1.
pub fn exit_status(error: &anyhow::Error) -> u8 {
    if error.chain().any(|cause| cause.is::<UsageError>()) {
        2
    } else if error.chain().any(|cause| cause.is::<Interrupted>()) {
        130
    } else {
        1
    }
}

/// A value the core refused, as a message naming its flag (`--lr 0: ...`).
pub fn flag_error(error: nnlab_core::CoreError) -> anyhow::Error {
    match error {
        nnlab_core::CoreError::InvalidParameter {
            name,
            value,
            expected,
        } => usage(format!("--{name} {value}: {expected}")),
        other => usage(other.to_string()),
    }
}
