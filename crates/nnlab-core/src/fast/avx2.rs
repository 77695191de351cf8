//! The notebook's shape, D → h (ReLU) → 1, with AVX2 vectors: the AVX-512 kernel's code
//! (`fast/avx512.rs`, its module docs say what it does and why it is sound) run on 256-bit
//! vectors, for the CPUs without AVX-512 (AMD before Zen 4, most Intel desktop CPUs). Used where
//! [`Avx2::detect`] finds AVX2 and FMA and [`super::Avx512::detect`] finds nothing.
//!
//! The kernel is generic over its vector type ([`Wide`]); this module gives it [`F64x4`] and
//! [`F32x8`], half the lanes of the AVX-512 ones. AVX2 lacks a few of AVX-512's instructions, so
//! three operations are built from others:
//!
//! - **masks**: there are no mask registers; a comparison gives a vector whose lanes are all ones
//!   or all zeros, and masked operations blend with it (`blendv`).
//! - **2ⁿ·x** (`scalef` in AVX-512): n is added to x's exponent bits. Exact wherever x and the
//!   result are normal numbers, which is all the kernel's exp asks of it (x in [0.7, 1.42], the
//!   results at least e^−708 in f64 and e^−87 in f32, above the smallest normal numbers).
//! - **exponent and mantissa** (`getexp`, `getmant`): read from the bits. Exact for positive
//!   normal numbers, which is all the loss's running product of probabilities ever holds.
//!
//! With 16 registers instead of 32 the backward pass takes two hidden units at a time, not four
//! ([`Wide::UNITS`]). Its sums are added in the same per-lane order as the AVX-512 kernel's, but
//! with half the lanes, so the two kernels differ in the last bits; both are tested against the
//! readable engine (`tests/fast_path.rs`), and each operation against the emulated vectors of
//! `fast/avx512.rs`, bit for bit (the tests below).
//!
//! Soundness is argued as for AVX-512: a vector value exists only where an [`Avx2`] token did,
//! and the token only where the CPU has the instructions.

use std::arch::x86_64::*;

use super::avx512::{kernel, predict, Wide};
use super::portable::PredictArgs;
use super::BlockArgs;

/// Proof that this CPU runs the AVX2 kernel: AVX2 and FMA, and the features the compiler may use
/// with them. Zero-sized; made only by [`Avx2::detect`] (see the module docs of `fast/avx512.rs`).
///
/// It cannot be made any other way:
///
/// ```compile_fail,E0423
/// let forged = nnlab_core::fast::Avx2(());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Avx2(());

impl Avx2 {
    /// The token, where this CPU has AVX2 and FMA (the OS saving their registers, which `std`'s
    /// detection checks) and every feature `#[target_feature(enable = "avx2,fma")]` lets the
    /// compiler use; `None` elsewhere.
    #[must_use]
    pub fn detect() -> Option<Avx2> {
        let all = is_x86_feature_detected!("avx2")
            && is_x86_feature_detected!("fma")
            && is_x86_feature_detected!("avx")
            && is_x86_feature_detected!("sse4.2")
            && is_x86_feature_detected!("sse4.1")
            && is_x86_feature_detected!("ssse3")
            && is_x86_feature_detected!("sse3");
        all.then_some(Avx2(()))
    }
}

/// Four f64 in a 256-bit register. Made only by `splat` and `load`, which take an [`Avx2`].
#[derive(Clone, Copy)]
pub(super) struct F64x4(__m256d);

/// Eight f32 in a 256-bit register. Made only by `splat` and `load`, which take an [`Avx2`].
#[derive(Clone, Copy)]
pub(super) struct F32x8(__m256);

/// All-ones lanes then all-zeros lanes: loading LANES of them from `LANES − count` gives the mask
/// of the first `count` lanes.
static FIRST_F64: [i64; 8] = [-1, -1, -1, -1, 0, 0, 0, 0];
static FIRST_F32: [i32; 16] = [-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0];

