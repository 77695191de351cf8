//! The notebook's shape, D → h (ReLU) → 1 (σ), with AVX-512 vectors written out: the compiler
//! does not keep a register-blocked kernel in registers on its own, so here the vectors are
//! explicit (`std::arch`). Used where [`Avx512::detect`] finds AVX-512F. The kernel is generic
//! over its vector type ([`Wide`]): CPUs with AVX2 and FMA but no AVX-512 run the same code on
//! 256-bit vectors (`fast/avx2.rs`), the others take the portable kernel.
//!
//! Per chunk of rows (the unit of a thread's work), block by block (`BLOCK` rows), in three
//! passes over the block, each V = 4 vectors of rows (4·LANES) at a time:
//!
//! ```text
//! forward:   o = b2;  per unit j:  z_j = b1_j + Σ_i W1_ij·x_i  (stored),  o += W2_j·max(z_j, 0)
//!                                                               (x and o stay in registers)
//! output:    p = σ(o),  dz = p − y,  dzx_i = dz·x_i  (stored)
//! loss:      Σ log q as log Π q: the product is kept as mantissa × 2^(Σ exponents), one log per chunk
//! backward:  per unit j:  Σ max(z_j, 0)·dz,  Σ_{z_j>0} dz,  Σ_{z_j>0} dzx_i  (masked adds; 4 units
//!            share each pass, and the loads of dz and dzx)
//! chunk end: ΣdW2_j += Σ max(z_j, 0)·dz,  Σdb1_j += W2_j·Σ_{z_j>0} dz,  ΣdW1_ij += W2_j·Σ_{z_j>0} dzx_i
//! ```
//!
//! The per-unit sums stay vectors (one lane per row position) until the chunk ends, then their
//! lanes are added in a fixed order: results do not depend on the thread count. They are added in
//! another order than the portable kernel's, so the two differ in the last bits; both are tested
//! against the readable engine (`tests/fast_path.rs`).
//!
//! # Why safe code cannot run an AVX-512 instruction on a CPU without it
//!
//! Executing an AVX-512 instruction where the CPU lacks it is undefined behaviour, so what runs
//! one must either be `unsafe` or carry a proof. The proof here is the capability token
//! [`Avx512`]: a zero-sized value whose only constructor, [`Avx512::detect`], asks the CPU (and
//! the OS, which must save the 512-bit registers) at run time and returns `None` where any feature
//! is missing. Its field is private, it implements neither `Default` nor any other constructor, so
//! outside this module a token exists only after a successful detection.
//!
//! - The vector types ([`F64x8`], [`F32x16`]) keep their register private, and every way to make
//!   one from nothing takes the token: [`Wide::splat`] and [`Wide::load`] (the only ones; `load`
//!   is also `unsafe`, for its pointer). Everything else that returns a vector (`add`, `select`,
//!   `deinterleave`, …) takes vectors, so a vector value exists only where a token existed, i.e.
//!   only on a CPU with AVX-512F. That is why the methods on a vector are safe: having `self` is
//!   the proof, as having the token is. (Inside this module, `Self(..)` wraps only what an
//!   intrinsic returned under such a proof. A vector is `Copy` and may move to another thread;
//!   the detection is process-wide, as `std`'s cached `is_x86_feature_detected!` is, and holds
//!   for every core.) The tests' `emulated` vectors, plain scalars with the instructions'
//!   semantics, take `()` for a token: they run the same kernel code on any CPU.
//! - The kernel itself, `chunk_avx512f`, is compiled with `#[target_feature(enable = "avx512f")]`
//!   (so the intrinsics above inline into it); calling it is `unsafe`, and the one call, in the
//!   safe [`chunk`], takes the token. The token checks every feature that `avx512f` implies to the
//!   compiler (AVX2, FMA, F16C, AVX, SSE3 to SSE4.2), since the compiler may use any of them there.
//! - Each `unsafe` block says what else it relies on (pointer bounds, mostly), under the crate's
//!   `clippy::undocumented_unsafe_blocks = "deny"`.
//! - The token costs nothing at run time: it is zero-sized, detected once per engine
//!   ([`super::FastEngine::new`]) and passed by value (no code); the vector methods are the
//!   intrinsics they were before it.

use std::arch::x86_64::*;

use num_traits::{Float, Zero};

use super::portable::PredictArgs;
use super::{BlockArgs, Real};

/// Proof that this CPU runs the AVX-512 kernel: AVX-512F, with the OS saving its registers, and
/// the features the compiler may use with it. Zero-sized; made only by [`Avx512::detect`], so
/// holding one means the check passed (see the module docs of `fast/avx512.rs`).
///
/// It cannot be made any other way:
///
/// ```compile_fail,E0423
/// let forged = nnlab_core::fast::Avx512(());
/// ```
///
/// ```compile_fail,E0063
/// let forged = nnlab_core::fast::Avx512 {};
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Avx512(());

impl Avx512 {
    /// The token, where this CPU has AVX-512F (and the OS supports it) and every feature that
    /// `#[target_feature(enable = "avx512f")]` lets the compiler use; `None` elsewhere.
    #[must_use]
    pub fn detect() -> Option<Avx512> {
        let all = is_x86_feature_detected!("avx512f")
            && is_x86_feature_detected!("avx2")
            && is_x86_feature_detected!("avx")
            && is_x86_feature_detected!("fma")
            && is_x86_feature_detected!("f16c")
            && is_x86_feature_detected!("sse4.2")
            && is_x86_feature_detected!("sse4.1")
            && is_x86_feature_detected!("ssse3")
            && is_x86_feature_detected!("sse3");
        all.then_some(Avx512(()))
    }
}

/// One 512-bit vector of f64 (8 lanes) or f32 (16). Made only by `splat` and `load`, which take
/// a `Token`: for the AVX-512 types it is [`Avx512`], so every value of them proves the CPU runs
/// their instructions, and their methods are safe (see the module docs).
pub(super) trait Wide: Copy {
    type T: Real;
    /// What making a vector requires: the proof that its instructions run on this CPU.
    type Token: Copy;
    /// 8 or 16: at most 16 (`lanes` returns 16 values, the kernel's buffers hold 16 per lane).
    const LANES: usize;
    /// e^x's clamp, as the scalar `fastmath::exp`s: [−708, 709] in f64, [−87, 88] in f32.
    const EXP_RANGE: (f64, f64);
    /// ln 2 in two parts (the first exact times any exponent) and 1/k! up to the series' end.
    const LN2: (f64, f64);
    /// e^r's polynomial on |r| ≤ ln 2 / 2 (`EXP_F64` or `EXP_F32`; 12 terms at most).
    const EXP: &'static [f64];
    /// Hidden units the backward pass takes at a time (they share the loads of dz and dzx; each
    /// keeps D + 2 sums in registers): 4 with AVX-512's 32 registers, 2 with AVX2's 16.
    const UNITS: usize;
    /// A set of lanes: one bit per lane (AVX-512's mask registers), or a vector whose lanes are
    /// all ones or all zeros (AVX2 has no mask registers).
    type Mask: Copy;
    /// `v` in every lane.
    fn splat(token: Self::Token, v: Self::T) -> Self;
    /// # Safety
    /// `LANES` values from `p` must be readable (no alignment needed).
    unsafe fn load(token: Self::Token, p: *const Self::T) -> Self;
    /// The first `LANES` of `values` (panics if there are fewer).
    #[inline(always)]
    fn load_from(token: Self::Token, values: &[Self::T]) -> Self {
        assert!(values.len() >= Self::LANES);
        // SAFETY: `values` holds at least `LANES` readable values (asserted).
        unsafe { Self::load(token, values.as_ptr()) }
    }
    /// # Safety
    /// `LANES` values from `p` must be writable (no alignment needed).
    unsafe fn store(self, p: *mut Self::T);
    fn add(self, b: Self) -> Self;
    fn sub(self, b: Self) -> Self;
    fn mul(self, b: Self) -> Self;
    fn div(self, b: Self) -> Self;
    /// self·a + b, one rounding.
    fn mul_add(self, a: Self, b: Self) -> Self;
    /// self where self > b, b otherwise (b where either is NaN), as `vmaxpd`.
    fn max(self, b: Self) -> Self;
    /// self where self < b, b otherwise, as `vminpd`.
    fn min(self, b: Self) -> Self;
    /// The lanes where self > b.
    fn gt(self, b: Self) -> Self::Mask;
    /// The lanes below `count` (all of them when `count` ≥ LANES).
    fn first(token: Self::Token, count: usize) -> Self::Mask;
    /// self + v in the lanes of `mask`, self elsewhere.
    fn add_where(self, mask: Self::Mask, v: Self) -> Self;
    /// `yes` in the lanes of `mask`, `no` elsewhere.
    fn select(mask: Self::Mask, yes: Self, no: Self) -> Self;
    /// To the nearest integer (ties to even).
    fn round(self) -> Self;
    /// self·2ⁿ for integral n.
    fn scale(self, n: Self) -> Self;
    /// ⌊log₂|self|⌋ and the mantissa in [1, 2).
    fn exponent(self) -> Self;
    fn mantissa(self) -> Self;
    /// The lanes, in order.
    fn lanes(self) -> [Self::T; 16];
    /// The lanes added up (pairwise, in a fixed order).
    fn sum(self) -> Self::T;
    /// (a₀, a₂, …, b₀, b₂, …) and (a₁, a₃, …, b₁, b₃, …): two interleaved rows split.
    fn deinterleave(a: Self, b: Self) -> (Self, Self);
}

