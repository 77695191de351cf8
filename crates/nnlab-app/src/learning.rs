//! The figures of learning, on request: `boundary.gif` (the decision boundary as it learns,
//! `--animate`) and `hidden.png` (the first hidden layer's picture of the input plane,
//! `--hidden-space`).
//!
//! A GIF's frames need the model as it was at the frame epochs. `nnlab train --animate` draws
//! each frame while it trains, from the engine the training loop shows its observer after that
//! epoch ([`Animator`]), and encodes it at once: nothing is kept of the model, so memory is two
//! frames' pixels and the GIF so far, however large the model and however many epochs.
//!
//! `nnlab plot --animate` has only the run folder: its model is the last epoch's. It replays the
//! training from run.json ([`replay_animation`]): runs are exactly reproducible from their
//! settings, and the replay checks it by its history, which must be history.csv to the byte;
//! otherwise (a run trained on a GPU, a --data or --init-from file that changed) it is refused
//! and nothing is written. This keeps the run folder as it is (no snapshots beside the model),
//! at the cost of training the run again.

use std::time::{Duration, Instant};

use nnlab_core::{train, Engine, EpochRecord, History, Task};
use nnlab_plot::{
    frame_title, render, Animation, BoundaryFigure, BoundaryMode, FramePlan, HiddenFigure,
    PlaneModel, PointColors, Projection, Through, FRAME_SIZE,
};

use crate::config::{Prepared, RunConfig};
use crate::engines::{build_engine, initial_parameters, train_accuracy};
use crate::options::{BoundaryView, FigureLang, FigureOptions};
use crate::{usage, Result};

/// The figures a run draws only when asked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExtraFigures {
    /// `boundary.gif` with at most this many frames.
    pub frames: Option<usize>,
    /// `hidden.png`, in these coordinates.
    pub hidden: Option<Projection>,
}

