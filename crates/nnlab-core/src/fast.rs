//! The fast path of the hand-written engine: the same mathematics as [`crate::manual`], arranged
//! for the machine instead of for the reader.
//!
//! - Rows are processed in blocks of [`BLOCK`] rows. For each block the forward pass, the loss, the
//!   backward pass and the gradient sums happen together while the block's activations are still
//!   in the L1 cache; the full (m, hidden) activation matrices are never built.
//! - Blocks are grouped into chunks of [`CHUNK_BLOCKS`] blocks. Each chunk adds its blocks' gradients
//!   in order into its own partial sums, and the partial sums are then added chunk by chunk, in
//!   order. Threads only decide who computes which chunk, so every thread count gives bit-identical
//!   results.
//! - The notebook's shape (D ≤ 4 inputs → one ReLU layer → 1) has a kernel with explicit vectors
//!   (`fast/avx512.rs`), chosen at run time: AVX-512 vectors where the CPU has AVX-512F, AVX2
//!   vectors (`fast/avx2.rs`) where it has AVX2 and FMA. The compiler does not keep a
//!   register-blocked kernel in registers on its own. It runs only with an [`Avx512`] or [`Avx2`]
//!   token, a zero-sized proof that the CPU has the features, which only their `detect` makes
//!   (`fast/avx512.rs` explains why that makes its safe vector methods sound).
//! - Every other shape, and every x86-64 CPU without AVX2 (or another architecture), takes the
//!   portable kernels
//!   (`fast/portable.rs`): inner loops over contiguous unit indices with no branches, which the
//!   compiler vectorises for the CPU at hand
//!   (AVX-512 or AVX2+FMA on x86-64). The kernels' sums are ordered differently, so their
//!   results differ in the last bits; all are tested against the readable engine.
//!   [`FastEngine::kernel`] says which [`Kernel`] a training step runs.
//! - All buffers live in the engine and are reused: a training step allocates nothing.
//! - Products are accumulated with fused multiply-adds (`mul_add`), one rounding instead of two.
//! - f64 or f32 (`T`), the accuracy of the readable engine or half the memory traffic.
//!
//! Per block of rows, for every layer l (x = a₀):
//!
//! ```text
//! forward:   z_l = a_{l−1}·W_l + b_l,  a_l = f(z_l)          (the output's f is σ)
//! loss:      Σ y·log p + (1 − y)·log(1 − p),  p = clip(a_L, 1e-12, 1 − 1e-12)
//! backward:  dz_L = a_L − y
//!            ΣdW_l += a_{l−1}ᵀ·dz_l,  Σdb_l += Σ dz_l
//!            dz_{l−1} = (dz_l·W_lᵀ) ⊙ f'(z_{l−1})
//! gradient:  ∇W_l = (1/m)·ΣdW_l,  ∇b_l = (1/m)·Σdb_l      handed to the optimizer (optim/)
//! ```
//!
//! The fast path trains the notebook's task, binary classification (a sigmoid output and binary
//! cross-entropy), with any hidden layers, batch size and optimizer; the readable engine trains
//! the others.

// Index loops over units, inputs and rows mirror the equations and keep the loops vectorisable.
#![allow(clippy::needless_range_loop)]
use ndarray::Array2;
use rayon::prelude::*;

use crate::engine::{check_batch, check_inputs, Batch, Parameter, Precision, Step};
use crate::optim::{Optimizer, Slot};
use crate::{Activation, CoreError, Engine, Mlp, ModelSpec, Task};

#[cfg(target_arch = "x86_64")]
mod avx2;
#[cfg(target_arch = "x86_64")]
mod avx512;
mod portable;
mod real;

#[cfg(target_arch = "x86_64")]
pub use avx2::Avx2;
#[cfg(target_arch = "x86_64")]
pub use avx512::Avx512;
use portable::{block, predict_block, BlockArgs, PredictArgs};
pub use real::Real;

/// Where the CPU is not x86-64 there is no AVX-512 kernel, and no token: this type has no values.
#[cfg(not(target_arch = "x86_64"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Avx512 {}

#[cfg(not(target_arch = "x86_64"))]
impl Avx512 {
    /// Never a token: the AVX-512 kernel is x86-64's.
    #[must_use]
    pub fn detect() -> Option<Avx512> {
        None
    }
}

