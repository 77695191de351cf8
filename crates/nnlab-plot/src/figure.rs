//! What every figure shares: the [`Figure`] trait, rendering to PNG or SVG bytes, fonts and errors.

use std::cell::Cell;
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Once, OnceLock};

use plotters::coord::Shift;
use plotters::prelude::*;
use thiserror::Error;

use crate::canvas::{Canvas, Pixels};
pub(crate) use crate::cover::Mark;

/// The font family every figure uses; registered from the `dejavu` crate on first use.
pub(crate) const FONT: &str = "sans-serif";

/// Errors while drawing or encoding a figure.
#[derive(Debug, Error)]
pub enum PlotError {
    /// The drawing library failed.
    #[error("drawing the figure failed: {0}")]
    Draw(String),
    /// PNG encoding failed.
    #[error("encoding the PNG failed: {0}")]
    Png(String),
    /// The figure has nothing to show (no epochs, no points).
    #[error("nothing to draw: {0}")]
    Empty(String),
    /// The inputs do not fit the figure (a regression's engine given class labels, a target
    /// count that is not the point count).
    #[error("the figure cannot draw this: {0}")]
    Input(String),
    /// The model could not predict the grid.
    #[error("predicting the grid failed: {0}")]
    Model(#[from] nnlab_core::CoreError),
}

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for PlotError {
    fn from(error: DrawingAreaErrorKind<E>) -> PlotError {
        PlotError::Draw(error.to_string())
    }
}

/// Above this many points, a scatter draws one mark per pixel position (the last point drawn
/// there) unless [`set_dense_scatter`] moved the limit.
pub const DENSE_SCATTER: usize = 20_000;

static DENSE_LIMIT: AtomicUsize = AtomicUsize::new(DENSE_SCATTER);

/// Moves the point count above which scatters draw one mark per pixel position (for tests and
/// comparisons: `usize::MAX` draws every point); process-wide.
pub fn set_dense_scatter(limit: usize) {
    DENSE_LIMIT.store(limit, Ordering::Relaxed);
}

/// Which points of a scatter to draw, in order, given where each lands in pixels and the
/// `mark` drawn there in a figure of `size` pixels: [`dense`]'s points, less in a PNG those
/// whose marks later marks hide ([`shown`]).
pub(crate) fn visible(pixels: &[(i32, i32)], mark: Mark, size: (u32, u32)) -> Vec<usize> {
    shown(pixels, dense(pixels), mark, size)
}

/// Of the points `order` (indices into `pixels`, in the order they are drawn), those whose
/// marks show: in a PNG, those that the marks drawn after them do not paint over completely
/// ([`unhidden`](crate::cover::unhidden); the picture is the same to the bit), in an SVG all of
/// them (a vector renderer's anti-aliasing may let a hidden mark's rim show through).
pub(crate) fn shown(
    pixels: &[(i32, i32)],
    order: Vec<usize>,
    mark: Mark,
    size: (u32, u32),
) -> Vec<usize> {
    if RASTER.with(Cell::get) {
        crate::cover::unhidden(pixels, order, mark, size)
    } else {
        order
    }
}

thread_local! {
    /// Whether the figure being drawn on this thread is a PNG ([`render`] sets it).
    static RASTER: Cell<bool> = const { Cell::new(false) };
}

/// Which points of a scatter to draw, in order, given where each lands in pixels: every point
/// of a scatter of up to [`DENSE_SCATTER`] points; beyond that, only the last point drawn at
/// each pixel position.
///
/// The marks are opaque discs of one size, so the last one at a position covers every earlier
/// one there — all but its anti-aliased rim, which a stack of copies darkens a little more than
/// one copy does. A scatter of 800,000 training rows lands on a few ten thousand positions of a
/// 640 × 480 figure; drawing each once took the dataset figure from about a second to a few
/// tens of ms, and the picture looks the same (`crates/nnlab-plot/tests/dense.rs` compares the
/// pixels). Below the limit, and so for the notebook's figures, every point is drawn.
pub(crate) fn dense(pixels: &[(i32, i32)]) -> Vec<usize> {
    if pixels.len() <= DENSE_LIMIT.load(Ordering::Relaxed) {
        return (0..pixels.len()).collect();
    }
    // The last point at each position: going from the last point to the first, a point is
    // kept when no point after it took its position, marked in a bitmap over the positions the
    // points span (a figure's few hundred thousand pixels: a few ten KiB).
    let (mut low, mut high) = ((i32::MAX, i32::MAX), (i32::MIN, i32::MIN));
    for &(x, y) in pixels {
        low = (low.0.min(x), low.1.min(y));
        high = (high.0.max(x), high.1.max(y));
    }
    let width = (i64::from(high.0) - i64::from(low.0) + 1) as usize;
    let height = (i64::from(high.1) - i64::from(low.1) + 1) as usize;
    let mut last = vec![false; pixels.len()];
    if width.saturating_mul(height) > 16 * pixels.len().max(1 << 20) {
        // points spread far outside any figure: a set of the positions instead
        let mut taken = HashSet::with_capacity(pixels.len() / 8);
        for (i, &pixel) in pixels.iter().enumerate().rev() {
            last[i] = taken.insert(pixel);
        }
    } else {
        let mut taken = vec![0u64; (width * height).div_ceil(64)];
        for (i, &(x, y)) in pixels.iter().enumerate().rev() {
            let at = (y - low.1) as usize * width + (x - low.0) as usize;
            let (word, bit) = (at / 64, 1u64 << (at % 64));
            last[i] = taken[word] & bit == 0;
            taken[word] |= bit;
        }
    }
    (0..pixels.len()).filter(|&i| last[i]).collect()
}

/// The file formats a figure can be rendered to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Png,
    Svg,
}

