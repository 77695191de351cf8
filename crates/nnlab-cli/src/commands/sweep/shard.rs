//! Which shard runs which run of a sweep (`--shard I/N`), and the grid's fingerprint.
//!
//! The runs are dealt out like cards, setting by setting and, within a setting, seed by seed:
//! run `setting × seeds + seed` (0-based) goes to shard `(that mod N) + 1`. So every setting's
//! seeds are spread over all the shards — a wide net costs the same on each of them — and the
//! shards' run counts differ by at most one. The assignment depends on the grid alone (its
//! widths, rates and seeds, in the order given), never on the machine or its threads.

use serde_json::Value;

use crate::args::Shard;

/// The shard (1..=`count`) that runs (setting, seed index) of a grid with `seeds` seeds.
pub fn owner(setting: usize, seed: usize, seeds: usize, count: usize) -> usize {
    (setting * seeds + seed) % count + 1
}

/// How many of a grid's `runs` runs shard `shard` runs.
pub fn planned(runs: usize, shard: Shard) -> usize {
    runs / shard.count + usize::from(shard.index - 1 < runs % shard.count)
}

/// The SHA-256 of a grid's record (`run.json` without its progress keys), as compact JSON with
/// its keys sorted: equal for the shards of one sweep, different for any other grid.
pub fn fingerprint(grid: &Value) -> String {
    let text = serde_json::to_string(grid).expect("a JSON value serialises");
    nnlab_app::files::sha256_hex(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every run has one shard, the shards cover the grid, their counts are [`planned`] and
    /// differ by at most one, and each setting's seeds are spread over the shards as evenly.
    #[test]
    fn the_shards_are_disjoint_cover_the_grid_and_share_every_setting() {
        for settings in 1..=7 {
            for seeds in 1..=9 {
                let runs = settings * seeds;
                for count in 1..=runs {
                    let mut per_shard = vec![0usize; count];
                    let mut per_setting = vec![vec![0usize; count]; settings];
                    for (setting, counts) in per_setting.iter_mut().enumerate() {
                        for seed in 0..seeds {
                            let shard = owner(setting, seed, seeds, count);
                            assert!((1..=count).contains(&shard));
                            per_shard[shard - 1] += 1;
                            counts[shard - 1] += 1;
                        }
                    }
                    assert_eq!(per_shard.iter().sum::<usize>(), runs, "covers the grid");
                    for index in 1..=count {
                        let shard = Shard { index, count };
                        assert_eq!(per_shard[index - 1], planned(runs, shard));
                    }
                    let spread = |counts: &[usize]| {
                        counts.iter().max().unwrap() - counts.iter().min().unwrap()
                    };
                    assert!(spread(&per_shard) <= 1, "{settings}x{seeds} in {count}");
                    for counts in &per_setting {
                        assert!(spread(counts) <= 1, "{settings}x{seeds} in {count}");
                    }
                }
            }
        }
    }

    /// 2 widths × 1 rate × 3 seeds in 2 shards: h=4 seeds 0, 2 and h=8 seed 1 to shard 1.
    #[test]
    fn the_assignment_is_pinned() {
        let of = |setting, seed| owner(setting, seed, 3, 2);
        assert_eq!(
            [of(0, 0), of(0, 1), of(0, 2), of(1, 0), of(1, 1), of(1, 2)],
            [1, 2, 1, 2, 1, 2]
        );
    }

    #[test]
    fn the_fingerprint_tells_grids_apart() {
        let a = serde_json::json!({"hidden": [4, 8], "lr": [0.1]});
        let b = serde_json::json!({"hidden": [4, 8], "lr": [0.5]});
        assert_eq!(fingerprint(&a), fingerprint(&a.clone()));
        assert_ne!(fingerprint(&a), fingerprint(&b));
        assert_eq!(fingerprint(&a).len(), 64);
    }
}
