//! The two engines agree: from the same initial weights, the hand-written engine and the autograd
//! engine in float64 give the same history within 1e-10 (relative), and the same accuracies.

use std::ops::ControlFlow;

use nnlab_autograd::{AutogradEngine, DeviceKind, FloatType};
use nnlab_core::{
    notebook_init, train, Activation, Engine, ManualEngine, ModelSpec, TrainAccuracy, TrainConfig,
    TrainData,
};
use nnlab_data::{make_moons, train_test_split, StandardScaler, TestSize};

fn moons(seed: u32) -> TrainData {
    let data = make_moons(600, Some(0.2), true, seed).unwrap();
    let (train_rows, test_rows) =
        data.split(&train_test_split(600, TestSize::Fraction(0.25), true, seed).unwrap());
    let (scaler, x_train) = StandardScaler::fit_transform(&train_rows.features).unwrap();
    let x_test = scaler.transform(&test_rows.features).unwrap();
    TrainData::new(x_train, &train_rows.labels, x_test, &test_rows.labels).unwrap()
}

fn run(engine: &mut dyn Engine, data: &TrainData, lr: f64, epochs: usize) -> nnlab_core::History {
    let config = TrainConfig::new(lr, epochs).unwrap();
    train(engine, data, &config, TrainAccuracy::AfterUpdate, |_, _| {
        ControlFlow::Continue(())
    })
    .unwrap()
    .history
}

#[test]
fn manual_and_autograd_f64_give_the_same_history() {
    for (seed, hidden, activation, lr) in [
        (42, vec![8], Activation::Relu, 0.1),
        (3, vec![16, 8], Activation::Relu, 0.3),
        (9, vec![6], Activation::Tanh, 0.5),
        (11, vec![5, 5], Activation::LeakyRelu, 0.2),
        (12, vec![4], Activation::Sigmoid, 1.0),
    ] {
        let data = moons(seed);
        let spec = ModelSpec::new(2, hidden, activation).unwrap();
        let mlp = notebook_init(&spec, seed);
        let parameters = mlp.parameters();
        let mut manual = ManualEngine::new(spec.clone(), mlp).unwrap();
        let mut autograd =
            AutogradEngine::new(spec.clone(), &parameters, FloatType::F64, DeviceKind::Cpu)
                .unwrap();
        let (a, b) = (
            run(&mut manual, &data, lr, 300),
            run(&mut autograd, &data, lr, 300),
        );
        let what = format!("{} {activation}", spec.describe());
        for (x, y) in a.records.iter().zip(&b.records) {
            let close = |p: f64, q: f64| (p - q).abs() <= 1e-10 * q.abs().max(1e-300);
            assert!(
                close(x.loss, y.loss),
                "{what} epoch {}: loss {} vs {}",
                x.epoch,
                x.loss,
                y.loss
            );
            for (p, q) in x.weight_norms.iter().zip(&y.weight_norms) {
                assert!(close(*p, *q), "{what} epoch {}: norm {p} vs {q}", x.epoch);
            }
            assert_eq!(
                (x.train_accuracy, x.test_accuracy),
                (y.train_accuracy, y.test_accuracy),
                "{what} epoch {}",
                x.epoch
            );
        }
        assert_eq!(a.records.len(), 300);
        assert_eq!(b.records.len(), 300);
    }
}
