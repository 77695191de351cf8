//! What to build and how to train it, checked once before any work starts.
//!
//! [`ModelSpec`]: an MLP with `input_size` inputs, one or more hidden layers of the given widths,
//! each with its activation, and the output layer of its [`Task`] (one sigmoid unit for the
//! notebook's binary classification).
//! [`TrainConfig`]: the learning rate, the epochs, the batches and the optimizer.
//! Their `Default`s are the notebook's values.

use crate::optim::OptimizerConfig;
use crate::{Activation, CoreError, Task};

/// The widest layer accepted, to fail clearly rather than run out of memory.
pub const MAX_WIDTH: usize = 1 << 20;

/// The network's shape: input → hidden layers → the task's output layer.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelSpec {
    input_size: usize,
    hidden: Vec<usize>,
    activations: Vec<Activation>,
    task: Task,
}

impl Default for ModelSpec {
    /// The notebook's 2-8-1 net: INPUT_SIZE = 2, HIDDEN_SIZE = 8, ReLU, a sigmoid output.
    fn default() -> Self {
        ModelSpec {
            input_size: 2,                       // INPUT_SIZE: the two coordinates of make_moons
            hidden: vec![8],                     // HIDDEN_SIZE: one hidden layer of 8 units
            activations: vec![Activation::Relu], // nn.ReLU()
            task: Task::Binary,                  // nn.Sigmoid() + nn.BCELoss()
        }
    }
}

impl ModelSpec {
    /// A binary classifier whose hidden layers all use `activation` (the notebook's kind of net).
    pub fn new(
        input_size: usize,
        hidden: Vec<usize>,
        activation: Activation,
    ) -> Result<Self, CoreError> {
        let activations = vec![activation; hidden.len()];
        ModelSpec::with_task(input_size, hidden, activations, Task::Binary)
    }

