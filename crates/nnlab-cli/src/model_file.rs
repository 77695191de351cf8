//! `model.safetensors`: an engine's parameters in PyTorch's layout, readable by
//! `safetensors.torch.load_file` and loadable into the notebook's module with `load_state_dict`.

use std::collections::HashMap;

use anyhow::Context;
use nnlab_core::Parameter;
use safetensors::tensor::{Dtype, TensorView};

/// The safetensors bytes of `parameters` as float64 tensors, with `metadata` in the header
/// (`format: pt` is added, as PyTorch's own `save_file` does).
pub fn safetensors_bytes(
    parameters: &[Parameter],
    metadata: &[(&str, String)],
) -> anyhow::Result<Vec<u8>> {
    let buffers: Vec<Vec<u8>> = parameters
        .iter()
        .map(|p| p.values.iter().flat_map(|v| v.to_le_bytes()).collect())
        .collect();
    let views = parameters
        .iter()
        .zip(&buffers)
        .map(|(p, bytes)| {
            let view = TensorView::new(Dtype::F64, p.shape.clone(), bytes)
                .with_context(|| format!("tensor {} of shape {:?}", p.name, p.shape))?;
            Ok((p.name.clone(), view))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut info: HashMap<String, String> = metadata
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    info.insert("format".into(), "pt".into());
    safetensors::serialize(views, Some(info)).context("encoding model.safetensors")
}
