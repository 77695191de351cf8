//! The fast path against the readable engine it must agree with.
//!
//! - f64: the same history within 1e-12 (relative) for every architecture it supports — any depth,
//!   every activation — and sizes below one block, across blocks and across chunks;
//! - threads: 1, 2 and 3 threads give bit-identical histories (the chunks' sums are added in a
//!   fixed order, whoever computed them);
//! - which kernel runs: the AVX-512 one exactly where the CPU has AVX-512F and the network fits,
//!   else the AVX2 one where the CPU has AVX2 and FMA, a portable one everywhere else
//!   ([`FastEngine::kernel`]);
//! - every kernel of the one-hidden-layer ReLU shape (AVX-512 and AVX2, where the CPU has them,
//!   and the portable one) for 1 to 4 inputs and row counts that leave partial vectors and
//!   blocks, for every hidden-width class of the vector kernels' backward pass, and in f32 for
//!   row counts that leave partial vectors (tail groups); on a CPU without AVX-512 or AVX2 these
//!   say which kernel they could not check;
//! - mini-batches (a smaller last batch included) with every optimizer and penalty: the same
//!   history as the readable engine within 1e-12;
//! - f32: close to f64 (1e-4 relative over 20 epochs); rows passed in one reused buffer are read
//!   afresh every step.

use std::ops::ControlFlow;

use nnlab_core::fast::{Avx2, Avx512, Kernel, Real};
use nnlab_core::{
    notebook_init, train, Activation, Batch, Engine, FastEngine, History, ManualEngine, Mlp,
    ModelSpec, Optimizer, OptimizerConfig, RuleKind, RuleSettings, TrainAccuracy, TrainConfig,
    TrainData,
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

/// What the CPU reports, asked directly: AVX-512F and the features the compiler may use with it
/// (what `Avx512::detect` must require).
fn cpu_has_avx512() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::is_x86_feature_detected as has;
        has!("avx512f") && cpu_has_avx2() && has!("f16c")
    }
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// The same for AVX2 and FMA (what `Avx2::detect` must require).
fn cpu_has_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::is_x86_feature_detected as has;
        has!("avx2")
            && has!("avx")
            && has!("fma")
            && has!("sse4.2")
            && has!("sse4.1")
            && has!("ssse3")
            && has!("sse3")
    }
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// The engines that run the kernels of a network the vector kernels compute (D ≤ 4 → h (ReLU) →
/// 1), one thread, each with the kernel it runs: AVX-512 and AVX2 where the CPU has them (AVX2
/// through [`FastEngine::without_avx512`] on an AVX-512 CPU) and the portable one, after checking
/// that the default engine runs the best of them and that the tokens exist exactly where the CPU
/// has the features; `what` names the test in the messages.
fn all_kernels<T: Real>(spec: &ModelSpec, mlp: &Mlp, what: &str) -> Vec<(FastEngine<T>, Kernel)> {
    let engine = || FastEngine::<T>::new(spec.clone(), mlp, Some(1)).unwrap();
    assert_eq!(Avx512::detect().is_some(), cpu_has_avx512(), "{what}");
    assert_eq!(Avx2::detect().is_some(), cpu_has_avx2(), "{what}");
    let mut kernels = Vec::new();
    if cpu_has_avx512() {
        kernels.push((engine(), Kernel::Avx512));
    }
    if cpu_has_avx2() {
        kernels.push((engine().without_avx512(), Kernel::Avx2));
    }
    kernels.push((engine().portable(), Kernel::PortableOneHidden));
    // the default engine runs the first (the best the CPU has); without a token no engine can run
    // a vector kernel: `FastEngine` takes one only with an `Avx512` or `Avx2`, which only their
    // `detect` makes (their doc tests check that they cannot be built otherwise)
    assert_eq!(engine().kernel(), kernels[0].1, "{what}");
    for (engine, kernel) in &kernels {
        assert_eq!(engine.kernel(), *kernel, "{what}");
    }
    kernels
}

/// Says, where it is so, that a test of all kernels could not check some of them.
fn note_missing_kernels(what: &str) {
    if Avx512::detect().is_none() {
        eprintln!(
            "NOTE: {what}: this CPU has no AVX-512F, so the AVX-512 kernel was not checked \
             (it cannot run: Avx512::detect() gave no token); run it on a CPU with AVX-512F to \
             check it"
        );
    }
    if Avx2::detect().is_none() {
        eprintln!("NOTE: {what}: this CPU has no AVX2 and FMA, so the AVX2 kernel was not checked");
    }
}