impl Format {
    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Svg => "svg",
        }
    }
}

/// A figure: a size in pixels and a way to draw itself on any plotters backend.
pub trait Figure {
    /// (width, height) in pixels.
    fn size(&self) -> (u32, u32);

    /// Draws the whole figure on `root`, which is `size()` pixels large, beginning by painting
    /// all of it in an opaque colour (`root.fill(&WHITE)`): a PNG's canvas may hold anything
    /// before that (0s, or white where it was made ahead, see [`crate::prepare_canvases`]).
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError>
    where
        DB::ErrorType: 'static;
}

/// Renders `figure` as PNG or SVG bytes. The same figure always gives the same bytes.
pub fn render(figure: &impl Figure, format: Format) -> Result<Vec<u8>, PlotError> {
    register_fonts();
    let (width, height) = figure.size();
    match format {
        Format::Png => {
            let (mut rgb, white) = Pixels::blank(width as usize * height as usize * 3);
            {
                let root = Canvas::new(&mut rgb, (width, height), white).into_drawing_area();
                let _png = Raster::on();
                figure.draw(&root)?;
                root.present()?;
            }
            encode_png(&rgb[..width as usize * height as usize * 3], width, height)
        }
        Format::Svg => {
            let mut svg = String::new();
            {
                let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
                figure.draw(&root)?;
                root.present()?;
            }
            Ok(svg.into_bytes())
        }
    }
}

/// Draws `figure` as a PNG would be drawn and returns its pixels, RGB row by row (the frames
/// of an animation).
pub(crate) fn render_rgb(figure: &impl Figure) -> Result<Vec<u8>, PlotError> {
    register_fonts();
    let (width, height) = figure.size();
    let len = width as usize * height as usize * 3;
    let (mut rgb, white) = Pixels::blank(len);
    {
        let root = Canvas::new(&mut rgb, (width, height), white).into_drawing_area();
        let _png = Raster::on();
        figure.draw(&root)?;
        root.present()?;
    }
    Ok(rgb[..len].to_vec())
}

/// Marks this thread as drawing a PNG while it lives.
struct Raster;

