//! A numpy-compatible random generator: `np.random.RandomState` (the legacy API) bit for bit.
//!
//! scikit-learn's `random_state=42` and the notebook's `np.random.seed(42)` both mean this generator:
//!
//! - the core is MT19937 seeded with `init_genrand(seed)` (a 32-bit seed);
//! - a double in [0, 1) takes two 32-bit draws `a`, `b`:  `((a >> 5)·2²⁶ + (b >> 6)) / 2⁵³`;
//! - a standard normal is the legacy polar (Marsaglia) method: draw `x1 = 2u − 1`, `x2 = 2u − 1` until
//!   `0 < r² = x1² + x2² < 1`, then `f = sqrt(−2·ln r² / r²)`; return `f·x2` and keep `f·x1` for the
//!   next call;
//! - `normal(loc, scale) = loc + scale·z`, `uniform(low, high) = low + (high − low)·u`;
//! - `shuffle` is backward Fisher–Yates: for `i = n−1 … 1` swap `i` with `random_interval(i)`, which
//!   masks a 32-bit draw to the smallest all-ones mask covering `i` and rejects values above `i`.
//!
//! Every method consumes the generator exactly as numpy does, so calls can be interleaved freely.
//!
//! ## Bulk draws, and why they give the same numbers
//!
//! The one-at-a-time methods above are what numpy does; the bulk ones ([`fill_standard_normal`],
//! [`permutation`], [`shuffle`]) produce the very same values faster, by splitting each job into a
//! short sequential part that reads the MT19937 stream and a longer part that does not:
//!
//! - MT19937 makes its 32-bit outputs 624 at a time (the "twist" of its whole state), so we twist
//!   and temper a whole block into a buffer with plain loops the compiler vectorises.
//! - A polar attempt always takes exactly 4 draws (two doubles), accepted or not, and whether it is
//!   accepted depends on those 4 draws only. So one cheap sequential pass over the stream finds the
//!   accepted `(x1, x2)` pairs; the expensive `ln` and `sqrt` of each pair depend on nothing else
//!   and run afterwards, on all cores, each pair writing its two normals to its own slots.
//! - Fisher–Yates' swap targets `j = random_interval(i)` depend on the stream and on `i` only, not
//!   on the array being shuffled. So the targets are drawn first, a few thousand at a time, and the
//!   swaps follow in a tight loop whose memory accesses are known in advance.
//!
//! [`fill_standard_normal`]: RandomState::fill_standard_normal
//! [`permutation`]: RandomState::permutation
//! [`shuffle`]: RandomState::shuffle

use std::fmt;

use ndarray::Array2;

use crate::split::widen;
use crate::{memory, par};

/// MT19937's state length in 32-bit words, and its "middle word" offset.
const N: usize = 624;
const M: usize = 397;
const MATRIX_A: u32 = 0x9908_b0df;
const UPPER_MASK: u32 = 0x8000_0000;
const LOWER_MASK: u32 = 0x7fff_ffff;

/// MT19937 (Matsumoto & Nishimura), generating its outputs a block of 624 at a time.
#[derive(Clone)]
struct Mt19937 {
    /// The generator's state (numpy's `key`).
    state: [u32; N],
    /// The tempered outputs of the current state: the next 624 numbers of the stream.
    block: [u32; N],
    /// How many numbers of `block` have been handed out (numpy's `pos`).
    pos: usize,
}

impl Mt19937 {
    /// `init_genrand(seed)`, as numpy's `mt19937_seed`.
    fn new(seed: u32) -> Self {
        let mut state = [0u32; N];
        state[0] = seed;
        for i in 1..N {
            let prev = state[i - 1];
            state[i] = 1_812_433_253u32
                .wrapping_mul(prev ^ (prev >> 30))
                .wrapping_add(i as u32);
        }
        Mt19937 {
            state,
            block: [0; N],
            pos: N, // the first draw twists
        }
    }

    /// The next 32-bit output.
    #[inline]
    fn next_u32(&mut self) -> u32 {
        if self.pos == N {
            self.refill();
        }
        let value = self.block[self.pos];
        self.pos += 1;
        value
    }

    /// The outputs not handed out yet (refilling first if none are left). Call [`Self::consume`]
    /// with how many of them were used.
    #[inline]
    fn available(&mut self) -> &[u32] {
        if self.pos == N {
            self.refill();
        }
        &self.block[self.pos..]
    }

