//! PyTorch's initial weights for the notebook's module, from `torch.manual_seed(seed)`.
//!
//! `Linear_NN_torch(...)` first builds `nn.Sequential(nn.Linear, nn.ReLU, ..., nn.Linear,
//! nn.Sigmoid)`; every `nn.Linear` draws its default initialisation as it is built:
//!
//! ```text
//! weight (out, in):  uniform_(−b, b),  b = sqrt(3) · gain / sqrt(fan_in),  gain = sqrt(2 / (1 + 5))
//!                    (kaiming_uniform_ with a = √5, i.e. b = 1/sqrt(fan_in))
//! bias (out):        uniform_(−1/sqrt(fan_in), 1/sqrt(fan_in))
//! ```
//!
//! Then `_initialize_weights` overwrites them, layer by layer (generalised from the notebook's two):
//!
//! ```text
//! hidden weight:  kaiming_normal_(nonlinearity='relu'):  normal_(0, sqrt(2) / sqrt(fan_in))
//! output weight:  xavier_normal_:                        normal_(0, sqrt(2 / (fan_in + fan_out)))
//! every bias:     constant_(0)
//! ```
//!
//! The default draws are thrown away but still move the generator, so they must be made.

use nnlab_core::engine::parameter_name;
use nnlab_core::{ModelSpec, Parameter};

use crate::torch_rng::TorchGenerator;

/// The parameters `torch.manual_seed(seed); Linear_NN_torch(...)` produces for `spec`, in
/// PyTorch's layout, as float32 values.
pub fn torch_init(spec: &ModelSpec, seed: u32) -> Vec<Parameter> {
    let mut generator = TorchGenerator::manual_seed(seed);
    let sizes = spec.layer_sizes();

    // nn.Linear(fan_in, fan_out).reset_parameters(), in the order the layers are built.
    let a = 5f64.sqrt();
    let leaky_gain = (2.0 / (1.0 + a * a)).sqrt(); // calculate_gain('leaky_relu', sqrt(5))
    for &(fan_in, fan_out) in &sizes {
        let bound = 3f64.sqrt() * (leaky_gain / (fan_in as f64).sqrt());
        generator.uniform(fan_out * fan_in, -bound, bound);
        let bias_bound = 1.0 / (fan_in as f64).sqrt();
        generator.uniform(fan_out, -bias_bound, bias_bound);
    }

    // _initialize_weights()
    let last = sizes.len() - 1;
    let mut parameters = Vec::with_capacity(2 * sizes.len());
    for (l, &(fan_in, fan_out)) in sizes.iter().enumerate() {
        let std = if l == last {
            (2.0 / (fan_in + fan_out) as f64).sqrt() // xavier_normal_, gain 1
        } else {
            2f64.sqrt() / (fan_in as f64).sqrt() // kaiming_normal_, gain sqrt(2), mode fan_in
        };
        let weight = generator.normal(fan_out * fan_in, 0.0, std);
        parameters.push(Parameter {
            name: parameter_name(l, "weight"),
            shape: vec![fan_out, fan_in],
            values: weight.into_iter().map(f64::from).collect(),
        });
        parameters.push(Parameter {
            name: parameter_name(l, "bias"),
            shape: vec![fan_out],
            values: vec![0.0; fan_out],
        });
    }
    parameters
}
