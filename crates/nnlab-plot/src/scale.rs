//! A colour scale for real values (a regression's targets and predictions): RdBu reversed, so low
//! values are blue, high values red and the middle of the scale near white, and a vertical colour
//! bar that shows it.
//!
//! The scale spans the values' range; when the values have both signs it is widened to be
//! symmetric about 0, so that white means 0 and the colour's hue reads as the sign.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::colors::rdbu;
use crate::figure::{PlotError, FONT};

/// Bands of the regression map: the plane is coloured in this many steps of the scale.
pub(crate) const BANDS: usize = 20;

/// Real values → colours: RdBu reversed over `[lo, hi]` (lo dark blue, hi dark red), clamped.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ValueScale {
    lo: f64,
    hi: f64,
}

impl ValueScale {
    /// The scale from `lo` (blue) to `hi` (red); an empty or reversed range is widened to
    /// `[lo − 0.5, lo + 0.5]`, and non-finite bounds give `[−1, 1]`.
    pub fn new(lo: f64, hi: f64) -> ValueScale {
        if !(lo.is_finite() && hi.is_finite()) {
            return ValueScale { lo: -1.0, hi: 1.0 };
        }
        if hi > lo {
            ValueScale { lo, hi }
        } else {
            ValueScale {
                lo: lo - 0.5,
                hi: lo + 0.5,
            }
        }
    }

    /// The scale for these values (non-finite ones are skipped): their range, made symmetric
    /// about 0 when they have both signs (white is then 0).
    pub fn for_values(values: impl IntoIterator<Item = f64>) -> ValueScale {
        let (lo, hi) = values
            .into_iter()
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            });
        if !lo.is_finite() {
            return ValueScale::new(-1.0, 1.0);
        }
        if lo < 0.0 && hi > 0.0 {
            let reach = lo.abs().max(hi);
            ValueScale::new(-reach, reach)
        } else {
            ValueScale::new(lo, hi)
        }
    }

    /// `(lo, hi)`: the values at the blue and the red end.
    pub fn range(&self) -> (f64, f64) {
        (self.lo, self.hi)
    }

    /// Where `value` lies on the scale, 0 (lo) to 1 (hi), clamped; NaN is the middle.
    pub fn position(&self, value: f64) -> f64 {
        if value.is_nan() {
            return 0.5;
        }
        ((value - self.lo) / (self.hi - self.lo)).clamp(0.0, 1.0)
    }

    /// The colour of `value`: RdBu at 1 − position (blue low, red high).
    pub fn color(&self, value: f64) -> RGBColor {
        rdbu(1.0 - self.position(value))
    }

    /// The band (0 to [`BANDS`] − 1) that `value` falls in.
    pub(crate) fn band(&self, value: f64) -> usize {
        ((self.position(value) * BANDS as f64).floor() as usize).min(BANDS - 1)
    }

    /// The colour at the middle of band `band`.
    pub(crate) fn band_color(&self, band: usize) -> RGBColor {
        rdbu(1.0 - (band as f64 + 0.5) / BANDS as f64)
    }

    /// Round tick values inside the scale (steps of 1, 2 or 5 times a power of ten, four to eleven
    /// of them), with their labels.
    pub(crate) fn ticks(&self) -> Vec<(f64, String)> {
        let span = self.hi - self.lo;
        let raw = span / 6.0;
        let magnitude = 10f64.powf(raw.log10().floor());
        let step = magnitude
            * match raw / magnitude {
                n if n < 1.5 => 1.0,
                n if n < 3.5 => 2.0,
                n if n < 7.5 => 5.0,
                _ => 10.0,
            };
        let decimals = (-step.log10().floor()).max(0.0) as usize;
        let scientific =
            self.lo.abs().max(self.hi.abs()) >= 1e5 || decimals > 4 || !step.is_finite();
        let first = (self.lo / step - 1e-9).ceil() as i64;
        let last = (self.hi / step + 1e-9).floor() as i64;
        if scientific || last < first || last - first > 20 {
            return [self.lo, self.hi]
                .into_iter()
                .map(|v| (v, format!("{v:.2e}")))
                .collect();
        }
        (first..=last)
            .map(|k| {
                let value = k as f64 * step;
                let value = if k == 0 { 0.0 } else { value };
                (value, format!("{value:.decimals$}"))
            })
            .collect()
    }
}

