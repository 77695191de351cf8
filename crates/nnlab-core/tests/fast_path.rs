//! The fast path against the readable engine it must agree with.
//!
//! - f64: the same history within 1e-12 (relative) for every architecture it supports — any depth,
//!   every activation — and sizes below one block, across blocks and across chunks;
//! - threads: 1, 2 and 3 threads give bit-identical histories (the chunks' sums are added in a
//!   fixed order, whoever computed them);
//! - both kernels of the one-hidden-layer ReLU shape (AVX-512, where the CPU has it, and the
//!   portable one) for 1 to 4 inputs and row counts that leave partial vectors and blocks;
//! - mini-batches (a smaller last batch included) with every optimizer and penalty: the same
//!   history as the readable engine within 1e-12;
//! - f32: close to f64 (1e-4 relative over 20 epochs); rows passed in one reused buffer are read
//!   afresh every step.

use std::ops::ControlFlow;

use nnlab_core::{
    notebook_init, train, Activation, Batch, Engine, FastEngine, History, ManualEngine, ModelSpec,
    Optimizer, OptimizerConfig, RuleKind, RuleSettings, TrainAccuracy, TrainConfig, TrainData,
};
use nnlab_data::{make_moons, train_test_split, RandomState, StandardScaler, TestSize};

fn moons(n: usize, seed: u32) -> TrainData {
    let data = make_moons(n, Some(0.2), true, seed).unwrap();
    let (train_rows, test_rows) =
        data.split(&train_test_split(n, TestSize::Fraction(0.2), true, seed).unwrap());
    let (scaler, x_train) = StandardScaler::fit_transform(&train_rows.features).unwrap();
    let x_test = scaler.transform(&test_rows.features).unwrap();
    TrainData::new(x_train, &train_rows.labels, x_test, &test_rows.labels).unwrap()
}

fn run(engine: &mut dyn nnlab_core::Engine, data: &TrainData, lr: f64, epochs: usize) -> History {
    let config = TrainConfig::new(lr, epochs).unwrap();
    run_with(engine, data, &config)
}

fn run_with(
    engine: &mut dyn nnlab_core::Engine,
    data: &TrainData,
    config: &TrainConfig,
) -> History {
    train(engine, data, config, TrainAccuracy::AfterUpdate, |_, _| {
        ControlFlow::Continue(())
    })
    .unwrap()
    .history
}

