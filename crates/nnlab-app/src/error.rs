//! The errors of a run, told apart the way a person needs them: bad input (a flag, a file, a value:
//! fix it and run again), a run that stopped early (diverged, or interrupted), and failures.

use thiserror::Error;

/// Everything that can go wrong in a run.
#[derive(Debug, Error)]
pub enum AppError {
    /// What the user asked for cannot be done: a flag, a file or a value. The message names it and
    /// says what to do (the CLI exits with status 2).
    #[error("{0}")]
    Usage(String),

    /// Training diverged; the message says where and what was kept (the CLI exits with 1).
    #[error("{0}")]
    Diverged(String),

    /// The run was asked to stop and kept what it had done (the CLI exits with 130).
    #[error("{0}")]
    Interrupted(String),

    /// Something failed while doing the work (writing a file, an engine's backend), with its cause.
    #[error("{context}")]
    Failed {
        context: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    #[error(transparent)]
    Core(#[from] nnlab_core::CoreError),

    #[error(transparent)]
    Data(#[from] nnlab_data::DataError),

    #[error(transparent)]
    Plot(#[from] nnlab_plot::PlotError),

    #[error(transparent)]
    Autograd(#[from] nnlab_autograd::AutogradError),
}

/// The result of the run library's functions.
pub type Result<T> = std::result::Result<T, AppError>;

/// A [`AppError::Usage`] with this message.
pub fn usage(message: impl Into<String>) -> AppError {
    AppError::Usage(message.into())
}

/// A value the core refused, as a message naming its flag (`--lr 0: ...`).
pub fn flag_error(error: nnlab_core::CoreError) -> AppError {
    match error {
        nnlab_core::CoreError::InvalidParameter {
            name,
            value,
            expected,
        } if value == "true" => usage(format!("--{name}: {expected}")), // a switch, as typed
        nnlab_core::CoreError::InvalidParameter {
            name,
            value,
            expected,
        } => usage(format!("--{name} {value}: {expected}")),
        other => usage(other.to_string()),
    }
}

/// `error` as the cause of a failure described by `context` (for `map_err`).
pub fn failed<E: std::error::Error + Send + Sync + 'static>(
    context: impl Into<String>,
) -> impl FnOnce(E) -> AppError {
    let context = context.into();
    move |source| AppError::Failed {
        context,
        source: Box::new(source),
    }
}
