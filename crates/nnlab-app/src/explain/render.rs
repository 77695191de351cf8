//! An [`Explanation`] as a document: plain text for a terminal, or Markdown (equations in `$…$`,
//! matrices as tables) that a teacher can hand out. Both are written from one list of sections,
//! so they say the same things in the same order.

use ndarray::{Array2, Axis};
use nnlab_core::optim::Rule;
use nnlab_core::{Activation, Task};

use super::{fd_floor, Explanation, TensorId, FD_EPSILON, FD_FLOOR};

/// How the explanation is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Format {
    /// Plain text with aligned matrices, for a terminal.
    Text,
    /// A Markdown document: headings, `$…$` equations, matrices as tables.
    Markdown,
}

/// The explanation written out.
pub fn render(explanation: &Explanation, format: Format) -> String {
    let document = document(explanation);
    match format {
        Format::Text => text(&document),
        Format::Markdown => markdown(&document),
    }
}

/// The relative error below which a gradient counts as agreeing with its finite difference.
pub const AGREES: f64 = 1e-6;

/// Nets with at most this many parameters list every gradient beside its finite difference;
/// bigger ones the worst entry of each tensor.
const LIST_EVERY_ENTRY: usize = 100;

/// An equation, as text and as LaTeX.
struct Equation {
    text: String,
    tex: String,
}

fn eq(text: impl Into<String>, tex: impl Into<String>) -> Equation {
    Equation {
        text: text.into(),
        tex: tex.into(),
    }
}

enum Item {
    /// A paragraph.
    Prose(String),
    /// A list of short lines.
    List(Vec<String>),
    /// An equation, its shapes, and its values with row and column labels.
    Matrix {
        equation: Equation,
        shape: String,
        values: Array2<f64>,
        rows: Vec<String>,
        columns: Vec<String>,
        /// What the rows and the columns are, in the table's top left corner: "input \\ unit"
        /// for a weight matrix (whose rows are bare numbers); empty where the row labels say it.
        corner: &'static str,
    },
    /// An equation and its one value.
    Scalar { equation: Equation, value: f64 },
    /// A table of text cells; columns after the first are right-aligned.
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
}

/// The corner of a weight matrix's table: its rows are the layer's inputs, its columns its units.
const WEIGHT_CORNER: &str = "input \\ unit";

struct Section {
    title: String,
    items: Vec<Item>,
}

/// n in subscript digits: 12 → ₁₂.
fn sub(n: usize) -> String {
    n.to_string()
        .chars()
        .map(|c| char::from_u32(0x2080 + c.to_digit(10).expect("a digit")).expect("a subscript"))
        .collect()
}

/// "W₁" and "W_1" for layer 0's weights.
fn tensor_name(tensor: TensorId) -> (String, String) {
    let letter = if tensor.is_weight { "W" } else { "b" };
    let l = tensor.layer + 1;
    (format!("{letter}{}", sub(l)), format!("{letter}_{{{l}}}"))
}

/// "(4×8)"; a bias "(8)".
fn shape(rows: usize, columns: usize) -> String {
    format!("({rows}×{columns})")
}

/// The activation a = f(z) and its derivative f'(z), as text and LaTeX, for layer `l` (1-based).
fn activation_equations(activation: Activation, l: usize) -> (Equation, Equation) {
    let (z, a, zt, at) = (
        format!("z{}", sub(l)),
        format!("a{}", sub(l)),
        format!("z_{{{l}}}"),
        format!("a_{{{l}}}"),
    );
    match activation {
        Activation::Relu => (
            eq(
                format!("{a} = relu({z}) = max(0, {z})"),
                format!("{at} = \\mathrm{{relu}}({zt}) = \\max(0, {zt})"),
            ),
            eq(
                format!("relu'({z}) = 1 where {z} > 0, else 0"),
                format!("\\mathrm{{relu}}'({zt}) = [{zt} > 0]"),
            ),
        ),
        Activation::LeakyRelu => (
            eq(
                format!("{a} = leaky_relu({z}) = {z} where {z} > 0, else 0.01·{z}"),
                format!("{at} = \\mathrm{{leaky}}({zt}) = \\max({zt}, 0.01 {zt})"),
            ),
            eq(
                format!("leaky_relu'({z}) = 1 where {z} > 0, else 0.01"),
                format!(
                    "\\mathrm{{leaky}}'({zt}) = 1 \\text{{ if }} {zt} > 0 \\text{{ else }} 0.01"
                ),
            ),
        ),
        Activation::Tanh => (
            eq(format!("{a} = tanh({z})"), format!("{at} = \\tanh({zt})")),
            eq(
                format!("tanh'({z}) = 1 − tanh({z})²"),
                format!("\\tanh'({zt}) = 1 - \\tanh^2({zt})"),
            ),
        ),
        Activation::Sigmoid => (
            eq(
                format!("{a} = σ({z}) = 1 / (1 + e^(−{z}))"),
                format!("{at} = \\sigma({zt}) = 1 / (1 + e^{{-{zt}}})"),
            ),
            eq(
                format!("σ'({z}) = σ({z})·(1 − σ({z}))"),
                format!("\\sigma'({zt}) = \\sigma({zt})(1 - \\sigma({zt}))"),
            ),
        ),
        Activation::Linear => (
            eq(format!("{a} = {z}  (linear)"), format!("{at} = {zt}")),
            eq(
                format!("linear'({z}) = 1"),
                format!("\\mathrm{{linear}}'({zt}) = 1"),
            ),
        ),
    }
}

