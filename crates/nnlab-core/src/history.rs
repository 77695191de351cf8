//! What training records each epoch, and its CSV form `history.csv`.
//!
//! Columns, one row per epoch, floats in the shortest form that reads back to the same double:
//!
//! ```text
//! classification:  epoch,loss,train_accuracy,test_accuracy,w1_norm,w2_norm[,w3_norm...]
//! regression:      epoch,loss,test_loss,w1_norm,w2_norm[,w3_norm...]        (mean squared errors)
//! ```

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use crate::CoreError;

/// One epoch's measurements (the notebook's `learning_history` entries).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    /// 0-based epoch number.
    pub epoch: usize,
    /// The loss of the epoch's forward passes, each before its update (Σ_b loss_b·|b| / n).
    pub loss: f64,
    /// Accuracy on the training rows (a classification).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub train_accuracy: Option<f64>,
    /// Accuracy on the test rows after the epoch (a classification).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_accuracy: Option<f64>,
    /// The loss on the test rows after the epoch (a regression).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_loss: Option<f64>,
    /// ‖W_l‖ of every layer after the epoch, input side first.
    pub weight_norms: Vec<f64>,
}

impl EpochRecord {
    /// Whether the loss and every weight norm are finite numbers (false: the run diverged).
    pub fn is_finite(&self) -> bool {
        self.loss.is_finite() && self.weight_norms.iter().all(|n| n.is_finite())
    }
}

/// Every epoch's record, in order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    pub records: Vec<EpochRecord>,
}

/// The metric columns between `loss` and the norms.
fn metric_columns(regression: bool) -> &'static [&'static str] {
    if regression {
        &["test_loss"]
    } else {
        &["train_accuracy", "test_accuracy"]
    }
}

impl History {
    /// The last epoch's record, if any epoch ran.
    pub fn last(&self) -> Option<&EpochRecord> {
        self.records.last()
    }

    /// The loss of every epoch, in order.
    pub fn losses(&self) -> Vec<f64> {
        self.records.iter().map(|r| r.loss).collect()
    }

    /// Whether the records are a regression's (a test loss, no accuracies).
    pub fn is_regression(&self) -> bool {
        self.records.first().is_some_and(|r| r.test_loss.is_some())
    }

    /// `history.csv` as text (see the module docs).
    pub fn to_csv(&self) -> String {
        let layers = self.records.first().map_or(0, |r| r.weight_norms.len());
        let regression = self.is_regression();
        let mut text = String::from("epoch,loss");
        for column in metric_columns(regression) {
            write!(text, ",{column}").expect("writing to a String cannot fail");
        }
        for l in 1..=layers {
            write!(text, ",w{l}_norm").expect("writing to a String cannot fail");
        }
        text.push('\n');
        for r in &self.records {
            write!(text, "{},{:?}", r.epoch, r.loss).expect("writing to a String cannot fail");
            let metrics = if regression {
                vec![r.test_loss]
            } else {
                vec![r.train_accuracy, r.test_accuracy]
            };
            for value in metrics {
                write!(text, ",{:?}", value.unwrap_or(f64::NAN))
                    .expect("writing to a String cannot fail");
            }
            for norm in &r.weight_norms {
                write!(text, ",{norm:?}").expect("writing to a String cannot fail");
            }
            text.push('\n');
        }
        text
    }