#[test]
fn the_vector_kernels_run_exactly_where_the_cpu_has_them_and_the_network_fits() {
    assert_eq!(Avx512::detect().is_some(), cpu_has_avx512());
    assert_eq!(Avx2::detect().is_some(), cpu_has_avx2());
    let relu = Activation::Relu;
    let cases = [
        (1, vec![8], relu, true),
        (2, vec![3], relu, true),
        (4, vec![64], relu, true),
        (2, vec![8], Activation::Tanh, false), // ReLU only
        (5, vec![8], relu, false),             // 1 to 4 inputs
        (2, vec![8, 8], relu, false),          // one hidden layer
    ];
    for (d, hidden, activation, fits) in cases {
        let spec = ModelSpec::new(d, hidden.clone(), activation).unwrap();
        let mlp = notebook_init(&spec, 1);
        let portable = if d <= 4 && hidden.len() == 1 {
            Kernel::PortableOneHidden
        } else {
            Kernel::PortableGeneral
        };
        let default = match (fits, cpu_has_avx512(), cpu_has_avx2()) {
            (true, true, _) => Kernel::Avx512,
            (true, false, true) => Kernel::Avx2,
            _ => portable,
        };
        // without AVX-512, the AVX2 kernel where the CPU has it
        let without_avx512 = if fits && cpu_has_avx2() {
            Kernel::Avx2
        } else {
            portable
        };
        let what = spec.describe();
        let f64_engine = FastEngine::<f64>::new(spec.clone(), &mlp, Some(1)).unwrap();
        let f32_engine = FastEngine::<f32>::new(spec.clone(), &mlp, None).unwrap();
        assert_eq!(f64_engine.kernel(), default, "{what}");
        assert_eq!(f32_engine.kernel(), default, "{what}");
        assert_eq!(
            FastEngine::<f64>::new(spec.clone(), &mlp, Some(1))
                .unwrap()
                .without_avx512()
                .kernel(),
            without_avx512,
            "{what}"
        );
        assert_eq!(f64_engine.portable().kernel(), portable, "{what}");
        assert_eq!(f32_engine.portable().kernel(), portable, "{what}");
    }
    note_missing_kernels("the kernel choice");
}

#[test]
fn every_kernel_follows_the_readable_engine_for_one_to_four_inputs() {
    note_missing_kernels("every_kernel_follows_the_readable_engine_for_one_to_four_inputs");
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
            let what = format!("{} m={m}", spec.describe());
            for (mut fast, kernel) in all_kernels::<f64>(&spec, &mlp, &what) {
                let what = format!("{what} {kernel:?}");
                assert_close(&what, &run(&mut fast, &data, 0.5, 30), &readable, 1e-12);
                assert_eq!(fast.kernel(), kernel, "{what}");
            }
        }
    }
}

/// Hidden widths of every class the AVX-512 kernel's backward pass has separate code for: it takes
/// the units four at a time and ends with 1, 2, 3 or 4 of them (h mod 4 = 1, 2, 3, 0), after 0 to
/// 3 full fours; 64 is the benchmarks' width. (The portable kernel has no per-width code; it runs
/// the same cases.) In f64, to the established 1e-12 of every fast-path history: a unit whose
/// sums were dropped or added to its neighbour's would move its gradients, and the loss after
/// one update, by far more.
#[test]
fn every_hidden_width_class_follows_the_readable_engine_on_every_kernel() {
    note_missing_kernels("every_hidden_width_class_follows_the_readable_engine_on_every_kernel");
    for d in 1..=4 {
        for h in [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 14, 18, 64] {
            // a partial group of rows; whole blocks and a partial one
            for m in [37, 300] {
                let data = normal_rows(m, d, (100 * h + 10 * m + d) as u32);
                let spec = ModelSpec::new(d, vec![h], Activation::Relu).unwrap();
                let mlp = notebook_init(&spec, h as u32);
                let readable = run(
                    &mut ManualEngine::new(spec.clone(), mlp.clone()).unwrap(),
                    &data,
                    0.5,
                    8,
                );
                let what = format!("{} m={m}", spec.describe());
                for (mut fast, kernel) in all_kernels::<f64>(&spec, &mlp, &what) {
                    let what = format!("{what} {kernel:?}");
                    assert_close(&what, &run(&mut fast, &data, 0.5, 8), &readable, 1e-12);
                }
            }
        }
    }
}

/// The worst |a − b| / (|b| + 1) over two gradient lists of the same layout.
fn worst_gradient_difference(got: &[nnlab_core::Parameter], want: &[nnlab_core::Parameter]) -> f64 {
    assert_eq!(got.len(), want.len());
    let mut worst: f64 = 0.0;
    for (g, w) in got.iter().zip(want) {
        assert_eq!((&g.name, &g.shape), (&w.name, &w.shape));
        for (a, b) in g.values.iter().zip(&w.values) {
            worst = worst.max((a - b).abs() / (b.abs() + 1.0));
        }
    }
    worst
}

