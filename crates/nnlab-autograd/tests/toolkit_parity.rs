//! The training toolkit against PyTorch: `fixtures/toolkit_runs.json`, made by
//! `fixtures/make_toolkit_runs.py` (PyTorch 2.15.0, numpy 2.4.6, scikit-learn 1.9.1). Each of its
//! 16 cases trains one network from stored initial weights on stored (scaled) data with one
//! combination of optimizer (SGD, momentum, Nesterov, Adam, AdamW, weight decay), penalty (L1,
//! L2), batches (full, or mini-batches with a smaller last one), task (binary, 3 and 5 classes,
//! regression), per-layer activations and input features, in PyTorch float64 and float32.
//!
//! - the hand-written engine (readable, f64): every recorded number within 1e-12 relative of
//!   PyTorch float64, the accuracies equal (its train accuracy predicts again after the epoch);
//! - the autograd engine in f64: within 1e-10, the accuracies equal (the batches' own hits);
//! - the autograd engine in f32: within 1e-5 of PyTorch float32;
//! - and the batch order of the first epoch is numpy's permutation.

use std::ops::ControlFlow;

use ndarray::Array1;
use nnlab_autograd::{AutogradEngine, DeviceKind, FloatType};
use nnlab_core::{
    train, Activation, Batches, Engine, History, ManualEngine, Mlp, ModelSpec, OptimizerConfig,
    Parameter, RuleKind, RuleSettings, Task, TrainAccuracy, TrainConfig, TrainData,
};
use nnlab_fixtures::{fixture, matrix, numbers};
use serde_json::Value;

struct Case {
    name: String,
    data: TrainData,
    spec: ModelSpec,
    config: TrainConfig,
    initial: Vec<Parameter>,
    json: Value,
}

fn cases() -> Vec<Case> {
    let file = fixture("toolkit_runs.json");
    file["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let task = match c["task"].as_str().unwrap() {
                "binary" => Task::Binary,
                "multiclass" => Task::Multiclass {
                    classes: c["classes"].as_u64().unwrap() as usize,
                },
                _ => Task::Regression,
            };
            let targets = |v: &Value| Array1::from(numbers(v));
            let data = TrainData::with_task(
                matrix(&c["x_train"]),
                targets(&c["y_train"]),
                matrix(&c["x_test"]),
                targets(&c["y_test"]),
                task,
            )
            .unwrap();
            let hidden: Vec<usize> = serde_json::from_value(c["hidden"].clone()).unwrap();
            let activations: Vec<Activation> = c["activations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap().parse().unwrap())
                .collect();
            let spec =
                ModelSpec::with_task(data.x_train().ncols(), hidden, activations, task).unwrap();
            let f = |key: &str| c[key].as_f64();
            let rule = RuleSettings {
                kind: c["optimizer"]
                    .as_str()
                    .unwrap()
                    .parse::<RuleKind>()
                    .unwrap(),
                momentum: f("momentum"),
                nesterov: c["nesterov"].as_bool().unwrap(),
                betas: c["betas"]
                    .as_array()
                    .map(|b| (b[0].as_f64().unwrap(), b[1].as_f64().unwrap())),
                eps: f("eps"),
                weight_decay: f("weight_decay"),
            };
            let optimizer = OptimizerConfig::new(rule, f("l1").unwrap(), f("l2").unwrap()).unwrap();
            let batch_size = c["batch_size"].as_u64().map(|b| b as usize);
            let config = TrainConfig::new(f("lr").unwrap(), c["epochs"].as_u64().unwrap() as usize)
                .unwrap()
                .with_batches(batch_size, c["shuffle_seed"].as_u64().unwrap() as u32)
                .unwrap()
                .with_optimizer(optimizer);
            let initial = c["initial"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(name, p)| Parameter {
                    name: name.clone(),
                    shape: serde_json::from_value(p["shape"].clone()).unwrap(),
                    values: numbers(&p["values"]),
                })
                .collect();
            Case {
                name: c["name"].as_str().unwrap().to_string(),
                data,
                spec,
                config,
                initial,
                json: c.clone(),
            }
        })
        .collect()
}

fn run(engine: &mut dyn Engine, case: &Case, accuracy: TrainAccuracy) -> History {
    train(engine, &case.data, &case.config, accuracy, |_, _| {
        ControlFlow::Continue(())
    })
    .unwrap()
    .history
}