impl Raster {
    fn on() -> Raster {
        RASTER.with(|raster| raster.set(true));
        Raster
    }
}

impl Drop for Raster {
    fn drop(&mut self) {
        RASTER.with(|raster| raster.set(false));
    }
}

fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, PlotError> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    // Each row as its difference from the row above ("Up"), not from the pixel to its left
    // (the encoder's default, "Sub"): a figure is mostly rows that repeat the one above (white
    // margins, flat plane colours), which become rows of zeros that the compressor passes over
    // fastest. The training curves (1500 × 1000) encode in 1.9 ms instead of 2.8, and every
    // figure's file is as small or smaller (BENCHMARKS.md, issue 14's seventh session).
    encoder.set_filter(png::FilterType::Up);
    let mut writer = encoder
        .write_header()
        .map_err(|e| PlotError::Png(e.to_string()))?;
    writer
        .write_image_data(rgb)
        .map_err(|e| PlotError::Png(e.to_string()))?;
    writer.finish().map_err(|e| PlotError::Png(e.to_string()))?;
    Ok(bytes)
}

fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The dejavu crate's bytes are valid TrueType fonts, so registration cannot fail.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
        let _ = plotters::style::register_font(FONT, FontStyle::Bold, dejavu::sans::bold());
    });
}

/// The font plotters draws `FONT` in, in its normal style: DejaVu Sans (registered above).
pub(crate) fn regular_font() -> &'static ab_glyph::FontRef<'static> {
    static REGULAR: OnceLock<ab_glyph::FontRef<'static>> = OnceLock::new();
    REGULAR.get_or_init(|| {
        ab_glyph::FontRef::try_from_slice(dejavu::sans::regular()).expect("DejaVu is a valid font")
    })
}

/// `[min, max]` of the values, widened by `pad` of the span on each side (matplotlib's 5% margin).
pub(crate) fn padded_range(values: impl Iterator<Item = f64>, pad: f64) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let span = if hi > lo { hi - lo } else { 1.0 };
    (lo - pad * span, hi + pad * span)
}

/// A chart whose axes are both `f64` ranges, as the scatter figures build them.
pub(crate) type Chart2d<'a, DB> = ChartContext<
    'a,
    DB,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// Where a chart with `f64` axes puts points on its backend (`ChartContext::backend_coord`), for
/// many points at once: plotters' own arithmetic (`RangedCoordf64::map`, one axis at a time)
/// without its call per point, which took 2–3 ms for the 80,000 points of a 100,000-row
/// dataset figure. `tests` checks it against `backend_coord`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PixelMap {
    x: AxisMap,
    y: AxisMap,
}

/// One axis of a [`PixelMap`]: the range of values `from` and the backend coordinates `to`
/// that its two ends land on.
#[derive(Clone, Copy, Debug)]
struct AxisMap {
    from: (f64, f64),
    to: (i32, i32),
}

impl AxisMap {
    /// `RangedCoordf64::map(v, to)` for the range `from` (plotters 0.3).
    fn map(&self, v: f64) -> i32 {
        let ((start, end), (lo, hi)) = (self.from, self.to);
        let logic = (v - start) / (end - start);
        let length = hi - lo;
        if length == 0 {
            return hi;
        }
        if logic.is_infinite() {
            return if logic.is_sign_positive() { hi } else { lo };
        }
        if length > 0 {
            lo + (f64::from(length) * logic + 1e-3).floor() as i32
        } else {
            lo + (f64::from(length) * logic - 1e-3).ceil() as i32
        }
    }
}

