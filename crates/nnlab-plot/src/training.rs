//! The training curves: the notebook's 2×2 figure (Loss; Accuracy; Weights) and a fourth panel,
//! which the notebook leaves empty, summarising the run: what was trained and how it ended, so that
//! a saved figure says which settings made it. A regression has no accuracy: its second panel is
//! the mean squared error on the training rows (the loss) and on the test rows.

use nnlab_core::History;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::colors::{BLUE, GREEN, GRID, LAYER_COLORS, RED};
use crate::figure::{padded_range, Figure, PlotError, FONT};
use crate::lang::Lang;

/// The curves of one training run.
pub struct TrainingFigure<'a> {
    pub history: &'a History,
    /// Lines describing the run's settings, shown in the summary panel (e.g. "2-8-1, relu").
    pub settings: Vec<String>,
    /// Why training stopped early, if it diverged ("the loss became NaN"): a red line marks
    /// the epoch that failed (the one after the last recorded) and the summary says why.
    pub diverged: Option<String>,
    /// The language of the titles, labels and summary.
    pub lang: Lang,
}

/// One line of a panel: its legend label, colour (solid, or dashed once the colours run out)
/// and values per epoch.
struct Curve<'a> {
    label: String,
    color: RGBColor,
    dashed: bool,
    values: Box<dyn Fn(usize) -> f64 + 'a>,
}

/// The most curves whose legend goes inside the plot; more (a deep net's weight norms) and the
/// legend gets a strip of its own on the right, where it covers no curve.
const LEGEND_INSIDE: usize = 6;

/// The width of that strip, in pixels.
const LEGEND_STRIP: u32 = 100;

impl TrainingFigure<'_> {
    /// Its size in pixels: the notebook's figsize=(15, 10).
    pub const SIZE: (u32, u32) = (1500, 1000);
}

impl Figure for TrainingFigure<'_> {
    fn size(&self) -> (u32, u32) {
        Self::SIZE
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError>
    where
        DB::ErrorType: 'static,
    {
        let records = &self.history.records;
        if records.is_empty() {
            return Err(PlotError::Empty("the history has no epochs".into()));
        }
        root.fill(&WHITE)?;
        let panels = root.margin(20, 20, 20, 20).split_evenly((2, 2));
        let layers = records[0].weight_norms.len();
        let lang = self.lang;
        let (train, test) = (
            lang.pick("Train", "Обучающая"),
            lang.pick("Test", "Тестовая"),
        );

        let loss = vec![Curve {
            label: lang.pick("Loss", "Потери").into(),
            color: BLUE,
            dashed: false,
            values: Box::new(|e| records[e].loss),
        }];
        let regression = self.history.is_regression();
        let metric = |get: fn(&nnlab_core::EpochRecord) -> Option<f64>| {
            Box::new(move |e: usize| get(&records[e]).unwrap_or(f64::NAN))
        };
        let accuracy = if regression {
            vec![
                Curve {
                    label: train.into(),
                    color: GREEN,
                    dashed: false,
                    values: Box::new(|e| records[e].loss),
                },
                Curve {
                    label: test.into(),
                    color: RED,
                    dashed: false,
                    values: metric(|r| r.test_loss),
                },
            ]
        } else {
            vec![
                Curve {
                    label: train.into(),
                    color: GREEN,
                    dashed: false,
                    values: metric(|r| r.train_accuracy),
                },
                Curve {
                    label: test.into(),
                    color: RED,
                    dashed: false,
                    values: metric(|r| r.test_accuracy),
                },
            ]
        };
        let weights: Vec<Curve> = (0..layers)
            .map(|l| Curve {
                label: format!("||W{}||", l + 1),
                color: LAYER_COLORS[l % LAYER_COLORS.len()],
                // layers past the tenth take the colours again, dashed
                dashed: l >= LAYER_COLORS.len(),
                values: Box::new(move |e| records[e].weight_norms[l]),
            })
            .collect();

        let loss_title = lang.pick("Loss", "Функция потерь");
        self.curves(&panels[0], loss_title, lang.pick("Loss", "Потери"), &loss)?;
        if regression {
            let title = lang.pick("Mean squared error", "Среднеквадратичная ошибка");
            self.curves(&panels[1], title, "MSE", &accuracy)?;
        } else {
            let accuracy_title = lang.pick("Accuracy", "Точность");
            self.curves(&panels[1], accuracy_title, accuracy_title, &accuracy)?;
        }
        let (title, y_label) = (lang.pick("Weights", "Веса"), lang.pick("Weights", "Норма"));
        self.curves(&panels[2], title, y_label, &weights)?;
        self.summary(&panels[3])?;
        Ok(())
    }
}

