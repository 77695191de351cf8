//! The notebook's shape, D → h (ReLU) → 1 (σ), with AVX-512 vectors written out: the compiler
//! does not keep a register-blocked kernel in registers on its own, so here the vectors are
//! explicit (`std::arch`). Used when the CPU has AVX-512F; other CPUs take the portable kernel.
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

use std::arch::x86_64::*;

use num_traits::{Float, Zero};

use super::{BlockArgs, Real};

/// Whether this CPU runs the kernels of this module.
pub(super) fn available() -> bool {
    is_x86_feature_detected!("avx512f")
}

/// One 512-bit vector of f64 (8 lanes) or f32 (16). Only made inside the `avx512f` kernel below,
/// which runs after [`available`]; the `unsafe` blocks rely on that.
pub(super) trait Wide: Copy {
    type T: Real;
    const LANES: usize;
    /// e^x's clamp, as the scalar `fastmath::exp`s: [−708, 709] in f64, [−87, 88] in f32.
    const EXP_RANGE: (f64, f64);
    /// ln 2 in two parts (the first exact times any exponent) and 1/k! up to the series' end.
    const LN2: (f64, f64);
    /// e^r's polynomial on |r| ≤ ln 2 / 2 (`EXP_F64` or `EXP_F32`; 12 terms at most).
    const EXP: &'static [f64];
    fn splat(v: Self::T) -> Self;
    /// # Safety
    /// `LANES` values from `p` must be readable.
    unsafe fn load(p: *const Self::T) -> Self;
    /// # Safety
    /// `LANES` values from `p` must be writable.
    unsafe fn store(self, p: *mut Self::T);
    fn add(self, b: Self) -> Self;
    fn sub(self, b: Self) -> Self;
    fn mul(self, b: Self) -> Self;
    fn div(self, b: Self) -> Self;
    /// self·a + b, one rounding.
    fn mul_add(self, a: Self, b: Self) -> Self;
    fn max(self, b: Self) -> Self;
    fn min(self, b: Self) -> Self;
    /// The lanes where self > b.
    fn gt(self, b: Self) -> u16;
    /// self + v in the lanes of `mask`, self elsewhere.
    fn add_where(self, mask: u16, v: Self) -> Self;
    /// `yes` in the lanes of `mask`, `no` elsewhere.
    fn select(mask: u16, yes: Self, no: Self) -> Self;
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
        #[derive(Clone, Copy)]
        pub(super) struct $name($v);

