//! The autograd engine against the notebook's PyTorch section.
//!
//! Reference: `torch.init` and `torch.history` of the project's reference files
//! `notebook_20_epochs.json` and `notebook_1000_epochs.json` (PyTorch 2.15.0, float32), copied to
//! `fixtures/reference/notebook_*_epochs_runs.json`; the scaled data is `notebook_data.json`.
//!
//! The notebook's PyTorch loop measures the training accuracy on `y_pred`, the forward pass made
//! *before* `optimizer.step()`, while its numpy loop predicts again after the update. These tests
//! train with [`TrainAccuracy::BeforeUpdate`], as the PyTorch section does.
//!
//! The reference was recorded on an x86-64 CPU with AVX2, where PyTorch runs its AVX2 random
//! kernels; `torch_init` reproduces them bit for bit when this machine selects them too
//! ([`Kernel::detect`]), else (PyTorch's plain C++ kernel) to about 1e-6.

use std::ops::ControlFlow;

use nnlab_autograd::torch_rng::Kernel;
use nnlab_autograd::{torch_init, AutogradEngine, DeviceKind, FloatType};
use nnlab_core::{train, ModelSpec, Parameter, TrainAccuracy, TrainConfig, TrainData};
use nnlab_fixtures::{notebook_split, numbers as flat};
use serde_json::Value;

fn fixture(name: &str) -> Value {
    nnlab_fixtures::fixture(&format!("reference/{name}"))
}

/// The notebook's scaled split, as the reference recorded it.
fn notebook_data() -> TrainData {
    let nb = notebook_split();
    TrainData::new(nb.x_train, &nb.y_train, nb.x_test, &nb.y_test).unwrap()
}

/// torch's state_dict names are `0.weight`, ...; the notebook's module prefixes `network.`.
fn reference_parameter(init: &Value, ours: &Parameter) -> Vec<f64> {
    flat(&init[ours.name.trim_start_matches("network.")])
}

#[test]
fn torch_init_matches_pytorch_for_16_and_8_values() {
    let reference = fixture("notebook_20_epochs_runs.json");
    let init = &reference["torch"]["init"];
    let parameters = torch_init(&ModelSpec::default(), 42);
    assert_eq!(parameters.len(), 4);
    for p in &parameters {
        let want = reference_parameter(init, p);
        assert_eq!(p.values.len(), want.len(), "{}", p.name);
        for (g, w) in p.values.iter().zip(&want) {
            if Kernel::detect() == Kernel::Avx2 {
                assert_eq!(g.to_bits(), w.to_bits(), "{}: got {g}, want {w}", p.name);
            } else {
                assert!((g - w).abs() <= 2e-6, "{}: got {g}, want {w}", p.name);
            }
        }
    }
}

fn check_history(file: &str, tolerance: f64) {
    let reference = fixture(file);
    let torch = &reference["torch"];
    let epochs = reference["epochs"].as_u64().unwrap() as usize;
    let spec = ModelSpec::default();
    let mut engine = AutogradEngine::new(
        spec.clone(),
        &torch_init(&spec, 42),
        FloatType::F32,
        DeviceKind::Cpu,
    )
    .unwrap();
    let config = TrainConfig::new(reference["lr"].as_f64().unwrap(), epochs).unwrap();
    let outcome = train(
        &mut engine,
        &notebook_data(),
        &config,
        TrainAccuracy::BeforeUpdate,
        |_, _| ControlFlow::Continue(()),
    )
    .unwrap();
    let h = &torch["history"];
    let column = |key: &str| flat(&h[key]);
    let (loss, train_acc, test_acc, w1, w2) = (
        column("loss"),
        column("accuracy_train"),
        column("accuracy_test"),
        column("W1_norm"),
        column("W2_norm"),
    );
    let mut worst: f64 = 0.0;
    for r in &outcome.history.records {
        let e = r.epoch;
        for (what, got, want) in [
            ("loss", r.loss, loss[e]),
            ("||W1||", r.weight_norms[0], w1[e]),
            ("||W2||", r.weight_norms[1], w2[e]),
        ] {
            let err = (got - want).abs() / want.abs();
            worst = worst.max(err);
            assert!(
                err <= tolerance,
                "{file} epoch {e} {what}: got {got}, want {want} (relative {err:e})"
            );
        }
        assert_eq!(
            r.train_accuracy.unwrap(),
            train_acc[e],
            "{file} epoch {e} train accuracy"
        );
        assert_eq!(
            r.test_accuracy.unwrap(),
            test_acc[e],
            "{file} epoch {e} test accuracy"
        );
    }
    eprintln!("{file}: worst relative difference {worst:e}");
}

#[test]
fn twenty_epochs_match_pytorch() {
    check_history("notebook_20_epochs_runs.json", 1e-5);
}

#[test]
fn a_thousand_epochs_match_pytorch() {
    check_history("notebook_1000_epochs_runs.json", 1e-5);
}
