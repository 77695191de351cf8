//! Property tests: for any parameters the generators, the split and the CSV reader either give a
//! well-formed result or a clear error, and never panic.

use ndarray::Array2;
use nnlab_data::csv_io::{read_csv, write_csv};
use nnlab_data::{
    make_blobs, make_circles, make_moons, train_test_split, Centers, Dataset, StandardScaler,
    TestSize, MAX_SAMPLES,
};
use proptest::prelude::*;

fn any_noise() -> impl Strategy<Value = Option<f64>> {
    prop_oneof![Just(None), (0.0..5.0f64).prop_map(Some)]
}

fn all_finite(data: &Dataset) -> bool {
    data.features.iter().all(|v| v.is_finite())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn moons_have_n_rows_and_balanced_labels(
        n in 1usize..3000, noise in any_noise(), shuffle: bool, seed: u32,
    ) {
        let data = make_moons(n, noise, shuffle, seed).unwrap();
        prop_assert_eq!(data.features.dim(), (n, 2));
        // scikit-learn: n_out = n // 2 rows of class 0, the rest class 1
        let ones = data.labels.iter().filter(|&&y| y == 1).count();
        prop_assert_eq!(n - ones, n / 2);
        prop_assert!(data.labels.iter().all(|&y| y <= 1));
        prop_assert!(all_finite(&data));
    }

    #[test]
    fn circles_have_n_rows_balanced_labels_and_the_right_radii(
        n in 1usize..3000, factor in 0.0..1.0f64, shuffle: bool, seed: u32,
    ) {
        let data = make_circles(n, None, factor, shuffle, seed).unwrap();
        prop_assert_eq!(data.features.dim(), (n, 2));
        prop_assert_eq!(data.labels.iter().filter(|&&y| y == 0).count(), n / 2);
        for (row, &label) in data.features.rows().into_iter().zip(&data.labels) {
            let radius = row[0].hypot(row[1]);
            let want = if label == 0 { 1.0 } else { factor };
            prop_assert!((radius - want).abs() < 1e-12);
        }
    }

    #[test]
    fn class_counts_are_the_rows_of_each_label(
        labels in (1usize..13).prop_flat_map(|k| prop::collection::vec(0..k, 0..3000)),
    ) {
        // Both ways of counting: per-class passes up to 8 classes, the histogram above.
        let n = labels.len();
        let data = Dataset::new(Array2::zeros((n, 1)), labels.clone()).unwrap();
        let classes = labels.iter().max().map_or(0, |&max| max + 1);
        let want: Vec<usize> = (0..classes)
            .map(|k| labels.iter().filter(|&&label| label == k).count())
            .collect();
        prop_assert_eq!(data.class_counts(), want);
    }

    #[test]
    fn blobs_split_rows_evenly_over_centers(
        n in 1usize..2000, k in 1usize..8, d in 1usize..5, std in 0.0..3.0f64, shuffle: bool, seed: u32,
    ) {
        let centers = Centers::Random { count: k, n_features: d };
        let data = make_blobs(n, &centers, std, (-10.0, 10.0), shuffle, seed).unwrap();
        prop_assert_eq!(data.features.dim(), (n, d));
        let mut counts = data.class_counts();
        counts.resize(k, 0);
        for (center, &count) in counts.iter().enumerate() {
            prop_assert_eq!(count, n / k + usize::from(center < n % k));
        }
        prop_assert!(all_finite(&data));
    }

    #[test]
    fn generators_never_panic_on_any_parameters(
        n in prop_oneof![0usize..50, Just(MAX_SAMPLES + 1), Just(usize::MAX)],
        noise in prop::option::of(prop::num::f64::ANY),
        factor in prop::num::f64::ANY,
        std in prop::num::f64::ANY,
        low in prop::num::f64::ANY,
        high in prop::num::f64::ANY,
        k in prop_oneof![0usize..4, Just(usize::MAX)],
        d in prop_oneof![0usize..4, Just(usize::MAX)],
        seed: u32,
    ) {
        let valid_noise = noise.is_none_or(|s| s >= 0.0 && s.is_finite());
        let valid_n = (1..=MAX_SAMPLES / 2).contains(&n);
        prop_assert_eq!(make_moons(n, noise, true, seed).is_ok(), valid_n && valid_noise);
        let circles = make_circles(n, noise, factor, true, seed);
        prop_assert_eq!(circles.is_ok(), valid_n && valid_noise && (0.0..1.0).contains(&factor));
        let blobs = make_blobs(n, &Centers::Random { count: k, n_features: d }, std, (low, high), true, seed);
        if let Ok(data) = blobs {
            prop_assert_eq!(data.n_samples(), n);
        }
    }

    #[test]
    fn splits_partition_the_rows(n in 1usize..5000, share in -0.5..1.5f64, shuffle: bool, seed: u32) {
        match train_test_split(n, TestSize::Fraction(share), shuffle, seed) {
            Ok(split) => {
                prop_assert_eq!(split.test.len(), (share * n as f64).ceil() as usize);
                let mut all: Vec<usize> = split.train.iter().chain(&split.test).copied().collect();
                all.sort_unstable();
                prop_assert_eq!(all, (0..n).collect::<Vec<_>>());
                prop_assert!(!split.train.is_empty() && !split.test.is_empty());
            }
            Err(_) => prop_assert!(share <= 0.0 || share >= 1.0 || (share * n as f64).ceil() as usize >= n),
        }
    }

    #[test]
    fn scaled_training_data_has_zero_mean_and_unit_std(n in 2usize..500, seed: u32) {
        let data = make_blobs(n, &Centers::Random { count: 2, n_features: 3 }, 1.5, (-10.0, 10.0), true, seed).unwrap();
        let (scaler, scaled) = StandardScaler::fit_transform(&data.features).unwrap();
        for column in scaled.columns() {
            let mean = column.mean().unwrap();
            let std = column.std(0.0);
            prop_assert!(mean.abs() < 1e-9, "mean {}", mean);
            prop_assert!((std - 1.0).abs() < 1e-9 || std == 0.0, "std {}", std);
        }
        let back = scaler.inverse_transform(&scaled).unwrap();
        for (a, b) in back.iter().zip(data.features.iter()) {
            prop_assert!((a - b).abs() <= 1e-12 * (1.0 + b.abs()));
        }
        // in place, row-major or not: the same values to the bit
        for mut x in [data.features.clone(), data.features.t().to_owned().reversed_axes()] {
            scaler.transform_in_place(&mut x).unwrap();
            prop_assert_eq!(x.mapv(f64::to_bits), scaled.mapv(f64::to_bits));
        }
    }

    #[test]
    fn csv_round_trips_every_double_exactly(
        values in prop::collection::vec(prop::num::f64::NORMAL | prop::num::f64::SUBNORMAL | prop::num::f64::ZERO, 2..60),
        d in 1usize..4,
    ) {
        let rows = values.len() / d;
        prop_assume!(rows >= 2);
        let features = Array2::from_shape_vec((rows, d), values[..rows * d].to_vec()).unwrap();
        let labels: Vec<usize> = (0..rows).map(|i| i % 3).collect();
        let data = Dataset::new(features, labels).unwrap();
        let mut bytes = Vec::new();
        write_csv(&mut bytes, &data, None).unwrap();
        let back = read_csv(bytes.as_slice()).unwrap().dataset;
        prop_assert_eq!(back.labels, data.labels);
        for (a, b) in back.features.iter().zip(data.features.iter()) {
            prop_assert_eq!(a.to_bits(), b.to_bits());
        }
    }

    #[test]
    fn csv_reader_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = read_csv(bytes.as_slice());
    }

    #[test]
    fn csv_reader_never_panics_on_near_valid_text(text in "[x0-9,.\\-e\nlabeltsplitrain ]{0,200}") {
        let _ = read_csv(text.as_bytes());
    }
}
