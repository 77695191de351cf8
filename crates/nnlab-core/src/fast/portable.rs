//! The portable kernels of the fast path: plain loops over contiguous rows, with no branches in
//! the inner loops, which the compiler vectorises for the CPU at hand (`multiversion` builds them
//! for AVX-512 and for AVX2 + FMA and picks one at run time). Every shape and CPU can run them;
//! `avx512.rs` is faster for the notebook's shape where the CPU has AVX-512.
//!
//! - [`block`]: one block of rows through the fused one-hidden-layer kernel (`one_hidden`, for
//!   D ≤ 4 inputs) or the general one (`block_step`, any depth): forward, loss, backward and the
//!   gradient sums;
//! - [`predict_block`]: ŷ of one block.

// Index loops over units, inputs and rows mirror the equations and keep the loops vectorisable.
#![allow(clippy::needless_range_loop)]

use super::{Layer, Partial, Real, Scratch, BLOCK};
use crate::Activation;

/// Explicit partial sums in dot products and sums, so that they vectorise (the order of the
/// additions is fixed, so results do not depend on the machine).
pub(super) const LANES: usize = 8;

/// Σ aᵢ·bᵢ.
#[inline(always)]
pub(super) fn dot<T: Real>(a: &[T], b: &[T]) -> T {
    let n = a.len().min(b.len());
    let mut acc = [T::zero(); LANES];
    let whole = n - n % LANES;
    for start in (0..whole).step_by(LANES) {
        for k in 0..LANES {
            acc[k] = a[start + k].mul_add(b[start + k], acc[k]);
        }
    }
    let mut total = T::zero();
    for value in acc {
        total = total + value;
    }
    for i in whole..n {
        total = a[i].mul_add(b[i], total);
    }
    total
}

/// Σ aᵢ.
#[inline(always)]
pub(super) fn sum<T: Real>(a: &[T]) -> T {
    let mut acc = [T::zero(); LANES];
    let whole = a.len() - a.len() % LANES;
    for start in (0..whole).step_by(LANES) {
        for k in 0..LANES {
            acc[k] = acc[k] + a[start + k];
        }
    }
    let mut total = T::zero();
    for value in acc {
        total = total + value;
    }
    for &value in &a[whole..] {
        total = total + value;
    }
    total
}

/// y ← y + α·x.
#[inline(always)]
pub(super) fn axpy<T: Real>(y: &mut [T], alpha: T, x: &[T]) {
    for (y, &x) in y.iter_mut().zip(x) {
        *y = alpha.mul_add(x, *y);
    }
}

/// One block through the fastest kernel that fits the network: the fused one-hidden-layer kernel
/// for 2-h-1 nets (the notebook's shape) with up to 4 inputs, the general one otherwise.
#[inline(always)]
pub(super) fn block<T: Real>(
    layers: &[Layer<T>],
    x: &[T],
    y: &[T],
    rows: usize,
    scratch: &mut Scratch<T>,
    partial: &mut Partial<T>,
    probabilities: &mut [T],
) {
    if !fits_one_hidden(layers) {
        return block_step(layers, x, y, rows, scratch, partial, probabilities);
    }
    let relu = layers[0].activation == Activation::Relu;
    let args = (layers, x, y, rows, scratch, partial, probabilities);
    match (layers[0].n_in, relu) {
        (1, true) => one_hidden::<T, 1, true>(args),
        (2, true) => one_hidden::<T, 2, true>(args),
        (3, true) => one_hidden::<T, 3, true>(args),
        (1, false) => one_hidden::<T, 1, false>(args),
        (2, false) => one_hidden::<T, 2, false>(args),
        (3, false) => one_hidden::<T, 3, false>(args),
        (_, true) => one_hidden::<T, 4, true>(args),
        (_, false) => one_hidden::<T, 4, false>(args),
    }
}

/// Whether [`one_hidden`] computes this network: one hidden layer on 1 to 4 inputs.
#[inline(always)]
pub(super) fn fits_one_hidden<T>(layers: &[Layer<T>]) -> bool {
    layers.len() == 2 && (1..=4).contains(&layers[0].n_in)
}

