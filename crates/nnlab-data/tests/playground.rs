//! TensorFlow Playground's datasets and input features: bit-for-bit parity with the numpy
//! transcriptions in the docs (`fixtures/playground.json`, written by `fixtures/make_playground.py`),
//! and property tests: right sizes, labels and ranges, finite values, clear errors, no panics.

use std::path::Path;

use ndarray::Array2;
use nnlab_data::inputs::apply;
use nnlab_data::{
    make_gauss, make_multi_gauss, make_plane, make_spiral, make_xor, parse_inputs, DataError,
    Dataset, RegressionData, MAX_PLAYGROUND_NOISE, MAX_SAMPLES,
};
use nnlab_fixtures::{fixture, fixtures_dir, labels, matrix, numbers};
use proptest::prelude::*;
use serde_json::Value;

fn assert_bits_eq(what: &str, got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert_eq!(
            g.to_bits(),
            w.to_bits(),
            "{what}: at {i} got {g:?}, want {w:?}"
        );
    }
}

fn flat(x: &Array2<f64>) -> Vec<f64> {
    x.iter().copied().collect()
}

enum Made {
    Classes(Dataset),
    Targets(RegressionData),
}

fn generate(generator: &str, p: &Value) -> Result<Made, DataError> {
    let n = p["n_samples"].as_u64().unwrap() as usize;
    let noise = p["noise"].as_f64().unwrap();
    let shuffle = p["shuffle"].as_bool().unwrap();
    let seed = p["seed"].as_u64().unwrap() as u32;
    Ok(match generator {
        "make_xor" => Made::Classes(make_xor(n, noise, shuffle, seed)?),
        "make_gauss" => Made::Classes(make_gauss(n, noise, shuffle, seed)?),
        "make_spiral" => {
            let classes = p["classes"].as_u64().unwrap() as usize;
            Made::Classes(make_spiral(n, noise, classes, shuffle, seed)?)
        }
        "make_plane" => Made::Targets(make_plane(n, noise, shuffle, seed)?),
        "make_multi_gauss" => Made::Targets(make_multi_gauss(n, noise, shuffle, seed)?),
        other => panic!("unknown generator {other}"),
    })
}

#[test]
fn generators_match_numpy_bit_for_bit() {
    let reference = fixture("playground.json");
    let cases = reference["cases"].as_array().unwrap();
    for case in cases {
        let what = format!("{} {}", case["generator"], case["params"]);
        let want_x = matrix(&case["X"]);
        match generate(case["generator"].as_str().unwrap(), &case["params"]).unwrap() {
            Made::Classes(data) => {
                assert_eq!(data.features.dim(), want_x.dim(), "{what}: shape");
                assert_bits_eq(&what, &flat(&data.features), &flat(&want_x));
                assert_eq!(data.labels, labels(&case["y"]), "{what}: labels");
            }
            Made::Targets(data) => {
                assert_eq!(data.features.dim(), want_x.dim(), "{what}: shape");
                assert_bits_eq(&what, &flat(&data.features), &flat(&want_x));
                assert_bits_eq(
                    &format!("{what}: targets"),
                    &data.targets,
                    &numbers(&case["y"]),
                );
            }
        }
    }
    assert_eq!(cases.len(), 22);
}

#[test]
fn input_features_match_numpy_bit_for_bit() {
    let reference = fixture("playground.json");
    let case = &reference["inputs"];
    let features = parse_inputs(case["features"].as_str().unwrap()).unwrap();
    let got = apply(&features, &matrix(&case["X"])).unwrap();
    let want = matrix(&case["values"]);
    assert_eq!(got.dim(), want.dim());
    assert_bits_eq("inputs", &flat(&got), &flat(&want));
}

/// The ```python blocks of a source file's docs, without their `//! ` / `/// ` prefixes.
fn python_blocks(source: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in source.lines() {
        let Some(doc) = line
            .strip_prefix("//!")
            .or_else(|| line.strip_prefix("///"))
        else {
            continue;
        };
        let doc = doc.strip_prefix(' ').unwrap_or(doc);
        match (&mut current, doc) {
            (None, "```python") => current = Some(Vec::new()),
            (Some(lines), "```") => {
                blocks.push(lines.join("\n"));
                current = None;
            }
            (Some(lines), text) => lines.push(text),
            (None, _) => {}
        }
    }
    blocks
}

