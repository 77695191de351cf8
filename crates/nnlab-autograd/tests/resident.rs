//! Issue 14, the GPU: the autograd engine keeps an epoch's work on its device (the rows copied
//! there once, the gradients kept there, the notebook's SGD update made there, a binary
//! classifier's hits counted there, the weight norms brought back in one copy). None of that may
//! change a bit of what it computes. On the CPU device the same code runs, so these tests check it
//! here against two ways of computing the same epochs that bring everything back to the host:
//!
//! - the same engine with every update made on the host through `Optimizer::step`
//!   (`with_updates_on_host`), as it was made for every optimizer before;
//! - the notebook's loop written out: a step on rows given afresh each epoch (no source, so
//!   nothing kept), the update on the host, and each accuracy counted on the host from the
//!   outputs with `Task::hits`.

mod common;

use std::ops::ControlFlow;

use common::{labels, prepare};
use ndarray::{Array1, Array2};
use nnlab_autograd::{torch_init, AutogradEngine, DeviceKind, FloatType};
use nnlab_core::engine::Batch;
use nnlab_core::optim::RuleKind;
use nnlab_core::task::fraction;
use nnlab_core::{
    train, Activation, Engine, EpochRecord, ModelSpec, Optimizer, OptimizerConfig, RuleSettings,
    Task, TrainAccuracy, TrainConfig, TrainData,
};
use nnlab_data::{make_blobs, make_moons, Centers, Dataset};

fn moons() -> TrainData {
    prepare(
        &make_moons(500, Some(0.2), true, 42).unwrap(),
        labels,
        Task::Binary,
        42,
    )
}

fn blobs() -> TrainData {
    let centers = Centers::Random {
        count: 3,
        n_features: 2,
    };
    let data = make_blobs(400, &centers, 1.5, (-10.0, 10.0), true, 3).unwrap();
    prepare(&data, labels, Task::Multiclass { classes: 3 }, 42)
}

fn plane() -> TrainData {
    let value = |d: &Dataset| {
        d.features
            .rows()
            .into_iter()
            .map(|r| (r[0] - 2.0 * r[1]) / 3.0)
            .collect()
    };
    prepare(
        &make_moons(400, Some(0.1), true, 5).unwrap(),
        value,
        Task::Regression,
        42,
    )
}

fn engine(data: &TrainData, hidden: Vec<usize>, float: FloatType) -> AutogradEngine {
    let spec = ModelSpec::with_task(
        2,
        hidden.clone(),
        vec![Activation::Relu; hidden.len()],
        data.task(),
    )
    .unwrap();
    let parameters = torch_init(&spec, 42);
    AutogradEngine::new(spec, &parameters, float, DeviceKind::Cpu).unwrap()
}

fn optimizer(kind: RuleKind) -> OptimizerConfig {
    let settings = RuleSettings {
        kind,
        ..RuleSettings::default()
    };
    OptimizerConfig::new(settings, 0.0, 0.0).unwrap()
}

fn history(
    engine: &mut AutogradEngine,
    data: &TrainData,
    config: &TrainConfig,
    accuracy: TrainAccuracy,
) -> Vec<EpochRecord> {
    let outcome = train(engine, data, config, accuracy, |_, _| {
        ControlFlow::Continue(())
    })
    .unwrap();
    assert!(outcome.stop.is_none(), "{:?}", outcome.stop);
    outcome.history.records
}

/// Bit for bit, with NaN equal to NaN (a regression has no accuracies).
fn same_records(a: &[EpochRecord], b: &[EpochRecord], what: &str) {
    assert_eq!(a.len(), b.len(), "{what}");
    let bits = |r: &EpochRecord| {
        let mut bits = vec![
            r.loss.to_bits(),
            r.train_accuracy.unwrap_or(f64::NAN).to_bits(),
            r.test_accuracy.unwrap_or(f64::NAN).to_bits(),
            r.test_loss.unwrap_or(f64::NAN).to_bits(),
        ];
        bits.extend(r.weight_norms.iter().map(|n| n.to_bits()));
        bits
    };
    for (ra, rb) in a.iter().zip(b) {
        assert_eq!(
            bits(ra),
            bits(rb),
            "{what}, epoch {}: {ra:?} vs {rb:?}",
            ra.epoch
        );
    }
}