/// Where the CPU is not x86-64 there is no AVX2 kernel, and no token: this type has no values.
#[cfg(not(target_arch = "x86_64"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Avx2 {}

#[cfg(not(target_arch = "x86_64"))]
impl Avx2 {
    /// Never a token: the AVX2 kernel is x86-64's.
    #[must_use]
    pub fn detect() -> Option<Avx2> {
        None
    }
}

/// The kernel a training step of a [`FastEngine`] runs ([`FastEngine::kernel`]); predictions
/// (`outputs`) run the same kernel's forward pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kernel {
    /// `fast/avx512.rs`: D ≤ 4 inputs → h (ReLU) → 1 with explicit AVX-512 vectors, where the
    /// engine holds an [`Avx512`] token.
    Avx512,
    /// The same kernel with AVX2 vectors (`fast/avx2.rs`), where the engine holds an [`Avx2`]
    /// token and no [`Avx512`].
    Avx2,
    /// `portable::one_hidden`: one hidden layer (any activation) on 1 to 4 inputs, fused.
    PortableOneHidden,
    /// `portable::block_step`: any other network.
    PortableGeneral,
}

/// Whether the vector kernel (AVX-512 or AVX2) computes this network: D → h (ReLU) → 1 with
/// 1 ≤ D ≤ 4.
fn vector_kernel_fits<T>(layers: &[Layer<T>]) -> bool {
    layers.len() == 2
        && layers[0].activation == Activation::Relu
        && (1..=4).contains(&layers[0].n_in)
        && layers[1].n_out == 1
}

/// Rows per block: small enough that a block's activations stay in the L1 cache.
pub const BLOCK: usize = 256;
/// Blocks per chunk, the unit of work of one thread and of one partial gradient sum.
pub const CHUNK_BLOCKS: usize = 16;

/// One layer: W row-major (n_in, n_out), as the readable engine's `W`.
#[derive(Clone, Debug)]
struct Layer<T> {
    n_in: usize,
    n_out: usize,
    w: Vec<T>,
    b: Vec<T>,
    activation: Activation,
}

/// The gradient sums of one chunk of rows, one (ΣdW, Σdb) per layer, and its loss sum.
#[derive(Clone, Debug, Default)]
struct Partial<T> {
    dw: Vec<Vec<T>>,
    db: Vec<Vec<T>>,
    loss: T,
}

/// Per-thread buffers for one block, feature-major: unit j's values for the block's rows are
/// `buf[j·BLOCK .. j·BLOCK + rows]`, so every inner loop runs over rows, contiguously.
#[derive(Clone, Debug, Default)]
// (The AVX-512 kernel's fields are unused on other architectures.)
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
struct Scratch<T> {
    /// The block's inputs, transposed: (n_in, BLOCK).
    x: Vec<T>,
    z: Vec<Vec<T>>,
    a: Vec<Vec<T>>,
    dz: Vec<T>,
    dz_below: Vec<T>,
    /// For the AVX-512 kernel: per unit, its sums as vectors (one lane per row position), and its
    /// parameters side by side.
    sums: Vec<T>,
    params: Vec<T>,
    /// The chunk's last rows when they do not fill a group of 4 vectors: x, y and ŷ.
    tail: Vec<T>,
}

/// The hand-written engine's fast path (see the module docs).
pub struct FastEngine<T: Real> {
    spec: ModelSpec,
    layers: Vec<Layer<T>>,
    /// The thread pool of `--threads N` (N ≥ 2); `None` with `single` means the caller's thread.
    pool: Option<rayon::ThreadPool>,
    /// One thread: everything runs on the caller's thread, no pool.
    single: bool,
    /// The proofs that the AVX-512 and AVX2 kernels may run here: detected in `new`, dropped by
    /// [`FastEngine::portable`] (and AVX-512's by [`FastEngine::without_avx512`]).
    avx512: Option<Avx512>,
    avx2: Option<Avx2>,
    /// The last inputs converted to `T` (for f32), reused while the same training data comes back.
    inputs: InputCache<T>,
    partials: Vec<Partial<T>>,
    scratch: Vec<Scratch<T>>,
    /// ŷ of the last step's forward pass.
    probabilities: Vec<T>,
    /// The rows of the last forward_backward, m (the gradients are the sums over m rows).
    rows: usize,
    /// Parameters and gradients in f64, one pair per tensor, for the optimizer.
    values: Vec<Vec<f64>>,
    grads: Vec<Vec<f64>>,
    /// Rows measured without training ([`Engine::outputs_into`], [`Engine::count_hits`]): the
    /// last two sets converted to `T` (the training loop measures the test rows every epoch, and
    /// the training rows too with mini-batches), and their ŷ.
    measured: [InputCache<T>; 2],
    /// Which of `measured` the next new set of rows replaces.
    oldest: usize,
    predicted: Vec<T>,
}

