//! The `log` and `sincos` that PyTorch's AVX2 `normal_` uses, one value at a time.
//!
//! PyTorch's AVX2 kernel calls `log256_ps` and `sincos256_ps` from
//! `aten/src/ATen/native/cpu/avx_mathfun.h`: Julien Pommier's SSE port of the Cephes float
//! functions, widened to 8 lanes. They are a few bit tricks and short polynomials in `f32`, so
//! they give slightly different values from the C library's `logf`/`sinf`/`cosf`.
//!
//! The header writes every step as a separate multiply (`_mm256_mul_ps`) and add
//! (`_mm256_add_ps`), but GCC compiles PyTorch's AVX2 files with FMA enabled and fuses many of
//! those pairs into one `vfmadd` instruction, which rounds once instead of twice. The functions
//! below follow the instructions of the compiled kernel in PyTorch's `libtorch_cpu.so`
//! (`NormalFill16<float>` in the `AVX2` namespace), not the header: `a.mul_add(b, c)` where the
//! binary has a fused `vfmadd`/`vfmsub`/`vfnmadd`, a plain `*` and `+` where it has `vmulps` and
//! `vaddps`. Each lane of a vector instruction is an ordinary IEEE `f32` operation, so doing
//! the lanes one after the other gives the same bits.

// The constants are written with the header's decimals; the test below checks their bits.
#![allow(clippy::excessive_precision)]

/// Smallest positive normal `f32` (`_ps256_min_norm_pos`): the input is clamped to it.
const MIN_NORM_POS: f32 = f32::MIN_POSITIVE;
/// √½ (`_ps256_cephes_SQRTHF`, 0.707106781186547524), rounded to `f32`.
const SQRT_HALF: f32 = std::f32::consts::FRAC_1_SQRT_2;
/// The Cephes `logf` polynomial, highest degree first (`_ps256_cephes_log_p0` ... `p8`).
const LOG_P: [f32; 9] = [
    7.037_683_629_2E-2,
    -1.151_461_031_0E-1,
    1.167_699_874_0E-1,
    -1.242_014_084_6E-1,
    1.424_932_278_7E-1,
    -1.666_805_766_5E-1,
    2.000_071_476_5E-1,
    -2.499_999_399_3E-1,
    3.333_333_117_4E-1,
];
/// ln 2 split in two (`_ps256_cephes_log_q1`, `q2`): `q2` has few bits, so `e·q2` is exact.
const LOG_Q1: f32 = -2.121_944_40e-4;
const LOG_Q2: f32 = 0.693_359_375;

/// 4/π (`_ps256_cephes_FOPI`).
const FOUR_OVER_PI: f32 = 1.273_239_544_735_16;
/// −π/4 split in three parts (`_ps256_minus_cephes_DP1` ... `DP3`) for the range reduction.
const MINUS_DP1: f32 = -0.785_156_25;
const MINUS_DP2: f32 = -2.418_756_484_985_351_562_5e-4;
const MINUS_DP3: f32 = -3.774_894_977_445_941_08e-8;
/// The Cephes `sinf` and `cosf` polynomials (`_ps256_sincof_p*`, `_ps256_coscof_p*`).
const SIN_P: [f32; 3] = [-1.951_529_589_1E-4, 8.332_160_873_6E-3, -1.666_665_461_1E-1];
const COS_P: [f32; 3] = [
    2.443_315_711_809_948E-5,
    -1.388_731_625_493_765E-3,
    4.166_664_568_298_827E-2,
];

const SIGN_MASK: u32 = 0x8000_0000;

/// One lane of `log256_ps`: the natural logarithm, NaN for `x ≤ 0`.
///
/// Cephes' method: write `x = m·2^e` with `m` in [½, 1), move `m` to [√½, √2) (adjusting `e`),
/// then `ln x = (m − 1) + polynomial(m − 1) + e·ln 2`.
pub(super) fn log(x: f32) -> f32 {
    let invalid = x <= 0.0; // _mm256_cmp_ps(x, 0, _CMP_LE_OS): false for NaN
    let x = if x > MIN_NORM_POS { x } else { MIN_NORM_POS }; // vmaxps (NaN gives the bound)

    // The exponent, as a float, from the bits; the mantissa with the exponent of ½.
    let bits = x.to_bits();
    let mut e = ((bits >> 23) as i32 - 0x7f) as f32;
    e += 1.0;
    let mut x = f32::from_bits((bits & !0x7f80_0000) | 0.5f32.to_bits());

    // if x < √½ { e −= 1; x = x + x − 1 } else { x = x − 1 }, without a branch.
    let below = x < SQRT_HALF;
    let tmp = if below { x } else { 0.0 };
    e -= if below { 1.0 } else { 0.0 };
    x += -1.0; // the binary adds −1 (the same value as subtracting 1)
    x += tmp;

    let z = x * x;
    // y = ((p0·x + p1)·x + p2)·x ... + p8: every step one fused multiply-add.
    let mut y = LOG_P[0];
    for &p in &LOG_P[1..] {
        y = y.mul_add(x, p);
    }
    y *= x;
    y = y.mul_add(z, e * LOG_Q1); // y·z + e·q1, the product y·z unrounded
    y = (-z).mul_add(0.5, y); // y − z·½ (vfnmadd)
    x += y;
    x = e.mul_add(LOG_Q2, x); // x + e·q2 (vfmadd)
    if invalid {
        f32::from_bits(x.to_bits() | u32::MAX) // `x | invalid_mask`: all bits set, a NaN
    } else {
        x
    }
}

