//! `nnlab explain`'s numbers: the engine's own, and right by finite differences, for every task,
//! activation and optimizer.

use nnlab_app::engines::initial_parameters;
use nnlab_app::explain::render::{render, Format, AGREES};
use nnlab_app::explain::{engine_layout, explain, fd_floor, Explanation, FD_FLOOR};
use nnlab_app::{Generator, Prepared, RunConfig};
use nnlab_core::{Batch, Engine, ManualEngine, Mlp, RuleKind, TaskKind};

/// The notebook's settings on 200 rows, edited.
fn settings(edit: impl FnOnce(&mut RunConfig)) -> (RunConfig, Prepared) {
    let mut settings = RunConfig::notebook();
    settings.samples = Some(200);
    edit(&mut settings);
    settings.fill_optimizer_defaults();
    let prepared = settings.prepare().unwrap();
    (settings, prepared)
}

fn blobs(s: &mut RunConfig) {
    s.dataset = Some(Generator::Blobs);
    s.noise = None;
    s.centers = Some(3);
    s.cluster_std = Some(1.0);
    s.features = Some(2);
}

fn plane(s: &mut RunConfig) {
    s.dataset = Some(Generator::Plane);
    s.noise = Some(0.1);
}

fn adam(s: &mut RunConfig) {
    s.optimizer = RuleKind::Adam;
    s.momentum = None;
    s.weight_decay = None;
}

/// Every task, each hidden activation, one and two hidden layers, and the optimizers.
fn grid() -> Vec<(String, RunConfig, Prepared)> {
    let mut all = Vec::new();
    for (task, data) in [
        ("binary", (|_: &mut RunConfig| {}) as fn(&mut RunConfig)),
        ("multiclass", blobs),
        ("regression", plane),
    ] {
        for activation in [
            "relu",
            "leaky-relu",
            "tanh",
            "sigmoid",
            "linear",
            "tanh,relu",
        ] {
            let (s, p) = settings(|s| {
                data(s);
                s.activation = activation.into();
                if activation.contains(',') {
                    s.hidden = vec![5, 4];
                }
            });
            all.push((format!("{task} {activation}"), s, p));
        }
    }
    all
}

fn rows(e: &Explanation) -> (ndarray::Array2<f64>, ndarray::Array1<f64>) {
    (e.x.clone(), e.y.clone())
}

#[test]
fn the_explained_gradients_are_the_engines_bit_for_bit() {
    for (name, settings, prepared) in grid() {
        let explanation = explain(&settings, &prepared, &[3, 0, 17]).unwrap();
        // the engine on its own: the run's initial weights, a batch of the same rows
        let spec = &explanation.spec;
        let mlp =
            Mlp::from_parameters(spec, &initial_parameters(&settings, spec).unwrap()).unwrap();
        let mut engine = ManualEngine::new(spec.clone(), mlp).unwrap();
        let x = prepared
            .train
            .x_train()
            .select(ndarray::Axis(0), &[3, 0, 17]);
        let y = prepared
            .train
            .y_train()
            .select(ndarray::Axis(0), &[3, 0, 17]);
        assert_eq!(rows(&explanation), (x.clone(), y.clone()), "{name}");
        let step = engine
            .forward_backward(&Batch::new(x.view(), y.view()))
            .unwrap();
        assert_eq!(step.loss.to_bits(), explanation.loss.to_bits(), "{name}");
        let gradients = engine.gradients();
        for (check, parameter) in explanation.checks.iter().zip(&gradients) {
            let want = engine_layout(parameter, check.gradient.dim());
            assert_eq!(check.gradient, want, "{name}: {}", parameter.name);
        }
        for (trace, parameter) in explanation.backward.iter().zip(gradients.chunks(2)) {
            assert_eq!(
                trace.grads.dw,
                engine_layout(&parameter[0], trace.grads.dw.dim()),
                "{name}"
            );
        }
        assert_eq!(explanation.checks.len(), gradients.len(), "{name}");
    }
}

#[test]
fn every_gradient_passes_the_finite_difference_check() {
    for (name, settings, prepared) in grid() {
        for rows in [&[0, 1, 2, 3][..], &[7], &[10, 50, 90, 130, 159]] {
            let explanation = explain(&settings, &prepared, rows).unwrap();
            for check in &explanation.checks {
                let (worst, at) = check.worst();
                assert!(
                    worst < AGREES,
                    "{name}, rows {rows:?}: layer {} {} at {at:?}: g {} fd {} (relative error {worst:e})",
                    check.tensor.layer,
                    if check.tensor.is_weight { "W" } else { "b" },
                    check.gradient[at],
                    check.finite_difference[at]
                );
            }
        }
    }
}