/// f32 steps on row counts that are not multiples of the vector width (8 in the portable kernel,
/// 16 lanes and groups of 64 in the AVX-512 one), of a block (256; 128 in the AVX-512 kernel) or
/// of a chunk (4096): the loss, the hits and the gradients of one step against the readable
/// engine's, for both kernels.
///
/// Tolerance, of |a − b| / (|b| + 1): 1e-5 for the gradients, 2e-5 for the loss. The f32 engine
/// rounds inputs and weights to f32 (relative 6e-8) and adds each sum in lanes of up to
/// 4097/8 ≈ 512 terms: rounding that walks like √512·6e-8 ≈ 1.4e-6 of the terms' size (measured
/// worst, portable kernel: 7e-8 in the gradients, 8e-8 in the loss). The loss's log(1 − ŷ) also
/// divides ŷ's rounding by 1 − ŷ, hence its looser bound (the AVX-512 kernel's code, emulated in
/// the unit tests of `fast/avx512.rs`, reaches 2.4e-6 there). A row dropped or counted twice
/// moves the loss or a gradient by about a term's size over m, ≥ 2.4e-4 for m ≤ 4097: more than
/// ten times either. The hits must be equal (no row of these data has ŷ within f32's rounding
/// of 0.5).
#[test]
fn f32_tail_groups_follow_the_readable_engine_on_every_kernel() {
    note_missing_kernels("f32_tail_groups_follow_the_readable_engine_on_every_kernel");
    let rows = [
        1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 100, 127, 129, 255, 256, 257, 1000, 4095, 4096, 4097,
    ];
    for (d, h) in [(2, 8), (1, 6), (3, 5), (4, 16)] {
        for m in rows {
            let data = normal_rows(m, d, (7 * m + d) as u32);
            let batch = data.full_batch();
            let spec = ModelSpec::new(d, vec![h], Activation::Relu).unwrap();
            let mlp = notebook_init(&spec, (d + h) as u32);
            let mut readable = ManualEngine::new(spec.clone(), mlp.clone()).unwrap();
            let want = readable.forward_backward(&batch).unwrap();
            let what = format!("f32 {} m={m}", spec.describe());
            for (mut fast, kernel) in all_kernels::<f32>(&spec, &mlp, &what) {
                let what = format!("{what} {kernel:?}");
                let got = fast.forward_backward(&batch).unwrap();
                let loss_off = (got.loss - want.loss).abs() / (want.loss.abs() + 1.0);
                assert!(
                    loss_off <= 2e-5,
                    "{what}: loss {} vs {}",
                    got.loss,
                    want.loss
                );
                assert_eq!(got.hits, want.hits, "{what}: hits");
                let off = worst_gradient_difference(&fast.gradients(), &readable.gradients());
                assert!(off <= 1e-5, "{what}: gradients off by {off:e}");
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

/// A prediction equals the training step's ŷ to the bit, on every kernel, f64 and f32: the
/// forward pass of a measurement (the test rows every epoch, the training rows after the last
/// one) runs the training kernel's own code, which is what lets `Trainer` count the training
/// accuracy after an update from the next step's forward pass (tests/epoch_loop.rs). Row counts
/// leave partial vectors and groups, whole and partial blocks, and a second chunk.
#[test]
fn predictions_equal_the_training_steps_outputs_bit_for_bit_on_every_kernel() {
    note_missing_kernels(
        "predictions_equal_the_training_steps_outputs_bit_for_bit_on_every_kernel",
    );
    fn check<T: Real>(d: usize, h: usize, m: usize) {
        let data = normal_rows(m, d, (3 * m + d + h) as u32);
        let spec = ModelSpec::new(d, vec![h], Activation::Relu).unwrap();
        let mlp = notebook_init(&spec, (d * h) as u32);
        let what = format!("{:?} {} m={m}", T::PRECISION, spec.describe());
        for (mut fast, kernel) in all_kernels::<T>(&spec, &mlp, &what) {
            fast.forward_backward(&data.full_batch()).unwrap();
            let step: Vec<u64> = fast
                .last_outputs()
                .iter()
                .map(|p| p.as_f64().to_bits())
                .collect();
            let predicted: Vec<u64> = fast
                .outputs(data.x_train())
                .unwrap()
                .iter()
                .map(|p| p.to_bits())
                .collect();
            assert_eq!(step.len(), m, "{what} {kernel:?}");
            assert!(step == predicted, "{what} {kernel:?}: ŷ differs");
        }
    }
    for d in 1..=4 {
        for (h, m) in [(1, 1), (8, 37), (5, 300), (64, 257), (8, 4097)] {
            check::<f64>(d, h, m);
            check::<f32>(d, h, m);
        }
    }
}
