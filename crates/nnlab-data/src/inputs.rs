//! TensorFlow Playground's input features, named after nnlab's columns `x0`, `x1`, …
//!
//! | Playground | here      | value (per row)    | numpy                |
//! |------------|-----------|--------------------|----------------------|
//! | X₁         | `x0`      | x₀                 | `X[:, 0]`            |
//! | X₂         | `x1`      | x₁                 | `X[:, 1]`            |
//! | X₁²        | `x0^2`    | x₀·x₀              | `X[:, 0]**2`         |
//! | X₂²        | `x1^2`    | x₁·x₁              | `X[:, 1]**2`         |
//! | X₁X₂       | `x0*x1`   | x₀·x₁              | `X[:, 0] * X[:, 1]`  |
//! | sin(X₁)    | `sin(x0)` | `f64::sin` of x₀   | `np.sin(X[:, 0])`    |
//! | sin(X₂)    | `sin(x1)` | `f64::sin` of x₁   | `np.sin(X[:, 1])`    |
//!
//! The grammar holds for any column i, j < d: `xi`, `xi^2`, `xi*xj`, `sin(xi)` (indices written
//! without leading zeros; spaces around an item, `*`, `^2` and inside `sin( )` are allowed). A list
//! is comma-separated, e.g. `"x0,x1,x0^2"`, with no empty item and no feature twice (`x1*x0` repeats
//! `x0*x1`, and `x0*x0` repeats `x0^2`). numpy's `x**2` is `x*x`, so squares and products match it
//! bit for bit; `sin` is the C library's, as Python's `math.sin`, and `np.sin` gave the same doubles
//! for `fixtures/playground.json` (made on x86-64 without AVX-512; builds may differ elsewhere).

use std::fmt;
use std::str::FromStr;

use ndarray::Array2;

use crate::DataError;

/// One input feature: a function of one or two columns of the data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InputFeature {
    /// `xi`: column i as it is.
    Column(usize),
    /// `xi^2`: column i times itself.
    Square(usize),
    /// `xi*xj`: the product of columns i and j.
    Product(usize, usize),
    /// `sin(xi)`: the sine of column i.
    Sin(usize),
}

/// The valid forms, for error messages.
const FORMS: &str = "use xi, xi^2, xi*xj or sin(xi) with column indices i, j = 0, 1, 2, ... \
                     (e.g. x0, x1, x0^2, x0*x1, sin(x1))";

impl InputFeature {
    /// The Playground's seven inputs in its order: `x0, x1, x0^2, x1^2, x0*x1, sin(x0), sin(x1)`.
    pub const PLAYGROUND: [InputFeature; 7] = [
        InputFeature::Column(0),
        InputFeature::Column(1),
        InputFeature::Square(0),
        InputFeature::Square(1),
        InputFeature::Product(0, 1),
        InputFeature::Sin(0),
        InputFeature::Sin(1),
    ];

    /// The highest column index the feature reads.
    pub fn max_column(self) -> usize {
        match self {
            InputFeature::Column(i) | InputFeature::Square(i) | InputFeature::Sin(i) => i,
            InputFeature::Product(i, j) => i.max(j),
        }
    }

    /// The feature in one spelling per column it gives: `xj*xi` as `xi*xj` (i < j), `xi*xi` as
    /// `xi^2`. Two features with the same canonical form always give the same column.
    pub fn canonical(self) -> InputFeature {
        match self {
            InputFeature::Product(i, j) if i == j => InputFeature::Square(i),
            InputFeature::Product(i, j) => InputFeature::Product(i.min(j), i.max(j)),
            other => other,
        }
    }

    /// The feature's value for one row (its columns must exist).
    fn value(self, row: ndarray::ArrayView1<f64>) -> f64 {
        match self {
            InputFeature::Column(i) => row[i],
            InputFeature::Square(i) => row[i] * row[i],
            InputFeature::Product(i, j) => row[i] * row[j],
            InputFeature::Sin(i) => row[i].sin(),
        }
    }
}