/// Worker w's chunks' sums, scratch and rows of ŷ in a training step.
type Part<'a, T> = ((&'a mut [Partial<T>], &'a mut Scratch<T>), &'a mut [T]);

/// Runs worker 0's part on the calling thread and spawns the others into `scope`'s pool; a part
/// is what one worker owns (its chunks' sums, its scratch, its rows of ŷ).
fn share_out<'s, P: Send + 's>(
    scope: &rayon::Scope<'s>,
    parts: impl Iterator<Item = (usize, P)>,
    run: &'s (impl Fn(usize, P) + Sync),
) {
    let mut own = None;
    for (w, part) in parts {
        if w == 0 {
            own = Some(part);
        } else {
            scope.spawn(move |_| run(w, part));
        }
    }
    if let Some(part) = own {
        run(0, part);
    }
}

#[derive(Default)]
struct InputCache<T> {
    /// The [`Batch::source`] of the converted rows (`None`: nothing reusable).
    source: Option<u64>,
    x: Vec<T>,
    y: Vec<T>,
}

impl<T: Real> FastEngine<T> {
    /// A fast engine holding the weights of `mlp`; `threads` = None uses rayon's global pool
    /// (all cores), Some(n) a pool of n threads.
    pub fn new(
        spec: ModelSpec,
        mlp: &Mlp,
        threads: Option<usize>,
    ) -> Result<FastEngine<T>, CoreError> {
        if spec.task() != Task::Binary {
            return Err(CoreError::invalid(
                "task",
                format!("{:?}", spec.task()),
                "the fast path trains binary classifiers; use the readable engine (ManualEngine)",
            ));
        }
        let expected = Mlp::zeros(&spec);
        if mlp.layers.len() != expected.layers.len()
            || mlp
                .layers
                .iter()
                .zip(&expected.layers)
                .any(|(a, b)| a.w.dim() != b.w.dim())
        {
            return Err(CoreError::ShapeMismatch {
                what: "network".into(),
                expected: spec.describe(),
                got: format!("{} layers", mlp.layers.len()),
            });
        }
        let pool = match threads {
            None | Some(0 | 1) => None,
            Some(n) => Some(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(n.max(1))
                    .build()
                    .map_err(|e| CoreError::Backend(e.to_string()))?,
            ),
        };
        let mut engine = FastEngine {
            spec,
            layers: Vec::new(),
            pool,
            single: threads == Some(1),
            avx512: Avx512::detect(),
            avx2: Avx2::detect(),
            inputs: InputCache::default(),
            partials: Vec::new(),
            scratch: Vec::new(),
            probabilities: Vec::new(),
            rows: 0,
            values: Vec::new(),
            grads: Vec::new(),
            measured: Default::default(),
            oldest: 0,
            predicted: Vec::new(),
        };
        engine.load(mlp);
        Ok(engine)
    }

    fn load(&mut self, mlp: &Mlp) {
        self.layers = mlp
            .layers
            .iter()
            .map(|layer| Layer {
                n_in: layer.w.nrows(),
                n_out: layer.w.ncols(),
                w: layer.w.iter().map(|&v| T::of(v)).collect(),
                b: layer.b.iter().map(|&v| T::of(v)).collect(),
                activation: layer.activation,
            })
            .collect();
    }

    /// Only the portable kernels, the ones a CPU without AVX2 runs (for tests and comparisons;
    /// the results differ from the vector kernels' in the last bits).
    pub fn portable(mut self) -> Self {
        self.avx512 = None;
        self.avx2 = None;
        self
    }

    /// No AVX-512 kernel: the AVX2 one where the CPU has AVX2, as on a CPU without AVX-512 (for
    /// tests and comparisons).
    pub fn without_avx512(mut self) -> Self {
        self.avx512 = None;
        self
    }

