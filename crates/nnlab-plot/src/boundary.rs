//! The decision boundary: what the model predicts over the whole plane around the test points.
//!
//! As in the notebook, a grid with step h = 0.02 spans the points ±0.5
//! (`np.meshgrid(np.arange(x_min, x_max, h), np.arange(y_min, y_max, h))`), the model predicts every
//! grid point — in batches, through the [`Engine`] trait — and the plane is coloured with RdBu at
//! alpha 0.8; the test points go on top, coloured by their true label with dark edges, and a
//! colorbar shows the scale from 0 to 1.
//!
//! [`BoundaryMode::Class`] colours the predicted class (the notebook's picture);
//! [`BoundaryMode::Probability`] colours the probability in ten bands and draws the ŷ = 0.5 contour
//! (found by marching squares), which shows how sure the model is away from the boundary.
//!
//! The figure follows the engine's task:
//!
//! - binary: as above, the notebook's picture;
//! - multi-class: every cell in its predicted class's colour (red, blue, then tab10), lightened to
//!   alpha 0.5 over white, the test points in their true class's full colour, and a legend of the
//!   classes; in [`BoundaryMode::Probability`] the colour's strength is the winning class's
//!   softmax probability p in ten bands, from white at p = 1/K to the full region colour at
//!   p = 1, and the lines where the predicted class changes are drawn in black;
//! - regression ([`BoundaryFigure::regression`]): a map of the predicted value in twenty bands of
//!   RdBu reversed (blue low, red high; see [`ValueScale`]) at alpha 0.8, the scale spanning the
//!   test targets (symmetric about 0 when they have both signs), the test points coloured by
//!   their target on the same scale with a dark outline, and a colour bar of the values.

use ndarray::{s, Array2};
use nnlab_core::train::THRESHOLD;
use nnlab_core::{Engine, Task};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::colors::{over_white, rdbu};
use crate::dataset::{default_axes, scaled_axis};
use crate::figure::{backend_coords, visible, Figure, Mark, PlotError, FONT};
use crate::lang::Lang;
use crate::scale::{value_bar, ValueScale};

/// The notebook's figsize=(10, 8), in pixels.
const NOTEBOOK_SIZE: (u32, u32) = (1000, 800);
/// The notebook's grid step.
pub const STEP: f64 = 0.02;
/// Grid rows predicted per call to the engine.
const BATCH: usize = 16_384;
/// How far the grid reaches beyond the points.
const REACH: f64 = 0.5;

/// What the plane shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoundaryMode {
    /// The predicted class, ŷ > 0.5 (the notebook's `contourf` of `predict`); for multi-class,
    /// the first largest logit.
    Class,
    /// The probability ŷ itself, in ten bands, with the 0.5 contour drawn; for multi-class, the
    /// winning class's softmax probability as the strength of its colour, with the lines where
    /// the predicted class changes drawn.
    Probability,
}

/// Grid coordinates: `xs` along x0, `ys` along x1 (each `np.arange(min − 0.5, max + 0.5, 0.02)`).
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    pub xs: Vec<f64>,
    pub ys: Vec<f64>,
}

impl Grid {
    /// The notebook's grid around `points` (n×2).
    pub fn around(points: &Array2<f64>) -> Grid {
        let column = |j: usize| {
            let values = points.column(j);
            let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            arange(lo - REACH, hi + REACH, STEP)
        };
        Grid {
            xs: column(0),
            ys: column(1),
        }
    }

    /// Every grid point as a row, x fastest (`np.c_[xx.ravel(), yy.ravel()]`), given to `each`
    /// in batches of [`BATCH`] rows. The batches share one buffer: a fresh one per batch cost
    /// more (in page faults) than filling it.
    fn batches<E>(&self, mut each: impl FnMut(&Array2<f64>) -> Result<(), E>) -> Result<(), E> {
        let nx = self.xs.len();
        let mut rows = Array2::zeros((0, 2));
        for start in (0..self.len()).step_by(BATCH) {
            let end = (start + BATCH).min(self.len());
            if rows.nrows() != end - start {
                rows = Array2::zeros((end - start, 2));
            }
            // Grid point k is (xs[k % nx], ys[k / nx]): walked along, without dividing.
            let (mut i, mut j) = (start % nx, start / nx);
            let flat = rows.as_slice_mut().expect("a fresh array is row-major");
            for row in flat.chunks_exact_mut(2) {
                row[0] = self.xs[i];
                row[1] = self.ys[j];
                i += 1;
                if i == nx {
                    (i, j) = (0, j + 1);
                }
            }
            each(&rows)?;
        }
        Ok(())
    }