impl fmt::Display for InputFeature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            InputFeature::Column(i) => write!(f, "x{i}"),
            InputFeature::Square(i) => write!(f, "x{i}^2"),
            InputFeature::Product(i, j) => write!(f, "x{i}*x{j}"),
            InputFeature::Sin(i) => write!(f, "sin(x{i})"),
        }
    }
}

impl FromStr for InputFeature {
    type Err = DataError;

    fn from_str(item: &str) -> Result<InputFeature, DataError> {
        let text = item.trim();
        let parsed =
            if let Some(inner) = text.strip_prefix("sin(").and_then(|t| t.strip_suffix(')')) {
                column(inner).map(InputFeature::Sin)
            } else if let Some(base) = text.strip_suffix("^2") {
                column(base).map(InputFeature::Square)
            } else if let Some((a, b)) = text.split_once('*') {
                column(a)
                    .zip(column(b))
                    .map(|(i, j)| InputFeature::Product(i, j))
            } else {
                column(text).map(InputFeature::Column)
            };
        parsed.ok_or_else(|| DataError::invalid("input feature", format!("{item:?}"), FORMS))
    }
}

/// `xi` (surrounding spaces allowed) as i; digits only, no leading zero, no sign.
fn column(text: &str) -> Option<usize> {
    let digits = text.trim().strip_prefix('x')?;
    let plain = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    if plain {
        digits.parse().ok()
    } else {
        None
    }
}

/// A comma-separated list of features, e.g. `"x0,x1,x0^2,x1^2,x0*x1,sin(x0),sin(x1)"`, in order.
pub fn parse_inputs(list: &str) -> Result<Vec<InputFeature>, DataError> {
    let mut features: Vec<InputFeature> = Vec::new();
    for (k, item) in list.split(',').enumerate() {
        if item.trim().is_empty() {
            return Err(DataError::invalid(
                "input features",
                format!("{list:?}"),
                format!(
                    "item {} is empty: separate features by single commas, e.g. x0,x1,x0^2",
                    k + 1
                ),
            ));
        }
        let feature: InputFeature = item.parse()?;
        if let Some(first) = features
            .iter()
            .position(|f| f.canonical() == feature.canonical())
        {
            return Err(DataError::invalid(
                "input features",
                format!("{list:?}"),
                format!(
                    "item {} ({feature}) gives the same column as item {} ({}): list each \
                     feature once",
                    k + 1,
                    first + 1,
                    features[first]
                ),
            ));
        }
        features.push(feature);
    }
    Ok(features)
}

/// The input features of every row of `x` (n×d), one column per feature in the given order.
pub fn apply(features: &[InputFeature], x: &Array2<f64>) -> Result<Array2<f64>, DataError> {
    if features.is_empty() {
        return Err(DataError::invalid(
            "input features",
            "(none)",
            "give at least one feature, e.g. x0,x1",
        ));
    }
    let d = x.ncols();
    if let Some(bad) = features.iter().find(|f| f.max_column() >= d) {
        let has = match d {
            0 => "the data has no feature columns".to_string(),
            1 => "the data has 1 feature column, x0".to_string(),
            _ => format!("the data has {d} feature columns, x0 to x{}", d - 1),
        };
        return Err(DataError::invalid(
            "input feature",
            bad,
            format!("{has}: name only those"),
        ));
    }
    Ok(Array2::from_shape_fn(
        (x.nrows(), features.len()),
        |(r, c)| features[c].value(x.row(r)),
    ))
}

#[cfg(test)]
mod tests {
    use ndarray::array;

    use super::*;

    #[test]
    fn playground_inputs_parse_and_print_back() {
        let text = "x0,x1,x0^2,x1^2,x0*x1,sin(x0),sin(x1)";
        let parsed = parse_inputs(text).unwrap();
        assert_eq!(parsed, InputFeature::PLAYGROUND);
        let printed: Vec<String> = parsed.iter().map(ToString::to_string).collect();
        assert_eq!(printed.join(","), text);
    }

