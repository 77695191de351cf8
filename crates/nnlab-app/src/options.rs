//! The options of a run that are not numbers: which dataset, engine, initialisation, float type,
//! device and figure view, as the command line and files name them. With the `clap` feature they
//! are also clap `ValueEnum`s, so that the CLI parses them directly.

use serde::{Deserialize, Serialize};

/// The toy datasets nnlab can generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Generator {
    /// Two interleaving half circles (sklearn.datasets.make_moons).
    Moons,
    /// A small circle inside a large one (sklearn.datasets.make_circles).
    Circles,
    /// Gaussian clouds around centers (sklearn.datasets.make_blobs).
    Blobs,
    /// TensorFlow Playground's exclusive or: the sign of x·y (2 classes).
    Xor,
    /// TensorFlow Playground's two Gaussian clouds (2 classes).
    Gauss,
    /// TensorFlow Playground's spiral: K interleaved arms (--classes, 2 by default).
    Spiral,
    /// TensorFlow Playground's regression plane: the target grows with x + y.
    Plane,
    /// TensorFlow Playground's regression bumps: Gaussians of signed heights.
    #[cfg_attr(feature = "clap", value(name = "multi-gauss"))]
    #[serde(rename = "multi-gauss")]
    MultiGauss,
}

impl Generator {
    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Generator::Moons => "moons",
            Generator::Circles => "circles",
            Generator::Blobs => "blobs",
            Generator::Xor => "xor",
            Generator::Gauss => "gauss",
            Generator::Spiral => "spiral",
            Generator::Plane => "plane",
            Generator::MultiGauss => "multi-gauss",
        }
    }

    /// Whether it is one of TensorFlow Playground's datasets (whose noise is the Playground's).
    pub fn is_playground(self) -> bool {
        matches!(
            self,
            Generator::Xor
                | Generator::Gauss
                | Generator::Spiral
                | Generator::Plane
                | Generator::MultiGauss
        )
    }
}

/// The engines `nnlab train` can use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum EngineKind {
    /// Hand-written forward and backward passes in f64 (the notebook's Linear_NN_numpy).
    Manual,
    /// candle's autograd, float32 by default (the notebook's Linear_NN_torch).
    Autograd,
}

/// Where the initial weights come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum InitKind {
    /// np.random.seed(seed) and the numpy section's constructor.
    Notebook,
    /// torch.manual_seed(seed) and the PyTorch section's constructor.
    Torch,
    /// A safetensors file (--init-from).
    File,
}

/// The float type of an engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum DtypeArg {
    F32,
    F64,
}

/// The device of the autograd engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum DeviceArg {
    Cpu,
    Cuda,
}

/// What the decision-boundary figure colours.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum BoundaryView {
    /// The predicted class, ŷ > 0.5 (the notebook's picture).
    Class,
    /// The probability ŷ in ten bands, with the 0.5 contour.
    Probability,
}

/// The language of the figures' words: English (as the notebook's figures) or Russian (the
/// lesson's language).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum FigureLang {
    /// English, as the notebook's figures.
    #[default]
    En,
    /// Russian (русский), the language of the lesson.
    Ru,
}

impl From<FigureLang> for nnlab_plot::Lang {
    fn from(lang: FigureLang) -> nnlab_plot::Lang {
        match lang {
            FigureLang::En => nnlab_plot::Lang::En,
            FigureLang::Ru => nnlab_plot::Lang::Ru,
        }
    }
}

/// Adam's `betas`: the decay rates of the first and second moments.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Betas(pub f64, pub f64);

/// The generator's options (those that do not apply to a generator are `None`/false).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DatasetOptions {
    pub samples: u64,
    pub noise: Option<f64>,
    pub factor: Option<f64>,
    pub centers: Option<u64>,
    pub cluster_std: Option<f64>,
    pub features: Option<u64>,
    pub classes: Option<u64>,
    pub no_shuffle: bool,
}

/// Which figures to write and how.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FigureOptions {
    /// SVG copies beside the PNGs.
    pub svg: bool,
    /// What the decision boundary colours.
    pub boundary: BoundaryView,
    /// The language of the titles, axis labels and legends.
    pub lang: FigureLang,
}

/// A learning rate that takes over before an epoch: `--lr-at 100=0.03` (epochs count from 0).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LrChange {
    pub epoch: usize,
    pub lr: f64,
}

impl std::str::FromStr for LrChange {
    type Err = String;

    fn from_str(text: &str) -> Result<LrChange, String> {
        let usage =
            || format!("{text:?}: give EPOCH=LR, e.g. 100=0.03 (from epoch 100 on, lr 0.03)");
        let (epoch, lr) = text.split_once('=').ok_or_else(usage)?;
        let epoch = epoch.trim().parse().map_err(|_| usage())?;
        let lr: f64 = lr.trim().parse().map_err(|_| usage())?;
        if !(lr > 0.0 && lr.is_finite()) {
            return Err(format!(
                "{text:?}: the learning rate must be a finite number > 0"
            ));
        }
        Ok(LrChange { epoch, lr })
    }
}

impl std::fmt::Display for LrChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}={}", self.epoch, self.lr)
    }
}