macro_rules! wide {
    ($name:ident, $t:ty, $v:ty, $lanes:expr, $mask:ty, $exp_range:expr, $ln2:expr, $exp:ident,
     $set1:ident, $loadu:ident, $storeu:ident, $add:ident, $sub:ident, $mul:ident, $div:ident,
     $fmadd:ident, $max:ident, $min:ident, $cmp:ident, $mask_add:ident, $blend:ident,
     $roundscale:ident, $scalef:ident, $getexp:ident, $getmant:ident, $reduce:ident,
     $permute:ident,
     $even:expr, $odd:expr) => {
        /// A 512-bit vector; its register is private, and the only ways to make one from
        /// nothing (`splat`, `load`) take an [`Avx512`] token (see the module docs).
        #[derive(Clone, Copy)]
        pub(super) struct $name($v);

        // In every block below, the instruction is one of AVX-512F (`std::arch` marks it
        // `#[target_feature(enable = "avx512f")]`), so calling it is `unsafe`. What makes it
        // sound is a token: passed in (`splat`, `load`), or proven by a vector of this type
        // (`self` and the others), which exists only where a token did (module docs).
        impl Wide for $name {
            type T = $t;
            type Token = Avx512;
            const LANES: usize = $lanes;
            const EXP_RANGE: (f64, f64) = $exp_range;
            const LN2: (f64, f64) = $ln2;
            const EXP: &'static [f64] = &$exp;
            const UNITS: usize = 4;
            type Mask = u16;
            #[inline(always)]
            fn splat(_token: Avx512, v: $t) -> Self {
                // SAFETY: `_token` proves the CPU has AVX-512F; registers only.
                Self(unsafe { $set1(v) })
            }
            #[inline(always)]
            unsafe fn load(_token: Avx512, p: *const $t) -> Self {
                // SAFETY: `_token` proves AVX-512F; the caller guarantees `LANES` readable values
                // at `p` (this fn's contract), and `loadu` needs no alignment.
                Self(unsafe { $loadu(p) })
            }
            #[inline(always)]
            unsafe fn store(self, p: *mut $t) {
                // SAFETY: `self` proves AVX-512F; the caller guarantees `LANES` writable values
                // at `p` (this fn's contract), and `storeu` needs no alignment.
                unsafe { $storeu(p, self.0) }
            }
            #[inline(always)]
            fn add(self, b: Self) -> Self {
                // SAFETY: `self` proves AVX-512F (a vector exists only where a token did);
                // registers only.
                Self(unsafe { $add(self.0, b.0) })
            }
            #[inline(always)]
            fn sub(self, b: Self) -> Self {
                // SAFETY: `self` proves AVX-512F; registers only.
                Self(unsafe { $sub(self.0, b.0) })
            }
            #[inline(always)]
            fn mul(self, b: Self) -> Self {
                // SAFETY: `self` proves AVX-512F; registers only.
                Self(unsafe { $mul(self.0, b.0) })
            }
            #[inline(always)]
            fn div(self, b: Self) -> Self {
                // SAFETY: `self` proves AVX-512F; registers only.
                Self(unsafe { $div(self.0, b.0) })
            }
            #[inline(always)]
            fn mul_add(self, a: Self, b: Self) -> Self {
                // SAFETY: `self` proves AVX-512F; registers only.
                Self(unsafe { $fmadd(self.0, a.0, b.0) })
            }
            #[inline(always)]
            fn max(self, b: Self) -> Self {
                // SAFETY: `self` proves AVX-512F; registers only.
                Self(unsafe { $max(self.0, b.0) })
            }
            #[inline(always)]
            fn min(self, b: Self) -> Self {
                // SAFETY: `self` proves AVX-512F; registers only.
                Self(unsafe { $min(self.0, b.0) })
            }
            #[inline(always)]
            fn gt(self, b: Self) -> u16 {
                // SAFETY: `self` proves AVX-512F; registers only.
                (unsafe { $cmp::<_CMP_GT_OQ>(self.0, b.0) }) as u16
            }
            #[inline(always)]
            fn first(_token: Avx512, count: usize) -> u16 {
                ((1u32 << count.min($lanes)) - 1) as u16
            }
            #[inline(always)]
            fn add_where(self, mask: u16, v: Self) -> Self {
                // SAFETY: `self` proves AVX-512F; registers only (the mask is a value).
                Self(unsafe { $mask_add(self.0, mask as $mask, self.0, v.0) })
            }
            #[inline(always)]
            fn select(mask: u16, yes: Self, no: Self) -> Self {
                // SAFETY: `yes` proves AVX-512F; registers only.
                Self(unsafe { $blend(mask as $mask, no.0, yes.0) })
            }
            #[inline(always)]
            fn round(self) -> Self {
                // SAFETY: `self` proves AVX-512F; registers only (the rounding mode is a
                // constant, suppressing exceptions).
                Self(unsafe {
                    $roundscale::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>(self.0)
                })
            }
            #[inline(always)]
            fn scale(self, n: Self) -> Self {
                // SAFETY: `self` proves AVX-512F; registers only.
                Self(unsafe { $scalef(self.0, n.0) })
            }
            #[inline(always)]
            fn exponent(self) -> Self {
                // SAFETY: `self` proves AVX-512F; registers only.
                Self(unsafe { $getexp(self.0) })
            }
            #[inline(always)]
            fn mantissa(self) -> Self {
                // SAFETY: `self` proves AVX-512F; registers only.
                Self(unsafe { $getmant::<_MM_MANT_NORM_1_2, _MM_MANT_SIGN_SRC>(self.0) })
            }
            #[inline(always)]
            fn deinterleave(a: Self, b: Self) -> (Self, Self) {
                // SAFETY: `a` proves AVX-512F; registers only (the index vectors are made by
                // `set`, also AVX-512F).
                unsafe {
                    (
                        Self($permute(a.0, $even, b.0)),
                        Self($permute(a.0, $odd, b.0)),
                    )
                }
            }
            #[inline(always)]
            fn sum(self) -> $t {
                // SAFETY: `self` proves AVX-512F; registers only.
                unsafe { $reduce(self.0) }
            }
            #[inline(always)]
            fn lanes(self) -> [$t; 16] {
                let mut out = [<$t>::default(); 16];
                // SAFETY: `self` proves AVX-512F; `out` has 16 values, at least `LANES` (8 f64
                // or 16 f32, 64 bytes either way), and `storeu` needs no alignment.
                unsafe { $storeu(out.as_mut_ptr(), self.0) };
                out
            }
        }
    };
}

wide!(
    F64x8,
    f64,
    __m512d,
    8,
    __mmask8,
    (-708.0, 709.0),
    (6.931_471_803_691_238e-1, 1.908_214_929_270_587_7e-10),
    EXP_F64,
    _mm512_set1_pd,
    _mm512_loadu_pd,
    _mm512_storeu_pd,
    _mm512_add_pd,
    _mm512_sub_pd,
    _mm512_mul_pd,
    _mm512_div_pd,
    _mm512_fmadd_pd,
    _mm512_max_pd,
    _mm512_min_pd,
    _mm512_cmp_pd_mask,
    _mm512_mask_add_pd,
    _mm512_mask_blend_pd,
    _mm512_roundscale_pd,
    _mm512_scalef_pd,
    _mm512_getexp_pd,
    _mm512_getmant_pd,
    _mm512_reduce_add_pd,
    _mm512_permutex2var_pd,
    _mm512_set_epi64(14, 12, 10, 8, 6, 4, 2, 0),
    _mm512_set_epi64(15, 13, 11, 9, 7, 5, 3, 1)
);
wide!(
    F32x16,
    f32,
    __m512,
    16,
    __mmask16,
    (-87.0, 88.0),
    (0.693_145_75, 1.428_606_8e-6),
    EXP_F32,
    _mm512_set1_ps,
    _mm512_loadu_ps,
    _mm512_storeu_ps,
    _mm512_add_ps,
    _mm512_sub_ps,
    _mm512_mul_ps,
    _mm512_div_ps,
    _mm512_fmadd_ps,
    _mm512_max_ps,
    _mm512_min_ps,
    _mm512_cmp_ps_mask,
    _mm512_mask_add_ps,
    _mm512_mask_blend_ps,
    _mm512_roundscale_ps,
    _mm512_scalef_ps,
    _mm512_getexp_ps,
    _mm512_getmant_ps,
    _mm512_reduce_add_ps,
    _mm512_permutex2var_ps,
    _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0),
    _mm512_set_epi32(31, 29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1)
);