fn same_parameters(a: &dyn Engine, b: &dyn Engine, what: &str) {
    for (pa, pb) in a.parameters().iter().zip(b.parameters()) {
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&pa.values), bits(&pb.values), "{what}: {}", pa.name);
    }
}

// Every task, f32 and f64, full batch and mini-batches, SGD (updated on the device) and Adam
// (on the host either way), both training-accuracy rules: the engine as it runs, and the same
// engine with every update made on the host, give the same records and weights.
#[test]
fn updates_on_the_device_are_the_hosts_to_the_bit() {
    let cases = [
        ("moons", moons(), vec![8]),
        ("moons, two layers", moons(), vec![16, 8]),
        ("blobs", blobs(), vec![8]),
        ("plane", plane(), vec![8]),
    ];
    for (name, data, hidden) in &cases {
        for float in [FloatType::F32, FloatType::F64] {
            for batch in [None, Some(64)] {
                for rule in [RuleKind::Sgd, RuleKind::Adam] {
                    for accuracy in [TrainAccuracy::BeforeUpdate, TrainAccuracy::AfterUpdate] {
                        let lr = if rule == RuleKind::Sgd { 0.1 } else { 0.01 };
                        let config = TrainConfig::new(lr, 12)
                            .unwrap()
                            .with_batches(batch, 7)
                            .unwrap()
                            .with_optimizer(optimizer(rule));
                        let what =
                            format!("{name}, {float:?}, batch {batch:?}, {rule:?}, {accuracy:?}");
                        let mut device = engine(data, hidden.clone(), float);
                        let mut host = engine(data, hidden.clone(), float).with_updates_on_host();
                        let a = history(&mut device, data, &config, accuracy);
                        let b = history(&mut host, data, &config, accuracy);
                        same_records(&a, &b, &what);
                        same_parameters(&device, &host, &what);
                    }
                }
            }
        }
    }
}

/// The notebook's loop, everything measured on the host: a step on the training rows given
/// afresh (nothing kept on the device), the update through `Optimizer::step`, then the outputs
/// of the training and the test rows brought back and their hits counted with `Task::hits`.
fn notebook_loop(
    engine: &mut AutogradEngine,
    data: &TrainData,
    lr: f64,
    epochs: usize,
) -> Vec<EpochRecord> {
    let task = data.task();
    let mut optimizer = Optimizer::new(optimizer(RuleKind::Sgd));
    let mut records = Vec::new();
    for epoch in 0..epochs {
        let batch = Batch::new(data.x_train().view(), data.y_train().view());
        let step = engine.forward_backward(&batch).unwrap();
        engine.update(&mut optimizer, lr).unwrap();
        let hits = |x: &Array2<f64>, y: &Array1<f64>| {
            task.hits(engine.outputs(x).unwrap().view(), y.view())
        };
        let precision = engine.precision();
        let train_hits = hits(data.x_train(), data.y_train());
        let test_hits = hits(data.x_test(), data.y_test());
        records.push(EpochRecord {
            epoch,
            loss: step.loss,
            train_accuracy: Some(fraction(train_hits, data.y_train().len(), precision)),
            test_accuracy: Some(fraction(test_hits, data.y_test().len(), precision)),
            test_loss: None,
            weight_norms: engine.weight_norms(),
        });
    }
    records
}

// The notebook's numpy rule (the training accuracy after the update) and its 2-8-1 net, on moons
// and on blobs: the hits counted on the device equal those counted on the host from the outputs.
#[test]
fn hits_counted_on_the_device_are_the_hosts() {
    for (name, data) in [("moons", moons()), ("blobs", blobs())] {
        for float in [FloatType::F32, FloatType::F64] {
            let config = TrainConfig::new(0.5, 15).unwrap();
            let mut kept = engine(&data, vec![8], float);
            let mut afresh = engine(&data, vec![8], float).with_updates_on_host();
            let a = history(&mut kept, &data, &config, TrainAccuracy::AfterUpdate);
            let b = notebook_loop(&mut afresh, &data, 0.5, 15);
            same_records(&a, &b, &format!("{name}, {float:?}"));
            // and they are not all the same: the accuracies change as the net learns
            let accuracies: Vec<_> = a
                .iter()
                .map(|r| r.test_accuracy.unwrap().to_bits())
                .collect();
            assert!(
                accuracies.iter().any(|&x| x != accuracies[0]),
                "{name}: {accuracies:?}"
            );
        }
    }
}