/// A regression whose targets are in the thousands (the plane's, ×1000 + 5000, as in a CSV of
/// prices): at the initial weights the loss is about 2.6e7. Each L is rounded by some 1e-16 of
/// its size, and the finite difference divides that by 2ε = 2e-5: it is good only to about
/// 1e-16 × 2.6e7 / 2e-5 ≈ 1e-4 (the gradient of 19.3 below came out 5.3e-5 off), which with the
/// floor of 1e-4 alone made that correct gradient "disagree" (2.8e-6). The floor grows with L,
/// so the backward pass is judged by what the finite difference can resolve.
#[test]
fn a_large_loss_raises_the_floor_and_the_gradients_agree() {
    let dir = tempfile::tempdir().unwrap();
    let (_, generated) = settings(plane);
    let values = generated.dataset.values.as_ref().unwrap();
    let mut csv = String::from("x0,x1,label\n");
    for (row, value) in generated.dataset.features.rows().into_iter().zip(values) {
        csv += &format!("{},{},{}\n", row[0], row[1], value * 1000.0 + 5000.0);
    }
    let path = dir.path().join("prices.csv");
    std::fs::write(&path, csv).unwrap();
    let (settings, prepared) = settings(|s| {
        s.data = Some(path);
        s.samples = None;
        s.task = Some(TaskKind::Regression);
    });
    let e = explain(&settings, &prepared, &[0, 1, 2, 3]).unwrap();
    assert!(e.loss > 1e7, "{}", e.loss);
    assert_eq!(fd_floor(e.loss), FD_FLOOR * e.loss);
    assert_eq!(fd_floor(0.7), FD_FLOOR);
    for check in &e.checks {
        let (worst, at) = check.worst();
        assert!(
            worst < AGREES,
            "{:?} at {at:?}: g {} fd {} ({worst:e})",
            check.tensor,
            check.gradient[at],
            check.finite_difference[at]
        );
    }
    let text = render(&e, Format::Text);
    assert!(text.contains("All 33 gradients agree"), "{text}");
    // the text gives the floor it used (1e-4·L), and what a finite difference is good to
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" "); // the text wraps lines
    let floor = format!("{:.1e}", 1e-4 * e.loss);
    assert!(
        flat.contains(&format!("max(|g|, |fd|, 1e-4·L = {floor})")),
        "{flat}"
    );
    assert!(
        flat.contains(&format!("smaller than {floor} are judged")),
        "{flat}"
    );
    assert!(flat.contains("about 1e-10·L = "), "{flat}");
}

#[test]
fn plain_sgd_takes_lr_times_the_gradient() {
    let (settings, prepared) = settings(|s| s.lr = 0.5);
    let explanation = explain(&settings, &prepared, &[0, 1, 2, 3]).unwrap();
    for (update, check) in explanation.update.tensors.iter().zip(&explanation.checks) {
        assert!(!update.penalised && update.first.is_none());
        assert_eq!(update.after, &update.before - &(0.5 * &check.gradient));
    }
}

// The loss after the step. To first order a gradient step of lr changes L by −lr·Σg² (Taylor:
// L(θ − lr·g) = L(θ) − lr·g·g + O(lr²)); at lr = 1e-4 the second-order term is 1e-4 of it. At
// lr = 30 the notebook's net overshoots and the document says the loss went up.
#[test]
fn the_loss_after_the_step_falls_as_calculus_says() {
    let (small, prepared) = settings(|s| s.lr = 1e-4);
    let e = explain(&small, &prepared, &[0, 1, 2, 3]).unwrap();
    let squares: f64 = e
        .checks
        .iter()
        .flat_map(|c| c.gradient.iter())
        .map(|g| g * g)
        .sum();
    let predicted = -1e-4 * squares;
    let change = e.update.loss_after - e.loss;
    assert!(
        ((change / predicted) - 1.0).abs() < 1e-2,
        "{change} vs {predicted}"
    );
    assert!(render(&e, Format::Text).contains("it went down by"));

    let (large, prepared) = settings(|s| s.lr = 30.0);
    let e = explain(&large, &prepared, &[0, 1, 2, 3]).unwrap();
    assert!(e.update.loss_after > e.loss);
    assert!(render(&e, Format::Text).contains("the step overshot"));
}

#[test]
fn l2_and_momentum_show_their_terms_and_state() {
    let (settings, prepared) = settings(|s| {
        s.l2 = 0.1;
        s.momentum = Some(0.9);
    });
    let explanation = explain(&settings, &prepared, &[0, 1, 2, 3]).unwrap();
    for (update, check) in explanation.update.tensors.iter().zip(&explanation.checks) {
        let want = if update.tensor.is_weight {
            &check.gradient + &(0.1 * &update.before)
        } else {
            check.gradient.clone()
        };
        assert_eq!(update.gradient, want);
        assert_eq!(update.penalised, update.tensor.is_weight);
        // the buffer starts as the first gradient, and the step is lr times it
        assert_eq!(update.first.as_ref(), Some(&update.gradient));
        assert_eq!(update.after, &update.before - &(0.1 * &update.gradient));
    }
    let text = render(&explanation, Format::Text);
    assert!(text.contains("g = dW + l2·W for the weights"), "{text}");
    assert!(text.contains("b, the momentum buffer of W₁"), "{text}");
}