/// e^r on |r| ≤ ln 2 / 2 as a polynomial, lowest power first: degree 11 for f64 (relative error
/// 4.5e-18, a twentieth of an ulp) and 6 for f32 (2.8e-9, a fortieth), fitted by mpmath 1.3's
/// `chebyfit(exp, [-log(2)/2, log(2)/2], n, error=True)` at 40 digits and rounded to f64. Two
/// fewer terms than the Taylor series of `fastmath` needs for the same accuracy.
const EXP_F64: [f64; 12] = [
    1.0,
    1.0,
    0.500_000_000_000_001_9,
    0.166_666_666_666_666_8,
    0.041_666_666_666_488_1,
    0.008_333_333_333_319_601,
    0.001_388_888_895_231_477_5,
    0.000_198_412_698_900_471_13,
    2.480_148_548_232_849_4e-5,
    2.755_724_091_857_897e-6,
    2.763_263_963_904_103e-7,
    2.511_003_760_596_377_7e-8,
];
const EXP_F32: [f64; 7] = [
    1.0,
    1.000_000_037_716_214,
    0.500_000_004_711_775_7,
    0.166_664_155_146_532_77,
    0.041_666_352_896_775_16,
    0.008_375_126_398_153_335,
    0.001_394_110_843_397_267_4,
];

/// `v` in every lane of a `W`.
#[inline(always)]
fn splat_of<W: Wide>(token: W::Token, v: f64) -> W {
    W::splat(token, W::T::of(v))
}

/// The polynomial's pair of terms c_2k + c_2k+1·r (c_2k alone past the end).
#[inline(always)]
fn pair<W: Wide>(token: W::Token, r: W, k: usize) -> W {
    match W::EXP.get(2 * k + 1) {
        Some(&odd) => splat_of::<W>(token, odd).mul_add(r, splat_of(token, W::EXP[2 * k])),
        None => splat_of(token, W::EXP[2 * k]),
    }
}

/// eˣ of V vectors, x within `W::EXP_RANGE` (the caller clamps): x = n·ln 2 + r with
/// |r| ≤ ln 2 / 2, e^r by the polynomial `W::EXP`, times 2ⁿ. The V vectors' chains are
/// independent, and the unrolled loop lets the CPU interleave them.
///
/// (Plain loops and functions here and in the other vector helpers, no closures passed to
/// `array::map` or `from_fn`: the compiler may leave those out of line, and a closure compiled
/// apart from the kernel lacks its target features, so every intrinsic in it becomes a call.)
#[inline(always)]
pub(super) fn exp<W: Wide, const V: usize>(token: W::Token, x: [W; V]) -> [W; V] {
    let mut out = x;
    for u in 0..V {
        let n = x[u].mul(splat_of(token, std::f64::consts::LOG2_E)).round();
        let r = n.mul_add(splat_of(token, -W::LN2.0), x[u]);
        let r = n.mul_add(splat_of(token, -W::LN2.1), r);
        // Σ c_k·r^k by Estrin's scheme: pairs c_2k + c_2k+1·r, then pairs of those with r², then
        // r⁴ and r⁸: Horner's terms in a shallower tree (a quarter of its latency). 12 or 7 terms.
        let r2 = r.mul(r);
        let r4 = r2.mul(r2);
        let q0 = pair(token, r, 1).mul_add(r2, pair(token, r, 0));
        let q1 = pair(token, r, 3).mul_add(r2, pair(token, r, 2));
        let mut p = q1.mul_add(r4, q0);
        if W::EXP.len() > 8 {
            let q2 = pair(token, r, 5).mul_add(r2, pair(token, r, 4));
            p = q2.mul_add(r4.mul(r4), p);
        }
        out[u] = p.scale(n);
    }
    out
}

/// x_i of V·LANES rows, from `src`: those rows of a row-major (·, D) array.
///
/// # Safety
/// V·LANES·D values from `src` must be readable.
#[inline(always)]
unsafe fn load_inputs<W: Wide, const D: usize, const V: usize>(
    token: W::Token,
    src: *const W::T,
) -> [[W; V]; D] {
    let lanes = W::LANES;
    assert!(lanes <= 16); // (a constant)
    let mut xv = [[W::splat(token, W::T::zero()); V]; D];
    match D {
        1 => {
            for u in 0..V {
                // SAFETY: reads rows u·LANES..(u + 1)·LANES of one value each, within the V·LANES
                // values the caller guarantees.
                xv[0][u] = unsafe { W::load(token, src.add(u * lanes)) };
            }
        }
        2 => {
            for u in 0..V {
                // SAFETY: values 2u·LANES..(2u + 2)·LANES, within the 2·V·LANES the caller
                // guarantees (u < V).
                let (a, b) = unsafe {
                    (
                        W::load(token, src.add(2 * u * lanes)),
                        W::load(token, src.add(2 * u * lanes + lanes)),
                    )
                };
                (xv[0][u], xv[1][u]) = W::deinterleave(a, b);
            }
        }
        _ => {
            for u in 0..V {
                let mut t = [[W::T::zero(); 16]; D];
                for r in 0..lanes {
                    for i in 0..D {
                        // SAFETY: (u·LANES + r)·D + i < V·LANES·D (u < V, r < LANES, i < D),
                        // which the caller guarantees readable.
                        t[i][r] = unsafe { *src.add((u * lanes + r) * D + i) };
                    }
                }
                for i in 0..D {
                    // SAFETY: `t[i]` holds 16 ≥ LANES values.
                    xv[i][u] = unsafe { W::load(token, t[i].as_ptr()) };
                }
            }
        }
    }
    xv
}

/// The first `len` values of `buffer` from a 64-byte boundary (a vector never straddles two
/// cache lines); the buffers are allocated with room for the shift.
#[inline(always)]
fn aligned<T>(buffer: &mut [T], len: usize) -> &mut [T] {
    let shift = buffer.as_ptr().align_offset(64);
    &mut buffer[shift..shift + len]
}

/// A block's stored rows: z of every unit (BLOCK apart), dz, and dz·x_i (BLOCK apart).
#[derive(Clone, Copy)]
struct Rows<T> {
    z: *mut T,
    dz: *mut T,
    dzx: *mut T,
    padded: usize,
}

/// Adds units j..j+U's backward sums over a block to their vector sums at `sums` (per unit
/// (D + 2)·LANES values: Σ max(z, 0)·dz, Σ_{z>0} dz, Σ_{z>0} dzx_i).
///
/// # Safety
/// `rows` must hold the block: `padded` ≤ BLOCK readable rows at `dz`, at `dzx + i·BLOCK`
/// (i < D) and at `z + k·BLOCK` for the units k < j + U; `sums` must hold U·(D + 2)·LANES
/// readable and writable values.
#[inline(always)]
unsafe fn backward<W: Wide, const D: usize, const U: usize>(
    token: W::Token,
    rows: Rows<W::T>,
    j: usize,
    sums: *mut W::T,
) {
    let lanes = W::LANES;
    let zero = W::splat(token, W::T::zero());
    let mut acc = [[zero; 6]; U];
    for r0 in (0..rows.padded).step_by(V * lanes) {
        for u in 0..V {
            // rows at..at + LANES, all below `padded` (a multiple of V·LANES)
            let at = r0 + u * lanes;
            // SAFETY: rows at..at + LANES of dz, within the `padded` the caller guarantees.
            let d = unsafe { W::load(token, rows.dz.add(at)) };
            let v: [W; D] = std::array::from_fn(|i| {
                // SAFETY: input i < D's rows at..at + LANES, guaranteed by the caller.
                unsafe { W::load(token, rows.dzx.add(i * BLOCK + at)) }
            });
            for (k, acc) in acc.iter_mut().enumerate() {
                // SAFETY: unit j + k < j + U's rows at..at + LANES, guaranteed by the caller.
                let z = unsafe { W::load(token, rows.z.add((j + k) * BLOCK + at)) };
                let on = z.gt(zero);
                acc[0] = z.max(zero).mul_add(d, acc[0]);
                acc[1] = acc[1].add_where(on, d);
                for i in 0..D {
                    acc[2 + i] = acc[2 + i].add_where(on, v[i]);
                }
            }
        }
    }
    for (k, acc) in acc.iter().enumerate() {
        for (s, acc) in acc.iter().take(D + 2).enumerate() {
            let at = sums.wrapping_add((k * (D + 2) + s) * lanes);
            // SAFETY: values (k·(D + 2) + s)·LANES.. + LANES with k < U, s < D + 2: within the
            // U·(D + 2)·LANES the caller guarantees.
            unsafe { W::load(token, at).add(*acc).store(at) };
        }
    }
}

