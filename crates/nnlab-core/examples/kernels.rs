//! The fast path's kernels side by side: one full-batch training step (forward, loss, backward,
//! SGD update) of 2-h-1 ReLU on each kernel this CPU runs — AVX-512 (`fast/avx512.rs`), AVX2
//! (`fast/avx2.rs`) and the portable one (`fast/portable.rs`) — timed interleaved (one step of
//! each, again and again) so that a shared machine's slow phases fall on all of them alike;
//! medians, and each kernel's speed-up over the portable one in the same run.
//!
//! `cargo run --release -p nnlab-core --example kernels [-- --quick]`
//!
//! Rows as in the step bench: 2 standard normals, labelled by the side of x₁ = sin 2x₀; one
//! thread.

use std::time::{Duration, Instant};

use nnlab_core::fast::{Kernel, Real};
use nnlab_core::{notebook_init, Engine, FastEngine, ModelSpec, Optimizer, OptimizerConfig};
use nnlab_core::{Task, TrainData};
use nnlab_data::RandomState;

fn data(m: usize) -> TrainData {
    let mut rng = RandomState::new(7);
    let x = rng.randn(m, 2);
    let y = x
        .rows()
        .into_iter()
        .map(|r| f64::from(u8::from(r[1] > (2.0 * r[0]).sin())))
        .collect();
    TrainData::with_task(
        x.clone(),
        y,
        x.slice(ndarray::s![..1, ..]).to_owned(),
        ndarray::arr1(&[0.0]),
        Task::Binary,
    )
    .unwrap()
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// Each kernel's median step, interleaved over `rounds` rounds.
fn compare<T: Real>(m: usize, h: usize, rounds: usize) -> Vec<(Kernel, Duration)> {
    let data = data(m);
    let spec = ModelSpec::new(2, vec![h], nnlab_core::Activation::Relu).unwrap();
    let mlp = notebook_init(&spec, 42);
    let engine = || FastEngine::<T>::new(spec.clone(), &mlp, Some(1)).unwrap();
    let mut engines = vec![engine()];
    if engines[0].kernel() == Kernel::Avx512 {
        engines.push(engine().without_avx512());
    }
    if engines[0].kernel() != Kernel::PortableOneHidden {
        engines.push(engine().portable());
    }
    let mut optimizers: Vec<Optimizer> = engines
        .iter()
        .map(|_| Optimizer::new(OptimizerConfig::default()))
        .collect();
    let mut times = vec![Vec::new(); engines.len()];
    let batch = data.full_batch();
    for round in 0..rounds + 3 {
        for (k, engine) in engines.iter_mut().enumerate() {
            let start = Instant::now();
            std::hint::black_box(engine.train_step(&batch, &mut optimizers[k], 0.1).unwrap());
            if round >= 3 {
                times[k].push(start.elapsed()); // (the first steps make the buffers)
            }
        }
    }
    engines
        .iter()
        .zip(times)
        .map(|(engine, times)| (engine.kernel(), median(times)))
        .collect()
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    println!("| rows × hidden | precision | kernel | step | speed-up over portable |");
    println!("|---|---|---|---|---|");
    for (m, h, rounds) in [
        (800, 8, 20_000),
        (800, 64, 5_000),
        (80_000, 64, 200),
        (800_000, 64, 30),
    ] {
        let rounds = if quick { rounds / 10 } else { rounds };
        for f32 in [false, true] {
            let results = if f32 {
                compare::<f32>(m, h, rounds)
            } else {
                compare::<f64>(m, h, rounds)
            };
            let portable = results.last().expect("the portable kernel").1;
            for (kernel, time) in results {
                println!(
                    "| {m} × {h} | {} | {kernel:?} | {time:.2?} | {:.2}× |",
                    if f32 { "f32" } else { "f64" },
                    portable.as_secs_f64() / time.as_secs_f64()
                );
            }
        }
    }
}