#[test]
fn adams_first_step_moves_every_parameter_by_about_lr() {
    let (settings, prepared) = settings(|s| {
        adam(s);
        s.lr = 0.01;
    });
    let explanation = explain(&settings, &prepared, &[0, 1, 2, 3]).unwrap();
    for update in &explanation.update.tensors {
        let m = update.first.as_ref().unwrap();
        let v = update.second.as_ref().unwrap();
        for (((&g, &m), &v), (&before, &after)) in update
            .gradient
            .iter()
            .zip(m)
            .zip(v)
            .zip(update.before.iter().zip(&update.after))
        {
            assert!(
                (m - 0.1 * g).abs() <= 1e-15 * g.abs().max(1.0),
                "m {m} g {g}"
            );
            assert!((v - 0.001 * g * g).abs() <= 1e-15, "v {v} g {g}");
            if g.abs() > 1e-6 {
                let moved = before - after;
                assert!(
                    (moved - 0.01 * g.signum()).abs() < 1e-6,
                    "{moved} for g {g}"
                );
            }
        }
    }
    let text = render(&explanation, Format::Text);
    assert!(text.contains("m, the first moment of W₁"));
    // Adam's m is not the m of (1/m)·Σᵢ, the number of rows, used above it
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" "); // the text wraps lines
    assert!(flat.contains(
        "this m is Adam's first moment, a tensor shaped as θ, not the number of rows m above"
    ));
    assert!(text.contains("v, the second moment of b₂"));
    assert!(text.contains("W₁ ← W₁ − lr·m̂ / (√v̂ + ε)"));
}

#[test]
fn the_text_follows_the_notebooks_cells() {
    let (settings, prepared) = settings(|_| {});
    let text = render(
        &explain(&settings, &prepared, &[0, 1, 2, 3]).unwrap(),
        Format::Text,
    );
    let mut at = 0;
    for line in [
        "One training step, taken apart",
        "network 2-8-1 (relu hidden, one sigmoid output, binary cross-entropy)",
        "X                                           (4×2)",
        "The weights before the step",
        "Forward pass",
        "z₁ = X·W₁ + b₁",
        "(4×2)·(2×8) + (8) → (4×8)",
        "a₁ = relu(z₁) = max(0, z₁)",
        "z₂ = a₁·W₂ + b₂",
        "ŷ = σ(z₂)",
        "L = (1/m)·Σᵢ ℓᵢ = ",
        "Backward pass",
        "dz₂ = ŷ − y",
        "dW₂ = a₁ᵀ·dz₂ / m",
        "db₂ = Σᵢ dz₂ / m",
        "da₁ = dz₂·W₂ᵀ",
        "relu'(z₁) = 1 where z₁ > 0, else 0",
        "dz₁ = da₁ ⊙ relu'(z₁)",
        "dW₁ = Xᵀ·dz₁ / m",
        "db₁ = Σᵢ dz₁ / m",
        "Gradient check",
        "All 33 gradients agree with their finite differences",
        "W₁[1,7]",
        "The update (lr = 0.1)",
        "W₁ ← W₁ − lr·dW₁",
        "b₂ ← b₂ − lr·db₂",
    ] {
        let found = text[at..]
            .find(line)
            .unwrap_or_else(|| panic!("{line:?} is missing after byte {at}:\n{text}"));
        at += found;
    }
}

#[test]
fn the_markdown_has_a_heading_per_pass_and_latex() {
    let (settings, prepared) = settings(|s| {
        blobs(s);
        s.hidden = vec![4, 3];
        s.task = Some(TaskKind::Multiclass);
    });
    let markdown = render(
        &explain(&settings, &prepared, &[0, 1, 2]).unwrap(),
        Format::Markdown,
    );
    for heading in [
        "# One training step, taken apart\n",
        "## 1. The weights before the step\n",
        "## 2. Forward pass\n",
        "## 3. Backward pass\n",
        "## 4. Gradient check: backward against finite differences\n",
        "## 5. The update (lr = 0.1)\n",
        "$z_{3} = a_{2} W_{3} + b_{3}$",
        "$dz_{3} = p - Y$",
        "$Y = \\mathrm{onehot}(y)$",
        "| row 0 |",
    ] {
        assert!(
            markdown.contains(heading),
            "{heading:?} missing:\n{markdown}"
        );
    }
    // GitHub's Markdown parser takes a backslash before punctuation as an escape before MathJax
    // sees the math: `X\, W` would show as "X, W". The TeX uses none (\cdot, spaces instead).
    let escapes: Vec<&str> = markdown
        .match_indices('\\')
        .map(|(i, _)| &markdown[i..(i + 2).min(markdown.len())])
        .filter(|pair| pair[1..].starts_with(|c: char| c.is_ascii_punctuation()))
        .collect();
    assert!(escapes.is_empty(), "{escapes:?}");
}
