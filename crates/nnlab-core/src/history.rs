//! What training records each epoch, and its CSV form `history.csv`.
//!
//! Columns: `epoch,loss,train_accuracy,test_accuracy,w1_norm,w2_norm[,w3_norm...]`, one row per
//! epoch, floats in the shortest form that reads back to the same double.

use std::fmt::Write;

/// One epoch's measurements (the notebook's `learning_history` entries).
#[derive(Clone, Debug, PartialEq)]
pub struct EpochRecord {
    /// 0-based epoch number.
    pub epoch: usize,
    /// The loss of the epoch's forward pass, before the update.
    pub loss: f64,
    /// Accuracy on the training rows.
    pub train_accuracy: f64,
    /// Accuracy on the test rows, after the update.
    pub test_accuracy: f64,
    /// ‖W_l‖ of every layer after the update, input side first.
    pub weight_norms: Vec<f64>,
}

/// Every epoch's record, in order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    pub records: Vec<EpochRecord>,
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

    /// `history.csv` as text (see the module docs).
    pub fn to_csv(&self) -> String {
        let layers = self.records.first().map_or(0, |r| r.weight_norms.len());
        let mut text = String::from("epoch,loss,train_accuracy,test_accuracy");
        for l in 1..=layers {
            write!(text, ",w{l}_norm").expect("writing to a String cannot fail");
        }
        text.push('\n');
        for r in &self.records {
            write!(
                text,
                "{},{:?},{:?},{:?}",
                r.epoch, r.loss, r.train_accuracy, r.test_accuracy
            )
            .expect("writing to a String cannot fail");
            for norm in &r.weight_norms {
                write!(text, ",{norm:?}").expect("writing to a String cannot fail");
            }
            text.push('\n');
        }
        text
    }
}
