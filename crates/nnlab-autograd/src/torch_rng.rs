//! PyTorch's CPU random generator, as far as `torch.manual_seed` followed by `nn.Linear` and the
//! `nn.init` functions use it.
//!
//! - `manual_seed(s)`: MT19937 seeded with `init_genrand(s)`; no cached normal.
//! - `random()`: one 32-bit draw; `random64()`: `(first << 32) | second`.
//! - float `uniform_(from, to)`: per value `x = (random() & 0xFFFFFF) · 2⁻²⁴`, `x·(to − from) + from`.
//! - float `normal_(mean, std)` on ≥ 16 contiguous values: fill every value with a uniform in
//!   [0, 1) first, then for each block of 16, Box–Muller on the pairs (j, j + 8):
//!   `u1 = 1 − data[j]`, `u2 = data[j + 8]`, `r = sqrt(−2·ln u1)`, `θ = 2π·u2`,
//!   `data[j] = r·cos θ·std + mean`, `data[j + 8] = r·sin θ·std + mean`; when the count is not a
//!   multiple of 16, the last 16 values are drawn again from fresh uniforms and transformed.
//! - float `normal_` on < 16 values: per value a double normal, `u1`, `u2` from `random64()`
//!   (53 bits), `r = sqrt(−2·log1p(−u2))`, `θ = 2π·u1`; it returns `r·cos θ·std + mean` and keeps
//!   `r·sin θ` for the next call.
//!
//! Values are computed in f64 and rounded to f32 once. PyTorch's own float code rounds between
//! steps (and uses vectorised log/sin/cos on AVX2), so its values can differ in the last few f32
//! bits; the tests allow 2e-6.

use std::f64::consts::PI;

use rand_mt::Mt;

/// `torch.Generator` on the CPU, after `manual_seed(seed)`.
pub struct TorchGenerator {
    mt: Mt,
    /// `next_double_normal_sample`: the second value of the last Box–Muller pair.
    cached_normal: Option<f64>,
}

impl TorchGenerator {
    /// `torch.manual_seed(seed)`.
    pub fn manual_seed(seed: u32) -> TorchGenerator {
        TorchGenerator {
            mt: Mt::new(seed),
            cached_normal: None,
        }
    }

    /// One 32-bit draw.
    pub fn random(&mut self) -> u32 {
        self.mt.next_u32()
    }

    /// A 64-bit value from two draws, the first in the high half.
    pub fn random64(&mut self) -> u64 {
        let high = u64::from(self.random());
        let low = u64::from(self.random());
        (high << 32) | low
    }

    /// A float uniform in [0, 1) from 24 random bits.
    fn uniform_unit_f32(&mut self) -> f32 {
        (self.random() & 0x00FF_FFFF) as f32 * (1.0 / 16_777_216.0)
    }

    /// A double uniform in [0, 1) from 53 random bits.
    fn uniform_unit_f64(&mut self) -> f64 {
        (self.random64() & ((1 << 53) - 1)) as f64 * (1.0 / 9_007_199_254_740_992.0)
    }

    /// `tensor.uniform_(from, to)` on `n` float values.
    pub fn uniform(&mut self, n: usize, from: f64, to: f64) -> Vec<f32> {
        let (from, to) = (from as f32, to as f32);
        (0..n)
            .map(|_| self.uniform_unit_f32() * (to - from) + from)
            .collect()
    }

    /// `tensor.normal_(mean, std)` on `n` contiguous float values.
    pub fn normal(&mut self, n: usize, mean: f64, std: f64) -> Vec<f32> {
        if n >= 16 {
            self.normal_fill(n, mean, std)
        } else {
            (0..n)
                .map(|_| self.double_normal(mean, std) as f32)
                .collect()
        }
    }

    /// The block path of `normal_` (16 or more values).
    fn normal_fill(&mut self, n: usize, mean: f64, std: f64) -> Vec<f32> {
        let (mean, std) = (f64::from(mean as f32), f64::from(std as f32));
        let mut data: Vec<f32> = (0..n).map(|_| self.uniform_unit_f32()).collect();
        for start in (0..=n - 16).step_by(16) {
            box_muller_16(&mut data[start..start + 16], mean, std);
        }
        if !n.is_multiple_of(16) {
            let tail = &mut data[n - 16..];
            for value in tail.iter_mut() {
                *value = self.uniform_unit_f32();
            }
            box_muller_16(tail, mean, std);
        }
        data
    }

    /// `at::normal_distribution<double>`: one value, using and refilling the cache.
    fn double_normal(&mut self, mean: f64, std: f64) -> f64 {
        if let Some(z) = self.cached_normal.take() {
            return z * std + mean;
        }
        let u1 = self.uniform_unit_f64();
        let u2 = self.uniform_unit_f64();
        let r = (-2.0 * (-u2).ln_1p()).sqrt();
        let theta = 2.0 * PI * u1;
        self.cached_normal = Some(r * theta.sin());
        r * theta.cos() * std + mean
    }
}

/// Box–Muller on the 8 pairs (j, j + 8) of 16 uniforms, in place.
fn box_muller_16(data: &mut [f32], mean: f64, std: f64) {
    for j in 0..8 {
        let u1 = 1.0 - f64::from(data[j]); // [0, 1) -> (0, 1] for the log
        let u2 = f64::from(data[j + 8]);
        let radius = (-2.0 * u1.ln()).sqrt();
        let theta = 2.0 * PI * u2;
        data[j] = (radius * theta.cos() * std + mean) as f32;
        data[j + 8] = (radius * theta.sin() * std + mean) as f32;
    }
}