    #[inline]
    fn consume(&mut self, used: usize) {
        debug_assert!(self.pos + used <= N);
        self.pos += used;
    }

    /// The next 624 outputs, from the start of `block`.
    fn refill(&mut self) {
        next_block(&mut self.state, &mut self.block);
        self.pos = 0;
    }
}

/// Twists `mt` to its next 624 words and tempers them into `block`.
///
/// The reference loop, `for i in 0..624 { mt[i] = mt[(i + 397) % 624] ^ twist(mt[i], mt[(i + 1) %
/// 624]) }`, reads from i = 227 on words it rewrote 227 steps earlier, so it is cut here into runs
/// of at most 227 words in which no word read is one written in the same run: each run is a plain
/// elementwise loop over two separate slices, which the compiler vectorises (built for AVX2 too,
/// where the CPU has it: eight words per instruction instead of four).
#[multiversion::multiversion(targets("x86_64+avx2"))]
fn next_block(mt: &mut [u32; N], block: &mut [u32; N]) {
    // i in 0..227 reads mt[i + 397] (not yet rewritten).
    let (head, tail) = mt.split_at_mut(N - M);
    let next = tail[0];
    twist_run(head, &tail[2 * M - N..], next);
    // i in 227..454 reads mt[i − 227], rewritten by the run above.
    let (done, rest) = mt.split_at_mut(N - M);
    let next = rest[N - M];
    twist_run(&mut rest[..N - M], done, next);
    // i in 454..623 reads mt[i − 227], in 227..396.
    let (done, rest) = mt.split_at_mut(2 * (N - M));
    let next = rest[N - 1 - 2 * (N - M)];
    twist_run(&mut rest[..N - 1 - 2 * (N - M)], &done[N - M..M - 1], next);
    // i = 623 wraps around to the new mt[0].
    let (first, last) = (mt[0], mt[N - 1]);
    mt[N - 1] = mt[M - 1] ^ twist(last, first);
    for (out, &word) in block.iter_mut().zip(mt.iter()) {
        *out = temper(word);
    }
}

/// `dst[t] = src[t] ^ twist(dst[t], dst[t + 1])`, where the word after the last one is `next`.
#[inline]
fn twist_run(dst: &mut [u32], src: &[u32], next: u32) {
    let len = dst.len();
    debug_assert_eq!(src.len(), len);
    for t in 0..len - 1 {
        dst[t] = src[t] ^ twist(dst[t], dst[t + 1]);
    }
    dst[len - 1] = src[len - 1] ^ twist(dst[len - 1], next);
}

#[inline]
fn twist(current: u32, next: u32) -> u32 {
    let y = (current & UPPER_MASK) | (next & LOWER_MASK);
    (y >> 1) ^ ((y & 1).wrapping_neg() & MATRIX_A)
}

#[inline]
fn temper(mut y: u32) -> u32 {
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c_5680;
    y ^= (y << 15) & 0xefc6_0000;
    y ^ (y >> 18)
}

/// numpy's 53-bit double from two draws (`legacy_double`).
#[inline]
fn double_from(a: u32, b: u32) -> f64 {
    let a = a >> 5; // 27 bits
    let b = b >> 6; // 26 bits
    (f64::from(a) * 67_108_864.0 + f64::from(b)) / 9_007_199_254_740_992.0
}

/// The polar method's `f = sqrt(−2·ln r² / r²)` for an accepted pair, in numpy's operation order.
#[inline]
fn polar_factor(x1: f64, x2: f64) -> f64 {
    let r2 = x1 * x1 + x2 * x2;
    (-2.0 * r2.ln() / r2).sqrt()
}

/// Pairs per batch of [`polar_transform`] (its scratch space stays in L1).
const POLAR_BATCH: usize = 256;

