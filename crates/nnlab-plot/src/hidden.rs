//! The hidden space: what the first hidden layer makes of the input plane (ConvNetJS's
//! "transformed space" view).
//!
//! The first hidden layer maps every input point x (2 numbers) to its activations
//! a₁ = f(x·W₁ + b₁) (H numbers). The figure draws, side by side:
//!
//! - left, the input plane: the training rows and a grid of lines of constant x0 and of
//!   constant x1 over them (the network's two inputs: input features, if it is fed those);
//! - right, the same rows and lines mapped through the layer, in the coordinates of two hidden
//!   units ([`Projection::Units`]) or of the first two principal components of the training
//!   rows' activations ([`Projection::Pca`]). The lines are drawn as polylines of many points,
//!   so where a unit's ReLU switches off, a straight line visibly bends or folds.
//!
//! Principal components: the activations of the training rows, less their mean, have the H×H
//! covariance C = AᵀA / n; its two eigenvectors of largest eigenvalue (cyclic Jacobi rotations,
//! [`symmetric_eigen`]) are the axes, and each eigenvalue's share of trace(C) is the share of
//! the variance the axis shows.

use ndarray::{Array1, Array2, Axis};
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::colors::class_color;
use crate::dataset::{default_axes, scaled_axis};
use crate::figure::{padded_range, Figure, PlotError, FONT};
use crate::lang::Lang;
use crate::scale::ValueScale;

/// Lines of the grid in each direction.
const LINES: usize = 21;
/// Points along each grid line.
const SAMPLES: usize = 240;
/// How far the grid reaches beyond the points (as the boundary's grid).
const REACH: f64 = 0.5;
/// The most hidden units whose principal components are worked out (Jacobi's cost grows as H³).
pub const MAX_PCA_UNITS: usize = 512;

/// Activations (m × H) to the figure's two coordinates (m × 2).
type Project = Box<dyn Fn(&Array2<f64>) -> Array2<f64>>;

/// Which two coordinates of the hidden space the figure uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Projection {
    /// Two hidden units, counted from 0 (the CLI counts from 1).
    Units(usize, usize),
    /// The first two principal components of the training rows' activations.
    Pca,
}