/// `LANES` values of `values` from `start`, as an array (one bounds check instead of `LANES`).
#[inline(always)]
pub(super) fn lanes<T>(values: &[T], start: usize) -> &[T; LANES] {
    values[start..start + LANES]
        .try_into()
        .expect("LANES values")
}

/// The block's rows (row-major, D values each) written feature-major into `into`: input i's
/// values for the rows are `into[i·BLOCK .. i·BLOCK + rows]`, returned as D slices.
#[inline(always)]
fn transpose<'a, T: Real, const D: usize>(x: &[T], rows: usize, into: &'a mut [T]) -> [&'a [T]; D] {
    for r in 0..rows {
        for i in 0..D {
            into[i * BLOCK + r] = x[r * D + i];
        }
    }
    let into: &'a [T] = into;
    std::array::from_fn(|i| &into[i * BLOCK..i * BLOCK + rows])
}

pub(super) type BlockArgs<'a, T> = (
    &'a [Layer<T>],
    &'a [T],
    &'a [T],
    usize,
    &'a mut Scratch<T>,
    &'a mut Partial<T>,
    &'a mut [T],
);

/// The fused kernel for one hidden layer of h units on D inputs: per hidden unit, one pass over
/// the block forward (z_j, and its share of the output's z) and one backward (its gradients), with
/// nothing but z_j and the output stored in between.
///
/// ```text
/// forward,  per unit j:  z_j = b1_j + Σ_i W1_ij·x_i,   z_out += W2_j·f(z_j)
/// output:                p = σ(z_out),  dz = p − y
/// backward, per unit j:  ΣdW2_j += Σ f(z_j)·dz,  g = W2_j·dz·f'(z_j),
///                        ΣdW1_ij += Σ x_i·g,  Σdb1_j += Σ g
/// ```
#[multiversion::multiversion(targets("x86_64+avx512f+avx512vl+avx2+fma", "x86_64+avx2+fma"))]
pub(super) fn one_hidden<T: Real, const D: usize, const RELU: bool>(args: BlockArgs<'_, T>) {
    let (layers, x, y, rows, scratch, partial, probabilities) = args;
    let (hidden, output) = (&layers[0], &layers[1]);
    let h = hidden.n_out;
    let f = |z: T| {
        if RELU {
            z.max(T::zero())
        } else {
            value(hidden.activation, z)
        }
    };
    let df = |z: T| {
        if RELU {
            if z > T::zero() {
                T::one()
            } else {
                T::zero()
            }
        } else {
            derivative(hidden.activation, z)
        }
    };
    let xs = transpose::<T, D>(x, rows, &mut scratch.x); // x_i[r]
    let z_out = &mut scratch.a[1][..rows];
    z_out.fill(output.b[0]);
    for j in 0..h {
        let w: [T; D] = std::array::from_fn(|i| hidden.w[i * h + j]);
        let (b, w2) = (hidden.b[j], output.w[j]);
        let z_j = &mut scratch.z[0][j * BLOCK..j * BLOCK + rows];
        for r in 0..rows {
            let mut z = b;
            for i in 0..D {
                z = w[i].mul_add(xs[i][r], z);
            }
            z_j[r] = z;
            z_out[r] = w2.mul_add(f(z), z_out[r]);
        }
    }
    let p = &mut scratch.z[1][..rows];
    for (p, &z) in p.iter_mut().zip(z_out.iter()) {
        *p = sigmoid(z);
    }
    probabilities.copy_from_slice(p);
    let dz = &mut scratch.dz[..rows];
    partial.loss = partial.loss + loss_and_output_gradient(p, y, dz);
    partial.db[1][0] = partial.db[1][0] + sum(dz);
    let whole = rows - rows % LANES;
    for j in 0..h {
        let z_j = &scratch.z[0][j * BLOCK..j * BLOCK + rows];
        let w2 = output.w[j];
        let mut acc_w2 = [T::zero(); LANES];
        let mut acc_b1 = [T::zero(); LANES];
        let mut acc_w1 = [[T::zero(); LANES]; D];
        for start in (0..whole).step_by(LANES) {
            let (z_c, d_c) = (lanes(z_j, start), lanes(dz, start));
            let x_c: [&[T; LANES]; D] = std::array::from_fn(|i| lanes(xs[i], start));
            for k in 0..LANES {
                let (z, d) = (z_c[k], d_c[k]);
                acc_w2[k] = f(z).mul_add(d, acc_w2[k]);
                let g = w2 * d * df(z);
                acc_b1[k] = acc_b1[k] + g;
                for i in 0..D {
                    acc_w1[i][k] = x_c[i][k].mul_add(g, acc_w1[i][k]);
                }
            }
        }
        let (mut s_w2, mut s_b1, mut s_w1) =
            (sum(&acc_w2), sum(&acc_b1), acc_w1.map(|acc| sum(&acc)));
        for r in whole..rows {
            let (z, d) = (z_j[r], dz[r]);
            s_w2 = s_w2 + f(z) * d;
            let g = w2 * d * df(z);
            s_b1 = s_b1 + g;
            for i in 0..D {
                s_w1[i] = s_w1[i] + xs[i][r] * g;
            }
        }
        partial.dw[1][j] = partial.dw[1][j] + s_w2;
        partial.db[0][j] = partial.db[0][j] + s_b1;
        for i in 0..D {
            partial.dw[0][i * h + j] = partial.dw[0][i * h + j] + s_w1[i];
        }
    }
}

