//! The dataset scatter: the notebook's first plot (`plt.scatter` per class, title "Dataset").

use ndarray::Array2;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::colors::{class_color, GRID};
use crate::figure::{padded_range, Figure, PlotError, FONT};

/// The points of a 2-D dataset (the first two feature columns), coloured by class.
pub struct DatasetFigure<'a> {
    /// Features, n×d with d ≥ 2 (the notebook plots the scaled training set).
    pub features: &'a Array2<f64>,
    /// One class label per row (0, 1, ..., K−1).
    pub labels: &'a [usize],
    /// The title above the plot.
    pub title: String,
}

impl<'a> DatasetFigure<'a> {
    /// The notebook's figure: titled "Dataset".
    pub fn new(features: &'a Array2<f64>, labels: &'a [usize]) -> DatasetFigure<'a> {
        DatasetFigure {
            features,
            labels,
            title: "Dataset".into(),
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
        root.fill(&WHITE)?;
        let x_range = padded_range(self.features.column(0).iter().copied(), 0.05);
        let y_range = padded_range(self.features.column(1).iter().copied(), 0.05);
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, (FONT, 18))
            .margin(15)
            .x_label_area_size(30)
            .y_label_area_size(45)
            .build_cartesian_2d(x_range.0..x_range.1, y_range.0..y_range.1)?;
        chart
            .configure_mesh()
            .bold_line_style(GRID)
            .light_line_style(TRANSPARENT)
            .label_style((FONT, 12))
            .draw()?;
        let classes = self.labels.iter().max().map_or(0, |&k| k + 1);
        for (class, color) in (0..classes.max(2)).map(|k| (k, class_color(k))) {
            let points = self
                .features
                .rows()
                .into_iter()
                .zip(self.labels)
                .filter(move |&(_, &label)| label == class)
                .map(move |(row, _)| Circle::new((row[0], row[1]), 4, color.filled()));
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