/// Compares a history and the final weights with PyTorch's run `run` ("float64"/"float32").
fn check(
    case: &Case,
    history: &History,
    final_parameters: &[Parameter],
    run: &str,
    train_key: &str,
    tolerance: f64,
    equal_accuracies: bool,
) -> f64 {
    let what = format!("{} ({run})", case.name);
    let want = case.json[run]["history"].as_array().unwrap();
    assert_eq!(history.records.len(), want.len(), "{what}: epochs");
    let mut worst = 0.0f64;
    let mut close = |label: String, got: f64, want: f64| {
        let err = (got - want).abs() / want.abs().max(1e-300);
        worst = worst.max(err);
        assert!(
            err <= tolerance,
            "{label}: got {got}, want {want} (relative {err:e})"
        );
    };
    for (r, w) in history.records.iter().zip(want) {
        let e = r.epoch;
        close(
            format!("{what} epoch {e} loss"),
            r.loss,
            w["loss"].as_f64().unwrap(),
        );
        for (l, (got, want)) in r
            .weight_norms
            .iter()
            .zip(numbers(&w["weight_norms"]))
            .enumerate()
        {
            close(format!("{what} epoch {e} ||W{}||", l + 1), *got, want);
        }
        if let Some(test_loss) = w["test_loss"].as_f64() {
            close(
                format!("{what} epoch {e} test loss"),
                r.test_loss.unwrap(),
                test_loss,
            );
        }
        if equal_accuracies {
            if let Some(train) = w[train_key].as_f64() {
                assert_eq!(
                    r.train_accuracy,
                    Some(train),
                    "{what} epoch {e} train accuracy"
                );
                let test = w["test_accuracy"].as_f64();
                assert_eq!(r.test_accuracy, test, "{what} epoch {e} test accuracy");
            }
        }
    }
    let finals = case.json[run]["final"].as_object().unwrap();
    for parameter in final_parameters {
        let want = numbers(&finals[&parameter.name]["values"]);
        let scale = want.iter().fold(0.0f64, |a, v| a.max(v.abs()));
        for (i, (got, want)) in parameter.values.iter().zip(&want).enumerate() {
            let err = (got - want).abs() / scale;
            assert!(
                err <= tolerance,
                "{what} final {}[{i}]: got {got}, want {want} ({err:e} of the largest)",
                parameter.name
            );
        }
    }
    worst
}

#[test]
fn the_first_epochs_batches_are_numpys_permutation() {
    for case in cases() {
        let want: Vec<Vec<usize>> =
            serde_json::from_value(case.json["epoch0_batches"].clone()).unwrap();
        let n = case.data.y_train().len();
        let mut batches = Batches::new(n, case.config.batch_size(), case.config.shuffle_seed());
        let size = batches.size();
        let got: Vec<Vec<usize>> = match batches.next_epoch() {
            Some(order) => order.chunks(size).map(<[usize]>::to_vec).collect(),
            None => vec![(0..n).collect()],
        };
        assert_eq!(got, want, "{}", case.name);
    }
}

#[test]
fn the_hand_written_engine_matches_pytorch_float64() {
    let mut worst = 0.0f64;
    for case in cases() {
        let mlp = Mlp::from_parameters(&case.spec, &case.initial).unwrap();
        let mut engine = ManualEngine::new(case.spec.clone(), mlp).unwrap();
        let history = run(&mut engine, &case, TrainAccuracy::AfterUpdate);
        let w = check(
            &case,
            &history,
            &engine.parameters(),
            "float64",
            "train_accuracy_after",
            1e-12,
            true,
        );
        worst = worst.max(w);
    }
    println!("manual engine: worst relative difference {worst:e}");
}

#[test]
fn the_autograd_engine_matches_pytorch_float64_and_float32() {
    for (float, run_name, tolerance) in [
        (FloatType::F64, "float64", 1e-10),
        (FloatType::F32, "float32", 1e-5),
    ] {
        let mut worst = 0.0f64;
        for case in cases() {
            let mut engine =
                AutogradEngine::new(case.spec.clone(), &case.initial, float, DeviceKind::Cpu)
                    .unwrap();
            let history = run(&mut engine, &case, TrainAccuracy::BeforeUpdate);
            // float32 accuracies are compared through the losses and weights: a row within
            // rounding of ŷ = 0.5 may fall either side.
            let w = check(
                &case,
                &history,
                &engine.parameters(),
                run_name,
                "train_accuracy_before",
                tolerance,
                float == FloatType::F64,
            );
            worst = worst.max(w);
        }
        println!("autograd engine {run_name}: worst relative difference {worst:e}");
    }
}
