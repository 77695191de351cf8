//! PyTorch's CPU random generator, as far as `torch.manual_seed` followed by `nn.Linear` and the
//! `nn.init` functions use it, reproduced bit for bit (float32 tensors).
//!
//! # What PyTorch computes
//!
//! - `manual_seed(s)`: MT19937 seeded with `init_genrand(s)`; no cached normal.
//! - `random()`: one 32-bit draw; `random64()`: `(first << 32) | second`.
//! - `uniform_(from, to)`: per value `x = (random() & 0xFFFFFF) · 2⁻²⁴` (exact), then
//!   `x·(to − from) + from` in `f32`; a value that rounds up to `to` is replaced by `from`.
//! - `normal_(mean, std)` on 16 or more contiguous values: first fill every value with such a
//!   uniform `x` in [0, 1), then for each block of 16, Box–Muller on the 8 pairs (j, j + 8):
//!   `u1 = 1 − data[j]` (in (0, 1], for the log), `u2 = data[j + 8]`, `r = sqrt(−2·ln u1)`,
//!   `θ = 2π·u2`, `data[j] = r·cos θ·std + mean`, `data[j + 8] = r·sin θ·std + mean`, in `f32`.
//!   When the count is not a multiple of 16, the last 16 values (overlapping the block before)
//!   are drawn again from fresh uniforms and transformed again.
//! - `normal_` on fewer than 16 values: one `f64` normal per value, from `u1`, `u2` of
//!   `random64()` (53 bits each): `r = sqrt(−2·log1p(−u2))`, `θ = 2π·u1`; the value is
//!   `r·cos θ·std + mean` rounded to `f32`, and `r·sin θ` is kept for the next such value (even
//!   one of a later `normal_` call, which then applies its own mean and std).
//!
//! # Why there are two kernels
//!
//! PyTorch compiles its CPU kernels once per instruction set ("CPU capability") and picks one
//! when it starts (`aten/src/ATen/native/DispatchStub.cpp`): `AVX512` when the CPU has
//! AVX-512 VL, BW and DQ and FMA, else `AVX2` when it has AVX2 and FMA, else `DEFAULT`; the
//! environment variable `ATEN_CPU_CAPABILITY` (`avx512`, `avx2` or `default`) overrides the
//! choice. The random kernels have no AVX-512 build (for `normal_`, `DistributionKernels.cpp`
//! registers none because it made an optimizer test flaky), and a missing AVX-512 kernel falls
//! back to the AVX2 one. So most x86 CPUs made since about 2013 (Intel Haswell, AMD Zen and
//! later, but not some low-end Pentium, Celeron and Atom models) use the AVX2 kernels —
//! [`Kernel::Avx2`] — and the others, and CPUs that are not x86, the plain C++ ones —
//! [`Kernel::Scalar`]. [`Kernel::detect`] makes the same choice.
//!
//! Both compute the formulas above, but not the same way, so about a third of their values
//! differ in the last bits (by up to a few 10⁻⁶·std):
//!
//! | step | AVX2 | DEFAULT (scalar) |
//! |---|---|---|
//! | Box–Muller on a block of 16 | 8 lanes at once; `ln`, `sin`, `cos` are the Cephes-style `f32` polynomials of `avx_mathfun.h`; `θ = f32(2π)·u2` in `f32` | one pair at a time; the C library's `logf`, `sincosf`; `θ = 2π·u2` in `f64`, rounded to `f32` |
//! | `(r·cos θ)·std + mean` in a block | fused multiply-add | fused (`std::fma`) |
//! | `r·cos θ·std + mean` below 16 values | fused multiply-add | multiply, then add |
//! | `uniform_`: `x·(to − from) + from` | fused multiply-add | multiply, then add |
//!
//! A fused multiply-add rounds `a·b + c` once instead of twice. Where the source writes a
//! multiply and an add, GCC fuses them when the target has FMA, as the AVX2 build does; the
//! table is what the compiled `libtorch_cpu.so` (PyTorch 2.15.0, x86-64) does, read from its
//! machine code. This module repeats it with scalar Rust: `a.mul_add(b, c)` where PyTorch
//! fuses, `a * b + c` where it does not (Rust never fuses on its own). The AVX2 lanes are
//! computed one after the other (`torch_rng/avx_mathfun.rs`), which gives the same bits as the
//! vector instructions. The scalar kernel calls the same C library functions as PyTorch: Rust's
//! `f32::ln` is `logf`, and `sin` and `cos` are `sinf` and `cosf` (which an optimised build
//! merges into one `sincosf` call, the one PyTorch makes; glibc gives the same values either
//! way). So it matches PyTorch running with the same C library, as on the same Linux machine.
//! The serial path below 16 values likewise calls the C library's `log1p`, `sin` and `cos` in
//! both kernels.

