//! The autograd engine behind [`Engine`]: one step is the notebook's PyTorch loop body.
//!
//! ```text
//! y_pred = model(X_train)            self.model.forward(&x)
//! loss = criterion(y_pred, Y_train)  criterion(task, &y_pred, &y)  (BCELoss, CrossEntropyLoss, MSELoss)
//! optimizer.zero_grad()              (candle computes fresh gradients on every backward)
//! loss.backward()                    loss.backward(): ∇θ for every parameter, kept
//! optimizer.step()                   update(): nnlab's optimizer (SGD, momentum, Adam, AdamW),
//!                                      the same rules as the hand-written engine's, in f64
//! ```
//!
//! The update computes in f64, as the hand-written engine's optimizer does, and rounds to the
//! engine's float type. The notebook's plain SGD runs where the parameters are (on the GPU, for
//! `--device cuda`); the other optimizers run on the host, each parameter and its gradient read
//! out in f64, stepped by the same code as the hand-written engine's, and written back. The
//! optimizer's state is not the engine's, so `set_parameters` keeps it.

use candle_core::{DType, Device, Tensor};
use candle_nn::Module;
use ndarray::{Array2, ArrayView1, ArrayView2};
use nnlab_core::engine::{check_batch, check_inputs, parameter_name, Batch};
use nnlab_core::optim::{Optimizer, Slot};
use nnlab_core::train::THRESHOLD;
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
///
/// On a GPU, every copy back to the host waits for the device to finish its queue, so an epoch
/// keeps to the device what it can, as a PyTorch loop does:
///
/// - rows that stay the same from epoch to epoch (a full batch's training rows, the test rows:
///   [`Batch::source`]) are copied there once (`Resident`);
/// - the gradients stay there, and the notebook's plain SGD updates the weights there;
/// - a binary classifier's hits are counted there, so that only the loss, the hits and the
///   weight norms come back, a few numbers per epoch.
///
/// The values are the same to the bit as when everything is brought back and computed on the
/// host (`tests/resident.rs` compares the two ways on the CPU device; a GPU may write a NaN with
/// another payload, never another number).
pub struct AutogradEngine {
    spec: ModelSpec,
    model: Sequential,
    float: FloatType,
    device: Device,
    /// ∇θ of the last forward_backward, one per parameter in `model.parameters()` order, on the
    /// device, in the engine's type.
    grads: Vec<Tensor>,
    /// The inputs, the targets and a binary task's labels (as u8) of the rows that stay the same.
    inputs: Resident,
    targets: Resident,
    labels: Resident,
    /// The learning rate as a tensor on the device, for the SGD update there.
    lr: Option<(f64, Tensor)>,
    /// 0.5 on the device in the engine's float type, for counting a binary classifier's hits
    /// there (ŷ > 0.5): copied once, not at every count.
    threshold: Option<Tensor>,
    /// Where the update is computed: on the device when the optimizer allows it (the default),
    /// or always on the host (for tests that compare the two).
    update_on_host: bool,
}

/// Tensors made from rows that stay the same (their [`Batch::source`]), kept on the device so that
/// they are copied there once and not every epoch. Two at most: the training rows and the test
/// rows; a new source replaces the oldest.
#[derive(Default)]
struct Resident {
    kept: Vec<(u64, Tensor)>,
}