#[test]
fn the_fixture_script_runs_the_docs_numpy_code_verbatim() {
    let script = std::fs::read_to_string(fixtures_dir().join("make_playground.py")).unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut count = 0;
    for file in ["playground.rs", "playground/regression.rs"] {
        let source = std::fs::read_to_string(src.join(file)).unwrap();
        for block in python_blocks(&source) {
            assert!(
                script.contains(&block),
                "{file}: not in the script:\n{block}"
            );
            count += 1;
        }
    }
    assert_eq!(count, 6, "the helpers and five generators");
}

#[test]
fn bad_parameters_are_named() {
    let message = |e: DataError| e.to_string();
    assert!(message(make_xor(10, -0.1, true, 0).unwrap_err()).contains("noise = -0.1"));
    assert!(message(make_gauss(10, f64::NAN, true, 0).unwrap_err()).contains("noise = NaN"));
    assert!(make_plane(10, f64::INFINITY, true, 0).is_err());
    assert!(make_plane(10, MAX_PLAYGROUND_NOISE, true, 0).is_ok());
    assert!(message(make_gauss(1, 0.0, true, 0).unwrap_err()).contains("samples = 1"));
    let spiral = message(make_spiral(4, 0.0, 5, true, 0).unwrap_err());
    assert!(
        spiral.contains("samples = 4") && spiral.contains("at least 5"),
        "{spiral}"
    );
    assert!(message(make_spiral(4, 0.0, 1, true, 0).unwrap_err()).contains("classes = 1"));
    assert!(make_multi_gauss(0, 0.0, true, 0).is_err());
    assert!(make_xor(MAX_SAMPLES / 2 + 1, 0.0, true, 0).is_err());
}

#[test]
fn two_arm_spiral_starts_at_the_origin_with_the_playgrounds_positive_arm() {
    let data = make_spiral(6, 0.0, 2, false, 0).unwrap();
    assert_eq!(data.labels, vec![1, 1, 1, 0, 0, 0]);
    assert_eq!(data.features.row(0).to_vec(), vec![0.0, 0.0]);
    // arm 1 (label 0) is arm 0 turned by π: i = 1 has r = 5/3, t = 1.75·2π/3 (+ π)
    let (a, b) = (data.features.row(1), data.features.row(4));
    assert!((a[0] + b[0]).abs() < 1e-12 && (a[1] + b[1]).abs() < 1e-12);
    assert!((a[0].hypot(a[1]) - 5.0 / 3.0).abs() < 1e-12);
}

