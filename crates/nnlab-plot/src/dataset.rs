//! The dataset scatter: the notebook's first plot (`plt.scatter` per class, title "Dataset"); for a
//! regression's data, the points coloured by their target value on a [`ValueScale`] (blue low, red
//! high, symmetric about 0 when the values have both signs), with a colour bar.

use ndarray::Array2;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::colors::{class_color, GRID};
use crate::figure::{
    backend_coords, dense, padded_range, shown, visible, Figure, Mark, PlotError, FONT,
};
use crate::lang::Lang;
use crate::scale::{value_bar, ValueScale};

/// The width of the colour bar's strip, on the right of a regression's scatter.
const BAR_STRIP: u32 = 75;

/// The points of a 2-D dataset (the first two feature columns), coloured by class or by value.
pub struct DatasetFigure<'a> {
    /// Features, n×d with d ≥ 2 (the notebook plots the scaled training set).
    pub features: &'a Array2<f64>,
    /// One class label per row (0, 1, ..., K−1); unused when `values` is given.
    pub labels: &'a [usize],
    /// One real target per row (a regression's data): the points are coloured by value.
    pub values: Option<&'a [f64]>,
    /// The title above the plot.
    pub title: String,
    /// The language of the axis labels and the colour bar's caption.
    pub lang: Lang,
    /// The names of the two columns drawn: x0 and x1, or the input features the network sees
    /// in their place (`--inputs x0*x1,sin(x0)`).
    pub axes: [String; 2],
}

/// The names of the first two columns of data: x0 and x1.
pub(crate) fn default_axes() -> [String; 2] {
    ["x0".into(), "x1".into()]
}

impl<'a> DatasetFigure<'a> {
    /// The notebook's figure: titled "Dataset".
    pub fn new(features: &'a Array2<f64>, labels: &'a [usize]) -> DatasetFigure<'a> {
        DatasetFigure {
            features,
            labels,
            values: None,
            title: "Dataset".into(),
            lang: Lang::En,
            axes: default_axes(),
        }
    }

    /// A regression's data, titled "Dataset": every point coloured by its target in `values`
    /// (one per row) on a [`ValueScale`] spanning them, with a colour bar on the right.
    pub fn values(features: &'a Array2<f64>, values: &'a [f64]) -> DatasetFigure<'a> {
        DatasetFigure {
            features,
            labels: &[],
            values: Some(values),
            title: "Dataset".into(),
            lang: Lang::En,
            axes: default_axes(),
        }
    }

    /// The same figure with its axes named `axes` ([`DatasetFigure::axes`]).
    pub fn with_axes(self, axes: [String; 2]) -> DatasetFigure<'a> {
        DatasetFigure { axes, ..self }
    }

    /// The figure's words in `lang`, its title ("Dataset", "Набор данных") among them.
    pub fn in_lang(self, lang: Lang) -> DatasetFigure<'a> {
        DatasetFigure {
            title: lang.pick("Dataset", "Набор данных").into(),
            lang,
            ..self
        }
    }
}