impl ExtraFigures {
    /// Refuses what this data or model cannot show, before any training: the animation needs a
    /// plane to draw the boundary over ([`Prepared::has_plane`]), the hidden space a model with
    /// 2 inputs and a first hidden layer with the units asked for.
    pub fn check(&self, prepared: &Prepared, hidden: &[usize]) -> Result<()> {
        let inputs = prepared.dataset.n_features();
        if self.frames.is_some() && !prepared.has_plane() {
            return Err(usage(format!(
                "--animate draws the decision boundary over the plane of the model's 2 inputs (or of the data's 2 columns that --inputs computes them from); this model has {inputs}, so it is not available"
            )));
        }
        if let Some(projection) = self.hidden {
            if inputs != 2 {
                return Err(usage(format!(
                    "--hidden-space maps the plane of the model's 2 inputs through its first hidden layer; this model has {inputs} inputs, so it is not available"
                )));
            }
            let Some(&units) = hidden.first() else {
                return Err(usage(
                    "--hidden-space shows the first hidden layer, and this model has none",
                ));
            };
            match projection {
                Projection::Units(i, j) if i.max(j) >= units => {
                    return Err(usage(format!(
                        "--hidden-units {},{}: the first hidden layer has {units} units, counted from 1 to {units}",
                        i + 1,
                        j + 1
                    )))
                }
                Projection::Pca if units < 2 => {
                    return Err(usage(
                        "--hidden-space: the first hidden layer has 1 unit, and a plane needs 2",
                    ))
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// What drawing a GIF took.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AnimationSummary {
    pub frames: usize,
    /// A frame every this many epochs (and the last).
    pub every: usize,
    pub bytes: usize,
    /// Time spent predicting, drawing and encoding the frames.
    pub time: Duration,
}

/// `boundary.gif` being drawn while a run trains.
pub struct Animator<'a> {
    prepared: &'a Prepared,
    marks: (Vec<f64>, Vec<usize>),
    options: FigureOptions,
    plan: FramePlan,
    animation: Animation,
    last_drawn: Option<usize>,
    error: Option<crate::AppError>,
    time: Duration,
}

impl<'a> Animator<'a> {
    /// An animation of a run of `epochs` epochs on `prepared`, in at most `frames` frames, its
    /// view and words those of `options`.
    pub fn new(
        prepared: &'a Prepared,
        options: FigureOptions,
        epochs: usize,
        frames: usize,
    ) -> Result<Animator<'a>> {
        Ok(Animator {
            prepared,
            marks: test_marks(prepared),
            options,
            plan: FramePlan::new(epochs, frames),
            animation: Animation::new(FRAME_SIZE)?,
            last_drawn: None,
            error: None,
            time: Duration::ZERO,
        })
    }

    /// After each epoch: draws its frame if the plan has one. A frame that cannot be drawn stops
    /// the animation (and is reported by [`finish`](Self::finish)), not the training.
    pub fn observe(&mut self, record: &EpochRecord, engine: &dyn Engine) {
        if self.error.is_none() && self.plan.contains(record.epoch) {
            if let Err(error) = self.draw(engine, record) {
                self.error = Some(error);
            }
        }
    }

    fn draw(&mut self, engine: &dyn Engine, record: &EpochRecord) -> Result<()> {
        let started = Instant::now();
        let epoch = record.epoch;
        let lang = self.options.lang.into();
        let title = frame_title(epoch, record.loss, record.test_accuracy, lang);
        let marks = (&self.marks.0[..], &self.marks.1[..]);
        let figure =
            boundary_figure(self.prepared, marks, engine, &self.options, title)?.sized(FRAME_SIZE);
        self.animation.push_figure(&figure)?;
        self.last_drawn = Some(epoch);
        self.time += started.elapsed();
        Ok(())
    }

    /// The GIF, ending on the last epoch of `history` (drawn now from `engine` if the run
    /// stopped before its plan's last epoch).
    pub fn finish(
        mut self,
        history: &History,
        engine: &dyn Engine,
    ) -> Result<(Vec<u8>, AnimationSummary)> {
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        let Some(last) = history.last() else {
            return Err(usage(
                "no epoch was trained, so there is nothing to animate",
            ));
        };
        if self.last_drawn != Some(last.epoch) {
            self.draw(engine, last)?;
        }
        let started = Instant::now();
        let frames = self.animation.frames();
        let bytes = self.animation.finish()?;
        let summary = AnimationSummary {
            frames,
            every: self.plan.every,
            bytes: bytes.len(),
            time: self.time + started.elapsed(),
        };
        Ok((bytes, summary))
    }
}

/// The test rows' targets, and as class labels (a classifier's).
pub(crate) fn test_marks(prepared: &Prepared) -> (Vec<f64>, Vec<usize>) {
    let targets = prepared.train.y_test().to_vec();
    let labels = targets.iter().map(|&y| y as usize).collect();
    (targets, labels)
}

/// The decision boundary (a regression's map) of `engine` over the test rows, whose targets and
/// labels are [`test_marks`], titled `title`, in the view and language of `options`:
/// `boundary.png`, and each frame of `boundary.gif` at a smaller size. Over the plane of the
/// network's two inputs; or, when input features of the data's two columns feed it
/// (`--inputs`), over those columns ([`ColumnPlane`](crate::config::ColumnPlane)), each point of
/// the plane turned into the features the network takes.
pub(crate) fn boundary_figure<'p>(
    prepared: &'p Prepared,
    marks: (&'p [f64], &'p [usize]),
    engine: &dyn Engine,
    options: &FigureOptions,
    title: String,
) -> Result<BoundaryFigure<'p>> {
    let figure = match prepared.column_plane() {
        Some(plane) => {
            let inputs = |points: &ndarray::Array2<f64>| {
                plane
                    .inputs(points, &prepared.scaler)
                    .map_err(|e| nnlab_plot::PlotError::Input(e.to_string()))
            };
            let through = Through {
                engine,
                inputs: &inputs,
            };
            // its axes are the columns: x0 and x1, scaled (the figure's default)
            boundary_over(&through, plane.test(), marks, options, title)?
        }
        None => boundary_over(engine, prepared.train.x_test(), marks, options, title)?
            .with_axes(prepared.axes()),
    };
    Ok(figure.in_lang(options.lang.into()))
}

