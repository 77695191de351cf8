//! nnlab's run library: everything between a run's settings and its files, shared by the `nnlab`
//! command and the playground's server, so that both train exactly alike.
//!
//! - [`config`]: [`RunConfig`], every setting of a run resolved (defaults and seeds filled in), as
//!   `run.json` records it, and [`Prepared`], its data generated or read, split and scaled;
//! - [`config_file`]: `--config FILE` (TOML, JSON, a run's run.json) read, and a replay held to
//!   its run.json;
//! - [`command`]: the `nnlab train` command line that reproduces a `RunConfig`;
//! - [`options`]: the named choices (dataset, engine, initialisation, float type, device, figure);
//! - [`data`]: the generators and files behind a `RunConfig`'s data;
//! - [`engines`]: the initial weights and the engine a `RunConfig` asks for;
//! - [`explain`]: `nnlab explain`, one training step taken apart on a few rows, as text or
//!   Markdown;
//! - [`run`]: one run — train with an observer that sees every epoch and the engine (and may
//!   stop it), then write `history.csv`, `model.safetensors`, the figures and `run.json`;
//! - [`learning`]: the figures of learning drawn on request, `boundary.gif` and `hidden.png`;
//! - [`folder`]: a run folder, locked for one run, refused when it holds another (unless
//!   replaced);
//! - [`files`], [`model_file`], [`figures`]: atomic writes, safetensors in PyTorch's layout, the
//!   figures of a run folder.
//!
//! Errors are [`AppError`]s: bad input ([`AppError::Usage`], naming the flag or file and what to
//! do), a run that diverged or was interrupted, or a failure with its cause.

pub mod command;
pub mod config;
pub mod config_file;
pub mod data;
pub mod engines;
mod error;
pub mod explain;
pub mod figures;
pub mod files;
pub mod folder;
pub mod learning;
pub mod model_file;
pub mod options;
pub mod run;

pub use config::{read_run_config, ColumnPlane, Prepared, RunConfig, TestSizeValue};
pub use error::{failed, flag_error, usage, AppError, Result};
pub use folder::{run_folder, Existing, RunFolder};
/// The language of a figure's words (see [`FigureLang`], the flag's and config file's name for it).
pub use nnlab_plot::Lang;
pub use options::{
    Betas, BoundaryView, DatasetOptions, DeviceArg, DtypeArg, EngineKind, FigureLang,
    FigureOptions, Generator, InitKind, LrChange,
};
pub use run::{check_stop, run_training, run_training_with, write_run, Finished, Output};