impl Figure for DatasetFigure<'_> {
    fn size(&self) -> (u32, u32) {
        (640, 480) // matplotlib's default 6.4 × 4.8 in at 100 dpi
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError>
    where
        DB::ErrorType: 'static,
    {
        if self.features.nrows() == 0 || self.features.ncols() < 2 {
            return Err(PlotError::Empty(
                "the dataset figure needs rows with two features".into(),
            ));
        }
        if let Some(values) = self.values {
            if values.len() != self.features.nrows() {
                return Err(PlotError::Input(format!(
                    "{} values for {} rows: give one value per row",
                    values.len(),
                    self.features.nrows()
                )));
            }
        }
        root.fill(&WHITE)?;
        let (plot, strip) = match self.values {
            Some(_) => {
                let (plot, strip) = root.split_horizontally(self.size().0 - BAR_STRIP);
                (plot, Some(strip))
            }
            None => (root.clone(), None),
        };
        let x_range = padded_range(self.features.column(0).iter().copied(), 0.05);
        let y_range = padded_range(self.features.column(1).iter().copied(), 0.05);
        let mut chart = ChartBuilder::on(&plot)
            .caption(&self.title, (FONT, 18))
            .margin(15)
            .x_label_area_size(42)
            .y_label_area_size(57)
            .build_cartesian_2d(x_range.0..x_range.1, y_range.0..y_range.1)?;
        chart
            .configure_mesh()
            .bold_line_style(GRID)
            .light_line_style(TRANSPARENT)
            .label_style((FONT, 12))
            // nnlab draws the training rows as the network sees them: scaled
            .x_desc(scaled_axis(self.lang, &self.axes[0]))
            .y_desc(scaled_axis(self.lang, &self.axes[1]))
            .axis_desc_style((FONT, 13))
            .draw()?;
        if let (Some(values), Some(strip)) = (self.values, strip) {
            let scale = ValueScale::for_values(values.iter().copied());
            let outline = RGBColor(40, 40, 40);
            let pixels = backend_coords(&chart, self.features.view());
            let mark = Mark {
                radius: 4,
                outline: true,
            };
            let drawn = visible(&pixels, mark, self.size());
            chart.draw_series(drawn.into_iter().map(|i| {
                let (row, value) = (self.features.row(i), values[i]);
                EmptyElement::at((row[0], row[1]))
                    + Circle::new((0, 0), 4, scale.color(value).filled())
                    + Circle::new((0, 0), 4, outline.stroke_width(1))
            }))?;
            let (_, rows) = chart.plotting_area().get_pixel_range();
            return value_bar(
                &strip,
                &scale,
                (8, 22),
                (rows.start, rows.end - 1),
                12,
                self.lang.pick("value", "значение"),
            );
        }
        let classes = self.labels.iter().max().map_or(0, |&k| k + 1);
        // Where every point lands, once; then each class's points in turn, one series after
        // the other (so a mark can hide under the marks of a later class).
        let point = |i: usize| (self.features[[i, 0]], self.features[[i, 1]]);
        let rows = self.features.nrows().min(self.labels.len());
        let pixels = backend_coords(&chart, self.features.slice(ndarray::s![..rows, ..]));
        let labels = &self.labels[..pixels.len()];
        // Each class's points, in lists made to size (growing them took as long as filling them).
        let mut counts = vec![0; classes.max(2)];
        for &label in labels {
            counts[label] += 1;
        }
        let mut members: Vec<Vec<usize>> = counts.into_iter().map(Vec::with_capacity).collect();
        for (i, &label) in labels.iter().enumerate() {
            members[label].push(i);
        }
        let series: Vec<Vec<usize>> = members
            .into_iter()
            .map(|members| {
                let class_pixels: Vec<_> = members.iter().map(|&i| pixels[i]).collect();
                dense(&class_pixels)
                    .into_iter()
                    .map(|k| members[k])
                    .collect()
            })
            .collect();
        let mark = Mark {
            radius: 4,
            outline: false,
        };
        let mut drawn = vec![false; pixels.len()];
        for i in shown(&pixels, series.concat(), mark, self.size()) {
            drawn[i] = true;
        }
        for (class, members) in series.into_iter().enumerate() {
            let color = class_color(class);
            let points = members
                .into_iter()
                .filter(|&i| drawn[i])
                .map(|i| Circle::new(point(i), 4, color.filled()));
            chart
                .draw_series(points)?
                .label(class.to_string())
                .legend(move |(x, y)| Circle::new((x + 8, y), 4, color.filled()));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK.mix(0.25))
            .label_font((FONT, 13))
            .draw()?;
        Ok(())
    }
}

/// The label of the axis of the column `name`: "x0 (scaled)", as the network sees it.
pub(crate) fn scaled_axis(lang: Lang, name: &str) -> String {
    match lang {
        Lang::En => format!("{name} (scaled)"),
        Lang::Ru => format!("{name} (после масштабирования)"),
    }
}
