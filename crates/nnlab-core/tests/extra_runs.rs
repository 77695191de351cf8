//! The hand-written engine against the notebook's numpy loop on settings the reference files do not
//! cover: other seeds (data, split and init apart), sizes (odd too), widths, depths, learning rates.
//!
//! Reference: `fixtures/extra_runs.json`, made by `fixtures/make_extra_runs.py` (numpy 2.4.6,
//! scikit-learn 1.9.1), which runs the notebook's code with each setting.
//! Tolerance: losses and norms within 1e-10 relative, accuracies equal.

use std::ops::ControlFlow;

use nnlab_core::{
    notebook_init, train, Activation, ManualEngine, ModelSpec, TrainAccuracy, TrainConfig,
    TrainData,
};
use nnlab_data::{make_circles, make_moons, train_test_split, StandardScaler, TestSize};
use serde_json::Value;

fn assert_close(what: &str, got: f64, want: f64) {
    let err = (got - want).abs() / want.abs();
    assert!(
        err <= 1e-10,
        "{what}: got {got:?}, want {want:?}, relative error {err:e}"
    );
}

#[test]
fn other_settings_match_the_notebooks_numpy_loop() {
    let path = format!(
        "{}/../../fixtures/extra_runs.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let runs: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let runs = runs["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 7);
    for run in runs {
        let c = &run["config"];
        let get = |key: &str| c[key].as_f64().unwrap();
        let seed = |key: &str| c[key].as_u64().unwrap() as u32;
        let n = c["n_samples"].as_u64().unwrap() as usize;
        let data = match c["dataset"].as_str().unwrap() {
            "moons" => make_moons(n, Some(get("noise")), true, seed("data_seed")),
            _ => make_circles(
                n,
                Some(get("noise")),
                get("factor"),
                true,
                seed("data_seed"),
            ),
        }
        .unwrap();
        let split = train_test_split(
            n,
            TestSize::Fraction(get("test_size")),
            true,
            seed("split_seed"),
        )
        .unwrap();
        let (train_rows, test_rows) = data.split(&split);
        let (scaler, x_train) = StandardScaler::fit_transform(&train_rows.features).unwrap();
        let x_test = scaler.transform(&test_rows.features).unwrap();
        let data = TrainData::new(x_train, &train_rows.labels, x_test, &test_rows.labels).unwrap();

        let hidden: Vec<usize> = serde_json::from_value(c["hidden"].clone()).unwrap();
        let spec = ModelSpec::new(2, hidden, Activation::Relu).unwrap();
        let mut engine =
            ManualEngine::new(spec.clone(), notebook_init(&spec, seed("init_seed"))).unwrap();
        let epochs = c["epochs"].as_u64().unwrap() as usize;
        let config = TrainConfig::new(get("lr"), epochs).unwrap();
        let outcome = train(
            &mut engine,
            &data,
            &config,
            TrainAccuracy::AfterUpdate,
            |_, _| ControlFlow::Continue(()),
        )
        .unwrap();

        let h = &run["history"];
        let what = format!("{} {}", spec.describe(), c);
        assert_eq!(outcome.history.records.len(), epochs, "{what}");
        for r in &outcome.history.records {
            let e = r.epoch;
            assert_close(
                &format!("{what} epoch {e} loss"),
                r.loss,
                h["loss"][e].as_f64().unwrap(),
            );
            assert_eq!(
                r.train_accuracy.unwrap(),
                h["accuracy_train"][e].as_f64().unwrap(),
                "{what} epoch {e}"
            );
            assert_eq!(
                r.test_accuracy.unwrap(),
                h["accuracy_test"][e].as_f64().unwrap(),
                "{what} epoch {e}"
            );
            for (l, norm) in r.weight_norms.iter().enumerate() {
                assert_close(
                    &format!("{what} epoch {e} norm {l}"),
                    *norm,
                    h["norms"][e][l].as_f64().unwrap(),
                );
            }
        }
    }
}
