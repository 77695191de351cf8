//! The float types of the fast path: what f64 and f32 each bring (their conversions, their
//! vectorisable exp and ln, how the training rows are viewed in them) and which kernel runs a
//! chunk of rows (the AVX-512 one of the notebook's shape, where the CPU and the network allow).

use num_traits::Float;

use super::portable::PredictArgs;
#[cfg(target_arch = "x86_64")]
use super::{avx2, avx512};
use super::{Avx2, Avx512, BlockArgs};
use crate::engine::Precision;

/// A float type the fast path computes in.
pub trait Real: Float + Send + Sync + Default + std::iter::Sum + 'static + kernel::Kernel {
    /// The precision reported to the training loop.
    const PRECISION: Precision;
    fn of(value: f64) -> Self;
    fn as_f64(self) -> f64;
    /// e^x and ln x, vectorisable (see `fastmath`).
    fn exp_fast(self) -> Self;
    fn ln_fast(self) -> Self;
    /// `values` as this type: borrowed as they are for f64, converted into `cache` for f32
    /// (only when `fresh`, i.e. when the rows are not the ones converted last time).
    fn view<'a>(values: &'a [f64], cache: &'a mut Vec<Self>, fresh: bool) -> &'a [Self];
}

/// What each float type brings to the kernels. Sealed: the module is private, so the crate's
/// own types in these signatures never reach a user (hence the `allow`).
#[allow(private_interfaces)]
mod kernel {
    use super::*;

    pub trait Kernel: Sized {
        /// One chunk through the AVX-512 kernel of the notebook's shape (`avx512`): the network
        /// must be D → h (ReLU) → 1 with D ≤ 4 (`avx512_fits`; it panics otherwise), and `token`
        /// proves the CPU runs it.
        fn chunk_avx512(token: Avx512, args: BlockArgs<'_, Self>);
        /// The same with AVX2 vectors (`avx2`).
        fn chunk_avx2(token: Avx2, args: BlockArgs<'_, Self>);
        /// ŷ of a block through the AVX-512 kernel's forward pass (same network and token).
        fn predict_avx512(token: Avx512, args: PredictArgs<'_, Self>);
        /// The same with AVX2 vectors.
        fn predict_avx2(token: Avx2, args: PredictArgs<'_, Self>);
    }

    /// f64 in vectors of 8 (AVX-512) or 4 (AVX2), f32 in vectors of 16 or 8.
    macro_rules! kernel {
        ($t:ty, $wide:ident, $narrow:ident) => {
            impl Kernel for $t {
                fn chunk_avx512(token: Avx512, args: BlockArgs<'_, $t>) {
                    #[cfg(target_arch = "x86_64")]
                    avx512::chunk::<avx512::$wide>(token, args);
                    #[cfg(not(target_arch = "x86_64"))]
                    {
                        let _ = args;
                        match token {} // no token exists here
                    }
                }
                fn chunk_avx2(token: Avx2, args: BlockArgs<'_, $t>) {
                    #[cfg(target_arch = "x86_64")]
                    avx2::chunk::<avx2::$narrow>(token, args);
                    #[cfg(not(target_arch = "x86_64"))]
                    {
                        let _ = args;
                        match token {} // no token exists here
                    }
                }
                fn predict_avx512(token: Avx512, args: PredictArgs<'_, $t>) {
                    #[cfg(target_arch = "x86_64")]
                    avx512::predict_block::<avx512::$wide>(token, args);
                    #[cfg(not(target_arch = "x86_64"))]
                    {
                        let _ = args;
                        match token {} // no token exists here
                    }
                }
                fn predict_avx2(token: Avx2, args: PredictArgs<'_, $t>) {
                    #[cfg(target_arch = "x86_64")]
                    avx2::predict_block::<avx2::$narrow>(token, args);
                    #[cfg(not(target_arch = "x86_64"))]
                    {
                        let _ = args;
                        match token {} // no token exists here
                    }
                }
            }
        };
    }
    kernel!(f64, F64x8, F64x4);
    kernel!(f32, F32x16, F32x8);
}

impl Real for f64 {
    const PRECISION: Precision = Precision::F64;
    #[inline(always)]
    fn of(value: f64) -> f64 {
        value
    }
    #[inline(always)]
    fn as_f64(self) -> f64 {
        self
    }
    #[inline(always)]
    fn exp_fast(self) -> f64 {
        crate::fastmath::exp(self)
    }
    #[inline(always)]
    fn ln_fast(self) -> f64 {
        crate::fastmath::ln(self)
    }
    fn view<'a>(values: &'a [f64], _cache: &'a mut Vec<f64>, _fresh: bool) -> &'a [f64] {
        values // no copy: the training data is already f64
    }
}

impl Real for f32 {
    const PRECISION: Precision = Precision::F32;
    #[inline(always)]
    fn of(value: f64) -> f32 {
        value as f32
    }
    #[inline(always)]
    fn as_f64(self) -> f64 {
        f64::from(self)
    }
    #[inline(always)]
    fn exp_fast(self) -> f32 {
        crate::fastmath::exp_f32(self)
    }
    #[inline(always)]
    fn ln_fast(self) -> f32 {
        crate::fastmath::ln_f32(self)
    }
    fn view<'a>(values: &'a [f64], cache: &'a mut Vec<f32>, fresh: bool) -> &'a [f32] {
        if fresh || cache.len() != values.len() {
            cache.clear();
            cache.extend(values.iter().map(|&v| v as f32));
        }
        cache
    }
}