    /// The kernel [`FastEngine::gradient_sums`] (every training step) runs for this network on
    /// this CPU: the AVX-512 one where the engine holds a token and the shape fits, else the AVX2
    /// one likewise, else a portable one. (For tests and comparisons; the steps dispatch on this
    /// very choice.)
    pub fn kernel(&self) -> Kernel {
        if self.avx512_token().is_some() {
            Kernel::Avx512
        } else if self.avx2_token().is_some() {
            Kernel::Avx2
        } else if portable::fits_one_hidden(&self.layers) {
            Kernel::PortableOneHidden
        } else {
            Kernel::PortableGeneral
        }
    }

    /// ŷ of every row of the last forward pass ([`FastEngine::gradient_sums`]), for tests and
    /// comparisons: a prediction ([`Engine::outputs`]) of the same rows with the same weights
    /// gives these values to the bit.
    pub fn last_outputs(&self) -> &[T] {
        &self.probabilities[..self.rows.min(self.probabilities.len())]
    }

    /// The token, where the AVX-512 kernel runs this network.
    fn avx512_token(&self) -> Option<Avx512> {
        self.avx512.filter(|_| vector_kernel_fits(&self.layers))
    }

    /// The token, where the AVX2 kernel runs this network (the AVX-512 one does not).
    fn avx2_token(&self) -> Option<Avx2> {
        match self.avx512_token() {
            Some(_) => None,
            None => self.avx2.filter(|_| vector_kernel_fits(&self.layers)),
        }
    }

    /// The weights as the readable engine's network (in f64).
    pub fn to_mlp(&self) -> Mlp {
        let mut mlp = Mlp::zeros(&self.spec);
        for (dense, layer) in mlp.layers.iter_mut().zip(&self.layers) {
            dense.w = Array2::from_shape_fn((layer.n_in, layer.n_out), |(i, j)| {
                layer.w[i * layer.n_out + j].as_f64()
            });
            dense.b = layer.b.iter().map(|v| v.as_f64()).collect();
        }
        mlp
    }

    /// Whether these rows are not the ones converted last time (then f32 converts them again):
    /// only a batch marked as a whole, unchanged [`crate::TrainData`] can be reused.
    fn fresh_inputs(&mut self, source: Option<u64>) -> bool {
        let fresh = source.is_none() || self.inputs.source != source;
        self.inputs.source = source;
        fresh
    }

    /// How many threads share a step.
    fn threads(&self) -> usize {
        if self.single {
            return 1;
        }
        match &self.pool {
            Some(pool) => pool.current_num_threads().max(1),
            None => rayon::current_num_threads().max(1),
        }
    }

    /// Makes the partial sums (one per chunk), the scratch buffers (one per thread) and ŷ fit
    /// `rows` rows; they only grow, so steps after the first allocate nothing.
    fn reserve(&mut self, rows: usize) {
        let chunks = rows.div_ceil(BLOCK * CHUNK_BLOCKS).max(1);
        let workers = self.threads().min(chunks);
        let layers = &self.layers;
        if self.partials.len() < chunks {
            self.partials.resize_with(chunks, || Partial {
                dw: layers
                    .iter()
                    .map(|l| vec![T::zero(); l.n_in * l.n_out])
                    .collect(),
                db: layers.iter().map(|l| vec![T::zero(); l.n_out]).collect(),
                loss: T::zero(),
            });
        }
        if self.scratch.len() < workers {
            self.scratch.resize_with(workers, || Scratch::new(layers));
        }
        if self.probabilities.len() != rows {
            self.probabilities.resize(rows, T::zero());
        }
    }

