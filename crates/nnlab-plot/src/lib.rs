//! nnlab's figures, drawn with `plotters` and an embedded DejaVu Sans font (no system fonts,
//! fontconfig or freetype needed), as PNG or SVG bytes:
//!
//! - [`DatasetFigure`]: the scaled training set, class 0 red and class 1 blue (the notebook's first plot),
//!   further classes in tab10 colours, or a regression's points coloured by their target value
//!   ([`DatasetFigure::values`]) with a colour scale;
//! - [`TrainingFigure`]: loss, accuracy and weight norms per epoch, from a [`History`](nnlab_core::History),
//!   plus a summary panel where the notebook leaves its fourth panel empty;
//! - [`BoundaryFigure`]: the decision boundary of an [`Engine`](nnlab_core::Engine) over a grid,
//!   with the test points on top, as predicted classes or as probabilities, for binary and
//!   multi-class classifiers; for a regression ([`BoundaryFigure::regression`]), a map of the
//!   predicted value with the test points coloured by their target on the same [`ValueScale`];
//! - [`Animation`]: the boundary as it learns, frames at the epochs of a [`FramePlan`], as a GIF;
//! - [`HiddenFigure`]: the input plane and a grid over it mapped through the first hidden layer;
//! - [`SweepFigure`]: the final test accuracy of every setting of a sweep, with its spread over seeds.
//!
//! Every figure's words are English unless given another [`Lang`] (Russian, the lesson's).
//!
//! Figures only read what training wrote; they never train. [`render`] turns any of them into
//! bytes; writing files is the caller's job.

mod animation;
mod boundary;
mod canvas;
mod colors;
mod cover;
mod dataset;
mod figure;
mod hidden;
mod lang;
mod scale;
mod stamp;
mod sweep;
mod training;

pub use animation::{
    frame_title, Animation, FramePlan, DEFAULT_FRAMES, DELAY, FRAME_SIZE, LAST_DELAY, MAX_FRAMES,
};
pub use boundary::{
    class_color, point_color, region_color, BoundaryFigure, BoundaryMode, Grid, InputsOf,
    PlaneModel, Through,
};
pub use canvas::{canvases_ready, prepare_canvases, take_canvases_from_heap};
pub use colors::rdbu;
pub use dataset::DatasetFigure;
pub use figure::{render, set_dense_scatter, Figure, Format, PlotError, DENSE_SCATTER};
pub use hidden::{
    grid_lines, symmetric_eigen, HiddenFigure, Pca, PointColors, Projection, MAX_PCA_UNITS,
};
pub use lang::{russian_form, Lang};
pub use scale::ValueScale;
pub use sweep::{SweepColumn, SweepFigure};
pub use training::TrainingFigure;
