//! Where PNG figures are drawn: [`Canvas`], an RGB pixel buffer that plotters draws on exactly as
//! on its own `BitMapBackend`, but faster where a figure spends its time. The pictures are the
//! same to the bit: `tests/canvas.rs` draws every kind of figure both ways.
//!
//! - **Scatter marks.** plotters rasterises every circle anew: square roots, floors and an
//!   anti-aliased rim, pixel by pixel through the backend. The marks of a scatter all have the
//!   same radius, and plotters places a circle at a whole pixel, so every mark of one kind is
//!   the same list of pixel operations moved to its centre. The canvas records that list the
//!   first time it meets a kind of circle ([`Stamp`]) and then writes it straight into the
//!   buffer for every later mark; a mark's outline, drawn right over its fill, lands on known
//!   colours and is mostly precomputed ([`Over`]). (Which marks are worth drawing at all is
//!   [`cover`](crate::cover)'s business.) The stamps wait until something else is drawn; a
//!   scatter's thousands of them are then drawn on two threads, one per half of the rows.
//! - **Text.** plotters (through `ab_glyph`) reads a letter's outline from the font and
//!   rasterises it every time the letter is drawn; a figure draws the same digits and letters,
//!   in the same few sizes, hundreds of times. The canvas keeps each letter's rasterised pixels
//!   ([`Glyph`]) and lays them out exactly as plotters does.
//! - **Fresh memory.** A figure's pixels are several MiB that the kernel hands out a 4 KiB page
//!   at a time, each on a page fault when the first pixel of it is painted (the white
//!   background). On a virtual machine each fault costs a few µs, so the 8 MiB of a run's three
//!   figures cost more than drawing them did. [`Pixels`] asks Linux for 2 MiB pages instead,
//!   or, in the `nnlab` command, whose heap is in 2 MiB pages ([`take_canvases_from_heap`]),
//!   takes the buffer from the heap, reusing memory the run freed before its figures.
//! - **The white background, painted ahead.** A thread that would otherwise idle can make a
//!   figure's buffer before the figure is drawn, already white ([`prepare_canvases`]); the
//!   canvas then leaves out the figure's first operation, filling all of it with white
//!   (4.5 MB for the training curves), since it would change no pixel.
//!
//! Everything else (lines, rectangles, the background) is plotters' own code: each operation
//! runs on a `BitMapBackend` made over the same buffer for that one call, which costs nothing
//! (it is a pointer and a size).

use std::collections::HashMap;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

use ab_glyph::{Font, FontRef, ScaleFont};
use plotters::prelude::BitMapBackend;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
    FontStyle,
};
use plotters_bitmap::BitMapBackendError;

use crate::stamp::{blend, CircleKind, Over, Stamp};

/// A figure's RGB pixels, 3 bytes each, row by row.
pub(crate) enum Pixels {
    /// Linux: an anonymous mapping in 2 MiB pages, when the kernel grants them.
    #[cfg(target_os = "linux")]
    Mapped(memmap2::MmapMut),
    /// Ordinary memory: where the heap is in large pages ([`take_canvases_from_heap`]),
    /// elsewhere, or when the mapping failed.
    Heap(Vec<u8>),
}

/// Whether new pixel buffers come from the heap ([`take_canvases_from_heap`]).
static FROM_HEAP: AtomicBool = AtomicBool::new(false);

/// Says that this process's heap is in 2 MiB pages and keeps the memory freed into it (as the
/// `nnlab` command sets it up before a run): figures then take their pixel buffers from the
/// heap, painted white at once, instead of from mappings of their own. A run frees several MiB
/// before its figures (the data's temporary copies, the dataset figure's pixels), and a buffer
/// that reuses them skips the kernel zeroing fresh pages that the white paint would cover
/// anyway: at 100,000 rows, about 2 ms of CPU time.
pub fn take_canvases_from_heap() {
    FROM_HEAP.store(true, Ordering::Relaxed);
}

/// A pixel buffer faulted in ahead of time by [`prepare_canvases`], waiting for the figure of
/// its size that [`Pixels::blank`] makes next.
struct Ready {
    /// The size it was made for, in bytes.
    len: usize,
    pixels: Pixels,
    /// Whether every byte is 255 (white). A mapped buffer whose painting was stopped (the run
    /// finished training) is not; a heap buffer is then left short, and [`Pixels::blank`]
    /// paints the rest.
    white: bool,
}