impl TrainingFigure<'_> {
    /// One panel of curves against the epoch, with title, axis labels, grid and legend.
    fn curves<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        title: &str,
        y_label: &str,
        curves: &[Curve],
    ) -> Result<(), PlotError>
    where
        DB::ErrorType: 'static,
    {
        let epochs = self.history.records.len();
        // A diverged run's axis reaches the epoch that failed, where the red line goes.
        let last_x = if self.diverged.is_some() {
            epochs
        } else {
            epochs - 1
        };
        let x_range = padded_range([0.0, last_x as f64].into_iter(), 0.05);
        let all = curves
            .iter()
            .flat_map(|c| (0..epochs).map(|e| (c.values)(e)));
        let y_range = padded_range(all, 0.05);
        let (area, strip) = if curves.len() > LEGEND_INSIDE {
            let (plot, strip) = area.split_horizontally(area.dim_in_pixel().0 - LEGEND_STRIP);
            (plot, Some(strip))
        } else {
            (area.clone(), None)
        };
        let mut chart = ChartBuilder::on(&area)
            .caption(title, (FONT, 20))
            .margin(10)
            .x_label_area_size(45)
            .y_label_area_size(65)
            .build_cartesian_2d(x_range.0..x_range.1, y_range.0..y_range.1)?;
        chart
            .configure_mesh()
            .bold_line_style(GRID)
            .light_line_style(TRANSPARENT)
            .x_label_formatter(&epoch_label)
            .y_label_formatter(&value_label)
            .x_desc(self.lang.pick("Epoch", "Эпоха"))
            .y_desc(y_label)
            .axis_desc_style((FONT, 15))
            .label_style((FONT, 13))
            .draw()?;
        for curve in curves {
            let color = curve.color;
            if epochs == 1 {
                // one epoch is a point, not a line
                let point = (0.0, (curve.values)(0));
                chart.draw_series(std::iter::once(Circle::new(point, 5, color.filled())))?;
            }
            let points = (0..epochs).map(|e| (e as f64, (curve.values)(e)));
            let style = color.stroke_width(2);
            if curve.dashed {
                // only past the tenth layer, so always with the legend strip, which draws its
                // own samples: plotters' legend is not asked for a dashed one
                chart.draw_series(DashedLineSeries::new(points, 9, 5, style))?;
            } else {
                chart
                    .draw_series(LineSeries::new(points, style))?
                    .label(&curve.label)
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], style));
            }
        }
        if self.diverged.is_some() {
            let failed = epochs as f64;
            chart.draw_series(DashedLineSeries::new(
                [(failed, y_range.0), (failed, y_range.1)],
                8,
                5,
                RED.stroke_width(2),
            ))?;
            let label = match self.lang {
                Lang::En => format!("diverged at epoch {epochs}"),
                Lang::Ru => format!("расхождение на эпохе {epochs}"),
            };
            chart.draw_series(std::iter::once(Text::new(
                label,
                (failed, y_range.1),
                TextStyle::from((FONT, 14).into_font())
                    .color(&RED)
                    .pos(Pos::new(HPos::Right, VPos::Top)),
            )))?;
        }
        if let Some(strip) = strip {
            // the strip's rows from the plot's top (pixel ranges are the whole figure's)
            let (_, rows) = chart.plotting_area().get_pixel_range();
            return legend_strip(&strip, curves, rows.start - strip.get_base_pixel().1);
        }
        // A diverged run's right edge has the red line and its label: the legend goes left.
        let position = legend_position(curves, epochs, y_range, self.diverged.is_some());
        chart
            .configure_series_labels()
            .position(position)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK.mix(0.25))
            .label_font((FONT, 14))
            .draw()?;
        Ok(())
    }

    /// The fourth panel: the run's settings, final metrics and best test accuracy, as text.
    fn summary<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), PlotError>
    where
        DB::ErrorType: 'static,
    {
        let records = &self.history.records;
        let last = &records[records.len() - 1];
        let lowest = records.iter().map(|r| r.loss).fold(f64::INFINITY, f64::min);

        let lang = self.lang;
        let mut lines: Vec<(String, bool)> = vec![(lang.pick("Run", "Запуск").into(), true)];
        lines.extend(self.settings.iter().map(|s| (s.clone(), false)));
        lines.push((String::new(), false));
        lines.push((lang.pick("Result", "Результат").into(), true));
        let (n, loss) = (records.len(), last.loss);
        lines.push((
            match lang {
                Lang::En => format!(
                    "after {}: loss {loss:.4} (lowest {lowest:.4})",
                    lang.epochs(n)
                ),
                Lang::Ru => {
                    // "после" takes the genitive: после 1 эпохи, после 2 эпох
                    let epochs = crate::lang::russian_form(n, ["эпохи", "эпох", "эпох"]);
                    format!("после {n} {epochs}: потери {loss:.4} (наименьшие {lowest:.4})")
                }
            },
            false,
        ));
        if let Some(test_loss) = last.test_loss {
            let best = records
                .iter()
                .min_by(|a, b| {
                    let key = |r: &nnlab_core::EpochRecord| r.test_loss.unwrap_or(f64::INFINITY);
                    key(a).total_cmp(&key(b)).then(a.epoch.cmp(&b.epoch))
                })
                .expect("the history is not empty");
            let (lowest, epoch) = (best.test_loss.unwrap_or(f64::NAN), best.epoch);
            let gap = test_loss - loss;
            lines.extend(
                match lang {
                    Lang::En => [
                        format!("test MSE {test_loss:.4}"),
                        format!("lowest test MSE {lowest:.4} at epoch {epoch}"),
                        format!("test − train MSE {gap:+.4}"),
                    ],
                    Lang::Ru => [
                        format!("MSE на тестовой выборке {test_loss:.4}"),
                        format!("наименьшая тестовая MSE {lowest:.4} на эпохе {epoch}"),
                        format!("MSE: тестовая − обучающая {gap:+.4}"),
                    ],
                }
                .map(|line| (line, false)),
            );
        } else {
            let accuracy = |r: &nnlab_core::EpochRecord| r.test_accuracy.unwrap_or(f64::NAN);
            let best = records
                .iter()
                .max_by(|a, b| {
                    accuracy(a)
                        .total_cmp(&accuracy(b))
                        .then(b.epoch.cmp(&a.epoch))
                })
                .expect("the history is not empty");
            let (train, test) = (
                last.train_accuracy.unwrap_or(f64::NAN),
                last.test_accuracy.unwrap_or(f64::NAN),
            );
            let (highest, epoch, gap) = (accuracy(best), best.epoch, train - test);
            lines.extend(
                match lang {
                    Lang::En => [
                        format!("accuracy: train {train:.4}, test {test:.4}"),
                        format!("best test accuracy {highest:.4} at epoch {epoch}"),
                        format!("train − test accuracy {gap:+.4}"),
                    ],
                    Lang::Ru => [
                        format!("точность: обучающая {train:.4}, тестовая {test:.4}"),
                        format!("лучшая тестовая точность {highest:.4} на эпохе {epoch}"),
                        format!("точность: обучающая − тестовая {gap:+.4}"),
                    ],
                }
                .map(|line| (line, false)),
            );
        }

        if let Some(why) = &self.diverged {
            lines.push((String::new(), false));
            let heading = match lang {
                Lang::En => format!("Diverged at epoch {n}"),
                Lang::Ru => format!("Расхождение на эпохе {n}"),
            };
            lines.push((heading, true));
            lines.extend(wrap(why, 62).into_iter().map(|line| (line, false)));
        }

        // Lines 30 pixels apart, closer (and smaller) when there are more than the panel holds.
        let (top, bottom) = if self.diverged.is_some() {
            (20, 20)
        } else {
            (60, 85)
        };
        let inner = area.margin(top, 10, bottom, 10);
        let room = inner.dim_in_pixel().1 as f64 - 20.0;
        let step = (room / lines.len() as f64).min(30.0);
        let scale = step / 30.0;
        inner.draw(&Rectangle::new(
            [
                (0, 0),
                (
                    inner.dim_in_pixel().0 as i32 - 1,
                    (step * lines.len() as f64) as i32 + 20,
                ),
            ],
            ShapeStyle::from(BLACK.mix(0.25)).stroke_width(1),
        ))?;
        for (i, (text, bold)) in lines.iter().enumerate() {
            let style = if *bold {
                // made bold, not restyled: `.style(Bold)` on a regular font keeps its letters
                let size = (17.0 * scale).round();
                TextStyle::from(FontDesc::new(FontFamily::Name(FONT), size, FontStyle::Bold))
            } else {
                TextStyle::from((FONT, (16.0 * scale).round()).into_font())
            };
            let y = 16 + (step * i as f64) as i32;
            inner.draw(&Text::new(text.as_str(), (20, y), style))?;
        }
        Ok(())
    }
}