    /// Forward, loss and backward over the batch without allocating (after the first call):
    /// returns the loss of the forward pass and leaves its ŷ and the gradient sums in the engine.
    /// The rows must be row-major and the targets contiguous.
    pub fn gradient_sums(&mut self, batch: &Batch<'_>) -> Result<T, CoreError> {
        check_batch(batch, self.spec.input_size())?;
        let (Some(x_values), Some(y_values)) = (batch.x.as_slice(), batch.y.as_slice()) else {
            return Err(CoreError::ShapeMismatch {
                what: "batch".into(),
                expected: "row-major rows and contiguous targets".into(),
                got: "strided views".into(),
            });
        };
        let m = batch.x.nrows();
        let n_in = self.spec.input_size();
        let fresh = self.fresh_inputs(batch.source);
        // Some: `Kernel::Avx512` or `Kernel::Avx2` (see `kernel`; never both)
        let (avx512, avx2) = (self.avx512_token(), self.avx2_token());
        self.reserve(m);
        let chunk_rows = BLOCK * CHUNK_BLOCKS;
        let chunks = m.div_ceil(chunk_rows).max(1);
        // Thread w takes the consecutive chunks [w·per, (w + 1)·per) with its own scratch.
        let per = chunks.div_ceil(self.threads().min(chunks));
        let xs = T::view(x_values, &mut self.inputs.x, fresh);
        let ys = T::view(y_values, &mut self.inputs.y, fresh);
        let layers = &self.layers;
        let may_stop = batch.may_stop;
        let run = move |w: usize, ((partials, scratch), probabilities): Part<'_, T>| {
            for (k, partial) in partials.iter_mut().enumerate() {
                if may_stop && crate::cancel::requested() {
                    return; // the step is abandoned below, before any update
                }
                partial.clear();
                let start = (w * per + k) * chunk_rows;
                let end = (start + chunk_rows).min(m);
                let first = start - w * per * chunk_rows;
                if avx512.is_some() || avx2.is_some() {
                    let args: BlockArgs<'_, T> = (
                        layers,
                        &xs[start * n_in..end * n_in],
                        &ys[start..end],
                        end - start,
                        &mut *scratch,
                        &mut *partial,
                        &mut probabilities[first..first + end - start],
                    );
                    match (avx512, avx2) {
                        (Some(token), _) => T::chunk_avx512(token, args),
                        (None, Some(token)) => T::chunk_avx2(token, args),
                        (None, None) => unreachable!("one of the tokens is there"),
                    }
                    continue;
                }
                for block_start in (start..end).step_by(BLOCK) {
                    let rows = (end - block_start).min(BLOCK);
                    let offset = block_start - w * per * chunk_rows;
                    block(
                        layers,
                        &xs[block_start * n_in..(block_start + rows) * n_in],
                        &ys[block_start..block_start + rows],
                        rows,
                        scratch,
                        partial,
                        &mut probabilities[offset..offset + rows],
                    );
                }
            }
        };
        if per >= chunks {
            // one worker: no threads to wake
            run(
                0,
                (
                    (&mut self.partials[..chunks], &mut self.scratch[0]),
                    &mut self.probabilities[..m],
                ),
            );
        } else {
            // The calling thread computes the first worker's chunks itself while the pool's
            // threads take the others: one thread fewer to wake up (slow on some machines).
            let parts = self.partials[..chunks]
                .chunks_mut(per)
                .zip(self.scratch.iter_mut())
                .zip(self.probabilities[..m].chunks_mut(per * chunk_rows))
                .enumerate();
            match &self.pool {
                Some(pool) => pool.in_place_scope(|scope| share_out(scope, parts, &run)),
                None => rayon::in_place_scope(|scope| share_out(scope, parts, &run)),
            }
        }

        if may_stop && crate::cancel::requested() {
            return Err(CoreError::Cancelled);
        }
        // Add the chunks' sums in chunk order into the first.
        let (first, rest) = self.partials[..chunks]
            .split_first_mut()
            .expect("at least one chunk");
        for partial in rest.iter() {
            first.add(partial);
        }
        self.rows = m;
        Ok(-(first.loss / T::of(m as f64)))
    }

    /// The optimizer's step from the last gradient sums: ∇θ = (1/m)·Σ, in f64, then θ rounded
    /// back to `T`.
    fn apply_update(&mut self, optimizer: &mut Optimizer, lr: f64) {
        let sums = &self.partials[0];
        let scale = 1.0 / self.rows.max(1) as f64; // 1/m
        let tensors = self.layers.len() * 2;
        self.values.resize_with(tensors, Vec::new);
        self.grads.resize_with(tensors, Vec::new);
        for (l, layer) in self.layers.iter().enumerate() {
            let pairs = [(&layer.w, &sums.dw[l]), (&layer.b, &sums.db[l])];
            for (k, (value, sum)) in pairs.into_iter().enumerate() {
                let (v, g) = (&mut self.values[2 * l + k], &mut self.grads[2 * l + k]);
                v.clear();
                v.extend(value.iter().map(|&t| t.as_f64()));
                g.clear();
                g.extend(sum.iter().map(|&s| scale * s.as_f64())); // ∇θ = (1/m)·Σ
            }
        }
        // Each tensor is handed over as soon as it is built, so no list of them is allocated.
        let corrections = optimizer.begin_step(tensors, lr);
        for (i, (value, grad)) in self
            .values
            .iter_mut()
            .zip(self.grads.iter_mut())
            .enumerate()
        {
            let mut slot = Slot {
                value,
                grad,
                is_weight: i % 2 == 0,
            };
            optimizer.update(i, &mut slot, lr, corrections);
        }
        for (l, layer) in self.layers.iter_mut().enumerate() {
            for (t, &v) in layer.w.iter_mut().zip(&self.values[2 * l]) {
                *t = T::of(v);
            }
            for (t, &v) in layer.b.iter_mut().zip(&self.values[2 * l + 1]) {
                *t = T::of(v);
            }
        }
    }

    /// The hits of the last forward pass: rows with (ŷ > 0.5) = y.
    fn hits(&self, y: &[f64]) -> usize {
        let half = T::of(0.5);
        // counted without branches, so that the loop vectorises
        self.probabilities[..y.len()]
            .iter()
            .zip(y)
            .map(|(&p, &y)| usize::from((p > half) == (y == 1.0)))
            .sum()
    }

    /// ŷ of every row of `x` (row-major, m rows) into `self.predicted[..m]`, with the engine's
    /// scratch buffers: nothing is allocated once they fit. `source` marks rows seen before (see
    /// [`Engine::outputs_into`]), whose f32 copy is then reused: the training steps' own copy
    /// when they are the rows the last step trained on (a full batch's training accuracy).
    fn predict_measured(&mut self, x: &[f64], m: usize, source: Option<u64>) {
        let trained_on = source.is_some() && self.inputs.source == source;
        // Which of `measured` holds the rows (`None`: the training steps' copy does).
        let slot = match self
            .measured
            .iter()
            .position(|c| source.is_some() && c.source == source)
        {
            _ if trained_on => None,
            Some(slot) => Some(slot),
            None => {
                let slot = self.oldest;
                self.oldest = 1 - slot;
                self.measured[slot].source = None; // converted afresh below
                Some(slot)
            }
        };
        let chunk_rows = BLOCK * CHUNK_BLOCKS;
        let chunks = m.div_ceil(chunk_rows).max(1);
        let workers = self.threads().min(chunks);
        if self.scratch.len() < workers {
            let layers = &self.layers;
            self.scratch.resize_with(workers, || Scratch::new(layers));
        }
        if self.predicted.len() < m {
            self.predicted.resize(m, T::zero());
        }
        let tokens = (self.avx512_token(), self.avx2_token());
        let xs = match slot {
            None => T::view(x, &mut self.inputs.x, false),
            Some(slot) => {
                let fresh = self.measured[slot].source.is_none();
                self.measured[slot].source = source;
                T::view(x, &mut self.measured[slot].x, fresh)
            }
        };
        let (layers, n_in) = (&self.layers, self.spec.input_size());
        // Worker w predicts rows [w·per·chunk_rows, …) with its own scratch.
        let per = chunks.div_ceil(workers);
        let run = move |w: usize, (scratch, out): (&mut Scratch<T>, &mut [T])| {
            let first = w * per * chunk_rows;
            for (k, block) in out.chunks_mut(BLOCK).enumerate() {
                let start = first + k * BLOCK;
                let rows = block.len();
                let x = &xs[start * n_in..(start + rows) * n_in];
                predict_with(tokens, (layers, x, rows, scratch, block));
            }
        };
        let parts = self
            .scratch
            .iter_mut()
            .zip(self.predicted[..m].chunks_mut(per * chunk_rows))
            .enumerate();
        if workers == 1 {
            parts.for_each(|(w, part)| run(w, part));
        } else {
            match &self.pool {
                Some(pool) => pool.in_place_scope(|scope| share_out(scope, parts, &run)),
                None => rayon::in_place_scope(|scope| share_out(scope, parts, &run)),
            }
        }
    }

    /// ŷ for every row of x, block by block.
    pub fn predict_into(&self, x: &[T], rows: usize, out: &mut [T]) {
        let n_in = self.spec.input_size();
        let layers = &self.layers;
        let tokens = (self.avx512_token(), self.avx2_token());
        let predict_chunk = |(c, out_chunk): (usize, &mut [T])| {
            let mut scratch = Scratch::new(layers);
            let start = c * BLOCK * CHUNK_BLOCKS;
            for (k, block) in out_chunk.chunks_mut(BLOCK).enumerate() {
                let first = start + k * BLOCK;
                let rows = block.len();
                let x = &x[first * n_in..(first + rows) * n_in];
                predict_with(tokens, (layers, x, rows, &mut scratch, block));
            }
        };
        if self.single {
            out[..rows]
                .chunks_mut(BLOCK * CHUNK_BLOCKS)
                .enumerate()
                .for_each(predict_chunk);
        } else {
            out[..rows]
                .par_chunks_mut(BLOCK * CHUNK_BLOCKS)
                .enumerate()
                .for_each(predict_chunk);
        }
    }
}