    fn len(&self) -> usize {
        self.xs.len() * self.ys.len()
    }
}

/// `np.arange(start, stop, step)`: `start + i·step` for i < ceil((stop − start) / step).
fn arange(start: f64, stop: f64, step: f64) -> Vec<f64> {
    let n = ((stop - start) / step).ceil().max(0.0) as usize;
    (0..n).map(|i| start + i as f64 * step).collect()
}

/// The colour of a predicted class's region in [`BoundaryMode::Class`]: matplotlib's `contourf` of
/// a 0/1 image puts its two bands at RdBu(0.07) and RdBu(0.93), drawn with alpha 0.8.
pub fn class_color(class: usize) -> RGBColor {
    over_white(rdbu(if class == 0 { 0.07 } else { 0.93 }), 0.8)
}

/// How strongly a multi-class region's colour is laid over white (in both modes, at its
/// strongest): lighter than the binary plane's 0.8, so that the test points, drawn in the full
/// class colours, stand out from the region around them.
const REGION_ALPHA: f64 = 0.5;
/// How strongly the regression map's colours are laid over white (the binary plane's alpha).
const MAP_ALPHA: f64 = 0.8;
/// Bands of the multi-class probability view, from p = 1/K to p = 1.
const STRENGTH_BANDS: usize = 10;

/// The colour of class k's region in a multi-class figure: the class's colour (red, blue, then
/// tab10, as the dataset figure draws it) at alpha 0.5 over white.
pub fn region_color(class: usize) -> RGBColor {
    over_white(point_color(class), REGION_ALPHA)
}

/// The colour of class k's test points (and its dataset points): red, blue, then tab10.
pub fn point_color(class: usize) -> RGBColor {
    crate::colors::class_color(class)
}

/// A multi-class cell of the probability view: `band` 0 (p near 1/K) to 9 (p near 1) of the
/// winning class `class`, from near white to the full [`region_color`].
fn strength_color(class: usize, band: usize) -> RGBColor {
    let strength = (band + 1) as f64 / STRENGTH_BANDS as f64;
    over_white(point_color(class), REGION_ALPHA * strength)
}

/// The band of the winning probability `p` among `classes`: (p − 1/K) / (1 − 1/K) in tenths.
fn strength_band(p: f64, classes: usize) -> usize {
    let chance = 1.0 / classes as f64;
    let strength = (p - chance) / (1.0 - chance);
    (strength * STRENGTH_BANDS as f64)
        .floor()
        .clamp(0.0, (STRENGTH_BANDS - 1) as f64) as usize
}

/// What the model says at every grid point, x fastest.
enum Plane {
    /// ŷ = P(class 1).
    Binary(Vec<f64>),
    /// The K logits of every point (row-major), its predicted class (the first largest logit)
    /// and that class's softmax probability.
    Multiclass {
        classes: usize,
        logits: Vec<f64>,
        predicted: Vec<usize>,
        confidence: Vec<f64>,
    },
    /// The predicted value, and the colour scale of the values.
    Regression { values: Vec<f64>, scale: ValueScale },
}

/// How the test points are coloured.
enum Marks<'a> {
    /// By true class.
    Classes(&'a [usize]),
    /// By target value, on the plane's scale.
    Values(&'a [f64]),
}

/// A model's decision boundary over its test points (a regression's map of predicted values).
pub struct BoundaryFigure<'a> {
    grid: Grid,
    plane: Plane,
    points: &'a Array2<f64>,
    marks: Marks<'a>,
    mode: BoundaryMode,
    title: String,
    /// The language of the axis labels and the strip's captions.
    lang: Lang,
    /// The names of the two inputs: x0 and x1 unless [`Self::with_axes`].
    axes: [String; 2],
    /// (width, height) in pixels: the notebook's 1000 × 800 unless [`Self::sized`].
    size: (u32, u32),
}

/// The most grid points along one side: the notebook's step over a span of 10,000.
const MAX_SIDE: f64 = 500_000.0;