/// Forward, loss, backward and gradient sums of one block of `rows` rows (x row-major).
#[multiversion::multiversion(targets("x86_64+avx512f+avx512vl+avx2+fma", "x86_64+avx2+fma"))]
pub(super) fn block_step<T: Real>(
    layers: &[Layer<T>],
    x: &[T],
    y: &[T],
    rows: usize,
    scratch: &mut Scratch<T>,
    partial: &mut Partial<T>,
    probabilities: &mut [T],
) {
    forward(layers, x, rows, scratch);
    let last = layers.len() - 1;
    let p = &scratch.a[last][..rows];
    probabilities.copy_from_slice(p);

    partial.loss = partial.loss + loss_and_output_gradient(p, y, &mut scratch.dz[..rows]);
    for l in (0..layers.len()).rev() {
        let layer = &layers[l];
        let (n_in, n_out) = (layer.n_in, layer.n_out);
        let input: &[T] = if l == 0 {
            &scratch.x
        } else {
            &scratch.a[l - 1]
        };
        // ΣdW_ij += Σ_r input_i[r]·dz_j[r],  Σdb_j += Σ_r dz_j[r]
        for j in 0..n_out {
            let dz_j = &scratch.dz[j * BLOCK..j * BLOCK + rows];
            partial.db[l][j] = partial.db[l][j] + sum(dz_j);
            for i in 0..n_in {
                let g = &mut partial.dw[l][i * n_out + j];
                *g = *g + dot(&input[i * BLOCK..i * BLOCK + rows], dz_j);
            }
        }
        if l == 0 {
            break;
        }
        // da_i = Σ_j W_ij·dz_j,  dz_below_i = da_i ⊙ f'(z_i)
        let below = layers[l - 1].activation;
        for i in 0..n_in {
            let da_i = &mut scratch.dz_below[i * BLOCK..i * BLOCK + rows];
            da_i.fill(T::zero());
            for j in 0..n_out {
                axpy(
                    da_i,
                    layer.w[i * n_out + j],
                    &scratch.dz[j * BLOCK..j * BLOCK + rows],
                );
            }
            apply_derivative(below, da_i, &scratch.z[l - 1][i * BLOCK..i * BLOCK + rows]);
        }
        std::mem::swap(&mut scratch.dz, &mut scratch.dz_below);
    }
}

