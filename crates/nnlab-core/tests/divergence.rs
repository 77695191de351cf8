//! Issue 13: divergence is one rule (`DivergenceRule`) — a NaN or infinite value, a loss stuck at
//! the clamp with the weights frozen, or weights beyond the bound — that stops a run with its
//! epoch and reason, and never stops a healthy one.

use std::ops::ControlFlow;

use nnlab_core::train::{DivergenceRule, Why, CLAMP_SHARE, WEIGHT_BOUND};
use nnlab_core::{
    notebook_init, train, Activation, Engine, EpochRecord, FastEngine, ManualEngine, ModelSpec,
    Stop, Task, TrainAccuracy, TrainConfig, TrainData, TrainOutcome,
};
use nnlab_data::{make_moons, train_test_split, StandardScaler, TestSize};

fn record(loss: f64, weight_norms: Vec<f64>) -> EpochRecord {
    EpochRecord {
        epoch: 3,
        loss,
        train_accuracy: Some(0.5),
        test_accuracy: Some(0.5),
        test_loss: None,
        weight_norms,
    }
}

/// The notebook's data with `seed` for the data, the split and the weights (as `nnlab train`).
fn moons(seed: u32) -> TrainData {
    let data = make_moons(1000, Some(0.125), true, seed).unwrap();
    let (train_rows, test_rows) =
        data.split(&train_test_split(1000, TestSize::Fraction(0.2), true, seed).unwrap());
    let (scaler, x_train) = StandardScaler::fit_transform(&train_rows.features).unwrap();
    let x_test = scaler.transform(&test_rows.features).unwrap();
    TrainData::new(x_train, &train_rows.labels, x_test, &test_rows.labels).unwrap()
}

fn run(engine: &mut dyn Engine, data: &TrainData, lr: f64, epochs: usize) -> TrainOutcome {
    let config = TrainConfig::new(lr, epochs).unwrap();
    train(engine, data, &config, TrainAccuracy::AfterUpdate, |_, _| {
        ControlFlow::Continue(())
    })
    .unwrap()
}

#[test]
fn the_rule_checks_non_finite_then_the_clamp_then_the_bound() {
    let rule = DivergenceRule {
        loss_ceiling: Some(27.631021115928547),
        weight_bound: WEIGHT_BOUND,
    };
    let before = [40.0, 150.0];
    let check = |loss: f64, norms: &[f64]| rule.check(&record(loss, norms.to_vec()), &before);
    assert_eq!(check(0.4, &[41.0, 151.0]), None);
    assert_eq!(check(f64::NAN, &[41.0, 151.0]), Some(Why::NonFinite));
    assert_eq!(check(0.4, &[f64::INFINITY, 151.0]), Some(Why::NonFinite));
    // stuck at the clamp: a tenth of the ceiling or more, and no weight moved
    let ceiling = 27.631021115928547;
    assert_eq!(check(13.8155, &before), Some(Why::LossAtClamp { ceiling }));
    assert_eq!(
        check(CLAMP_SHARE * ceiling, &before),
        Some(Why::LossAtClamp { ceiling })
    );
    // a spike whose weights move is not stuck; a frozen run at a low loss is not at the clamp
    assert_eq!(check(13.8155, &[41.0, 151.0]), None);
    assert_eq!(check(0.99 * CLAMP_SHARE * ceiling, &before), None);
    // the bound, on any layer, strictly beyond
    assert_eq!(check(0.4, &[41.0, WEIGHT_BOUND]), None);
    assert_eq!(
        check(0.4, &[41.0, 2.0e6]),
        Some(Why::WeightsBeyond {
            layer: 1,
            norm: 2.0e6,
            bound: WEIGHT_BOUND
        })
    );
    // a non-finite loss comes first, the clamp before the bound
    assert_eq!(check(f64::NAN, &[2.0e6, 1.0]), Some(Why::NonFinite));
    let frozen_beyond = DivergenceRule {
        loss_ceiling: Some(ceiling),
        weight_bound: 1.0,
    };
    assert_eq!(
        frozen_beyond.check(&record(20.0, before.to_vec()), &before),
        Some(Why::LossAtClamp { ceiling })
    );
    // no ceiling (softmax cross-entropy, MSE): only non-finite values and the bound
    let unbounded = DivergenceRule {
        loss_ceiling: None,
        weight_bound: WEIGHT_BOUND,
    };
    assert_eq!(
        unbounded.check(&record(1e6, before.to_vec()), &before),
        None
    );
}