/// Each hidden unit's parameters side by side, as the passes over units read them: per unit j,
/// b1_j, W2_j and W1_ij for i < D (h·(D + 2) values, in `buffer`).
fn unit_params<'a, T: Real, const D: usize>(
    layers: &[super::Layer<T>],
    buffer: &'a mut Vec<T>,
) -> &'a [T] {
    let (hidden, output) = (&layers[0], &layers[1]);
    let h = hidden.n_out;
    buffer.clear();
    for j in 0..h {
        buffer.extend([hidden.b[j], output.w[j]]);
        buffer.extend((0..D).map(|i| hidden.w[i * h + j]));
    }
    buffer
}

/// The forward pass of V·LANES rows (`xv`): per hidden unit j, z_j = b1_j + Σ_i W1_ij·x_i, and
/// the output's z o = b2 + Σ_j W2_j·max(z_j, 0), returned; z_j is stored at `z + j·BLOCK` where
/// `z` is given (the training kernel keeps it for the backward pass; a prediction does not).
/// The one code of both, so that a prediction equals the next training step's ŷ to the bit.
///
/// # Safety
/// `params` must hold h·(D + 2) readable values ([`unit_params`]); with `z`, V·LANES writable
/// values at `z + j·BLOCK` for every j < h.
#[inline(always)]
unsafe fn forward_group<W: Wide, const D: usize>(
    token: W::Token,
    xv: [[W; V]; D],
    params: *const W::T,
    h: usize,
    b2: W::T,
    z: Option<*mut W::T>,
) -> [W; V] {
    let zero = W::splat(token, W::T::zero());
    let mut o = [W::splat(token, b2); V];
    for j in 0..h {
        // SAFETY: unit j < h's D + 2 values, j·(D + 2).. + D + 2 ≤ h·(D + 2), which the caller
        // guarantees readable.
        let (b, w2, w) = unsafe {
            let unit = params.add(j * (D + 2));
            (
                *unit,
                *unit.add(1),
                std::array::from_fn::<_, D, _>(|i| *unit.add(2 + i)),
            )
        };
        let (b, w2) = (W::splat(token, b), W::splat(token, w2));
        let mut wv = [b; D];
        for i in 0..D {
            wv[i] = W::splat(token, w[i]);
        }
        let w = wv;
        for u in 0..V {
            let mut z_j = b;
            for i in 0..D {
                z_j = xv[i][u].mul_add(w[i], z_j);
            }
            if let Some(z) = z {
                // SAFETY: unit j's values u·LANES.. + LANES < V·LANES at z + j·BLOCK, which the
                // caller guarantees writable.
                unsafe { z_j.store(z.add(j * BLOCK + u * W::LANES)) };
            }
            o[u] = z_j.max(zero).mul_add(w2, o[u]);
        }
    }
    o
}

/// σ(o) = 1 / (1 + e^(−clip(o, −666, 666))) of V vectors; clipping −o to [−666, 666] and then
/// to exp's range is clipping it to their intersection, once.
#[inline(always)]
fn sigmoid<W: Wide>(token: W::Token, o: [W; V]) -> [W; V] {
    let (lo, hi): (W, W) = (
        splat_of(token, W::EXP_RANGE.0.max(-666.0)),
        splat_of(token, W::EXP_RANGE.1.min(666.0)),
    );
    let (zero, one): (W, W) = (splat_of(token, 0.0), splat_of(token, 1.0));
    let mut x = o;
    for u in 0..V {
        x[u] = zero.sub(o[u]).max(lo).min(hi);
    }
    let mut p = exp(token, x);
    for u in 0..V {
        p[u] = one.div(one.add(p[u]));
    }
    p
}

/// ŷ of `rows` rows of x (row-major, D ≤ 4 inputs) through D → h (ReLU) → 1, into `out`: the
/// training kernel's forward pass and σ ([`forward_group`], [`sigmoid`]), so each value equals
/// the next training step's ŷ to the bit, with nothing stored but ŷ. A measurement pass (the
/// test rows every epoch) costs about a third of a training step this way.
#[inline(always)]
pub(super) fn predict<W: Wide, const D: usize>(
    token: W::Token,
    (layers, x, rows, scratch, out): PredictArgs<'_, W::T>,
) {
    let lanes = W::LANES;
    let group = V * lanes;
    let (hidden, output) = (&layers[0], &layers[1]);
    let h = hidden.n_out;
    assert!(
        D <= 4
            && group <= GROUP_MAX
            && hidden.w.len() >= D * h
            && hidden.b.len() >= h
            && output.w.len() >= h
            && x.len() >= rows * D
            && out.len() >= rows
    );
    let params = unit_params::<_, D>(layers, &mut scratch.params).as_ptr();
    let tail = aligned(&mut scratch.tail, 6 * GROUP_MAX);
    let (tail_x, tail_p) = tail.split_at_mut(4 * GROUP_MAX);
    for r0 in (0..rows).step_by(group) {
        let count = (rows - r0).min(group);
        let full = count == group;
        let x_g = if full {
            // SAFETY: r0 + group ≤ rows, and x holds rows·D values (asserted above).
            unsafe { x.as_ptr().add(r0 * D) }
        } else {
            // the last rows, when they do not fill a group: copied, zero-padded
            tail_x[..count * D].copy_from_slice(&x[r0 * D..(r0 + count) * D]);
            tail_x[count * D..group * D].fill(W::T::zero());
            tail_x.as_ptr()
        };
        // SAFETY: `x_g` gives group·D readable values: x's rows r0.. + group, or the tail's
        // 4·GROUP_MAX ≥ D·group; `params` holds h·(D + 2) values (`unit_params`); no z stored.
        let p = unsafe {
            let xv = load_inputs::<W, D, V>(token, x_g);
            sigmoid(
                token,
                forward_group::<W, D>(token, xv, params, h, output.b[0], None),
            )
        };
        let p_g = if full {
            &mut out[r0..r0 + group]
        } else {
            &mut tail_p[..group]
        };
        for u in 0..V {
            // SAFETY: values u·LANES.. + LANES ≤ group of `p_g`, which holds group values.
            unsafe { p[u].store(p_g.as_mut_ptr().add(u * lanes)) };
        }
        if !full {
            out[r0..rows].copy_from_slice(&tail_p[..count]);
        }
    }
}

/// Rows per block here: half the portable kernels' [`super::BLOCK`] (the scratch buffers are sized
/// for that), so that a block's z of 64 units stays in the L1 cache; measured faster at every size.
const BLOCK: usize = super::BLOCK / 2;

/// Vectors of rows per group: the forward and output passes work on V·LANES rows at a time.
pub(super) const V: usize = 4;
/// The most rows in a group (f32).
const GROUP_MAX: usize = V * 16;

/// The AVX-512 kernel over one chunk (see the module docs) of the network D → h (ReLU) → 1,
/// D ≤ 4 ([`super::vector_kernel_fits`]); x row-major (rows, D). Safe: `token` proves the CPU.
pub(super) fn chunk<W: Wide<Token = Avx512>>(token: Avx512, args: BlockArgs<'_, W::T>) {
    let layers = args.0;
    assert!(
        super::vector_kernel_fits(layers),
        "the AVX-512 kernel runs D → h (ReLU) → 1 with D ≤ 4"
    );
    // SAFETY: `chunk_avx512f` is compiled for AVX-512F and the features it implies; `token`
    // exists only where `Avx512::detect` found all of them on this CPU.
    unsafe {
        match layers[0].n_in {
            1 => chunk_avx512f::<W, 1>(token, args),
            2 => chunk_avx512f::<W, 2>(token, args),
            3 => chunk_avx512f::<W, 3>(token, args),
            _ => chunk_avx512f::<W, 4>(token, args),
        }
    }
}

/// ŷ of a block of rows through the AVX-512 forward pass ([`predict`]), for D → h (ReLU) → 1
/// with D ≤ 4. Safe: `token` proves the CPU.
pub(super) fn predict_block<W: Wide<Token = Avx512>>(token: Avx512, args: PredictArgs<'_, W::T>) {
    assert!(
        super::vector_kernel_fits(args.0),
        "the AVX-512 kernel runs D → h (ReLU) → 1 with D ≤ 4"
    );
    // SAFETY: `predict_avx512f` is compiled for AVX-512F and the features it implies; `token`
    // exists only where `Avx512::detect` found all of them on this CPU.
    unsafe {
        match args.0[0].n_in {
            1 => predict_avx512f::<W, 1>(token, args),
            2 => predict_avx512f::<W, 2>(token, args),
            3 => predict_avx512f::<W, 3>(token, args),
            _ => predict_avx512f::<W, 4>(token, args),
        }
    }
}

/// [`predict`] compiled for AVX-512F.
#[target_feature(enable = "avx512f")]
fn predict_avx512f<W: Wide<Token = Avx512>, const D: usize>(
    token: Avx512,
    args: PredictArgs<'_, W::T>,
) {
    predict::<W, D>(token, args);
}

/// [`kernel`] compiled for AVX-512F, so that the vectors' intrinsics inline into it.
#[target_feature(enable = "avx512f")]
fn chunk_avx512f<W: Wide<Token = Avx512>, const D: usize>(
    token: Avx512,
    args: BlockArgs<'_, W::T>,
) {
    kernel::<W, D>(token, args);
}

