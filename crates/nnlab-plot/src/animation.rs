//! The decision boundary as it learns: a few frames of the boundary figure, one every k epochs,
//! as one animated GIF (`boundary.gif`).
//!
//! - Which epochs: [`FramePlan`]. With E epochs and at most N frames, every epoch when E ≤ N;
//!   otherwise epochs 0, k, 2k, … with the smallest k that keeps to N frames (at most
//!   ⌈(E − 1)/(N − 1)⌉), and always the last epoch, so the GIF ends on the trained model.
//! - What a frame shows: [`BoundaryFigure`](crate::BoundaryFigure) at [`FRAME_SIZE`], titled
//!   "epoch 40 · loss 0.4123 · test accuracy 0.8450" (the epoch's line of the history), the test
//!   points on top.
//! - How it is encoded ([`Animation`]): the frames arrive one by one, while the model trains, and
//!   are encoded at once, so memory holds two frames' pixels and the GIF so far, whatever the
//!   size of the model or the number of epochs. Each frame after the first is only the box of
//!   pixels that changed since the one before, with the unchanged pixels in it transparent
//!   (long runs of one index, which LZW packs well). A frame's palette is its own, built from
//!   the colours of the pixels it carries: exact when they are 255 or fewer (the plane's few
//!   region colours, the points, the text), else the 255 most frequent exactly and the rest
//!   (anti-aliased edge pixels) as the nearest of those.
//! - Timing: [`DELAY`] between frames, the last one held for [`LAST_DELAY`]; the GIF loops.

use std::collections::HashMap;

use crate::figure::{render_rgb, Figure, PlotError};
use crate::lang::Lang;

/// The most frames a GIF may have (`--frames` up to this).
pub const MAX_FRAMES: usize = 100;
/// Frames when `--frames` is not given.
pub const DEFAULT_FRAMES: usize = 50;
/// Width and height of a frame, in pixels: the boundary figure at 60% of its 1000 × 800.
pub const FRAME_SIZE: (u32, u32) = (600, 480);
/// Time between frames, in hundredths of a second.
pub const DELAY: u16 = 9;
/// How long the last frame stays, in hundredths of a second, before the GIF starts over.
pub const LAST_DELAY: u16 = 250;

/// The epochs that get a frame: with `epochs` epochs (0 to epochs − 1) and at most `frames`
/// frames, every `every`-th epoch from 0, and the last (with one frame, the last only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FramePlan {
    pub epochs: usize,
    pub every: usize,
    /// Whether epoch 0, k, 2k, … get frames (all but a one-frame plan).
    from_zero: bool,
}

impl FramePlan {
    /// The plan for a run of `epochs` epochs and at most `frames` frames; `frames` of 0 counts
    /// as 1 (the CLI refuses it before).
    pub fn new(epochs: usize, frames: usize) -> FramePlan {
        let frames = frames.max(1);
        // The multiples of k below E, and the last epoch when it is not one of them.
        let count = |k: usize| (epochs - 1) / k + 1 + usize::from(!(epochs - 1).is_multiple_of(k));
        let every = if epochs <= frames {
            1
        } else if frames == 1 {
            epochs
        } else {
            // the smallest k that fits: k = ⌈(E − 1)/(N − 1)⌉ always does
            (epochs.div_ceil(frames)..(epochs - 1).div_ceil(frames - 1))
                .find(|&k| count(k) <= frames)
                .unwrap_or((epochs - 1).div_ceil(frames - 1))
        };
        FramePlan {
            epochs,
            every,
            from_zero: frames > 1,
        }
    }

    /// Whether epoch `epoch` (0-based) gets a frame.
    pub fn contains(&self, epoch: usize) -> bool {
        epoch < self.epochs
            && (epoch + 1 == self.epochs || (self.from_zero && epoch.is_multiple_of(self.every)))
    }

    /// Every epoch that gets a frame, in order.
    pub fn epochs(&self) -> Vec<usize> {
        (0..self.epochs).filter(|&e| self.contains(e)).collect()
    }
}

