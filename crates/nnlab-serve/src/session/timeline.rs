//! The output maps kept as a session trains, for the page's timeline.

use crate::maps::Picture;

/// The output map as training went: every epoch at first, then, whenever [`TIMELINE_FRAMES`]
/// are kept, every other one of them is dropped and the stride doubles — so it always covers the
/// whole run, from epoch 0, in at most that many maps, at a cost of one map per `stride` epochs.
#[derive(Debug)]
pub struct Timeline {
    pub frames: Vec<(usize, Picture)>,
    pub stride: usize,
}

/// The most maps a timeline keeps.
pub const TIMELINE_FRAMES: usize = 300;

impl Default for Timeline {
    fn default() -> Timeline {
        Timeline {
            frames: Vec::new(),
            stride: 1,
        }
    }
}

impl Timeline {
    /// Whether the map after `epoch` epochs is to be kept.
    pub fn wants(&self, epoch: usize) -> bool {
        epoch.is_multiple_of(self.stride)
            && self.frames.last().is_none_or(|(last, _)| *last < epoch)
    }

    /// Keeps it, thinning when full.
    pub fn keep(&mut self, epoch: usize, map: Picture) {
        self.frames.push((epoch, map));
        if self.frames.len() > TIMELINE_FRAMES {
            self.stride *= 2;
            let stride = self.stride;
            self.frames
                .retain(|(epoch, _)| epoch.is_multiple_of(stride));
        }
    }
}
