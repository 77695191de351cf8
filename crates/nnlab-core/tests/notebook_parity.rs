//! The hand-written engine against the notebook's numpy section.
//!
//! Reference: `numpy.init`, `numpy.history` and `numpy.final` of the project's reference files
//! `notebook_20_epochs.json` and `notebook_1000_epochs.json` (made by `make_reference.py` with
//! numpy 2.4.6 and scikit-learn 1.9.1), copied to `fixtures/reference/notebook_*_epochs_runs.json`;
//! the scaled data comes from `fixtures/reference/notebook_data.json`.
//!
//! Tolerance: 1e-12 relative. The matrix products sum in a different order than numpy's BLAS, so
//! the last bits may differ; the initial weights use no sums and match exactly.

use std::ops::ControlFlow;

use ndarray::Array2;
use nnlab_core::{
    notebook_init, train, Engine, ManualEngine, ModelSpec, TrainAccuracy, TrainConfig, TrainData,
};
use nnlab_fixtures::{matrix, notebook_split, numbers as vector};
use serde_json::Value;

fn fixture(name: &str) -> Value {
    nnlab_fixtures::fixture(&format!("reference/{name}"))
}

/// The notebook's scaled split, as the reference recorded it.
fn notebook_data() -> TrainData {
    let nb = notebook_split();
    TrainData::new(nb.x_train, &nb.y_train, nb.x_test, &nb.y_test).unwrap()
}

fn assert_close(what: &str, got: f64, want: f64, rel: f64) {
    let err = (got - want).abs() / want.abs().max(f64::MIN_POSITIVE);
    assert!(
        err <= rel,
        "{what}: got {got:?}, want {want:?}, relative error {err:e}"
    );
}

fn assert_tensor_close<'a>(what: &str, got: impl Iterator<Item = &'a f64>, want: &Array2<f64>) {
    let scale = want.iter().fold(0.0f64, |m, w| m.max(w.abs()));
    for (g, w) in got.zip(want.iter()) {
        assert!(
            (g - w).abs() <= 1e-12 * scale,
            "{what}: got {g:?}, want {w:?} (largest entry {scale})"
        );
    }
}

fn check_run(file: &str) {
    let reference = fixture(file);
    let numpy = &reference["numpy"];
    let epochs = reference["epochs"].as_u64().unwrap() as usize;
    let lr = reference["lr"].as_f64().unwrap();

    let spec = ModelSpec::default();
    let mlp = notebook_init(&spec, 42);
    // np.random.seed(42); W1 = randn(2, 8) * sqrt(2/2); W2 = randn(8, 1) * sqrt(1/8): exact.
    assert_eq!(mlp.layers[0].w, matrix(&numpy["init"]["W1"]));
    assert_eq!(mlp.layers[1].w, matrix(&numpy["init"]["W2"]));
    assert!(mlp.layers.iter().all(|l| l.b.iter().all(|&b| b == 0.0)));

    let mut engine = ManualEngine::new(spec, mlp).unwrap();
    let config = TrainConfig::new(lr, epochs).unwrap();
    let outcome = train(
        &mut engine,
        &notebook_data(),
        &config,
        TrainAccuracy::AfterUpdate,
        |_, _| ControlFlow::Continue(()),
    )
    .unwrap();
    assert_eq!(outcome.stop, None);

    let history = &numpy["history"];
    let column = |key: &str| vector(&history[key]);
    let (loss, train_acc, test_acc) = (
        column("loss"),
        column("accuracy_train"),
        column("accuracy_test"),
    );
    let (w1, w2) = (column("W1_norm"), column("W2_norm"));
    assert_eq!(outcome.history.records.len(), epochs);
    for r in &outcome.history.records {
        let e = r.epoch;
        assert_close(&format!("{file} epoch {e} loss"), r.loss, loss[e], 1e-12);
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
        assert_close(
            &format!("{file} epoch {e} ||W1||"),
            r.weight_norms[0],
            w1[e],
            1e-12,
        );
        assert_close(
            &format!("{file} epoch {e} ||W2||"),
            r.weight_norms[1],
            w2[e],
            1e-12,
        );
    }

    // Final weights: within 1e-12 of the tensor's largest entry. (Per entry, a bias of 7e-4 after
    // 1000 epochs differs by 5e-16 absolute, 7.7e-13 of itself: rounding, not a different result.)
    let mlp = engine.mlp();
    for (layer, (w, b)) in mlp.layers.iter().zip([("W1", "b1"), ("W2", "b2")]) {
        assert_tensor_close(
            &format!("{file} final {w}"),
            layer.w.iter(),
            &matrix(&numpy["final"][w]),
        );
        assert_tensor_close(
            &format!("{file} final {b}"),
            layer.b.iter(),
            &matrix(&numpy["final"][b]),
        );
    }
    // The saved parameters are PyTorch's (out, in) layout of the same weights.
    let parameters = engine.parameters();
    assert_eq!(parameters[0].name, "network.0.weight");
    assert_eq!(parameters[0].shape, vec![8, 2]);
    assert_eq!(parameters[0].values[1], mlp.layers[0].w[[1, 0]]);
    assert_eq!(parameters[2].name, "network.2.weight");
}

#[test]
fn twenty_epochs_match_the_notebooks_numpy_run() {
    check_run("notebook_20_epochs_runs.json");
}

#[test]
fn a_thousand_epochs_match_the_notebooks_numpy_run() {
    check_run("notebook_1000_epochs_runs.json");
}