/// Turns accepted attempts `[x2, x1]` into their normals `[f·x2, f·x1]`: [`polar_factor`] split
/// into its `ln` (a call into the C library, as numpy's, one at a time) and the rest, which are
/// correctly rounded IEEE operations (×, ÷, √) and so give the same bits as vector instructions
/// (SSE2, or AVX2 where the CPU has it; Rust never fuses a multiply and an add on its own).
#[multiversion::multiversion(targets("x86_64+avx2"))]
fn polar_transform(pairs: &mut [[f64; 2]]) {
    debug_assert!(pairs.len() <= POLAR_BATCH);
    let mut r2 = [0.0; POLAR_BATCH];
    let mut log = [0.0; POLAR_BATCH];
    let (r2, log) = (&mut r2[..pairs.len()], &mut log[..pairs.len()]);
    for (r2, &[x2, x1]) in r2.iter_mut().zip(pairs.iter()) {
        *r2 = x1 * x1 + x2 * x2;
    }
    for (log, &r2) in log.iter_mut().zip(r2.iter()) {
        *log = r2.ln();
    }
    for ((pair, &r2), &log) in pairs.iter_mut().zip(r2.iter()).zip(log.iter()) {
        let [x2, x1] = *pair;
        let f = (-2.0 * log / r2).sqrt();
        *pair = [f * x2, f * x1];
    }
}

/// Accepted polar attempts `[x2, x1]`, in the slots of the two normals each one becomes.
#[must_use = "the normals are only there after `finish`"]
pub(crate) struct PolarPairs<'a> {
    pairs: &'a mut [[f64; 2]],
}

impl PolarPairs<'_> {
    /// Turns every pair into its two normals `[f·x2, f·x1]`: anywhere, in any order (on all cores
    /// for many), since each pair depends on nothing else.
    pub(crate) fn finish(self) {
        par::for_each_chunk(self.pairs, par::CHUNK / 2, |_, chunk| {
            for pairs in chunk.chunks_mut(POLAR_BATCH) {
                polar_transform(pairs);
            }
        });
    }
}

/// How many swap targets are drawn ahead of the swaps (8 KB of them, on the stack).
const TARGETS_AHEAD: usize = 1024;

/// numpy's legacy `RandomState`, reproduced draw for draw.
#[derive(Clone)]
pub struct RandomState {
    mt: Mt19937,
    /// The second value of the last polar-method pair, waiting to be returned (numpy's `gauss`).
    cached_normal: Option<f64>,
}

impl fmt::Debug for RandomState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RandomState")
            .field("pos", &self.mt.pos)
            .field("cached_normal", &self.cached_normal)
            .finish_non_exhaustive()
    }
}

impl RandomState {
    /// `np.random.RandomState(seed)` / `np.random.seed(seed)`.
    pub fn new(seed: u32) -> Self {
        RandomState {
            mt: Mt19937::new(seed),
            cached_normal: None,
        }
    }

    /// One raw 32-bit output of MT19937.
    #[inline]
    pub fn next_u32(&mut self) -> u32 {
        self.mt.next_u32()
    }

    /// One 64-bit value from two 32-bit draws, the first one high (numpy's `next_uint64`).
    pub fn next_u64(&mut self) -> u64 {
        let high = u64::from(self.next_u32());
        (high << 32) | u64::from(self.next_u32())
    }

    /// `random_sample()`: a double in [0, 1) with 53 random bits.
    #[inline]
    pub fn random_sample(&mut self) -> f64 {
        let a = self.next_u32();
        let b = self.next_u32();
        double_from(a, b)
    }

    /// `standard_normal()` in the legacy polar form, including the cached second value.
    pub fn standard_normal(&mut self) -> f64 {
        if let Some(z) = self.cached_normal.take() {
            return z;
        }
        loop {
            let x1 = 2.0 * self.random_sample() - 1.0;
            let x2 = 2.0 * self.random_sample() - 1.0;
            let r2 = x1 * x1 + x2 * x2;
            if r2 < 1.0 && r2 != 0.0 {
                let f = polar_factor(x1, x2);
                self.cached_normal = Some(f * x1);
                return f * x2;
            }
        }
    }

    /// `standard_normal(size=out.len())`: fills `out` with the next standard normals, the same
    /// values, and leaving the same cached value behind, as calling
    /// [`standard_normal`](Self::standard_normal) once per slot.
    pub fn fill_standard_normal(&mut self, out: &mut [f64]) {
        self.draw_standard_normals(out).finish();
    }

