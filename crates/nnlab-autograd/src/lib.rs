//! nnlab's autograd engine: the notebook's PyTorch section on candle.
//!
//! The same network as the hand-written engine ([`nnlab_core::ModelSpec`]), built as candle layers
//! ([`model`]), trained with `nn.BCELoss` semantics ([`loss`]) and candle-nn's SGD in the
//! zero-grad/backward/step shape of a PyTorch loop ([`engine`]), behind the same
//! [`Engine`](nnlab_core::Engine) trait, so the training loop, the CLI and the figures treat both
//! engines alike.
//!
//! candle's own CPU random generator cannot be seeded, so the initial weights are made here:
//! [`torch_init`] reproduces `torch.manual_seed(seed)` followed by the notebook's constructor
//! ([`torch_rng`] is PyTorch's generator).

pub mod engine;
pub mod init;
pub mod loss;
pub mod model;
pub mod torch_rng;

pub use engine::{AutogradEngine, DeviceKind, FloatType};
pub use init::torch_init;

use thiserror::Error;

/// What can go wrong while building the autograd engine.
#[derive(Debug, Error)]
pub enum AutogradError {
    /// candle refused an operation (a shape, a missing parameter, ...).
    #[error("{0}")]
    Candle(#[from] candle_core::Error),
    /// No CUDA device could be opened: candle's reason, and what to do ([`cuda_hint`]).
    #[error("no CUDA device: {0}. {hint}", hint = cuda_hint())]
    NoCuda(String),
}

/// What to do about a missing CUDA device, for this build: a build without CUDA needs
/// `--features cuda`; a build with it needs an NVIDIA GPU, its driver and the CUDA libraries (the
/// driver's libcuda, cuBLAS, cuBLASLt, cuRAND), which it loads at the first `--device cuda`.
pub fn cuda_hint() -> &'static str {
    if cfg!(feature = "cuda") {
        "This build has CUDA: check that an NVIDIA GPU and its driver are there (nvidia-smi) and that the loader finds the CUDA libraries (ldconfig -p | grep cublas, or LD_LIBRARY_PATH), or use --device cpu"
    } else {
        "This build has no CUDA: build nnlab with `--features cuda` on a machine with an NVIDIA GPU, or use --device cpu"
    }
}

#[cfg(all(test, not(feature = "cuda")))]
mod tests {
    #[test]
    fn a_build_without_cuda_says_to_build_with_it() {
        let message = super::AutogradError::NoCuda("not compiled in".into()).to_string();
        assert!(message.contains("This build has no CUDA"), "{message}");
        assert!(message.contains("--features cuda"), "{message}");
    }
}