/// The caption of the frame of `epoch` (0-based, as the history and the epoch lines count):
/// its loss, and a classifier's test accuracy, in `lang`.
pub fn frame_title(epoch: usize, loss: f64, test_accuracy: Option<f64>, lang: Lang) -> String {
    let (epoch_word, loss_word) = (lang.pick("epoch", "эпоха"), lang.pick("loss", "потери"));
    let title = format!("{epoch_word} {epoch} · {loss_word} {loss:.4}");
    match test_accuracy {
        Some(accuracy) => {
            let accuracy_word = lang.pick("test accuracy", "точность (тест)");
            format!("{title} · {accuracy_word} {accuracy:.4}")
        }
        None => title,
    }
}

/// An animated GIF being encoded, frame by frame.
pub struct Animation {
    size: (u32, u32),
    encoder: gif::Encoder<Vec<u8>>,
    /// The pixels the viewer shows after the frames so far (RGB).
    shown: Option<Vec<u8>>,
    /// The last frame given, not written yet: its delay depends on whether another follows.
    pending: Option<gif::Frame<'static>>,
    frames: usize,
}

fn gif_error(error: impl std::fmt::Display) -> PlotError {
    PlotError::Png(format!("encoding the GIF failed: {error}"))
}

impl Animation {
    /// An empty GIF of frames of `size` pixels that loops for ever.
    pub fn new(size: (u32, u32)) -> Result<Animation, PlotError> {
        let (width, height) = (side(size.0)?, side(size.1)?);
        let mut encoder = gif::Encoder::new(Vec::new(), width, height, &[]).map_err(gif_error)?;
        encoder
            .set_repeat(gif::Repeat::Infinite)
            .map_err(gif_error)?;
        Ok(Animation {
            size,
            encoder,
            shown: None,
            pending: None,
            frames: 0,
        })
    }

    /// Renders `figure` (of this animation's size) and adds it as the next frame.
    pub fn push_figure(&mut self, figure: &impl Figure) -> Result<(), PlotError> {
        if figure.size() != self.size {
            return Err(PlotError::Input(format!(
                "a frame of {:?} pixels in an animation of {:?}",
                figure.size(),
                self.size
            )));
        }
        let rgb = render_rgb(figure)?;
        self.push(&rgb)
    }

    /// Adds the next frame, `rgb` of this animation's size (3 bytes a pixel, row by row).
    pub fn push(&mut self, rgb: &[u8]) -> Result<(), PlotError> {
        let (width, height) = (self.size.0 as usize, self.size.1 as usize);
        if rgb.len() != width * height * 3 {
            return Err(PlotError::Input(format!(
                "a frame of {} bytes for {width} x {height} pixels",
                rgb.len()
            )));
        }
        let frame = match &self.shown {
            None => indexed(rgb, width, (0, 0, width, height), None),
            Some(before) => match changed_box(before, rgb, width, height) {
                Some(area) => indexed(rgb, width, area, Some(before)),
                // nothing changed: one transparent pixel keeps the frame (and its delay)
                None => gif::Frame {
                    width: 1,
                    height: 1,
                    buffer: vec![0].into(),
                    palette: Some(vec![0, 0, 0]),
                    transparent: Some(0),
                    dispose: gif::DisposalMethod::Keep,
                    ..gif::Frame::default()
                },
            },
        };
        self.write_pending(DELAY)?;
        self.pending = Some(frame);
        match &mut self.shown {
            Some(shown) => shown.copy_from_slice(rgb),
            None => self.shown = Some(rgb.to_vec()),
        }
        self.frames += 1;
        Ok(())
    }

    /// How many frames were added.
    pub fn frames(&self) -> usize {
        self.frames
    }

    fn write_pending(&mut self, delay: u16) -> Result<(), PlotError> {
        if let Some(mut frame) = self.pending.take() {
            frame.delay = delay;
            self.encoder.write_frame(&frame).map_err(gif_error)?;
        }
        Ok(())
    }

    /// The GIF's bytes, the last frame held for [`LAST_DELAY`]; refused with no frame.
    pub fn finish(mut self) -> Result<Vec<u8>, PlotError> {
        if self.frames == 0 {
            return Err(PlotError::Empty("an animation with no frames".into()));
        }
        self.write_pending(LAST_DELAY)?;
        self.encoder.into_inner().map_err(gif_error)
    }
}

/// A side of a GIF: 1 to 65535 pixels.
fn side(pixels: u32) -> Result<u16, PlotError> {
    u16::try_from(pixels)
        .ok()
        .filter(|&side| side > 0)
        .ok_or_else(|| PlotError::Input(format!("a GIF side of {pixels} pixels")))
}

