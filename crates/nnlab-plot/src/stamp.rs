//! Circles as stamps, for [`Canvas`](crate::canvas::Canvas): plotters' rasteriser run once per
//! kind of circle, its pixel operations written down ([`record`]) and replayed at every centre
//! ([`Stamp`]; [`Over`] for one drawn right over another, as a mark's outline over its fill).

use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
};

/// What the pixel operations of plotters' circle depend on: not its colour, nor where it is.
#[derive(Clone, Copy, PartialEq)]
pub(crate) struct CircleKind {
    pub radius: u32,
    pub fill: bool,
    pub stroke: u32,
    /// The colour's opacity, as bits.
    pub alpha: u64,
}

/// The opacity, in 256ths, of an operation that paints its pixel outright.
pub(crate) const PAINT: u16 = 256;

/// What plotters' `draw_circle` does for one kind of circle, relative to the centre, in a form
/// that is quick to carry out in any colour: the pixels it paints, and the pixels it only
/// blends its colour into.
///
/// plotters paints a circle's inside line by line and blends its anti-aliased rim pixel by
/// pixel, and a few pixels get more than one operation. A pixel painted at any point ends in the
/// circle's colour whatever the other operations on it (blending a colour into itself leaves it
/// as it is), so it needs only the paint; the others need their blends, in plotters' order.
/// The two kinds of pixels are disjoint, so the paints can go first.
pub(crate) struct Stamp {
    /// The circle's pixel operations, as [`record`] gives them.
    ops: Vec<(i32, i32, u16)>,
    /// The pixels painted: (x, y).
    paints: Vec<(i32, i32)>,
    /// The pixels only blended, in plotters' order: (x, y, opacity in 256ths).
    blends: Vec<(i32, i32, u16)>,
    /// `paints` as byte offsets from the centre's pixel in an image `width` wide.
    paint_offsets: Vec<isize>,
    /// `blends` as (byte offset from the centre's pixel, opacity) in an image `width` wide.
    blend_offsets: Vec<(isize, u16)>,
    /// The box around the pixels: left, top, right, bottom (all included).
    bounds: (i32, i32, i32, i32),
}

/// A stamp drawn at the same centre right after another one (a mark's outline right after its
/// fill), both in given colours. Where the one below painted, the colour is known, and so is
/// what the operations of the one on top make of it: most of an outline becomes paints of
/// colours worked out once.
pub(crate) struct Over {
    /// The colour of the stamp on top.
    rgb: [u8; 3],
    /// The pixels painted, and the colour each ends in: (x, y, colour).
    paints: Vec<(i32, i32, [u8; 3])>,
    /// The pixels only blended, in plotters' order: (x, y, opacity in 256ths).
    blends: Vec<(i32, i32, u16)>,
    /// As in [`Stamp`].
    paint_offsets: Vec<(isize, [u8; 3])>,
    blend_offsets: Vec<(isize, u16)>,
    bounds: (i32, i32, i32, i32),
}

/// The pixel operations plotters' `draw_circle` makes for a circle of `radius` at (0, 0) in
/// `style`, in its order: (x, y, opacity in 256ths, [`PAINT`] for painting the pixel outright).
/// A backend that writes down what it is asked to do runs plotters' own rasteriser. `None`
/// when the rasteriser asks for something this does not replay (a translucent line, a thick or
/// slanted one: the rims of circles with a stroke wider than 1, which our figures do not draw).
pub(crate) fn record<S: BackendStyle>(
    radius: u32,
    style: &S,
    fill: bool,
) -> Option<Vec<(i32, i32, u16)>> {
    let mut recorder = Recorder { pixels: Vec::new() };
    plotters_backend::rasterizer::draw_circle(&mut recorder, (0, 0), radius, style, fill).ok()?;
    Some(recorder.pixels)
}