impl PixelMap {
    /// The map of `chart`; `None` where an axis's range is a single value (plotters then puts
    /// every point in one place that its ends do not tell).
    pub(crate) fn of<DB: DrawingBackend>(chart: &Chart2d<'_, DB>) -> Option<PixelMap> {
        let area = chart.plotting_area();
        let (xs, ys) = (area.get_x_range(), area.get_y_range());
        if xs.start == xs.end
            || ys.start == ys.end
            || ![xs.start, xs.end, ys.start, ys.end]
                .iter()
                .all(|v| v.is_finite())
        {
            return None;
        }
        // An axis's range ends land on its backend ends: lo + floor(0 + 1e-3) and
        // lo + floor((hi − lo) · 1 + 1e-3) (ceil and − 1e-3 when the axis runs backwards, as
        // y does: the same ends).
        let (lo_x, lo_y) = chart.backend_coord(&(xs.start, ys.start));
        let (hi_x, hi_y) = chart.backend_coord(&(xs.end, ys.end));
        Some(PixelMap {
            x: AxisMap {
                from: (xs.start, xs.end),
                to: (lo_x, hi_x),
            },
            y: AxisMap {
                from: (ys.start, ys.end),
                to: (lo_y, hi_y),
            },
        })
    }

    /// Where the point (x, y) lands.
    pub(crate) fn at(&self, x: f64, y: f64) -> (i32, i32) {
        (self.x.map(x), self.y.map(y))
    }
}

/// Where each row (x, y) of `points` lands on `chart`'s backend, in order.
pub(crate) fn backend_coords<DB: DrawingBackend>(
    chart: &Chart2d<'_, DB>,
    points: ndarray::ArrayView2<'_, f64>,
) -> Vec<(i32, i32)> {
    let rows = points.rows().into_iter();
    match PixelMap::of(chart) {
        Some(map) => rows.map(|row| map.at(row[0], row[1])).collect(),
        None => rows
            .map(|row| chart.backend_coord(&(row[0], row[1])))
            .collect(),
    }
}

#[cfg(test)]
mod pixel_map_tests {
    use super::*;

    /// Every point lands where plotters' `backend_coord` puts it, on charts built as the
    /// figures build theirs (margins, label areas, a caption), for ranges of several sizes and
    /// signs, points inside, on and beyond the ends, and values that are not finite.
    #[test]
    fn points_land_where_plotters_puts_them() {
        register_fonts();
        let mut rgb = vec![0u8; 640 * 480 * 3];
        let root = BitMapBackend::with_buffer(&mut rgb, (640, 480)).into_drawing_area();
        let ranges = [
            ((-2.5, 2.5), (-1.7, 2.9)),
            ((0.0, 1.0), (-1e-9, 1e-9)),
            ((-123.4, 5678.9), (0.1, 0.30000000000000004)),
            ((3.0, 3.5), (-7.0, -6.0)),
            ((2.0, -1.0), (5.0, -5.0)), // ranges given backwards
        ];
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            // xorshift: a fixed sequence of fractions in [0, 1)
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        for ((x0, x1), (y0, y1)) in ranges {
            let chart = ChartBuilder::on(&root)
                .caption("a title", (FONT, 18))
                .margin(15)
                .x_label_area_size(42)
                .y_label_area_size(57)
                .build_cartesian_2d(x0..x1, y0..y1)
                .unwrap();
            let map = PixelMap::of(&chart).expect("a range of more than one value");
            let mut points = vec![
                (x0, y0),
                (x1, y1),
                (x0, y1),
                (f64::NAN, y0),
                (f64::INFINITY, f64::NEG_INFINITY),
            ];
            for _ in 0..20_000 {
                // from a fifth of the span before the start to a fifth after the end
                let (u, v) = (next() * 1.4 - 0.2, next() * 1.4 - 0.2);
                points.push((x0 + u * (x1 - x0), y0 + v * (y1 - y0)));
            }
            for (x, y) in points {
                assert_eq!(map.at(x, y), chart.backend_coord(&(x, y)), "({x}, {y})");
            }
        }
        // a range of one value: no map (plotters puts every point at one place)
        let flat = ChartBuilder::on(&root)
            .build_cartesian_2d(1.0..1.0, 0.0..1.0)
            .unwrap();
        assert!(PixelMap::of(&flat).is_none());
    }
}
