//! A learning rate changed between epochs (`TrainConfig::with_lr_changes`, the playground's lr
//! box, `nnlab train --lr-at`).
//!
//! Reference: plain full-batch SGD keeps no state between steps, so a run whose rate drops from
//! 0.1 to 0.03 at epoch 3 must equal two runs of `train` back to back on the same engine: 3
//! epochs at 0.1, then 4 at 0.03. With momentum the optimizer's velocity must carry over, so
//! there the schedule must equal one `Trainer` stepped by hand with `set_lr` at epoch 3 — and
//! differ from two separate runs (whose second starts with zero velocity).

use std::ops::ControlFlow;

use nnlab_core::{
    notebook_init, train, ManualEngine, ModelSpec, OptimizerConfig, RuleKind, RuleSettings,
    TrainAccuracy, TrainConfig, TrainData, Trainer,
};
use nnlab_data::{make_moons, train_test_split, StandardScaler, TestSize};

fn moons() -> TrainData {
    let data = make_moons(200, Some(0.125), true, 42).unwrap();
    let split = train_test_split(200, TestSize::Fraction(0.2), true, 42).unwrap();
    let (train_rows, test_rows) = data.split(&split);
    let (scaler, x_train) = StandardScaler::fit_transform(&train_rows.features).unwrap();
    let x_test = scaler.transform(&test_rows.features).unwrap();
    TrainData::new(x_train, &train_rows.labels, x_test, &test_rows.labels).unwrap()
}

fn engine() -> ManualEngine {
    let spec = ModelSpec::default();
    let mlp = notebook_init(&spec, 42);
    ManualEngine::new(spec, mlp).unwrap()
}

fn losses(engine: &mut ManualEngine, data: &TrainData, config: &TrainConfig) -> Vec<f64> {
    let outcome = train(engine, data, config, TrainAccuracy::AfterUpdate, |_, _| {
        ControlFlow::Continue(())
    })
    .unwrap();
    outcome.history.records.iter().map(|r| r.loss).collect()
}

#[test]
fn a_schedule_is_the_same_as_two_runs_of_plain_sgd() {
    let data = moons();
    let scheduled = TrainConfig::new(0.1, 7)
        .unwrap()
        .with_lr_changes(vec![(3, 0.03)])
        .unwrap();
    let got = losses(&mut engine(), &data, &scheduled);

    let mut two_runs = engine();
    let mut want = losses(&mut two_runs, &data, &TrainConfig::new(0.1, 3).unwrap());
    want.extend(losses(
        &mut two_runs,
        &data,
        &TrainConfig::new(0.03, 4).unwrap(),
    ));
    assert_eq!(got, want);
    // and the change mattered: a run at 0.1 throughout differs from epoch 4 on (epoch 3's loss
    // is measured before its update).
    let constant = losses(&mut engine(), &data, &TrainConfig::new(0.1, 7).unwrap());
    assert_eq!(got[..4], constant[..4]);
    assert_ne!(got[4], constant[4]);
}

#[test]
fn a_schedule_keeps_the_optimizers_state() {
    let data = moons();
    let rule = RuleSettings {
        kind: RuleKind::Sgd,
        momentum: Some(0.9),
        ..RuleSettings::default()
    };
    let optimizer = OptimizerConfig::new(rule, 0.0, 0.0).unwrap();
    let config = |lr, epochs| {
        TrainConfig::new(lr, epochs)
            .unwrap()
            .with_optimizer(optimizer)
    };
    let scheduled = config(0.1, 6).with_lr_changes(vec![(3, 0.03)]).unwrap();
    let got = losses(&mut engine(), &data, &scheduled);

    let mut by_hand = engine();
    let mut trainer =
        Trainer::new(&by_hand, &data, &config(0.1, 6), TrainAccuracy::AfterUpdate).unwrap();
    let mut want = Vec::new();
    for epoch in 0..6 {
        if epoch == 3 {
            trainer.set_lr(0.03);
        }
        want.push(trainer.epoch(&mut by_hand, &data).unwrap().loss);
    }
    assert_eq!(got, want);

    let mut two_runs = engine();
    let mut restarted = losses(&mut two_runs, &data, &config(0.1, 3));
    restarted.extend(losses(&mut two_runs, &data, &config(0.03, 3)));
    assert_ne!(got[4], restarted[4], "the velocity must carry over");
}

#[test]
fn the_epochs_of_a_schedule_must_rise() {
    let config = TrainConfig::new(0.1, 5).unwrap();
    let err = config
        .clone()
        .with_lr_changes(vec![(3, 0.1), (3, 0.2)])
        .unwrap_err();
    assert!(err.to_string().contains("the epochs must rise"), "{err}");
    let err = config.with_lr_changes(vec![(2, -1.0)]).unwrap_err();
    assert!(err.to_string().contains("lr-at"), "{err}");
}
