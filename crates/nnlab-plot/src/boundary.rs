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

use ndarray::{s, Array2};
use nnlab_core::train::THRESHOLD;
use nnlab_core::Engine;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::colors::{over_white, rdbu};
use crate::figure::{Figure, PlotError, FONT};

/// The notebook's grid step.
pub const STEP: f64 = 0.02;
/// Grid rows predicted per call to the engine.
const BATCH: usize = 16_384;
/// How far the grid reaches beyond the points.
const REACH: f64 = 0.5;

/// What the plane shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoundaryMode {
    /// The predicted class, ŷ > 0.5 (the notebook's `contourf` of `predict`).
    Class,
    /// The probability ŷ itself, in ten bands, with the 0.5 contour drawn.
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

    /// Every grid point as a row, x fastest (`np.c_[xx.ravel(), yy.ravel()]`), rows `start..end`.
    fn rows(&self, start: usize, end: usize) -> Array2<f64> {
        let nx = self.xs.len();
        Array2::from_shape_fn((end - start, 2), |(r, c)| {
            let k = start + r;
            if c == 0 {
                self.xs[k % nx]
            } else {
                self.ys[k / nx]
            }
        })
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

/// A model's decision boundary over its test points.
pub struct BoundaryFigure<'a> {
    grid: Grid,
    /// ŷ at every grid point, x fastest.
    probabilities: Vec<f64>,
    points: &'a Array2<f64>,
    labels: &'a [usize],
    mode: BoundaryMode,
    title: String,
}

impl<'a> BoundaryFigure<'a> {
    /// Predicts the grid around `points` (n×2, the scaled test set) with `engine`.
    pub fn new(
        engine: &dyn Engine,
        points: &'a Array2<f64>,
        labels: &'a [usize],
        mode: BoundaryMode,
        title: impl Into<String>,
    ) -> Result<BoundaryFigure<'a>, PlotError> {
        if points.ncols() != 2 || points.nrows() == 0 {
            return Err(PlotError::Empty(format!(
                "a decision boundary needs points with exactly 2 features, got {} columns",
                points.ncols()
            )));
        }
        let grid = Grid::around(points);
        let mut probabilities = Vec::with_capacity(grid.len());
        for start in (0..grid.len()).step_by(BATCH) {
            let end = (start + BATCH).min(grid.len());
            probabilities.extend(engine.probabilities(&grid.rows(start, end))?);
        }
        Ok(BoundaryFigure {
            grid,
            probabilities,
            points,
            labels,
            mode,
            title: title.into(),
        })
    }

    /// The grid this figure predicted.
    pub fn grid(&self) -> &Grid {
        &self.grid
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

    /// The colour of a grid cell with probability `p`.
    fn cell_color(&self, p: f64) -> RGBColor {
        match self.mode {
            BoundaryMode::Class => class_color(usize::from(p > THRESHOLD)),
            BoundaryMode::Probability => {
                let band = (p * 10.0).floor().clamp(0.0, 9.0);
                over_white(rdbu((band + 0.5) / 10.0), 0.8)
            }
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

    /// Cells of one grid row, merged into runs of equal colour: (first column, last column, colour).
    fn runs(&self, row: usize) -> Vec<(usize, usize, RGBColor)> {
        let nx = self.grid.xs.len();
        let p = &self.probabilities[row * nx..(row + 1) * nx];
        let mut runs: Vec<(usize, usize, RGBColor)> = Vec::new();
        for (i, &value) in p.iter().enumerate() {
            let color = self.cell_color(value);
            match runs.last_mut() {
                Some(run) if run.2 == color => run.1 = i,
                _ => runs.push((i, i, color)),
            }
        }
        runs
    }

    /// Segments of the ŷ = 0.5 contour, by marching squares over the grid points.
    fn contour(&self) -> Vec<[(f64, f64); 2]> {
        let (xs, ys) = (&self.grid.xs, &self.grid.ys);
        let nx = xs.len();
        let p = |i: usize, j: usize| self.probabilities[j * nx + i] - THRESHOLD;
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
}

impl Figure for BoundaryFigure<'_> {
    fn size(&self) -> (u32, u32) {
        (1000, 800) // the notebook's figsize=(10, 8)
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
            .x_desc("x0 (scaled)")
            .y_desc("x1 (scaled)")
            .axis_desc_style((FONT, 15))
            .label_style((FONT, 13))
            .draw()?;

        let (xs, ys) = (&self.grid.xs, &self.grid.ys);
        let cells = (0..ys.len()).flat_map(|j| {
            self.runs(j).into_iter().map(move |(first, last, color)| {
                Rectangle::new(
                    [(xs[first], ys[j]), (xs[last] + STEP, ys[j] + STEP)],
                    color.filled(),
                )
            })
        });
        chart.draw_series(cells)?;
        if self.mode == BoundaryMode::Probability {
            let segments = self.contour();
            chart.draw_series(
                segments
                    .into_iter()
                    .map(|[a, b]| PathElement::new(vec![a, b], BLACK.stroke_width(2))),
            )?;
        }
        let points = self.points.slice(s![.., 0..2]);
        chart.draw_series(
            points
                .rows()
                .into_iter()
                .zip(self.labels)
                .map(|(row, &label)| {
                    EmptyElement::at((row[0], row[1]))
                        + Circle::new((0, 0), 5, rdbu(label as f64).filled())
                        + Circle::new((0, 0), 5, BLACK.stroke_width(1))
                }),
        )?;
        // The plot frame, drawn last so the cells do not cover it.
        let area = chart.plotting_area();
        let (x_range, y_range) = (area.get_x_range(), area.get_y_range());
        area.draw(&Rectangle::new(
            [(x_range.start, y_range.start), (x_range.end, y_range.end)],
            BLACK.stroke_width(1),
        ))?;
        colorbar(&bar)
    }
}

/// A vertical RdBu scale from 0 (bottom) to 1 (top), labelled on its right.
fn colorbar<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>) -> Result<(), PlotError>
where
    DB::ErrorType: 'static,
{
    // Pixel layout inside the colorbar's area: the bar, then ticks and labels to its right,
    // top and bottom aligned with the plot's frame.
    let (left, right) = (10, 40);
    let (top, bottom) = (50, area.dim_in_pixel().1 as i32 - 61);
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
    for tick in 0..=5 {
        let y = bottom - (bottom - top) * tick / 5;
        area.draw(&PathElement::new(
            vec![(right, y), (right + 5, y)],
            BLACK.stroke_width(1),
        ))?;
        area.draw(&Text::new(
            format!("{:.1}", f64::from(tick) / 5.0),
            (right + 9, y),
            style.clone(),
        ))?;
    }
    Ok(())
}