mod avx_mathfun;

use std::f64::consts::PI;
use std::sync::OnceLock;

use rand_mt::Mt;

/// Which of PyTorch's compiled random kernels to reproduce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernel {
    /// The AVX2 build, used on x86 CPUs with AVX2 and FMA (and those with AVX-512).
    Avx2,
    /// The `DEFAULT` build: plain C++, used on other CPUs and with `ATEN_CPU_CAPABILITY=default`.
    Scalar,
}

impl Kernel {
    /// The kernel PyTorch would use in this process: from `ATEN_CPU_CAPABILITY` if it is set to
    /// a value PyTorch knows, else from the CPU ([`CpuCapability::detect`]). Decided once, on the
    /// first call, as PyTorch does.
    pub fn detect() -> Kernel {
        static KERNEL: OnceLock<Kernel> = OnceLock::new();
        *KERNEL.get_or_init(|| CpuCapability::detect().kernel())
    }
}

/// PyTorch's CPU capability on x86 (`torch.backends.cpu.get_cpu_capability()`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CpuCapability {
    /// No vector build: `"DEFAULT"`.
    Default,
    /// `"AVX2"`: AVX2 and FMA.
    Avx2,
    /// `"AVX512"`: AVX-512 VL, BW and DQ, and FMA.
    Avx512,
}

impl CpuCapability {
    /// `ATEN_CPU_CAPABILITY` if it names a capability, else [`CpuCapability::of_this_cpu`].
    /// (PyTorch warns about other values and ignores them.)
    pub fn detect() -> CpuCapability {
        std::env::var("ATEN_CPU_CAPABILITY")
            .ok()
            .and_then(|value| CpuCapability::from_env(&value))
            .unwrap_or_else(CpuCapability::of_this_cpu)
    }

    /// A value of `ATEN_CPU_CAPABILITY`, compared exactly as PyTorch does.
    pub fn from_env(value: &str) -> Option<CpuCapability> {
        match value {
            "avx512" => Some(CpuCapability::Avx512),
            "avx2" => Some(CpuCapability::Avx2),
            "default" => Some(CpuCapability::Default),
            _ => None,
        }
    }

    /// What PyTorch finds on this CPU (the instruction sets and the operating system's
    /// support for their registers); `Default` on CPUs that are not x86.
    pub fn of_this_cpu() -> CpuCapability {
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        {
            let fma = is_x86_feature_detected!("fma");
            if fma
                && is_x86_feature_detected!("avx512vl")
                && is_x86_feature_detected!("avx512bw")
                && is_x86_feature_detected!("avx512dq")
            {
                return CpuCapability::Avx512;
            }
            if fma && is_x86_feature_detected!("avx2") {
                return CpuCapability::Avx2;
            }
        }
        CpuCapability::Default
    }

    /// The random kernel PyTorch runs at this capability: there is no AVX-512 one, so
    /// `Avx512` falls back to AVX2.
    pub fn kernel(self) -> Kernel {
        match self {
            CpuCapability::Default => Kernel::Scalar,
            CpuCapability::Avx2 | CpuCapability::Avx512 => Kernel::Avx2,
        }
    }
}

/// `torch.Generator` on the CPU, after `manual_seed(seed)`.
pub struct TorchGenerator {
    mt: Mt,
    /// `next_double_normal_sample`: the second value of the last Box–Muller pair.
    cached_normal: Option<f64>,
    kernel: Kernel,
}

impl TorchGenerator {
    /// `torch.manual_seed(seed)`, with the kernel PyTorch would use here ([`Kernel::detect`]).
    pub fn manual_seed(seed: u32) -> TorchGenerator {
        TorchGenerator::manual_seed_with(seed, Kernel::detect())
    }

    /// `torch.manual_seed(seed)`, reproducing the given kernel.
    pub fn manual_seed_with(seed: u32, kernel: Kernel) -> TorchGenerator {
        TorchGenerator {
            mt: Mt::new(seed),
            cached_normal: None,
            kernel,
        }
    }

    /// The kernel this generator reproduces.
    pub fn kernel(&self) -> Kernel {
        self.kernel
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

    /// A float uniform in [0, 1) from 24 random bits (exact, so the same in both kernels).
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
        let width = to - from;
        (0..n)
            .map(|_| {
                let x = self.uniform_unit_f32();
                let value = match self.kernel {
                    Kernel::Avx2 => x.mul_add(width, from),
                    Kernel::Scalar => x * width + from,
                };
                // PyTorch keeps the values below `to`.
                if value == to {
                    from
                } else {
                    value
                }
            })
            .collect()
    }