    /// The part of [`fill_standard_normal`](Self::fill_standard_normal) that reads the stream:
    /// the generator moves on exactly as far, and the rest of the work, which does not touch the
    /// generator, is left to [`PolarPairs::finish`] (so that it can overlap other draws).
    pub(crate) fn draw_standard_normals<'a>(&mut self, out: &'a mut [f64]) -> PolarPairs<'a> {
        let mut out = out;
        if let (Some(z), [first, ..]) = (self.cached_normal, &mut *out) {
            *first = z;
            self.cached_normal = None;
            out = &mut out[1..];
        }
        // Each accepted attempt gives two normals in a row: f·x2, then (the cached) f·x1.
        let (pairs, odd) = out.as_chunks_mut::<2>();
        // Sequential: read the stream, keep the accepted attempts' [x2, x1] in their output slots.
        self.accepted_attempts(pairs);
        if let [last] = odd {
            *last = self.standard_normal(); // one more attempt; its f·x1 stays cached
        }
        PolarPairs { pairs }
    }

    /// Runs polar attempts until `pairs.len()` of them are accepted, storing each accepted
    /// attempt's `[x2, x1]`, in order. Consumes the stream exactly as that many calls of the
    /// attempt loop in [`standard_normal`](Self::standard_normal) do.
    fn accepted_attempts(&mut self, pairs: &mut [[f64; 2]]) {
        let wanted = pairs.len();
        let mut filled = 0;
        while filled < wanted {
            let available = self.mt.available();
            let (attempts, _) = available.as_chunks::<4>();
            if attempts.is_empty() {
                // Fewer than 4 outputs left in this block: one attempt the slow way, across it.
                let x1 = 2.0 * self.random_sample() - 1.0;
                let x2 = 2.0 * self.random_sample() - 1.0;
                let r2 = x1 * x1 + x2 * x2;
                if r2 < 1.0 && r2 != 0.0 {
                    pairs[filled] = [x2, x1];
                    filled += 1;
                }
                continue;
            }
            let mut used = 0;
            for &[a1, b1, a2, b2] in attempts {
                if filled == wanted {
                    break;
                }
                let x1 = 2.0 * double_from(a1, b1) - 1.0;
                let x2 = 2.0 * double_from(a2, b2) - 1.0;
                let r2 = x1 * x1 + x2 * x2;
                // Branch-free: always write, advance only past an accepted attempt (about 21% are
                // rejected, too many for the branch predictor).
                pairs[filled] = [x2, x1];
                filled += usize::from(r2 < 1.0 && r2 != 0.0);
                used += 4;
            }
            self.mt.consume(used);
        }
    }

    /// `normal(loc, scale)`: `loc + scale·z`.
    pub fn normal(&mut self, loc: f64, scale: f64) -> f64 {
        loc + scale * self.standard_normal()
    }

    /// `uniform(low, high)`: `low + (high − low)·u`, u in [0, 1).
    pub fn uniform(&mut self, low: f64, high: f64) -> f64 {
        let range = high - low;
        low + range * self.random_sample()
    }

    /// A uniform integer in `0..=max`, by masked rejection (numpy's `random_interval`).
    pub fn random_interval(&mut self, max: u64) -> u64 {
        if max == 0 {
            return 0;
        }
        // The smallest all-ones bit mask that covers `max`.
        let mask = u64::MAX >> max.leading_zeros();
        if max <= u64::from(u32::MAX) {
            loop {
                let value = u64::from(self.next_u32()) & mask;
                if value <= max {
                    return value;
                }
            }
        } else {
            loop {
                let value = self.next_u64() & mask;
                if value <= max {
                    return value;
                }
            }
        }
    }

    /// Fills `targets[k]` with `random_interval(top − k)`, k = 0, 1, …: the swap targets of the
    /// Fisher–Yates steps `i = top, top − 1, …`. Every `top − k` must be at least 1.
    fn interval_targets(&mut self, top: usize, targets: &mut [usize]) {
        let wanted = targets.len();
        debug_assert!(wanted <= top);
        if top as u64 > u64::from(u32::MAX) {
            for (k, target) in targets.iter_mut().enumerate() {
                *target = self.random_interval((top - k) as u64) as usize;
            }
            return;
        }
        let mut k = 0;
        while k < wanted {
            // The mask stays the same while `max` stays at or above the highest power of two in
            // it: that run of targets is drawn with `max` counted down, which keeps the loop's
            // chain from one draw to the next short (compare, then subtract).
            let mut max = (top - k) as u32; // at least 1, fits in u32 (checked above)
            let mask = u32::MAX >> max.leading_zeros();
            let run_end = wanted.min(k + (max - mask / 2) as usize);
            let mut used = 0;
            for &draw in self.mt.available() {
                if k == run_end {
                    break;
                }
                let value = draw & mask;
                // Branch-free rejection: always write, move on only if the value is accepted.
                let accepted = value <= max;
                targets[k] = value as usize;
                k += usize::from(accepted);
                max -= u32::from(accepted);
                used += 1;
            }
            self.mt.consume(used);
        }
    }

    /// `shuffle(x)` for a 1-D array (or the rows of a 2-D one): backward Fisher–Yates.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        let n = items.len();
        if n < 2 {
            return;
        }
        // On the stack: a shuffle allocates nothing (nnlab-core shuffles its batches every epoch
        // and checks that an epoch allocates nothing).
        let mut targets = [0usize; TARGETS_AHEAD];
        let mut top = n - 1; // the next i to swap
        while top >= 1 {
            let count = TARGETS_AHEAD.min(top);
            let targets = &mut targets[..count];
            self.interval_targets(top, targets);
            for (k, &j) in targets.iter().enumerate() {
                if let Some(&ahead) = targets.get(k + memory::PREFETCH_DISTANCE) {
                    memory::prefetch(items, ahead);
                }
                items.swap(top - k, j);
            }
            top -= count;
        }
    }

    /// `permutation(n)`: `arange(n)` shuffled.
    pub fn permutation(&mut self, n: usize) -> Vec<usize> {
        if let Ok(n32) = u32::try_from(n) {
            // The same shuffle on 4-byte indices: half the memory to jump around in.
            return widen(&self.permutation_u32(n32));
        }
        let mut indices: Vec<usize> = (0..n).collect();
        self.shuffle(&mut indices);
        indices
    }

    /// `permutation(n)` as 32-bit indices.
    pub(crate) fn permutation_u32(&mut self, n: u32) -> Vec<u32> {
        let mut indices = memory::zeroed::<u32>(n as usize);
        for (i, index) in (0..n).zip(&mut indices) {
            *index = i;
        }
        self.shuffle(&mut indices);
        indices
    }

    /// `randn(rows, cols)`: standard normals filled row by row.
    pub fn randn(&mut self, rows: usize, cols: usize) -> Array2<f64> {
        let mut values = memory::zeroed(rows * cols);
        self.fill_standard_normal(&mut values);
        Array2::from_shape_vec((rows, cols), values).expect("rows × cols values")
    }

    /// `normal(loc, scale, size=(rows, cols))`, filled row by row.
    pub fn normal_array(&mut self, loc: f64, scale: f64, rows: usize, cols: usize) -> Array2<f64> {
        let mut values = memory::zeroed(rows * cols);
        self.fill_standard_normal(&mut values);
        for value in &mut values {
            *value = loc + scale * *value;
        }
        Array2::from_shape_vec((rows, cols), values).expect("rows × cols values")
    }

    /// `uniform(low, high, size=(rows, cols))`, filled row by row.
    pub fn uniform_array(&mut self, low: f64, high: f64, rows: usize, cols: usize) -> Array2<f64> {
        Array2::from_shape_simple_fn((rows, cols), || self.uniform(low, high))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values in these tests were printed by numpy 2.4.6, e.g.
    //   np.random.RandomState(42).random_sample(3)
    #[test]
    fn random_sample_matches_numpy_seed_42() {
        let mut rs = RandomState::new(42);
        let got: Vec<f64> = (0..3).map(|_| rs.random_sample()).collect();
        assert_eq!(
            got,
            vec![0.3745401188473625, 0.9507143064099162, 0.7319939418114051]
        );
    }

    // np.random.RandomState(42).randn(4) -> [0.4967141530112327, -0.13826430117118466,
    // 0.6476885381006925, 1.5230298564080254]  (the pairs show the cached second value)
    #[test]
    fn standard_normal_matches_numpy_seed_42() {
        let mut rs = RandomState::new(42);
        let got: Vec<f64> = (0..4).map(|_| rs.standard_normal()).collect();
        assert_eq!(
            got,
            vec![
                0.4967141530112327,
                -0.13826430117118466,
                0.6476885381006925,
                1.5230298564080254
            ]
        );
    }

    // np.random.RandomState(0).permutation(10) -> [2, 8, 4, 9, 1, 6, 7, 3, 0, 5]
    #[test]
    fn permutation_matches_numpy_seed_0() {
        let mut rs = RandomState::new(0);
        assert_eq!(rs.permutation(10), vec![2, 8, 4, 9, 1, 6, 7, 3, 0, 5]);
    }

    // rs = np.random.RandomState(3)
    // rs.uniform(-10, 10) -> 1.0159580514915092; rs.normal(1.5, 2.0) -> -0.558942948010285;
    // rs.permutation(5) -> [4, 2, 3, 1, 0]   (one stream, calls interleaved)
    #[test]
    fn interleaved_calls_match_numpy_seed_3() {
        let mut rs = RandomState::new(3);
        assert_eq!(rs.uniform(-10.0, 10.0), 1.0159580514915092);
        assert_eq!(rs.normal(1.5, 2.0), -0.558942948010285);
        assert_eq!(rs.permutation(5), vec![4, 2, 3, 1, 0]);
    }

    #[test]
    fn random_interval_stays_in_range() {
        let mut rs = RandomState::new(7);
        for max in [
            0u64,
            1,
            2,
            3,
            7,
            8,
            1000,
            u64::from(u32::MAX),
            u64::from(u32::MAX) + 5,
        ] {
            for _ in 0..50 {
                assert!(rs.random_interval(max) <= max);
            }
        }
    }

    /// The block-wise MT19937 against the reference one-word-at-a-time implementation (rand_mt),
    /// over many blocks and several seeds.
    #[test]
    fn block_twist_matches_the_reference_mt19937() {
        for seed in [0u32, 1, 42, 5489, u32::MAX] {
            let mut ours = RandomState::new(seed);
            let mut reference = rand_mt::Mt::new(seed);
            for _ in 0..(N * 7 + 13) {
                assert_eq!(ours.next_u32(), reference.next_u32(), "seed {seed}");
            }
            assert_eq!(ours.next_u64(), reference.next_u64(), "seed {seed}");
        }
    }

    /// One standard normal at a time, as numpy does it.
    fn one_by_one(rs: &mut RandomState, count: usize) -> Vec<f64> {
        (0..count).map(|_| rs.standard_normal()).collect()
    }

    /// The bulk normals equal the one-at-a-time ones bit for bit, whatever the count (odd, even,
    /// across blocks, past the parallel threshold), the position in the stream (attempts that
    /// straddle two blocks) and the cached value; and the generator is left in the same state.
    #[test]
    fn bulk_normals_equal_one_at_a_time_normals() {
        for offset in [0usize, 1, 2, 3, 5] {
            for count in [0usize, 1, 2, 3, 155, 156, 157, 1000, 70_001] {
                for start_with_cache in [false, true] {
                    let mut a = RandomState::new(offset as u32 * 1000 + 7);
                    for _ in 0..offset {
                        a.next_u32();
                    }
                    if start_with_cache {
                        a.standard_normal();
                    }
                    let mut b = a.clone();
                    let want = one_by_one(&mut a, count);
                    let mut got = vec![0.0; count];
                    b.fill_standard_normal(&mut got);
                    let what = format!("offset {offset}, count {count}, cache {start_with_cache}");
                    assert_eq!(
                        got.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                        want.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                        "{what}"
                    );
                    assert_eq!(
                        a.cached_normal.map(f64::to_bits),
                        b.cached_normal.map(f64::to_bits)
                    );
                    assert_eq!(a.next_u32(), b.next_u32(), "{what}: stream position");
                }
            }
        }
    }

    /// The buffered Fisher–Yates equals the textbook one, and leaves the stream at the same place.
    #[test]
    fn bulk_shuffle_equals_one_swap_at_a_time() {
        for (seed, n) in [
            (0u32, 0usize),
            (1, 1),
            (2, 2),
            (3, 17),
            (4, 4097),
            (5, 100_003),
        ] {
            let mut a = RandomState::new(seed);
            let mut b = a.clone();
            let mut want: Vec<usize> = (0..n).collect();
            for i in (1..n).rev() {
                let j = a.random_interval(i as u64) as usize;
                want.swap(i, j);
            }
            assert_eq!(b.permutation(n), want, "n = {n}");
            let mut strings: Vec<String> = (0..n).map(|i| i.to_string()).collect();
            let mut c = RandomState::new(seed);
            c.shuffle(&mut strings);
            let want_strings: Vec<String> = want.iter().map(|i| i.to_string()).collect();
            assert_eq!(strings, want_strings);
            assert_eq!(a.next_u32(), b.next_u32(), "n = {n}: stream position");
        }
    }
}