/// Checks that the points are n×2 with n ≥ 1, finite, and spread over a plane the grid can
/// cover (scaled data spans a few units; NaN or a huge span means the scaling overflowed).
fn check_points(points: &Array2<f64>) -> Result<(), PlotError> {
    if points.ncols() != 2 || points.nrows() == 0 {
        return Err(PlotError::Empty(format!(
            "a decision boundary needs points with exactly 2 features, got {} columns",
            points.ncols()
        )));
    }
    for column in points.columns() {
        let lo = column.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = column.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let finite = column.iter().all(|v| v.is_finite()); // (min and max pass NaN over)
        if !finite || (hi - lo + 2.0 * REACH) / STEP > MAX_SIDE {
            return Err(PlotError::Empty(format!(
                "the points span [{lo}, {hi}]: too wide or not finite for the boundary's grid (did the data's scale overflow? try smaller values)"
            )));
        }
    }
    Ok(())
}

/// What a decision boundary asks of a model: its task, and its outputs at points of the plane
/// drawn. Every [`Engine`] is one, whose inputs are the plane's two coordinates; [`Through`] is
/// an engine whose inputs are computed from them.
pub trait PlaneModel {
    /// The task: binary, multi-class or regression.
    fn task(&self) -> Task;
    /// The binary classifier's ŷ at each row of `rows` (n × 2, points of the plane). (Not
    /// named as [`Engine::probabilities`], whose rows are the engine's inputs.)
    fn probabilities_at(&self, rows: &Array2<f64>) -> Result<Vec<f64>, PlotError>;
    /// The output layer's values at each row of `rows` (n × 2): logits, or a regression's value.
    fn outputs_at(&self, rows: &Array2<f64>) -> Result<Array2<f64>, PlotError>;
}

impl<E: Engine + ?Sized> PlaneModel for E {
    fn task(&self) -> Task {
        self.spec().task()
    }

    fn probabilities_at(&self, rows: &Array2<f64>) -> Result<Vec<f64>, PlotError> {
        Ok(self.probabilities(rows)?.to_vec())
    }

    fn outputs_at(&self, rows: &Array2<f64>) -> Result<Array2<f64>, PlotError> {
        Ok(self.outputs(rows)?)
    }
}

/// An engine seen over a plane that is not its inputs: `inputs` turns points of the plane (n × 2)
/// into the rows the engine takes. TensorFlow Playground's picture: a network fed input features
/// of the data's two columns (x0·x1, sin x0, …) still has its boundary drawn over those columns.
pub struct Through<'e> {
    pub engine: &'e dyn Engine,
    pub inputs: &'e InputsOf<'e>,
}

/// What turns points of a plane (n × 2) into an engine's inputs (n × its inputs), for [`Through`].
pub type InputsOf<'e> = dyn Fn(&Array2<f64>) -> Result<Array2<f64>, PlotError> + 'e;

impl PlaneModel for Through<'_> {
    fn task(&self) -> Task {
        self.engine.spec().task()
    }

    fn probabilities_at(&self, rows: &Array2<f64>) -> Result<Vec<f64>, PlotError> {
        Ok(self.engine.probabilities(&(self.inputs)(rows)?)?.to_vec())
    }

    fn outputs_at(&self, rows: &Array2<f64>) -> Result<Array2<f64>, PlotError> {
        Ok(self.engine.outputs(&(self.inputs)(rows)?)?)
    }
}

/// The model's outputs (m, K) for every grid point, batch by batch.
fn grid_outputs(
    engine: &(impl PlaneModel + ?Sized),
    grid: &Grid,
    mut each: impl FnMut(Array2<f64>),
) -> Result<(), PlotError> {
    grid.batches(|rows| {
        each(engine.outputs_at(rows)?);
        Ok(())
    })
}

impl<'a> BoundaryFigure<'a> {
    /// Its size in pixels unless [`sized`](Self::sized) otherwise: the notebook's
    /// figsize=(10, 8).
    pub const SIZE: (u32, u32) = NOTEBOOK_SIZE;

