//! Which marks of a scatter show in a PNG: a mark that the marks drawn after it paint over
//! completely leaves no trace, so it need not be drawn ([`unhidden`]).

use plotters::style::{Color, BLACK};
use plotters_backend::BackendCoord;

use crate::stamp::{bounds, record, PAINT};

/// What a scatter draws at each point: a filled circle of `radius` pixels in an opaque colour,
/// with a 1-pixel outline circle of the same radius on top of it or not.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Mark {
    pub radius: u32,
    pub outline: bool,
}

/// The pixels one mark touches, and those it paints outright, row by row.
struct Footprint {
    /// Left, top, right, bottom (all included), relative to the centre.
    bounds: (i32, i32, i32, i32),
    /// From the top row down: (touched, painted) as bit masks, bit i for x = left + i.
    rows: Vec<(u64, u64)>,
}

impl Mark {
    /// The mark's footprint as plotters rasterises it (the colour does not matter as long as
    /// it is opaque); `None` for a mark wider than 64 pixels.
    fn footprint(self) -> Option<Footprint> {
        let mut pixels = record(self.radius, &BLACK.filled(), true)?;
        if self.outline {
            pixels.extend(record(self.radius, &BLACK.stroke_width(1), false)?);
        }
        let bounds @ (left, top, right, bottom) = bounds(&pixels)?;
        if right - left >= 64 {
            return None;
        }
        let mut rows = vec![(0u64, 0u64); (bottom - top + 1) as usize];
        for &(x, y, alpha) in &pixels {
            let (row, bit) = (&mut rows[(y - top) as usize], 1u64 << (x - left));
            row.0 |= bit;
            if alpha == PAINT {
                row.1 |= bit;
            }
        }
        Some(Footprint { bounds, rows })
    }
}

/// Of the points `order` (indices into `pixels`, the points' centres in an image of `size`
/// pixels, in the order they are drawn), those whose marks show, in the same order.
///
/// A scatter of thousands of points draws most marks on top of others. A mark whose every
/// pixel later marks paint outright (not blend: the anti-aliased rim of a later mark lets what
/// is below show through) leaves no trace in the picture. Going through the marks from the last
/// drawn to the first, a bitmap holds the pixels painted by the marks after the current one; a
/// mark is hidden when the bitmap holds all its pixels, else it is kept and its painted pixels
/// go into the bitmap. The picture is the same to the bit; of 20,000 test points about a third
/// show, of 100,000 training points a few thousand.
pub(crate) fn unhidden(
    pixels: &[(i32, i32)],
    order: Vec<usize>,
    mark: Mark,
    size: (u32, u32),
) -> Vec<usize> {
    let Some(footprint) = mark.footprint() else {
        return order;
    };
    let mut cover = Cover::new(size);
    let mut shown = vec![false; order.len()];
    for (k, &i) in order.iter().enumerate().rev() {
        if !cover.hides(&footprint, pixels[i]) {
            cover.add(&footprint, pixels[i]);
            shown[k] = true;
        }
    }
    order
        .into_iter()
        .zip(shown)
        .filter_map(|(i, shown)| shown.then_some(i))
        .collect()
}

/// The pixels of an image painted over so far: one bit per pixel, row by row. Each row has a
/// word of set bits on either side, and the bits past the image's width are set: pixels
/// outside the image are never drawn, so they count as painted over.
struct Cover {
    bits: Vec<u64>,
    /// Words per row, with the two of padding.
    words: usize,
    size: (u32, u32),
}

impl Cover {
    /// Nothing painted over yet in an image of `size` pixels.
    fn new(size: (u32, u32)) -> Cover {
        let (width, height) = (size.0 as usize, size.1 as usize);
        let words = width.div_ceil(64) + 2;
        let mut bits = vec![0; words * height];
        for row in bits.chunks_exact_mut(words) {
            row[0] = u64::MAX;
            // the bits from pixel `width` on (bit 64 + width of the row)
            let (word, bit) = ((64 + width) / 64, (64 + width) % 64);
            row[word] |= u64::MAX << bit;
            row[word + 1..].fill(u64::MAX);
        }
        Cover { bits, words, size }
    }

    /// Whether all the pixels `mark` touches around `center` are painted over.
    fn hides(&self, mark: &Footprint, center: BackendCoord) -> bool {
        rows(self.size, self.words, mark, center)
            .all(|(at, bit, &(touched, _))| touched & !window(&self.bits[at..], bit) == 0)
    }

    /// Adds the pixels `mark` paints outright around `center`.
    fn add(&mut self, mark: &Footprint, center: BackendCoord) {
        // (`rows` borrows nothing of the cover, so `bits` can change while the rows are gone
        // through: no list of them to make first, for every mark kept)
        let (size, words) = (self.size, self.words);
        for (at, bit, &(_, painted)) in rows(size, words, mark, center) {
            set_window(&mut self.bits[at..], bit, painted);
        }
    }
}

/// The rows of the mark's box around `center` inside an image of `size` pixels (outside it
/// nothing is drawn), in a cover of `words` words per row: where the row's bits start in the
/// cover's bits, the bit of the box's left edge in the row, and the row's masks.
fn rows(
    size: (u32, u32),
    words: usize,
    mark: &Footprint,
    (cx, cy): BackendCoord,
) -> impl Iterator<Item = (usize, usize, &(u64, u64))> {
    let (left, top, right, _) = mark.bounds;
    let (width, height) = (size.0 as i32, size.1 as i32);
    // A box wholly left or right of the image has nothing inside it.
    let beside = cx + right < 0 || cx + left >= width;
    let bit = (64 + cx + left).max(0) as usize;
    (cy + top..)
        .zip(&mark.rows)
        .filter(move |&(y, _)| !beside && (0..height).contains(&y))
        .map(move |(y, masks)| (y as usize * words, bit, masks))
}

/// The 64 bits of `row` from bit `bit` on (bit 0 of the result is bit `bit`).
fn window(row: &[u64], bit: usize) -> u64 {
    let (word, shift) = (bit / 64, bit % 64);
    if shift == 0 {
        row[word]
    } else {
        (row[word] >> shift) | (row[word + 1] << (64 - shift))
    }
}

/// Sets the bits of `mask` in `row` from bit `bit` on.
fn set_window(row: &mut [u64], bit: usize, mask: u64) {
    let (word, shift) = (bit / 64, bit % 64);
    row[word] |= mask << shift;
    if shift != 0 {
        row[word + 1] |= mask >> (64 - shift);
    }
}