/// A bias (or any vector) as one row.
fn row(values: &ndarray::Array1<f64>) -> Array2<f64> {
    values.clone().insert_axis(Axis(0))
}

fn indices(n: usize) -> Vec<String> {
    (0..n).map(|j| j.to_string()).collect()
}

fn document(e: &Explanation) -> Vec<Section> {
    let task = e.spec.task();
    let m = e.rows.len();
    let layers = e.before.layers.len();
    let row_labels: Vec<String> = e.rows.iter().map(|r| format!("row {r}")).collect();
    let width = |l: usize| e.before.layers[l].w.ncols(); // units of layer l (0-based)
    let n_in = e.spec.input_size();
    // the input of layer l (1-based): X for the first, a_{l−1} after
    let input = |l: usize| {
        if l == 1 {
            ("X".to_string(), "X".to_string())
        } else {
            (format!("a{}", sub(l - 1)), format!("a_{{{}}}", l - 1))
        }
    };
    let mut sections = Vec::new();

    // The settings and the rows.
    let mut intro = vec![Item::List(e.settings.clone())];
    for note in &e.notes {
        intro.push(Item::Prose(note.clone()));
    }
    let (rows, these) = match e.rows.len() {
        1 => ("row", "The row is training row"),
        _ => ("rows", "The rows are training rows"),
    };
    intro.push(Item::Prose(format!(
        "{these} {} of {} (0-based, after the split; {rows} {} of the data before it), scaled as the network sees them. Every number below comes from nnlab's readable engine in f64.",
        join(&e.rows),
        e.train_rows,
        join(&e.data_rows),
    )));
    intro.push(Item::Matrix {
        equation: eq("X", "X"),
        shape: shape(m, n_in),
        values: e.x.clone(),
        rows: row_labels.clone(),
        columns: e.input_names.clone(),
        corner: "",
    });
    let (target_text, target_tex) = match task {
        Task::Binary => ("y, the class (0 or 1)", "y"),
        Task::Multiclass { .. } => ("y, the class index", "y"),
        Task::Regression => ("y, the target value", "y"),
    };
    intro.push(Item::Matrix {
        equation: eq(target_text, target_tex),
        shape: format!("({m})"),
        values: e.y.clone().insert_axis(Axis(1)),
        rows: row_labels.clone(),
        columns: vec!["y".into()],
        corner: "",
    });
    if let Task::Multiclass { classes } = task {
        let mut onehot = Array2::zeros((m, classes));
        for (i, &y) in e.y.iter().enumerate() {
            onehot[[i, y as usize]] = 1.0;
        }
        intro.push(Item::Matrix {
            equation: eq("Y = one-hot(y)", "Y = \\mathrm{onehot}(y)"),
            shape: shape(m, classes),
            values: onehot,
            rows: row_labels.clone(),
            columns: indices(classes),
            corner: "",
        });
    }
    sections.push(Section {
        title: "One training step, taken apart".into(),
        items: intro,
    });

    // The weights before the step.
    let mut items = vec![Item::Prose(
        "The initial weights, as nnlab train starts from them: W has one row per input and one column per unit of the layer.".into(),
    )];
    for (l, dense) in e.before.layers.iter().enumerate() {
        let (n_in, n_out) = dense.w.dim();
        for (is_weight, values, shape_text) in [
            (true, dense.w.clone(), shape(n_in, n_out)),
            (false, row(&dense.b), format!("({n_out})")),
        ] {
            let (text, tex) = tensor_name(TensorId {
                layer: l,
                is_weight,
            });
            items.push(Item::Matrix {
                equation: eq(text, tex),
                shape: shape_text,
                rows: if is_weight {
                    indices(n_in)
                } else {
                    vec![String::new()]
                },
                columns: indices(n_out),
                corner: if is_weight { WEIGHT_CORNER } else { "" },
                values,
            });
        }
    }
    sections.push(Section {
        title: "The weights before the step".into(),
        items,
    });

    // Forward.
    let mut items = vec![Item::Prose(
        "Each layer multiplies its input by W, adds b to every row (z), then applies its activation (a). One row of each matrix per chosen row of X.".into(),
    )];
    for l in 1..=layers {
        let dense = &e.before.layers[l - 1];
        let cache = &e.forward.caches[l - 1];
        let (n_prev, n_out) = dense.w.dim();
        let (a_prev, a_prev_tex) = input(l);
        items.push(Item::Matrix {
            equation: eq(
                format!("z{} = {a_prev}·W{} + b{}", sub(l), sub(l), sub(l)),
                format!("z_{{{l}}} = {a_prev_tex} W_{{{l}}} + b_{{{l}}}"),
            ),
            shape: format!(
                "{}·{} + ({n_out}) → {}",
                shape(m, n_prev),
                shape(n_prev, n_out),
                shape(m, n_out)
            ),
            values: cache.z.clone(),
            rows: row_labels.clone(),
            columns: indices(n_out),
            corner: "",
        });
        if l < layers {
            let (activation, _) = activation_equations(dense.activation, l);
            items.push(Item::Matrix {
                equation: activation,
                shape: shape(m, n_out),
                values: e.forward.caches[l].x.clone(),
                rows: row_labels.clone(),
                columns: indices(n_out),
                corner: "",
            });
            continue;
        }
        match task {
            Task::Binary => items.push(Item::Matrix {
                equation: eq(
                    format!("ŷ = σ(z{l}) = 1 / (1 + e^(−z{l}))", l = sub(l)),
                    format!("\\hat y = \\sigma(z_{{{l}}}) = 1 / (1 + e^{{-z_{{{l}}}}})"),
                ),
                shape: shape(m, 1),
                values: e.forward.output.clone(),
                rows: row_labels.clone(),
                columns: vec!["ŷ".into()],
                corner: "",
            }),
            Task::Multiclass { classes } => {
                items.push(Item::Prose(format!(
                    "z{} holds one logit per class; softmax turns each row into probabilities that add up to 1, and the predicted class is the largest.",
                    sub(l)
                )));
                items.push(Item::Matrix {
                    equation: eq(
                        format!("p = softmax(z{}),  pᵢₖ = e^(zᵢₖ) / Σⱼ e^(zᵢⱼ)", sub(l)),
                        format!("p = \\mathrm{{softmax}}(z_{{{l}}}),\\quad p_{{ik}} = e^{{z_{{{l},ik}}}} / \\sum_j e^{{z_{{{l},ij}}}}"),
                    ),
                    shape: shape(m, classes),
                    values: e.probabilities.clone().expect("a multi-class task has probabilities"),
                    rows: row_labels.clone(),
                    columns: indices(classes),
                    corner: "",
                });
            }
            Task::Regression => items.push(Item::Prose(format!(
                "The output unit is linear: ŷ = z{}.",
                sub(l)
            ))),
        }
    }
    let (loss_row, loss_row_tex, mean_tex) = match task {
        Task::Binary => (
            "ℓᵢ = −[yᵢ·log ŷᵢ + (1 − yᵢ)·log(1 − ŷᵢ)]   binary cross-entropy",
            "\\ell_i = -[y_i \\log \\hat y_i + (1 - y_i) \\log(1 - \\hat y_i)]",
            "L = \\frac{1}{m} \\sum_i \\ell_i",
        ),
        Task::Multiclass { .. } => (
            "ℓᵢ = −log pᵢ,yᵢ   cross-entropy: minus the log of the true class's probability",
            "\\ell_i = -\\log p_{i, y_i}",
            "L = \\frac{1}{m} \\sum_i \\ell_i",
        ),
        Task::Regression => (
            "ℓᵢ = (ŷᵢ − yᵢ)²   squared error",
            "\\ell_i = (\\hat y_i - y_i)^2",
            "L = \\frac{1}{m} \\sum_i \\ell_i",
        ),
    };
    items.push(Item::Matrix {
        equation: eq(loss_row, loss_row_tex),
        shape: format!("({m})"),
        values: e.row_losses.clone().insert_axis(Axis(1)),
        rows: row_labels.clone(),
        columns: vec!["ℓ".into()],
        corner: "",
    });
    items.push(Item::Scalar {
        equation: eq("L = (1/m)·Σᵢ ℓᵢ", mean_tex),
        value: e.loss,
    });
    sections.push(Section {
        title: "Forward pass".into(),
        items,
    });

    // Backward.
    let (dz_text, dz_tex, why) = match task {
        Task::Binary => (
            "ŷ − y",
            "\\hat y - y",
            "σ and binary cross-entropy together have this simple derivative (the notebook's dz2 = y_pred - y_true)",
        ),
        Task::Multiclass { .. } => (
            "p − Y",
            "p - Y",
            "softmax and cross-entropy together have this simple derivative",
        ),
        Task::Regression => (
            "2·(ŷ − y)",
            "2(\\hat y - y)",
            "that is the derivative of (ŷ − y)², the output unit being linear",
        ),
    };
    let mut items = vec![Item::Prose(format!(
        "Backward from the loss, layer by layer, as the notebook's backward cell. dz is ∂ℓᵢ/∂z for each row, the gradient of that row's own loss; the 1/m of the mean comes in dW and db. The gradients are those of L, the mean over the m = {m} {}.", if m == 1 { "row" } else { "rows" }
    ))];
    for l in (1..=layers).rev() {
        let trace = &e.backward[l - 1];
        let dense = &e.before.layers[l - 1];
        let (n_prev, n_out) = dense.w.dim();
        if l == layers {
            items.push(Item::Prose(format!(
                "The output layer first: dz{} = {dz_text}, because {why}.",
                sub(l)
            )));
            items.push(Item::Matrix {
                equation: eq(
                    format!("dz{} = {dz_text}", sub(l)),
                    format!("dz_{{{l}}} = {dz_tex}"),
                ),
                shape: shape(m, n_out),
                values: trace.dz.clone(),
                rows: row_labels.clone(),
                columns: indices(n_out),
                corner: "",
            });
        } else {
            let n_next = width(l);
            items.push(Item::Matrix {
                equation: eq(
                    format!("da{} = dz{}·W{}ᵀ", sub(l), sub(l + 1), sub(l + 1)),
                    format!("da_{{{l}}} = dz_{{{}}} W_{{{}}}^\\top", l + 1, l + 1),
                ),
                shape: format!(
                    "{}·{} → {}",
                    shape(m, n_next),
                    shape(n_next, n_out),
                    shape(m, n_out)
                ),
                values: e.backward[l].dx.clone(),
                rows: row_labels.clone(),
                columns: indices(n_out),
                corner: "",
            });
            let (_, derivative) = activation_equations(dense.activation, l);
            items.push(Item::Matrix {
                equation: derivative,
                shape: shape(m, n_out),
                values: dense.activation.derivative_at(&e.forward.caches[l - 1].z),
                rows: row_labels.clone(),
                columns: indices(n_out),
                corner: "",
            });
            items.push(Item::Matrix {
                equation: eq(
                    format!(
                        "dz{} = da{} ⊙ {}'(z{})   (⊙: element by element)",
                        sub(l),
                        sub(l),
                        short_name(dense.activation),
                        sub(l)
                    ),
                    format!(
                        "dz_{{{l}}} = da_{{{l}}} \\odot {}'(z_{{{l}}})",
                        short_tex(dense.activation)
                    ),
                ),
                shape: shape(m, n_out),
                values: trace.dz.clone(),
                rows: row_labels.clone(),
                columns: indices(n_out),
                corner: "",
            });
        }
        let (a_prev, a_prev_tex) = input(l);
        items.push(Item::Matrix {
            equation: eq(
                format!("dW{} = {a_prev}ᵀ·dz{} / m", sub(l), sub(l)),
                format!("dW_{{{l}}} = {a_prev_tex}^\\top dz_{{{l}}} / m"),
            ),
            shape: format!(
                "{}·{} → {}",
                shape(n_prev, m),
                shape(m, n_out),
                shape(n_prev, n_out)
            ),
            values: trace.grads.dw.clone(),
            rows: indices(n_prev),
            columns: indices(n_out),
            corner: WEIGHT_CORNER,
        });
        items.push(Item::Matrix {
            equation: eq(
                format!(
                    "db{} = Σᵢ dz{} / m   (the sum over the rows)",
                    sub(l),
                    sub(l)
                ),
                format!("db_{{{l}}} = \\frac{{1}}{{m}} \\sum_i dz_{{{l},i}}"),
            ),
            shape: format!("({n_out})"),
            values: row(&trace.grads.db),
            rows: vec![String::new()],
            columns: indices(n_out),
            corner: "",
        });
    }
    sections.push(Section {
        title: "Backward pass".into(),
        items,
    });

    sections.push(check_section(e));
    sections.push(update_section(e));
    sections
}

