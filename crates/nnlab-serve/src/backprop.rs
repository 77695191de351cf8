//! The backprop view: one neuron's numbers in one training step, each beside the notebook's line
//! that computes it (`Linear_NN_numpy.forward`, `.backward`, the update):
//!
//! ```text
//! forward    z = a_prev·W + b        self.z1 = np.dot(X, self.W1) + self.b1
//!            a = f(z)                self.a1 = self.relu(self.z1)
//! loss       ℓ = mean loss(ŷ, y)
//! backward   dz_L = ŷ − y            dz2 = y_pred - y_true.reshape(-1, 1)
//!            dz = (dz_next·W_nextᵀ) ⊙ f'(z)   dz1 = np.dot(dz2, self.W2.T) * self.relu_derivative(self.z1)
//!            dW = (1/m)·a_prevᵀ·dz   dW1 = (1/m) * np.dot(X.T, dz1)
//!            db = (1/m)·Σ dz         db1 = (1/m) * np.sum(dz1, axis=0, keepdims=True)
//! update     W ← W − lr·dW           self.W1 -= self.lr * dW1   (plain SGD)
//! ```
//!
//! The numbers come from the readable network (`Mlp`) on every training row, from the engine's
//! parameters as they stand: the step the next full-batch epoch takes.

use ndarray::Axis;
use nnlab_app::RunConfig;
use nnlab_core::{Engine, Mlp, RuleKind, Task, TrainData};
use serde_json::{json, Value};

use crate::error::{ApiError, ApiResult};

/// How many rows the view lists (the mean is over all of them).
const ROWS_SHOWN: usize = 5;

/// A column's first rows and its mean over all rows.
fn column(values: ndarray::ArrayView1<f64>) -> Value {
    let first: Vec<f64> = values.iter().take(ROWS_SHOWN).copied().collect();
    json!({"first": first, "mean": values.mean().unwrap_or(f64::NAN)})
}

/// The trace of unit `unit` of layer `layer` (0-based, the output layer last).
pub fn trace(
    engine: &dyn Engine,
    data: &TrainData,
    config: &RunConfig,
    epoch: usize,
    lr: f64,
    layer: usize,
    unit: usize,
) -> ApiResult<Value> {
    let spec = engine.spec();
    let mlp = Mlp::from_parameters(spec, &engine.parameters())
        .map_err(|e| ApiError::internal(e.to_string()))?;
    let Some(dense) = mlp.layers.get(layer) else {
        return Err(ApiError::bad(format!(
            "layer {layer}: the net has layers 0 to {} (the output layer last)",
            mlp.layers.len() - 1
        )));
    };
    if unit >= dense.b.len() {
        return Err(ApiError::bad(format!(
            "unit {unit}: layer {layer} has units 0 to {}",
            dense.b.len() - 1
        )));
    }
    let (x, y) = (data.x_train(), data.y_train());
    let pass = mlp.forward(x);
    let task = spec.task();
    let loss = task.loss(pass.output.view(), y.view());
    let trace = mlp.backward_trace(&pass, y.view(), task);
    let cache = &pass.caches[layer];
    let z = cache.z.column(unit);
    // a of this unit: the activation of its z, or for a multi-class output the softmax across
    // all the classes' z (its probability for class `unit`).
    let a = match task {
        Task::Multiclass { .. } if layer + 1 == mlp.layers.len() => {
            nnlab_core::softmax::softmax(cache.z.view())
                .column(unit)
                .insert_axis(Axis(1))
                .to_owned()
        }
        _ => dense
            .activation
            .apply(&cache.z.column(unit).insert_axis(Axis(1)).to_owned()),
    };
    let step = &trace[layer];
    let dz = step.dz.column(unit);
    let w = dense.w.column(unit);
    let dw = step.grads.dw.column(unit);
    let db = step.grads.db[unit];
    let output = layer + 1 == mlp.layers.len();
    let (n, n_prev) = (layer + 1, layer);
    let prev = if layer == 0 {
        "X".to_string()
    } else {
        format!("a{n_prev}")
    };
    let f = dense.activation.name();
    let (name_z, name_a) = (format!("z{n}"), format!("a{n}"));
    let equations = json!({
        "z": format!("{name_z} = {prev}·W{n} + b{n}        (self.{name_z} = np.dot({}, self.W{n}) + self.b{n})",
            if layer == 0 { "X".to_string() } else { format!("self.a{n_prev}") }),
        "a": if output {
            match task {
                Task::Binary => format!("{name_a} = sigmoid({name_z})        (self.{name_a} = self.sigmoid(self.{name_z}))"),
                Task::Multiclass { .. } => format!("{name_a} = softmax({name_z}) across the classes"),
                Task::Regression => format!("{name_a} = {name_z}        (a linear output)"),
            }
        } else {
            format!("{name_a} = {f}({name_z})        (self.{name_a} = self.{f}(self.{name_z}))")
        },
        "dz": if output {
            format!("dz{n} = ŷ − y        (dz{n} = y_pred - y_true.reshape(-1, 1))")
        } else {
            format!("dz{n} = (dz{}·W{}ᵀ) ⊙ {f}'({name_z})        (dz{n} = np.dot(dz{}, self.W{}.T) * self.{f}_derivative(self.{name_z}))",
                n + 1, n + 1, n + 1, n + 1)
        },
        "dw": format!("dW{n} = (1/m)·{prev}ᵀ·dz{n}        (dW{n} = (1/m) * np.dot({}.T, dz{n}))",
            if layer == 0 { "X".to_string() } else { format!("self.a{n_prev}") }),
        "db": format!("db{n} = (1/m)·Σ dz{n}        (db{n} = (1/m) * np.sum(dz{n}, axis=0, keepdims=True))"),
        "update": format!("W{n} ← W{n} − lr·dW{n}        (self.W{n} -= self.lr * dW{n})"),
    });
    let full_batch = config.batch_size.is_none_or(|b| b >= x.nrows());
    let plain_sgd = full_batch
        && config.optimizer == RuleKind::Sgd
        && config.momentum.unwrap_or(0.0) == 0.0
        && config.weight_decay.unwrap_or(0.0) == 0.0
        && config.l1 == 0.0
        && config.l2 == 0.0;
    let w_next: Vec<f64> = w.iter().zip(dw).map(|(w, g)| w - lr * g).collect();
    Ok(json!({
        "epoch": epoch,
        "layer": layer,
        "unit": unit,
        "output_layer": output,
        "rows": x.nrows(),
        "activation": match (output, task) {
            (true, Task::Binary) => "sigmoid",
            (true, Task::Multiclass { .. }) => "softmax",
            (true, Task::Regression) => "linear",
            (false, _) => f,
        },
        "loss": loss,
        "equations": equations,
        "forward": {
            "w": w.to_vec(),
            "b": dense.b[unit],
            "z": column(z),
            "a": column(a.column(0)),
        },
        "backward": {
            "dz": column(dz),
            "dw": dw.to_vec(),
            "db": db,
        },
        "update": {
            "lr": lr,
            "w_next": w_next,
            "b_next": dense.b[unit] - lr * db,
            "plain_sgd": plain_sgd,
            "note": if plain_sgd {
                "the next epoch's full-batch step, exactly as the notebook's update".to_string()
            } else if !full_batch {
                format!("the full-batch step over all {} rows; this run takes mini-batches of {} rows, each a step like this on its own rows", x.nrows(), config.batch_size.unwrap_or(0))
            } else {
                format!("plain SGD's step; {} changes it (momentum, Adam's scaling, decay or penalties)", config.optimizer)
            },
        },
    }))
}