/// z and a of every layer for one block (x row-major, transposed into the scratch first); the
/// output layer's a is σ(z).
#[inline(always)]
pub(super) fn forward<T: Real>(
    layers: &[Layer<T>],
    x: &[T],
    rows: usize,
    scratch: &mut Scratch<T>,
) {
    let n_in = layers[0].n_in;
    for r in 0..rows {
        for i in 0..n_in {
            scratch.x[i * BLOCK + r] = x[r * n_in + i];
        }
    }
    let last = layers.len() - 1;
    for (l, layer) in layers.iter().enumerate() {
        let (n_in, n_out) = (layer.n_in, layer.n_out);
        let (done, todo) = scratch.a.split_at_mut(l);
        let input: &[T] = if l == 0 { &scratch.x } else { &done[l - 1] };
        for j in 0..n_out {
            // z_j = b_j + Σ_i W_ij·input_i
            let z_j = &mut scratch.z[l][j * BLOCK..j * BLOCK + rows];
            z_j.fill(layer.b[j]);
            for i in 0..n_in {
                axpy(
                    z_j,
                    layer.w[i * n_out + j],
                    &input[i * BLOCK..i * BLOCK + rows],
                );
            }
            let a_j = &mut todo[0][j * BLOCK..j * BLOCK + rows];
            if l == last {
                for (a, &z) in a_j.iter_mut().zip(z_j.iter()) {
                    *a = sigmoid(z);
                }
            } else {
                apply_activation(layer.activation, a_j, z_j);
            }
        }
    }
}

/// a = f(z), one loop per activation (a `match` inside the loop would stop it vectorising).
#[inline(always)]
pub(super) fn apply_activation<T: Real>(activation: Activation, a: &mut [T], z: &[T]) {
    match activation {
        Activation::Relu => a
            .iter_mut()
            .zip(z)
            .for_each(|(a, &z)| *a = z.max(T::zero())),
        other => a.iter_mut().zip(z).for_each(|(a, &z)| *a = value(other, z)),
    }
}

/// d ← d ⊙ f'(z), likewise.
#[inline(always)]
pub(super) fn apply_derivative<T: Real>(activation: Activation, d: &mut [T], z: &[T]) {
    match activation {
        Activation::Relu => d
            .iter_mut()
            .zip(z)
            .for_each(|(d, &z)| *d = if z > T::zero() { *d } else { T::zero() }),
        other => d
            .iter_mut()
            .zip(z)
            .for_each(|(d, &z)| *d = *d * derivative(other, z)),
    }
}

/// The block's loss sum Σ y·log q + (1 − y)·log(1 − q), q = clip(ŷ, 1e-12, 1 − 1e-12), and the
/// output gradient dz = ŷ − y written into `dz`. y is 0 or 1, so each row needs one log: of q where
/// y = 1, of 1 − q where y = 0 (y·q + (1 − y)·(1 − q) picks it exactly).
#[inline(always)]
pub(super) fn loss_and_output_gradient<T: Real>(p: &[T], y: &[T], dz: &mut [T]) -> T {
    let (eps, one) = (T::of(crate::loss::EPSILON), T::one());
    for ((t, &p), &y) in dz.iter_mut().zip(p).zip(y) {
        let q = p.max(eps).min(one - eps);
        // The outer max changes nothing in f64; in f32, 1 − 1e-12 rounds to 1, and it keeps
        // log(1 − q) finite for a saturated ŷ = 1.
        *t = (y * q + (one - y) * (one - q)).max(eps).ln_fast();
    }
    let loss = sum(dz);
    for ((d, &p), &y) in dz.iter_mut().zip(p).zip(y) {
        *d = p - y; // dz_L = a_L − y
    }
    loss
}

/// σ(z) = 1 / (1 + e^(−clip(z, −666, 666))), with the vectorisable exp (which saturates at the
/// ends of its type's range, as σ does).
#[inline(always)]
pub(super) fn sigmoid<T: Real>(z: T) -> T {
    let z = z.max(T::of(-666.0)).min(T::of(666.0));
    T::one() / (T::one() + (-z).exp_fast())
}