/// ŷ of one block, through the forward pass of the kernel the training steps run: the vector
/// one where a token is given (`FastEngine::avx512_token`, `avx2_token`), else the portable one.
/// Either way each value equals the next training step's ŷ to the bit.
fn predict_with<T: Real>(tokens: (Option<Avx512>, Option<Avx2>), args: PredictArgs<'_, T>) {
    match tokens {
        (Some(token), _) => T::predict_avx512(token, args),
        (None, Some(token)) => T::predict_avx2(token, args),
        (None, None) => predict_block(args),
    }
}

impl<T: Real> Scratch<T> {
    fn new(layers: &[Layer<T>]) -> Scratch<T> {
        let widest = layers
            .iter()
            .map(|l| l.n_out.max(l.n_in))
            .max()
            .unwrap_or(1);
        Scratch {
            x: vec![T::zero(); BLOCK * layers[0].n_in],
            z: layers
                .iter()
                .map(|l| vec![T::zero(); BLOCK * l.n_out])
                .collect(),
            a: layers
                .iter()
                .map(|l| vec![T::zero(); BLOCK * l.n_out])
                .collect(),
            dz: vec![T::zero(); BLOCK * widest],
            dz_below: vec![T::zero(); BLOCK * widest],
            // (+ 16: room to start the AVX-512 kernel's buffers on a cache line)
            sums: vec![T::zero(); 6 * 16 * layers[0].n_out + 16],
            params: Vec::with_capacity(6 * layers[0].n_out),
            tail: vec![T::zero(); 6 * 64 + 16],
        }
    }
}

