//! The float types of the fast path: what f64 and f32 each bring (their conversions, their
//! vectorisable exp and ln, how the training rows are viewed in them) and which kernel runs a
//! chunk of rows (the AVX-512 one of the notebook's shape, where the CPU and the network allow).

use num_traits::Float;

#[cfg(target_arch = "x86_64")]
use super::avx512;
use super::BlockArgs;
use crate::engine::Precision;
#[cfg(target_arch = "x86_64")]
use crate::Activation;

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
        /// One chunk through the AVX-512 kernel of the notebook's shape (`avx512`), if the CPU has
        /// AVX-512F and the network is D → h (ReLU) → 1 with D ≤ 4; false (nothing done) otherwise.
        fn chunk_avx512(args: BlockArgs<'_, Self>) -> bool;
    }

    /// f64 in vectors of 8, f32 in vectors of 16.
    macro_rules! kernel {
        ($t:ty, $wide:ident) => {
            impl Kernel for $t {
                fn chunk_avx512(args: BlockArgs<'_, $t>) -> bool {
                    #[cfg(target_arch = "x86_64")]
                    return chunk_avx512::<avx512::$wide>(args);
                    #[cfg(not(target_arch = "x86_64"))]
                    {
                        let _ = args;
                        false
                    }
                }
            }
        };
    }
    kernel!(f64, F64x8);
    kernel!(f32, F32x16);
}

/// The AVX-512 kernel for vectors of `W` (`W::T` = T), where it applies.
#[cfg(target_arch = "x86_64")]
fn chunk_avx512<W: avx512::Wide>(args: BlockArgs<'_, W::T>) -> bool {
    let layers = args.0;
    let fits = layers.len() == 2
        && layers[0].activation == Activation::Relu
        && (1..=4).contains(&layers[0].n_in)
        && layers[1].n_out == 1;
    if !fits || !avx512::available() {
        return false;
    }
    // SAFETY: `available()` checked that the CPU has AVX-512F.
    unsafe {
        match layers[0].n_in {
            1 => avx512::chunk::<W, 1>(args),
            2 => avx512::chunk::<W, 2>(args),
            3 => avx512::chunk::<W, 3>(args),
            _ => avx512::chunk::<W, 4>(args),
        }
    }
    true
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
