//! Activation functions and their derivatives, applied elementwise to a layer's pre-activation z.
//!
//! ```text
//! relu(z)       = max(0, z)              relu'(z)       = 1 if z > 0 else 0
//! leaky_relu(z) = z if z > 0 else 0.01·z leaky_relu'(z) = 1 if z > 0 else 0.01
//! tanh(z)                                tanh'(z)       = 1 − tanh(z)²
//! sigmoid(z)    = 1 / (1 + e^(−z))       sigmoid'(z)    = σ(z)·(1 − σ(z))
//! linear(z)     = z                      linear'(z)     = 1
//! ```
//!
//! `sigmoid` clips z to ±666 first, as the notebook does, so `e^(−z)` never overflows.

use std::fmt;
use std::str::FromStr;

use ndarray::Array2;

/// The slope of leaky ReLU for z ≤ 0.
pub const LEAKY_SLOPE: f64 = 0.01;

/// A hidden layer's activation function.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Activation {
    /// max(0, z): the notebook's choice.
    #[default]
    Relu,
    /// z for z > 0, 0.01·z otherwise.
    LeakyRelu,
    /// The hyperbolic tangent.
    Tanh,
    /// The logistic function 1 / (1 + e^(−z)).
    Sigmoid,
    /// The identity: the layer stays linear.
    Linear,
}

impl Activation {
    /// Every activation, in the order the CLI lists them.
    pub const ALL: [Activation; 5] = [
        Activation::Relu,
        Activation::LeakyRelu,
        Activation::Tanh,
        Activation::Sigmoid,
        Activation::Linear,
    ];

    /// f(z) for one value.
    pub fn value(self, z: f64) -> f64 {
        match self {
            Activation::Relu => z.max(0.0),
            Activation::LeakyRelu => {
                if z > 0.0 {
                    z
                } else {
                    LEAKY_SLOPE * z
                }
            }
            Activation::Tanh => z.tanh(),
            Activation::Sigmoid => sigmoid(z),
            Activation::Linear => z,
        }
    }

    /// f'(z) for one value.
    pub fn derivative(self, z: f64) -> f64 {
        match self {
            Activation::Relu => f64::from(u8::from(z > 0.0)),
            Activation::LeakyRelu => {
                if z > 0.0 {
                    1.0
                } else {
                    LEAKY_SLOPE
                }
            }
            Activation::Tanh => 1.0 - z.tanh().powi(2),
            Activation::Sigmoid => sigmoid(z) * (1.0 - sigmoid(z)),
            Activation::Linear => 1.0,
        }
    }

    /// a = f(z), elementwise.
    pub fn apply(self, z: &Array2<f64>) -> Array2<f64> {
        z.mapv(|z| self.value(z))
    }

    /// f'(z), elementwise.
    pub fn derivative_at(self, z: &Array2<f64>) -> Array2<f64> {
        z.mapv(|z| self.derivative(z))
    }

    /// The name used on the command line and in files.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Relu => "relu",
            Activation::LeakyRelu => "leaky-relu",
            Activation::Tanh => "tanh",
            Activation::Sigmoid => "sigmoid",
            Activation::Linear => "linear",
        }
    }
}

impl fmt::Display for Activation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Activation {
    type Err = String;

    fn from_str(text: &str) -> Result<Activation, String> {
        Activation::ALL
            .into_iter()
            .find(|a| a.name() == text)
            .ok_or_else(|| {
                let names: Vec<&str> = Activation::ALL.iter().map(|a| a.name()).collect();
                format!(
                    "unknown activation {text:?}: choose one of {}",
                    names.join(", ")
                )
            })
    }
}

/// σ(z) = 1 / (1 + e^(−clip(z, −666, 666))), exactly as the notebook writes it.
pub fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z.clamp(-666.0, 666.0)).exp())
}
