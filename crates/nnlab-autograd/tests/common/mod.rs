//! What several test files share: data prepared as `nnlab train` prepares it.

use ndarray::Array1;
use nnlab_core::{Task, TrainData};
use nnlab_data::{train_test_split, Dataset, StandardScaler, TestSize};

/// `dataset` split 80/20 with `seed` and scaled, as `nnlab train` prepares it.
pub fn prepare(
    dataset: &Dataset,
    targets: impl Fn(&Dataset) -> Vec<f64>,
    task: Task,
    seed: u32,
) -> TrainData {
    let n = dataset.features.nrows();
    let (train_rows, test_rows) =
        dataset.split(&train_test_split(n, TestSize::Fraction(0.2), true, seed).unwrap());
    let (scaler, x_train) = StandardScaler::fit_transform(&train_rows.features).unwrap();
    let x_test = scaler.transform(&test_rows.features).unwrap();
    TrainData::with_task(
        x_train,
        Array1::from(targets(&train_rows)),
        x_test,
        Array1::from(targets(&test_rows)),
        task,
    )
    .unwrap()
}

pub fn labels(dataset: &Dataset) -> Vec<f64> {
    dataset.labels.iter().map(|&l| l as f64).collect()
}