// In every block below, the instruction is one of AVX, AVX2 or FMA (`std::arch` marks them with
// those target features), so calling it is `unsafe`. What makes it sound is a token: passed in
// (`splat`, `load`, `first`), or proven by a vector of this type (`self`, the others), which
// exists only where a token did.
impl Wide for F64x4 {
    type T = f64;
    type Token = Avx2;
    const LANES: usize = 4;
    const EXP_RANGE: (f64, f64) = <super::avx512::F64x8 as Wide>::EXP_RANGE;
    const LN2: (f64, f64) = <super::avx512::F64x8 as Wide>::LN2;
    const EXP: &'static [f64] = <super::avx512::F64x8 as Wide>::EXP;
    const UNITS: usize = 2;
    type Mask = __m256d;
    #[inline(always)]
    fn splat(_token: Avx2, v: f64) -> Self {
        // SAFETY: `_token` proves AVX2; registers only.
        Self(unsafe { _mm256_set1_pd(v) })
    }
    #[inline(always)]
    unsafe fn load(_token: Avx2, p: *const f64) -> Self {
        // SAFETY: `_token` proves AVX2; the caller guarantees 4 readable values at `p` (this
        // fn's contract), and `loadu` needs no alignment.
        Self(unsafe { _mm256_loadu_pd(p) })
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut f64) {
        // SAFETY: `self` proves AVX2; the caller guarantees 4 writable values at `p`.
        unsafe { _mm256_storeu_pd(p, self.0) }
    }
    #[inline(always)]
    fn add(self, b: Self) -> Self {
        // SAFETY: `self` proves AVX2 (a vector exists only where a token did); registers only.
        Self(unsafe { _mm256_add_pd(self.0, b.0) })
    }
    #[inline(always)]
    fn sub(self, b: Self) -> Self {
        // SAFETY: `self` proves AVX2; registers only.
        Self(unsafe { _mm256_sub_pd(self.0, b.0) })
    }
    #[inline(always)]
    fn mul(self, b: Self) -> Self {
        // SAFETY: `self` proves AVX2; registers only.
        Self(unsafe { _mm256_mul_pd(self.0, b.0) })
    }
    #[inline(always)]
    fn div(self, b: Self) -> Self {
        // SAFETY: `self` proves AVX2; registers only.
        Self(unsafe { _mm256_div_pd(self.0, b.0) })
    }
    #[inline(always)]
    fn mul_add(self, a: Self, b: Self) -> Self {
        // SAFETY: `self` proves AVX2, and the token FMA; registers only.
        Self(unsafe { _mm256_fmadd_pd(self.0, a.0, b.0) })
    }
    #[inline(always)]
    fn max(self, b: Self) -> Self {
        // SAFETY: `self` proves AVX2; registers only.
        Self(unsafe { _mm256_max_pd(self.0, b.0) })
    }
    #[inline(always)]
    fn min(self, b: Self) -> Self {
        // SAFETY: `self` proves AVX2; registers only.
        Self(unsafe { _mm256_min_pd(self.0, b.0) })
    }
    #[inline(always)]
    fn gt(self, b: Self) -> __m256d {
        // SAFETY: `self` proves AVX2; registers only.
        unsafe { _mm256_cmp_pd::<_CMP_GT_OQ>(self.0, b.0) }
    }
    #[inline(always)]
    fn first(_token: Avx2, count: usize) -> __m256d {
        let from = 4 - count.min(4);
        // SAFETY: `_token` proves AVX2; values from..from + 4 ≤ 8 of `FIRST_F64`.
        unsafe { _mm256_castsi256_pd(_mm256_loadu_si256(FIRST_F64[from..].as_ptr().cast())) }
    }
    #[inline(always)]
    fn add_where(self, mask: __m256d, v: Self) -> Self {
        // SAFETY: `self` proves AVX2; registers only.
        Self(unsafe { _mm256_blendv_pd(self.0, _mm256_add_pd(self.0, v.0), mask) })
    }
    #[inline(always)]
    fn select(mask: __m256d, yes: Self, no: Self) -> Self {
        // SAFETY: `yes` proves AVX2; registers only.
        Self(unsafe { _mm256_blendv_pd(no.0, yes.0, mask) })
    }
    #[inline(always)]
    fn round(self) -> Self {
        // SAFETY: `self` proves AVX2; registers only (the rounding mode is a constant,
        // suppressing exceptions).
        Self(unsafe {
            _mm256_round_pd::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>(self.0)
        })
    }
    #[inline(always)]
    fn scale(self, n: Self) -> Self {
        // n (integral, |n| < 2³¹) into the exponent field: + n·2⁵² on the bits (module docs)
        // SAFETY: `self` proves AVX2; registers only.
        unsafe {
            let n = _mm256_cvtepi32_epi64(_mm256_cvtpd_epi32(n.0));
            let bits = _mm256_add_epi64(_mm256_castpd_si256(self.0), _mm256_slli_epi64::<52>(n));
            Self(_mm256_castsi256_pd(bits))
        }
    }
    #[inline(always)]
    fn exponent(self) -> Self {
        // the biased exponent e (bits 52..63 of a positive number) as the f64 2⁵² + e, less
        // 2⁵² + 1023: e − 1023 exactly
        // SAFETY: `self` proves AVX2; registers only.
        unsafe {
            let biased = _mm256_srli_epi64::<52>(_mm256_castpd_si256(self.0));
            let big = _mm256_or_si256(biased, _mm256_set1_epi64x(0x4330_0000_0000_0000));
            Self(_mm256_sub_pd(
                _mm256_castsi256_pd(big),
                _mm256_set1_pd(4_503_599_627_371_519.0), // 2⁵² + 1023
            ))
        }
    }
    #[inline(always)]
    fn mantissa(self) -> Self {
        // the fraction bits under the exponent of 1.0: the mantissa in [1, 2)
        // SAFETY: `self` proves AVX2; registers only.
        unsafe {
            let fraction = _mm256_and_si256(
                _mm256_castpd_si256(self.0),
                _mm256_set1_epi64x(0x000F_FFFF_FFFF_FFFF),
            );
            let one = _mm256_set1_epi64x(0x3FF0_0000_0000_0000);
            Self(_mm256_castsi256_pd(_mm256_or_si256(fraction, one)))
        }
    }
    #[inline(always)]
    fn lanes(self) -> [f64; 16] {
        let mut out = [0.0; 16];
        // SAFETY: `self` proves AVX2; `out` has 16 ≥ 4 values, and `storeu` needs no alignment.
        unsafe { _mm256_storeu_pd(out.as_mut_ptr(), self.0) };
        out
    }
    #[inline(always)]
    fn sum(self) -> f64 {
        // upper half onto lower half, until one lane is left (the emulated vectors' order)
        // SAFETY: `self` proves AVX2; registers only.
        unsafe {
            let two = _mm_add_pd(
                _mm256_castpd256_pd128(self.0),
                _mm256_extractf128_pd::<1>(self.0),
            );
            _mm_cvtsd_f64(_mm_add_sd(two, _mm_unpackhi_pd(two, two)))
        }
    }
    #[inline(always)]
    fn deinterleave(a: Self, b: Self) -> (Self, Self) {
        // unpack gives (a₀ b₀ a₂ b₂) and (a₁ b₁ a₃ b₃); the 64-bit lanes reordered 0, 2, 1, 3
        // SAFETY: `a` proves AVX2; registers only.
        unsafe {
            (
                Self(_mm256_permute4x64_pd::<0b11_01_10_00>(_mm256_unpacklo_pd(
                    a.0, b.0,
                ))),
                Self(_mm256_permute4x64_pd::<0b11_01_10_00>(_mm256_unpackhi_pd(
                    a.0, b.0,
                ))),
            )
        }
    }
}

