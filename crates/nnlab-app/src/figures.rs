//! Writing a run's figures: `dataset.png`, `training.png`, `boundary.png` (and `.svg` with `--svg`).
//! `nnlab train` and `nnlab plot` both call this, so a redraw gives the very same files.

use std::path::Path;

use nnlab_core::{Engine, History};
use nnlab_plot::{render, DatasetFigure, Format, TrainingFigure};

use crate::config::Prepared;
use crate::files::write_atomically;
use crate::learning::{boundary_figure, test_marks};
use crate::options::{FigureLang, FigureOptions};
use crate::Result;

/// Renders every figure into `folder`; returns the names of the files written.
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
) -> Result<Vec<String>> {
    let (first, boundary) = std::thread::scope(|scope| {
        let others = scope.spawn(|| -> Result<Vec<String>> {
            let training = || -> Result<Vec<String>> {
                if history.records.is_empty() {
                    return Ok(Vec::new());
                }
                let training = TrainingFigure {
                    history,
                    settings: summary,
                    diverged: None,
                    lang: options.lang.into(),
                };
                save(folder, "training", options, &|format| {
                    render(&training, format)
                })
            };
            let mut written = Vec::new();
            let figures = || -> Result<()> {
                match dataset {
                    DatasetFigures::Skip => written.extend(training()?),
                    DatasetFigures::Draw => {
                        written.extend(write_dataset_figure(folder, prepared, options)?);
                        written.extend(training()?);
                    }
                    DatasetFigures::Drawing(thread) => {
                        // It may still be drawing: the training curves first, beside it.
                        let curves = training()?;
                        written.extend(write_rendered(folder, drawn(thread)?)?);
                        written.extend(curves);
                    }
                }
                Ok(())
            };
            let result = figures();
            then();
            result.map(|()| written)
        });
        let boundary = write_boundary_figure(folder, prepared, engine, options);
        then();
        let first = others
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (first, boundary)
    });
    let mut written = first?;
    written.extend(boundary?);
    Ok(written)
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
) -> Result<Vec<String>> {
    let mut written = match dataset {
        DatasetFigures::Skip => Vec::new(),
        DatasetFigures::Draw => write_dataset_figure(folder, prepared, options)?,
        DatasetFigures::Drawing(thread) => write_rendered(folder, drawn(thread)?)?,
    };
    if !history.records.is_empty() {
        let training = TrainingFigure {
            history,
            settings: summary,
            diverged: Some(why),
            lang: options.lang.into(),
        };
        written.extend(save(folder, "training", options, &|format| {
            render(&training, format)
        })?);
    }
    Ok(written)
}

/// Writes `name` in every format the options ask for; returns the file names.
fn save(
    folder: &Path,
    name: &str,
    options: &FigureOptions,
    figure: &dyn Fn(Format) -> std::result::Result<Vec<u8>, nnlab_plot::PlotError>,
) -> Result<Vec<String>> {
    let mut written = Vec::new();
    for format in formats(options) {
        let file = format!("{name}.{}", format.extension());
        write_atomically(&folder.join(&file), &figure(format)?)?;
        written.push(file);
    }
    Ok(written)
}

/// The model over the plane of the (scaled) inputs, with the test rows on top: the decision
/// boundary of a classifier, the predicted value of a regression (2 inputs only).
fn write_boundary_figure(
    folder: &Path,
    prepared: &Prepared,
    engine: &dyn Engine,
    options: &FigureOptions,
) -> Result<Vec<String>> {
    if prepared.train.x_test().ncols() != 2 {
        return Ok(Vec::new());
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
    let boundary = boundary_figure(prepared, marks, engine, options, title)?;
    save(folder, "boundary", options, &|format| {
        render(&boundary, format)
    })
}

/// Renders `dataset.png` (the scaled training set) into `folder`, if the data has 2 or more features.
pub fn write_dataset_figure(
    folder: &Path,
    prepared: &Prepared,
    options: &FigureOptions,
) -> Result<Vec<String>> {
    write_rendered(folder, render_dataset_figure(prepared, options)?)
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
        DatasetFigure::values(x_train, &targets)
    } else {
        labels = y_train.iter().map(|&y| y as usize).collect();
        DatasetFigure::new(x_train, &labels)
    }
    .in_lang(options.lang.into());
    for format in formats(options) {
        let file = format!("dataset.{}", format.extension());
        rendered.push((file, render(&figure, format)?));
    }
    Ok(rendered)
}

/// Writes rendered figures into `folder`; returns their names.
fn write_rendered(folder: &Path, rendered: Rendered) -> Result<Vec<String>> {
    let mut written = Vec::new();
    for (file, bytes) in rendered {
        write_atomically(&folder.join(&file), &bytes)?;
        written.push(file);
    }
    Ok(written)
}

fn formats(options: &FigureOptions) -> Vec<Format> {
    if options.svg {
        vec![Format::Png, Format::Svg]
    } else {
        vec![Format::Png]
    }
}

/// Says which figures could not be drawn for this data, if any.
pub fn skipped_note(features: usize) -> Option<String> {
    match features {
        1 => Some("the data has 1 feature: no dataset or decision-boundary figure".into()),
        2 => None,
        d => Some(format!(
            "the data has {d} features: no decision-boundary figure (it needs exactly 2)"
        )),
    }
}