impl Resident {
    /// The tensor kept for `source`, or `make()`, kept if the rows have a source.
    fn get_or_make(
        &mut self,
        source: Option<u64>,
        make: impl FnOnce() -> candle_core::Result<Tensor>,
    ) -> candle_core::Result<Tensor> {
        let Some(source) = source else {
            return make();
        };
        if let Some((_, tensor)) = self.kept.iter().find(|(id, _)| *id == source) {
            return Ok(tensor.clone()); // a handle: the values stay where they are
        }
        let tensor = make()?;
        if self.kept.len() == 2 {
            self.kept.remove(0);
        }
        self.kept.push((source, tensor.clone()));
        Ok(tensor)
    }
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
            inputs: Resident::default(),
            targets: Resident::default(),
            labels: Resident::default(),
            lr: None,
            threshold: None,
            update_on_host: false,
        })
    }

    /// Makes every update on the host, through [`Optimizer::step`], as it is made for the
    /// optimizers that keep a state; the plain SGD update on the device must give the same bits.
    #[doc(hidden)] // for the tests that compare the two ways
    pub fn with_updates_on_host(mut self) -> AutogradEngine {
        self.update_on_host = true;
        self
    }

    /// The device it computes on, in words.
    pub fn device_name(&self) -> String {
        match &self.device {
            Device::Cpu => "cpu".into(),
            other => format!("{other:?}"),
        }
    }

    /// The inputs of rows x on the device (kept there when they have a source).
    fn inputs(
        &mut self,
        x: ArrayView2<'_, f64>,
        source: Option<u64>,
    ) -> candle_core::Result<Tensor> {
        let (float, device) = (self.float, &self.device);
        self.inputs
            .get_or_make(source, || rows_tensor(x, float, device))
    }

    /// The targets of rows y on the device (kept there when they have a source).
    fn targets(
        &mut self,
        y: ArrayView1<'_, f64>,
        source: Option<u64>,
    ) -> candle_core::Result<Tensor> {
        let (task, float, device) = (self.spec.task(), self.float, &self.device);
        self.targets
            .get_or_make(source, || targets_tensor(y, task, float, device))
    }

    /// How many rows a binary classifier's `outputs` predict right, counted on the device: a
    /// u32 scalar there (ŷ > 0.5 against the 0/1 labels, as [`Task::hits`] counts).
    fn binary_hits(
        &mut self,
        outputs: &Tensor,
        targets: &Tensor,
        source: Option<u64>,
    ) -> candle_core::Result<Tensor> {
        let labels = self
            .labels
            .get_or_make(source, || targets.to_dtype(DType::U8))?; // the 0/1 targets as u8
        let threshold = match &self.threshold {
            Some(threshold) => threshold.clone(),
            None => {
                let float = self.float.dtype();
                let threshold = Tensor::new(THRESHOLD, &self.device)?.to_dtype(float)?;
                self.threshold.insert(threshold).clone()
            }
        };
        let predicted = outputs.broadcast_gt(&threshold)?; //       1 where ŷ > 0.5, as u8
        predicted.eq(&labels)?.to_dtype(DType::U32)?.sum_all()
    }

    /// The learning rate as an f64 scalar on the device, copied there when it changes.
    fn lr_tensor(&mut self, lr: f64) -> candle_core::Result<Tensor> {
        match &self.lr {
            Some((kept, tensor)) if kept.to_bits() == lr.to_bits() => Ok(tensor.clone()),
            _ => {
                let tensor = Tensor::new(lr, &self.device)?;
                self.lr = Some((lr, tensor.clone()));
                Ok(tensor)
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

    /// Scalars brought back to the host in one copy, as f64.
    fn read_scalars(scalars: &[&Tensor]) -> candle_core::Result<Vec<f64>> {
        let column = scalars
            .iter()
            .map(|s| s.to_dtype(DType::F64)?.reshape(1))
            .collect::<candle_core::Result<Vec<_>>>()?;
        Tensor::cat(&column, 0)?.to_vec1::<f64>()
    }

    /// One forward and backward pass; the gradients stay on the device.
    fn loss_and_gradients(&mut self, batch: &Batch<'_>) -> candle_core::Result<Step> {
        let task = self.spec.task();
        let x = self.inputs(batch.x, batch.source)?;
        let y = self.targets(batch.y, batch.source)?;
        let y_pred = self.model.forward(&x)?; //              y_pred = model(X_train)
        let loss = criterion(task, &y_pred, &y)?; //          loss = criterion(y_pred, Y_train)
        let grads = loss.backward()?; //                      loss.backward()
        self.grads = self
            .model
            .parameters()
            .iter()
            .map(|var| match grads.get(var) {
                Some(grad) => Ok(grad.clone()),
                None => var.zeros_like(), // no path to the loss: ∇ = 0
            })
            .collect::<candle_core::Result<_>>()?;
        let loss_only = |loss: &Tensor| loss.to_dtype(DType::F64)?.to_scalar::<f64>();
        Ok(match task {
            Task::Binary => {
                let hits = self.binary_hits(&y_pred, &y, batch.source)?;
                let read = Self::read_scalars(&[&loss, &hits])?; // one copy back
                Step {
                    loss: read[0],
                    hits: read[1] as usize,
                }
            }
            Task::Multiclass { .. } => Step {
                loss: loss_only(&loss)?,
                hits: task.hits(Self::matrix(&y_pred)?.view(), batch.y),
            },
            Task::Regression => Step {
                loss: loss_only(&loss)?,
                hits: 0,
            },
        })
    }

    /// How many rows of x the network predicts right: a binary classifier's counted on the
    /// device (one number comes back), the others' from the outputs brought back.
    fn hits_of(
        &mut self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, f64>,
        source: Option<u64>,
    ) -> candle_core::Result<usize> {
        let task = self.spec.task();
        let inputs = self.inputs(x, source)?;
        let y_pred = self.model.forward(&inputs)?;
        if task != Task::Binary {
            return Ok(task.hits(Self::matrix(&y_pred)?.view(), y));
        }
        let targets = self.targets(y, source)?;
        let hits = self.binary_hits(&y_pred, &targets, source)?;
        Ok(hits.to_scalar::<u32>()? as usize)
    }

    /// The notebook's θ ← θ − lr·g for every parameter, on the device. In f64, as
    /// [`Optimizer::step`] computes it on the host (lr·g, then θ minus it), then rounded to the
    /// engine's type: the same bits.
    fn sgd_on_device(&mut self, lr: f64) -> candle_core::Result<()> {
        let lr = self.lr_tensor(lr)?;
        for (var, grad) in self.model.parameters().iter().zip(&self.grads) {
            let theta = var.as_tensor().to_dtype(DType::F64)?;
            let step = grad.to_dtype(DType::F64)?.broadcast_mul(&lr)?; // lr·g
            var.set(&(theta - step)?.to_dtype(self.float.dtype())?)?; // θ ← θ − lr·g
        }
        Ok(())
    }

    /// Any optimizer's update on the host: every parameter and gradient read out in f64,
    /// stepped, and written back in the engine's type.
    fn update_via_host(&mut self, optimizer: &mut Optimizer, lr: f64) -> candle_core::Result<()> {
        let vars = self.model.parameters();
        let mut values: Vec<Vec<f64>> = vars
            .iter()
            .map(|var| Self::values(var.as_tensor()))
            .collect::<candle_core::Result<_>>()?;
        let mut grads: Vec<Vec<f64>> = self
            .grads
            .iter()
            .map(Self::values)
            .collect::<candle_core::Result<_>>()?;
        let mut slots: Vec<Slot<'_>> = values
            .iter_mut()
            .zip(grads.iter_mut())
            .enumerate()
            .map(|(i, (value, grad))| Slot {
                value,
                grad,
                is_weight: i % 2 == 0, // weight, bias, weight, bias, …
            })
            .collect();
        optimizer.step(&mut slots, lr); //                          optimizer.step()
        for (var, value) in vars.iter().zip(values) {
            let tensor =
                Tensor::from_vec(value, var.shape(), &self.device)?.to_dtype(self.float.dtype())?;
            var.set(&tensor)?;
        }
        Ok(())
    }
}

/// Rows as a tensor of type `float` (`torch.FloatTensor(X)` for f32).
fn rows_tensor(
    x: ArrayView2<'_, f64>,
    float: FloatType,
    device: &Device,
) -> candle_core::Result<Tensor> {
    let x = x.as_standard_layout(); // borrowed when row-major, as TrainData's rows are
    let values = x.as_slice().expect("standard layout");
    Tensor::from_slice(values, x.dim(), device)?.to_dtype(float.dtype())
}

/// Targets as the criterion takes them: a column (m, 1) of type `float`
/// (`torch.FloatTensor(Y).reshape(-1, 1)`), or class indices (m) for multi-class.
fn targets_tensor(
    y: ArrayView1<'_, f64>,
    task: Task,
    float: FloatType,
    device: &Device,
) -> candle_core::Result<Tensor> {
    match task {
        Task::Multiclass { .. } => {
            let classes: Vec<u32> = y.iter().map(|&c| c as u32).collect();
            Tensor::from_vec(classes, y.len(), device)
        }
        Task::Binary | Task::Regression => {
            Tensor::from_vec(y.to_vec(), (y.len(), 1), device)?.to_dtype(float.dtype())
        }
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
        self.loss_and_gradients(batch).map_err(backend)
    }

    fn update(&mut self, optimizer: &mut Optimizer, lr: f64) -> Result<(), CoreError> {
        if self.grads.len() != self.model.parameters().len() {
            return Err(CoreError::Backend(
                "update before any forward_backward: there are no gradients".into(),
            ));
        }
        if optimizer.config().is_plain_sgd() && !self.update_on_host {
            optimizer.begin_step(self.grads.len(), lr); // counts the step; SGD keeps no state
            self.sgd_on_device(lr).map_err(backend)
        } else {
            self.update_via_host(optimizer, lr).map_err(backend)
        }
    }

    fn gradients(&self) -> Vec<Parameter> {
        let mut gradients = Vec::new();
        for (i, (var, grad)) in self.model.parameters().iter().zip(&self.grads).enumerate() {
            let kind = if i % 2 == 0 { "weight" } else { "bias" };
            gradients.push(Parameter {
                name: parameter_name(i / 2, kind),
                shape: var.dims().to_vec(),
                // (a device that failed to copy it back gives NaN, as weight_norms does)
                values: Self::values(grad).unwrap_or_else(|_| vec![f64::NAN; grad.elem_count()]),
            });
        }
        gradients
    }

    fn outputs(&self, x: &Array2<f64>) -> Result<Array2<f64>, CoreError> {
        check_inputs(x, self.spec.input_size())?;
        let x = rows_tensor(x.view(), self.float, &self.device).map_err(backend)?;
        let y_pred = self.model.forward(&x).map_err(backend)?; // with torch.no_grad(): model(X)
        Self::matrix(&y_pred).map_err(backend)
    }

    /// The outputs, from rows kept on the device when they have a source.
    fn outputs_into(
        &mut self,
        x: &Array2<f64>,
        source: Option<u64>,
        out: &mut Array2<f64>,
    ) -> Result<(), CoreError> {
        check_inputs(x, self.spec.input_size())?;
        let x = self.inputs(x.view(), source).map_err(backend)?;
        let y_pred = self.model.forward(&x).map_err(backend)?;
        *out = Self::matrix(&y_pred).map_err(backend)?;
        Ok(())
    }

    /// A binary classifier's hits counted on the device, from rows kept there when they have a
    /// source: one number comes back, not every row's output.
    fn count_hits(
        &mut self,
        x: &Array2<f64>,
        y: &ndarray::Array1<f64>,
        source: Option<u64>,
    ) -> Result<usize, CoreError> {
        check_inputs(x, self.spec.input_size())?;
        self.hits_of(x.view(), y.view(), source).map_err(backend)
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

    /// `torch.norm(layer.weight)`, computed in the engine's type, every layer's brought back in
    /// one copy.
    fn weight_norms(&self) -> Vec<f64> {
        let norms = || -> candle_core::Result<Vec<f64>> {
            let norms = self
                .model
                .layers()
                .iter()
                .map(|(weight, _)| weight.as_tensor().sqr()?.sum_all()?.sqrt())
                .collect::<candle_core::Result<Vec<_>>>()?;
            Self::read_scalars(&norms.iter().collect::<Vec<_>>())
        };
        norms().unwrap_or_else(|_| vec![f64::NAN; self.model.layers().len()])
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
