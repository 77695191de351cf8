//! The network as candle layers, the way the notebook's `nn.Sequential` stacks them:
//! `Linear → activation → … → Linear → Sigmoid` (binary; multi-class and regression end on the
//! last `Linear`: logits or values), every weight a trainable `Var`.

use candle_core::{DType, Device, Result, Tensor, Var};
use candle_nn::{Linear, Module};
use nnlab_core::engine::parameter_name;
use nnlab_core::{Activation, ModelSpec, Parameter, Task};

/// `nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1), nn.Sigmoid())` and its kin.
pub struct Sequential {
    /// `network.0`, `network.2`, …: the Linear layers, input side first.
    linears: Vec<Linear>,
    /// Their weights and biases as trainable variables (what `model.parameters()` gives).
    vars: Vec<(Var, Var)>,
    /// One per hidden layer.
    activations: Vec<Activation>,
    task: Task,
}

impl Sequential {
    /// The layers of `spec` holding `parameters` (PyTorch layout), as `dtype` on `device`.
    pub fn new(
        spec: &ModelSpec,
        parameters: &[Parameter],
        dtype: DType,
        device: &Device,
    ) -> Result<Sequential> {
        let mut linears = Vec::new();
        let mut vars = Vec::new();
        for (l, &(n_in, n_out)) in spec.layer_sizes().iter().enumerate() {
            let find = |kind: &str, shape: &[usize]| {
                let name = parameter_name(l, kind);
                nnlab_core::engine::find_parameter(parameters, &name, shape)
                    .map_err(|e| candle_core::Error::Msg(e.to_string()))
            };
            let weight = find("weight", &[n_out, n_in])?;
            let bias = find("bias", &[n_out])?;
            let weight = Var::from_tensor(
                &Tensor::from_vec(weight.values.clone(), (n_out, n_in), device)?.to_dtype(dtype)?,
            )?;
            let bias = Var::from_tensor(
                &Tensor::from_vec(bias.values.clone(), n_out, device)?.to_dtype(dtype)?,
            )?;
            linears.push(Linear::new(
                weight.as_tensor().clone(),
                Some(bias.as_tensor().clone()),
            ));
            vars.push((weight, bias));
        }
        Ok(Sequential {
            linears,
            vars,
            activations: spec.activations().to_vec(),
            task: spec.task(),
        })
    }

    /// Every trainable variable, for the optimizer.
    pub fn parameters(&self) -> Vec<Var> {
        self.vars
            .iter()
            .flat_map(|(w, b)| [w.clone(), b.clone()])
            .collect()
    }

    /// The weights and biases, input side first.
    pub fn layers(&self) -> &[(Var, Var)] {
        &self.vars
    }
}

impl Module for Sequential {
    /// `forward(x) = self.network(x)`: the output layer, shape (m, K).
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let (output, hidden) = self
            .linears
            .split_last()
            .expect("a net has an output layer");
        let mut a = x.clone();
        for (linear, &activation) in hidden.iter().zip(&self.activations) {
            a = activate(activation, &linear.forward(&a)?)?; // a = f(a·Wᵀ + b)
        }
        let z = output.forward(&a)?; //                         z = a·Wᵀ + b
        activate(self.task.output_activation(), &z) //          ŷ = σ(z) (binary), z otherwise
    }
}

/// A hidden activation on a tensor.
///
/// ReLU and leaky ReLU are written with a mask m = [z > 0] that carries no gradient,
/// z·m + 0.01·(z − z·m), so that their derivative at z = 0 is PyTorch's (0, and 0.01) and the
/// hand-written engine's. candle's own `relu` has slope 1 at 0, and that differs from PyTorch as
/// soon as a unit's input is exactly 0 (a dead layer above a zero bias).
fn activate(activation: Activation, z: &Tensor) -> Result<Tensor> {
    let rectify = |below: f64| -> Result<Tensor> {
        let above = z.gt(0.0)?.to_dtype(z.dtype())?; //  1 where z > 0, else 0 (no gradient)
        let positive = (z * &above)?; //                  z where z > 0, else 0
        if below == 0.0 {
            return Ok(positive);
        }
        &positive + ((z - &positive)? * below)? //        + 0.01·z where z ≤ 0
    };
    match activation {
        Activation::Relu => rectify(0.0),
        Activation::LeakyRelu => rectify(nnlab_core::LEAKY_SLOPE),
        Activation::Tanh => z.tanh(),
        Activation::Sigmoid => candle_nn::ops::sigmoid(z),
        Activation::Linear => Ok(z.clone()),
    }
}
