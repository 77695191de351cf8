//! Optimizers: how the gradients become an update, exactly as `torch.optim` computes it.
//!
//! An engine computes ∇θ of the batch's mean loss for every parameter tensor θ, then hands each
//! (θ, ∇θ) pair to [`Optimizer::step`] as a [`Slot`]. The step first adds the penalties to the
//! gradients of the weights (not the biases), TensorFlow Playground's regularisation:
//!
//! ```text
//! L1:  objective + l1·Σ|W|       g ← g + l1·sign(W)     (sign(0) = 0)
//! L2:  objective + (l2/2)·Σ W²   g ← g + l2·W
//! ```
//!
//! then applies the rule ([`sgd`], [`adam`]) to every tensor, each with its own state (momentum
//! buffers, Adam's moments), which lives here and not in the engine: replacing an engine's
//! parameters keeps the optimizer's state, as in PyTorch. The rules compute in f64; an engine
//! that computes in f32 rounds the updated parameters to f32.

pub mod adam;
pub mod sgd;

use std::fmt;
use std::str::FromStr;

use crate::CoreError;

/// One parameter tensor and its gradient, flattened (any layout, the same for both).
pub struct Slot<'a> {
    /// θ, updated in place.
    pub value: &'a mut [f64],
    /// ∇θ of the batch's mean loss; the penalties are added to it in place.
    pub grad: &'a mut [f64],
    /// A weight matrix (penalised), or a bias (not).
    pub is_weight: bool,
}

/// The update rules, as `--optimizer` names them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleKind {
    #[default]
    Sgd,
    Adam,
    AdamW,
}

impl RuleKind {
    pub const ALL: [RuleKind; 3] = [RuleKind::Sgd, RuleKind::Adam, RuleKind::AdamW];

    pub fn name(self) -> &'static str {
        match self {
            RuleKind::Sgd => "sgd",
            RuleKind::Adam => "adam",
            RuleKind::AdamW => "adamw",
        }
    }

    /// PyTorch's default weight decay: 0.01 for AdamW, 0 for the others.
    pub fn default_weight_decay(self) -> f64 {
        match self {
            RuleKind::AdamW => 0.01,
            RuleKind::Sgd | RuleKind::Adam => 0.0,
        }
    }
}

impl fmt::Display for RuleKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for RuleKind {
    type Err = String;

    fn from_str(text: &str) -> Result<RuleKind, String> {
        RuleKind::ALL
            .into_iter()
            .find(|r| r.name() == text)
            .ok_or_else(|| format!("unknown optimizer {text:?}: choose sgd, adam or adamw"))
    }
}

/// An update rule with its hyperparameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Rule {
    /// `optim.SGD(params, lr, momentum, dampening=0, weight_decay, nesterov)`.
    Sgd(sgd::Sgd),
    /// `optim.Adam(params, lr, betas, eps, weight_decay)` (decoupled = false) or
    /// `optim.AdamW(...)` (decoupled = true).
    Adam(adam::Adam),
}

/// The rule and the penalties, checked.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OptimizerConfig {
    rule: Rule,
    l1: f64,
    l2: f64,
}

impl Default for OptimizerConfig {
    /// Plain SGD, no penalties: the notebook's `optim.SGD(model.parameters(), lr=LR)`.
    fn default() -> Self {
        OptimizerConfig {
            rule: Rule::Sgd(sgd::Sgd::default()),
            l1: 0.0,
            l2: 0.0,
        }
    }
}

/// The hyperparameters of every rule, as the flags give them; those a rule does not use must be
/// left at their defaults (`None`, false).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RuleSettings {
    pub kind: RuleKind,
    pub momentum: Option<f64>,
    pub nesterov: bool,
    pub betas: Option<(f64, f64)>,
    pub eps: Option<f64>,
    /// `None`: PyTorch's default for the rule.
    pub weight_decay: Option<f64>,
}