/// The kernel over one chunk, for any vector type `W` (the AVX-512 ones, and the tests' emulated
/// one).
#[inline(always)]
pub(super) fn kernel<W: Wide, const D: usize>(token: W::Token, args: BlockArgs<'_, W::T>) {
    let (layers, x, y, rows, scratch, partial, probabilities) = args;
    type Of<W> = <W as Wide>::T;
    let lanes = W::LANES;
    let group = V * lanes;
    let (hidden, output) = (&layers[0], &layers[1]);
    let h = hidden.n_out;
    let of = |v: f64| W::splat(token, Of::<W>::of(v));
    let zero = of(0.0);
    let (eps, one, half) = (of(crate::loss::EPSILON), of(1.0), of(0.5));
    let stride = (D + 2) * lanes; // per unit: Σ max(z,0)·dz, Σ dz, Σ dzx_i
    let single = std::mem::size_of::<Of<W>>() == 4; // f32 (f64 otherwise)
    let sums = aligned(&mut scratch.sums, h * stride);
    sums.fill(Of::<W>::zero());
    let (mut product, mut exponents, mut db2) = ([one; V], [zero; V], zero);

    // The block's buffers, each at least BLOCK rows per unit (or input), as raw pointers: the
    // kernel's stores would otherwise make the compiler reload them. (`aligned` slices them, so
    // their lengths are checked here: h·BLOCK, BLOCK, BLOCK and D·BLOCK values.)
    let z_hidden = aligned(&mut scratch.z[0], h * BLOCK).as_mut_ptr();
    let z_out = aligned(&mut scratch.z[1], BLOCK).as_mut_ptr();
    let (dz, dzx) = (
        aligned(&mut scratch.dz, BLOCK).as_mut_ptr(),
        aligned(&mut scratch.dz_below, D * BLOCK).as_mut_ptr(),
    );
    // what the pointer reads below rely on
    assert!(
        D <= 4
            && group <= BLOCK
            && BLOCK.is_multiple_of(group)
            && group <= GROUP_MAX
            && lanes <= 16
            && hidden.w.len() >= D * h
            && hidden.b.len() >= h
            && output.w.len() >= h
            && x.len() >= rows * D
            && y.len() >= rows
            && probabilities.len() >= rows
    );
    let params = unit_params::<_, D>(layers, &mut scratch.params).as_ptr(); // h·(D + 2) values
                                                                            // the last rows of the chunk, when they do not fill a group: copied here, zero-padded
    let tail = aligned(&mut scratch.tail, 6 * GROUP_MAX);
    let (tail_x, rest) = tail.split_at_mut(4 * GROUP_MAX);
    let (tail_y, tail_p) = rest.split_at_mut(GROUP_MAX);

    for block_start in (0..rows).step_by(BLOCK) {
        let n = (rows - block_start).min(BLOCK);
        // the block's rows rounded up to whole groups: padded ≤ BLOCK (BLOCK is a multiple of
        // the group), so every `r0 + u·LANES + LANES` below is ≤ padded ≤ BLOCK
        let padded = n.div_ceil(group) * group;
        if padded > n {
            let first = block_start + padded - group;
            let count = n - (padded - group);
            tail_x[..count * D].copy_from_slice(&x[first * D..(first + count) * D]);
            tail_x[count * D..].fill(Of::<W>::zero());
            tail_y[..count].copy_from_slice(&y[first..first + count]);
        }
        // the group of rows at r0: its x and y (group·D and group values readable), and whether
        // they are the tail's copies
        let rows_at = |r0: usize| {
            if r0 + group <= n {
                let first = block_start + r0;
                // SAFETY: first + group ≤ block_start + n ≤ rows, and x holds rows·D values,
                // y rows (asserted above): both offsets, and the group after them, are inside.
                unsafe { (x.as_ptr().add(first * D), y.as_ptr().add(first), false) }
            } else {
                (tail_x.as_ptr(), tail_y.as_ptr(), true)
            }
        };

        // forward: z of every unit, and the output's z, V vectors of rows at a time
        for r0 in (0..padded).step_by(group) {
            // SAFETY: `rows_at` gives group·D = V·LANES·D readable values: the chunk's rows, or
            // the tail's 4·GROUP_MAX ≥ D·group.
            let xv = unsafe { load_inputs::<W, D, V>(token, rows_at(r0).0) };
            // SAFETY: `params` holds h·(D + 2) values; unit j's rows r0.. + group ≤ padded ≤
            // BLOCK, inside z_hidden's h·BLOCK values.
            let o = unsafe {
                forward_group::<W, D>(token, xv, params, h, output.b[0], Some(z_hidden.add(r0)))
            };
            for (u, o) in o.iter().enumerate() {
                // SAFETY: rows r0 + u·LANES.. + LANES ≤ BLOCK, inside z_out's BLOCK values.
                unsafe { o.store(z_out.add(r0 + u * lanes)) };
            }
        }

        // output: ŷ, the loss and dz, V vectors at a time
        for r0 in (0..padded).step_by(group) {
            let (x_g, y_g, tail) = rows_at(r0);
            let o: [W; V] = std::array::from_fn(|u| {
                // SAFETY: rows r0 + u·LANES.. + LANES ≤ BLOCK, inside z_out's BLOCK values.
                unsafe { W::load(token, z_out.add(r0 + u * lanes)) }
            });
            let p = sigmoid(token, o);
            let p_g = if tail {
                tail_p.as_mut_ptr()
            } else {
                // SAFETY: a full group: block_start + r0 + group ≤ block_start + n ≤ rows ≤
                // probabilities.len() (asserted above).
                unsafe { probabilities.as_mut_ptr().add(block_start + r0) }
            };
            // SAFETY: as in the forward pass, `rows_at` gives V·LANES·D readable values.
            let xv = unsafe { load_inputs::<W, D, V>(token, x_g) };
            let mut q_group = [one; V];
            for u in 0..V {
                let at = r0 + u * lanes;
                // SAFETY: values u·LANES.. + LANES of the group's ŷ: `p_g` holds a group's
                // (GROUP_MAX in the tail, or the group's rows of `probabilities`, above).
                unsafe { p[u].store(p_g.add(u * lanes)) };
                // the lanes that hold rows (all of them outside the padded group)
                let valid = || W::first(token, n.saturating_sub(at));
                // SAFETY: the group's y at u·LANES.. + LANES: `rows_at` gives group values.
                let yv = unsafe { W::load(token, y_g.add(u * lanes)) };
                // log q with q = clip(p, ε, 1 − ε) where y = 1, 1 − q where y = 0
                let q = p[u].max(eps).min(one.sub(eps));
                let t = W::select(yv.gt(half), q, one.sub(q));
                // in f32, 1 − ε rounds to 1: keep log(1 − q) finite (the portable kernel's floor)
                let t = if single { t.max(eps) } else { t };
                // (the selects only matter in the padded group; full groups skip them)
                let t = if tail { W::select(valid(), t, one) } else { t };
                q_group[u] = t;
                // dz = p − y (nothing in the padding rows)
                let d = p[u].sub(yv);
                let d = if tail { W::select(valid(), d, zero) } else { d };
                db2 = db2.add(d);
                // SAFETY: rows at.. + LANES ≤ padded ≤ BLOCK, inside dz's BLOCK values.
                unsafe { d.store(dz.add(at)) };
                for i in 0..D {
                    // SAFETY: input i < D's rows at.. + LANES ≤ BLOCK, inside dzx's D·BLOCK.
                    unsafe { d.mul(xv[i][u]).store(dzx.add(i * BLOCK + at)) };
                }
            }
            // the group's q into the running products: all V at once in f64 (each q ≥ 1e-12 >
            // 2⁻⁴⁰, so their product stays above 2⁻¹⁶⁰), in pairs in f32 (four could underflow)
            let together = if single { 2 } else { V };
            for (k, qs) in q_group.chunks(together).enumerate() {
                let q = qs[1..].iter().fold(qs[0], |all, &q| all.mul(q));
                product[k] = product[k].mul(q);
                exponents[k] = exponents[k].add(product[k].exponent());
                product[k] = product[k].mantissa();
            }
            if tail {
                let count = n - r0;
                let first = block_start + r0;
                probabilities[first..first + count].copy_from_slice(&tail_p[..count]);
            }
        }

        // backward, W::UNITS (4 or 2) units at a time (they share the loads of dz and dzx)
        for j in (0..h).step_by(W::UNITS) {
            let rows = Rows {
                z: z_hidden,
                dz,
                dzx,
                padded,
            };
            let sums = sums.as_mut_ptr().wrapping_add(j * stride);
            // SAFETY: `padded` ≤ BLOCK rows of dz (BLOCK values), dzx (D·BLOCK) and z of the
            // units below j + U ≤ h (h·BLOCK); `sums` from unit j holds (h − j)·stride ≥
            // U·(D + 2)·LANES values of the h·stride sliced above (U = h − j, or less: at most
            // W::UNITS ≤ 4).
            unsafe {
                match (h - j).min(W::UNITS) {
                    1 => backward::<W, D, 1>(token, rows, j, sums),
                    2 => backward::<W, D, 2>(token, rows, j, sums),
                    3 => backward::<W, D, 3>(token, rows, j, sums),
                    _ => backward::<W, D, 4>(token, rows, j, sums),
                }
            }
        }
    }

    // the chunk's sums into the partial gradients
    let total = |at: usize| -> Of<W> { W::load_from(token, &sums[at..at + lanes]).sum() };
    for j in 0..h {
        let w2 = output.w[j];
        partial.dw[1][j] = partial.dw[1][j] + total(j * stride);
        partial.db[0][j] = w2.mul_add(total(j * stride + lanes), partial.db[0][j]);
        for i in 0..D {
            let g = &mut partial.dw[0][i * h + j];
            *g = w2.mul_add(total(j * stride + (2 + i) * lanes), *g);
        }
    }
    partial.db[1][0] = partial.db[1][0] + db2.sum();
    // Σ log q = (Σ exponents)·ln 2 + log Π mantissas: the V products into one, then its lanes
    // (each mantissa is in [1, 2), so the product of the lanes stays below 2^16), and one log
    let (mut mantissa, mut exponent) = (product[0], exponents[0]);
    for u in 1..V {
        mantissa = mantissa.mul(product[u]);
        exponent = exponent.add(exponents[u]).add(mantissa.exponent());
        mantissa = mantissa.mantissa();
    }
    let (mantissas, exponents) = (mantissa.lanes(), exponent.lanes());
    let (mut m, mut e) = (Of::<W>::of(1.0), Of::<W>::zero());
    for k in 0..lanes {
        m = m * mantissas[k];
        e = e + exponents[k];
    }
    let ln2 = Of::<W>::of(std::f64::consts::LN_2);
    partial.loss = partial.loss + e.mul_add(ln2, m.ln_fast());
}

