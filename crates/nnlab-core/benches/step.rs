//! One full-batch training step (forward, loss, backward, SGD update) of a 2→h→1 ReLU/sigmoid MLP
//! on BCE, at the sizes of issue 7; one epoch of mini-batches with Adam (issue 11); and the
//! decision-boundary grid's prediction.
//!
//! `cargo bench -p nnlab-core` — single thread unless the name says `threads=2`; bench/peers.py
//! runs the same steps in numpy and PyTorch for the ratios in BENCHMARKS.md.

use ndarray::{Array1, Array2};
use nnlab_core::train::BatchRows;
use nnlab_core::{
    notebook_init, Batches, Engine, FastEngine, ManualEngine, Mlp, ModelSpec, Optimizer,
    OptimizerConfig, RuleKind, RuleSettings, Task, TrainData,
};
use nnlab_data::RandomState;

fn main() {
    divan::main();
}

/// m rows of 2 standard normals, labelled by the side of a curve, and a 2-h-1 net.
fn problem(m: usize, hidden: usize) -> (Array2<f64>, Array1<f64>, ModelSpec, Mlp) {
    let mut rng = RandomState::new(7);
    let x = rng.randn(m, 2);
    let y = x
        .rows()
        .into_iter()
        .map(|r| f64::from(u8::from(r[1] > (2.0 * r[0]).sin())))
        .collect();
    let spec = ModelSpec::new(2, vec![hidden], nnlab_core::Activation::Relu).unwrap();
    let mlp = notebook_init(&spec, 42);
    (x, y, spec, mlp)
}

const SIZES: [(usize, usize); 4] = [(800, 8), (10_000, 32), (100_000, 64), (1_000_000, 64)];

fn label((m, h): &(usize, usize)) -> String {
    format!("{m}x{h}")
}

#[divan::bench(args = SIZES.iter().map(label))]
fn fast_f64(bencher: divan::Bencher, size: &str) {
    step_bench::<f64>(bencher, size, 1);
}

#[divan::bench(args = SIZES.iter().map(label))]
fn fast_f32(bencher: divan::Bencher, size: &str) {
    step_bench::<f32>(bencher, size, 1);
}

#[divan::bench(args = SIZES.iter().map(label))]
fn fast_f32_threads_2(bencher: divan::Bencher, size: &str) {
    step_bench::<f32>(bencher, size, 2);
}

#[divan::bench(args = SIZES.iter().map(label))]
fn fast_f64_threads_2(bencher: divan::Bencher, size: &str) {
    step_bench::<f64>(bencher, size, 2);
}

/// The portable kernels on the same shape (what a CPU without AVX-512 runs), for comparison.
#[divan::bench(args = ["800x8", "100000x64"])]
fn portable_f64(bencher: divan::Bencher, size: &str) {
    step_bench_on::<f64>(bencher, size, 1, true);
}

#[divan::bench(args = ["800x8", "100000x64"])]
fn portable_f32(bencher: divan::Bencher, size: &str) {
    step_bench_on::<f32>(bencher, size, 1, true);
}

fn step_bench<T: nnlab_core::fast::Real>(bencher: divan::Bencher, size: &str, threads: usize) {
    step_bench_on::<T>(bencher, size, threads, false);
}

fn step_bench_on<T: nnlab_core::fast::Real>(
    bencher: divan::Bencher,
    size: &str,
    threads: usize,
    portable: bool,
) {
    let &(m, h) = SIZES.iter().find(|s| label(s) == size).unwrap();
    let (x, y, spec, mlp) = problem(m, h);
    let mut engine = FastEngine::<T>::new(spec, &mlp, Some(threads)).unwrap();
    if portable {
        engine = engine.portable();
    }
    let data = TrainData::with_task(x.clone(), y.clone(), x, y, Task::Binary).unwrap();
    let mut sgd = Optimizer::new(OptimizerConfig::default());
    let batch = data.full_batch();
    // buffers (and f32 inputs) are made once, before timing
    engine.train_step(&batch, &mut sgd, 0.1).unwrap();
    bencher.bench_local(|| engine.train_step(&batch, &mut sgd, 0.1).unwrap());
}