impl OptimizerConfig {
    /// Checks every value: momentum in [0, 1), Nesterov only with momentum, betas in [0, 1), eps
    /// and decays finite and ≥ 0 (eps > 0), and no setting that the rule does not use.
    pub fn new(settings: RuleSettings, l1: f64, l2: f64) -> Result<Self, CoreError> {
        let non_negative = |name: &'static str, value: f64, example: &str| {
            if value >= 0.0 && value.is_finite() {
                Ok(value)
            } else {
                Err(CoreError::invalid(
                    name,
                    value,
                    format!("must be a finite number ≥ 0, e.g. {example}"),
                ))
            }
        };
        let l1 = non_negative("l1", l1, "0.001")?;
        let l2 = non_negative("l2", l2, "0.001")?;
        let kind = settings.kind;
        let weight_decay = non_negative(
            "weight-decay",
            settings.weight_decay.unwrap_or(kind.default_weight_decay()),
            "0.01",
        )?;
        let unused = |name: &'static str, value: String, what: &str| {
            Err(CoreError::invalid(
                name,
                value,
                format!("{what} (--optimizer {kind})"),
            ))
        };
        let rule = match kind {
            RuleKind::Sgd => {
                if let Some(betas) = settings.betas {
                    return unused(
                        "betas",
                        format!("{},{}", betas.0, betas.1),
                        "betas are Adam's: use --optimizer adam or adamw",
                    );
                }
                if let Some(eps) = settings.eps {
                    return unused(
                        "eps",
                        eps.to_string(),
                        "eps is Adam's: use --optimizer adam or adamw",
                    );
                }
                let momentum = settings.momentum.unwrap_or(0.0);
                if !(0.0..1.0).contains(&momentum) {
                    return Err(CoreError::invalid(
                        "momentum",
                        momentum,
                        "must be in [0, 1), e.g. 0.9",
                    ));
                }
                if settings.nesterov && momentum == 0.0 {
                    return Err(CoreError::invalid(
                        "nesterov",
                        "true",
                        "Nesterov momentum needs a momentum, e.g. --momentum 0.9 --nesterov",
                    ));
                }
                Rule::Sgd(sgd::Sgd {
                    momentum,
                    nesterov: settings.nesterov,
                    weight_decay,
                })
            }
            RuleKind::Adam | RuleKind::AdamW => {
                if let Some(momentum) = settings.momentum {
                    return unused(
                        "momentum",
                        momentum.to_string(),
                        "momentum is SGD's; Adam's are --betas B1,B2",
                    );
                }
                if settings.nesterov {
                    return unused("nesterov", "true".into(), "Nesterov momentum is SGD's");
                }
                let (beta1, beta2) = settings.betas.unwrap_or((0.9, 0.999));
                for beta in [beta1, beta2] {
                    if !(0.0..1.0).contains(&beta) {
                        return Err(CoreError::invalid(
                            "betas",
                            format!("{beta1},{beta2}"),
                            "both betas must be in [0, 1), e.g. 0.9,0.999",
                        ));
                    }
                }
                let eps = settings.eps.unwrap_or(1e-8);
                if !(eps > 0.0 && eps.is_finite()) {
                    return Err(CoreError::invalid(
                        "eps",
                        eps,
                        "must be a finite number > 0, e.g. 1e-8",
                    ));
                }
                Rule::Adam(adam::Adam {
                    beta1,
                    beta2,
                    eps,
                    weight_decay,
                    decoupled: kind == RuleKind::AdamW,
                })
            }
        };
        Ok(OptimizerConfig { rule, l1, l2 })
    }

    /// The update rule.
    pub fn rule(&self) -> Rule {
        self.rule
    }

    /// The rule's name.
    pub fn kind(&self) -> RuleKind {
        match self.rule {
            Rule::Sgd(_) => RuleKind::Sgd,
            Rule::Adam(adam) if adam.decoupled => RuleKind::AdamW,
            Rule::Adam(_) => RuleKind::Adam,
        }
    }

    /// The L1 and L2 penalties' strengths.
    pub fn penalties(&self) -> (f64, f64) {
        (self.l1, self.l2)
    }

    /// Whether the update is the notebook's θ ← θ − lr·g and nothing else: SGD without momentum
    /// or weight decay, no penalties, so no state. An engine on a GPU can then update its
    /// parameters where they are, with [`Optimizer::begin_step`] alone kept here.
    pub fn is_plain_sgd(&self) -> bool {
        let plain_rule = matches!(
            self.rule,
            Rule::Sgd(sgd::Sgd {
                momentum,
                nesterov: false,
                weight_decay,
            }) if momentum == 0.0 && weight_decay == 0.0
        );
        plain_rule && self.l1 == 0.0 && self.l2 == 0.0
    }

    /// One line for people: "adam (betas 0.9,0.999, eps 1e-8)", "sgd, momentum 0.9, nesterov".
    pub fn describe(&self) -> String {
        let mut text = match self.rule {
            Rule::Sgd(sgd) => {
                let mut text = String::from("sgd");
                if sgd.momentum > 0.0 {
                    text += &format!(", momentum {}", sgd.momentum);
                }
                if sgd.nesterov {
                    text += " (nesterov)";
                }
                if sgd.weight_decay > 0.0 {
                    text += &format!(", weight decay {}", sgd.weight_decay);
                }
                text
            }
            Rule::Adam(adam) => {
                let mut text = format!("{} (betas {},{}", self.kind(), adam.beta1, adam.beta2);
                if adam.eps != 1e-8 {
                    text += &format!(", eps {}", adam.eps);
                }
                text += ")";
                if adam.weight_decay > 0.0 {
                    text += &format!(", weight decay {}", adam.weight_decay);
                }
                text
            }
        };
        if self.l1 > 0.0 {
            text += &format!(", L1 {}", self.l1);
        }
        if self.l2 > 0.0 {
            text += &format!(", L2 {}", self.l2);
        }
        text
    }
}

