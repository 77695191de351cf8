//! The autograd engine against PyTorch beyond the notebook's settings.
//!
//! Reference: `fixtures/extra_torch.json`, made by `fixtures/make_extra_torch.py` with PyTorch
//! 2.15.0: initial weights for layers of 1 to 128 values (`normal_`'s serial path below 16 values
//! with its cached second normal, its block path at 16, and its redone tail block above), deeper
//! nets, and training runs with other seeds, sizes, widths and learning rates.
//!
//! The fixture was recorded on an x86-64 CPU with AVX2, where PyTorch runs its AVX2 random
//! kernels; `torch_init` reproduces them bit for bit when this machine selects them too
//! ([`Kernel::detect`]). PyTorch's other (plain C++) kernel gives values up to about 1e-6 away, so
//! on such a machine the initial weights are only checked to 2e-6.

use std::ops::ControlFlow;

use nnlab_autograd::torch_rng::Kernel;
use nnlab_autograd::{torch_init, AutogradEngine, DeviceKind, FloatType};
use nnlab_core::{train, Activation, ModelSpec, TrainAccuracy, TrainConfig, TrainData};
use nnlab_data::{make_circles, make_moons, train_test_split, StandardScaler, TestSize};
use nnlab_fixtures::numbers as flat;
use serde_json::Value;

fn fixture() -> Value {
    nnlab_fixtures::fixture("extra_torch.json")
}

fn spec_of(sizes: &[usize]) -> ModelSpec {
    ModelSpec::new(
        sizes[0],
        sizes[1..sizes.len() - 1].to_vec(),
        Activation::Relu,
    )
    .unwrap()
}

#[test]
fn initial_weights_match_pytorch_for_every_path_of_normal() {
    let fixture = fixture();
    let inits = fixture["inits"].as_array().unwrap();
    let mut sizes_seen = Vec::new();
    for case in inits {
        let sizes: Vec<usize> = serde_json::from_value(case["sizes"].clone()).unwrap();
        let seed = case["seed"].as_u64().unwrap() as u32;
        for p in torch_init(&spec_of(&sizes), seed) {
            let want = flat(&case["parameters"][&p.name]);
            assert_eq!(p.values.len(), want.len(), "{sizes:?} {}", p.name);
            sizes_seen.push(want.len());
            for (i, (g, w)) in p.values.iter().zip(&want).enumerate() {
                let what = format!("seed {seed} {sizes:?} {}[{i}]: got {g}, want {w}", p.name);
                if Kernel::detect() == Kernel::Avx2 {
                    assert_eq!(g.to_bits(), w.to_bits(), "{what}");
                } else {
                    assert!((g - w).abs() <= 2e-6, "{what}");
                }
            }
        }
    }
    // weights of fewer than 16 values (6, 3, 10, 7, ...), exactly 16, and more (24, 32, 35, 128)
    for n in [3, 6, 16, 24, 32, 35, 128] {
        assert!(sizes_seen.contains(&n), "no layer of {n} values");
    }
}

#[test]
fn training_runs_match_pytorch() {
    let fixture = fixture();
    for run in fixture["runs"].as_array().unwrap() {
        let c = &run["config"];
        let seed = c["seed"].as_u64().unwrap() as u32;
        let n = c["n_samples"].as_u64().unwrap() as usize;
        let noise = c["noise"].as_f64();
        let data = match c["dataset"].as_str().unwrap() {
            "moons" => make_moons(n, noise, true, seed),
            _ => make_circles(n, noise, c["factor"].as_f64().unwrap(), true, seed),
        }
        .unwrap();
        let (train_rows, test_rows) =
            data.split(&train_test_split(n, TestSize::Fraction(0.2), true, seed).unwrap());
        let (scaler, x_train) = StandardScaler::fit_transform(&train_rows.features).unwrap();
        let x_test = scaler.transform(&test_rows.features).unwrap();
        let data = TrainData::new(x_train, &train_rows.labels, x_test, &test_rows.labels).unwrap();

        let hidden: Vec<usize> = serde_json::from_value(c["hidden"].clone()).unwrap();
        let spec = ModelSpec::new(2, hidden, Activation::Relu).unwrap();
        let mut engine = AutogradEngine::new(
            spec.clone(),
            &torch_init(&spec, seed),
            FloatType::F32,
            DeviceKind::Cpu,
        )
        .unwrap();
        let epochs = c["epochs"].as_u64().unwrap() as usize;
        let config = TrainConfig::new(c["lr"].as_f64().unwrap(), epochs).unwrap();
        let outcome = train(
            &mut engine,
            &data,
            &config,
            TrainAccuracy::BeforeUpdate,
            |_, _| ControlFlow::Continue(()),
        )
        .unwrap();

        let h = &run["history"];
        for r in &outcome.history.records {
            let e = r.epoch;
            let what = format!("{} epoch {e}", c);
            let close = |got: f64, want: f64| (got - want).abs() <= 1e-5 * want.abs();
            assert!(
                close(r.loss, h["loss"][e].as_f64().unwrap()),
                "{what} loss {}",
                r.loss
            );
            for (l, norm) in r.weight_norms.iter().enumerate() {
                assert!(
                    close(*norm, h["norms"][e][l].as_f64().unwrap()),
                    "{what} norm {l}"
                );
            }
            assert_eq!(
                r.train_accuracy.unwrap(),
                h["accuracy_train"][e].as_f64().unwrap(),
                "{what} train accuracy"
            );
            assert_eq!(
                r.test_accuracy.unwrap(),
                h["accuracy_test"][e].as_f64().unwrap(),
                "{what} test accuracy"
            );
        }
    }
}