impl Wide for F32x8 {
    type T = f32;
    type Token = Avx2;
    const LANES: usize = 8;
    const EXP_RANGE: (f64, f64) = <super::avx512::F32x16 as Wide>::EXP_RANGE;
    const LN2: (f64, f64) = <super::avx512::F32x16 as Wide>::LN2;
    const EXP: &'static [f64] = <super::avx512::F32x16 as Wide>::EXP;
    const UNITS: usize = 2;
    type Mask = __m256;
    #[inline(always)]
    fn splat(_token: Avx2, v: f32) -> Self {
        // SAFETY: `_token` proves AVX2; registers only.
        Self(unsafe { _mm256_set1_ps(v) })
    }
    #[inline(always)]
    unsafe fn load(_token: Avx2, p: *const f32) -> Self {
        // SAFETY: `_token` proves AVX2; the caller guarantees 8 readable values at `p`, and
        // `loadu` needs no alignment.
        Self(unsafe { _mm256_loadu_ps(p) })
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut f32) {
        // SAFETY: `self` proves AVX2; the caller guarantees 8 writable values at `p`.
        unsafe { _mm256_storeu_ps(p, self.0) }
    }
    #[inline(always)]
    fn add(self, b: Self) -> Self {
        // SAFETY: `self` proves AVX2; registers only.
        Self(unsafe { _mm256_add_ps(self.0, b.0) })
    }
    #[inline(always)]
    fn sub(self, b: Self) -> Self {
        // SAFETY: `self` proves AVX2; registers only.
        Self(unsafe { _mm256_sub_ps(self.0, b.0) })
    }
    #[inline(always)]
    fn mul(self, b: Self) -> Self {
        // SAFETY: `self` proves AVX2; registers only.
        Self(unsafe { _mm256_mul_ps(self.0, b.0) })
    }
    #[inline(always)]
    fn div(self, b: Self) -> Self {
        // SAFETY: `self` proves AVX2; registers only.
        Self(unsafe { _mm256_div_ps(self.0, b.0) })
    }
    #[inline(always)]
    fn mul_add(self, a: Self, b: Self) -> Self {
        // SAFETY: `self` proves AVX2, and the token FMA; registers only.
        Self(unsafe { _mm256_fmadd_ps(self.0, a.0, b.0) })
    }
    #[inline(always)]
    fn max(self, b: Self) -> Self {
        // SAFETY: `self` proves AVX2; registers only.
        Self(unsafe { _mm256_max_ps(self.0, b.0) })
    }
    #[inline(always)]
    fn min(self, b: Self) -> Self {
        // SAFETY: `self` proves AVX2; registers only.
        Self(unsafe { _mm256_min_ps(self.0, b.0) })
    }
    #[inline(always)]
    fn gt(self, b: Self) -> __m256 {
        // SAFETY: `self` proves AVX2; registers only.
        unsafe { _mm256_cmp_ps::<_CMP_GT_OQ>(self.0, b.0) }
    }
    #[inline(always)]
    fn first(_token: Avx2, count: usize) -> __m256 {
        let from = 8 - count.min(8);
        // SAFETY: `_token` proves AVX2; values from..from + 8 ≤ 16 of `FIRST_F32`.
        unsafe { _mm256_castsi256_ps(_mm256_loadu_si256(FIRST_F32[from..].as_ptr().cast())) }
    }
    #[inline(always)]
    fn add_where(self, mask: __m256, v: Self) -> Self {
        // SAFETY: `self` proves AVX2; registers only.
        Self(unsafe { _mm256_blendv_ps(self.0, _mm256_add_ps(self.0, v.0), mask) })
    }
    #[inline(always)]
    fn select(mask: __m256, yes: Self, no: Self) -> Self {
        // SAFETY: `yes` proves AVX2; registers only.
        Self(unsafe { _mm256_blendv_ps(no.0, yes.0, mask) })
    }
    #[inline(always)]
    fn round(self) -> Self {
        // SAFETY: `self` proves AVX2; registers only (constant rounding mode, no exceptions).
        Self(unsafe {
            _mm256_round_ps::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>(self.0)
        })
    }
    #[inline(always)]
    fn scale(self, n: Self) -> Self {
        // n (integral) into the exponent field: + n·2²³ on the bits (module docs)
        // SAFETY: `self` proves AVX2; registers only.
        unsafe {
            let n = _mm256_slli_epi32::<23>(_mm256_cvtps_epi32(n.0));
            Self(_mm256_castsi256_ps(_mm256_add_epi32(
                _mm256_castps_si256(self.0),
                n,
            )))
        }
    }
    #[inline(always)]
    fn exponent(self) -> Self {
        // the biased exponent (bits 23..31 of a positive number), converted, less 127
        // SAFETY: `self` proves AVX2; registers only.
        unsafe {
            let biased = _mm256_srli_epi32::<23>(_mm256_castps_si256(self.0));
            Self(_mm256_sub_ps(
                _mm256_cvtepi32_ps(biased),
                _mm256_set1_ps(127.0),
            ))
        }
    }
    #[inline(always)]
    fn mantissa(self) -> Self {
        // the fraction bits under the exponent of 1.0: the mantissa in [1, 2)
        // SAFETY: `self` proves AVX2; registers only.
        unsafe {
            let fraction =
                _mm256_and_si256(_mm256_castps_si256(self.0), _mm256_set1_epi32(0x007F_FFFF));
            let one = _mm256_set1_epi32(0x3F80_0000);
            Self(_mm256_castsi256_ps(_mm256_or_si256(fraction, one)))
        }
    }
    #[inline(always)]
    fn lanes(self) -> [f32; 16] {
        let mut out = [0.0; 16];
        // SAFETY: `self` proves AVX2; `out` has 16 ≥ 8 values, and `storeu` needs no alignment.
        unsafe { _mm256_storeu_ps(out.as_mut_ptr(), self.0) };
        out
    }
    #[inline(always)]
    fn sum(self) -> f32 {
        // upper half onto lower half, until one lane is left (the emulated vectors' order)
        // SAFETY: `self` proves AVX2; registers only.
        unsafe {
            let four = _mm_add_ps(
                _mm256_castps256_ps128(self.0),
                _mm256_extractf128_ps::<1>(self.0),
            );
            let two = _mm_add_ps(four, _mm_movehl_ps(four, four));
            _mm_cvtss_f32(_mm_add_ss(two, _mm_movehdup_ps(two)))
        }
    }
    #[inline(always)]
    fn deinterleave(a: Self, b: Self) -> (Self, Self) {
        // per 128-bit half, shuffle gives (a₀ a₂ b₀ b₂ | a₄ a₆ b₄ b₆), and the odd ones; its
        // 64-bit pairs reordered 0, 2, 1, 3 give (a₀ a₂ a₄ a₆ b₀ b₂ b₄ b₆)
        // SAFETY: `a` proves AVX2; registers only.
        unsafe {
            let order = |v: __m256| {
                _mm256_castpd_ps(_mm256_permute4x64_pd::<0b11_01_10_00>(_mm256_castps_pd(v)))
            };
            (
                Self(order(_mm256_shuffle_ps::<0b10_00_10_00>(a.0, b.0))),
                Self(order(_mm256_shuffle_ps::<0b11_01_11_01>(a.0, b.0))),
            )
        }
    }
}