/// How the points are coloured.
pub enum PointColors<'a> {
    /// By class.
    Classes(&'a [usize]),
    /// By target value (a regression).
    Values(&'a [f64]),
}

/// The first two principal components of the rows of a matrix.
#[derive(Clone, Debug, PartialEq)]
pub struct Pca {
    /// The rows' mean.
    pub mean: Array1<f64>,
    /// The two axes, unit vectors, the largest entry of each positive.
    pub axes: [Array1<f64>; 2],
    /// Each axis's share of the total variance, in [0, 1].
    pub shares: [f64; 2],
}

impl Pca {
    /// The components of the rows of `a` (n × H, n ≥ 1, H ≥ 2).
    pub fn of(a: &Array2<f64>) -> Pca {
        let n = a.nrows().max(1) as f64;
        let mean = a
            .mean_axis(Axis(0))
            .unwrap_or_else(|| Array1::zeros(a.ncols()));
        let centred = a - &mean;
        let covariance = centred.t().dot(&centred) / n; // (H,m)x(m,H) -> (H,H)
        let (values, vectors) = symmetric_eigen(&covariance);
        let total: f64 = values.iter().map(|v| v.max(0.0)).sum();
        let share = |k: usize| {
            if total > 0.0 {
                values.get(k).map_or(0.0, |v| v.max(0.0) / total)
            } else {
                0.0
            }
        };
        let axis = |k: usize| {
            let mut v = vectors.column(k.min(vectors.ncols() - 1)).to_owned();
            let biggest = v
                .iter()
                .copied()
                .fold(0.0f64, |b, x| if x.abs() > b.abs() { x } else { b });
            if biggest < 0.0 {
                v.mapv_inplace(|x| -x);
            }
            v
        };
        Pca {
            mean,
            axes: [axis(0), axis(1)],
            shares: [share(0), share(1)],
        }
    }

    /// The coordinates of activation rows `a` (m × H) along the two axes, (m, 2).
    pub fn project(&self, a: &Array2<f64>) -> Array2<f64> {
        let centred = a - &self.mean;
        let mut out = Array2::zeros((a.nrows(), 2));
        out.column_mut(0).assign(&centred.dot(&self.axes[0]));
        out.column_mut(1).assign(&centred.dot(&self.axes[1]));
        out
    }
}

/// The eigenvalues of the symmetric matrix `m` (k × k), largest first, and its eigenvectors as
/// the columns of the second matrix, in the same order: cyclic Jacobi rotations until the
/// off-diagonal part is negligible.
pub fn symmetric_eigen(m: &Array2<f64>) -> (Vec<f64>, Array2<f64>) {
    let k = m.nrows();
    let mut a = m.clone();
    let mut v = Array2::<f64>::eye(k);
    let scale: f64 = a.iter().map(|x| x * x).sum::<f64>().max(f64::MIN_POSITIVE);
    for _sweep in 0..100 {
        let off: f64 = (0..k)
            .flat_map(|i| (0..k).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[[i, j]] * a[[i, j]])
            .sum();
        if off <= 1e-30 * scale {
            break;
        }
        for p in 0..k {
            for q in p + 1..k {
                let apq = a[[p, q]];
                if apq == 0.0 {
                    continue;
                }
                // the rotation that zeroes a[p][q]: tan 2θ = 2·a_pq / (a_qq − a_pp)
                let theta = (a[[q, q]] - a[[p, p]]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for r in 0..k {
                    let (arp, arq) = (a[[r, p]], a[[r, q]]);
                    a[[r, p]] = c * arp - s * arq;
                    a[[r, q]] = s * arp + c * arq;
                }
                for r in 0..k {
                    let (apr, aqr) = (a[[p, r]], a[[q, r]]);
                    a[[p, r]] = c * apr - s * aqr;
                    a[[q, r]] = s * apr + c * aqr;
                }
                for r in 0..k {
                    let (vrp, vrq) = (v[[r, p]], v[[r, q]]);
                    v[[r, p]] = c * vrp - s * vrq;
                    v[[r, q]] = s * vrp + c * vrq;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&i, &j| a[[j, j]].total_cmp(&a[[i, i]]));
    let values = order.iter().map(|&i| a[[i, i]]).collect();
    let mut vectors = Array2::zeros((k, k));
    for (to, &from) in order.iter().enumerate() {
        vectors.column_mut(to).assign(&v.column(from));
    }
    (values, vectors)
}

/// The lines of the grid over `points` (n × 2): 21 (`LINES`) of constant x0, then 21 of
/// constant x1, each 240 (`SAMPLES`) points long.
pub fn grid_lines(points: &Array2<f64>) -> Vec<Array2<f64>> {
    let range = |j: usize| {
        let column = points.column(j);
        let lo = column.iter().copied().fold(f64::INFINITY, f64::min) - REACH;
        let hi = column.iter().copied().fold(f64::NEG_INFINITY, f64::max) + REACH;
        (lo, hi)
    };
    let at = |(lo, hi): (f64, f64), i: usize, count: usize| {
        lo + (hi - lo) * i as f64 / (count - 1) as f64
    };
    let (rx, ry) = (range(0), range(1));
    let mut lines = Vec::with_capacity(2 * LINES);
    for fixed in 0..2 {
        for i in 0..LINES {
            let line = Array2::from_shape_fn((SAMPLES, 2), |(s, j)| match (fixed, j) {
                (0, 0) => at(rx, i, LINES),
                (0, _) => at(ry, s, SAMPLES),
                (_, 0) => at(rx, s, SAMPLES),
                (_, _) => at(ry, i, LINES),
            });
            lines.push(line);
        }
    }
    lines
}

/// The axis label of hidden unit `unit` (counted from 0, labelled from 1).
fn unit_label(lang: Lang, unit: usize, activation: &str) -> String {
    match lang {
        Lang::En => format!("hidden unit {} ({activation})", unit + 1),
        Lang::Ru => format!("нейрон {} скрытого слоя ({activation})", unit + 1),
    }
}

/// The two coordinates of one panel: a point set and the grid lines.
struct Panel {
    points: Array2<f64>,
    lines: Vec<Array2<f64>>,
    x_label: String,
    y_label: String,
    caption: String,
}

/// The input plane and the first hidden layer's picture of it.
pub struct HiddenFigure<'a> {
    input: Panel,
    hidden: Panel,
    colors: PointColors<'a>,
    title: String,
    lang: Lang,
}

impl<'a> HiddenFigure<'a> {
    /// Maps `points` (n × 2, the scaled training rows) and a grid over them through the first
    /// hidden layer of `engine`, in the coordinates `projection` says; `colors` colour the
    /// points (one label or value per row).
    pub fn new(
        engine: &dyn nnlab_core::Engine,
        points: &Array2<f64>,
        colors: PointColors<'a>,
        projection: Projection,
        lang: Lang,
        title: impl Into<String>,
    ) -> Result<HiddenFigure<'a>, PlotError> {
        let spec = engine.spec();
        if points.ncols() != 2 || spec.input_size() != 2 {
            return Err(PlotError::Input(format!(
                "the hidden space maps the input plane, so it needs a model with 2 inputs; this one has {}",
                spec.input_size()
            )));
        }
        if points.nrows() == 0 || points.iter().any(|v| !v.is_finite()) {
            return Err(PlotError::Empty(
                "the hidden space needs finite points".into(),
            ));
        }
        let count = match &colors {
            PointColors::Classes(labels) => labels.len(),
            PointColors::Values(values) => values.len(),
        };
        if count != points.nrows() {
            return Err(PlotError::Input(format!(
                "{count} labels for {} points: give one per point",
                points.nrows()
            )));
        }
        let Some(&units) = spec.hidden().first() else {
            return Err(PlotError::Input(
                "the model has no hidden layer: its inputs go straight to the output".into(),
            ));
        };
        let activation = spec.activations()[0].name();
        let first = |x: &Array2<f64>| -> Result<Array2<f64>, PlotError> {
            let mut layers = engine.activations(x)?;
            Ok(layers.swap_remove(0))
        };
        let lines = grid_lines(points);
        let hidden_points = first(points)?;
        let (project, x_label, y_label): (Project, _, _) = match projection {
            Projection::Units(i, j) => {
                if i >= units || j >= units || i == j {
                    return Err(PlotError::Input(format!(
                            "units {} and {} of a first hidden layer of {units} (counted from 1): give two different units from 1 to {units}",
                            i + 1,
                            j + 1
                        )));
                }
                (
                    Box::new(move |a: &Array2<f64>| {
                        let mut out = Array2::zeros((a.nrows(), 2));
                        out.column_mut(0).assign(&a.column(i));
                        out.column_mut(1).assign(&a.column(j));
                        out
                    }),
                    unit_label(lang, i, activation),
                    unit_label(lang, j, activation),
                )
            }
            Projection::Pca => {
                if units < 2 {
                    return Err(PlotError::Input(format!(
                        "the first hidden layer has {units} unit: a plane needs 2 or more"
                    )));
                }
                if units > MAX_PCA_UNITS {
                    return Err(PlotError::Input(format!(
                            "the first hidden layer has {units} units; principal components are worked out for up to {MAX_PCA_UNITS}: choose two units instead"
                        )));
                }
                let pca = Pca::of(&hidden_points);
                let label = |k: usize| {
                    let (k, share) = (k + 1, 100.0 * pca.shares[k]);
                    match lang {
                        Lang::En => format!("PC {k} ({share:.0}% of variance)"),
                        Lang::Ru => format!("ГК {k} ({share:.0}% дисперсии)"),
                    }
                };
                let (x, y) = (label(0), label(1));
                (Box::new(move |a: &Array2<f64>| pca.project(a)), x, y)
            }
        };
        let hidden_lines = lines
            .iter()
            .map(|line| first(line).map(|a| project(&a)))
            .collect::<Result<Vec<_>, _>>()?;
        let which = match projection {
            Projection::Units(..) => lang.pick("two of its units", "два его нейрона"),
            Projection::Pca => lang.pick(
                "its first two principal components",
                "его первые две главные компоненты",
            ),
        };
        let caption = match lang {
            Lang::En => format!("After hidden layer 1 ({units} {activation} units): {which}"),
            Lang::Ru => {
                let neurons = crate::lang::russian_form(units, ["нейрон", "нейрона", "нейронов"]);
                format!("После скрытого слоя 1 ({units} {neurons}, {activation}): {which}")
            }
        };
        Ok(HiddenFigure {
            input: Panel {
                points: points.clone(),
                lines,
                x_label: String::new(),
                y_label: String::new(),
                caption: String::new(),
            },
            hidden: Panel {
                points: project(&hidden_points),
                lines: hidden_lines,
                x_label,
                y_label,
                caption,
            },
            colors,
            title: title.into(),
            lang,
        }
        .with_axes(default_axes()))
    }

    /// The same figure with the input plane's axes named `axes`: the input features the
    /// network sees in place of x0 and x1 (`--inputs`).
    pub fn with_axes(mut self, [x, y]: [String; 2]) -> Self {
        self.input.x_label = scaled_axis(self.lang, &x);
        self.input.y_label = scaled_axis(self.lang, &y);
        self.input.caption = match self.lang {
            Lang::En => format!("Input plane: lines of constant {x} (purple) and {y} (teal)"),
            Lang::Ru => {
                format!("Плоскость входов: линии постоянного {x} (фиолетовые) и {y} (бирюзовые)")
            }
        };
        self
    }

    /// The points' coordinates in the hidden panel, (n, 2).
    pub fn hidden_points(&self) -> &Array2<f64> {
        &self.hidden.points
    }

    /// The grid lines in the hidden panel: 21 (`LINES`) of constant x0, then 21 of constant x1.
    pub fn hidden_lines(&self) -> &[Array2<f64>] {
        &self.hidden.lines
    }
}

/// Lines of constant x0 (purple) and of constant x1 (teal), light, so that the points stand out.
const X0_LINES: RGBColor = RGBColor(178, 128, 204);
const X1_LINES: RGBColor = RGBColor(96, 178, 170);

impl HiddenFigure<'_> {
    fn point_color(&self, i: usize) -> RGBColor {
        match &self.colors {
            PointColors::Classes(labels) => class_color(labels[i]),
            PointColors::Values(values) => {
                ValueScale::for_values(values.iter().copied()).color(values[i])
            }
        }
    }

    fn draw_panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        panel: &Panel,
    ) -> Result<(), PlotError>
    where
        DB::ErrorType: 'static,
    {
        let all = |j: usize| {
            panel
                .points
                .column(j)
                .iter()
                .copied()
                .chain(panel.lines.iter().flat_map(|l| l.column(j).to_vec()))
                .collect::<Vec<f64>>()
        };
        let (x0, x1) = padded_range(all(0).into_iter(), 0.04);
        let (y0, y1) = padded_range(all(1).into_iter(), 0.04);
        let mut chart = ChartBuilder::on(area)
            .caption(&panel.caption, (FONT, 16))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(x0..x1, y0..y1)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(panel.x_label.as_str())
            .y_desc(panel.y_label.as_str())
            .axis_desc_style((FONT, 14))
            .label_style((FONT, 12))
            .draw()?;
        for (k, line) in panel.lines.iter().enumerate() {
            let color = if k < LINES { X0_LINES } else { X1_LINES };
            let path: Vec<(f64, f64)> = line.rows().into_iter().map(|r| (r[0], r[1])).collect();
            chart.draw_series(std::iter::once(PathElement::new(
                path,
                color.stroke_width(1),
            )))?;
        }
        chart.draw_series(panel.points.rows().into_iter().enumerate().map(|(i, r)| {
            EmptyElement::at((r[0], r[1]))
                + Circle::new((0, 0), 3, self.point_color(i).filled())
                + Circle::new((0, 0), 3, BLACK.mix(0.6).stroke_width(1))
        }))?;
        let area = chart.plotting_area();
        let (xr, yr) = (area.get_x_range(), area.get_y_range());
        area.draw(&Rectangle::new(
            [(xr.start, yr.start), (xr.end, yr.end)],
            BLACK.stroke_width(1),
        ))?;
        Ok(())
    }
}

impl Figure for HiddenFigure<'_> {
    fn size(&self) -> (u32, u32) {
        (1200, 600)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError>
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        let root = root.titled(&self.title, (FONT, 20))?;
        let (left, right) = root.split_horizontally(self.size().0 / 2);
        self.draw_panel(&left, &self.input)?;
        self.draw_panel(&right, &self.hidden)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn jacobi_finds_the_eigenpairs_of_a_known_matrix() {
        // Q·diag(5, 2, 1)·Qᵀ with Q a rotation about z by 30° then about x by 45°.
        let (c, s) = (30f64.to_radians().cos(), 30f64.to_radians().sin());
        let rz = ndarray::arr2(&[[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]]);
        let h = std::f64::consts::FRAC_1_SQRT_2;
        let rx = ndarray::arr2(&[[1.0, 0.0, 0.0], [0.0, h, -h], [0.0, h, h]]);
        let q = rx.dot(&rz);
        let d = Array2::from_diag(&ndarray::arr1(&[2.0, 5.0, 1.0]));
        let m = q.dot(&d).dot(&q.t());
        let (values, vectors) = symmetric_eigen(&m);
        assert!(close(values[0], 5.0) && close(values[1], 2.0) && close(values[2], 1.0));
        // the eigenvector of 5 is Q's second column, up to sign
        let dot = vectors.column(0).dot(&q.column(1));
        assert!(close(dot.abs(), 1.0), "{dot}");
        for (k, value) in values.iter().enumerate() {
            let v = vectors.column(k);
            let mv = m.dot(&v);
            for (got, want) in mv.iter().zip(v.iter()) {
                assert!(close(*got, value * want));
            }
        }
    }

    #[test]
    fn pca_of_points_on_a_line_has_all_the_variance_on_its_first_axis() {
        // points (t, 2t, 0) + (1, 1, 1): the first axis is (1, 2, 0)/√5, with 100% of the variance
        let a = Array2::from_shape_fn((11, 3), |(i, j)| {
            let t = i as f64 - 5.0;
            [t, 2.0 * t, 0.0][j] + 1.0
        });
        let pca = Pca::of(&a);
        let r5 = 5f64.sqrt();
        assert!(close(pca.axes[0][0], 1.0 / r5) && close(pca.axes[0][1], 2.0 / r5));
        assert!(close(pca.shares[0], 1.0) && close(pca.shares[1], 0.0));
        let projected = pca.project(&a);
        assert!(close(projected[[10, 0]], 5.0 * r5)); // t = 5 → |(5, 10, 0)| = 5√5
    }

    #[test]
    fn grid_lines_cover_the_points_with_constant_coordinates() {
        let points = ndarray::arr2(&[[0.0, 0.0], [1.0, 2.0]]);
        let lines = grid_lines(&points);
        assert_eq!(lines.len(), 2 * LINES);
        assert!(lines[0].column(0).iter().all(|&x| close(x, -0.5)));
        assert!(close(lines[0][[0, 1]], -0.5) && close(lines[0][[SAMPLES - 1, 1]], 2.5));
        assert!(lines[LINES].column(1).iter().all(|&y| close(y, -0.5)));
    }
}