/// The smallest box (left, top, width, height) holding every pixel that differs between the
/// two images, or `None` when they are the same.
fn changed_box(
    before: &[u8],
    after: &[u8],
    width: usize,
    height: usize,
) -> Option<(usize, usize, usize, usize)> {
    let row = width * 3;
    let differs = |y: usize| before[y * row..(y + 1) * row] != after[y * row..(y + 1) * row];
    let top = (0..height).find(|&y| differs(y))?;
    let bottom = (top..height).rev().find(|&y| differs(y))?;
    let (mut left, mut right) = (width, 0);
    for y in top..=bottom {
        let (a, b) = (
            &before[y * row..(y + 1) * row],
            &after[y * row..(y + 1) * row],
        );
        if let Some(x) = (0..left).find(|&x| a[3 * x..3 * x + 3] != b[3 * x..3 * x + 3]) {
            left = x;
        }
        if let Some(x) = (right..width)
            .rev()
            .find(|&x| a[3 * x..3 * x + 3] != b[3 * x..3 * x + 3])
        {
            right = x;
        }
    }
    Some((left, top, right.max(left) - left + 1, bottom - top + 1))
}

/// The frame of the pixels of `rgb` (an image `width` wide) in `area`, with its own palette;
/// with `before` (what the viewer shows now), the pixels that did not change are transparent.
fn indexed(
    rgb: &[u8],
    width: usize,
    (left, top, w, h): (usize, usize, usize, usize),
    before: Option<&[u8]>,
) -> gif::Frame<'static> {
    let pixel = |x: usize, y: usize| {
        let i = ((top + y) * width + left + x) * 3;
        [rgb[i], rgb[i + 1], rgb[i + 2]]
    };
    let kept = |x: usize, y: usize| {
        before.is_some_and(|before| {
            let i = ((top + y) * width + left + x) * 3;
            before[i..i + 3] == rgb[i..i + 3]
        })
    };
    // The colours carried, by how often they occur.
    // Most pixels repeat the one before them (the plane's regions): a run of one colour is
    // counted at once, which saves most of the lookups.
    let mut counts: HashMap<[u8; 3], usize> = HashMap::new();
    let mut run: Option<([u8; 3], usize)> = None;
    for y in 0..h {
        for x in 0..w {
            if kept(x, y) {
                continue;
            }
            let color = pixel(x, y);
            match &mut run {
                Some((same, n)) if *same == color => *n += 1,
                _ => {
                    if let Some((done, n)) = run.replace((color, 1)) {
                        *counts.entry(done).or_default() += n;
                    }
                }
            }
        }
    }
    if let Some((done, n)) = run {
        *counts.entry(done).or_default() += n;
    }
    let transparent = before.map(|_| 0u8); // index 0, when there is something to see through
    let room = 256 - usize::from(transparent.is_some());
    let palette_colors = palette(&counts, room);
    let offset = usize::from(transparent.is_some());
    let mut index: HashMap<[u8; 3], u8> = palette_colors
        .iter()
        .enumerate()
        .map(|(i, &c)| (c, (i + offset) as u8))
        .collect();
    let mut buffer = Vec::with_capacity(w * h);
    let mut last: Option<([u8; 3], u8)> = None;
    for y in 0..h {
        for x in 0..w {
            if kept(x, y) {
                buffer.push(0);
                continue;
            }
            let color = pixel(x, y);
            let i = match last {
                Some((same, i)) if same == color => i,
                _ => *index
                    .entry(color)
                    .or_insert_with(|| nearest(&palette_colors, color) as u8 + offset as u8),
            };
            last = Some((color, i));
            buffer.push(i);
        }
    }
    let mut table = Vec::with_capacity((palette_colors.len() + offset) * 3);
    if transparent.is_some() {
        table.extend([0, 0, 0]);
    }
    table.extend(palette_colors.iter().flatten());
    gif::Frame {
        left: left as u16,
        top: top as u16,
        width: w as u16,
        height: h as u16,
        buffer: buffer.into(),
        palette: Some(table),
        transparent,
        // the next frame's transparent pixels show this one
        dispose: gif::DisposalMethod::Keep,
        ..gif::Frame::default()
    }
}