/// The AVX2 kernel over one chunk of the network D → h (ReLU) → 1, D ≤ 4
/// ([`super::vector_kernel_fits`]); x row-major (rows, D). Safe: `token` proves the CPU.
pub(super) fn chunk<W: Wide<Token = Avx2>>(token: Avx2, args: BlockArgs<'_, W::T>) {
    assert!(
        super::vector_kernel_fits(args.0),
        "the AVX2 kernel runs D → h (ReLU) → 1 with D ≤ 4"
    );
    // SAFETY: `chunk_avx2` is compiled for AVX2 and FMA and the features they imply; `token`
    // exists only where `Avx2::detect` found all of them on this CPU.
    unsafe {
        match args.0[0].n_in {
            1 => chunk_avx2::<W, 1>(token, args),
            2 => chunk_avx2::<W, 2>(token, args),
            3 => chunk_avx2::<W, 3>(token, args),
            _ => chunk_avx2::<W, 4>(token, args),
        }
    }
}

/// ŷ of a block of rows through the AVX2 forward pass (`avx512::predict`), for D → h (ReLU) → 1
/// with D ≤ 4. Safe: `token` proves the CPU.
pub(super) fn predict_block<W: Wide<Token = Avx2>>(token: Avx2, args: PredictArgs<'_, W::T>) {
    assert!(
        super::vector_kernel_fits(args.0),
        "the AVX2 kernel runs D → h (ReLU) → 1 with D ≤ 4"
    );
    // SAFETY: `predict_avx2` is compiled for AVX2 and FMA and the features they imply; `token`
    // exists only where `Avx2::detect` found all of them on this CPU.
    unsafe {
        match args.0[0].n_in {
            1 => predict_avx2::<W, 1>(token, args),
            2 => predict_avx2::<W, 2>(token, args),
            3 => predict_avx2::<W, 3>(token, args),
            _ => predict_avx2::<W, 4>(token, args),
        }
    }
}

