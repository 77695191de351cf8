//! The CSV form of a [`Dataset`]: a header `x0,x1,...,label` and one row per sample.
//!
//! Floats are written in the shortest form that reads back to the same bits (`0.1`, `-1.25e-7`).
//! An optional `split` column (`train`/`test`) records a train/test split next to the rows.
//!
//! Reading accepts any header with a column named `label` (the one the network predicts; a file
//! without one is refused rather than guessed at), a column named `split` is read as the split,
//! and every other column is a feature.
//! Labels that are all whole numbers (`0`, `1`, `2`) are classes; if any label is another number
//! (`0.25`, `-3`, `1e-2`), every label is read as a real value: a regression's targets.
//! Problems are reported with the 1-based line number (the header is line 1).

use std::io::{Read, Write};

use ndarray::Array2;

use crate::{CsvProblem, DataError, Dataset, Split};

/// What a CSV file holds: the dataset, its feature column names, and a split if it had one.
#[derive(Clone, Debug, PartialEq)]
pub struct CsvDataset {
    pub dataset: Dataset,
    pub feature_names: Vec<String>,
    pub split: Option<Split>,
    /// Why whole-number labels could not be classes (a label past the row count), with its line:
    /// the rows are then read as a regression's, which is what they are only with
    /// `--task regression`; any other task reports this.
    pub not_classes: Option<(u64, CsvProblem)>,
}

/// Writes `data` as CSV; with `split`, adds a `split` column saying `train` or `test` per row.
pub fn write_csv<W: Write>(out: W, data: &Dataset, split: Option<&Split>) -> Result<(), DataError> {
    let mut tags: Vec<&str> = Vec::new();
    if let Some(split) = split {
        tags = vec![""; data.n_samples()];
        for &i in &split.train {
            tags[i] = "train";
        }
        for &i in &split.test {
            tags[i] = "test";
        }
    }
    let mut writer = csv::Writer::from_writer(out);
    let mut header: Vec<String> = (0..data.n_features()).map(|j| format!("x{j}")).collect();
    header.push("label".into());
    if split.is_some() {
        header.push("split".into());
    }
    writer.write_record(&header).map_err(io_error)?;
    let mut record = Vec::with_capacity(header.len());
    for (i, row) in data.features.rows().into_iter().enumerate() {
        record.clear();
        record.extend(row.iter().map(|v| format!("{v:?}")));
        record.push(match &data.values {
            Some(values) => format!("{:?}", values[i]),
            None => data.labels[i].to_string(),
        });
        if split.is_some() {
            record.push(tags[i].to_string());
        }
        writer.write_record(&record).map_err(io_error)?;
    }
    writer.flush().map_err(|e| DataError::Io(e.to_string()))
}

/// Reads a dataset written by [`write_csv`] or by hand (see the module docs for the rules).
pub fn read_csv<R: Read>(input: R) -> Result<CsvDataset, DataError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(input);
    let mut records = reader.records();
    let header = match records.next() {
        None => return Err(DataError::CsvEmpty),
        Some(record) => record.map_err(io_error)?,
    };
    let columns = Columns::from_header(&header)?;

    let mut values = Vec::new();
    let mut labels = Vec::new(); // as classes, while every label is a whole number
    let mut targets = Vec::new(); // as real values
    let mut split = Split {
        train: Vec::new(),
        test: Vec::new(),
    };
    let mut largest = (0, 0); // the largest class and its line
    for record in records {
        let record = record.map_err(io_error)?;
        let line = record.position().map_or(0, |p| p.line());
        let bad = |problem| DataError::Csv { line, problem };
        if record.len() != header.len() {
            return Err(bad(CsvProblem::ColumnCount {
                expected: header.len(),
                found: record.len(),
            }));
        }
        for (&j, name) in columns.features.iter().zip(&columns.feature_names) {
            let text = &record[j];
            let value: f64 = text.parse().map_err(|_| {
                bad(CsvProblem::NotANumber {
                    column: name.clone(),
                    value: text.to_string(),
                })
            })?;
            if !value.is_finite() {
                return Err(bad(CsvProblem::NotFinite {
                    column: name.clone(),
                    value: text.to_string(),
                }));
            }
            values.push(value);
        }
        let text = &record[columns.label];
        let target = match text.parse::<f64>() {
            Ok(value) if value.is_finite() => value,
            _ => return Err(bad(CsvProblem::BadLabel { value: text.into() })),
        };
        let class = text
            .parse::<usize>()
            .ok()
            .filter(|_| text.bytes().all(|b| b.is_ascii_digit()));
        if let Some(j) = columns.split {
            let row = targets.len();
            match &record[j] {
                "train" => split.train.push(row),
                "test" => split.test.push(row),
                other => {
                    return Err(bad(CsvProblem::BadSplit {
                        value: other.into(),
                    }))
                }
            }
        }
        if let (Some(class), true) = (class, labels.len() == targets.len()) {
            labels.push(class);
            if class >= largest.0 {
                largest = (class, line);
            }
        }
        targets.push(target);
    }
    if targets.is_empty() {
        return Err(DataError::CsvEmpty);
    }
    let features = Array2::from_shape_vec((targets.len(), columns.features.len()), values)
        .expect("one value per feature column was pushed per row");
    // Classes are 0..K-1, each with rows: a class past the row count cannot be one (and
    // counting classes up to it would take memory in proportion to the number).
    let (label, line) = largest;
    let not_classes = (labels.len() == targets.len() && label >= targets.len()).then(|| {
        let rows = targets.len();
        (line, CsvProblem::ClassPastRows { label, rows })
    });
    let dataset = if labels.len() == targets.len() && not_classes.is_none() {
        let first = labels[0];
        if labels.iter().all(|&label| label == first) {
            return Err(DataError::CsvOneClass { label: first });
        }
        Dataset::new(features, labels)?
    } else {
        Dataset::regression(features, targets)?
    };
    Ok(CsvDataset {
        dataset,
        feature_names: columns.feature_names,
        split: columns.split.map(|_| split),
        not_classes,
    })
}

/// Which column of the header holds what.
struct Columns {
    features: Vec<usize>,
    feature_names: Vec<String>,
    label: usize,
    split: Option<usize>,
}

impl Columns {
    fn from_header(header: &csv::StringRecord) -> Result<Columns, DataError> {
        let names: Vec<&str> = header.iter().collect();
        if names.iter().all(|name| name.parse::<f64>().is_ok()) {
            return Err(DataError::Csv {
                line: 1,
                problem: CsvProblem::NoHeader {
                    found: names.join(","),
                },
            });
        }
        let split = names.iter().position(|n| n.eq_ignore_ascii_case("split"));
        let Some(label) = names.iter().position(|n| n.eq_ignore_ascii_case("label")) else {
            return Err(DataError::Csv {
                line: 1,
                problem: CsvProblem::NoLabel {
                    found: names.join(","),
                },
            });
        };
        let features: Vec<usize> = (0..names.len())
            .filter(|&j| j != label && Some(j) != split)
            .collect();
        if features.is_empty() {
            return Err(DataError::Csv {
                line: 1,
                problem: CsvProblem::BadHeader {
                    found: names.join(","),
                },
            });
        }
        Ok(Columns {
            feature_names: features.iter().map(|&j| names[j].to_string()).collect(),
            features,
            label,
            split,
        })
    }
}

fn io_error(error: csv::Error) -> DataError {
    DataError::Io(error.to_string())
}
