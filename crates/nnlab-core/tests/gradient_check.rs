//! Finite-difference checks of every hand-written gradient, in f64.
//!
//! For a scalar L(θ), the central difference n = (L(θ + h) − L(θ − h)) / 2h approximates ∂L/∂θ with
//! a truncation error O(h²) and a rounding error about ε·|L|/h; with h = 1e-6 and L ≈ 1 both are
//! near 1e-10. Each analytic gradient g must satisfy |g − n| ≤ 1e-6·max(|g|, |n|) + 1e-10: a
//! relative error of 1e-6, plus the rounding noise of the quotient itself for gradients so small
//! (below 1e-4) that the noise alone would exceed it. The whole-network checks of multi-class and
//! regression nets allow ten times that noise, times |L| where it exceeds 1: their losses add terms
//! of up to ~10 in size (a log-sum-exp of logits, squared errors), whose rounding the quotient
//! divides by h.

use ndarray::{Array1, Array2};
use nnlab_core::layer::Dense;
use nnlab_core::loss::binary_cross_entropy;
use nnlab_core::{notebook_init, Activation, Mlp, ModelSpec, Task};
use nnlab_data::RandomState;

const H: f64 = 1e-6;

fn assert_gradient(what: &str, analytic: f64, numeric: f64) {
    assert_gradient_for_loss(what, analytic, numeric, 1.0);
}

/// The same, with the floor for the quotient's rounding noise scaled by `noise` (≥ 1).
fn assert_gradient_for_loss(what: &str, analytic: f64, numeric: f64, noise: f64) {
    let allowed = 1e-6 * analytic.abs().max(numeric.abs()) + 1e-10 * noise;
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
    let loss = |z: &Array1<f64>| binary_cross_entropy(y.view(), z.mapv(nnlab_core::sigmoid).view());
    let dz = nnlab_core::loss::output_gradient(y.view(), z.mapv(nnlab_core::sigmoid).view());
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

#[test]
fn softmax_and_mse_gradients_on_the_logits_match_finite_differences() {
    // L(z) = task.loss(z, y) averaged over m: ∂L/∂z = dz / m for dz = task.output_gradient.
    let mut rng = RandomState::new(4);
    let m = 7;
    for task in [Task::Multiclass { classes: 4 }, Task::Regression] {
        let k = task.outputs();
        let mut z = 2.0 * rng.randn(m, k);
        let y: Array1<f64> = match task {
            Task::Regression => Array1::from_shape_simple_fn(m, || rng.standard_normal()),
            _ => (0..m).map(|i| (i % k) as f64).collect(),
        };
        let dz = task.output_gradient(z.view(), y.view());
        for i in 0..m {
            for j in 0..k {
                let v = z[[i, j]];
                let numeric = central_difference(v, |t| {
                    z[[i, j]] = t;
                    task.loss(z.view(), y.view())
                });
                z[[i, j]] = v;
                assert_gradient(
                    &format!("{task:?} dz[{i},{j}]"),
                    dz[[i, j]] / m as f64,
                    numeric,
                );
            }
        }
    }
}

fn binary_loss(mlp: &Mlp, x: &Array2<f64>, y: &Array1<f64>) -> f64 {
    binary_cross_entropy(y.view(), mlp.outputs(x).column(0))
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
            let grads = mlp.backward(&mlp.forward(&x), y.view(), Task::Binary);

            for (l, layer_grads) in grads.iter().enumerate() {
                let what = format!("{} {activation} layer {l}", spec.describe());
                let (n_in, n_out) = mlp.layers[l].w.dim();
                for i in 0..n_in {
                    for j in 0..n_out {
                        let w = mlp.layers[l].w[[i, j]];
                        let numeric = central_difference(w, |t| {
                            mlp.layers[l].w[[i, j]] = t;
                            binary_loss(&mlp, &x, &y)
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
                        binary_loss(&mlp, &x, &y)
                    });
                    mlp.layers[l].b[j] = b;
                    assert_gradient(&format!("{what} db[{j}]"), layer_grads.db[j], numeric);
                }
            }
        }
    }
}

