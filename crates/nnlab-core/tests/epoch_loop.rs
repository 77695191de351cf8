//! The epoch loop's shortcut changes no number (issue 14). With a full batch and the numpy
//! loop's training accuracy (after the update), `Trainer` counts the hits of the next epoch's
//! forward pass, run ahead at the end of the epoch, instead of predicting the training rows
//! again. Here every record of `train` is compared, bit for bit, with the notebook's loop
//! written out: a step, then `predict(X_train)`, `predict(X_test)` and the norms.

use std::ops::ControlFlow;

use nnlab_core::{
    notebook_init, train, Activation, Engine, EpochRecord, FastEngine, ManualEngine, Mlp,
    ModelSpec, Optimizer, OptimizerConfig, TrainAccuracy, TrainConfig, TrainData, Trainer,
};
use nnlab_data::{make_moons, train_test_split, StandardScaler, TestSize};

fn moons(n: usize) -> TrainData {
    let data = make_moons(n, Some(0.2), true, 42).unwrap();
    let split = train_test_split(n, TestSize::Fraction(0.2), true, 42).unwrap();
    let (train_rows, test_rows) = data.split(&split);
    let (scaler, x_train) = StandardScaler::fit_transform(&train_rows.features).unwrap();
    let x_test = scaler.transform(&test_rows.features).unwrap();
    TrainData::new(x_train, &train_rows.labels, x_test, &test_rows.labels).unwrap()
}

/// The notebook's numpy loop, one thing after another.
fn written_out(
    engine: &mut dyn Engine,
    data: &TrainData,
    lr: f64,
    epochs: usize,
) -> Vec<EpochRecord> {
    let mut sgd = Optimizer::new(OptimizerConfig::default());
    let task = engine.spec().task();
    (0..epochs)
        .map(|epoch| {
            let step = engine.train_step(&data.full_batch(), &mut sgd, lr).unwrap();
            let train_hits = task.hits(
                engine.outputs(data.x_train()).unwrap().view(),
                data.y_train().view(),
            );
            let test_hits = task.hits(
                engine.outputs(data.x_test()).unwrap().view(),
                data.y_test().view(),
            );
            let fraction =
                |hits: usize, n: usize| nnlab_core::task::fraction(hits, n, engine.precision());
            EpochRecord {
                epoch,
                loss: step.loss,
                train_accuracy: Some(fraction(train_hits, data.y_train().len())),
                test_accuracy: Some(fraction(test_hits, data.y_test().len())),
                test_loss: None,
                weight_norms: engine.weight_norms(),
            }
        })
        .collect()
}

/// An engine by name: "fast f64", "fast f32" (one thread), "fast f64, 2 threads", or the
/// readable one.
fn engine(name: &str, spec: &ModelSpec, mlp: &Mlp) -> Box<dyn Engine> {
    let s = spec.clone();
    match name {
        "fast f64" => Box::new(FastEngine::<f64>::new(s, mlp, Some(1)).unwrap()),
        "fast f32" => Box::new(FastEngine::<f32>::new(s, mlp, Some(1)).unwrap()),
        "fast f64, 2 threads" => Box::new(FastEngine::<f64>::new(s, mlp, Some(2)).unwrap()),
        _ => Box::new(ManualEngine::new(s, mlp.clone()).unwrap()),
    }
}

fn trained(engine: &mut dyn Engine, data: &TrainData, lr: f64, epochs: usize) -> Vec<EpochRecord> {
    let config = TrainConfig::new(lr, epochs).unwrap();
    train(engine, data, &config, TrainAccuracy::AfterUpdate, |_, _| {
        ControlFlow::Continue(())
    })
    .unwrap()
    .history
    .records
}

#[test]
fn running_the_next_step_ahead_gives_the_written_out_loops_records() {
    for (n, hidden, lr, epochs) in [
        (1000, vec![8], 0.1, 300),
        (3000, vec![32], 1.0, 60),
        (600, vec![8, 8], 0.5, 80),
    ] {
        let data = moons(n);
        let spec = ModelSpec::new(2, hidden.clone(), Activation::Relu).unwrap();
        let mlp = notebook_init(&spec, 7);
        let make = |name: &str| engine(name, &spec, &mlp);
        let engines = ["fast f64", "fast f32", "fast f64, 2 threads", "readable"];
        for name in engines {
            let want = written_out(make(name).as_mut(), &data, lr, epochs);
            let got = trained(make(name).as_mut(), &data, lr, epochs);
            assert_eq!(got.len(), epochs);
            for (g, w) in got.iter().zip(&want) {
                assert_eq!(
                    g, w,
                    "{name}, {n} rows, hidden {hidden:?}, epoch {}",
                    w.epoch
                );
            }
        }
    }
}

// A classification's test accuracy is counted by the engine (`Engine::count_hits`) unless the
// trainer keeps the test outputs (the playground does, for its test loss); either way the
// records are the same, and the kept outputs are the engine's outputs after the epoch.
#[test]
fn keeping_the_test_outputs_changes_no_record() {
    let data = moons(400);
    let spec = ModelSpec::new(2, vec![8], Activation::Relu).unwrap();
    let config = TrainConfig::new(0.5, 10).unwrap();
    let mlp = notebook_init(&spec, 42);
    let make = |name: &str| engine(name, &spec, &mlp);
    let engines = ["fast f64", "fast f32", "readable"].map(|name| (make(name), make(name)));
    for (mut counting, mut keeping) in engines {
        let accuracy = TrainAccuracy::AfterUpdate;
        let mut counts = Trainer::new(counting.as_ref(), &data, &config, accuracy).unwrap();
        let mut keeps = Trainer::new(keeping.as_ref(), &data, &config, accuracy)
            .unwrap()
            .keeping_test_outputs();
        for _ in 0..10 {
            let a = counts.epoch(counting.as_mut(), &data).unwrap();
            let b = keeps.epoch(keeping.as_mut(), &data).unwrap();
            assert_eq!(a, b, "{}", counting.implementation());
            assert_eq!(counts.test_outputs().len(), 0);
            assert_eq!(
                keeps.test_outputs(),
                &keeping.outputs(data.x_test()).unwrap()
            );
        }
    }
}