/// A vertical colour bar of `scale` in `area`'s pixels: the bar from `left` to `right` and `top`
/// (hi) to `bottom` (lo), ticks and labels to its right in a `font_size` font, and `caption`
/// above it.
pub(crate) fn value_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    scale: &ValueScale,
    (left, right): (i32, i32),
    (top, bottom): (i32, i32),
    font_size: u32,
    caption: &str,
) -> Result<(), PlotError>
where
    DB::ErrorType: 'static,
{
    let steps = 200;
    let y = |k: i32| bottom - (bottom - top) * k / steps;
    for k in 0..steps {
        let t = (f64::from(k) + 0.5) / f64::from(steps);
        area.draw(&Rectangle::new(
            [(left, y(k + 1)), (right, y(k))],
            rdbu(1.0 - t).filled(),
        ))?;
    }
    area.draw(&Rectangle::new(
        [(left, top), (right, bottom)],
        BLACK.stroke_width(1),
    ))?;
    let style =
        TextStyle::from((FONT, font_size).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
    for (value, label) in scale.ticks() {
        let at = bottom - ((bottom - top) as f64 * scale.position(value)).round() as i32;
        area.draw(&PathElement::new(
            vec![(right, at), (right + 5, at)],
            BLACK.stroke_width(1),
        ))?;
        area.draw(&Text::new(label, (right + 9, at), style.clone()))?;
    }
    let caption_style =
        TextStyle::from((FONT, font_size).into_font()).pos(Pos::new(HPos::Left, VPos::Bottom));
    area.draw(&Text::new(caption, (left, top - 8), caption_style))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_signs_make_a_scale_symmetric_about_zero() {
        let scale = ValueScale::for_values([-0.5, 2.0, f64::NAN, 1.0]);
        assert_eq!(scale.range(), (-2.0, 2.0));
        assert_eq!(scale.position(0.0), 0.5);
        assert_eq!(
            ValueScale::for_values([3.0, 5.0, 4.0]).range(),
            (3.0, 5.0),
            "one sign: the values' range"
        );
        assert_eq!(ValueScale::for_values([2.0, 2.0]).range(), (1.5, 2.5));
        assert_eq!(ValueScale::for_values([]).range(), (-1.0, 1.0));
    }

    #[test]
    fn low_is_blue_and_high_is_red() {
        let scale = ValueScale::new(-1.0, 1.0);
        let (low, high) = (scale.color(-1.0), scale.color(1.0));
        assert!(low.2 > low.0 && high.0 > high.2);
        assert_eq!(scale.color(-5.0), low, "clamped");
        assert_eq!(scale.band(-1.0), 0);
        assert_eq!(scale.band(1.0), BANDS - 1);
    }

    #[test]
    fn ticks_are_round_and_inside() {
        let labels = |lo, hi| -> Vec<String> {
            ValueScale::new(lo, hi)
                .ticks()
                .into_iter()
                .map(|(_, l)| l)
                .collect()
        };
        assert_eq!(labels(-1.2, 1.2), ["-1.0", "-0.5", "0.0", "0.5", "1.0"]);
        assert_eq!(labels(0.0, 100.0), ["0", "20", "40", "60", "80", "100"]);
        assert_eq!(
            labels(-0.93, 0.93),
            ["-0.8", "-0.6", "-0.4", "-0.2", "0.0", "0.2", "0.4", "0.6", "0.8"]
        );
        assert_eq!(
            labels(3.0, 6.0),
            ["3.0", "3.5", "4.0", "4.5", "5.0", "5.5", "6.0"]
        );
        assert_eq!(labels(0.0, 1e6), ["0.00e0", "1.00e6"]);
    }
}
