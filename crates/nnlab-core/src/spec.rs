//! What to build and how to train it, checked once before any work starts.
//!
//! [`ModelSpec`]: an MLP with `input_size` inputs, one or more hidden layers of the given widths
//! with one activation, and one sigmoid output unit (binary classification).
//! [`TrainConfig`]: full-batch gradient descent with learning rate `lr` for `epochs` epochs.
//! Their `Default`s are the notebook's values.

use crate::{Activation, CoreError};

/// The widest layer accepted, to fail clearly rather than run out of memory.
pub const MAX_WIDTH: usize = 1 << 20;

/// The network's shape: input → hidden layers → one sigmoid unit.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelSpec {
    input_size: usize,
    hidden: Vec<usize>,
    activation: Activation,
}

impl Default for ModelSpec {
    /// The notebook's 2-8-1 net: INPUT_SIZE = 2, HIDDEN_SIZE = 8, ReLU.
    fn default() -> Self {
        ModelSpec {
            input_size: 2,   // INPUT_SIZE: the two coordinates of make_moons
            hidden: vec![8], // HIDDEN_SIZE: one hidden layer of 8 units
            activation: Activation::Relu,
        }
    }
}

impl ModelSpec {
    /// Checks the sizes: every size at least 1 and at most [`MAX_WIDTH`], at least one hidden layer.
    pub fn new(
        input_size: usize,
        hidden: Vec<usize>,
        activation: Activation,
    ) -> Result<Self, CoreError> {
        if !(1..=MAX_WIDTH).contains(&input_size) {
            return Err(CoreError::invalid(
                "input size",
                input_size,
                format!("must be 1 to {MAX_WIDTH}"),
            ));
        }
        if hidden.is_empty() {
            return Err(CoreError::invalid(
                "hidden",
                "(none)",
                "give at least one hidden layer width, e.g. 8",
            ));
        }
        if let Some(&width) = hidden.iter().find(|&&w| !(1..=MAX_WIDTH).contains(&w)) {
            return Err(CoreError::invalid(
                "hidden",
                width,
                format!("every hidden layer needs 1 to {MAX_WIDTH} units"),
            ));
        }
        Ok(ModelSpec {
            input_size,
            hidden,
            activation,
        })
    }

    /// The number of input features.
    pub fn input_size(&self) -> usize {
        self.input_size
    }

    /// The hidden layers' widths, first to last.
    pub fn hidden(&self) -> &[usize] {
        &self.hidden
    }

    /// The hidden layers' activation.
    pub fn activation(&self) -> Activation {
        self.activation
    }

    /// (n_in, n_out) of every layer, the output layer last: 2-8-1 gives [(2, 8), (8, 1)].
    pub fn layer_sizes(&self) -> Vec<(usize, usize)> {
        let mut widths = vec![self.input_size];
        widths.extend(&self.hidden);
        widths.push(1);
        widths.windows(2).map(|pair| (pair[0], pair[1])).collect()
    }

    /// "2-8-1", as people write network shapes.
    pub fn describe(&self) -> String {
        let widths: Vec<String> = std::iter::once(self.input_size)
            .chain(self.hidden.iter().copied())
            .chain(std::iter::once(1))
            .map(|w| w.to_string())
            .collect();
        widths.join("-")
    }
}

/// How to train: full-batch gradient descent.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainConfig {
    lr: f64,
    epochs: usize,
}

impl Default for TrainConfig {
    /// The notebook's LR = 0.1 and EPOCHS = 20.
    fn default() -> Self {
        TrainConfig {
            lr: 0.1,    // LR
            epochs: 20, // EPOCHS
        }
    }
}

impl TrainConfig {
    /// Checks that `lr` is a finite number above 0 and `epochs` at least 1.
    pub fn new(lr: f64, epochs: usize) -> Result<Self, CoreError> {
        if !(lr > 0.0 && lr.is_finite()) {
            return Err(CoreError::invalid(
                "lr",
                lr,
                "the learning rate must be a finite number > 0, e.g. 0.1",
            ));
        }
        if epochs == 0 {
            return Err(CoreError::invalid(
                "epochs",
                epochs,
                "train for at least 1 epoch",
            ));
        }
        Ok(TrainConfig { lr, epochs })
    }

    /// The learning rate.
    pub fn lr(&self) -> f64 {
        self.lr
    }

    /// The number of full-batch steps.
    pub fn epochs(&self) -> usize {
        self.epochs
    }
}
