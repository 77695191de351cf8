//! The autograd engine behind [`Engine`]: one step is the notebook's PyTorch loop body.
//!
//! ```text
//! y_pred = model(X_train)            self.model.forward(&x)
//! loss = criterion(y_pred, Y_train)  bce_loss(&y_pred, &y)
//! optimizer.zero_grad()              (candle computes fresh gradients on every backward)
//! loss.backward()                    self.optimizer.backward_step(&loss):
//! optimizer.step()                     p ← p − lr·∇p for every parameter (candle-nn's SGD)
//! ```

use candle_core::{DType, Device, Tensor};
use candle_nn::{Module, Optimizer, SGD};
use ndarray::{Array1, Array2};
use nnlab_core::{CoreError, Engine, ModelSpec, Parameter, Precision, Step};

use crate::loss::bce_loss;
use crate::model::Sequential;
use crate::AutogradError;

/// The float type the engine computes in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FloatType {
    /// float32, as `torch.FloatTensor` and the notebook.
    #[default]
    F32,
    /// float64, to compare with the hand-written engine.
    F64,
}

impl FloatType {
    fn dtype(self) -> DType {
        match self {
            FloatType::F32 => DType::F32,
            FloatType::F64 => DType::F64,
        }
    }
}

/// Where the engine computes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DeviceKind {
    #[default]
    Cpu,
    /// The first CUDA GPU; needs the `cuda` feature and a GPU.
    Cuda,
}

/// An MLP trained by candle's autograd, like the notebook's `Linear_NN_torch`.
pub struct AutogradEngine {
    spec: ModelSpec,
    model: Sequential,
    optimizer: SGD,
    float: FloatType,
    device: Device,
}

impl AutogradEngine {
    /// An engine for `spec` starting from `parameters` (PyTorch layout, e.g. [`crate::torch_init`]).
    pub fn new(
        spec: ModelSpec,
        parameters: &[Parameter],
        float: FloatType,
        device: DeviceKind,
    ) -> Result<AutogradEngine, AutogradError> {
        let device = match device {
            DeviceKind::Cpu => Device::Cpu,
            DeviceKind::Cuda => {
                Device::new_cuda(0).map_err(|e| AutogradError::NoCuda(e.to_string()))?
            }
        };
        let model = Sequential::new(&spec, parameters, float.dtype(), &device)?;
        let optimizer = SGD::new(model.parameters(), 0.1)?; // optim.SGD(model.parameters(), lr=LR)
        Ok(AutogradEngine {
            spec,
            model,
            optimizer,
            float,
            device,
        })
    }

    /// The device it computes on, in words.
    pub fn device_name(&self) -> String {
        match &self.device {
            Device::Cpu => "cpu".into(),
            other => format!("{other:?}"),
        }
    }

    /// A matrix as a tensor of the engine's type (`torch.FloatTensor(X)` for f32).
    fn tensor(&self, x: &Array2<f64>) -> candle_core::Result<Tensor> {
        let values = x.as_standard_layout().iter().copied().collect::<Vec<f64>>();
        Tensor::from_vec(values, x.dim(), &self.device)?.to_dtype(self.float.dtype())
    }

    /// Targets as a column (m, 1) (`torch.FloatTensor(Y).reshape(-1, 1)`).
    fn column(&self, y: &Array1<f64>) -> candle_core::Result<Tensor> {
        Tensor::from_vec(y.to_vec(), (y.len(), 1), &self.device)?.to_dtype(self.float.dtype())
    }

    fn probabilities_of(y_pred: &Tensor) -> candle_core::Result<Array1<f64>> {
        Ok(Array1::from(
            y_pred
                .flatten_all()?
                .to_dtype(DType::F64)?
                .to_vec1::<f64>()?,
        ))
    }
}

fn backend(error: candle_core::Error) -> CoreError {
    CoreError::Backend(error.to_string())
}

impl Engine for AutogradEngine {
    fn name(&self) -> &'static str {
        "autograd"
    }

    fn spec(&self) -> &ModelSpec {
        &self.spec
    }

    fn train_step(&mut self, x: &Array2<f64>, y: &Array1<f64>, lr: f64) -> Result<Step, CoreError> {
        let (x, y) = (
            self.tensor(x).map_err(backend)?,
            self.column(y).map_err(backend)?,
        );
        let y_pred = self.model.forward(&x).map_err(backend)?; //   y_pred = model(X_train)
        let loss = bce_loss(&y_pred, &y).map_err(backend)?; //      loss = criterion(y_pred, Y_train)
        self.optimizer.set_learning_rate(lr);
        self.optimizer.backward_step(&loss).map_err(backend)?; //   zero_grad(); backward(); step()
        Ok(Step {
            loss: loss
                .to_dtype(DType::F64)
                .and_then(|l| l.to_scalar::<f64>())
                .map_err(backend)?,
            probabilities: Self::probabilities_of(&y_pred).map_err(backend)?,
        })
    }

    fn probabilities(&self, x: &Array2<f64>) -> Result<Array1<f64>, CoreError> {
        let x = self.tensor(x).map_err(backend)?;
        let y_pred = self.model.forward(&x).map_err(backend)?; // with torch.no_grad(): model(X)
        Self::probabilities_of(&y_pred).map_err(backend)
    }

    fn parameters(&self) -> Vec<Parameter> {
        let mut parameters = Vec::new();
        for (l, (weight, bias)) in self.model.layers().iter().enumerate() {
            for (kind, var) in [("weight", weight), ("bias", bias)] {
                let tensor = var.as_tensor();
                let values = tensor
                    .flatten_all()
                    .and_then(|t| t.to_dtype(DType::F64))
                    .and_then(|t| t.to_vec1::<f64>())
                    .expect("a parameter converts to f64");
                parameters.push(Parameter {
                    name: nnlab_core::engine::parameter_name(l, kind),
                    shape: tensor.dims().to_vec(),
                    values,
                });
            }
        }
        parameters
    }

    fn set_parameters(&mut self, parameters: &[Parameter]) -> Result<(), CoreError> {
        let model = Sequential::new(&self.spec, parameters, self.float.dtype(), &self.device)
            .map_err(backend)?;
        self.optimizer =
            SGD::new(model.parameters(), self.optimizer.learning_rate()).map_err(backend)?;
        self.model = model;
        Ok(())
    }

    /// `torch.norm(layer.weight)`, computed in the engine's type.
    fn weight_norms(&self) -> Vec<f64> {
        self.model
            .layers()
            .iter()
            .map(|(weight, _)| {
                weight
                    .as_tensor()
                    .sqr()
                    .and_then(|t| t.sum_all())
                    .and_then(|t| t.sqrt())
                    .and_then(|t| t.to_dtype(DType::F64))
                    .and_then(|t| t.to_scalar::<f64>())
                    .unwrap_or(f64::NAN)
            })
            .collect()
    }

    fn precision(&self) -> Precision {
        match self.float {
            FloatType::F32 => Precision::F32,
            FloatType::F64 => Precision::F64,
        }
    }
}