impl<T: Real> Partial<T> {
    fn clear(&mut self) {
        self.dw
            .iter_mut()
            .chain(self.db.iter_mut())
            .for_each(|v| v.fill(T::zero()));
        self.loss = T::zero();
    }

    fn add(&mut self, other: &Partial<T>) {
        for (mine, theirs) in self
            .dw
            .iter_mut()
            .zip(&other.dw)
            .chain(self.db.iter_mut().zip(&other.db))
        {
            for (a, &b) in mine.iter_mut().zip(theirs) {
                *a = *a + b;
            }
        }
        self.loss = self.loss + other.loss;
    }
}

impl<T: Real> Engine for FastEngine<T> {
    fn name(&self) -> &'static str {
        "manual"
    }

    fn implementation(&self) -> String {
        let kernel = match self.kernel() {
            Kernel::Avx512 => "AVX-512 kernel",
            Kernel::Avx2 => "AVX2 kernel",
            Kernel::PortableOneHidden => "portable one-hidden-layer kernel",
            Kernel::PortableGeneral => "portable kernel",
        };
        let threads = self.threads();
        let precision = match T::PRECISION {
            Precision::F32 => "f32",
            Precision::F64 => "f64",
        };
        format!(
            "hand-written engine, fast path, {kernel}, {precision}, {threads} thread{}",
            if threads == 1 { "" } else { "s" }
        )
    }

    fn spec(&self) -> &ModelSpec {
        &self.spec
    }

    fn forward_backward(&mut self, batch: &Batch<'_>) -> Result<Step, CoreError> {
        let loss = self.gradient_sums(batch)?.as_f64();
        let hits = self.hits(batch.y.as_slice().expect("checked contiguous"));
        Ok(Step { loss, hits })
    }

    fn update(&mut self, optimizer: &mut Optimizer, lr: f64) -> Result<(), CoreError> {
        if self.rows == 0 {
            return Err(CoreError::Backend(
                "update before any forward_backward: there are no gradients".into(),
            ));
        }
        self.apply_update(optimizer, lr);
        Ok(())
    }

    fn gradients(&self) -> Vec<Parameter> {
        let mut mlp = Mlp::zeros(&self.spec);
        if let Some(sums) = self.partials.first() {
            let scale = 1.0 / self.rows.max(1) as f64;
            for (l, dense) in mlp.layers.iter_mut().enumerate() {
                let (n_in, n_out) = dense.w.dim();
                dense.w = Array2::from_shape_fn((n_in, n_out), |(i, j)| {
                    scale * sums.dw[l][i * n_out + j].as_f64()
                });
                dense.b = sums.db[l].iter().map(|v| scale * v.as_f64()).collect();
            }
        }
        mlp.parameters()
    }

    fn outputs(&self, x: &Array2<f64>) -> Result<Array2<f64>, CoreError> {
        check_inputs(x, self.spec.input_size())?;
        let x = x.as_standard_layout();
        let mut converted = Vec::new(); // stays empty for f64: the rows are read in place
        let xs = T::view(x.as_slice().expect("standard layout"), &mut converted, true);
        let mut out = vec![T::zero(); x.nrows()];
        match &self.pool {
            Some(pool) => pool.install(|| self.predict_into(xs, x.nrows(), &mut out)),
            None => self.predict_into(xs, x.nrows(), &mut out),
        }
        let values = out.into_iter().map(Real::as_f64).collect();
        Ok(Array2::from_shape_vec((x.nrows(), 1), values).expect("one ŷ per row"))
    }

    fn outputs_into(
        &mut self,
        x: &Array2<f64>,
        source: Option<u64>,
        out: &mut Array2<f64>,
    ) -> Result<(), CoreError> {
        check_inputs(x, self.spec.input_size())?;
        let m = x.nrows();
        let x = x.as_standard_layout(); // borrowed when x is row-major, as TrainData's rows are
        self.predict_measured(x.as_slice().expect("standard layout"), m, source);
        if out.dim() != (m, 1) {
            *out = Array2::zeros((m, 1));
        }
        let predicted = &self.predicted[..m];
        match out.as_slice_mut() {
            // (an (m, 1) array always is; a plain slice loop vectorises)
            Some(out) => {
                for (o, &p) in out.iter_mut().zip(predicted) {
                    *o = p.as_f64();
                }
            }
            None => {
                for (o, &p) in out.iter_mut().zip(predicted) {
                    *o = p.as_f64();
                }
            }
        }
        Ok(())
    }

    fn count_hits(
        &mut self,
        x: &Array2<f64>,
        y: &ndarray::Array1<f64>,
        source: Option<u64>,
    ) -> Result<usize, CoreError> {
        check_inputs(x, self.spec.input_size())?;
        let m = x.nrows();
        let x = x.as_standard_layout();
        self.predict_measured(x.as_slice().expect("standard layout"), m, source);
        let half = T::of(0.5);
        let hit = |(&p, &y): (&T, &f64)| usize::from((p > half) == (y == 1.0));
        // Over plain slices where the labels are contiguous (always, for a run's own data): the
        // loop then vectorises, which ndarray's iterator does not let it do.
        Ok(match y.as_slice() {
            Some(y) => self.predicted[..m].iter().zip(y).map(hit).sum(),
            None => self.predicted[..m].iter().zip(y).map(hit).sum(),
        })
    }

    fn parameters(&self) -> Vec<Parameter> {
        self.to_mlp().parameters()
    }

    fn set_parameters(&mut self, parameters: &[Parameter]) -> Result<(), CoreError> {
        let mlp = Mlp::from_parameters(&self.spec, parameters)?;
        self.load(&mlp);
        Ok(())
    }

    fn weight_norms(&self) -> Vec<f64> {
        let mut norms = Vec::with_capacity(self.layers.len());
        self.weight_norms_into(&mut norms);
        norms
    }

    fn weight_norms_into(&self, norms: &mut Vec<f64>) {
        norms.clear();
        norms.extend(
            self.layers
                .iter()
                .map(|layer| layer.w.iter().map(|&w| w * w).sum::<T>().sqrt().as_f64()),
        );
    }

    fn precision(&self) -> Precision {
        T::PRECISION
    }
}
