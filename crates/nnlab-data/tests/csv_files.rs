//! The CSV form of a dataset: what is written, and how bad files are refused (with the line).

use nnlab_data::csv_io::{read_csv, write_csv};
use nnlab_data::{make_moons, train_test_split, CsvProblem, DataError, TestSize};

fn read(text: &str) -> Result<nnlab_data::csv_io::CsvDataset, DataError> {
    read_csv(text.as_bytes())
}

#[test]
fn writes_the_header_and_shortest_round_trip_floats() {
    // make_moons(3, noise=None, shuffle=False): outer t = linspace(0, π, 1) = [0] -> (1, 0);
    // inner t = linspace(0, π, 2) = [0, π] -> (0, 0.5) and (2, 1 - sin π - 0.5).
    let data = make_moons(3, None, false, 0).unwrap();
    let mut bytes = Vec::new();
    write_csv(&mut bytes, &data, None).unwrap();
    // 1 - sin(π) - 0.5 is 0.4999999999999999 in doubles; scikit-learn 1.9.1 prints
    // make_moons(3, shuffle=False)[0] = [[1.0, 0.0], [0.0, 0.5], [2.0, 0.4999999999999999]]
    assert_eq!(
        String::from_utf8(bytes).unwrap(),
        "x0,x1,label\n1.0,0.0,0\n0.0,0.5,1\n2.0,0.4999999999999999,1\n"
    );
}

#[test]
fn writes_and_reads_back_a_split_column() {
    let data = make_moons(10, Some(0.1), true, 3).unwrap();
    let split = train_test_split(10, TestSize::Count(3), true, 3).unwrap();
    let mut bytes = Vec::new();
    write_csv(&mut bytes, &data, Some(&split)).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.starts_with("x0,x1,label,split\n"));
    assert_eq!(text.matches(",test\n").count(), 3);
    let back = read(&text).unwrap();
    let mut want = split.clone();
    want.train.sort_unstable();
    want.test.sort_unstable();
    assert_eq!(back.split, Some(want));
    assert_eq!(back.dataset, data);
}

#[test]
fn reads_any_header_with_a_label_column() {
    let data = read("height, weight ,label\n1.5,60,0\n1.8, 80 ,1\n").unwrap();
    assert_eq!(data.feature_names, vec!["height", "weight"]);
    assert_eq!(data.dataset.labels, vec![0, 1]);
    assert_eq!(data.dataset.features[[1, 1]], 80.0);
    let data = read("label,a\n1,0.5\n0,-2e3\n").unwrap();
    assert_eq!(data.feature_names, vec!["a"]);
    assert_eq!(data.dataset.features[[1, 0]], -2000.0);
}

#[test]
fn a_file_without_a_label_column_is_refused() {
    // Taking the last column for the label trained on a feature without a word (issue 13).
    assert_eq!(
        problem_at("height,weight,class\n1.5,60,0\n"),
        (
            1,
            CsvProblem::NoLabel {
                found: "height,weight,class".into()
            }
        )
    );
}

fn problem_at(text: &str) -> (u64, CsvProblem) {
    match read(text) {
        Err(DataError::Csv { line, problem }) => (line, problem),
        other => panic!("expected a CSV problem, got {other:?}"),
    }
}

#[test]
fn a_row_with_the_wrong_number_of_columns_names_its_line() {
    let (line, problem) = problem_at("x0,x1,label\n1,2,0\n3,1\n");
    assert_eq!(line, 3);
    assert_eq!(
        problem,
        CsvProblem::ColumnCount {
            expected: 3,
            found: 2
        }
    );
}

#[test]
fn a_value_that_is_not_a_number_names_line_and_column() {
    let (line, problem) = problem_at("x0,x1,label\n1,2,0\n3,abc,1\n");
    assert_eq!(line, 3);
    assert_eq!(
        problem,
        CsvProblem::NotANumber {
            column: "x1".into(),
            value: "abc".into()
        }
    );
    let message = DataError::Csv { line, problem }.to_string();
    assert_eq!(
        message,
        "line 3: column x1 is \"abc\", which is not a number"
    );
}

#[test]
fn nan_and_infinity_are_refused() {
    for bad in ["NaN", "inf", "-infinity"] {
        let (line, problem) = problem_at(&format!("x0,label\n1,0\n{bad},1\n"));
        assert_eq!(line, 3);
        assert_eq!(
            problem,
            CsvProblem::NotFinite {
                column: "x0".into(),
                value: bad.into()
            }
        );
    }
}

#[test]
fn labels_must_be_finite_numbers() {
    for bad in ["one", "", "0x1", "nan", "inf"] {
        let (line, problem) = problem_at(&format!("x0,label\n1,0\n2,{bad}\n"));
        assert_eq!(
            (line, problem),
            (3, CsvProblem::BadLabel { value: bad.into() })
        );
    }
}