fn short_name(activation: Activation) -> &'static str {
    match activation {
        Activation::Sigmoid => "σ",
        Activation::LeakyRelu => "leaky_relu",
        other => other.name(),
    }
}

fn short_tex(activation: Activation) -> &'static str {
    match activation {
        Activation::Relu => "\\mathrm{relu}",
        Activation::LeakyRelu => "\\mathrm{leaky}",
        Activation::Tanh => "\\tanh",
        Activation::Sigmoid => "\\sigma",
        Activation::Linear => "\\mathrm{linear}",
    }
}

fn join(values: &[usize]) -> String {
    values
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// "W₁[0,3]" or "b₁[3]".
fn entry_name(tensor: TensorId, index: (usize, usize)) -> String {
    let (name, _) = tensor_name(tensor);
    if tensor.is_weight {
        format!("{name}[{},{}]", index.0, index.1)
    } else {
        format!("{name}[{}]", index.1)
    }
}

fn check_section(e: &Explanation) -> Section {
    // The floor is 1e-4 for a loss up to 1, else 1e-4 × L (see `fd_floor`).
    let floor = fd_floor(e.loss);
    let (floor_text, floor_value, good_to) = if floor == FD_FLOOR {
        let value = format!("{FD_FLOOR:e}");
        (value.clone(), value, "about 1e-10".to_string())
    } else {
        (
            format!("{FD_FLOOR:e}·L = {}", short(floor)),
            short(floor),
            format!("about 1e-10·L = {}", short(floor * 1e-6)),
        )
    };
    let mut items = vec![Item::Prose(format!(
        "Is the backward pass right? Move one parameter θ by ±ε and run the forward pass again: the slope of L, fd = (L(θ + ε) − L(θ − ε)) / (2ε) with ε = {FD_EPSILON:e}, must equal the gradient g that backward computed. Relative error = |g − fd| / max(|g|, |fd|, {floor_text}); below {AGREES:e} the two agree. (A finite difference is itself only good to {good_to}, rounding included: so gradients smaller than {floor_value} are judged by their difference alone.)"
    ))];
    let parameters: usize = e.checks.iter().map(|c| c.gradient.len()).sum();
    let mut worst_overall = (0.0, String::new());
    let mut summary = Vec::new();
    for check in &e.checks {
        let (worst, at) = check.worst();
        let name = entry_name(check.tensor, at);
        if worst > worst_overall.0 || worst_overall.1.is_empty() {
            worst_overall = (worst, name.clone());
        }
        let (rows, columns) = check.gradient.dim();
        summary.push(vec![
            tensor_name(check.tensor).0,
            if check.tensor.is_weight {
                shape(rows, columns)
            } else {
                format!("({columns})")
            },
            short(worst),
            name,
            format!("{:.6e}", check.gradient[at]),
            format!("{:.6e}", check.finite_difference[at]),
        ]);
    }
    items.push(Item::Table {
        header: [
            "tensor",
            "shape",
            "worst rel. error",
            "at",
            "g there",
            "fd there",
        ]
        .map(String::from)
        .to_vec(),
        rows: summary,
    });
    let failing: usize = e
        .checks
        .iter()
        .map(|c| {
            c.relative_error
                .iter()
                .filter(|&&r| r >= AGREES || r.is_nan())
                .count()
        })
        .sum();
    items.push(Item::Prose(if failing == 0 {
        format!(
            "All {parameters} gradients agree with their finite differences; the worst relative error is {:.1e} ({}).",
            worst_overall.0, worst_overall.1
        )
    } else {
        format!(
            "{failing} of {parameters} gradients differ from their finite differences by more than {AGREES:e} (worst: {:.1e} at {}). With ReLU this happens where a z lies within ε of 0, the kink where the slope jumps; otherwise the backward pass has a mistake.",
            worst_overall.0, worst_overall.1
        )
    }));
    if parameters <= LIST_EVERY_ENTRY {
        let mut rows = Vec::new();
        for check in &e.checks {
            for (index, &g) in check.gradient.indexed_iter() {
                rows.push(vec![
                    entry_name(check.tensor, index),
                    format!("{g:.8}"),
                    format!("{:.8}", check.finite_difference[index]),
                    short(check.relative_error[index]),
                ]);
            }
        }
        items.push(Item::Table {
            header: ["parameter", "g (backward)", "fd", "rel. error"]
                .map(String::from)
                .to_vec(),
            rows,
        });
    }
    Section {
        title: "Gradient check: backward against finite differences".into(),
        items,
    }
}

fn update_section(e: &Explanation) -> Section {
    let update = &e.update;
    let lr = update.lr;
    let (l1, l2) = update.optimizer.penalties();
    let mut items = Vec::new();
    let mut rules = Vec::new();
    if l1 > 0.0 || l2 > 0.0 {
        let mut terms = String::from("g = dW");
        if l1 > 0.0 {
            terms += " + l1·sign(W)";
        }
        if l2 > 0.0 {
            terms += " + l2·W";
        }
        rules.push(format!(
            "{terms} for the weights (l1 = {l1}, l2 = {l2}: the penalty's gradient); g = db for the biases"
        ));
    }
    let rule = update.optimizer.rule();
    let (state_names, step_text, step_tex) = match rule {
        Rule::Sgd(sgd) => {
            if sgd.weight_decay != 0.0 {
                rules.push(format!(
                    "g ← g + λ·θ for every tensor (weight decay λ = {})",
                    sgd.weight_decay
                ));
            }
            if sgd.momentum == 0.0 {
                rules.push(format!(
                    "θ ← θ − lr·g with lr = {lr}: plain gradient descent, the notebook's W -= lr·dW"
                ));
                (vec![], "{θ} − lr·{g}", "{θ} - \\mathrm{lr} \\cdot {g}")
            } else if sgd.nesterov {
                rules.push(format!(
                    "b ← g: the momentum buffer starts as this first gradient (later steps: b ← μ·b + g, μ = {})",
                    sgd.momentum
                ));
                rules.push(format!(
                    "θ ← θ − lr·(g + μ·b) with lr = {lr}: Nesterov's look-ahead"
                ));
                (
                    vec!["b, the momentum buffer"],
                    "{θ} − lr·({g} + μ·b)",
                    "{θ} - \\mathrm{lr} \\cdot ({g} + \\mu b)",
                )
            } else {
                rules.push(format!(
                    "b ← g: the momentum buffer starts as this first gradient (later steps: b ← μ·b + g, μ = {})",
                    sgd.momentum
                ));
                rules.push(format!(
                    "θ ← θ − lr·b with lr = {lr}: on this first step the same as plain gradient descent"
                ));
                (
                    vec!["b, the momentum buffer"],
                    "{θ} − lr·b",
                    "{θ} - \\mathrm{lr} \\cdot b",
                )
            }
        }
        Rule::Adam(adam) => {
            if adam.weight_decay != 0.0 {
                rules.push(if adam.decoupled {
                    format!(
                        "θ ← θ·(1 − lr·λ) first (AdamW's decoupled weight decay, λ = {})",
                        adam.weight_decay
                    )
                } else {
                    format!(
                        "g ← g + λ·θ for every tensor (weight decay λ = {})",
                        adam.weight_decay
                    )
                });
            }
            let (b1, b2) = (adam.beta1, adam.beta2);
            rules.push(format!(
                "m ← β₁·m + (1 − β₁)·g and v ← β₂·v + (1 − β₂)·g², from m = v = 0 (β₁ = {b1}, β₂ = {b2}); this m is Adam's first moment, a tensor shaped as θ, not the number of rows m above"
            ));
            rules.push(format!(
                "m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ) with t = 1: the bias corrections divide by {} and {}, so m̂ = g and v̂ = g²",
                trim(1.0 - b1),
                trim(1.0 - b2)
            ));
            rules.push(format!(
                "θ ← θ − lr·m̂ / (√v̂ + ε) with lr = {lr}, ε = {:e}: on this first step every parameter moves by about lr·sign(g), whatever the size of its gradient (one whose gradient is 0 stays where it is)",
                adam.eps
            ));
            (
                vec!["m, the first moment", "v, the second moment"],
                "{θ} − lr·m̂ / (√v̂ + ε)",
                "{θ} - \\mathrm{lr} \\cdot \\hat m / (\\sqrt{\\hat v} + \\epsilon)",
            )
        }
    };
    items.push(Item::Prose(format!(
        "The optimizer, {}, turns each gradient g into the step, tensor by tensor:",
        update.optimizer.describe()
    )));
    items.push(Item::List(rules));
    for tensor in &update.tensors {
        let (name, tex) = tensor_name(tensor.tensor);
        let (rows, columns) = tensor.before.dim();
        let (row_labels, shape_text) = if tensor.tensor.is_weight {
            (indices(rows), shape(rows, columns))
        } else {
            (vec![String::new()], format!("({columns})"))
        };
        let matrix = |equation: Equation, values: &Array2<f64>| Item::Matrix {
            equation,
            shape: shape_text.clone(),
            values: values.clone(),
            rows: row_labels.clone(),
            columns: indices(columns),
            corner: if tensor.tensor.is_weight {
                WEIGHT_CORNER
            } else {
                ""
            },
        };
        let d = format!("d{name}");
        if tensor.penalised {
            items.push(matrix(
                eq(
                    format!("g for {name}  ({d} with its penalty or decay)"),
                    format!("g_{{{tex}}}"),
                ),
                &tensor.gradient,
            ));
        }
        let states = [&tensor.first, &tensor.second];
        for (label, state) in state_names.iter().zip(states) {
            if let Some(values) = state {
                items.push(matrix(
                    eq(
                        format!("{label} of {name}"),
                        match label.split_once(", ") {
                            Some((symbol, what)) => {
                                format!("{symbol}\\ \\text{{({what}) of}}\\ {tex}")
                            }
                            None => format!("{label}\\ \\text{{of}}\\ {tex}"),
                        },
                    ),
                    values,
                ));
            }
        }
        let (g, g_tex) = if tensor.penalised {
            ("g".to_string(), "g".to_string())
        } else {
            (d.clone(), format!("d{tex}"))
        };
        let text = step_text.replace("{θ}", &name).replace("{g}", &g);
        let step = step_tex.replace("{θ}", &tex).replace("{g}", &g_tex);
        items.push(matrix(
            eq(
                format!("{name} ← {text}"),
                format!("{tex} \\leftarrow {step}"),
            ),
            &tensor.after,
        ));
    }
    let (before, after) = (e.loss, e.update.loss_after);
    let verdict = if after < before {
        format!("it went down by {:.6}", before - after)
    } else {
        format!(
            "it went up by {:.6}: the step overshot (a learning rate this large jumps past the valley)",
            after - before
        )
    };
    items.push(Item::Prose(format!(
        "Did the loss go down? A forward pass on the same rows with the new weights gives L = {after:.6}, against {before:.6} before the step: {verdict}."
    )));
    Section {
        title: format!("The update (lr = {lr})"),
        items,
    }
}

/// 1 − 0.9 as 0.1, not 0.09999999999999998.
fn trim(value: f64) -> String {
    let text = format!("{value:.12}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.to_string()
}

/// How a matrix's numbers are written: whole numbers as such (classes, one-hot rows, ReLU's
/// slopes), else fixed with 4 decimals, or in scientific notation (0 as 0) when every value is
/// below 0.005 (so small gradients do not all read 0.0000) or some are huge. −0 is written 0.
fn number_style(values: &Array2<f64>) -> fn(f64) -> String {
    let largest = values.iter().fold(0.0f64, |a, &v| a.max(v.abs()));
    if values.iter().all(|v| v.fract() == 0.0 && v.abs() < 1e6) {
        |v| format!("{:.0}", v + 0.0)
    } else if (0.005..1e5).contains(&largest) || largest.is_nan() {
        |v| format!("{:.4}", v + 0.0)
    } else {
        |v| {
            if v == 0.0 {
                "0".into()
            } else {
                format!("{v:.3e}")
            }
        }
    }
}

/// A relative error, short: 2.4e-8, or 0.
fn short(value: f64) -> String {
    if value == 0.0 {
        "0".into()
    } else {
        format!("{value:.1e}")
    }
}

/// The widest text line a matrix may take before its columns wrap into blocks.
const TEXT_WIDTH: usize = 100;

fn text(document: &[Section]) -> String {
    let mut out = String::new();
    for (s, section) in document.iter().enumerate() {
        if s > 0 {
            out.push('\n');
        }
        out += &section.title;
        out.push('\n');
        out += &"=".repeat(section.title.chars().count());
        out.push('\n');
        for item in &section.items {
            out.push('\n');
            match item {
                Item::Prose(text) => out += &wrap(text, TEXT_WIDTH, "", ""),
                Item::List(lines) => {
                    for line in lines {
                        out += &wrap(line, TEXT_WIDTH, "  ", "    ");
                    }
                }
                Item::Scalar { equation, value } => {
                    out += &format!("{} = {value:.6}\n", equation.text);
                }
                Item::Matrix {
                    equation,
                    shape,
                    values,
                    rows,
                    columns,
                    corner,
                } => {
                    let head = &equation.text;
                    let pad = 44usize.saturating_sub(head.chars().count()).max(3);
                    out += &format!("{head}{}{shape}\n", " ".repeat(pad));
                    out += &text_matrix(values, corner, rows, columns);
                }
                Item::Table { header, rows } => out += &text_table(header, rows),
            }
        }
    }
    out
}

/// Words wrapped at `width`, the first line starting with `indent`, the others with `hanging`.
fn wrap(text: &str, width: usize, indent: &str, hanging: &str) -> String {
    let mut out = String::new();
    let mut line = String::from(indent);
    for word in text.split_whitespace() {
        let fits = line.chars().count() + 1 + word.chars().count() <= width;
        if line.trim().is_empty() {
            line.push_str(word);
        } else if fits {
            line.push(' ');
            line.push_str(word);
        } else {
            out += &line;
            out.push('\n');
            line = format!("{hanging}{word}");
        }
    }
    out += &line;
    out.push('\n');
    out
}

fn text_matrix(values: &Array2<f64>, corner: &str, rows: &[String], columns: &[String]) -> String {
    let style = number_style(values);
    let cells: Vec<Vec<String>> = values
        .rows()
        .into_iter()
        .map(|r| r.iter().map(|&v| style(v)).collect())
        .collect();
    let label_width = rows
        .iter()
        .map(|r| r.chars().count())
        .chain([corner.chars().count()])
        .max()
        .unwrap_or(0);
    let cell_width = cells
        .iter()
        .flatten()
        .chain(columns)
        .map(|c| c.chars().count())
        .max()
        .unwrap_or(1)
        + 2;
    let per_block = ((TEXT_WIDTH - 2 - label_width) / cell_width).max(1);
    let mut out = String::new();
    let n = columns.len();
    for start in (0..n).step_by(per_block) {
        let end = (start + per_block).min(n);
        if n > per_block {
            out += &format!("  columns {start} to {}:\n", end - 1);
        }
        out += &format!("  {corner:label_width$}");
        for column in &columns[start..end] {
            out += &format!("{column:>cell_width$}");
        }
        out.push('\n');
        for (label, row) in rows.iter().zip(&cells) {
            out += &format!("  {label:label_width$}");
            for cell in &row[start..end] {
                out += &format!("{cell:>cell_width$}");
            }
            out.push('\n');
        }
    }
    out
}

fn text_table(header: &[String], rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = (0..header.len())
        .map(|j| {
            rows.iter()
                .map(|r| r[j].chars().count())
                .chain([header[j].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| {
        let mut text = String::from(" ");
        for (j, (cell, &w)) in cells.iter().zip(&widths).enumerate() {
            if j == 0 {
                text += &format!(" {cell:<w$}");
            } else {
                text += &format!("   {cell:>w$}");
            }
        }
        text.trim_end().to_string() + "\n"
    };
    let mut out = line(header);
    out += &format!(
        "  {}\n",
        widths
            .iter()
            .map(|&w| "-".repeat(w))
            .collect::<Vec<_>>()
            .join("   ")
    );
    for row in rows {
        out += &line(row);
    }
    out
}

fn markdown(document: &[Section]) -> String {
    let mut out = String::new();
    for (s, section) in document.iter().enumerate() {
        if s == 0 {
            out += &format!("# {}\n", section.title);
        } else {
            out += &format!("\n## {s}. {}\n", section.title);
        }
        for item in &section.items {
            out.push('\n');
            match item {
                Item::Prose(text) => {
                    out += text;
                    out.push('\n');
                }
                Item::List(lines) => {
                    for line in lines {
                        out += &format!("- {line}\n");
                    }
                }
                Item::Scalar { equation, value } => {
                    out += &format!("${}$ = **{value:.6}**\n", equation.tex);
                }
                Item::Matrix {
                    equation,
                    shape,
                    values,
                    rows,
                    columns,
                    corner,
                } => {
                    out += &format!("${}$ &nbsp; {shape}\n\n", equation.tex);
                    out += &markdown_matrix(values, corner, rows, columns);
                }
                Item::Table { header, rows } => {
                    out += &markdown_table(header, rows);
                }
            }
        }
    }
    out
}

fn markdown_matrix(
    values: &Array2<f64>,
    corner: &str,
    rows: &[String],
    columns: &[String],
) -> String {
    let style = number_style(values);
    let mut header = vec![corner.to_string()];
    header.extend(columns.iter().cloned());
    let body: Vec<Vec<String>> = rows
        .iter()
        .zip(values.rows())
        .map(|(label, r)| {
            let mut cells = vec![label.clone()];
            cells.extend(r.iter().map(|&v| style(v)));
            cells
        })
        .collect();
    markdown_table(&header, &body)
}

fn markdown_table(header: &[String], rows: &[Vec<String>]) -> String {
    let cell = |c: &String| c.replace('|', "\\|");
    let mut out = format!(
        "| {} |\n",
        header.iter().map(cell).collect::<Vec<_>>().join(" | ")
    );
    out += &format!(
        "|{}\n",
        (0..header.len())
            .map(|j| if j == 0 { "---|" } else { "---:|" })
            .collect::<String>()
    );
    for row in rows {
        out += &format!(
            "| {} |\n",
            row.iter().map(cell).collect::<Vec<_>>().join(" | ")
        );
    }
    out
}
