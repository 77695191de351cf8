//! Bit-for-bit parity with scikit-learn and numpy.
//!
//! Reference files (copied into `fixtures/`):
//! - `fixtures/reference/datasets.json`, `split_scale.json`, `notebook_data.json`: from the project's
//!   `shared/reference/make_reference.py` (numpy 2.4.6, scikit-learn 1.9.1; the notebook fields are
//!   those of `notebook_20_epochs.json`);
//! - `fixtures/extra_cases.json`: from `fixtures/make_extra.py` (same versions): other sizes
//!   (1 to 257, odd and even), noises (none, 0, small, large), seeds (0 to 2³²−1), shuffle on and
//!   off, factors, blob centers and features, split sizes, and scalers with 1 to 4 features.
//!
//! Every float is compared with `to_bits`: equal means the very same double.

use ndarray::Array2;
use nnlab_data::{
    make_blobs, make_circles, make_moons, train_test_split, Centers, Dataset, StandardScaler,
    TestSize,
};
use nnlab_fixtures::{fixture, labels, matrix, numbers as vector};
use serde_json::Value;

/// Asserts two arrays hold the same doubles, bit for bit, naming the first difference.
fn assert_bits_eq(what: &str, got: &Array2<f64>, want: &Array2<f64>) {
    assert_eq!(got.dim(), want.dim(), "{what}: shape");
    for ((index, g), w) in got.indexed_iter().zip(want.iter()) {
        assert_eq!(
            g.to_bits(),
            w.to_bits(),
            "{what}: at {index:?} got {g:?}, want {w:?}"
        );
    }
}

fn assert_slice_bits_eq(what: &str, got: &[f64], want: &[f64]) {
    let got = Array2::from_shape_vec((1, got.len()), got.to_vec()).unwrap();
    let want = Array2::from_shape_vec((1, want.len()), want.to_vec()).unwrap();
    assert_bits_eq(what, &got, &want);
}

/// Runs one generator case described by scikit-learn keyword arguments.
fn generate(generator: &str, params: &Value) -> Dataset {
    let n = params["n_samples"].as_u64().unwrap() as usize;
    let noise = params.get("noise").and_then(Value::as_f64);
    let shuffle = params
        .get("shuffle")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    // Without shuffle and noise the seed is never used; scikit-learn then takes numpy's global one.
    let seed = params
        .get("random_state")
        .and_then(Value::as_u64)
        .unwrap_or(0) as u32;
    match generator {
        "make_moons" => make_moons(n, noise, shuffle, seed).unwrap(),
        "make_circles" => {
            let factor = params.get("factor").and_then(Value::as_f64).unwrap_or(0.8);
            make_circles(n, noise, factor, shuffle, seed).unwrap()
        }
        "make_blobs" => {
            let centers = match &params["centers"] {
                Value::Number(count) => Centers::Random {
                    count: count.as_u64().unwrap() as usize,
                    n_features: params
                        .get("n_features")
                        .and_then(Value::as_u64)
                        .unwrap_or(2) as usize,
                },
                coordinates => Centers::Fixed(matrix(coordinates)),
            };
            let std = params
                .get("cluster_std")
                .and_then(Value::as_f64)
                .unwrap_or(1.0);
            let center_box = params.get("center_box").map_or((-10.0, 10.0), |b| {
                (b[0].as_f64().unwrap(), b[1].as_f64().unwrap())
            });
            make_blobs(n, &centers, std, center_box, shuffle, seed).unwrap()
        }
        other => panic!("unknown generator {other}"),
    }
}

fn check_generator_cases(file: &str) -> usize {
    let cases = fixture(file)["cases"].as_array().unwrap().clone();
    for case in &cases {
        let what = format!("{file}: {} {}", case["generator"], case["params"]);
        let data = generate(case["generator"].as_str().unwrap(), &case["params"]);
        assert_bits_eq(&what, &data.features, &matrix(&case["X"]));
        assert_eq!(data.labels, labels(&case["y"]), "{what}: labels");
    }
    cases.len()
}

#[test]
fn generators_match_the_reference_cases_bit_for_bit() {
    assert_eq!(check_generator_cases("reference/datasets.json"), 8);
}

#[test]
fn generators_match_the_extra_scikit_learn_cases_bit_for_bit() {
    assert_eq!(check_generator_cases("extra_cases.json"), 39);
}