/// Whole numbers 0, 1, 2, ... are classes; any other number (`-1`, `1.0`, `0.25`) makes every
/// label a real value: a regression's targets (issue 11).
#[test]
fn labels_that_are_not_all_class_indices_are_a_regressions_values() {
    let classes = read("x0,label\n1,0\n2,1\n3,2\n").unwrap().dataset;
    assert_eq!((classes.labels, classes.values), (vec![0, 1, 2], None));
    for (other, value) in [("-1", -1.0), ("1.0", 1.0), ("0.25", 0.25), ("-3e-2", -0.03)] {
        let data = read(&format!("x0,label\n1,0\n2,{other}\n3,1\n"))
            .unwrap()
            .dataset;
        assert!(data.labels.is_empty(), "{other}");
        assert_eq!(data.values, Some(vec![0.0, value, 1.0]), "{other}");
        assert_eq!(data.targets(), vec![0.0, value, 1.0]);
    }
    // and they are written back as values, to the same bits
    let data = read("x0,label\n1,0.1\n2,-7.25\n").unwrap().dataset;
    let mut bytes = Vec::new();
    nnlab_data::csv_io::write_csv(&mut bytes, &data, None).unwrap();
    assert_eq!(
        String::from_utf8(bytes).unwrap(),
        "x0,label\n1.0,0.1\n2.0,-7.25\n"
    );
}

#[test]
fn empty_files_and_header_only_files_are_refused() {
    assert_eq!(read("").unwrap_err(), DataError::CsvEmpty);
    assert_eq!(read("x0,x1,label\n").unwrap_err(), DataError::CsvEmpty);
}

#[test]
fn a_file_with_one_class_is_refused() {
    assert_eq!(
        read("x0,label\n1,1\n2,1\n").unwrap_err(),
        DataError::CsvOneClass { label: 1 }
    );
}

#[test]
fn a_header_without_features_is_refused() {
    let (line, _) = problem_at("label\n1\n");
    assert_eq!(line, 1);
}

#[test]
fn a_bad_split_value_is_refused() {
    let (line, problem) = problem_at("x0,label,split\n1,0,train\n2,1,validation\n");
    assert_eq!(
        (line, problem),
        (
            3,
            CsvProblem::BadSplit {
                value: "validation".into()
            }
        )
    );
}

// Issue 13: a file without a header lost its first row, which became the header.
#[test]
fn a_file_without_a_header_is_refused_not_shortened() {
    let (line, problem) = problem_at("0.5,1.25,1\n0.1,0.2,0\n");
    assert_eq!(line, 1);
    assert_eq!(
        problem,
        CsvProblem::NoHeader {
            found: "0.5,1.25,1".into()
        }
    );
    // a header with a numeric name beside real names is still a header
    let numeric_name = read("x0,2,label\n0.5,1.0,1\n0.25,2.0,0\n");
    assert!(numeric_name.is_ok(), "{numeric_name:?}");
}

// Issue 13, found by fuzzing (fuzz/, FUZZING.md): a class label past the row count made the run
// count classes up to it — 9007199254740993 asked for 72 PB and aborted the process (the
// playground's server too, from one upload); 18446744073709551615 overflowed. Such labels are not
// classes: the rows are read as a regression's, and the reason is kept, with its line, for any
// other task to report.
#[test]
fn a_class_label_past_the_row_count_is_not_counted_up_to() {
    for huge in ["9007199254740993", "18446744073709551615", "3"] {
        let file = read(&format!("x0,label\n0.5,0\n0.1,{huge}\n0.2,1\n")).unwrap();
        assert!(file.dataset.is_regression() && file.dataset.labels.is_empty());
        let (line, problem) = file
            .not_classes
            .expect("the reason the labels are not classes");
        assert_eq!(line, 3);
        assert_eq!(
            problem,
            CsvProblem::ClassPastRows {
                label: huge.parse().unwrap(),
                rows: 3
            }
        );
    }
    let (_, problem) = read("x0,label\n0.5,0\n0.1,1000\n")
        .unwrap()
        .not_classes
        .unwrap();
    assert!(problem.to_string().contains("1000.0"), "{problem}");
    let regression = read("x0,label\n0.5,0\n0.1,1000.0\n").unwrap();
    assert_eq!(regression.dataset.values, Some(vec![0.0, 1000.0]));
    assert_eq!(regression.not_classes, None);
    // the largest class decides, wherever it is
    let file = read("x0,label\n0,7\n1,0\n2,1\n").unwrap();
    assert_eq!(file.not_classes.map(|(line, _)| line), Some(2));
    let classes = read("x0,label\n0,2\n1,0\n2,1\n").unwrap();
    assert_eq!(
        (classes.dataset.labels, classes.not_classes),
        (vec![2, 0, 1], None)
    );
}