/// The legend of many curves, in its own strip right of the plot, from `top` down: a sample of
/// each line (dashed where the line is) and its label, closer together when they are many.
fn legend_strip<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    curves: &[Curve],
    top: i32,
) -> Result<(), PlotError>
where
    DB::ErrorType: 'static,
{
    let room = area.dim_in_pixel().1 as i32 - top - 60;
    let step = (room / curves.len().max(1) as i32).clamp(8, 20);
    let font = (step - 4).clamp(8, 14);
    let style = TextStyle::from((FONT, font).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
    let bottom = top + step * curves.len() as i32 + 6;
    area.draw(&Rectangle::new(
        [(2, top), (LEGEND_STRIP as i32 - 4, bottom)],
        ShapeStyle::from(BLACK.mix(0.25)).stroke_width(1),
    ))?;
    for (i, curve) in curves.iter().enumerate() {
        let y = top + 3 + step * i as i32 + step / 2;
        let style_line = curve.color.stroke_width(2);
        let dashes: &[(i32, i32)] = if curve.dashed {
            &[(8, 15), (20, 27)]
        } else {
            &[(8, 27)]
        };
        for &(from, to) in dashes {
            area.draw(&PathElement::new(vec![(from, y), (to, y)], style_line))?;
        }
        area.draw(&Text::new(curve.label.as_str(), (33, y), style.clone()))?;
    }
    Ok(())
}

/// An x tick's label: whole epochs only (a short run's axis has ticks between them, which
/// would read "-0", "0", "0").
fn epoch_label(epoch: &f64) -> String {
    let whole = epoch.round();
    if whole >= 0.0 && (epoch - whole).abs() < 1e-9 {
        (whole as u64).to_string()
    } else {
        String::new()
    }
}

/// A y tick's label: plotters' own below 10⁴; above, 1.5e6, which fits the label area (a
/// diverging run's weights reach 10⁶ and more).
fn value_label(value: &f64) -> String {
    if value.abs() >= 1e4 {
        format!("{value:.1e}")
    } else {
        <RangedCoordf64 as ValueFormatter<f64>>::format(value)
    }
}

/// `text` in lines of at most `width` characters, broken at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let line = lines.last_mut().expect("one line at least");
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(word.to_string());
        } else {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines
}

