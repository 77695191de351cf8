//! The sweep figure: the final test accuracy of every setting of a sweep, one column per setting,
//! every seed's run as a dot, the mean as a bar, and the range over seeds as a whisker — so that a
//! learner sees both which setting is better and how much the seed alone moves the result.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::colors::{GRID, LAYER_COLORS};
use crate::figure::{Figure, PlotError, FONT};

/// One column: a setting's label and the final test accuracy of each seed.
pub struct SweepColumn {
    pub label: String,
    pub accuracies: Vec<f64>,
}

/// Final test accuracy per setting, with the spread over seeds.
pub struct SweepFigure {
    pub columns: Vec<SweepColumn>,
    pub title: String,
}

impl Figure for SweepFigure {
    fn size(&self) -> (u32, u32) {
        (
            1000.max(90 * self.columns.len() as u32 + 200).min(4000),
            650,
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError>
    where
        DB::ErrorType: 'static,
    {
        if !self
            .columns
            .iter()
            .any(|c| c.accuracies.iter().any(|a| a.is_finite()))
        {
            return Err(PlotError::Empty("the sweep has no finished runs".into()));
        }
        root.fill(&WHITE)?;
        let values = self
            .columns
            .iter()
            .flat_map(|c| c.accuracies.iter().copied())
            .filter(|a| a.is_finite());
        let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
        let pad = ((hi - lo) * 0.1).max(0.01);
        let n = self.columns.len();
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, (FONT, 20))
            .margin(15)
            .x_label_area_size(40)
            .y_label_area_size(65)
            .build_cartesian_2d(
                -0.5..n as f64 - 0.5,
                (lo - pad).max(0.0)..(hi + pad).min(1.0),
            )?;
        let labels: Vec<&str> = self.columns.iter().map(|c| c.label.as_str()).collect();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .bold_line_style(GRID)
            .light_line_style(TRANSPARENT)
            .x_labels(n)
            .x_label_formatter(&|x| {
                let i = x.round();
                if (x - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < labels.len() {
                    labels[i as usize].to_string()
                } else {
                    String::new()
                }
            })
            .x_label_style(
                TextStyle::from((FONT, 12).into_font()).transform(FontTransform::Rotate90),
            )
            .y_desc("final test accuracy")
            .axis_desc_style((FONT, 15))
            .label_style((FONT, 13))
            .draw()?;
        for (i, column) in self.columns.iter().enumerate() {
            if column.accuracies.is_empty() {
                continue;
            }
            let color = LAYER_COLORS[i % LAYER_COLORS.len()];
            let x = i as f64;
            let mean = column.accuracies.iter().sum::<f64>() / column.accuracies.len() as f64;
            let (min, max) = column
                .accuracies
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                    (lo.min(v), hi.max(v))
                });
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x - 0.3, mean - 0.0015), (x + 0.3, mean + 0.0015)],
                color.filled(),
            )))?;
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(x, min), (x, max)],
                color.stroke_width(2),
            )))?;
            chart.draw_series(column.accuracies.iter().enumerate().map(|(k, &v)| {
                // spread the dots sideways by their order, so equal values stay visible
                let offset = ((k % 9) as f64 - 4.0) * 0.03;
                Circle::new((x + offset, v), 3, color.mix(0.6).filled())
            }))?;
        }
        Ok(())
    }
}