    /// Predicts the grid around `points` (n×2, the scaled test set) with a classifier, binary or
    /// multi-class (`engine.task()` says which; any [`Engine`], or one seen [`Through`] a map);
    /// `labels` are the points' true classes.
    /// A regression's engine is refused: its map needs the targets, see
    /// [`regression`](Self::regression).
    pub fn new(
        engine: &(impl PlaneModel + ?Sized),
        points: &'a Array2<f64>,
        labels: &'a [usize],
        mode: BoundaryMode,
        title: impl Into<String>,
    ) -> Result<BoundaryFigure<'a>, PlotError> {
        check_points(points)?;
        let grid = Grid::around(points);
        let plane =
            match engine.task() {
                Task::Binary => {
                    let mut probabilities = Vec::with_capacity(grid.len());
                    grid.batches(|rows| -> Result<(), PlotError> {
                        probabilities.extend(engine.probabilities_at(rows)?);
                        Ok(())
                    })?;
                    Plane::Binary(probabilities)
                }
                task @ Task::Multiclass { classes } => {
                    let mut logits = Vec::with_capacity(grid.len() * classes);
                    let mut predicted = Vec::with_capacity(grid.len());
                    let mut confidence = Vec::with_capacity(grid.len());
                    let mut width = classes;
                    grid_outputs(engine, &grid, |outputs| {
                        width = outputs.ncols();
                        predicted.extend(task.predict(outputs.view()));
                        confidence.extend(task.scores(outputs.view()));
                        logits.extend(outputs.iter());
                    })?;
                    if width != classes {
                        return Err(PlotError::Input(format!(
                            "the engine gave {width} outputs per row for {classes} classes"
                        )));
                    }
                    Plane::Multiclass {
                        classes,
                        logits,
                        predicted,
                        confidence,
                    }
                }
                Task::Regression => return Err(PlotError::Input(
                    "a regression has no classes: draw its map with BoundaryFigure::regression \
                     and the test targets"
                        .into(),
                )),
            };
        Ok(BoundaryFigure {
            grid,
            plane,
            points,
            marks: Marks::Classes(labels),
            mode,
            title: title.into(),
            lang: Lang::En,
            axes: default_axes(),
            size: NOTEBOOK_SIZE,
        })
    }

    /// A regression's map: predicts the value at every point of the grid around `points` (n×2,
    /// the scaled test set) and colours it on a scale spanning `targets` (the points' true
    /// values, one per row; see [`ValueScale::for_values`]), with the points on top coloured by
    /// their target.
    pub fn regression(
        engine: &(impl PlaneModel + ?Sized),
        points: &'a Array2<f64>,
        targets: &'a [f64],
        title: impl Into<String>,
    ) -> Result<BoundaryFigure<'a>, PlotError> {
        check_points(points)?;
        let task = engine.task();
        if task != Task::Regression {
            return Err(PlotError::Input(format!(
                "the value map is a regression's; this engine is a {} classifier: use \
                 BoundaryFigure::new with the test labels",
                task.kind()
            )));
        }
        if targets.len() != points.nrows() {
            return Err(PlotError::Input(format!(
                "{} targets for {} points: give one target per point",
                targets.len(),
                points.nrows()
            )));
        }
        let grid = Grid::around(points);
        let mut values = Vec::with_capacity(grid.len());
        grid_outputs(engine, &grid, |outputs| {
            values.extend(outputs.column(0).iter());
        })?;
        Ok(BoundaryFigure {
            grid,
            plane: Plane::Regression {
                values,
                scale: ValueScale::for_values(targets.iter().copied()),
            },
            points,
            marks: Marks::Values(targets),
            mode: BoundaryMode::Class,
            title: title.into(),
            lang: Lang::En,
            axes: default_axes(),
            size: NOTEBOOK_SIZE,
        })
    }

    /// The same figure drawn at `size` pixels (the frames of `boundary.gif` are smaller); the
    /// strip on the right keeps its width, the plane takes the rest.
    pub fn sized(mut self, size: (u32, u32)) -> Self {
        self.size = size;
        self
    }

    /// The same figure with its axes named `axes`: the input features the network sees in
    /// place of x0 and x1 (`--inputs`).
    pub fn with_axes(mut self, axes: [String; 2]) -> Self {
        self.axes = axes;
        self
    }

    /// The same figure with its axis labels and captions in `lang` (the title is the caller's).
    pub fn in_lang(mut self, lang: Lang) -> Self {
        self.lang = lang;
        self
    }

    /// The grid this figure predicted.
    pub fn grid(&self) -> &Grid {
        &self.grid
    }

    /// The task the figure draws: binary, multi-class with its K, or regression.
    pub fn task(&self) -> Task {
        match self.plane {
            Plane::Binary(_) => Task::Binary,
            Plane::Multiclass { classes, .. } => Task::Multiclass { classes },
            Plane::Regression { .. } => Task::Regression,
        }
    }

    /// The colour of a cell predicted as `class` in [`BoundaryMode::Class`] ([`class_color`] for
    /// binary, [`region_color`] for multi-class); `None` for a regression.
    pub fn class_region_color(&self, class: usize) -> Option<RGBColor> {
        match self.plane {
            Plane::Binary(_) => Some(class_color(class)),
            Plane::Multiclass { .. } => Some(region_color(class)),
            Plane::Regression { .. } => None,
        }
    }

    /// A regression's colour scale (`None` for a classifier).
    pub fn value_scale(&self) -> Option<ValueScale> {
        match self.plane {
            Plane::Regression { scale, .. } => Some(scale),
            _ => None,
        }
    }

    /// The pixel of the rendered figure where the data point (x, y) lies.
    pub fn pixel_of(&self, x: f64, y: f64) -> (i32, i32) {
        let (width, height) = self.size();
        let mut buffer = vec![0u8; width as usize * height as usize * 3];
        let root = BitMapBackend::with_buffer(&mut buffer, (width, height)).into_drawing_area();
        let (plane, _) = self.areas(&root);
        let pixel = match self.plane_chart(&plane) {
            Ok(chart) => chart.backend_coord(&(x, y)),
            Err(_) => (-1, -1),
        };
        pixel
    }

    /// What decides the colour of grid cell `index` (x fastest): its class, band or both, as a
    /// number below [`Self::shades`] that [`Self::shade_color`] turns into the colour. The plane
    /// has a few tens of thousands of cells but only these few colours, so each colour is
    /// worked out once (RdBu, blended over white) rather than once per cell.
    fn cell_shade(&self, index: usize) -> usize {
        match &self.plane {
            Plane::Binary(probabilities) => {
                let p = probabilities[index];
                match self.mode {
                    BoundaryMode::Class => usize::from(p > THRESHOLD),
                    // a NaN probability has a shade of its own, after the ten bands
                    BoundaryMode::Probability if p.is_nan() => 10,
                    BoundaryMode::Probability => (p * 10.0).floor().clamp(0.0, 9.0) as usize,
                }
            }
            Plane::Multiclass {
                classes,
                predicted,
                confidence,
                ..
            } => {
                let class = predicted[index];
                match self.mode {
                    BoundaryMode::Class => class,
                    BoundaryMode::Probability => {
                        class * STRENGTH_BANDS + strength_band(confidence[index], *classes)
                    }
                }
            }
            Plane::Regression { values, scale } => scale.band(values[index]),
        }
    }

    /// How many shades [`Self::cell_shade`] gives.
    fn shades(&self) -> usize {
        match (&self.plane, self.mode) {
            (Plane::Binary(_), BoundaryMode::Class) => 2,
            (Plane::Binary(_), BoundaryMode::Probability) => 11,
            (Plane::Multiclass { classes, .. }, BoundaryMode::Class) => *classes,
            (Plane::Multiclass { classes, .. }, BoundaryMode::Probability) => {
                classes * STRENGTH_BANDS
            }
            (Plane::Regression { .. }, _) => crate::scale::BANDS,
        }
    }

    /// The colour of the cells of shade `shade`.
    fn shade_color(&self, shade: usize) -> RGBColor {
        match (&self.plane, self.mode) {
            (Plane::Binary(_), BoundaryMode::Class) => class_color(shade),
            (Plane::Binary(_), BoundaryMode::Probability) => {
                let band = if shade == 10 { f64::NAN } else { shade as f64 };
                over_white(rdbu((band + 0.5) / 10.0), 0.8)
            }
            (Plane::Multiclass { .. }, BoundaryMode::Class) => region_color(shade),
            (Plane::Multiclass { .. }, BoundaryMode::Probability) => {
                strength_color(shade / STRENGTH_BANDS, shade % STRENGTH_BANDS)
            }
            (Plane::Regression { scale, .. }, _) => over_white(scale.band_color(shade), MAP_ALPHA),
        }
    }

    fn areas<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> (DrawingArea<DB, Shift>, DrawingArea<DB, Shift>) {
        let (width, _) = self.size();
        root.split_horizontally(width - 110)
    }

    fn plane_chart<'b, DB: DrawingBackend>(
        &self,
        area: &'b DrawingArea<DB, Shift>,
    ) -> Result<ChartContext<'b, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>, PlotError>
    where
        DB::ErrorType: 'static,
    {
        let last = |v: &[f64]| v.last().copied().unwrap_or(0.0) + STEP;
        let x_range = self.grid.xs[0]..last(&self.grid.xs);
        let y_range = self.grid.ys[0]..last(&self.grid.ys);
        Ok(ChartBuilder::on(area)
            .caption(&self.title, (FONT, 20))
            .margin(15)
            .x_label_area_size(45)
            .y_label_area_size(55)
            .build_cartesian_2d(x_range, y_range)?)
    }

    /// Cells of one grid row, merged into runs of equal colour: (first column, last column,
    /// colour), the colours from `palette` (every shade's colour, [`Self::shade_color`]).
    fn runs(&self, row: usize, palette: &[RGBColor]) -> Vec<(usize, usize, RGBColor)> {
        let nx = self.grid.xs.len();
        let mut runs: Vec<(usize, usize, RGBColor)> = Vec::new();
        for i in 0..nx {
            let color = palette[self.cell_shade(row * nx + i)];
            match runs.last_mut() {
                Some(run) if run.2 == color => run.1 = i,
                _ => runs.push((i, i, color)),
            }
        }
        runs
    }

    /// Segments of the ŷ = 0.5 contour, by marching squares over the grid points.
    fn contour(&self, probabilities: &[f64]) -> Vec<[(f64, f64); 2]> {
        let (xs, ys) = (&self.grid.xs, &self.grid.ys);
        let nx = xs.len();
        let p = |i: usize, j: usize| probabilities[j * nx + i] - THRESHOLD;
        let mut segments = Vec::new();
        for j in 0..ys.len().saturating_sub(1) {
            for i in 0..nx.saturating_sub(1) {
                // corners counter-clockwise, and the edges between consecutive corners
                let corners = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)];
                let mut crossings = Vec::with_capacity(4);
                for k in 0..4 {
                    let (a, b) = (corners[k], corners[(k + 1) % 4]);
                    let (va, vb) = (p(a.0, a.1), p(b.0, b.1));
                    if (va < 0.0) != (vb < 0.0) {
                        let t = va / (va - vb); // where the line from a to b crosses 0
                        let x = xs[a.0] + t * (xs[b.0] - xs[a.0]);
                        let y = ys[a.1] + t * (ys[b.1] - ys[a.1]);
                        crossings.push((x, y));
                    }
                }
                for pair in crossings.chunks_exact(2) {
                    segments.push([pair[0], pair[1]]);
                }
            }
        }
        segments
    }

    /// Segments of the lines where the predicted class changes, by marching squares: on a grid
    /// edge whose ends predict classes a and b, the line crosses where z_a − z_b = 0 (linearly
    /// interpolated); a square with two crossings joins them, one with more (where three classes
    /// meet) joins each to their mean.
    fn class_edges(
        &self,
        classes: usize,
        logits: &[f64],
        predicted: &[usize],
    ) -> Vec<[(f64, f64); 2]> {
        let (xs, ys) = (&self.grid.xs, &self.grid.ys);
        let nx = xs.len();
        let z = |i: usize, j: usize, class: usize| logits[(j * nx + i) * classes + class];
        let mut segments = Vec::new();
        for j in 0..ys.len().saturating_sub(1) {
            for i in 0..nx.saturating_sub(1) {
                let corners = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)];
                let class = corners.map(|(i, j)| predicted[j * nx + i]);
                if class.iter().all(|&c| c == class[0]) {
                    continue;
                }
                let mut crossings = Vec::with_capacity(4);
                for k in 0..4 {
                    let (a, b) = (corners[k], corners[(k + 1) % 4]);
                    let (ca, cb) = (class[k], class[(k + 1) % 4]);
                    if ca == cb {
                        continue;
                    }
                    // z_a − z_b is ≥ 0 at a (a's class wins there) and ≤ 0 at b
                    let ga = z(a.0, a.1, ca) - z(a.0, a.1, cb);
                    let gb = z(b.0, b.1, ca) - z(b.0, b.1, cb);
                    let t = if ga - gb > 0.0 {
                        (ga / (ga - gb)).clamp(0.0, 1.0)
                    } else {
                        0.5
                    };
                    let x = xs[a.0] + t * (xs[b.0] - xs[a.0]);
                    let y = ys[a.1] + t * (ys[b.1] - ys[a.1]);
                    crossings.push((x, y));
                }
                match crossings.len() {
                    0 | 1 => {}
                    2 => segments.push([crossings[0], crossings[1]]),
                    n => {
                        let mean = crossings.iter().fold((0.0, 0.0), |(x, y), p| {
                            (x + p.0 / n as f64, y + p.1 / n as f64)
                        });
                        segments.extend(crossings.iter().map(|&p| [p, mean]));
                    }
                }
            }
        }
        segments
    }
}