/// The forward pass compiled for AVX2 and FMA.
#[target_feature(enable = "avx2,fma")]
fn predict_avx2<W: Wide<Token = Avx2>, const D: usize>(token: Avx2, args: PredictArgs<'_, W::T>) {
    predict::<W, D>(token, args);
}

/// The kernel compiled for AVX2 and FMA, so that the vectors' intrinsics inline into it.
#[target_feature(enable = "avx2,fma")]
fn chunk_avx2<W: Wide<Token = Avx2>, const D: usize>(token: Avx2, args: BlockArgs<'_, W::T>) {
    kernel::<W, D>(token, args);
}

#[cfg(test)]
mod tests {
    use super::super::avx512::{emulated::Emulated, exp, V};
    use super::*;
    use crate::fast::Real;
    use num_traits::Float;

    /// Which values of two lane arrays differ in their bits (NaNs alike), for messages.
    fn bits<T: Real>(v: [T; 16]) -> [u64; 16] {
        v.map(|x| {
            if x.is_nan() {
                u64::MAX
            } else {
                x.as_f64().to_bits()
            }
        })
    }

    /// Every operation of `A` (AVX2) and `E` (emulated, the instructions' semantics as
    /// AVX-512 has them) on the same lanes, bit for bit. Masks have different types in the two
    /// (a vector, a bit set), so `gt` and `first` are compared through what they select.
    #[target_feature(enable = "avx2,fma")]
    fn compare_on<A: Wide<Token = Avx2>, E: Wide<T = A::T, Token = ()>>(
        token: Avx2,
        values: &[A::T],
    ) {
        type Lanes<W> = [<W as Wide>::T; 16];
        let n = A::LANES;
        let of = |v: f64| A::T::of(v);
        for start in (0..values.len() - 3 * n).step_by(n) {
            let [a, b, c] = [0, 1, 2].map(|k| A::load_from(token, &values[start + k * n..]));
            let [p, q, r] = [0, 1, 2].map(|k| E::load_from((), &values[start + k * n..]));
            // positive normal numbers, as the loss's products are, and mantissas like exp's
            let (a2, p2) = (
                a.mul(a).add(A::splat(token, of(1e-30))),
                p.mul(p).add(E::splat((), of(1e-30))),
            );
            let (am, pm) = (a2.mantissa(), p2.mantissa());
            let fifty = of(50.0);
            let (an, pn) = (
                b.round()
                    .min(A::splat(token, fifty))
                    .max(A::splat(token, -fifty)),
                q.round().min(E::splat((), fifty)).max(E::splat((), -fifty)),
            );
            let mut pairs: Vec<(Lanes<A>, Lanes<A>, String)> = vec![
                (a.add(b).lanes(), p.add(q).lanes(), "add".into()),
                (a.sub(b).lanes(), p.sub(q).lanes(), "sub".into()),
                (a.mul(b).lanes(), p.mul(q).lanes(), "mul".into()),
                (a.div(b).lanes(), p.div(q).lanes(), "div".into()),
                (
                    a.mul_add(b, c).lanes(),
                    p.mul_add(q, r).lanes(),
                    "mul_add".into(),
                ),
                (a.max(b).lanes(), p.max(q).lanes(), "max".into()),
                (a.min(b).lanes(), p.min(q).lanes(), "min".into()),
                (
                    a.add_where(b.gt(c), b).lanes(),
                    p.add_where(q.gt(r), q).lanes(),
                    "gt, add_where".into(),
                ),
                (
                    A::select(a.gt(b), a, c).lanes(),
                    E::select(p.gt(q), p, r).lanes(),
                    "gt, select".into(),
                ),
                (a.round().lanes(), p.round().lanes(), "round".into()),
                (am.scale(an).lanes(), pm.scale(pn).lanes(), "scale".into()),
                (
                    a2.exponent().lanes(),
                    p2.exponent().lanes(),
                    "exponent".into(),
                ),
                (am.lanes(), pm.lanes(), "mantissa".into()),
                (
                    A::deinterleave(a, b).0.lanes(),
                    E::deinterleave(p, q).0.lanes(),
                    "deinterleave even".into(),
                ),
                (
                    A::deinterleave(a, b).1.lanes(),
                    E::deinterleave(p, q).1.lanes(),
                    "deinterleave odd".into(),
                ),
                ([a.sum(); 16], [p.sum(); 16], "sum".into()),
            ];
            for count in 0..=n + 1 {
                pairs.push((
                    A::select(A::first(token, count), a, b).lanes(),
                    E::select(E::first((), count), p, q).lanes(),
                    format!("first({count})"),
                ));
            }
            for (want, got, what) in pairs {
                assert_eq!(bits(got), bits(want), "{what} at {start}");
            }
        }
    }

