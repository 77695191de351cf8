//! Peak memory of training steps on the fast path at 1,000,000 × 64, against the size of the data
//! (issue 7's goal: under 1.5× the data). Linux only (reads VmHWM from /proc/self/status).
//!
//!     cargo run --release -p nnlab-core --example step_memory [-- ROWS HIDDEN]

use ndarray::{Array1, Array2};
use nnlab_core::{notebook_init, Activation, Batch, Engine, FastEngine, ModelSpec, Optimizer};

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN);
    kb / 1024.0
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let (m, h) = (
        args.first().copied().unwrap_or(1_000_000),
        args.get(1).copied().unwrap_or(64),
    );
    let before = peak_rss_mb();
    let x = Array2::from_shape_fn((m, 2), |(i, j)| {
        ((i * 7 + j * 13) % 1000) as f64 / 500.0 - 1.0
    });
    let y: Array1<f64> = (0..m)
        .map(|i| f64::from(u8::from(x[[i, 1]] > x[[i, 0]].sin())))
        .collect();
    let data_mb = (x.len() + y.len()) as f64 * 8.0 / 1_048_576.0;
    let with_data = peak_rss_mb();
    let spec = ModelSpec::new(2, vec![h], Activation::Relu).unwrap();
    let mut engine =
        FastEngine::<f64>::new(spec.clone(), &notebook_init(&spec, 1), Some(1)).unwrap();
    let mut sgd = Optimizer::new(Default::default());
    for _ in 0..3 {
        engine
            .train_step(&Batch::new(x.view(), y.view()), &mut sgd, 0.1)
            .unwrap();
    }
    let after = peak_rss_mb();
    println!("{m} x {h}: data (X and y, f64) {data_mb:.1} MB");
    println!("peak RSS: {before:.1} MB at start, {with_data:.1} MB with the data, {after:.1} MB after 3 steps");
    println!(
        "training added {:.1} MB = {:.2}x the data; peak over the start = {:.2}x the data",
        after - with_data,
        (after - with_data) / data_mb,
        (after - before) / data_mb
    );
}
