//! A stop asked for from outside the loop ([`nnlab_core::cancel`], the command's Ctrl-C).
//!
//! The request is process-wide, so these tests live in a test binary of their own, and in one
//! test: a second test running beside it would see the request too.
//!
//! Reference: a full-batch step of the fast path that a request ends must change no weight, so
//! the network is exactly the initial one (the notebook's `notebook_init(42)`) and the run stops
//! with 0 epochs; a mini-batch step is never ended early (an epoch is never left half applied),
//! so a mini-batch run trains its epoch and equals the same run without a request.

use std::ops::ControlFlow;

use nnlab_core::{
    cancel, notebook_init, train, Engine, FastEngine, ModelSpec, Stop, TrainAccuracy, TrainConfig,
    TrainData,
};
use nnlab_data::{make_moons, train_test_split, StandardScaler, TestSize};

fn moons() -> TrainData {
    let data = make_moons(300, Some(0.125), true, 42).unwrap();
    let split = train_test_split(300, TestSize::Fraction(0.2), true, 42).unwrap();
    let (train_rows, test_rows) = data.split(&split);
    let (scaler, x_train) = StandardScaler::fit_transform(&train_rows.features).unwrap();
    let x_test = scaler.transform(&test_rows.features).unwrap();
    TrainData::new(x_train, &train_rows.labels, x_test, &test_rows.labels).unwrap()
}

fn run(engine: &mut FastEngine<f64>, data: &TrainData, config: &TrainConfig) -> Option<Stop> {
    train(engine, data, config, TrainAccuracy::AfterUpdate, |_, _| {
        ControlFlow::Continue(())
    })
    .unwrap()
    .stop
}

#[test]
fn a_requested_stop_drops_a_full_batch_step_and_lets_a_mini_batch_epoch_finish() {
    let data = moons();
    let spec = ModelSpec::default();
    let initial = notebook_init(&spec, 42);
    let engine = || FastEngine::<f64>::new(spec.clone(), &initial, Some(1)).unwrap();
    let mini = TrainConfig::new(0.1, 1)
        .unwrap()
        .with_batches(Some(32), 7)
        .unwrap();
    let mut undisturbed = engine();
    assert_eq!(run(&mut undisturbed, &data, &mini), None);

    cancel::request();
    assert!(cancel::requested());

    let mut full = engine();
    let before = full.parameters();
    let stop = run(&mut full, &data, &TrainConfig::new(0.1, 5).unwrap());
    assert_eq!(stop, Some(Stop::Interrupted { epochs_done: 0 }));
    assert_eq!(
        full.parameters(),
        before,
        "a dropped step changed the weights"
    );

    let mut batched = engine();
    assert_eq!(run(&mut batched, &data, &mini), None);
    assert_eq!(batched.parameters(), undisturbed.parameters());
}
