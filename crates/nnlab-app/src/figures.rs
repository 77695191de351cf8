//! Writing a run's figures: `dataset.png`, `training.png`, `boundary.png` (and `.svg` with `--svg`).
//! `nnlab train` and `nnlab plot` both call this, so a redraw gives the very same files.

use std::path::Path;

use nnlab_core::{Engine, History};
use nnlab_plot::{render, DatasetFigure, Format, TrainingFigure};

use crate::config::Prepared;
use crate::files::write_atomically;
use crate::learning::{boundary_figure, test_marks};
use crate::options::{FigureLang, FigureOptions};
use crate::{AppError, Result};

/// Renders every figure into `folder`; returns the names of the files written. A figure that
/// fails does not stop the others: they are written, and the first error (in the order of the
/// files) is returned.
///
/// The figures do not depend on each other, so they are drawn side by side: the dataset and the
/// training curves on a thread of their own, the decision boundary (which needs the engine) on
/// the calling thread. Drawing a PNG is mostly filling and compressing pixels, a few ms each;
/// on two cores this takes about half the time of drawing them one after another.
pub fn write_figures(
    folder: &Path,
    prepared: &Prepared,
    engine: &dyn Engine,
    history: &History,
    summary: Vec<String>,
    options: &FigureOptions,
    include_dataset: bool,
) -> Result<Vec<String>> {
    let dataset = DatasetFigures::when(include_dataset);
    write_figures_with(
        folder,
        prepared,
        engine,
        history,
        summary,
        options,
        dataset,
        &|| {},
    )
    .into_result()
}

/// Figure files written so far, and the first error met. A figure that fails does not stop the
/// others: what was written stays, and is named, beside the error.
#[derive(Default)]
pub(crate) struct Written {
    /// The files written, in order.
    pub(crate) files: Vec<String>,
    /// The first error, in the order of the files (a thread's figures are taken in turn).
    pub(crate) error: Option<AppError>,
}

impl Written {
    /// Writes `name` in `folder` with what `bytes` holds, and notes it; or notes the error (the
    /// rendering's or the writing's) if it is the first.
    pub(crate) fn write(&mut self, folder: &Path, name: &str, bytes: Result<Vec<u8>>) {
        match bytes.and_then(|bytes| write_atomically(&folder.join(name), &bytes)) {
            Ok(()) => self.files.push(name.to_string()),
            Err(error) => self.fail(error),
        }
    }

    /// Notes `error`, if it is the first.
    pub(crate) fn fail(&mut self, error: AppError) {
        self.error.get_or_insert(error);
    }

    /// The files `other` wrote after these, and its error if none came before.
    fn extend(&mut self, other: Written) {
        self.files.extend(other.files);
        if let Some(error) = other.error {
            self.fail(error);
        }
    }

    /// The files, or the first error.
    pub(crate) fn into_result(self) -> Result<Vec<String>> {
        match self.error {
            Some(error) => Err(error),
            None => Ok(self.files),
        }
    }
}

/// Whether [`write_figures_with`] writes `dataset.png`, and whether it is being drawn already.
pub(crate) enum DatasetFigures<'scope> {
    Skip,
    Draw,
    /// Being rendered, or rendered, on a thread of its own (it began while the run trained:
    /// the figure shows only the data).
    Drawing(std::thread::ScopedJoinHandle<'scope, Result<Rendered>>),
}

impl DatasetFigures<'_> {
    /// Draw it (when `include`) or not; nothing drawn yet.
    pub(crate) fn when(include: bool) -> DatasetFigures<'static> {
        if include {
            DatasetFigures::Draw
        } else {
            DatasetFigures::Skip
        }
    }
}