/// The buffers [`prepare_canvases`] made, at most [`READY_MAX`].
static READY: Mutex<Vec<Ready>> = Mutex::new(Vec::new());

/// The most buffers [`READY`] holds: a run's figures after training are two.
const READY_MAX: usize = 2;

/// Makes the pixel buffers of figures of these sizes (width, height) now, and paints them white
/// (faulting their pages in), so that the figures drawn next find them ready instead of waiting
/// for fresh pages (about 0.3 ms per 2 MiB on a virtual machine) and need not paint their white
/// background. For a thread that would otherwise
/// idle: a run's dataset figure is drawn while the run trains and, on a small run, is done long
/// before it; it then makes the canvases of the training curves and the decision boundary.
/// Stops as soon as `stop` is set (the run finished training: the cores are wanted for the
/// figures themselves); what it made by then is kept.
pub fn prepare_canvases(sizes: &[(u32, u32)], stop: &AtomicBool) {
    for &(width, height) in sizes {
        if stop.load(Ordering::Relaxed) || ready().len() >= READY_MAX {
            return;
        }
        let len = width as usize * height as usize * 3;
        // Painted white 2 MiB at a time (its first write faults each page in), looking at the
        // flag between pieces.
        const PIECE: usize = 2 << 20;
        let mut white = true;
        let pixels = if FROM_HEAP.load(Ordering::Relaxed) {
            // (left short when stopped: `Pixels::blank` paints the rest)
            let mut pixels = Vec::with_capacity(len);
            while pixels.len() < len && !stop.load(Ordering::Relaxed) {
                pixels.resize((pixels.len() + PIECE).min(len), 255);
            }
            Pixels::Heap(pixels)
        } else {
            let mut pixels = Pixels::fresh(len);
            for piece in pixels[..len].chunks_mut(PIECE) {
                if stop.load(Ordering::Relaxed) {
                    white = false;
                    break;
                }
                piece.fill(255);
            }
            pixels
        };
        let mut ready = ready();
        if ready.len() < READY_MAX {
            ready.push(Ready { len, pixels, white });
        }
    }
}

/// How many buffers [`prepare_canvases`] made are waiting (for its tests).
#[doc(hidden)]
pub fn canvases_ready() -> usize {
    ready().len()
}

/// [`READY`], locked (a panic while it was held left it as consistent as before).
fn ready() -> MutexGuard<'static, Vec<Ready>> {
    READY
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Pixels {
    /// At least `len` bytes for a figure's canvas, and whether they are all 255 (white): a
    /// buffer [`prepare_canvases`] made ready for a figure of that size (only that size: an
    /// animation's frames drawn while the run trains leave them to the figures they were made
    /// for), or a new one: from the heap, white, or freshly mapped, all 0. (A mapped buffer
    /// whose painting was stopped is partly 0, partly 255: every figure paints its whole
    /// background first.)
    pub(crate) fn blank(len: usize) -> (Pixels, bool) {
        let made = {
            let mut ready = ready();
            let at = ready.iter().position(|made| made.len == len);
            at.map(|at| ready.swap_remove(at))
        };
        let (pixels, white) = match made {
            Some(made) => (made.pixels, made.white),
            None if FROM_HEAP.load(Ordering::Relaxed) => (Pixels::Heap(Vec::new()), true),
            None => return (Pixels::fresh(len), false),
        };
        match pixels {
            Pixels::Heap(mut pixels) if pixels.len() < len => {
                pixels.resize(len, 255);
                (Pixels::Heap(pixels), white)
            }
            pixels => (pixels, white),
        }
    }

    /// `len` bytes, all 0, freshly mapped.
    fn fresh(len: usize) -> Pixels {
        #[cfg(target_os = "linux")]
        {
            // Transparent huge pages come only for whole, aligned 2 MiB pieces of a mapping the
            // program asked them for (`madvise`, the kernel's default mode); the kernel aligns an
            // anonymous mapping whose length is a multiple of 2 MiB. A few hundred KiB of the
            // last page go unused. Without huge pages (THP off, or none free) this is a plain
            // mapping: as fast as `vec!`.
            const HUGE: usize = 2 << 20;
            if let Ok(map) = memmap2::MmapMut::map_anon(len.div_ceil(HUGE).max(1) * HUGE) {
                let _ = map.advise(memmap2::Advice::HugePage);
                return Pixels::Mapped(map);
            }
        }
        Pixels::Heap(vec![0; len])
    }
}

