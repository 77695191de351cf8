//! The autograd engine behind [`Engine`]: one step is the notebook's PyTorch loop body.
//!
//! ```text
//! y_pred = model(X_train)            self.model.forward(&x)
//! loss = criterion(y_pred, Y_train)  criterion(task, &y_pred, &y)  (BCELoss, CrossEntropyLoss, MSELoss)
//! optimizer.zero_grad()              (candle computes fresh gradients on every backward)
//! loss.backward()                    loss.backward(): ∇θ for every parameter, kept
//! optimizer.step()                   update(): nnlab's optimizer (SGD, momentum, Adam, AdamW),
//!                                      the same code as the hand-written engine's, in f64
//! ```
//!
//! The update runs on the host: each parameter and its gradient are read out in f64, stepped, and
//! written back in the engine's float type. The optimizer's state is not the engine's, so
//! `set_parameters` keeps it.

use candle_core::{DType, Device, Tensor};
use candle_nn::Module;
use ndarray::Array2;
use nnlab_core::engine::{check_batch, check_inputs, parameter_name, Batch};
use nnlab_core::optim::{Optimizer, Slot};
use nnlab_core::{CoreError, Engine, ModelSpec, Parameter, Precision, Step, Task};

use crate::loss::criterion;
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

/// The first CUDA GPU, or why there is none.
///
/// A `cuda` build loads the CUDA libraries when the first device is opened, and cudarc panics when
/// one cannot be loaded; so their presence is checked first ([`cuda_libraries_missing`]), and a
/// panic left inside candle or cudarc (a driver too old for a symbol, say) is caught and reported
/// as [`AutogradError::NoCuda`] too.
fn cuda_device() -> Result<Device, AutogradError> {
    if let Some(library) = cuda_libraries_missing() {
        return Err(AutogradError::NoCuda(format!(
            "{library} could not be loaded"
        )));
    }
    match std::panic::catch_unwind(|| Device::new_cuda(0)) {
        Ok(Ok(device)) => Ok(device),
        Ok(Err(e)) => Err(AutogradError::NoCuda(e.to_string())),
        Err(panic) => {
            let reason = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("candle's CUDA backend panicked");
            Err(AutogradError::NoCuda(reason.to_string()))
        }
    }
}

/// The first CUDA library that candle opens a device with (the driver's `libcuda`, cuBLAS,
/// cuBLASLt, cuRAND) and that cannot be loaded here, in words; `None` when all can be.
#[cfg(feature = "cuda")]
pub fn cuda_libraries_missing() -> Option<&'static str> {
    // SAFETY: each check dlopens the library by the names cudarc itself would use, and closes it
    // again; loading runs the library's initialisers, as the first CUDA call would anyway.
    let present: [(&'static str, bool); 4] = unsafe {
        [
            (
                "the NVIDIA driver's libcuda.so.1",
                cudarc::driver::sys::is_culib_present(),
            ),
            (
                "cuBLAS (libcublas)",
                cudarc::cublas::sys::is_culib_present(),
            ),
            (
                "cuBLASLt (libcublasLt)",
                cudarc::cublaslt::sys::is_culib_present(),
            ),
            (
                "cuRAND (libcurand)",
                cudarc::curand::sys::is_culib_present(),
            ),
        ]
    };
    present
        .into_iter()
        .find(|(_, present)| !present)
        .map(|(library, _)| library)
}

/// A build without `cuda` has no CUDA libraries to look for; candle says it has no CUDA.
#[cfg(not(feature = "cuda"))]
pub fn cuda_libraries_missing() -> Option<&'static str> {
    None
}