/// The box around `pixels`: left, top, right, bottom (all included); `None` for no pixels.
pub(crate) fn bounds(pixels: &[(i32, i32, u16)]) -> Option<(i32, i32, i32, i32)> {
    let (&(x, y, _), rest) = pixels.split_first()?;
    Some(rest.iter().fold((x, y, x, y), |(l, t, r, b), &(x, y, _)| {
        (l.min(x), t.min(y), r.max(x), b.max(y))
    }))
}

impl Stamp {
    /// The stamp of a circle of `radius` in `style` ([`record`]), for an image `width` pixels
    /// wide.
    pub(crate) fn new<S: BackendStyle>(
        radius: u32,
        style: &S,
        fill: bool,
        width: u32,
    ) -> Option<Stamp> {
        let ops = record(radius, style, fill)?;
        let pixels = sorted_pixels(&ops);
        let paints: Vec<(i32, i32)> = pixels
            .iter()
            .filter(|pixel| pixel.iter().any(|&(_, _, alpha)| alpha == PAINT))
            .map(|pixel| (pixel[0].0, pixel[0].1))
            .collect();
        let blends = blends_outside(&ops, &paints);
        let offset = offset_in(width);
        Some(Stamp {
            paint_offsets: paints.iter().map(|&(x, y)| offset(x, y)).collect(),
            blend_offsets: blends.iter().map(|&(x, y, a)| (offset(x, y), a)).collect(),
            bounds: bounds(&ops).unwrap_or_default(),
            ops,
            paints,
            blends,
        })
    }

    /// Carries out the operations in `color` around `center` on an RGB buffer of `(width,
    /// height)` pixels (the width the stamp was made for), clipped to it as `BitMapBackend`
    /// clips them.
    pub(crate) fn draw(
        &self,
        rgb: &mut [u8],
        (width, height): (u32, u32),
        (cx, cy): BackendCoord,
        color: [u8; 3],
    ) {
        let (w, h) = (width as i32, height as i32);
        let (left, top, right, bottom) = self.bounds;
        if cx + left >= 0 && cx + right < w && cy + top >= 0 && cy + bottom < h {
            // All inside (nearly every mark): no clipping, the offsets straight from the centre.
            let center = 3 * (cy as isize * width as isize + cx as isize);
            for &offset in &self.paint_offsets {
                let at = (center + offset) as usize;
                rgb[at..at + 3].copy_from_slice(&color);
            }
            for &(offset, alpha) in &self.blend_offsets {
                let at = (center + offset) as usize;
                apply(&mut rgb[at..at + 3], color, alpha);
            }
            return;
        }
        if cx + right < 0 || cx + left >= w || cy + bottom < 0 || cy + top >= h {
            return; // wholly outside (of the band being drawn: see `Canvas`)
        }
        let inside = Inside { width, height };
        for &(x, y) in &self.paints {
            if let Some(at) = inside.at(cx + x, cy + y) {
                rgb[at..at + 3].copy_from_slice(&color);
            }
        }
        for &(x, y, alpha) in &self.blends {
            if let Some(at) = inside.at(cx + x, cy + y) {
                apply(&mut rgb[at..at + 3], color, alpha);
            }
        }
    }
}

impl Over {
    /// `top` in `color` drawn right after `base` in `base_color` at the same centre, in an
    /// image `width` pixels wide.
    pub(crate) fn new(
        top: &Stamp,
        color: [u8; 3],
        base: &Stamp,
        base_color: [u8; 3],
        width: u32,
    ) -> Over {
        let mut paints = Vec::new();
        for pixel in sorted_pixels(&top.ops) {
            let (x, y) = (pixel[0].0, pixel[0].1);
            if pixel.iter().any(|&(_, _, alpha)| alpha == PAINT) {
                paints.push((x, y, color));
            } else if base.paints.binary_search(&(x, y)).is_ok() {
                // blended into the colour the base painted
                let mut known = base_color;
                for &(_, _, alpha) in &pixel {
                    apply(&mut known, color, alpha);
                }
                paints.push((x, y, known));
            }
        }
        let painted: Vec<(i32, i32)> = paints.iter().map(|&(x, y, _)| (x, y)).collect();
        let blends = blends_outside(&top.ops, &painted);
        let offset = offset_in(width);
        Over {
            rgb: color,
            paint_offsets: paints.iter().map(|&(x, y, c)| (offset(x, y), c)).collect(),
            blend_offsets: blends.iter().map(|&(x, y, a)| (offset(x, y), a)).collect(),
            bounds: top.bounds,
            paints,
            blends,
        }
    }