    /// Any net: one activation per hidden layer, and the task's output layer. Checks the sizes:
    /// every size at least 1 and at most [`MAX_WIDTH`], at least one hidden layer, as many
    /// activations as hidden layers, and at least 3 classes for a multi-class task.
    pub fn with_task(
        input_size: usize,
        hidden: Vec<usize>,
        activations: Vec<Activation>,
        task: Task,
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
        if activations.len() != hidden.len() {
            let names: Vec<&str> = activations.iter().map(|a| a.name()).collect();
            return Err(CoreError::invalid(
                "activation",
                names.join(","),
                format!(
                    "give one activation for all hidden layers or one per hidden layer ({} here)",
                    hidden.len()
                ),
            ));
        }
        if let Task::Multiclass { classes } = task {
            if !(3..=MAX_WIDTH).contains(&classes) {
                return Err(CoreError::invalid(
                    "task",
                    format!("multiclass with {classes} classes"),
                    "a multi-class task needs 3 or more classes (2 classes are --task binary)",
                ));
            }
        }
        Ok(ModelSpec {
            input_size,
            hidden,
            activations,
            task,
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

    /// The hidden layers' activations, first to last.
    pub fn activations(&self) -> &[Activation] {
        &self.activations
    }

    /// The activation of every layer, the output layer's (the task's) last.
    pub fn layer_activations(&self) -> Vec<Activation> {
        let mut all = self.activations.clone();
        all.push(self.task.output_activation());
        all
    }

    /// The hidden activations as one name when they are all the same ("relu"), else a list
    /// ("tanh,relu").
    pub fn describe_activations(&self) -> String {
        if self.activations.iter().all(|&a| a == self.activations[0]) {
            self.activations[0].to_string()
        } else {
            let names: Vec<&str> = self.activations.iter().map(|a| a.name()).collect();
            names.join(",")
        }
    }

    /// What the network learns.
    pub fn task(&self) -> Task {
        self.task
    }

    /// (n_in, n_out) of every layer, the output layer last: 2-8-1 gives [(2, 8), (8, 1)].
    pub fn layer_sizes(&self) -> Vec<(usize, usize)> {
        self.widths()
            .windows(2)
            .map(|pair| (pair[0], pair[1]))
            .collect()
    }

    /// "2-8-1", as people write network shapes.
    pub fn describe(&self) -> String {
        let widths: Vec<String> = self.widths().iter().map(|w| w.to_string()).collect();
        widths.join("-")
    }

    fn widths(&self) -> Vec<usize> {
        let mut widths = vec![self.input_size];
        widths.extend(&self.hidden);
        widths.push(self.task.outputs());
        widths
    }
}

/// How to train: the learning rate, the epochs, the batches and the optimizer.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainConfig {
    lr: f64,
    epochs: usize,
    batch_size: Option<usize>,
    shuffle_seed: u32,
    optimizer: OptimizerConfig,
    lr_changes: Vec<(usize, f64)>,
}

impl Default for TrainConfig {
    /// The notebook's LR = 0.1 and EPOCHS = 20, full-batch plain SGD.
    fn default() -> Self {
        TrainConfig {
            lr: 0.1,                               // LR
            epochs: 20,                            // EPOCHS
            batch_size: None,                      // every training row in one step
            shuffle_seed: 42,                      // unused without batches
            optimizer: OptimizerConfig::default(), // optim.SGD(model.parameters(), lr=LR)
            lr_changes: Vec::new(),                // the same LR throughout
        }
    }
}

impl TrainConfig {
    /// Full-batch plain SGD; checks that `lr` is a finite number above 0 and `epochs` at least 1.
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
        Ok(TrainConfig {
            lr,
            epochs,
            ..TrainConfig::default()
        })
    }

    /// Mini-batches of `size` rows in an order drawn each epoch from numpy's
    /// `RandomState(shuffle_seed)`; `None` trains on the whole training set in one step.
    pub fn with_batches(
        mut self,
        size: Option<usize>,
        shuffle_seed: u32,
    ) -> Result<Self, CoreError> {
        if size == Some(0) {
            return Err(CoreError::invalid(
                "batch-size",
                0,
                "a batch needs at least 1 row, e.g. --batch-size 32 (leave it out for full batch)",
            ));
        }
        self.batch_size = size;
        self.shuffle_seed = shuffle_seed;
        Ok(self)
    }

    /// The update rule and the penalties (checked by [`OptimizerConfig`]'s constructors).
    pub fn with_optimizer(mut self, optimizer: OptimizerConfig) -> Self {
        self.optimizer = optimizer;
        self
    }

    /// Learning rates that take over from given epochs on: `(epoch, lr)` sets the rate before
    /// that epoch (0-based) runs, as a PyTorch loop setting `param_group["lr"] = lr` at the top
    /// of that epoch would (the optimizer keeps its state). The epochs must rise strictly.
    pub fn with_lr_changes(mut self, changes: Vec<(usize, f64)>) -> Result<Self, CoreError> {
        for (i, &(epoch, lr)) in changes.iter().enumerate() {
            if !(lr > 0.0 && lr.is_finite()) {
                return Err(CoreError::invalid(
                    "lr-at",
                    format!("{epoch}={lr}"),
                    "the learning rate must be a finite number > 0, e.g. 100=0.03",
                ));
            }
            if i > 0 && changes[i - 1].0 >= epoch {
                return Err(CoreError::invalid(
                    "lr-at",
                    format!("{epoch}={lr}"),
                    format!(
                        "the epochs must rise (epoch {epoch} comes after epoch {})",
                        changes[i - 1].0
                    ),
                ));
            }
        }
        self.lr_changes = changes;
        Ok(self)
    }

    /// The learning-rate changes, `(epoch, lr)` in rising epochs (empty: `lr` throughout).
    pub fn lr_changes(&self) -> &[(usize, f64)] {
        &self.lr_changes
    }

    /// The learning rate (of epoch 0 on, until a change).
    pub fn lr(&self) -> f64 {
        self.lr
    }

    /// The number of passes over the training rows.
    pub fn epochs(&self) -> usize {
        self.epochs
    }

    /// Rows per mini-batch, or `None` for full batch.
    pub fn batch_size(&self) -> Option<usize> {
        self.batch_size
    }

    /// The seed of the batch order.
    pub fn shuffle_seed(&self) -> u32 {
        self.shuffle_seed
    }

    /// The optimizer's settings.
    pub fn optimizer(&self) -> &OptimizerConfig {
        &self.optimizer
    }
}