impl Deref for Pixels {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            #[cfg(target_os = "linux")]
            Pixels::Mapped(map) => map,
            Pixels::Heap(vec) => vec,
        }
    }
}

impl DerefMut for Pixels {
    fn deref_mut(&mut self) -> &mut [u8] {
        match self {
            #[cfg(target_os = "linux")]
            Pixels::Mapped(map) => map,
            Pixels::Heap(vec) => vec,
        }
    }
}

/// A plotters backend over an RGB buffer: `BitMapBackend`'s pixels, with circles from stamps
/// and letters from a cache.
pub(crate) struct Canvas<'a> {
    rgb: &'a mut [u8],
    size: (u32, u32),
    /// Circles met so far: what plotters draws for each kind (`None`: not a stamp, draw it
    /// with plotters every time). A figure has a handful of kinds.
    stamps: Vec<(CircleKind, Option<Stamp>)>,
    /// Stamps drawn right over others ([`Over`]), with their (stamp, colour) on top and below;
    /// up to [`OVERS`] of them (points coloured by value have as many colours as points). A
    /// list, searched from the one used last: a scatter uses the same one mark after mark, and
    /// hashing the key took longer than the search.
    overs: Vec<((Drawn, Drawn), Over)>,
    /// Where in `overs` the last one used is.
    last_over: usize,
    /// The stamp drawn last, and where, while nothing else has been drawn since.
    last: Option<(Drawn, BackendCoord)>,
    /// Letters drawn so far, by size and character.
    glyphs: HashMap<(u64, char), Glyph>,
    /// Stamps asked for but not drawn yet, in order: drawn all at once ([`Canvas::flush`])
    /// before anything else is drawn, and when the canvas is presented or dropped.
    pending: Vec<Deferred>,
    /// Every pixel is white and nothing has been drawn yet: a figure's first operation, white
    /// over the whole canvas, is then left out.
    white: bool,
}

/// A stamp waiting to be drawn ([`Canvas::flush`]).
#[derive(Clone, Copy)]
enum Deferred {
    /// The stamp `Canvas::stamps[at]`, in `color`, centred at `center`.
    Stamp {
        at: usize,
        color: [u8; 3],
        center: BackendCoord,
    },
    /// `Canvas::overs[at]`, a stamp right over another (its colours are its own), at `center`.
    Over { at: usize, center: BackendCoord },
}

/// From this many stamps on, [`Canvas::flush`] draws the upper and lower half of the image on
/// two threads (a scatter of thousands of marks takes milliseconds; a thread, some tens of µs).
const STAMPS_ON_TWO_THREADS: usize = 2_048;

/// A stamp (its index in `Canvas::stamps`) in a colour.
type Drawn = (usize, [u8; 3]);

/// The most [`Over`]s a canvas keeps.
const OVERS: usize = 64;

impl<'a> Canvas<'a> {
    /// A canvas of `size` pixels over `rgb` (at least width × height × 3 bytes), which are all
    /// 255 (white) if `white` says so.
    pub(crate) fn new(rgb: &'a mut [u8], size: (u32, u32), white: bool) -> Canvas<'a> {
        assert!(rgb.len() >= size.0 as usize * size.1 as usize * 3);
        debug_assert!(
            !white
                || rgb[..size.0 as usize * size.1 as usize * 3]
                    .iter()
                    .all(|&b| b == 255)
        );
        Canvas {
            rgb,
            size,
            stamps: Vec::new(),
            overs: Vec::new(),
            last_over: 0,
            last: None,
            glyphs: HashMap::new(),
            pending: Vec::new(),
            white,
        }
    }

    /// Draws the pending stamps, in the order they were asked for. Many of them are drawn on
    /// two threads, each into its half of the rows: every stamp is drawn by both, clipped to
    /// their rows, so each pixel still gets its operations in the same order, and the picture
    /// is the same to the bit.
    fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        // Taken out first: if drawing them panics, the canvas's `Drop` finds none to draw again.
        let mut pending = std::mem::take(&mut self.pending);
        let Canvas {
            rgb,
            size: (width, height),
            stamps,
            overs,
            ..
        } = self;
        let (width, height) = (*width, *height);
        let replay = |band: &mut [u8], first_row: u32, rows: u32| {
            let band_size = (width, rows);
            let shift = |(x, y): BackendCoord| (x, y - first_row as i32);
            for deferred in pending.iter() {
                match *deferred {
                    Deferred::Stamp { at, color, center } => {
                        let stamp = stamps[at].1.as_ref().expect("a stamp was deferred");
                        stamp.draw(band, band_size, shift(center), color);
                    }
                    Deferred::Over { at, center } => {
                        overs[at].1.draw(band, band_size, shift(center));
                    }
                }
            }
        };
        let image = &mut rgb[..width as usize * height as usize * 3];
        if pending.len() < STAMPS_ON_TWO_THREADS || height < 2 {
            replay(image, 0, height);
        } else {
            let half = height / 2;
            let (upper, lower) = image.split_at_mut(half as usize * width as usize * 3);
            std::thread::scope(|scope| {
                scope.spawn(|| replay(lower, half, height - half));
                replay(upper, 0, half);
            });
        }
        pending.clear();
        self.pending = pending; // (its memory, for the next stamps)
    }

