//! nnlab's core: the model spec, the hand-written engine, the training loop and its history.
//!
//! The hand-written engine is the notebook's `Linear_NN_numpy` class grown into a small library
//! that reads like its equations: [`layer`] (one dense layer, forward with backward right under
//! it), the losses of the three [`task`]s ([`loss`]: binary cross-entropy on a sigmoid,
//! [`softmax`]: softmax cross-entropy, [`mse`]: mean squared error), [`mlp`] (the stack of
//! layers), [`init`] (the notebook's initialisation), and [`manual`] (all of it behind the
//! [`Engine`] trait that the autograd engine implements too). The update belongs to an
//! [`Optimizer`] ([`optim`]: SGD with momentum, Adam, AdamW, L1/L2 penalties), the row order to
//! [`batches`]. [`train`](train::train) fills a [`History`] for any engine.
//!
//! ```
//! use nnlab_core::{notebook_init, train, Engine, ManualEngine, ModelSpec, TrainAccuracy,
//!                  TrainConfig, TrainData};
//! use nnlab_data::{make_moons, train_test_split, StandardScaler, TestSize};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let data = make_moons(1000, Some(0.125), true, 42)?;
//! let (train_rows, test_rows) = data.split(&train_test_split(1000, TestSize::Fraction(0.2), true, 42)?);
//! let (scaler, x_train) = StandardScaler::fit_transform(&train_rows.features)?;
//! let x_test = scaler.transform(&test_rows.features)?;
//! let data = TrainData::new(x_train, &train_rows.labels, x_test, &test_rows.labels)?;
//!
//! let spec = ModelSpec::default(); // 2-8-1, ReLU
//! let mut engine = ManualEngine::new(spec.clone(), notebook_init(&spec, 42))?;
//! let outcome = train(&mut engine, &data, &TrainConfig::default(), TrainAccuracy::AfterUpdate,
//!                     |_record, _engine| std::ops::ControlFlow::Continue(()))?;
//! assert_eq!(format!("{:.4}", outcome.history.records[0].loss), "1.3632"); // the notebook's epoch 0
//! # Ok(()) }
//! ```

mod activation;
pub mod batches;
pub mod cancel;
pub mod engine;
mod error;
pub mod fast;
mod fastmath;
mod history;
pub mod init;
pub mod layer;
pub mod loss;
pub mod manual;
pub mod mlp;
pub mod mse;
pub mod optim;
pub mod softmax;
mod spec;
pub mod task;
pub mod train;

pub use activation::{sigmoid, Activation, LEAKY_SLOPE};
pub use batches::Batches;
pub use engine::{Batch, Engine, Parameter, Precision, Step};
pub use error::CoreError;
pub use fast::FastEngine;
pub use history::{EpochRecord, History};
pub use init::notebook_init;
pub use manual::ManualEngine;
pub use mlp::Mlp;
pub use optim::{Optimizer, OptimizerConfig, RuleKind, RuleSettings};
pub use spec::{ModelSpec, TrainConfig, MAX_WIDTH};
pub use task::{Task, TaskKind};
pub use train::{accuracy, train, Stop, TrainAccuracy, TrainData, TrainOutcome, Trainer};