#[test]
fn each_engine_states_its_ceiling_and_a_regressions_bound_scales_with_its_targets() {
    let spec = ModelSpec::default();
    let manual = ManualEngine::new(spec.clone(), notebook_init(&spec, 42)).unwrap();
    let fast = FastEngine::<f32>::new(spec.clone(), &notebook_init(&spec, 42), Some(1)).unwrap();
    for engine in [&manual as &dyn Engine, &fast] {
        let ceiling = engine.loss_ceiling().unwrap();
        assert!((ceiling - 27.631021115928547).abs() < 1e-12, "{ceiling}");
    }
    let data = moons(42);
    assert_eq!(
        DivergenceRule::new(&manual, &data),
        DivergenceRule {
            loss_ceiling: Some(-(1e-12f64.ln())),
            weight_bound: 1e6
        }
    );

    let x = ndarray::Array2::from_shape_fn((4, 2), |(i, j)| (i + j) as f64);
    let regression = TrainData::with_task(
        x.clone(),
        ndarray::arr1(&[0.5, -2500.0, 10.0, 0.0]),
        x,
        ndarray::arr1(&[1.0, 2.0, 3.0, 4.0]),
        Task::Regression,
    )
    .unwrap();
    let spec = ModelSpec::with_task(2, vec![4], vec![Activation::Relu], Task::Regression).unwrap();
    let engine = ManualEngine::new(spec.clone(), notebook_init(&spec, 1)).unwrap();
    assert_eq!(engine.loss_ceiling(), None);
    assert_eq!(
        DivergenceRule::new(&engine, &regression),
        DivergenceRule {
            loss_ceiling: None,
            weight_bound: 2.5e9
        }
    );
}

/// `nnlab train --lr 50` exited 0 with weights around 2.7e9: both paths of the hand-written
/// engine stop at epoch 5, where ‖W2‖ passes 1e6, and keep the 5 epochs before it.
#[test]
fn the_hand_written_engine_stops_at_the_weight_bound_at_lr_50() {
    let data = moons(42);
    let spec = ModelSpec::default();
    let mut readable = ManualEngine::new(spec.clone(), notebook_init(&spec, 42)).unwrap();
    let mut fast = FastEngine::<f64>::new(spec.clone(), &notebook_init(&spec, 42), None).unwrap();
    for engine in [&mut readable as &mut dyn Engine, &mut fast] {
        let outcome = run(engine, &data, 50.0, 200);
        let Some(Stop::Diverged {
            epoch,
            why: Why::WeightsBeyond { layer, norm, bound },
            ..
        }) = outcome.stop
        else {
            panic!("{:?}", outcome.stop);
        };
        assert_eq!((epoch, layer, bound), (5, 1, 1e6));
        assert!(norm > 1.2e6 && norm < 1.3e6, "{norm}");
        assert_eq!(outcome.history.records.len(), 5);
        assert!(outcome
            .history
            .records
            .iter()
            .all(|r| r.weight_norms.iter().all(|&n| n <= 1e6)));
    }
}

/// Healthy runs never trip it, spikes included: the notebook's 1,000 epochs, and a run whose loss
/// jumps past a tenth of the ceiling (11.8 at epoch 2, 3.5 at epoch 73) and then converges.
#[test]
fn healthy_runs_and_spikes_that_recover_are_not_divergence() {
    let spec = ModelSpec::default();
    let mut notebook =
        FastEngine::<f64>::new(spec.clone(), &notebook_init(&spec, 42), None).unwrap();
    let outcome = run(&mut notebook, &moons(42), 0.1, 1000);
    assert_eq!(outcome.stop, None);

    let spec = ModelSpec::new(2, vec![64, 64], Activation::Relu).unwrap();
    let mut engine = FastEngine::<f64>::new(spec.clone(), &notebook_init(&spec, 3), None).unwrap();
    let outcome = run(&mut engine, &moons(3), 3.0, 100);
    assert_eq!(outcome.stop, None);
    let losses = outcome.history.losses();
    assert!(losses[2] > 10.0, "the spike: {}", losses[2]);
    assert!(losses[99] < 0.1, "and the recovery: {}", losses[99]);
}
