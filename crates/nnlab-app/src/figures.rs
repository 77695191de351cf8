//! Writing a run's figures: `dataset.png`, `training.png`, `boundary.png` (and `.svg` with `--svg`).
//! `nnlab train` and `nnlab plot` both call this, so a redraw gives the very same files.

use std::path::Path;

use nnlab_core::{Engine, History};
use nnlab_plot::{render, BoundaryFigure, BoundaryMode, DatasetFigure, Format, TrainingFigure};

use crate::config::Prepared;
use crate::files::write_atomically;
use crate::options::{BoundaryView, FigureOptions};
use crate::Result;

/// Renders every figure into `folder`; returns the names of the files written.
pub fn write_figures(
    folder: &Path,
    prepared: &Prepared,
    engine: &dyn Engine,
    history: &History,
    summary: Vec<String>,
    options: &FigureOptions,
    include_dataset: bool,
) -> Result<Vec<String>> {
    let mut written = Vec::new();
    if include_dataset {
        written.extend(write_dataset_figure(folder, prepared, options)?);
    }
    let mut save =
        |name: &str,
         figure: &dyn Fn(Format) -> std::result::Result<Vec<u8>, nnlab_plot::PlotError>| {
            for format in formats(options) {
                let file = format!("{name}.{}", format.extension());
                write_atomically(&folder.join(&file), &figure(format)?)?;
                written.push(file);
            }
            Ok::<(), crate::AppError>(())
        };
    if !history.records.is_empty() {
        let training = TrainingFigure {
            history,
            settings: summary,
        };
        save("training", &|format| render(&training, format))?;
    }
    // The model over the plane of the (scaled) inputs, with the test rows on top: the decision
    // boundary of a classifier, the predicted value of a regression.
    if prepared.train.x_test().ncols() == 2 {
        let x_test = prepared.train.x_test();
        let targets = prepared.train.y_test().to_vec();
        let labels: Vec<usize> = targets.iter().map(|&y| y as usize).collect();
        let boundary = if engine.spec().task() == nnlab_core::Task::Regression {
            let title = format!("Predicted value ({} engine, test set)", engine.name());
            BoundaryFigure::regression(engine, x_test, &targets, title)?
        } else {
            let mode = match options.boundary {
                BoundaryView::Class => BoundaryMode::Class,
                BoundaryView::Probability => BoundaryMode::Probability,
            };
            let title = format!("Decision boundary ({} engine, test set)", engine.name());
            BoundaryFigure::new(engine, x_test, &labels, mode, title)?
        };
        save("boundary", &|format| render(&boundary, format))?;
    }
    Ok(written)
}

/// Renders `dataset.png` (the scaled training set) into `folder`, if the data has 2 or more features.
pub fn write_dataset_figure(
    folder: &Path,
    prepared: &Prepared,
    options: &FigureOptions,
) -> Result<Vec<String>> {
    let mut written = Vec::new();
    if prepared.train.x_train().ncols() < 2 {
        return Ok(written);
    }
    let targets = prepared.train.y_train().to_vec();
    let labels: Vec<usize> = targets.iter().map(|&y| y as usize).collect();
    let figure = if prepared.dataset.is_regression() {
        DatasetFigure::values(prepared.train.x_train(), &targets)
    } else {
        DatasetFigure::new(prepared.train.x_train(), &labels)
    };
    for format in formats(options) {
        let file = format!("dataset.{}", format.extension());
        write_atomically(&folder.join(&file), &render(&figure, format)?)?;
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