    #[test]
    fn general_indices_and_spaces_parse() {
        let parsed = parse_inputs(" x12 , x3 * x10 ,sin( x7 ), x0 ^2").unwrap();
        use InputFeature::*;
        assert_eq!(parsed, vec![Column(12), Product(3, 10), Sin(7), Square(0)]);
        for f in [Column(0), Square(99), Product(5, 2), Sin(1_000_000)] {
            assert_eq!(f.to_string().parse::<InputFeature>().unwrap(), f);
        }
    }

    #[test]
    fn bad_items_are_named_with_the_valid_forms() {
        for bad in [
            "",
            "x",
            "y0",
            "x-1",
            "x+1",
            "x01",
            "X0",
            "x0^3",
            "sin x0",
            "sin(x0",
            "cos(x0)",
            "x0*",
            "*x1",
            "x0*x1*x2",
            "x1.5",
            "x99999999999999999999999",
        ] {
            let err = bad.parse::<InputFeature>().unwrap_err();
            let message = err.to_string();
            assert!(message.contains(&format!("{bad:?}")), "{message}");
            assert!(message.contains("xi, xi^2, xi*xj or sin(xi)"), "{message}");
        }
    }

    #[test]
    fn lists_reject_empty_items_and_repeats() {
        let message = parse_inputs("x0,,x1").unwrap_err().to_string();
        assert!(message.contains("item 2 is empty"), "{message}");
        assert!(parse_inputs("")
            .unwrap_err()
            .to_string()
            .contains("item 1 is empty"));
        assert!(parse_inputs("x0,x1,").is_err());
        let message = parse_inputs("x0*x1,x1,x1*x0").unwrap_err().to_string();
        assert!(message.contains("item 3 (x1*x0)"), "{message}");
        assert!(message.contains("item 1 (x0*x1)"), "{message}");
        assert!(parse_inputs("x2^2,x2*x2").is_err());
        assert!(parse_inputs("x0,x0").is_err());
        let message = parse_inputs("x0,x0^^2").unwrap_err().to_string();
        assert!(message.contains("\"x0^^2\""), "{message}");
    }

    #[test]
    fn apply_computes_hand_checked_values_in_order() {
        let x = array![[0.5, -2.0], [3.0, 0.0], [-1.5, 0.25]];
        let out = apply(&InputFeature::PLAYGROUND, &x).unwrap();
        let s = |v: f64| v.sin();
        let want = array![
            [0.5, -2.0, 0.25, 4.0, -1.0, s(0.5), s(-2.0)],
            [3.0, 0.0, 9.0, 0.0, 0.0, s(3.0), 0.0],
            [-1.5, 0.25, 2.25, 0.0625, -0.375, s(-1.5), s(0.25)],
        ];
        assert_eq!(out, want);
        // sin to 16 digits (libm): sin 0.5 = 0.479425538604203, sin(-2) = -0.9092974268256817
        assert!((out[[0, 5]] - 0.479_425_538_604_203).abs() < 1e-15);
        assert!((out[[0, 6]] + 0.909_297_426_825_681_7).abs() < 1e-15);
        let picked = apply(&[InputFeature::Product(1, 1), InputFeature::Column(0)], &x).unwrap();
        assert_eq!(picked, array![[4.0, 0.5], [0.0, 3.0], [0.0625, -1.5]]);
    }

    #[test]
    fn apply_names_columns_the_data_lacks() {
        let x = array![[1.0, 2.0]];
        let message = apply(&[InputFeature::Sin(2)], &x).unwrap_err().to_string();
        assert!(message.contains("sin(x2)"), "{message}");
        assert!(message.contains("2 feature columns, x0 to x1"), "{message}");
        let one = array![[1.0]];
        let message = apply(&[InputFeature::Product(0, 1)], &one)
            .unwrap_err()
            .to_string();
        assert!(message.contains("1 feature column, x0"), "{message}");
        assert!(apply(&[], &x).is_err());
    }
}
