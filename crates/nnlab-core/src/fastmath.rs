//! exp and ln written as plain arithmetic, so that a loop calling them vectorises (libm's are
//! opaque calls, one value at a time). Both are within about 1 ulp of libm over the ranges the
//! fast path uses them on (σ of z in [−666, 666], ln of p in [1e-12, 1]).
//!
//! ```text
//! exp(x) = 2ⁿ·exp(r),  n = round(x / ln 2),  r = x − n·ln 2 (in two parts),  |r| ≤ ln 2 / 2,
//!          exp(r) by its Taylor series to r¹³/13!
//! ln(x)  = e·ln 2 + ln(m),  x = m·2ᵉ with m in [√½, √2),
//!          ln(m) = 2·atanh(s) = 2·(s + s³/3 + s⁵/5 + …),  s = (m − 1)/(m + 1)
//! ```

const LN2_HI: f64 = 6.931_471_803_691_238e-1; // ln 2 to 33 bits, so n·LN2_HI is exact
const LN2_LO: f64 = 1.908_214_929_270_587_7e-10; // ln 2 − LN2_HI
const ROUND: f64 = 6_755_399_441_055_744.0; // 1.5·2⁵²: adding it rounds to an integer
const TWO_52: f64 = 4_503_599_627_370_496.0; // 2⁵²

/// eˣ for x in [−708, 709] (clamped to it).
#[inline(always)]
pub fn exp(x: f64) -> f64 {
    let x = x.clamp(-708.0, 709.0);
    let shifted = x * std::f64::consts::LOG2_E + ROUND; // ROUND + n: n in the low mantissa bits
    let n = shifted - ROUND; // round to nearest
    let r = (x - n * LN2_HI) - n * LN2_LO;
    // Horner form of 1 + r + r²/2! + … + r¹³/13!
    let mut p: f64 = 1.0 / 6_227_020_800.0;
    for k in (1..13).rev() {
        p = p.mul_add(r, INV_FACTORIAL[k]);
    }
    let p = p.mul_add(r, 1.0);
    // 2ⁿ from n's bits in `shifted`, with integer adds and shifts only: an f64 → i64 conversion
    // has no AVX2 instruction, and would keep a loop of these from vectorising there.
    let n_bits = shifted.to_bits().wrapping_sub(ROUND.to_bits()); // n, two's complement
    let scale = f64::from_bits(n_bits.wrapping_add(1023) << 52); // 2ⁿ
    p * scale
}

/// 1/k! for k = 0..12.
const INV_FACTORIAL: [f64; 13] = [
    1.0,
    1.0,
    1.0 / 2.0,
    1.0 / 6.0,
    1.0 / 24.0,
    1.0 / 120.0,
    1.0 / 720.0,
    1.0 / 5_040.0,
    1.0 / 40_320.0,
    1.0 / 362_880.0,
    1.0 / 3_628_800.0,
    1.0 / 39_916_800.0,
    1.0 / 479_001_600.0,
];

/// ln x for normal positive x.
#[inline(always)]
pub fn ln(x: f64) -> f64 {
    let bits = x.to_bits();
    // The biased exponent as an f64, through the bits of 2⁵² + k (an i64 → f64 conversion has no
    // AVX2 instruction either).
    let biased = f64::from_bits(0x4330_0000_0000_0000 | ((bits >> 52) & 0x7ff)) - TWO_52;
    let mantissa = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000); // [1, 2)
                                                                                           // bring m into [√½, √2)
    let big = mantissa > std::f64::consts::SQRT_2;
    let m = if big { mantissa * 0.5 } else { mantissa };
    let e = (biased - 1023.0) + if big { 1.0 } else { 0.0 };
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    // 2·atanh(s) = 2s·(1 + s²/3 + s⁴/5 + … + s²⁰/21)
    let mut p: f64 = 1.0 / 21.0;
    for k in (0..10).rev() {
        p = p.mul_add(s2, 1.0 / (2 * k + 1) as f64);
    }
    let ln_m = 2.0 * s * p;
    e * LN2_HI + (ln_m + e * LN2_LO)
}

/// e^x in f32 for x in [−87, 88] (clamped): the same reduction, the series to r⁷/7!.
#[inline(always)]
pub fn exp_f32(x: f32) -> f32 {
    let x = x.clamp(-87.0, 88.0);
    let n = (x * std::f32::consts::LOG2_E + 12_582_912.0) - 12_582_912.0; // 1.5·2²³ rounds
    let r = (x - n * 0.693_145_75) - n * 1.428_606_8e-6; // ln 2 in two parts, the first exact in n·
    let mut p: f32 = 1.0 / 5040.0;
    for k in (1..7).rev() {
        p = p.mul_add(r, INV_FACTORIAL[k] as f32);
    }
    let p = p.mul_add(r, 1.0);
    p * f32::from_bits(((n as i32 + 127) as u32) << 23)
}

/// ln x in f32 for normal positive x: the same reduction, 2·atanh(s) to s⁹/9.
#[inline(always)]
pub fn ln_f32(x: f32) -> f32 {
    let bits = x.to_bits();
    let exponent = ((bits >> 23) & 0xff) as i32 - 127;
    let mantissa = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000); // [1, 2)
    let big = mantissa > std::f32::consts::SQRT_2;
    let m = if big { mantissa * 0.5 } else { mantissa };
    let e = (exponent + i32::from(big)) as f32;
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let mut p: f32 = 1.0 / 11.0;
    for k in (0..5).rev() {
        p = p.mul_add(s2, 1.0 / (2 * k + 1) as f32);
    }
    e.mul_add(std::f32::consts::LN_2, 2.0 * s * p)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Relative difference in units of f64 epsilon.
    fn ulps(got: f64, want: f64) -> f64 {
        ((got - want) / want).abs() / f64::EPSILON
    }

    #[test]
    fn exp_is_within_2_ulp_of_libm() {
        let mut worst: f64 = 0.0;
        for i in -66_600..=66_600 {
            let x = i as f64 * 0.01 + 0.003_7;
            worst = worst.max(ulps(exp(x), x.exp()));
        }
        assert!(worst <= 2.0, "worst {worst} ulp");
    }

    #[test]
    fn f32_versions_are_within_4_ulp_of_libm() {
        let ulps32 = |got: f32, want: f32| ((got - want) / want).abs() / f32::EPSILON;
        let mut worst: f32 = 0.0;
        for i in -8_700..8_800 {
            let x = i as f32 * 0.01 + 0.003_7;
            worst = worst.max(ulps32(exp_f32(x), x.exp()));
        }
        assert!(worst <= 4.0, "exp_f32: worst {worst} ulp");
        let (mut worst, mut x): (f32, f32) = (0.0, 1e-12);
        while x < 1.0 {
            let w = x.ln();
            if w.abs() > 1e-2 {
                worst = worst.max(ulps32(ln_f32(x), w));
            }
            x *= 1.001;
        }
        assert!(worst <= 4.0, "ln_f32: worst {worst} ulp");
    }

    #[test]
    fn ln_is_within_2_ulp_of_libm() {
        let mut worst: f64 = 0.0;
        let mut x: f64 = 1e-12;
        while x < 1.0 {
            let w = x.ln();
            if w.abs() > 1e-3 {
                worst = worst.max(ulps(ln(x), w));
            } else {
                assert!((ln(x) - w).abs() <= 2.0 * f64::EPSILON * 1e-3);
            }
            x *= 1.000_37;
        }
        assert!(worst <= 2.0, "worst {worst} ulp");
    }
}