fn assert_close(what: &str, a: &History, b: &History, rel: f64) {
    assert_eq!(a.records.len(), b.records.len(), "{what}");
    for (x, y) in a.records.iter().zip(&b.records) {
        let close = |p: f64, q: f64| (p - q).abs() <= rel * q.abs().max(1e-300);
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
}

#[test]
fn fast_f64_follows_the_readable_engine_for_every_architecture() {
    let cases: [(&[usize], usize); 5] = [
        (&[8], 1000),
        (&[3], 46),
        (&[16, 8], 5000),
        (&[5, 5, 5], 700),
        (&[64], 12000),
    ];
    for (hidden, n) in cases {
        for activation in Activation::ALL {
            let data = moons(n, n as u32);
            let spec = ModelSpec::new(2, hidden.to_vec(), activation).unwrap();
            let mlp = notebook_init(&spec, 5);
            let mut readable = ManualEngine::new(spec.clone(), mlp.clone()).unwrap();
            let mut fast = FastEngine::<f64>::new(spec.clone(), &mlp, Some(2)).unwrap();
            let what = format!("{} {activation} n={n}", spec.describe());
            assert_close(
                &what,
                &run(&mut fast, &data, 0.3, 40),
                &run(&mut readable, &data, 0.3, 40),
                1e-12,
            );
        }
    }
}

/// m rows of d standard normals, labelled by the sign of a curve through them.
fn normal_rows(m: usize, d: usize, seed: u32) -> TrainData {
    let mut rng = RandomState::new(seed);
    let x = rng.randn(m, d);
    let labels: Vec<usize> = x
        .rows()
        .into_iter()
        .map(|r| usize::from(r[0] > (2.0 * r[d - 1]).sin() + 0.3 * r.sum()))
        .collect();
    TrainData::new(x.clone(), &labels, x, &labels).unwrap()
}

#[test]
fn both_kernels_follow_the_readable_engine_for_one_to_four_inputs() {
    for d in 1..=4 {
        // one row; partial vectors and groups; several blocks; two chunks and a bit
        for m in [1, 37, 700, 8_200] {
            let data = normal_rows(m, d, (10 * m + d) as u32);
            let spec = ModelSpec::new(d, vec![5], Activation::Relu).unwrap();
            let mlp = notebook_init(&spec, 11);
            let readable = run(
                &mut ManualEngine::new(spec.clone(), mlp.clone()).unwrap(),
                &data,
                0.5,
                30,
            );
            for portable in [false, true] {
                let mut fast = FastEngine::<f64>::new(spec.clone(), &mlp, Some(1)).unwrap();
                if portable {
                    fast = fast.portable();
                }
                let what = format!("{} m={m} portable={portable}", spec.describe());
                assert_close(&what, &run(&mut fast, &data, 0.5, 30), &readable, 1e-12);
            }
        }
    }
}

#[test]
fn the_notebook_run_is_the_same_on_the_fast_path() {
    let data = moons(1000, 42);
    let spec = ModelSpec::default();
    let mlp = notebook_init(&spec, 42);
    let mut readable = ManualEngine::new(spec.clone(), mlp.clone()).unwrap();
    let mut fast = FastEngine::<f64>::new(spec, &mlp, None).unwrap();
    assert_close(
        "2-8-1, 1000 epochs",
        &run(&mut fast, &data, 0.1, 1000),
        &run(&mut readable, &data, 0.1, 1000),
        1e-12,
    );
}

#[test]
fn thread_counts_give_identical_results() {
    let data = moons(40_000, 9);
    let spec = ModelSpec::new(2, vec![32], Activation::Relu).unwrap();
    let mlp = notebook_init(&spec, 9);
    let histories: Vec<History> = [1, 2, 3]
        .iter()
        .map(|&threads| {
            run(
                &mut FastEngine::<f64>::new(spec.clone(), &mlp, Some(threads)).unwrap(),
                &data,
                0.5,
                15,
            )
        })
        .collect();
    assert_eq!(histories[0], histories[1]);
    assert_eq!(histories[0], histories[2]);
}

#[test]
fn f32_stays_close_to_f64() {
    let data = moons(2000, 3);
    let spec = ModelSpec::new(2, vec![16], Activation::Relu).unwrap();
    let mlp = notebook_init(&spec, 3);
    let double = run(
        &mut FastEngine::<f64>::new(spec.clone(), &mlp, Some(1)).unwrap(),
        &data,
        0.2,
        20,
    );
    let single = run(
        &mut FastEngine::<f32>::new(spec, &mlp, Some(1)).unwrap(),
        &data,
        0.2,
        20,
    );
    for (a, b) in single.records.iter().zip(&double.records) {
        assert!(
            (a.loss - b.loss).abs() <= 1e-4 * b.loss,
            "epoch {}: {} vs {}",
            a.epoch,
            a.loss,
            b.loss
        );
    }
}

#[test]
fn mini_batches_and_every_optimizer_follow_the_readable_engine() {
    let data = moons(300, 5); // 240 training rows: batches of 50 leave a last batch of 40
    let rules = [
        RuleSettings {
            kind: RuleKind::Sgd,
            momentum: Some(0.9),
            nesterov: true,
            weight_decay: Some(1e-3),
            ..Default::default()
        },
        RuleSettings {
            kind: RuleKind::Sgd,
            momentum: Some(0.5),
            ..Default::default()
        },
        RuleSettings {
            kind: RuleKind::Adam,
            ..Default::default()
        },
        RuleSettings {
            kind: RuleKind::Adam,
            betas: Some((0.8, 0.99)),
            weight_decay: Some(0.01),
            ..Default::default()
        },
        RuleSettings {
            kind: RuleKind::AdamW,
            ..Default::default()
        },
    ];
    for (i, rule) in rules.into_iter().enumerate() {
        for (hidden, activation) in [(vec![8], Activation::Relu), (vec![6, 5], Activation::Tanh)] {
            let spec = ModelSpec::new(2, hidden, activation).unwrap();
            let mlp = notebook_init(&spec, 3);
            let optimizer = OptimizerConfig::new(rule, 1e-3 * i as f64, 2e-3).unwrap();
            let config = TrainConfig::new(0.01, 6)
                .unwrap()
                .with_batches(Some(50), 9)
                .unwrap()
                .with_optimizer(optimizer);
            let mut readable = ManualEngine::new(spec.clone(), mlp.clone()).unwrap();
            let mut fast = FastEngine::<f64>::new(spec.clone(), &mlp, Some(1)).unwrap();
            let what = format!("{} {:?}", spec.describe(), rule);
            assert_close(
                &what,
                &run_with(&mut fast, &data, &config),
                &run_with(&mut readable, &data, &config),
                1e-12,
            );
        }
    }
}

/// The f32 fast path once kept converted rows by the array's address: a caller reusing one
/// buffer for every batch trained on the first batch's rows again. Two different batches in one
/// buffer must give what two separate buffers give.
#[test]
fn f32_reads_a_reused_buffer_afresh() {
    let data = moons(200, 6);
    let spec = ModelSpec::default();
    let mlp = notebook_init(&spec, 1);
    let (x, y) = (data.x_train(), data.y_train());
    let halves = [(0..80).collect::<Vec<_>>(), (80..160).collect::<Vec<_>>()];
    let mut losses = Vec::new();
    for reuse in [false, true] {
        let mut engine = FastEngine::<f32>::new(spec.clone(), &mlp, Some(1)).unwrap();
        let mut sgd = Optimizer::new(OptimizerConfig::default());
        let mut buffer_x = x.select(ndarray::Axis(0), &halves[0]);
        let mut buffer_y = y.select(ndarray::Axis(0), &halves[0]);
        let mut run = Vec::new();
        for rows in &halves {
            let (bx, by) = (
                x.select(ndarray::Axis(0), rows),
                y.select(ndarray::Axis(0), rows),
            );
            let step = if reuse {
                buffer_x.assign(&bx);
                buffer_y.assign(&by);
                engine.train_step(&Batch::new(buffer_x.view(), buffer_y.view()), &mut sgd, 0.5)
            } else {
                engine.train_step(&Batch::new(bx.view(), by.view()), &mut sgd, 0.5)
            };
            run.push(step.unwrap().loss);
        }
        losses.push(run);
    }
    assert_eq!(losses[0], losses[1]);
    assert_ne!(losses[0][0], losses[0][1]);
}