    /// The AVX2 vectors against the emulated ones (which `fast/avx512.rs` checks against the
    /// AVX-512 instructions), on values like the kernel's and signed zeros, ties, tiny and large
    /// ones, where the CPU has AVX2.
    #[test]
    fn avx2_vectors_do_what_the_emulated_ones_do() {
        let values: Vec<f64> = (0..96)
            .map(|k| match k {
                0 => 0.0,
                1 => -0.0,
                2 => 0.5,
                3 => 1e-300,
                4 => 2.5,
                5 => -3.5,
                6 => 709.0,
                7 => f64::NAN,
                _ => (k as f64 * 0.7312).sin() * 10f64.powi(k % 7 - 3),
            })
            .collect();
        let Some(token) = Avx2::detect() else {
            eprintln!("NOTE: this CPU has no AVX2 and FMA: the AVX2 vectors were not checked");
            return;
        };
        // SAFETY: `token` proves AVX2 and FMA, what `compare_on` is compiled for.
        unsafe { compare_on::<F64x4, Emulated<f64, 4>>(token, &values) };
        let values: Vec<f32> = values.iter().map(|&v| v as f32).collect();
        // SAFETY: as above.
        unsafe { compare_on::<F32x8, Emulated<f32, 8>>(token, &values) };
    }