/// One lane of `sincos256_ps`: `(sin x, cos x)`.
///
/// Cephes' method: reduce |x| by a multiple `j` of π/4 (in three parts, to keep the bits that a
/// single `f32` π/4 would lose), evaluate a sine and a cosine polynomial on the rest, and pick
/// and sign them by the octant `j`.
pub(super) fn sincos(x: f32) -> (f32, f32) {
    let mut sign_sin = x.to_bits() & SIGN_MASK;
    let ax = f32::from_bits(x.to_bits() & !SIGN_MASK);

    // j = (trunc(|x|·4/π) + 1) & ~1: an even number of octants (π/4) near |x|, so that the
    // rest r = |x| − j·π/4 lies within ±π/4.
    let mut j = cvtt(ax * FOUR_OVER_PI);
    j = j.wrapping_add(1) & !1;
    let y = j as f32;
    let swap_sign_sin = ((j & 4) as u32) << 29;
    let use_sin_poly = (j & 2) == 0; // the "poly_mask" of the header
    sign_sin ^= swap_sign_sin;

    // The "extended precision modular arithmetic": r = ((|x| − y·DP1) − y·DP2) − y·DP3, each
    // step fused in the binary.
    let mut r = y.mul_add(MINUS_DP1, ax);
    r = MINUS_DP2.mul_add(y, r);
    r = y.mul_add(MINUS_DP3, r);

    let sign_cos = ((!j.wrapping_sub(2) & 4) as u32) << 29;

    let z = r * r;
    // cos r ≈ 1 − z/2 + z²·(c0·z² + c1·z + c2)
    let half_z = z * 0.5;
    let mut yc = COS_P[0].mul_add(z, COS_P[1]);
    yc = yc.mul_add(z, COS_P[2]);
    yc *= z;
    yc = z.mul_add(yc, -half_z); // z·yc − z/2 (vfmsub)
    yc += 1.0;
    // sin r ≈ r + r·z·(s0·z² + s1·z + s2)
    let mut ys = SIN_P[0].mul_add(z, SIN_P[1]);
    ys = ys.mul_add(z, SIN_P[2]);
    ys *= z;
    ys = r.mul_add(ys, r); // r·ys + r

    // Pick each result with bit masks and subtractions, as the header does: for the sine
    // `ysin1 + ysin2`, for the cosine what is left, `(yc − ysin1) + (ys − ysin2)`.
    let ysin2 = if use_sin_poly { ys } else { 0.0 };
    let ysin1 = if use_sin_poly { 0.0 } else { yc };
    let rest_s = ys - ysin2;
    let rest_c = yc - ysin1;
    let sin = ysin2 + ysin1;
    let cos = rest_s + rest_c;
    (
        f32::from_bits(sin.to_bits() ^ sign_sin),
        f32::from_bits(cos.to_bits() ^ sign_cos),
    )
}

/// `vcvttps2dq` on one lane: truncate toward zero; NaN and values out of the `i32` range give
/// `i32::MIN` (Rust's `as i32` would saturate instead).
fn cvtt(x: f32) -> i32 {
    const LIMIT: f32 = 2_147_483_648.0; // 2³¹
    if (-LIMIT..LIMIT).contains(&x) {
        x as i32
    } else {
        i32::MIN
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_are_the_binarys_bits() {
        // As `libtorch_cpu.so` (PyTorch 2.15.0) loads them.
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(SQRT_HALF.to_bits(), 0x3f35_04f3);
        assert_eq!(
            bits(&LOG_P),
            [
                0x3d90_21bb,
                0xbdeb_d1b8,
                0x3def_251a,
                0xbdfe_5d4f,
                0x3e11_e9bf,
                0xbe2a_ae50,
                0x3e4c_ceac,
                0xbe7f_fffc,
                0x3eaa_aaaa
            ]
        );
        assert_eq!(LOG_Q1.to_bits(), 0xb95e_8083);
        assert_eq!(LOG_Q2.to_bits(), 0x3f31_8000);
        assert_eq!(FOUR_OVER_PI.to_bits(), 0x3fa2_f983);
        assert_eq!(
            bits(&[MINUS_DP1, MINUS_DP2, MINUS_DP3]),
            [0xbf49_0000, 0xb97d_a000, 0xb322_2169]
        );
        assert_eq!(bits(&SIN_P), [0xb94c_a1f9, 0x3c08_839e, 0xbe2a_aaa3]);
        assert_eq!(bits(&COS_P), [0x37cc_f5ce, 0xbab6_061a, 0x3d2a_aaa5]);
    }

    #[test]
    fn close_to_the_exact_functions() {
        for k in 1..=1000 {
            let x = k as f32 / 1000.0;
            let want = f64::from(x).ln();
            assert!(
                (f64::from(log(x)) - want).abs() <= 2e-7 * want.abs().max(1.0),
                "{x}"
            );
            let theta = x * std::f32::consts::TAU;
            let (s, c) = sincos(theta);
            assert!(
                (f64::from(s) - f64::from(theta).sin()).abs() < 3e-7,
                "{theta}"
            );
            assert!(
                (f64::from(c) - f64::from(theta).cos()).abs() < 3e-7,
                "{theta}"
            );
        }
        assert_eq!(log(1.0), 0.0);
        assert!(log(0.0).is_nan() && log(-1.0).is_nan());
        assert_eq!(sincos(0.0), (0.0, 1.0));
    }
}
