//! Stochastic gradient descent with momentum, as `torch.optim.SGD` (dampening 0).
//!
//! For every parameter θ with gradient g, at step t:
//!
//! ```text
//! g ← g + λ·θ                       weight decay λ (if λ ≠ 0)
//! b ← g               at t = 1      the momentum buffer starts as the first gradient
//! b ← μ·b + g         after         momentum μ (if μ ≠ 0)
//! g ← g + μ·b         Nesterov      (else g ← b)
//! θ ← θ − lr·g
//! ```
//!
//! With μ = 0 and λ = 0 this is the notebook's `θ ← θ − lr·g`.

use super::TensorState;

/// SGD's hyperparameters.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Sgd {
    /// μ, in [0, 1).
    pub momentum: f64,
    /// Look ahead along the momentum (needs μ > 0).
    pub nesterov: bool,
    /// λ, PyTorch's `weight_decay`: L2 added to the gradient, biases included.
    pub weight_decay: f64,
}

impl Sgd {
    /// One update of θ (`value`) with its gradient; `state.first` is the momentum buffer.
    pub fn step(&self, value: &mut [f64], grad: &mut [f64], state: &mut TensorState, lr: f64) {
        if self.weight_decay != 0.0 {
            for (g, &theta) in grad.iter_mut().zip(value.iter()) {
                *g += self.weight_decay * theta; //           g ← g + λ·θ
            }
        }
        if self.momentum != 0.0 {
            let buffer = &mut state.first;
            if buffer.is_empty() {
                buffer.extend_from_slice(grad); //            b ← g  (first step)
            } else {
                for (b, &g) in buffer.iter_mut().zip(grad.iter()) {
                    *b = self.momentum * *b + g; //           b ← μ·b + g
                }
            }
            for (g, &b) in grad.iter_mut().zip(buffer.iter()) {
                *g = if self.nesterov {
                    *g + self.momentum * b //                 g ← g + μ·b
                } else {
                    b //                                      g ← b
                };
            }
        }
        for (theta, &g) in value.iter_mut().zip(grad.iter()) {
            *theta -= lr * g; //                              θ ← θ − lr·g
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // By hand, μ = 0.5, lr = 0.1, θ₀ = 1, gradients 2 then 4:
    // t=1: b = 2, θ = 1 − 0.1·2 = 0.8;  t=2: b = 0.5·2 + 4 = 5, θ = 0.8 − 0.1·5 = 0.3.
    // Nesterov: t=1: b = 2, g = 2 + 0.5·2 = 3, θ = 0.7;  t=2: b = 5, g = 4 + 2.5 = 6.5, θ = 0.05.
    #[test]
    fn momentum_and_nesterov_by_hand() {
        for (nesterov, want) in [(false, [0.8, 0.3]), (true, [0.7, 0.05])] {
            let sgd = Sgd {
                momentum: 0.5,
                nesterov,
                weight_decay: 0.0,
            };
            let (mut theta, mut state) = (vec![1.0], TensorState::default());
            for (g, want) in [2.0, 4.0].into_iter().zip(want) {
                sgd.step(&mut theta, &mut [g], &mut state, 0.1);
                assert!(
                    (theta[0] - want).abs() < 1e-15,
                    "{nesterov}: {} vs {want}",
                    theta[0]
                );
            }
        }
    }
}