impl Figure for BoundaryFigure<'_> {
    fn size(&self) -> (u32, u32) {
        self.size
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError>
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        let (plane, bar) = self.areas(root);
        let mut chart = self.plane_chart(&plane)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(scaled_axis(self.lang, &self.axes[0]))
            .y_desc(scaled_axis(self.lang, &self.axes[1]))
            .axis_desc_style((FONT, 15))
            .label_style((FONT, 13))
            .draw()?;

        let (xs, ys) = (&self.grid.xs, &self.grid.ys);
        let palette: Vec<RGBColor> = (0..self.shades()).map(|k| self.shade_color(k)).collect();
        let cells = (0..ys.len()).flat_map(|j| {
            self.runs(j, &palette)
                .into_iter()
                .map(move |(first, last, color)| {
                    Rectangle::new(
                        [(xs[first], ys[j]), (xs[last] + STEP, ys[j] + STEP)],
                        color.filled(),
                    )
                })
        });
        chart.draw_series(cells)?;
        if self.mode == BoundaryMode::Probability {
            let segments = match &self.plane {
                Plane::Binary(probabilities) => self.contour(probabilities),
                Plane::Multiclass {
                    classes,
                    logits,
                    predicted,
                    ..
                } => self.class_edges(*classes, logits, predicted),
                Plane::Regression { .. } => Vec::new(),
            };
            chart.draw_series(
                segments
                    .into_iter()
                    .map(|[a, b]| PathElement::new(vec![a, b], BLACK.stroke_width(2))),
            )?;
        }
        let points = self.points.slice(s![.., 0..2]);
        // Each point's colour, worked out only for the points drawn (of a dense scatter, a
        // fraction of them); a binary classifier's two once.
        let binary = [rdbu(0.0), rdbu(1.0)];
        let color = |i: usize| match (&self.marks, &self.plane) {
            (Marks::Classes(labels), Plane::Binary(_)) => match labels[i] {
                label @ (0 | 1) => binary[label],
                label => rdbu(label as f64),
            },
            (Marks::Classes(labels), _) => point_color(labels[i]),
            (Marks::Values(values), Plane::Regression { scale, .. }) => scale.color(values[i]),
            (Marks::Values(values), _) => rdbu(values[i]),
        };
        let pixels = backend_coords(&chart, points.view());
        let mark = Mark {
            radius: 5,
            outline: true,
        };
        chart.draw_series(visible(&pixels, mark, self.size()).into_iter().map(|i| {
            let row = points.row(i);
            EmptyElement::at((row[0], row[1]))
                + Circle::new((0, 0), 5, color(i).filled())
                + Circle::new((0, 0), 5, BLACK.stroke_width(1))
        }))?;
        // The plot frame, drawn last so the cells do not cover it.
        let area = chart.plotting_area();
        let (x_range, y_range) = (area.get_x_range(), area.get_y_range());
        area.draw(&Rectangle::new(
            [(x_range.start, y_range.start), (x_range.end, y_range.end)],
            BLACK.stroke_width(1),
        ))?;
        match &self.plane {
            Plane::Binary(_) => colorbar(&bar, self.mode, self.lang),
            Plane::Multiclass { classes, .. } => self.class_legend(&bar, *classes),
            Plane::Regression { scale, .. } => {
                let caption = self.lang.pick("value", "значение");
                value_bar(&bar, scale, (10, 40), strip_span(&bar), 13, caption)
            }
        }
    }
}