/// [`boundary_figure`] of `model` over `points`.
fn boundary_over<'p>(
    model: &(impl PlaneModel + ?Sized),
    points: &'p ndarray::Array2<f64>,
    (targets, labels): (&'p [f64], &'p [usize]),
    options: &FigureOptions,
    title: String,
) -> Result<BoundaryFigure<'p>> {
    Ok(if model.task() == Task::Regression {
        BoundaryFigure::regression(model, points, targets, title)?
    } else {
        let mode = match options.boundary {
            BoundaryView::Class => BoundaryMode::Class,
            BoundaryView::Probability => BoundaryMode::Probability,
        };
        BoundaryFigure::new(model, points, labels, mode, title)?
    })
}

/// `hidden.png`: the training rows and a grid over them, in the input plane and after the first
/// hidden layer of `engine`.
pub fn render_hidden_figure(
    prepared: &Prepared,
    engine: &dyn Engine,
    projection: Projection,
    lang: FigureLang,
) -> Result<Vec<u8>> {
    let x_train = prepared.train.x_train();
    let targets = prepared.train.y_train().to_vec();
    let labels: Vec<usize> = targets.iter().map(|&y| y as usize).collect();
    let colors = if engine.spec().task() == Task::Regression {
        PointColors::Values(&targets)
    } else {
        PointColors::Classes(&labels)
    };
    let name = engine.name();
    let title = match lang {
        FigureLang::En => format!(
            "Hidden space: how the first hidden layer maps the plane ({name} engine, training set)"
        ),
        FigureLang::Ru => format!(
            "Скрытое пространство: как первый скрытый слой отображает плоскость \
             (движок {name}, обучающая выборка)"
        ),
    };
    let figure = HiddenFigure::new(engine, x_train, colors, projection, lang.into(), title)?
        .with_axes(prepared.axes());
    Ok(render(&figure, nnlab_plot::Format::Png)?)
}

/// `nnlab plot --animate`: trains the run of `settings` again from its initial weights for the
/// epochs of `recorded_csv` (its history.csv), drawing the frames, and returns the GIF if the
/// replay's history is that file to the byte.
pub fn replay_animation(
    settings: &RunConfig,
    prepared: &Prepared,
    recorded_csv: &str,
    options: &FigureOptions,
    frames: usize,
) -> Result<(Vec<u8>, AnimationSummary)> {
    let recorded = History::from_csv(recorded_csv).map_err(|e| usage(e.to_string()))?;
    let epochs = recorded.records.len();
    if epochs == 0 {
        return Err(usage(
            "--animate: history.csv has no epochs, so there is nothing to animate",
        ));
    }
    let mut settings = settings.clone();
    settings.epochs = epochs; // an interrupted run: the epochs it ran
    let config = settings.train_config()?;
    let spec = settings.model_spec(prepared.dataset.n_features(), prepared.train.task())?;
    let parameters = initial_parameters(&settings, &spec)?;
    let mut engine = build_engine(&settings, &spec, &parameters, "the initial weights")?;
    let mut animator = Animator::new(prepared, *options, epochs, frames)?;
    let outcome = train(
        engine.as_mut(),
        &prepared.train,
        &config,
        train_accuracy(settings.engine),
        |record, engine| {
            animator.observe(record, engine);
            std::ops::ControlFlow::Continue(())
        },
    )?;
    let replayed = outcome.history.to_csv();
    if replayed != recorded_csv {
        let at = replayed
            .lines()
            .zip(recorded_csv.lines())
            .position(|(a, b)| a != b)
            .map_or_else(
                || "in its length".to_string(),
                |line| format!("from epoch {}", line.saturating_sub(1)),
            );
        return Err(usage(format!(
            "--animate: training this run again from run.json did not give its history.csv (they differ {at}), so the frames would not show this run (a run trained on a GPU, or whose --data or --init-from file changed, does not replay exactly); train it again with nnlab train --animate"
        )));
    }
    animator.finish(&outcome.history, engine.as_ref())
}
