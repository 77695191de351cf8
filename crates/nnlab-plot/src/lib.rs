//! nnlab's figures, drawn with `plotters` and an embedded DejaVu Sans font (no system fonts,
//! fontconfig or freetype needed), as PNG or SVG bytes:
//!
//! - [`DatasetFigure`]: the scaled training set, class 0 red and class 1 blue (the notebook's first plot);
//! - [`TrainingFigure`]: loss, accuracy and weight norms per epoch, from a [`History`](nnlab_core::History),
//!   plus a summary panel where the notebook leaves its fourth panel empty;
//! - [`BoundaryFigure`]: the decision boundary of an [`Engine`](nnlab_core::Engine) over a grid,
//!   with the test points on top, as predicted classes or as probabilities;
//! - [`SweepFigure`]: the final test accuracy of every setting of a sweep, with its spread over seeds.
//!
//! Figures only read what training wrote; they never train. [`render`] turns any of them into
//! bytes; writing files is the caller's job.

mod boundary;
mod colors;
mod dataset;
mod figure;
mod sweep;
mod training;

pub use boundary::{class_color, BoundaryFigure, BoundaryMode, Grid};
pub use colors::rdbu;
pub use dataset::DatasetFigure;
pub use figure::{render, Figure, Format, PlotError};
pub use sweep::{SweepColumn, SweepFigure};
pub use training::TrainingFigure;