/// The pixel rows of the right-hand strip that line up with the plot's frame: (top, bottom).
fn strip_span<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>) -> (i32, i32) {
    (50, area.dim_in_pixel().1 as i32 - 61)
}

impl BoundaryFigure<'_> {
    /// The multi-class strip: every class's region colour with a point of its colour on it, and
    /// in the probability view the scale of strengths (one column per class) below.
    fn class_legend<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        classes: usize,
    ) -> Result<(), PlotError>
    where
        DB::ErrorType: 'static,
    {
        let (top, bottom) = strip_span(area);
        let probability = self.mode == BoundaryMode::Probability;
        let room = if probability {
            (bottom - top) / 2
        } else {
            bottom - top
        };
        let row = (room / classes.max(1) as i32).clamp(8, 22);
        let font = (row - 8).clamp(8, 13) as u32;
        let style =
            TextStyle::from((FONT, font).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
        let half = (row / 2 - 2).max(3);
        for class in 0..classes {
            let y = top + row * class as i32 + row / 2;
            let swatch = [(10, y - half), (10 + 2 * half, y + half)];
            area.draw(&Rectangle::new(swatch, region_color(class).filled()))?;
            area.draw(&Rectangle::new(
                swatch,
                ShapeStyle::from(BLACK.mix(0.3)).stroke_width(1),
            ))?;
            let radius = (half - 3).clamp(2, 5);
            area.draw(&Circle::new(
                (10 + half, y),
                radius,
                point_color(class).filled(),
            ))?;
            area.draw(&Circle::new((10 + half, y), radius, BLACK.stroke_width(1)))?;
            area.draw(&Text::new(
                format!("{} {class}", self.lang.pick("class", "класс")),
                (10 + 2 * half + 8, y),
                style.clone(),
            ))?;
        }
        if !probability {
            return Ok(());
        }
        // The strengths: one column per class, its bands from p = 1/K (bottom) to 1 (top).
        let ramp_top = top + row * classes as i32 + 40;
        let column = (56 / classes.max(1) as i32).clamp(2, 12);
        let (left, right) = (10, 10 + column * classes as i32);
        let y = |s: f64| bottom - ((bottom - ramp_top) as f64 * s).round() as i32;
        for class in 0..classes {
            let x = left + column * class as i32;
            for band in 0..STRENGTH_BANDS {
                let (s0, s1) = (
                    band as f64 / STRENGTH_BANDS as f64,
                    (band + 1) as f64 / STRENGTH_BANDS as f64,
                );
                area.draw(&Rectangle::new(
                    [(x, y(s1)), (x + column, y(s0))],
                    strength_color(class, band).filled(),
                ))?;
            }
        }
        area.draw(&Rectangle::new(
            [(left, ramp_top), (right, bottom)],
            BLACK.stroke_width(1),
        ))?;
        let chance = 1.0 / classes as f64;
        for tick in 0..=4 {
            let s = f64::from(tick) / 4.0;
            area.draw(&PathElement::new(
                vec![(right, y(s)), (right + 5, y(s))],
                BLACK.stroke_width(1),
            ))?;
            area.draw(&Text::new(
                format!("{:.2}", chance + s * (1.0 - chance)),
                (right + 9, y(s)),
                style.clone(),
            ))?;
        }
        let caption =
            TextStyle::from((FONT, 13).into_font()).pos(Pos::new(HPos::Left, VPos::Bottom));
        let winner = self.lang.pick("p(winner)", "p(победителя)");
        area.draw(&Text::new(winner, (left, ramp_top - 8), caption))?;
        Ok(())
    }
}