fn rows_with_labels(data: &Dataset) -> Vec<(u64, u64, usize)> {
    let mut rows: Vec<_> = data
        .features
        .rows()
        .into_iter()
        .zip(&data.labels)
        .map(|(r, &y)| (r[0].to_bits(), r[1].to_bits(), y))
        .collect();
    rows.sort_unstable();
    rows
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]

    #[test]
    fn classification_sizes_labels_and_counts(
        // n from 6: the spiral needs a point per arm, and `classes` goes up to 6 (with n = 5
        // and 6 arms it is refused, rightly: a case this test drew 1 run in a few hundred)
        n in 6usize..800, noise in 0.0..2.0f64, classes in 2usize..7, shuffle: bool, seed: u32,
    ) {
        let xor = make_xor(n, noise, shuffle, seed).unwrap();
        let gauss = make_gauss(n, noise, shuffle, seed).unwrap();
        let spiral = make_spiral(n, noise, classes, shuffle, seed).unwrap();
        for data in [&xor, &gauss, &spiral] {
            prop_assert_eq!(data.features.dim(), (n, 2));
            prop_assert_eq!(data.labels.len(), n);
            prop_assert!(data.features.iter().all(|v| v.is_finite()));
        }
        prop_assert!(xor.labels.iter().all(|&y| y <= 1));
        prop_assert_eq!(gauss.class_counts(), vec![n / 2, n - n / 2]);
        // label c is arm K−1−c: the first n % K arms, so the highest labels, have one more point
        let want: Vec<usize> =
            (0..classes).map(|c| n / classes + usize::from(classes - 1 - c < n % classes)).collect();
        prop_assert_eq!(spiral.class_counts(), want);
    }

    #[test]
    fn shuffling_only_permutes_the_rows(
        n in 4usize..400, noise in 0.0..1.0f64, classes in 2usize..5, seed: u32,
    ) {
        let pairs = [
            (make_xor(n, noise, true, seed), make_xor(n, noise, false, seed)),
            (make_gauss(n, noise, true, seed), make_gauss(n, noise, false, seed)),
            (make_spiral(n, noise, classes, true, seed), make_spiral(n, noise, classes, false, seed)),
        ];
        for (shuffled, plain) in pairs {
            prop_assert_eq!(rows_with_labels(&shuffled.unwrap()), rows_with_labels(&plain.unwrap()));
        }
    }

    #[test]
    fn noiseless_shapes_follow_the_playgrounds_rules(n in 1usize..500, classes in 2usize..6, seed: u32) {
        let xor = make_xor(n, 0.0, true, seed).unwrap();
        for (row, &y) in xor.features.rows().into_iter().zip(&xor.labels) {
            prop_assert!(row.iter().all(|v| (0.3..=5.3).contains(&v.abs())));
            prop_assert_eq!(y, usize::from(row[0] * row[1] >= 0.0));
        }
        if n >= classes {
            let spiral = make_spiral(n, 0.0, classes, true, seed).unwrap();
            prop_assert!(spiral.features.rows().into_iter().all(|r| r[0].hypot(r[1]) < 5.0 + 1e-9));
        }
    }

    #[test]
    fn regression_sizes_and_target_ranges(n in 1usize..800, noise in 0.0..3.0f64, shuffle: bool, seed: u32) {
        let plane = make_plane(n, noise, shuffle, seed).unwrap();
        let bumps = make_multi_gauss(n, noise, shuffle, seed).unwrap();
        for data in [&plane, &bumps] {
            prop_assert_eq!(data.features.dim(), (n, 2));
            prop_assert_eq!(data.n_samples(), n);
            prop_assert!(data.features.iter().all(|v| (-6.0..6.0).contains(v)));
            prop_assert!(data.targets.iter().all(|t| t.is_finite()));
        }
        prop_assert!(bumps.targets.iter().all(|t| (-1.0..=1.0).contains(t)));
        prop_assert!(plane.targets.iter().all(|t| t.abs() <= 1.2 * (1.0 + noise) + 1e-12));
    }

    #[test]
    fn generators_never_panic_and_reject_exactly_the_invalid_parameters(
        n in prop_oneof![0usize..40, Just(MAX_SAMPLES / 2), Just(MAX_SAMPLES / 2 + 1), Just(usize::MAX)],
        noise in prop_oneof![prop::num::f64::ANY, 0.0..1.0f64, Just(MAX_PLAYGROUND_NOISE)],
        classes in prop_oneof![0usize..8, Just(usize::MAX)],
        seed: u32,
    ) {
        let small = n <= 40; // keep the valid runs short
        let good_noise = (0.0..=MAX_PLAYGROUND_NOISE).contains(&noise);
        let good_n = |min: usize| n >= min && n <= MAX_SAMPLES / 2;
        if small || !good_noise || !good_n(1) {
            prop_assert_eq!(make_xor(n, noise, true, seed).is_ok(), good_n(1) && good_noise);
            prop_assert_eq!(make_gauss(n, noise, true, seed).is_ok(), good_n(2) && good_noise);
            prop_assert_eq!(make_plane(n, noise, true, seed).is_ok(), good_n(1) && good_noise);
            prop_assert_eq!(make_multi_gauss(n, noise, true, seed).is_ok(), good_n(1) && good_noise);
            let spiral = make_spiral(n, noise, classes, true, seed);
            prop_assert_eq!(spiral.is_ok(), classes >= 2 && good_n(classes) && good_noise);
            if let Ok(data) = spiral {
                prop_assert!(data.features.iter().all(|v| v.is_finite()));
            }
        }
    }
}