fn check_splits(file: &str) -> usize {
    let splits = fixture(file)["splits"].as_array().unwrap().clone();
    for case in &splits {
        let params = &case["params"];
        let what = format!("{file}: n={} {params}", case["n"]);
        let n = case["n"].as_u64().unwrap() as usize;
        let size = match &params["test_size"] {
            Value::Number(x) if x.is_u64() => TestSize::Count(x.as_u64().unwrap() as usize),
            Value::Number(x) => TestSize::Fraction(x.as_f64().unwrap()),
            other => panic!("test_size {other}"),
        };
        let shuffle = params
            .get("shuffle")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        let seed = params
            .get("random_state")
            .and_then(Value::as_u64)
            .unwrap_or(0) as u32;
        let split = train_test_split(n, size, shuffle, seed).unwrap();
        assert_eq!(split.train, labels(&case["train_indices"]), "{what}: train");
        assert_eq!(split.test, labels(&case["test_indices"]), "{what}: test");
    }
    splits.len()
}

#[test]
fn splits_match_the_reference_cases() {
    assert_eq!(check_splits("reference/split_scale.json"), 4);
}

#[test]
fn splits_match_the_extra_scikit_learn_cases() {
    assert!(check_splits("extra_cases.json") > 100);
}

fn check_scaler(what: &str, case: &Value) {
    let x = matrix(&case["X"]);
    let (scaler, scaled) = StandardScaler::fit_transform(&x).unwrap();
    assert_slice_bits_eq(
        &format!("{what}: mean"),
        scaler.mean.as_slice().unwrap(),
        &vector(&case["mean"]),
    );
    assert_slice_bits_eq(
        &format!("{what}: scale"),
        scaler.scale.as_slice().unwrap(),
        &vector(&case["scale"]),
    );
    assert_bits_eq(
        &format!("{what}: transform"),
        &scaled,
        &matrix(&case["transformed"]),
    );
    if let Some(var) = case.get("var") {
        assert_slice_bits_eq(
            &format!("{what}: var"),
            scaler.var.as_slice().unwrap(),
            &vector(var),
        );
    }
    if let Some(inverse) = case.get("inverse") {
        let back = scaler.inverse_transform(&scaled).unwrap();
        assert_bits_eq(
            &format!("{what}: inverse_transform"),
            &back,
            &matrix(inverse),
        );
    }
}

#[test]
fn scaler_matches_the_reference_case() {
    check_scaler(
        "split_scale.json",
        &fixture("reference/split_scale.json")["scaler"],
    );
}

#[test]
fn scaler_matches_the_extra_cases_including_one_feature_and_constant_features() {
    let extra = fixture("extra_cases.json");
    for (i, case) in extra["scalers"].as_array().unwrap().iter().enumerate() {
        check_scaler(&format!("extra scaler {i}"), case);
    }
}

/// The notebook's data cell, end to end: make_moons(1000, 0.125, 42), a 0.2 split with seed 42,
/// and the scaler fitted on the training rows (`notebook_20_epochs.json` of the reference).
#[test]
fn notebook_data_cell_matches_bit_for_bit() {
    let nb = fixture("reference/notebook_data.json");
    let data = make_moons(1000, Some(0.125), true, 42).unwrap();
    assert_bits_eq("X", &data.features, &matrix(&nb["X"]));
    assert_eq!(data.labels, labels(&nb["Y"]));

    let split = train_test_split(1000, TestSize::Fraction(0.2), true, 42).unwrap();
    let (train, test) = data.split(&split);
    assert_bits_eq("X_train", &train.features, &matrix(&nb["X_train"]));
    assert_bits_eq("X_test", &test.features, &matrix(&nb["X_test"]));
    assert_eq!(train.labels, labels(&nb["Y_train"]));
    assert_eq!(test.labels, labels(&nb["Y_test"]));

    let (scaler, train_scaled) = StandardScaler::fit_transform(&train.features).unwrap();
    let test_scaled = scaler.transform(&test.features).unwrap();
    assert_slice_bits_eq(
        "scaler mean",
        scaler.mean.as_slice().unwrap(),
        &vector(&nb["scaler_mean"]),
    );
    assert_slice_bits_eq(
        "scaler scale",
        scaler.scale.as_slice().unwrap(),
        &vector(&nb["scaler_scale"]),
    );
    assert_bits_eq(
        "X_train_scaled",
        &train_scaled,
        &matrix(&nb["X_train_scaled"]),
    );
    assert_bits_eq("X_test_scaled", &test_scaled, &matrix(&nb["X_test_scaled"]));
}