/// A vertical RdBu scale from 0 (bottom) to 1 (top), labelled on its right: the notebook's
/// `plt.colorbar(scatter)`, with a caption. In the class view it is the scale of the two classes
/// (the points' true class, the regions' predicted one): only its ends are labelled, "0" and
/// "1". In the probability view it is P(class 1), in tenths.
fn colorbar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    mode: BoundaryMode,
    lang: Lang,
) -> Result<(), PlotError>
where
    DB::ErrorType: 'static,
{
    // Pixel layout inside the colorbar's area: the bar, then ticks and labels to its right,
    // top and bottom aligned with the plot's frame.
    let (left, right) = (10, 40);
    let (top, bottom) = strip_span(area);
    let steps = 200;
    for k in 0..steps {
        let y = |k: i32| bottom - (bottom - top) * k / steps;
        let color = rdbu((f64::from(k) + 0.5) / f64::from(steps));
        area.draw(&Rectangle::new(
            [(left, y(k + 1)), (right, y(k))],
            color.filled(),
        ))?;
    }
    area.draw(&Rectangle::new(
        [(left, top), (right, bottom)],
        BLACK.stroke_width(1),
    ))?;
    let style = TextStyle::from((FONT, 13).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
    let (caption, ticks) = match mode {
        BoundaryMode::Class => (lang.pick("class", "класс"), [0, 5].as_slice()),
        BoundaryMode::Probability => (
            lang.pick("P(class 1)", "P(класс 1)"),
            [0, 1, 2, 3, 4, 5].as_slice(),
        ),
    };
    let caption_style =
        TextStyle::from((FONT, 13).into_font()).pos(Pos::new(HPos::Left, VPos::Bottom));
    area.draw(&Text::new(caption, (left, top - 8), caption_style))?;
    for &tick in ticks {
        let y = bottom - (bottom - top) * tick / 5;
        area.draw(&PathElement::new(
            vec![(right, y), (right + 5, y)],
            BLACK.stroke_width(1),
        ))?;
        let label = match mode {
            BoundaryMode::Class => format!("{}", tick / 5),
            BoundaryMode::Probability => format!("{:.1}", f64::from(tick) / 5.0),
        };
        area.draw(&Text::new(label, (right + 9, y), style.clone()))?;
    }
    Ok(())
}
