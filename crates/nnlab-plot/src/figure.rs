//! What every figure shares: the [`Figure`] trait, rendering to PNG or SVG bytes, fonts and errors.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use thiserror::Error;

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

/// Above this many points, a scatter draws one mark per pixel position ([`visible`]) unless
/// [`set_dense_scatter`] moved the limit.
pub const DENSE_SCATTER: usize = 20_000;

static DENSE_LIMIT: AtomicUsize = AtomicUsize::new(DENSE_SCATTER);

/// Moves the point count above which scatters draw one mark per pixel position (for tests and
/// comparisons: `usize::MAX` draws every point); process-wide.
pub fn set_dense_scatter(limit: usize) {
    DENSE_LIMIT.store(limit, Ordering::Relaxed);
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
pub(crate) fn visible(pixels: &[(i32, i32)]) -> Vec<usize> {
    if pixels.len() <= DENSE_LIMIT.load(Ordering::Relaxed) {
        return (0..pixels.len()).collect();
    }
    // The last point at each position, in a table over the positions the points span (a
    // figure's few hundred thousand pixels).
    let (mut low, mut high) = ((i32::MAX, i32::MAX), (i32::MIN, i32::MIN));
    for &(x, y) in pixels {
        low = (low.0.min(x), low.1.min(y));
        high = (high.0.max(x), high.1.max(y));
    }
    let width = (i64::from(high.0) - i64::from(low.0) + 1) as usize;
    let height = (i64::from(high.1) - i64::from(low.1) + 1) as usize;
    let at = |(x, y): (i32, i32)| (y - low.1) as usize * width + (x - low.0) as usize;
    if width.saturating_mul(height) > 16 * pixels.len().max(1 << 20) {
        // points spread far outside any figure: a map of the positions instead
        let mut last = HashMap::with_capacity(pixels.len() / 8);
        for (i, &pixel) in pixels.iter().enumerate() {
            last.insert(pixel, i);
        }
        return (0..pixels.len())
            .filter(|&i| last[&pixels[i]] == i)
            .collect();
    }
    let mut last = vec![usize::MAX; width * height];
    for (i, &pixel) in pixels.iter().enumerate() {
        last[at(pixel)] = i;
    }
    (0..pixels.len())
        .filter(|&i| last[at(pixels[i])] == i)
        .collect()
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

    /// Draws the whole figure on `root`, which is `size()` pixels large.
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
            let mut rgb = vec![0u8; width as usize * height as usize * 3];
            {
                let root =
                    BitMapBackend::with_buffer(&mut rgb, (width, height)).into_drawing_area();
                figure.draw(&root)?;
                root.present()?;
            }
            encode_png(&rgb, width, height)
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

fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, PlotError> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
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