    /// Before anything but a stamp is drawn: the stamps asked for first are drawn, and the
    /// next stamp is not right over the last one.
    fn before_other(&mut self) {
        self.last = None;
        self.white = false;
        self.flush();
    }

    /// plotters' own backend over the buffer, for one operation.
    fn bitmap(&mut self) -> BitMapBackend<'_> {
        self.before_other();
        BitMapBackend::with_buffer(self.rgb, self.size)
    }
}

impl Drop for Canvas<'_> {
    fn drop(&mut self) {
        self.flush();
    }
}

type Result<T> = std::result::Result<T, DrawingErrorKind<BitMapBackendError>>;

impl DrawingBackend for Canvas<'_> {
    type ErrorType = BitMapBackendError;

    fn get_size(&self) -> (u32, u32) {
        self.size
    }

    fn ensure_prepared(&mut self) -> Result<()> {
        Ok(())
    }

    fn present(&mut self) -> Result<()> {
        self.flush();
        Ok(())
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Result<()> {
        self.before_other();
        paint(self.rgb, self.size, point, color);
        Ok(())
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<()> {
        self.bitmap().draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<()> {
        let (width, height) = (self.size.0 as i32, self.size.1 as i32);
        let color = style.color();
        // (White of any opacity over any part of an all-white canvas changes no pixel; this is
        // the one a figure begins with, `root.fill(&WHITE)`.)
        if self.white
            && fill
            && color.rgb == (255, 255, 255)
            && color.alpha >= 1.0
            && upper_left.0 <= 0
            && upper_left.1 <= 0
            && bottom_right.0 >= width - 1
            && bottom_right.1 >= height - 1
        {
            return Ok(()); // white over a white canvas
        }
        self.bitmap()
            .draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<()> {
        self.bitmap().draw_path(path, style)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<()> {
        self.bitmap().fill_polygon(vert, style)
    }

    /// plotters' `draw_text` (the default of `DrawingBackend`, with `ab_glyph`'s drawing of
    /// the letters inlined), the letters from the cache.
    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<()> {
        // Only `FONT` in its normal style comes from the cache. plotters keeps the font a
        // `FontDesc` was made with when its style is changed (`.style(FontStyle::Bold)` on
        // `(FONT, 17).into_font()` still draws DejaVu Sans, not Bold), which the style given
        // here does not tell; so any other style is left to plotters.
        if style.family().as_str() != crate::figure::FONT
            || !matches!(style.style(), FontStyle::Normal)
        {
            return self.bitmap().draw_text(text, style, pos);
        }
        let font = crate::figure::regular_font();
        self.before_other();
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        // Where the text goes: its box in the font, moved to its anchor, then turned.
        let ((min_x, min_y), (max_x, max_y)) = style
            .layout_box(text)
            .map_err(|e| DrawingErrorKind::FontError(Box::new(e)))?;
        let (width, height) = (max_x - min_x, max_y - min_y);
        let dx = match style.anchor().h_pos {
            HPos::Left => 0,
            HPos::Right => -width,
            HPos::Center => -width / 2,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0,
            VPos::Center => -height / 2,
            VPos::Bottom => -height,
        };
        let transform = style.transform();
        // The letters one after another, each advanced by the letter before it and kerned.
        let size = style.size();
        let scaled = font.as_scaled(size as f32);
        let mut x_shift = 0f32;
        let mut previous = None;
        for c in text.chars() {
            if let Some(p) = previous {
                x_shift += scaled.kern(scaled.glyph_id(p), scaled.glyph_id(c));
            }
            previous = Some(c);
            let glyph = self
                .glyphs
                .entry((size.to_bits(), c))
                .or_insert_with(|| Glyph::rasterise(font, size, c));
            for &(x, y, coverage, opaque) in &glyph.pixels {
                let (x, y) = (x + x_shift as i32, y + glyph.y_shift);
                let (x, y) = transform.transform(x + dx - min_x, y + dy - min_y);
                let at = (pos.0 + x, pos.1 + y);
                if color.alpha == 1.0 {
                    // opaque text (all of ours): the opacity worked out with the letter
                    put(self.rgb, self.size, at, color.rgb, opaque);
                } else {
                    paint(self.rgb, self.size, at, color.mix(f64::from(coverage)));
                }
            }
            x_shift += scaled.h_advance(scaled.glyph_id(c));
        }
        Ok(())
    }

    fn blit_bitmap(&mut self, pos: BackendCoord, size: (u32, u32), src: &[u8]) -> Result<()> {
        self.bitmap().blit_bitmap(pos, size, src)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<()> {
        self.white = false;
        let kind = CircleKind {
            radius,
            fill,
            stroke: style.stroke_width(),
            alpha: style.color().alpha.to_bits(),
        };
        let at = match self.stamps.iter().position(|(k, _)| *k == kind) {
            Some(at) => at,
            None => {
                let stamp = Stamp::new(radius, style, fill, self.size.0);
                self.stamps.push((kind, stamp));
                self.stamps.len() - 1
            }
        };
        let Some(stamp) = &self.stamps[at].1 else {
            return self.bitmap().draw_circle(center, radius, style, fill);
        };
        let (r, g, b) = style.color().rgb;
        let drawn = (at, [r, g, b]);
        let below = match self.last {
            Some((below, there)) if there == center => Some(below),
            _ => None,
        };
        self.last = Some((drawn, center));
        // right after another stamp at this centre (a mark's outline after its fill)
        if let Some(below) = below {
            let key = (drawn, below);
            let found = match self.overs.get(self.last_over) {
                Some((last, _)) if *last == key => Some(self.last_over),
                _ => self.overs.iter().position(|(k, _)| *k == key),
            };
            let found = found.or_else(|| {
                (self.overs.len() < OVERS).then(|| {
                    let base = self.stamps[below.0].1.as_ref().expect("a stamp was drawn");
                    let over = Over::new(stamp, drawn.1, base, below.1, self.size.0);
                    self.overs.push((key, over));
                    self.overs.len() - 1
                })
            });
            if let Some(at) = found {
                self.last_over = at;
                self.pending.push(Deferred::Over { at, center });
                return Ok(());
            }
        }
        self.pending.push(Deferred::Stamp {
            at,
            color: drawn.1,
            center,
        });
        Ok(())
    }
}

/// `BitMapBackend`'s `draw_pixel` on an RGB buffer: see [`opacity`] and [`put`].
fn paint(rgb: &mut [u8], size: (u32, u32), point: BackendCoord, color: BackendColor) {
    put(rgb, size, point, color.rgb, opacity(color.alpha));
}

/// How `BitMapBackend` draws a pixel of opacity `alpha`, in 256ths: 256 (paint it) at 255/256
/// or more, 0 (skip it) at 0 or less, floor(alpha · 256) (blend) in between.
pub(crate) fn opacity(alpha: f64) -> u16 {
    if alpha >= 1.0 - 1.0 / 256.0 {
        256
    } else if alpha > 0.0 {
        (alpha * 256.0).floor() as u16
    } else {
        0
    }
}

/// Draws `rgb` on the pixel at `(x, y)` with opacity `alpha` in 256ths ([`opacity`]); nothing
/// outside the buffer.
fn put(
    buffer: &mut [u8],
    (width, height): (u32, u32),
    (x, y): BackendCoord,
    rgb: (u8, u8, u8),
    alpha: u16,
) {
    if x < 0 || y < 0 || x as u32 >= width || y as u32 >= height || alpha == 0 {
        return;
    }
    let at = 3 * (y as usize * width as usize + x as usize);
    let pixel = &mut buffer[at..at + 3];
    let new = [rgb.0, rgb.1, rgb.2];
    if alpha == 256 {
        pixel.copy_from_slice(&new);
    } else {
        for (old, new) in pixel.iter_mut().zip(new) {
            *old = blend(*old, new, u64::from(alpha));
        }
    }
}

/// One letter in one font and size as plotters draws it: the coverage (0 to 1) of each pixel it
/// covers, and the offset plotters gives them.
struct Glyph {
    /// (x, y, coverage, opacity): x and y from the corner of the letter's pixel box; the
    /// opacity in 256ths with which `paint` would draw the pixel in an opaque colour.
    pixels: Vec<(i32, i32, f32, u16)>,
    /// How far down plotters moves the box: half the size plus the box's top (to the baseline).
    y_shift: i32,
}

impl Glyph {
    /// What plotters' `ab_glyph` font does for each letter, with the pixels kept.
    fn rasterise(font: &FontRef<'static>, size: f64, c: char) -> Glyph {
        let scaled = font.as_scaled(size as f32);
        let Some(outline) = scaled.outline_glyph(scaled.scaled_glyph(c)) else {
            return Glyph {
                pixels: Vec::new(),
                y_shift: 0,
            };
        };
        let mut pixels = Vec::new();
        outline.draw(|x, y, coverage| {
            // ab_glyph visits every pixel of the box; an uncovered one paints nothing.
            if coverage > 0.0 {
                pixels.push((x as i32, y as i32, coverage, opacity(f64::from(coverage))));
            }
        });
        Glyph {
            pixels,
            y_shift: ((size as f32) / 2.0 + outline.px_bounds().min.y) as i32,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plotters::prelude::*;

    /// A root drawing area over a canvas.
    type Root<'a> = DrawingArea<Canvas<'a>, plotters::coord::Shift>;

    /// The pixels of a 4 × 3 canvas after `draw`, all white before it (`white`) or all 0.
    fn drawn(white: bool, draw: impl Fn(&Root<'_>)) -> Vec<u8> {
        let mut rgb = vec![if white { 255 } else { 0 }; 4 * 3 * 3];
        {
            let root = Canvas::new(&mut rgb, (4, 3), white).into_drawing_area();
            draw(&root);
            root.present().unwrap();
        }
        rgb
    }

    /// Only white over the whole of a white canvas is left out: another colour, a part of the
    /// canvas, or white after something was drawn are all painted, as on a fresh canvas.
    #[test]
    fn a_white_canvas_leaves_out_only_white_over_all_of_it() {
        let cases: [&dyn Fn(&Root<'_>); 4] = [
            &|root| root.fill(&WHITE).unwrap(),
            &|root| root.fill(&RED).unwrap(),
            &|root| {
                root.fill(&RED).unwrap();
                root.margin(1, 0, 1, 0).fill(&WHITE).unwrap();
            },
            &|root| {
                root.draw(&PathElement::new(vec![(0, 0), (3, 2)], BLACK))
                    .unwrap();
                root.fill(&WHITE).unwrap();
                root.draw_pixel((1, 1), &BLUE).unwrap();
            },
        ];
        for (k, draw) in cases.iter().enumerate() {
            assert_eq!(drawn(true, draw), drawn(false, draw), "case {k}");
        }
        // (The red fill reached every pixel: the comparison above is not of two blank buffers.)
        assert!(drawn(true, cases[1]).chunks(3).all(|p| p == [255, 0, 0]));
    }

    /// A heap buffer whose painting was stopped part way is painted to its end when a figure
    /// takes it, so the figure can leave out its white background.
    #[test]
    fn a_heap_buffer_painted_part_way_is_finished_white() {
        let len = 3 * 7 * 11; // no figure's size, so that no other test takes it
        ready().push(Ready {
            len,
            pixels: Pixels::Heap(vec![255; 100]),
            white: true,
        });
        let (pixels, white) = Pixels::blank(len);
        assert!(white);
        assert_eq!(pixels.len(), len);
        assert!(pixels.iter().all(|&b| b == 255));
    }
}