/// A rule's state for one tensor: the momentum buffer, or Adam's first and second moments.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TensorState {
    /// SGD's momentum buffer / Adam's m (empty until the first step).
    pub first: Vec<f64>,
    /// Adam's v (empty for SGD).
    pub second: Vec<f64>,
}

/// A rule and its state, across every step of a run.
#[derive(Clone, Debug, PartialEq)]
pub struct Optimizer {
    config: OptimizerConfig,
    /// One per slot, in the order the engine gives them.
    state: Vec<TensorState>,
    /// Steps taken so far (Adam's t after the step).
    steps: u64,
}

impl Optimizer {
    /// A fresh optimizer: no state yet.
    pub fn new(config: OptimizerConfig) -> Optimizer {
        Optimizer {
            config,
            state: Vec::new(),
            steps: 0,
        }
    }

    /// Its settings.
    pub fn config(&self) -> &OptimizerConfig {
        &self.config
    }

    /// The number of steps taken.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// The state of every tensor, in the order the engine hands them over (for the hand-written
    /// engine: W and b of each layer, input side first); empty before the first step.
    pub fn state(&self) -> &[TensorState] {
        &self.state
    }

    /// One update of every slot with learning rate `lr`: penalties, then the rule.
    pub fn step(&mut self, slots: &mut [Slot<'_>], lr: f64) {
        let corrections = self.begin_step(slots.len(), lr);
        for (tensor, slot) in slots.iter_mut().enumerate() {
            self.update(tensor, slot, lr, corrections);
        }
    }

    /// The part of [`step`](Self::step) that concerns the step as a whole, for `tensors` slots:
    /// counts it and returns Adam's bias corrections. Then [`update`](Self::update) each slot in
    /// order. (The fast path hands its tensors over one at a time this way, with no list of them
    /// to allocate.)
    pub fn begin_step(&mut self, tensors: usize, lr: f64) -> adam::Corrections {
        if self.state.len() != tensors {
            self.state = vec![TensorState::default(); tensors];
        }
        self.steps += 1;
        // Adam's bias corrections depend on the step only: computed once for all the tensors.
        match self.config.rule {
            Rule::Adam(rule) => rule.corrections(lr, self.steps),
            Rule::Sgd(_) => adam::Corrections::default(),
        }
    }

    /// Updates slot number `tensor` of the step that [`begin_step`](Self::begin_step) began.
    pub fn update(
        &mut self,
        tensor: usize,
        slot: &mut Slot<'_>,
        lr: f64,
        corrections: adam::Corrections,
    ) {
        let (l1, l2) = (self.config.l1, self.config.l2);
        let state = &mut self.state[tensor];
        if slot.is_weight && (l1 > 0.0 || l2 > 0.0) {
            add_penalties(slot.value, slot.grad, l1, l2);
        }
        match self.config.rule {
            Rule::Sgd(rule) => rule.step(slot.value, slot.grad, state, lr),
            Rule::Adam(rule) => rule.step_corrected(slot.value, slot.grad, state, lr, corrections),
        }
    }
}

/// g ← g + l1·sign(W), then g ← g + l2·W (skipping a zero strength).
fn add_penalties(w: &[f64], g: &mut [f64], l1: f64, l2: f64) {
    for (g, &w) in g.iter_mut().zip(w) {
        if l1 > 0.0 {
            let sign = if w > 0.0 {
                1.0
            } else if w < 0.0 {
                -1.0
            } else {
                0.0
            };
            *g += l1 * sign; // ∂(l1·|W|)/∂W
        }
        if l2 > 0.0 {
            *g += l2 * w; //    ∂((l2/2)·W²)/∂W
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(kind: RuleKind) -> RuleSettings {
        RuleSettings {
            kind,
            ..RuleSettings::default()
        }
    }

    // Only θ ← θ − lr·g is plain: any momentum, decay, penalty or Adam keeps a state or
    // changes the gradient, and must go through `Optimizer::step`.
    #[test]
    fn only_the_notebooks_sgd_is_plain() {
        let config = |settings: RuleSettings, l1: f64, l2: f64| {
            OptimizerConfig::new(settings, l1, l2).unwrap()
        };
        assert!(OptimizerConfig::default().is_plain_sgd());
        assert!(config(settings(RuleKind::Sgd), 0.0, 0.0).is_plain_sgd());
        let sgd = |momentum, weight_decay| RuleSettings {
            momentum,
            weight_decay,
            ..settings(RuleKind::Sgd)
        };
        assert!(!config(sgd(Some(0.9), None), 0.0, 0.0).is_plain_sgd());
        assert!(!config(sgd(None, Some(0.01)), 0.0, 0.0).is_plain_sgd());
        assert!(!config(settings(RuleKind::Sgd), 0.001, 0.0).is_plain_sgd());
        assert!(!config(settings(RuleKind::Sgd), 0.0, 0.001).is_plain_sgd());
        assert!(!config(settings(RuleKind::Adam), 0.0, 0.0).is_plain_sgd());
        assert!(!config(settings(RuleKind::AdamW), 0.0, 0.0).is_plain_sgd());
    }

    #[test]
    fn bad_settings_name_their_flag() {
        let name = |result: Result<OptimizerConfig, CoreError>| match result {
            Err(CoreError::InvalidParameter { name, .. }) => name,
            other => panic!("expected an error, got {other:?}"),
        };
        let adam = |betas| RuleSettings {
            betas: Some(betas),
            ..settings(RuleKind::Adam)
        };
        assert_eq!(
            name(OptimizerConfig::new(adam((1.0, 0.9)), 0.0, 0.0)),
            "betas"
        );
        assert_eq!(
            name(OptimizerConfig::new(adam((0.9, -0.1)), 0.0, 0.0)),
            "betas"
        );
        assert_eq!(
            name(OptimizerConfig::new(settings(RuleKind::Sgd), -1.0, 0.0)),
            "l1"
        );
        assert_eq!(
            name(OptimizerConfig::new(settings(RuleKind::Sgd), 0.0, f64::NAN)),
            "l2"
        );
        let decay = RuleSettings {
            weight_decay: Some(-0.1),
            ..settings(RuleKind::AdamW)
        };
        assert_eq!(name(OptimizerConfig::new(decay, 0.0, 0.0)), "weight-decay");
        let nesterov = RuleSettings {
            nesterov: true,
            ..settings(RuleKind::Sgd)
        };
        assert_eq!(name(OptimizerConfig::new(nesterov, 0.0, 0.0)), "nesterov");
        let momentum = RuleSettings {
            momentum: Some(0.9),
            ..settings(RuleKind::Adam)
        };
        assert_eq!(name(OptimizerConfig::new(momentum, 0.0, 0.0)), "momentum");
    }

    #[test]
    fn adamw_decays_by_default_as_pytorch() {
        let config = OptimizerConfig::new(settings(RuleKind::AdamW), 0.0, 0.0).unwrap();
        match config.rule() {
            Rule::Adam(adam) => assert_eq!((adam.weight_decay, adam.decoupled), (0.01, true)),
            other => panic!("{other:?}"),
        }
        assert_eq!(config.kind(), RuleKind::AdamW);
    }

    // By hand: W = [2, 0, −3], g = [0.5, 0.5, 0.5], l1 = 0.1, l2 = 0.01:
    // g + 0.1·sign(W) + 0.01·W = [0.5 + 0.1 + 0.02, 0.5 + 0 + 0, 0.5 − 0.1 − 0.03] = [0.62, 0.5, 0.37];
    // the bias is not penalised; plain SGD with lr 1 then gives W − g.
    #[test]
    fn penalties_apply_to_weights_only() {
        let config = OptimizerConfig::new(settings(RuleKind::Sgd), 0.1, 0.01).unwrap();
        let mut optimizer = Optimizer::new(config);
        let (mut w, mut gw) = (vec![2.0, 0.0, -3.0], vec![0.5; 3]);
        let (mut b, mut gb) = (vec![1.0], vec![0.5]);
        optimizer.step(
            &mut [
                Slot {
                    value: &mut w,
                    grad: &mut gw,
                    is_weight: true,
                },
                Slot {
                    value: &mut b,
                    grad: &mut gb,
                    is_weight: false,
                },
            ],
            1.0,
        );
        let want = [2.0 - 0.62, -0.5, -3.0 - 0.37];
        for (w, want) in w.iter().zip(want) {
            assert!((w - want).abs() < 1e-15, "{w} vs {want}");
        }
        assert_eq!(b, vec![0.5]);
    }
}