        // SAFETY (every block): these values exist only inside `chunk`, which runs with avx512f
        // enabled after `available()` said the CPU has it.
        impl Wide for $name {
            type T = $t;
            const LANES: usize = $lanes;
            const EXP_RANGE: (f64, f64) = $exp_range;
            const LN2: (f64, f64) = $ln2;
            const EXP: &'static [f64] = &$exp;
            #[inline(always)]
            fn splat(v: $t) -> Self {
                Self(unsafe { $set1(v) })
            }
            #[inline(always)]
            unsafe fn load(p: *const $t) -> Self {
                Self(unsafe { $loadu(p) })
            }
            #[inline(always)]
            unsafe fn store(self, p: *mut $t) {
                unsafe { $storeu(p, self.0) }
            }
            #[inline(always)]
            fn add(self, b: Self) -> Self {
                Self(unsafe { $add(self.0, b.0) })
            }
            #[inline(always)]
            fn sub(self, b: Self) -> Self {
                Self(unsafe { $sub(self.0, b.0) })
            }
            #[inline(always)]
            fn mul(self, b: Self) -> Self {
                Self(unsafe { $mul(self.0, b.0) })
            }
            #[inline(always)]
            fn div(self, b: Self) -> Self {
                Self(unsafe { $div(self.0, b.0) })
            }
            #[inline(always)]
            fn mul_add(self, a: Self, b: Self) -> Self {
                Self(unsafe { $fmadd(self.0, a.0, b.0) })
            }
            #[inline(always)]
            fn max(self, b: Self) -> Self {
                Self(unsafe { $max(self.0, b.0) })
            }
            #[inline(always)]
            fn min(self, b: Self) -> Self {
                Self(unsafe { $min(self.0, b.0) })
            }
            #[inline(always)]
            fn gt(self, b: Self) -> u16 {
                (unsafe { $cmp::<_CMP_GT_OQ>(self.0, b.0) }) as u16
            }
            #[inline(always)]
            fn add_where(self, mask: u16, v: Self) -> Self {
                Self(unsafe { $mask_add(self.0, mask as $mask, self.0, v.0) })
            }
            #[inline(always)]
            fn select(mask: u16, yes: Self, no: Self) -> Self {
                Self(unsafe { $blend(mask as $mask, no.0, yes.0) })
            }
            #[inline(always)]
            fn round(self) -> Self {
                Self(unsafe {
                    $roundscale::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>(self.0)
                })
            }
            #[inline(always)]
            fn scale(self, n: Self) -> Self {
                Self(unsafe { $scalef(self.0, n.0) })
            }
            #[inline(always)]
            fn exponent(self) -> Self {
                Self(unsafe { $getexp(self.0) })
            }
            #[inline(always)]
            fn mantissa(self) -> Self {
                Self(unsafe { $getmant::<_MM_MANT_NORM_1_2, _MM_MANT_SIGN_SRC>(self.0) })
            }
            #[inline(always)]
            fn deinterleave(a: Self, b: Self) -> (Self, Self) {
                unsafe {
                    (
                        Self($permute(a.0, $even, b.0)),
                        Self($permute(a.0, $odd, b.0)),
                    )
                }
            }
            #[inline(always)]
            fn sum(self) -> $t {
                unsafe { $reduce(self.0) }
            }
            #[inline(always)]
            fn lanes(self) -> [$t; 16] {
                let mut out = [<$t>::default(); 16];
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

/// eˣ of V vectors, x within `W::EXP_RANGE` (the caller clamps): x = n·ln 2 + r with
/// |r| ≤ ln 2 / 2, e^r by the polynomial `W::EXP`, times 2ⁿ. Each step is taken for all V
/// vectors before the next, so that their independent chains interleave.
#[inline(always)]
fn exp<W: Wide, const V: usize>(x: [W; V]) -> [W; V] {
    let of = |v: f64| W::splat(W::T::of(v));
    let n = x.map(|x| x.mul(of(std::f64::consts::LOG2_E)).round());
    let r: [W; V] = std::array::from_fn(|u| n[u].mul_add(of(-W::LN2.0), x[u]));
    let r: [W; V] = std::array::from_fn(|u| n[u].mul_add(of(-W::LN2.1), r[u]));
    // Σ c_k·r^k by Estrin's scheme: pairs c_2k + c_2k+1·r, then pairs of those with r², then r⁴
    // and r⁸: Horner's terms in a shallower tree (a quarter of its latency). 12 or 7 terms.
    let terms = W::EXP.len();
    let pair = |k: usize| -> [W; V] {
        std::array::from_fn(|u| match W::EXP.get(2 * k + 1) {
            Some(&odd) => of(odd).mul_add(r[u], of(W::EXP[2 * k])),
            None => of(W::EXP[2 * k]),
        })
    };
    let r2 = r.map(|r| r.mul(r));
    let r4 = r2.map(|r2| r2.mul(r2));
    let (p0, p1, p2, p3) = (pair(0), pair(1), pair(2), pair(3));
    let q0: [W; V] = std::array::from_fn(|u| p1[u].mul_add(r2[u], p0[u]));
    let q1: [W; V] = std::array::from_fn(|u| p3[u].mul_add(r2[u], p2[u]));
    let mut p: [W; V] = std::array::from_fn(|u| q1[u].mul_add(r4[u], q0[u]));
    if terms > 8 {
        let (p4, p5) = (pair(4), pair(5));
        let q2: [W; V] = std::array::from_fn(|u| p5[u].mul_add(r2[u], p4[u]));
        p = std::array::from_fn(|u| q2[u].mul_add(r4[u].mul(r4[u]), p[u]));
    }
    std::array::from_fn(|u| p[u].scale(n[u]))
}

/// x_i of V·LANES rows, from `src`: those rows of a row-major (·, D) array.
///
/// # Safety
/// V·LANES·D values from `src` must be readable.
#[inline(always)]
unsafe fn load_inputs<W: Wide, const D: usize, const V: usize>(src: *const W::T) -> [[W; V]; D] {
    let lanes = W::LANES;
    let mut xv = [[W::splat(W::T::zero()); V]; D];
    match D {
        1 => {
            for u in 0..V {
                xv[0][u] = unsafe { W::load(src.add(u * lanes)) };
            }
        }
        2 => {
            for u in 0..V {
                let a = unsafe { W::load(src.add(2 * u * lanes)) };
                let b = unsafe { W::load(src.add(2 * u * lanes + lanes)) };
                (xv[0][u], xv[1][u]) = W::deinterleave(a, b);
            }
        }
        _ => {
            for u in 0..V {
                let mut t = [[W::T::zero(); 16]; D];
                for r in 0..lanes {
                    for i in 0..D {
                        t[i][r] = unsafe { *src.add((u * lanes + r) * D + i) };
                    }
                }
                for i in 0..D {
                    xv[i][u] = unsafe { W::load(t[i].as_ptr()) };
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
/// `rows` must hold the block (`padded` rows), `sums` U·(D + 2)·LANES values; AVX-512F.
#[inline(always)]
unsafe fn backward<W: Wide, const D: usize, const U: usize>(
    rows: Rows<W::T>,
    j: usize,
    sums: *mut W::T,
) {
    let lanes = W::LANES;
    let zero = W::splat(W::T::zero());
    let mut acc = [[zero; 6]; U];
    for r0 in (0..rows.padded).step_by(V * lanes) {
        for u in 0..V {
            let at = r0 + u * lanes;
            let d = unsafe { W::load(rows.dz.add(at)) };
            let v: [W; D] =
                std::array::from_fn(|i| unsafe { W::load(rows.dzx.add(i * BLOCK + at)) });
            for (k, acc) in acc.iter_mut().enumerate() {
                let z = unsafe { W::load(rows.z.add((j + k) * BLOCK + at)) };
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
            unsafe { W::load(at).add(*acc).store(at) };
        }
    }
}

/// Rows per block here: half the portable kernels' [`super::BLOCK`] (the scratch buffers are sized
/// for that), so that a block's z of 64 units stays in the L1 cache; measured faster at every size.
const BLOCK: usize = super::BLOCK / 2;

/// Vectors of rows per group: the forward and output passes work on V·LANES rows at a time.
const V: usize = 4;
/// The most rows in a group (f32).
const GROUP_MAX: usize = V * 16;

/// The AVX-512 kernel over one chunk (see the module docs); x row-major (rows, D).
///
/// # Safety
/// The CPU must have AVX-512F ([`available`]).
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn chunk<W: Wide, const D: usize>(args: BlockArgs<'_, W::T>) {
    let (layers, x, y, rows, scratch, partial, probabilities) = args;
    type Of<W> = <W as Wide>::T;
    let lanes = W::LANES;
    let group = V * lanes;
    let (hidden, output) = (&layers[0], &layers[1]);
    let h = hidden.n_out;
    let of = |v: f64| W::splat(Of::<W>::of(v));
    let zero = of(0.0);
    let (eps, one, half) = (of(crate::loss::EPSILON), of(1.0), of(0.5));
    let (lo, hi) = (
        of(W::EXP_RANGE.0.max(-666.0)),
        of(W::EXP_RANGE.1.min(666.0)),
    );
    let stride = (D + 2) * lanes; // per unit: Σ max(z,0)·dz, Σ dz, Σ dzx_i
    let sums = aligned(&mut scratch.sums, h * stride);
    sums.fill(Of::<W>::zero());
    let (mut product, mut exponents, mut db2) = ([one; V], [zero; V], zero);

    // The block's buffers, each at least BLOCK rows per unit (or input), as raw pointers: the
    // kernel's stores would otherwise make the compiler reload them.
    let z_hidden = aligned(&mut scratch.z[0], h * BLOCK).as_mut_ptr();
    let z_out = aligned(&mut scratch.z[1], BLOCK).as_mut_ptr();
    let (dz, dzx) = (
        aligned(&mut scratch.dz, BLOCK).as_mut_ptr(),
        aligned(&mut scratch.dz_below, D * BLOCK).as_mut_ptr(),
    );
    assert!(
        hidden.w.len() >= D * h
            && hidden.b.len() >= h
            && output.w.len() >= h
            && x.len() >= rows * D
            && y.len() >= rows
            && probabilities.len() >= rows
    );
    let params = {
        let params = &mut scratch.params;
        params.clear();
        for j in 0..h {
            params.extend([hidden.b[j], output.w[j]]);
            params.extend((0..D).map(|i| hidden.w[i * h + j]));
        }
        params.as_ptr()
    };
    // the last rows of the chunk, when they do not fill a group: copied here, zero-padded
    let tail = aligned(&mut scratch.tail, 6 * GROUP_MAX);
    let (tail_x, rest) = tail.split_at_mut(4 * GROUP_MAX);
    let (tail_y, tail_p) = rest.split_at_mut(GROUP_MAX);

    for block_start in (0..rows).step_by(BLOCK) {
        let n = (rows - block_start).min(BLOCK);
        let padded = n.div_ceil(group) * group;
        if padded > n {
            let first = block_start + padded - group;
            let count = n - (padded - group);
            tail_x[..count * D].copy_from_slice(&x[first * D..(first + count) * D]);
            tail_x[count * D..].fill(Of::<W>::zero());
            tail_y[..count].copy_from_slice(&y[first..first + count]);
        }
        // the group of rows at r0: its x and y, and where its ŷ goes
        let rows_at = |r0: usize| {
            if r0 + group <= n {
                let first = block_start + r0;
                (
                    unsafe { x.as_ptr().add(first * D) },
                    unsafe { y.as_ptr().add(first) },
                    false,
                )
            } else {
                (tail_x.as_ptr(), tail_y.as_ptr(), true)
            }
        };

        // forward: z of every unit, and the output's z, V vectors of rows at a time
        for r0 in (0..padded).step_by(group) {
            let xv = unsafe { load_inputs::<W, D, V>(rows_at(r0).0) };
            let mut o = [W::splat(output.b[0]); V];
            for j in 0..h {
                // unit j's b1_j, W2_j and W1_ij, side by side
                let unit = unsafe { params.add(j * (D + 2)) };
                let b = W::splat(unsafe { *unit });
                let w2 = W::splat(unsafe { *unit.add(1) });
                let w: [W; D] = std::array::from_fn(|i| W::splat(unsafe { *unit.add(2 + i) }));
                for u in 0..V {
                    let mut z = b;
                    for i in 0..D {
                        z = xv[i][u].mul_add(w[i], z);
                    }
                    unsafe { z.store(z_hidden.add(j * BLOCK + r0 + u * lanes)) };
                    o[u] = z.max(zero).mul_add(w2, o[u]);
                }
            }
            for (u, o) in o.iter().enumerate() {
                unsafe { o.store(z_out.add(r0 + u * lanes)) };
            }
        }

        // output: ŷ, the loss and dz, V vectors at a time
        for r0 in (0..padded).step_by(group) {
            let (x_g, y_g, tail) = rows_at(r0);
            let o: [W; V] = std::array::from_fn(|u| unsafe { W::load(z_out.add(r0 + u * lanes)) });
            // σ(o) = 1 / (1 + e^(−clip(o, −666, 666))); clipping −o to [−666, 666] and then to
            // exp's range is clipping it to their intersection, once
            let e = exp(o.map(|o| zero.sub(o).max(lo).min(hi)));
            let p = e.map(|e| one.div(one.add(e)));
            let p_g = if tail {
                tail_p.as_mut_ptr()
            } else {
                unsafe { probabilities.as_mut_ptr().add(block_start + r0) }
            };
            let xv = unsafe { load_inputs::<W, D, V>(x_g) };
            let mut q_group = [one; V];
            for u in 0..V {
                let at = r0 + u * lanes;
                unsafe { p[u].store(p_g.add(u * lanes)) };
                // the lanes that hold rows (all of them outside the padded group)
                let valid = || ((1u32 << n.saturating_sub(at).min(lanes)) - 1) as u16;
                let yv = unsafe { W::load(y_g.add(u * lanes)) };
                // log q with q = clip(p, ε, 1 − ε) where y = 1, 1 − q where y = 0
                let q = p[u].max(eps).min(one.sub(eps));
                let t = W::select(yv.gt(half), q, one.sub(q));
                // in f32, 1 − ε rounds to 1: keep log(1 − q) finite (the portable kernel's floor)
                let t = if W::LANES == 16 { t.max(eps) } else { t };
                // (the selects only matter in the padded group; full groups skip them)
                let t = if tail { W::select(valid(), t, one) } else { t };
                q_group[u] = t;
                // dz = p − y (nothing in the padding rows)
                let d = p[u].sub(yv);
                let d = if tail { W::select(valid(), d, zero) } else { d };
                db2 = db2.add(d);
                unsafe { d.store(dz.add(at)) };
                for i in 0..D {
                    unsafe { d.mul(xv[i][u]).store(dzx.add(i * BLOCK + at)) };
                }
            }
            // the group's q into the running products: all V at once in f64 (each q ≥ 1e-12 >
            // 2⁻⁴⁰, so their product stays above 2⁻¹⁶⁰), in pairs in f32 (four could underflow)
            let together = if W::LANES == 8 { V } else { 2 };
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

        // backward, four units at a time (they share the loads of dz and dzx)
        for j in (0..h).step_by(4) {
            let rows = Rows {
                z: z_hidden,
                dz,
                dzx,
                padded,
            };
            let sums = sums.as_mut_ptr().wrapping_add(j * stride);
            match h - j {
                1 => unsafe { backward::<W, D, 1>(rows, j, sums) },
                2 => unsafe { backward::<W, D, 2>(rows, j, sums) },
                3 => unsafe { backward::<W, D, 3>(rows, j, sums) },
                _ => unsafe { backward::<W, D, 4>(rows, j, sums) },
            }
        }
    }

    // the chunk's sums into the partial gradients
    let total = |at: usize| -> Of<W> { unsafe { W::load(sums.as_ptr().add(at)) }.sum() };
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

#[cfg(test)]
mod tests {
    use super::*;

    /// e^x for 4 vectors of `W` (the kernel's exp), lane by lane.
    #[target_feature(enable = "avx512f")]
    unsafe fn exp_of<W: Wide>(x: &[W::T]) -> Vec<W::T> {
        let v: [W; V] = std::array::from_fn(|u| unsafe { W::load(x.as_ptr().add(u * W::LANES)) });
        exp(v)
            .iter()
            .flat_map(|v| v.lanes()[..W::LANES].to_vec())
            .collect()
    }

    /// The worst relative difference from libm, in units of the type's epsilon, over `range`.
    fn worst<W: Wide>(range: (f64, f64), libm: impl Fn(W::T) -> W::T) -> f64 {
        let n = V * W::LANES;
        let mut worst: f64 = 0.0;
        for start in (0..20_000).step_by(n) {
            let x: Vec<W::T> = (start..start + n)
                .map(|k| W::T::of(range.0 + (range.1 - range.0) * (k as f64 + 0.37) / 20_000.0))
                .collect();
            let got = unsafe { exp_of::<W>(&x) };
            for (&x, &got) in x.iter().zip(&got) {
                let want = libm(x);
                let ulps = ((got - want) / want).abs() / W::T::epsilon();
                worst = worst.max(ulps.as_f64());
            }
        }
        worst
    }

    #[test]
    fn vector_exp_is_within_2_ulp_of_libm_in_f64_and_4_in_f32() {
        if !available() {
            eprintln!("no AVX-512F on this CPU: the kernel (and this test) does not run here");
            return;
        }
        // σ calls it on [−666, 666] in f64, on exp's own range in f32
        let f64_worst = worst::<F64x8>((-666.0, 666.0), f64::exp);
        assert!(f64_worst <= 2.0, "f64: worst {f64_worst} ulp");
        let f32_worst = worst::<F32x16>((-87.0, 88.0), f32::exp);
        assert!(f32_worst <= 4.0, "f32: worst {f32_worst} ulp");
    }
}