/// An MLP trained by candle's autograd, like the notebook's `Linear_NN_torch`.
pub struct AutogradEngine {
    spec: ModelSpec,
    model: Sequential,
    float: FloatType,
    device: Device,
    /// ∇θ of the last forward_backward, one per parameter in `model.parameters()` order, in f64.
    grads: Vec<Vec<f64>>,
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
            DeviceKind::Cuda => cuda_device()?,
        };
        let model = Sequential::new(&spec, parameters, float.dtype(), &device)?;
        Ok(AutogradEngine {
            spec,
            model,
            float,
            device,
            grads: Vec::new(),
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

    /// Targets as the criterion takes them: a column (m, 1) of the engine's type
    /// (`torch.FloatTensor(Y).reshape(-1, 1)`), or class indices (m) for multi-class.
    fn targets(&self, y: &[f64]) -> candle_core::Result<Tensor> {
        match self.spec.task() {
            Task::Multiclass { .. } => {
                let classes: Vec<u32> = y.iter().map(|&c| c as u32).collect();
                Tensor::from_vec(classes, y.len(), &self.device)
            }
            Task::Binary | Task::Regression => {
                Tensor::from_vec(y.to_vec(), (y.len(), 1), &self.device)?
                    .to_dtype(self.float.dtype())
            }
        }
    }

    /// A tensor's values in f64, row-major.
    fn values(tensor: &Tensor) -> candle_core::Result<Vec<f64>> {
        tensor.flatten_all()?.to_dtype(DType::F64)?.to_vec1::<f64>()
    }

    fn matrix(tensor: &Tensor) -> candle_core::Result<Array2<f64>> {
        let (rows, cols) = tensor.dims2()?;
        let values = Self::values(tensor)?;
        Ok(Array2::from_shape_vec((rows, cols), values).expect("rows × cols values"))
    }
}

fn backend(error: candle_core::Error) -> CoreError {
    CoreError::Backend(error.to_string())
}

impl Engine for AutogradEngine {
    fn name(&self) -> &'static str {
        "autograd"
    }

    fn implementation(&self) -> String {
        let float = match self.float {
            FloatType::F32 => "f32",
            FloatType::F64 => "f64",
        };
        format!(
            "autograd engine (candle), {float}, on {}",
            self.device_name()
        )
    }

    fn spec(&self) -> &ModelSpec {
        &self.spec
    }

    fn forward_backward(&mut self, batch: &Batch<'_>) -> Result<Step, CoreError> {
        check_batch(batch, self.spec.input_size())?;
        let task = self.spec.task();
        let y_values = batch.y.to_vec();
        let (x, y) = (
            self.tensor(&batch.x.to_owned()).map_err(backend)?,
            self.targets(&y_values).map_err(backend)?,
        );
        let y_pred = self.model.forward(&x).map_err(backend)?; //   y_pred = model(X_train)
        let loss = criterion(task, &y_pred, &y).map_err(backend)?; // loss = criterion(y_pred, Y)
        let grads = loss.backward().map_err(backend)?; //            loss.backward()
        self.grads = self
            .model
            .parameters()
            .iter()
            .map(|var| match grads.get(var) {
                Some(grad) => Self::values(grad),
                None => Ok(vec![0.0; var.elem_count()]), // no path to the loss: ∇ = 0
            })
            .collect::<candle_core::Result<_>>()
            .map_err(backend)?;
        let outputs = Self::matrix(&y_pred).map_err(backend)?;
        Ok(Step {
            loss: loss
                .to_dtype(DType::F64)
                .and_then(|l| l.to_scalar::<f64>())
                .map_err(backend)?,
            hits: task.hits(outputs.view(), batch.y),
        })
    }

    fn update(&mut self, optimizer: &mut Optimizer, lr: f64) -> Result<(), CoreError> {
        let vars = self.model.parameters();
        if self.grads.len() != vars.len() {
            return Err(CoreError::Backend(
                "update before any forward_backward: there are no gradients".into(),
            ));
        }
        let mut values: Vec<Vec<f64>> = vars
            .iter()
            .map(|var| Self::values(var.as_tensor()))
            .collect::<candle_core::Result<_>>()
            .map_err(backend)?;
        let mut slots: Vec<Slot<'_>> = values
            .iter_mut()
            .zip(self.grads.iter_mut())
            .enumerate()
            .map(|(i, (value, grad))| Slot {
                value,
                grad,
                is_weight: i % 2 == 0, // weight, bias, weight, bias, …
            })
            .collect();
        optimizer.step(&mut slots, lr); //                          optimizer.step()
        for (var, value) in vars.iter().zip(values) {
            let tensor = Tensor::from_vec(value, var.shape(), &self.device)
                .and_then(|t| t.to_dtype(self.float.dtype()))
                .map_err(backend)?;
            var.set(&tensor).map_err(backend)?;
        }
        Ok(())
    }

    fn gradients(&self) -> Vec<Parameter> {
        let mut gradients = Vec::new();
        for (i, (var, grad)) in self.model.parameters().iter().zip(&self.grads).enumerate() {
            let kind = if i % 2 == 0 { "weight" } else { "bias" };
            gradients.push(Parameter {
                name: parameter_name(i / 2, kind),
                shape: var.dims().to_vec(),
                values: grad.clone(),
            });
        }
        gradients
    }

    fn outputs(&self, x: &Array2<f64>) -> Result<Array2<f64>, CoreError> {
        check_inputs(x, self.spec.input_size())?;
        let x = self.tensor(x).map_err(backend)?;
        let y_pred = self.model.forward(&x).map_err(backend)?; // with torch.no_grad(): model(X)
        Self::matrix(&y_pred).map_err(backend)
    }

    fn parameters(&self) -> Vec<Parameter> {
        let mut parameters = Vec::new();
        for (l, (weight, bias)) in self.model.layers().iter().enumerate() {
            for (kind, var) in [("weight", weight), ("bias", bias)] {
                let tensor = var.as_tensor();
                parameters.push(Parameter {
                    name: parameter_name(l, kind),
                    shape: tensor.dims().to_vec(),
                    values: Self::values(tensor).expect("a parameter converts to f64"),
                });
            }
        }
        parameters
    }

    fn set_parameters(&mut self, parameters: &[Parameter]) -> Result<(), CoreError> {
        self.model = Sequential::new(&self.spec, parameters, self.float.dtype(), &self.device)
            .map_err(backend)?;
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

    /// `nn.BCELoss` clamps each log at −100 ([`crate::loss::LOG_FLOOR`]), so one row costs at
    /// most 100, in f32 and f64 alike: a saturated ŷ of exactly 0 (f32's σ(z) for z below about
    /// −88, where e^(−z) overflows) or 1 (z above about 17 in f32, 37 in f64) on the wrong class
    /// costs exactly 100. `nn.CrossEntropyLoss` (log-softmax) and `nn.MSELoss` have no ceiling.
    fn loss_ceiling(&self) -> Option<f64> {
        match self.spec.task() {
            Task::Binary => Some(-crate::loss::LOG_FLOOR),
            Task::Multiclass { .. } | Task::Regression => None,
        }
    }

    fn precision(&self) -> Precision {
        match self.float {
            FloatType::F32 => Precision::F32,
            FloatType::F64 => Precision::F64,
        }
    }
}
