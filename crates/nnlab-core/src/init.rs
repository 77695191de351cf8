//! Initial weights.
//!
//! `notebook`: exactly `np.random.seed(seed)` followed by the notebook's constructor, generalised to
//! any depth. Layers draw in order, input side first, from one numpy `RandomState`:
//!
//! ```text
//! hidden layer:  W = randn(fan_in, fan_out) · sqrt(2 / fan_in)    (He/Kaiming, for ReLU)
//! output layer:  W = randn(fan_in, 1) · sqrt(1 / fan_in)          (Xavier-style, for sigmoid)
//! every bias:    b = 0
//! ```

use nnlab_data::RandomState;

use crate::{Mlp, ModelSpec};

/// The notebook's initialisation for `spec`, from numpy's generator seeded with `seed`.
pub fn notebook_init(spec: &ModelSpec, seed: u32) -> Mlp {
    let mut rng = RandomState::new(seed);
    let mut mlp = Mlp::zeros(spec);
    let last = mlp.layers.len() - 1;
    for (i, layer) in mlp.layers.iter_mut().enumerate() {
        let (fan_in, fan_out) = layer.w.dim();
        let gain = if i == last { 1.0 } else { 2.0 };
        let scale = (gain / fan_in as f64).sqrt(); // np.sqrt(2.0 / input_size), np.sqrt(1.0 / hidden_size)
        layer.w = rng.randn(fan_in, fan_out) * scale;
    }
    mlp
}