fn mlp_loss(mlp: &Mlp, x: &Array2<f64>, y: &Array1<f64>, task: Task) -> f64 {
    task.loss(mlp.outputs(x).view(), y.view())
}

/// The other tasks (3 classes, regression) for every shape × activation, and two mixed activation
/// lists for all three tasks.
#[test]
fn whole_networks_of_the_other_tasks_and_mixed_activations_match_finite_differences() {
    let shapes: [&[usize]; 5] = [&[8], &[3], &[5, 4], &[4, 3, 2], &[6, 6, 6]];
    let mut cases: Vec<(Vec<usize>, Vec<Activation>)> = Vec::new();
    for hidden in shapes {
        for activation in Activation::ALL {
            cases.push((hidden.to_vec(), vec![activation; hidden.len()]));
        }
    }
    cases.push((vec![5, 4], vec![Activation::Tanh, Activation::Relu]));
    cases.push((
        vec![4, 3, 2],
        vec![
            Activation::Sigmoid,
            Activation::Linear,
            Activation::LeakyRelu,
        ],
    ));
    let tasks = [
        Task::Binary,
        Task::Multiclass { classes: 3 },
        Task::Regression,
    ];
    for (case, (hidden, activations)) in cases.iter().enumerate() {
        let mixed = activations.iter().any(|&a| a != activations[0]);
        for (t, &task) in tasks.iter().enumerate() {
            if task == Task::Binary && !mixed {
                continue; // the test above
            }
            let seed = (case * 10 + t) as u32;
            let spec = ModelSpec::with_task(3, hidden.clone(), activations.clone(), task).unwrap();
            let mut mlp = notebook_init(&spec, seed);
            let mut rng = RandomState::new(seed + 1000);
            for layer in &mut mlp.layers {
                layer.b =
                    Array1::from_shape_simple_fn(layer.b.len(), || 0.1 * rng.standard_normal());
            }
            let m = 11;
            let x = rng.randn(m, 3);
            let y: Array1<f64> = match task {
                Task::Binary => (0..m)
                    .map(|_| f64::from(u8::from(rng.random_sample() < 0.5)))
                    .collect(),
                Task::Multiclass { classes } => (0..m).map(|i| (i % classes) as f64).collect(),
                Task::Regression => Array1::from_shape_simple_fn(m, || rng.standard_normal()),
            };
            let grads = mlp.backward(&mlp.forward(&x), y.view(), task);
            let noise = 10.0 * mlp_loss(&mlp, &x, &y, task).abs().max(1.0);

            for (l, layer_grads) in grads.iter().enumerate() {
                let what = format!("{} {activations:?} {task:?} layer {l}", spec.describe());
                let (n_in, n_out) = mlp.layers[l].w.dim();
                for i in 0..n_in {
                    for j in 0..n_out {
                        let w = mlp.layers[l].w[[i, j]];
                        let numeric = central_difference(w, |t| {
                            mlp.layers[l].w[[i, j]] = t;
                            mlp_loss(&mlp, &x, &y, task)
                        });
                        mlp.layers[l].w[[i, j]] = w;
                        assert_gradient_for_loss(
                            &format!("{what} dW[{i},{j}]"),
                            layer_grads.dw[[i, j]],
                            numeric,
                            noise,
                        );
                    }
                }
                for j in 0..n_out {
                    let b = mlp.layers[l].b[j];
                    let numeric = central_difference(b, |t| {
                        mlp.layers[l].b[j] = t;
                        mlp_loss(&mlp, &x, &y, task)
                    });
                    mlp.layers[l].b[j] = b;
                    assert_gradient_for_loss(
                        &format!("{what} db[{j}]"),
                        layer_grads.db[j],
                        numeric,
                        noise,
                    );
                }
            }
        }
    }
}