/// The vectors' semantics in plain scalars, lane by lane, so that the tests run the kernel's logic
/// (its groups, tails, masks and unit variants) on any CPU: the token is `()`, and no AVX-512
/// instruction is involved. Each method does what its instruction does (Intel's pseudocode),
/// including `max`/`min`'s operand order, `round`'s ties to even and `sum`'s halving order.
#[cfg(test)]
pub(super) mod emulated {
    use super::*;

    /// `L` lanes of `T`.
    #[derive(Clone, Copy, Debug)]
    pub(crate) struct Emulated<T, const L: usize>([T; L]);

    impl<T: Copy, const L: usize> Emulated<T, L> {
        fn map(self, f: impl Fn(T) -> T) -> Self {
            Self(self.0.map(f))
        }
        fn zip(self, b: Self, f: impl Fn(T, T) -> T) -> Self {
            Self(std::array::from_fn(|k| f(self.0[k], b.0[k])))
        }
        fn mask(mask: u16, f: impl Fn(usize, bool) -> T) -> Self {
            Self(std::array::from_fn(|k| f(k, mask >> k & 1 == 1)))
        }
    }

    macro_rules! emulated {
        ($t:ty, $lanes:expr, $real:ty, $units:expr) => {
            impl Wide for Emulated<$t, $lanes> {
                type T = $t;
                type Token = ();
                const LANES: usize = $lanes;
                const EXP_RANGE: (f64, f64) = <$real as Wide>::EXP_RANGE;
                const LN2: (f64, f64) = <$real as Wide>::LN2;
                const EXP: &'static [f64] = <$real as Wide>::EXP;
                const UNITS: usize = $units;
                type Mask = u16;
                fn splat(_: (), v: $t) -> Self {
                    Self([v; $lanes])
                }
                unsafe fn load(_: (), p: *const $t) -> Self {
                    // SAFETY: the caller guarantees `LANES` readable values at `p` (the
                    // contract of `load`); `read_unaligned` needs no alignment.
                    Self(unsafe { p.cast::<[$t; $lanes]>().read_unaligned() })
                }
                unsafe fn store(self, p: *mut $t) {
                    // SAFETY: the caller guarantees `LANES` writable values at `p` (the
                    // contract of `store`); `write_unaligned` needs no alignment.
                    unsafe { p.cast::<[$t; $lanes]>().write_unaligned(self.0) }
                }
                fn add(self, b: Self) -> Self {
                    self.zip(b, |a, b| a + b)
                }
                fn sub(self, b: Self) -> Self {
                    self.zip(b, |a, b| a - b)
                }
                fn mul(self, b: Self) -> Self {
                    self.zip(b, |a, b| a * b)
                }
                fn div(self, b: Self) -> Self {
                    self.zip(b, |a, b| a / b)
                }
                fn mul_add(self, a: Self, b: Self) -> Self {
                    Self(std::array::from_fn(|k| self.0[k].mul_add(a.0[k], b.0[k])))
                }
                fn max(self, b: Self) -> Self {
                    self.zip(b, |a, b| if a > b { a } else { b })
                }
                fn min(self, b: Self) -> Self {
                    self.zip(b, |a, b| if a < b { a } else { b })
                }
                fn gt(self, b: Self) -> u16 {
                    (0..$lanes).fold(0, |m, k| m | (u16::from(self.0[k] > b.0[k]) << k))
                }
                fn first(_: (), count: usize) -> u16 {
                    ((1u32 << count.min($lanes)) - 1) as u16
                }
                fn add_where(self, mask: u16, v: Self) -> Self {
                    Self::mask(
                        mask,
                        |k, on| if on { self.0[k] + v.0[k] } else { self.0[k] },
                    )
                }
                fn select(mask: u16, yes: Self, no: Self) -> Self {
                    Self::mask(mask, |k, on| if on { yes.0[k] } else { no.0[k] })
                }
                fn round(self) -> Self {
                    self.map(<$t>::round_ties_even)
                }
                fn scale(self, n: Self) -> Self {
                    // a·2ⁿ rounded once: exact in f64 for f32's a, and 2ⁿ normal in f64 for
                    // every n ≥ −1022 (the kernel's exp makes n ≥ −961)
                    self.zip(n, |a, n| (f64::from(a) * 2f64.powi(n.floor() as i32)) as $t)
                }
                fn exponent(self) -> Self {
                    self.map(|a| {
                        let (m, e, _) = Float::integer_decode(a);
                        if m == 0 {
                            <$t>::NEG_INFINITY
                        } else {
                            (i32::from(e) + 63 - m.leading_zeros() as i32) as $t
                        }
                    })
                }
                fn mantissa(self) -> Self {
                    self.map(|a| {
                        let (m, _, sign) = Float::integer_decode(a);
                        let bits = 64 - m.leading_zeros() as i32;
                        // m as $t is exact (53 or 24 bits at most), and so is the scaling
                        (m as $t) * (2.0 as $t).powi(1 - bits.max(1)) * <$t>::from(sign)
                    })
                }
                fn lanes(self) -> [$t; 16] {
                    let mut out = [<$t>::default(); 16];
                    out[..$lanes].copy_from_slice(&self.0);
                    out
                }
                fn sum(self) -> $t {
                    // upper half onto lower half, until one lane is left
                    let mut v = self.0;
                    let mut n = $lanes;
                    while n > 1 {
                        n /= 2;
                        for k in 0..n {
                            v[k] += v[k + n];
                        }
                    }
                    v[0]
                }
                fn deinterleave(a: Self, b: Self) -> (Self, Self) {
                    let half = $lanes / 2;
                    let pick = |first: usize| {
                        Self(std::array::from_fn(|k| {
                            if k < half {
                                a.0[2 * k + first]
                            } else {
                                b.0[2 * (k - half) + first]
                            }
                        }))
                    };
                    (pick(0), pick(1))
                }
            }
        };
    }
    emulated!(f64, 8, F64x8, 4);
    emulated!(f32, 16, F32x16, 4);
    // AVX2's widths (`fast/avx2.rs`), with its two units per backward pass
    emulated!(f64, 4, F64x8, 2);
    emulated!(f32, 8, F32x16, 2);