    /// e^x of V·LANES values through the kernel's exp on AVX2 vectors.
    #[target_feature(enable = "avx2,fma")]
    fn exp_avx2<W: Wide<Token = Avx2>>(token: Avx2, x: &[W::T]) -> Vec<W::T> {
        let v: [W; V] = std::array::from_fn(|u| W::load_from(token, &x[u * W::LANES..]));
        exp(token, v)
            .iter()
            .flat_map(|v| v.lanes()[..W::LANES].to_vec())
            .collect()
    }

    /// The kernel's exp with AVX2's `scale` (2ⁿ through the exponent bits) over the ranges σ
    /// calls it on, down to the smallest results: within 2 ulp of libm in f64 and 4 in f32, the
    /// bounds `fast/avx512.rs` holds the AVX-512 exp to.
    #[test]
    fn avx2_exp_is_within_2_ulp_of_libm_in_f64_and_4_in_f32() {
        let Some(token) = Avx2::detect() else {
            eprintln!("NOTE: this CPU has no AVX2 and FMA: the AVX2 exp was not checked");
            return;
        };
        fn worst<W: Wide<Token = Avx2>>(
            token: Avx2,
            range: (f64, f64),
            libm: impl Fn(W::T) -> W::T,
        ) -> f64 {
            let n = V * W::LANES;
            let mut worst: f64 = 0.0;
            for start in (0..20_000).step_by(n) {
                let x: Vec<W::T> = (start..start + n)
                    .map(|k| {
                        // both ends included
                        let t = (k as f64 / 19_999.0).min(1.0);
                        W::T::of(range.0 + (range.1 - range.0) * t)
                    })
                    .collect();
                // SAFETY: `token` proves AVX2 and FMA, what `exp_avx2` is compiled for.
                let got = unsafe { exp_avx2::<W>(token, &x) };
                for (&x, &got) in x.iter().zip(&got) {
                    let want = libm(x);
                    let ulps = ((got - want) / want).abs() / W::T::epsilon();
                    worst = worst.max(ulps.as_f64());
                }
            }
            worst
        }
        let f64_worst = worst::<F64x4>(token, (-666.0, 666.0), f64::exp);
        assert!(f64_worst <= 2.0, "AVX2 f64: worst {f64_worst} ulp");
        let f32_worst = worst::<F32x8>(token, (-87.0, 88.0), f32::exp);
        assert!(f32_worst <= 4.0, "AVX2 f32: worst {f32_worst} ulp");
    }
}