/// The dataset figure's files once its thread has drawn them (a panic there goes on here).
fn drawn(thread: std::thread::ScopedJoinHandle<'_, Result<Rendered>>) -> Result<Rendered> {
    thread
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// Figure files rendered but not written yet: names and bytes.
pub(crate) type Rendered = Vec<(String, Vec<u8>)>;

/// [`write_figures`], with the dataset figure perhaps drawn already, and `then` called by each
/// of the two threads when its figures are done: twice, so `then` must do its work only once
/// (the first call's, by the thread done first).
#[allow(clippy::too_many_arguments)]
pub(crate) fn write_figures_with(
    folder: &Path,
    prepared: &Prepared,
    engine: &dyn Engine,
    history: &History,
    summary: Vec<String>,
    options: &FigureOptions,
    dataset: DatasetFigures<'_>,
    then: &(dyn Fn() + Sync),
) -> Written {
    let (mut written, boundary) = std::thread::scope(|scope| {
        let others = scope.spawn(|| {
            let training = |written: &mut Written| {
                if history.records.is_empty() {
                    return;
                }
                let training = TrainingFigure {
                    history,
                    settings: summary,
                    diverged: None,
                    lang: options.lang.into(),
                };
                save(folder, "training", options, written, &|format| {
                    render(&training, format)
                });
            };
            let mut written = Written::default();
            match dataset {
                DatasetFigures::Skip => training(&mut written),
                DatasetFigures::Draw => {
                    write_dataset_figure_into(folder, prepared, options, &mut written);
                    training(&mut written);
                }
                DatasetFigures::Drawing(thread) => {
                    // It may still be drawing: the training curves first, beside it.
                    let mut curves = Written::default();
                    training(&mut curves);
                    write_rendered(folder, drawn(thread), &mut written);
                    written.extend(curves);
                }
            }
            then();
            written
        });
        let mut boundary = Written::default();
        write_boundary_figure(folder, prepared, engine, options, &mut boundary);
        then();
        let first = others
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (first, boundary)
    });
    written.extend(boundary);
    written
}

/// The figures of a run that diverged (`why`, [`crate::run::describe_stop`]): the dataset (when
/// asked for) and the training curves up to the epoch that failed, marked. Its weights are no
/// model, so there is no decision boundary.
pub(crate) fn write_diverged_figures(
    folder: &Path,
    prepared: &Prepared,
    history: &History,
    summary: Vec<String>,
    options: &FigureOptions,
    dataset: DatasetFigures<'_>,
    why: String,
) -> Written {
    let mut written = Written::default();
    match dataset {
        DatasetFigures::Skip => {}
        DatasetFigures::Draw => write_dataset_figure_into(folder, prepared, options, &mut written),
        DatasetFigures::Drawing(thread) => write_rendered(folder, drawn(thread), &mut written),
    }
    if !history.records.is_empty() {
        let training = TrainingFigure {
            history,
            settings: summary,
            diverged: Some(why),
            lang: options.lang.into(),
        };
        save(folder, "training", options, &mut written, &|format| {
            render(&training, format)
        });
    }
    written
}

/// Writes `name` in every format the options ask for, into `written`.
fn save(
    folder: &Path,
    name: &str,
    options: &FigureOptions,
    written: &mut Written,
    figure: &dyn Fn(Format) -> std::result::Result<Vec<u8>, nnlab_plot::PlotError>,
) {
    for format in formats(options) {
        let file = format!("{name}.{}", format.extension());
        written.write(folder, &file, figure(format).map_err(AppError::from));
    }
}

/// The model over a plane with the test rows on top (the decision boundary of a classifier, the
/// predicted value of a regression): the plane of its 2 (scaled) inputs, or of the data's 2
/// columns that its input features come from ([`Prepared::has_plane`]).
fn write_boundary_figure(
    folder: &Path,
    prepared: &Prepared,
    engine: &dyn Engine,
    options: &FigureOptions,
    written: &mut Written,
) {
    if !prepared.has_plane() {
        return;
    }
    let (targets, labels) = test_marks(prepared);
    let regression = engine.spec().task() == nnlab_core::Task::Regression;
    let name = engine.name();
    let title = match (options.lang, regression) {
        (FigureLang::En, true) => format!("Predicted value ({name} engine, test set)"),
        (FigureLang::En, false) => format!("Decision boundary ({name} engine, test set)"),
        (FigureLang::Ru, true) => {
            format!("Предсказанное значение (движок {name}, тестовая выборка)")
        }
        (FigureLang::Ru, false) => {
            format!("Граница принятия решений (движок {name}, тестовая выборка)")
        }
    };
    let marks = (&targets[..], &labels[..]);
    match boundary_figure(prepared, marks, engine, options, title) {
        Ok(boundary) => save(folder, "boundary", options, written, &|format| {
            render(&boundary, format)
        }),
        Err(error) => written.fail(error),
    }
}

/// Renders `dataset.png` (the scaled training set) into `folder`, if the data has 2 or more features.
pub fn write_dataset_figure(
    folder: &Path,
    prepared: &Prepared,
    options: &FigureOptions,
) -> Result<Vec<String>> {
    let mut written = Written::default();
    write_dataset_figure_into(folder, prepared, options, &mut written);
    written.into_result()
}

/// [`write_dataset_figure`], into `written`.
fn write_dataset_figure_into(
    folder: &Path,
    prepared: &Prepared,
    options: &FigureOptions,
    written: &mut Written,
) {
    write_rendered(folder, render_dataset_figure(prepared, options), written);
}

/// The dataset figure's files (none if the data has fewer than 2 features), not written yet.
pub(crate) fn render_dataset_figure(
    prepared: &Prepared,
    options: &FigureOptions,
) -> Result<Rendered> {
    let mut rendered = Vec::new();
    if prepared.train.x_train().ncols() < 2 {
        return Ok(rendered);
    }
    let (x_train, y_train) = (prepared.train.x_train(), prepared.train.y_train());
    // Only what colours the points: a regression's values, or a classifier's labels.
    let (targets, labels): (Vec<f64>, Vec<usize>);
    let figure = if prepared.dataset.is_regression() {
        targets = y_train.to_vec();
        DatasetFigure::values(x_train, &targets).with_axes(prepared.axes())
    } else {
        labels = y_train.iter().map(|&y| y as usize).collect();
        DatasetFigure::new(x_train, &labels).with_axes(prepared.axes())
    }
    .in_lang(options.lang.into());
    for format in formats(options) {
        let file = format!("dataset.{}", format.extension());
        rendered.push((file, render(&figure, format)?));
    }
    Ok(rendered)
}

/// Writes rendered figures (or notes why there are none) into `folder`, into `written`.
fn write_rendered(folder: &Path, rendered: Result<Rendered>, written: &mut Written) {
    match rendered {
        Ok(rendered) => {
            for (file, bytes) in rendered {
                written.write(folder, &file, Ok(bytes));
            }
        }
        Err(error) => written.fail(error),
    }
}

fn formats(options: &FigureOptions) -> Vec<Format> {
    if options.svg {
        vec![Format::Png, Format::Svg]
    } else {
        vec![Format::Png]
    }
}

/// Says which figures could not be drawn for this data, if any: the dataset figure draws the rows
/// as the network sees them (2 inputs or more, input features with `--inputs`), the boundary
/// needs a plane ([`Prepared::has_plane`]).
pub fn skipped_note(prepared: &Prepared) -> Option<String> {
    let (what, one, many) = match prepared.input_names() {
        None => ("the data has", "feature", "features"),
        Some(_) => ("the network has", "input (--inputs)", "inputs (--inputs)"),
    };
    match (prepared.dataset.n_features(), prepared.has_plane()) {
        (1, false) => Some(format!(
            "{what} 1 {one}: no dataset or decision-boundary figure"
        )),
        (1, true) => Some(format!("{what} 1 {one}: no dataset figure")),
        (_, true) => None,
        (d, false) => Some(format!(
            "{what} {d} {many}: no decision-boundary figure (it needs exactly 2)"
        )),
    }
}