    /// The kernel over one chunk, on emulated vectors of `W`.
    pub(crate) fn chunk<W: Wide<Token = ()>>(args: BlockArgs<'_, W::T>) {
        assert!(super::super::vector_kernel_fits(args.0));
        match args.0[0].n_in {
            1 => kernel::<W, 1>((), args),
            2 => kernel::<W, 2>((), args),
            3 => kernel::<W, 3>((), args),
            _ => kernel::<W, 4>((), args),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::emulated::Emulated;
    use super::*;

    /// e^x for V vectors of `W` (the kernel's exp), lane by lane.
    #[inline(always)]
    fn exp_of<W: Wide>(token: W::Token, x: &[W::T]) -> Vec<W::T> {
        let v: [W; V] = std::array::from_fn(|u| W::load_from(token, &x[u * W::LANES..]));
        exp(token, v)
            .iter()
            .flat_map(|v| v.lanes()[..W::LANES].to_vec())
            .collect()
    }

    /// [`exp_of`] compiled for AVX-512F, as the kernel is.
    #[target_feature(enable = "avx512f")]
    fn exp_avx512<W: Wide<Token = Avx512>>(token: Avx512, x: &[W::T]) -> Vec<W::T> {
        exp_of::<W>(token, x)
    }

    /// The worst relative difference of `exp` from libm, in units of the type's epsilon, over
    /// `range`, V·LANES values at a time.
    fn worst<W: Wide>(
        range: (f64, f64),
        exp: impl Fn(&[W::T]) -> Vec<W::T>,
        libm: impl Fn(W::T) -> W::T,
    ) -> f64 {
        let n = V * W::LANES;
        let mut worst: f64 = 0.0;
        for start in (0..20_000).step_by(n) {
            let x: Vec<W::T> = (start..start + n)
                .map(|k| W::T::of(range.0 + (range.1 - range.0) * (k as f64 + 0.37) / 20_000.0))
                .collect();
            for (&x, &got) in x.iter().zip(&exp(&x)) {
                let want = libm(x);
                let ulps = ((got - want) / want).abs() / W::T::epsilon();
                worst = worst.max(ulps.as_f64());
            }
        }
        worst
    }

    /// What the CPU reports, asked directly: the features `Avx512::detect` must require.
    fn cpu_has_avx512() -> bool {
        use std::arch::is_x86_feature_detected as has;
        has!("avx512f")
            && has!("avx2")
            && has!("avx")
            && has!("fma")
            && has!("f16c")
            && has!("sse4.2")
            && has!("sse4.1")
            && has!("ssse3")
            && has!("sse3")
    }

    #[test]
    fn vector_exp_is_within_2_ulp_of_libm_in_f64_and_4_in_f32() {
        // σ calls it on [−666, 666] in f64, on exp's own range in f32
        let (f64_range, f32_range) = ((-666.0, 666.0), (-87.0, 88.0));
        // The polynomial and the reduction on emulated vectors, on every CPU.
        let f64_worst =
            worst::<Emulated<f64, 8>>(f64_range, |x| exp_of::<Emulated<f64, 8>>((), x), f64::exp);
        assert!(f64_worst <= 2.0, "emulated f64: worst {f64_worst} ulp");
        let f32_worst =
            worst::<Emulated<f32, 16>>(f32_range, |x| exp_of::<Emulated<f32, 16>>((), x), f32::exp);
        assert!(f32_worst <= 4.0, "emulated f32: worst {f32_worst} ulp");
        // The AVX-512 instructions, where the CPU has them.
        assert_eq!(Avx512::detect().is_some(), cpu_has_avx512());
        let Some(token) = Avx512::detect() else {
            eprintln!(
                "NOTE: this CPU has no AVX-512F: the vector exp was checked on emulated vectors \
                 only (its arithmetic), not with the AVX-512 instructions (no token: they cannot run)"
            );
            return;
        };
        // SAFETY: `token` proves AVX-512F, what `exp_avx512` is compiled for.
        let f64_worst = worst::<F64x8>(
            f64_range,
            |x| unsafe { exp_avx512::<F64x8>(token, x) },
            f64::exp,
        );
        assert!(f64_worst <= 2.0, "AVX-512 f64: worst {f64_worst} ulp");
        // SAFETY: as above.
        let f32_worst = worst::<F32x16>(
            f32_range,
            |x| unsafe { exp_avx512::<F32x16>(token, x) },
            f32::exp,
        );
        assert!(f32_worst <= 4.0, "AVX-512 f32: worst {f32_worst} ulp");
    }

    use ndarray::{Array1, Array2};
    use nnlab_data::RandomState;

    use super::super::{FastEngine, Partial, Scratch, CHUNK_BLOCKS};
    use crate::{
        notebook_init, Activation, Batch, Engine, ManualEngine, Mlp, ModelSpec, Parameter,
    };

    /// m rows of d standard normals, labelled by the side of a curve through them.
    fn rows(m: usize, d: usize, seed: u32) -> (Array2<f64>, Array1<f64>) {
        let mut rng = RandomState::new(seed);
        let x = rng.randn(m, d);
        let y = x
            .rows()
            .into_iter()
            .map(|r| f64::from(u8::from(r[0] > (2.0 * r[d - 1]).sin() + 0.3 * r.sum())))
            .collect();
        (x, y)
    }

    /// A D-h-1 ReLU net with the notebook's weights and nonzero biases (so that they count).
    fn network(d: usize, h: usize, seed: u32) -> (ModelSpec, Mlp) {
        let spec = ModelSpec::new(d, vec![h], Activation::Relu).unwrap();
        let mut mlp = notebook_init(&spec, seed);
        let mut rng = RandomState::new(seed + 1);
        for layer in &mut mlp.layers {
            layer.b.mapv_inplace(|_| 0.5 * rng.standard_normal());
        }
        (spec, mlp)
    }

    /// One step by the AVX-512 kernel's code on emulated vectors `W`, chunk by chunk as
    /// `FastEngine::gradient_sums` runs it on one thread: the loss, the gradients and ŷ.
    fn emulated_step<W: Wide<Token = ()>>(
        spec: &ModelSpec,
        mlp: &Mlp,
        x: &Array2<f64>,
        y: &Array1<f64>,
    ) -> (f64, Vec<Parameter>, Vec<f64>) {
        let mut engine = FastEngine::<W::T>::new(spec.clone(), mlp, Some(1)).unwrap();
        let m = x.nrows();
        let xs: Vec<W::T> = x.iter().map(|&v| W::T::of(v)).collect(); // row-major
        let ys: Vec<W::T> = y.iter().map(|&v| W::T::of(v)).collect();
        let (n_in, chunk_rows) = (spec.input_size(), super::super::BLOCK * CHUNK_BLOCKS);
        let layers = &engine.layers;
        let mut scratch = Scratch::new(layers);
        let mut total = Partial {
            dw: layers
                .iter()
                .map(|l| vec![W::T::zero(); l.n_in * l.n_out])
                .collect(),
            db: layers.iter().map(|l| vec![W::T::zero(); l.n_out]).collect(),
            loss: W::T::zero(),
        };
        let mut partial = total.clone();
        let mut p = vec![W::T::zero(); m];
        for start in (0..m).step_by(chunk_rows) {
            let end = (start + chunk_rows).min(m);
            partial.clear();
            emulated::chunk::<W>((
                layers,
                &xs[start * n_in..end * n_in],
                &ys[start..end],
                end - start,
                &mut scratch,
                &mut partial,
                &mut p[start..end],
            ));
            total.add(&partial);
        }
        let loss = -(total.loss.as_f64() / m as f64);
        engine.partials = vec![total];
        engine.rows = m;
        (
            loss,
            engine.gradients(),
            p.iter().map(|p| p.as_f64()).collect(),
        )
    }

    /// The worst differences |a − b| / (|b| + 1) of the emulated kernel's loss, gradients and ŷ
    /// from the readable engine's, for a D-h-1 net on m rows.
    fn differences<W: Wide<Token = ()>>(d: usize, h: usize, m: usize) -> [f64; 3] {
        let (x, y) = rows(m, d, (1000 * d + 10 * h + m) as u32);
        let (spec, mlp) = network(d, h, (d + h) as u32);
        let mut readable = ManualEngine::new(spec.clone(), mlp.clone()).unwrap();
        let want = readable
            .forward_backward(&Batch::new(x.view(), y.view()))
            .unwrap();
        let want_p = readable.outputs(&x).unwrap();
        let (loss, gradients, p) = emulated_step::<W>(&spec, &mlp, &x, &y);
        let off = |a: f64, b: f64| (a - b).abs() / (b.abs() + 1.0);
        let values = |ps: &[Parameter]| -> Vec<f64> {
            ps.iter().flat_map(|p| p.values.iter().copied()).collect()
        };
        let (got, wanted) = (values(&gradients), values(&readable.gradients()));
        assert_eq!(got.len(), wanted.len());
        let worst = |pairs: &mut dyn Iterator<Item = (f64, f64)>| {
            pairs.map(|(a, b)| off(a, b)).fold(0.0, f64::max)
        };
        [
            off(loss, want.loss),
            worst(&mut got.into_iter().zip(wanted)),
            worst(&mut p.iter().copied().zip(want_p.iter().copied())),
        ]
    }

    /// Widths h = 1 to 8, 10 and 14 take every backward variant (4 units at a time, then the
    /// h mod 4 = 1, 2 or 3 left, or none) with 0, 1, 2 and 3 groups of four before it, and 64 the
    /// notebook-sized one; D = 1 to 4 every input load.
    const WIDTHS: [usize; 11] = [1, 2, 3, 4, 5, 6, 7, 8, 10, 14, 64];

    /// Runs `differences` over every width and input count and the row counts `rows`, and checks
    /// the worst of each against `tolerance` (loss, gradients, ŷ).
    fn check<W: Wide<Token = ()>>(rows: &[usize], tolerance: [f64; 3]) {
        for d in 1..=4 {
            for h in WIDTHS {
                for &m in rows {
                    let got = differences::<W>(d, h, m);
                    for (what, (got, allowed)) in ["loss", "gradient", "ŷ"]
                        .iter()
                        .zip(got.iter().zip(tolerance))
                    {
                        assert!(
                            *got <= allowed,
                            "{}-{h}-1, {m} rows, {} lanes: {what} off by {got:e} (allowed {allowed:e})",
                            d,
                            W::LANES
                        );
                    }
                }
            }
        }
    }

    /// The kernel's code in f64 on emulated vectors (8 lanes, groups of 32 rows, blocks of 128,
    /// chunks of 4096) against the readable engine, every backward variant, every partial group,
    /// block and chunk: 1 row; a partial group; a group and a bit; a partial and a full block and
    /// a bit; a chunk and a bit.
    ///
    /// Tolerance: |a − b| ≤ 1e-12·(|b| + 1), the fast path's established 1e-12 (tests/fast_path.rs)
    /// with a floor for values near zero. Both engines add the same m ≤ 4097 terms (of size ≲ 1)
    /// in different orders; the rounding of such sums is ~√m·ε·(mean term) ≈ 1e-14 (measured
    /// worst: 6e-15). A row dropped or counted twice, or a unit's sums added to its neighbour's,
    /// moves values by about (one term)/m ≥ 1e-4.
    #[test]
    fn kernel_code_in_f64_follows_the_readable_engine_on_emulated_vectors() {
        check::<Emulated<f64, 8>>(
            &[1, 7, 31, 33, 100, 128, 129, 255, 257, 4095, 4097],
            [1e-12; 3],
        );
    }

    /// The same in f32 (16 lanes, groups of 64 rows): tail groups of 1, 7, 15 and 17 rows alone,
    /// and after whole groups, blocks and a chunk.
    ///
    /// Tolerance, of |a − b| / (|b| + 1): 1e-5 for the gradients and ŷ, 2e-5 for the loss. The
    /// f32 kernel rounds inputs and weights to f32 (relative 6e-8) and adds each sum in 16 lanes
    /// of up to 4097/16 ≈ 256 terms: rounding that walks like √256·6e-8 ≈ 1e-6 of the terms' size
    /// (measured worst: 1.4e-7 in the gradients, 1e-7 in ŷ). The loss's log(1 − ŷ) also divides
    /// ŷ's rounding by 1 − ŷ, up to 1e4 times for the confident rows of these nets (measured
    /// worst: 2.4e-6, a 63-row batch). A row dropped or counted twice moves the loss or a gradient
    /// by about a term's size over m, ≥ 2.4e-4 for m ≤ 4097: more than ten times either.
    #[test]
    fn kernel_code_in_f32_tail_groups_follows_the_readable_engine_on_emulated_vectors() {
        check::<Emulated<f32, 16>>(
            &[1, 7, 15, 17, 63, 65, 127, 129, 255, 257, 4095, 4097],
            [2e-5, 1e-5, 1e-5],
        );
    }

    /// The kernel's code at AVX2's widths (`fast/avx2.rs`: 4 f64 lanes, groups of 16 rows; 8 f32
    /// lanes, groups of 32; two units per backward pass), with the tolerances above and their
    /// reasons (fewer lanes only make each lane's sum longer, by at most the factor the bounds
    /// leave): tail groups alone and after whole groups, blocks and a chunk.
    #[test]
    fn kernel_code_at_avx2_widths_follows_the_readable_engine_on_emulated_vectors() {
        check::<Emulated<f64, 4>>(&[1, 3, 15, 17, 100, 128, 129, 4095, 4097], [1e-12; 3]);
        check::<Emulated<f32, 8>>(&[1, 7, 9, 31, 33, 127, 129, 4095, 4097], [2e-5, 1e-5, 1e-5]);
    }

    /// The emulated vectors against the AVX-512 instructions they stand for, on values like the
    /// kernel's (and signed zeros, ties, a subnormal-making one), where the CPU has them;
    /// elsewhere only their own definitions are checked. (`exponent` and `mantissa` on positive
    /// normal values only: the kernel applies them to products of probabilities.)
    #[test]
    fn emulated_vectors_do_what_the_instructions_do() {
        let values: Vec<f64> = (0..64)
            .map(|k| match k {
                0 => 0.0,
                1 => -0.0,
                2 => 0.5,
                3 => 1e-300,
                4 => 2.5,
                5 => -3.5,
                6 => 709.0,
                _ => (k as f64 * 0.7312).sin() * 10f64.powi(k % 7 - 3),
            })
            .collect();
        // ⌊log₂|x|⌋ and the mantissa: x = mantissa·2^exponent exactly, mantissa in [1, 2)
        let e = Emulated::<f64, 8>::load_from((), &values[3..])
            .exponent()
            .lanes();
        let m = Emulated::<f64, 8>::load_from((), &values[3..])
            .mantissa()
            .lanes();
        for k in 0..8 {
            let x = values[3 + k];
            assert_eq!(m[k] * 2f64.powi(e[k] as i32), x, "{x}");
            assert!((1.0..2.0).contains(&m[k].abs()), "{x}: mantissa {}", m[k]);
        }
        let Some(token) = Avx512::detect() else {
            eprintln!(
                "NOTE: this CPU has no AVX-512F: the emulated vectors were checked against their \
                 own definitions only, not against the AVX-512 instructions"
            );
            return;
        };
        // SAFETY: `token` proves AVX-512F, what `compare_on` is compiled for.
        unsafe { compare_on::<F64x8, Emulated<f64, 8>>(token, &values) };
        let values: Vec<f32> = values.iter().map(|&v| v as f32).collect();
        // SAFETY: as above.
        unsafe { compare_on::<F32x16, Emulated<f32, 16>>(token, &values) };
    }

    type Lanes<W> = [<W as Wide>::T; 16];

    /// Every operation of `A` (AVX-512) and `E` (emulated) on the same lanes, bit for bit.
    #[target_feature(enable = "avx512f")]
    fn compare_on<
        A: Wide<Token = Avx512, Mask = u16>,
        E: Wide<T = A::T, Token = (), Mask = u16>,
    >(
        token: Avx512,
        values: &[A::T],
    ) {
        let n = A::LANES;
        let bits = |v: [A::T; 16]| {
            v.map(|x| {
                if x.is_nan() {
                    u64::MAX
                } else {
                    x.as_f64().to_bits()
                }
            })
        };
        for start in (0..values.len() - 3 * n).step_by(n) {
            let [a, b, c] = [0, 1, 2].map(|k| A::load_from(token, &values[start + k * n..]));
            let [p, q, r] = [0, 1, 2].map(|k| E::load_from((), &values[start + k * n..]));
            let mask = 0b1010_0110_1100_1011;
            let tiny = A::T::of(1e-30);
            let (a2, p2) = (
                a.mul(a).add(A::splat(token, tiny)),
                p.mul(p).add(E::splat((), tiny)),
            );
            let pairs: [(Lanes<A>, Lanes<A>, &str); 16] = [
                (a.add(b).lanes(), p.add(q).lanes(), "add"),
                (a.sub(b).lanes(), p.sub(q).lanes(), "sub"),
                (a.mul(b).lanes(), p.mul(q).lanes(), "mul"),
                (a.div(b).lanes(), p.div(q).lanes(), "div"),
                (a.mul_add(b, c).lanes(), p.mul_add(q, r).lanes(), "mul_add"),
                (a.max(b).lanes(), p.max(q).lanes(), "max"),
                (a.min(b).lanes(), p.min(q).lanes(), "min"),
                (
                    a.add_where(mask, b).lanes(),
                    p.add_where(mask, q).lanes(),
                    "add_where",
                ),
                (
                    A::select(mask, a, b).lanes(),
                    E::select(mask, p, q).lanes(),
                    "select",
                ),
                (a.round().lanes(), p.round().lanes(), "round"),
                (
                    a.scale(b.round().min(A::splat(token, A::T::of(50.0))))
                        .lanes(),
                    p.scale(q.round().min(E::splat((), A::T::of(50.0)))).lanes(),
                    "scale",
                ),
                (a2.exponent().lanes(), p2.exponent().lanes(), "exponent"),
                (a2.mantissa().lanes(), p2.mantissa().lanes(), "mantissa"),
                (
                    A::deinterleave(a, b).0.lanes(),
                    E::deinterleave(p, q).0.lanes(),
                    "deinterleave even",
                ),
                (
                    A::deinterleave(a, b).1.lanes(),
                    E::deinterleave(p, q).1.lanes(),
                    "deinterleave odd",
                ),
                ([a.sum(); 16], [p.sum(); 16], "sum"),
            ];
            for (want, got, what) in pairs {
                assert_eq!(bits(got), bits(want), "{what} at {start}");
            }
            assert_eq!(a.gt(b), p.gt(q), "gt at {start}");
        }
    }
}