    /// As [`Stamp::draw`], right after the base stamp at the same centre.
    pub(crate) fn draw(&self, rgb: &mut [u8], (width, height): (u32, u32), (cx, cy): BackendCoord) {
        let (w, h) = (width as i32, height as i32);
        let (left, top, right, bottom) = self.bounds;
        if cx + left >= 0 && cx + right < w && cy + top >= 0 && cy + bottom < h {
            let center = 3 * (cy as isize * width as isize + cx as isize);
            for &(offset, color) in &self.paint_offsets {
                let at = (center + offset) as usize;
                rgb[at..at + 3].copy_from_slice(&color);
            }
            for &(offset, alpha) in &self.blend_offsets {
                let at = (center + offset) as usize;
                apply(&mut rgb[at..at + 3], self.rgb, alpha);
            }
            return;
        }
        if cx + right < 0 || cx + left >= w || cy + bottom < 0 || cy + top >= h {
            return;
        }
        let inside = Inside { width, height };
        for &(x, y, color) in &self.paints {
            if let Some(at) = inside.at(cx + x, cy + y) {
                rgb[at..at + 3].copy_from_slice(&color);
            }
        }
        for &(x, y, alpha) in &self.blends {
            if let Some(at) = inside.at(cx + x, cy + y) {
                apply(&mut rgb[at..at + 3], self.rgb, alpha);
            }
        }
    }
}

/// The operations `ops` grouped by pixel, the pixels in (x, y) order, each pixel's operations
/// in plotters' order.
fn sorted_pixels(ops: &[(i32, i32, u16)]) -> Vec<Vec<(i32, i32, u16)>> {
    let mut ops = ops.to_vec();
    ops.sort_by_key(|&(x, y, _)| (x, y)); // stable: plotters' order within a pixel
    ops.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1))
        .map(<[_]>::to_vec)
        .collect()
}

/// The operations of `ops` on pixels not in `painted` (sorted), in plotters' order.
fn blends_outside(ops: &[(i32, i32, u16)], painted: &[(i32, i32)]) -> Vec<(i32, i32, u16)> {
    ops.iter()
        .copied()
        .filter(|&(x, y, _)| painted.binary_search(&(x, y)).is_err())
        .collect()
}

/// The byte offset of pixel (x, y) from the centre's, in an image `width` pixels wide.
fn offset_in(width: u32) -> impl Fn(i32, i32) -> isize {
    move |x, y| 3 * (y as isize * width as isize + x as isize)
}

/// Where a pixel's bytes start in an RGB buffer of `width` × `height` pixels.
struct Inside {
    width: u32,
    height: u32,
}

impl Inside {
    /// `None` outside the image.
    fn at(&self, x: i32, y: i32) -> Option<usize> {
        let inside = (0..self.width as i32).contains(&x) && (0..self.height as i32).contains(&y);
        inside.then(|| 3 * (y as usize * self.width as usize + x as usize))
    }
}

/// Blends `color` into a pixel with opacity `alpha`/256.
fn apply(pixel: &mut [u8], color: [u8; 3], alpha: u16) {
    for (old, new) in pixel.iter_mut().zip(color) {
        *old = blend(*old, new, u64::from(alpha));
    }
}

