//! `model.safetensors`: an engine's parameters in PyTorch's layout, readable by
//! `safetensors.torch.load_file` and loadable into the notebook's module with `load_state_dict`.

use std::collections::HashMap;
use std::path::Path;

use nnlab_core::Parameter;
use safetensors::tensor::{Dtype, TensorView};
use safetensors::SafeTensors;

use crate::{failed, usage, Result};

/// The safetensors bytes of `parameters` as float64 (or, with `f32`, float32) tensors. The header's
/// metadata is PyTorch's own `{"format": "pt"}` and nothing else: one key keeps the bytes the same
/// from run to run (the network's shape and settings are in `run.json`).
pub fn safetensors_bytes(parameters: &[Parameter], f32: bool) -> Result<Vec<u8>> {
    let dtype = if f32 { Dtype::F32 } else { Dtype::F64 };
    let buffers: Vec<Vec<u8>> = parameters
        .iter()
        .map(|p| {
            if f32 {
                p.values
                    .iter()
                    .flat_map(|&v| (v as f32).to_le_bytes())
                    .collect()
            } else {
                p.values.iter().flat_map(|v| v.to_le_bytes()).collect()
            }
        })
        .collect();
    let views = parameters
        .iter()
        .zip(&buffers)
        .map(|(p, bytes)| {
            let view = TensorView::new(dtype, p.shape.clone(), bytes)
                .map_err(failed(format!("tensor {} of shape {:?}", p.name, p.shape)))?;
            Ok((p.name.clone(), view))
        })
        .collect::<Result<Vec<_>>>()?;
    let info = HashMap::from([("format".to_string(), "pt".to_string())]);
    safetensors::serialize(views, Some(info)).map_err(failed("encoding model.safetensors"))
}

/// Reads every tensor of a safetensors file as float64 parameters (float32 and float64 accepted).
/// Names saved from a bare `nn.Sequential` (`0.weight`) are read as the notebook's module names
/// (`network.0.weight`). Errors do not name the file; the caller does.
pub fn read_parameters(path: &Path) -> Result<Vec<Parameter>> {
    use std::io::Read;
    let cannot = |e: std::io::Error| usage(format!("cannot read it: {e}"));
    let mut file = std::fs::File::open(path).map_err(cannot)?;
    if file.metadata().is_ok_and(|meta| meta.is_dir()) {
        return Err(usage(
            "cannot read it: it is a folder; give a .safetensors file".to_string(),
        ));
    }
    // A safetensors file says its own size: an 8-byte header length, the JSON header, then the
    // tensors' bytes up to the largest end offset the header gives. Read no more than that, so
    // that an endless file (/dev/zero) or a huge one is refused without filling memory.
    let mut bytes = vec![0u8; 8];
    file.read_exact(&mut bytes).map_err(|e| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => usage(
            "not a valid safetensors file: it is shorter than its 8-byte header length".to_string(),
        ),
        _ => cannot(e),
    })?;
    let header_len = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes"));
    if header_len > MAX_HEADER_BYTES {
        return Err(usage(format!(
            "not a valid safetensors file: its header claims {header_len} bytes (at most {MAX_HEADER_BYTES})"
        )));
    }
    (&mut file)
        .take(header_len)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    let data_len = serde_json::from_slice::<serde_json::Value>(&bytes[8..])
        .ok()
        .and_then(|header| {
            header.as_object().map(|tensors| {
                tensors
                    .values()
                    .filter_map(|t| t["data_offsets"][1].as_u64())
                    .max()
                    .unwrap_or(0)
            })
        })
        .unwrap_or(0);
    if data_len > MAX_MODEL_BYTES {
        return Err(usage(format!(
            "its header gives {data_len} bytes of tensors, more than the {} GB of any network nnlab trains; give the model.safetensors of a run",
            MAX_MODEL_BYTES / 1_000_000_000
        )));
    }
    // One byte more than the header says: a longer file is then refused by the parser below.
    file.take(data_len + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    parameters_from_bytes(&bytes)
}

/// The most bytes of tensors a model file may hold: 8 GB, a billion float64 weights, past what
/// the memory limit lets any run train.
pub const MAX_MODEL_BYTES: u64 = 8_000_000_000;

/// The longest safetensors header read (100 MB; a header names each tensor in a line of JSON).
const MAX_HEADER_BYTES: u64 = 100_000_000;

/// [`read_parameters`] for the bytes of a safetensors file (what was read, uploaded or fuzzed).
pub fn parameters_from_bytes(bytes: &[u8]) -> Result<Vec<Parameter>> {
    let tensors = SafeTensors::deserialize(bytes)
        .map_err(|e| usage(format!("not a valid safetensors file: {e}")))?;
    let mut parameters = Vec::new();
    for (name, view) in tensors.tensors() {
        let values: Vec<f64> = match view.dtype() {
            Dtype::F64 => view
                .data()
                .chunks_exact(8)
                .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))
                .collect(),
            Dtype::F32 => view
                .data()
                .chunks_exact(4)
                .map(|b| f64::from(f32::from_le_bytes(b.try_into().expect("4 bytes"))))
                .collect(),
            other => {
                return Err(usage(format!(
                    "tensor {name} is {other:?}; nnlab reads float32 or float64 tensors"
                )))
            }
        };
        let name = if name.starts_with(|c: char| c.is_ascii_digit()) {
            format!("network.{name}")
        } else {
            name
        };
        parameters.push(Parameter {
            name,
            shape: view.shape().to_vec(),
            values,
        });
    }
    parameters.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(parameters)
}