/// Where the legend covers the fewest curve points, like matplotlib's `loc='best'`.
fn legend_position(
    curves: &[Curve],
    epochs: usize,
    y_range: (f64, f64),
    left_only: bool,
) -> SeriesLabelPosition {
    // Each candidate's box in axes fractions (x from the left, y from the bottom).
    let height = 0.06 * curves.len() as f64 + 0.04;
    let candidates = [
        (
            SeriesLabelPosition::UpperRight,
            (0.75, 1.0),
            (1.0 - height, 1.0),
        ),
        (
            SeriesLabelPosition::UpperLeft,
            (0.0, 0.25),
            (1.0 - height, 1.0),
        ),
        (SeriesLabelPosition::LowerRight, (0.75, 1.0), (0.0, height)),
        (SeriesLabelPosition::LowerLeft, (0.0, 0.25), (0.0, height)),
        (
            SeriesLabelPosition::MiddleRight,
            (0.75, 1.0),
            (0.5 - height / 2.0, 0.5 + height / 2.0),
        ),
    ];
    let span = (y_range.1 - y_range.0).max(f64::MIN_POSITIVE);
    let last = (epochs.max(2) - 1) as f64;
    let covered = |(x0, x1): (f64, f64), (y0, y1): (f64, f64)| {
        curves
            .iter()
            .flat_map(|c| {
                (0..epochs).map(move |e| (e as f64 / last, ((c.values)(e) - y_range.0) / span))
            })
            .filter(|&(x, y)| (x0..=x1).contains(&x) && (y0..=y1).contains(&y))
            .count()
    };
    candidates
        .into_iter()
        .filter(|&(_, (x0, _), _)| !left_only || x0 == 0.0)
        .min_by_key(|&(_, xs, ys)| covered(xs, ys))
        .map_or(SeriesLabelPosition::UpperRight, |(position, _, _)| position)
}