/// `BitMapBackend`'s blend of one channel: `new` over `old` with opacity `alpha`/256 (at most 1),
/// the step from `old` towards `new` rounded towards `old`. (plotters branches on the sign of
/// the step; integer division, which rounds towards zero, does the same without a branch.)
pub(crate) fn blend(old: u8, new: u8, alpha: u64) -> u8 {
    let step = i32::from(new) - i32::from(old);
    (i32::from(old) + step * alpha as i32 / 256) as u8
}

/// A backend that writes down the pixel operations it is asked for, as `BitMapBackend` would
/// carry them out (see its `draw_pixel`, `draw_line` and the RGB pixel format's fills), and
/// refuses anything else.
struct Recorder {
    pixels: Vec<(i32, i32, u16)>,
}

/// What [`Recorder`] does not write down.
#[derive(Debug)]
struct NotAStamp;

impl std::fmt::Display for NotAStamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not a stamp")
    }
}

impl std::error::Error for NotAStamp {}

type Recorded = Result<(), DrawingErrorKind<NotAStamp>>;

fn refuse() -> Recorded {
    Err(DrawingErrorKind::DrawingError(NotAStamp))
}

impl DrawingBackend for Recorder {
    type ErrorType = NotAStamp;

    fn get_size(&self) -> (u32, u32) {
        (u32::MAX, u32::MAX)
    }

    fn ensure_prepared(&mut self) -> Recorded {
        Ok(())
    }

    fn present(&mut self) -> Recorded {
        Ok(())
    }

    fn draw_pixel(&mut self, (x, y): BackendCoord, color: BackendColor) -> Recorded {
        match crate::canvas::opacity(color.alpha) {
            0 => {}
            alpha => self.pixels.push((x, y, alpha)),
        }
        Ok(())
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Recorded {
        // BitMapBackend's fast path: an opaque horizontal line fills the rectangle from `from`
        // to `to` + (1, 1), corners in either order; an opaque vertical one fills the column
        // between the two ends.
        let straight = from.0 == to.0 || from.1 == to.1;
        if !straight || style.stroke_width() != 1 || style.color().alpha < 1.0 {
            return refuse();
        }
        if from.1 == to.1 {
            let (x0, x1) = (from.0.min(to.0 + 1), from.0.max(to.0 + 1));
            self.pixels.extend((x0..x1).map(|x| (x, from.1, PAINT)));
        } else {
            let (y0, y1) = (from.1.min(to.1), from.1.max(to.1));
            self.pixels.extend((y0..=y1).map(|y| (from.0, y, PAINT)));
        }
        Ok(())
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        _: BackendCoord,
        _: BackendCoord,
        _: &S,
        _: bool,
    ) -> Recorded {
        refuse()
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        _: I,
        _: &S,
    ) -> Recorded {
        refuse()
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        _: I,
        _: &S,
    ) -> Recorded {
        refuse()
    }

    fn draw_text<S: BackendTextStyle>(&mut self, _: &str, _: &S, _: BackendCoord) -> Recorded {
        refuse()
    }

    fn blit_bitmap(&mut self, _: BackendCoord, _: (u32, u32), _: &[u8]) -> Recorded {
        refuse()
    }
}

#[cfg(test)]
mod tests {
    use super::blend;

    /// plotters-bitmap's blend of one channel, as it is written there.
    fn plotters_blend(prev: u8, new: u8, a: u64) -> u8 {
        if new > prev {
            prev + (u64::from(new - prev) * a / 256) as u8
        } else {
            prev - (u64::from(prev - new) * a / 256) as u8
        }
    }

    #[test]
    fn blend_is_plotters_blend() {
        for old in 0..=255 {
            for new in 0..=255 {
                for alpha in 0..=256 {
                    assert_eq!(
                        blend(old, new, alpha),
                        plotters_blend(old, new, alpha),
                        "{old} {new} {alpha}"
                    );
                }
            }
        }
    }
}