    /// `tensor.normal_(mean, std)` on `n` contiguous float values.
    pub fn normal(&mut self, n: usize, mean: f64, std: f64) -> Vec<f32> {
        if n >= 16 {
            self.normal_fill(n, mean as f32, std as f32)
        } else {
            (0..n)
                .map(|_| self.double_normal(mean, std) as f32)
                .collect()
        }
    }

    /// `normal_fill`, the path of `normal_` for 16 values or more.
    fn normal_fill(&mut self, n: usize, mean: f32, std: f32) -> Vec<f32> {
        let mut data: Vec<f32> = (0..n).map(|_| self.uniform_unit_f32()).collect();
        for block in data.chunks_exact_mut(16) {
            normal_fill_16(self.kernel, block.try_into().unwrap(), mean, std);
        }
        if !n.is_multiple_of(16) {
            let tail: &mut [f32; 16] = (&mut data[n - 16..]).try_into().unwrap();
            for value in tail.iter_mut() {
                *value = self.uniform_unit_f32();
            }
            normal_fill_16(self.kernel, tail, mean, std);
        }
        data
    }

    /// `at::normal_distribution<double>`: one value, using and refilling the cache.
    fn double_normal(&mut self, mean: f64, std: f64) -> f64 {
        // `z·std + mean`: GCC fuses it in the AVX2 build; the DEFAULT build rounds twice.
        let kernel = self.kernel;
        let scale_shift = |z: f64| match kernel {
            Kernel::Avx2 => z.mul_add(std, mean),
            Kernel::Scalar => z * std + mean,
        };
        if let Some(z) = self.cached_normal.take() {
            return scale_shift(z);
        }
        let u1 = self.uniform_unit_f64();
        let u2 = self.uniform_unit_f64();
        let r = ((-u2).ln_1p() * -2.0).sqrt();
        let theta = 2.0 * PI * u1;
        self.cached_normal = Some(r * theta.sin());
        scale_shift(r * theta.cos())
    }
}

/// Box–Muller on one block of 16 uniforms in [0, 1), in place, as PyTorch's `NormalFill16`:
/// the pairs (j, j + 8) become `r·cos θ·std + mean` and `r·sin θ·std + mean`.
pub fn normal_fill_16(kernel: Kernel, block: &mut [f32; 16], mean: f32, std: f32) {
    for j in 0..8 {
        let u1 = 1.0 - block[j]; // [0, 1) -> (0, 1] for the log
        let u2 = block[j + 8];
        let (radius, sin, cos) = match kernel {
            Kernel::Avx2 => {
                // avx_mathfun.h's log and sincos; θ = f32(2π)·u2, rounded once in f32
                let radius = (avx_mathfun::log(u1) * -2.0).sqrt();
                let theta = (2.0 * PI) as f32 * u2;
                let (sin, cos) = avx_mathfun::sincos(theta);
                (radius, sin, cos)
            }
            Kernel::Scalar => {
                // the C library's logf, sinf, cosf; θ computed in f64, then rounded to f32
                let radius = (u1.ln() * -2.0).sqrt();
                let theta = (2.0 * PI * f64::from(u2)) as f32;
                (radius, theta.sin(), theta.cos())
            }
        };
        // fused in both builds (`_mm256_fmadd_ps`, `std::fma`)
        block[j] = (radius * cos).mul_add(std, mean);
        block[j + 8] = (radius * sin).mul_add(std, mean);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capabilities_pick_kernels_as_pytorch_does() {
        assert_eq!(CpuCapability::from_env("avx2"), Some(CpuCapability::Avx2));
        assert_eq!(
            CpuCapability::from_env("avx512"),
            Some(CpuCapability::Avx512)
        );
        assert_eq!(
            CpuCapability::from_env("default"),
            Some(CpuCapability::Default)
        );
        assert_eq!(CpuCapability::from_env("AVX2"), None);
        assert_eq!(CpuCapability::Avx512.kernel(), Kernel::Avx2);
        assert_eq!(CpuCapability::Avx2.kernel(), Kernel::Avx2);
        assert_eq!(CpuCapability::Default.kernel(), Kernel::Scalar);
    }

    #[test]
    fn the_kernels_differ_only_in_the_last_bits() {
        for seed in 0..20 {
            let mut avx2 = TorchGenerator::manual_seed_with(seed, Kernel::Avx2);
            let mut scalar = TorchGenerator::manual_seed_with(seed, Kernel::Scalar);
            let (a, s) = (avx2.normal(1000, 0.0, 1.0), scalar.normal(1000, 0.0, 1.0));
            for (a, s) in a.iter().zip(&s) {
                assert!((a - s).abs() <= 4e-6, "{a} {s}");
            }
        }
    }
}
