//! Bit-for-bit parity with scikit-learn on larger datasets (20,000 to 1,000,000 rows): the sizes at
//! which the bulk generator paths and the multi-threaded loops run (parity.rs covers up to 1,000
//! rows). Too many values for a JSON fixture, so `tests/large_cases.json` holds the SHA-256 of every
//! array of the pipeline, written by `python3 bench/data_peers.py --fixture` (numpy 2.4.6,
//! scikit-learn 1.9.1): `make_X(**params)`, `train_test_split(X, y, test_size, random_state)`,
//! `StandardScaler().fit_transform(X_train)` and `.transform(X_test)`.
//!
//! The hashes cover the bytes numpy holds: float64 little-endian for X and the scaler's arrays,
//! int64 little-endian for y. Equal hashes mean the very same doubles, to the bit.

use ndarray::Array2;
use nnlab_data::{
    make_blobs, make_circles, make_moons, train_test_split, Centers, Dataset, StandardScaler,
    TestSize,
};
use serde_json::Value;
use sha2::{Digest, Sha256};

fn hash_f64<'a>(values: impl IntoIterator<Item = &'a f64>) -> String {
    let mut hasher = Sha256::new();
    for value in values {
        hasher.update(value.to_le_bytes());
    }
    hex(&hasher.finalize())
}

fn hash_labels(labels: &[usize]) -> String {
    let mut hasher = Sha256::new();
    for &label in labels {
        hasher.update((label as i64).to_le_bytes());
    }
    hex(&hasher.finalize())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The features' values in C order (what numpy's `tobytes` gives), whatever the layout.
fn c_order(x: &Array2<f64>) -> impl Iterator<Item = &f64> {
    x.rows().into_iter().flat_map(|row| row.into_iter())
}

fn generate(generator: &str, params: &Value) -> Dataset {
    let n = params["n_samples"].as_u64().unwrap() as usize;
    let noise = params.get("noise").and_then(Value::as_f64);
    let shuffle = params
        .get("shuffle")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let seed = params["random_state"].as_u64().unwrap() as u32;
    match generator {
        "make_moons" => make_moons(n, noise, shuffle, seed).unwrap(),
        "make_circles" => {
            let factor = params["factor"].as_f64().unwrap();
            make_circles(n, noise, factor, shuffle, seed).unwrap()
        }
        "make_blobs" => {
            let centers = Centers::Random {
                count: params["centers"].as_u64().unwrap() as usize,
                n_features: params["n_features"].as_u64().unwrap() as usize,
            };
            let std = params["cluster_std"].as_f64().unwrap();
            make_blobs(n, &centers, std, (-10.0, 10.0), shuffle, seed).unwrap()
        }
        other => panic!("unknown generator {other}"),
    }
}

fn check_all_cases() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/large_cases.json");
    let text = std::fs::read_to_string(path).expect("tests/large_cases.json");
    let document: Value = serde_json::from_str(&text).unwrap();
    let cases = document["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 9);
    for case in cases {
        let generator = case["generator"].as_str().unwrap();
        let what = format!("{generator} {}", case["params"]);
        let want = |key: &str| case["sha256"][key].as_str().unwrap().to_string();

        let data = generate(generator, &case["params"]);
        let n = data.n_samples();
        let test_size = TestSize::Fraction(case["test_size"].as_f64().unwrap());
        let split_seed = case["split_seed"].as_u64().unwrap() as u32;
        let split = train_test_split(n, test_size, true, split_seed).unwrap();
        let (train, test) = data.split(&split);
        let (scaler, train_scaled) = StandardScaler::fit_transform(&train.features).unwrap();
        let test_scaled = scaler.transform(&test.features).unwrap();

        let got = [
            ("X", hash_f64(c_order(&data.features))),
            ("y", hash_labels(&data.labels)),
            ("X_train", hash_f64(c_order(&train.features))),
            ("X_test", hash_f64(c_order(&test.features))),
            ("y_train", hash_labels(&train.labels)),
            ("y_test", hash_labels(&test.labels)),
            ("mean", hash_f64(&scaler.mean)),
            ("var", hash_f64(&scaler.var)),
            ("scale", hash_f64(&scaler.scale)),
            ("X_train_scaled", hash_f64(c_order(&train_scaled))),
            ("X_test_scaled", hash_f64(c_order(&test_scaled))),
        ];
        for (key, hash) in got {
            assert_eq!(hash, want(key), "{what}: {key} differs from scikit-learn's");
        }
    }
}

#[test]
fn large_pipelines_match_scikit_learn_bit_for_bit() {
    check_all_cases();
}

/// The parallel loops split work differently with another number of threads; the bits must not
/// change (each output element is computed from its own inputs, and sums are never split).
#[test]
fn large_pipelines_give_the_same_bits_on_one_and_on_three_threads() {
    for threads in [1, 3] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(check_all_cases);
    }
}