/// One epoch of 800 rows, 2-8-1, mini-batches of 32 in a fresh shuffled order, Adam (lr 0.01):
/// the order drawn, each batch's rows gathered, forward, backward and Adam's update, 25 times, as
/// the mini-batch branch of `nnlab_core::train` runs them.
#[divan::bench(args = ["fast_f64", "fast_f32", "readable"])]
fn epoch_800x8_adam_batch32(bencher: divan::Bencher, engine: &str) {
    let (x, y, spec, mlp) = problem(800, 8);
    let mut engine: Box<dyn Engine> = match engine {
        "fast_f64" => Box::new(FastEngine::<f64>::new(spec, &mlp, Some(1)).unwrap()),
        "fast_f32" => Box::new(FastEngine::<f32>::new(spec, &mlp, Some(1)).unwrap()),
        _ => Box::new(ManualEngine::new(spec, mlp).unwrap()),
    };
    let adam = RuleSettings {
        kind: RuleKind::Adam,
        ..RuleSettings::default()
    };
    let mut optimizer = Optimizer::new(OptimizerConfig::new(adam, 0.0, 0.0).unwrap());
    let mut batches = Batches::new(800, Some(32), 0);
    let mut gathered = BatchRows::default();
    bencher.bench_local(|| {
        let order = batches.next_epoch().unwrap();
        let mut loss = 0.0;
        for rows in order.chunks(32) {
            let batch = gathered.gather(&x, &y, rows); // as `train` gathers X[b], Y[b]
            loss += engine
                .train_step(&batch, &mut optimizer, 0.01)
                .unwrap()
                .loss;
        }
        loss
    });
}

/// The readable engine, for comparison (the two small sizes).
#[divan::bench(args = ["800x8", "10000x32"])]
fn readable_f64(bencher: divan::Bencher, size: &str) {
    let &(m, h) = SIZES.iter().find(|s| label(s) == size).unwrap();
    let (x, y, spec, mlp) = problem(m, h);
    let mut engine = ManualEngine::new(spec, mlp).unwrap();
    let data = TrainData::with_task(x.clone(), y.clone(), x, y, Task::Binary).unwrap();
    let mut sgd = Optimizer::new(OptimizerConfig::default());
    bencher.bench_local(|| {
        engine
            .train_step(&data.full_batch(), &mut sgd, 0.1)
            .unwrap()
            .loss
    });
}

/// ŷ over the notebook's decision-boundary grid: 250 × 250 = 62,500 points, 2-8-1.
#[divan::bench(args = ["fast", "readable"])]
fn boundary_grid(bencher: divan::Bencher, engine: &str) {
    let (_, _, spec, mlp) = problem(10, 8);
    let grid = Array2::from_shape_fn((62_500, 2), |(i, j)| {
        if j == 0 {
            (i % 250) as f64 * 0.02 - 2.5
        } else {
            (i / 250) as f64 * 0.02 - 2.5
        }
    });
    let fast = FastEngine::<f64>::new(spec.clone(), &mlp, Some(1)).unwrap();
    let readable = ManualEngine::new(spec, mlp).unwrap();
    let engine: &dyn Engine = if engine == "fast" { &fast } else { &readable };
    bencher.bench_local(|| engine.probabilities(&grid).unwrap());
}

/// Issue 14: one whole epoch as `nnlab train` runs it (`Trainer::epoch`: the step, then the
/// record with the notebook's semantics — loss, training accuracy after the update, test
/// accuracy and weight norms), beside the bare work of the epoch with nothing measured
/// (`bare_*`: the full-batch step, or the mini-batch steps of one epoch). Training rows as in
/// `problem`, a quarter as many test rows (the notebook's 80/20 split), SGD at lr 0.1, one thread.
const EPOCH_SIZES: [&str; 2] = ["800x8", "1000000x64"];

/// The rows of a mini-batch at each epoch size: the 32 of PyTorch's DataLoader default at 800 ×
/// 8, 4096 at 1,000,000 × 64 (244 batches).
fn epoch_batch(m: usize) -> usize {
    if m <= 800 {
        32
    } else {
        4096
    }
}