/// ŷ of one block, into `out`: the fused kernel for one hidden layer on up to 4 inputs, the
/// general forward pass otherwise. Both compute each value as the portable training kernels'
/// forward passes do, in the same order, so a prediction equals their next step's ŷ to the bit.
#[inline(always)]
pub(super) fn predict_block<T: Real>((layers, x, rows, scratch, out): PredictArgs<'_, T>) {
    if !fits_one_hidden(layers) {
        return predict_general(layers, x, rows, scratch, out);
    }
    let relu = layers[0].activation == Activation::Relu;
    let args = (layers, x, rows, scratch, out);
    match (layers[0].n_in, relu) {
        (1, true) => predict_one_hidden::<T, 1, true>(args),
        (2, true) => predict_one_hidden::<T, 2, true>(args),
        (3, true) => predict_one_hidden::<T, 3, true>(args),
        (1, false) => predict_one_hidden::<T, 1, false>(args),
        (2, false) => predict_one_hidden::<T, 2, false>(args),
        (3, false) => predict_one_hidden::<T, 3, false>(args),
        (_, true) => predict_one_hidden::<T, 4, true>(args),
        (_, false) => predict_one_hidden::<T, 4, false>(args),
    }
}

/// A prediction's layers, rows (row-major), row count, scratch and ŷ.
pub(super) type PredictArgs<'a, T> = (
    &'a [Layer<T>],
    &'a [T],
    usize,
    &'a mut Scratch<T>,
    &'a mut [T],
);

/// ŷ of one block through every layer ([`forward`]).
#[multiversion::multiversion(targets("x86_64+avx512f+avx512vl+avx2+fma", "x86_64+avx2+fma"))]
fn predict_general<T: Real>(
    layers: &[Layer<T>],
    x: &[T],
    rows: usize,
    scratch: &mut Scratch<T>,
    out: &mut [T],
) {
    forward(layers, x, rows, scratch);
    out.copy_from_slice(&scratch.a[layers.len() - 1][..rows]);
}

/// The forward half of [`one_hidden`], nothing stored but the output's z: per hidden unit j,
/// `z_j = b1_j + Σ_i W1_ij·x_i` and `z_out += W2_j·f(z_j)`; then ŷ = σ(z_out). A measurement
/// pass (the training rows after an update, the test rows every epoch) costs about a third of
/// a training step this way; the general forward pass stored every unit's z and a first.
#[multiversion::multiversion(targets("x86_64+avx512f+avx512vl+avx2+fma", "x86_64+avx2+fma"))]
fn predict_one_hidden<T: Real, const D: usize, const RELU: bool>(
    (layers, x, rows, scratch, out): PredictArgs<'_, T>,
) {
    let (hidden, output) = (&layers[0], &layers[1]);
    let h = hidden.n_out;
    let f = |z: T| {
        if RELU {
            z.max(T::zero())
        } else {
            value(hidden.activation, z)
        }
    };
    let xs = transpose::<T, D>(x, rows, &mut scratch.x); // x_i[r]
    let z_out = &mut out[..rows];
    z_out.fill(output.b[0]);
    for j in 0..h {
        let w: [T; D] = std::array::from_fn(|i| hidden.w[i * h + j]);
        let (b, w2) = (hidden.b[j], output.w[j]);
        for r in 0..rows {
            let mut z = b;
            for i in 0..D {
                z = w[i].mul_add(xs[i][r], z);
            }
            z_out[r] = w2.mul_add(f(z), z_out[r]);
        }
    }
    for p in z_out.iter_mut() {
        *p = sigmoid(*p);
    }
}

pub(super) fn value<T: Real>(activation: Activation, z: T) -> T {
    match activation {
        Activation::Relu => z.max(T::zero()),
        Activation::LeakyRelu => {
            if z > T::zero() {
                z
            } else {
                T::of(crate::LEAKY_SLOPE) * z
            }
        }
        Activation::Tanh => z.tanh(),
        Activation::Sigmoid => {
            T::one() / (T::one() + (-z.max(T::of(-666.0)).min(T::of(666.0))).exp())
        }
        Activation::Linear => z,
    }
}

pub(super) fn derivative<T: Real>(activation: Activation, z: T) -> T {
    match activation {
        Activation::Relu => {
            if z > T::zero() {
                T::one()
            } else {
                T::zero()
            }
        }
        Activation::LeakyRelu => {
            if z > T::zero() {
                T::one()
            } else {
                T::of(crate::LEAKY_SLOPE)
            }
        }
        Activation::Tanh => T::one() - z.tanh() * z.tanh(),
        Activation::Sigmoid => {
            let s = value(Activation::Sigmoid, z);
            s * (T::one() - s)
        }
        Activation::Linear => T::one(),
    }
}
