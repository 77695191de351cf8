//! The sweep figure: the final test accuracy of every setting of a sweep, one column per setting,
//! every seed's run as a dot, the mean as a bar, and the range over seeds as a whisker — so that a
//! learner sees both which setting is better and how much the seed alone moves the result.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::colors::{GRID, LAYER_COLORS};
use crate::figure::{Figure, PlotError, FONT};
use crate::lang::Lang;

/// One column: a setting's label, the group it is coloured by, and the final test accuracy of
/// each seed.
pub struct SweepColumn {
    pub label: String,
    /// Columns of one group share a colour, named in the legend ("lr 0.1").
    pub group: String,
    pub accuracies: Vec<f64>,
}

/// The legend's width, right of the plot.
const LEGEND: u32 = 170;

/// Final test accuracy per setting, with the spread over seeds.
pub struct SweepFigure {
    pub columns: Vec<SweepColumn>,
    pub title: String,
    /// The language of the axis titles and the legend.
    pub lang: Lang,
}

impl Figure for SweepFigure {
    fn size(&self) -> (u32, u32) {
        (
            1000.max(90 * self.columns.len() as u32 + 200).min(4000) + LEGEND,
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
        let (plot, legend) = root.split_horizontally(self.size().0 - LEGEND);
        // One colour per group, in the order the groups first come.
        let mut groups: Vec<&str> = Vec::new();
        for column in &self.columns {
            if !groups.contains(&column.group.as_str()) {
                groups.push(&column.group);
            }
        }
        let color_of = |group: &str| {
            let k = groups.iter().position(|g| *g == group).unwrap_or(0);
            LAYER_COLORS[k % LAYER_COLORS.len()]
        };
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
        let mut chart = ChartBuilder::on(&plot)
            .caption(&self.title, (FONT, 20))
            .margin(15)
            .x_label_area_size(60)
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
            .x_desc(self.lang.pick(
                "setting: h hidden units, learning rate lr",
                "настройка: h нейронов скрытого слоя, скорость обучения lr",
            ))
            .y_desc(self.lang.pick(
                "final test accuracy",
                "итоговая точность на тестовой выборке",
            ))
            .axis_desc_style((FONT, 15))
            .label_style((FONT, 13))
            .draw()?;
        for (i, column) in self.columns.iter().enumerate() {
            if column.accuracies.is_empty() {
                continue;
            }
            let color = color_of(&column.group);
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
        draw_legend(&legend, &groups, color_of, self.lang)
    }
}

/// The groups' colours, then what the marks mean, from the top of the legend's strip.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    groups: &[&str],
    color_of: impl Fn(&str) -> RGBColor,
    lang: Lang,
) -> Result<(), PlotError>
where
    DB::ErrorType: 'static,
{
    let style = TextStyle::from((FONT, 13).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
    let gray = RGBColor(90, 90, 90);
    let mut y = 70;
    for group in groups {
        area.draw(&Circle::new((14, y), 5, color_of(group).filled()))?;
        area.draw(&Text::new(group.to_string(), (28, y), style.clone()))?;
        y += 22;
    }
    y += 18;
    area.draw(&Circle::new((14, y), 3, gray.mix(0.6).filled()))?;
    let run = lang.pick("one seed's run", "один запуск (зерно)");
    area.draw(&Text::new(run, (28, y), style.clone()))?;
    y += 22;
    area.draw(&Rectangle::new([(6, y - 1), (22, y + 1)], gray.filled()))?;
    let mean = lang.pick("mean over seeds", "среднее по зёрнам");
    area.draw(&Text::new(mean, (28, y), style.clone()))?;
    y += 22;
    area.draw(&PathElement::new(
        vec![(14, y - 8), (14, y + 8)],
        gray.stroke_width(2),
    ))?;
    let range = lang.pick("lowest to highest", "от мин. до макс.");
    area.draw(&Text::new(range, (28, y), style))?;
    Ok(())
}