    /// Reads `history.csv` back (as written by [`to_csv`](Self::to_csv)).
    pub fn from_csv(text: &str) -> Result<History, CoreError> {
        let bad = |line: usize, problem: String| CoreError::HistoryFile { line, problem };
        let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
        let Some((_, header)) = lines.next() else {
            return Err(bad(1, "the file is empty".into()));
        };
        let columns: Vec<&str> = header.split(',').collect();
        let regression = columns.get(2) == Some(&"test_loss");
        let metrics = metric_columns(regression);
        let layers = columns.len().saturating_sub(2 + metrics.len());
        let mut expected = vec!["epoch", "loss"];
        expected.extend(metrics);
        let norms: Vec<String> = (1..=layers).map(|l| format!("w{l}_norm")).collect();
        expected.extend(norms.iter().map(String::as_str));
        // A run that stopped before its first epoch (diverged at epoch 0) has no rows and, with
        // no norms to count, no norm columns: its header alone is an empty history.
        if layers == 0 && columns == expected {
            if let Some((number, _)) = lines.find(|(_, line)| !line.trim().is_empty()) {
                return Err(bad(
                    number,
                    "a row below a header with no weight-norm columns".into(),
                ));
            }
            return Ok(History::default());
        }
        if layers == 0 || columns != expected {
            return Err(bad(
                1,
                format!("expected the header {}, found {header}", expected.join(",")),
            ));
        }
        let mut records = Vec::new();
        for (number, line) in lines {
            if line.trim().is_empty() {
                continue;
            }
            let values: Vec<&str> = line.split(',').collect();
            if values.len() != columns.len() {
                return Err(bad(
                    number,
                    format!("expected {} values, found {}", columns.len(), values.len()),
                ));
            }
            let float = |j: usize| {
                values[j].parse::<f64>().map_err(|_| {
                    bad(
                        number,
                        format!("{} is {:?}, not a number", columns[j], values[j]),
                    )
                })
            };
            let epoch = values[0].parse::<usize>().map_err(|_| {
                bad(
                    number,
                    format!("epoch is {:?}, not a whole number", values[0]),
                )
            })?;
            let first_norm = 2 + metrics.len();
            records.push(EpochRecord {
                epoch,
                loss: float(1)?,
                train_accuracy: if regression { None } else { Some(float(2)?) },
                test_accuracy: if regression { None } else { Some(float(3)?) },
                test_loss: if regression { Some(float(2)?) } else { None },
                weight_norms: (first_norm..columns.len())
                    .map(float)
                    .collect::<Result<_, _>>()?,
            });
        }
        Ok(History { records })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_round_trips_exactly() {
        let history = History {
            records: vec![
                EpochRecord {
                    epoch: 0,
                    loss: 1.3631690742618756,
                    train_accuracy: Some(0.18),
                    test_accuracy: Some(0.205),
                    test_loss: None,
                    weight_norms: vec![3.740621713009097, 0.1 + 0.2],
                },
                EpochRecord {
                    epoch: 1,
                    loss: 1e-300,
                    train_accuracy: Some(1.0),
                    test_accuracy: Some(0.0),
                    test_loss: None,
                    weight_norms: vec![f64::MIN_POSITIVE, 2.5],
                },
            ],
        };
        let text = history.to_csv();
        assert!(text.starts_with("epoch,loss,train_accuracy,test_accuracy,w1_norm,w2_norm\n0,1.3631690742618756,0.18,0.205,"));
        assert_eq!(History::from_csv(&text).unwrap(), history);
    }

    #[test]
    fn regression_csv_has_the_test_loss_and_round_trips() {
        let history = History {
            records: vec![EpochRecord {
                epoch: 0,
                loss: 0.25,
                train_accuracy: None,
                test_accuracy: None,
                test_loss: Some(0.5),
                weight_norms: vec![1.5, 2.0, 0.75],
            }],
        };
        let text = history.to_csv();
        assert_eq!(
            text,
            "epoch,loss,test_loss,w1_norm,w2_norm,w3_norm\n0,0.25,0.5,1.5,2.0,0.75\n"
        );
        assert_eq!(History::from_csv(&text).unwrap(), history);
    }

    #[test]
    fn bad_files_name_the_line() {
        let error = History::from_csv(
            "epoch,loss,train_accuracy,test_accuracy,w1_norm\n0,0.5,1,1,2\n1,x,1,1,2\n",
        )
        .unwrap_err();
        assert_eq!(
            error,
            CoreError::HistoryFile {
                line: 3,
                problem: "loss is \"x\", not a number".into()
            }
        );
        assert!(History::from_csv("").is_err());
        assert!(History::from_csv("epoch,loss\n").is_err());
    }

    #[test]
    fn a_history_with_no_epochs_reads_back() {
        // A run that diverged at epoch 0 writes its header alone.
        let empty = History::default();
        assert_eq!(History::from_csv(&empty.to_csv()).unwrap(), empty);
        let error =
            History::from_csv("epoch,loss,train_accuracy,test_accuracy\n0,0.5,1,1\n").unwrap_err();
        assert!(
            matches!(error, CoreError::HistoryFile { line: 2, .. }),
            "{error}"
        );
    }
}
