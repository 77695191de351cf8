//! Finite-difference checks of every hand-written gradient, in f64.
//!
//! For a scalar L(θ), the central difference n = (L(θ + h) − L(θ − h)) / 2h approximates ∂L/∂θ with
//! a truncation error O(h²) and a rounding error about ε·|L|/h; with h = 1e-6 and L ≈ 1 both are
//! near 1e-10. Each analytic gradient g must satisfy |g − n| ≤ 1e-6·max(|g|, |n|) + 1e-10: a
//! relative error of 1e-6, plus the rounding noise of the quotient itself for gradients so small
//! (below 1e-4) that the noise alone would exceed it.

use ndarray::{Array1, Array2};
use nnlab_core::layer::Dense;
use nnlab_core::loss::binary_cross_entropy;
use nnlab_core::{notebook_init, Activation, Mlp, ModelSpec};
use nnlab_data::RandomState;

const H: f64 = 1e-6;

fn assert_gradient(what: &str, analytic: f64, numeric: f64) {
    let allowed = 1e-6 * analytic.abs().max(numeric.abs()) + 1e-10;
    let err = (analytic - numeric).abs();
    assert!(
        err <= allowed,
        "{what}: analytic {analytic:e}, numeric {numeric:e}, difference {err:e}"
    );
}

/// ∂L/∂θ by central differences, where `at(t)` evaluates L with θ = t.
fn central_difference(value: f64, mut at: impl FnMut(f64) -> f64) -> f64 {
    (at(value + H) - at(value - H)) / (2.0 * H)
}

fn random_layer(rng: &mut RandomState, n_in: usize, n_out: usize, activation: Activation) -> Dense {
    Dense {
        w: rng.randn(n_in, n_out),
        b: Array1::from_shape_simple_fn(n_out, || rng.standard_normal()),
        activation,
    }
}

/// L = (1/m)·Σᵢⱼ aᵢⱼ·Rᵢⱼ for a fixed random R, so the per-sample gradient da is R.
fn layer_loss(layer: &Dense, x: &Array2<f64>, r: &Array2<f64>) -> f64 {
    let (a, _) = layer.forward(x);
    (&a * r).sum() / x.nrows() as f64
}

#[test]
fn every_layer_backward_matches_finite_differences() {
    for activation in Activation::ALL {
        for seed in 0..5 {
            let mut rng = RandomState::new(seed);
            let (m, n_in, n_out) = (7, 3, 4);
            let mut layer = random_layer(&mut rng, n_in, n_out, activation);
            let mut x = rng.randn(m, n_in);
            let r = rng.randn(m, n_out);
            let (_, cache) = layer.forward(&x);
            let (dx, grads) = layer.backward(&cache, &r);
            let what = format!("{activation} seed {seed}");

            for i in 0..n_in {
                for j in 0..n_out {
                    let w = layer.w[[i, j]];
                    let numeric = central_difference(w, |t| {
                        layer.w[[i, j]] = t;
                        layer_loss(&layer, &x, &r)
                    });
                    layer.w[[i, j]] = w;
                    assert_gradient(&format!("{what} dW[{i},{j}]"), grads.dw[[i, j]], numeric);
                }
            }
            for j in 0..n_out {
                let b = layer.b[j];
                let numeric = central_difference(b, |t| {
                    layer.b[j] = t;
                    layer_loss(&layer, &x, &r)
                });
                layer.b[j] = b;
                assert_gradient(&format!("{what} db[{j}]"), grads.db[j], numeric);
            }
            // dx is per sample: ∂L/∂x = dx / m.
            for i in 0..m {
                for k in 0..n_in {
                    let v = x[[i, k]];
                    let numeric = central_difference(v, |t| {
                        x[[i, k]] = t;
                        layer_loss(&layer, &x, &r)
                    });
                    x[[i, k]] = v;
                    assert_gradient(
                        &format!("{what} dx[{i},{k}]"),
                        dx[[i, k]] / m as f64,
                        numeric,
                    );
                }
            }
        }
    }
}

#[test]
fn cross_entropy_gradient_on_the_sigmoid_input_matches_finite_differences() {
    // ℓ(z) = BCE(y, σ(z)) averaged over m: ∂L/∂zᵢ = (σ(zᵢ) − yᵢ) / m.
    let mut rng = RandomState::new(3);
    let m = 9;
    let mut z: Array1<f64> = Array1::from_shape_simple_fn(m, || 2.0 * rng.standard_normal());
    let y: Array1<f64> = (0..m).map(|i| (i % 2) as f64).collect();
    let loss = |z: &Array1<f64>| binary_cross_entropy(&y, &z.mapv(nnlab_core::sigmoid));
    let dz = nnlab_core::loss::output_gradient(&y, &z.mapv(nnlab_core::sigmoid));
    for i in 0..m {
        let v = z[i];
        let numeric = central_difference(v, |t| {
            z[i] = t;
            loss(&z)
        });
        z[i] = v;
        assert_gradient(&format!("dz[{i}]"), dz[[i, 0]] / m as f64, numeric);
    }
}

fn mlp_loss(mlp: &Mlp, x: &Array2<f64>, y: &Array1<f64>) -> f64 {
    binary_cross_entropy(y, &mlp.probabilities(x))
}

#[test]
fn whole_networks_of_several_depths_match_finite_differences() {
    let shapes: [&[usize]; 5] = [&[8], &[3], &[5, 4], &[4, 3, 2], &[6, 6, 6]];
    for (case, hidden) in shapes.iter().enumerate() {
        for activation in Activation::ALL {
            let seed = (case * 10) as u32 + activation as u32;
            let spec = ModelSpec::new(3, hidden.to_vec(), activation).unwrap();
            let mut mlp = notebook_init(&spec, seed);
            let mut rng = RandomState::new(seed + 1000);
            for layer in &mut mlp.layers {
                layer.b =
                    Array1::from_shape_simple_fn(layer.b.len(), || 0.1 * rng.standard_normal());
            }
            let m = 11;
            let x = rng.randn(m, 3);
            let y: Array1<f64> = (0..m)
                .map(|_| f64::from(u8::from(rng.random_sample() < 0.5)))
                .collect();
            let grads = mlp.backward(&mlp.forward(&x), &y);

            for (l, layer_grads) in grads.iter().enumerate() {
                let what = format!("{} {activation} layer {l}", spec.describe());
                let (n_in, n_out) = mlp.layers[l].w.dim();
                for i in 0..n_in {
                    for j in 0..n_out {
                        let w = mlp.layers[l].w[[i, j]];
                        let numeric = central_difference(w, |t| {
                            mlp.layers[l].w[[i, j]] = t;
                            mlp_loss(&mlp, &x, &y)
                        });
                        mlp.layers[l].w[[i, j]] = w;
                        assert_gradient(
                            &format!("{what} dW[{i},{j}]"),
                            layer_grads.dw[[i, j]],
                            numeric,
                        );
                    }
                }
                for j in 0..n_out {
                    let b = mlp.layers[l].b[j];
                    let numeric = central_difference(b, |t| {
                        mlp.layers[l].b[j] = t;
                        mlp_loss(&mlp, &x, &y)
                    });
                    mlp.layers[l].b[j] = b;
                    assert_gradient(&format!("{what} db[{j}]"), layer_grads.db[j], numeric);
                }
            }
        }
    }
}