enum Epoch {
    Notebook,
    Bare,
}

fn epoch_bench<T: nnlab_core::fast::Real>(
    bencher: divan::Bencher,
    size: &str,
    batched: bool,
    what: Epoch,
) {
    let &(m, h) = SIZES.iter().find(|s| label(s) == size).unwrap();
    let (x, y, spec, mlp) = problem(m, h);
    let (x_test, y_test, _, _) = problem(m / 4, h);
    let data = TrainData::with_task(x.clone(), y.clone(), x_test, y_test, Task::Binary).unwrap();
    let mut engine = FastEngine::<T>::new(spec, &mlp, Some(1)).unwrap();
    let batch = batched.then(|| epoch_batch(m));
    let config = nnlab_core::TrainConfig::new(0.1, usize::MAX)
        .unwrap()
        .with_batches(batch, 0)
        .unwrap();
    match what {
        Epoch::Notebook => {
            let mut trainer = nnlab_core::Trainer::new(
                &engine,
                &data,
                &config,
                nnlab_core::TrainAccuracy::AfterUpdate,
            )
            .unwrap();
            trainer.epoch(&mut engine, &data).unwrap(); // buffers made before timing
            bencher.bench_local(|| trainer.epoch(&mut engine, &data).unwrap().loss);
        }
        Epoch::Bare => {
            let mut sgd = Optimizer::new(OptimizerConfig::default());
            let mut batches = Batches::new(m, batch, 0);
            let mut gathered = BatchRows::default();
            let mut order = Vec::new();
            let mut one_epoch = || match batch {
                None => {
                    engine
                        .train_step(&data.full_batch(), &mut sgd, 0.1)
                        .unwrap()
                        .loss
                }
                Some(b) => {
                    order.clear();
                    order.extend(batches.next_epoch().unwrap());
                    let mut loss = 0.0;
                    for rows in order.chunks(b) {
                        let batch = gathered.gather(data.x_train(), data.y_train(), rows);
                        loss += engine.train_step(&batch, &mut sgd, 0.1).unwrap().loss;
                    }
                    loss
                }
            };
            one_epoch();
            bencher.bench_local(one_epoch);
        }
    }
}

#[divan::bench(args = EPOCH_SIZES)]
fn epoch_notebook_f64(bencher: divan::Bencher, size: &str) {
    epoch_bench::<f64>(bencher, size, false, Epoch::Notebook);
}

#[divan::bench(args = EPOCH_SIZES)]
fn epoch_bare_f64(bencher: divan::Bencher, size: &str) {
    epoch_bench::<f64>(bencher, size, false, Epoch::Bare);
}

#[divan::bench(args = EPOCH_SIZES)]
fn epoch_notebook_f32(bencher: divan::Bencher, size: &str) {
    epoch_bench::<f32>(bencher, size, false, Epoch::Notebook);
}

#[divan::bench(args = EPOCH_SIZES)]
fn epoch_bare_f32(bencher: divan::Bencher, size: &str) {
    epoch_bench::<f32>(bencher, size, false, Epoch::Bare);
}

#[divan::bench(args = EPOCH_SIZES)]
fn epoch_notebook_f64_batched(bencher: divan::Bencher, size: &str) {
    epoch_bench::<f64>(bencher, size, true, Epoch::Notebook);
}

#[divan::bench(args = EPOCH_SIZES)]
fn epoch_bare_f64_batched(bencher: divan::Bencher, size: &str) {
    epoch_bench::<f64>(bencher, size, true, Epoch::Bare);
}

#[divan::bench(args = EPOCH_SIZES)]
fn epoch_notebook_f32_batched(bencher: divan::Bencher, size: &str) {
    epoch_bench::<f32>(bencher, size, true, Epoch::Notebook);
}

#[divan::bench(args = EPOCH_SIZES)]
fn epoch_bare_f32_batched(bencher: divan::Bencher, size: &str) {
    epoch_bench::<f32>(bencher, size, true, Epoch::Bare);
}