/// Up to `room` colours: all of them when they fit, else the most frequent (ties by colour, so
/// that the same image always gets the same palette).
pub(crate) fn palette(counts: &HashMap<[u8; 3], usize>, room: usize) -> Vec<[u8; 3]> {
    let mut colors: Vec<([u8; 3], usize)> = counts.iter().map(|(&c, &n)| (c, n)).collect();
    colors.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    colors.truncate(room);
    let mut kept: Vec<[u8; 3]> = colors.into_iter().map(|(c, _)| c).collect();
    kept.sort();
    if kept.is_empty() {
        kept.push([0, 0, 0]);
    }
    kept
}

/// The index of the colour of `palette` nearest to `color` (squared RGB distance).
fn nearest(palette: &[[u8; 3]], color: [u8; 3]) -> usize {
    let distance = |p: &[u8; 3]| -> i32 {
        (0..3)
            .map(|k| (i32::from(p[k]) - i32::from(color[k])).pow(2))
            .sum()
    };
    (0..palette.len())
        .min_by_key(|&i| distance(&palette[i]))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(epochs: usize, frames: usize) -> Vec<usize> {
        FramePlan::new(epochs, frames).epochs()
    }

    #[test]
    fn plans_keep_to_the_frame_limit_and_end_on_the_last_epoch() {
        assert_eq!(plan(20, 50), (0..20).collect::<Vec<_>>());
        assert_eq!(plan(20, 20), (0..20).collect::<Vec<_>>());
        // 20 epochs in 10 frames: every 3rd (0..18) and 19
        assert_eq!(plan(20, 10), vec![0, 3, 6, 9, 12, 15, 18, 19]);
        // k = 10 would take 0..990 and 999: 101 frames; k = 11 takes 92
        assert_eq!(plan(1000, 100).len(), 92);
        assert_eq!(FramePlan::new(1000, 100).every, 11);
        assert_eq!(plan(300, 50).len(), 44); // k = 6 would take 50 + 1
        assert_eq!(plan(7, 1), vec![6]);
        assert_eq!(plan(1, 1), vec![0]);
        assert_eq!(plan(2, 2), vec![0, 1]);
        for epochs in 1..300 {
            for frames in 1..=MAX_FRAMES {
                let list = plan(epochs, frames);
                assert!(list.len() <= frames, "{epochs} epochs, {frames} frames");
                assert_eq!(list.last(), Some(&(epochs - 1)));
                if frames > 1 {
                    assert_eq!(list[0], 0);
                }
                if epochs <= frames {
                    assert_eq!(list.len(), epochs);
                }
                // no smaller step keeps to the limit
                let every = FramePlan::new(epochs, frames).every;
                if frames > 1 && every > 1 {
                    let k = every - 1;
                    let more = (epochs - 1) / k + 1 + usize::from(!(epochs - 1).is_multiple_of(k));
                    assert!(more > frames, "{epochs} epochs, {frames} frames: {k} fits");
                }
                assert!(list.windows(2).all(|w| w[0] < w[1]));
            }
        }
    }

    #[test]
    fn a_palette_is_exact_up_to_its_room_and_nearest_beyond() {
        let mut counts = HashMap::new();
        for k in 0..300u32 {
            counts.insert([k as u8, (k / 256) as u8, 7], 1000 - k as usize);
        }
        let kept = palette(&counts, 255);
        assert_eq!(kept.len(), 255);
        // the most frequent (k < 255) are kept, the rare ones are not
        assert!(kept.contains(&[0, 0, 7]) && kept.contains(&[254, 0, 7]));
        assert!(!kept.contains(&[255, 0, 7]));
        assert_eq!(kept[nearest(&kept, [44, 1, 7])], [44, 0, 7]);
    }

    #[test]
    fn unchanged_pixels_are_left_out_of_the_box() {
        let (w, h) = (5, 4);
        let before = vec![255u8; w * h * 3];
        let mut after = before.clone();
        let set = |img: &mut Vec<u8>, x: usize, y: usize| {
            img[(y * w + x) * 3..(y * w + x) * 3 + 3].copy_from_slice(&[1, 2, 3])
        };
        set(&mut after, 1, 1);
        set(&mut after, 3, 2);
        assert_eq!(changed_box(&before, &after, w, h), Some((1, 1, 3, 2)));
        assert_eq!(changed_box(&before, &before, w, h), None);
    }
}
