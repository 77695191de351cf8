//! The order of the training rows in each epoch, and its cut into mini-batches.
//!
//! ```text
//! full batch:    one batch, rows 0..n in order; nothing is drawn (the notebook's runs)
//! mini-batches:  order = rng.permutation(n) once per epoch, rng = RandomState(shuffle_seed)
//!                batches = order[0:B], order[B:2B], …   (the last one may be smaller)
//! ```
//!
//! In numpy: `rng = np.random.RandomState(shuffle_seed)`, then every epoch
//! `perm = rng.permutation(n); batches = [perm[i:i+B] for i in range(0, n, B)]`.

use nnlab_data::RandomState;

/// Draws each epoch's batches.
#[derive(Clone, Debug)]
pub struct Batches {
    rows: usize,
    size: Option<usize>,
    rng: RandomState,
    /// The last epoch's order, kept so that the next one is drawn into the same buffer.
    order: Vec<usize>,
}

impl Batches {
    /// Batches over `rows` training rows: `size` rows each (`None`: full batch), the order drawn
    /// from numpy's `RandomState(shuffle_seed)`.
    pub fn new(rows: usize, size: Option<usize>, shuffle_seed: u32) -> Batches {
        Batches {
            rows,
            size,
            rng: RandomState::new(shuffle_seed),
            order: Vec::new(),
        }
    }

    /// The next epoch's row order, or `None` for full batch (rows 0..n, nothing drawn).
    ///
    /// numpy's `permutation(n)` is `arange(n)` shuffled; the order is drawn that way into the
    /// buffer of the last epoch, so that an epoch allocates nothing.
    pub fn next_epoch(&mut self) -> Option<&[usize]> {
        self.size?;
        self.order.clear();
        self.order.extend(0..self.rows);
        self.rng.shuffle(&mut self.order);
        Some(&self.order)
    }

    /// Whether every epoch is one batch of all rows.
    pub fn is_full_batch(&self) -> bool {
        self.size.is_none()
    }

    /// Rows per batch (all rows for full batch).
    pub fn size(&self) -> usize {
        self.size.unwrap_or(self.rows).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // numpy 2.4.6: np.random.RandomState(7).permutation(10) -> [8 5 0 2 1 9 7 3 6 4],
    // then a second call -> [1 3 2 5 9 0 4 6 7 8] (the generator moves on between epochs).
    #[test]
    fn each_epoch_draws_numpys_next_permutation() {
        let mut batches = Batches::new(10, Some(4), 7);
        assert_eq!(
            batches.next_epoch().unwrap(),
            vec![8, 5, 0, 2, 1, 9, 7, 3, 6, 4]
        );
        assert_eq!(
            batches.next_epoch().unwrap(),
            vec![1, 3, 2, 5, 9, 0, 4, 6, 7, 8]
        );
        assert_eq!(Batches::new(10, None, 7).next_epoch(), None);
    }
}
