//! Telling bad input (exit 2) apart from failures at run time (exit 1) and from a run the person
//! stopped with Ctrl-C (exit 130).

use std::fmt;

use nnlab_app::AppError;

/// An error caused by what the user asked for: a flag, a file or a value. Exits with status 2.
#[derive(Debug)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Wraps a message as a [`UsageError`] inside an `anyhow::Error`.
pub fn usage(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(UsageError(message.into()))
}

/// 2 for bad input, 130 for Ctrl-C, else 1.
pub fn exit_status(error: &anyhow::Error) -> u8 {
    fn app<'a>(cause: &'a (dyn std::error::Error + 'static)) -> Option<&'a AppError> {
        cause.downcast_ref::<AppError>()
    }
    if error
        .chain()
        .any(|cause| cause.is::<UsageError>() || matches!(app(cause), Some(AppError::Usage(_))))
    {
        2
    } else if error
        .chain()
        .any(|cause| matches!(app(cause), Some(AppError::Interrupted(_))))
    {
        130
    } else {
        1
    }
}

/// True if the error is a write to a closed pipe.
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
