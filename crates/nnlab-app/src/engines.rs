//! Building the engine a run asks for: its initial weights (notebook, torch or a file) and the
//! hand-written or the autograd engine around them.

use nnlab_autograd::{torch_init, AutogradEngine, AutogradError, DeviceKind, FloatType};
use nnlab_core::{
    notebook_init, CoreError, Engine, FastEngine, ManualEngine, Mlp, ModelSpec, Parameter, Task,
    TrainAccuracy,
};

use crate::config::RunConfig;
use crate::model_file::read_parameters;
use crate::options::{DeviceArg, DtypeArg, EngineKind, InitKind};
use crate::usage;
use crate::Result;

/// The initial parameters the settings ask for, in PyTorch's layout.
pub fn initial_parameters(settings: &RunConfig, spec: &ModelSpec) -> Result<Vec<Parameter>> {
    match (settings.init, &settings.init_from) {
        (InitKind::Notebook, _) => Ok(notebook_init(spec, settings.init_seed).parameters()),
        (InitKind::Torch, _) => Ok(torch_init(spec, settings.init_seed)),
        (InitKind::File, Some(path)) => {
            read_parameters(path).map_err(|e| usage(format!("--init-from {}: {e}", path.display())))
        }
        (InitKind::File, None) => Err(usage("--init file needs --init-from FILE")),
    }
}

/// The engine of the settings, holding `parameters` (which came from `source`, for messages).
pub fn build_engine(
    settings: &RunConfig,
    spec: &ModelSpec,
    parameters: &[Parameter],
    source: &str,
) -> Result<Box<dyn Engine>> {
    let mismatch = |e: CoreError| {
        let hint = match file_shape(parameters) {
            Some(widths) if widths.len() >= 3 => format!(
                "; the file holds a {} net (try --hidden {})",
                widths
                    .iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join("-"),
                widths[1..widths.len() - 1]
                    .iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            _ => {
                let names: Vec<&str> = parameters.iter().map(|p| p.name.as_str()).collect();
                format!(
                    "; a {} net needs network.0.weight, network.0.bias, network.2.weight, ... (found: {})",
                    spec.describe(),
                    names.join(", ")
                )
            }
        };
        usage(format!("{source}: {e}{hint}"))
    };
    match settings.engine {
        EngineKind::Manual => {
            if settings.dtype == DtypeArg::F32 && settings.readable {
                return Err(usage("--dtype f32: the readable path computes in f64 (drop --readable for the fast path's f32)"));
            }
            if settings.device == DeviceArg::Cuda {
                return Err(usage("--device cuda: the hand-written engine runs on the CPU (use --engine autograd)"));
            }
            let mlp = Mlp::from_parameters(spec, parameters).map_err(mismatch)?;
            let threads = settings.threads.map(usize::from);
            // The fast path trains binary classifiers; the readable engine every task.
            let readable = settings.readable || spec.task() != Task::Binary;
            if readable && settings.dtype == DtypeArg::F32 {
                return Err(usage(format!(
                    "--dtype f32: the hand-written engine's f32 runs on its fast path, which trains binary classifiers only (this is {:?}); drop --dtype f32, or use --engine autograd",
                    spec.task()
                )));
            }
            Ok(match (readable, settings.dtype) {
                (true, _) => Box::new(ManualEngine::new(spec.clone(), mlp)?),
                (false, DtypeArg::F64) => {
                    Box::new(FastEngine::<f64>::new(spec.clone(), &mlp, threads)?)
                }
                (false, DtypeArg::F32) => {
                    Box::new(FastEngine::<f32>::new(spec.clone(), &mlp, threads)?)
                }
            })
        }
        EngineKind::Autograd => {
            let float = match settings.dtype {
                DtypeArg::F32 => FloatType::F32,
                DtypeArg::F64 => FloatType::F64,
            };
            let device = match settings.device {
                DeviceArg::Cpu => DeviceKind::Cpu,
                DeviceArg::Cuda => DeviceKind::Cuda,
            };
            // Check names and shapes first, for the same clear message as the manual engine.
            Mlp::from_parameters(spec, parameters).map_err(mismatch)?;
            match AutogradEngine::new(spec.clone(), parameters, float, device) {
                Ok(engine) => Ok(Box::new(engine)),
                Err(e @ AutogradError::NoCuda(_)) => Err(usage(format!("--device cuda: {e}"))),
                Err(e) => Err(e.into()),
            }
        }
    }
}

/// What each section of the notebook records as its training accuracy.
pub fn train_accuracy(engine: EngineKind) -> TrainAccuracy {
    match engine {
        EngineKind::Manual => TrainAccuracy::AfterUpdate,
        EngineKind::Autograd => TrainAccuracy::BeforeUpdate,
    }
}

/// The layer widths a set of parameters describes (input first), if its weights chain up.
fn file_shape(parameters: &[Parameter]) -> Option<Vec<usize>> {
    let mut widths = Vec::new();
    for l in 0.. {
        let name = nnlab_core::engine::parameter_name(l, "weight");
        let Some(weight) = parameters.iter().find(|p| p.name == name) else {
            break;
        };
        let [n_out, n_in] = weight.shape[..] else {
            return None;
        };
        if widths.is_empty() {
            widths.push(n_in);
        } else if widths.last() != Some(&n_in) {
            return None;
        }
        widths.push(n_out);
    }
    (widths.len() >= 2 && parameters.len() == 2 * (widths.len() - 1)).then_some(widths)
}
