//! Issue 14's goal for the epoch loop: an epoch with the notebook's measurements (`Trainer::epoch`:
//! the step, then the training accuracy after the update, the test accuracy and the weight norms)
//! at most 1.3× the bare work of the epoch (the full-batch step, or one epoch of mini-batch steps,
//! nothing measured).
//!
//! `cargo run --release -p nnlab-core --example epoch_ratio [-- --quick]`
//!
//! On a shared machine a bench of one kind and then a bench of the other can land in different
//! states of the machine, so this times them interleaved: one bare epoch, one measured epoch, again
//! and again, each on its own engine from the same start, and prints the medians and their ratio.
//! Training rows as in the step bench (2 standard normals, labelled by the side of x₁ = sin 2x₀), a
//! quarter as many test rows (the notebook's 80/20 split), 2-h-1 ReLU, SGD at lr 0.1, one thread.

use std::time::{Duration, Instant};

use ndarray::{Array1, Array2};
use nnlab_core::fast::Real;
use nnlab_core::train::BatchRows;
use nnlab_core::{
    notebook_init, Batches, Engine, FastEngine, ModelSpec, Optimizer, OptimizerConfig, Task,
    TrainAccuracy, TrainConfig, TrainData, Trainer,
};
use nnlab_data::RandomState;

fn rows(m: usize, seed: u32) -> (Array2<f64>, Array1<f64>) {
    let mut rng = RandomState::new(seed);
    let x = rng.randn(m, 2);
    let y = x
        .rows()
        .into_iter()
        .map(|r| f64::from(u8::from(r[1] > (2.0 * r[0]).sin())))
        .collect();
    (x, y)
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// Medians of the bare and the measured epoch, timed alternately `rounds` times.
fn compare<T: Real>(
    m: usize,
    h: usize,
    batch: Option<usize>,
    rounds: usize,
) -> (Duration, Duration) {
    let (x, y) = rows(m, 7);
    let (x_test, y_test) = rows(m / 4, 8);
    let data = TrainData::with_task(x, y, x_test, y_test, Task::Binary).unwrap();
    let spec = ModelSpec::new(2, vec![h], nnlab_core::Activation::Relu).unwrap();
    let mlp = notebook_init(&spec, 42);
    let config = TrainConfig::new(0.1, usize::MAX)
        .unwrap()
        .with_batches(batch, 0)
        .unwrap();

    // the bare epoch: what `Trainer::epoch` runs before it measures anything
    let mut bare = FastEngine::<T>::new(spec.clone(), &mlp, Some(1)).unwrap();
    let mut sgd = Optimizer::new(OptimizerConfig::default());
    let mut batches = Batches::new(m, batch, 0);
    let mut gathered = BatchRows::default();
    let mut bare_epoch = || -> f64 {
        let size = batches.size();
        match batches.next_epoch() {
            None => {
                bare.train_step(&data.full_batch(), &mut sgd, 0.1)
                    .unwrap()
                    .loss
            }
            Some(order) => order
                .chunks(size)
                .map(|rows| {
                    let batch = gathered.gather(data.x_train(), data.y_train(), rows);
                    bare.train_step(&batch, &mut sgd, 0.1).unwrap().loss
                })
                .sum(),
        }
    };

    let mut engine = FastEngine::<T>::new(spec, &mlp, Some(1)).unwrap();
    let mut trainer = Trainer::new(&engine, &data, &config, TrainAccuracy::AfterUpdate).unwrap();

    let (mut bare_times, mut measured_times) = (Vec::new(), Vec::new());
    for round in 0..rounds + 2 {
        let start = Instant::now();
        std::hint::black_box(bare_epoch());
        let bare_time = start.elapsed();
        let start = Instant::now();
        std::hint::black_box(trainer.epoch_in_place(&mut engine, &data).unwrap().loss);
        let measured_time = start.elapsed();
        if round >= 2 {
            // (the first two make the buffers)
            bare_times.push(bare_time);
            measured_times.push(measured_time);
        }
    }
    (median(bare_times), median(measured_times))
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    println!("| shape | batches | precision | bare epoch | notebook epoch | ratio |");
    println!("|---|---|---|---|---|---|");
    for (m, h) in [(800, 8), (1_000_000, 64)] {
        let rounds = match (m, quick) {
            (800, false) => 20_000,
            (800, true) => 2_000,
            (_, false) => 30,
            (_, true) => 5,
        };
        let batch = if m == 800 { 32 } else { 4096 };
        for batch in [None, Some(batch)] {
            for f32 in [false, true] {
                let (bare, measured) = if f32 {
                    compare::<f32>(m, h, batch, rounds)
                } else {
                    compare::<f64>(m, h, batch, rounds)
                };
                println!(
                    "| {m} × {h} | {} | {} | {bare:.2?} | {measured:.2?} | {:.2}× |",
                    batch.map_or("full".to_string(), |b| format!("{b} rows")),
                    if f32 { "f32" } else { "f64" },
                    measured.as_secs_f64() / bare.as_secs_f64()
                );
            }
        }
    }
}
